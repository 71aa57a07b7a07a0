//! XLSX and ODS previews: the first sheet, with every sheet's name. calamine reads a whole
//! sheet, so the archive is checked first: the sizes its entries declare once unpacked are
//! capped (the zip reader stops at the declared size, so a lying entry cannot expand further).

use std::io::Cursor;

use calamine::{Data, Ods, Reader, Xlsx};

use super::{MAX_ROWS, Preview, PreviewError, table};

/// What an archive may expand to, in all.
pub const MAX_UNPACKED_BYTES: u64 = 100 * 1024 * 1024;
/// The highest compression ratio accepted for a large entry (a zip bomb's is in the thousands).
pub const MAX_RATIO: u64 = 200;

/// Refuses archives that would expand beyond the limits.
fn check_archive(bytes: &[u8]) -> Result<(), PreviewError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| PreviewError::Unreadable(e.to_string()))?;
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(|e| PreviewError::Unreadable(e.to_string()))?;
        let unpacked = entry.size();
        total = total.saturating_add(unpacked);
        let packed = entry.compressed_size().max(1);
        if total > MAX_UNPACKED_BYTES || (unpacked > 1024 * 1024 && unpacked / packed > MAX_RATIO) {
            return Err(PreviewError::ArchiveTooLarge);
        }
    }
    Ok(())
}

fn cell(data: &Data) -> String {
    match data {
        Data::Empty => String::new(),
        Data::Float(number) if number.fract() == 0.0 && number.abs() < 1e15 => format!("{}", *number as i64),
        other => other.to_string(),
    }
}

fn first_sheet<R: Reader<Cursor<Vec<u8>>>>(mut workbook: R, kind: &str) -> Result<Preview, PreviewError>
where
    R::Error: std::fmt::Display,
{
    let sheets = workbook.sheet_names();
    let first = sheets.first().cloned().ok_or_else(|| PreviewError::Unreadable("no sheet".into()))?;
    let range = workbook.worksheet_range(&first).map_err(|e| PreviewError::Unreadable(e.to_string()))?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut more = false;
    for row in range.rows() {
        if row.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        if rows.len() > MAX_ROWS {
            more = true;
            break;
        }
        rows.push(row.iter().map(cell).collect());
    }
    let mut preview = table(kind, rows, more);
    preview.sheets = sheets;
    Ok(preview)
}

/// The preview of an XLSX (`kind` "xlsx") or ODS (`kind` "ods") file.
pub fn preview(bytes: &[u8], kind: &str) -> Result<Preview, PreviewError> {
    check_archive(bytes)?;
    let cursor = Cursor::new(bytes.to_vec());
    let unreadable = |e: &dyn std::fmt::Display| PreviewError::Unreadable(e.to_string());
    if kind == "ods" {
        first_sheet(Ods::new(cursor).map_err(|e| unreadable(&e))?, kind)
    } else {
        first_sheet(Xlsx::new(cursor).map_err(|e| unreadable(&e))?, kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_with(name: &str, contents: &[u8]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        writer.start_file(name, options).unwrap();
        writer.write_all(contents).unwrap();
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn zip_bombs_are_refused_before_parsing() {
        let bomb = zip_with("xl/worksheets/sheet1.xml", &vec![b'0'; 20 * 1024 * 1024]);
        assert!(bomb.len() < 100 * 1024, "the test archive is small ({} bytes)", bomb.len());
        assert_eq!(preview(&bomb, "xlsx"), Err(PreviewError::ArchiveTooLarge));
    }

    #[test]
    fn files_that_are_not_spreadsheets_are_unreadable() {
        assert!(matches!(preview(b"not a zip", "xlsx"), Err(PreviewError::Unreadable(_))));
        let plain = zip_with("hello.txt", b"hello");
        assert!(matches!(preview(&plain, "ods"), Err(PreviewError::Unreadable(_))));
    }

    #[test]
    fn the_demo_workbooks_show_their_first_sheet() {
        for (bytes, kind) in [(crate::demo::files::XLSX, "xlsx"), (crate::demo::files::ODS, "ods")] {
            let preview = preview(bytes, kind).unwrap();
            assert_eq!(preview.sheets.len(), 2, "{kind}");
            assert!(preview.columns.iter().any(|c| c.contains("Xã")), "{kind}: {:?}", preview.columns);
            assert!(!preview.rows.is_empty(), "{kind}");
        }
    }
}
