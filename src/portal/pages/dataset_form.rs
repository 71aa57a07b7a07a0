//! Creating and editing a dataset in one form generated from its schema (`/dataset/new`,
//! `/dataset/edit/{id}`): the schema's fields with their labels, choices and help texts in the
//! page's language, CKAN's validation errors beside the fields and in a summary, save as a
//! draft or publish. Also publishing a draft and deleting a dataset (with confirmation). Every
//! change goes through the typed actions, as the API's would.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::{Map, Value};

use super::dataset::label_in;
use crate::actions::{Services, typed};
use crate::model::{Dataset, text};
use crate::portal::forms::{
    Answer, Choice, ErrorLine, Form, FormField, confirm_page, field_errors, path_param, place_errors, refusal,
    signed_form, signed_page,
};
use crate::portal::i18n::Msgs;
use crate::portal::views::vi_attr;
use crate::portal::{Chrome, Ctx, PageError};

/// The dataset type of new datasets: the provincial schema.
const NEW_DATASET_TYPE: &str = "vn-dataset";

/// Error keys shown by another field of the form.
const ERROR_ALIASES: [(&str, &str); 1] = [("tags", "tag_string")];

#[derive(Template)]
#[template(path = "dataset_form.html")]
struct DatasetFormView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    heading: String,
    existing: Option<String>,
    action: String,
    cancel: String,
    draft: bool,
    fields: Vec<FormField>,
    errors: Vec<ErrorLine>,
}

/// The form's fields for a schema, with values from `value_of`.
fn schema_fields(
    ctx: &Ctx,
    dataset_type: &str,
    value_of: &dyn Fn(&str) -> String,
) -> Result<Vec<FormField>, PageError> {
    let m = ctx.m;
    let services = ctx.services();
    let schema = services.schemas.for_type(dataset_type).or_else(|| services.schemas.for_type("dataset"));
    let definitions = schema.and_then(|s| s.document.get("dataset_fields")).and_then(Value::as_array);
    let mut fields = Vec::new();
    for definition in definitions.into_iter().flatten() {
        let Some(name) = definition.get("field_name").and_then(Value::as_str) else { continue };
        let label = definition.get("label").and_then(|l| label_in(l, ctx.lang)).unwrap_or_else(|| name.to_string());
        let schema_help = definition.get("help_text").and_then(|h| label_in(h, ctx.lang));
        let required = definition.get("required").and_then(Value::as_bool).unwrap_or(false);
        let preset = definition.get("preset").and_then(Value::as_str).unwrap_or_default();
        let value = value_of(name);
        let field = match name {
            "owner_org" => {
                let organizations = typed::organizations_of_caller(&ctx.action, "create_dataset")?;
                let mut options: Vec<(String, String)> =
                    organizations.iter().map(|o| (o.id().to_string(), o.display_title().to_string())).collect();
                // The dataset's own organisation stays a choice (a collaborator may edit a
                // dataset of an organisation where they could not create one).
                if !value.is_empty() && !options.iter().any(|(id, _)| *id == value) {
                    let title = typed::group_show(&ctx.action, &value, true)
                        .map(|g| g.display_title().to_string())
                        .unwrap_or_else(|_| value.clone());
                    options.insert(0, (value.clone(), title));
                }
                if options.len() != 1 {
                    options.insert(0, (String::new(), m.t("form-choose")));
                }
                let mut field = FormField::select(name, label, Choice::list(options, &value)).required(true);
                field.vietnamese = true;
                fields.push(field);
                let visibility =
                    [("false", "form-public"), ("true", "form-private")].map(|(v, id)| (v.to_string(), m.t(id)));
                let private = if value_of("private") == "true" { "true" } else { "false" };
                fields.push(
                    FormField::select("private", m.t("form-visibility"), Choice::list(visibility, private))
                        .help(Some(m.t("form-visibility-help"))),
                );
                continue;
            }
            "license_id" => {
                let mut options = vec![(String::new(), m.t("licence-none"))];
                options.extend(services.licenses.iter().filter_map(|licence| {
                    let id = licence.get("id")?.as_str()?.to_string();
                    let title = licence.get("title").and_then(Value::as_str).unwrap_or(&id).to_string();
                    Some((id, title))
                }));
                FormField::select(name, label, Choice::list(options, &value))
            }
            _ if definition.get("choices").is_some() => {
                let mut options = vec![(String::new(), m.t("form-choose"))];
                options.extend(definition["choices"].as_array().into_iter().flatten().filter_map(|choice| {
                    let value = choice.get("value")?.as_str()?.to_string();
                    let label =
                        choice.get("label").and_then(|l| label_in(l, ctx.lang)).unwrap_or_else(|| value.clone());
                    Some((value, label))
                }));
                FormField::select(name, label, Choice::list(options, &value))
            }
            "notes" => FormField { vietnamese: true, ..FormField::text(name, label, &value).control("textarea") }
                .help(Some(m.t("form-notes-help"))),
            "name" => FormField::text(name, label, &value).help(Some(m.t("form-name-help"))),
            "tag_string" => {
                FormField { vietnamese: true, ..FormField::text(name, label, &value) }.help(Some(m.t("form-tags-help")))
            }
            _ if preset == "date" => FormField::text(name, label, &value).control("date"),
            _ if name.ends_with("email") => FormField::text(name, label, &value).control("email"),
            _ if preset == "vn_admin_unit" => FormField {
                suggestions: services
                    .vocabularies
                    .provinces()
                    .into_iter()
                    .map(|(code, name)| (code.to_string(), name.to_string()))
                    .collect(),
                ..FormField::text(name, label, &value)
            },
            _ => FormField { vietnamese: true, ..FormField::text(name, label, &value) },
        };
        let help = schema_help.or(field.help.clone());
        fields.push(field.help(help).required(required));
    }
    Ok(fields)
}

