//! Datasets: reads (`package_show`, `package_list`, `current_package_list_with_resources`),
//! writes (`write.rs`), deletes (`delete.rs`) and resources (`resource.rs`).

mod collaborator;
mod delete;
pub mod dict;
mod format;
mod input;
mod resource;
mod resource_input;
mod revise;
pub mod unit;
mod write;

use serde_json::{Map, Value};

use super::authz::has_group_permission;
use super::{ActionContext, Params, Services};
use crate::auth::{Caller, Permission};
use crate::error::{ActionError, ActionResult};
use crate::model::Dataset;
use crate::store::groups::GroupRow;
use crate::store::packages::{self, PackageRow, Visibility};
use crate::store::{Tx, collaborators, members};

pub use collaborator::{
    package_collaborator_create, package_collaborator_delete, package_collaborator_list,
    package_collaborator_list_for_user,
};
pub(crate) use delete::soft_delete;
pub use delete::{
    bulk_update_delete, bulk_update_private, bulk_update_public, dataset_purge, package_delete,
    package_owner_org_update,
};
pub use resource::{
    package_resource_reorder, resource_create, resource_delete, resource_patch, resource_show, resource_update,
    show_resource,
};
pub use resource_input::parse_datetime;
pub use revise::package_revise;
use write::find_locked as find_locked_public;
pub use write::{create_allowing_state, create_with_text, package_create_json, package_patch, package_update};
pub(crate) use write::{create_in, update_in};

/// Returns what the caller may see in listings: everything (sysadmin), or public datasets plus
/// those of the organisations where they hold any role.
pub fn visibility(tx: &mut Tx, caller: &Caller) -> ActionResult<Visibility> {
    if caller.is_sysadmin() {
        return Ok(Visibility { all: true, ..Visibility::default() });
    }
    let Some(user_id) = caller.user_id() else {
        return Ok(Visibility::default());
    };
    let member_of = members::list_for_object(tx, "user", user_id)?.into_iter().map(|m| m.group_id).collect();
    let collaborations = collaborators::for_user(tx, user_id)?.into_iter().map(|c| c.package_id).collect();
    Ok(Visibility { all: false, member_of, user_id: Some(user_id.to_string()), collaborations })
}

/// Returns the caller's collaborator capacity on a dataset, if any.
fn collaboration(tx: &mut Tx, caller: &Caller, row: &PackageRow) -> ActionResult<Option<String>> {
    let Some(user_id) = caller.user_id() else { return Ok(None) };
    Ok(collaborators::find(tx, &row.id, user_id)?.map(|c| c.capacity))
}

/// Returns whether the caller may read this dataset (CKAN's permission labels, spec §2.5).
pub fn can_read(tx: &mut Tx, caller: &Caller, row: &PackageRow) -> ActionResult<bool> {
    if row.state == "active" && (!row.private || caller.scope_grants(&row.id)) {
        return Ok(true);
    }
    if caller.is_sysadmin() || collaboration(tx, caller, row)?.is_some() {
        return Ok(true);
    }
    match &row.owner_org {
        Some(org) => has_group_permission(tx, caller, org, Permission::Read),
        None => Ok(caller.user_id().is_some() && caller.user_id() == row.creator_user_id.as_deref()),
    }
}

/// Returns whether the caller may edit this dataset (`update_dataset` on its organisation).
pub fn can_edit(tx: &mut Tx, caller: &Caller, row: &PackageRow) -> ActionResult<bool> {
    if caller.is_sysadmin() || collaboration(tx, caller, row)?.is_some_and(|capacity| capacity != "member") {
        return Ok(true);
    }
    match &row.owner_org {
        Some(org) => has_group_permission(tx, caller, org, Permission::UpdateDataset),
        None => Ok(caller.user_id().is_some() && caller.user_id() == row.creator_user_id.as_deref()),
    }
}

/// Returns the dataset dicts of these rows, in the same order.
pub fn dicts(tx: &mut Tx, context: &ActionContext, rows: &[PackageRow]) -> ActionResult<Vec<Value>> {
    dicts_with(tx, context, rows, false)
}

/// Returns the dataset dicts of these rows; `default_schema` keeps schema fields in `extras`
/// (CKAN's `use_default_schema`).
fn dicts_with(
    tx: &mut Tx,
    context: &ActionContext,
    rows: &[PackageRow],
    default_schema: bool,
) -> ActionResult<Vec<Value>> {
    let mut parts = dict::load_parts(tx, rows)?;
    let site_url = context.config().effective_site_url();
    Ok(rows
        .iter()
        .map(|row| {
            let row_parts = parts.remove(&row.id).unwrap_or_default();
            let custom = if default_schema {
                Vec::new()
            } else {
                context.services.schemas.custom_field_names(&row.package_type)
            };
            Value::Object(dict::package(row, &row_parts, &context.services.licenses, &site_url, &custom))
        })
        .collect())
}

