//! Organisations, groups and memberships, on both engines.

use kho::store::changes;
use serde_json::{Value, json};

use crate::helpers::{TestApp, engines, spawn_app};

fn change_actions(app: &TestApp) -> Vec<(String, String)> {
    let rows = app.services.store.read(|tx| changes::after(tx, 0, 1000)).unwrap();
    rows.into_iter().map(|c| (c.entity, c.action)).collect()
}

#[test]
fn organization_round_trip_keeps_vietnamese_text_and_records_changes() {
    let timestamp = regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$").unwrap();
    for engine in engines() {
        let app = spawn_app(engine);
        let created = app.sysadmin(
            "organization_create",
            json!({"name": "so-y-te", "title": "Sở Y tế tỉnh Gia Lai", "description": "Quản lý nhà nước về y tế.",
                   "extras": [{"key": "ma_don_vi", "value": "000.00.01.H26"}]}),
        );
        let dict = created.result();
        assert_eq!(dict["display_name"], json!("Sở Y tế tỉnh Gia Lai"));
        assert_eq!(dict["type"], json!("organization"));
        assert_eq!(dict["is_organization"], json!(true));
        assert_eq!(dict["package_count"], json!(0));
        assert_eq!(dict["extras"], json!([{"key": "ma_don_vi", "value": "000.00.01.H26"}]));
        assert_eq!(dict["users"][0]["name"], json!("accadmin"));
        assert_eq!(dict["users"][0]["capacity"], json!("admin"));
        let created_at = dict["created"].as_str().unwrap();
        assert!(timestamp.is_match(created_at), "{created_at}");
        let shown = app.get("organization_show", None, &[("id", "so-y-te")]);
        assert_eq!(shown.result()["title"], json!("Sở Y tế tỉnh Gia Lai"));
        assert_eq!(shown.result()["id"], dict["id"]);
        assert!(shown.result().get("packages").is_none());
        let with_datasets = app.get("organization_show", None, &[("id", "so-y-te"), ("include_datasets", "true")]);
        assert_eq!(with_datasets.result()["packages"], json!([]));
        app.get("organization_show", None, &[("id", "so-y-te"), ("include_datasets", "co")])
            .error(409, "Validation Error");
        assert_eq!(change_actions(&app), [("organization".to_string(), "create".to_string())], "{engine:?}");
    }
}

#[test]
fn organization_update_and_patch_follow_ckans_replace_rules() {
    for engine in engines() {
        let app = spawn_app(engine);
        app.sysadmin(
            "organization_create",
            json!({"name": "so-tai-chinh", "title": "Sở Tài chính", "description": "Ngân sách",
            "extras": [{"key": "a", "value": "1"}]}),
        )
        .result();
        let (_, editor) = app.user("bien-tap");
        app.add_member("organization_member_create", "so-tai-chinh", "bien-tap", "editor");
        let updated = app.sysadmin(
            "organization_update",
            json!({"id": "so-tai-chinh", "name": "so-tai-chinh", "title": "Sở Tài chính tỉnh Gia Lai"}),
        );
        let dict = updated.result();
        assert_eq!(dict["description"], json!("Ngân sách"), "omitted description is kept");
        assert_eq!(dict["extras"], json!([]), "omitted extras are cleared");
        assert_eq!(dict["packages"], json!([]));
        assert_eq!(dict["users"].as_array().unwrap().len(), 2, "omitted users leave memberships alone");
        let patched =
            app.sysadmin("organization_patch", json!({"id": "so-tai-chinh", "description": "Tài chính, giá"}));
        assert_eq!(patched.result()["title"], json!("Sở Tài chính tỉnh Gia Lai"));
        assert_eq!(patched.result()["users"].as_array().unwrap().len(), 2, "patch keeps memberships");
        let retyped =
            app.sysadmin("organization_update", json!({"id": "so-tai-chinh", "name": "so-tai-chinh", "type": "group"}));
        assert_eq!(retyped.error(409, "Validation Error")["type"], json!("Type cannot be updated"));
        let denied = app.post(
            "organization_update",
            Some(&editor),
            json!({"id": "so-tai-chinh", "name": "so-tai-chinh", "title": "x"}),
        );
        assert!(
            denied.error(403, "Authorization Error")["message"]
                .as_str()
                .unwrap()
                .starts_with("Access denied: User bien-tap not authorized to edit organization")
        );
        let replaced = app.sysadmin(
            "organization_update",
            json!({"id": "so-tai-chinh", "name": "so-tai-chinh", "users": [{"name": "bien-tap", "capacity": "admin"}]}),
        );
        let users = replaced.result()["users"].as_array().unwrap().clone();
        assert_eq!(users.len(), 1);
        assert_eq!(users[0]["capacity"], json!("admin"));
        let unknown = app.sysadmin("organization_update", json!({"id": "khong-ton-tai", "name": "khong-ton-tai"}));
        assert_eq!(unknown.error(404, "Not Found Error")["message"], json!("Not found: Group was not found."));
        let actions: Vec<String> = change_actions(&app).into_iter().map(|(_, a)| a).collect();
        assert_eq!(actions, ["create", "membership", "update", "update", "update"], "{engine:?}");
    }
}

