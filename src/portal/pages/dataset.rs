//! `/dataset/{id}`: a dataset's page (HTML; RDF clients get the DCAT forms by extension or
//! `Accept`, as before). The metadata comes from the dataset's schema with its labels in the
//! page's language; the page carries schema.org JSON-LD for dataset search engines.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::{Map, Value, json};

use crate::actions::{Services, typed};
use crate::dcat::Format;
use crate::model::Dataset;
use crate::portal::chrome::{Alternate, script_safe_json};
use crate::portal::i18n::{Lang, Msgs};
use crate::portal::views::{ActivityLine, FieldRow, text, vi_attr, web_link};
use crate::portal::{Chrome, Ctx, PageResult, markdown, respond};

/// Fields shown elsewhere on the page, not in the metadata table.
const SHOWN_ELSEWHERE: [&str; 7] = ["title", "name", "notes", "tag_string", "owner_org", "license_id", "groups"];

pub struct Named {
    pub name: String,
    pub title: String,
}

pub struct ResourceLine {
    pub id: String,
    pub name: String,
    pub format: String,
    pub size: String,
    pub modified: String,
    pub url: String,
}

#[derive(Template)]
#[template(path = "dataset.html")]
struct DatasetView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    name: String,
    title: String,
    private: bool,
    draft: bool,
    notes_html: String,
    organization: Option<Named>,
    groups: Vec<Named>,
    tags: Vec<(String, String)>,
    resources: Vec<ResourceLine>,
    fields: Vec<FieldRow>,
    licence_title: String,
    licence_url: Option<String>,
    licence_terms: String,
    citation: String,
    activities: Option<Vec<ActivityLine>>,
    api_href: String,
    /// Whether the signed-in caller may edit it (the editor's buttons).
    can_edit: bool,
    /// Error reports not yet fixed, and whether a signed-in reader may report one.
    reports: Vec<super::error_reports::ReportLine>,
    signed_in: bool,
    /// Its metadata quality (MQA dimensions).
    quality: Option<crate::portal::views::QualityView>,
    /// Shared, not open, data: other agencies request access to it.
    shared: bool,
}

/// `GET /dataset/{id}`: RDF for `{id}.ttl` and friends or an RDF `Accept`, else the page.
pub async fn page(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let id = request.match_info().get("id").unwrap_or_default().to_string();
    let english = Lang::of_path(request.path()) == Lang::En;
    if !english {
        let has_rdf_extension = id.rsplit_once('.').is_some_and(|(_, e)| Format::from_extension(e).is_some());
        let accept = request.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
        if has_rdf_extension || Format::negotiate(accept).is_some() {
            return crate::http::dcat_dataset(request, services).await;
        }
    }
    respond(&request, services, move |ctx| build(ctx, &id)).await
}

/// A label of a schema (`{"vi": …, "en": …}` or plain text) in `lang`.
pub fn label_in(label: &Value, lang: Lang) -> Option<String> {
    match label {
        Value::String(text) => Some(text.clone()),
        Value::Object(labels) => labels
            .get(lang.code())
            .or_else(|| labels.get("vi"))
            .or_else(|| labels.get("en"))
            .and_then(Value::as_str)
            .map(str::to_string),
        _ => None,
    }
}

