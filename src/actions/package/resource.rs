//! Resources: `resource_create/show/update/patch/delete`, `package_resource_reorder`.
//! Every resource write changes its dataset: one transaction, the dataset's
//! `metadata_modified` bumped, a change-log row.

use serde_json::{Map, Value, json};

use super::resource_input::{self, Context};
use super::unit::{self, DatasetChange};
use super::{can_edit, readable};
use crate::actions::{ActionContext, Params, validate};
use crate::auth::Caller;
use crate::error::{ActionError, ActionResult, FieldErrors};
use crate::model::Resource;
use crate::store::{self, Tx, packages, packages::PackageRow, resources, resources::ResourceRow};

/// Marks the dataset changed now and refreshes its cached dict.
fn touch_dataset(
    tx: &mut Tx,
    context: &ActionContext,
    row: &PackageRow,
    now: chrono::NaiveDateTime,
) -> ActionResult<()> {
    let touched = PackageRow { metadata_modified: now, ..row.clone() };
    unit::save(tx, context, DatasetChange::Updated(&touched)).map(|_| ())
}

/// Finds an active resource and its dataset, locking the dataset.
fn resource_and_dataset(tx: &mut Tx, id: &str) -> ActionResult<Option<(ResourceRow, PackageRow)>> {
    let Some(resource) = resources::find(tx, id)?.filter(|r| r.state == "active") else {
        return Ok(None);
    };
    packages::lock(tx, &resource.package_id)?;
    let dataset = packages::find(tx, &resource.package_id)?.ok_or(ActionError::NotFound(None))?;
    Ok(Some((resource, dataset)))
}

/// Stores an uploaded file under the data directory (inside the write: a failure rolls back).
fn save_upload(
    context: &ActionContext,
    row: &ResourceRow,
    upload: Option<&crate::actions::Upload>,
) -> ActionResult<()> {
    let Some(file) = upload else { return Ok(()) };
    crate::uploads::save(&context.config().data_dir, &row.id, &file.bytes)
        .map_err(|e| ActionError::Internal(anyhow::anyhow!("storing upload: {e}")))
}

/// Builds the preview of an uploaded file once its write has committed (parsing a file never
/// holds the store's write lock), before the action answers.
fn preview_upload(context: &ActionContext, resource: &Value, upload: Option<&crate::actions::Upload>) {
    let Some(file) = upload else { return };
    let text = |key: &str| resource.get(key).and_then(Value::as_str).unwrap_or_default();
    crate::preview::refresh(&context.config().data_dir, text("id"), &file.bytes, text("format"), &file.filename);
}

fn require_edit(tx: &mut Tx, caller: &Caller, dataset: &PackageRow, message: String) -> ActionResult<()> {
    if can_edit(tx, caller, dataset)? { Ok(()) } else { Err(ActionError::denied(message)) }
}

/// `resource_create`: appends a resource to a dataset; returns the resource dict.
pub fn resource_create(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let package_id = params.non_empty("package_id").ok_or_else(|| ActionError::field("package_id", "Missing value"))?;
    let caller = &context.caller;
    let site_url = context.config().effective_site_url();
    let created = context.store().write(|tx| -> ActionResult<Value> {
        let dataset = packages::find(tx, &package_id)?.ok_or(ActionError::NotFound(None))?;
        packages::lock(tx, &dataset.id)?;
        require_edit(
            tx,
            caller,
            &dataset,
            format!("User {} not authorized to create resources on dataset {package_id}", caller.name()),
        )?;
        let existing = resources::active_for_package(tx, &dataset.id)?;
        let mut errors = FieldErrors::default();
        let id = match params.non_empty("id") {
            None => crate::store::new_id(),
            Some(id) if !validate::is_uuid(&id) => {
                errors.add("id", "Invalid id provided");
                id
            }
            Some(id) => {
                if resources::find(tx, &id)?.is_some() {
                    errors.add("id", "Resource id already exists.");
                }
                id
            }
        };
        let now = store::now();
        let context_row = Context {
            package_id: &dataset.id,
            position: existing.len() as i32,
            now,
            guess_mimetype: true,
            upload: params.upload("upload"),
        };
        let mut input = params.0.clone();
        input.remove("package_id");
        let row = resource_input::build(&input, None, id, &context_row, &mut errors);
        errors.into_result()?;
        save_upload(context, &row, params.upload("upload"))?;
        let mut all = existing;
        all.push(row.clone());
        resources::replace_for_package(tx, &dataset.id, &all)?;
        touch_dataset(tx, context, &dataset, now)?;
        Ok(Value::Object(super::dict::resource(&row, &site_url)))
    })?;
    preview_upload(context, &created, params.upload("upload"));
    Ok(created)
}

/// `resource_show`: the resource as it appears in its dataset; access as `package_show`.
pub fn resource_show(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    show_resource(context, &id).map(Resource::into_value)
}

