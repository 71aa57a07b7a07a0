//! Adding, editing, reordering and deleting a dataset's resources
//! (`/dataset/{id}/resource/new`, `/dataset/{id}/resource/{resource_id}/edit` and `/delete`,
//! `/dataset/resources/{id}`): a file upload or a link, with name, description and format. The
//! upload's preview is built by `resource_create`/`resource_patch` as for the API.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::{Map, Value};

use super::dataset_form::editable;
use crate::actions::{Services, typed};
use crate::model::{Dataset, Resource, text};
use crate::portal::forms::{
    Answer, ErrorLine, Form, FormField, confirm_page, field_errors, path_param, place_errors, signed_form, signed_page,
};
use crate::portal::i18n::Msgs;
use crate::portal::views::vi_attr;
use crate::portal::{Chrome, Ctx, PageError};

/// Formats offered while typing (any other is accepted).
const COMMON_FORMATS: [&str; 12] =
    ["CSV", "XLSX", "ODS", "JSON", "GeoJSON", "XML", "PDF", "DOCX", "ZIP", "SHP", "KML", "API"];

#[derive(Template)]
#[template(path = "resource_form.html")]
struct ResourceFormView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    heading: String,
    dataset_name: String,
    dataset_title: String,
    action: String,
    cancel: String,
    current_file: Option<String>,
    fields: Vec<FormField>,
    errors: Vec<ErrorLine>,
}

/// What the form shows: the current values (or those just submitted) and the errors.
struct Shown<'a> {
    resource: Option<&'a Resource>,
    value_of: &'a dyn Fn(&str) -> String,
    errors: Vec<(String, String)>,
}

fn fields(m: &Msgs, shown: &Shown) -> Vec<FormField> {
    let value = |name: &str| (shown.value_of)(name);
    let is_upload = shown.resource.is_some_and(Resource::is_upload);
    let url_help = if is_upload { "resource-form-url-replaces" } else { "resource-form-url-help" };
    vec![
        FormField::text("upload", m.t("resource-form-upload"), "").control("file").help(Some(
            m.t(if shown.resource.is_some() { "resource-form-upload-replaces" } else { "resource-form-upload-help" }),
        )),
        FormField::text("url", m.t("resource-form-url"), &value("url")).help(Some(m.t(url_help))),
        FormField { vietnamese: true, ..FormField::text("name", m.t("resource-form-name"), &value("name")) }
            .help(Some(m.t("resource-form-name-help"))),
        FormField {
            vietnamese: true,
            ..FormField::text("description", m.t("resource-form-description"), &value("description"))
                .control("textarea")
        }
        .help(Some(m.t("form-notes-help"))),
        FormField {
            suggestions: COMMON_FORMATS.iter().map(|f| (f.to_string(), f.to_string())).collect(),
            ..FormField::text("format", m.t("resource-format"), &value("format"))
        }
        .help(Some(m.t("resource-form-format-help"))),
    ]
}

fn render(ctx: &Ctx, dataset: &Dataset, shown: Shown) -> Result<String, PageError> {
    let m = ctx.m;
    let prefix = ctx.lang.prefix();
    let mut fields = fields(&m, &shown);
    let errors = place_errors(&m, &mut fields, shown.errors, &[]);
    let heading = match shown.resource {
        Some(resource) => m.with("resource-form-edit", &[("name", text(&resource.0, "name"))]),
        None => m.t("action-add-resource"),
    };
    let title = if errors.is_empty() { heading.clone() } else { m.with("form-error-title", &[("title", &heading)]) };
    let (action, cancel) = match shown.resource {
        Some(r) => (
            format!("{prefix}/dataset/{}/resource/{}/edit", dataset.name(), r.id()),
            format!("{prefix}/dataset/{}/resource/{}", dataset.name(), r.id()),
        ),
        None => (
            format!("{prefix}/dataset/{}/resource/new", dataset.name()),
            format!("{prefix}/dataset/{}", dataset.name()),
        ),
    };
    let view = ResourceFormView {
        chrome: Chrome::new(ctx, title, "dataset"),
        m,
        vi_attr: vi_attr(&m),
        heading,
        dataset_name: dataset.name().to_string(),
        dataset_title: dataset.display_title().to_string(),
        action,
        cancel,
        current_file: shown
            .resource
            .filter(|r| r.is_upload())
            .map(|r| text(&r.0, "url").rsplit('/').next().unwrap_or_default().to_string()),
        fields,
        errors,
    };
    Ok(view.render()?)
}

