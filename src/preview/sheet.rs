//! XLSX and ODS previews: the first sheet, with every sheet's name. Nothing here expands a
//! sheet in memory: XLSX cells are streamed (calamine's cell reader) and ODS `content.xml` is
//! read by this module, with `number-*-repeated` counts capped, so neither a cell at `XFD1048576`
//! nor a row repeated a million times costs more than the rows kept. The archive is checked
//! first: the sizes its entries declare once unpacked are capped (the zip reader stops at the
//! declared size, so a lying entry cannot expand further).

use std::io::{Cursor, Read};

use calamine::{DataRef, DataType, Reader, Xlsx};
use quick_xml::events::{BytesStart, Event};

use super::{MAX_COLUMNS, MAX_ROWS, Preview, PreviewError, table};

/// What an archive may expand to, in all.
pub const MAX_UNPACKED_BYTES: u64 = 100 * 1024 * 1024;
/// The highest compression ratio accepted for a large entry (a zip bomb's is in the thousands).
pub const MAX_RATIO: u64 = 200;

fn unreadable(error: impl std::fmt::Display) -> PreviewError {
    PreviewError::Unreadable(error.to_string())
}

/// Refuses archives that would expand beyond the limits.
fn check_archive(bytes: &[u8]) -> Result<(), PreviewError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(unreadable)?;
        let unpacked = entry.size();
        total = total.saturating_add(unpacked);
        let packed = entry.compressed_size().max(1);
        if total > MAX_UNPACKED_BYTES || (unpacked > 1024 * 1024 && unpacked / packed > MAX_RATIO) {
            return Err(PreviewError::ArchiveTooLarge);
        }
    }
    Ok(())
}

/// A cell's text: whole numbers without a decimal point, dates as ISO dates.
fn cell(data: &DataRef) -> String {
    match data {
        DataRef::Empty => String::new(),
        DataRef::Float(number) if number.fract() == 0.0 && number.abs() < 1e15 => format!("{}", *number as i64),
        DataRef::Float(number) => number.to_string(),
        DataRef::Int(number) => number.to_string(),
        DataRef::Bool(value) => value.to_string(),
        DataRef::String(text) | DataRef::DurationIso(text) => text.clone(),
        DataRef::SharedString(text) => text.to_string(),
        DataRef::Error(error) => format!("{error:?}"),
        DataRef::DateTime(_) | DataRef::DateTimeIso(_) => match data.as_datetime() {
            Some(moment) if moment.time() == chrono::NaiveTime::MIN => moment.date().to_string(),
            Some(moment) => moment.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => match data {
                DataRef::DateTime(serial) => serial.as_f64().to_string(),
                DataRef::DateTimeIso(text) => text.clone(),
                _ => String::new(),
            },
        },
    }
}

/// Adds a finished row unless it is empty; returns false once enough rows are kept.
fn keep_row(rows: &mut Vec<Vec<String>>, mut row: Vec<String>, times: usize) -> bool {
    while row.last().is_some_and(String::is_empty) {
        row.pop();
    }
    if !row.is_empty() {
        for _ in 0..times.min(MAX_ROWS + 2 - rows.len().min(MAX_ROWS + 2)) {
            rows.push(row.clone());
        }
    }
    rows.len() <= MAX_ROWS
}

fn xlsx(bytes: &[u8]) -> Result<Preview, PreviewError> {
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let sheets = workbook.sheet_names();
    let first = sheets.first().cloned().ok_or_else(|| unreadable("no sheet"))?;
    let mut reader = workbook.worksheet_cells_reader(&first).map_err(unreadable)?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut current: (Option<u32>, Vec<String>) = (None, Vec::new());
    let mut more = false;
    while let Some(found) = reader.next_cell().map_err(unreadable)? {
        let (row, column) = found.get_position();
        if current.0 != Some(row) {
            let finished = std::mem::take(&mut current.1);
            if !keep_row(&mut rows, finished, 1) {
                more = true;
                break;
            }
            current.0 = Some(row);
        }
        let column = column as usize;
        if column <= MAX_COLUMNS {
            if current.1.len() <= column {
                current.1.resize(column + 1, String::new());
            }
            if let Some(slot) = current.1.get_mut(column) {
                *slot = cell(found.get_value());
            }
        }
    }
    if !more {
        more = !keep_row(&mut rows, current.1, 1);
    }
    let mut preview = table("xlsx", rows, more);
    preview.sheets = sheets;
    Ok(preview)
}

