//! `/dataset/changes/{activity_id}`: what one change of a dataset changed, field by field (with
//! the schema's labels), and the unified diff of the two stored versions (`activity_diff`), for
//! callers who may see the dataset's activity.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::{Map, Value};

use super::dataset::label_in;
use crate::actions::{Services, typed};
use crate::portal::i18n::Msgs;
use crate::portal::views::{ActivityLine, text, vi_attr};
use crate::portal::{Chrome, Ctx, PageError, PageResult, respond};

/// Keys that change with every write, or are shown through others.
const IGNORED: [&str; 9] = [
    "metadata_modified",
    "revision_id",
    "num_resources",
    "num_tags",
    "organization",
    "relationships_as_object",
    "relationships_as_subject",
    "tracking_summary",
    "extras",
];

pub struct ChangedField {
    pub label: String,
    pub before: String,
    pub after: String,
}

pub struct DiffLine {
    pub kind: &'static str,
    pub text: String,
}

#[derive(Template)]
#[template(path = "changes.html")]
struct ChangesView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    name: String,
    title: String,
    activity: ActivityLine,
    previous: ActivityLine,
    changed: Vec<ChangedField>,
    diff: Vec<DiffLine>,
}

pub async fn page(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let id = request.match_info().get("id").unwrap_or_default().to_string();
    respond(&request, services, move |ctx| build(ctx, &id)).await
}

/// A value as the page shows it: lists of objects by their names, text as is.
fn shown(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::Object(object) => {
                    let name = [text(object, "display_name"), text(object, "name"), text(object, "url")]
                        .into_iter()
                        .find(|n| !n.is_empty())
                        .unwrap_or_default();
                    let url = text(object, "url");
                    if url.is_empty() || url == name { name.to_string() } else { format!("{name} ({url})") }
                }
                other => shown(Some(other)),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

/// The label of a dataset field: the schema's in the page's language, else the key.
fn label_of(ctx: &Ctx, dataset_type: &str, key: &str) -> String {
    let schema = ctx.services().schemas.for_type(dataset_type).or_else(|| ctx.services().schemas.for_type("dataset"));
    let definitions = schema.and_then(|s| s.document.get("dataset_fields")).and_then(Value::as_array);
    let from_schema = definitions.into_iter().flatten().find_map(|d| {
        let name = d.get("field_name").and_then(Value::as_str)?;
        let matches = name == key || (name == "tag_string" && key == "tags");
        matches.then(|| d.get("label").and_then(|l| label_in(l, ctx.lang))).flatten()
    });
    from_schema.unwrap_or_else(|| match key {
        "resources" => ctx.m.t("dataset-resources"),
        "groups" => ctx.m.t("dataset-groups"),
        "private" => ctx.m.t("form-visibility"),
        "state" => ctx.m.t("changes-state"),
        other => other.to_string(),
    })
}

fn package_of(activity: &Map<String, Value>) -> Map<String, Value> {
    activity.get("data").and_then(|d| d.get("package")).and_then(Value::as_object).cloned().unwrap_or_default()
}

fn build(ctx: &Ctx, activity_id: &str) -> PageResult {
    let m = ctx.m;
    let answer = typed::activity_diff(&ctx.action, activity_id)?;
    let activities: Vec<Map<String, Value>> = answer
        .get("activities")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_object().cloned())
        .collect();
    let [previous, current] = activities.as_slice() else { return Err(PageError::NotFound) };
    let (before, after) = (package_of(previous), package_of(current));
    if after.is_empty() {
        return Err(PageError::NotFound);
    }
    let dataset_type = text(&after, "type").to_string();
    let mut keys: Vec<&String> = after.keys().chain(before.keys().filter(|k| !after.contains_key(*k))).collect();
    keys.retain(|k| !IGNORED.contains(&k.as_str()));
    let changed = keys
        .into_iter()
        .filter_map(|key| {
            let (old, new) = (shown(before.get(key)), shown(after.get(key)));
            (old != new).then(|| ChangedField { label: label_of(ctx, &dataset_type, key), before: old, after: new })
        })
        .collect();
    let diff = text(&answer, "diff")
        .lines()
        .map(|line| DiffLine {
            kind: match line.chars().next() {
                Some('+') if !line.starts_with("+++") => "added",
                Some('-') if !line.starts_with("---") => "removed",
                _ => "same",
            },
            text: line.to_string(),
        })
        .collect();
    let name = text(&after, "name").to_string();
    let title = if text(&after, "title").is_empty() { name.clone() } else { text(&after, "title").to_string() };
    let view = ChangesView {
        chrome: Chrome::new(ctx, format!("{} · {title}", m.t("changes-heading")), "dataset"),
        m,
        vi_attr: vi_attr(&m),
        activity: ActivityLine::of(current, &m),
        previous: ActivityLine::of(previous, &m),
        changed,
        diff,
        name,
        title,
    };
    Ok(view.render()?)
}
