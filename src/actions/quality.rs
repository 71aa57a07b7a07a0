//! Metadata quality along the MQA dimensions (see `crate::workflows::quality`):
//! `quality_show` for a dataset, `organization_quality_show` for a department (the averages
//! over the datasets the caller may see), and `annual_evaluation_report`, each department's
//! yearly evaluation for the operator (due 31 December): quality and the four quarters' update
//! compliance.

use serde_json::{Map, Value, json};

use super::search::{SearchQuery, exact_filter, search};
use super::{ActionContext, Params, package};
use crate::dcat::dict::Dataset;
use crate::dcat::graph::Site;
use crate::error::{ActionError, ActionResult};
use crate::store::groups;
use crate::workflows::quality::{DIMENSIONS, MAX_SCORE, Quality, assess, rating};

/// The quality of one dataset dict as Kho publishes it.
pub fn of_dict(context: &ActionContext, dict: &Value) -> Option<Quality> {
    let url = context.config().effective_site_url();
    let site = Site::of(context.services, &url);
    Dataset::from_value(dict).map(|parsed| assess(&site, &parsed))
}

/// `quality_show`: a dataset's scores (`id`), to whoever may read it.
pub fn quality_show(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    let dict = context.store().read(|tx| {
        let row = package::readable(tx, &context.caller, &id)?;
        package::show_dict(tx, context, &row)
    })?;
    let dict = Value::Object(dict);
    let quality =
        of_dict(context, &dict).ok_or_else(|| ActionError::Internal(anyhow::anyhow!("dataset dict not read")))?;
    let mut answer = quality.to_json();
    if let Value::Object(map) = &mut answer {
        map.insert("id".into(), dict.get("id").cloned().unwrap_or(Value::Null));
        map.insert("name".into(), dict.get("name").cloned().unwrap_or(Value::Null));
    }
    Ok(answer)
}

/// The averages over the active datasets of organisation `organization_id` the caller may see:
/// `{datasets, score, max, rating, dimensions, ratings}`.
pub fn department_quality(context: &ActionContext, organization_id: &str) -> ActionResult<Value> {
    const PAGE: usize = 1000;
    let mut sums = [0u64; 5];
    let mut ratings: Map<String, Value> =
        ["excellent", "good", "sufficient", "bad"].iter().map(|r| ((*r).to_string(), json!(0))).collect();
    let mut count = 0u64;
    let mut start = 0;
    loop {
        let query = SearchQuery {
            fq_list: vec![exact_filter("owner_org", organization_id)],
            sort: "metadata_created asc, id asc".into(),
            rows: PAGE,
            start,
            include_private: true,
            ..SearchQuery::default()
        };
        let page = search(context, &query)?;
        let datasets = page.datasets();
        for dataset in &datasets {
            let Some(quality) = of_dict(context, &Value::Object(dataset.0.clone())) else { continue };
            for (sum, score) in sums.iter_mut().zip(quality.scores()) {
                *sum += u64::from(score);
            }
            if let Some(n) = ratings.get_mut(rating(quality.total())) {
                *n = json!(n.as_u64().unwrap_or_default() + 1);
            }
            count += 1;
        }
        start += PAGE;
        if datasets.len() < PAGE {
            break;
        }
    }
    let average = |sum: u64| (sum + count / 2).checked_div(count).unwrap_or_default() as u32;
    let mut dimensions = Map::new();
    for ((name, max), sum) in DIMENSIONS.iter().zip(sums) {
        dimensions.insert((*name).into(), json!({"score": average(sum), "max": max}));
    }
    let total = average(sums.iter().sum());
    Ok(json!({
        "datasets": count, "score": total, "max": MAX_SCORE,
        "rating": if count == 0 { Value::Null } else { json!(rating(total)) },
        "dimensions": dimensions, "ratings": ratings,
    }))
}

/// `organization_quality_show`: a department's averages (`id`).
pub fn organization_quality_show(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    let org = context.store().read(|tx| super::group::readable(tx, context, &id, super::group::Kind::Organization))?;
    let mut answer = department_quality(context, &org.id)?;
    if let Value::Object(map) = &mut answer {
        map.insert("organization".into(), json!({"id": org.id, "name": org.name, "title": org.title}));
    }
    Ok(answer)
}

