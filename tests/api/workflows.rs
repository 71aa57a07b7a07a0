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

#[test]
fn data_requests_are_answered_by_their_department_under_the_same_day_rule() {
    for engine in engines() {
        let app = spawn_app(engine);
        app.organization("so-y-te", "Sở Y tế");
        app.organization("so-khac", "Sở Khác");
        let (_, citizen) = app.user("nguoi-dan");
        let (_, editor) = app.user("bien-tap");
        let (_, outsider) = app.user("bien-tap-khac");
        app.add_member("organization_member_create", "so-y-te", "bien-tap", "editor");
        app.add_member("organization_member_create", "so-khac", "bien-tap-khac", "editor");
        let ask = json!({"title": "Danh sách nhà thuốc", "description": "Tên, địa chỉ, giờ mở cửa", "organization_id": "so-y-te"});
        app.post("datarequest_create", None, ask.clone()).error(403, "Authorization Error");
        let empty = app.post("datarequest_create", Some(&citizen), json!({}));
        let errors = empty.error(409, "Validation Error").as_object().expect("errors").clone();
        assert!(errors.contains_key("title") && errors.contains_key("organization_id"), "{errors:?}");
        let before = Calendar::built_in().same_day_deadline(chrono::Utc::now().naive_utc());
        let created = app.post("datarequest_create", Some(&citizen), ask.clone());
        let after = Calendar::built_in().same_day_deadline(chrono::Utc::now().naive_utc());
        let request = created.result().clone();
        let id = request["id"].as_str().expect("id").to_string();
        let due = request["answer_due"].as_str().expect("due").to_string();
        assert!(due == before.to_string() || due == after.to_string(), "{engine:?} {due} vs {before}/{after}");
        assert_eq!(request["state"], "open");
        assert_eq!(request["organization"]["name"], "so-y-te");
        let listed = app.get("datarequest_index", None, &[]);
        assert_eq!(listed.result()["count"], 1);
        assert_eq!(listed.result()["result"][0]["id"], id.as_str());

        // Another department's comment does not answer it; the department's does.
        app.post(
            "datarequest_comment",
            Some(&outsider),
            json!({"datarequest_id": id, "comment": "Không thuộc sở chúng tôi"}),
        )
        .result();
        assert_eq!(app.get("datarequest_show", None, &[("id", id.as_str())]).result()["state"], "open");
        app.post("datarequest_comment", Some(&editor), json!({"datarequest_id": id, "comment": "Sở đang tổng hợp"}))
            .result();
        let answered = app.get("datarequest_show", None, &[("id", id.as_str())]);
        assert_eq!(answered.result()["state"], "answered");
        assert_eq!(answered.result()["overdue"], false);
        let comments = app.get("datarequest_comment_list", None, &[("datarequest_id", id.as_str())]);
        assert_eq!(comments.result().as_array().map(Vec::len), Some(2));
        // A comment is changed or deleted by its author (or a sysadmin) only.
        let first = comments.result()[0]["id"].as_str().expect("id").to_string();
        let author = comments.result()[0]["user"]["name"].as_str().expect("author").to_string();
        let tokens = [("nguoi-dan", &citizen), ("bien-tap", &editor), ("bien-tap-khac", &outsider)];
        let own = tokens.iter().find(|(name, _)| *name == author).map(|(_, t)| *t).expect("the author's token");
        let other = tokens.iter().find(|(name, _)| *name != author).map(|(_, t)| *t).expect("another account");
        let edit = json!({"id": first, "comment": "Cần cả số điện thoại"});
        app.post("datarequest_comment_update", Some(other), edit.clone()).error(403, "Authorization Error");
        app.post("datarequest_comment_update", Some(own), json!({"id": first, "comment": " "}))
            .error(409, "Validation Error");
        assert_eq!(app.post("datarequest_comment_update", Some(own), edit).result()["comment"], "Cần cả số điện thoại");
        assert_eq!(
            app.get("datarequest_comment_show", None, &[("id", first.as_str())]).result()["comment"],
            "Cần cả số điện thoại"
        );
        app.post("datarequest_comment_delete", Some(other), json!({"id": first})).error(403, "Authorization Error");
        app.post("datarequest_comment_delete", Some(own), json!({"id": first})).result();
        app.get("datarequest_comment_show", None, &[("id", first.as_str())]).error(404, "Not Found Error");
        let comments = app.get("datarequest_comment_list", None, &[("datarequest_id", id.as_str())]);
        assert_eq!(comments.result().as_array().map(Vec::len), Some(1), "{engine:?}");

        // Refusal: the department only, with its reasons.
        let refuse = |token: &str, reason: Value| {
            app.post(
                "datarequest_close",
                Some(token),
                json!({"id": id, "close_circumstance": "refused", "refusal_reason": reason}),
            )
        };
        refuse(&citizen, json!("x")).error(403, "Authorization Error");
        refuse(&outsider, json!("x")).error(403, "Authorization Error");
        assert_eq!(
            refuse(&editor, Value::Null).error(409, "Validation Error")["refusal_reason"][0],
            "A refusal states its reasons"
        );
        let refused = refuse(&editor, json!("Dữ liệu thuộc bí mật kinh doanh"));
        assert_eq!(refused.result()["state"], "refused");
        assert_eq!(refused.result()["refusal_reason"], "Dữ liệu thuộc bí mật kinh doanh");
        app.post("datarequest_update", Some(&citizen), json!({"id": id, "title": "x", "organization_id": "so-y-te"}))
            .error(409, "Validation Error");

        // Fulfilled by a public dataset (a private one is refused).
        let second = app.post(
            "datarequest_create",
            Some(&citizen),
            json!({"title": "Cơ sở y tế", "organization_id": "so-y-te"}),
        );
        let second_id = second.result()["id"].as_str().expect("id").to_string();
        app.post(
            "package_create",
            Some(&editor),
            json!({"name": "an", "title": "Ẩn", "owner_org": "so-y-te", "private": true}),
        )
        .result();
        let public = app.post(
            "package_create",
            Some(&editor),
            json!({"name": "co-so-y-te", "title": "Cơ sở y tế", "owner_org": "so-y-te"}),
        );
        let close = |dataset: &str| {
            app.post("datarequest_close", Some(&editor), json!({"id": second_id, "accepted_dataset_id": dataset}))
        };
        close("an").error(409, "Validation Error");
        let fulfilled = close("co-so-y-te");
        assert_eq!(fulfilled.result()["state"], "fulfilled");
        assert_eq!(fulfilled.result()["accepted_dataset_id"], public.result()["id"]);
        let open = app.get("datarequest_index", None, &[("closed", "false")]);
        assert_eq!(open.result()["count"], 0);

        // The requester withdraws or deletes their own; nobody else may.
        let third =
            app.post("datarequest_create", Some(&citizen), json!({"title": "Bãi đỗ xe", "organization_id": "so-khac"}));
        let third_id = third.result()["id"].as_str().expect("id").to_string();
        app.post("datarequest_delete", Some(&editor), json!({"id": third_id})).error(403, "Authorization Error");
        app.post("datarequest_delete", Some(&citizen), json!({"id": third_id})).result();
        app.get("datarequest_show", None, &[("id", third_id.as_str())]).error(404, "Not Found Error");

        // The public list and a request's page; the department's answer forms only for it.
        let list = app.send(|c| c.get(format!("{}/datarequest", app.base))).text();
        assert!(
            list.contains("Danh sách nhà thuốc") && list.contains("Đã từ chối") && list.contains("Đã đáp ứng"),
            "{list}"
        );
        let page = app.send(|c| c.get(format!("{}/datarequest/{id}", app.base))).text();
        assert!(page.contains("Dữ liệu thuộc bí mật kinh doanh") && page.contains("Sở đang tổng hợp"));
        let person = Browser::sign_in(&app, "nguoi-dan");
        let sent = person.post(
            "/datarequest/new",
            &[("title", "Lịch tiêm chủng"), ("description", ""), ("organization_id", "so-y-te")],
        );
        assert_eq!(sent.status, 303, "{engine:?} {}", sent.body);
        assert!(person.get(&sent.location).body.contains("Lịch tiêm chủng"));
        assert!(!person.get(&sent.location).body.contains("data-testid=\"close-form\""));
        let department = Browser::sign_in(&app, "bien-tap");
        assert!(department.get(&sent.location).body.contains("data-testid=\"close-form\""));
        let refused_form = department.post(&format!("{}/refuse", sent.location), &[("refusal_reason", "")]);
        assert_eq!(refused_form.status, 200);
        assert!(refused_form.body.contains("data-testid=\"error-summary\""));
        let answered = department.post(&format!("{}/comment", sent.location), &[("comment", "Đã nhận")]);
        assert_eq!(answered.status, 303);
        assert!(department.get(&sent.location).body.contains("Đã trả lời"));
    }
}

