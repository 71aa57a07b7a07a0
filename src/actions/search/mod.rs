//! `package_search` and the reads served by the index (spec §5): CKAN's parameters,
//! validation, filters, permission labels, facets and result shape.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::{ActionContext, Params};
use crate::error::{ActionError, ActionResult};
use crate::search::{self, Request, SortBy, SortItem};
use crate::store::{groups, members};

mod autocomplete;
mod page;

pub use autocomplete::{group_package_show, package_autocomplete, tag_autocomplete};
use page::Results;
pub use page::{SearchPage, SearchQuery, search};

/// CKAN's `ckan.search.rows_max`.
const ROWS_MAX: i64 = 1000;
const DEFAULT_SORT: &str = "score desc, metadata_modified desc";
/// Parameters `package_search` accepts (anything else is a 400, as in CKAN).
const KNOWN_PARAMETERS: &[&str] = &[
    "q",
    "fq",
    "fq_list",
    "sort",
    "rows",
    "start",
    "facet",
    "facet.field",
    "facet.limit",
    "facet.mincount",
    "include_private",
    "include_drafts",
    "include_deleted",
    "use_default_schema",
    "fl",
    "qf",
    "bf",
    "boost",
    "tie",
    "mm",
    "defType",
    "df",
    "wt",
    "extras",
    "callback",
];
/// Exact fields that hold one value per dataset, so they can order results.
const SORTABLE_TEXT: &[&str] =
    &["id", "name", "license_id", "state", "dataset_type", "owner_org", "organization", "capacity", "creator_user_id"];

fn search_error(error: search::SearchError) -> ActionError {
    match error {
        search::SearchError::Syntax(error) => ActionError::Search(format!("Search error: '{}'", error.0)),
        index => ActionError::Internal(anyhow::anyhow!("{index}")),
    }
}

/// Returns the caller's permission labels (spec §2.5); `None` for sysadmins.
fn caller_labels(context: &ActionContext) -> ActionResult<Option<Vec<String>>> {
    if context.caller.is_sysadmin() {
        return Ok(None);
    }
    let mut labels = vec!["public".to_string()];
    if let Some(user_id) = context.caller.user_id() {
        labels.push(format!("creator-{user_id}"));
        labels.push(format!("collaborator-{user_id}"));
        let memberships = context.store().read(|tx| members::list_for_object(tx, "user", user_id))?;
        labels
            .extend(memberships.into_iter().filter(|m| m.state == "active").map(|m| format!("member-{}", m.group_id)));
    }
    Ok(Some(labels))
}

fn parse_sort(text: &str) -> ActionResult<Vec<SortItem>> {
    let text = if text.trim() == "rank" { DEFAULT_SORT } else { text };
    let mut items = Vec::new();
    for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let mut words = item.split_whitespace();
        let (Some(field), Some(direction), None) = (words.next(), words.next(), words.next()) else {
            return Err(ActionError::SearchQuery("Search Query is invalid: 'Invalid \"sort\" parameter'".into()));
        };
        let descending = match direction.to_ascii_lowercase().as_str() {
            "asc" => false,
            "desc" => true,
            _ => return Err(ActionError::SearchQuery("Search Query is invalid: 'Invalid \"sort\" parameter'".into())),
        };
        let by = match field {
            "score" => SortBy::Score,
            "metadata_modified" | "metadata_created" => SortBy::Date(field.to_string()),
            "title_string" => SortBy::Text("title_sort".into()),
            "type" => SortBy::Text("dataset_type".into()),
            "id" => SortBy::Number("id_order".into()),
            other if SORTABLE_TEXT.contains(&other) => SortBy::Text(other.to_string()),
            other => return Err(ActionError::Search(format!("Search error: 'can not sort on field: {other}'"))),
        };
        items.push(SortItem { by, descending });
    }
    if items.is_empty() {
        return parse_sort(DEFAULT_SORT);
    }
    Ok(items)
}

fn integer(params: &Params, key: &str) -> ActionResult<Option<i64>> {
    let Some(value) = params.get(key).filter(|v| !v.is_null()) else { return Ok(None) };
    let parsed = match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) if s.trim().is_empty() => return Ok(None),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    parsed.map(Some).ok_or_else(|| {
        let mut map = Map::new();
        map.insert(key.into(), json!(["Invalid integer", "Please enter an integer value"]));
        ActionError::Validation(map)
    })
}

