//! `organization_update` / `group_update` and the `_patch` forms.

use serde_json::{Map, Value, json};

use super::create::{add_users, parse_extras, parse_users};
use super::show::{ShowOptions, member_users, readable, show_dict};
use super::{Kind, find_kind};
use crate::actions::authz::has_group_permission;
use crate::actions::dict;
use crate::actions::{ActionContext, Params, validate};
use crate::auth::Permission;
use crate::error::{ActionError, ActionResult, FieldErrors};
use crate::store::changes::ChangeKind;
use crate::store::{groups, members, users};

/// `organization_update` / `group_update`: omitted title/description/image keep their value,
/// omitted extras are cleared, `users` (when given) replaces the memberships.
pub fn update(context: &ActionContext, params: &Params, kind: Kind) -> ActionResult<Value> {
    let caller = &context.caller;
    let id = params.non_empty("id").or_else(|| params.non_empty("name")).unwrap_or_default();
    let mut errors = FieldErrors::default();
    let name = validate::name_param(&mut errors, params, "name");
    let extras = parse_extras(params, &mut errors)?;
    let users_given = parse_users(params, "public")?;
    let site_url = context.config().effective_site_url();
    context.store().write(|tx| {
        let existing = find_kind(tx, &id, kind)?.ok_or_else(|| ActionError::not_found("Group was not found."))?;
        if !has_group_permission(tx, caller, &existing.id, Permission::Update)? {
            return Err(ActionError::denied(format!(
                "User {} not authorized to edit {} {}",
                caller.name(),
                kind.noun(),
                existing.id
            )));
        }
        if let Some(new_type) = params.non_empty("type")
            && new_type != existing.group_type
        {
            let mut map = Map::new();
            map.insert("type".into(), json!("Type cannot be updated"));
            return Err(ActionError::Validation(map));
        }
        if let Some(n) = &name
            && !errors.has("name")
            && groups::name_taken(tx, n, Some(&existing.id))?
        {
            errors.add("name", "Group name already exists in database");
        }
        std::mem::take(&mut errors).into_result()?;
        let mut row = existing.clone();
        row.name = name.clone().unwrap_or(row.name);
        for (key, slot) in
            [("title", &mut row.title), ("description", &mut row.description), ("image_url", &mut row.image_url)]
        {
            if params.has(key) {
                *slot = params.text(key).unwrap_or_default();
            }
        }
        row.extras = extras.clone().unwrap_or_else(|| "[]".into());
        if let Some(approval) = params.non_empty("approval_status") {
            row.approval_status = approval;
        }
        if let Some(state) = params.non_empty("state").filter(|s| s == "active" || s == "deleted") {
            row.state = state;
        }
        groups::update(tx, &row)?;
        crate::actions::package::forget_dicts_of_group(tx, &row)?;
        if let Some(entries) = &users_given {
            // Memberships of listed users are kept (with the new capacity), the others removed.
            let mut listed_ids = Vec::new();
            for entry in entries {
                if let Some(user) = users::find(tx, &entry.user)? {
                    listed_ids.push(user.id);
                }
            }
            for membership in members::list_in_group(tx, &row.id, Some("user"))? {
                if !listed_ids.contains(&membership.table_id) {
                    members::delete(tx, &row.id, "user", &membership.table_id)?;
                }
            }
            add_users(tx, &row.id, entries)?;
        }
        super::save_change(tx, caller, kind, &row, ChangeKind::Update)?;
        let packages = crate::actions::package::dicts_in_group(tx, context, &row, 10)?;
        let package_count = crate::actions::package::count_in_group(tx, caller, &row)?;
        let extra = vec![
            ("extras", dict::extras(&row)),
            ("packages", Value::Array(packages)),
            ("package_count", json!(package_count)),
            ("groups", json!([])),
            ("users", Value::Array(member_users(tx, &row.id)?)),
        ];
        let result = dict::group_short(&row, &site_url, extra);
        Ok(Value::Object(result))
    })
}

/// `organization_patch` / `group_patch`: `*_show` overlaid with the given keys, then update.
pub fn patch(context: &ActionContext, params: &Params, kind: Kind) -> ActionResult<Value> {
    let id = params.non_empty("id").unwrap_or_default();
    let options = ShowOptions {
        include_datasets: false,
        include_dataset_count: false,
        include_extras: true,
        include_users: context.config().auth.public_user_details,
        include_groups: false,
        include_member_count: false,
    };
    let current = context.store().read(|tx| {
        let row = readable(tx, context, &id, kind)?;
        show_dict(tx, context, &row, options)
    })?;
    let mut merged = current;
    merged.extend(params.0.clone());
    update(context, &Params(merged, params.1.clone()), kind)
}
