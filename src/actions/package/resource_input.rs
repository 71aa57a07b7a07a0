//! Building a resource row from a submitted resource dict, with CKAN's defaults, guesses and
//! the clearing rules of `resource_update`.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{Map, Value};

use super::format;
use crate::actions::params::value_text;
use crate::error::FieldErrors;
use crate::store::resources::ResourceRow;

/// Keys that are columns (everything else is kept as a custom field).
const COLUMNS: [&str; 21] = [
    "id",
    "package_id",
    "position",
    "state",
    "url",
    "name",
    "description",
    "format",
    "hash",
    "mimetype",
    "mimetype_inner",
    "size",
    "url_type",
    "resource_type",
    "created",
    "last_modified",
    "metadata_modified",
    "cache_url",
    "cache_last_updated",
    "upload",
    "clear_upload",
];

/// Parses CKAN's ISO-like dates: a date, or a date-time with `T` or a space, optional
/// fraction and offset (converted to UTC).
pub fn parse_datetime(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    if let Ok(with_offset) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(with_offset.naive_utc());
    }
    for pattern in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(parsed) = NaiveDateTime::parse_from_str(text, pattern) {
            return Some(parsed);
        }
    }
    for pattern in ["%Y-%m-%dT%H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%.f%:z"] {
        if let Ok(parsed) = chrono::DateTime::parse_from_str(text, pattern) {
            return Some(parsed.naive_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0))
}

fn truthy(input: &Map<String, Value>, key: &str) -> bool {
    matches!(input.get(key), Some(Value::Bool(true)))
        || input
            .get(key)
            .and_then(Value::as_str)
            .is_some_and(|v| ["true", "1", "yes", "on"].contains(&v.to_lowercase().as_str()))
}

/// Returns a URL as CKAN shows it: a link without a scheme gets `http://`.
fn with_scheme(url: &str) -> String {
    let trimmed = url.trim();
    if trimmed.is_empty() || trimmed.contains("://") || trimmed.starts_with("mailto:") {
        trimmed.to_string()
    } else {
        format!("http://{trimmed}")
    }
}

/// How a resource is being written.
pub struct Context<'a> {
    pub package_id: &'a str,
    pub position: i32,
    pub now: NaiveDateTime,
    /// `resource_create`/`resource_update` guess the mimetype; dataset writes do not.
    pub guess_mimetype: bool,
    /// A file uploaded with the call.
    pub upload: Option<&'a crate::actions::Upload>,
}

