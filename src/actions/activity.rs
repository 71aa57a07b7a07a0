//! The activity stream (CKAN's `activity` plugin): recording every change, and the
//! `*_activity_list`, `activity_show` and `activity_data_show` reads. Beyond CKAN, dataset
//! activities are shown only to callers who may see the dataset *now*: an activity recorded
//! while a dataset was public does not leak it after it became private.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime};
use serde_json::{Map, Value, json};

use super::dict::timestamp;
use super::package::can_read;
use super::{ActionContext, Params};
use crate::auth::Caller;
use crate::error::{ActionError, ActionResult};
use crate::store::activities::{self, ActivityRow, Stream};
use crate::store::groups::GroupRow;
use crate::store::{self, Tx, packages, users};

const DEFAULT_LIMIT: i64 = 31;
const MAX_LIMIT: i64 = 100;

fn actor_id(caller: &Caller) -> String {
    caller.user.as_ref().map(|u| u.id.clone()).unwrap_or_default()
}

/// Records a dataset activity (`new package`, `changed package`, `deleted package`) with the
/// dataset dict after the change (`dict_text`: that dict as JSON text).
pub fn record_dataset(
    tx: &mut Tx,
    caller: &Caller,
    dict: &Map<String, Value>,
    dict_text: &str,
    activity_type: &str,
) -> ActionResult<()> {
    Ok(activities::insert(tx, &dataset_activity(caller, dict, dict_text, activity_type))?)
}

/// The row of a dataset activity (see `record_dataset`).
pub fn dataset_activity(
    caller: &Caller,
    dict: &Map<String, Value>,
    dict_text: &str,
    activity_type: &str,
) -> ActivityRow {
    let text = |key: &str| dict.get(key).and_then(Value::as_str).map(str::to_string);
    let public = text("state").as_deref() == Some("active") && dict.get("private") == Some(&Value::Bool(false));
    let owner_org = text("owner_org");
    let labels =
        if public { json!(["public"]) } else { json!([format!("member-{}", owner_org.clone().unwrap_or_default())]) };
    let group_ids: Vec<String> = dict
        .get("groups")
        .and_then(Value::as_array)
        .map(|groups| groups.iter().filter_map(|g| g.get("id").and_then(Value::as_str).map(str::to_string)).collect())
        .unwrap_or_default();
    let actor = caller.user.as_ref().map(|u| u.name.clone()).unwrap_or_default();
    ActivityRow {
        id: crate::store::new_id(),
        timestamp: store::now(),
        user_id: actor_id(caller),
        object_id: text("id").unwrap_or_default(),
        activity_type: activity_type.to_string(),
        // `{"package": dict, "actor": actor}`, without serialising the dict a second time.
        data: format!(r#"{{"package":{dict_text},"actor":{}}}"#, Value::String(actor)),
        permission_labels: Some(labels.to_string()),
        owner_org,
        group_ids: group_ids.join(" "),
    }
}

/// Records an organisation or group activity with the raw group row, as CKAN does.
pub fn record_group(tx: &mut Tx, caller: &Caller, row: &GroupRow, activity_type: &str) -> ActionResult<()> {
    let extras: Map<String, Value> = serde_json::from_str::<Vec<Value>>(&row.extras)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|e| Some((e.get("key")?.as_str()?.to_string(), e.get("value")?.clone())))
        .collect();
    let group = json!({
        "id": row.id, "name": row.name, "title": row.title, "type": row.group_type,
        "description": row.description, "image_url": row.image_url, "created": timestamp(row.created),
        "is_organization": row.is_organization, "approval_status": row.approval_status,
        "state": row.state, "extras": extras,
    });
    let activity = ActivityRow {
        id: crate::store::new_id(),
        timestamp: store::now(),
        user_id: actor_id(caller),
        object_id: row.id.clone(),
        activity_type: activity_type.to_string(),
        data: json!({"group": group}).to_string(),
        permission_labels: None,
        owner_org: None,
        group_ids: String::new(),
    };
    Ok(activities::insert(tx, &activity)?)
}

