//! The typed actions in-process callers use (the portal, the harvester) answer what the JSON
//! Action API answers, with the same permissions.

use kho::actions::typed::{self, SearchQuery};
use kho::actions::{ActionContext, Params};
use kho::auth::Caller;
use kho::model::Dataset;
use serde_json::{Map, Value, json};

use crate::helpers::{callers, engines, spawn_app};

fn dict(value: Value) -> Map<String, Value> {
    value.as_object().cloned().expect("an object")
}

#[test]
fn typed_actions_answer_what_the_json_api_answers() {
    for engine in engines() {
        let app = spawn_app(engine);
        let c = callers(&app, "so-tai-chinh");
        let system = ActionContext { services: &app.services, caller: Caller::system() };
        let draft = Dataset(dict(json!({
            "name": "ngan-sach", "title": "Ngân sách tỉnh", "owner_org": "so-tai-chinh",
            "resources": [{"url": "https://a.vn/ns.csv", "format": "CSV"}]
        })));
        let created = typed::package_create(&system, &draft).expect("typed create");
        assert_eq!((created.name(), created.title()), ("ngan-sach", "Ngân sách tỉnh"));
        assert_eq!(created.resources().len(), 1);

        let shown = typed::package_show(&system, "ngan-sach").expect("typed show");
        let over_http = app.get("package_show", Some(&c.sysadmin), &[("id", "ngan-sach")]);
        assert_eq!(shown.clone().into_value(), *over_http.result());

        let patched = typed::package_patch(&system, created.id(), &dict(json!({"notes": "Dự toán"}))).expect("patch");
        assert_eq!(patched.0["notes"], json!("Dự toán"));
        assert!(patched.metadata_modified() > created.metadata_modified());

        let query =
            SearchQuery { q: "ngan sach".into(), facet_fields: vec!["res_format".into()], ..Default::default() };
        let page = typed::package_search(&system, &query).expect("typed search");
        let over_http = app.get("package_search", None, &[("q", "ngan sach"), ("facet.field", "[\"res_format\"]")]);
        assert_eq!(page.count as u64, over_http.result()["count"].as_u64().unwrap());
        assert_eq!(Value::Object(page.facets.clone()), over_http.result()["facets"]);
        assert_eq!(page.datasets().first().map(|d| d.id().to_string()), Some(created.id().to_string()));

        // Private datasets stay private through typed calls too.
        typed::package_patch(&system, created.id(), &dict(json!({"private": true}))).expect("make private");
        let anonymous = ActionContext { services: &app.services, caller: Caller::anonymous() };
        assert_eq!(typed::package_search(&anonymous, &query).expect("search").count, 0);
        let refused = typed::package_show(&anonymous, "ngan-sach").expect_err("private");
        assert_eq!(refused.status(), 403);
        let resource_id = created.resources().first().map(|r| r.id().to_string()).unwrap_or_default();
        assert_eq!(typed::resource_show(&anonymous, &resource_id).expect_err("private").status(), 403);

        // Validation is the API's: a bad name is a field error.
        let bad = Dataset(dict(json!({"name": "Tên Sai!", "owner_org": "so-tai-chinh"})));
        let error = typed::package_create(&system, &bad).expect_err("invalid");
        assert!(error.to_error_object()["name"].is_array(), "{}", error.to_error_object());
        let params = Params(dict(json!({"q": "ngân sách", "rows": "5", "facet.field": ["tags"]})), Vec::new());
        let parsed = SearchQuery::from_params(&params).expect("CKAN's parameters");
        assert_eq!(
            (parsed.q.as_str(), parsed.rows, parsed.facet_fields.clone()),
            ("ngân sách", 5, vec!["tags".into()])
        );

        let organization = typed::group_show(&anonymous, "so-tai-chinh", true).expect("organisation");
        assert!(organization.is_organization());
        assert_eq!(
            (organization.name(), organization.package_count()),
            ("so-tai-chinh", Some(0)),
            "private not counted"
        );
        let listed = typed::group_list(&system, true, 0, 25).expect("list");
        assert_eq!(
            listed.iter().map(|o| (o.name().to_string(), o.package_count())).collect::<Vec<_>>(),
            vec![("so-tai-chinh".to_string(), Some(1))]
        );
        assert!(typed::group_show(&anonymous, "so-tai-chinh", false).is_err(), "an organisation is not a group");

        typed::package_delete(&system, created.id()).expect("delete");
        assert_eq!(typed::package_show(&system, created.id()).expect("show deleted").state(), "deleted");
    }
}
