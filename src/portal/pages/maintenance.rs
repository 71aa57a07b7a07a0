//! `/ckan-admin/maintenance`: the operator announces a suspension of data or services (the form
//! refuses a planned one fewer than 7 working days ahead, as the action does) and cancels one;
//! every notice is listed. The notices themselves show on every page (`Chrome`).

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::{Map, Value};

use crate::actions::{Services, typed};
use crate::model::text;
use crate::portal::forms::{
    Answer, Choice, ErrorLine, Form, FormField, field_errors, path_param, place_errors, refusal, signed_form,
    signed_page,
};
use crate::portal::i18n::Msgs;
use crate::portal::views::vi_attr;
use crate::portal::{Chrome, Ctx, PageError};

pub struct NoticeRow {
    pub id: String,
    pub title: String,
    pub when: String,
    pub services: String,
    pub emergency: bool,
    pub active: bool,
    pub state: String,
}

#[derive(Template)]
#[template(path = "maintenance.html")]
struct MaintenanceView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    notices: Vec<NoticeRow>,
    fields: Vec<FormField>,
    errors: Vec<ErrorLine>,
}

fn operator_only(ctx: &Ctx) -> Result<(), PageError> {
    if ctx.action.caller.is_sysadmin() { Ok(()) } else { Err(PageError::Forbidden) }
}

fn fields(m: &Msgs, form: Option<&Form>) -> Vec<FormField> {
    let value = |name: &str| form.map(|f| f.get(name).to_string()).unwrap_or_default();
    let mut title = FormField::text("title", m.t("maintenance-title"), &value("title"));
    title.required = true;
    title.vietnamese = true;
    let mut reason = FormField::text("reason", m.t("maintenance-reason"), &value("reason"));
    reason.required = true;
    reason.vietnamese = true;
    reason.control = "textarea";
    let mut services = FormField::text("services", m.t("maintenance-services-field"), &value("services"));
    services.required = true;
    services.help = Some(m.t("maintenance-services-help"));
    let mut starts = FormField::text("starts_at", m.t("maintenance-starts"), &value("starts_at"));
    starts.control = "datetime-local";
    starts.required = true;
    let mut ends = FormField::text("ends_at", m.t("maintenance-ends"), &value("ends_at"));
    ends.control = "datetime-local";
    ends.required = true;
    let mut kind = FormField::text("emergency", m.t("maintenance-kind"), "");
    kind.control = "select";
    kind.choices = Choice::list(
        [("false".to_string(), m.t("maintenance-planned")), ("true".to_string(), m.t("maintenance-emergency"))],
        &value("emergency"),
    );
    vec![title, reason, services, starts, ends, kind]
}

fn render(ctx: &Ctx, form: Option<&Form>, errors: Vec<(String, String)>) -> Result<String, PageError> {
    let m = ctx.m;
    let notices = typed::maintenance_notice_list(&ctx.action, true)?
        .iter()
        .map(|notice| {
            let services: Vec<String> = notice
                .get("services")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect();
            NoticeRow {
                id: text(notice, "id").to_string(),
                title: text(notice, "title").to_string(),
                when: m.with(
                    "maintenance-when",
                    &[
                        ("start", &m.date_time(text(notice, "starts_at"))),
                        ("end", &m.date_time(text(notice, "ends_at"))),
                    ],
                ),
                services: services.join(", "),
                emergency: notice.get("emergency").and_then(Value::as_bool).unwrap_or_default(),
                active: text(notice, "state") == "active",
                state: m.t(&format!("maintenance-state-{}", text(notice, "state"))),
            }
        })
        .collect();
    let mut fields = fields(&m, form);
    let errors = place_errors(&m, &mut fields, errors, &[]);
    let heading = m.t("maintenance-heading");
    let title = if errors.is_empty() { heading } else { m.with("form-error-title", &[("title", &heading)]) };
    let view =
        MaintenanceView { chrome: Chrome::new(ctx, title, "admin"), vi_attr: vi_attr(&m), m, notices, fields, errors };
    Ok(view.render()?)
}

/// `GET /ckan-admin/maintenance`.
pub async fn page(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    signed_page(request, services, |ctx| {
        operator_only(ctx)?;
        Ok(Answer::ok(render(ctx, None, Vec::new())?))
    })
    .await
}

/// `POST /ckan-admin/maintenance`: announces a notice, or shows the form with its errors.
pub async fn create(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    signed_form(request, services, body, |ctx, form| {
        operator_only(ctx)?;
        let mut fields = Map::new();
        for name in ["title", "reason", "services", "starts_at", "ends_at", "emergency"] {
            fields.insert(name.into(), Value::String(form.get(name).to_string()));
        }
        match typed::maintenance_notice_create(&ctx.action, fields) {
            Ok(_) => Ok(Answer::Redirect(format!("{}/ckan-admin/maintenance", ctx.lang.prefix()))),
            Err(error @ crate::error::ActionError::Validation(_)) => {
                let html = render(ctx, Some(form), field_errors(error)?)?;
                Ok(Answer::Page(actix_web::http::StatusCode::OK, html))
            }
            Err(other) => Err(refusal(other)),
        }
    })
    .await
}

/// `POST /ckan-admin/maintenance/{id}/cancel`.
pub async fn cancel(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let id = path_param(&request, "id");
    signed_form(request, services, body, move |ctx, _| {
        operator_only(ctx)?;
        typed::maintenance_notice_delete(&ctx.action, &id).map_err(refusal)?;
        Ok(Answer::Redirect(format!("{}/ckan-admin/maintenance", ctx.lang.prefix())))
    })
    .await
}
