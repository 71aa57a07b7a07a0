//! The Action API transport (spec §1): routes, request decoding, envelopes, JSONP, CORS.

use serde_json::{Value, json};

use crate::helpers::{Engine, engines, spawn_app, spawn_app_with};

#[test]
fn unknown_actions_and_get_on_write_actions_are_bare_string_400s() {
    let app = spawn_app(Engine::Sqlite);
    let reply = app.get("no_such_action", None, &[]);
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body, json!("Bad request: Action name not known: no_such_action"));
    let reply = app.get("organization_create", Some(&app.sysadmin_token.clone()), &[("name", "qua-get")]);
    assert_eq!(reply.status, 400);
    assert!(reply.body.as_str().unwrap().contains("Please use POST method for your request"));
    assert_eq!(app.get("organization_show", None, &[("id", "qua-get")]).status, 404, "nothing was created");
}

#[test]
fn success_envelope_has_help_success_result_on_both_routes() {
    let app = spawn_app(Engine::Sqlite);
    for path in ["/api/3/action/status_show", "/api/action/status_show", "//api/3/action/status_show"] {
        let url = format!("{}{path}", app.base);
        let reply = app.send(|c| c.get(&url));
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type").as_deref(), Some("application/json;charset=utf-8"));
        let keys: Vec<&String> = reply.body.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["help", "success", "result"]);
        assert_eq!(reply.body["help"], json!(format!("{}/api/3/action/help_show?name=status_show", app.base)));
        assert_eq!(reply.body["result"]["ckan_version"], json!("2.12.0"));
        assert_eq!(reply.body["result"]["locale_default"], json!("vi"));
    }
}

#[test]
fn api_version_discovery_answers_plain_json() {
    let app = spawn_app(Engine::Sqlite);
    for (path, version) in [("/api", 1), ("/api/3", 3), ("/api/3/", 3), ("/api/2", 2)] {
        let url = format!("{}{path}", app.base);
        assert_eq!(app.send(|c| c.get(&url)).body, json!({"version": version}), "{path}");
    }
    let url = format!("{}/api/4/action/status_show", app.base);
    assert_eq!(app.send(|c| c.get(&url)).status, 404);
}

#[test]
fn other_methods_get_405_and_options_lists_the_allowed_ones() {
    let app = spawn_app(Engine::Sqlite);
    let url = app.action_url("status_show");
    assert_eq!(app.send(|c| c.put(&url).body("{}")).status, 405);
    assert_eq!(app.send(|c| c.delete(&url)).status, 405);
    let options = app.send(|c| c.request(reqwest::Method::OPTIONS, &url));
    assert_eq!(options.status, 200);
    assert_eq!(options.header("allow").as_deref(), Some("GET, HEAD, OPTIONS, POST"));
}