#[test]
fn errors_reported_in_a_dataset_are_answered_by_its_department_and_as_private_as_it() {
    for engine in engines() {
        let app = spawn_app(engine);
        app.organization("so-y-te", "Sở Y tế");
        let (_, reader) = app.user("nguoi-dan");
        let (_, editor) = app.user("bien-tap");
        let (_, outsider) = app.user("bien-tap-khac");
        app.add_member("organization_member_create", "so-y-te", "bien-tap", "editor");
        app.post(
            "package_create",
            Some(&editor),
            json!({"name": "benh-vien", "title": "Bệnh viện", "owner_org": "so-y-te"}),
        )
        .result();
        app.post(
            "package_create",
            Some(&editor),
            json!({"name": "noi-bo", "title": "Nội bộ", "owner_org": "so-y-te", "private": true}),
        )
        .result();
        let report = json!({"package_id": "benh-vien", "description": "Địa chỉ bệnh viện tỉnh sai số nhà"});
        app.post("error_report_create", None, report.clone()).error(403, "Authorization Error");
        app.post("error_report_create", Some(&reader), json!({"package_id": "benh-vien"}))
            .error(409, "Validation Error");
        let created = app.post("error_report_create", Some(&reader), report);
        let id = created.result()["id"].as_str().expect("id").to_string();
        assert_eq!(created.result()["state"], "open");
        // The private dataset's reports are its readers' only.
        app.post("error_report_create", Some(&reader), json!({"package_id": "noi-bo", "description": "x"}))
            .error(403, "Authorization Error");
        app.post("error_report_create", Some(&editor), json!({"package_id": "noi-bo", "description": "Thiếu cột"}))
            .result();
        app.get("error_report_list", None, &[("package_id", "noi-bo")]).error(403, "Authorization Error");
        assert_eq!(
            app.get("error_report_list", Some(&editor), &[("package_id", "noi-bo")]).result().as_array().map(Vec::len),
            Some(1)
        );
        // Only the department answers.
        let answer = |token: &str, fixed: bool| {
            app.post("error_report_answer", Some(token), json!({"id": id, "answer": "Đã sửa địa chỉ", "fixed": fixed}))
        };
        answer(&reader, true).error(403, "Authorization Error");
        answer(&outsider, true).error(403, "Authorization Error");
        assert_eq!(answer(&editor, false).result()["state"], "answered");
        let page = app.send(|c| c.get(format!("{}/dataset/benh-vien", app.base))).text();
        assert!(
            page.contains("Địa chỉ bệnh viện tỉnh sai số nhà") && page.contains("Đã sửa địa chỉ"),
            "open reports show on the dataset page"
        );
        assert_eq!(answer(&editor, true).result()["state"], "fixed");
        assert_eq!(
            app.get("error_report_list", None, &[("package_id", "benh-vien"), ("open_only", "true")]).result(),
            &json!([])
        );
        let page = app.send(|c| c.get(format!("{}/dataset/benh-vien", app.base))).text();
        assert!(!page.contains("Địa chỉ bệnh viện tỉnh sai số nhà"), "a fixed report leaves the page");
        // In the portal: a reader reports, the department answers from the dataset page.
        let person = Browser::sign_in(&app, "nguoi-dan");
        let sent = person.post("/dataset/benh-vien/report", &[("description", "Thiếu số điện thoại")]);
        assert_eq!((sent.status, sent.location.as_str()), (303, "/dataset/benh-vien#error-reports"), "{engine:?}");
        assert!(!person.get("/dataset/benh-vien").body.contains("data-testid=\"answer-report\""));
        let department = Browser::sign_in(&app, "bien-tap");
        let page = department.get("/dataset/benh-vien").body;
        assert!(page.contains("Thiếu số điện thoại") && page.contains("data-testid=\"answer-report\""));
        let open = app.get("error_report_list", None, &[("package_id", "benh-vien"), ("open_only", "true")]);
        let new_id = open.result()[0]["id"].as_str().expect("id").to_string();
        let answered = department.post(
            &format!("/dataset/benh-vien/report/{new_id}/answer"),
            &[("answer", "Đã bổ sung"), ("fixed", "true")],
        );
        assert_eq!(answered.status, 303);
        assert!(!department.get("/dataset/benh-vien").body.contains("Thiếu số điện thoại"));
    }
}

