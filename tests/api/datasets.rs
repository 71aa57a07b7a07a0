//! Datasets and resources, on both engines: round trips, CKAN's update rules, uploads,
//! privacy through every read, concurrency.

use serde_json::{Value, json};

use crate::helpers::{TestApp, callers, engines, spawn_app};

fn dataset(app: &TestApp, token: &str, name: &str, extra: Value) -> Value {
    let mut params = json!({"name": name, "title": format!("Dữ liệu {name}"), "owner_org": "so-tai-chinh"});
    for (k, v) in extra.as_object().unwrap() {
        params[k] = v.clone();
    }
    app.post("package_create", Some(token), params).result().clone()
}

#[test]
fn package_round_trip_follows_ckans_rules() {
    for engine in engines() {
        let app = spawn_app(engine);
        let c = callers(&app, "so-tai-chinh");
        app.sysadmin("group_create", json!({"name": "moi-truong", "title": "Môi trường"})).result();
        app.add_member("group_member_create", "moi-truong", "bien-tap", "member");
        let created = dataset(
            &app,
            &c.editor,
            "chat-luong-nuoc",
            json!({
                "license_id": "cc-by", "notes": "Quan trắc **nước**", "tags": [{"name": "nước"}, {"name": "môi trường"}],
                "extras": [{"key": "tan_suat", "value": "hằng quý"}], "groups": [{"name": "moi-truong"}],
                "resources": [{"name": "Số liệu", "url": "example.gov.vn/nuoc.csv"}, {"url": "https://a.vn/b.xlsx", "so_trang": 3}]
            }),
        );
        assert_eq!(created["license_title"], json!("Creative Commons Attribution"));
        assert_eq!(created["isopen"], json!(true));
        assert_eq!(created["num_resources"], json!(2));
        assert_eq!(created["num_tags"], json!(2));
        assert_eq!(created["tags"][0]["name"], json!("môi trường"), "tags sorted by name");
        assert_eq!(created["groups"][0]["name"], json!("moi-truong"));
        assert_eq!(created["organization"]["name"], json!("so-tai-chinh"));
        let first = &created["resources"][0];
        assert_eq!(first["url"], json!("http://example.gov.vn/nuoc.csv"));
        assert_eq!(first["format"], json!("CSV"));
        assert_eq!(first["position"], json!(0));
        assert_eq!(created["resources"][1]["so_trang"], json!(3), "custom resource fields keep their type");
        let shown = app.get("package_show", None, &[("id", "chat-luong-nuoc")]);
        assert_eq!(shown.result(), &created);
        // The stored dict follows changes of the organisation and groups it shows.
        app.sysadmin("group_patch", json!({"id": "moi-truong", "title": "Môi trường và Tài nguyên"})).result();
        app.sysadmin("organization_patch", json!({"id": "so-tai-chinh", "title": "Sở Tài chính tỉnh Gia Lai"}))
            .result();
        let renamed = app.get("package_show", None, &[("id", "chat-luong-nuoc")]);
        assert_eq!(renamed.result()["groups"][0]["title"], json!("Môi trường và Tài nguyên"));
        assert_eq!(renamed.result()["organization"]["title"], json!("Sở Tài chính tỉnh Gia Lai"));
        // 2.12: an update without resources and groups keeps them; tags and extras are removed.
        let updated =
            app.post("package_update", Some(&c.editor), json!({"id": "chat-luong-nuoc", "name": "chat-luong-nuoc"}));
        assert_eq!(updated.body["changed_entities"], json!({"packages": [created["id"]]}));
        let dict = updated.result();
        assert_eq!(dict["num_resources"], json!(2));
        assert_eq!(dict["groups"].as_array().unwrap().len(), 1);
        assert_eq!(dict["tags"], json!([]));
        assert_eq!(dict["extras"], json!([]));
        assert_eq!(dict["title"], json!("chat-luong-nuoc"), "an omitted title shows the name");
        assert!(dict["metadata_modified"].as_str() > created["metadata_modified"].as_str());
        let again =
            app.post("package_update", Some(&c.editor), json!({"id": "chat-luong-nuoc", "name": "chat-luong-nuoc"}));
        assert_eq!(again.result()["metadata_modified"], dict["metadata_modified"], "a no-op update changes nothing");
        let patched = app.post("package_patch", Some(&c.editor), json!({"id": "chat-luong-nuoc", "notes": "Mới"}));
        assert_eq!(patched.result()["notes"], json!("Mới"));
        assert_eq!(patched.result()["num_resources"], json!(2));
        let list = app.get("package_list", None, &[]);
        assert_eq!(list.result(), &json!(["chat-luong-nuoc"]));
        let org = app.get("organization_show", None, &[("id", "so-tai-chinh"), ("include_datasets", "true")]);
        assert_eq!(org.result()["package_count"], json!(1));
        assert_eq!(org.result()["packages"][0]["name"], json!("chat-luong-nuoc"));
        app.post("organization_delete", Some(&c.admin), json!({"id": "so-tai-chinh"})).error(409, "Validation Error");
        assert!(app.post("package_delete", Some(&c.editor), json!({"id": "chat-luong-nuoc"})).result().is_null());
        assert_eq!(app.get("package_list", None, &[]).result(), &json!([]));
        let deleted = app.get("package_show", None, &[("id", "chat-luong-nuoc")]);
        deleted.error(403, "Authorization Error");
        assert_eq!(
            app.get("package_show", Some(&c.member), &[("id", "chat-luong-nuoc")]).result()["state"],
            json!("deleted")
        );
        let reused = dataset(&app, &c.editor, "chat-luong-nuoc", json!({}));
        assert_ne!(reused["id"], created["id"], "a deleted dataset's name can be reused");
        assert!(app.sysadmin("dataset_purge", json!({"id": created["id"]})).result().is_null());
        app.get("package_show", Some(&c.sysadmin), &[("id", created["id"].as_str().unwrap())])
            .error(404, "Not Found Error");
    }
}

