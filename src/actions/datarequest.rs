//! Data requests, compatible with ckanext-datarequests' actions: anyone signed in asks a
//! department for data not yet published; the answer is due by the 15:00 rule (that working
//! day before 15:00, else the next working day, in the province's time); the department answers
//! in a comment, closes the request with the dataset that fulfils it, or refuses it with a
//! reason. Requests and their states are public.

use serde_json::{Map, Value, json};

use super::activity::record_workflow;
use super::authz::has_group_permission;
use super::{ActionContext, Params, package};
use crate::auth::Permission;
use crate::error::{ActionError, ActionResult};
use crate::mail::{self, Mail};
use crate::store::datarequests::{self, CommentRow, Filter, RequestRow};
use crate::store::{Tx, groups, users};
use crate::workflows::Calendar;

/// Longest title and description (ckanext-datarequests' limits).
const TITLE_MAX: usize = 1000;
const DESCRIPTION_MAX: usize = 10000;

/// A user as requests, comments and reports show them: `{id, name, fullname}`.
pub(super) fn user_summary(tx: &mut Tx, id: &str) -> ActionResult<Value> {
    Ok(users::find(tx, id)?.map_or(Value::Null, |u| json!({"id": u.id, "name": u.name, "fullname": u.fullname})))
}

pub(super) fn time(t: Option<chrono::NaiveDateTime>) -> Value {
    t.map_or(Value::Null, |t| json!(t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()))
}

/// The request's state: `open`, `answered` (the department replied), `fulfilled` (closed with a
/// dataset), `refused`, or `closed`.
pub fn state_of(row: &RequestRow) -> &'static str {
    match (row.closed, row.close_circumstance.as_deref(), row.accepted_dataset_id.is_some()) {
        (true, Some("refused"), _) => "refused",
        (true, _, true) => "fulfilled",
        (true, _, false) => "closed",
        (false, _, _) if row.answered_time.is_some() => "answered",
        _ => "open",
    }
}

/// Whether the answer came (or is still owed) after its due day, in the province's time.
pub fn overdue(row: &RequestRow) -> bool {
    let due = chrono::NaiveDate::parse_from_str(&row.answer_due, "%Y-%m-%d").ok();
    let answered = row.answered_time.or(row.close_time).unwrap_or_else(crate::store::now);
    due.is_some_and(|due| Calendar::local(answered).date() > due)
}

fn dict(tx: &mut Tx, row: &RequestRow) -> ActionResult<Value> {
    let organization = match &row.organization_id {
        Some(id) => groups::find(tx, id)?.map(|g| json!({"id": g.id, "name": g.name, "title": g.title})),
        None => None,
    };
    let user = user_summary(tx, &row.user_id)?;
    Ok(json!({
        "id": row.id,
        "user_id": row.user_id,
        "user": user,
        "title": row.title,
        "description": row.description,
        "organization_id": row.organization_id,
        "organization": organization,
        "open_time": time(Some(row.open_time)),
        "answer_due": row.answer_due,
        "answered_time": time(row.answered_time),
        "overdue": overdue(row),
        "state": state_of(row),
        "closed": row.closed,
        "close_time": time(row.close_time),
        "close_circumstance": row.close_circumstance,
        "refusal_reason": row.refusal_reason,
        "accepted_dataset_id": row.accepted_dataset_id,
        "comments_count": datarequests::comment_count(tx, &row.id)?,
    }))
}

/// Records a request's change in the activity stream (public, as requests are, and on its
/// department's stream) and tells `recipients` by mail.
fn announce(
    tx: &mut Tx,
    context: &ActionContext,
    row: &RequestRow,
    activity_type: &str,
    recipients: &[String],
    (vi, en): (String, String),
) -> ActionResult<()> {
    let data = json!({"datarequest": {"id": row.id, "title": row.title, "state": state_of(row)}});
    record_workflow(tx, &context.caller, &row.id, activity_type, data, row.organization_id.as_deref(), None)?;
    let link = format!("{}/datarequest/{}", context.config().effective_site_url(), row.id);
    let subject = format!("[Kho] Yêu cầu dữ liệu: {}", row.title);
    mail::queue(tx, context.config(), recipients, &Mail::bilingual(&subject, &vi, &en, &link))?;
    Ok(())
}

fn signed_in(context: &ActionContext, what: &str) -> ActionResult<String> {
    context
        .caller
        .user_id()
        .map(str::to_string)
        .ok_or_else(|| ActionError::denied(format!("User {} not authorized to {what}", context.caller.name())))
}

fn found(tx: &mut Tx, params: &Params, key: &str) -> ActionResult<RequestRow> {
    let id = params.non_empty(key).ok_or_else(|| ActionError::field(key, "Missing value"))?;
    datarequests::find(tx, &id)?.ok_or_else(|| ActionError::not_found("Data Request not found"))
}

