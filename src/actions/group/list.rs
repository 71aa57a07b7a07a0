//! Lists: `organization_list` / `group_list`, `organization_list_for_user`, `group_list_authz`.

use serde_json::{Value, json};

use super::Kind;
use super::show::{ShowOptions, show_dict};
use crate::actions::dict;
use crate::actions::{ActionContext, Params};
use crate::auth::{Permission, roles};
use crate::error::{ActionError, ActionResult};
use crate::store::{groups, groups::GroupRow, members, users};

/// CKAN's `ckan.group_and_organization_list_max` and `…_all_fields_max`.
const LIST_MAX: i64 = 1000;
const LIST_ALL_FIELDS_MAX: i64 = 25;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortField {
    Name,
    Title,
    PackageCount,
}

/// Parses CKAN's one-criterion `sort` (`title asc`, `name desc`, `package_count`).
fn parse_sort(text: &str) -> ActionResult<(SortField, bool)> {
    let mut words = text.split_whitespace();
    let field = words.next().unwrap_or("title");
    let field = match field {
        "name" => SortField::Name,
        "title" => SortField::Title,
        "package_count" | "packages" => SortField::PackageCount,
        other => {
            return Err(ActionError::message(format!("Cannot sort by field `{other}`")));
        }
    };
    let descending = match words.next() {
        None => field == SortField::PackageCount,
        Some("asc") => false,
        Some("desc") => true,
        Some(other) => {
            return Err(ActionError::message(format!("Invalid sort direction `{other}`")));
        }
    };
    Ok((field, descending))
}

/// `organization_list` / `group_list`.
pub fn list(context: &ActionContext, params: &Params, kind: Kind) -> ActionResult<Value> {
    let sort_text =
        params.non_empty("sort").or_else(|| params.non_empty("order_by")).unwrap_or_else(|| "title asc".into());
    let (sort_field, descending) = parse_sort(&sort_text)?;
    let all_fields = params.flag("all_fields", false)?;
    let cap = if all_fields { LIST_ALL_FIELDS_MAX } else { LIST_MAX };
    let limit = match params.natural("limit")? {
        None | Some(0) => cap,
        Some(n) => n.min(cap),
    };
    let offset = params.natural("offset")?.unwrap_or(0);
    let wanted_type = params.non_empty("type").unwrap_or_else(|| kind.noun().to_string());
    let names_filter = params.string_list(if kind.is_organization() { "organizations" } else { "groups" });
    let query = params.non_empty("q").map(|q| q.to_lowercase());
    let options = ShowOptions {
        include_datasets: false,
        include_dataset_count: params.flag("include_dataset_count", true)?,
        include_extras: params.flag("include_extras", false)?,
        include_users: params.flag("include_users", false)?,
        include_groups: params.flag("include_groups", false)?,
        include_member_count: params.flag("include_member_count", false)?,
    };
    // Dataset counts from the index (one facet), as CKAN takes them from Solr, instead of one
    // count in the store per organisation. Read before a store connection is taken: a search
    // takes one of its own.
    let needs_counts = (all_fields && options.include_dataset_count) || sort_field == SortField::PackageCount;
    let counts = if needs_counts { Some(dataset_counts(context, kind)?) } else { None };
    context.store().read(|tx| {
        let mut rows: Vec<GroupRow> = groups::list_active(tx, kind.is_organization())?
            .into_iter()
            .filter(|row| row.group_type == wanted_type)
            .filter(|row| names_filter.as_ref().is_none_or(|names| names.contains(&row.name)))
            .filter(|row| {
                query.as_ref().is_none_or(|q| {
                    [&row.name, &row.title, &row.description].iter().any(|field| field.to_lowercase().contains(q))
                })
            })
            .collect();
        let count_of = |row: &GroupRow| {
            let key = if kind.is_organization() { &row.id } else { &row.name };
            counts.as_ref().and_then(|c| c.get(key).copied()).unwrap_or(0)
        };
        match sort_field {
            SortField::Name => rows.sort_by(|a, b| a.name.cmp(&b.name)),
            SortField::Title => rows.sort_by(|a, b| (&a.title, &a.name).cmp(&(&b.title, &b.name))),
            // Ties by name (CKAN's Solr sort breaks them the same way).
            SortField::PackageCount => rows.sort_by(|a, b| (count_of(a), &b.name).cmp(&(count_of(b), &a.name))),
        }
        if descending {
            rows.reverse();
        }
        let page = rows.into_iter().skip(offset as usize).take(limit as usize);
        let include_count = options.include_dataset_count;
        let options = ShowOptions { include_dataset_count: false, ..options };
        let mut result = Vec::new();
        for row in page {
            if !all_fields {
                result.push(json!(row.name));
                continue;
            }
            let mut shown = show_dict(tx, context, &row, options)?;
            if include_count {
                dict::insert_sorted(&mut shown, "package_count", json!(count_of(&row)));
            }
            result.push(Value::Object(shown));
        }
        Ok(Value::Array(result))
    })
}

