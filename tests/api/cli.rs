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
    let services = kho::actions::Services::open(config).unwrap();
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
    assert!(datasets.iter().all(|d| (1..=4).contains(&d["num_resources"].as_i64().unwrap())));
    let provincial: Vec<&serde_json::Value> = datasets.iter().filter(|d| d["type"] == "vn-dataset").collect();
    assert!(provincial.len() > 100, "a third of the demo uses the provincial schema");
    assert!(provincial.iter().all(|d| d["muc_tieu"].is_string() && d["pham_vi_khong_gian"].is_string()));
}