/// Records a user activity (`new user`, `changed user`) with the public user dict.
pub fn record_user(tx: &mut Tx, caller: &Caller, user: &Map<String, Value>, activity_type: &str) -> ActionResult<()> {
    let mut public = user.clone();
    public.remove("email");
    public.remove("apikey");
    public.remove("token");
    let user_id = public.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
    let activity = ActivityRow {
        id: crate::store::new_id(),
        timestamp: store::now(),
        user_id: caller.user.as_ref().map(|u| u.id.clone()).unwrap_or_else(|| user_id.clone()),
        object_id: user_id,
        activity_type: activity_type.to_string(),
        data: json!({"user": public}).to_string(),
        permission_labels: None,
        owner_org: None,
        group_ids: String::new(),
    };
    Ok(activities::insert(tx, &activity)?)
}

/// Records an activity of a provincial workflow (data requests, error reports, access requests,
/// maintenance notices) in the caller's transaction. `labels` says who may see it: `None` for
/// everyone, else any of `user-<user id>` and `member-<organisation id>` (and sysadmins). An
/// error report's activity (`object_id` its dataset) is as visible as the dataset.
pub fn record_workflow(
    tx: &mut Tx,
    caller: &Caller,
    object_id: &str,
    activity_type: &str,
    data: Value,
    owner_org: Option<&str>,
    labels: Option<Vec<String>>,
) -> ActionResult<()> {
    let actor = caller.user.as_ref().map(|u| u.name.clone()).unwrap_or_default();
    let mut data = data;
    if let Value::Object(map) = &mut data {
        map.insert("actor".into(), Value::String(actor));
    }
    let activity = ActivityRow {
        id: crate::store::new_id(),
        timestamp: store::now(),
        user_id: actor_id(caller),
        object_id: object_id.to_string(),
        activity_type: activity_type.to_string(),
        data: data.to_string(),
        permission_labels: labels.map(|l| json!(l).to_string()),
        owner_org: owner_org.map(str::to_string),
        group_ids: String::new(),
    };
    Ok(activities::insert(tx, &activity)?)
}

/// Whether the caller holds one of a workflow activity's labels.
fn labels_allow(tx: &mut Tx, caller: &Caller, labels: &str) -> ActionResult<bool> {
    let labels: Vec<String> = serde_json::from_str(labels).unwrap_or_default();
    for label in labels {
        let allowed = match (label.strip_prefix("user-"), label.strip_prefix("member-")) {
            _ if label == "public" => true,
            (Some(user), _) => caller.user_id() == Some(user),
            (_, Some(org)) => {
                crate::actions::authz::has_group_permission(tx, caller, org, crate::auth::Permission::Read)?
            }
            _ => false,
        };
        if allowed {
            return Ok(true);
        }
    }
    Ok(false)
}

fn activity_dict(row: &ActivityRow, include_data: bool) -> Value {
    let data = if include_data { serde_json::from_str(&row.data).unwrap_or(Value::Null) } else { json!({}) };
    let labels = row.permission_labels.as_deref().and_then(|l| serde_json::from_str(l).ok()).unwrap_or(Value::Null);
    json!({
        "id": row.id, "timestamp": timestamp(row.timestamp), "user_id": row.user_id,
        "object_id": row.object_id, "activity_type": row.activity_type, "data": data,
        "permission_labels": labels,
    })
}

/// Returns whether the caller may see an activity: dataset activities follow the dataset's
/// current visibility (a purged dataset's history is for sysadmins only).
fn visible(tx: &mut Tx, caller: &Caller, row: &ActivityRow, seen: &mut HashMap<String, bool>) -> ActionResult<bool> {
    if caller.is_sysadmin() {
        return Ok(true);
    }
    let follows_dataset = row.activity_type.ends_with(" package") || row.activity_type.ends_with(" error report");
    if !follows_dataset {
        return match &row.permission_labels {
            Some(labels) => labels_allow(tx, caller, labels),
            None => Ok(true),
        };
    }
    if let Some(known) = seen.get(&row.object_id) {
        return Ok(*known);
    }
    let allowed = match packages::find(tx, &row.object_id)? {
        Some(dataset) => can_read(tx, caller, &dataset)?,
        None => false,
    };
    seen.insert(row.object_id.clone(), allowed);
    Ok(allowed)
}

fn float_timestamp(params: &Params, key: &str) -> ActionResult<Option<NaiveDateTime>> {
    let Some(value) = params.get(key).filter(|v| !v.is_null()) else { return Ok(None) };
    let seconds = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    let parsed = seconds.and_then(|s| DateTime::from_timestamp_micros((s * 1_000_000.0) as i64)).map(|t| t.naive_utc());
    parsed.map(Some).ok_or_else(|| ActionError::field(key, "Must be a float timestamp"))
}