/// `annual_evaluation_report`: `year` (default this year, the province's time); sysadmins.
/// Per department: its datasets' quality and the year's update compliance, quarter by quarter.
pub fn annual_evaluation_report(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    if !context.caller.is_sysadmin() {
        return Err(ActionError::denied(format!(
            "User {} not authorized to see the annual evaluation",
            context.caller.name()
        )));
    }
    let this_year = crate::workflows::Calendar::local(crate::store::now()).date().format("%Y").to_string();
    let year = params.non_empty("year").unwrap_or(this_year);
    let year: i32 = year
        .trim()
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| ActionError::field("year", "Use a year such as 2026"))?;
    // Each quarter's compliance, by department name: [due, on_time, late, not_updated, pending].
    let mut compliance: std::collections::BTreeMap<String, [[u64; 5]; 4]> = Default::default();
    for quarter in 1..=4usize {
        let params = Params::from_value(json!({"quarter": format!("{year}Q{quarter}")}))?;
        let report = super::compliance_report::update_compliance_report(context, &params)?;
        for department in report.get("departments").and_then(Value::as_array).into_iter().flatten() {
            let name = department.get("organization").and_then(Value::as_str).unwrap_or_default().to_string();
            let number = |key: &str| department.get(key).and_then(Value::as_u64).unwrap_or_default();
            let slot = compliance.entry(name).or_default();
            if let Some(counts) = slot.get_mut(quarter - 1) {
                *counts = [number("due"), number("on_time"), number("late"), number("not_updated"), number("pending")];
            }
        }
    }
    let organizations = context.store().read(|tx| groups::list_active(tx, true))?;
    let mut rows = Vec::new();
    for org in organizations {
        let quality = department_quality(context, &org.id)?;
        let quarters = compliance.get(&org.name).copied().unwrap_or_default();
        let total = |i: usize| quarters.iter().map(|q| q.get(i).copied().unwrap_or_default()).sum::<u64>();
        let quarters: Vec<Value> = quarters
            .iter()
            .enumerate()
            .map(|(i, [due, on_time, late, not_updated, pending])| {
                json!({"quarter": format!("{year}Q{}", i + 1), "due": due, "on_time": on_time, "late": late, "not_updated": not_updated, "pending": pending})
            })
            .collect();
        rows.push(json!({
            "organization": org.name,
            "title": if org.title.is_empty() { org.name.clone() } else { org.title.clone() },
            "datasets": quality.get("datasets"),
            "quality": quality.get("score"), "quality_max": MAX_SCORE, "quality_rating": quality.get("rating"),
            "dimensions": quality.get("dimensions"),
            "updates_due": total(0), "updated_on_time": total(1), "updated_late": total(2),
            "not_updated": total(3), "pending": total(4),
            "quarters": quarters,
        }));
    }
    Ok(json!({"year": year, "due": format!("{year}-12-31"), "departments": rows}))
}

/// The evaluation as a table: one line per department, for CSV and XLSX.
pub fn evaluation_table(report: &Value) -> crate::tabular::Table {
    let mut header = vec!["year", "organization", "title", "datasets", "quality", "quality_rating"];
    header.extend(DIMENSIONS.iter().map(|(name, _)| *name));
    header.extend(["updates_due", "updated_on_time", "updated_late", "not_updated", "pending"]);
    let mut table = vec![header.into_iter().map(String::from).collect::<Vec<_>>()];
    let year = report.get("year").map(Value::to_string).unwrap_or_default();
    for row in report.get("departments").and_then(Value::as_array).into_iter().flatten() {
        let cell = |key: &str| match row.get(key) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let mut record = vec![
            year.clone(),
            cell("organization"),
            cell("title"),
            cell("datasets"),
            cell("quality"),
            cell("quality_rating"),
        ];
        for (name, _) in DIMENSIONS {
            let score = row.get("dimensions").and_then(|d| d.get(name)).and_then(|d| d.get("score"));
            record.push(score.map(Value::to_string).unwrap_or_default());
        }
        for key in ["updates_due", "updated_on_time", "updated_late", "not_updated", "pending"] {
            record.push(cell(key));
        }
        table.push(record);
    }
    table
}
