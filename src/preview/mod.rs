//! Previews of uploaded files: the first rows of a CSV, XLSX/ODS or JSON file as a table,
//! computed once when the file is uploaded and kept beside it (`<file>.preview.json`), so a
//! page never parses a file while it renders.

mod json;
mod sheet;
mod text;

use std::path::Path;

use serde::{Deserialize, Serialize};

/// Files larger than this get no preview (a CSV is read only up to [`TEXT_PREFIX`] anyway).
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// How much of a text file is decoded for its preview.
pub const TEXT_PREFIX: usize = 512 * 1024;
/// Rows and columns kept, and the longest cell text.
pub const MAX_ROWS: usize = 50;
pub const MAX_COLUMNS: usize = 30;
pub const MAX_CELL_CHARS: usize = 300;

/// The first rows of a file, ready to render as a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    /// `csv`, `xlsx`, `ods` or `json`.
    pub kind: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// More rows (or columns) exist than are shown.
    pub truncated: bool,
    /// Spreadsheets: every sheet's name; the first is shown.
    #[serde(default)]
    pub sheets: Vec<String>,
    /// CSV: the text encoding and the delimiter found.
    #[serde(default)]
    pub encoding: Option<String>,
    #[serde(default)]
    pub delimiter: Option<String>,
}

/// Why a file has no preview.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PreviewError {
    #[error("the file is larger than the preview limit")]
    TooLarge,
    #[error("the archive would expand beyond the preview limit")]
    ArchiveTooLarge,
    #[error("the file could not be read: {0}")]
    Unreadable(String),
}

/// The kinds of file that get a preview, from the resource's format or the file name.
fn kind_of(format: &str, filename: &str) -> Option<&'static str> {
    let extension = filename.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let format = format.trim().to_ascii_lowercase();
    // The file's own name first: a new upload may keep the format of the file it replaced.
    for candidate in [extension.as_str(), format.as_str()] {
        match candidate {
            "csv" | "tsv" | "text/csv" => return Some("csv"),
            "xlsx" | "xlsm" => return Some("xlsx"),
            "ods" => return Some("ods"),
            "json" | "application/json" => return Some("json"),
            _ => {}
        }
    }
    None
}

/// Builds the preview of an uploaded file; `Ok(None)` for kinds that have none.
pub fn build(bytes: &[u8], format: &str, filename: &str) -> Result<Option<Preview>, PreviewError> {
    let Some(kind) = kind_of(format, filename) else { return Ok(None) };
    if bytes.len() > MAX_FILE_BYTES {
        return Err(PreviewError::TooLarge);
    }
    let preview = match kind {
        "csv" => text::preview(bytes)?,
        "json" => json::preview(bytes)?,
        spreadsheet => sheet::preview(bytes, spreadsheet)?,
    };
    // An empty file has nothing to show.
    Ok(Some(preview).filter(|p| !p.columns.is_empty()))
}

/// Cuts a table to the kept rows, columns and cell lengths.
fn table(kind: &str, mut rows: Vec<Vec<String>>, more_rows: bool) -> Preview {
    let columns = if rows.is_empty() { Vec::new() } else { rows.remove(0) };
    let width = columns.len().max(rows.iter().map(Vec::len).max().unwrap_or(0));
    let mut truncated = more_rows || rows.len() > MAX_ROWS || width > MAX_COLUMNS;
    rows.truncate(MAX_ROWS);
    let shown = width.min(MAX_COLUMNS);
    let cell = |text: &str, truncated: &mut bool| -> String {
        let text = text.trim();
        if text.chars().count() > MAX_CELL_CHARS {
            *truncated = true;
            let mut cut: String = text.chars().take(MAX_CELL_CHARS).collect();
            cut.push('…');
            cut
        } else {
            text.to_string()
        }
    };
    let mut fit = |row: &[String]| -> Vec<String> {
        (0..shown).map(|i| row.get(i).map(|t| cell(t, &mut truncated)).unwrap_or_default()).collect()
    };
    // A column without a header is named by its number.
    let columns: Vec<String> = fit(&columns)
        .into_iter()
        .enumerate()
        .map(|(index, name)| if name.is_empty() { (index + 1).to_string() } else { name })
        .collect();
    let rows = rows.iter().map(|r| fit(r)).collect();
    Preview { kind: kind.into(), columns, rows, truncated, sheets: Vec::new(), encoding: None, delimiter: None }
}