/// Whether the caller answers for the request's department (its editors and admins, sysadmins).
fn is_department(tx: &mut Tx, context: &ActionContext, row: &RequestRow) -> ActionResult<bool> {
    match &row.organization_id {
        Some(org) => has_group_permission(tx, &context.caller, org, Permission::UpdateDataset),
        None => Ok(context.caller.is_sysadmin()),
    }
}

/// Checks the title, description and organisation given; the organisation as its id.
fn checked(
    tx: &mut Tx,
    params: &Params,
    errors: &mut Map<String, Value>,
) -> ActionResult<(String, String, Option<String>)> {
    let title = params.text("title").map(|t| t.trim().to_string()).unwrap_or_default();
    if title.is_empty() {
        errors.insert("title".into(), json!(["Title cannot be empty"]));
    } else if title.chars().count() > TITLE_MAX {
        errors.insert("title".into(), json!([format!("Title must be a maximum of {TITLE_MAX} characters long")]));
    }
    let description = params.text("description").map(|t| t.trim().to_string()).unwrap_or_default();
    if description.chars().count() > DESCRIPTION_MAX {
        errors.insert(
            "description".into(),
            json!([format!("Description must be a maximum of {DESCRIPTION_MAX} characters long")]),
        );
    }
    let organization = match params.non_empty("organization_id") {
        Some(given) => match groups::find(tx, &given)?.filter(|g| g.is_organization && g.state == "active") {
            Some(org) => Some(org.id),
            None => {
                errors.insert("organization_id".into(), json!([format!("Organization {given} not found")]));
                None
            }
        },
        None => {
            errors.insert("organization_id".into(), json!(["Choose the department the request is for"]));
            None
        }
    };
    Ok((title, description, organization))
}

/// `datarequest_create`.
pub fn datarequest_create(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let user_id = signed_in(context, "create a data request")?;
    context.store().write(|tx| {
        let mut errors = Map::new();
        let (title, description, organization_id) = checked(tx, params, &mut errors)?;
        if !errors.is_empty() {
            return Err(ActionError::Validation(errors));
        }
        let now = crate::store::now();
        let row = RequestRow {
            id: uuid::Uuid::new_v4().to_string(),
            user_id,
            title,
            description,
            organization_id,
            open_time: now,
            answer_due: context.services.calendar.same_day_deadline(now).format("%Y-%m-%d").to_string(),
            answered_time: None,
            closed: false,
            close_time: None,
            close_circumstance: None,
            refusal_reason: None,
            accepted_dataset_id: None,
        };
        datarequests::insert(tx, &row)?;
        let recipients = match &row.organization_id {
            Some(org) => mail::department_addresses(tx, org)?,
            None => Vec::new(),
        };
        let text = (
            format!(
                "Có yêu cầu dữ liệu mới gửi đơn vị, cần trả lời trước hết ngày {}.\n\n{}",
                row.answer_due, row.description
            ),
            format!(
                "A new request for data to the department, to answer by the end of {}.\n\n{}",
                row.answer_due, row.description
            ),
        );
        announce(tx, context, &row, "new datarequest", &recipients, text)?;
        dict(tx, &row)
    })
}

/// `datarequest_show`.
pub fn datarequest_show(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    context.store().read(|tx| {
        let row = found(tx, params, "id")?;
        dict(tx, &row)
    })
}

/// `datarequest_update`: the requester (or a sysadmin) changes an open request.
pub fn datarequest_update(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    signed_in(context, "update a data request")?;
    context.store().write(|tx| {
        let row = found(tx, params, "id")?;
        if context.caller.user_id() != Some(row.user_id.as_str()) && !context.caller.is_sysadmin() {
            return Err(ActionError::denied(format!(
                "User {} not authorized to update this data request",
                context.caller.name()
            )));
        }
        if row.closed {
            return Err(ActionError::field("id", "This Data Request is already closed"));
        }
        let mut errors = Map::new();
        let (title, description, organization_id) = checked(tx, params, &mut errors)?;
        if !errors.is_empty() {
            return Err(ActionError::Validation(errors));
        }
        let row = RequestRow { title, description, organization_id, ..row };
        datarequests::update(tx, &row)?;
        dict(tx, &row)
    })
}

