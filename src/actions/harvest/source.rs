//! Harvest sources: datasets of type `harvest` whose `url`, `source_type`, `frequency` and
//! `config` say what to harvest and when. They are written through the dataset write path
//! (the three settings as extras) and shown as ckanext-harvest shows them.

use chrono::{Duration, NaiveDateTime};
use serde_json::{Map, Value, json};

use crate::actions::package;
use crate::actions::{ActionContext, Params};
use crate::error::{ActionError, ActionResult};
use crate::store::packages::PackageRow;
use crate::store::{Tx, harvest, packages};

/// ckanext-harvest's frequencies.
pub const FREQUENCIES: [&str; 6] = ["MANUAL", "ALWAYS", "DAILY", "WEEKLY", "BIWEEKLY", "MONTHLY"];
/// The source settings kept as extras of the source's dataset (the `config`, which may hold
/// secrets, is kept apart: `harvest_configs`).
pub const SETTINGS: [&str; 2] = ["source_type", "frequency"];

/// A harvest source as a job needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub id: String,
    pub name: String,
    pub title: String,
    pub url: String,
    pub source_type: String,
    pub frequency: String,
    pub config: String,
    pub owner_org: Option<String>,
    pub active: bool,
}

impl Source {
    /// Reads a source: its dataset row and its configuration.
    pub fn load(tx: &mut Tx, row: &PackageRow) -> ActionResult<Source> {
        let extras: Vec<Value> = serde_json::from_str(&row.extras).unwrap_or_default();
        let extra = |key: &str| {
            extras
                .iter()
                .find(|e| e.get("key").and_then(Value::as_str) == Some(key))
                .and_then(|e| e.get("value").and_then(Value::as_str))
                .unwrap_or_default()
                .to_string()
        };
        Ok(Source {
            id: row.id.clone(),
            name: row.name.clone(),
            title: row.title.clone().unwrap_or_else(|| row.name.clone()),
            url: row.url.clone().unwrap_or_default(),
            source_type: extra("source_type"),
            frequency: match extra("frequency") {
                f if f.is_empty() => "MANUAL".into(),
                f => f,
            },
            config: harvest::config_of(tx, &row.id)?,
            owner_org: row.owner_org.clone(),
            active: row.state == "active",
        })
    }

    /// How long after a job's start the next one is due; `None` for manual sources, zero for
    /// `ALWAYS` (the next starts as soon as the last ended).
    pub fn period(&self) -> Option<Duration> {
        match self.frequency.as_str() {
            "ALWAYS" => Some(Duration::zero()),
            "DAILY" => Some(Duration::days(1)),
            "WEEKLY" => Some(Duration::weeks(1)),
            "BIWEEKLY" => Some(Duration::weeks(2)),
            "MONTHLY" => Some(Duration::days(30)),
            _ => None,
        }
    }

    /// Whether a job is due now, given when the source's last job was created.
    pub fn is_due(&self, last_job: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
        match (self.period(), last_job) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(period), Some(last)) => last + period <= now,
        }
    }
}

/// Finds a harvest source by id or name (any state); `None` when it is not one.
pub fn find(tx: &mut Tx, id: &str) -> ActionResult<Option<PackageRow>> {
    Ok(packages::find(tx, id)?.filter(|row| row.package_type == "harvest"))
}

/// The source named by `id` that the caller may read, or CKAN's not-found error.
pub fn readable(tx: &mut Tx, context: &ActionContext, id: &str) -> ActionResult<PackageRow> {
    let row = find(tx, id)?.ok_or_else(|| ActionError::not_found("Harvest source not found"))?;
    if row.state == "deleted" && !context.caller.is_sysadmin() {
        return Err(ActionError::not_found("Harvest source not found"));
    }
    if !package::can_read(tx, &context.caller, &row)? {
        return Err(ActionError::denied(format!(
            "User {} not authorized to read harvest source",
            context.caller.name()
        )));
    }
    Ok(row)
}

/// The source named by `id` that the caller may change (its organisation's editors and admins).
pub fn editable(tx: &mut Tx, context: &ActionContext, id: &str) -> ActionResult<PackageRow> {
    let row = find(tx, id)?.ok_or_else(|| ActionError::not_found("Harvest source not found"))?;
    if !package::can_edit(tx, &context.caller, &row)? {
        return Err(ActionError::denied(format!(
            "User {} not authorized to update harvest source {}",
            context.caller.name(),
            row.id
        )));
    }
    Ok(row)
}

/// A URL as compared for uniqueness: scheme and host lower case, the default port and a
/// trailing slash dropped.
pub fn normalize_url(text: &str) -> String {
    match url::Url::parse(text.trim()) {
        Ok(parsed) => {
            let mut out = format!("{}://{}", parsed.scheme(), parsed.host_str().unwrap_or_default().to_lowercase());
            if let Some(port) = parsed.port() {
                out.push_str(&format!(":{port}"));
            }
            out.push_str(parsed.path().trim_end_matches('/'));
            if let Some(query) = parsed.query() {
                out.push('?');
                out.push_str(query);
            }
            out
        }
        Err(_) => text.trim().trim_end_matches('/').to_string(),
    }
}