#[test]
fn package_validation_and_authorisation_match_ckan() {
    for engine in engines() {
        let app = spawn_app(engine);
        let c = callers(&app, "so-tai-chinh");
        let strings = app.post(
            "package_create",
            Some(&c.editor),
            json!({"name": "the-chuoi", "owner_org": "so-tai-chinh", "tags": ["a", "b"]}),
        );
        let error = strings.error(400, "Integrity Error");
        assert_eq!(error["data"]["type"], json!("dataset"));
        let bad = app.post(
            "package_create",
            Some(&c.editor),
            json!({
                "name": "sai", "owner_org": "so-tai-chinh", "author_email": "x", "tags": [{"name": "x"}],
                "extras": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}, {"key": "title", "value": "x"}],
                "resources": [{"url": "a"}, {"size": "lớn", "created": "hôm qua"}]
            }),
        );
        let error = bad.error(409, "Validation Error");
        assert_eq!(error["author_email"], json!(["Email x is not a valid format"]));
        assert_eq!(error["tags"], json!(["Tag \"x\" length is less than minimum 2"]));
        assert_eq!(error["extras_validation"], json!(["Duplicate key \"a\""]));
        assert_eq!(error["extras"][2], json!({"key": ["There is a schema field with the same name"]}));
        assert_eq!(
            error["resources"],
            json!([{}, {"created": ["Date format incorrect"], "size": ["Invalid integer"]}])
        );
        let member =
            app.post("package_create", Some(&c.member), json!({"name": "thanh-vien", "owner_org": "so-tai-chinh"}));
        assert_eq!(
            member.error(403, "Authorization Error")["message"],
            json!("Access denied: User thanh-vien not authorized to create packages")
        );
        let no_org = app.post("package_create", Some(&c.editor), json!({"name": "khong-to-chuc"}));
        assert_eq!(no_org.error(409, "Validation Error")["owner_org"], json!(["An organization must be provided"]));
        let chosen_id = app.post(
            "package_create",
            Some(&c.editor),
            json!({"id": "4a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d", "name": "co-id", "owner_org": "so-tai-chinh"}),
        );
        assert_eq!(chosen_id.error(409, "Validation Error")["id"], json!(["The input field id was not expected."]));
        let draft = dataset(&app, &c.editor, "nhap", json!({"state": "draft"}));
        assert_eq!(draft["state"], json!("active"), "state is ignored for non-sysadmins");
        app.post("package_update", Some(&c.member), json!({"id": "nhap", "name": "nhap"}))
            .error(403, "Authorization Error");
        app.post("package_delete", Some(&c.user), json!({"id": "nhap"})).error(403, "Authorization Error");
        app.post("dataset_purge", Some(&c.admin), json!({"id": "nhap"})).error(403, "Authorization Error");
        let missing = app.post("package_update", Some(&c.editor), json!({"title": "x"}));
        assert_eq!(missing.error(409, "Validation Error")["id"], json!("Missing value"));
        assert_eq!(app.get("package_list", None, &[]).result(), &json!(["nhap"]), "nothing half-written");
    }
}

