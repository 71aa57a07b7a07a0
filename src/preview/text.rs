//! CSV previews: the encoding (UTF-8 with or without BOM, UTF-16 with or without BOM, else
//! windows-1258, whose letters often arrive as a base letter and a combining tone mark, so
//! the text is normalised to NFC) and the delimiter are detected.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1258};
use unicode_normalization::UnicodeNormalization;

use super::{MAX_ROWS, Preview, PreviewError, TEXT_PREFIX, table};

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Finds the text encoding of a file's first bytes.
fn encoding_of(bytes: &[u8]) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        return encoding;
    }
    let sample = bytes.get(..bytes.len().min(4096)).unwrap_or_default();
    // UTF-16 without a BOM: ASCII text puts a zero in every other byte (and combining tone
    // marks, U+0300…, a 3 in it: the other bytes are almost never zero).
    let zeros_at = |parity: usize| sample.iter().skip(parity).step_by(2).filter(|b| **b == 0).count();
    let half = sample.len() / 2;
    if half >= 4 && zeros_at(1) * 10 >= half * 3 && zeros_at(0) * 20 <= half {
        return UTF_16LE;
    }
    if half >= 4 && zeros_at(0) * 10 >= half * 3 && zeros_at(1) * 20 <= half {
        return UTF_16BE;
    }
    // Valid UTF-8 over the whole decoded prefix (a character cut at its end aside) is UTF-8.
    let prefix = bytes.get(..bytes.len().min(TEXT_PREFIX)).unwrap_or_default();
    match std::str::from_utf8(prefix) {
        Ok(_) => UTF_8,
        Err(error) if error.error_len().is_none() => UTF_8,
        Err(_) => WINDOWS_1258,
    }
}

/// Decodes a file's first [`TEXT_PREFIX`] bytes to NFC text, dropping a last partial line.
pub fn decode(bytes: &[u8]) -> (String, &'static Encoding) {
    let encoding = encoding_of(bytes);
    let cut = bytes.len() > TEXT_PREFIX;
    let prefix = bytes.get(..bytes.len().min(TEXT_PREFIX)).unwrap_or_default();
    let (text, _, _) = encoding.decode(prefix);
    let mut text: String = text.nfc().collect();
    if cut && let Some(end) = text.rfind('\n') {
        text.truncate(end + 1);
    }
    (text, encoding)
}

/// Picks the delimiter that splits the first lines into the same, largest number of fields.
fn delimiter_of(text: &str) -> u8 {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
    let mut best = (b',', 0usize);
    for delimiter in DELIMITERS {
        let counts: Vec<usize> = lines.iter().map(|l| fields_in(l, delimiter)).collect();
        let Some(first) = counts.first().copied() else { continue };
        let consistent = counts.iter().filter(|c| **c == first).count();
        // Score: fields per line, weighted by how many lines agree.
        let score = if first > 1 { first * consistent } else { 0 };
        if score > best.1 {
            best = (delimiter, score);
        }
    }
    best.0
}

/// Counts the fields of a line, ignoring delimiters inside double quotes.
fn fields_in(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    let mut fields = 1;
    for byte in line.bytes() {
        match byte {
            b'"' => quoted = !quoted,
            b if b == delimiter && !quoted => fields += 1,
            _ => {}
        }
    }
    fields
}

