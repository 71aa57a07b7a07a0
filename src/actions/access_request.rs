//! Access (connection) requests for shared datasets: an agency's account asks a department for
//! access to some of its datasets, with a purpose and a legal basis; the department (its
//! editors and admins) approves or refuses with a reason; after approval the operator (a
//! sysadmin) issues a connection account, a **scoped API token** that reads only those datasets
//! until it expires, within `[workflows] connection_deadline_days` working days. A request is
//! seen by its requester, the department's members and the operator only.
//!
//! States: `pending` → `approved` → `issued` → `revoked`; `pending`/`approved` → `refused`
//! (with its reason) or `withdrawn` (by the requester).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::{Map, Value, json};

use super::activity::record_workflow;
use super::authz::has_group_permission;
use super::datarequest::{time, user_summary};
use super::{ActionContext, Params, package};
use crate::auth::Permission;
use crate::auth::token::new_token_id;
use crate::error::{ActionError, ActionResult};
use crate::mail::{self, Mail};
use crate::store::access_requests::{self, AccessRow, Scope};
use crate::store::tokens::{self, TokenRow};
use crate::store::{self, Tx, groups, members, packages};
use crate::workflows::Calendar;

const TEXT_MAX: usize = 5000;
const DATASETS_MAX: usize = 100;

/// The datasets a request names.
pub fn package_ids(row: &AccessRow) -> Vec<String> {
    serde_json::from_str(&row.package_ids).unwrap_or_default()
}

/// Whether the operator is late issuing the connection account (approved, and the due day is
/// past in the province's time).
pub fn issue_overdue(row: &AccessRow) -> bool {
    let due = row.issue_due.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let today = Calendar::local(store::now()).date();
    row.state == "approved" && due.is_some_and(|due| today > due)
}

/// How the caller stands to a request (what the portal offers them).
pub struct Standing {
    pub requester: bool,
    pub department: bool,
    pub operator: bool,
}

/// How the caller stands to request `id` (none of the three for an unknown one).
pub fn standing_of(context: &ActionContext, id: &str) -> ActionResult<Standing> {
    context.store().read(|tx| match access_requests::find(tx, id)? {
        Some(row) => standing(tx, context, &row),
        None => Ok(Standing { requester: false, department: false, operator: false }),
    })
}

fn standing(tx: &mut Tx, context: &ActionContext, row: &AccessRow) -> ActionResult<Standing> {
    let caller = &context.caller;
    Ok(Standing {
        requester: caller.user_id() == Some(row.user_id.as_str()),
        department: caller.user_id().is_some()
            && has_group_permission(tx, caller, &row.organization_id, Permission::UpdateDataset)?,
        operator: caller.is_sysadmin(),
    })
}

fn denied(context: &ActionContext, what: &str) -> ActionError {
    ActionError::denied(format!("User {} not authorized to {what}", context.caller.name()))
}

fn dict(tx: &mut Tx, context: &ActionContext, row: &AccessRow) -> ActionResult<Value> {
    let mut datasets = Vec::new();
    for id in package_ids(row) {
        let entry = match packages::find(tx, &id)? {
            // The title only to whoever may read the dataset.
            Some(p) if package::can_read(tx, &context.caller, &p)? => {
                json!({"id": p.id, "name": p.name, "title": p.title})
            }
            Some(p) => json!({"id": p.id, "name": p.name}),
            None => json!({"id": id}),
        };
        datasets.push(entry);
    }
    let organization =
        groups::find(tx, &row.organization_id)?.map(|g| json!({"id": g.id, "name": g.name, "title": g.title}));
    let decided_by = match &row.decided_by {
        Some(id) => user_summary(tx, id)?,
        None => Value::Null,
    };
    let mut dict = json!({
        "id": row.id,
        "user_id": row.user_id,
        "user": user_summary(tx, &row.user_id)?,
        "organization_id": row.organization_id,
        "organization": organization,
        "datasets": datasets,
        "purpose": row.purpose,
        "legal_basis": row.legal_basis,
        "state": row.state,
        "created": time(Some(row.created)),
        "decided_by": decided_by,
        "decided_time": time(row.decided_time),
        "refusal_reason": row.refusal_reason,
        "issue_due": row.issue_due,
        "issue_overdue": issue_overdue(row),
        "issued_time": time(row.issued_time),
        "expires": time(row.expires),
    });
    // The connection account's token, to its holder only, while it works.
    if context.caller.user_id() == Some(row.user_id.as_str())
        && row.state == "issued"
        && row.expires.is_none_or(|e| e > store::now())
    {
        let token = match &row.token_id {
            Some(id) => tokens::find(tx, id)?,
            None => None,
        };
        if let (Some(token), Value::Object(map)) = (token, &mut dict) {
            let value = context.services.signer.issue(&token.id, token.created_at.and_utc().timestamp());
            map.insert("token".into(), Value::String(value));
        }
    }
    Ok(dict)
}

