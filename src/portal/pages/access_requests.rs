//! Access (connection) requests in the portal, for the three people who act in them: the
//! requests a user made or their department received, or every request for the operator, with
//! overdue ones flagged (`/access-request`); the request form (`/access-request/new`, prefilled
//! by `?dataset=`); a request's page (`/access-request/{id}`) with the step each may take —
//! the department approves or refuses with a reason, the operator issues the connection account
//! or revokes it, the requester withdraws or reads the token — all through the actions.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::{Map, Value};

use crate::actions::{Services, typed};
use crate::model::text;
use crate::portal::forms::{
    Answer, ErrorLine, Form, FormField, field_errors, path_param, place_errors, refusal, signed_form, signed_page,
};
use crate::portal::i18n::Msgs;
use crate::portal::views::{user_name_of, vi_attr};
use crate::portal::{Chrome, Ctx, PageError, PageResult};

pub struct AccessLine {
    pub id: String,
    pub organization: String,
    pub requester: String,
    pub datasets: usize,
    pub created: String,
    pub state: String,
    pub due: String,
    pub overdue: bool,
}

pub struct DatasetRef {
    pub name: String,
    pub title: String,
}

#[derive(Template)]
#[template(path = "access_requests.html")]
struct ListView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    requests: Vec<AccessLine>,
    overdue: u64,
}

#[derive(Template)]
#[template(path = "access_request.html")]
struct RequestView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    request: AccessLine,
    state: String,
    datasets: Vec<DatasetRef>,
    purpose: String,
    legal_basis: String,
    refusal_reason: String,
    expires: String,
    token: String,
    requester: bool,
    department: bool,
    operator: bool,
    errors: Vec<ErrorLine>,
}

#[derive(Template)]
#[template(path = "access_request_form.html")]
struct FormView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    fields: Vec<FormField>,
    errors: Vec<ErrorLine>,
}

fn line(m: &Msgs, request: &Map<String, Value>) -> AccessLine {
    let organization = request.get("organization").and_then(|o| o.get("title")).and_then(Value::as_str);
    AccessLine {
        id: text(request, "id").to_string(),
        organization: organization.unwrap_or_default().to_string(),
        requester: user_name_of(request),
        datasets: request.get("datasets").and_then(Value::as_array).map_or(0, Vec::len),
        created: m.date_time(text(request, "created")),
        state: m.t(&format!("access-state-{}", text(request, "state"))),
        due: if text(request, "issue_due").is_empty() { String::new() } else { m.date(text(request, "issue_due")) },
        overdue: request.get("issue_overdue").and_then(Value::as_bool).unwrap_or_default(),
    }
}

/// `GET /access-request`.
pub async fn list(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    signed_page(request, services, |ctx| {
        let m = ctx.m;
        let requests: Vec<AccessLine> =
            typed::access_request_list(&ctx.action, None)?.iter().map(|r| line(&m, r)).collect();
        let view = ListView {
            chrome: Chrome::new(ctx, m.t("access-heading"), "access-request"),
            vi_attr: vi_attr(&m),
            overdue: requests.iter().filter(|r| r.overdue).count() as u64,
            requests,
            m,
        };
        Ok(Answer::ok(view.render()?))
    })
    .await
}

