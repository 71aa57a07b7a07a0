//! One dataset dict → one index document (CKAN's `ckan/lib/search/index.py`, spec §5.6).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde_json::{Map, Value};
use tantivy::{DateTime, TantivyDocument};

use super::collation::sort_key;
use super::fields::{Fields, KV_SEPARATOR};

/// Keys of the dataset dict that are indexed by their own rule, not as catch-all values.
const STRUCTURED_KEYS: &[&str] = &[
    "id",
    "name",
    "title",
    "notes",
    "tags",
    "groups",
    "organization",
    "owner_org",
    "resources",
    "extras",
    "license_id",
    "state",
    "type",
    "creator_user_id",
    "metadata_created",
    "metadata_modified",
    "author",
    "maintainer",
    "relationships_as_subject",
    "relationships_as_object",
];

/// What is indexed besides the dict itself.
pub struct Extra<'a> {
    /// The site id, for CKAN's `site_id` filter.
    pub site_id: &'a str,
    /// Users who collaborate on the dataset (they may see it while private).
    pub collaborators: &'a [String],
    /// Vocabulary ids → names, for `vocab_<name>` fields.
    pub vocabularies: &'a HashMap<String, String>,
}

/// Returns the permission labels of a dataset (spec §2.5): `public`, else the owning
/// organisation's members or the creator, plus collaborators.
pub fn permission_labels(dict: &Map<String, Value>, collaborators: &[String]) -> Vec<String> {
    let text = |key: &str| dict.get(key).and_then(Value::as_str).filter(|s| !s.is_empty());
    let private = dict.get("private").and_then(Value::as_bool).unwrap_or(false);
    if text("state") == Some("active") && !private {
        return vec!["public".into()];
    }
    let mut labels = match (text("owner_org"), text("creator_user_id")) {
        (Some(org), _) => vec![format!("member-{org}")],
        (None, Some(user)) => vec![format!("creator-{user}")],
        (None, None) => Vec::new(),
    };
    labels.extend(collaborators.iter().map(|user| format!("collaborator-{user}")));
    labels
}

struct Builder<'a> {
    fields: &'a Fields,
    doc: TantivyDocument,
    catch_all: Vec<String>,
}

impl Builder<'_> {
    fn string(&mut self, name: &str, value: &str) {
        if let Some(field) = self.fields.string(name) {
            self.doc.add_text(field, value);
        }
    }

    fn dynamic(&mut self, key: &str, value: &str) {
        let key: String = key.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
        if super::fields::PROMOTED_KEYS.contains(&key.as_str()) {
            self.string(&key, value);
        } else if !key.is_empty() {
            self.doc.add_text(self.fields.kv, format!("{key}{KV_SEPARATOR}{value}"));
        }
    }

    fn text(&mut self, name: &str, value: &str) {
        if let Some((vi, folded)) = self.fields.text(name) {
            self.doc.add_text(vi, value);
            self.doc.add_text(folded, value);
        }
        self.catch_all.push(value.to_string());
    }

    fn date(&mut self, name: &str, value: &str) {
        if let (Some(field), Some(date)) = (self.fields.date(name), parse_timestamp(value)) {
            self.doc.add_date(field, date);
        }
    }
}

/// Parses CKAN's timestamp form (`2025-07-01T02:00:00.512345`, with or without `Z`).
pub fn parse_timestamp(value: &str) -> Option<DateTime> {
    let trimmed = value.trim_end_matches('Z');
    let parsed = NaiveDateTime::parse_from_str(trimmed, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    Some(DateTime::from_timestamp_micros(parsed.and_utc().timestamp_micros()))
}

/// Returns a scalar as text (strings, numbers and booleans as CKAN indexes them).
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "true" } else { "false" }.to_string()),
        _ => None,
    }
}

