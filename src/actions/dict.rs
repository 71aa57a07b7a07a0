//! Dictization: store rows → the dicts CKAN returns.

use chrono::NaiveDateTime;
use md5::{Digest, Md5};
use serde_json::{Map, Value, json};

use crate::store::groups::GroupRow;
use crate::store::users::UserRow;

/// Formats a timestamp as Python's `isoformat()` of a naive UTC value: six fraction digits,
/// or none when the microseconds are zero (spec §4.4).
pub fn timestamp(at: NaiveDateTime) -> String {
    if at.and_utc().timestamp_subsec_micros() == 0 {
        at.format("%Y-%m-%dT%H:%M:%S").to_string()
    } else {
        at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
    }
}

/// Formats an optional timestamp (`null` when absent).
pub fn timestamp_opt(at: Option<NaiveDateTime>) -> Value {
    at.map(|t| Value::String(timestamp(t))).unwrap_or(Value::Null)
}

fn email_hash(email: Option<&str>) -> String {
    let normalized = email.unwrap_or("").trim().to_lowercase();
    let digest = Md5::digest(normalized.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a user dict may show.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum UserDetail {
    /// Public details only.
    Public,
    /// Also `email` and `apikey`: the user themselves, or a sysadmin.
    Private,
}

/// Returns the `user_show` dict (CKAN's key order).
pub fn user(row: &UserRow, detail: UserDetail, number_created_packages: i64) -> Map<String, Value> {
    let display_name = row.fullname.clone().filter(|f| !f.is_empty()).unwrap_or_else(|| row.name.clone());
    let mut dict = Map::new();
    dict.insert("id".into(), json!(row.id));
    dict.insert("name".into(), json!(row.name));
    dict.insert("fullname".into(), json!(row.fullname));
    dict.insert("created".into(), json!(timestamp(row.created)));
    dict.insert("about".into(), json!(row.about));
    dict.insert("last_active".into(), timestamp_opt(row.last_active));
    dict.insert("activity_streams_email_notifications".into(), json!(false));
    dict.insert("sysadmin".into(), json!(row.sysadmin));
    dict.insert("state".into(), json!(row.state));
    dict.insert("image_url".into(), json!(row.image_url));
    dict.insert("display_name".into(), json!(display_name));
    dict.insert("email_hash".into(), json!(email_hash(row.email.as_deref())));
    dict.insert("number_created_packages".into(), json!(number_created_packages));
    if detail == UserDetail::Private {
        dict.insert("apikey".into(), Value::Null);
        dict.insert("email".into(), json!(row.email));
    }
    dict.insert("image_display_url".into(), json!(row.image_url));
    dict
}

/// Returns the `image_display_url` CKAN derives from `image_url`.
pub fn image_display_url(image_url: &str, site_url: &str) -> String {
    if image_url.is_empty() || image_url.starts_with("http://") || image_url.starts_with("https://") {
        image_url.to_string()
    } else {
        format!("{site_url}/uploads/group/{image_url}")
    }
}

/// Returns a stored extras list (`[{"key","value"}]`).
pub fn extras(row: &GroupRow) -> Value {
    serde_json::from_str(&row.extras).unwrap_or_else(|_| json!([]))
}

/// Returns the group/organisation fields every group dict starts from, keys sorted as CKAN's
/// `group_show` emits them.
pub fn group_base(row: &GroupRow, site_url: &str) -> Map<String, Value> {
    let display_name = if row.title.is_empty() { row.name.clone() } else { row.title.clone() };
    let mut dict = Map::new();
    dict.insert("approval_status".into(), json!(row.approval_status));
    dict.insert("created".into(), json!(timestamp(row.created)));
    dict.insert("description".into(), json!(row.description));
    dict.insert("display_name".into(), json!(display_name));
    dict.insert("id".into(), json!(row.id));
    dict.insert("image_display_url".into(), json!(image_display_url(&row.image_url, site_url)));
    dict.insert("image_url".into(), json!(row.image_url));
    dict.insert("is_organization".into(), json!(row.is_organization));
    dict.insert("name".into(), json!(row.name));
    dict.insert("state".into(), json!(row.state));
    dict.insert("title".into(), json!(row.title));
    dict.insert("type".into(), json!(row.group_type));
    dict
}

/// The stored columns of a group, in the order CKAN emits them outside `group_show`.
pub const GROUP_COLUMNS: [&str; 10] = [
    "id",
    "name",
    "title",
    "type",
    "description",
    "image_url",
    "created",
    "is_organization",
    "approval_status",
    "state",
];

/// Returns the group dict CKAN's write and per-user list actions return: the stored columns in
/// CKAN's order, then `extra` entries, then `display_name` and `image_display_url`.
pub fn group_short(row: &GroupRow, site_url: &str, extra: Vec<(&str, Value)>) -> Map<String, Value> {
    let mut base = group_base(row, site_url);
    let mut result = Map::new();
    for key in GROUP_COLUMNS {
        result.insert(key.into(), base.remove(key).unwrap_or(Value::Null));
    }
    for (key, value) in extra {
        result.insert(key.into(), value);
    }
    for key in ["display_name", "image_display_url"] {
        result.insert(key.into(), base.remove(key).unwrap_or(Value::Null));
    }
    result
}

/// Inserts `key` into a dict built by [`group_base`], keeping its keys in alphabetical order.
pub fn insert_sorted(dict: &mut Map<String, Value>, key: &str, value: Value) {
    dict.insert(key.to_string(), value);
    let mut entries: Vec<(String, Value)> = std::mem::take(dict).into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    dict.extend(entries);
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn timestamps_print_like_python_isoformat() {
        let day = NaiveDate::from_ymd_opt(2025, 7, 15).unwrap();
        assert_eq!(timestamp(day.and_hms_micro_opt(9, 42, 51, 512334).unwrap()), "2025-07-15T09:42:51.512334");
        assert_eq!(timestamp(day.and_hms_micro_opt(9, 42, 51, 5).unwrap()), "2025-07-15T09:42:51.000005");
        assert_eq!(timestamp(day.and_hms_opt(9, 42, 51).unwrap()), "2025-07-15T09:42:51");
    }

    #[test]
    fn email_hash_is_md5_of_the_trimmed_lowercased_address() {
        assert_eq!(email_hash(Some(" An.Nguyen@example.gov.vn ")), "607da1955e2e84ba179db7a7db524bfc");
    }

    #[test]
    fn relative_images_are_served_from_uploads() {
        assert_eq!(image_display_url("logo.png", "http://x"), "http://x/uploads/group/logo.png");
        assert_eq!(image_display_url("https://a/b.png", "http://x"), "https://a/b.png");
        assert_eq!(image_display_url("", "http://x"), "");
    }
}
