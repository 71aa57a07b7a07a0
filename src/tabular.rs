//! The reports' tables (a header row, then rows of text) written as CSV or as an XLSX workbook.
//! The workbook is the smallest valid SpreadsheetML package — one sheet of inline strings and
//! numbers, no shared strings or styles — which Excel, LibreOffice and calamine read.

use std::io::Write;

/// A table: its first row is the header.
pub type Table = Vec<Vec<String>>;

/// The media type of an XLSX workbook.
pub const XLSX_MEDIA_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The table as CSV.
pub fn csv(table: &Table) -> anyhow::Result<String> {
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in table {
        out.write_record(row)?;
    }
    Ok(String::from_utf8(out.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)?)
}

/// A cell's column letters: 0 → `A`, 25 → `Z`, 26 → `AA`.
fn column(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// Text as XML character data: escaped, without the characters XML 1.0 forbids.
fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether a cell holds a number (written as one, so a spreadsheet sums it): digits without a
/// leading zero, at most 15 of them.
fn is_number(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 15
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'))
}

fn sheet_xml(table: &Table) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, row) in table.iter().enumerate() {
        xml.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, cell) in row.iter().enumerate() {
            let reference = format!("{}{}", column(c), r + 1);
            if r > 0 && is_number(cell) {
                xml.push_str(&format!(r#"<c r="{reference}"><v>{cell}</v></c>"#));
            } else {
                xml.push_str(&format!(
                    r#"<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
                    xml_text(cell)
                ));
            }
        }
        xml.push_str("</row>");
    }
    xml.push_str("</sheetData></worksheet>");
    xml
}

/// The table as an XLSX workbook of one sheet named `sheet` (at most 31 characters, without
/// the characters sheet names may not hold).
pub fn xlsx(sheet: &str, table: &Table) -> anyhow::Result<Vec<u8>> {
    let name: String = sheet.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{}" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
                xml_text(&name)
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string(),
        ),
        ("xl/worksheets/sheet1.xml", sheet_xml(table)),
    ];
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (path, contents) in parts {
        writer.start_file(path, options)?;
        writer.write_all(contents.as_bytes())?;
    }
    Ok(writer.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    #[test]
    fn columns_are_lettered_as_spreadsheets_do() {
        assert_eq!(column(0), "A");
        assert_eq!(column(25), "Z");
        assert_eq!(column(26), "AA");
        assert_eq!(column(27 * 26), "AAA");
    }

    #[test]
    fn a_workbook_reads_back_with_its_text_and_numbers() {
        let table: Table = vec![
            vec!["organization".into(), "due".into(), "note".into()],
            vec!["Sở Y tế".into(), "17".into(), "<b> & \"x\"\u{1}".into()],
            vec!["so-khac".into(), "0".into(), "007".into()],
        ];
        let bytes = xlsx("Báo cáo quý 2026Q3 [tạm]", &table).unwrap();
        let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(workbook.sheet_names(), ["Báo cáo quý 2026Q3 tạm"]);
        let range = workbook.worksheet_range("Báo cáo quý 2026Q3 tạm").unwrap();
        assert_eq!(range.get((0, 0)), Some(&Data::String("organization".into())));
        assert_eq!(range.get((1, 0)), Some(&Data::String("Sở Y tế".into())));
        assert_eq!(range.get((1, 1)), Some(&Data::Float(17.0)), "a count is a number");
        assert_eq!(range.get((1, 2)), Some(&Data::String("<b> & \"x\"".into())));
        assert_eq!(range.get((2, 1)), Some(&Data::Float(0.0)));
        assert_eq!(range.get((2, 2)), Some(&Data::String("007".into())), "leading zeros stay text");
        assert_eq!(csv(&table).unwrap().lines().next(), Some("organization,due,note"));
    }
}