/// The caller's visible active datasets per organisation (by id) or group (by name).
fn dataset_counts(context: &ActionContext, kind: Kind) -> ActionResult<std::collections::HashMap<String, u64>> {
    crate::actions::search::visible_counts(context, if kind.is_organization() { "owner_org" } else { "groups" })
}

fn permission_named(name: &str) -> Option<Permission> {
    Some(match name {
        "read" => Permission::Read,
        "create_dataset" => Permission::CreateDataset,
        "update_dataset" => Permission::UpdateDataset,
        "delete_dataset" => Permission::DeleteDataset,
        "manage_group" => Permission::ManageGroup,
        "admin" | "update" => Permission::Update,
        "delete" => Permission::Delete,
        "membership" => Permission::Membership,
        _ => return None,
    })
}

/// Returns `(group, capacity)` for every active group of a kind where `user_id` holds `permission`.
fn groups_with_permission(
    context: &ActionContext,
    user_id: &str,
    is_sysadmin: bool,
    kind: Kind,
    permission: Permission,
) -> ActionResult<Vec<(GroupRow, String)>> {
    context.store().read(|tx| {
        let all = groups::list_active(tx, kind.is_organization())?;
        if is_sysadmin {
            return Ok(all.into_iter().map(|row| (row, "admin".to_string())).collect());
        }
        let memberships = members::list_for_object(tx, "user", user_id)?;
        Ok(all
            .into_iter()
            .filter_map(|row| {
                let membership = memberships.iter().find(|m| m.group_id == row.id)?;
                roles::capacity_grants(&membership.capacity, permission).then(|| (row, membership.capacity.clone()))
            })
            .collect())
    })
}

/// `organization_list_for_user`: organisations where a user (default: the caller) holds a permission.
pub fn organization_list_for_user(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let target = match params.non_empty("id") {
        Some(id) => Some(context.store().read(|tx| users::find(tx, &id))?.ok_or(ActionError::NotFound(None))?),
        None => context.caller.active_user().cloned(),
    };
    let Some(user) = target.filter(|u| u.state == "active") else {
        return Ok(json!([]));
    };
    let permission_name = params.non_empty("permission").unwrap_or_else(|| "manage_group".into());
    let Some(permission) = permission_named(&permission_name) else {
        return Ok(json!([]));
    };
    let include_dataset_count = params.flag("include_dataset_count", false)?;
    let include_member_count = params.flag("include_member_count", false)?;
    let site_url = context.config().effective_site_url();
    let mut found = groups_with_permission(context, &user.id, user.sysadmin, Kind::Organization, permission)?;
    found.sort_by(|a, b| display_name(&a.0).cmp(display_name(&b.0)));
    let mut result = Vec::new();
    for (row, capacity) in &found {
        let mut entry = dict::group_short(row, &site_url, vec![("capacity", json!(capacity))]);
        if include_dataset_count {
            entry.insert("package_count".into(), json!(0));
        }
        if include_member_count {
            let count = context.store().read(|tx| super::show::member_count(tx, &row.id))?;
            entry.insert("member_count".into(), json!(count));
        }
        result.push(Value::Object(entry));
    }
    Ok(Value::Array(result))
}

fn display_name(row: &GroupRow) -> &str {
    if row.title.is_empty() { &row.name } else { &row.title }
}

/// `group_list_authz`: groups the caller may add datasets to (any membership grants it).
pub fn group_list_authz(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let Some(user) = context.caller.active_user() else {
        return Ok(json!([]));
    };
    let am_member = params.flag("am_member", false)?;
    let is_sysadmin = user.sysadmin && !am_member;
    let site_url = context.config().effective_site_url();
    let mut found = groups_with_permission(context, &user.id, is_sysadmin, Kind::Group, Permission::ManageGroup)?;
    found.sort_by(|a, b| display_name(&a.0).cmp(display_name(&b.0)));
    Ok(Value::Array(found.iter().map(|(row, _)| Value::Object(dict::group_short(row, &site_url, vec![]))).collect()))
}