/// `datarequest_index`: `{count, result, facets}`, newest first (`sort=asc`: oldest).
pub fn datarequest_index(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let number = |key: &str, default: i64| {
        params.text(key).and_then(|v| v.trim().parse::<i64>().ok()).filter(|v| *v >= 0).unwrap_or(default)
    };
    let (offset, limit) = (number("offset", 0), number("limit", 10).min(1000));
    context.store().read(|tx| {
        let organization_id = match params.non_empty("organization_id") {
            Some(given) => Some(
                groups::find(tx, &given)?
                    .map(|g| g.id)
                    .ok_or_else(|| ActionError::not_found("Organization not found"))?,
            ),
            None => None,
        };
        let closed = params.text("closed").and_then(|c| match c.trim().to_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        });
        let filter = Filter { organization_id, user_id: params.non_empty("user_id"), closed, q: params.non_empty("q") };
        let ascending = params.text("sort").is_some_and(|s| s.trim().eq_ignore_ascii_case("asc"));
        let count = datarequests::count(tx, &filter)?;
        let mut result = Vec::new();
        for row in datarequests::list(tx, &filter, ascending, offset, limit)? {
            result.push(dict(tx, &row)?);
        }
        Ok(json!({"count": count, "result": result, "facets": {}}))
    })
}

/// `datarequest_delete`: the requester or a sysadmin; answers the deleted request.
pub fn datarequest_delete(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    signed_in(context, "delete a data request")?;
    context.store().write(|tx| {
        let row = found(tx, params, "id")?;
        if context.caller.user_id() != Some(row.user_id.as_str()) && !context.caller.is_sysadmin() {
            return Err(ActionError::denied(format!(
                "User {} not authorized to delete this data request",
                context.caller.name()
            )));
        }
        let shown = dict(tx, &row)?;
        datarequests::delete(tx, &row.id)?;
        Ok(shown)
    })
}

/// `datarequest_close`: with `accepted_dataset_id`, the dataset that fulfils the request; with
/// `close_circumstance: "refused"`, a refusal, whose `refusal_reason` is required. The
/// department (or a sysadmin) closes; the requester may withdraw (close without a dataset).
pub fn datarequest_close(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    signed_in(context, "close a data request")?;
    context.store().write(|tx| {
        let row = found(tx, params, "id")?;
        let department = is_department(tx, context, &row)?;
        let requester = context.caller.user_id() == Some(row.user_id.as_str());
        if !department && !requester {
            return Err(ActionError::denied(format!(
                "User {} not authorized to close this data request",
                context.caller.name()
            )));
        }
        if row.closed {
            return Err(ActionError::field("id", "This Data Request is already closed"));
        }
        let refused = params.text("close_circumstance").is_some_and(|c| c.trim() == "refused");
        let mut errors = Map::new();
        let reason = params.non_empty("refusal_reason").map(|r| r.trim().to_string());
        if refused && reason.is_none() {
            errors.insert("refusal_reason".into(), json!(["A refusal states its reasons"]));
        }
        if refused && !department {
            return Err(ActionError::denied("Only the department refuses a data request".to_string()));
        }
        let accepted = match params.non_empty("accepted_dataset_id") {
            Some(given) if !refused => match package::readable(tx, &context.caller, &given) {
                Ok(dataset) if dataset.state == "active" && !dataset.private => Some(dataset.id),
                _ => {
                    errors.insert("accepted_dataset_id".into(), json!(["Dataset not found"]));
                    None
                }
            },
            _ => None,
        };
        if accepted.is_some() && !department {
            errors.insert(
                "accepted_dataset_id".into(),
                json!(["Only the department names the dataset that fulfils a request"]),
            );
        }
        if !errors.is_empty() {
            return Err(ActionError::Validation(errors));
        }
        let now = crate::store::now();
        let row = RequestRow {
            closed: true,
            close_time: Some(now),
            close_circumstance: if refused { Some("refused".into()) } else { params.non_empty("close_circumstance") },
            refusal_reason: if refused { reason } else { None },
            accepted_dataset_id: accepted,
            answered_time: row.answered_time.or_else(|| department.then_some(now)),
            ..row
        };
        datarequests::update(tx, &row)?;
        let recipients = if requester {
            row.organization_id
                .as_deref()
                .map(|org| mail::department_addresses(tx, org))
                .transpose()?
                .unwrap_or_default()
        } else {
            mail::user_addresses(tx, &row.user_id)?
        };
        let text = match state_of(&row) {
            "refused" => {
                let reason = row.refusal_reason.clone().unwrap_or_default();
                (format!("Yêu cầu bị từ chối. Lý do: {reason}"), format!("The request was refused. Reason: {reason}"))
            }
            "fulfilled" => ("Dữ liệu yêu cầu đã được công bố.".into(), "The data requested is published.".into()),
            _ => ("Yêu cầu đã được đóng.".into(), "The request was closed.".into()),
        };
        announce(tx, context, &row, "closed datarequest", &recipients, text)?;
        dict(tx, &row)
    })
}

