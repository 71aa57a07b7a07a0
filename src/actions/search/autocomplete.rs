//! The index's other readers: `package_autocomplete`, `tag_autocomplete` and
//! `group_package_show`.

use serde_json::{Value, json};

use super::{ActionContext, ActionError, ActionResult, Params, ROWS_MAX, listing, natural, parse_sort, run_search};
use crate::search::{self, Query};
use crate::store::groups;

/// `package_autocomplete`: `[{name, title, match_field, match_displayed}]`.
pub fn package_autocomplete(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let q = params.non_empty("q").ok_or_else(|| ActionError::field("q", "Missing value"))?;
    let limit = natural(params, "limit")?.unwrap_or(10).min(ROWS_MAX);
    let mut request = listing(context, "", usize::try_from(limit).unwrap_or(10), 0)?;
    request.q = Some(Query::Autocomplete(q.clone()));
    // CKAN's autocomplete query does not add `+capacity:public`: members see private matches.
    request.filters = vec!["+state:active".into()];
    let q_lower = q.to_lowercase();
    let outcome = run_search(context, &request)?;
    Ok(Value::Array(
        outcome
            .dicts()
            .iter()
            .map(|dict| {
                let name = dict.get("name").and_then(Value::as_str).unwrap_or_default();
                let title = dict.get("title").and_then(Value::as_str).unwrap_or_default();
                let (field, displayed) = if name.contains(&q_lower) {
                    ("name", name.to_string())
                } else {
                    ("title", format!("{title} ({name})"))
                };
                json!({"name": name, "title": title, "match_field": field, "match_displayed": displayed})
            })
            .collect(),
    ))
}

/// `tag_autocomplete`: names of free tags of datasets the caller may see that contain `q`
/// (diacritics and case ignored), most used first.
pub fn tag_autocomplete(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let Some(q) = params.non_empty("q").or_else(|| params.non_empty("query")) else {
        return Ok(Value::Array(Vec::new()));
    };
    let limit = usize::try_from(natural(params, "limit")?.unwrap_or(10)).unwrap_or(10);
    let mut request = listing(context, "", 0, 0)?;
    request.filters = vec!["+state:active".into()];
    request.facets = vec!["tags".into()];
    let wanted = search::analysis::fold(&search::analysis::normalize(&q));
    let outcome = run_search(context, &request)?;
    let mut tags: Vec<(String, u64)> = outcome
        .facets
        .into_iter()
        .flatten()
        .filter(|(tag, _)| search::analysis::fold(&search::analysis::normalize(tag)).contains(&wanted))
        .collect();
    tags.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(Value::Array(tags.into_iter().take(limit).map(|(tag, _)| Value::String(tag)).collect()))
}

/// `group_package_show`: a group's datasets the caller may see, newest change first.
pub fn group_package_show(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    let limit = natural(params, "limit")?.unwrap_or(ROWS_MAX).min(ROWS_MAX);
    let group = context
        .store()
        .read(|tx| groups::find(tx, &id))?
        .ok_or_else(|| ActionError::not_found("Group was not found"))?;
    let field = if group.is_organization { "organization" } else { "groups" };
    let mut request =
        listing(context, &format!("+{field}:\"{}\"", group.name), usize::try_from(limit).unwrap_or(0), 0)?;
    request.sort = parse_sort("metadata_modified desc, id asc")?;
    Ok(Value::Array(run_search(context, &request)?.dicts().into_iter().map(Value::Object).collect()))
}