fn sidecar(data_dir: &Path, resource_id: &str) -> Option<std::path::PathBuf> {
    let file = crate::uploads::path(data_dir, resource_id)?;
    let mut name = file.file_name()?.to_os_string();
    name.push(".preview.json");
    Some(file.with_file_name(name))
}

/// Builds and keeps the preview of a resource's uploaded file, replacing an earlier one; a
/// file without a preview removes the earlier one. Failures (a panic in a parser included)
/// only lose the preview.
pub fn refresh(data_dir: &Path, resource_id: &str, bytes: &[u8], format: &str, filename: &str) {
    let Some(path) = sidecar(data_dir, resource_id) else { return };
    let outcome = std::panic::catch_unwind(|| build(bytes, format, filename))
        .unwrap_or_else(|_| Err(PreviewError::Unreadable("the parser failed".into())));
    match outcome {
        Ok(Some(preview)) => {
            let written = serde_json::to_vec(&preview)
                .map_err(std::io::Error::other)
                .and_then(|text| crate::uploads::write_atomically(&path, &text));
            if let Err(error) = written {
                tracing::warn!(resource = resource_id, %error, "could not keep a preview");
                let _ = std::fs::remove_file(&path);
            }
        }
        Ok(None) => {
            let _ = std::fs::remove_file(&path);
        }
        Err(error) => {
            tracing::info!(resource = resource_id, %error, "no preview");
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Returns the kept preview of a resource's uploaded file, if it has one.
pub fn load(data_dir: &Path, resource_id: &str) -> Option<Preview> {
    let text = std::fs::read(sidecar(data_dir, resource_id)?).ok()?;
    serde_json::from_slice(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_format_or_the_file_name() {
        assert_eq!(kind_of("CSV", "x.bin"), Some("csv"));
        assert_eq!(kind_of("", "bao-cao.XLSX"), Some("xlsx"));
        assert_eq!(kind_of("PDF", "x.pdf"), None);
    }

    #[test]
    fn tables_are_cut_to_the_limits() {
        let rows: Vec<Vec<String>> =
            (0..MAX_ROWS + 5).map(|i| (0..MAX_COLUMNS + 3).map(|j| format!("{i}-{j}")).collect()).collect();
        let preview = table("csv", rows, false);
        assert_eq!(preview.columns.len(), MAX_COLUMNS);
        assert_eq!(preview.rows.len(), MAX_ROWS);
        assert!(preview.truncated);
        let long = table("csv", vec![vec!["a".into()], vec!["x".repeat(MAX_CELL_CHARS + 10)]], false);
        assert_eq!(long.rows[0][0].chars().count(), MAX_CELL_CHARS + 1);
    }

    #[test]
    fn previews_are_kept_beside_the_file_and_removed_with_a_new_file_without_one() {
        let folder = tempfile::tempdir().unwrap();
        let id = "0a1b2c3d-4e5f-6789-abcd-ef0123456789";
        refresh(folder.path(), id, b"a,b\n1,2\n", "CSV", "x.csv");
        let preview = load(folder.path(), id).unwrap();
        assert_eq!(preview.columns, vec!["a", "b"]);
        assert_eq!(preview.rows, vec![vec!["1", "2"]]);
        refresh(folder.path(), id, b"%PDF-1.4", "PDF", "x.pdf");
        assert!(load(folder.path(), id).is_none());
        refresh(folder.path(), id, b"a,b\n1,2\n", "CSV", "x.csv");
        refresh(folder.path(), id, b"\n\n", "CSV", "empty.csv");
        assert!(load(folder.path(), id).is_none(), "an empty file has no preview");
    }
}
