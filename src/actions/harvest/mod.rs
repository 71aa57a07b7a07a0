//! ckanext-harvest's Action API: harvest sources (datasets of type `harvest`), their jobs,
//! reports and objects. The jobs themselves run in `crate::harvest`, which calls the typed
//! functions of `jobs` and `import` for every write.

pub mod import;
pub mod jobs;
pub mod source;

use serde_json::{Map, Value, json};

use super::{ActionContext, Params, package};
use crate::auth::Caller;
use crate::error::{ActionError, ActionResult};
use crate::store::harvest::{self, JobRow, ObjectRow};
use crate::store::packages;
use source::Source;

fn required(params: &Params, keys: &[&str]) -> ActionResult<String> {
    let first = keys.first().copied().unwrap_or("id");
    keys.iter().find_map(|k| params.non_empty(k)).ok_or_else(|| ActionError::field(first, "Missing value"))
}

fn limit(params: &Params, default: i64) -> i64 {
    params.text("limit").and_then(|l| l.trim().parse::<i64>().ok()).filter(|l| *l > 0).unwrap_or(default).min(1000)
}

/// `harvest_source_create`.
pub fn harvest_source_create(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    if context.caller.active_user().is_none() {
        return Err(ActionError::denied(format!("User {} not authorized to create packages", context.caller.name())));
    }
    context.store().write(|tx| {
        let (dataset, config) = source::dataset_params(tx, params, None)?;
        let (created, _) = package::create_in(tx, context, &dataset, false)?;
        let id = created.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
        harvest::set_config(tx, &id, &config)?;
        let row = source::find(tx, &id)?.ok_or(ActionError::NotFound(None))?;
        Ok(Value::Object(source::show_dict(tx, context, &row)?))
    })
}

/// `harvest_source_update` (the whole source) and `harvest_source_patch` (the given fields).
fn update_source(context: &ActionContext, params: &Params, patch: bool) -> ActionResult<Value> {
    let id = required(params, &["id", "name"])?;
    context.store().write(|tx| {
        let row = source::editable(tx, context, &id)?;
        let existing = Source::load(tx, &row)?;
        let mut fields = if patch {
            let mut shown = package::show_dict(tx, context, &row)?;
            shown.remove("organization");
            shown.remove("metadata_modified");
            shown.remove("metadata_created");
            shown
        } else {
            Map::new()
        };
        fields.extend(params.0.clone());
        fields.insert("id".into(), json!(row.id));
        let (dataset, config) = source::dataset_params(tx, &Params(fields, params.1.clone()), Some(&existing))?;
        package::update_in(tx, context, &dataset, &row.id)?;
        harvest::set_config(tx, &row.id, &config)?;
        let row = source::find(tx, &row.id)?.ok_or(ActionError::NotFound(None))?;
        Ok(Value::Object(source::show_dict(tx, context, &row)?))
    })
}

pub fn harvest_source_update(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    update_source(context, params, false)
}

pub fn harvest_source_patch(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    update_source(context, params, true)
}

/// `harvest_source_show`: by `id` (or name), or by `url`.
pub fn harvest_source_show(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    context.store().read(|tx| {
        let row = match (params.non_empty("id").or_else(|| params.non_empty("name")), params.non_empty("url")) {
            (Some(id), _) => source::readable(tx, context, &id)?,
            (None, Some(url)) => {
                let wanted = source::normalize_url(&url);
                let found = packages::harvest_sources(tx, None)?
                    .into_iter()
                    .find(|row| source::normalize_url(row.url.as_deref().unwrap_or_default()) == wanted)
                    .ok_or_else(|| ActionError::not_found("Harvest source not found"))?;
                source::readable(tx, context, &found.id)?
            }
            (None, None) => return Err(ActionError::field("id", "Missing value")),
        };
        Ok(Value::Object(source::show_dict(tx, context, &row)?))
    })
}

/// `harvest_source_list`: the active sources the caller may read (of one organisation).
pub fn harvest_source_list(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    context.store().read(|tx| {
        let org = match params.non_empty("organization_id").or_else(|| params.non_empty("owner_org")) {
            Some(given) => {
                Some(crate::store::groups::find(tx, &given)?.map(|g| g.id).ok_or(ActionError::NotFound(None))?)
            }
            None => None,
        };
        let mut listed = Vec::new();
        for row in packages::harvest_sources(tx, org.as_deref())? {
            if package::can_read(tx, &context.caller, &row)? {
                let mut dict = source::show_dict(tx, context, &row)?;
                if !params.truthy("return_last_job_status") {
                    dict.remove("status");
                }
                listed.push(Value::Object(dict));
            }
        }
        Ok(Value::Array(listed))
    })
}