fn natural(params: &Params, key: &str) -> ActionResult<Option<i64>> {
    match integer(params, key)? {
        Some(n) if n < 0 => Err(ActionError::field(key, "Must be a natural number")),
        other => Ok(other),
    }
}

/// `facet.field`: a JSON list given as text, a real list, or repeated parameters.
fn facet_fields(params: &Params) -> ActionResult<Vec<String>> {
    let list = match params.get("facet.field") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        // One text item holding a JSON list: the text form, sent through a list-making decoder.
        Some(Value::Array(items)) => match items.as_slice() {
            [Value::String(text)] if text.trim_start().starts_with('[') => match serde_json::from_str(text) {
                Ok(Value::Array(inner)) => inner,
                _ => return Err(ActionError::field("facet.field", "Could not parse as valid JSON")),
            },
            _ => items.clone(),
        },
        Some(Value::String(text)) => match serde_json::from_str(text) {
            Ok(Value::Array(items)) => items,
            Ok(_) => return Err(ActionError::field("facet.field", "Not a list")),
            Err(_) => {
                let mut map = Map::new();
                map.insert("facet.field".into(), json!(["Could not parse as valid JSON", "Not a list"]));
                return Err(ActionError::Validation(map));
            }
        },
        Some(_) => return Err(ActionError::field("facet.field", "Not a list")),
    };
    list.iter()
        .map(|item| match item {
            Value::String(name) => Ok(name.clone()),
            other => Err(ActionError::field("facet.field", format!("Not a string: {other}"))),
        })
        .collect()
}