/// Moves a dataset's activities to a day (the test's way to have changed it then).
fn changed_on(app: &crate::helpers::TestApp, id: &str, day: &str) {
    use diesel::RunQueryDsl;
    let sql = format!("UPDATE activities SET timestamp = '{day} 03:00:00' WHERE object_id = '{id}'");
    app.services
        .store
        .write(|tx| diesel::sql_query(sql).execute(tx).map_err(kho::store::StoreError::Database))
        .expect("backdate");
}

#[test]
fn the_quarterly_report_tells_who_updated_on_time_late_or_not_at_all() {
    for engine in engines() {
        let app = spawn_app(engine);
        app.organization("so-y-te", "Sở Y tế");
        app.organization("so-khac", "Sở Khác");
        let create = |name: &str, org: &str, frequency: &str, created: Option<&str>| {
            let mut fields = json!({"name": name, "title": name, "owner_org": org,
                "extras": [{"key": "tan_suat_cap_nhat", "value": frequency}]});
            if let Some(created) = created {
                fields["metadata_created"] = json!(created);
            }
            app.sysadmin("package_create", fields).result()["id"].as_str().expect("id").to_string()
        };
        let on_time = create("dung-han", "so-y-te", "hang-quy", Some("2026-06-01T00:00:00"));
        // Changed now, in December: after the 16 October deadline.
        create("tre-han", "so-y-te", "hang-quy", Some("2026-06-01T00:00:00"));
        let missing = create("chua-cap-nhat", "so-khac", "hang-quy", Some("2026-06-01T00:00:00"));
        let yearly = create("hang-nam", "so-khac", "hang-nam", Some("2026-06-01T00:00:00"));
        create("moi-tao", "so-khac", "hang-quy", None);
        changed_on(&app, &on_time, "2026-08-01");
        changed_on(&app, &missing, "2026-06-01");
        changed_on(&app, &yearly, "2026-06-01");
        let (_, editor) = app.user("bien-tap");
        app.post("update_compliance_report", Some(&editor), json!({"quarter": "2026Q3"}))
            .error(403, "Authorization Error");
        app.sysadmin("update_compliance_report", json!({"quarter": "2026Q9"})).error(409, "Validation Error");
        let report = app.sysadmin("update_compliance_report", json!({"quarter": "2026Q3"}));
        let report = report.result();
        assert_eq!(report["deadline"], "2026-10-16");
        let department = |name: &str| {
            report["departments"]
                .as_array()
                .expect("departments")
                .iter()
                .find(|d| d["organization"] == name)
                .cloned()
                .expect(name)
        };
        let health = department("so-y-te");
        assert_eq!(
            (health["due"].as_u64(), health["on_time"].as_u64(), health["late"].as_u64()),
            (Some(2), Some(1), Some(1)),
            "{engine:?} {report}"
        );
        let other = department("so-khac");
        assert_eq!((other["due"].as_u64(), other["not_updated"].as_u64()), (Some(1), Some(1)), "{engine:?} {report}");
        let status = |name: &str| {
            report["datasets"]
                .as_array()
                .expect("datasets")
                .iter()
                .find(|d| d["name"] == name)
                .map(|d| d["status"].clone())
        };
        assert_eq!(status("dung-han"), Some(json!("on_time")));
        assert_eq!(status("tre-han"), Some(json!("late")));
        assert_eq!(status("chua-cap-nhat"), Some(json!("not_updated")));
        assert_eq!(status("hang-nam"), None, "a yearly dataset owes nothing in the third quarter");
        assert_eq!(status("moi-tao"), None, "created after the quarter");
        // The operator's page and its CSV.
        let operator = Browser::sign_in(&app, "accadmin");
        let page = operator.get("/ckan-admin/reports/updates?quarter=2026Q3");
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("Sở Y tế") && page.body.contains("tre-han") && page.body.contains("Trễ hạn"),
            "{}",
            page.body
        );
        let csv = operator.get("/ckan-admin/reports/updates.csv?quarter=2026Q3").body;
        assert!(csv.starts_with("quarter,organization,dataset,title,frequency,updated,status"), "{csv}");
        assert!(csv.lines().any(|l| l.starts_with("2026Q3,so-y-te,tre-han,") && l.ends_with(",late")), "{csv}");
        app.user("nguoi-xem");
        assert_eq!(Browser::sign_in(&app, "nguoi-xem").get("/ckan-admin/reports/updates").status, 403);
    }
}

