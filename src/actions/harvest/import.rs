//! Importing a source's records: each record becomes, or changes, one local dataset through
//! the dataset write path, in the same transaction as the object that links them; records
//! gone from the source are deleted the same way. A record whose content has not changed
//! since the last import writes nothing.

use serde_json::{Map, Value, json};

use super::source::Source;
use crate::actions::{ActionContext, Params, package};
use crate::error::{ActionError, ActionResult};
use crate::store::harvest::{self, ObjectRow};
use crate::store::{self, Tx, packages};

/// One record of a source, mapped to a dataset dict.
#[derive(Debug, Clone)]
pub struct Record {
    /// The record's identity at the source (a remote id, a dataset IRI, an API's key).
    pub guid: String,
    /// The dataset as the source describes it (no `id`; `name` and `owner_org` optional).
    pub dataset: Map<String, Value>,
    /// The record as read (kept on the harvest object).
    pub content: String,
    pub original_url: Option<String>,
}

/// A record that could not be imported: its errors (`{message, line, column, type}`).
#[derive(Debug, Clone)]
pub struct Failure {
    pub guid: String,
    pub original_url: Option<String>,
    pub content: Option<String>,
    pub errors: Vec<Value>,
}

/// What importing a record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    Added,
    Updated,
    NotModified,
}

fn new_object(source: &Source, job_id: &str, guid: &str) -> ObjectRow {
    let now = store::now();
    ObjectRow {
        id: uuid::Uuid::new_v4().to_string(),
        guid: guid.to_string(),
        job_id: job_id.to_string(),
        source_id: source.id.clone(),
        package_id: None,
        current: false,
        state: "COMPLETE".into(),
        report_status: "added".into(),
        content: None,
        content_hash: None,
        original_url: None,
        errors: "[]".into(),
        gathered: now,
        import_finished: Some(now),
        last_seen_job: Some(job_id.to_string()),
    }
}

/// Sets (replacing) a dataset's extra.
fn set_extra(dataset: &mut Map<String, Value>, key: &str, value: &str) {
    let extras = dataset.entry("extras").or_insert_with(|| json!([]));
    if !extras.is_array() {
        *extras = json!([]);
    }
    if let Value::Array(items) = extras {
        items.retain(|e| e.get("key").and_then(Value::as_str) != Some(key));
        items.push(json!({"key": key, "value": value}));
    }
}

/// A free dataset name for a new harvested dataset: the source's own name when it is a valid
/// one and free, else one made from the title, suffixed when taken.
fn free_name(tx: &mut Tx, dataset: &Map<String, Value>, guid: &str) -> ActionResult<String> {
    let valid = |n: &str| {
        (2..=100).contains(&n.len())
            && n.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    };
    let given = dataset.get("name").and_then(Value::as_str).unwrap_or_default();
    let title = dataset.get("title").and_then(Value::as_str).unwrap_or_default();
    let mut base =
        if valid(given) { given.to_string() } else { crate::model::slug(if given.is_empty() { title } else { given }) };
    let digest = crate::app::hex_digest(guid);
    let suffix: String = digest.chars().take(6).collect();
    if base.len() < 2 {
        base = format!("dataset-{suffix}");
    }
    base.truncate(90);
    let candidates = std::iter::once(base.clone())
        .chain(std::iter::once(format!("{base}-{suffix}")))
        .chain((2..100).map(|n| format!("{base}-{suffix}-{n}")));
    for candidate in candidates {
        let taken = packages::find(tx, &candidate)?.is_some_and(|p| p.name == candidate && p.state != "deleted");
        if !taken {
            return Ok(candidate);
        }
    }
    Err(ActionError::field("name", "That URL is already in use."))
}