/// The preview of a CSV file.
pub fn preview(bytes: &[u8]) -> Result<Preview, PreviewError> {
    let (text, encoding) = decode(bytes);
    let delimiter = delimiter_of(&text);
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut more = false;
    for record in reader.records() {
        let record = record.map_err(|e| PreviewError::Unreadable(e.to_string()))?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rows.len() > MAX_ROWS {
            more = true;
            break;
        }
        rows.push(record.iter().map(str::to_string).collect());
    }
    let mut preview = table("csv", rows, more || bytes.len() > TEXT_PREFIX);
    preview.encoding = Some(encoding.name().to_string());
    preview.delimiter = Some(match delimiter {
        b'\t' => "tab".to_string(),
        other => char::from(other).to_string(),
    });
    Ok(preview)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut bytes = Vec::new();
        let units = if bom {
            std::iter::once(0xFEFF).chain(text.encode_utf16()).collect::<Vec<_>>()
        } else {
            text.encode_utf16().collect()
        };
        for unit in units {
            bytes.extend(if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
        }
        bytes
    }

    #[test]
    fn utf8_with_and_without_bom() {
        for bytes in [b"\xEF\xBB\xBFT\xC3\xAAn,S\xE1\xBB\x91\nA,1\n".to_vec(), "Tên,Số\nA,1\n".as_bytes().to_vec()] {
            let preview = preview(&bytes).unwrap();
            assert_eq!(preview.columns, vec!["Tên", "Số"]);
            assert_eq!(preview.encoding.as_deref(), Some("UTF-8"));
        }
    }

    #[test]
    fn utf16_with_and_without_bom_in_both_byte_orders() {
        let text = "Xã\tDân số\nPleiku\t12345\n";
        for (big_endian, bom) in [(false, true), (true, true), (false, false), (true, false)] {
            let preview = preview(&utf16(text, big_endian, bom)).unwrap();
            assert_eq!(preview.columns, vec!["Xã", "Dân số"], "big endian {big_endian}, bom {bom}");
            assert_eq!(preview.rows, vec![vec!["Pleiku", "12345"]]);
            assert_eq!(preview.delimiter.as_deref(), Some("tab"));
        }
    }

    #[test]
    fn windows_1258_with_combining_tones_becomes_nfc() {
        // "Dân số;Tỉnh" as windows-1258 writes it: â (0xE2), o + combining acute… ô (0xF4) +
        // combining acute (0xEC), "Tỉnh": i (0x69) + combining hook above (0xD2).
        let bytes = b"D\xE2n s\xF4\xEC;T\x69\xD2nh\n1;Gia Lai\n";
        let preview = preview(bytes).unwrap();
        assert_eq!(preview.columns, vec!["Dân số", "Tỉnh"]);
        assert_eq!(preview.encoding.as_deref(), Some("windows-1258"));
        assert_eq!(preview.delimiter.as_deref(), Some(";"));
    }

    #[test]
    fn windows_1258_letters_after_a_long_ascii_start_are_found() {
        let mut bytes = b"ma,ten\n".to_vec();
        for _ in 0..1000 {
            bytes.extend_from_slice(b"1,abc\n");
        }
        bytes.extend_from_slice(b"2,D\xE2n\n");
        let (text, encoding) = decode(&bytes);
        assert_eq!(encoding.name(), "windows-1258");
        assert!(text.ends_with("2,Dân\n"));
    }

    #[test]
    fn decomposed_utf16_without_bom_is_utf16() {
        // The grave tone mark (U+0300) puts a zero in the other bytes' half.
        let text: String = "Dân số;Huyền\n1;Gia Lai\n".nfd().collect();
        let preview = preview(&utf16(&text, false, false)).unwrap();
        assert_eq!(preview.columns, vec!["Dân số", "Huyền"]);
    }

    #[test]
    fn delimiters_inside_quotes_do_not_count() {
        let preview = preview(b"\"a,b\";c\n\"1,5\";2\n\"3,5\";4\n").unwrap();
        assert_eq!(preview.columns, vec!["a,b", "c"]);
        assert_eq!(preview.rows[1], vec!["3,5", "4"]);
    }

    #[test]
    fn long_files_are_cut_at_a_line() {
        let mut text = String::from("n,v\n");
        while text.len() < TEXT_PREFIX * 2 {
            text.push_str("1,hai\n");
        }
        let preview = preview(text.as_bytes()).unwrap();
        assert_eq!(preview.rows.len(), MAX_ROWS);
        assert!(preview.truncated);
    }
}
