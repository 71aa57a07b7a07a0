//! `retention_list`: the datasets past their online retention (`thoi_han_truc_tuyen`,
//! counted from `metadata_created`), for their department: a department's members see its
//! own, sysadmins every department's. They are never deleted by Kho; with `[workflows]
//! unlist_expired` they are only left out of search (see `crate::workflows::retention`).

use serde_json::{Value, json};

use super::authz::has_group_permission;
use super::search::{SearchQuery, exact_filter, search};
use super::{ActionContext, Params};
use crate::auth::Permission;
use crate::error::{ActionError, ActionResult};
use crate::model::text;
use crate::store::{groups, members};
use crate::workflows::retention;

const MAX_ROWS: i64 = 1000;

/// The organisations whose list the caller asked for: `None` for every one (sysadmins).
fn departments(context: &ActionContext, params: &Params) -> ActionResult<Option<Vec<String>>> {
    let caller = &context.caller;
    let Some(user_id) = caller.user_id().map(str::to_string) else {
        return Err(ActionError::denied(format!("User {} not authorized to list expired datasets", caller.name())));
    };
    let given = params.non_empty("organization_id");
    context.store().read(|tx| match given {
        Some(given) => {
            let org = groups::find(tx, &given)?
                .filter(|g| g.is_organization && g.state == "active")
                .ok_or_else(|| ActionError::not_found("Organization not found"))?;
            if !has_group_permission(tx, caller, &org.id, Permission::Read)? {
                return Err(ActionError::denied(format!(
                    "User {} not authorized to list the expired datasets of {}",
                    caller.name(),
                    org.name
                )));
            }
            Ok(Some(vec![org.id]))
        }
        None if caller.is_sysadmin() => Ok(None),
        None => Ok(Some(
            members::of_user_with_groups(tx, &user_id)?
                .into_iter()
                .filter(|(_, g)| g.is_organization && g.state == "active")
                .map(|(_, g)| g.id)
                .collect(),
        )),
    })
}

/// `retention_list`: `{count, results}`, oldest publication first; `organization_id`,
/// `offset`, `limit` (at most 1000).
pub fn retention_list(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let organizations = departments(context, params)?;
    let limit = params.natural("limit")?.unwrap_or(100).min(MAX_ROWS) as usize;
    let offset = params.natural("offset")?.unwrap_or(0) as usize;
    let now = crate::store::now();
    let mut filters = vec![retention::expired_filter(now)];
    match &organizations {
        Some(ids) if ids.is_empty() => return Ok(json!({"count": 0, "results": []})),
        Some(ids) => {
            let any: Vec<String> = ids.iter().map(|id| exact_filter("owner_org", id)).collect();
            filters.push(format!("({})", any.join(" OR ")));
        }
        None => {}
    }
    let query = SearchQuery {
        fq_list: filters,
        sort: "metadata_created asc".into(),
        rows: limit,
        start: offset,
        include_private: true,
        ..SearchQuery::default()
    };
    let page = search(context, &query)?;
    let results: Vec<Value> = page
        .datasets()
        .iter()
        .map(|dataset| {
            let d = &dataset.0;
            let created = text(d, "metadata_created");
            let parsed =
                chrono::NaiveDateTime::parse_from_str(created.get(..19).unwrap_or(created), "%Y-%m-%dT%H:%M:%S").ok();
            // A schema field, or an extra on a dataset of another type (a harvested one).
            let extra = d.get("extras").and_then(Value::as_array).and_then(|extras| {
                extras.iter().find(|e| e.get("key") == Some(&json!("thoi_han_truc_tuyen")))?.get("value")?.as_str()
            });
            let kept = Some(text(d, "thoi_han_truc_tuyen")).filter(|v| !v.is_empty()).or(extra).unwrap_or_default();
            let until = parsed.and_then(|c| retention::online_until(c, kept));
            json!({
                "id": text(d, "id"), "name": text(d, "name"), "title": text(d, "title"),
                "owner_org": text(d, "owner_org"),
                "organization": d.get("organization").and_then(|o| o.get("title")).cloned().unwrap_or(Value::Null),
                "private": d.get("private").cloned().unwrap_or(Value::Bool(false)),
                "thoi_han_truc_tuyen": kept,
                "metadata_created": created,
                "online_until": until.map(|u| u.format("%Y-%m-%dT%H:%M:%S").to_string()),
            })
        })
        .collect();
    Ok(json!({"count": page.count, "results": results}))
}
