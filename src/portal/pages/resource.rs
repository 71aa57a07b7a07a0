//! `/dataset/{id}/resource/{resource_id}`: a resource's metadata, its download, and the
//! preview kept since its file was uploaded (never computed while the page renders).

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::Value;

use crate::actions::{Services, typed};
use crate::portal::i18n::Msgs;
use crate::portal::views::{FieldRow, text, vi_attr, web_link};
use crate::portal::{Chrome, Ctx, PageError, PageResult, markdown, respond};
use crate::preview::Preview;

#[derive(Template)]
#[template(path = "resource.html")]
struct ResourceView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    dataset_name: String,
    dataset_title: String,
    title: String,
    description_html: String,
    url: String,
    preview: Option<Preview>,
    preview_caption: String,
    no_preview: String,
    fields: Vec<FieldRow>,
    api_href: String,
    resource_id: String,
    /// Whether the signed-in caller may edit it (the editor's buttons).
    can_edit: bool,
}

pub async fn page(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let id = request.match_info().get("id").unwrap_or_default().to_string();
    let resource_id = request.match_info().get("resource_id").unwrap_or_default().to_string();
    respond(&request, services, move |ctx| build(ctx, &id, &resource_id)).await
}

fn build(ctx: &Ctx, id: &str, resource_id: &str) -> PageResult {
    let m = ctx.m;
    let dataset = typed::package_show(&ctx.action, id)?;
    let resource = typed::resource_show(&ctx.action, resource_id)?;
    if resource.package_id() != dataset.id() {
        return Err(PageError::NotFound);
    }
    let r = &resource.0;
    let title = if text(r, "name").is_empty() { m.t("resource-unnamed") } else { text(r, "name").to_string() };
    let preview =
        if resource.is_upload() { crate::preview::load(&ctx.services().config.data_dir, resource.id()) } else { None };
    let no_preview = m.t(if resource.is_upload() { "preview-none-upload" } else { "preview-none-link" });
    let preview_caption = match &preview {
        Some(p) => {
            let shown = p.rows.len().to_string();
            let sheet = p.sheets.first().cloned().unwrap_or_default();
            if sheet.is_empty() {
                m.with("preview-caption", &[("title", &title), ("rows", &shown)])
            } else {
                m.with("preview-caption-sheet", &[("title", &title), ("rows", &shown), ("sheet", &sheet)])
            }
        }
        None => String::new(),
    };
    let mut fields = Vec::new();
    let mut add = |label: &str, value: String, href: Option<String>, vietnamese: bool| {
        if !value.trim().is_empty() {
            fields.push(FieldRow { label: m.t(label), value, href, vietnamese });
        }
    };
    add("resource-format", resource.format().to_string(), None, false);
    add("resource-mimetype", text(r, "mimetype").to_string(), None, false);
    add("resource-size", r.get("size").and_then(Value::as_u64).map(|s| m.size(s)).unwrap_or_default(), None, false);
    add("field-created", m.date(text(r, "created")), None, false);
    add("resource-last-modified", m.date(text(r, "last_modified")), None, false);
    add("resource-url", resource.url().to_string(), web_link(resource.url()), false);
    if let Some(p) = &preview {
        add("preview-encoding", p.encoding.clone().unwrap_or_default(), None, false);
    }
    let dataset_name = dataset.name().to_string();
    let dataset_title = dataset.display_title().to_string();
    let page = ResourceView {
        chrome: Chrome::new(ctx, format!("{title} · {dataset_title}"), "dataset"),
        m,
        vi_attr: vi_attr(&m),
        description_html: markdown::to_html(text(r, "description")),
        url: web_link(resource.url()).unwrap_or_default(),
        preview,
        preview_caption,
        no_preview,
        fields,
        api_href: format!("/api/3/action/resource_show?id={}", resource.id()),
        resource_id: resource.id().to_string(),
        can_edit: ctx.session.is_some() && typed::package_can_edit(&ctx.action, dataset.id()).unwrap_or(false),
        dataset_name,
        dataset_title,
        title,
    };
    Ok(page.render()?)
}
