//! Each source type's `config` (a JSON text on the source, as in ckanext-harvest), parsed and
//! validated when a source is created or changed, and again when a job starts.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};

/// The source types Kho harvests: `(name, title, description)` as `harvesters_info_show` lists them.
pub const SOURCE_TYPES: &[(&str, &str, &str)] = &[
    ("ckan", "CKAN", "Harvests remote CKAN instances (and other Kho portals) through their Action API"),
    (
        "dcat_rdf",
        "Generic DCAT RDF Harvester",
        "Harvester for DCAT-AP 2 and 3 catalogues in RDF/XML, Turtle, JSON-LD or N-Triples, paged with Hydra",
    ),
    (
        "api",
        "Department API (JSON or CSV)",
        "Maps a department's own JSON or CSV endpoint to datasets with a declarative mapping",
    ),
];

/// `remote_groups` / `remote_orgs`: what to do with the remote dataset's groups or organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Remote {
    /// Keep those that exist locally (by name or id).
    OnlyLocal,
    /// Create the missing ones locally.
    Create,
}

/// ckanext-harvest's CKAN harvester configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CkanConfig {
    pub api_version: Option<i64>,
    #[serde(default)]
    pub default_tags: Vec<Value>,
    #[serde(default)]
    pub default_groups: Vec<String>,
    #[serde(default)]
    pub default_extras: BTreeMap<String, Value>,
    #[serde(default)]
    pub override_extras: bool,
    pub remote_groups: Option<Remote>,
    pub remote_orgs: Option<Remote>,
    #[serde(default)]
    pub organizations_filter_include: Vec<String>,
    #[serde(default)]
    pub organizations_filter_exclude: Vec<String>,
    #[serde(default)]
    pub groups_filter_include: Vec<String>,
    #[serde(default)]
    pub groups_filter_exclude: Vec<String>,
    #[serde(default)]
    pub clean_tags: bool,
    pub api_key: Option<String>,
    pub user_agent: Option<String>,
    #[serde(default)]
    pub force_all: bool,
    #[serde(default)]
    pub read_only: bool,
    pub user: Option<String>,
}

/// ckanext-dcat's `dcat_rdf` configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DcatConfig {
    /// The RDF format when the server's media type is wrong (`xml`, `turtle`, `json-ld`, `nt`).
    pub rdf_format: Option<String>,
    #[serde(default)]
    pub default_tags: Vec<Value>,
    #[serde(default)]
    pub default_extras: BTreeMap<String, Value>,
}

/// How an `api` source pages.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Paging {
    /// `?{param}=1,2,3…` (`start` the first number) until a page has no records.
    Page {
        #[serde(default = "page_param")]
        param: String,
        #[serde(default = "one")]
        start: u64,
        size_param: Option<String>,
        size: Option<u64>,
    },
    /// `?{param}=0,size,2·size…` with `size_param=size`, until a page has fewer than `size`.
    Offset {
        #[serde(default = "offset_param")]
        param: String,
        size_param: String,
        size: u64,
    },
    /// The next page's URL at a path in the answer (JSON), until it is absent.
    Next { path: String },
}

fn page_param() -> String {
    "page".into()
}

fn offset_param() -> String {
    "offset".into()
}

fn one() -> u64 {
    1
}

/// A department API's mapping: where the records are and which of their fields give which
/// dataset fields. Paths are dotted (`data.items`, `meta.next`); `[]` is not needed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// `json` (the default) or `csv`.
    #[serde(default = "json_format")]
    pub format: String,
    /// Where the list of records is in a JSON answer (empty: the answer is the list).
    #[serde(default)]
    pub records: String,
    /// The record's identifier (the guid).
    pub id: String,
    /// Dataset field → record path (`title`, `notes`, `tags`, schema fields such as `linh_vuc`…).
    pub fields: BTreeMap<String, String>,
    /// Fixed values given to every dataset.
    #[serde(default)]
    pub constants: Map<String, Value>,
    /// The resources of each record: resource field (`url`, `name`, `format`…) → record path.
    #[serde(default)]
    pub resources: Vec<BTreeMap<String, String>>,
    pub paging: Option<Paging>,
    /// Where a record's page on the department's site is (`{id}` replaced), for the report.
    pub record_url: Option<String>,
    /// Headers sent with every request (an API key: `{"X-Api-Key": "…"}`); shown only to the
    /// source's editors.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

fn json_format() -> String {
    "json".into()
}

/// A parsed configuration.
#[derive(Debug, Clone)]
pub enum SourceConfig {
    Ckan(CkanConfig),
    Dcat(DcatConfig),
    Api(ApiConfig),
}

