//! What every signed-in form shares: the caller must be signed in (else the sign-in page,
//! returning here), a post must come from this site with the session's token (else 403), the
//! body may be URL-encoded or multipart (uploads), and a successful post answers with a
//! redirect (post/redirect/get) or a page that is never cached.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;

use super::pages::user::same_site;
use super::{Ctx, PageError, RequestParts, failure_page, html_response};
use crate::actions::{Services, Upload};
use crate::error::ActionError;

/// A submitted form: its text fields in order (a repeated field appears once per value) and
/// its files.
#[derive(Debug, Default)]
pub struct Form {
    pub fields: Vec<(String, String)>,
    pub uploads: Vec<Upload>,
}

impl Form {
    /// Reads a URL-encoded or `multipart/form-data` body (`None`: a malformed multipart body).
    pub fn read(content_type: &str, body: &[u8]) -> Option<Form> {
        if !content_type.to_ascii_lowercase().starts_with("multipart/form-data") {
            return Some(Form {
                fields: url::form_urlencoded::parse(body).into_owned().collect(),
                uploads: Vec::new(),
            });
        }
        let boundary = crate::http::multipart_boundary(content_type)?;
        let (map, uploads) = crate::http::multipart_parse(body, &boundary)?;
        let mut fields = Vec::new();
        for (key, value) in map {
            match value {
                Value::Array(items) => {
                    fields.extend(items.into_iter().map(|item| (key.clone(), item.as_str().unwrap_or_default().into())))
                }
                Value::String(text) => fields.push((key, text)),
                other => fields.push((key, other.to_string())),
            }
        }
        Some(Form { fields, uploads: uploads.into_iter().filter(|u| !u.filename.is_empty()).collect() })
    }

    /// The first value of a field (empty when absent).
    pub fn get(&self, name: &str) -> &str {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default()
    }

    /// Every value of a repeated field.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }
}

/// What a form's action answers.
pub enum Answer {
    /// A page (the form again with its errors, a confirmation, …).
    Page(StatusCode, String),
    /// Go to this address of the site (after a change).
    Redirect(String),
    /// A file (a report's CSV or XLSX; the handler sets its media type).
    Bytes(Vec<u8>),
}

impl Answer {
    pub fn ok(html: String) -> Answer {
        Answer::Page(StatusCode::OK, html)
    }
}

/// A segment of the request's path by its route name (`{id}`, `{name}`, …), or empty.
pub fn path_param(request: &HttpRequest, key: &str) -> String {
    request.match_info().get(key).unwrap_or_default().to_string()
}

/// An error page with its own heading and message, as a form's answer.
fn message_page(ctx: &Ctx, status: StatusCode, heading: &str, message: &str) -> Answer {
    let m = ctx.m;
    Answer::Page(status, super::pages::error::render_message(ctx, status, &m.t(heading), &m.t(message)))
}

/// The sign-in page's address, returning to this request's address.
fn sign_in_address(request: &HttpRequest) -> String {
    let lang = super::i18n::Lang::of_path(request.path());
    let here = if request.query_string().is_empty() {
        request.path().to_string()
    } else {
        format!("{}?{}", request.path(), request.query_string())
    };
    format!("{}/user/login?came_from={}", lang.prefix(), super::views::encode(&here))
}

/// Sends a caller who is not signed in to the sign-in page, returning here.
pub fn sign_in_first(request: &HttpRequest) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, sign_in_address(request))).finish()
}

