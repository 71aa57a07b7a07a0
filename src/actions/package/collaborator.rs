//! Dataset collaborators (`package_collaborator_*`): users granted one dataset, as `member`
//! (read) or `editor` (edit), by an admin of its organisation. Off unless
//! `auth.allow_dataset_collaborators` is set, as in CKAN.

use serde_json::{Value, json};

use super::unit::{self, DatasetChange};
use crate::actions::authz::has_group_permission;
use crate::actions::dict::timestamp;
use crate::actions::{ActionContext, Params};
use crate::auth::Permission;
use crate::error::{ActionError, ActionResult};
use crate::store::collaborators::{self, CollaboratorRow};
use crate::store::{self, Tx, packages, packages::PackageRow, users};

fn enabled(context: &ActionContext) -> ActionResult<()> {
    if context.config().auth.allow_dataset_collaborators {
        Ok(())
    } else {
        Err(ActionError::message("Dataset collaborators not enabled"))
    }
}

fn collaborator_dict(row: &CollaboratorRow) -> Value {
    json!({"package_id": row.package_id, "user_id": row.user_id, "capacity": row.capacity, "modified": timestamp(row.modified)})
}

/// Finds the dataset and checks the caller administers it (organisation admin, collaborator
/// admin, or sysadmin).
fn managed_dataset(tx: &mut Tx, context: &ActionContext, id: &str) -> ActionResult<PackageRow> {
    let dataset = packages::find(tx, id)?.ok_or_else(|| ActionError::not_found("Dataset not found"))?;
    let caller = &context.caller;
    let org_admin = match &dataset.owner_org {
        Some(org) => has_group_permission(tx, caller, org, Permission::Membership)?,
        None => caller.is_sysadmin(),
    };
    let collaborator_admin = caller
        .user_id()
        .map(|user| collaborators::find(tx, &dataset.id, user))
        .transpose()?
        .flatten()
        .is_some_and(|c| c.capacity == "admin");
    if org_admin || collaborator_admin {
        Ok(dataset)
    } else {
        Err(ActionError::denied(format!(
            "User {} not authorized to manage collaborators of dataset {}",
            caller.name(),
            dataset.id
        )))
    }
}

/// `package_collaborator_create`.
pub fn package_collaborator_create(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    enabled(context)?;
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    let user = params.non_empty("user_id").ok_or_else(|| ActionError::field("user_id", "Missing value"))?;
    let capacity = params.non_empty("capacity").ok_or_else(|| ActionError::field("capacity", "Missing value"))?;
    let mut allowed = vec!["editor", "member"];
    if context.config().auth.allow_admin_collaborators {
        allowed.insert(0, "admin");
    }
    if !allowed.contains(&capacity.as_str()) {
        return Err(ActionError::message(format!("Role must be one of \"{}\"", allowed.join(", "))));
    }
    context.store().write(|tx| {
        let dataset = managed_dataset(tx, context, &id)?;
        let user = users::find(tx, &user)?
            .filter(|u| u.state == "active")
            .ok_or_else(|| ActionError::not_found("User not found"))?;
        let row =
            CollaboratorRow { package_id: dataset.id.clone(), user_id: user.id, capacity, modified: store::now() };
        collaborators::upsert(tx, &row)?;
        // Collaborators may see the dataset while it is private: its search labels change.
        unit::save(tx, context, DatasetChange::Collaborators(&dataset.id))?;
        Ok(collaborator_dict(&row))
    })
}

/// `package_collaborator_delete`.
pub fn package_collaborator_delete(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    enabled(context)?;
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    let user = params.non_empty("user_id").ok_or_else(|| ActionError::field("user_id", "Missing value"))?;
    context.store().write(|tx| {
        let dataset = managed_dataset(tx, context, &id)?;
        let user = users::find(tx, &user)?.ok_or_else(|| ActionError::not_found("User not found"))?;
        if !collaborators::delete(tx, &dataset.id, &user.id)? {
            return Err(ActionError::not_found(format!("User {} is not a collaborator on this dataset", user.name)));
        }
        unit::save(tx, context, DatasetChange::Collaborators(&dataset.id))?;
        Ok(Value::Null)
    })
}

/// `package_collaborator_list`: a dataset's collaborators, for those who manage it.
pub fn package_collaborator_list(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    enabled(context)?;
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    let capacity = params.non_empty("capacity");
    context.store().read(|tx| {
        let dataset = managed_dataset(tx, context, &id)?;
        let rows = collaborators::for_package(tx, &dataset.id)?;
        Ok(Value::Array(
            rows.iter().filter(|r| capacity.as_ref().is_none_or(|c| &r.capacity == c)).map(collaborator_dict).collect(),
        ))
    })
}

/// `package_collaborator_list_for_user`: a user's collaborations, for that user or a sysadmin.
pub fn package_collaborator_list_for_user(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    enabled(context)?;
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    let capacity = params.non_empty("capacity");
    context.store().read(|tx| {
        let user = users::find(tx, &id)?.ok_or_else(|| ActionError::not_found("User not found"))?;
        if !context.caller.is_sysadmin() && context.caller.user_id() != Some(user.id.as_str()) {
            return Err(ActionError::Authorization(None));
        }
        let rows = collaborators::for_user(tx, &user.id)?;
        Ok(Value::Array(
            rows.iter().filter(|r| capacity.as_ref().is_none_or(|c| &r.capacity == c)).map(collaborator_dict).collect(),
        ))
    })
}
