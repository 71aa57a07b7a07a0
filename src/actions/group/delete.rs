//! `organization_delete` / `group_delete` (soft) and `_purge` (hard, sysadmins only).

use serde_json::Value;

use super::{Kind, find_kind};
use crate::actions::authz::has_group_permission;
use crate::actions::{ActionContext, Params};
use crate::auth::Permission;
use crate::error::{ActionError, ActionResult};
use crate::store::changes::ChangeKind;
use crate::store::{groups, members};

/// Soft delete: `state=deleted`; the members keep their roles (they may still read it).
pub fn delete(context: &ActionContext, params: &Params, kind: Kind) -> ActionResult<Value> {
    let caller = &context.caller;
    let id = params.non_empty("id").unwrap_or_default();
    let auth = &context.config().auth;
    let users_may_delete = match kind {
        Kind::Organization => auth.user_delete_organizations,
        Kind::Group => auth.user_delete_groups,
    };
    context.store().write(|tx| {
        let mut row = find_kind(tx, &id, kind)?.ok_or_else(|| ActionError::not_found("Group was not found."))?;
        let allowed = caller.is_sysadmin()
            || (users_may_delete && has_group_permission(tx, caller, &row.id, Permission::Delete)?);
        if !allowed {
            return Err(ActionError::denied(format!(
                "User {} not authorized to delete {} {}",
                caller.name(),
                kind.noun(),
                row.id
            )));
        }
        if kind == Kind::Organization && crate::actions::package::organization_has_datasets(tx, &row.id)? {
            return Err(ActionError::message("Organization cannot be deleted while it still has datasets"));
        }
        row.state = "deleted".into();
        groups::update(tx, &row)?;
        crate::actions::package::forget_dicts_of_group(tx, &row)?;
        // A deleted group stops being a member of other groups (CKAN's group hierarchy).
        members::delete_for_object(tx, "group", &row.id)?;
        super::save_change(tx, caller, kind, &row, ChangeKind::Delete)?;
        Ok(Value::Null)
    })
}

/// Hard delete of the row and its memberships; sysadmins only.
pub fn purge(context: &ActionContext, params: &Params, kind: Kind) -> ActionResult<Value> {
    if !context.caller.is_sysadmin() {
        return Err(ActionError::Authorization(None));
    }
    let id = params.non_empty("id").unwrap_or_default();
    let missing = match kind {
        Kind::Organization => "Organization was not found",
        Kind::Group => "Group was not found",
    };
    context.store().write(|tx| {
        let row = find_kind(tx, &id, kind)?.ok_or_else(|| ActionError::not_found(missing))?;
        if kind == Kind::Organization && crate::actions::package::organization_has_datasets(tx, &row.id)? {
            return Err(ActionError::message("Organization cannot be deleted while it still has datasets"));
        }
        crate::actions::package::forget_dicts_of_group(tx, &row)?;
        groups::purge(tx, &row.id)?;
        super::save_change(tx, &context.caller, kind, &row, ChangeKind::Purge)?;
        Ok(Value::Null)
    })
}
