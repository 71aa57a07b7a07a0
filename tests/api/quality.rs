//! Metadata quality along the MQA dimensions, from Kho's own DCAT-AP mapping, on both engines:
//! a well-described dataset scores above a bare one, dimension by dimension as the weights
//! say; a department's average counts only what the caller may see; the operator's annual
//! evaluation (API, page and CSV) is for sysadmins only.

use serde_json::{Value, json};

use crate::helpers::{engines, spawn_app};
use crate::publishing::Browser;

fn dimension(quality: &Value, name: &str) -> u64 {
    quality["dimensions"][name]["score"].as_u64().expect("score")
}

#[test]
fn metadata_quality_is_scored_per_dataset_and_department_and_evaluated_yearly() {
    for engine in engines() {
        let app = spawn_app(engine);
        app.organization("so-y-te", "Sở Y tế");
        app.sysadmin("group_create", json!({"name": "y-te", "title": "Y tế"})).result();
        let rich = json!({
            "name": "day-du", "title": "Cơ sở y tế", "notes": "Danh sách cơ sở y tế", "owner_org": "so-y-te",
            "license_id": "cc-by", "maintainer": "Phòng dữ liệu", "maintainer_email": "du-lieu@soyte.gov.vn",
            "tags": [{"name": "y tế"}], "groups": [{"name": "y-te"}],
            "extras": [{"key": "thoi_gian_bat_dau", "value": "2025-01-01"}, {"key": "thoi_gian_ket_thuc", "value": "2025-12-31"}],
            "resources": [
                {"name": "Bảng CSV", "url": "https://soyte.gov.vn/co-so.csv", "format": "CSV", "size": 1200},
                {"name": "Bảng Excel", "url": "https://soyte.gov.vn/co-so.xlsx", "format": "XLSX"},
            ],
        });
        app.sysadmin("package_create", rich).result();
        app.sysadmin("package_create", json!({"name": "so-sai", "title": "Sơ sài", "owner_org": "so-y-te"})).result();
        app.sysadmin(
            "package_create",
            json!({"name": "noi-bo", "title": "Nội bộ", "owner_org": "so-y-te", "private": true}),
        )
        .result();

        let good = app.get("quality_show", None, &[("id", "day-du")]);
        let good = good.result().clone();
        let bare = app.get("quality_show", None, &[("id", "so-sai")]).result().clone();
        assert_eq!(good["max"], 405);
        // Keywords, a theme, spatial and temporal coverage: every findability point.
        assert_eq!(dimension(&good, "findability"), 100, "{engine:?} {good}");
        // Without keywords, theme or period, only the spatial coverage (Viet Nam by default).
        assert_eq!(dimension(&bare, "findability"), 20, "{bare}");
        // Every distribution has an access and a download URL; a bare dataset has none.
        assert_eq!(dimension(&good, "accessibility"), 100);
        assert_eq!(dimension(&bare, "accessibility"), 0);
        // CSV is open and machine-readable, XLSX machine-readable only: half the open points.
        assert!(dimension(&good, "interoperability") > dimension(&bare, "interoperability"), "{good} {bare}");
        assert!(dimension(&good, "reusability") > dimension(&bare, "reusability"));
        let total = |q: &Value| q["score"].as_u64().expect("total");
        assert!(total(&good) > total(&bare));
        let sum: u64 = ["findability", "accessibility", "interoperability", "reusability", "contextuality"]
            .iter()
            .map(|d| dimension(&good, d))
            .sum();
        assert_eq!(total(&good), sum, "the total is the dimensions' sum");
        let rating = match total(&good) {
            351.. => "excellent",
            221..=350 => "good",
            121..=220 => "sufficient",
            _ => "bad",
        };
        assert_eq!(good["rating"], rating);

        // Private data stays private: the dataset and the department's average.
        app.get("quality_show", None, &[("id", "noi-bo")]).error(403, "Authorization Error");
        let public = app.get("organization_quality_show", None, &[("id", "so-y-te")]);
        assert_eq!(public.result()["datasets"], 2, "{engine:?}");
        assert_eq!(public.result()["score"], (total(&good) + total(&bare)).div_ceil(2), "the average, rounded");
        let all = app.get("organization_quality_show", Some(&app.sysadmin_token), &[("id", "so-y-te")]);
        assert_eq!(all.result()["datasets"], 3);

        // The annual evaluation: sysadmins only; each department with its quality and updates.
        let (_, user) = app.user("nguoi-dung");
        app.get("annual_evaluation_report", Some(&user), &[("year", "2026")]).error(403, "Authorization Error");
        app.get("annual_evaluation_report", Some(&app.sysadmin_token), &[("year", "hai nghìn")])
            .error(409, "Validation Error");
        let report = app.get("annual_evaluation_report", Some(&app.sysadmin_token), &[("year", "2026")]);
        assert_eq!(report.result()["due"], "2026-12-31");
        let department = report.result()["departments"]
            .as_array()
            .expect("list")
            .iter()
            .find(|d| d["organization"] == "so-y-te")
            .cloned()
            .expect("the department");
        assert_eq!(department["datasets"], 3);
        assert_eq!(department["quarters"].as_array().map(Vec::len), Some(4));

        // The pages: the dataset's and department's scores, the operator's report and CSV.
        let page = app.send(|c| c.get(format!("{}/dataset/day-du", app.base))).text();
        assert!(page.contains(&format!("data-testid=\"quality-score\">{}/405", total(&good))), "{engine:?}");
        let org = app.send(|c| c.get(format!("{}/organization/so-y-te", app.base))).text();
        assert!(org.contains("data-testid=\"quality\""));
        let operator = Browser::sign_in(&app, "accadmin");
        let evaluation = operator.get("/ckan-admin/reports/evaluation?year=2026");
        assert_eq!(evaluation.status, 200);
        assert!(evaluation.body.contains("Sở Y tế"));
        let csv = operator.get("/ckan-admin/reports/evaluation.csv?year=2026");
        assert!(
            csv.body.starts_with("year,organization,title,datasets,quality,quality_rating,findability"),
            "{}",
            csv.body
        );
        assert!(csv.body.lines().any(|l| l.starts_with("2026,so-y-te,Sở Y tế,3,")), "{}", csv.body);
        let (status, media, bytes) = operator.download("/ckan-admin/reports/evaluation.xlsx?year=2026");
        assert_eq!((status, media.as_str()), (200, kho::tabular::XLSX_MEDIA_TYPE));
        let mut workbook: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("a workbook calamine reads");
        use calamine::Reader;
        let sheet = workbook.worksheet_range("2026").expect("the year's sheet");
        let row = sheet.rows().find(|r| r.get(1).is_some_and(|c| *c == "so-y-te")).expect("the department");
        assert_eq!(row.get(2).map(ToString::to_string).as_deref(), Some("Sở Y tế"));
        assert_eq!(row.get(3), Some(&calamine::Data::Float(3.0)), "counts are numbers");
        let (status, _, _) = operator.download("/ckan-admin/reports/updates.xlsx?quarter=2026Q4");
        assert_eq!(status, 200);
        assert_eq!(Browser::sign_in(&app, "nguoi-dung").get("/ckan-admin/reports/evaluation").status, 403);
        assert_eq!(Browser::sign_in(&app, "nguoi-dung").download("/ckan-admin/reports/evaluation.xlsx").0, 403);
    }
}