/// A resource of this dataset.
fn resource_of(ctx: &Ctx, dataset: &Dataset, resource_id: &str) -> Result<Resource, PageError> {
    let resource = typed::resource_show(&ctx.action, resource_id)?;
    if resource.package_id() != dataset.id() {
        return Err(PageError::NotFound);
    }
    Ok(resource)
}

fn ids(request: &HttpRequest) -> (String, String) {
    (path_param(request, "id"), path_param(request, "resource_id"))
}

/// The name a resource gets when the form leaves it empty: the file's name or the link's last
/// path segment.
fn default_name(form: &Form) -> String {
    if let Some(upload) = form.uploads.iter().find(|u| u.field == "upload") {
        return upload.filename.clone();
    }
    let url = form.get("url").trim();
    url.split(['?', '#']).next().unwrap_or_default().trim_end_matches('/').rsplit('/').next().unwrap_or(url).to_string()
}

/// The resource fields a form submits (`url` only when a link was typed).
fn submitted(form: &Form) -> Map<String, Value> {
    let mut fields = Map::new();
    for key in ["name", "description", "format"] {
        fields.insert(key.into(), Value::String(form.get(key).trim().to_string()));
    }
    if !form.get("url").trim().is_empty() {
        fields.insert("url".into(), Value::String(form.get("url").trim().to_string()));
    }
    if text(&fields, "name").is_empty() {
        fields.insert("name".into(), Value::String(default_name(form)));
    }
    fields
}

/// `GET /dataset/{id}/resource/new`.
pub async fn new_form(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let (id, _) = ids(&request);
    signed_page(request, services, move |ctx| {
        let dataset = editable(ctx, &id)?;
        let empty = |_: &str| String::new();
        Ok(Answer::ok(render(ctx, &dataset, Shown { resource: None, value_of: &empty, errors: Vec::new() })?))
    })
    .await
}

/// `POST /dataset/{id}/resource/new` (multipart): adds the resource, then shows its page.
pub async fn create(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let (id, _) = ids(&request);
    signed_form(request, services, body, move |ctx, form| {
        let dataset = editable(ctx, &id)?;
        let upload = form.uploads.iter().find(|u| u.field == "upload").cloned();
        let fields = submitted(form);
        let outcome = if upload.is_none() && !fields.contains_key("url") {
            Err(vec![("upload".to_string(), ctx.m.t("resource-form-source-missing"))])
        } else {
            match typed::resource_create(&ctx.action, dataset.id(), fields, upload) {
                Ok(created) => Ok(created),
                Err(error) => Err(field_errors(error)?),
            }
        };
        match outcome {
            Ok(created) => Ok(Answer::Redirect(format!(
                "{}/dataset/{}/resource/{}",
                ctx.lang.prefix(),
                dataset.name(),
                created.id()
            ))),
            Err(errors) => {
                let value_of = |name: &str| form.get(name).to_string();
                Ok(Answer::ok(render(ctx, &dataset, Shown { resource: None, value_of: &value_of, errors })?))
            }
        }
    })
    .await
}

/// `GET /dataset/{id}/resource/{resource_id}/edit`.
pub async fn edit_form(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let (id, resource_id) = ids(&request);
    signed_page(request, services, move |ctx| {
        let dataset = editable(ctx, &id)?;
        let resource = resource_of(ctx, &dataset, &resource_id)?;
        let value_of = |name: &str| {
            if name == "url" && resource.is_upload() { String::new() } else { text(&resource.0, name).to_string() }
        };
        Ok(Answer::ok(render(
            ctx,
            &dataset,
            Shown { resource: Some(&resource), value_of: &value_of, errors: Vec::new() },
        )?))
    })
    .await
}

