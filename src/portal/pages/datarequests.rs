//! Data requests in the portal: the public list with states and answer deadlines
//! (`/datarequest`), a request's page with its comments (`/datarequest/{id}`), the form that
//! asks a department for data (`/datarequest/new`, signed in), and on a request's page the
//! department's answers (comment, close with the dataset that fulfils it, refuse with a
//! reason) — all through the data request actions.

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
use crate::portal::views::{user_name_of, vi_attr};
use crate::portal::{Chrome, Ctx, PageError, PageResult, respond};

pub struct RequestLine {
    pub id: String,
    pub title: String,
    pub organization: String,
    pub opened: String,
    pub due: String,
    pub state: String,
    pub overdue: bool,
}

pub struct CommentLine {
    pub author: String,
    pub time: String,
    pub comment: String,
}

#[derive(Template)]
#[template(path = "datarequests.html")]
struct ListView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    requests: Vec<RequestLine>,
    count: u64,
}

#[derive(Template)]
#[template(path = "datarequest.html")]
struct RequestView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    request: RequestLine,
    description: String,
    requester: String,
    refusal_reason: String,
    accepted_dataset: String,
    open: bool,
    department: bool,
    signed_in: bool,
    comments: Vec<CommentLine>,
    errors: Vec<ErrorLine>,
}

#[derive(Template)]
#[template(path = "datarequest_form.html")]
struct FormView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    fields: Vec<FormField>,
    errors: Vec<ErrorLine>,
}