fn comment_dict(tx: &mut Tx, row: &CommentRow) -> ActionResult<Value> {
    let user = user_summary(tx, &row.user_id)?;
    Ok(json!({
        "id": row.id,
        "datarequest_id": row.datarequest_id,
        "user_id": row.user_id,
        "user": user,
        "comment": row.comment,
        "time": time(Some(row.time)),
    }))
}

/// The `comment` given, checked as ckanext-datarequests does.
fn comment_text(params: &Params) -> ActionResult<String> {
    let comment = params.text("comment").map(|c| c.trim().to_string()).unwrap_or_default();
    if comment.is_empty() {
        return Err(ActionError::field("comment", "Comments must be a minimum of 1 character long"));
    }
    if comment.chars().count() > DESCRIPTION_MAX {
        return Err(ActionError::field(
            "comment",
            format!("Comments must be a maximum of {DESCRIPTION_MAX} characters long"),
        ));
    }
    Ok(comment)
}

/// The comment `id` names, when the caller wrote it (or is a sysadmin).
fn own_comment(tx: &mut Tx, context: &ActionContext, params: &Params, what: &str) -> ActionResult<CommentRow> {
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    let comment = datarequests::find_comment(tx, &id)?.ok_or_else(|| ActionError::not_found("Comment not found"))?;
    if context.caller.user_id() != Some(comment.user_id.as_str()) && !context.caller.is_sysadmin() {
        return Err(ActionError::denied(format!(
            "User {} not authorized to {what} this comment",
            context.caller.name()
        )));
    }
    Ok(comment)
}

/// `datarequest_comment_show`: `id`.
pub fn datarequest_comment_show(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    context.store().read(|tx| {
        let comment =
            datarequests::find_comment(tx, &id)?.ok_or_else(|| ActionError::not_found("Comment not found"))?;
        comment_dict(tx, &comment)
    })
}

/// `datarequest_comment_update`: its author (or a sysadmin) changes the text (`id`, `comment`).
pub fn datarequest_comment_update(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    signed_in(context, "update a comment")?;
    context.store().write(|tx| {
        let comment = own_comment(tx, context, params, "update")?;
        let text = comment_text(params)?;
        datarequests::update_comment(tx, &comment.id, &text)?;
        comment_dict(tx, &CommentRow { comment: text, ..comment })
    })
}

/// `datarequest_comment_delete`: its author or a sysadmin; answers the deleted comment.
pub fn datarequest_comment_delete(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    signed_in(context, "delete a comment")?;
    context.store().write(|tx| {
        let comment = own_comment(tx, context, params, "delete")?;
        let shown = comment_dict(tx, &comment)?;
        datarequests::delete_comment(tx, &comment.id)?;
        Ok(shown)
    })
}

/// `datarequest_comment`: a comment by anyone signed in; the department's first one answers
/// the request.
pub fn datarequest_comment(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let user_id = signed_in(context, "comment on a data request")?;
    context.store().write(|tx| {
        let row = found(tx, params, "datarequest_id")?;
        let comment = comment_text(params)?;
        let now = crate::store::now();
        let saved = CommentRow {
            id: uuid::Uuid::new_v4().to_string(),
            datarequest_id: row.id.clone(),
            user_id,
            comment,
            time: now,
        };
        datarequests::insert_comment(tx, &saved)?;
        if row.answered_time.is_none() && is_department(tx, context, &row)? {
            let row = RequestRow { answered_time: Some(now), ..row };
            datarequests::update(tx, &row)?;
            let recipients = mail::user_addresses(tx, &row.user_id)?;
            let text = (
                format!("Đơn vị đã trả lời yêu cầu của bạn:\n\n{}", saved.comment),
                format!("The department answered your request:\n\n{}", saved.comment),
            );
            announce(tx, context, &row, "answered datarequest", &recipients, text)?;
        }
        comment_dict(tx, &saved)
    })
}

/// `datarequest_comment_list`: a request's comments, oldest first (`sort=desc`: newest).
pub fn datarequest_comment_list(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    context.store().read(|tx| {
        let row = found(tx, params, "datarequest_id")?;
        let mut comments = datarequests::comments(tx, &row.id)?;
        if params.text("sort").is_some_and(|s| s.trim().eq_ignore_ascii_case("desc")) {
            comments.reverse();
        }
        let mut listed = Vec::new();
        for comment in &comments {
            listed.push(comment_dict(tx, comment)?);
        }
        Ok(Value::Array(listed))
    })
}

/// Whether the caller answers for the department a request is addressed to.
pub fn answers_for(context: &ActionContext, id: &str) -> ActionResult<bool> {
    context.store().read(|tx| {
        let row = datarequests::find(tx, id)?.ok_or_else(|| ActionError::not_found("Data Request not found"))?;
        is_department(tx, context, &row)
    })
}