fn request_page(ctx: &Ctx, id: &str, errors: Vec<(String, String)>) -> PageResult {
    let m = ctx.m;
    let request = typed::access_request_show(&ctx.action, id)?;
    let standing = crate::actions::access_request::standing_of(&ctx.action, id)?;
    let datasets = request
        .get("datasets")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_object)
                .map(|d| DatasetRef {
                    name: text(d, "name").to_string(),
                    title: if text(d, "title").is_empty() { text(d, "name") } else { text(d, "title") }.to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut no_fields: Vec<FormField> = Vec::new();
    let errors = place_errors(&m, &mut no_fields, errors, &[]);
    let view = RequestView {
        chrome: Chrome::new(ctx, m.t("access-request-title"), "access-request"),
        vi_attr: vi_attr(&m),
        request: line(&m, &request),
        state: text(&request, "state").to_string(),
        datasets,
        purpose: text(&request, "purpose").to_string(),
        legal_basis: text(&request, "legal_basis").to_string(),
        refusal_reason: text(&request, "refusal_reason").to_string(),
        expires: if text(&request, "expires").is_empty() {
            String::new()
        } else {
            m.date_time(text(&request, "expires"))
        },
        token: text(&request, "token").to_string(),
        requester: standing.requester,
        department: standing.department,
        operator: standing.operator,
        errors,
        m,
    };
    Ok(view.render()?)
}

/// `GET /access-request/{id}`.
pub async fn page(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let id = path_param(&request, "id");
    signed_page(request, services, move |ctx| Ok(Answer::ok(request_page(ctx, &id, Vec::new())?))).await
}

fn form_page(ctx: &Ctx, form: Option<&Form>, errors: Vec<(String, String)>) -> PageResult {
    let m = ctx.m;
    let value = |name: &str| form.map(|f| f.get(name).to_string()).unwrap_or_default();
    let given =
        if form.is_some() { value("package_ids") } else { ctx.param("dataset").unwrap_or_default().to_string() };
    let mut datasets = FormField::text("package_ids", m.t("access-datasets"), &given);
    datasets.control = "textarea";
    datasets.required = true;
    datasets.help = Some(m.t("access-datasets-help"));
    let mut purpose = FormField::text("purpose", m.t("access-purpose"), &value("purpose"));
    purpose.control = "textarea";
    purpose.required = true;
    purpose.vietnamese = true;
    let mut legal_basis = FormField::text("legal_basis", m.t("access-legal-basis"), &value("legal_basis"));
    legal_basis.required = true;
    legal_basis.vietnamese = true;
    legal_basis.help = Some(m.t("access-legal-basis-help"));
    let mut fields = vec![datasets, purpose, legal_basis];
    let errors = place_errors(&m, &mut fields, errors, &[]);
    let heading = m.t("access-new");
    let title = if errors.is_empty() { heading } else { m.with("form-error-title", &[("title", &heading)]) };
    let view = FormView { chrome: Chrome::new(ctx, title, "access-request"), vi_attr: vi_attr(&m), m, fields, errors };
    Ok(view.render()?)
}

/// `GET /access-request/new`.
pub async fn new_form(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    signed_page(request, services, |ctx| Ok(Answer::ok(form_page(ctx, None, Vec::new())?))).await
}

/// `POST /access-request/new`: one dataset name or address per line.
pub async fn create(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    signed_form(request, services, body, |ctx, form| {
        let datasets: Vec<Value> = form
            .get("package_ids")
            .split(['\n', ','])
            .map(|l| l.trim().trim_end_matches('/'))
            .filter(|l| !l.is_empty())
            .map(|l| Value::String(l.rsplit('/').next().unwrap_or(l).to_string()))
            .collect();
        let mut fields = Map::new();
        fields.insert("package_ids".into(), Value::Array(datasets));
        for name in ["purpose", "legal_basis"] {
            fields.insert(name.into(), Value::String(form.get(name).to_string()));
        }
        match typed::access_request_create(&ctx.action, fields) {
            Ok(created) => {
                Ok(Answer::Redirect(format!("{}/access-request/{}", ctx.lang.prefix(), text(&created, "id"))))
            }
            Err(error @ crate::error::ActionError::Validation(_)) => {
                Ok(Answer::ok(form_page(ctx, Some(form), field_errors(error)?)?))
            }
            Err(other) => Err(refusal(other)),
        }
    })
    .await
}

/// `POST /access-request/{id}/{step}`: `approve`, `refuse` (with `reason`), `issue` (with
/// `expires`), `revoke` or `withdraw`; the page again with the errors, or back to it.
pub async fn step(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let id = path_param(&request, "id");
    let step = path_param(&request, "step");
    signed_form(request, services, body, move |ctx, form| {
        if !["approve", "refuse", "issue", "revoke", "withdraw"].contains(&step.as_str()) {
            return Err(PageError::NotFound);
        }
        let mut fields = Map::new();
        for name in ["reason", "expires"] {
            if !form.get(name).trim().is_empty() {
                fields.insert(name.into(), Value::String(form.get(name).to_string()));
            }
        }
        match typed::access_request_step(&ctx.action, &step, &id, fields) {
            Ok(_) => Ok(Answer::Redirect(format!("{}/access-request/{id}", ctx.lang.prefix()))),
            Err(error @ crate::error::ActionError::Validation(_)) => {
                Ok(Answer::ok(request_page(ctx, &id, field_errors(error)?)?))
            }
            Err(other) => Err(refusal(other)),
        }
    })
    .await
}
