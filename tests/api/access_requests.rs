//! Access (connection) requests on both engines: one agency's account asks, the owning
//! department approves or refuses, the operator issues a scoped token that reads exactly the
//! requested datasets until it expires; a third account sees none of it; every step is mailed
//! to a real SMTP server on loopback and recorded in the activity stream.

use chrono::Duration;
use kho::workflows::Calendar;
use serde_json::{Value, json};

use crate::helpers::{TestApp, engines, spawn_app_with};
use crate::mailbox::{Mailbox, send_to};

fn dataset(app: &TestApp, token: &str, name: &str, org: &str, private: bool) -> String {
    let created = app.post(
        "package_create",
        Some(token),
        json!({"name": name, "title": format!("Dữ liệu {name}"), "owner_org": org, "private": private}),
    );
    created.result()["id"].as_str().expect("id").to_string()
}

fn show(app: &TestApp, token: &str, name: &str) -> u16 {
    app.get("package_show", Some(token), &[("id", name)]).status
}

#[test]
fn an_access_request_goes_from_agency_to_department_to_operator_and_its_token_reads_only_its_datasets() {
    for engine in engines() {
        let mailbox = Mailbox::start();
        let app = spawn_app_with(engine, |c| send_to(c, &mailbox));
        app.organization("so-tai-chinh", "Sở Tài chính");
        app.organization("so-y-te", "Sở Y tế");
        let (_, department) = app.user("bien-tap");
        let (_, requester) = app.user("can-bo-y-te");
        let (_, outsider) = app.user("nguoi-ngoai");
        app.add_member("organization_member_create", "so-tai-chinh", "bien-tap", "editor");
        app.add_member("organization_member_create", "so-y-te", "can-bo-y-te", "editor");
        let budget = dataset(&app, &department, "ngan-sach", "so-tai-chinh", true);
        dataset(&app, &department, "thu-chi", "so-tai-chinh", true);
        dataset(&app, &department, "luong", "so-tai-chinh", true);
        dataset(&app, &requester, "benh-vien", "so-y-te", false);

        // Validation and permissions of the request itself.
        let request = json!({"package_ids": ["ngan-sach", "thu-chi"], "purpose": "Lập kế hoạch y tế",
                             "legal_basis": "Nghị định 47/2020/NĐ-CP"});
        app.post("access_request_create", None, request.clone()).error(403, "Authorization Error");
        let errors =
            app.post("access_request_create", Some(&requester), json!({"package_ids": ["ngan-sach", "benh-vien"]}));
        let errors = errors.error(409, "Validation Error");
        assert_eq!(errors["package_ids"][0], "The datasets of one request must belong to one department", "{engine:?}");
        assert_eq!(errors["purpose"][0], "Missing value");
        assert_eq!(errors["legal_basis"][0], "Missing value");
        let unknown = json!({"package_ids": "khong-co", "purpose": "x", "legal_basis": "y"});
        let unknown = app.post("access_request_create", Some(&requester), unknown);
        assert_eq!(unknown.error(409, "Validation Error")["package_ids"][0], "Dataset khong-co not found");

        let created = app.post("access_request_create", Some(&requester), request);
        let request = created.result().clone();
        let id = request["id"].as_str().expect("id").to_string();
        assert_eq!(request["state"], "pending");
        assert_eq!(request["organization"]["name"], "so-tai-chinh");
        // The requester may not read the private datasets: names only, no titles.
        assert_eq!(request["datasets"][0], json!({"id": budget, "name": "ngan-sach"}));
        assert!(request.get("token").is_none());

        // The third account sees nothing; the department and the operator see it.
        app.get("access_request_show", Some(&outsider), &[("id", &id)]).error(403, "Authorization Error");
        assert_eq!(app.get("access_request_list", Some(&outsider), &[]).result(), &json!([]));
        let listed = app.get("access_request_list", Some(&department), &[]);
        assert_eq!(listed.result().as_array().map(Vec::len), Some(1), "{engine:?}");
        assert_eq!(listed.result()[0]["datasets"][0]["title"], "Dữ liệu ngan-sach", "the department sees titles");
        assert_eq!(
            app.get("access_request_list", Some(&app.sysadmin_token), &[("state", "pending")])
                .result()
                .as_array()
                .map(Vec::len),
            Some(1)
        );

        // Only the department approves; the operator issues only after approval.
        for token in [&outsider, &requester] {
            app.post("access_request_approve", Some(token), json!({"id": id})).error(403, "Authorization Error");
        }
        let early = app.post("access_request_issue", Some(&app.sysadmin_token), json!({"id": id}));
        assert_eq!(early.error(409, "Validation Error")["id"][0], "This access request is pending");
        let approved = app.post("access_request_approve", Some(&department), json!({"id": id}));
        let today = Calendar::local(chrono::Utc::now().naive_utc()).date();
        let due = Calendar::built_in().add_working_days(today, 2);
        assert_eq!(approved.result()["state"], "approved");
        assert_eq!(approved.result()["issue_due"], due.to_string(), "2 working days by default");
        assert_eq!(approved.result()["issue_overdue"], false);
        app.post("access_request_issue", Some(&department), json!({"id": id})).error(403, "Authorization Error");
        let past = json!({"id": id, "expires": "2020-01-01"});
        assert_eq!(
            app.post("access_request_issue", Some(&app.sysadmin_token), past).error(409, "Validation Error")["expires"]
                [0],
            "The expiry must be in the future"
        );
        // Past its due day (moved back in the store, as time would), it is flagged overdue on
        // the request and on the operator's dashboard.
        {
            use diesel::RunQueryDsl;
            let sql = format!("UPDATE access_requests SET issue_due = '2020-01-02' WHERE id = '{id}'");
            app.services
                .store
                .write(|tx| diesel::sql_query(sql).execute(tx).map_err(kho::store::StoreError::Database))
                .expect("backdate");
        }
        assert_eq!(app.get("access_request_show", Some(&department), &[("id", &id)]).result()["issue_overdue"], true);
        let dashboard = crate::publishing::Browser::sign_in(&app, "accadmin").get("/dashboard").body;
        assert!(dashboard.contains("data-testid=\"access-overdue-dashboard\""), "{engine:?}");
        // A token that works for a few seconds, to see it stop.
        let soon = Calendar::local(chrono::Utc::now().naive_utc()) + Duration::seconds(6);
        let issued = json!({"id": id, "expires": soon.format("%Y-%m-%dT%H:%M:%S").to_string()});
        let issued = app.post("access_request_issue", Some(&app.sysadmin_token), issued);
        assert_eq!(issued.result()["state"], "issued");
        assert!(issued.result().get("token").is_none(), "the operator does not see the holder's token");
        assert!(app.get("access_request_show", Some(&department), &[("id", &id)]).result().get("token").is_none());
        let mine = app.get("access_request_show", Some(&requester), &[("id", &id)]);
        let scoped = mine.result()["token"].as_str().expect("the holder reads the token").to_string();

        // The scoped token reads exactly its datasets, and writes nothing.
        assert_eq!(show(&app, &scoped, "ngan-sach"), 200, "{engine:?}");
        assert_eq!(show(&app, &scoped, "thu-chi"), 200);
        assert_eq!(show(&app, &scoped, "luong"), 403, "not requested");
        assert_eq!(show(&app, &requester, "ngan-sach"), 403, "the holder's own token does not read them");
        let update = json!({"id": "ngan-sach", "title": "Sửa"});
        app.post("package_patch", Some(&scoped), update).error(403, "Authorization Error");
        let searched = app.get("package_search", Some(&scoped), &[("q", "*:*"), ("include_private", "true")]);
        assert_eq!(searched.result()["count"], 1, "search stays public: {:?}", searched.result());
        let tokens = app.get("api_token_list", Some(&requester), &[("user_id", "can-bo-y-te")]);
        let connection =
            tokens.result().as_array().expect("list").iter().find(|t| t.get("package_ids").is_some()).cloned();
        assert_eq!(connection.expect("listed")["package_ids"].as_array().map(Vec::len), Some(2));
        // … and nothing after it expires.
        std::thread::sleep(std::time::Duration::from_secs(7));
        assert_eq!(show(&app, &scoped, "ngan-sach"), 403, "{engine:?}: expired");
        assert!(app.get("access_request_show", Some(&requester), &[("id", &id)]).result().get("token").is_none());

        // A second request: issued, then revoked, which stops its token at once.
        let second = json!({"package_ids": "luong", "purpose": "Đối chiếu", "legal_basis": "Quyết định 01/2025"});
        let second = app.post("access_request_create", Some(&requester), second).result()["id"]
            .as_str()
            .expect("id")
            .to_string();
        app.post("access_request_approve", Some(&department), json!({"id": second})).result();
        app.post("access_request_issue", Some(&app.sysadmin_token), json!({"id": second})).result();
        let token = app.get("access_request_show", Some(&requester), &[("id", &second)]).result()["token"]
            .as_str()
            .expect("token")
            .to_string();
        assert_eq!(show(&app, &token, "luong"), 200);
        app.post("access_request_revoke", Some(&outsider), json!({"id": second})).error(403, "Authorization Error");
        assert_eq!(
            app.post("access_request_revoke", Some(&department), json!({"id": second})).result()["state"],
            "revoked"
        );
        assert_eq!(show(&app, &token, "luong"), 403);

        // A refusal states its reasons.
        let third = json!({"package_ids": ["thu-chi"], "purpose": "Khác", "legal_basis": "Không rõ"});
        let third =
            app.post("access_request_create", Some(&requester), third).result()["id"].as_str().expect("id").to_string();
        let no_reason = app.post("access_request_refuse", Some(&department), json!({"id": third}));
        assert_eq!(no_reason.error(409, "Validation Error")["reason"][0], "Missing value");
        let reason = "Chưa có văn bản đề nghị của lãnh đạo đơn vị";
        let refused = app.post("access_request_refuse", Some(&department), json!({"id": third, "reason": reason}));
        assert_eq!(refused.result()["state"], "refused");
        let seen = app.get("access_request_show", Some(&requester), &[("id", &third)]);
        assert_eq!(seen.result()["refusal_reason"], reason);
        app.post("access_request_withdraw", Some(&requester), json!({"id": third})).error(409, "Validation Error");

        // The activity stream: the department and the requester see the steps, others not.
        let stream = |token: Option<&str>| -> Vec<Value> {
            let listed = app.get("organization_activity_list", token, &[("id", "so-tai-chinh"), ("limit", "100")]);
            listed
                .result()
                .as_array()
                .expect("list")
                .iter()
                .filter(|a| a["activity_type"].as_str().is_some_and(|t| t.ends_with("access request")))
                .cloned()
                .collect()
        };
        assert!(stream(Some(&department)).len() >= 8, "{engine:?}: {:?}", stream(Some(&department)).len());
        assert!(stream(Some(&outsider)).is_empty(), "{engine:?}");
        assert!(stream(None).is_empty());
        let own = app.get("user_activity_list", Some(&requester), &[("id", "can-bo-y-te")]);
        assert!(own.result().as_array().expect("list").iter().any(|a| a["activity_type"] == "new access request"));
        let peeked = app.get("user_activity_list", Some(&outsider), &[("id", "can-bo-y-te")]);
        assert!(
            !peeked
                .result()
                .as_array()
                .expect("list")
                .iter()
                .any(|a| a["activity_type"].as_str().is_some_and(|t| t.contains("access")))
        );

        // Mail reached each person concerned, in Vietnamese with the request's address.
        let link = format!("/access-request/{id}");
        let to_department = mailbox.wait_for("bien-tap@example.vn", &link);
        assert_eq!(to_department["subject"], "[Kho] Yêu cầu kết nối, chia sẻ dữ liệu mới");
        assert_eq!(to_department["from"], "Cổng dữ liệu mở <noreply@kho.test>");
        mailbox.wait_for("accadmin@example.org", &format!("{due}"));
        let ready = mailbox.wait_for("can-bo-y-te@example.vn", "connection account (an API token) is ready");
        assert!(!ready["body"].as_str().unwrap_or_default().contains(&scoped), "the token is never mailed");
        mailbox.wait_for("can-bo-y-te@example.vn", reason);
        assert!(mailbox.to("nguoi-ngoai@example.vn").is_empty());
    }
}