#[test]
fn private_and_deleted_datasets_never_leak() {
    for engine in engines() {
        let app = spawn_app(engine);
        let c = callers(&app, "so-tai-chinh");
        app.sysadmin("group_create", json!({"name": "nhom"})).result();
        app.add_member("group_member_create", "nhom", "nguoi-dung", "member");
        app.add_member("group_member_create", "nhom", "bien-tap", "member");
        let secret = dataset(
            &app,
            &c.editor,
            "bi-mat",
            json!({"private": true, "tags": [{"name": "tuyệt mật"}], "groups": [{"name": "nhom"}]}),
        );
        dataset(&app, &c.editor, "cong-khai", json!({"tags": [{"name": "công khai"}]}));
        let resource_id = app
            .post("resource_create", Some(&c.editor), json!({"package_id": "bi-mat", "url": "https://a.vn/x.csv"}))
            .result()["id"]
            .as_str()
            .unwrap()
            .to_string();
        for (who, token) in [("anonymous", None), ("plain user", Some(c.user.as_str()))] {
            app.get("package_show", token, &[("id", "bi-mat")]).error(403, "Authorization Error");
            app.get("resource_show", token, &[("id", &resource_id)]).error(403, "Authorization Error");
            assert_eq!(app.get("package_list", token, &[]).result(), &json!(["cong-khai"]), "{who}");
            let org = app.get("organization_show", token, &[("id", "so-tai-chinh"), ("include_datasets", "true")]);
            assert_eq!(org.result()["package_count"], json!(1), "{who}");
            assert!(!org.body.to_string().contains("bi-mat"), "{who}");
            let group = app.get("group_show", token, &[("id", "nhom"), ("include_datasets", "true")]);
            assert_eq!(group.result()["package_count"], json!(0), "{who}");
            let tags = app.get("tag_list", token, &[]);
            assert_eq!(tags.result(), &json!(["công khai"]), "{who}");
            let tag = app.get("tag_show", token, &[("id", "tuyệt mật"), ("include_datasets", "true")]);
            assert_eq!(tag.result()["packages"], json!([]), "{who}");
            let current = app.get("current_package_list_with_resources", token, &[]);
            assert!(!current.body.to_string().contains("bi-mat"), "{who}");
            let creator = app.get("user_show", token, &[("id", "bien-tap"), ("include_datasets", "true")]);
            assert!(!creator.body.to_string().contains("bi-mat"), "{who}");
            assert_eq!(creator.result()["number_created_packages"], json!(1), "{who}");
            let counts = app.get("organization_list", token, &[("all_fields", "true")]);
            assert_eq!(counts.result()[0]["package_count"], json!(1), "{who}");
        }
        app.post("resource_create", Some(&c.editor), json!({"package_id": "bi-mat", "url": "https://a.vn/ban-do.kmz"}))
            .result();
        for token in [None, Some(c.user.as_str())] {
            assert_eq!(app.get("format_autocomplete", token, &[("q", "km")]).result(), &json!([]));
        }
        assert_eq!(app.get("format_autocomplete", Some(&c.member), &[("q", "km")]).result(), &json!(["kmz"]));
        let as_member = app.get("package_show", Some(&c.member), &[("id", "bi-mat")]);
        assert_eq!(as_member.result()["id"], secret["id"]);
        let org = app.get("organization_show", Some(&c.member), &[("id", "so-tai-chinh")]);
        assert_eq!(org.result()["package_count"], json!(2));
        assert_eq!(app.get("tag_list", Some(&c.member), &[]).result().as_array().unwrap().len(), 2);
        // package_list never lists private datasets, even for sysadmins (CKAN).
        assert_eq!(app.get("package_list", Some(&c.sysadmin), &[]).result(), &json!(["cong-khai"]));
    }
}

