//! The demo's uploaded files: the same table of communes as CSV in the encodings Vietnamese
//! offices produce (UTF-8 with a BOM, UTF-16, windows-1258 with `;`), as XLSX, ODS and JSON.

use encoding_rs::WINDOWS_1258;
use unicode_normalization::UnicodeNormalization;

/// A workbook with two sheets (made with openpyxl and odfpy; the data is the demo's own).
pub const XLSX: &[u8] = include_bytes!("files/dan-so-theo-xa.xlsx");
pub const ODS: &[u8] = include_bytes!("files/dan-so-theo-xa.ods");

const COMMUNES: &[(&str, &str, u32, &str)] = &[
    ("24322", "Phường Pleiku", 112_345, "31,5"),
    ("24325", "Phường Hội Phú", 48_210, "24,8"),
    ("24328", "Xã Biển Hồ", 25_980, "62,1"),
    ("24331", "Xã Gào", 18_420, "88,7"),
    ("24334", "Phường An Khê", 65_300, "102,3"),
    ("24337", "Xã Ia Grai", 41_800, "213,4"),
];

fn table(delimiter: char) -> String {
    let mut text = ["Mã xã", "Xã, phường", "Dân số (người)", "Diện tích (km²)"]
        .map(|h| if h.contains(delimiter) { format!("\"{h}\"") } else { h.to_string() })
        .join(&delimiter.to_string());
    text.push_str("\r\n");
    for (code, name, people, area) in COMMUNES {
        let area = if delimiter == ',' { format!("\"{area}\"") } else { area.to_string() };
        text.push_str(&format!("{code}{delimiter}{name}{delimiter}{people}{delimiter}{area}\r\n"));
    }
    text
}

/// UTF-8 with a BOM, comma-separated.
pub fn csv_utf8_bom() -> Vec<u8> {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(table(',').as_bytes());
    bytes
}

/// UTF-16 little-endian with a BOM, tab-separated (as spreadsheet programs export "Unicode text").
pub fn csv_utf16() -> Vec<u8> {
    std::iter::once(0xFEFF_u16).chain(table('\t').encode_utf16()).flat_map(u16::to_le_bytes).collect()
}

/// windows-1258, semicolon-separated, tone marks as combining characters.
pub fn csv_windows_1258() -> Vec<u8> {
    encode_windows_1258(&table(';'))
}

/// JSON records.
pub fn json_records() -> Vec<u8> {
    let records: Vec<serde_json::Value> = COMMUNES
        .iter()
        .map(|(code, name, people, area)| serde_json::json!({"ma_xa": code, "ten": name, "dan_so": people, "dien_tich_km2": area}))
        .collect();
    serde_json::to_vec_pretty(&serde_json::json!({"du_lieu": records})).unwrap_or_default()
}

/// Encodes text as windows-1258: a letter the code page lacks is written as the base letter
/// it has (â, ô, ơ, …) followed by combining tone marks.
pub fn encode_windows_1258(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buffer = [0u8; 4];
    for c in text.chars() {
        let (bytes, _, unmappable) = WINDOWS_1258.encode(c.encode_utf8(&mut buffer));
        if !unmappable {
            out.extend_from_slice(&bytes);
            continue;
        }
        // The base letter with one of its marks composed (â, ơ, …), the other marks after it;
        // else the bare base letter and every mark combining.
        let decomposed: Vec<char> = c.nfd().collect();
        let Some((&base, marks)) = decomposed.split_first() else { continue };
        let mut candidates: Vec<(String, String)> = (0..marks.len())
            .map(|chosen| {
                let composed: String =
                    std::iter::once(base).chain(marks.get(chosen).copied()).collect::<String>().nfc().collect();
                let rest: String = marks.iter().enumerate().filter(|(i, _)| *i != chosen).map(|(_, m)| *m).collect();
                (composed, rest)
            })
            .collect();
        candidates.push((base.to_string(), marks.iter().collect()));
        let mut written = false;
        for (composed, rest) in candidates {
            let (base_bytes, _, base_bad) = WINDOWS_1258.encode(&composed);
            let (rest_bytes, _, rest_bad) = WINDOWS_1258.encode(&rest);
            if !base_bad && !rest_bad && composed.chars().count() == 1 {
                out.extend_from_slice(&base_bytes);
                out.extend_from_slice(&rest_bytes);
                written = true;
                break;
            }
        }
        if !written {
            out.push(b'?');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1258_text_decodes_back_to_the_same_letters() {
        let bytes = csv_windows_1258();
        assert!(!bytes.contains(&b'?'));
        let (decoded, _, bad) = WINDOWS_1258.decode(&bytes);
        assert!(!bad);
        assert_eq!(decoded.nfc().collect::<String>(), table(';'));
        assert_ne!(decoded.as_ref(), table(';'), "tone marks arrive as combining characters");
    }
}