/// The text of a field's value (lists joined, objects as JSON).
fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(", "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The metadata table: the schema's fields with a value, then extras and dates.
fn field_rows(ctx: &Ctx, dict: &Map<String, Value>) -> Vec<FieldRow> {
    let m = ctx.m;
    let dataset_type = text(dict, "type");
    let schema = ctx.services().schemas.for_type(if dataset_type.is_empty() { "dataset" } else { dataset_type });
    let mut rows = Vec::new();
    let definitions = schema.and_then(|s| s.document.get("dataset_fields")).and_then(Value::as_array);
    for definition in definitions.into_iter().flatten() {
        let Some(name) = definition.get("field_name").and_then(Value::as_str) else { continue };
        if SHOWN_ELSEWHERE.contains(&name) {
            continue;
        }
        let value = value_text(dict.get(name).unwrap_or(&Value::Null));
        if value.trim().is_empty() {
            continue;
        }
        let label = definition.get("label").and_then(|l| label_in(l, ctx.lang)).unwrap_or_else(|| name.to_string());
        let has_choices = definition.get("choices").is_some();
        let preset = definition.get("preset").and_then(Value::as_str).unwrap_or_default();
        let (shown, vietnamese) = if has_choices {
            let labels: Vec<String> = value
                .split(',')
                .map(|v| super::search::choice_label(ctx, name, v.trim()).unwrap_or_else(|| v.trim().to_string()))
                .collect();
            (labels.join(", "), false)
        } else if preset == "vn_admin_unit" {
            let names: Vec<String> = value
                .split(',')
                .map(|code| {
                    let code = code.trim();
                    match ctx.services().vocabularies.administrative_unit(code) {
                        Some(unit) => format!("{unit} ({code})"),
                        None => code.to_string(),
                    }
                })
                .collect();
            (names.join(", "), true)
        } else {
            (value.clone(), true)
        };
        let href = if name.ends_with("email") { mail_link(&value) } else { web_link(&value) };
        rows.push(FieldRow { label, value: shown, href, vietnamese });
    }
    for extra in dict.get("extras").and_then(Value::as_array).into_iter().flatten() {
        let key = extra.get("key").and_then(Value::as_str).unwrap_or_default();
        let value = value_text(extra.get("value").unwrap_or(&Value::Null));
        if !key.is_empty() && !value.is_empty() {
            rows.push(FieldRow { label: key.to_string(), href: web_link(&value), value, vietnamese: true });
        }
    }
    for (key, label) in [("metadata_created", "field-created"), ("metadata_modified", "field-modified")] {
        rows.push(FieldRow { label: m.t(label), value: m.date(text(dict, key)), href: None, vietnamese: false });
    }
    rows
}

/// A `mailto:` link for one plain address (nothing that adds recipients, headers or a body).
fn mail_link(value: &str) -> Option<String> {
    let address = value.trim();
    let plain = address.chars().all(|c| c.is_ascii_alphanumeric() || ".-_+@".contains(c));
    (plain && address.matches('@').count() == 1 && !address.starts_with('@') && !address.ends_with('@'))
        .then(|| format!("mailto:{address}"))
}

/// The reuse terms of a licence, in a sentence.
fn licence_terms(m: &Msgs, id: &str) -> String {
    let key = match id {
        "cc-by" | "cc-by-4.0" | "odc-by" | "uk-ogl" | "gfdl" => "licence-terms-attribution",
        "cc-by-sa" | "odc-odbl" => "licence-terms-share-alike",
        "cc-zero" | "odc-pddl" | "other-pd" => "licence-terms-public-domain",
        "cc-nc" | "other-nc" => "licence-terms-non-commercial",
        "vn-state-open-data" => "licence-terms-vn-state",
        _ => "licence-terms-unknown",
    };
    m.t(key)
}

/// schema.org `Dataset`, as ckanext-dcat's structured data gives it.
fn json_ld(dict: &Map<String, Value>, url: &str, site_url: &str) -> Value {
    let keywords: Vec<Value> = dict
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("name").cloned())
        .collect();
    let publisher = dict.get("organization").and_then(|o| o.get("title")).cloned().unwrap_or(Value::Null);
    let distribution: Vec<Value> = dict
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| {
            let url = r.get("url").and_then(Value::as_str).and_then(web_link);
            json!({"@type": "DataDownload", "name": r.get("name"), "encodingFormat": r.get("format"), "contentUrl": url})
        })
        .collect();
    let mut data = json!({
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": url,
        "url": url,
        "name": text(dict, "title"),
        "description": markdown::excerpt(text(dict, "notes"), 5000),
        "identifier": text(dict, "id"),
        "keywords": keywords,
        "dateCreated": text(dict, "metadata_created"),
        "dateModified": text(dict, "metadata_modified"),
        "inLanguage": "vi",
        "isAccessibleForFree": true,
        "includedInDataCatalog": {"@type": "DataCatalog", "url": site_url},
        "distribution": distribution,
    });
    if let Value::Object(fields) = &mut data {
        if !publisher.is_null() {
            let organization = json!({"@type": "Organization", "name": publisher});
            fields.insert("publisher".into(), organization.clone());
            fields.insert("creator".into(), organization);
        }
        if let Some(licence) = web_link(text(dict, "license_url")) {
            fields.insert("license".into(), json!(licence));
        }
    }
    data
}