#[test]
fn resources_follow_ckans_update_rules() {
    for engine in engines() {
        let app = spawn_app(engine);
        let c = callers(&app, "so-tai-chinh");
        dataset(&app, &c.editor, "ngan-sach", json!({}));
        let created = app.post("resource_create", Some(&c.editor), json!({"package_id": "ngan-sach", "name": "Phụ lục", "url": "https://a.vn/phu-luc.pdf", "description": "Mô tả", "so_trang": 12}));
        let resource = created.result().clone();
        assert_eq!(resource["format"], json!("PDF"));
        assert_eq!(resource["mimetype"], json!("application/pdf"));
        let id = resource["id"].as_str().unwrap();
        let updated = app.post("resource_update", Some(&c.editor), json!({"id": id, "url": "https://a.vn/v2.pdf"}));
        let dict = updated.result();
        assert_eq!(dict["name"], json!("Phụ lục"), "omitted name is kept");
        assert_eq!(dict["description"], Value::Null, "omitted description is cleared");
        assert!(dict.get("so_trang").is_none(), "omitted custom fields are dropped");
        let patched = app.post("resource_patch", Some(&c.editor), json!({"id": id, "description": "Bản 2"}));
        assert_eq!(patched.result()["url"], json!("https://a.vn/v2.pdf"));
        let second = app.post(
            "resource_create",
            Some(&c.editor),
            json!({"package_id": "ngan-sach", "url": "https://a.vn/b.csv"}),
        );
        let second_id = second.result()["id"].as_str().unwrap().to_string();
        let reordered =
            app.post("package_resource_reorder", Some(&c.editor), json!({"id": "ngan-sach", "order": [second_id]}));
        assert_eq!(reordered.result()["order"], json!([second_id, id]));
        let bad_order = app.post(
            "package_resource_reorder",
            Some(&c.editor),
            json!({"id": "ngan-sach", "order": ["00000000-0000-4000-8000-000000000000"]}),
        );
        bad_order.error(409, "Validation Error");
        app.post("resource_delete", Some(&c.member), json!({"id": id})).error(403, "Authorization Error");
        assert!(app.post("resource_delete", Some(&c.editor), json!({"id": id})).result().is_null());
        let gone = app.get("resource_show", None, &[("id", id)]);
        assert_eq!(gone.error(404, "Not Found Error")["message"], json!("Not found: Resource was not found."));
        let shown = app.get("package_show", None, &[("id", "ngan-sach")]);
        assert_eq!(shown.result()["num_resources"], json!(1));
        assert_eq!(shown.result()["resources"][0]["position"], json!(0));
    }
}

#[test]
fn uploads_are_stored_served_and_private_ones_protected() {
    for engine in engines() {
        let app = spawn_app(engine);
        let c = callers(&app, "so-tai-chinh");
        dataset(&app, &c.editor, "dan-so", json!({}));
        dataset(&app, &c.editor, "noi-bo", json!({"private": true}));
        let content = "tỉnh,giá trị\nHà Nội,1\n".as_bytes().to_vec();
        let upload = |package: &str| {
            let form = reqwest::blocking::multipart::Form::new()
                .text("package_id", package.to_string())
                .text("name", "Báo cáo tải lên")
                .part("upload", reqwest::blocking::multipart::Part::bytes(content.clone()).file_name("Bao cao.csv"));
            app.send(|client| {
                client.post(app.action_url("resource_create")).header("Authorization", &c.editor).multipart(form)
            })
        };
        let public = upload("dan-so");
        let resource = public.result();
        assert_eq!(resource["url_type"], json!("upload"));
        assert_eq!(resource["size"], json!(content.len()));
        assert_eq!(resource["format"], json!("CSV"));
        assert_eq!(resource["mimetype"], json!("text/csv"));
        assert!(resource["hash"].as_str().unwrap().starts_with("sha256:"));
        let url = resource["url"].as_str().unwrap().to_string();
        assert!(url.starts_with(&format!("{}/dataset/", app.base)) && url.ends_with("/download/bao-cao.csv"), "{url}");
        let downloaded = reqwest::blocking::get(&url).unwrap();
        assert_eq!(downloaded.status(), 200);
        assert_eq!(downloaded.headers()["content-type"], "text/csv");
        assert_eq!(downloaded.bytes().unwrap().to_vec(), content);
        let private = upload("noi-bo");
        let private_url = private.result()["url"].as_str().unwrap().to_string();
        assert_eq!(reqwest::blocking::get(&private_url).unwrap().status(), 403);
        let as_member = app.send(|client| client.get(&private_url).header("Authorization", &c.member));
        assert_eq!(as_member.status, 200);
        // A later patch without a file keeps the upload.
        let patched = app.post("resource_patch", Some(&c.editor), json!({"id": resource["id"], "name": "Đổi tên"}));
        assert_eq!(patched.result()["url"], json!(url));
    }
}

