//! Bad input never gives a 5xx: every registered action gets hostile values in every parameter
//! its help names (and the common ones), on both engines, and must answer with CKAN's error
//! envelope (or CKAN's bare-string 400 for a body that is not JSON at all).

use serde_json::{Map, Value, json};

use crate::helpers::{TestApp, engines, spawn_app};

/// Values no well-behaved client sends. `SURROGATE` stands for a lone UTF-16 surrogate escape,
/// which only raw JSON text can carry.
const SURROGATE: &str = "@@lone-surrogate@@";

fn hostile_values() -> Vec<Value> {
    let mut nested = json!("đáy");
    for _ in 0..100 {
        nested = json!([nested]);
    }
    vec![
        json!("a\u{0}b"),
        json!(SURROGATE),
        json!("\u{202E}\u{200F}ذ\u{200E}x"),
        json!(""),
        json!(-1),
        json!(1e308),
        json!(true),
        json!(null),
        json!({"a": {"b": [1, "\u{0}"]}}),
        json!([[], {}, "x"]),
        nested,
    ]
}

/// The parameters an action's help text names (`:param name:`), and the common ones.
fn parameters(help: &str) -> Vec<String> {
    let mut names: Vec<String> = help
        .split(":param ")
        .skip(1)
        .filter_map(|rest| rest.split(':').next())
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty() && !name.contains(' '))
        .collect();
    for common in ["id", "name", "q", "fq", "title", "owner_org", "package_id", "url", "resources", "tags", "extras"] {
        if !names.iter().any(|n| n == common) {
            names.push(common.to_string());
        }
    }
    names
}

/// Sends `body` (with [`SURROGATE`] turned into a lone surrogate escape) and checks the answer.
fn check(app: &TestApp, action: &str, body: &Map<String, Value>, what: &str) {
    let text = serde_json::to_string(body).expect("json").replace(&format!("\"{SURROGATE}\""), "\"\\ud800x\"");
    let reply = app.send(|client| {
        client
            .post(app.action_url(action))
            .header("Authorization", &app.sysadmin_token)
            .header("Content-Type", "application/json")
            .body(text)
    });
    assert!(
        reply.status < 500,
        "{action} with {what}: {} {}",
        reply.status,
        reply.text().chars().take(300).collect::<String>()
    );
    let enveloped = reply.body.get("success").is_some_and(Value::is_boolean);
    let bare_400 = reply.status == 400 && reply.body.is_string();
    assert!(enveloped || bare_400, "{action} with {what}: not an envelope: {}", reply.text());
}

#[test]
fn no_action_answers_hostile_input_with_a_server_error() {
    for engine in engines() {
        let app = spawn_app(engine);
        app.organization("so-xay-dung", "Sở Xây dựng");
        app.sysadmin("package_create", json!({"name": "nha-o", "title": "Nhà ở", "owner_org": "so-xay-dung"})).result();
        // Destructive actions last, so the others meet a dataset that exists.
        let mut names: Vec<&str> = kho::actions::names().collect();
        names.sort_by_key(|n| n.contains("delete") || n.contains("purge"));
        let base = json!({"id": "nha-o", "package_id": "nha-o", "name": "nha-o-2", "owner_org": "so-xay-dung"});
        let huge = json!("ư".repeat(512 * 1024));
        for name in names {
            let action = kho::actions::find(name).expect("registered");
            for (index, parameter) in parameters(action.help).iter().enumerate() {
                let mut values = hostile_values();
                if index == 0 {
                    values.push(huge.clone());
                }
                for (number, value) in values.into_iter().enumerate() {
                    // Alternately alone and beside a dataset that exists (to reach deeper code).
                    let with_base = (index + number) % 2 == 0;
                    let mut body = if with_base { base.as_object().cloned().unwrap_or_default() } else { Map::new() };
                    body.insert(parameter.clone(), value.clone());
                    let shown: String = value.to_string().chars().take(40).collect();
                    check(&app, name, &body, &format!("{parameter}={shown} (base: {with_base})"));
                }
            }
        }
        // Query strings too: a NUL or broken UTF-8 in a GET parameter.
        for query in ["id=a%00", "id=%ff%fe", "q=%00&fq=%00", "id=%ED%A0%80"] {
            for name in ["package_show", "package_search", "organization_show", "user_show", "tag_show"] {
                let url = format!("{}?{query}", app.action_url(name));
                let reply = app.send(|client| client.get(url));
                assert!(reply.status < 500, "GET {name}?{query}: {} {}", reply.status, reply.text());
            }
        }
    }
}

#[test]
fn the_reported_bad_inputs_get_ckan_errors() {
    for engine in engines() {
        let app = spawn_app(engine);
        app.organization("so-xay-dung", "Sở Xây dựng");
        let nul_title =
            app.sysadmin("package_create", json!({"name": "x", "title": "a\u{0}b", "owner_org": "so-xay-dung"}));
        assert!(nul_title.error(409, "Validation Error")["title"].is_array(), "{engine:?}");
        app.get("package_show", None, &[("id", "a\u{0}")]).error(409, "Validation Error");
        let listed = app.post("package_search", None, json!({"facet.field": ["res_format"]}));
        assert_eq!(listed.result()["facets"], json!({"res_format": {}}));
        let surrogate = app.send(|client| {
            client
                .post(app.action_url("package_search"))
                .header("Content-Type", "application/json")
                .body(r#"{"q": "\ud800"}"#)
        });
        assert!(surrogate.error(409, "Validation Error")["q"].is_array());
        app.user("trung-ten");
        app.user("ten-khac");
        let taken = app.sysadmin("user_patch", json!({"id": "ten-khac", "name": "trung-ten"}));
        let message = taken.error(409, "Validation Error")["name"].to_string();
        assert!(!message.contains("URL"), "says what is taken: {message}");
    }
}