#[test]
fn a_failing_write_leaves_nothing_behind() {
    for engine in engines() {
        let app = spawn_app(engine);
        let failed = app.sysadmin(
            "organization_create",
            json!({"name": "so-xay-dung", "users": [{"name": "khong-ton-tai", "capacity": "editor"}]}),
        );
        failed.error(409, "Validation Error");
        app.get("organization_show", None, &[("id", "so-xay-dung")]).error(404, "Not Found Error");
        assert!(change_actions(&app).is_empty(), "{engine:?}: no change-log row for a rolled-back write");
        let integrity =
            app.sysadmin("organization_create", json!({"name": "so-xay-dung", "extras": "khong-phai-danh-sach"}));
        integrity.error(400, "Integrity Error");
        app.get("organization_show", None, &[("id", "so-xay-dung")]).error(404, "Not Found Error");
    }
}

#[test]
fn names_are_unique_across_organizations_and_groups() {
    for engine in engines() {
        let app = spawn_app(engine);
        app.organization("so-y-te", "Sở Y tế");
        let clash = app.sysadmin("group_create", json!({"name": "so-y-te", "title": "Trùng tên tổ chức"}));
        assert_eq!(clash.error(409, "Validation Error")["name"], json!(["Group name already exists in database"]));
        let short = app.sysadmin("group_create", json!({"name": "a"}));
        assert_eq!(short.error(409, "Validation Error")["name"], json!(["Must be at least 2 characters long"]));
        app.get("group_show", None, &[("id", "so-y-te")]).error(404, "Not Found Error");
        let missing = app.get("organization_show", None, &[]);
        assert_eq!(missing.error(409, "Validation Error")["id"], json!(["Missing value"]));
    }
}

#[test]
fn delete_hides_from_lists_and_outsiders_purge_removes() {
    for engine in engines() {
        let app = spawn_app(engine);
        let id = app.organization("so-tam-thoi", "Sở tạm thời");
        let (_, member) = app.user("thanh-vien");
        app.add_member("organization_member_create", "so-tam-thoi", "thanh-vien", "member");
        app.post("organization_delete", Some(&member), json!({"id": "so-tam-thoi"})).error(403, "Authorization Error");
        assert!(app.sysadmin("organization_delete", json!({"id": "so-tam-thoi"})).result().is_null());
        assert_eq!(app.get("organization_list", None, &[]).result(), &json!([]));
        let anonymous = app.get("organization_show", None, &[("id", "so-tam-thoi")]);
        assert_eq!(
            anonymous.error(403, "Authorization Error")["message"],
            json!(format!("Access denied: User  not authorized to read group {id}"))
        );
        let as_member = app.get("organization_show", Some(&member), &[("id", "so-tam-thoi")]);
        assert_eq!(as_member.result()["state"], json!("deleted"), "members still read a deleted organisation");
        app.post("organization_purge", Some(&member), json!({"id": "so-tam-thoi"})).error(403, "Authorization Error");
        assert!(app.sysadmin("organization_purge", json!({"id": "so-tam-thoi"})).result().is_null());
        app.get("organization_show", Some(&app.sysadmin_token.clone()), &[("id", "so-tam-thoi")])
            .error(404, "Not Found Error");
        let unknown = app.sysadmin("organization_purge", json!({"id": "so-tam-thoi"}));
        assert_eq!(unknown.error(404, "Not Found Error")["message"], json!("Not found: Organization was not found"));
        let memberships = app.get("organization_list_for_user", None, &[("id", "thanh-vien")]);
        assert_eq!(memberships.result(), &json!([]));
    }
}