/// The active sources whose organisation the caller edits (every one for a sysadmin), each
/// with its status.
pub fn editable_sources(context: &ActionContext) -> ActionResult<Vec<Map<String, Value>>> {
    context.store().read(|tx| {
        let mut listed = Vec::new();
        for row in packages::harvest_sources(tx, None)? {
            if package::can_edit(tx, &context.caller, &row)? {
                listed.push(source::show_dict(tx, context, &row)?);
            }
        }
        Ok(listed)
    })
}

/// `harvest_source_delete`: the source's dataset is deleted, its `New` jobs aborted; with
/// `clear` its harvested datasets go too.
pub fn harvest_source_delete(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = required(params, &["id", "name"])?;
    if params.truthy("clear") {
        harvest_source_clear(context, params)?;
    }
    context.store().write(|tx| {
        let row = source::editable(tx, context, &id)?;
        packages::lock(tx, &row.id)?;
        if row.state != "deleted" {
            package::soft_delete(tx, context, &row)?;
        }
        harvest::abort_new_jobs(tx, &row.id, crate::store::now())?;
        Ok(Value::Null)
    })
}

/// `harvest_source_clear`: purges every dataset the source harvested, and its jobs and objects
/// (the source stays). Refused while a job runs.
pub fn harvest_source_clear(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = required(params, &["id", "name"])?;
    let row = context.store().read(|tx| source::editable(tx, context, &id))?;
    if let Some(open) = context.store().read(|tx| harvest::open_job(tx, &row.id))?
        && open.status == "Running"
    {
        return Err(ActionError::field("id", "A job of this source is running: abort it first"));
    }
    let system = ActionContext { services: context.services, caller: Caller::system() };
    loop {
        let ids = context.store().read(|tx| harvest::current_packages(tx, &row.id, true, 200))?;
        if ids.is_empty() {
            break;
        }
        for package_id in &ids {
            let mut fields = Map::new();
            fields.insert("id".into(), json!(package_id));
            match package::dataset_purge(&system, &Params(fields, Vec::new())) {
                Ok(_) | Err(ActionError::NotFound(_)) => {}
                Err(other) => return Err(other),
            }
            context.store().write(|tx| harvest::forget_package(tx, &row.id, package_id))?;
        }
    }
    context.store().write(|tx| harvest::clear_source(tx, &row.id))?;
    Ok(json!(row.id))
}

/// `harvest_source_job_history_clear`: deletes the source's ended jobs and their objects (the
/// objects that link datasets stay); `keep_current` keeps the newest job.
pub fn harvest_source_job_history_clear(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = required(params, &["id", "name"])?;
    context.store().write(|tx| {
        let row = source::editable(tx, context, &id)?;
        let keep = if params.truthy("keep_current") {
            harvest::jobs_of_source(tx, &row.id, None, 1)?.into_iter().next().map(|j| j.id)
        } else {
            None
        };
        harvest::clear_job_history(tx, &row.id, keep.as_deref())?;
        Ok(json!({"id": row.id}))
    })
}

/// `harvest_source_reindex`: asks the search index to index the source's datasets again.
pub fn harvest_source_reindex(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = required(params, &["id", "name"])?;
    let row = context.store().read(|tx| source::editable(tx, context, &id))?;
    let mut ids = context.store().read(|tx| harvest::current_packages(tx, &row.id, false, i64::MAX))?;
    ids.push(row.id.clone());
    crate::feed::request_reindex(context.services, &ids).map_err(ActionError::Internal)?;
    Ok(json!(true))
}

/// The job named by `id` whose source the caller may change.
fn editable_job(context: &ActionContext, id: &str) -> ActionResult<JobRow> {
    context.store().read(|tx| {
        let job = harvest::job(tx, id)?.ok_or_else(|| ActionError::not_found("Harvest job not found"))?;
        source::editable(tx, context, &job.source_id)?;
        Ok(job)
    })
}

/// `harvest_job_create`: a `New` job for the source; the scheduler starts it.
pub fn harvest_job_create(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = required(params, &["source_id", "id"])?;
    context.store().write(|tx| {
        let row = source::editable(tx, context, &id)?;
        let source = Source::load(tx, &row)?;
        Ok(jobs::job_dict(&jobs::create(tx, &source)?))
    })
}

/// `harvest_job_list`: a source's jobs (every source's for a sysadmin), newest first.
pub fn harvest_job_list(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let status = params.non_empty("status");
    context.store().read(|tx| {
        let listed = match params.non_empty("source_id").or_else(|| params.non_empty("id")) {
            Some(id) => {
                let row = source::editable(tx, context, &id)?;
                harvest::jobs_of_source(tx, &row.id, status.as_deref(), limit(params, 100))?
            }
            None if context.caller.is_sysadmin() => {
                harvest::jobs_with_status(tx, status.as_deref().unwrap_or("Running"), limit(params, 100))?
            }
            None => return Err(ActionError::field("source_id", "Missing value")),
        };
        Ok(Value::Array(listed.iter().map(jobs::job_dict).collect()))
    })
}