fn str_of<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// Builds the index document of a dataset dict.
pub fn build(fields: &Fields, dict: &Map<String, Value>, extra: &Extra) -> TantivyDocument {
    let mut b = Builder { fields, doc: TantivyDocument::new(), catch_all: Vec::new() };
    let get = |key: &str| dict.get(key).and_then(Value::as_str).filter(|s| !s.is_empty());
    for key in ["id", "name", "owner_org", "license_id", "state", "creator_user_id"] {
        if let Some(value) = get(key) {
            b.string(key, value);
        }
    }
    if let Some(name) = get("name") {
        b.catch_all.push(name.replace('-', " "));
    }
    b.doc.add_u64(fields.id_order, super::fields::id_order(get("id").unwrap_or_default()));
    b.string("dataset_type", get("type").unwrap_or("dataset"));
    let private = dict.get("private").and_then(Value::as_bool).unwrap_or(false);
    b.string("capacity", if private { "private" } else { "public" });
    let title = get("title").unwrap_or_default();
    b.string("title_string", title);
    b.string("title_sort", &sort_key(title));
    b.text("title", title);
    if let Some(notes) = get("notes") {
        b.text("notes", notes);
    }
    for key in ["author", "maintainer"] {
        if let Some(value) = get(key) {
            b.text(key, value);
        }
    }
    for key in ["metadata_created", "metadata_modified"] {
        if let Some(value) = get(key) {
            b.date(key, value);
        }
    }
    // The organisation and the groups: names as exact values, names and titles as text.
    let organization = dict.get("organization").filter(|o| o.is_object()).map(|o| ("organization", o));
    let groups = dict.get("groups").and_then(Value::as_array).into_iter().flatten().map(|g| ("groups", g));
    for (field, group) in organization.into_iter().chain(groups) {
        if let Some(name) = str_of(group, "name") {
            b.string(field, name);
            b.catch_all.push(name.to_string());
        }
        if let Some(title) = str_of(group, "title") {
            b.catch_all.push(title.to_string());
        }
    }
    for tag in dict.get("tags").and_then(Value::as_array).into_iter().flatten() {
        let Some(name) = str_of(tag, "name") else { continue };
        match str_of(tag, "vocabulary_id").and_then(|id| extra.vocabularies.get(id)) {
            Some(vocabulary) => b.dynamic(&format!("vocab_{vocabulary}"), name),
            None => b.string("tags", name),
        }
        b.catch_all.push(name.to_string());
    }
    for resource in dict.get("resources").and_then(Value::as_array).into_iter().flatten() {
        // CKAN indexes every resource's format, the empty one included.
        b.string("res_format", resource.get("format").and_then(Value::as_str).unwrap_or_default());
        for (key, field) in [("url", "res_url"), ("resource_type", "res_type")] {
            if let Some(value) = str_of(resource, key) {
                b.dynamic(field, value);
            }
        }
        for (key, field) in [("name", "res_name"), ("description", "res_description")] {
            if let Some(value) = str_of(resource, key) {
                b.text(field, value);
            }
        }
    }
    for item in dict.get("extras").and_then(Value::as_array).into_iter().flatten() {
        if let (Some(key), Some(value)) = (str_of(item, "key"), item.get("value").and_then(scalar)) {
            b.dynamic(key, &value);
            b.dynamic(&format!("extras_{key}"), &value);
            b.catch_all.push(value);
        }
    }
    for (key, value) in dict {
        if STRUCTURED_KEYS.contains(&key.as_str()) {
            continue;
        }
        index_other(&mut b, key, value);
    }
    b.dynamic("site_id", extra.site_id);
    b.dynamic("entity_type", "package");
    for label in permission_labels(dict, extra.collaborators) {
        b.doc.add_text(fields.labels, label);
    }
    let catch_all = b.catch_all.join("\n");
    if let Some((vi, folded)) = fields.text("text") {
        b.doc.add_text(vi, &catch_all);
        b.doc.add_text(folded, &catch_all);
    }
    b.doc.add_text(fields.pairs.0, &catch_all);
    b.doc.add_text(fields.pairs.1, &catch_all);
    b.doc.add_text(fields.data, Value::Object(dict.clone()).to_string());
    b.doc
}

/// Indexes a top-level key with no rule of its own: scalars and lists of scalars as exact
/// values (and in the catch-all text), objects' string values in the catch-all text.
fn index_other(b: &mut Builder, key: &str, value: &Value) {
    match value {
        Value::Array(items) => {
            for item in items {
                if let Some(text) = scalar(item) {
                    b.dynamic(key, &text);
                    b.catch_all.push(text);
                }
            }
        }
        Value::Object(object) => {
            b.catch_all.extend(object.values().filter_map(scalar));
        }
        other => {
            if let Some(text) = scalar(other) {
                b.dynamic(key, &text);
                if matches!(other, Value::String(_)) && !key.ends_with("_email") && !key.ends_with("url") {
                    b.catch_all.push(text);
                }
            }
        }
    }
}
