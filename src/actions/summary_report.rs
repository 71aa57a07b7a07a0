//! The operator's quarterly summary for the Provincial People's Committee, sent before the 25th
//! of the quarter's last month: the update compliance of the quarter before (its deadline fell
//! in this quarter's first month), the catalogue, and this quarter's data requests, access
//! requests, error reports and suspensions — read from the same actions and tables as their own
//! pages, so the summary never disagrees with them.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use serde_json::{Map, Value, json};

use super::{ActionContext, Params};
use crate::compliance;
use crate::error::{ActionError, ActionResult};
use crate::store::packages::{self, Filter, Visibility};
use crate::store::{access_requests, datarequests, error_reports, maintenance};
use crate::workflows::Calendar;

/// The counts a section reports, in order.
type Counts = Vec<(&'static str, u64)>;

fn count(rows: impl Iterator<Item = bool>) -> u64 {
    rows.filter(|passed| *passed).count() as u64
}

/// Whether an instant's date in the province is on or before a due date (`YYYY-MM-DD`).
fn by(at: Option<NaiveDateTime>, due: Option<&str>) -> bool {
    let due = due.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    matches!((at, due), (Some(at), Some(due)) if Calendar::local(at).date() <= due)
}

/// `quarterly_summary_report`: `quarter` (`2026Q4`); sysadmins.
pub fn quarterly_summary_report(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    if !context.caller.is_sysadmin() {
        return Err(ActionError::denied(format!(
            "User {} not authorized to see the quarterly summary",
            context.caller.name()
        )));
    }
    let text = params.non_empty("quarter").ok_or_else(|| ActionError::field("quarter", "Missing value"))?;
    let (number, start, end, _) =
        compliance::quarter(&text).ok_or_else(|| ActionError::field("quarter", "Use YYYYQn, for example 2026Q4"))?;
    let quarter = format!("{}Q{number}", start.year());
    let previous =
        if number == 1 { format!("{}Q4", start.year() - 1) } else { format!("{}Q{}", start.year(), number - 1) };
    let due = NaiveDate::from_ymd_opt(end.year(), end.month(), 25).unwrap_or(end);
    let updates = super::compliance_report::update_compliance_report(
        context,
        &Params::from_value(json!({"quarter": previous}))?,
    )?;
    let midnight = |day: NaiveDate| Calendar::utc(NaiveDateTime::new(day, NaiveTime::MIN));
    let (from, to) = (midnight(start), midnight(end.succ_opt().unwrap_or(end)));
    let sections = context.store().read(|tx| -> ActionResult<Vec<(&'static str, Counts)>> {
        let filter = Filter { include_private: true, ..Filter::default() };
        let everything = Visibility { all: true, ..Visibility::default() };
        let (mut total, mut private, mut created) = (0, 0, 0);
        let mut offset = 0;
        loop {
            let page = packages::list(tx, &filter, &everything, 1000, offset)?;
            total += page.len() as u64;
            private += count(page.iter().map(|p| p.private));
            created += count(page.iter().map(|p| p.metadata_created >= from && p.metadata_created < to));
            if page.len() < 1000 {
                break;
            }
            offset += 1000;
        }
        let requests = datarequests::opened_between(tx, from, to)?;
        let answered = |r: &datarequests::RequestRow| r.answered_time.or(r.close_time);
        let access = access_requests::created_between(tx, from, to)?;
        let reports = error_reports::created_between(tx, from, to)?;
        let notices = maintenance::starting_between(tx, from, to)?;
        Ok(vec![
            ("datasets", vec![("total", total), ("private", private), ("published_in_quarter", created)]),
            (
                "datarequests",
                vec![
                    ("received", requests.len() as u64),
                    ("answered", count(requests.iter().map(|r| answered(r).is_some()))),
                    ("answered_on_time", count(requests.iter().map(|r| by(answered(r), Some(&r.answer_due))))),
                    ("fulfilled", count(requests.iter().map(|r| super::datarequest::state_of(r) == "fulfilled"))),
                    ("refused", count(requests.iter().map(|r| super::datarequest::state_of(r) == "refused"))),
                    (
                        "unanswered_overdue",
                        count(requests.iter().map(|r| answered(r).is_none() && super::datarequest::overdue(r))),
                    ),
                ],
            ),
            (
                "access_requests",
                vec![
                    ("received", access.len() as u64),
                    ("issued", count(access.iter().map(|a| a.issued_time.is_some()))),
                    ("issued_on_time", count(access.iter().map(|a| by(a.issued_time, a.issue_due.as_deref())))),
                    ("refused", count(access.iter().map(|a| a.state == "refused"))),
                    ("waiting", count(access.iter().map(|a| a.state == "pending" || a.state == "approved"))),
                ],
            ),
            (
                "error_reports",
                vec![
                    ("received", reports.len() as u64),
                    ("answered", count(reports.iter().map(|r| r.answered_time.is_some()))),
                    ("fixed", count(reports.iter().map(|r| r.state == "fixed"))),
                ],
            ),
            (
                "suspensions",
                vec![
                    ("announced", count(notices.iter().map(|n| n.state == "active"))),
                    ("emergency", count(notices.iter().map(|n| n.state == "active" && n.emergency))),
                ],
            ),
        ])
    })?;
    let mut answer = Map::new();
    answer.insert("quarter".into(), json!(quarter));
    answer.insert("due".into(), json!(due.to_string()));
    answer.insert("start".into(), json!(start.to_string()));
    answer.insert("end".into(), json!(end.to_string()));
    let mut totals = [0u64; 5];
    for department in updates.get("departments").and_then(Value::as_array).into_iter().flatten() {
        for (total, key) in totals.iter_mut().zip(["due", "on_time", "late", "not_updated", "pending"]) {
            *total += department.get(key).and_then(Value::as_u64).unwrap_or_default();
        }
    }
    let [due_count, on_time, late, not_updated, pending] = totals;
    answer.insert(
        "updates".into(),
        json!({"quarter": previous, "deadline": updates.get("deadline"), "due": due_count, "on_time": on_time,
               "late": late, "not_updated": not_updated, "pending": pending,
               "departments": updates.get("departments")}),
    );
    for (section, counts) in sections {
        let values: Map<String, Value> = counts.into_iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
        answer.insert(section.into(), Value::Object(values));
    }
    Ok(Value::Object(answer))
}

/// The summary as a table (`section, organization, indicator, value`), for CSV and XLSX.
pub fn summary_table(report: &Value) -> crate::tabular::Table {
    let mut table = vec![["section", "organization", "indicator", "value"].map(String::from).to_vec()];
    let value_text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if let Some(updates) = report.get("updates") {
        for key in ["quarter", "deadline", "due", "on_time", "late", "not_updated", "pending"] {
            let value = updates.get(key).map(value_text).unwrap_or_default();
            table.push(vec!["updates".into(), String::new(), key.into(), value]);
        }
        for department in updates.get("departments").and_then(Value::as_array).into_iter().flatten() {
            let name = department.get("organization").and_then(Value::as_str).unwrap_or_default();
            for key in ["due", "on_time", "late", "not_updated", "pending"] {
                let value = department.get(key).map(value_text).unwrap_or_default();
                table.push(vec!["updates".into(), name.into(), key.into(), value]);
            }
        }
    }
    for section in ["datasets", "datarequests", "access_requests", "error_reports", "suspensions"] {
        for (key, value) in report.get(section).and_then(Value::as_object).into_iter().flatten() {
            table.push(vec![section.into(), String::new(), key.clone(), value_text(value)]);
        }
    }
    table
}
