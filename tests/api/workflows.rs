//! The provincial workflows over HTTP on both engines. Maintenance notices: the 7-working-day
//! rule (counted with the province's calendar) or an emergency, the banner on every page,
//! `status_show`, the Atom feed, cancellation, and the operator's form.

use chrono::Duration;
use kho::workflows::Calendar;
use serde_json::{Value, json};

use crate::helpers::{engines, spawn_app};
use crate::publishing::Browser;

/// The earliest start a planned notice may have if announced now, as `YYYY-MM-DD`.
fn earliest_start() -> chrono::NaiveDate {
    let today = Calendar::local(chrono::Utc::now().naive_utc()).date();
    Calendar::built_in().add_working_days(today, 7)
}

fn notice(title: &str, start: chrono::NaiveDate, emergency: bool) -> Value {
    json!({"title": title, "reason": "Nâng cấp hệ thống", "services": "API, Tải tệp",
           "starts_at": format!("{start}T08:00"), "ends_at": format!("{}T17:00", start + Duration::days(1)),
           "emergency": emergency})
}

#[test]
fn maintenance_is_announced_seven_working_days_ahead_and_shown_everywhere() {
    let earliest = earliest_start();
    let too_soon = earliest - Duration::days(1);
    for engine in engines() {
        let app = spawn_app(engine);
        let (_, user) = app.user("nguoi-dung");
        app.post("maintenance_notice_create", Some(&user), notice("Nâng cấp", earliest, false))
            .error(403, "Authorization Error");
        let refused = app.sysadmin("maintenance_notice_create", notice("Quá sớm", too_soon, false));
        let message = refused.error(409, "Validation Error")["starts_at"][0].as_str().expect("message").to_string();
        assert!(message.contains("7 working days") && message.contains(&earliest.to_string()), "{engine:?} {message}");
        let backwards = json!({"title": "x", "reason": "y", "services": ["API"], "starts_at": format!("{earliest}T10:00"), "ends_at": format!("{earliest}T09:00")});
        assert_eq!(
            app.sysadmin("maintenance_notice_create", backwards).error(409, "Validation Error")["ends_at"][0],
            "Must be after the start"
        );
        let missing = app.sysadmin("maintenance_notice_create", json!({}));
        let fields = missing.error(409, "Validation Error").as_object().expect("errors").clone();
        for key in ["title", "reason", "services", "starts_at", "ends_at"] {
            assert!(fields.contains_key(key), "{key}");
        }
        // An emergency repair may start at once; a planned one at the earliest allowed day.
        let today = Calendar::local(chrono::Utc::now().naive_utc()).date();
        let emergency = app.sysadmin("maintenance_notice_create", notice("Sửa chữa đường truyền", today, true));
        assert_eq!(emergency.result()["emergency"], true);
        let planned = app.sysadmin("maintenance_notice_create", notice("Nâng cấp máy chủ", earliest, false));
        let planned_id = planned.result()["id"].as_str().expect("id").to_string();
        assert_eq!(planned.result()["starts_at_local"], format!("{earliest}T08:00:00"));
        assert_eq!(planned.result()["starts_at"], format!("{}T01:00:00", earliest), "stored in UTC");
        assert_eq!(planned.result()["services"], json!(["API", "Tải tệp"]));

        // Everyone sees them: the list, status_show, every page, the Atom feed.
        let listed = app.get("maintenance_notice_list", None, &[]);
        assert_eq!(listed.result().as_array().map(Vec::len), Some(2), "{engine:?}");
        let status = app.get("status_show", None, &[]);
        assert_eq!(status.result()["maintenance"].as_array().map(Vec::len), Some(2));
        let page = app.send(|c| c.get(format!("{}/dataset", app.base))).text();
        assert!(
            page.contains("data-testid=\"maintenance-banner\"")
                && page.contains("Nâng cấp máy chủ")
                && page.contains("Sửa chữa khẩn cấp"),
            "{page}"
        );
        let english = app.send(|c| c.get(format!("{}/en/about", app.base))).text();
        assert!(english.contains("Planned suspension") && english.contains("lang=\"vi\">Nâng cấp máy chủ"));
        let feed = app.send(|c| c.get(format!("{}/maintenance.atom", app.base)));
        assert_eq!(feed.header("content-type").as_deref(), Some("application/atom+xml; charset=utf-8"));
        let xml = feed.text();
        let mut reader = quick_xml::Reader::from_str(&xml);
        let (mut entries, mut titles, mut in_title) = (0, Vec::new(), false);
        loop {
            match reader.read_event().expect("well-formed Atom") {
                quick_xml::events::Event::Start(e) if e.name().as_ref() == "entry" => entries += 1,
                quick_xml::events::Event::Start(e) if e.name().as_ref() == "title" => in_title = true,
                quick_xml::events::Event::Text(t) if in_title => {
                    titles.push(t.into_inner().to_string());
                    in_title = false;
                }
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(entries, 2, "{xml}");
        assert!(titles.iter().any(|t| t == "Nâng cấp máy chủ"), "{titles:?}");

        // Cancelled: gone from the list, the banner and the feed; kept for the operator.
        app.post("maintenance_notice_delete", Some(&user), json!({"id": planned_id})).error(403, "Authorization Error");
        app.sysadmin("maintenance_notice_delete", json!({"id": planned_id})).result();
        assert_eq!(app.get("maintenance_notice_list", None, &[]).result().as_array().map(Vec::len), Some(1));
        let page = app.send(|c| c.get(format!("{}/dataset", app.base))).text();
        assert!(!page.contains("Nâng cấp máy chủ"));
        let everything = app.sysadmin("maintenance_notice_list", json!({"all": true}));
        assert!(everything.result().as_array().expect("all").iter().any(|n| n["state"] == "cancelled"));
        app.get("maintenance_notice_list", Some(&user), &[("all", "true")]).error(403, "Authorization Error");
        let shown = app.get("maintenance_notice_show", None, &[("id", planned_id.as_str())]);
        assert_eq!(shown.result()["state"], "cancelled");
    }
}

#[test]
fn the_operator_announces_maintenance_in_the_portal() {
    let earliest = earliest_start();
    for engine in engines() {
        let app = spawn_app(engine);
        app.user("bien-tap");
        let operator = Browser::sign_in(&app, "accadmin");
        let page = operator.get("/ckan-admin/maintenance");
        assert_eq!(page.status, 200, "{engine:?}");
        let fields = |start: chrono::NaiveDate| {
            vec![
                ("title", "Bảo trì cổng".to_string()),
                ("reason", "Thay ổ đĩa".to_string()),
                ("services", "Cổng thông tin, API".to_string()),
                ("starts_at", format!("{start}T20:00")),
                ("ends_at", format!("{start}T23:00")),
                ("emergency", "false".to_string()),
            ]
        };
        let too_soon: Vec<(&str, String)> = fields(earliest - Duration::days(1));
        let form: Vec<(&str, &str)> = too_soon.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = operator.post("/ckan-admin/maintenance", &form);
        assert_eq!(refused.status, 200);
        assert!(
            refused.body.contains("data-testid=\"error-summary\"") && refused.body.contains(&earliest.to_string()),
            "{}",
            refused.body
        );
        assert!(refused.body.contains("value=\"Bảo trì cổng\""), "what was typed is kept");
        let ok_fields = fields(earliest);
        let form: Vec<(&str, &str)> = ok_fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let announced = operator.post("/ckan-admin/maintenance", &form);
        assert_eq!((announced.status, announced.location.as_str()), (303, "/ckan-admin/maintenance"));
        let listed = operator.get("/ckan-admin/maintenance").body;
        assert!(listed.contains("data-testid=\"notices\"") && listed.contains("Bảo trì cổng"));
        let editor = Browser::sign_in(&app, "bien-tap");
        assert_eq!(editor.get("/ckan-admin/maintenance").status, 403);
        assert!(editor.get("/dashboard").body.contains("Bảo trì cổng"), "the banner on signed-in pages too");
    }
}
