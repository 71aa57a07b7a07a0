//! The quarterly update compliance report: for a quarter, each department's datasets that owed
//! an update in it (by their update frequency), and which were updated on time (by 15 days
//! after the next quarter began, the province's time), late, or not at all. The operator's
//! summary for the People's Committee is built from it.

use std::collections::BTreeMap;

use chrono::{NaiveDateTime, NaiveTime};
use serde_json::{Value, json};

use super::{ActionContext, Params};
use crate::compliance;
use crate::error::{ActionError, ActionResult};
use crate::store::packages::{self, Filter, Visibility};
use crate::store::{activities, groups};
use crate::workflows::Calendar;

fn frequency_of(extras: &str) -> String {
    let extras: Vec<Value> = serde_json::from_str(extras).unwrap_or_default();
    extras
        .iter()
        .find(|e| e.get("key").and_then(Value::as_str) == Some("tan_suat_cap_nhat"))
        .and_then(|e| e.get("value").and_then(Value::as_str))
        .unwrap_or_default()
        .to_string()
}

/// `update_compliance_report`: `quarter` (`2026Q3`); the operator (sysadmins) only.
pub fn update_compliance_report(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    if !context.caller.is_sysadmin() {
        return Err(ActionError::denied(format!(
            "User {} not authorized to see the compliance report",
            context.caller.name()
        )));
    }
    let text = params.non_empty("quarter").ok_or_else(|| ActionError::field("quarter", "Missing value"))?;
    let (number, start, end, deadline) =
        compliance::quarter(&text).ok_or_else(|| ActionError::field("quarter", "Use YYYYQn, for example 2026Q3"))?;
    let local_midnight = |day: chrono::NaiveDate| Calendar::utc(NaiveDateTime::new(day, NaiveTime::MIN));
    let since = local_midnight(start);
    let after_deadline = local_midnight(deadline.succ_opt().unwrap_or(deadline));
    let now = crate::store::now();
    context.store().read(|tx| {
        let filter = Filter { include_private: true, ..Filter::default() };
        let everything = Visibility { all: true, ..Visibility::default() };
        let mut due = Vec::new();
        let mut offset = 0;
        loop {
            let page = packages::list(tx, &filter, &everything, 1000, offset)?;
            let count = page.len();
            for row in page {
                let frequency = frequency_of(&row.extras);
                if compliance::due_in_quarter(&frequency, number) && compliance::local_date(row.metadata_created) <= end
                {
                    due.push((row, frequency));
                }
            }
            if count < 1000 {
                break;
            }
            offset += 1000;
        }
        let ids: Vec<String> = due.iter().map(|(row, _)| row.id.clone()).collect();
        let first: BTreeMap<String, NaiveDateTime> =
            activities::first_changes_since(tx, &ids, since)?.into_iter().collect();
        let mut departments: BTreeMap<String, [u64; 5]> = BTreeMap::new();
        let mut names: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut datasets = Vec::new();
        for (row, frequency) in &due {
            let updated = first.get(&row.id).copied();
            let status = match updated {
                Some(at) if at < after_deadline => "on_time",
                Some(_) => "late",
                None if now < after_deadline => "pending",
                None => "not_updated",
            };
            let org = row.owner_org.clone().unwrap_or_default();
            if !names.contains_key(&org) {
                let named = groups::find(tx, &org)?
                    .map(|g| (g.name.clone(), if g.title.is_empty() { g.name.clone() } else { g.title.clone() }))
                    .unwrap_or_default();
                names.insert(org.clone(), named);
            }
            let counts = departments.entry(org.clone()).or_default();
            counts[0] += 1;
            match status {
                "on_time" => counts[1] += 1,
                "late" => counts[2] += 1,
                "not_updated" => counts[3] += 1,
                _ => counts[4] += 1,
            }
            datasets.push(json!({
                "id": row.id, "name": row.name, "title": row.title, "owner_org": org,
                "organization": names.get(&org).map(|n| n.0.clone()),
                "frequency": frequency, "updated": updated.map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
                "status": status,
            }));
        }
        let mut rows = Vec::new();
        for (org, [due_count, on_time, late, missing, pending]) in departments {
            let (name, title) = names.get(&org).cloned().unwrap_or_default();
            rows.push(json!({
                "organization": name,
                "title": title,
                "due": due_count, "on_time": on_time, "late": late, "not_updated": missing, "pending": pending,
            }));
        }
        Ok(json!({
            "quarter": format!("{}Q{number}", start.format("%Y")),
            "start": start.to_string(), "end": end.to_string(), "deadline": deadline.to_string(),
            "departments": rows, "datasets": datasets,
        }))
    })
}

/// The report as a table: one line per dataset due (`quarter, organization, dataset, title,
/// frequency, updated, status`), for CSV and XLSX.
pub fn report_table(report: &Value) -> crate::tabular::Table {
    let mut table = vec![
        ["quarter", "organization", "dataset", "title", "frequency", "updated", "status"].map(String::from).to_vec(),
    ];
    let quarter = report.get("quarter").and_then(Value::as_str).unwrap_or_default();
    for dataset in report.get("datasets").and_then(Value::as_array).into_iter().flatten() {
        let text = |key: &str| dataset.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
        table.push(vec![
            quarter.to_string(),
            text("organization"),
            text("name"),
            text("title"),
            text("frequency"),
            text("updated"),
            text("status"),
        ]);
    }
    table
}