#[test]
fn request_bodies_are_decoded_as_ckan_does() {
    let app = spawn_app(Engine::Sqlite);
    app.organization("so-y-te", "Sở Y tế");
    let url = app.action_url("organization_show");
    // curl -d '{"id": …}': form-encoded, the whole JSON is the field name.
    let reply = app.send(|c| {
        c.post(&url).header("Content-Type", "application/x-www-form-urlencoded").body(r#"{"id": "so-y-te"}"#)
    });
    assert_eq!(reply.result()["name"], json!("so-y-te"));
    // Ordinary form fields.
    let reply = app.send(|c| c.post(&url).form(&[("id", "so-y-te"), ("include_users", "false")]));
    assert!(reply.result().get("users").is_none());
    // A read action's query string wins over the body, even on POST.
    let with_query = format!("{url}?id=so-y-te");
    let reply = app.send(|c| c.post(&with_query).json(&json!({"id": "khong-co"})));
    assert_eq!(reply.result()["name"], json!("so-y-te"));
    // Kho: a JSON object body is accepted whatever its content type.
    let reply = app.send(|c| c.post(&url).header("Content-Type", "text/plain").body(r#"{"id": "so-y-te"}"#));
    assert_eq!(reply.result()["title"], json!("Sở Y tế"));
    let reply =
        app.send(|c| c.post(&url).header("Content-Type", "application/vnd.api+json").body(r#"{"id": "so-y-te"}"#));
    assert_eq!(reply.status, 200);
}

#[test]
fn malformed_bodies_are_bare_string_400s_and_never_500() {
    let app = spawn_app(Engine::Sqlite);
    let url = app.action_url("organization_create");
    let token = app.sysadmin_token.clone();
    for body in [r#"{"name": "x"#, "[1]", r#""chuoi""#, "{\"name\": \"a\"} rác"] {
        let reply = app.send(|c| {
            c.post(&url).header("Authorization", &token).header("Content-Type", "application/json").body(body)
        });
        assert_eq!(reply.status, 400, "{body}");
        assert!(reply.body.as_str().unwrap().starts_with("Bad request: JSON Error"), "{body}: {}", reply.body);
    }
    let reply = app
        .send(|c| c.post(&url).header("Authorization", &token).header("Content-Type", "application/json").body("[1]"));
    assert!(reply.body.as_str().unwrap().contains("it needs to be a dictionary"));
}

#[test]
fn jsonp_wraps_get_answers_and_always_runs_as_anonymous() {
    let app = spawn_app(Engine::Sqlite);
    let reply = app.get("status_show", None, &[("callback", "<b>&\"x")]);
    assert_eq!(reply.header("content-type").as_deref(), Some("application/javascript;charset=utf-8"));
    let text = reply.body.as_str().unwrap();
    assert!(text.starts_with("&lt;b&gt;&amp;&quot;x({") && text.ends_with("});"), "{text}");
    // The sysadmin's token is ignored: user_show without id is then "Not found".
    let reply = app.get("user_show", Some(&app.sysadmin_token.clone()), &[("callback", "cb")]);
    assert_eq!(reply.status, 404);
    assert_eq!(reply.header("content-type").as_deref(), Some("application/json;charset=utf-8"));
    // POST with a callback is plain JSON.
    let reply = app.post("status_show", None, json!({"callback": "cb"}));
    assert_eq!(reply.result()["ckan_version"], json!("2.12.0"));
}

#[test]
fn cors_headers_appear_only_when_configured() {
    let app = spawn_app(Engine::Sqlite);
    let url = app.action_url("status_show");
    let reply = app.send(|c| c.get(&url).header("Origin", "https://cong.example.vn"));
    assert!(reply.header("access-control-allow-origin").is_none());
    let app =
        spawn_app_with(Engine::Sqlite, |config| config.cors_origin_whitelist = vec!["https://cong.example.vn".into()]);
    let url = app.action_url("status_show");
    let reply = app.send(|c| c.get(&url).header("Origin", "https://cong.example.vn"));
    assert_eq!(reply.header("access-control-allow-origin").as_deref(), Some("https://cong.example.vn"));
    let preflight = app.send(|c| c.request(reqwest::Method::OPTIONS, &url).header("Origin", "https://cong.example.vn"));
    assert!(preflight.header("access-control-allow-methods").unwrap().contains("POST"));
    let other = app.send(|c| c.get(&url).header("Origin", "https://khac.example.vn"));
    assert!(other.header("access-control-allow-origin").is_none());
}

#[test]
fn authenticated_answers_are_not_cacheable_by_shared_caches() {
    let app = spawn_app(Engine::Sqlite);
    let anonymous = app.get("status_show", None, &[]);
    assert_eq!(anonymous.header("cache-control").as_deref(), Some("public, max-age=0, must-revalidate"));
    let authenticated = app.get("status_show", Some(&app.sysadmin_token.clone()), &[]);
    assert_eq!(authenticated.header("cache-control").as_deref(), Some("private, no-store"));
    assert!(authenticated.header("vary").unwrap().contains("Authorization"));
}

#[test]
fn help_show_and_license_list_answer_as_ckan() {
    for engine in engines() {
        let app = spawn_app(engine);
        let help = app.get("help_show", None, &[("name", "organization_show")]);
        assert!(help.result().as_str().unwrap().contains(":param id:"));
        assert_eq!(app.get("help_show", None, &[]).error(409, "Validation Error")["name"], json!(["Missing value"]));
        let unknown = app.get("help_show", None, &[("name", "khong_co")]);
        assert_eq!(unknown.error(404, "Not Found Error")["message"], json!("Not found: Action function not found"));
        let licenses = app.get("license_list", None, &[]);
        let list = licenses.result().as_array().unwrap();
        assert!(list.iter().any(|l| l["id"] == json!("cc-by")));
        assert!(list.iter().any(|l| l["id"] == json!("vn-state-open-data")));
        assert!(list.iter().all(|l| l["domain_data"].is_string()));
        assert_eq!(app.get("site_read", None, &[]).result(), &Value::Bool(true));
    }
}

#[test]
fn wrong_types_get_ckan_errors_never_a_500() {
    for engine in engines() {
        let app = spawn_app(engine);
        app.organization("so-y-te", "Sở Y tế");
        let cases: Vec<(&str, Value)> = vec![
            ("organization_create", json!({"name": ["a", "b"]})),
            ("organization_create", json!({"name": 12345, "title": {"x": 1}})),
            ("organization_create", json!({"name": "dung-ten", "users": "bien-tap"})),
            ("organization_create", json!({"name": "dung-ten", "extras": [1, 2]})),
            ("organization_create", json!({"name": "dung-ten", "extras": [{"value": "x"}]})),
            ("organization_update", json!({"id": ["so-y-te"]})),
            ("organization_show", json!({"id": {"a": 1}})),
            ("organization_list", json!({"limit": -1})),
            ("organization_list", json!({"offset": "mot"})),
            ("organization_list", json!({"all_fields": "co"})),
            ("user_create", json!({"name": "x1", "email": 5, "password": true})),
            ("user_create", json!({"name": null, "email": null, "password": null})),
            ("user_update", json!({"id": "accadmin", "email": ["a@b.vn"]})),
            (
                "member_create",
                json!({"id": "so-y-te", "object": "accadmin", "object_type": "ban-do", "capacity": "member"}),
            ),
            ("organization_member_create", json!({"id": "so-y-te", "username": {"a": 1}, "role": "editor"})),
            ("api_token_create", json!({"user": ["accadmin"], "name": "x"})),
            ("api_token_revoke", json!({"jti": 42})),
        ];
        for (action, params) in cases {
            let reply = app.sysadmin(action, params.clone());
            assert!(
                [400, 403, 404, 409].contains(&reply.status) && reply.body["success"] == json!(false),
                "{engine:?} {action} {params}: {} {}",
                reply.status,
                reply.body
            );
        }
        let names = app.get("organization_list", None, &[]);
        assert_eq!(names.result(), &json!(["so-y-te"]), "nothing half-written");
    }
}