/// Returns an active resource of a dataset the caller may read (`resource_show`, typed).
pub fn show_resource(context: &ActionContext, id: &str) -> ActionResult<Resource> {
    let site_url = context.config().effective_site_url();
    context.store().read(|tx| {
        let resource = resources::find(tx, id)?.ok_or(ActionError::NotFound(None))?;
        readable(tx, &context.caller, &resource.package_id).map_err(|error| match error {
            ActionError::Authorization(_) => ActionError::denied(format!(
                "User {} not authorized to read resource {}",
                context.caller.name(),
                resource.id
            )),
            other => other,
        })?;
        if resource.state != "active" {
            return Err(ActionError::not_found("Resource was not found."));
        }
        Ok(Resource(super::dict::resource(&resource, &site_url)))
    })
}

fn update_with(
    context: &ActionContext,
    id: &str,
    input: &Map<String, Value>,
    upload: Option<&crate::actions::Upload>,
    missing: ActionError,
) -> ActionResult<Value> {
    let caller = &context.caller;
    let site_url = context.config().effective_site_url();
    let updated = context.store().write(|tx| -> ActionResult<Value> {
        let (current, dataset) = resource_and_dataset(tx, id)?.ok_or(missing)?;
        require_edit(tx, caller, &dataset, format!("User {} not authorized to edit resource {id}", caller.name()))?;
        let now = store::now();
        let mut errors = FieldErrors::default();
        let context_row =
            Context { package_id: &dataset.id, position: current.position, now, guess_mimetype: true, upload };
        let row = resource_input::build(input, Some(&current), current.id.clone(), &context_row, &mut errors);
        errors.into_result()?;
        if resource_input::same_content(&row, &current) {
            return Ok(Value::Object(super::dict::resource(&current, &site_url)));
        }
        save_upload(context, &row, upload)?;
        let mut all = resources::active_for_package(tx, &dataset.id)?;
        for slot in all.iter_mut().filter(|r| r.id == row.id) {
            *slot = row.clone();
        }
        resources::replace_for_package(tx, &dataset.id, &all)?;
        touch_dataset(tx, context, &dataset, now)?;
        Ok(Value::Object(super::dict::resource(&row, &site_url)))
    })?;
    preview_upload(context, &updated, upload);
    Ok(updated)
}

/// `resource_update`: replaces the resource (omitted url/description/… cleared, as CKAN).
pub fn resource_update(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    update_with(context, &id, &params.0, params.upload("upload"), ActionError::not_found("Resource was not found."))
}

/// `resource_patch`: the current resource overlaid with the given keys.
pub fn resource_patch(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    let current = context
        .store()
        .read(|tx| resources::find(tx, &id))?
        .filter(|r| r.state == "active")
        .ok_or(ActionError::NotFound(None))?;
    let mut merged = super::dict::resource(&current, "");
    // The stored file name, not the download URL, is what an overlay must keep.
    merged.insert("url".into(), json!(current.url));
    if current.url_type.as_deref() == Some("upload") {
        merged.remove("url");
    }
    merged.extend(params.0.clone());
    update_with(context, &id, &merged, params.upload("upload"), ActionError::NotFound(None))
}

/// `resource_delete`: removes the resource from its dataset.
pub fn resource_delete(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    let caller = &context.caller;
    context.store().write(|tx| {
        let (resource, dataset) = resource_and_dataset(tx, &id)?.ok_or(ActionError::NotFound(None))?;
        require_edit(tx, caller, &dataset, format!("User {} not authorized to delete resource {id}", caller.name()))?;
        let remaining: Vec<ResourceRow> = resources::active_for_package(tx, &dataset.id)?
            .into_iter()
            .filter(|r| r.id != resource.id)
            .enumerate()
            .map(|(position, r)| ResourceRow { position: position as i32, ..r })
            .collect();
        resources::replace_for_package(tx, &dataset.id, &remaining)?;
        touch_dataset(tx, context, &dataset, store::now())?;
        Ok(Value::Null)
    })
}

/// `package_resource_reorder`: the listed resources first, in that order, the rest after.
pub fn package_resource_reorder(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    let order = params.string_list("order").unwrap_or_default();
    let caller = &context.caller;
    context.store().write(|tx| {
        let dataset = packages::find(tx, &id)?.ok_or(ActionError::NotFound(None))?;
        packages::lock(tx, &dataset.id)?;
        require_edit(
            tx,
            caller,
            &dataset,
            format!("User {} not authorized to edit package {}", caller.name(), dataset.id),
        )?;
        let current = resources::active_for_package(tx, &dataset.id)?;
        let mut reordered = Vec::new();
        for wanted in &order {
            let found = current.iter().find(|r| &r.id == wanted).ok_or_else(|| {
                let mut map = Map::new();
                map.insert("order".into(), json!(format!("resource_id {wanted} can not be found")));
                ActionError::Validation(map)
            })?;
            if !reordered.iter().any(|r: &ResourceRow| r.id == found.id) {
                reordered.push(found.clone());
            }
        }
        reordered.extend(current.iter().filter(|r| !order.contains(&r.id)).cloned());
        let rows: Vec<ResourceRow> = reordered
            .into_iter()
            .enumerate()
            .map(|(position, r)| ResourceRow { position: position as i32, ..r })
            .collect();
        let ids: Vec<Value> = rows.iter().map(|r| json!(r.id)).collect();
        resources::replace_for_package(tx, &dataset.id, &rows)?;
        touch_dataset(tx, context, &dataset, store::now())?;
        Ok(json!({"id": id, "order": ids}))
    })
}