/// Returns one dataset dict.
pub fn show_dict(tx: &mut Tx, context: &ActionContext, row: &PackageRow) -> ActionResult<Map<String, Value>> {
    match dicts(tx, context, std::slice::from_ref(row))?.pop() {
        Some(Value::Object(map)) => Ok(map),
        _ => Err(ActionError::Internal(anyhow::anyhow!("dataset dict not built"))),
    }
}

/// Forgets the cached dicts of the datasets an organisation or group shows up in.
pub fn forget_dicts_of_group(tx: &mut Tx, group: &GroupRow) -> ActionResult<()> {
    if group.is_organization {
        packages::clear_cache(tx, Some(&group.id), &[])?;
    } else {
        let ids: Vec<String> =
            members::list_in_group(tx, &group.id, Some("package"))?.into_iter().map(|m| m.table_id).collect();
        packages::clear_cache(tx, None, &ids)?;
    }
    Ok(())
}

/// Builds a dataset's dict and stores it as its cached dict (call after every write of it).
pub fn refresh(tx: &mut Tx, context: &ActionContext, row: &PackageRow) -> ActionResult<Map<String, Value>> {
    Ok(refresh_text(tx, context, row)?.0)
}

/// [`refresh`] after a change, recording the change in the activity stream.
pub fn record_change(
    tx: &mut Tx,
    context: &ActionContext,
    row: &PackageRow,
    activity_type: &str,
) -> ActionResult<Map<String, Value>> {
    let (dict, text) = refresh_text(tx, context, row)?;
    crate::actions::activity::record_dataset(tx, &context.caller, &dict, &text, activity_type)?;
    Ok(dict)
}

/// [`refresh`], also returning the dict as the JSON text stored.
fn refresh_text(tx: &mut Tx, context: &ActionContext, row: &PackageRow) -> ActionResult<(Map<String, Value>, String)> {
    let dict = show_dict(tx, context, row)?;
    let text = serde_json::to_string(&dict).map_err(|e| ActionError::Internal(e.into()))?;
    packages::set_cache(tx, &row.id, &text)?;
    Ok((dict, text))
}

/// Finds a dataset the caller may read: 404 when unknown, 403 when not visible.
pub fn readable(tx: &mut Tx, caller: &Caller, id: &str) -> ActionResult<PackageRow> {
    let row = packages::find(tx, id)?.ok_or(ActionError::NotFound(None))?;
    if !can_read(tx, caller, &row)? {
        return Err(ActionError::denied(format!("User {} not authorized to read package {}", caller.name(), row.id)));
    }
    Ok(row)
}

/// Returns the listing filter for the datasets of an organisation or group.
fn group_filter(group: &GroupRow) -> packages::Filter {
    if group.is_organization {
        return packages::Filter { owner_org: Some(group.id.clone()), include_private: true, ..Default::default() };
    }
    packages::Filter { in_group: Some(group.id.clone()), include_private: true, ..Default::default() }
}

/// Counts the active datasets of an organisation or group the caller may see.
pub fn count_in_group(tx: &mut Tx, caller: &Caller, group: &GroupRow) -> ActionResult<i64> {
    let visible = visibility(tx, caller)?;
    let filter = group_filter(group);
    Ok(packages::count(tx, &filter, &visible)?)
}

/// Returns the dicts of an organisation's or group's newest datasets the caller may see.
pub fn dicts_in_group(tx: &mut Tx, context: &ActionContext, group: &GroupRow, limit: i64) -> ActionResult<Vec<Value>> {
    let visible = visibility(tx, &context.caller)?;
    let filter = group_filter(group);
    let rows = packages::list(tx, &filter, &visible, limit, 0)?;
    dicts(tx, context, &rows)
}

/// Returns whether an organisation still owns datasets that are not deleted.
pub fn organization_has_datasets(tx: &mut Tx, org_id: &str) -> ActionResult<bool> {
    let filter = packages::Filter {
        owner_org: Some(org_id.to_string()),
        include_private: true,
        include_drafts: true,
        include_harvest_sources: true,
        ..Default::default()
    };
    let everything = Visibility { all: true, ..Default::default() };
    Ok(packages::count(tx, &filter, &everything)? > 0)
}

/// Returns the listing of a user's datasets as the caller may see it: everything for the user
/// themselves and sysadmins, public datasets for others.
fn created_by(caller: &Caller, user_id: &str) -> (packages::Filter, Visibility) {
    let own = caller.is_sysadmin() || caller.user_id() == Some(user_id);
    let visible = if own { Visibility { all: true, ..Default::default() } } else { Visibility::default() };
    let filter = packages::Filter {
        creator_user_id: Some(user_id.to_string()),
        include_private: own,
        include_drafts: own,
        ..Default::default()
    };
    (filter, visible)
}

