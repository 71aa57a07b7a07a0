//! Uploaded resource files on local disk, under `<data_dir>/resources/` in CKAN's layout
//! (`abc/def/ghijkl…` from the resource id).

use std::path::{Path, PathBuf};

/// Returns where a resource's file lives.
pub fn path(data_dir: &Path, resource_id: &str) -> Option<PathBuf> {
    let clean: String = resource_id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    if clean.len() != resource_id.len() || clean.len() < 7 {
        return None;
    }
    let (first, rest) = clean.split_at(3);
    let (second, last) = rest.split_at(3);
    Some(data_dir.join("resources").join(first).join(second).join(last))
}

/// Stores a resource's file, replacing any earlier one.
pub fn save(data_dir: &Path, resource_id: &str, bytes: &[u8]) -> std::io::Result<()> {
    let target = path(data_dir, resource_id).ok_or_else(|| std::io::Error::other("bad resource id"))?;
    write_atomically(&target, bytes)
}

/// Writes a file under the resources folder whole or not at all: a temporary file of its own
/// (two writers never share one), synced, then renamed; removed when anything fails.
pub fn write_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut temporary = target.as_os_str().to_os_string();
    temporary.push(format!(".{}.part", uuid::Uuid::new_v4().simple()));
    let temporary = std::path::PathBuf::from(temporary);
    let written = std::fs::File::create(&temporary)
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_all()))
        .and_then(|()| std::fs::rename(&temporary, target));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// Returns a file name safe to put in a URL, as CKAN's `munge_filename` does.
pub fn munge_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let munged: String = base
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c.to_ascii_lowercase() } else { '-' })
        .collect();
    let munged = munged.trim_matches('-').to_string();
    let limited: String = munged.chars().rev().take(100).collect::<Vec<_>>().into_iter().rev().collect();
    if limited.is_empty() { "upload".into() } else { limited }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_spread_by_id_and_ids_cannot_escape_the_folder() {
        let root = Path::new("/srv/kho");
        assert_eq!(path(root, "0a1b2c3d-0000").unwrap(), Path::new("/srv/kho/resources/0a1/b2c/3d-0000"));
        assert!(path(root, "../../etc/passwd").is_none());
    }

    #[test]
    fn file_names_are_munged() {
        assert_eq!(munge_filename("C:\\tmp\\Báo cáo 2024.CSV"), "b-o-c-o-2024.csv");
        assert_eq!(munge_filename("bao-cao.csv"), "bao-cao.csv");
    }
}