fn type_list(params: &Params, key: &str) -> ActionResult<Option<Vec<String>>> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())),
        Some(_) => Err(ActionError::field(key, "Not a list")),
    }
}

/// Reads a stream page with CKAN's parameters, filtered by visibility and activity types.
fn list(
    tx: &mut Tx,
    context: &ActionContext,
    params: &Params,
    stream: Stream,
    with_types: bool,
) -> ActionResult<Value> {
    let limit = params.natural("limit")?.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT);
    let offset = params.natural("offset")?.unwrap_or(0);
    let before = float_timestamp(params, "before")?;
    let after = float_timestamp(params, "after")?;
    let (only, except) = if with_types {
        let only = type_list(params, "activity_types")?;
        let except = type_list(params, "exclude_activity_types")?;
        if only.is_some() && except.is_some() {
            return Err(ActionError::field("activity_types", "Cannot be used together with `exclude_activity_types"));
        }
        (only, except)
    } else {
        (None, None)
    };
    let wanted = |row: &ActivityRow| {
        only.as_ref().is_none_or(|o| o.contains(&row.activity_type))
            && except.as_ref().is_none_or(|e| !e.contains(&row.activity_type))
    };
    let mut seen = HashMap::new();
    let mut kept = Vec::new();
    let mut skipped = 0;
    let mut page_offset = 0;
    const CHUNK: i64 = 200;
    'pages: loop {
        let rows = activities::page(tx, &stream, before, after, CHUNK, page_offset)?;
        let exhausted = (rows.len() as i64) < CHUNK;
        for row in rows {
            if !wanted(&row) || !visible(tx, &context.caller, &row, &mut seen)? {
                continue;
            }
            if skipped < offset {
                skipped += 1;
                continue;
            }
            kept.push(row);
            if kept.len() as i64 >= limit {
                break 'pages;
            }
        }
        if exhausted {
            break;
        }
        page_offset += CHUNK;
    }
    // With only `after`, CKAN returns the oldest activities after it, still newest first.
    if after.is_some() && before.is_none() {
        kept.reverse();
    }
    Ok(Value::Array(kept.iter().map(|row| activity_dict(row, true)).collect()))
}

fn required_id(params: &Params) -> ActionResult<String> {
    params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))
}

/// `package_activity_list`.
pub fn package_activity_list(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = required_id(params)?;
    context.store().read(|tx| {
        let dataset = super::package::readable(tx, &context.caller, &id)?;
        list(tx, context, params, Stream::Object(dataset.id), true)
    })
}

fn group_activity(context: &ActionContext, params: &Params, kind: super::group::Kind) -> ActionResult<Value> {
    let id = required_id(params)?;
    context.store().read(|tx| {
        let group = super::group::readable(tx, context, &id, kind)?;
        let stream = if group.is_organization { Stream::Organization(group.id) } else { Stream::Group(group.id) };
        list(tx, context, params, stream, false)
    })
}

/// `organization_activity_list`.
pub fn organization_activity_list(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    group_activity(context, params, super::group::Kind::Organization)
}

/// `group_activity_list`.
pub fn group_activity_list(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    group_activity(context, params, super::group::Kind::Group)
}

/// `user_activity_list`.
pub fn user_activity_list(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = required_id(params)?;
    context.store().read(|tx| {
        let user = users::find(tx, &id)?.ok_or(ActionError::NotFound(None))?;
        list(tx, context, params, Stream::User(user.id), false)
    })
}

/// `recently_changed_packages_activity_list`.
pub fn recently_changed_packages_activity_list(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    context.store().read(|tx| list(tx, context, params, Stream::Datasets, false))
}

fn readable_activity(tx: &mut Tx, context: &ActionContext, id: &str) -> ActionResult<ActivityRow> {
    let row = activities::find(tx, id)?.ok_or(ActionError::NotFound(None))?;
    if !visible(tx, &context.caller, &row, &mut HashMap::new())? {
        return Err(ActionError::denied(format!(
            "User {} not authorized to read activity {}",
            context.caller.name(),
            row.id
        )));
    }
    Ok(row)
}

/// `activity_show`: one activity; `include_data=false` leaves `data` empty.
pub fn activity_show(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = required_id(params)?;
    let include_data = params.flag("include_data", true)?;
    context.store().read(|tx| Ok(activity_dict(&readable_activity(tx, context, &id)?, include_data)))
}

