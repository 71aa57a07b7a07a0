//! Users and API tokens, on both engines.

use serde_json::json;

use crate::helpers::{engines, spawn_app};

#[test]
fn user_create_validates_like_ckan_and_writes_nothing_on_error() {
    for engine in engines() {
        let app = spawn_app(engine);
        let missing = app.sysadmin("user_create", json!({}));
        let error = missing.error(409, "Validation Error");
        for field in ["name", "email", "password"] {
            assert_eq!(error[field], json!(["Missing value"]), "{engine:?}");
        }
        let bad =
            app.sysadmin("user_create", json!({"name": "Nguyễn An", "email": "khong-phai-email", "password": "1234"}));
        let error = bad.error(409, "Validation Error");
        assert!(error["name"][0].as_str().unwrap().starts_with("Must be purely lowercase"));
        assert_eq!(error["email"], json!(["Email khong-phai-email is not a valid format"]));
        assert_eq!(error["password"], json!(["Your password must be 8 characters or longer"]));
        app.user("binh-tran");
        let duplicate = app.sysadmin(
            "user_create",
            json!({"name": "binh-tran", "email": "BINH-TRAN@example.vn", "password": "MatKhau-2024!"}),
        );
        let error = duplicate.error(409, "Validation Error");
        assert!(error["name"][0].as_str().unwrap().starts_with("The username is already associated"));
        assert_eq!(error["email"], json!(["The email address 'binh-tran@example.vn' belongs to a registered user."]));
        let names = app.get("user_list", None, &[("all_fields", "false")]);
        assert_eq!(names.result(), &json!(["accadmin", "binh-tran"]), "{engine:?}: nothing half-written");
    }
}

#[test]
fn user_dicts_show_email_only_to_the_user_and_sysadmins() {
    for engine in engines() {
        let app = spawn_app(engine);
        let (id, token) = app.user("tran-thi-binh");
        let created = app.sysadmin("user_show", json!({"id": id}));
        let dict = created.result();
        assert_eq!(dict["email"], json!("tran-thi-binh@example.vn"));
        assert_eq!(dict["display_name"], json!("tran-thi-binh"));
        assert!(dict.get("password_hash").is_none());
        let anonymous = app.get("user_show", None, &[("id", "tran-thi-binh")]);
        assert!(anonymous.result().get("email").is_none());
        assert_eq!(anonymous.result()["email_hash"].as_str().unwrap().len(), 32);
        let own = app.get("user_show", Some(&token), &[]);
        assert_eq!(own.result()["name"], json!("tran-thi-binh"));
        assert_eq!(own.result()["email"], json!("tran-thi-binh@example.vn"));
        assert!(own.result()["last_active"].is_string(), "a token use records last_active");
        assert_eq!(app.get("user_show", None, &[]).error(404, "Not Found Error")["message"], json!("Not found"));
    }
}

#[test]
fn user_create_is_for_sysadmins_unless_configured() {
    let app = spawn_app(crate::helpers::Engine::Sqlite);
    let (_, token) = app.user("can-bo");
    let params = json!({"name": "moi", "email": "moi@example.vn", "password": "MatKhau-2024!"});
    let denied = app.post("user_create", Some(&token), params.clone());
    assert_eq!(
        denied.error(403, "Authorization Error")["message"],
        json!("Access denied: User can-bo not authorized to create users via the API")
    );
    let anonymous = app.post("user_create", None, params.clone());
    assert_eq!(
        anonymous.error(403, "Authorization Error")["message"],
        json!("Access denied: User  not authorized to create users via the API")
    );
    let escalate = app.post(
        "user_create",
        None,
        json!({"name": "x2", "email": "x2@example.vn", "password": "MatKhau-2024!", "sysadmin": true}),
    );
    escalate.error(403, "Authorization Error");
    let open = crate::helpers::spawn_app_with(crate::helpers::Engine::Sqlite, |c| c.auth.create_user_via_api = true);
    let created = open.post(
        "user_create",
        None,
        json!({"name": "tu-dang-ky", "email": "t@example.vn", "password": "MatKhau-2024!", "sysadmin": true}),
    );
    assert_eq!(created.result()["sysadmin"], json!(false), "only sysadmins may make sysadmins");
}