#[test]
fn data_requests_and_error_reports_are_mailed_to_whom_they_concern() {
    for engine in engines() {
        let mailbox = crate::mailbox::Mailbox::start();
        let app = crate::helpers::spawn_app_with(engine, |c| crate::mailbox::send_to(c, &mailbox));
        app.organization("so-y-te", "Sở Y tế");
        let (_, citizen) = app.user("nguoi-dan");
        let (_, editor) = app.user("bien-tap");
        app.user("nguoi-khac");
        app.add_member("organization_member_create", "so-y-te", "bien-tap", "editor");
        let asked = json!({"title": "Danh sách trạm y tế xã", "description": "Địa chỉ và giờ làm việc",
                           "organization_id": "so-y-te"});
        let request = app.post("datarequest_create", Some(&citizen), asked);
        let id = request.result()["id"].as_str().expect("id").to_string();
        let due = request.result()["answer_due"].as_str().expect("due").to_string();
        let to_department = mailbox.wait_for("bien-tap@example.vn", &format!("/datarequest/{id}"));
        assert_eq!(to_department["subject"], "[Kho] Yêu cầu dữ liệu: Danh sách trạm y tế xã", "{engine:?}");
        assert!(to_department["body"].as_str().unwrap_or_default().contains(&due));
        let answer = json!({"datarequest_id": id, "comment": "Sở đang tổng hợp, sẽ công bố trong tuần"});
        app.post("datarequest_comment", Some(&editor), answer).result();
        mailbox.wait_for("nguoi-dan@example.vn", "Sở đang tổng hợp");

        app.post(
            "package_create",
            Some(&editor),
            json!({"name": "tram-y-te", "title": "Trạm y tế", "owner_org": "so-y-te"}),
        )
        .result();
        let report = json!({"package_id": "tram-y-te", "description": "Thiếu trạm y tế phường Hải Châu"});
        let report =
            app.post("error_report_create", Some(&citizen), report).result()["id"].as_str().expect("id").to_string();
        mailbox.wait_for("bien-tap@example.vn", "Thiếu trạm y tế phường Hải Châu");
        let fixed = json!({"id": report, "answer": "Đã bổ sung", "fixed": true});
        app.post("error_report_answer", Some(&editor), fixed).result();
        let told = mailbox.wait_for("nguoi-dan@example.vn", "The error you reported is fixed");
        assert!(told["body"].as_str().unwrap_or_default().contains("/dataset/tram-y-te#error-reports"));
        // Both changes are in the dataset's and the department's activity streams.
        let stream = app.get("package_activity_list", None, &[("id", "tram-y-te")]);
        let kinds: Vec<&str> =
            stream.result().as_array().expect("list").iter().filter_map(|a| a["activity_type"].as_str()).collect();
        assert!(kinds.contains(&"new error report") && kinds.contains(&"answered error report"), "{kinds:?}");
        let department = app.get("organization_activity_list", None, &[("id", "so-y-te")]);
        let kinds: Vec<&str> =
            department.result().as_array().expect("list").iter().filter_map(|a| a["activity_type"].as_str()).collect();
        assert!(kinds.contains(&"new datarequest") && kinds.contains(&"answered datarequest"), "{kinds:?}");
        assert!(mailbox.to("nguoi-khac@example.vn").is_empty());
    }
}

