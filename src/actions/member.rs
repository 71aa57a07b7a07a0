//! Memberships: `member_create/delete/list` and the `organization_member_*`/`group_member_*` forms.

use serde_json::{Value, json};

use super::authz::has_group_permission;
use super::group::Kind;
use super::package::{self, unit::DatasetChange};
use super::{ActionContext, Params};
use crate::actions::group;
use crate::auth::{Permission, roles};
use crate::error::{ActionError, ActionResult, FieldErrors};
use crate::store::changes::ChangeKind;
use crate::store::{Tx, groups, groups::GroupRow, members, members::MemberRow, packages, users};

fn member_dict(row: &MemberRow) -> Value {
    json!({
        "id": row.id,
        "table_name": row.table_name,
        "table_id": row.table_id,
        "capacity": row.capacity,
        "group_id": row.group_id,
        "state": row.state,
    })
}

fn kind_of(row: &GroupRow) -> Kind {
    if row.is_organization { Kind::Organization } else { Kind::Group }
}

/// Finds the object of a membership; `None` when it does not exist.
fn find_object(tx: &mut Tx, object_type: &str, object: &str) -> ActionResult<Option<String>> {
    Ok(match object_type {
        "user" => users::find(tx, object)?.filter(|u| u.state == "active").map(|u| u.id),
        "group" => groups::find(tx, object)?.map(|g| g.id),
        _ => packages::find(tx, object)?.filter(|p| p.state != "deleted").map(|p| p.id),
    })
}

fn missing_object(object_type: &str) -> ActionError {
    match object_type {
        "user" => ActionError::not_found("User was not found."),
        "group" => ActionError::not_found("Group was not found."),
        _ => ActionError::not_found("Package was not found."),
    }
}

/// Checks that the caller may change memberships of `object_type` in `group`: admins may
/// change any; for a plain group any member may add or remove datasets (`manage_group`).
fn authorize_change(tx: &mut Tx, context: &ActionContext, group: &GroupRow, object_type: &str) -> ActionResult<()> {
    let permission =
        if object_type == "package" && !group.is_organization { Permission::ManageGroup } else { Permission::Update };
    if has_group_permission(tx, &context.caller, &group.id, permission)? {
        return Ok(());
    }
    Err(ActionError::denied(format!("User {} not authorized to edit group {}", context.caller.name(), group.id)))
}

/// Refuses an admin lowering their own role, as CKAN does.
fn refuse_self_downgrade(
    tx: &mut Tx,
    context: &ActionContext,
    group_id: &str,
    user_id: &str,
    capacity: &str,
) -> ActionResult<()> {
    if context.caller.is_sysadmin() || context.caller.user_id() != Some(user_id) || capacity == "admin" {
        return Ok(());
    }
    if members::find(tx, group_id, "user", user_id)?.is_some_and(|m| m.capacity == "admin") {
        return Err(ActionError::denied("Administrators cannot revoke their own admin status"));
    }
    Ok(())
}

/// Adds or changes one membership inside the caller's transaction; records the change.
fn save_membership(
    tx: &mut Tx,
    context: &ActionContext,
    group: &GroupRow,
    object_type: &str,
    object_id: &str,
    capacity: &str,
) -> ActionResult<MemberRow> {
    let row = members::upsert(tx, &group::create_membership(&group.id, object_type, object_id, capacity))?;
    group::save_change(tx, &context.caller, kind_of(group), group, ChangeKind::Membership)?;
    if object_type == "package" {
        package::unit::save(tx, context, DatasetChange::Groups(object_id))?;
    }
    Ok(row)
}

fn validate_role(group: &GroupRow, object_type: &str, field: &str, capacity: &str) -> ActionResult<()> {
    if object_type == "user" && !roles::roles_for(group.is_organization).contains(&capacity) {
        return Err(ActionError::field(field, "role does not exist."));
    }
    Ok(())
}

/// `member_create`.
pub fn member_create(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let mut errors = FieldErrors::default();
    let mut required = |key: &str| {
        let value = params.non_empty(key);
        if value.is_none() {
            errors.add(key, "Missing value");
        }
        value.unwrap_or_default()
    };
    let (id, object, object_type, capacity) =
        (required("id"), required("object"), required("object_type"), required("capacity"));
    errors.into_result()?;
    if !["user", "package", "group"].contains(&object_type.as_str()) {
        return Err(ActionError::field("object_type", "Not a valid object type"));
    }
    context.store().write(|tx| {
        let group = groups::find(tx, &id)?.ok_or_else(|| ActionError::not_found("Group was not found."))?;
        authorize_change(tx, context, &group, &object_type)?;
        let object_id = find_object(tx, &object_type, &object)?.ok_or_else(|| missing_object(&object_type))?;
        validate_role(&group, &object_type, "capacity", &capacity)?;
        if object_type == "user" {
            refuse_self_downgrade(tx, context, &group.id, &object_id, &capacity)?;
        }
        Ok(member_dict(&save_membership(tx, context, &group, &object_type, &object_id, &capacity)?))
    })
}