/// `activity_data_show`: the object as it was after the change (`object_type` picks
/// `package`, `group` or `user` inside the data).
pub fn activity_data_show(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = required_id(params)?;
    let object_type = params.non_empty("object_type");
    context.store().read(|tx| {
        let row = readable_activity(tx, context, &id)?;
        let data: Value = serde_json::from_str(&row.data).unwrap_or(Value::Null);
        match object_type {
            Some(kind) => data
                .get(&kind)
                .cloned()
                .ok_or_else(|| ActionError::not_found(format!("Could not find object {kind} in the activity data"))),
            None => Ok(data),
        }
    })
}

/// Returns a unified diff (one hunk covering the whole text) of two line lists, by longest
/// common subsequence.
fn unified_diff(before: &[String], after: &[String]) -> String {
    let (n, m) = (before.len(), after.len());
    // Very large objects: show a whole replacement rather than spend quadratic memory.
    if n.saturating_mul(m) > 4_000_000 {
        let mut lines = vec!["--- ".to_string(), "+++ ".to_string(), format!("@@ -1,{n} +1,{m} @@")];
        lines.extend(before.iter().map(|l| format!("-{l}")));
        lines.extend(after.iter().map(|l| format!("+{l}")));
        return lines.join("\n");
    }
    let mut lengths = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let value = if before.get(i) == after.get(j) {
                lengths.get(i + 1).and_then(|row| row.get(j + 1)).copied().unwrap_or(0) + 1
            } else {
                let down = lengths.get(i + 1).and_then(|row| row.get(j)).copied().unwrap_or(0);
                let right = lengths.get(i).and_then(|row| row.get(j + 1)).copied().unwrap_or(0);
                down.max(right)
            };
            if let Some(cell) = lengths.get_mut(i).and_then(|row| row.get_mut(j)) {
                *cell = value;
            }
        }
    }
    let length = |i: usize, j: usize| lengths.get(i).and_then(|row| row.get(j)).copied().unwrap_or(0);
    let mut lines = vec!["--- ".to_string(), "+++ ".to_string(), format!("@@ -1,{n} +1,{m} @@")];
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        match (before.get(i), after.get(j)) {
            (Some(a), Some(b)) if a == b => {
                lines.push(format!(" {a}"));
                i += 1;
                j += 1;
            }
            (Some(a), None) => {
                lines.push(format!("-{a}"));
                i += 1;
            }
            (Some(a), Some(_)) if length(i + 1, j) >= length(i, j + 1) => {
                lines.push(format!("-{a}"));
                i += 1;
            }
            (_, Some(b)) => {
                lines.push(format!("+{b}"));
                j += 1;
            }
            (None, None) => break,
        }
    }
    lines.join("\n")
}

fn pretty_lines(value: &Value) -> Vec<String> {
    serde_json::to_string_pretty(value).unwrap_or_default().lines().map(str::to_string).collect()
}

/// `activity_diff`: what changed between an activity and the previous one of the same object
/// (`object_type`: `package`, `group`, `user`); `{"diff", "activities": [previous, this]}`.
pub fn activity_diff(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = required_id(params)?;
    let object_type = params.non_empty("object_type").unwrap_or_else(|| "package".into());
    let diff_type = params.non_empty("diff_type").unwrap_or_else(|| "unified".into());
    if diff_type != "unified" {
        return Err(ActionError::field("diff_type", "Only the unified diff is available"));
    }
    context.store().read(|tx| {
        let row = readable_activity(tx, context, &id)?;
        let earlier = activities::page(tx, &Stream::Object(row.object_id.clone()), Some(row.timestamp), None, 1, 0)?;
        let previous = earlier
            .into_iter()
            .next()
            .ok_or_else(|| ActionError::not_found("Previous activity for this object not found"))?;
        let object_of = |activity: &ActivityRow| -> Value {
            serde_json::from_str::<Value>(&activity.data)
                .ok()
                .and_then(|d| d.get(&object_type).cloned())
                .unwrap_or(Value::Null)
        };
        let diff = unified_diff(&pretty_lines(&object_of(&previous)), &pretty_lines(&object_of(&row)));
        Ok(json!({"diff": diff, "activities": [activity_dict(&previous, true), activity_dict(&row, true)]}))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unified_diff_marks_removed_and_added_lines() {
        let before: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let after: Vec<String> = ["a", "x", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(unified_diff(&before, &after), "--- \n+++ \n@@ -1,3 +1,3 @@\n a\n-b\n+x\n c");
    }
}