/// Counts the datasets a user created that the caller may see (`number_created_packages`).
pub fn count_created_by(tx: &mut Tx, caller: &Caller, user_id: &str) -> ActionResult<i64> {
    let (filter, visible) = created_by(caller, user_id);
    Ok(packages::count(tx, &filter, &visible)?)
}

/// Returns the dicts of up to `limit` datasets a user created that the caller may see.
pub fn dicts_created_by(tx: &mut Tx, context: &ActionContext, user_id: &str, limit: i64) -> ActionResult<Vec<Value>> {
    let (filter, visible) = created_by(&context.caller, user_id);
    let rows = packages::list(tx, &filter, &visible, limit, 0)?;
    dicts(tx, context, &rows)
}

/// `package_show`.
pub fn package_show(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = params
        .non_empty("id")
        .or_else(|| params.non_empty("name_or_id"))
        .ok_or_else(|| ActionError::field("name_or_id", "Missing value"))?;
    let use_default_schema = params.flag("use_default_schema", false)?;
    show(context, &id, use_default_schema).map(Dataset::into_value)
}

/// Returns a dataset the caller may read, by id or name (`package_show`, typed); with
/// `use_default_schema`, without its schema's custom fields.
pub fn show(context: &ActionContext, id: &str, use_default_schema: bool) -> ActionResult<Dataset> {
    context.store().read(|tx| {
        let (row, cached) = packages::find_with_cache(tx, id)?.ok_or(ActionError::NotFound(None))?;
        if !can_read(tx, &context.caller, &row)? {
            return Err(ActionError::denied(format!(
                "User {} not authorized to read package {}",
                context.caller.name(),
                row.id
            )));
        }
        if use_default_schema {
            return match dicts_with(tx, context, std::slice::from_ref(&row), true)?.pop() {
                Some(Value::Object(dict)) => Ok(Dataset(dict)),
                _ => Err(ActionError::NotFound(None)),
            };
        }
        if let Some(Ok(dict)) = cached.map(|text| serde_json::from_str::<Map<String, Value>>(&text)) {
            return Ok(Dataset(dict));
        }
        Ok(Dataset(show_dict(tx, context, &row)?))
    })
}

/// `package_list`: names of active public datasets, by name.
pub fn package_list(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let limit = params.natural("limit")?.filter(|l| *l > 0);
    let offset = params.natural("offset")?.unwrap_or(0);
    // From the index (one facet over the public catalogue's names), not the store.
    let mut names: Vec<String> = super::search::public_counts(context, "name")?.into_keys().collect();
    names.sort();
    let page = names.into_iter().skip(usize::try_from(offset).unwrap_or(usize::MAX));
    let page: Vec<Value> = match limit {
        Some(limit) => page.take(usize::try_from(limit).unwrap_or(usize::MAX)).map(Value::String).collect(),
        None => page.map(Value::String).collect(),
    };
    Ok(Value::Array(page))
}

/// `current_package_list_with_resources`: the newest datasets with their resources.
pub fn current_package_list_with_resources(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let limit = params.natural("limit")?.unwrap_or(10).min(1000);
    let offset = match params.natural("offset")? {
        Some(offset) => offset,
        None => params.natural("page")?.map(|page| (page.max(1) - 1) * limit).unwrap_or(0),
    };
    context.store().read(|tx| {
        let visible = visibility(tx, &context.caller)?;
        let filter = packages::Filter { include_private: context.caller.is_sysadmin(), ..Default::default() };
        let rows = packages::list(tx, &filter, &visible, limit, offset)?;
        Ok(Value::Array(dicts(tx, context, &rows)?))
    })
}

/// Returns the dicts of stored datasets for the search index: the cached dict where there is
/// one, else one built now.
pub fn index_dicts(
    services: &Services,
    rows: Vec<(PackageRow, Option<String>)>,
) -> ActionResult<Vec<Map<String, Value>>> {
    let context = ActionContext { services, caller: Caller::system() };
    let mut dicts = Vec::with_capacity(rows.len());
    let mut uncached = Vec::new();
    for (row, cache) in rows {
        match cache.and_then(|text| serde_json::from_str::<Map<String, Value>>(&text).ok()) {
            Some(dict) => dicts.push(dict),
            None => uncached.push(row),
        }
    }
    if !uncached.is_empty() {
        let built = context.store().read(|tx| dicts_with(tx, &context, &uncached, false))?;
        // Keep them as the datasets' cached dicts too (package_show and the next rebuild),
        // unless a writer stored a newer one meanwhile.
        context.store().write(|tx| -> ActionResult<()> {
            for (row, dict) in uncached.iter().zip(&built) {
                packages::fill_cache(tx, &row.id, row.metadata_modified, &dict.to_string())?;
            }
            Ok(())
        })?;
        dicts.extend(built.into_iter().filter_map(|dict| match dict {
            Value::Object(map) => Some(map),
            _ => None,
        }));
    }
    Ok(dicts)
}
