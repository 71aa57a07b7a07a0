//! `package_delete` (soft), `dataset_purge`, `package_owner_org_update` and the
//! organisation-wide `bulk_update_*` actions.

use serde_json::Value;

use super::can_edit;
use super::unit::{self, DatasetChange};
use crate::actions::authz::has_group_permission;
use crate::actions::{ActionContext, Params};
use crate::auth::Permission;
use crate::error::{ActionError, ActionResult};
use crate::store::{self, Tx, groups, members, packages, packages::PackageRow};

fn required_id(params: &Params) -> ActionResult<String> {
    params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))
}

/// Marks a dataset deleted and removes it from its groups (inside the caller's transaction).
pub(crate) fn soft_delete(tx: &mut Tx, context: &ActionContext, row: &PackageRow) -> ActionResult<()> {
    crate::store::collaborators::clear(tx, &row.id)?;
    for membership in members::list_for_object(tx, "package", &row.id)? {
        members::delete(tx, &membership.group_id, "package", &row.id)?;
    }
    let deleted = PackageRow { state: "deleted".into(), metadata_modified: store::now(), ..row.clone() };
    unit::save(tx, context, DatasetChange::Deleted(&deleted)).map(|_| ())
}

/// `package_delete`: `state=deleted`; the name stays taken until reused.
pub fn package_delete(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = required_id(params)?;
    context.store().write(|tx| {
        let row = packages::find(tx, &id)?.ok_or(ActionError::NotFound(None))?;
        packages::lock(tx, &row.id)?;
        if !can_edit(tx, &context.caller, &row)? {
            return Err(ActionError::denied(format!(
                "User {} not authorized to edit package {}",
                context.caller.name(),
                row.id
            )));
        }
        soft_delete(tx, context, &row)?;
        Ok(Value::Null)
    })
}

/// `dataset_purge`: sysadmins only; removes the dataset for good.
pub fn dataset_purge(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    if !context.caller.is_sysadmin() {
        return Err(ActionError::Authorization(None));
    }
    let id = required_id(params)?;
    context.store().write(|tx| {
        let row = packages::find(tx, &id)?.ok_or_else(|| ActionError::not_found("Dataset was not found"))?;
        unit::save(tx, context, DatasetChange::Purged(&row))?;
        Ok(Value::Null)
    })
}

/// `package_owner_org_update`: sysadmins move a dataset to another organisation (or none).
pub fn package_owner_org_update(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    if !context.caller.is_sysadmin() {
        return Err(ActionError::Authorization(None));
    }
    let id = required_id(params)?;
    let organization = params.non_empty("organization_id");
    context.store().write(|tx| {
        let row = packages::find(tx, &id)?.ok_or_else(|| ActionError::not_found("Package was not found."))?;
        let owner_org = match &organization {
            None => None,
            Some(org) => Some(
                groups::find(tx, org)?
                    .filter(|g| g.is_organization)
                    .ok_or_else(|| ActionError::not_found("Organization was not found."))?
                    .id,
            ),
        };
        let moved = PackageRow { owner_org, metadata_modified: store::now(), ..row.clone() };
        unit::save(tx, context, DatasetChange::Updated(&moved))?;
        Ok(Value::Null)
    })
}

enum Bulk {
    Private,
    Public,
    Delete,
}

/// Applies a bulk change to the listed datasets of one organisation (given by id); datasets of
/// other organisations are skipped, as in CKAN.
fn bulk(context: &ActionContext, params: &Params, change: Bulk) -> ActionResult<Value> {
    let org_id = params.non_empty("org_id").ok_or_else(|| ActionError::field("org_id", "Missing value"))?;
    let datasets = params.string_list("datasets").unwrap_or_default();
    context.store().write(|tx| {
        // Authorised by id or name, as CKAN; but only an id matches the datasets' owner_org.
        let org = groups::find(tx, &org_id)?.filter(|g| g.is_organization).ok_or(ActionError::Authorization(None))?;
        if !has_group_permission(tx, &context.caller, &org.id, Permission::Update)? {
            return Err(ActionError::Authorization(None));
        }
        let now = store::now();
        for row in packages::find_many(tx, &datasets)? {
            if row.owner_org.as_deref() != Some(org_id.as_str()) {
                continue;
            }
            match change {
                Bulk::Delete => soft_delete(tx, context, &row)?,
                Bulk::Private | Bulk::Public => {
                    let private = matches!(change, Bulk::Private);
                    if row.private != private {
                        let changed = PackageRow { private, metadata_modified: now, ..row.clone() };
                        unit::save(tx, context, DatasetChange::Updated(&changed))?;
                    }
                }
            }
        }
        Ok(Value::Null)
    })
}

/// `bulk_update_private`.
pub fn bulk_update_private(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    bulk(context, params, Bulk::Private)
}

/// `bulk_update_public`.
pub fn bulk_update_public(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    bulk(context, params, Bulk::Public)
}

/// `bulk_update_delete`.
pub fn bulk_update_delete(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    bulk(context, params, Bulk::Delete)
}
