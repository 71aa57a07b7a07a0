//! The authorisation matrix: every action of this slice, called by anonymous, a plain user,
//! an organisation member, an editor, an admin and a sysadmin.

use serde_json::{Value, json};

use crate::helpers::{TestApp, callers, engines, spawn_app};

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
    ]
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
    }
    vec![None, Some(c.user), Some(c.member), Some(c.editor), Some(c.admin), Some(c.sysadmin)]
}

#[test]
fn every_action_admits_exactly_the_roles_ckan_admits() {
    for engine in engines() {
        let app = spawn_app(engine);
        let tokens = fixture(&app);
        let mut failures = Vec::new();
        for (action, params, allowed) in matrix() {
            for (role, token) in ROLES.iter().zip(&tokens) {
                let reply = app.post(action, token.as_deref(), params(role));
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
