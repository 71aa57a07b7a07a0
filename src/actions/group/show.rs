//! `organization_show` / `group_show` and the group dict they build.

use serde_json::{Map, Value, json};

use super::{Kind, find_kind, required_id};
use crate::actions::authz::has_group_permission;
use crate::actions::dict::{self, UserDetail};
use crate::actions::{ActionContext, Params};
use crate::auth::Permission;
use crate::error::{ActionError, ActionResult};
use crate::store::{Tx, groups::GroupRow, members, users};

/// Which optional parts a group dict carries.
#[derive(Debug, Clone, Copy)]
pub struct ShowOptions {
    pub include_datasets: bool,
    pub include_dataset_count: bool,
    pub include_extras: bool,
    pub include_users: bool,
    pub include_groups: bool,
    pub include_member_count: bool,
}

impl ShowOptions {
    /// Reads the `include_*` flags with `group_show`'s defaults.
    pub fn from_params(params: &Params, users_default: bool) -> ActionResult<ShowOptions> {
        Ok(ShowOptions {
            include_datasets: params.flag("include_datasets", false)?,
            include_dataset_count: params.flag("include_dataset_count", true)?,
            include_extras: params.flag("include_extras", true)?,
            include_users: params.flag("include_users", users_default)?,
            include_groups: params.flag("include_groups", true)?,
            include_member_count: params.flag("include_member_count", false)?,
        })
    }
}

/// Returns the users of a group with their capacity, sorted by name, as public user dicts.
pub fn member_users(tx: &mut Tx, group_id: &str) -> ActionResult<Vec<Value>> {
    let memberships = members::list_in_group(tx, group_id, Some("user"))?;
    let ids: Vec<String> = memberships.iter().map(|m| m.table_id.clone()).collect();
    let mut found = users::find_many(tx, &ids)?;
    found.retain(|u| u.state == "active");
    found.sort_by(|a, b| a.name.cmp(&b.name));
    let list = found
        .iter()
        .map(|user| {
            let mut entry = dict::user(user, UserDetail::Public, 0);
            let capacity = memberships.iter().find(|m| m.table_id == user.id).map(|m| m.capacity.clone());
            entry.insert("capacity".into(), json!(capacity));
            let mut sorted: Vec<(String, Value)> = entry.into_iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(sorted.into_iter().collect())
        })
        .collect();
    Ok(list)
}

/// Returns the number of active users in a group.
pub fn member_count(tx: &mut Tx, group_id: &str) -> ActionResult<usize> {
    Ok(member_users(tx, group_id)?.len())
}

/// Builds the `group_show` dict.
pub fn show_dict(
    tx: &mut Tx,
    context: &ActionContext,
    row: &GroupRow,
    options: ShowOptions,
) -> ActionResult<Map<String, Value>> {
    let mut result = dict::group_base(row, &context.config().effective_site_url());
    dict::insert_sorted(&mut result, "num_followers", json!(0));
    if options.include_dataset_count {
        let count = crate::actions::package::count_in_group(tx, &context.caller, row)?;
        dict::insert_sorted(&mut result, "package_count", json!(count));
    }
    if options.include_member_count {
        dict::insert_sorted(&mut result, "member_count", json!(member_count(tx, &row.id)?));
    }
    if options.include_datasets {
        let packages = crate::actions::package::dicts_in_group(tx, context, row, 10)?;
        result.insert("packages".into(), Value::Array(packages));
    }
    if options.include_extras {
        result.insert("extras".into(), dict::extras(row));
    }
    if options.include_users {
        result.insert("users".into(), Value::Array(member_users(tx, &row.id)?));
    }
    if options.include_groups {
        result.insert("groups".into(), json!([]));
    }
    Ok(result)
}

/// Returns a group the caller may read: active ones for anyone, deleted ones for its members.
pub fn readable(tx: &mut Tx, context: &ActionContext, id: &str, kind: Kind) -> ActionResult<GroupRow> {
    let row = find_kind(tx, id, kind)?.ok_or(ActionError::NotFound(None))?;
    if row.state != "active" && !has_group_permission(tx, &context.caller, &row.id, Permission::Read)? {
        return Err(ActionError::denied(format!(
            "User {} not authorized to read group {}",
            context.caller.name(),
            row.id
        )));
    }
    Ok(row)
}

/// `organization_show` / `group_show`.
pub fn show(context: &ActionContext, params: &Params, kind: Kind) -> ActionResult<Value> {
    let id = required_id(params)?;
    let options = ShowOptions::from_params(params, context.config().auth.public_user_details)?;
    // The dataset count comes from the index, as the listings' counts do (never inside a
    // store read: a search may wait for the indexer, which reads the store).
    let counted = options.include_dataset_count;
    let (row, mut shown) = context.store().read(|tx| {
        let row = readable(tx, context, &id, kind)?;
        let shown = show_dict(tx, context, &row, ShowOptions { include_dataset_count: false, ..options })?;
        Ok::<_, ActionError>((row, shown))
    })?;
    if counted {
        let (field, value) = if kind.is_organization() { ("owner_org", &row.id) } else { ("groups", &row.name) };
        let count = crate::actions::search::visible_count(context, field, value)?;
        dict::insert_sorted(&mut shown, "package_count", json!(count));
    }
    Ok(Value::Object(shown))
}