#[test]
fn organization_list_sorts_pages_and_filters() {
    for engine in engines() {
        let app = spawn_app(engine);
        for (name, title) in
            [("so-y-te", "Sở Y tế"), ("so-cong-thuong", "Sở Công Thương"), ("thong-ke", "Thống kê tỉnh")]
        {
            app.organization(name, title);
        }
        let default = app.get("organization_list", None, &[]);
        assert_eq!(default.result(), &json!(["so-cong-thuong", "so-y-te", "thong-ke"]), "sorted by title");
        let by_name_desc = app.get("organization_list", None, &[("sort", "name desc")]);
        assert_eq!(by_name_desc.result(), &json!(["thong-ke", "so-y-te", "so-cong-thuong"]));
        let page = app.get("organization_list", None, &[("limit", "1"), ("offset", "1")]);
        assert_eq!(page.result(), &json!(["so-y-te"]));
        let query = app.get("organization_list", None, &[("q", "THỐNG")]);
        assert_eq!(query.result(), &json!(["thong-ke"]));
        let chosen =
            app.send(|c| c.get(app.action_url("organization_list") + "?organizations=so-y-te&organizations=thong-ke"));
        assert_eq!(chosen.result(), &json!(["so-y-te", "thong-ke"]));
        let full = app.get("organization_list", None, &[("all_fields", "true")]);
        let first = &full.result()[0];
        assert_eq!(first["num_followers"], json!(0));
        assert_eq!(first["package_count"], json!(0));
        assert!(first.get("users").is_none() && first.get("extras").is_none());
        let bad_field = app.get("organization_list", None, &[("sort", "created")]);
        assert_eq!(bad_field.error(409, "Validation Error")["message"], json!("Cannot sort by field `created`"));
        let bad_direction = app.get("organization_list", None, &[("sort", "name up")]);
        assert_eq!(bad_direction.error(409, "Validation Error")["message"], json!("Invalid sort direction `up`"));
        let bad_limit = app.get("organization_list", None, &[("limit", "x")]);
        assert_eq!(bad_limit.error(409, "Validation Error")["limit"], json!(["Invalid integer"]));
    }
}

