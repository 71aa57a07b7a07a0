//! The activity stream on both engines: every change is recorded, and private datasets'
//! history stays private even when it was recorded while they were public.

use serde_json::json;

use crate::helpers::{callers, engines, spawn_app};

#[test]
fn every_change_is_traceable_and_private_history_never_leaks() {
    for engine in engines() {
        let app = spawn_app(engine);
        let c = callers(&app, "so-tai-chinh");
        let created =
            app.post("package_create", Some(&c.editor), json!({"name": "ngan-sach", "owner_org": "so-tai-chinh"}));
        let id = created.result()["id"].as_str().unwrap().to_string();
        app.post("package_patch", Some(&c.editor), json!({"id": "ngan-sach", "notes": "Bản 2"})).result();
        app.post("resource_create", Some(&c.editor), json!({"package_id": "ngan-sach", "url": "https://a.vn/x.csv"}))
            .result();
        let stream = app.get("package_activity_list", None, &[("id", "ngan-sach")]);
        let items = stream.result().as_array().unwrap().clone();
        let types: Vec<&str> = items.iter().map(|a| a["activity_type"].as_str().unwrap()).collect();
        assert_eq!(types, ["changed package", "changed package", "new package"], "{engine:?}: newest first");
        assert_eq!(items[2]["object_id"], json!(id));
        assert_eq!(items[2]["data"]["actor"], json!("bien-tap"));
        assert_eq!(items[1]["data"]["package"]["notes"], json!("Bản 2"), "data is the dataset after the change");
        assert_eq!(items[0]["permission_labels"], json!(["public"]));
        let limited = app.get("package_activity_list", None, &[("id", "ngan-sach"), ("limit", "1"), ("offset", "1")]);
        assert_eq!(limited.result()[0]["id"], items[1]["id"]);
        let only_new =
            app.post("package_activity_list", None, json!({"id": "ngan-sach", "activity_types": ["new package"]}));
        assert_eq!(only_new.result().as_array().unwrap().len(), 1);
        let single = app.get("package_activity_list", None, &[("id", "ngan-sach"), ("activity_types", "new package")]);
        single.error(409, "Validation Error");
        app.get("package_activity_list", None, &[("id", "ngan-sach"), ("before", "hom-qua")])
            .error(409, "Validation Error");
        let diff =
            app.get("activity_diff", None, &[("id", items[1]["id"].as_str().unwrap()), ("object_type", "package")]);
        let text = diff.result()["diff"].as_str().unwrap().to_string();
        assert!(text.contains("+  \"notes\": \"Bản 2\""), "{text}");
        assert!(text.contains("-  \"notes\": null"), "{text}");
        assert_eq!(diff.result()["activities"][0]["id"], items[2]["id"]);
        app.get("activity_diff", None, &[("id", items[2]["id"].as_str().unwrap())]).error(404, "Not Found Error");
        let shown = app.get("activity_show", None, &[("id", items[2]["id"].as_str().unwrap())]);
        assert_eq!(shown.result()["activity_type"], json!("new package"));
        let org_stream = app.get("organization_activity_list", None, &[("id", "so-tai-chinh")]);
        assert!(org_stream.result().as_array().unwrap().iter().any(|a| a["activity_type"] == "new organization"));
        let user_stream = app.get("user_activity_list", None, &[("id", "bien-tap")]);
        assert_eq!(user_stream.result().as_array().unwrap().len(), 3);

        // The dataset becomes private: its whole history disappears for outsiders.
        app.post("package_patch", Some(&c.editor), json!({"id": "ngan-sach", "private": true})).result();
        app.get("package_activity_list", None, &[("id", "ngan-sach")]).error(403, "Authorization Error");
        app.get("activity_show", Some(&c.user), &[("id", items[2]["id"].as_str().unwrap())])
            .error(403, "Authorization Error");
        for token in [None, Some(c.user.as_str())] {
            for (action, id) in [("organization_activity_list", "so-tai-chinh"), ("user_activity_list", "bien-tap")] {
                let reply = app.get(action, token, &[("id", id)]);
                assert!(!reply.body.to_string().contains("ngan-sach"), "{engine:?} {action}");
            }
            let recent = app.get("recently_changed_packages_activity_list", token, &[]);
            assert_eq!(recent.result(), &json!([]), "{engine:?}");
        }
        let as_member = app.get("package_activity_list", Some(&c.member), &[("id", "ngan-sach")]);
        assert_eq!(as_member.result().as_array().unwrap().len(), 4);
        assert_eq!(
            as_member.result()[0]["permission_labels"],
            json!([format!("member-{}", created.result()["owner_org"].as_str().unwrap())])
        );
    }
}
