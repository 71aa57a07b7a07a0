//! Tags: `tag_list`, `tag_show` (free tags; only tags of datasets the caller may see, unlike
//! CKAN, which also lists tags used only by private datasets), and `resource_view_list`.

use serde_json::{Value, json};

use super::package::{self, visibility};
use super::{ActionContext, Params};
use crate::error::{ActionError, ActionResult};
use crate::store::{packages, tags, tags::TagRow};

fn tag_dict(tag: &TagRow) -> Value {
    let vocabulary = if tag.vocabulary_id.is_empty() { Value::Null } else { json!(tag.vocabulary_id) };
    json!({"id": tag.id, "name": tag.name, "vocabulary_id": vocabulary, "display_name": tag.name})
}

/// `tag_list`.
pub fn tag_list(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    if let Some(vocabulary) = params.non_empty("vocabulary_id") {
        let all_fields = params.flag("all_fields", false)?;
        return context.store().read(|tx| {
            let found = super::vocabulary::vocabulary_tag_names(tx, &vocabulary)?;
            Ok(Value::Array(found.iter().map(|t| if all_fields { tag_dict(t) } else { json!(t.name) }).collect()))
        });
    }
    let query = params.non_empty("query").or_else(|| params.non_empty("q")).map(|q| q.to_lowercase());
    let all_fields = params.flag("all_fields", false)?;
    // The free tags of the datasets the caller may see, from the index (one facet).
    let mut names: Vec<String> = super::search::visible_counts(context, "tags")?
        .into_keys()
        .filter(|name| query.as_ref().is_none_or(|q| name.to_lowercase().contains(q)))
        .collect();
    names.sort();
    if !all_fields {
        return Ok(Value::Array(names.into_iter().map(Value::String).collect()));
    }
    let rows = context.store().read(|tx| tags::find_free_existing(tx, &names))?;
    Ok(Value::Array(rows.iter().map(tag_dict).collect()))
}

/// `tag_show`: a free tag by name or id, with its visible datasets when asked.
pub fn tag_show(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let id = params.non_empty("id").ok_or_else(|| ActionError::field("id", "Missing value"))?;
    let include_datasets = params.flag("include_datasets", false)?;
    context.store().read(|tx| {
        let tag = tags::find(tx, &id, "")?.ok_or(ActionError::NotFound(None))?;
        let mut result = tag_dict(&tag);
        if include_datasets {
            let visible = visibility(tx, &context.caller)?;
            let filter = packages::Filter { with_tag: Some(tag.id.clone()), ..Default::default() };
            let rows = packages::list(tx, &filter, &visible, 1000, 0)?;
            let packages = Value::Array(package::dicts(tx, context, &rows)?);
            if let Some(object) = result.as_object_mut() {
                object.insert("packages".into(), packages);
            }
        }
        Ok(result)
    })
}

/// `resource_view_list`: Kho has no resource views yet; an empty list is CKAN's answer for a
/// resource without views. The resource must exist and be visible.
pub fn resource_view_list(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    package::resource_show(context, params)?;
    Ok(json!([]))
}

/// `format_autocomplete`: lower-cased formats containing `q`, most used first (counting only
/// datasets the caller may see; CKAN counts private ones too).
pub fn format_autocomplete(context: &ActionContext, params: &Params) -> ActionResult<Value> {
    let query = params.non_empty("q").ok_or_else(|| ActionError::field("q", "Missing value"))?.to_lowercase();
    let limit = params.natural("limit")?.unwrap_or(5) as usize;
    context.store().read(|tx| {
        let visible = visibility(tx, &context.caller)?;
        let mut counts: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
        for (format, count) in crate::store::resources::format_counts(tx, visible.all, &visible.member_of)? {
            let lower = format.to_lowercase();
            if lower.contains(&query) {
                *counts.entry(lower).or_default() += count;
            }
        }
        let mut ranked: Vec<(String, i64)> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(Value::Array(ranked.into_iter().take(limit).map(|(format, _)| json!(format)).collect()))
    })
}