#[test]
fn memberships_follow_ckans_role_rules() {
    for engine in engines() {
        let app = spawn_app(engine);
        app.organization("so-tai-chinh", "Sở Tài chính");
        let (_, admin) = app.user("quan-tri");
        let (editor_id, editor) = app.user("bien-tap");
        app.add_member("organization_member_create", "so-tai-chinh", "quan-tri", "admin");
        let added = app.post(
            "organization_member_create",
            Some(&admin),
            json!({"id": "so-tai-chinh", "username": "bien-tap", "role": "editor"}),
        );
        let member = added.result();
        assert_eq!(member["table_name"], json!("user"));
        assert_eq!(member["table_id"], json!(editor_id));
        assert_eq!(member["capacity"], json!("editor"));
        let bad_role = app.post(
            "organization_member_create",
            Some(&admin),
            json!({"id": "so-tai-chinh", "username": "bien-tap", "role": "chu-tich"}),
        );
        assert_eq!(bad_role.error(409, "Validation Error")["role"], json!(["role does not exist."]));
        let unknown_user = app.post(
            "organization_member_create",
            Some(&admin),
            json!({"id": "so-tai-chinh", "username": "khong-co", "role": "member"}),
        );
        assert_eq!(unknown_user.error(409, "Validation Error")["username"], json!(["User not found"]));
        let by_editor = app.post(
            "organization_member_create",
            Some(&editor),
            json!({"id": "so-tai-chinh", "username": "quan-tri", "role": "member"}),
        );
        assert_eq!(
            by_editor.error(403, "Authorization Error")["message"],
            json!("Access denied: User bien-tap not authorized to add members")
        );
        let downgrade = app.post(
            "member_create",
            Some(&admin),
            json!({"id": "so-tai-chinh", "object": "quan-tri", "object_type": "user", "capacity": "member"}),
        );
        assert_eq!(
            downgrade.error(403, "Authorization Error")["message"],
            json!("Access denied: Administrators cannot revoke their own admin status")
        );
        let listed = app.get("member_list", None, &[("id", "so-tai-chinh"), ("object_type", "user")]);
        let capacities: Vec<&Value> = listed.result().as_array().unwrap().iter().map(|m| &m[2]).collect();
        assert_eq!(capacities, [&json!("Admin"), &json!("Admin"), &json!("Editor")]);
        let for_user = app.get("organization_list_for_user", Some(&editor), &[]);
        assert_eq!(for_user.result()[0]["capacity"], json!("editor"));
        let create_rights = app.get("organization_list_for_user", None, &[("id", "bien-tap"), ("permission", "admin")]);
        assert_eq!(create_rights.result(), &json!([]));
        let missing_user = app.post("organization_member_delete", Some(&admin), json!({"id": "so-tai-chinh"}));
        assert_eq!(missing_user.error(404, "Not Found Error")["message"], json!("Not found: User was not found."));
        assert!(
            app.post("organization_member_delete", Some(&admin), json!({"id": "so-tai-chinh", "username": "bien-tap"}))
                .result()
                .is_null()
        );
        assert_eq!(app.get("organization_list_for_user", Some(&editor), &[]).result(), &json!([]));
        let unknown_group = app.sysadmin("group_member_delete", json!({"id": "khong-ton-tai", "username": "bien-tap"}));
        assert_eq!(
            unknown_group.error(404, "Not Found Error")["message"],
            json!("Not found: Group was not found."),
            "CKAN answers 500 here"
        );
    }
}

#[test]
fn groups_have_admins_and_members_and_list_authz_shows_the_callers_groups() {
    for engine in engines() {
        let app = spawn_app(engine);
        let (_, token) = app.user("can-bo");
        let created = app.post("group_create", Some(&token), json!({"name": "moi-truong", "title": "Môi trường"}));
        assert_eq!(created.result()["type"], json!("group"));
        assert_eq!(created.result()["users"][0]["capacity"], json!("admin"));
        app.sysadmin("group_create", json!({"name": "giao-duc", "title": "Giáo dục"})).result();
        let editor_role = app.post(
            "group_member_create",
            Some(&token),
            json!({"id": "moi-truong", "username": "accadmin", "role": "editor"}),
        );
        editor_role.error(409, "Validation Error");
        let mine = app.get("group_list_authz", Some(&token), &[]);
        let names: Vec<&Value> = mine.result().as_array().unwrap().iter().map(|g| &g["name"]).collect();
        assert_eq!(names, [&json!("moi-truong")]);
        let everything = app.get("group_list_authz", Some(&app.sysadmin_token.clone()), &[]);
        assert_eq!(everything.result().as_array().unwrap().len(), 2);
        assert_eq!(app.get("group_list_authz", None, &[]).result(), &json!([]));
        assert_eq!(app.get("group_list", None, &[]).result(), &json!(["giao-duc", "moi-truong"]));
        assert_eq!(app.get("organization_list", None, &[]).result(), &json!([]), "groups are not organisations");
        let patched =
            app.post("group_patch", Some(&token), json!({"id": "moi-truong", "description": "Khí hậu, nước"}));
        assert_eq!(patched.result()["title"], json!("Môi trường"));
        assert!(app.post("group_delete", Some(&token), json!({"id": "moi-truong"})).result().is_null());
        assert_eq!(app.get("group_list", None, &[]).result(), &json!(["giao-duc"]));
        app.get("member_roles_list", None, &[("group_type", "group")]).result();
    }
}
