//! Editing an organisation or a group (`/organization/edit/{id}`, `/group/edit/{id}`: title, URL
//! name, description, image address) through `organization_patch`/`group_patch`, and an
//! organisation's bulk actions (`/organization/bulk_process/{id}`: make datasets public or
//! private, or delete them, with confirmation) through `bulk_update_*`, as CKAN's pages.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::{Map, Value};

use crate::actions::typed::{self, BulkChange};
use crate::actions::{SearchQuery, Services, exact_filter};
use crate::model::{Group, text};
use crate::portal::forms::{
    Answer, ErrorLine, FormField, confirm_page, field_errors, path_param, place_errors, refusal, signed_form,
    signed_page,
};
use crate::portal::i18n::Msgs;
use crate::portal::views::{DatasetSummary, vi_attr};
use crate::portal::{Chrome, Ctx, PageError};

/// Datasets listed on the bulk page at most (newest changes first; a search narrows them).
const BULK_ROWS: usize = 100;

#[derive(Template)]
#[template(path = "group_form.html")]
struct GroupFormView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    kind: &'static str,
    name: String,
    heading: String,
    fields: Vec<FormField>,
    errors: Vec<ErrorLine>,
}

fn kind_of(organization: bool) -> &'static str {
    if organization { "organization" } else { "group" }
}

/// The organisation or group, when the caller may edit it (`Forbidden` when it may only see it).
fn editable(ctx: &Ctx, id: &str, organization: bool) -> Result<Group, PageError> {
    let group = typed::group_show(&ctx.action, id, organization)?;
    if !typed::group_can_edit(&ctx.action, group.id())? {
        return Err(PageError::Forbidden);
    }
    Ok(group)
}

fn render(
    ctx: &Ctx,
    group: &Group,
    organization: bool,
    value_of: &dyn Fn(&str) -> String,
    errors: Vec<(String, String)>,
) -> Result<String, PageError> {
    let m = ctx.m;
    let mut fields = vec![
        FormField { vietnamese: true, ..FormField::text("title", m.t("group-form-title"), &value_of("title")) },
        FormField::text("name", m.t("group-form-name"), &value_of("name"))
            .help(Some(m.t("form-name-help")))
            .required(true),
        FormField {
            vietnamese: true,
            ..FormField::text("description", m.t("group-form-description"), &value_of("description"))
                .control("textarea")
        }
        .help(Some(m.t("form-notes-help"))),
        FormField::text("image_url", m.t("group-form-image"), &value_of("image_url"))
            .help(Some(m.t("group-form-image-help"))),
    ];
    let errors = place_errors(&m, &mut fields, errors, &[]);
    let heading = m.with("group-form-heading", &[("title", group.display_title())]);
    let title = if errors.is_empty() { heading.clone() } else { m.with("form-error-title", &[("title", &heading)]) };
    let view = GroupFormView {
        chrome: Chrome::new(ctx, title, kind_of(organization)),
        m,
        vi_attr: vi_attr(&m),
        kind: kind_of(organization),
        name: group.name().to_string(),
        heading,
        fields,
        errors,
    };
    Ok(view.render()?)
}

/// `GET /organization/edit/{id}`, `/group/edit/{id}`.
pub async fn edit_form(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let id = path_param(&request, "id");
    let organization = request.path().contains("/organization/");
    signed_page(request, services, move |ctx| {
        let group = editable(ctx, &id, organization)?;
        let value_of = |key: &str| text(&group.0, key).to_string();
        Ok(Answer::ok(render(ctx, &group, organization, &value_of, Vec::new())?))
    })
    .await
}

/// `POST /organization/edit/{id}`, `/group/edit/{id}`.
pub async fn update(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let id = path_param(&request, "id");
    let organization = request.path().contains("/organization/");
    signed_form(request, services, body, move |ctx, form| {
        let group = editable(ctx, &id, organization)?;
        let mut changes = Map::new();
        for key in ["title", "name", "description", "image_url"] {
            changes.insert(key.into(), Value::String(form.get(key).trim().to_string()));
        }
        match typed::group_patch(&ctx.action, group.id(), organization, changes) {
            Ok(saved) => {
                Ok(Answer::Redirect(format!("{}/{}/{}", ctx.lang.prefix(), kind_of(organization), saved.name())))
            }
            Err(error) => {
                let errors = field_errors(error)?;
                let value_of = |key: &str| form.get(key).to_string();
                Ok(Answer::ok(render(ctx, &group, organization, &value_of, errors)?))
            }
        }
    })
    .await
}