fn parse<T: for<'de> Deserialize<'de> + Default>(text: &str) -> Result<T, String> {
    if text.trim().is_empty() {
        return Ok(T::default());
    }
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// Keys of a configuration whose values are secrets (masked for readers who may not edit).
pub const SECRET_KEYS: [&str; 2] = ["api_key", "headers"];

/// The configuration text with its secrets masked.
pub fn masked(text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(mut config)) => {
            for key in SECRET_KEYS {
                match config.get_mut(key) {
                    Some(Value::Object(headers)) => headers.values_mut().for_each(|v| *v = Value::from("***")),
                    Some(value) if !value.is_null() => *value = Value::from("***"),
                    _ => {}
                }
            }
            Value::Object(config).to_string()
        }
        _ => text.to_string(),
    }
}

/// Parses a source type's configuration text; the error is the message the API shows.
pub fn validate(source_type: &str, text: &str) -> Result<SourceConfig, String> {
    let parsed = match source_type {
        "ckan" => {
            let config: CkanConfig = parse(text)?;
            if !config.organizations_filter_include.is_empty() && !config.organizations_filter_exclude.is_empty() {
                return Err("Harvest configuration cannot contain both organizations_filter_include and organizations_filter_exclude".into());
            }
            if !config.groups_filter_include.is_empty() && !config.groups_filter_exclude.is_empty() {
                return Err(
                    "Harvest configuration cannot contain both groups_filter_include and groups_filter_exclude".into(),
                );
            }
            if config.default_tags.iter().any(|t| !t.is_string() && !t.get("name").is_some_and(Value::is_string)) {
                return Err("default_tags must be a list of strings or of {\"name\": …} objects".into());
            }
            SourceConfig::Ckan(config)
        }
        "dcat_rdf" => {
            let config: DcatConfig = parse(text)?;
            if let Some(format) = &config.rdf_format
                && !["xml", "turtle", "json-ld", "nt", "n3"].contains(&format.as_str())
            {
                return Err(format!("rdf_format must be one of xml, turtle, json-ld, nt, not {format:?}"));
            }
            SourceConfig::Dcat(config)
        }
        "api" => {
            if text.trim().is_empty() {
                return Err("An api source needs a mapping: {\"id\": …, \"fields\": {\"title\": …}}".into());
            }
            let config: ApiConfig = serde_json::from_str(text).map_err(|e| e.to_string())?;
            if !["json", "csv"].contains(&config.format.as_str()) {
                return Err(format!("format must be json or csv, not {:?}", config.format));
            }
            if !config.fields.contains_key("title") {
                return Err("fields must map title".into());
            }
            if config.format == "csv" && matches!(config.paging, Some(Paging::Next { .. })) {
                return Err("a csv source cannot page by a next link".into());
            }
            SourceConfig::Api(config)
        }
        other => return Err(format!("Unknown harvester type: {other}")),
    };
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configurations_are_checked_per_source_type() {
        assert!(validate("ckan", "").is_ok());
        assert!(validate("ckan", r#"{"default_tags": ["a", {"name": "b"}], "remote_orgs": "create"}"#).is_ok());
        let both =
            validate("ckan", r#"{"organizations_filter_include": ["a"], "organizations_filter_exclude": ["b"]}"#);
        assert!(both.unwrap_err().contains("cannot contain both"));
        assert!(validate("ckan", r#"{"remote_groups": "sometimes"}"#).is_err());
        assert!(validate("ckan", r#"{"unknown_key": 1}"#).unwrap_err().contains("unknown field"));
        assert!(validate("ckan", "not json").is_err());
        assert!(validate("dcat_rdf", r#"{"rdf_format": "turtle"}"#).is_ok());
        assert!(validate("dcat_rdf", r#"{"rdf_format": "word"}"#).is_err());
        assert!(validate("api", "").is_err());
        assert!(validate("api", r#"{"id": "ma", "fields": {"notes": "mo_ta"}}"#).unwrap_err().contains("title"));
        let api = r#"{"id": "ma", "records": "data", "fields": {"title": "ten"}, "paging": {"type": "next", "path": "links.next"}}"#;
        assert!(matches!(validate("api", api), Ok(SourceConfig::Api(_))));
        assert!(validate("sparql", "").unwrap_err().contains("Unknown harvester type"));
        let secret = masked(r#"{"api_key": "k-123", "headers": {"X-Api-Key": "s"}, "force_all": true}"#);
        assert!(!secret.contains("k-123") && !secret.contains("\"s\"") && secret.contains("force_all"), "{secret}");
    }
}
