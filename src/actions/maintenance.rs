//! Maintenance notices: the operator announces a suspension of data or services publicly, at
//! least 7 working days ahead (counted with the province's working-day calendar), unless it is
//! an emergency repair, marked as such. Notices not yet over show on every portal page, in
//! `status_show` and in the Atom feed `/maintenance.atom`.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use serde_json::{Map, Value, json};

use super::{ActionContext, Params, Services};
use crate::error::{ActionError, ActionResult};
use crate::store::maintenance::{self, NoticeRow};
use crate::workflows::Calendar;

/// Working days a planned suspension is announced ahead at least.
pub const NOTICE_WORKING_DAYS: u32 = 7;
/// How long a node reuses the notices it read for its pages.
const CACHE_FOR: Duration = Duration::from_secs(5);

/// The notices each node shows on its pages, read again every few seconds.
#[derive(Default)]
pub struct NoticeCache(Mutex<Option<(Instant, Vec<NoticeRow>)>>);

impl NoticeCache {
    fn forget(&self) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

/// The active notices not yet over (cached a few seconds), soonest first.
pub fn current_notices(services: &Services) -> Vec<NoticeRow> {
    let mut cached = services.notices.0.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((read, notices)) = cached.as_ref()
        && read.elapsed() < CACHE_FOR
    {
        return notices.clone();
    }
    let notices = services.store.read(|tx| maintenance::current(tx, crate::store::now())).unwrap_or_default();
    *cached = Some((Instant::now(), notices.clone()));
    notices
}

fn time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// A notice as the API shows it: times in UTC (`starts_at`) and in the province's time
/// (`starts_at_local`).
pub fn notice_dict(row: &NoticeRow) -> Value {
    let services: Value = serde_json::from_str(&row.services).unwrap_or_else(|_| json!([]));
    json!({
        "id": row.id,
        "title": row.title,
        "reason": row.reason,
        "services": services,
        "starts_at": time(row.starts_at),
        "ends_at": time(row.ends_at),
        "starts_at_local": time(Calendar::local(row.starts_at)),
        "ends_at_local": time(Calendar::local(row.ends_at)),
        "emergency": row.emergency,
        "state": row.state,
        "created": time(row.created),
    })
}

/// A time given in the province's time (`2026-12-14T08:00`), or in UTC with `Z` or an offset.
fn parse_time(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    if let Ok(with_offset) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(with_offset.naive_utc());
    }
    ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(Calendar::utc)
}

/// The services a notice names: a list, or a text split at commas.
fn services_of(value: Option<&Value>) -> Vec<String> {
    let items: Vec<String> = match value {
        Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Some(Value::String(text)) => text.split(',').map(str::to_string).collect(),
        _ => Vec::new(),
    };
    items.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

fn operator_only(context: &ActionContext, what: &str) -> ActionResult<()> {
    if context.caller.is_sysadmin() {
        Ok(())
    } else {
        Err(ActionError::denied(format!("User {} not authorized to {what}", context.caller.name())))
    }
}

/// `maintenance_notice_create`: the operator announces a suspension.
pub fn maintenance_notice_create(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    operator_only(context, "announce maintenance")?;
    let mut errors = Map::new();
    let mut required = |key: &str| match params.non_empty(key) {
        Some(text) => text.trim().to_string(),
        None => {
            errors.insert(key.into(), json!(["Missing value"]));
            String::new()
        }
    };
    let title = required("title");
    let reason = required("reason");
    let mut when = |key: &str| match params.non_empty(key) {
        None => {
            errors.insert(key.into(), json!(["Missing value"]));
            None
        }
        Some(text) => parse_time(&text).or_else(|| {
            errors.insert(key.into(), json!(["Date format incorrect: use YYYY-MM-DDTHH:MM (the province's time)"]));
            None
        }),
    };
    let (starts_at, ends_at) = (when("starts_at"), when("ends_at"));
    let services = services_of(params.get("services"));
    if services.is_empty() {
        errors.insert("services".into(), json!(["Name the affected data or services"]));
    }
    let emergency = params.truthy("emergency");
    let now = crate::store::now();
    if let (Some(start), Some(end)) = (starts_at, ends_at) {
        if end <= start {
            errors.insert("ends_at".into(), json!(["Must be after the start"]));
        } else if end <= now {
            errors.insert("ends_at".into(), json!(["Must be in the future"]));
        }
        let calendar = &context.services.calendar;
        let earliest = calendar.add_working_days(Calendar::local(now).date(), NOTICE_WORKING_DAYS);
        if !emergency && Calendar::local(start).date() < earliest {
            errors.insert(
                "starts_at".into(),
                json!([format!(
                    "A planned suspension must be announced at least {NOTICE_WORKING_DAYS} working days ahead: the earliest start is {} (an emergency repair is marked as an emergency)",
                    earliest.format("%Y-%m-%d")
                )]),
            );
        }
    }
    if !errors.is_empty() {
        return Err(ActionError::Validation(errors));
    }
    let (Some(starts_at), Some(ends_at)) = (starts_at, ends_at) else {
        return Err(ActionError::field("starts_at", "Missing value"));
    };
    let row = NoticeRow {
        id: uuid::Uuid::new_v4().to_string(),
        title,
        reason,
        services: json!(services).to_string(),
        starts_at,
        ends_at,
        emergency,
        state: "active".into(),
        created_by: context.caller.user_id().unwrap_or_default().to_string(),
        created: now,
        changed: now,
    };
    let dict = notice_dict(&row);
    context.store().write(|tx| -> ActionResult<()> {
        maintenance::insert(tx, &row)?;
        // Public, as the notice is: on the stream of its author (the operator).
        let data = json!({"maintenance_notice": dict.clone()});
        super::activity::record_workflow(tx, &context.caller, &row.id, "new maintenance notice", data, None, None)
    })?;
    context.services.notices.forget();
    Ok(dict)
}

/// `maintenance_notice_list`: the notices not yet over (with `all`, a sysadmin gets every one).
pub fn maintenance_notice_list(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let rows = if params.truthy("all") {
        operator_only(context, "list past notices")?;
        context.store().read(|tx| maintenance::all(tx, 1000))?
    } else {
        context.store().read(|tx| maintenance::current(tx, crate::store::now()))?
    };
    Ok(Value::Array(rows.iter().map(notice_dict).collect()))
}

/// `maintenance_notice_show`.
pub fn maintenance_notice_show(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    let row = context.store().read(|tx| maintenance::find(tx, &id))?;
    row.map(|r| notice_dict(&r)).ok_or_else(|| ActionError::not_found("Maintenance notice not found"))
}

/// `maintenance_notice_delete`: cancels a notice (it stays, marked `cancelled`).
pub fn maintenance_notice_delete(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    operator_only(context, "cancel maintenance notices")?;
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    context.store().write(|tx| -> ActionResult<()> {
        maintenance::find(tx, &id)?.ok_or_else(|| ActionError::not_found("Maintenance notice not found"))?;
        Ok(maintenance::cancel(tx, &id, crate::store::now())?)
    })?;
    context.services.notices.forget();
    Ok(Value::Null)
}