#[derive(Template)]
#[template(path = "bulk.html")]
struct BulkView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    name: String,
    title: String,
    q: String,
    datasets: Vec<(String, DatasetSummary)>,
    total: u64,
}

fn bulk_page(ctx: &Ctx, organization: &Group) -> Result<String, PageError> {
    let m = ctx.m;
    let q = ctx.param("q").unwrap_or_default().trim().to_string();
    let query = SearchQuery {
        q: q.clone(),
        fq_list: vec![exact_filter("owner_org", organization.id())],
        sort: if q.is_empty() { "metadata_modified desc".into() } else { crate::actions::SearchQuery::default().sort },
        rows: BULK_ROWS,
        include_private: true,
        include_drafts: true,
        ..SearchQuery::default()
    };
    let found = typed::package_search(&ctx.action, &query)?;
    let view = BulkView {
        chrome: Chrome::new(ctx, m.t("bulk-heading"), "organization"),
        m,
        vi_attr: vi_attr(&m),
        name: organization.name().to_string(),
        title: organization.display_title().to_string(),
        q,
        total: found.count as u64,
        datasets: found.datasets().iter().map(|d| (d.id().to_string(), DatasetSummary::of(d, &m))).collect(),
    };
    Ok(view.render()?)
}

/// The organisation whose datasets the caller may change in bulk (its admins, as CKAN's
/// `bulk_update_*` allow).
fn bulk_editable(ctx: &Ctx, id: &str) -> Result<Group, PageError> {
    editable(ctx, id, true)
}

/// `GET /organization/bulk_process/{id}?q=`.
pub async fn bulk_form(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let id = path_param(&request, "id");
    signed_page(request, services, move |ctx| Ok(Answer::ok(bulk_page(ctx, &bulk_editable(ctx, &id)?)?))).await
}

fn change_of(action: &str) -> Option<BulkChange> {
    match action {
        "public" => Some(BulkChange::Public),
        "private" => Some(BulkChange::Private),
        "delete" => Some(BulkChange::Delete),
        _ => None,
    }
}

/// `POST /organization/bulk_process/{id}` with `action` and the chosen `dataset` ids; deleting
/// asks to confirm first (`confirmed=1` carries on).
pub async fn bulk(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let id = path_param(&request, "id");
    signed_form(request, services, body, move |ctx, form| {
        let organization = bulk_editable(ctx, &id)?;
        // The confirmation page posts the choice back in its address.
        let from_query = ctx.query.iter().filter(|(k, _)| k == "dataset").map(|(_, v)| v.clone());
        let chosen: Vec<String> = form.all("dataset").into_iter().map(str::to_string).chain(from_query).collect();
        let action =
            if form.get("action").is_empty() { ctx.param("action").unwrap_or_default() } else { form.get("action") };
        let confirmed = form.get("confirmed") == "1" || ctx.param("confirmed") == Some("1");
        let back = format!("{}/organization/bulk_process/{}", ctx.lang.prefix(), organization.name());
        let Some(change) = change_of(action) else { return Ok(Answer::Redirect(back)) };
        if chosen.is_empty() {
            return Ok(Answer::Redirect(back));
        }
        if change == BulkChange::Delete && !confirmed {
            let m = ctx.m;
            let mut action = format!("{back}?action=delete&confirmed=1");
            for dataset in &chosen {
                action.push_str(&format!("&dataset={}", crate::portal::views::encode(dataset)));
            }
            let html = confirm_page(
                ctx,
                m.t("bulk-delete-heading"),
                m.with("bulk-delete-question", &[("n", &chosen.len().to_string())]),
                m.t("delete-confirm"),
                action,
                back.clone(),
            )?;
            return Ok(Answer::ok(html));
        }
        typed::bulk_update(&ctx.action, organization.id(), &chosen, change).map_err(refusal)?;
        Ok(Answer::Redirect(back))
    })
    .await
}