/// `fq_list`: a list, or one string taken as a one-item list.
fn string_items(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Some(Value::String(s)) if !s.trim().is_empty() => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// Builds the filter CKAN sends as `fq` (spec §5.2 steps 4–5), so the caller's clauses share a
/// boolean query with CKAN's own, exactly as in CKAN.
fn main_filter(fq: &str, include_private: bool, states: &str) -> String {
    let mut filter = String::new();
    if !include_private {
        filter.push_str("+capacity:public ");
    }
    filter.push_str(fq);
    if !fq.contains("+state") {
        filter.push_str(&format!(" +state:({states})"));
    }
    filter
}

/// Runs a search for an action; returns the outcome (dicts in order, facet counts).
///
/// Read-your-writes: the search first waits until this node's index holds every change the
/// store had logged when the search began, so a write that has returned (on any node) is
/// always found. Writes themselves do not wait (see `docs/decisions.md`).
pub fn run_search(context: &ActionContext, request: &Request) -> ActionResult<search::Outcome> {
    let search = &context.services.search;
    if search.is_indexing() {
        let since = std::time::Instant::now();
        let logged = context.store().read(crate::store::changes::last_seq)?;
        search.wait_for(logged, since);
    }
    search.run(request).map_err(search_error)
}

/// Counts the active datasets the caller may see (private ones of their organisations
/// included, as CKAN's listings count them) per value of an exact index field: one facet over
/// the visible catalogue, so listings never count rows in the store.
pub fn visible_counts(context: &ActionContext, field: &str) -> ActionResult<HashMap<String, u64>> {
    counts_where(context, main_filter("", true, "active"), caller_labels(context)?, field)
}

/// Counts the active datasets the caller may see whose exact field `field` holds `value` (one
/// organisation's or group's datasets, as the listings count them).
pub fn visible_count(context: &ActionContext, field: &str, value: &str) -> ActionResult<u64> {
    let request = Request {
        q: None,
        filters: vec![main_filter(&format!("+{}", exact_filter(field, value)), true, "active")],
        labels: caller_labels(context)?,
        sort: Vec::new(),
        start: 0,
        rows: 0,
        facets: Vec::new(),
        now: crate::store::now(),
        explain: false,
    };
    Ok(run_search(context, &request)?.count as u64)
}

/// A filter query matching `value` exactly in `field` (quoted, quotes and backslashes escaped).
pub fn exact_filter(field: &str, value: &str) -> String {
    format!("{field}:\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Counts the public active datasets per value of an exact index field.
pub fn public_counts(context: &ActionContext, field: &str) -> ActionResult<HashMap<String, u64>> {
    counts_where(context, main_filter("", false, "active"), Some(vec!["public".into()]), field)
}

fn counts_where(
    context: &ActionContext,
    filter: String,
    labels: Option<Vec<String>>,
    field: &str,
) -> ActionResult<HashMap<String, u64>> {
    let request = Request {
        q: None,
        filters: vec![filter],
        labels,
        sort: Vec::new(),
        start: 0,
        rows: 0,
        facets: vec![field.to_string()],
        now: crate::store::now(),
        explain: false,
    };
    Ok(run_search(context, &request)?.facets.pop().unwrap_or_default())
}

/// A request for every dataset the caller may see that matches `filter` (Lucene syntax).
pub fn listing(context: &ActionContext, filter: &str, rows: usize, start: usize) -> ActionResult<Request> {
    Ok(Request {
        q: None,
        filters: vec![main_filter(filter, false, "active")],
        labels: caller_labels(context)?,
        sort: parse_sort(DEFAULT_SORT)?,
        start,
        rows,
        facets: Vec::new(),
        now: crate::store::now(),
        explain: false,
    })
}

/// `package_search` as an anonymous caller sees it, answering the count and the page's stored
/// dicts as JSON text, unparsed (the DCAT catalogue maps them on several threads).
pub fn public_documents(services: &super::Services, query: &SearchQuery) -> ActionResult<(usize, Vec<String>)> {
    let context = ActionContext { services, caller: crate::auth::Caller::anonymous() };
    let page = search(&context, query)?;
    match page.results {
        Results::Stored(texts) => Ok((page.count, texts)),
        Results::Values(_) => Err(ActionError::Internal(anyhow::anyhow!("public_documents takes no `fl`"))),
    }
}

/// `package_search` (the Action API's JSON).
pub fn package_search_json(context: &ActionContext, params: &Params, out: &mut String) -> ActionResult<()> {
    search(context, &SearchQuery::from_params(params)?)?.write_json(out);
    Ok(())
}

/// A value as the index returns it for `fl`: booleans and numbers as strings (CKAN returns
/// `"private": "false"` there).
fn index_value(value: &Value) -> Value {
    match value {
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Number(n) => Value::String(n.to_string()),
        other => other.clone(),
    }
}

/// Builds `facets` (count descending, ties by value) and `search_facets` (items by display
/// name descending, as CKAN returns them).
fn facet_output(
    context: &ActionContext,
    names: &[String],
    counts: Vec<HashMap<String, u64>>,
    limit: i64,
    mincount: i64,
) -> ActionResult<(Map<String, Value>, Map<String, Value>)> {
    let mut facets = Map::new();
    let mut search_facets = Map::new();
    for (name, counts) in names.iter().zip(counts) {
        let mut items: Vec<(String, u64)> =
            counts.into_iter().filter(|(_, c)| i64::try_from(*c).unwrap_or(i64::MAX) >= mincount.max(1)).collect();
        items.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if limit >= 0 {
            items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        }
        let titles = display_names(context, name, &items)?;
        facets.insert(name.clone(), Value::Object(items.iter().map(|(v, c)| (v.clone(), json!(c))).collect()));
        let mut listed: Vec<Value> = items
            .iter()
            .map(|(value, count)| {
                let display = titles.get(value).cloned().unwrap_or_else(|| value.clone());
                json!({"count": count, "display_name": display, "name": value})
            })
            .collect();
        listed.sort_by(|a, b| b["display_name"].as_str().cmp(&a["display_name"].as_str()));
        search_facets.insert(name.clone(), json!({"items": listed, "title": name}));
    }
    Ok((facets, search_facets))
}

/// Display names of facet values: organisation and group titles, licence titles.
fn display_names(
    context: &ActionContext,
    field: &str,
    items: &[(String, u64)],
) -> ActionResult<HashMap<String, String>> {
    let mut names = HashMap::new();
    match field {
        "organization" | "groups" => {
            context.store().read(|tx| -> ActionResult<()> {
                for (value, _) in items {
                    if let Some(group) = groups::find(tx, value)? {
                        let title = if group.title.is_empty() { value.clone() } else { group.title };
                        names.insert(value.clone(), title);
                    }
                }
                Ok(())
            })?;
        }
        "license_id" => {
            for (value, _) in items {
                if let Some(title) = context
                    .services
                    .licenses
                    .iter()
                    .find(|l| l["id"] == value.as_str())
                    .and_then(|l| l["title"].as_str())
                {
                    names.insert(value.clone(), title.to_string());
                }
            }
        }
        _ => {}
    }
    Ok(names)
}
