//! The operator's quarterly summary for the People's Committee on both engines: the previous
//! quarter's update compliance and this quarter's requests, reports and suspensions, counted
//! from the same tables as their own pages; sysadmins only; page, CSV and XLSX.

use chrono::Datelike;
use kho::workflows::Calendar;
use serde_json::json;

use crate::helpers::{engines, spawn_app};
use crate::publishing::Browser;

#[test]
fn the_quarterly_summary_counts_what_happened_in_the_quarter() {
    for engine in engines() {
        let app = spawn_app(engine);
        app.organization("so-y-te", "Sở Y tế");
        let (_, citizen) = app.user("nguoi-dan");
        let (_, editor) = app.user("bien-tap");
        app.add_member("organization_member_create", "so-y-te", "bien-tap", "editor");
        app.post(
            "package_create",
            Some(&editor),
            json!({"name": "cong-khai", "title": "Công khai", "owner_org": "so-y-te"}),
        )
        .result();
        let private = json!({"name": "noi-bo", "title": "Nội bộ", "owner_org": "so-y-te", "private": true});
        app.post("package_create", Some(&editor), private).result();
        let asked = json!({"title": "Lịch tiêm chủng", "description": "", "organization_id": "so-y-te"});
        let request =
            app.post("datarequest_create", Some(&citizen), asked).result()["id"].as_str().expect("id").to_string();
        app.post("datarequest_comment", Some(&editor), json!({"datarequest_id": request, "comment": "Đã có lịch"}))
            .result();
        let access = json!({"package_ids": ["noi-bo"], "purpose": "Đối chiếu", "legal_basis": "Nghị định 47/2020"});
        let access =
            app.post("access_request_create", Some(&citizen), access).result()["id"].as_str().expect("id").to_string();
        app.post("access_request_refuse", Some(&editor), json!({"id": access, "reason": "Không thuộc phạm vi"}))
            .result();
        let report = json!({"package_id": "cong-khai", "description": "Sai số liệu"});
        let report =
            app.post("error_report_create", Some(&citizen), report).result()["id"].as_str().expect("id").to_string();
        app.post("error_report_answer", Some(&editor), json!({"id": report, "answer": "Đã sửa", "fixed": true}))
            .result();
        let now = Calendar::local(chrono::Utc::now().naive_utc());
        let notice = json!({"title": "Sửa chữa", "reason": "Hỏng ổ đĩa", "services": "API", "emergency": true,
                            "starts_at": (now + chrono::Duration::minutes(5)).format("%Y-%m-%dT%H:%M").to_string(),
                            "ends_at": (now + chrono::Duration::minutes(65)).format("%Y-%m-%dT%H:%M").to_string()});
        app.sysadmin("maintenance_notice_create", notice).result();

        let quarter = format!("{}Q{}", now.year(), now.month0() / 3 + 1);
        app.get("quarterly_summary_report", Some(&editor), &[("quarter", &quarter)]).error(403, "Authorization Error");
        app.get("quarterly_summary_report", Some(&app.sysadmin_token), &[("quarter", "Q5")])
            .error(409, "Validation Error");
        let summary = app.get("quarterly_summary_report", Some(&app.sysadmin_token), &[("quarter", &quarter)]);
        let summary = summary.result().clone();
        assert_eq!(summary["due"], format!("{}-{:02}-25", now.year(), (now.month0() / 3 + 1) * 3), "{engine:?}");
        assert_eq!(summary["datasets"], json!({"total": 2, "private": 1, "published_in_quarter": 2}), "{engine:?}");
        assert_eq!(summary["datarequests"]["received"], 1);
        assert_eq!(summary["datarequests"]["answered"], 1);
        assert_eq!(summary["datarequests"]["answered_on_time"], 1);
        assert_eq!(summary["datarequests"]["unanswered_overdue"], 0);
        assert_eq!(summary["access_requests"]["received"], 1);
        assert_eq!(summary["access_requests"]["refused"], 1);
        assert_eq!(summary["access_requests"]["issued"], 0);
        assert_eq!(summary["error_reports"], json!({"received": 1, "answered": 1, "fixed": 1}));
        assert_eq!(summary["suspensions"], json!({"announced": 1, "emergency": 1}));
        let previous = if now.month0() < 3 {
            format!("{}Q4", now.year() - 1)
        } else {
            format!("{}Q{}", now.year(), now.month0() / 3)
        };
        assert_eq!(summary["updates"]["quarter"], previous);

        let operator = Browser::sign_in(&app, "accadmin");
        let page = operator.get(&format!("/ckan-admin/reports/summary?quarter={quarter}"));
        assert_eq!(page.status, 200);
        assert!(page.body.contains(&format!("Báo cáo tổng hợp quý {quarter}")), "{engine:?}");
        let csv = operator.get(&format!("/ckan-admin/reports/summary.csv?quarter={quarter}")).body;
        assert!(csv.starts_with("section,organization,indicator,value"));
        assert!(csv.lines().any(|l| l == "datarequests,,answered_on_time,1"), "{csv}");
        assert!(csv.lines().any(|l| l == "error_reports,,fixed,1"), "{csv}");
        let (status, media, bytes) = operator.download(&format!("/ckan-admin/reports/summary.xlsx?quarter={quarter}"));
        assert_eq!((status, media.as_str()), (200, kho::tabular::XLSX_MEDIA_TYPE));
        use calamine::Reader;
        let mut workbook: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx");
        let sheet = workbook.worksheet_range(&quarter).expect("the quarter's sheet");
        assert!(sheet.rows().any(|r| r.first().map(ToString::to_string).as_deref() == Some("access_requests")
            && r.get(2).map(ToString::to_string).as_deref() == Some("refused")
            && r.get(3) == Some(&calamine::Data::Float(1.0))));
        assert_eq!(Browser::sign_in(&app, "bien-tap").get("/ckan-admin/reports/summary").status, 403);
    }
}