#[test]
fn user_update_patch_and_delete_follow_ckans_rules() {
    for engine in engines() {
        let app = spawn_app(engine);
        let (id, token) = app.user("le-van-cuong");
        let (_, other_token) = app.user("nguoi-khac");
        let missing_email = app.post("user_update", Some(&token), json!({"id": id, "fullname": "Lê Văn Cường"}));
        assert_eq!(missing_email.error(409, "Validation Error")["email"], json!(["Missing value"]));
        let updated = app.post(
            "user_update",
            Some(&token),
            json!({"id": id, "email": "cuong@example.vn", "fullname": "Lê Văn Cường", "sysadmin": true}),
        );
        assert_eq!(updated.result()["display_name"], json!("Lê Văn Cường"));
        assert_eq!(updated.result()["sysadmin"], json!(false), "a user cannot make themselves sysadmin");
        let patched = app.post("user_patch", Some(&token), json!({"id": "le-van-cuong", "about": "Phòng Dữ liệu"}));
        assert_eq!(patched.result()["about"], json!("Phòng Dữ liệu"));
        assert_eq!(patched.result()["fullname"], json!("Lê Văn Cường"));
        let other = app.post("user_update", Some(&other_token), json!({"id": id, "email": "x@example.vn"}));
        assert!(
            other.error(403, "Authorization Error")["message"]
                .as_str()
                .unwrap()
                .contains("not authorized to edit user")
        );
        let anonymous = app.post("user_update", None, json!({"id": id, "email": "x@example.vn"}));
        assert_eq!(
            anonymous.error(403, "Authorization Error")["message"],
            json!("Access denied: Have to be logged in to edit user")
        );
        app.post("user_delete", Some(&other_token), json!({"id": id})).error(403, "Authorization Error");
        let unknown = app.sysadmin("user_delete", json!({"id": "khong-ton-tai"}));
        assert_eq!(
            unknown.error(404, "Not Found Error")["message"],
            json!("Not found: User \"khong-ton-tai\" was not found.")
        );
        assert_eq!(app.sysadmin("user_delete", json!({"id": id})).result(), &serde_json::Value::Null);
        assert_eq!(app.get("user_show", None, &[("id", "le-van-cuong")]).result()["state"], json!("deleted"));
        let names = app.get("user_list", None, &[("all_fields", "false")]);
        assert!(!names.result().as_array().unwrap().contains(&json!("le-van-cuong")));
        // A deleted user's token fails every check, even public reads.
        app.get("status_show", Some(&token), &[]).error(403, "Authorization Error");
    }
}

#[test]
fn user_list_filters_and_orders() {
    let app = spawn_app(crate::helpers::Engine::Sqlite);
    for (name, fullname) in [("b-user", "Trần Bình"), ("a-user", "Lê An")] {
        app.sysadmin("user_create", json!({"name": name, "fullname": fullname, "email": format!("{name}@example.vn"), "password": "MatKhau-2024!"})).result();
    }
    let by_display = app.get("user_list", None, &[("all_fields", "false")]);
    assert_eq!(
        by_display.result(),
        &json!(["a-user", "b-user", "accadmin"]),
        "byte order of display names, as CKAN's C collation"
    );
    let query = app.get("user_list", None, &[("q", "bình"), ("all_fields", "false")]);
    assert_eq!(query.result(), &json!(["b-user"]));
    let edits = app.get("user_list", None, &[("order_by", "edits")]);
    assert_eq!(edits.error(409, "Validation Error")["message"], json!("order_by=edits is no longer supported"));
    let by_email = app.get("user_list", Some(&app.sysadmin_token.clone()), &[("email", "A-USER@example.vn")]);
    assert_eq!(by_email.result()[0]["name"], json!("a-user"));
    app.get("user_list", None, &[("email", "a-user@example.vn")]).error(403, "Authorization Error");
}

#[test]
fn tokens_are_listed_without_secrets_and_revocation_works_at_once() {
    for engine in engines() {
        let app = spawn_app(engine);
        let (id, first_token) = app.user("can-bo-so-y-te");
        let created =
            app.post("api_token_create", Some(&first_token), json!({"user": "can-bo-so-y-te", "name": "tạm thời"}));
        let second_token = created.result()["token"].as_str().unwrap().to_string();
        let second_id = created.result()["id"].as_str().unwrap().to_string();
        assert_eq!(second_id.len(), 43);
        for header in ["Authorization", "X-CKAN-API-Key"] {
            let url = app.action_url("user_show");
            let reply = app.send(|c| c.get(&url).header(header, &second_token));
            assert_eq!(reply.result()["id"], json!(id), "{header}");
        }
        let bearer =
            app.send(|c| c.get(app.action_url("user_show")).header("Authorization", format!("Bearer {second_token}")));
        assert_eq!(bearer.result()["id"], json!(id), "Kho accepts a Bearer prefix");
        let listed = app.get("api_token_list", Some(&first_token), &[("user_id", "can-bo-so-y-te")]);
        let list = listed.result().as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0]["name"], json!("default"));
        assert_eq!(list[1]["name"], json!("tạm thời"));
        assert!(list.iter().all(|t| t.get("token").is_none()));
        assert!(!listed.body.to_string().contains(&second_token));
        let (_, outsider) = app.user("nguoi-ngoai");
        app.post("api_token_revoke", Some(&outsider), json!({"jti": second_id})).error(403, "Authorization Error");
        app.get("api_token_list", Some(&outsider), &[("user_id", "can-bo-so-y-te")]).error(403, "Authorization Error");
        app.post("api_token_create", Some(&outsider), json!({"user": "can-bo-so-y-te", "name": "trom"}))
            .error(403, "Authorization Error");
        assert!(app.post("api_token_revoke", Some(&first_token), json!({"jti": second_id})).result().is_null());
        let revoked = app.get("user_show", Some(&second_token), &[]);
        assert_eq!(
            revoked.error(404, "Not Found Error")["message"],
            json!("Not found"),
            "a revoked token is anonymous at once"
        );
        app.post("api_token_revoke", Some(&first_token), json!({"jti": "khong-ton-tai"}))
            .error(403, "Authorization Error");
        assert!(app.post("api_token_revoke", Some(&first_token), json!({"token": first_token})).result().is_null());
        app.get("user_show", Some(&first_token), &[]).error(404, "Not Found Error");
        let garbage = app.get("user_show", Some("khong-phai-token-hop-le"), &[("id", "nguoi-ngoai")]);
        assert!(garbage.result().get("email").is_none(), "an invalid token is anonymous, not an error");
    }
}
