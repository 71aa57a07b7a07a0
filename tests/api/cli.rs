//! The `kho` command line, run as a real process.

use std::process::Command;

fn kho(data_dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kho"))
        .args(["--data-dir", data_dir.to_str().unwrap()])
        .args(args)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run kho")
}

#[test]
fn migrate_user_add_and_token_create_work_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let migrate = kho(dir.path(), &["migrate"]);
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite")).unwrap().count();
    assert_eq!(String::from_utf8_lossy(&migrate.stdout).trim(), format!("migrations applied: {migrations}"));
    assert!(dir.path().join("kho.sqlite3").exists(), "--data-dir holds the SQLite store");
    let again = kho(dir.path(), &["migrate"]);
    assert_eq!(String::from_utf8_lossy(&again.stdout).trim(), "migrations applied: 0");
    let add = kho(
        dir.path(),
        &["user", "add", "quan-tri", "--email", "qt@example.vn", "--password", "MatKhau-2024!", "--sysadmin"],
    );
    assert!(add.status.success(), "{}", String::from_utf8_lossy(&add.stderr));
    let duplicate =
        kho(dir.path(), &["user", "add", "quan-tri", "--email", "khac@example.vn", "--password", "MatKhau-2024!"]);
    assert!(!duplicate.status.success());
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("The username is already associated"));
    let token = kho(dir.path(), &["token", "create", "quan-tri", "--name", "kich-ban"]);
    assert!(token.status.success());
    let printed = String::from_utf8(token.stdout).unwrap();
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 1, "the token alone on stdout: {printed:?}");
    assert_eq!(lines[0].split('.').count(), 3, "a JWT");
}

#[test]
fn help_lists_the_commands() {
    let output = Command::new(env!("CARGO_BIN_EXE_kho")).arg("--help").output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    for command in ["serve", "migrate", "user", "token", "--data-dir"] {
        assert!(text.contains(command), "{command} missing from --help");
    }
}

#[test]
fn demo_load_builds_a_vietnamese_portal_and_adds_generated_datasets() {
    let dir = tempfile::tempdir().unwrap();
    let load = kho(dir.path(), &["demo", "load"]);
    assert!(load.status.success(), "{}", String::from_utf8_lossy(&load.stderr));
    let more = kho(dir.path(), &["demo", "load", "--datasets", "25"]);
    assert!(more.status.success(), "{}", String::from_utf8_lossy(&more.stderr));
    assert!(String::from_utf8_lossy(&more.stderr).contains("25/25"), "a progress line with the count");
    let config = kho::config::Config { data_dir: dir.path().to_path_buf(), ..Default::default() };
    let services = kho::app::services(config).unwrap();
    // Listings and their counts come from the search index: bring it up to date first, as
    // `kho serve` does when it starts.
    kho::feed::Indexer::start(&services).unwrap();
    let call = |name: &str, params: serde_json::Value| {
        kho::actions::call_by_name(&services, kho::auth::Caller::system(), name, params).unwrap()
    };
    let organizations = call("organization_list", serde_json::json!({"all_fields": true, "limit": 25}));
    let organizations = organizations.as_array().unwrap();
    assert!(organizations.len() >= 10);
    assert!(organizations.iter().any(|o| o["title"] == "Sở Khoa học và Công nghệ"));
    let total: i64 = organizations.iter().map(|o| o["package_count"].as_i64().unwrap()).sum();
    assert_eq!(total, 330 + 25, "sysadmin counts include private datasets");
    let public = call("package_list", serde_json::json!({})).as_array().unwrap().len();
    assert!(public < 355 && public > 250, "some datasets are private: {public} public");
    let groups = call("group_list", serde_json::json!({}));
    assert!(groups.as_array().unwrap().len() >= 12);
    let newest = call("current_package_list_with_resources", serde_json::json!({"limit": 1000}));
    let datasets = newest.as_array().unwrap();
    let modified: std::collections::HashSet<&str> =
        datasets.iter().map(|d| &d["metadata_modified"].as_str().unwrap()[..7]).collect();
    assert!(modified.len() >= 9, "spread over several quarters: {modified:?}");
    // One to four generated resources, and an uploaded file on the first public datasets.
    assert!(datasets.iter().all(|d| (1..=5).contains(&d["num_resources"].as_i64().unwrap())));
    let uploads = datasets
        .iter()
        .flat_map(|d| d["resources"].as_array().unwrap())
        .filter(|r| r["url_type"] == serde_json::json!("upload"))
        .count();
    assert_eq!(uploads, 6, "CSV in three encodings, XLSX, ODS and JSON");
    let provincial: Vec<&serde_json::Value> = datasets.iter().filter(|d| d["type"] == "vn-dataset").collect();
    assert!(provincial.len() > 100, "a third of the demo uses the provincial schema");
    assert!(provincial.iter().all(|d| d["muc_tieu"].is_string() && d["pham_vi_khong_gian"].is_string()));
}