/// `harvest_job_show`.
pub fn harvest_job_show(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = required(params, &["id"])?;
    Ok(jobs::job_dict(&editable_job(context, &id)?))
}

/// `harvest_job_report`: the gather errors and each errored object's errors.
pub fn harvest_job_report(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = required(params, &["id"])?;
    let job = editable_job(context, &id)?;
    let objects = context.store().read(|tx| harvest::objects_of_job(tx, &job.id, true, 1000))?;
    let object_errors: Map<String, Value> = objects
        .iter()
        .map(|o| {
            let errors: Value = serde_json::from_str(&o.errors).unwrap_or_else(|_| json!([]));
            (o.id.clone(), json!({"guid": o.guid, "original_url": o.original_url, "errors": errors}))
        })
        .collect();
    Ok(json!({"gather_errors": jobs::gather_errors(&job), "object_errors": object_errors}))
}

/// `harvest_job_abort`: by job `id`, or the newest job of `source_id`.
pub fn harvest_job_abort(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let job = match params.non_empty("id") {
        Some(id) => editable_job(context, &id)?,
        None => {
            let source_id = required(params, &["source_id"])?;
            context.store().read(|tx| {
                let row = source::editable(tx, context, &source_id)?;
                harvest::jobs_of_source(tx, &row.id, None, 1)?
                    .into_iter()
                    .next()
                    .ok_or_else(|| ActionError::not_found("Harvest job not found"))
            })?
        }
    };
    context.store().write(|tx| Ok(jobs::job_dict(&jobs::abort(tx, &job)?)))
}

fn object_dict(object: &ObjectRow) -> Value {
    let time = |t: Option<chrono::NaiveDateTime>| t.map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string());
    let errors: Value = serde_json::from_str(&object.errors).unwrap_or_else(|_| json!([]));
    json!({
        "id": object.id,
        "guid": object.guid,
        "current": object.current,
        "gathered": time(Some(object.gathered)),
        "fetch_started": time(Some(object.gathered)),
        "fetch_finished": time(Some(object.gathered)),
        "import_started": time(Some(object.gathered)),
        "import_finished": time(object.import_finished),
        "state": object.state,
        "report_status": object.report_status,
        "content": object.content,
        "original_url": object.original_url,
        "harvest_job_id": object.job_id,
        "harvest_source_id": object.source_id,
        "package_id": object.package_id,
        "retry_times": 0,
        "errors": errors,
        "extras": [],
    })
}

/// The object's dataset and source must be readable by the caller (a private dataset's content
/// is as private as the dataset).
fn readable_object(context: &ActionContext, object: ObjectRow) -> ActionResult<Value> {
    context.store().read(|tx| {
        source::readable(tx, context, &object.source_id)?;
        if let Some(id) = &object.package_id {
            package::readable(tx, &context.caller, id)?;
        }
        Ok(object_dict(&object))
    })
}

/// `harvest_object_show`: by `id`, or the current object of `dataset_id` (id or name).
pub fn harvest_object_show(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let object = context.store().read(|tx| -> ActionResult<ObjectRow> {
        let found = match (params.non_empty("id"), params.non_empty("dataset_id")) {
            (Some(id), _) => harvest::object(tx, &id)?,
            (None, Some(dataset)) => match packages::find(tx, &dataset)? {
                Some(row) => harvest::current_for_package(tx, &row.id)?,
                None => None,
            },
            (None, None) => return Err(ActionError::field("id", "Missing value")),
        };
        found.ok_or_else(|| ActionError::not_found("Harvest object not found"))
    })?;
    readable_object(context, object)
}

/// `harvest_object_list`: the ids of a job's objects, or of a source's current objects.
pub fn harvest_object_list(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    context.store().read(|tx| {
        let ids: Vec<String> = if let Some(job_id) = params.non_empty("job_id") {
            let job = harvest::job(tx, &job_id)?.ok_or_else(|| ActionError::not_found("Harvest job not found"))?;
            source::editable(tx, context, &job.source_id)?;
            harvest::objects_of_job(tx, &job.id, false, limit(params, 1000))?.into_iter().map(|o| o.id).collect()
        } else {
            let id = required(params, &["source_id", "id"])?;
            let row = source::editable(tx, context, &id)?;
            harvest::current_objects(tx, &row.id, limit(params, 1000))?.into_iter().map(|o| o.id).collect()
        };
        Ok(json!(ids))
    })
}

/// `harvesters_info_show`.
pub fn harvesters_info_show(_context: &ActionContext, _params: &Params) -> ActionResult<Value> {
    Ok(Value::Array(
        crate::harvest::config::SOURCE_TYPES
            .iter()
            .map(|(name, title, description)| {
                json!({"name": name, "title": title, "description": description, "form_config_interface": "Text"})
            })
            .collect(),
    ))
}