/// `member_delete`.
pub fn member_delete(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = params.non_empty("id").unwrap_or_default();
    let object = params.non_empty("object").unwrap_or_default();
    let object_type = params.non_empty("object_type").unwrap_or_else(|| "user".into());
    delete_membership(context, &id, &object, &object_type)
}

fn delete_membership(context: &ActionContext, id: &str, object: &str, object_type: &str) -> ActionResult<Value> {
    context.store().write(|tx| {
        let group = groups::find(tx, id)?.ok_or_else(|| ActionError::not_found("Group was not found."))?;
        authorize_change(tx, context, &group, object_type)?;
        let object_id = find_object(tx, object_type, object)?.ok_or_else(|| missing_object(object_type))?;
        if members::delete(tx, &group.id, object_type, &object_id)? {
            group::save_change(tx, &context.caller, kind_of(&group), &group, ChangeKind::Membership)?;
            if object_type == "package" {
                package::unit::save(tx, context, DatasetChange::Groups(&object_id))?;
            }
        }
        Ok(Value::Null)
    })
}

/// `member_list`: `[[object id, object type, capacity]]`; user capacities are shown capitalised.
pub fn member_list(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = params.non_empty("id").unwrap_or_default();
    let object_type = params.non_empty("object_type");
    let capacity = params.non_empty("capacity");
    context.store().read(|tx| {
        let row = groups::find(tx, &id)?.ok_or(ActionError::NotFound(None))?;
        let row = group::readable(tx, context, &row.id, kind_of(&row))?;
        let rows = members::list_in_group(tx, &row.id, object_type.as_deref())?;
        let list = rows
            .iter()
            .filter(|m| capacity.as_ref().is_none_or(|c| &m.capacity == c))
            .map(|m| {
                let shown = if m.table_name == "user" { roles::role_title(&m.capacity) } else { m.capacity.clone() };
                json!([m.table_id, m.table_name, shown])
            })
            .collect();
        Ok(Value::Array(list))
    })
}

/// `organization_member_create` / `group_member_create`: a user with a role.
fn user_member_create(context: &ActionContext, params: &Params, kind: Kind) -> ActionResult<Value> {
    let mut errors = FieldErrors::default();
    let id = params.non_empty("id");
    let username = params.non_empty("username");
    let role = params.non_empty("role");
    for (key, value) in [("id", &id), ("username", &username), ("role", &role)] {
        if value.is_none() {
            errors.add(key, "Missing value");
        }
    }
    let (id, username, role) = (id.unwrap_or_default(), username.unwrap_or_default(), role.unwrap_or_default());
    context.store().write(|tx| {
        let group = match group::find_kind(tx, &id, kind)? {
            Some(g) => Some(g),
            None => {
                if !errors.has("id") {
                    errors.add("id", "That group name or ID does not exist.");
                }
                None
            }
        };
        let user = users::find(tx, &username)?.filter(|u| u.state == "active");
        if user.is_none() && !errors.has("username") {
            errors.add("username", "User not found");
        }
        if !errors.has("role") && !roles::roles_for(kind.is_organization()).contains(&role.as_str()) {
            errors.add("role", "role does not exist.");
        }
        std::mem::take(&mut errors).into_result()?;
        let (Some(group), Some(user)) = (group, user) else {
            return Err(ActionError::NotFound(None));
        };
        if !has_group_permission(tx, &context.caller, &group.id, Permission::Membership)? {
            return Err(ActionError::denied(format!("User {} not authorized to add members", context.caller.name())));
        }
        refuse_self_downgrade(tx, context, &group.id, &user.id, &role)?;
        Ok(member_dict(&save_membership(tx, context, &group, "user", &user.id, &role)?))
    })
}

/// `organization_member_delete` / `group_member_delete`: a missing or unknown user is a 404.
fn user_member_delete(context: &ActionContext, params: &Params, kind: Kind) -> ActionResult<Value> {
    let id = params.non_empty("id").unwrap_or_default();
    let username = params.non_empty("username").or_else(|| params.non_empty("user_id")).unwrap_or_default();
    let exists = context.store().read(|tx| group::find_kind(tx, &id, kind))?;
    if exists.is_none() {
        return Err(ActionError::not_found("Group was not found."));
    }
    delete_membership(context, &id, &username, "user")
}

/// `organization_member_create`.
pub fn organization_member_create(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    user_member_create(context, params, Kind::Organization)
}

/// `group_member_create`.
pub fn group_member_create(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    user_member_create(context, params, Kind::Group)
}

/// `organization_member_delete`.
pub fn organization_member_delete(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    user_member_delete(context, params, Kind::Organization)
}

/// `group_member_delete`.
pub fn group_member_delete(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    user_member_delete(context, params, Kind::Group)
}