/// Checks a source's settings and returns the dataset params that store it (the dataset fields
/// given, type `harvest`, and the settings as extras) and its configuration text. `existing` is
/// the source being changed.
pub fn dataset_params(tx: &mut Tx, params: &Params, existing: Option<&Source>) -> ActionResult<(Params, String)> {
    let mut errors = Map::new();
    let given = |key: &str| params.text(key).map(|v| v.trim().to_string());
    let url = given("url").or_else(|| existing.map(|s| s.url.clone())).unwrap_or_default();
    let source_type = given("source_type").or_else(|| existing.map(|s| s.source_type.clone())).unwrap_or_default();
    let frequency = given("frequency")
        .filter(|f| !f.is_empty())
        .or_else(|| existing.map(|s| s.frequency.clone()))
        .unwrap_or_else(|| "MANUAL".into())
        .to_uppercase();
    let config = match params.get("config") {
        Some(Value::String(text)) => text.trim().to_string(),
        Some(Value::Null) | None => existing.map(|s| s.config.clone()).unwrap_or_default(),
        Some(other) => other.to_string(),
    };
    if url.is_empty() {
        errors.insert("url".into(), json!(["Missing value"]));
    } else if !url::Url::parse(&url).is_ok_and(|u| ["http", "https"].contains(&u.scheme()) && u.host().is_some()) {
        errors.insert("url".into(), json!(["Invalid URL: only http and https sources can be harvested"]));
    }
    if source_type.is_empty() {
        errors.insert("source_type".into(), json!(["Missing value"]));
    } else if !crate::harvest::config::SOURCE_TYPES.iter().any(|(name, _, _)| *name == source_type) {
        let known: Vec<&str> = crate::harvest::config::SOURCE_TYPES.iter().map(|(name, _, _)| *name).collect();
        errors.insert(
            "source_type".into(),
            json!([format!("Unknown harvester type: {source_type}. Registered types: {}", known.join(", "))]),
        );
    } else {
        let problem = match crate::harvest::config::validate(&source_type, &config) {
            Err(message) => Some(message),
            Ok(crate::harvest::config::SourceConfig::Ckan(ckan)) => {
                let mut missing = None;
                for name in &ckan.default_groups {
                    let found = crate::store::groups::find(tx, name)?;
                    if !found.is_some_and(|g| !g.is_organization && g.state == "active") {
                        missing = Some(format!("Default group {name} not found"));
                        break;
                    }
                }
                missing
            }
            Ok(_) => None,
        };
        if let Some(message) = problem {
            errors.insert("config".into(), json!([format!("Error parsing the configuration options: {message}")]));
        }
    }
    if !FREQUENCIES.contains(&frequency.as_str()) {
        errors.insert("frequency".into(), json!([format!("Frequency {frequency} not recognised")]));
    }
    if !errors.contains_key("url") {
        let wanted = normalize_url(&url);
        let mut taken = false;
        for row in packages::harvest_sources(tx, None)? {
            let other = Source::load(tx, &row)?;
            taken |= Some(&other.id) != existing.map(|s| &s.id)
                && normalize_url(&other.url) == wanted
                && other.config == config;
        }
        if taken {
            errors.insert(
                "url".into(),
                json!([format!("There already is a Harvest Source for this URL (and config): {url}")]),
            );
        }
    }
    if !errors.is_empty() {
        return Err(ActionError::Validation(errors));
    }
    let mut fields: Map<String, Value> = params
        .0
        .iter()
        .filter(|(key, _)| !SETTINGS.contains(&key.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    fields.remove("status");
    fields.insert("type".into(), json!("harvest"));
    fields.insert("url".into(), json!(url));
    let mut extras: Vec<Value> = match fields.remove("extras") {
        Some(Value::Array(items)) => items
            .into_iter()
            .filter(|e| !e.get("key").and_then(Value::as_str).is_some_and(|k| SETTINGS.contains(&k) || k == "config"))
            .collect(),
        _ => Vec::new(),
    };
    for (key, value) in SETTINGS.iter().zip([source_type, frequency]) {
        extras.push(json!({"key": key, "value": value}));
    }
    fields.insert("extras".into(), Value::Array(extras));
    Ok((Params(fields, params.1.clone()), config))
}

/// ckanext-harvest's source dict: the dataset dict with the settings at the top level and
/// `status` (job count, last job, datasets held).
pub fn show_dict(tx: &mut Tx, context: &ActionContext, row: &PackageRow) -> ActionResult<Map<String, Value>> {
    let mut dict = package::show_dict(tx, context, row)?;
    let source = Source::load(tx, row)?;
    if let Some(Value::Array(extras)) = dict.get_mut("extras") {
        extras.retain(|e| !e.get("key").and_then(Value::as_str).is_some_and(|k| SETTINGS.contains(&k)));
    }
    dict.insert("source_type".into(), json!(source.source_type));
    dict.insert("frequency".into(), json!(source.frequency));
    // A source's secrets (API keys) are for the people who may change it.
    let config = if package::can_edit(tx, &context.caller, row)? {
        source.config.clone()
    } else {
        crate::harvest::config::masked(&source.config)
    };
    dict.insert("config".into(), json!(config));
    dict.insert("active".into(), json!(source.active));
    let last_job = harvest::jobs_of_source(tx, &row.id, None, 1)?.into_iter().next();
    dict.insert(
        "status".into(),
        json!({
            "job_count": harvest::job_count(tx, &row.id)?,
            "last_job": last_job.as_ref().map(super::jobs::job_dict),
            "total_datasets": harvest::count_current_packages(tx, &row.id)?,
        }),
    );
    Ok(dict)
}
