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
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .count();
    assert_eq!(
        String::from_utf8_lossy(&migrate.stdout).trim(),
        format!("migrations applied: {migrations}")
    );
    assert!(
        dir.path().join("kho.sqlite3").exists(),
        "--data-dir holds the SQLite store"
    );
    let again = kho(dir.path(), &["migrate"]);
    assert_eq!(
        String::from_utf8_lossy(&again.stdout).trim(),
        "migrations applied: 0"
    );
    let add = kho(
        dir.path(),
        &[
            "user",
            "add",
            "quan-tri",
            "--email",
            "qt@example.vn",
            "--password",
            "MatKhau-2024!",
            "--sysadmin",
        ],
    );
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let duplicate = kho(
        dir.path(),
        &[
            "user",
            "add",
            "quan-tri",
            "--email",
            "khac@example.vn",
            "--password",
            "MatKhau-2024!",
        ],
    );
    assert!(!duplicate.status.success());
    assert!(
        String::from_utf8_lossy(&duplicate.stderr).contains("The username is already associated")
    );
    let token = kho(
        dir.path(),
        &["token", "create", "quan-tri", "--name", "kich-ban"],
    );
    assert!(token.status.success());
    let printed = String::from_utf8(token.stdout).unwrap();
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 1, "the token alone on stdout: {printed:?}");
    assert_eq!(lines[0].split('.').count(), 3, "a JWT");
}

#[test]
fn help_lists_the_commands() {
    let output = Command::new(env!("CARGO_BIN_EXE_kho"))
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    for command in ["serve", "migrate", "user", "token", "--data-dir"] {
        assert!(text.contains(command), "{command} missing from --help");
    }
}