fn line(m: &Msgs, request: &Map<String, Value>) -> RequestLine {
    RequestLine {
        id: text(request, "id").to_string(),
        title: text(request, "title").to_string(),
        organization: request
            .get("organization")
            .and_then(|o| o.get("title"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        opened: m.date_time(text(request, "open_time")),
        due: m.date(text(request, "answer_due")),
        state: m.t(&format!("datarequest-state-{}", text(request, "state"))),
        overdue: request.get("overdue").and_then(Value::as_bool).unwrap_or_default(),
    }
}

/// `GET /datarequest`: every request, newest first (`?closed=false`: the open ones).
pub async fn list(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    respond(&request, services, |ctx: &Ctx| -> PageResult {
        let m = ctx.m;
        let closed = ctx.param("closed").map(|c| c == "true");
        let (count, rows) = typed::datarequest_index(&ctx.action, closed, 0, 100)?;
        let view = ListView {
            chrome: Chrome::new(ctx, m.t("datarequest-heading"), "datarequest"),
            vi_attr: vi_attr(&m),
            requests: rows.iter().map(|r| line(&m, r)).collect(),
            count,
            m,
        };
        Ok(view.render()?)
    })
    .await
}

fn request_page(ctx: &Ctx, id: &str, errors: Vec<(String, String)>) -> PageResult {
    let m = ctx.m;
    let request = typed::datarequest_show(&ctx.action, id)?;
    let comments = typed::datarequest_comment_list(&ctx.action, id)?
        .iter()
        .map(|c| CommentLine {
            author: user_name_of(c),
            time: m.date_time(text(c, "time")),
            comment: text(c, "comment").to_string(),
        })
        .collect();
    let department = ctx.session.is_some() && typed::datarequest_is_department(&ctx.action, id)?;
    let requester = user_name_of(&request);
    let mut no_fields: Vec<FormField> = Vec::new();
    let errors = place_errors(&m, &mut no_fields, errors, &[]);
    let view = RequestView {
        chrome: Chrome::new(ctx, text(&request, "title").to_string(), "datarequest"),
        vi_attr: vi_attr(&m),
        request: line(&m, &request),
        description: text(&request, "description").to_string(),
        requester,
        refusal_reason: text(&request, "refusal_reason").to_string(),
        accepted_dataset: text(&request, "accepted_dataset_id").to_string(),
        open: !request.get("closed").and_then(Value::as_bool).unwrap_or_default(),
        department,
        signed_in: ctx.session.is_some(),
        comments,
        errors,
        m,
    };
    Ok(view.render()?)
}

/// `GET /datarequest/{id}`.
pub async fn page(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let id = path_param(&request, "id");
    respond(&request, services, move |ctx: &Ctx| request_page(ctx, &id, Vec::new())).await
}

fn form_fields(ctx: &Ctx, form: Option<&Form>) -> Result<Vec<FormField>, PageError> {
    let m = ctx.m;
    let value = |name: &str| form.map(|f| f.get(name).to_string()).unwrap_or_default();
    let mut title = FormField::text("title", m.t("datarequest-title"), &value("title"));
    title.required = true;
    title.vietnamese = true;
    let mut description = FormField::text("description", m.t("datarequest-description"), &value("description"));
    description.control = "textarea";
    description.help = Some(m.t("datarequest-description-help"));
    description.vietnamese = true;
    let mut organizations = Vec::new();
    loop {
        let page = typed::group_list(&ctx.action, true, organizations.len(), 25)?;
        let done = page.len() < 25;
        organizations.extend(page);
        if done {
            break;
        }
    }
    let mut organization = FormField::text("organization_id", m.t("datarequest-organization"), "");
    organization.control = "select";
    organization.required = true;
    organization.choices = Choice::list(
        std::iter::once((String::new(), m.t("datarequest-organization-choose")))
            .chain(organizations.iter().map(|g| (g.name().to_string(), g.display_title().to_string()))),
        &value("organization_id"),
    );
    Ok(vec![title, description, organization])
}

fn form_page(ctx: &Ctx, form: Option<&Form>, errors: Vec<(String, String)>) -> PageResult {
    let m = ctx.m;
    let mut fields = form_fields(ctx, form)?;
    let errors = place_errors(&m, &mut fields, errors, &[]);
    let heading = m.t("datarequest-new");
    let title = if errors.is_empty() { heading } else { m.with("form-error-title", &[("title", &heading)]) };
    let view = FormView { chrome: Chrome::new(ctx, title, "datarequest"), vi_attr: vi_attr(&m), m, fields, errors };
    Ok(view.render()?)
}

/// `GET /datarequest/new`.
pub async fn new_form(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    signed_page(request, services, |ctx| Ok(Answer::ok(form_page(ctx, None, Vec::new())?))).await
}

/// `POST /datarequest/new`.
pub async fn create(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    signed_form(request, services, body, |ctx, form| {
        let mut fields = Map::new();
        for name in ["title", "description", "organization_id"] {
            fields.insert(name.into(), Value::String(form.get(name).to_string()));
        }
        match typed::datarequest_create(&ctx.action, fields) {
            Ok(created) => Ok(Answer::Redirect(format!("{}/datarequest/{}", ctx.lang.prefix(), text(&created, "id")))),
            Err(error @ crate::error::ActionError::Validation(_)) => {
                Ok(Answer::ok(form_page(ctx, Some(form), field_errors(error)?)?))
            }
            Err(other) => Err(refusal(other)),
        }
    })
    .await
}

/// `POST /datarequest/{id}/{answer}`: `comment`, `close` (with `accepted_dataset_id`) or
/// `refuse` (with `refusal_reason`); the page again with the errors, or back to it.
pub async fn answer(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let id = path_param(&request, "id");
    let kind = path_param(&request, "answer");
    signed_form(request, services, body, move |ctx, form| {
        let mut fields = Map::new();
        let outcome = match kind.as_str() {
            "comment" => {
                fields.insert("comment".into(), Value::String(form.get("comment").to_string()));
                typed::datarequest_comment(&ctx.action, &id, fields)
            }
            "close" => {
                fields.insert("accepted_dataset_id".into(), Value::String(form.get("accepted_dataset_id").to_string()));
                typed::datarequest_close(&ctx.action, &id, fields)
            }
            "refuse" => {
                fields.insert("close_circumstance".into(), Value::String("refused".into()));
                fields.insert("refusal_reason".into(), Value::String(form.get("refusal_reason").to_string()));
                typed::datarequest_close(&ctx.action, &id, fields)
            }
            _ => return Err(PageError::NotFound),
        };
        match outcome {
            Ok(_) => Ok(Answer::Redirect(format!("{}/datarequest/{id}", ctx.lang.prefix()))),
            Err(error @ crate::error::ActionError::Validation(_)) => {
                Ok(Answer::ok(request_page(ctx, &id, field_errors(error)?)?))
            }
            Err(other) => Err(refusal(other)),
        }
    })
    .await
}