fn required_text(params: &Params, key: &str, errors: &mut Map<String, Value>) -> String {
    let text = params.text(key).map(|t| t.trim().to_string()).unwrap_or_default();
    if text.is_empty() {
        errors.insert(key.into(), json!(["Missing value"]));
    } else if text.chars().count() > TEXT_MAX {
        errors.insert(key.into(), json!([format!("Must be a maximum of {TEXT_MAX} characters long")]));
    }
    text
}

/// The requested datasets (ids or names): all active and of one department; returns their ids
/// and that department.
fn requested_datasets(
    tx: &mut Tx,
    params: &Params,
    errors: &mut Map<String, Value>,
) -> ActionResult<(Vec<String>, Option<String>)> {
    let given = params.string_list("package_ids").unwrap_or_default();
    if given.is_empty() {
        errors.insert("package_ids".into(), json!(["Choose at least one dataset"]));
        return Ok((Vec::new(), None));
    }
    if given.len() > DATASETS_MAX {
        errors.insert("package_ids".into(), json!([format!("At most {DATASETS_MAX} datasets per request")]));
        return Ok((Vec::new(), None));
    }
    let mut ids = Vec::new();
    let mut organizations = std::collections::BTreeSet::new();
    for reference in given {
        match packages::find(tx, &reference)?.filter(|p| p.state == "active" && p.owner_org.is_some()) {
            Some(p) => {
                organizations.extend(p.owner_org.clone());
                if !ids.contains(&p.id) {
                    ids.push(p.id);
                }
            }
            None => {
                errors.insert("package_ids".into(), json!([format!("Dataset {reference} not found")]));
            }
        }
    }
    if organizations.len() > 1 {
        errors.insert("package_ids".into(), json!(["The datasets of one request must belong to one department"]));
    }
    Ok((ids, organizations.into_iter().next()))
}

fn link(context: &ActionContext, row: &AccessRow) -> String {
    format!("{}/access-request/{}", context.config().effective_site_url(), row.id)
}

/// Records the change in the activity stream (seen by the requester, the department and the
/// operator) and tells `recipients` by mail.
fn announce(
    tx: &mut Tx,
    context: &ActionContext,
    row: &AccessRow,
    activity_type: &str,
    recipients: &[String],
    mail: Mail,
) -> ActionResult<()> {
    let labels = vec![format!("user-{}", row.user_id), format!("member-{}", row.organization_id)];
    let data = json!({"access_request": {"id": row.id, "state": row.state, "organization_id": row.organization_id}});
    record_workflow(tx, &context.caller, &row.id, activity_type, data, Some(&row.organization_id), Some(labels))?;
    mail::queue(tx, context.config(), recipients, &mail)?;
    Ok(())
}

/// `access_request_create`: `package_ids` (ids or names, of one department), `purpose`,
/// `legal_basis`.
pub fn access_request_create(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let user_id = context.caller.user_id().map(str::to_string).ok_or_else(|| denied(context, "request access"))?;
    context.store().write(|tx| {
        let mut errors = Map::new();
        let (ids, organization) = requested_datasets(tx, params, &mut errors)?;
        let purpose = required_text(params, "purpose", &mut errors);
        let legal_basis = required_text(params, "legal_basis", &mut errors);
        let (Some(organization_id), true) = (organization, errors.is_empty()) else {
            return Err(ActionError::Validation(errors));
        };
        let row = AccessRow {
            id: uuid::Uuid::new_v4().to_string(),
            user_id,
            organization_id,
            package_ids: json!(ids).to_string(),
            purpose,
            legal_basis,
            state: "pending".into(),
            created: store::now(),
            decided_by: None,
            decided_time: None,
            refusal_reason: None,
            issue_due: None,
            issued_by: None,
            issued_time: None,
            expires: None,
            token_id: None,
        };
        access_requests::insert(tx, &row)?;
        let mut recipients = mail::department_addresses(tx, &row.organization_id)?;
        recipients.extend(mail::operator_addresses(tx)?);
        let mail = Mail::bilingual(
            "[Kho] Yêu cầu kết nối, chia sẻ dữ liệu mới",
            &format!("Có yêu cầu truy cập {} tập dữ liệu của đơn vị. Mục đích: {}", ids.len(), row.purpose),
            &format!(
                "A new request for access to {} of the department's datasets. Purpose: {}",
                ids.len(),
                row.purpose
            ),
            &link(context, &row),
        );
        announce(tx, context, &row, "new access request", &recipients, mail)?;
        dict(tx, context, &row)
    })
}

fn found(tx: &mut Tx, params: &Params) -> ActionResult<AccessRow> {
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    access_requests::find(tx, &id)?.ok_or_else(|| ActionError::not_found("Access request not found"))
}