/// A field's value in a dataset dict, as the form shows it.
fn dict_value(dict: &Map<String, Value>, name: &str) -> String {
    match name {
        "tag_string" => dict
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| t.get("name").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(", "),
        "private" => {
            if dict.get("private").and_then(Value::as_bool).unwrap_or(false) { "true" } else { "false" }.into()
        }
        _ => match dict.get(name) {
            Some(Value::String(text)) => text.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        },
    }
}

struct FormPage<'a> {
    heading: String,
    existing: Option<&'a Dataset>,
    dataset_type: &'a str,
}

fn render(
    ctx: &Ctx,
    page: FormPage,
    value_of: &dyn Fn(&str) -> String,
    errors: Vec<(String, String)>,
) -> Result<String, PageError> {
    let m = ctx.m;
    let prefix = ctx.lang.prefix();
    let mut fields = schema_fields(ctx, page.dataset_type, value_of)?;
    let errors = place_errors(&m, &mut fields, errors, &ERROR_ALIASES);
    let title =
        if errors.is_empty() { page.heading.clone() } else { m.with("form-error-title", &[("title", &page.heading)]) };
    let (action, cancel, existing) = match page.existing {
        Some(dataset) => (
            format!("{prefix}/dataset/edit/{}", dataset.name()),
            format!("{prefix}/dataset/{}", dataset.name()),
            Some(dataset.name().to_string()),
        ),
        None => (format!("{prefix}/dataset/new"), format!("{prefix}/dataset"), None),
    };
    let view = DatasetFormView {
        chrome: Chrome::new(ctx, title, "dataset"),
        m,
        vi_attr: vi_attr(&m),
        heading: page.heading,
        draft: page.existing.is_none_or(|d| d.state() == "draft"),
        existing,
        action,
        cancel,
        fields,
        errors,
    };
    Ok(view.render()?)
}

/// `GET /dataset/new`.
pub async fn new_form(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    signed_page(request, services, |ctx| {
        let organization = ctx.param("owner_org").unwrap_or_default().to_string();
        let value_of = |name: &str| if name == "owner_org" { organization.clone() } else { String::new() };
        let page = FormPage { heading: ctx.m.t("form-new-dataset"), existing: None, dataset_type: NEW_DATASET_TYPE };
        Ok(Answer::ok(render(ctx, page, &value_of, Vec::new())?))
    })
    .await
}

/// The dataset dict a form submits: every field of the form, trimmed.
fn submitted(form: &Form, fields: &[FormField]) -> Map<String, Value> {
    let mut dict = Map::new();
    for field in fields {
        dict.insert(field.name.clone(), Value::String(form.get(&field.name).trim().to_string()));
    }
    dict
}

/// `POST /dataset/new`: creates the dataset (a draft or published), then shows it.
pub async fn create(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    signed_form(request, services, body, |ctx, form| {
        let form_value = |name: &str| form.get(name).to_string();
        let fields = schema_fields(ctx, NEW_DATASET_TYPE, &form_value)?;
        let mut dict = submitted(form, &fields);
        if text(&dict, "name").is_empty() {
            dict.insert("name".into(), Value::String(crate::model::slug(text(&dict, "title"))));
        }
        dict.insert("type".into(), Value::String(NEW_DATASET_TYPE.into()));
        let state = if form.get("save") == "draft" { "draft" } else { "active" };
        dict.insert("state".into(), Value::String(state.into()));
        match typed::package_create_from_form(&ctx.action, &Dataset(dict.clone())) {
            Ok(created) => Ok(Answer::Redirect(format!("{}/dataset/{}", ctx.lang.prefix(), created.name()))),
            Err(error) => {
                let errors = field_errors(error)?;
                let shown = |name: &str| text(&dict, name).to_string();
                let page =
                    FormPage { heading: ctx.m.t("form-new-dataset"), existing: None, dataset_type: NEW_DATASET_TYPE };
                Ok(Answer::ok(render(ctx, page, &shown, errors)?))
            }
        }
    })
    .await
}

