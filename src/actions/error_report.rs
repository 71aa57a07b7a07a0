//! Error reports: a signed-in user reports an error in a dataset they may read; the department
//! that provides it (the dataset's editors and admins) answers and marks it fixed. Reports are
//! as visible as their dataset: whoever may read the dataset reads its reports.

use serde_json::{Value, json};

use super::activity::record_workflow;
use super::datarequest::time;
use super::{ActionContext, Params, package};
use crate::error::{ActionError, ActionResult};
use crate::mail::{self, Mail};
use crate::store::Tx;
use crate::store::error_reports::{self, ReportRow};

/// Longest description or answer.
const TEXT_MAX: usize = 5000;

fn dict(tx: &mut Tx, row: &ReportRow) -> ActionResult<Value> {
    let user = super::datarequest::user_summary(tx, &row.user_id)?;
    Ok(json!({
        "id": row.id,
        "package_id": row.package_id,
        "user": user,
        "description": row.description,
        "state": row.state,
        "answer": row.answer,
        "created": time(Some(row.created)),
        "answered_time": time(row.answered_time),
        "fixed_time": time(row.fixed_time),
    }))
}

/// Records a report's change in its dataset's activity stream (as visible as the dataset) and
/// tells `recipients` by mail.
fn announce(
    tx: &mut Tx,
    context: &ActionContext,
    dataset: &crate::store::packages::PackageRow,
    report: &ReportRow,
    activity_type: &str,
    recipients: &[String],
    (vi, en): (String, String),
) -> ActionResult<()> {
    let data = json!({"error_report": {"id": report.id, "state": report.state}, "package": {"id": dataset.id, "name": dataset.name, "title": dataset.title}});
    record_workflow(tx, &context.caller, &dataset.id, activity_type, data, dataset.owner_org.as_deref(), None)?;
    let link = format!("{}/dataset/{}#error-reports", context.config().effective_site_url(), dataset.name);
    let subject = format!("[Kho] Báo lỗi dữ liệu: {}", dataset.title.as_deref().unwrap_or(&dataset.name));
    mail::queue(tx, context.config(), recipients, &Mail::bilingual(&subject, &vi, &en, &link))?;
    Ok(())
}

fn text_param(params: &Params, key: &str) -> ActionResult<String> {
    let text = params.text(key).map(|t| t.trim().to_string()).unwrap_or_default();
    if text.is_empty() {
        return Err(ActionError::field(key, "Missing value"));
    }
    if text.chars().count() > TEXT_MAX {
        return Err(ActionError::field(key, format!("Must be a maximum of {TEXT_MAX} characters long")));
    }
    Ok(text)
}

/// `error_report_create`: `package_id`, `description`.
pub fn error_report_create(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let user_id = context.caller.user_id().map(str::to_string).ok_or_else(|| {
        ActionError::denied(format!("User {} not authorized to report an error", context.caller.name()))
    })?;
    let dataset = params.non_empty("package_id").ok_or_else(|| ActionError::field("package_id", "Missing value"))?;
    context.store().write(|tx| {
        let row = package::readable(tx, &context.caller, &dataset)?;
        if row.state != "active" {
            return Err(ActionError::not_found("Dataset not found"));
        }
        let description = text_param(params, "description")?;
        let report = ReportRow {
            id: uuid::Uuid::new_v4().to_string(),
            package_id: row.id.clone(),
            user_id,
            description,
            state: "open".into(),
            answer: None,
            answered_by: None,
            created: crate::store::now(),
            answered_time: None,
            fixed_time: None,
        };
        error_reports::insert(tx, &report)?;
        let recipients = match &row.owner_org {
            Some(org) => mail::department_addresses(tx, org)?,
            None => Vec::new(),
        };
        let text = (
            format!("Người dùng báo lỗi trong tập dữ liệu của đơn vị:\n\n{}", report.description),
            format!("A user reported an error in the department's dataset:\n\n{}", report.description),
        );
        announce(tx, context, &row, &report, "new error report", &recipients, text)?;
        dict(tx, &report)
    })
}

/// `error_report_list`: a dataset's reports, newest first (`open_only` leaves out fixed ones).
pub fn error_report_list(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let dataset = params.non_empty("package_id").ok_or_else(|| ActionError::field("package_id", "Missing value"))?;
    context.store().read(|tx| {
        let row = package::readable(tx, &context.caller, &dataset)?;
        let mut listed = Vec::new();
        for report in error_reports::for_package(tx, &row.id, params.truthy("open_only"), 1000)? {
            listed.push(dict(tx, &report)?);
        }
        Ok(Value::Array(listed))
    })
}

/// `error_report_answer`: the department answers (`answer`) and, with `fixed`, closes it.
pub fn error_report_answer(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    context.store().write(|tx| {
        let report = error_reports::find(tx, &id)?.ok_or_else(|| ActionError::not_found("Error report not found"))?;
        let dataset = package::readable(tx, &context.caller, &report.package_id)?;
        if !package::can_edit(tx, &context.caller, &dataset)? {
            return Err(ActionError::denied(format!(
                "User {} not authorized to answer error reports of {}",
                context.caller.name(),
                dataset.name
            )));
        }
        let answer = text_param(params, "answer")?;
        let now = crate::store::now();
        let fixed = params.truthy("fixed");
        let report = ReportRow {
            state: if fixed { "fixed" } else { "answered" }.into(),
            answer: Some(answer),
            answered_by: context.caller.user_id().map(str::to_string),
            answered_time: Some(now),
            fixed_time: if fixed { Some(now) } else { report.fixed_time },
            ..report
        };
        error_reports::update(tx, &report)?;
        let recipients = mail::user_addresses(tx, &report.user_id)?;
        let answer = report.answer.clone().unwrap_or_default();
        let text = if fixed {
            (format!("Lỗi bạn báo đã được sửa:\n\n{answer}"), format!("The error you reported is fixed:\n\n{answer}"))
        } else {
            (
                format!("Đơn vị đã trả lời báo lỗi của bạn:\n\n{answer}"),
                format!("The department answered your report:\n\n{answer}"),
            )
        };
        announce(tx, context, &dataset, &report, "answered error report", &recipients, text)?;
        dict(tx, &report)
    })
}
