//! The module rules that keep one write path and the store/index boundary: checked on the
//! source, so a new writer (a page, a harvest job, a workflow) cannot skip the unit of work.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// Returns the files under `src/` (relative paths) whose code, comments aside, contains `needle`.
fn files_using(needle: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut using: Vec<String> = files
        .into_iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).expect("source");
            text.lines().any(|line| !line.trim_start().starts_with("//") && line.contains(needle))
        })
        .map(|path| path.strip_prefix(root).expect("under root").to_string_lossy().replace('\\', "/"))
        .collect();
    using.sort();
    using
}

#[test]
fn only_the_units_of_work_write_the_change_log() {
    assert_eq!(
        files_using("changes::append("),
        [
            "src/actions/group/mod.rs",    // organisations and groups
            "src/actions/package/unit.rs", // datasets
            "src/feed/mod.rs",             // `kho search verify --repair` asks for a re-index
            "src/store/new_dataset.rs",    // a new dataset, stored whole
        ]
    );
}

#[test]
fn only_the_dataset_unit_of_work_writes_dataset_rows() {
    for write in ["packages::update(", "packages::purge(", "packages::rename("] {
        assert_eq!(files_using(write), ["src/actions/package/unit.rs"], "{write}");
    }
}

#[test]
fn harvest_jobs_write_only_through_actions() {
    for write in ["store.write(", "diesel::", "store::harvest::insert", "packages::"] {
        let writing: Vec<String> =
            files_using(write).into_iter().filter(|file| file.starts_with("src/harvest/")).collect();
        assert!(
            writing.is_empty() || (write == "packages::" && writing == ["src/harvest/command.rs"]),
            "{write}: {writing:?}"
        );
    }
}

#[test]
fn search_and_store_never_reach_up_into_actions() {
    for module in ["src/search/", "src/store/"] {
        let reaching: Vec<String> =
            files_using("crate::actions").into_iter().filter(|file| file.starts_with(module)).collect();
        assert!(reaching.is_empty(), "{reaching:?}");
    }
    let search_reading_store: Vec<String> =
        files_using("crate::store").into_iter().filter(|file| file.starts_with("src/search/")).collect();
    assert!(search_reading_store.is_empty(), "the feed is where store and search meet: {search_reading_store:?}");
}