/// `POST /dataset/{id}/resource/{resource_id}/edit` (multipart): a new file or link replaces the
/// old one; without either the file or link stays.
pub async fn update(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let (id, resource_id) = ids(&request);
    signed_form(request, services, body, move |ctx, form| {
        let dataset = editable(ctx, &id)?;
        let resource = resource_of(ctx, &dataset, &resource_id)?;
        let upload = form.uploads.iter().find(|u| u.field == "upload").cloned();
        let mut fields = submitted(form);
        if !resource.is_upload() && !fields.contains_key("url") {
            // A link emptied: CKAN clears it.
            fields.insert("url".into(), Value::String(String::new()));
        }
        match typed::resource_patch(&ctx.action, resource.id(), fields, upload) {
            Ok(saved) => Ok(Answer::Redirect(format!(
                "{}/dataset/{}/resource/{}",
                ctx.lang.prefix(),
                dataset.name(),
                saved.id()
            ))),
            Err(error) => {
                let errors = field_errors(error)?;
                let value_of = |name: &str| form.get(name).to_string();
                Ok(Answer::ok(render(ctx, &dataset, Shown { resource: Some(&resource), value_of: &value_of, errors })?))
            }
        }
    })
    .await
}

/// `GET /dataset/{id}/resource/{resource_id}/delete`: asks to confirm.
pub async fn delete_form(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let (id, resource_id) = ids(&request);
    signed_page(request, services, move |ctx| {
        let dataset = editable(ctx, &id)?;
        let resource = resource_of(ctx, &dataset, &resource_id)?;
        let m = ctx.m;
        let prefix = ctx.lang.prefix();
        let html = confirm_page(
            ctx,
            m.t("resource-delete-heading"),
            m.with("resource-delete-question", &[("name", text(&resource.0, "name"))]),
            m.t("delete-confirm"),
            format!("{prefix}/dataset/{}/resource/{}/delete", dataset.name(), resource.id()),
            format!("{prefix}/dataset/{}/resource/{}", dataset.name(), resource.id()),
        )?;
        Ok(Answer::ok(html))
    })
    .await
}

/// `POST /dataset/{id}/resource/{resource_id}/delete`.
pub async fn delete(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let (id, resource_id) = ids(&request);
    signed_form(request, services, body, move |ctx, _| {
        let dataset = editable(ctx, &id)?;
        let resource = resource_of(ctx, &dataset, &resource_id)?;
        typed::resource_delete(&ctx.action, resource.id())?;
        Ok(Answer::Redirect(format!("{}/dataset/{}", ctx.lang.prefix(), dataset.name())))
    })
    .await
}

#[derive(Template)]
#[template(path = "resource_order.html")]
struct OrderView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    dataset_name: String,
    dataset_title: String,
    resources: Vec<(String, String)>,
}

fn order_page(ctx: &Ctx, dataset: &Dataset) -> Result<String, PageError> {
    let m = ctx.m;
    let view = OrderView {
        chrome: Chrome::new(ctx, m.t("action-reorder"), "dataset"),
        m,
        vi_attr: vi_attr(&m),
        dataset_name: dataset.name().to_string(),
        dataset_title: dataset.display_title().to_string(),
        resources: dataset.resources().iter().map(|r| (r.id().to_string(), text(&r.0, "name").to_string())).collect(),
    };
    Ok(view.render()?)
}

/// `GET /dataset/resources/{id}`: the resources in order, each with buttons to move it.
pub async fn order_form(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let (id, _) = ids(&request);
    signed_page(request, services, move |ctx| Ok(Answer::ok(order_page(ctx, &editable(ctx, &id)?)?))).await
}

/// `POST /dataset/resources/{id}` with `move` (a resource id) and `direction` (`up`/`down`).
pub async fn reorder(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let (id, _) = ids(&request);
    signed_form(request, services, body, move |ctx, form| {
        let dataset = editable(ctx, &id)?;
        let mut order: Vec<String> = dataset.resources().iter().map(|r| r.id().to_string()).collect();
        let Some(at) = order.iter().position(|r| r == form.get("move")) else { return Err(PageError::NotFound) };
        let to =
            if form.get("direction") == "up" { at.checked_sub(1) } else { Some(at + 1).filter(|&t| t < order.len()) };
        if let Some(to) = to {
            order.swap(at, to);
            typed::package_resource_reorder(&ctx.action, dataset.id(), &order)?;
        }
        Ok(Answer::Redirect(format!("{}/dataset/resources/{}", ctx.lang.prefix(), dataset.name())))
    })
    .await
}