/// `access_request_show`: to its requester, the department and the operator.
pub fn access_request_show(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    context.store().read(|tx| {
        let row = found(tx, params)?;
        let standing = standing(tx, context, &row)?;
        let member = context.caller.user_id().is_some()
            && has_group_permission(tx, &context.caller, &row.organization_id, Permission::Read)?;
        if !(standing.requester || member || standing.operator) {
            return Err(denied(context, "see this access request"));
        }
        dict(tx, context, &row)
    })
}

/// `access_request_list`: the operator sees every request; others the requests they made and
/// those addressed to their organisations. `state` and `organization_id` narrow it.
pub fn access_request_list(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let Some(user_id) = context.caller.user_id().map(str::to_string) else {
        return Err(denied(context, "list access requests"));
    };
    let state = params.non_empty("state");
    let organization = params.non_empty("organization_id");
    context.store().read(|tx| {
        let scope = if context.caller.is_sysadmin() {
            None
        } else {
            let organization_ids = members::of_user_with_groups(tx, &user_id)?
                .into_iter()
                .filter(|(_, g)| g.is_organization && g.state == "active")
                .map(|(_, g)| g.id)
                .collect();
            Some(Scope { user_id: Some(user_id.clone()), organization_ids })
        };
        let organization_id = match &organization {
            Some(given) => {
                Some(groups::find(tx, given)?.ok_or_else(|| ActionError::not_found("Organization not found"))?.id)
            }
            None => None,
        };
        let mut listed = Vec::new();
        for row in access_requests::list(tx, scope.as_ref(), state.as_deref(), 1000)? {
            if organization_id.as_ref().is_none_or(|o| *o == row.organization_id) {
                listed.push(dict(tx, context, &row)?);
            }
        }
        Ok(Value::Array(listed))
    })
}

fn require_state(row: &AccessRow, allowed: &[&str]) -> ActionResult<()> {
    if allowed.contains(&row.state.as_str()) {
        return Ok(());
    }
    Err(ActionError::field("id", format!("This access request is {}", row.state)))
}

/// `access_request_approve`: the department approves; the operator's deadline starts.
pub fn access_request_approve(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    context.store().write(|tx| {
        let row = found(tx, params)?;
        if !standing(tx, context, &row)?.department {
            return Err(denied(context, "approve this access request"));
        }
        require_state(&row, &["pending"])?;
        let now = store::now();
        let days = context.config().workflows.connection_deadline_days;
        let due = context.services.calendar.add_working_days(Calendar::local(now).date(), days);
        let row = AccessRow {
            state: "approved".into(),
            decided_by: context.caller.user_id().map(str::to_string),
            decided_time: Some(now),
            issue_due: Some(due.format("%Y-%m-%d").to_string()),
            ..row
        };
        access_requests::update(tx, &row)?;
        let mut recipients = mail::operator_addresses(tx)?;
        recipients.extend(mail::user_addresses(tx, &row.user_id)?);
        let mail = Mail::bilingual(
            "[Kho] Yêu cầu kết nối đã được đơn vị chủ quản đồng ý",
            &format!("Đơn vị chủ quản đã đồng ý. Tài khoản kết nối cần được cấp trước hết ngày {due}."),
            &format!("The owning department approved. The connection account is due by {due}."),
            &link(context, &row),
        );
        announce(tx, context, &row, "changed access request", &recipients, mail)?;
        dict(tx, context, &row)
    })
}

/// `access_request_refuse`: the department (or the operator) refuses, giving `reason`.
pub fn access_request_refuse(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    context.store().write(|tx| {
        let row = found(tx, params)?;
        let standing = standing(tx, context, &row)?;
        if !(standing.department || standing.operator) {
            return Err(denied(context, "refuse this access request"));
        }
        require_state(&row, &["pending", "approved"])?;
        let mut errors = Map::new();
        let reason = required_text(params, "reason", &mut errors);
        if !errors.is_empty() {
            return Err(ActionError::Validation(errors));
        }
        let row = AccessRow {
            state: "refused".into(),
            decided_by: context.caller.user_id().map(str::to_string),
            decided_time: Some(store::now()),
            refusal_reason: Some(reason.clone()),
            ..row
        };
        access_requests::update(tx, &row)?;
        let recipients = mail::user_addresses(tx, &row.user_id)?;
        let mail = Mail::bilingual(
            "[Kho] Yêu cầu kết nối bị từ chối",
            &format!("Yêu cầu truy cập dữ liệu bị từ chối. Lý do: {reason}"),
            &format!("The access request was refused. Reason: {reason}"),
            &link(context, &row),
        );
        announce(tx, context, &row, "changed access request", &recipients, mail)?;
        dict(tx, context, &row)
    })
}