/// Gives incoming resources the ids of the dataset's current ones with the same distribution
/// IRI (`uri`), else the same URL, so resources keep their ids across updates.
fn keep_resource_ids(dataset: &mut Map<String, Value>, current: &Map<String, Value>) {
    let existing: Vec<&Map<String, Value>> =
        current.get("resources").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_object).collect();
    let mut used: Vec<String> = Vec::new();
    let Some(Value::Array(incoming)) = dataset.get_mut("resources") else { return };
    for key in ["uri", "url"] {
        for resource in incoming.iter_mut().filter_map(Value::as_object_mut) {
            if resource.contains_key("id") {
                continue;
            }
            let Some(wanted) = resource.get(key).and_then(Value::as_str).filter(|v| !v.is_empty()) else { continue };
            let found = existing.iter().find(|r| {
                r.get(key).and_then(Value::as_str) == Some(wanted)
                    && r.get("id").and_then(Value::as_str).is_some_and(|id| !used.iter().any(|u| u == id))
            });
            if let Some(id) = found.and_then(|r| r.get("id")).and_then(Value::as_str) {
                used.push(id.to_string());
                resource.insert("id".into(), json!(id));
            }
        }
    }
}

/// Settles the record's dataset type: its own when this site has that schema (a remote Kho's
/// `vn-dataset` stays one, with every field), else `dataset`. Top-level fields of a schema the
/// type does not have (a DCAT or API record's provincial fields) become extras, as CKAN keeps
/// them: searchable, shown, and written back to DCAT, never silently dropped.
fn settle_type(context: &ActionContext, dataset: &mut Map<String, Value>) {
    let schemas = &context.services.schemas;
    let wanted = dataset
        .get("type")
        .and_then(Value::as_str)
        .filter(|t| schemas.for_type(t).is_some())
        .unwrap_or("dataset")
        .to_string();
    let known = schemas.custom_field_names(&wanted);
    let foreign: Vec<String> = schemas
        .0
        .iter()
        .flat_map(|schema| schema.custom_fields.iter().map(|f| f.name.clone()))
        .filter(|name| !known.contains(name))
        .collect();
    for name in foreign {
        let Some(value) = dataset.remove(&name) else { continue };
        let text = match value {
            Value::String(text) => text,
            Value::Null => continue,
            other => other.to_string(),
        };
        let present = dataset
            .get("extras")
            .and_then(Value::as_array)
            .is_some_and(|extras| extras.iter().any(|e| e.get("key").and_then(Value::as_str) == Some(name.as_str())));
        if !text.trim().is_empty() && !present {
            set_extra(dataset, &name, &text);
        }
    }
    dataset.insert("type".into(), json!(wanted));
}

/// Imports one record as the site (the caller of `context` must be the system caller).
pub fn import(context: &ActionContext, source: &Source, job_id: &str, record: Record) -> ActionResult<Imported> {
    let hash = crate::app::hex_digest(&Value::Object(record.dataset.clone()).to_string());
    context.store().write(|tx| {
        let current = harvest::current_object(tx, &source.id, &record.guid)?;
        let local = match current.as_ref().and_then(|o| o.package_id.clone()) {
            Some(id) => packages::find(tx, &id)?.filter(|p| p.id == id),
            None => None,
        };
        if let (Some(object), Some(row)) = (&current, &local)
            && object.content_hash.as_deref() == Some(hash.as_str())
            && row.state == "active"
        {
            return Ok(Imported::NotModified);
        }
        let mut object = new_object(source, job_id, &record.guid);
        let mut dataset = record.dataset.clone();
        dataset.remove("id");
        settle_type(context, &mut dataset);
        if dataset.get("owner_org").is_none_or(|o| o.as_str().is_none_or(str::is_empty)) {
            dataset.insert("owner_org".into(), json!(source.owner_org));
        }
        set_extra(&mut dataset, "harvest_object_id", &object.id);
        set_extra(&mut dataset, "harvest_source_id", &source.id);
        set_extra(&mut dataset, "harvest_source_title", &source.title);
        // Placeholders that differ at every run are filled after the content was compared.
        if let Some(Value::Array(extras)) = dataset.get_mut("extras") {
            for extra in extras.iter_mut().filter_map(|e| e.get_mut("value")) {
                if let Some(text) = extra.as_str().filter(|t| t.contains("{harvest_")) {
                    *extra = json!(text.replace("{harvest_job_id}", job_id).replace("{harvest_object_id}", &object.id));
                }
            }
        }
        let outcome = match local {
            Some(row) => {
                let shown = package::show_dict(tx, context, &row)?;
                keep_resource_ids(&mut dataset, &shown);
                dataset.insert("id".into(), json!(row.id));
                dataset.insert("name".into(), json!(row.name));
                dataset.insert("state".into(), json!("active"));
                package::update_in(tx, context, &Params(dataset, Vec::new()), &row.id)?;
                object.package_id = Some(row.id.clone());
                if row.state == "active" { Imported::Updated } else { Imported::Added }
            }
            None => {
                let name = free_name(tx, &dataset, &record.guid)?;
                dataset.insert("name".into(), json!(name));
                let (created, _) = package::create_in(tx, context, &Params(dataset, Vec::new()), false)?;
                object.package_id = created.get("id").and_then(Value::as_str).map(str::to_string);
                Imported::Added
            }
        };
        object.current = true;
        object.report_status = if outcome == Imported::Updated { "updated" } else { "added" }.into();
        object.content = Some(record.content.clone());
        object.content_hash = Some(hash.clone());
        object.original_url = record.original_url.clone();
        harvest::insert_object(tx, &object)?;
        Ok(outcome)
    })
}