fn attribute(element: &BytesStart, name: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().into_inner() == name)
        .and_then(|a| quick_xml::escape::unescape(&a.value).ok().map(|v| v.into_owned()))
}

fn repeated(element: &BytesStart, name: &str) -> usize {
    attribute(element, name).and_then(|v| v.parse::<usize>().ok()).unwrap_or(1).max(1)
}

/// Reads the first table of an ODS `content.xml`, and every table's name.
fn ods(bytes: &[u8]) -> Result<Preview, PreviewError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    let mut xml = Vec::new();
    archive
        .by_name("content.xml")
        .map_err(unreadable)?
        .take(MAX_UNPACKED_BYTES)
        .read_to_end(&mut xml)
        .map_err(unreadable)?;
    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    let mut buffer = Vec::new();
    let (mut sheets, mut rows) = (Vec::new(), Vec::new());
    let mut row: Option<(Vec<String>, usize)> = None;
    let mut text: Option<(String, usize)> = None;
    let mut more = false;
    loop {
        let event = reader.read_event_into(&mut buffer).map_err(unreadable)?;
        let in_first = sheets.len() == 1 && !more;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.local_name().into_inner() {
                    "table" => sheets.push(attribute(e, "name").unwrap_or_default()),
                    "table-row" if in_first && !empty => row = Some((Vec::new(), repeated(e, "number-rows-repeated"))),
                    "table-cell" | "covered-table-cell" if row.is_some() => {
                        let times = repeated(e, "number-columns-repeated");
                        if empty {
                            push_cells(&mut row, String::new(), times);
                        } else {
                            text = Some((String::new(), times));
                        }
                    }
                    "p" if text.as_ref().is_some_and(|(t, _)| !t.is_empty()) => {
                        if let Some((t, _)) = text.as_mut() {
                            t.push('\n');
                        }
                    }
                    "s" => {
                        if let Some((t, _)) = text.as_mut() {
                            t.push_str(&" ".repeat(repeated(e, "c").min(MAX_COLUMNS)));
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(ref t) => {
                if let Some((cell_text, _)) = text.as_mut() {
                    cell_text.push_str(t);
                }
            }
            Event::GeneralRef(ref r) => {
                if let Some((cell_text, _)) = text.as_mut() {
                    let name: &str = r;
                    let character = match name {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        number => number
                            .strip_prefix("#x")
                            .map(|hex| u32::from_str_radix(hex, 16))
                            .or_else(|| number.strip_prefix('#').map(str::parse::<u32>))
                            .and_then(Result::ok)
                            .and_then(char::from_u32),
                    };
                    cell_text.extend(character);
                }
            }
            Event::End(ref e) => match e.local_name().into_inner() {
                "table-cell" | "covered-table-cell" => {
                    if let Some((cell_text, times)) = text.take() {
                        push_cells(&mut row, cell_text, times);
                    }
                }
                "table-row" => {
                    if let Some((cells, times)) = row.take()
                        && !keep_row(&mut rows, cells, times)
                    {
                        more = true;
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    if sheets.is_empty() {
        return Err(unreadable("no sheet"));
    }
    let mut preview = table("ods", rows, more);
    preview.sheets = sheets;
    Ok(preview)
}

/// Appends a cell to the row being read, `times` times, up to the kept columns.
fn push_cells(row: &mut Option<(Vec<String>, usize)>, text: String, times: usize) {
    if let Some((cells, _)) = row.as_mut() {
        let room = (MAX_COLUMNS + 1).saturating_sub(cells.len());
        cells.extend(std::iter::repeat_n(text, times.min(room)));
    }
}

/// The preview of an XLSX (`kind` "xlsx") or ODS (`kind` "ods") file.
pub fn preview(bytes: &[u8], kind: &str) -> Result<Preview, PreviewError> {
    check_archive(bytes)?;
    if kind == "ods" { ods(bytes) } else { xlsx(bytes) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, contents) in entries {
            writer.start_file(*name, options).unwrap();
            writer.write_all(contents).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn zip_bombs_are_refused_before_parsing() {
        let bomb = zip_with(&[("xl/worksheets/sheet1.xml", &vec![b'0'; 20 * 1024 * 1024])]);
        assert!(bomb.len() < 100 * 1024, "the test archive is small ({} bytes)", bomb.len());
        assert_eq!(preview(&bomb, "xlsx"), Err(PreviewError::ArchiveTooLarge));
    }

    #[test]
    fn files_that_are_not_spreadsheets_are_unreadable() {
        assert!(matches!(preview(b"not a zip", "xlsx"), Err(PreviewError::Unreadable(_))));
        let plain = zip_with(&[("hello.txt", b"hello")]);
        assert!(matches!(preview(&plain, "ods"), Err(PreviewError::Unreadable(_))));
    }

    #[test]
    fn the_demo_workbooks_show_their_first_sheet() {
        for (bytes, kind) in [(crate::demo::files::XLSX, "xlsx"), (crate::demo::files::ODS, "ods")] {
            let preview = preview(bytes, kind).unwrap();
            assert_eq!(preview.sheets, vec!["Dân số theo xã", "Tổng hợp"], "{kind}");
            assert_eq!(preview.columns, vec!["Mã xã", "Xã, phường", "Dân số (người)", "Diện tích (km²)"], "{kind}");
            assert_eq!(preview.rows.len(), 6, "{kind}");
            assert_eq!(preview.rows[0], vec!["24322", "Phường Pleiku", "112345", "31.5"], "{kind}");
        }
    }

    #[test]
    fn a_far_away_xlsx_cell_does_not_expand_the_sheet() {
        // Cells at A1 and XFD1048576: a dense range would be 1.7 * 10^10 cells.
        let workbook = br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
        let relations = br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
        let sheet = br#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>"#;
        let types = br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#;
        let root = br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
        let file = zip_with(&[
            ("[Content_Types].xml", types),
            ("_rels/.rels", root),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", relations),
            ("xl/worksheets/sheet1.xml", sheet),
        ]);
        let preview = preview(&file, "xlsx").unwrap();
        assert_eq!(preview.columns, vec!["a"]);
        assert!(preview.rows.is_empty(), "the far cell is beyond the kept columns: {:?}", preview.rows);
    }

    #[test]
    fn repeated_ods_cells_and_rows_cost_only_what_is_kept() {
        // One row of a million-times-repeated columns, repeated a million times: about 10^12
        // cells if expanded, a few hundred bytes of XML.
        let content = br#"<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>
<table:table table:name="A"><table:table-row><table:table-cell><text:p>x &amp; y</text:p></table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="1000000"><text:p>1</text:p></table:table-cell></table:table-row></table:table>
<table:table table:name="B"/></office:spreadsheet></office:body></office:document-content>"#;
        let file =
            zip_with(&[("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", content)]);
        let preview = preview(&file, "ods").unwrap();
        assert_eq!(preview.sheets, vec!["A", "B"]);
        assert_eq!(preview.columns.first().map(String::as_str), Some("x & y"));
        assert_eq!(preview.columns.get(1).map(String::as_str), Some("2"), "a column without a header is numbered");
        assert_eq!(preview.rows.len(), MAX_ROWS);
        assert_eq!(preview.rows[0].len(), MAX_COLUMNS);
        assert!(preview.truncated);
    }
}
