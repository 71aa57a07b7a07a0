//! A small `multipart/form-data` reader for action calls: text fields become strings (a field
//! sent twice becomes a list, as CKAN), file parts become uploads.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::actions::Upload;

/// Returns the boundary of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').map(str::trim).find_map(|part| {
        let value = part.strip_prefix("boundary=")?;
        Some(value.trim_matches('"').to_string())
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    (from..=haystack.len() - needle.len()).find(|&i| haystack.get(i..i + needle.len()) == Some(needle))
}

/// Returns a parameter of a `Content-Disposition` header (`name`, `filename`).
fn disposition_param(header: &str, key: &str) -> Option<String> {
    header.split(';').map(str::trim).find_map(|part| {
        let (k, v) = part.split_once('=')?;
        (k.trim().eq_ignore_ascii_case(key)).then(|| v.trim().trim_matches('"').to_string())
    })
}

/// Parses a multipart body into fields and uploads; `None` when it is malformed.
pub fn parse(body: &[u8], boundary: &str) -> Option<(Map<String, Value>, Vec<Upload>)> {
    let delimiter = format!("--{boundary}");
    let mut fields = Map::new();
    let mut uploads = Vec::new();
    let mut position = find(body, delimiter.as_bytes(), 0)? + delimiter.len();
    loop {
        if body.get(position..position + 2) == Some(b"--") {
            return Some((fields, uploads));
        }
        let headers_start = position + 2;
        let headers_end = find(body, b"\r\n\r\n", headers_start)?;
        let headers = std::str::from_utf8(body.get(headers_start..headers_end)?).ok()?;
        let content_start = headers_end + 4;
        let next = find(body, format!("\r\n{delimiter}").as_bytes(), content_start)?;
        let content = body.get(content_start..next)?;
        let mut name = None;
        let mut filename = None;
        let mut content_type = None;
        for line in headers.split("\r\n") {
            let (key, value) = line.split_once(':')?;
            if key.trim().eq_ignore_ascii_case("content-disposition") {
                name = disposition_param(value, "name");
                filename = disposition_param(value, "filename");
            } else if key.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(value.trim().to_string());
            }
        }
        let name = name?;
        match filename {
            Some(filename) if !filename.is_empty() => {
                uploads.push(Upload { field: name, filename, content_type, bytes: Arc::new(content.to_vec()) });
            }
            _ => {
                let text = String::from_utf8_lossy(content).into_owned();
                super::api::insert_repeated(&mut fields, name, text);
            }
        }
        position = next + 2 + delimiter.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_files_are_separated() {
        let body = "--XYZ\r\nContent-Disposition: form-data; name=\"package_id\"\r\n\r\ndan-so\r\n--XYZ\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"bao-cao.csv\"\r\nContent-Type: text/csv\r\n\r\ntỉnh,giá trị\n\r\n--XYZ--\r\n";
        let (fields, uploads) = parse(body.as_bytes(), "XYZ").unwrap();
        assert_eq!(fields["package_id"], "dan-so");
        assert_eq!(uploads.len(), 1);
        assert_eq!(uploads[0].filename, "bao-cao.csv");
        assert_eq!(uploads[0].bytes.as_slice(), "tỉnh,giá trị\n".as_bytes());
        assert_eq!(boundary("multipart/form-data; boundary=\"XYZ\"").as_deref(), Some("XYZ"));
    }

    #[test]
    fn malformed_bodies_are_refused() {
        assert!(parse(b"--XYZ\r\nno headers end", "XYZ").is_none());
        assert!(parse(b"nothing", "XYZ").is_none());
    }
}