#[test]
fn concurrent_patches_of_one_dataset_lose_nothing() {
    for engine in engines() {
        let app = spawn_app(engine);
        let c = callers(&app, "so-tai-chinh");
        dataset(&app, &c.editor, "dong-thoi", json!({}));
        std::thread::scope(|scope| {
            for i in 0..20 {
                let app = &app;
                let token = c.editor.clone();
                scope.spawn(move || {
                    let reply = app.post(
                        "resource_create",
                        Some(&token),
                        json!({"package_id": "dong-thoi", "url": format!("https://a.vn/{i}.csv")}),
                    );
                    assert_eq!(reply.status, 200, "{}", reply.body);
                    let reply = app.post(
                        "package_patch",
                        Some(&token),
                        json!({"id": "dong-thoi", "notes": format!("lần {i}")}),
                    );
                    assert_eq!(reply.status, 200, "{}", reply.body);
                });
            }
        });
        let shown = app.get("package_show", None, &[("id", "dong-thoi")]);
        let resources = shown.result()["resources"].as_array().unwrap();
        assert_eq!(resources.len(), 20, "{engine:?}: no lost resources");
        let positions: Vec<i64> = resources.iter().map(|r| r["position"].as_i64().unwrap()).collect();
        assert_eq!(positions, (0..20).collect::<Vec<_>>());
    }
}

#[test]
fn a_taken_name_is_reported_with_the_other_errors_and_nothing_is_written() {
    for engine in engines() {
        let app = spawn_app(engine);
        let c = callers(&app, "so-tai-chinh");
        let first = app.post(
            "package_create",
            Some(&c.editor),
            json!({"name": "trung-ten", "owner_org": "so-tai-chinh", "tags": [{"name": "có sẵn"}]}),
        );
        let first_id = first.result()["id"].clone();
        let activities =
            || app.get("organization_activity_list", Some(&c.editor), &[("id", "so-tai-chinh")]).result().clone();
        let before = activities();
        let again = app.post(
            "package_create",
            Some(&c.editor),
            json!({"name": "trung-ten", "owner_org": "so-tai-chinh", "tags": [{"name": "có sẵn"}],
                   "resources": [{"url": "https://a.vn/x.csv"}]}),
        );
        assert_eq!(again.error(409, "Validation Error")["name"], json!(["That URL is already in use."]), "{engine:?}");
        let both = app.post(
            "package_create",
            Some(&c.editor),
            json!({"name": "trung-ten", "owner_org": "so-tai-chinh", "author_email": "x"}),
        );
        let error = both.error(409, "Validation Error");
        assert_eq!(error["name"], json!(["That URL is already in use."]), "{engine:?}: every error at once");
        assert_eq!(error["author_email"], json!(["Email x is not a valid format"]));
        assert_eq!(app.get("package_list", None, &[]).result(), &json!(["trung-ten"]));
        assert_eq!(app.get("package_show", None, &[("id", "trung-ten")]).result()["id"], first_id);
        assert_eq!(activities(), before, "{engine:?}: a refused create records no activity");
        let tag = app.get("tag_show", None, &[("id", "có sẵn"), ("include_datasets", "true")]);
        assert_eq!(tag.result()["packages"].as_array().unwrap().len(), 1);
    }
}