/// Starts `kho serve` on a free port; returns the process and its base URL once it answers.
fn serve(data_dir: &std::path::Path) -> (std::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(env!("CARGO_BIN_EXE_kho"))
        .args(["--data-dir", data_dir.to_str().unwrap(), "serve", "--bind", &format!("127.0.0.1:{port}")])
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start kho serve");
    let base = format!("http://127.0.0.1:{port}");
    let mut child = child;
    for _ in 0..300 {
        if reqwest::blocking::get(format!("{base}/api/3/action/status_show")).is_ok() {
            return (child, base);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().ok();
    child.wait().ok();
    panic!("kho serve did not start");
}

#[test]
fn the_index_catches_up_after_a_crash_and_rebuilds_from_the_store() {
    const STREAM: usize = 1_000_000;
    let dir = tempfile::tempdir().unwrap();
    assert!(
        kho(dir.path(), &["user", "add", "quan-tri", "--email", "a@b.vn", "--password", "MatKhau-2024!", "--sysadmin"])
            .status
            .success()
    );
    let token = String::from_utf8(kho(dir.path(), &["token", "create", "quan-tri"]).stdout).unwrap().trim().to_string();
    let client = reqwest::blocking::Client::new();
    let call = |base: &str, action: &str, body: serde_json::Value| -> serde_json::Value {
        client
            .post(format!("{base}/api/3/action/{action}"))
            .header("Authorization", &token)
            .json(&body)
            .send()
            .and_then(|r| r.json())
            .unwrap_or(serde_json::Value::Null)
    };
    let (mut server, base) = serve(dir.path());
    call(&base, "organization_create", serde_json::json!({"name": "so-xay-dung", "title": "Sở Xây dựng"}));
    // Writes keep arriving while the server is killed.
    let writer = {
        let (base, token) = (base.clone(), token.clone());
        std::thread::spawn(move || {
            let client = reqwest::blocking::Client::new();
            // Far more than fit in the time before the kill, however fast the server is.
            for i in 0..STREAM {
                let sent = client
                    .post(format!("{base}/api/3/action/package_create"))
                    .header("Authorization", &token)
                    .json(&serde_json::json!({"name": format!("cong-trinh-{i}"), "title": format!("Công trình {i}"), "owner_org": "so-xay-dung"}))
                    .send();
                if sent.is_err() {
                    return i;
                }
            }
            STREAM
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(1500));
    server.kill().unwrap();
    server.wait().unwrap();
    let sent = writer.join().unwrap();
    assert!(sent > 0 && sent < STREAM, "the server died mid-stream ({sent} requests sent)");
    // More changes while no server runs: the store's change log has them, the index not.
    {
        let config = kho::config::Config { data_dir: dir.path().to_path_buf(), ..Default::default() };
        let services = kho::app::services(config).unwrap();
        for i in 0..5 {
            kho::actions::call_by_name(
                &services,
                kho::auth::Caller::system(),
                "package_create",
                serde_json::json!({"name": format!("ngoai-tuyen-{i}"), "owner_org": "so-xay-dung"}),
            )
            .unwrap();
        }
    }
    let (mut server, base) = serve(dir.path());
    let stored = call(&base, "package_list", serde_json::json!({}))["result"].as_array().unwrap().len();
    let found = call(&base, "package_search", serde_json::json!({"rows": 0}))["result"]["count"].as_u64().unwrap();
    assert_eq!(found as usize, stored, "the index caught up with the store");
    assert!(stored >= 6);
    server.kill().unwrap();
    server.wait().unwrap();
    let rebuild = kho(dir.path(), &["search", "rebuild"]);
    assert!(rebuild.status.success(), "{}", String::from_utf8_lossy(&rebuild.stderr));
    let said = String::from_utf8_lossy(&rebuild.stdout);
    assert!(said.contains(&format!("indexed {stored} datasets")), "{said}");
    assert!(String::from_utf8_lossy(&rebuild.stderr).contains("/s)"), "progress with a rate");
    let (mut server, base) = serve(dir.path());
    let found = call(&base, "package_search", serde_json::json!({"rows": 0}))["result"]["count"].as_u64().unwrap();
    assert_eq!(found as usize, stored);
    server.kill().unwrap();
    server.wait().unwrap();
}

#[test]
fn search_verify_reports_what_the_index_missed_and_repair_fixes_it() {
    use diesel::{Connection, RunQueryDsl};
    let dir = tempfile::tempdir().unwrap();
    assert!(kho(dir.path(), &["demo", "load"]).status.success());
    assert!(kho(dir.path(), &["search", "rebuild"]).status.success());
    let clean = kho(dir.path(), &["search", "verify"]);
    assert!(clean.status.success(), "{}", String::from_utf8_lossy(&clean.stderr));
    assert_eq!(String::from_utf8_lossy(&clean.stdout), "", "no differences");

    // Changes written behind Kho's back (no change-log entry), as a restore or a manual edit would.
    let database = dir.path().join("kho.sqlite3");
    let mut conn = diesel::SqliteConnection::establish(database.to_str().unwrap()).unwrap();
    diesel::sql_query(
        "UPDATE packages SET private = 1, dict_cache = NULL WHERE id = (SELECT id FROM packages WHERE private = 0 ORDER BY id LIMIT 1)",
    )
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query(
        "UPDATE packages SET metadata_modified = '2020-01-01 00:00:00', dict_cache = NULL WHERE id = (SELECT id FROM packages ORDER BY id DESC LIMIT 1)",
    )
    .execute(&mut conn)
    .unwrap();
    let found = kho(dir.path(), &["search", "verify"]);
    assert!(!found.status.success(), "differences give a non-zero exit status");
    let report = String::from_utf8_lossy(&found.stdout).to_string();
    assert!(report.contains("permission_labels is \"member-"), "{report}");
    assert!(report.contains("metadata_modified is \"2020-01-01T00:00:00.000000\""), "{report}");
    assert_eq!(report.lines().count(), 2, "{report}");

    let repaired = kho(dir.path(), &["search", "verify", "--repair"]);
    assert!(repaired.status.success(), "{}", String::from_utf8_lossy(&repaired.stderr));
    let after = kho(dir.path(), &["search", "verify"]);
    assert!(after.status.success(), "{}", String::from_utf8_lossy(&after.stdout));
}

#[test]
fn the_update_report_comes_out_as_csv_xlsx_or_json() {
    let dir = tempfile::tempdir().unwrap();
    let load = kho(dir.path(), &["demo", "load", "--datasets", "30"]);
    assert!(load.status.success(), "{}", String::from_utf8_lossy(&load.stderr));
    let csv = kho(dir.path(), &["report", "updates", "--quarter", "2026Q4"]);
    assert!(csv.status.success(), "{}", String::from_utf8_lossy(&csv.stderr));
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert!(csv.starts_with("quarter,organization,dataset,title,frequency,updated,status\n"), "{csv}");
    let lines = csv.lines().count();
    assert!(lines > 1, "the demo owes updates in 2026Q4: {csv}");
    let xlsx = kho(dir.path(), &["report", "updates", "--quarter", "2026Q4", "--format", "xlsx"]);
    assert!(xlsx.status.success(), "{}", String::from_utf8_lossy(&xlsx.stderr));
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.stdout)).unwrap();
    let sheet = workbook.worksheet_range("2026Q4").unwrap();
    assert_eq!(sheet.rows().count(), lines, "the same rows as the CSV");
    let json = kho(dir.path(), &["report", "updates", "--quarter", "2026Q4", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["quarter"], "2026Q4");
    let bad = kho(dir.path(), &["report", "updates", "--quarter", "2026Q4", "--format", "pdf"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("csv, xlsx or json"));
}