/// Builds the resource row from `input`, over `existing` when updating one.
pub fn build(
    input: &Map<String, Value>,
    existing: Option<&ResourceRow>,
    id: String,
    context: &Context,
    errors: &mut FieldErrors,
) -> ResourceRow {
    let text = |key: &str| input.get(key).and_then(value_text);
    let given = |key: &str| input.contains_key(key);
    let keep_or = |key: &str, old: Option<String>| if given(key) { text(key) } else { old };
    let mut date = |key: &str, old: Option<NaiveDateTime>| -> Option<NaiveDateTime> {
        match input.get(key) {
            None => old,
            Some(Value::Null) => None,
            Some(value) => match value_text(value).filter(|v| !v.is_empty()) {
                None => None,
                Some(v) => match parse_datetime(&v) {
                    Some(parsed) => Some(parsed),
                    None => {
                        errors.add(key, "Date format incorrect");
                        None
                    }
                },
            },
        }
    };
    let created = date("created", existing.map(|e| e.created)).unwrap_or(context.now);
    let last_modified = date("last_modified", existing.and_then(|e| e.last_modified));
    let cache_last_updated = date("cache_last_updated", existing.and_then(|e| e.cache_last_updated));
    let size = match input.get("size") {
        None => existing.and_then(|e| e.size),
        Some(Value::Null) => None,
        Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => match s.trim().parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.add("size", "Invalid integer");
                None
            }
        },
        Some(_) => {
            errors.add("size", "Invalid integer");
            None
        }
    };
    // Omitted url, description, resource_type, mimetype(_inner) are cleared, as CKAN does;
    // an uploaded file keeps its name as the url until a new link or file replaces it.
    // The stored file stays when no new link is given: a dict read back carries the download
    // URL, which means "unchanged".
    let previous_upload = existing.filter(|e| {
        let url_unchanged = match text("url") {
            None => true,
            Some(url) => url == e.url || url.ends_with(&format!("/resource/{}/download/{}", e.id, e.url)),
        };
        e.url_type.as_deref() == Some("upload") && url_unchanged && !truthy(input, "clear_upload")
    });
    let (url, url_type, size, last_modified, hash) = match (context.upload, previous_upload) {
        (Some(file), _) => {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(file.bytes.as_slice());
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            let name = crate::uploads::munge_filename(&file.filename);
            (
                name,
                Some("upload".to_string()),
                Some(file.bytes.len() as i64),
                Some(context.now),
                Some(format!("sha256:{hex}")),
            )
        }
        (None, Some(old)) => (old.url.clone(), old.url_type.clone(), size, last_modified, Some(old.hash.clone())),
        (None, None) => {
            let url_type = if truthy(input, "clear_upload") {
                Some(String::new())
            } else {
                keep_or("url_type", existing.and_then(|e| e.url_type.clone()))
            };
            (
                with_scheme(&text("url").unwrap_or_default()),
                url_type.filter(|t| t != "upload"),
                size,
                last_modified,
                None,
            )
        }
    };
    let is_new_without_id = existing.is_none() && !given("id");
    let mut format_value =
        keep_or("format", existing.map(|e| e.format.clone())).map(|f| format::normalize(&f)).unwrap_or_default();
    if format_value.is_empty() && is_new_without_id {
        format_value = format::guess_format(&url).unwrap_or("").to_string();
    }
    let mut mimetype = text("mimetype");
    if !given("mimetype") && (context.guess_mimetype || context.upload.is_some()) {
        mimetype = format::guess_mimetype(&url).map(str::to_string);
    }
    let mut extras = Map::new();
    for (key, value) in input {
        if !COLUMNS.contains(&key.as_str()) {
            extras.insert(key.clone(), value.clone());
        }
    }
    if let Some(old) = existing
        && let Ok(Value::Object(old_extras)) = serde_json::from_str::<Value>(&old.extras)
        && let Some(flag) = old_extras.get("datastore_active").filter(|_| !extras.contains_key("datastore_active"))
    {
        extras.insert("datastore_active".into(), flag.clone());
    }
    ResourceRow {
        id,
        package_id: context.package_id.to_string(),
        position: context.position,
        state: "active".into(),
        url,
        name: keep_or("name", existing.and_then(|e| e.name.clone())),
        description: text("description"),
        format: format_value,
        hash: hash.or_else(|| keep_or("hash", existing.map(|e| e.hash.clone()))).unwrap_or_default(),
        mimetype,
        mimetype_inner: text("mimetype_inner"),
        size,
        url_type,
        resource_type: text("resource_type"),
        created,
        last_modified,
        metadata_modified: context.now,
        cache_url: keep_or("cache_url", existing.and_then(|e| e.cache_url.clone())),
        cache_last_updated,
        extras: Value::Object(extras).to_string(),
    }
}

/// Returns whether two rows differ in anything but their modification time.
pub fn same_content(a: &ResourceRow, b: &ResourceRow) -> bool {
    ResourceRow { metadata_modified: b.metadata_modified, ..a.clone() } == *b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ckan_date_forms_parse() {
        for text in [
            "2023-12-31",
            "2023-12-31T17:00:00",
            "2023-12-31 17:00:00.123",
            "2023-12-31T17:00:00.123456",
            "2024-01-01T00:00:00+07:00",
        ] {
            assert!(parse_datetime(text).is_some(), "{text}");
        }
        assert_eq!(parse_datetime("2024-01-01T00:00:00+07:00").unwrap().to_string(), "2023-12-31 17:00:00");
        assert!(parse_datetime("hôm qua").is_none());
    }

    #[test]
    fn links_without_a_scheme_get_http() {
        assert_eq!(with_scheme("example.gov.vn/a.xlsx"), "http://example.gov.vn/a.xlsx");
        assert_eq!(with_scheme("https://a.vn/b"), "https://a.vn/b");
        assert_eq!(with_scheme(""), "");
    }
}