/// Records a record that failed (its dataset, if any, is left as it was).
pub fn record_failure(context: &ActionContext, source: &Source, job_id: &str, failure: &Failure) -> ActionResult<()> {
    context.store().write(|tx| {
        let mut object = new_object(source, job_id, &failure.guid);
        object.package_id = harvest::current_object(tx, &source.id, &failure.guid)?.and_then(|o| o.package_id);
        object.state = "ERROR".into();
        object.report_status = "errored".into();
        object.content = failure.content.clone();
        object.original_url = failure.original_url.clone();
        object.errors = Value::Array(failure.errors.clone()).to_string();
        object.import_finished = None;
        harvest::insert_object(tx, &object)?;
        Ok(())
    })
}

/// The errors of a refused write, one `{message, type}` per field message.
pub fn errors_of(error: &ActionError) -> Vec<Value> {
    match error {
        ActionError::Validation(fields) => fields
            .iter()
            .flat_map(|(field, messages)| {
                let texts: Vec<String> = match messages {
                    Value::Array(items) => {
                        items.iter().map(|m| m.as_str().map_or(m.to_string(), str::to_string)).collect()
                    }
                    Value::String(text) => vec![text.clone()],
                    other => vec![other.to_string()],
                };
                texts.into_iter().map(move |text| json!({"message": format!("{field}: {text}"), "type": "import"}))
            })
            .collect(),
        other => vec![json!({"message": other.to_string(), "type": "import"})],
    }
}

/// Records that the job's gather saw these guids.
pub fn mark_seen(context: &ActionContext, source: &Source, job_id: &str, guids: &[String]) -> ActionResult<()> {
    Ok(context.store().write(|tx| harvest::mark_seen(tx, &source.id, guids, job_id))?)
}

/// Deletes the datasets whose records the job's complete gather did not see, unless
/// `still_there` says the source still has the record. Returns how many were deleted.
pub fn delete_unseen(
    context: &ActionContext,
    source: &Source,
    job_id: &str,
    still_there: &mut dyn FnMut(&str) -> bool,
) -> ActionResult<usize> {
    let mut deleted = 0;
    loop {
        let unseen = context.store().read(|tx| harvest::unseen(tx, &source.id, job_id, 200))?;
        if unseen.is_empty() {
            return Ok(deleted);
        }
        for object in unseen {
            if still_there(&object.guid) {
                mark_seen(context, source, job_id, std::slice::from_ref(&object.guid))?;
                continue;
            }
            context.store().write(|tx| -> ActionResult<()> {
                if let Some(id) = &object.package_id
                    && let Some(row) = packages::find(tx, id)?.filter(|p| &p.id == id && p.state != "deleted")
                {
                    packages::lock(tx, &row.id)?;
                    package::soft_delete(tx, context, &row)?;
                }
                let mut gone = new_object(source, job_id, &object.guid);
                gone.package_id = object.package_id.clone();
                gone.current = true;
                gone.report_status = "deleted".into();
                harvest::insert_object(tx, &gone)?;
                Ok(())
            })?;
            deleted += 1;
        }
    }
}
