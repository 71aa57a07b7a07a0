//! Publishing in the portal over HTTP on both engines: the one-form dataset editor generated
//! from the provincial schema (errors beside fields, draft then publish), resources by upload
//! with their preview, the changes page, members, the profile form; every form refuses forged
//! posts and callers without the right, and shows hostile values escaped.

use serde_json::json;

use crate::helpers::{TestApp, engines, spawn_app};
use crate::signin::{PASSWORD, session_of, sign_in};

/// A signed-in browser: its session cookie, and the session's form token read from a page.
pub struct Browser<'a> {
    app: &'a TestApp,
    cookie: String,
}

pub struct Page {
    pub status: u16,
    pub location: String,
    pub body: String,
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn page_of(response: reqwest::blocking::Response) -> Page {
    let status = response.status().as_u16();
    let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    Page { status, location, body: response.text().unwrap() }
}

impl<'a> Browser<'a> {
    pub fn sign_in(app: &'a TestApp, login: &str) -> Browser<'a> {
        let signed = sign_in(app, login, PASSWORD, "", &[]);
        assert_eq!(signed.status(), 303, "{login} signs in");
        Browser { app, cookie: session_of(&signed) }
    }

    pub fn get(&self, path: &str) -> Page {
        page_of(client().get(format!("{}{path}", self.app.base)).header("Cookie", &self.cookie).send().unwrap())
    }

    /// A download: its status, media type and bytes.
    pub fn download(&self, path: &str) -> (u16, String, Vec<u8>) {
        let response = client().get(format!("{}{path}", self.app.base)).header("Cookie", &self.cookie).send().unwrap();
        let media = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        (response.status().as_u16(), media, response.bytes().unwrap().to_vec())
    }

    /// The session's form token, as any signed-in page carries it.
    fn csrf(&self) -> String {
        let body = self.get("/dashboard").body;
        let start = body.find(r#"name="csrf" value=""#).expect("a form token") + r#"name="csrf" value=""#.len();
        body[start..start + body[start..].find('"').unwrap()].to_string()
    }

    /// Posts a URL-encoded form with the session's token (and `Sec-Fetch-Site: same-origin`).
    pub fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf();
        let mut all = fields.to_vec();
        all.push(("csrf", &csrf));
        self.post_raw(path, &all, &[("Sec-Fetch-Site", "same-origin")])
    }

    fn post_raw(&self, path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Page {
        let mut request = client().post(format!("{}{path}", self.app.base)).header("Cookie", &self.cookie).form(fields);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        page_of(request.send().unwrap())
    }

    /// Posts a multipart form with a file in `upload`.
    fn post_file(&self, path: &str, fields: &[(&str, &str)], file_name: &str, bytes: &[u8]) -> Page {
        let mut form = reqwest::blocking::multipart::Form::new().text("csrf", self.csrf());
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        let part = reqwest::blocking::multipart::Part::bytes(bytes.to_vec()).file_name(file_name.to_string());
        form = form.part("upload", part);
        let request = client().post(format!("{}{path}", self.app.base)).header("Cookie", &self.cookie).multipart(form);
        page_of(request.send().unwrap())
    }
}

/// A complete provincial dataset as the form submits it.
fn provincial_fields<'a>(title: &'a str, owner_org: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("name", ""),
        ("notes", "Danh sách **điểm** truy cập wifi miễn phí."),
        ("tag_string", "wifi, hạ tầng số"),
        ("owner_org", owner_org),
        ("private", "false"),
        ("license_id", "cc-by"),
        ("linh_vuc", "giao-duc"),
        ("tan_suat_cap_nhat", "hang-quy"),
        ("pham_vi_khong_gian", "52"),
        ("co_so_phap_ly", "Nghị định 47/2020/NĐ-CP"),
        ("muc_do_chia_se", "mo"),
        ("thoi_han_truc_tuyen", "5-nam"),
        ("dau_moi_lien_he", "Phòng Công nghệ thông tin"),
        ("muc_tieu", "Phục vụ người dân"),
        ("pham_vi", "Toàn tỉnh"),
        ("doi_tuong_muc_dich_khai_thac", "Người dân, doanh nghiệp"),
        ("nguon_thong_tin", "Sở Y tế"),
        ("phuong_thuc_chia_se", "tai-ve"),
    ]
}

fn setup(app: &TestApp) -> String {
    let org = app.organization("so-y-te", "Sở Y tế");
    app.organization("so-xay-dung", "Sở Xây dựng");
    for (user, organization, role) in [
        ("bien-tap", "so-y-te", "editor"),
        ("thanh-vien", "so-y-te", "member"),
        ("quan-tri", "so-y-te", "admin"),
        ("khac", "so-xay-dung", "editor"),
    ] {
        app.user(user);
        app.add_member("organization_member_create", organization, user, role);
    }
    org
}

fn anonymous_search(app: &TestApp, q: &str) -> u64 {
    app.get("package_search", None, &[("q", q)]).result()["count"].as_u64().unwrap()
}

#[test]
fn a_dataset_is_written_in_one_form_saved_as_a_draft_given_a_file_and_published() {
    for engine in engines() {
        let app = spawn_app(engine);
        let org = setup(&app);
        let editor = Browser::sign_in(&app, "bien-tap");

        let form = editor.get("/dataset/new");
        assert_eq!(form.status, 200);
        for field in ["title", "owner_org", "linh_vuc", "tan_suat_cap_nhat", "pham_vi_khong_gian", "co_so_phap_ly"] {
            assert!(form.body.contains(&format!(r#"id="field-{field}""#)), "{field}");
            assert!(form.body.contains(&format!(r#"<label for="field-{field}">"#)), "{field} labelled");
        }
        assert!(form.body.contains("Nông nghiệp"), "the schema's choices with their labels");

        // Incomplete, with a hostile title: errors beside the fields, the value shown escaped,
        // nothing written.
        let refused = editor.post(
            "/dataset/new",
            &[("title", "<script>alert(1)</script>"), ("name", "thu-nghiem"), ("owner_org", &org), ("save", "draft")],
        );
        assert_eq!(refused.status, 200);
        assert!(refused.body.contains(r#"data-testid="error-summary""#));
        assert!(refused.body.contains(r##"href="#field-linh_vuc""##));
        assert!(refused.body.contains(r#"aria-invalid="true" aria-describedby="error-linh_vuc"#));
        assert!(refused.body.contains(r#"value="&#60;script&#62;alert(1)&#60;/script&#62;""#));
        assert!(!refused.body.contains("<script>alert(1)"));
        app.sysadmin("package_show", json!({"id": "thu-nghiem"})).error(404, "Not Found Error");

        // Complete, as a draft: the name comes from the title; the draft is not public.
        let saved = editor
            .post("/dataset/new", &[provincial_fields("Điểm wifi công cộng", &org), vec![("save", "draft")]].concat());
        assert_eq!(saved.status, 303, "{}", saved.body);
        assert_eq!(saved.location, "/dataset/diem-wifi-cong-cong");
        let stored = app.sysadmin("package_show", json!({"id": "diem-wifi-cong-cong"}));
        let dataset = stored.result();
        assert_eq!(dataset["state"], "draft");
        assert_eq!(dataset["type"], "vn-dataset");
        assert_eq!(dataset["linh_vuc"], "giao-duc");
        assert_eq!(dataset["tags"].as_array().unwrap().len(), 2);
        assert_eq!(anonymous_search(&app, "wifi"), 0);
        let draft_page = editor.get("/dataset/diem-wifi-cong-cong");
        assert!(draft_page.body.contains(r#"data-testid="draft-notice""#));

        // A CSV upload: the resource page shows its preview.
        let added = editor.post_file(
            "/dataset/diem-wifi-cong-cong/resource/new",
            &[("name", ""), ("description", ""), ("format", "")],
            "diem-wifi.csv",
            "tên điểm,địa chỉ\nCông viên Diên Hồng,Pleiku\n".as_bytes(),
        );
        assert_eq!(added.status, 303, "{}", added.body);
        let resource_page = editor.get(&added.location);
        assert!(resource_page.body.contains(r#"data-testid="preview""#));
        assert!(resource_page.body.contains("Công viên Diên Hồng"));
        let resources =
            app.sysadmin("package_show", json!({"id": "diem-wifi-cong-cong"})).result()["resources"].clone();
        assert_eq!(resources[0]["name"], "diem-wifi.csv");
        assert_eq!(resources[0]["format"], "CSV");

        // Published: anonymous search finds it.
        let published = editor.post("/dataset/publish/diem-wifi-cong-cong", &[]);
        assert_eq!(published.status, 303);
        assert_eq!(anonymous_search(&app, "wifi"), 1);

        // Edited: the other fields, the resources and the tags stay; the change is shown.
        let mut edit = provincial_fields("Điểm wifi công cộng", &org);
        edit.retain(|(k, _)| *k != "name");
        edit.extend([("name", "diem-wifi-cong-cong"), ("version", "2026.4"), ("save", "save")]);
        let edited = editor.post("/dataset/edit/diem-wifi-cong-cong", &edit);
        assert_eq!(edited.status, 303, "{}", edited.body);
        let after = app.sysadmin("package_show", json!({"id": "diem-wifi-cong-cong"})).result().clone();
        assert_eq!(after["version"], "2026.4");
        assert_eq!(after["state"], "active");
        assert_eq!(after["resources"].as_array().unwrap().len(), 1);
        let activity = editor.get("/dataset/activity/diem-wifi-cong-cong").body;
        let start = activity.find("/dataset/changes/").expect("a link to the changes");
        let changes_path = &activity[start..start + activity[start..].find('"').unwrap()];
        let changes = editor.get(changes_path);
        assert_eq!(changes.status, 200);
        assert!(changes.body.contains("<ins>2026.4</ins>"), "{}", changes.body);
    }
}

#[test]
fn forms_refuse_forged_posts_and_callers_without_the_right() {
    for engine in engines() {
        let app = spawn_app(engine);
        let org = setup(&app);
        let editor = Browser::sign_in(&app, "bien-tap");
        let created =
            editor.post("/dataset/new", &[provincial_fields("Trạm y tế xã", &org), vec![("save", "publish")]].concat());
        assert_eq!(created.status, 303);

        // Forged: no token, another site's request, another origin.
        let csrf = editor.csrf();
        let change = [("title", "Bị sửa"), ("save", "save")];
        assert_eq!(editor.post_raw("/dataset/edit/tram-y-te-xa", &change, &[]).status, 403);
        let with_token = [change.as_slice(), &[("csrf", csrf.as_str())]].concat();
        assert_eq!(
            editor.post_raw("/dataset/edit/tram-y-te-xa", &with_token, &[("Sec-Fetch-Site", "cross-site")]).status,
            403
        );
        assert_eq!(
            editor.post_raw("/dataset/edit/tram-y-te-xa", &with_token, &[("Origin", "https://evil.example")]).status,
            403
        );
        assert_eq!(editor.post_raw("/dataset/delete/tram-y-te-xa", &[("csrf", "wrong")], &[]).status, 403);
        let title = app.get("package_show", None, &[("id", "tram-y-te-xa")]).result()["title"].clone();
        assert_eq!(title, "Trạm y tế xã");

        // Another department's editor and a plain member may read but not edit.
        for other in ["khac", "thanh-vien"] {
            let browser = Browser::sign_in(&app, other);
            assert_eq!(browser.get("/dataset/edit/tram-y-te-xa").status, 403, "{other}");
            assert_eq!(browser.post("/dataset/edit/tram-y-te-xa", &change).status, 403, "{other}");
            assert_eq!(browser.post("/dataset/delete/tram-y-te-xa", &[]).status, 403, "{other}");
            assert_eq!(browser.get("/dataset/tram-y-te-xa/resource/new").status, 403, "{other}");
            assert_eq!(browser.get("/organization/members/so-y-te").status, 403, "{other}");
        }
        assert_eq!(app.get("package_show", None, &[("id", "tram-y-te-xa")]).result()["title"], "Trạm y tế xã");
        // Another department's private dataset does not exist for them.
        app.sysadmin("package_patch", json!({"id": "tram-y-te-xa", "private": true})).result();
        assert_eq!(Browser::sign_in(&app, "khac").get("/dataset/edit/tram-y-te-xa").status, 404);

        // Without a session: the sign-in page, returning here.
        let anonymous = client().get(format!("{}/dataset/new?owner_org=x", app.base)).send().unwrap();
        assert_eq!(anonymous.status(), 303);
        assert_eq!(anonymous.headers()["location"], "/user/login?came_from=%2Fdataset%2Fnew%3Fowner_org%3Dx");
        let anonymous_post = client().post(format!("{}/dataset/new", app.base)).form(&[("title", "x")]).send().unwrap();
        assert_eq!(anonymous_post.status(), 303);

        // Deleting asks first, then goes to the trash.
        assert!(editor.get("/dataset/delete/tram-y-te-xa").body.contains(r#"data-testid="confirm""#));
        let deleted = editor.post("/dataset/delete/tram-y-te-xa", &[]);
        assert_eq!(deleted.status, 303);
        assert_eq!(app.sysadmin("package_show", json!({"id": "tram-y-te-xa"})).result()["state"], "deleted");
    }
}

#[test]
fn an_organisation_admin_manages_members_by_name_or_e_mail() {
    for engine in engines() {
        let app = spawn_app(engine);
        setup(&app);
        app.user("moi");
        let admin = Browser::sign_in(&app, "quan-tri");
        assert_eq!(admin.get("/organization/members/so-y-te").status, 200);
        let added =
            admin.post("/organization/member_new/so-y-te", &[("username", "moi@example.vn"), ("role", "editor")]);
        assert_eq!(added.status, 303, "{}", added.body);
        let roles = |user: &str| {
            let members =
                app.get("member_list", Some(&app.sysadmin_token), &[("id", "so-y-te"), ("object_type", "user")]);
            let (id, _) = (app.sysadmin("user_show", json!({"id": user})).result()["id"].clone(), ());
            members.result().as_array().unwrap().iter().find(|m| m[0] == id).map(|m| m[2].as_str().unwrap().to_string())
        };
        assert_eq!(roles("moi").as_deref(), Some("Editor"));
        // The new editor can now open the dataset form for the organisation.
        assert_eq!(Browser::sign_in(&app, "moi").get("/dataset/new").status, 200);
        admin.post("/organization/member_new/so-y-te", &[("username", "moi"), ("role", "member")]);
        assert_eq!(roles("moi").as_deref(), Some("Member"));
        let unknown =
            admin.post("/organization/member_new/so-y-te", &[("username", "khong-co@example.vn"), ("role", "editor")]);
        assert_eq!(unknown.status, 200);
        assert!(unknown.body.contains(r#"id="error-username""#));
        // An admin cannot lower their own role: the reason is shown, nothing changes.
        let own = admin.post("/organization/member_new/so-y-te", &[("username", "quan-tri"), ("role", "member")]);
        assert!(own.body.contains("Administrators cannot revoke their own admin status"), "{}", own.body);
        assert_eq!(roles("quan-tri").as_deref(), Some("Admin"));
        let removed = admin.post("/organization/member_delete/so-y-te?user=moi", &[]);
        assert_eq!(removed.status, 303);
        assert_eq!(roles("moi"), None);
        // An editor does not learn whether an address has an account.
        let editor = Browser::sign_in(&app, "bien-tap");
        let probe =
            editor.post("/organization/member_new/so-y-te", &[("username", "moi@example.vn"), ("role", "admin")]);
        assert_eq!(probe.status, 403);
    }
}

#[test]
fn the_profile_form_asks_for_the_current_password_and_a_new_one_ends_the_sessions() {
    for engine in engines() {
        let app = spawn_app(engine);
        setup(&app);
        let user = Browser::sign_in(&app, "bien-tap");
        let other_session = Browser::sign_in(&app, "bien-tap");
        let page = user.get("/user/bien-tap");
        assert!(page.body.contains("bien-tap@example.vn"), "the user sees their own address");
        assert!(
            !client()
                .get(format!("{}/user/bien-tap", app.base))
                .send()
                .unwrap()
                .text()
                .unwrap()
                .contains("@example.vn")
        );
        let refused = user.post(
            "/user/edit/bien-tap",
            &[
                ("fullname", "Nguyễn Văn A"),
                ("email", "bien-tap@example.vn"),
                ("password1", "MatKhauMoi-2026"),
                ("password2", "MatKhauMoi-2026"),
                ("old_password", "sai"),
            ],
        );
        assert_eq!(refused.status, 200);
        assert!(refused.body.contains(r#"id="error-old_password""#));
        let renamed =
            user.post("/user/edit/bien-tap", &[("fullname", "Nguyễn Văn A"), ("email", "bien-tap@example.vn")]);
        assert_eq!(renamed.status, 303);
        assert_eq!(app.sysadmin("user_show", json!({"id": "bien-tap"})).result()["fullname"], "Nguyễn Văn A");
        let changed = user.post(
            "/user/edit/bien-tap",
            &[
                ("fullname", "Nguyễn Văn A"),
                ("email", "bien-tap@example.vn"),
                ("password1", "MatKhauMoi-2026"),
                ("password2", "MatKhauMoi-2026"),
                ("old_password", PASSWORD),
            ],
        );
        assert_eq!(changed.status, 303);
        assert!(changed.location.starts_with("/user/login"), "{}", changed.location);
        for browser in [&user, &other_session] {
            assert_eq!(browser.get("/dashboard").status, 303, "every session ended");
        }
        // Another user's profile form is not theirs to use.
        let other = Browser::sign_in(&app, "khac");
        assert_eq!(other.get("/user/edit/thanh-vien").status, 403);
    }
}

#[test]
fn sysadmin_pages_manage_users_sessions_and_the_trash() {
    for engine in engines() {
        let app = spawn_app(engine);
        setup(&app);
        app.user("he-thong");
        app.sysadmin("user_patch", json!({"id": "he-thong", "sysadmin": true})).result();
        let editor = Browser::sign_in(&app, "bien-tap");
        assert_eq!(editor.get("/ckan-admin").status, 403);
        assert_eq!(editor.get("/ckan-admin/trash").status, 403);
        assert_eq!(editor.post("/ckan-admin/users/thanh-vien/sysadmin", &[("value", "true")]).status, 403);
        assert_eq!(app.sysadmin("user_show", json!({"id": "thanh-vien"})).result()["sysadmin"], false);

        let admin = Browser::sign_in(&app, "he-thong");
        let users = admin.get("/ckan-admin?q=bien");
        assert_eq!(users.status, 200);
        assert!(users.body.contains(r#"data-user="bien-tap""#) && !users.body.contains(r#"data-user="thanh-vien""#));
        // Ending a user's sessions signs them out everywhere.
        assert_eq!(admin.post("/ckan-admin/users/bien-tap/sessions", &[]).status, 303);
        assert_eq!(editor.get("/dashboard").status, 303);
        // Making a sysadmin, then deleting an account (after confirmation).
        assert_eq!(admin.post("/ckan-admin/users/thanh-vien/sysadmin", &[("value", "true")]).status, 303);
        assert_eq!(app.sysadmin("user_show", json!({"id": "thanh-vien"})).result()["sysadmin"], true);
        assert!(admin.get("/ckan-admin/users/khac/delete").body.contains(r#"data-testid="confirm""#));
        assert_eq!(admin.post("/ckan-admin/users/khac/delete", &[]).status, 303);
        assert_eq!(app.sysadmin("user_show", json!({"id": "khac"})).result()["state"], "deleted");

        // The trash: a deleted dataset and group are listed, then purged for good.
        app.sysadmin("package_create", json!({"name": "cu", "title": "Dữ liệu cũ", "owner_org": "so-y-te"})).result();
        app.sysadmin("package_delete", json!({"id": "cu"})).result();
        app.sysadmin("group_create", json!({"name": "nhom-cu"})).result();
        app.sysadmin("group_delete", json!({"id": "nhom-cu"})).result();
        let trash = admin.get("/ckan-admin/trash");
        assert!(trash.body.contains("Dữ liệu cũ") && trash.body.contains("nhom-cu"), "{}", trash.body);
        assert!(admin.get("/ckan-admin/trash/purge?kind=all").body.contains(r#"data-testid="confirm""#));
        assert_eq!(admin.post("/ckan-admin/trash/purge?kind=all", &[]).status, 303);
        app.sysadmin("package_show", json!({"id": "cu"})).error(404, "Not Found Error");
        app.sysadmin("group_show", json!({"id": "nhom-cu"})).error(404, "Not Found Error");
        assert!(admin.get("/ckan-admin/trash").body.contains(r#"data-testid="trash-empty""#));
    }
}

#[test]
fn an_organisation_is_edited_and_its_datasets_changed_in_bulk() {
    for engine in engines() {
        let app = spawn_app(engine);
        setup(&app);
        let ids: Vec<String> = ["mot", "hai"]
            .iter()
            .map(|name| {
                let created = app.sysadmin("package_create", json!({"name": name, "owner_org": "so-y-te"}));
                created.result()["id"].as_str().unwrap().to_string()
            })
            .collect();
        let editor = Browser::sign_in(&app, "bien-tap");
        assert_eq!(editor.get("/organization/edit/so-y-te").status, 403, "editors do not edit the organisation");
        assert_eq!(editor.post("/organization/edit/so-y-te", &[("title", "x"), ("name", "so-y-te")]).status, 403);
        let admin = Browser::sign_in(&app, "quan-tri");
        let form = admin.get("/organization/edit/so-y-te");
        assert!(form.body.contains(r#"value="Sở Y tế""#));
        let saved = admin.post(
            "/organization/edit/so-y-te",
            &[("title", "Sở Y tế tỉnh Gia Lai"), ("name", "so-y-te"), ("description", "**Y tế**"), ("image_url", "")],
        );
        assert_eq!(saved.status, 303, "{}", saved.body);
        assert_eq!(app.get("organization_show", None, &[("id", "so-y-te")]).result()["title"], "Sở Y tế tỉnh Gia Lai");
        let bad = admin.post("/organization/edit/so-y-te", &[("title", "x"), ("name", "Không Hợp Lệ")]);
        assert_eq!(bad.status, 200);
        assert!(bad.body.contains(r#"id="error-name""#));

        // Bulk (admins, as CKAN's bulk_update_*): both made private, then deleted after confirming.
        let editor = admin;
        assert!(editor.get("/organization/bulk_process/so-y-te").body.contains(&ids[0]));
        let chosen = [("dataset", ids[0].as_str()), ("dataset", ids[1].as_str())];
        let private =
            editor.post("/organization/bulk_process/so-y-te", &[&chosen[..], &[("action", "private")]].concat());
        assert_eq!(private.status, 303);
        for id in &ids {
            assert_eq!(app.sysadmin("package_show", json!({"id": id})).result()["private"], true);
        }
        let asked = editor.post("/organization/bulk_process/so-y-te", &[&chosen[..], &[("action", "delete")]].concat());
        assert!(asked.body.contains(r#"data-testid="confirm""#));
        assert_eq!(
            app.sysadmin("package_show", json!({"id": ids[0]})).result()["state"],
            "active",
            "nothing deleted before confirming"
        );
        let confirmed_path = format!(
            "/organization/bulk_process/so-y-te?action=delete&confirmed=1&dataset={}&dataset={}",
            ids[0], ids[1]
        );
        assert_eq!(editor.post(&confirmed_path, &[]).status, 303);
        for id in &ids {
            assert_eq!(app.sysadmin("package_show", json!({"id": id})).result()["state"], "deleted");
        }
        // The organisation's editor and another department's editor may not.
        for user in ["bien-tap", "khac"] {
            let other = Browser::sign_in(&app, user);
            assert_eq!(other.get("/organization/bulk_process/so-y-te").status, 403, "{user}");
            let post =
                other.post("/organization/bulk_process/so-y-te", &[&chosen[..], &[("action", "public")]].concat());
            assert_eq!(post.status, 403, "{user}");
        }
    }
}

#[test]
fn the_dashboard_lists_datasets_due_for_their_periodic_update() {
    for engine in engines() {
        let app = spawn_app(engine);
        let org = setup(&app);
        let provincial = |name: &str, frequency: &str, modified: Option<&str>| {
            let mut dict: serde_json::Map<String, serde_json::Value> = provincial_fields(name, &org)
                .into_iter()
                .filter(|(k, _)| !["name", "private", "tag_string", "notes"].contains(k))
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect();
            dict.insert("name".into(), json!(name));
            dict.insert("type".into(), json!("vn-dataset"));
            dict.insert("tan_suat_cap_nhat".into(), json!(frequency));
            if let Some(at) = modified {
                dict.insert("metadata_modified".into(), json!(at));
            }
            app.sysadmin("package_create", serde_json::Value::Object(dict)).result();
        };
        provincial("quy-cu", "hang-quy", Some("2025-01-10T08:00:00"));
        provincial("nam-cu", "hang-nam", Some("2025-06-01T08:00:00"));
        provincial("quy-moi", "hang-quy", None);
        provincial("khong-dinh-ky-cu", "khong-dinh-ky", Some("2020-01-01T08:00:00"));
        let editor = Browser::sign_in(&app, "bien-tap");
        let dashboard = editor.get("/dashboard").body;
        let due = &dashboard[dashboard.find(r#"data-testid="due""#).expect("a due table")..];
        let due = &due[..due.find("</table>").unwrap()];
        assert!(due.contains("/dataset/quy-cu") && due.contains("/dataset/nam-cu"), "{due}");
        assert!(!due.contains("/dataset/quy-moi") && !due.contains("khong-dinh-ky-cu"), "{due}");
        // Updated in Q1 2025: due in Q2, by 16/07/2025; long overdue.
        assert!(due.contains("16/07/2025"), "{due}");
        // Someone outside the organisation sees none of it.
        let other = Browser::sign_in(&app, "khac");
        assert!(other.get("/dashboard").body.contains(r#"data-testid="nothing-due""#));
    }
}