#[test]
fn concurrent_creates_with_one_new_tag_all_succeed() {
    for engine in engines() {
        let app = spawn_app(engine);
        let c = callers(&app, "so-tai-chinh");
        std::thread::scope(|scope| {
            for i in 0..12 {
                let app = &app;
                let token = c.editor.clone();
                scope.spawn(move || {
                    let reply = app.post(
                        "package_create",
                        Some(&token),
                        json!({"name": format!("the-moi-{i}"), "owner_org": "so-tai-chinh",
                               "tags": [{"name": "thẻ mới"}, {"name": format!("riêng {i}")}]}),
                    );
                    assert_eq!(reply.status, 200, "{engine:?}: {}", reply.body);
                });
            }
        });
        let tag = app.get("tag_show", None, &[("id", "thẻ mới"), ("include_datasets", "true")]);
        assert_eq!(tag.result()["packages"].as_array().unwrap().len(), 12, "{engine:?}: one tag, every dataset");
        let shown = app.get("package_show", None, &[("id", "the-moi-3")]);
        let names: Vec<&str> =
            shown.result()["tags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["riêng 3", "thẻ mới"]);
    }
}

#[test]
fn an_editor_adds_datasets_only_to_their_own_active_organisations() {
    for engine in engines() {
        let app = spawn_app(engine);
        let c = callers(&app, "so-tai-chinh");
        let own_id = app.get("organization_show", None, &[("id", "so-tai-chinh")]).result()["id"].clone();
        app.organization("so-y-te", "Sở Y tế");
        app.sysadmin("group_create", json!({"name": "nhom-bien-tap", "title": "Nhóm"})).result();
        app.add_member("group_member_create", "nhom-bien-tap", "bien-tap", "admin");
        app.organization("so-giai-the", "Sở đã giải thể");
        app.add_member("organization_member_create", "so-giai-the", "bien-tap", "editor");
        app.sysadmin("organization_delete", json!({"id": "so-giai-the"})).result();
        let by_name = dataset(&app, &c.editor, "theo-ten", json!({}));
        assert_eq!(by_name["organization"]["name"], json!("so-tai-chinh"), "{engine:?}");
        let by_id = dataset(&app, &c.editor, "theo-id", json!({"owner_org": own_id}));
        assert_eq!(by_id["owner_org"], own_id, "{engine:?}");
        for elsewhere in ["so-y-te", "nhom-bien-tap", "so-giai-the", "khong-ton-tai"] {
            let refused =
                app.post("package_create", Some(&c.editor), json!({"name": "o-noi-khac", "owner_org": elsewhere}));
            assert_eq!(
                refused.error(403, "Authorization Error")["message"],
                json!("Access denied: User bien-tap not authorized to add dataset to this organization"),
                "{engine:?}: {elsewhere}"
            );
        }
        let unknown =
            app.post("package_create", Some(&c.sysadmin), json!({"name": "khong-co", "owner_org": "khong-ton-tai"}));
        assert_eq!(unknown.error(409, "Validation Error")["owner_org"], json!(["Organization does not exist"]));
        let listed = app.get("package_list", None, &[]);
        assert_eq!(listed.result(), &json!(["theo-id", "theo-ten"]), "{engine:?}: nothing else was written");
    }
}

#[test]
fn a_tag_removed_underneath_the_server_is_created_again() {
    use diesel::connection::SimpleConnection;
    for engine in engines() {
        let app = spawn_app(engine);
        let c = callers(&app, "so-tai-chinh");
        // The first create makes the tag; the second finds it (and PostgreSQL caches it).
        for name in ["nuoc-1", "nuoc-2"] {
            dataset(&app, &c.editor, name, json!({"tags": [{"name": "nước sạch"}]}));
        }
        for name in ["nuoc-1", "nuoc-2"] {
            app.sysadmin("dataset_purge", json!({"id": name})).result();
        }
        // As when the database is restored from an older backup under a running server.
        app.services
            .store
            .write(|tx| {
                tx.batch_execute("DELETE FROM tags WHERE name = 'nước sạch'").map_err(kho::store::StoreError::from)
            })
            .expect("delete the tag");
        let again = dataset(&app, &c.editor, "nuoc-3", json!({"tags": [{"name": "nước sạch"}]}));
        let tag = app.get("tag_show", None, &[("id", "nước sạch")]);
        assert_eq!(again["tags"][0]["id"], tag.result()["id"], "{engine:?}");
    }
}

#[test]
fn the_provincial_schema_validates_and_shows_its_fields_at_the_top_level() {
    for engine in engines() {
        let app = spawn_app(engine);
        let c = callers(&app, "so-tai-chinh");
        let types = app.get("scheming_dataset_schema_list", None, &[]);
        assert_eq!(types.result(), &json!(["dataset", "vn-dataset"]));
        let schema = app.get("scheming_dataset_schema_show", None, &[("type", "vn-dataset")]);
        assert!(schema.body.to_string().contains("Phương thức chia sẻ"));
        app.get("scheming_dataset_schema_show", None, &[("type", "khong-co")]).error(404, "Not Found Error");
        let missing = app.post(
            "package_create",
            Some(&c.editor),
            json!({"name": "thieu", "owner_org": "so-tai-chinh", "type": "vn-dataset"}),
        );
        let error = missing.error(409, "Validation Error");
        for field in ["linh_vuc", "tan_suat_cap_nhat", "pham_vi_khong_gian", "muc_tieu", "phuong_thuc_chia_se"] {
            assert_eq!(error[field], json!(["Missing value"]), "{field}");
        }
        let fields = json!({
            "name": "co-so-y-te", "owner_org": "so-tai-chinh", "type": "vn-dataset", "title": "Cơ sở y tế",
            "linh_vuc": "y-te", "tan_suat_cap_nhat": "hang-quy", "pham_vi_khong_gian": "52, 52001",
            "thoi_gian_bat_dau": "2025-01-01", "co_so_phap_ly": "Nghị định 194/2025/NĐ-CP",
            "muc_do_chia_se": "mo", "thoi_han_truc_tuyen": "vinh-vien", "dau_moi_lien_he": "Phòng Kế hoạch",
            "muc_tieu": "Công khai mạng lưới cơ sở y tế", "pham_vi": "Toàn tỉnh", "doi_tuong_muc_dich_khai_thac": "Người dân tra cứu",
            "nguon_thong_tin": "Sở Y tế", "phuong_thuc_chia_se": "api",
            "extras": [{"key": "ghi_chu", "value": "x"}]
        });
        let created = app.post("package_create", Some(&c.editor), fields.clone());
        let dict = created.result();
        assert_eq!(dict["type"], json!("vn-dataset"));
        assert_eq!(dict["linh_vuc"], json!("y-te"));
        assert_eq!(dict["pham_vi_khong_gian"], json!("52, 52001"));
        assert_eq!(dict["du_lieu_chu"], json!(null), "optional fields are present as null");
        assert_eq!(dict["extras"], json!([{"key": "ghi_chu", "value": "x"}]), "schema fields are not extras");
        let shown = app.get("package_show", None, &[("id", "co-so-y-te")]);
        assert_eq!(shown.result()["muc_do_chia_se"], json!("mo"));
        let default_schema = app.get("package_show", None, &[("id", "co-so-y-te"), ("use_default_schema", "true")]);
        let extras = default_schema.result()["extras"].as_array().unwrap();
        assert!(extras.iter().any(|e| e["key"] == "linh_vuc" && e["value"] == "y-te"));
        assert!(default_schema.result().get("linh_vuc").is_none());
        let bad = app.post(
            "package_patch",
            Some(&c.editor),
            json!({"id": "co-so-y-te", "tan_suat_cap_nhat": "hang-tuan", "pham_vi_khong_gian": "99"}),
        );
        let error = bad.error(409, "Validation Error");
        assert_eq!(error["tan_suat_cap_nhat"], json!(["unexpected choice value"]));
        assert_eq!(error["pham_vi_khong_gian"], json!(["Not a 2025 administrative unit code: 99"]));
        let patched =
            app.post("package_patch", Some(&c.editor), json!({"id": "co-so-y-te", "tan_suat_cap_nhat": "hang-nam"}));
        assert_eq!(patched.result()["tan_suat_cap_nhat"], json!("hang-nam"));
        assert_eq!(
            patched.result()["muc_tieu"],
            json!("Công khai mạng lưới cơ sở y tế"),
            "patch keeps the other fields"
        );
    }
}

#[test]
fn collaborators_get_one_dataset_when_enabled() {
    let app = spawn_app(crate::helpers::Engine::Sqlite);
    let c = callers(&app, "so-tai-chinh");
    dataset(&app, &c.editor, "noi-bo", json!({"private": true}));
    let disabled = app.post(
        "package_collaborator_create",
        Some(&c.admin),
        json!({"id": "noi-bo", "user_id": "nguoi-dung", "capacity": "member"}),
    );
    assert_eq!(disabled.error(409, "Validation Error")["message"], json!("Dataset collaborators not enabled"));
    for engine in engines() {
        let app = crate::helpers::spawn_app_with(engine, |config| config.auth.allow_dataset_collaborators = true);
        let c = callers(&app, "so-tai-chinh");
        dataset(&app, &c.editor, "noi-bo", json!({"private": true}));
        app.post(
            "package_collaborator_create",
            Some(&c.editor),
            json!({"id": "noi-bo", "user_id": "nguoi-dung", "capacity": "member"}),
        )
        .error(403, "Authorization Error");
        let bad_role = app.post(
            "package_collaborator_create",
            Some(&c.admin),
            json!({"id": "noi-bo", "user_id": "nguoi-dung", "capacity": "admin"}),
        );
        bad_role.error(409, "Validation Error");
        app.get("package_show", Some(&c.user), &[("id", "noi-bo")]).error(403, "Authorization Error");
        let added = app.post(
            "package_collaborator_create",
            Some(&c.admin),
            json!({"id": "noi-bo", "user_id": "nguoi-dung", "capacity": "member"}),
        );
        assert_eq!(added.result()["capacity"], json!("member"));
        assert_eq!(app.get("package_show", Some(&c.user), &[("id", "noi-bo")]).result()["private"], json!(true));
        app.post("package_patch", Some(&c.user), json!({"id": "noi-bo", "notes": "x"}))
            .error(403, "Authorization Error");
        app.post(
            "package_collaborator_create",
            Some(&c.admin),
            json!({"id": "noi-bo", "user_id": "nguoi-dung", "capacity": "editor"}),
        )
        .result();
        assert_eq!(
            app.post("package_patch", Some(&c.user), json!({"id": "noi-bo", "notes": "Cộng tác"})).result()["notes"],
            json!("Cộng tác")
        );
        let listed = app.get("package_collaborator_list", Some(&c.admin), &[("id", "noi-bo")]);
        assert_eq!(listed.result().as_array().unwrap().len(), 1);
        let mine = app.get("package_collaborator_list_for_user", Some(&c.user), &[("id", "nguoi-dung")]);
        assert_eq!(mine.result()[0]["capacity"], json!("editor"));
        assert!(
            app.post("package_collaborator_delete", Some(&c.admin), json!({"id": "noi-bo", "user_id": "nguoi-dung"}))
                .result()
                .is_null()
        );
        app.get("package_show", Some(&c.user), &[("id", "noi-bo")]).error(403, "Authorization Error");
    }
}

#[test]
fn the_default_licence_setting_applies_to_datasets_created_without_one() {
    for engine in engines() {
        let app = crate::helpers::spawn_app_with(engine, |config| {
            config.default_license = Some("vn-state-open-data".into());
        });
        app.organization("so-y-te", "Sở Y tế");
        let without = app.sysadmin("package_create", json!({"name": "khong-giay-phep", "owner_org": "so-y-te"}));
        assert_eq!(without.result()["license_id"], json!("vn-state-open-data"));
        assert!(without.result()["license_title"].as_str().unwrap().starts_with("Dữ liệu mở của cơ quan nhà nước"));
        let chosen = app
            .sysadmin("package_create", json!({"name": "co-giay-phep", "owner_org": "so-y-te", "license_id": "cc-by"}));
        assert_eq!(chosen.result()["license_id"], json!("cc-by"));
        // Only creates: an update without `license_id` keeps CKAN's rule (the field is cleared).
        let updated = app.sysadmin("package_update", json!({"id": "co-giay-phep", "owner_org": "so-y-te"}));
        assert_ne!(updated.result()["license_id"], json!("vn-state-open-data"));
    }
    // A default outside the licence register stops Kho from starting.
    let data_dir = tempfile::tempdir().expect("temp dir");
    let config = kho::config::Config {
        data_dir: data_dir.path().to_path_buf(),
        default_license: Some("khong-co".into()),
        ..kho::config::Config::default()
    };
    let error = kho::app::services(config).err().expect("refused").to_string();
    assert!(error.contains("default_license \"khong-co\" is not in the licence register"), "{error}");
}