/// The expiry given (`expires`: a date, the token working through that day, or a date and
/// time; the province's time), or the default validity.
fn expiry(context: &ActionContext, params: &Params) -> ActionResult<NaiveDateTime> {
    let now = store::now();
    let Some(given) = params.non_empty("expires") else {
        return Ok(now + chrono::Duration::days(i64::from(context.config().workflows.connection_valid_days)));
    };
    let given = given.trim();
    let local_end = match NaiveDate::parse_from_str(given, "%Y-%m-%d") {
        Ok(day) => Some(day.succ_opt().unwrap_or(day).and_time(NaiveTime::MIN)),
        Err(_) => ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
            .iter()
            .find_map(|format| NaiveDateTime::parse_from_str(given, format).ok()),
    };
    let local_end = local_end.ok_or_else(|| {
        ActionError::field("expires", "Date format incorrect: YYYY-MM-DD or YYYY-MM-DDTHH:MM (the province's time)")
    })?;
    let end = Calendar::utc(local_end);
    if end <= now {
        return Err(ActionError::field("expires", "The expiry must be in the future"));
    }
    Ok(end)
}

/// `access_request_issue`: the operator issues the connection account (a token scoped to the
/// request's datasets, expiring at `expires`); its holder reads the token on the request.
pub fn access_request_issue(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    if !context.caller.is_sysadmin() {
        return Err(denied(context, "issue a connection account"));
    }
    let expires = expiry(context, params)?;
    context.store().write(|tx| {
        let row = found(tx, params)?;
        require_state(&row, &["approved"])?;
        let token = TokenRow {
            id: new_token_id(),
            user_id: row.user_id.clone(),
            name: format!("access-request-{}", row.id),
            created_at: store::now(),
            last_access: None,
            package_ids: Some(row.package_ids.clone()),
            expires: Some(expires),
        };
        tokens::insert(tx, &token)?;
        let row = AccessRow {
            state: "issued".into(),
            issued_by: context.caller.user_id().map(str::to_string),
            issued_time: Some(store::now()),
            expires: Some(expires),
            token_id: Some(token.id),
            ..row
        };
        access_requests::update(tx, &row)?;
        let recipients = mail::user_addresses(tx, &row.user_id)?;
        let until = Calendar::local(expires).format("%Y-%m-%d %H:%M");
        let mail = Mail::bilingual(
            "[Kho] Tài khoản kết nối đã được cấp",
            &format!("Tài khoản kết nối (khóa API) đã được cấp, có hiệu lực đến {until}. Xem khóa tại trang yêu cầu."),
            &format!(
                "Your connection account (an API token) is ready, valid until {until}. Read it on the request's page."
            ),
            &link(context, &row),
        );
        announce(tx, context, &row, "changed access request", &recipients, mail)?;
        dict(tx, context, &row)
    })
}

/// `access_request_revoke`: the operator or the department ends an issued connection account
/// (its token stops working at once).
pub fn access_request_revoke(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    context.store().write(|tx| {
        let row = found(tx, params)?;
        let standing = standing(tx, context, &row)?;
        if !(standing.department || standing.operator) {
            return Err(denied(context, "revoke this connection account"));
        }
        require_state(&row, &["issued"])?;
        if let Some(token) = &row.token_id {
            tokens::delete(tx, token)?;
        }
        let row = AccessRow { state: "revoked".into(), ..row };
        access_requests::update(tx, &row)?;
        let recipients = mail::user_addresses(tx, &row.user_id)?;
        let mail = Mail::bilingual(
            "[Kho] Tài khoản kết nối đã bị thu hồi",
            "Tài khoản kết nối của yêu cầu này đã bị thu hồi.",
            "The connection account of this request was revoked.",
            &link(context, &row),
        );
        announce(tx, context, &row, "changed access request", &recipients, mail)?;
        dict(tx, context, &row)
    })
}

/// `access_request_withdraw`: the requester withdraws a request not yet issued.
pub fn access_request_withdraw(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    context.store().write(|tx| {
        let row = found(tx, params)?;
        if !standing(tx, context, &row)?.requester {
            return Err(denied(context, "withdraw this access request"));
        }
        require_state(&row, &["pending", "approved"])?;
        let row = AccessRow { state: "withdrawn".into(), ..row };
        access_requests::update(tx, &row)?;
        let recipients = mail::department_addresses(tx, &row.organization_id)?;
        let mail = Mail::bilingual(
            "[Kho] Yêu cầu kết nối đã được rút lại",
            "Người yêu cầu đã rút lại yêu cầu truy cập dữ liệu.",
            "The requester withdrew the access request.",
            &link(context, &row),
        );
        announce(tx, context, &row, "changed access request", &recipients, mail)?;
        dict(tx, context, &row)
    })
}