#[test]
fn datasets_past_their_online_retention_are_listed_for_their_department_and_unlisted_by_a_setting() {
    for engine in engines() {
        for unlist in [false, true] {
            let app = crate::helpers::spawn_app_with(engine, |c| c.workflows.unlist_expired = unlist);
            app.organization("so-y-te", "Sở Y tế");
            app.organization("so-khac", "Sở Khác");
            let (_, member) = app.user("thanh-vien");
            let (_, outsider) = app.user("nguoi-ngoai");
            app.add_member("organization_member_create", "so-y-te", "thanh-vien", "member");
            let create = |name: &str, org: &str, retention: &str, created: &str, private: bool| {
                let fields = json!({"name": name, "title": name, "owner_org": org, "private": private,
                    "metadata_created": created, "extras": [{"key": "thoi_han_truc_tuyen", "value": retention}]});
                app.sysadmin("package_create", fields).result();
            };
            create("het-han-1-nam", "so-y-te", "1-nam", "2024-03-01T00:00:00", false);
            create("het-han-rieng", "so-y-te", "1-nam", "2024-05-01T00:00:00", true);
            create("con-han-5-nam", "so-y-te", "5-nam", "2024-03-01T00:00:00", false);
            create("vinh-vien", "so-y-te", "vinh-vien", "2010-03-01T00:00:00", false);
            create("het-han-so-khac", "so-khac", "1-nam", "2024-03-01T00:00:00", false);

            let mine = app.get("retention_list", Some(&member), &[]);
            let names: Vec<&str> =
                mine.result()["results"].as_array().expect("list").iter().filter_map(|d| d["name"].as_str()).collect();
            assert_eq!(names, ["het-han-1-nam", "het-han-rieng"], "{engine:?}: oldest first, the department's own");
            assert_eq!(mine.result()["results"][0]["online_until"], "2025-03-01T00:00:00");
            let all = app.get("retention_list", Some(&app.sysadmin_token), &[]);
            assert_eq!(all.result()["count"], 3);
            app.get("retention_list", None, &[]).error(403, "Authorization Error");
            app.get("retention_list", Some(&outsider), &[("organization_id", "so-y-te")])
                .error(403, "Authorization Error");
            assert_eq!(app.get("retention_list", Some(&outsider), &[]).result()["count"], 0);

            // Unlisted from search only with the setting; never deleted.
            let found = app.get("package_search", None, &[("q", "*:*")]);
            let expected = if unlist { 2 } else { 4 };
            assert_eq!(found.result()["count"], expected, "{engine:?} unlist={unlist}");
            let shown = app.get("package_show", None, &[("id", "het-han-1-nam")]);
            assert_eq!(shown.result()["state"], "active");
        }
    }
}