/// The recent activity, when the caller may see it.
fn recent_activity(ctx: &Ctx, id: &str, limit: usize) -> Option<Vec<ActivityLine>> {
    let listed = typed::package_activity_list(&ctx.action, id, 0, limit).ok()?;
    Some(listed.iter().map(|a| ActivityLine::of(a, &ctx.m)).collect())
}

fn named(value: &Value) -> Named {
    let name = value.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    let title = value.get("title").and_then(Value::as_str).filter(|t| !t.is_empty()).unwrap_or(&name).to_string();
    Named { name, title }
}

fn build(ctx: &Ctx, id: &str) -> PageResult {
    let m = ctx.m;
    let dataset: Dataset = typed::package_show(&ctx.action, id)?;
    let dict = &dataset.0;
    let name = dataset.name().to_string();
    let title = dataset.display_title().to_string();
    let site_url = ctx.site_url();
    let url = format!("{site_url}/dataset/{name}");
    let organization = dict.get("organization").filter(|o| o.is_object()).map(named);
    let issued = text(dict, "metadata_created").get(..4).unwrap_or_default().to_string();
    let today = m.date(&crate::store::now().format("%Y-%m-%d").to_string());
    let citation = m.with(
        "citation",
        &[
            (
                "publisher",
                organization.as_ref().map_or(ctx.services().config.site_title.as_str(), |o| o.title.as_str()),
            ),
            ("year", &issued),
            ("title", &title),
            ("site", &ctx.services().config.site_title),
            ("url", &url),
            ("accessed", &today),
        ],
    );
    let resources = dataset
        .resources()
        .iter()
        .map(|resource| {
            let r = &resource.0;
            let modified = [text(r, "last_modified"), text(r, "metadata_modified"), text(r, "created")]
                .into_iter()
                .find(|d| !d.is_empty())
                .unwrap_or_default();
            ResourceLine {
                id: resource.id().to_string(),
                name: if text(r, "name").is_empty() { m.t("resource-unnamed") } else { text(r, "name").to_string() },
                format: resource.format().to_string(),
                size: r.get("size").and_then(Value::as_u64).map(|s| m.size(s)).unwrap_or_default(),
                modified: m.date(modified),
                url: web_link(resource.url()).unwrap_or_default(),
            }
        })
        .collect();
    let mut chrome = Chrome::new(ctx, title.clone(), "dataset");
    chrome.alternates = [(Format::Turtle, "Turtle"), (Format::RdfXml, "RDF/XML"), (Format::JsonLd, "JSON-LD")]
        .into_iter()
        .map(|(format, label)| Alternate {
            media_type: format.media_type(),
            href: format!("/dataset/{name}.{}", format.extension()),
            title: m.with("dataset-rdf", &[("format", label)]),
        })
        .collect();
    chrome.json_ld = Some(script_safe_json(&json_ld(dict, &url, &site_url)));
    chrome.description = markdown::excerpt(text(dict, "notes"), 160);
    let licence_id = text(dict, "license_id");
    let page = DatasetView {
        chrome,
        m,
        vi_attr: vi_attr(&m),
        private: dataset.is_private(),
        draft: dataset.state() == "draft",
        notes_html: markdown::to_html(text(dict, "notes")),
        organization,
        groups: dict.get("groups").and_then(Value::as_array).into_iter().flatten().map(named).collect(),
        tags: dict
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| t.get("name").and_then(Value::as_str))
            .map(|t| (t.to_string(), crate::portal::views::encode(t)))
            .collect(),
        resources,
        fields: field_rows(ctx, dict),
        licence_title: if licence_id.is_empty() {
            m.t("licence-none")
        } else {
            text(dict, "license_title").to_string()
        },
        licence_url: web_link(text(dict, "license_url")),
        licence_terms: licence_terms(&m, licence_id),
        citation,
        activities: recent_activity(ctx, &name, 5),
        api_href: format!("/api/3/action/package_show?id={name}"),
        can_edit: ctx.session.is_some() && typed::package_can_edit(&ctx.action, dataset.id()).unwrap_or(false),
        reports: super::error_reports::open_reports(ctx, dataset.id())?,
        signed_in: ctx.session.is_some(),
        quality: crate::actions::quality::of_dict(&ctx.action, &Value::Object(dict.clone()))
            .map(|q| crate::portal::views::QualityView::of(&m, &q.to_json())),
        shared: !matches!(text(dict, "muc_do_chia_se"), "" | "mo"),
        title,
        name,
    };
    Ok(page.render()?)
}