/// The dataset the caller may edit (`Forbidden` when it may only read it).
pub(super) fn editable(ctx: &Ctx, id: &str) -> Result<Dataset, PageError> {
    let dataset = typed::package_show(&ctx.action, id)?;
    if !typed::package_can_edit(&ctx.action, dataset.id())? {
        return Err(PageError::Forbidden);
    }
    Ok(dataset)
}

fn edit_heading(m: &Msgs, dataset: &Dataset) -> String {
    m.with("form-edit-dataset", &[("title", dataset.display_title())])
}

/// `GET /dataset/edit/{id}`.
pub async fn edit_form(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let id = path_param(&request, "id");
    signed_page(request, services, move |ctx| {
        let dataset = editable(ctx, &id)?;
        let value_of = |name: &str| dict_value(&dataset.0, name);
        let dataset_type = text(&dataset.0, "type").to_string();
        let page =
            FormPage { heading: edit_heading(&ctx.m, &dataset), existing: Some(&dataset), dataset_type: &dataset_type };
        Ok(Answer::ok(render(ctx, page, &value_of, Vec::new())?))
    })
    .await
}

/// `POST /dataset/edit/{id}`: saves the form's fields (the others, resources and groups stay),
/// publishing a draft when asked.
pub async fn update(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let id = path_param(&request, "id");
    signed_form(request, services, body, move |ctx, form| {
        let dataset = editable(ctx, &id)?;
        let dataset_type = text(&dataset.0, "type").to_string();
        let form_value = |name: &str| form.get(name).to_string();
        let fields = schema_fields(ctx, &dataset_type, &form_value)?;
        let mut changes = submitted(form, &fields);
        if form.get("save") == "publish" {
            changes.insert("state".into(), Value::String("active".into()));
        }
        match typed::package_patch(&ctx.action, dataset.id(), &changes) {
            Ok(saved) => Ok(Answer::Redirect(format!("{}/dataset/{}", ctx.lang.prefix(), saved.name()))),
            Err(error) => {
                let errors = field_errors(error)?;
                let shown = |name: &str| text(&changes, name).to_string();
                let page = FormPage {
                    heading: edit_heading(&ctx.m, &dataset),
                    existing: Some(&dataset),
                    dataset_type: &dataset_type,
                };
                Ok(Answer::ok(render(ctx, page, &shown, errors)?))
            }
        }
    })
    .await
}

/// `POST /dataset/publish/{id}`: publishes a draft.
pub async fn publish(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let id = path_param(&request, "id");
    signed_form(request, services, body, move |ctx, _| {
        let dataset = editable(ctx, &id)?;
        let mut changes = Map::new();
        changes.insert("state".into(), Value::String("active".into()));
        match typed::package_patch(&ctx.action, dataset.id(), &changes) {
            Ok(saved) => Ok(Answer::Redirect(format!("{}/dataset/{}", ctx.lang.prefix(), saved.name()))),
            // A draft that no longer validates (the schema changed): its form shows why.
            Err(error) => {
                let errors = field_errors(error)?;
                let value_of = |name: &str| dict_value(&dataset.0, name);
                let dataset_type = text(&dataset.0, "type").to_string();
                let page = FormPage {
                    heading: edit_heading(&ctx.m, &dataset),
                    existing: Some(&dataset),
                    dataset_type: &dataset_type,
                };
                Ok(Answer::ok(render(ctx, page, &value_of, errors)?))
            }
        }
    })
    .await
}

/// `GET /dataset/delete/{id}`: asks to confirm.
pub async fn delete_form(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let id = path_param(&request, "id");
    signed_page(request, services, move |ctx| {
        let dataset = editable(ctx, &id)?;
        let m = ctx.m;
        let prefix = ctx.lang.prefix();
        let html = confirm_page(
            ctx,
            m.t("delete-dataset-heading"),
            m.with("delete-dataset-question", &[("title", dataset.display_title())]),
            m.t("delete-confirm"),
            format!("{prefix}/dataset/delete/{}", dataset.name()),
            format!("{prefix}/dataset/{}", dataset.name()),
        )?;
        Ok(Answer::ok(html))
    })
    .await
}

/// `POST /dataset/delete/{id}`: deletes the dataset (to the trash), then shows its organisation.
pub async fn delete(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let id = path_param(&request, "id");
    signed_form(request, services, body, move |ctx, _| {
        let dataset = editable(ctx, &id)?;
        typed::package_delete(&ctx.action, dataset.id()).map_err(refusal)?;
        let prefix = ctx.lang.prefix();
        let organization = dataset.0.get("organization").and_then(|o| o.get("name")).and_then(Value::as_str);
        Ok(Answer::Redirect(match organization {
            Some(name) => format!("{prefix}/organization/{name}"),
            None => format!("{prefix}/dataset"),
        }))
    })
    .await
}