#[test]
fn departments_are_reminded_once_before_the_quarterly_deadline_of_what_they_still_owe() {
    use kho::workflows::reminders::queue_due;
    for engine in engines() {
        let mailbox = crate::mailbox::Mailbox::start();
        let app = crate::helpers::spawn_app_with(engine, |c| crate::mailbox::send_to(c, &mailbox));
        app.organization("so-y-te", "Sở Y tế");
        app.user("bien-tap");
        app.add_member("organization_member_create", "so-y-te", "bien-tap", "editor");
        let create = |name: &str| {
            let fields = json!({"name": name, "title": name, "owner_org": "so-y-te", "metadata_created": "2026-08-01T00:00:00",
                "extras": [{"key": "tan_suat_cap_nhat", "value": "hang-quy"}]});
            app.sysadmin("package_create", fields).result()["id"].as_str().expect("id").to_string()
        };
        let owing = create("chua-cap-nhat-quy-4");
        let done = create("da-cap-nhat-quy-4");
        changed_on(&app, &owing, "2026-08-01");
        changed_on(&app, &done, "2026-11-02");
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        // 2026Q4's update is due by 16 January 2027: 5 working days ahead is 11 January.
        assert_eq!(queue_due(&app.services, day("2026-12-03")).expect("queue"), 0, "{engine:?}: too early");
        assert_eq!(queue_due(&app.services, day("2027-01-12")).expect("queue"), 1, "{engine:?}");
        assert_eq!(queue_due(&app.services, day("2027-01-13")).expect("queue"), 0, "once per quarter");
        let reminder = mailbox.wait_for("bien-tap@example.vn", "chua-cap-nhat-quy-4");
        assert_eq!(reminder["subject"], "[Kho] Nhắc cập nhật dữ liệu quý 2026Q4: hạn 2027-01-16");
        assert!(!reminder["body"].as_str().unwrap_or_default().contains("da-cap-nhat-quy-4"), "{reminder}");
        // The operator is told once when the People's Committee summary is due (25 December).
        assert_eq!(queue_due(&app.services, day("2026-12-21")).expect("queue"), 1, "{engine:?}");
        assert_eq!(queue_due(&app.services, day("2026-12-22")).expect("queue"), 0);
        let summary = mailbox.wait_for("accadmin@example.org", "/ckan-admin/reports/summary?quarter=2026Q4");
        assert_eq!(summary["subject"], "[Kho] Báo cáo quý 2026Q4 gửi UBND tỉnh: hạn 2026-12-25");
    }
}
