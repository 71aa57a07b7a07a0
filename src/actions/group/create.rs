//! `organization_create` / `group_create`, and the field parsing update shares.

use serde_json::{Value, json};

use super::Kind;
use super::show::{ShowOptions, show_dict};
use crate::actions::{ActionContext, Params, validate};
use crate::error::{ActionError, ActionResult, FieldErrors};
use crate::store::changes::ChangeKind;
use crate::store::{self, Tx, groups, groups::GroupRow, members, members::MemberRow, users};

/// Validates `extras` (`[{"key","value"}]`); returns the JSON text to store, `None` when absent.
pub fn parse_extras(params: &Params, errors: &mut FieldErrors) -> ActionResult<Option<String>> {
    let Some(value) = params.get("extras") else {
        return Ok(None);
    };
    let Value::Array(items) = value else {
        return Err(ActionError::Integrity(format!(
            "Only lists of dicts can be placed against subschema ('extras',), not {}",
            json_kind(value)
        )));
    };
    let mut cleaned = Vec::new();
    for item in items {
        let Value::Object(entry) = item else {
            return Err(ActionError::Integrity(
                "Only lists of dicts can be placed against subschema ('extras',), not <class 'list'>".into(),
            ));
        };
        if entry.get("deleted").is_some_and(|d| d == &json!(true) || d == &json!("on")) {
            continue;
        }
        let key = entry.get("key").and_then(crate::actions::params::value_text).filter(|k| !k.is_empty());
        let Some(key) = key else {
            errors.add("extras", "key: Missing value");
            continue;
        };
        let value = match entry.get("value") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => {
                errors.add("extras", "value: Missing value");
                continue;
            }
            Some(other) => other.to_string(),
        };
        cleaned.push(json!({"key": key, "value": value}));
    }
    Ok(Some(Value::Array(cleaned).to_string()))
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "<class 'str'>",
        Value::Object(_) => "<class 'dict'>",
        _ => "<class 'list'>",
    }
}

/// A `users` entry: a user name or id and the capacity to give them.
pub struct UserEntry {
    pub user: String,
    pub capacity: String,
}

/// Parses `users` (`[{"name"|"id", "capacity"}]`); `None` when absent. An entry without a
/// capacity gets `default_capacity`.
pub fn parse_users(params: &Params, default_capacity: &str) -> ActionResult<Option<Vec<UserEntry>>> {
    let Some(value) = params.get("users") else {
        return Ok(None);
    };
    let Value::Array(items) = value else {
        return Err(ActionError::Integrity("Only lists of dicts can be placed against subschema ('users',)".into()));
    };
    let mut entries = Vec::new();
    for item in items {
        let Value::Object(entry) = item else {
            return Err(ActionError::Integrity(
                "Only lists of dicts can be placed against subschema ('users',)".into(),
            ));
        };
        let text = |k: &str| entry.get(k).and_then(crate::actions::params::value_text).filter(|s| !s.is_empty());
        let Some(user) = text("name").or_else(|| text("id")) else {
            continue;
        };
        let capacity = text("capacity").unwrap_or_else(|| default_capacity.to_string());
        entries.push(UserEntry { user, capacity });
    }
    Ok(Some(entries))
}

/// Makes each listed user a member with the given capacity; unknown users are a field error.
pub fn add_users(tx: &mut Tx, group_id: &str, entries: &[UserEntry]) -> ActionResult<()> {
    for entry in entries {
        let user = users::find(tx, &entry.user)?
            .ok_or_else(|| ActionError::field("users", format!("User {} not found", entry.user)))?;
        members::upsert(tx, &new_membership(group_id, "user", &user.id, &entry.capacity))?;
    }
    Ok(())
}

/// Returns a new active membership row.
pub fn new_membership(group_id: &str, table_name: &str, table_id: &str, capacity: &str) -> MemberRow {
    MemberRow {
        id: crate::store::new_id(),
        group_id: group_id.to_string(),
        table_name: table_name.to_string(),
        table_id: table_id.to_string(),
        capacity: capacity.to_string(),
        state: "active".into(),
        created: store::now(),
    }
}

/// Returns whether the caller may create this kind under the site's settings.
fn may_create(context: &ActionContext, kind: Kind) -> bool {
    let caller = &context.caller;
    let auth = &context.config().auth;
    caller.is_sysadmin()
        || (caller.active_user().is_some()
            && match kind {
                Kind::Organization => auth.user_create_organizations,
                Kind::Group => auth.user_create_groups,
            })
}

/// `organization_create` / `group_create`: the creator becomes admin.
pub fn create(context: &ActionContext, params: &Params, kind: Kind) -> ActionResult<Value> {
    let caller = &context.caller;
    if !may_create(context, kind) {
        let name = caller.active_user().map(|u| u.name.as_str()).unwrap_or("None");
        return Err(ActionError::denied(format!("User {name} not authorized to create {}s", kind.noun())));
    }
    let mut errors = FieldErrors::default();
    let name = validate::name_param(&mut errors, params, "name");
    let id = validate::new_object_id(&mut errors, params.non_empty("id"), caller.is_sysadmin());
    let extras = parse_extras(params, &mut errors)?;
    let users_given = parse_users(params, "member")?;
    let row = GroupRow {
        id,
        name: name.clone().unwrap_or_default(),
        title: params.text("title").unwrap_or_default(),
        description: params.text("description").unwrap_or_default(),
        image_url: params.text("image_url").unwrap_or_default(),
        group_type: params.non_empty("type").unwrap_or_else(|| kind.noun().to_string()),
        is_organization: kind.is_organization(),
        approval_status: params.non_empty("approval_status").unwrap_or_else(|| "approved".into()),
        state: params.non_empty("state").filter(|_| caller.is_sysadmin()).unwrap_or_else(|| "active".into()),
        created: store::now(),
        extras: extras.unwrap_or_else(|| "[]".into()),
    };
    let creator_id = caller.user_id().map(str::to_string);
    let options = ShowOptions {
        include_datasets: false,
        include_dataset_count: true,
        include_extras: true,
        include_users: true,
        include_groups: true,
        include_member_count: false,
    };
    context.store().write(|tx| {
        if let Some(n) = &name
            && !errors.has("name")
            && groups::name_taken(tx, n, None)?
        {
            errors.add("name", "Group name already exists in database");
        }
        if !errors.has("id") && groups::find(tx, &row.id)?.is_some_and(|g| g.id == row.id) {
            errors.add("id", "Group id already exists");
        }
        std::mem::take(&mut errors).into_result()?;
        groups::insert(tx, &row)?;
        if let Some(entries) = &users_given {
            add_users(tx, &row.id, entries)?;
        }
        // The creator becomes admin (the command line's site user is not stored, so it does not).
        if let Some(creator) = creator_id.as_deref().filter(|id| users::find(tx, id).ok().flatten().is_some()) {
            members::upsert(tx, &new_membership(&row.id, "user", creator, "admin"))?;
        }
        super::save_change(tx, caller, kind, &row, ChangeKind::Create)?;
        tracing::info!(group.name = %row.name, group.kind = kind.noun(), "created");
        Ok(Value::Object(show_dict(tx, context, &row, options)?))
    })
}
