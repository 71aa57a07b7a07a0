//! The authorisation matrix: every action of this slice, called by anonymous, a plain user,
//! an organisation member, an editor, an admin and a sysadmin.

use serde_json::{Value, json};

use crate::helpers::{TestApp, callers, engines, spawn_app_with};

const ROLES: [&str; 6] = ["anonymous", "user", "member", "editor", "admin", "sysadmin"];

/// One row of the matrix: the action, its parameters for a role, and the roles allowed.
type Row = (&'static str, fn(&str) -> Value, &'static [&'static str]);

/// Returns the matrix rows.
fn matrix() -> Vec<Row> {
    const EVERYONE: &[&str] = &ROLES;
    const LOGGED_IN: &[&str] = &["user", "member", "editor", "admin", "sysadmin"];
    const ADMINS: &[&str] = &["admin", "sysadmin"];
    const SYSADMIN: &[&str] = &["sysadmin"];
    vec![
        ("status_show", |_| json!({}), EVERYONE),
        ("license_list", |_| json!({}), EVERYONE),
        ("organization_show", |_| json!({"id": "so-tai-chinh"}), EVERYONE),
        ("organization_list", |_| json!({"all_fields": true}), EVERYONE),
        ("group_list", |_| json!({}), EVERYONE),
        ("organization_list_for_user", |_| json!({}), EVERYONE),
        ("group_list_authz", |_| json!({}), EVERYONE),
        ("member_list", |_| json!({"id": "so-tai-chinh"}), EVERYONE),
        ("user_show", |_| json!({"id": "muc-tieu"}), EVERYONE),
        ("user_list", |_| json!({}), EVERYONE),
        ("organization_create", |role| json!({"name": format!("to-chuc-{role}")}), SYSADMIN),
        ("group_create", |role| json!({"name": format!("nhom-{role}")}), LOGGED_IN),
        (
            "organization_update",
            |_| json!({"id": "so-tai-chinh", "name": "so-tai-chinh", "title": "Sở Tài chính"}),
            ADMINS,
        ),
        ("organization_patch", |_| json!({"id": "so-tai-chinh", "description": "Ngân sách"}), ADMINS),
        (
            "organization_member_create",
            |_| json!({"id": "so-tai-chinh", "username": "muc-tieu", "role": "member"}),
            ADMINS,
        ),
        ("organization_member_delete", |_| json!({"id": "so-tai-chinh", "username": "muc-tieu"}), ADMINS),
        (
            "member_create",
            |_| json!({"id": "so-tai-chinh", "object": "muc-tieu", "object_type": "user", "capacity": "member"}),
            ADMINS,
        ),
        ("member_delete", |_| json!({"id": "so-tai-chinh", "object": "muc-tieu", "object_type": "user"}), ADMINS),
        ("organization_delete", |role| json!({"id": format!("xoa-{role}")}), ADMINS),
        ("organization_purge", |role| json!({"id": format!("xoa-{role}")}), SYSADMIN),
        ("group_update", |_| json!({"id": "nhom-chung", "name": "nhom-chung", "title": "Nhóm chung"}), ADMINS),
        ("group_patch", |_| json!({"id": "nhom-chung", "description": "x"}), ADMINS),
        ("group_member_create", |_| json!({"id": "nhom-chung", "username": "muc-tieu", "role": "member"}), ADMINS),
        ("group_member_delete", |_| json!({"id": "nhom-chung", "username": "muc-tieu"}), ADMINS),
        // Any group member may add datasets to a group; the dataset does not exist, so an
        // authorised caller gets 404 after the permission check.
        (
            "member_create",
            |_| json!({"id": "nhom-chung", "object": "khong-co", "object_type": "package", "capacity": "public"}),
            &["member", "editor", "admin", "sysadmin"],
        ),
        ("group_delete", |role| json!({"id": format!("nhom-xoa-{role}")}), ADMINS),
        ("group_purge", |role| json!({"id": format!("nhom-xoa-{role}")}), SYSADMIN),
        (
            "user_create",
            |role| json!({"name": format!("moi-{role}"), "email": format!("moi-{role}@example.vn"), "password": "MatKhau-2024!"}),
            SYSADMIN,
        ),
        ("user_update", |_| json!({"id": "muc-tieu", "email": "muc-tieu@example.vn", "about": "x"}), SYSADMIN),
        ("user_patch", |_| json!({"id": "muc-tieu", "about": "y"}), SYSADMIN),
        ("api_token_create", |_| json!({"user": "muc-tieu", "name": "x"}), SYSADMIN),
        ("api_token_list", |_| json!({"user_id": "muc-tieu"}), SYSADMIN),
        ("user_delete", |role| json!({"id": format!("xoa-nguoi-{role}")}), SYSADMIN),
        // Datasets: "rieng" is a private dataset of so-tai-chinh with one resource.
        ("package_search", |_| json!({"q": "ngân sách"}), EVERYONE),
        ("package_list", |_| json!({}), EVERYONE),
        ("package_autocomplete", |_| json!({"q": "ngan"}), EVERYONE),
        ("current_package_list_with_resources", |_| json!({}), EVERYONE),
        ("package_show", |_| json!({"id": "rieng"}), READERS),
        ("resource_show", |_| json!({"id": RESOURCE}), READERS),
        ("resource_view_list", |_| json!({"id": RESOURCE}), READERS),
        ("package_activity_list", |_| json!({"id": "rieng"}), READERS),
        (
            "package_create",
            |role| json!({"name": format!("moi-{role}"), "owner_org": "so-tai-chinh", "private": true}),
            EDITORS,
        ),
        (
            "package_update",
            // Resources omitted: CKAN 2.12 keeps them.
            |_| json!({"id": "rieng", "name": "rieng", "owner_org": "so-tai-chinh", "private": true}),
            EDITORS,
        ),
        ("package_patch", |role| json!({"id": "rieng", "notes": format!("sửa bởi {role}")}), EDITORS),
        ("package_revise", |_| json!({"match": {"name": "rieng"}, "update": {"version": "2"}}), EDITORS),
        ("resource_create", |_| json!({"package_id": "rieng", "url": "https://a.vn/moi.csv"}), EDITORS),
        ("resource_update", |_| json!({"id": RESOURCE, "url": "https://a.vn/r2.csv"}), EDITORS),
        ("resource_patch", |_| json!({"id": RESOURCE, "name": "Bảng"}), EDITORS),
        ("package_resource_reorder", |_| json!({"id": "rieng", "order": [RESOURCE]}), EDITORS),
        ("resource_delete", |role| json!({"id": role_resource(role)}), EDITORS),
        ("package_delete", |role| json!({"id": format!("du-lieu-xoa-{role}")}), EDITORS),
        (
            "bulk_update_public",
            |role| json!({"org_id": ORG_ID_PLACEHOLDER, "datasets": [format!("du-lieu-xoa-{role}")]}),
            ADMINS,
        ), // the organisation's `update` permission
        ("package_owner_org_update", |_| json!({"id": "rieng", "organization_id": "so-tai-chinh"}), SYSADMIN),
        ("dataset_purge", |role| json!({"id": format!("du-lieu-xoa-{role}")}), SYSADMIN),
        (
            "package_collaborator_create",
            |role| json!({"id": "rieng", "user_id": format!("cong-tac-{role}"), "capacity": "member"}),
            ADMINS,
        ),
        ("package_collaborator_list", |_| json!({"id": "rieng"}), ADMINS),
        ("package_collaborator_delete", |role| json!({"id": "rieng", "user_id": format!("cong-tac-{role}")}), ADMINS),
    ]
}

/// Who may read a private dataset of the organisation (its members of any role).
const READERS: &[&str] = &["member", "editor", "admin", "sysadmin"];
/// Who may write the organisation's datasets.
const EDITORS: &[&str] = &["editor", "admin", "sysadmin"];
/// The private dataset's resource, created with this id by the sysadmin.
const RESOURCE: &str = "0d5a1a1e-0000-4000-8000-000000000001";
/// `bulk_update_*` takes the organisation by id: resolved by the test before sending.
const ORG_ID_PLACEHOLDER: &str = "@@org-id@@";

/// A per-role resource of "rieng", for `resource_delete`.
fn role_resource(role: &str) -> String {
    let index = ROLES.iter().position(|r| *r == role).unwrap_or(0);
    format!("0d5a1a1e-0000-4000-8000-00000000010{index}")
}

/// Builds the fixture: one organisation, a shared group, and per-role objects to delete.
fn fixture(app: &TestApp) -> Vec<Option<String>> {
    let c = callers(app, "so-tai-chinh");
    app.user("muc-tieu");
    app.sysadmin("group_create", json!({"name": "nhom-chung"})).result();
    // In the group, the org's member and editor are plain members and the admin is admin.
    for (user, role) in [("thanh-vien", "member"), ("bien-tap", "member"), ("quan-tri", "admin")] {
        app.add_member("group_member_create", "nhom-chung", user, role);
    }
    for role in ROLES {
        app.sysadmin("organization_create", json!({"name": format!("xoa-{role}")})).result();
        app.sysadmin("group_create", json!({"name": format!("nhom-xoa-{role}")})).result();
        for (user, capacity) in [("thanh-vien", "member"), ("bien-tap", "editor"), ("quan-tri", "admin")] {
            app.add_member("organization_member_create", &format!("xoa-{role}"), user, capacity);
        }
        app.add_member("group_member_create", &format!("nhom-xoa-{role}"), "quan-tri", "admin");
        app.user(&format!("xoa-nguoi-{role}"));
        app.user(&format!("cong-tac-{role}"));
        app.sysadmin(
            "package_create",
            json!({"name": format!("du-lieu-xoa-{role}"), "owner_org": "so-tai-chinh", "private": true}),
        )
        .result();
    }
    let mut resources = vec![json!({"id": RESOURCE, "url": "https://a.vn/r.csv"})];
    resources.extend(ROLES.iter().map(|role| json!({"id": role_resource(role), "url": "https://a.vn/x.csv"})));
    app.sysadmin(
        "package_create",
        json!({"name": "rieng", "title": "Ngân sách riêng", "owner_org": "so-tai-chinh", "private": true, "resources": resources}),
    )
    .result();
    vec![None, Some(c.user), Some(c.member), Some(c.editor), Some(c.admin), Some(c.sysadmin)]
}

#[test]
fn every_action_admits_exactly_the_roles_ckan_admits() {
    for engine in engines() {
        let app = spawn_app_with(engine, |config| config.auth.allow_dataset_collaborators = true);
        let tokens = fixture(&app);
        let org_id = app.get("organization_show", None, &[("id", "so-tai-chinh")]).result()["id"].clone();
        let mut failures = Vec::new();
        for (action, params, allowed) in matrix() {
            for (role, token) in ROLES.iter().zip(&tokens) {
                let mut sent = params(role);
                if sent.get("org_id") == Some(&json!(ORG_ID_PLACEHOLDER)) {
                    sent["org_id"] = org_id.clone();
                }
                let reply = app.post(action, token.as_deref(), sent);
                let expect_allowed = allowed.contains(role);
                let was_allowed = reply.status != 403;
                assert_ne!(reply.status, 500, "{action} as {role}: {}", reply.body);
                if expect_allowed != was_allowed {
                    failures.push(format!("{action} as {role}: status {} {}", reply.status, reply.body));
                }
                if was_allowed && action != "member_create" {
                    assert_eq!(reply.body["success"], json!(true), "{engine:?} {action} as {role}: {}", reply.body);
                }
            }
        }
        assert!(failures.is_empty(), "{engine:?}:\n{}", failures.join("\n"));
    }
}