fn answer(outcome: Result<Answer, actix_web::error::BlockingError>) -> HttpResponse {
    match outcome {
        Ok(Answer::Page(status, html)) => {
            let mut response = html_response(status, html);
            response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            response
        }
        Ok(Answer::Redirect(location)) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .finish(),
        Ok(Answer::Bytes(body)) => HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).body(body),
        Err(_) => crate::http::html_error(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

fn failure(ctx: &Ctx, error: PageError) -> Answer {
    let (status, html) = failure_page(ctx, error);
    Answer::Page(status, html)
}

/// A page only for signed-in callers (a form to fill in, a confirmation): anonymous callers go
/// to the sign-in page first; the page is never cached.
pub async fn signed_page(
    request: HttpRequest,
    services: web::Data<Services>,
    build: impl FnOnce(&Ctx) -> Result<Answer, PageError> + Send + 'static,
) -> HttpResponse {
    let parts = RequestParts::of(&request);
    if parts.is_anonymous() {
        return sign_in_first(&request);
    }
    let services = services.into_inner();
    let sign_in = sign_in_address(&request);
    answer(
        web::block(move || {
            let ctx = parts.context(&services);
            // A cookie whose session has ended signs no one in.
            if ctx.session.is_none() {
                return Answer::Redirect(sign_in);
            }
            build(&ctx).unwrap_or_else(|e| failure(&ctx, e))
        })
        .await,
    )
}

/// Runs a signed-in form's action once its origin and token are checked; a forged post is 403.
pub async fn signed_form(
    request: HttpRequest,
    services: web::Data<Services>,
    body: web::Bytes,
    act: impl FnOnce(&Ctx, &Form) -> Result<Answer, PageError> + Send + 'static,
) -> HttpResponse {
    let parts = RequestParts::of(&request);
    if parts.is_anonymous() {
        return sign_in_first(&request);
    }
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let form = Form::read(content_type, &body);
    let services = services.into_inner();
    let from_site = same_site(&request, &services.config.effective_site_url());
    let sign_in = sign_in_address(&request);
    answer(
        web::block(move || {
            let ctx = parts.context(&services);
            if ctx.session.is_none() {
                return Answer::Redirect(sign_in);
            }
            let Some(form) = form else {
                return message_page(&ctx, StatusCode::BAD_REQUEST, "form-malformed-heading", "form-malformed");
            };
            let token_ok = ctx.session.as_ref().is_some_and(|s| form.get("csrf") == s.csrf_token);
            if !from_site || !token_ok {
                return message_page(&ctx, StatusCode::FORBIDDEN, "csrf-heading", "csrf-refused");
            }
            act(&ctx, &form).unwrap_or_else(|e| failure(&ctx, e))
        })
        .await,
    )
}

/// The errors of a refused submission by field (CKAN's `error_dict`; a refusal with a reason
/// under the empty key), or the error itself when it is not about fields.
pub fn field_errors(error: ActionError) -> Result<Vec<(String, String)>, PageError> {
    match error {
        ActionError::Validation(map) => Ok(map
            .into_iter()
            .map(|(field, messages)| {
                let text = match messages {
                    Value::Array(items) => items
                        .iter()
                        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                        .collect::<Vec<_>>()
                        .join(" "),
                    Value::String(text) => text,
                    other => other.to_string(),
                };
                (field, text)
            })
            .collect()),
        // Refused although the caller may use the form (an administrator lowering their own
        // role): the reason is shown with the form.
        ActionError::Authorization(Some(reason)) => Ok(vec![(String::new(), reason)]),
        other => Err(other.into()),
    }
}

/// A change's refusal as a form shows it: not permitted (403) or refused with CKAN's reason
/// (409), where a page would say "not found"; other errors as pages have them.
pub fn refusal(error: ActionError) -> PageError {
    match error {
        ActionError::Authorization(_) => PageError::Forbidden,
        ActionError::Validation(_) => match field_errors(error) {
            Ok(errors) => PageError::Refused(errors.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join(" ")),
            Err(other) => other,
        },
        other => other.into(),
    }
}

/// One choice of a `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    /// The choices `(value, label)` with `current` selected.
    pub fn list(options: impl IntoIterator<Item = (String, String)>, current: &str) -> Vec<Choice> {
        options.into_iter().map(|(value, label)| Choice { selected: value == current, value, label }).collect()
    }
}

/// One field of a form, for `_fields.html`: a label, the control, its help and its error
/// (tied to the control by `aria-describedby`).
pub struct FormField {
    /// The form field's name (also the control's id, prefixed `field-`).
    pub name: String,
    pub label: String,
    pub help: Option<String>,
    /// `text`, `email`, `date`, `textarea`, `select` or `file`.
    pub control: &'static str,
    pub value: String,
    pub choices: Vec<Choice>,
    pub required: bool,
    pub error: Option<String>,
    /// Suggestions (`<datalist>`) as `(value, label)`.
    pub suggestions: Vec<(String, String)>,
    /// Whether the value is Vietnamese text (marked `lang="vi"` on English pages).
    pub vietnamese: bool,
}

impl FormField {
    /// A text field.
    pub fn text(name: &str, label: String, value: &str) -> FormField {
        FormField {
            name: name.to_string(),
            label,
            help: None,
            control: "text",
            value: value.to_string(),
            choices: Vec::new(),
            required: false,
            error: None,
            suggestions: Vec::new(),
            vietnamese: false,
        }
    }

    /// A `<select>` with these choices.
    pub fn select(name: &str, label: String, choices: Vec<Choice>) -> FormField {
        FormField { control: "select", choices, ..FormField::text(name, label, "") }
    }

    pub fn control(mut self, control: &'static str) -> FormField {
        self.control = control;
        self
    }

    pub fn help(mut self, help: Option<String>) -> FormField {
        self.help = help;
        self
    }

    pub fn required(mut self, required: bool) -> FormField {
        self.required = required;
        self
    }

    /// The ids of the hint and the error, for `aria-describedby`.
    pub fn described_by(&self) -> String {
        let hint = self.help.as_ref().map(|_| format!("hint-{}", self.name));
        let error = self.error.as_ref().map(|_| format!("error-{}", self.name));
        [error, hint].into_iter().flatten().collect::<Vec<_>>().join(" ")
    }
}

/// An error of a refused submission, for the summary at the top of a form: the message and
/// the field it links to (when the form has that field).
pub struct ErrorLine {
    pub field: Option<String>,
    pub message: String,
}

/// Puts each error beside its field (`aliases` maps an error key to the field that shows it,
/// e.g. `tags` → `tag_string`) and returns the summary, in the order of the fields.
pub fn place_errors(
    m: &super::i18n::Msgs,
    fields: &mut [FormField],
    errors: Vec<(String, String)>,
    aliases: &[(&str, &str)],
) -> Vec<ErrorLine> {
    let mut summary = Vec::new();
    let mut unplaced = Vec::new();
    let errors: Vec<(String, String)> = errors
        .into_iter()
        .map(|(key, message)| {
            let key = aliases.iter().find(|(from, _)| *from == key).map_or(key, |(_, to)| to.to_string());
            (key, error_text(m, &message))
        })
        .collect();
    for field in fields.iter_mut() {
        if let Some((_, message)) = errors.iter().find(|(key, _)| *key == field.name) {
            field.error = Some(message.clone());
            summary.push(ErrorLine { field: Some(field.name.clone()), message: format!("{}: {message}", field.label) });
        }
    }
    for (key, message) in errors {
        if !fields.iter().any(|f| f.name == key) {
            let message = if key.is_empty() { message } else { format!("{key}: {message}") };
            unplaced.push(ErrorLine { field: None, message });
        }
    }
    summary.extend(unplaced);
    summary
}

/// CKAN's validation messages in the page's language (others as CKAN wrote them).
fn error_text(m: &super::i18n::Msgs, message: &str) -> String {
    let id = match message {
        "Missing value" => "form-error-missing",
        "unexpected choice value" => "form-error-choice",
        "Date format incorrect" => "form-error-date",
        "That URL is already in use." | "Group name already exists in database" => "form-error-name-used",
        "An organization must be provided" => "form-error-organization",
        "User not found" => "form-error-user-not-found",
        _ if message.starts_with("Must be purely lowercase alphanumeric") => "form-error-name-format",
        _ if message.contains("is not a valid format") => "form-error-email",
        _ if message.starts_with("Not a 2025 administrative unit code: ") => {
            let codes = message.trim_start_matches("Not a 2025 administrative unit code: ");
            return m.with("form-error-admin-unit", &[("codes", codes)]);
        }
        _ => return message.to_string(),
    };
    m.t(id)
}

#[derive(askama::Template)]
#[template(path = "confirm.html")]
struct ConfirmView {
    chrome: super::Chrome,
    m: super::i18n::Msgs,
    vi_attr: &'static str,
    heading: String,
    question: String,
    confirm: String,
    action: String,
    cancel: String,
}

/// A page that asks to confirm a change (a deletion) with one button posting to `action`.
pub fn confirm_page(
    ctx: &Ctx,
    heading: String,
    question: String,
    confirm: String,
    action: String,
    cancel: String,
) -> Result<String, PageError> {
    use askama::Template;
    let m = ctx.m;
    let view = ConfirmView {
        chrome: super::Chrome::new(ctx, heading.clone(), "dataset"),
        m,
        vi_attr: super::views::vi_attr(&m),
        heading,
        question,
        confirm,
        action,
        cancel,
    };
    Ok(view.render()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_forbidden_or_says_why() {
        assert!(matches!(refusal(ActionError::denied("no")), PageError::Forbidden));
        let PageError::Refused(reason) = refusal(ActionError::message("Organization still has datasets")) else {
            panic!("a validation error is a refusal with its reason");
        };
        assert_eq!(reason, "Organization still has datasets");
        assert!(matches!(refusal(ActionError::NotFound(None)), PageError::NotFound));
    }
}
