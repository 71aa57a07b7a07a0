//! `/user/{name}/api-tokens`: a signed-in user's API tokens, as CKAN has them: the list (never
//! the token strings), a form that creates one and shows it once, and a revoke button for each.
//! Every form is checked as `pages/user.rs` checks the sign-out form.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::user::{field, form_fields, same_site};
use crate::actions::{Services, typed};
use crate::portal::i18n::Msgs;
use crate::portal::views::text;
use crate::portal::{Chrome, Ctx, PageError, RequestParts, failure_page, html_response};

pub struct TokenLine {
    pub id: String,
    pub name: String,
    pub created: String,
    pub last_used: String,
}

#[derive(Template)]
#[template(path = "api_tokens.html")]
struct TokensView {
    chrome: Chrome,
    m: Msgs,
    user: String,
    tokens: Vec<TokenLine>,
    new_token: Option<String>,
    error: Option<String>,
}

fn render(ctx: &Ctx, user: &str, new_token: Option<String>, error: Option<String>) -> Result<String, PageError> {
    let m = ctx.m;
    let tokens = typed::api_token_list(&ctx.action, user)?
        .iter()
        .map(|row| TokenLine {
            id: text(row, "id").to_string(),
            name: text(row, "name").to_string(),
            created: m.date(text(row, "created_at")),
            last_used: row
                .get("last_access")
                .and_then(|v| v.as_str())
                .map(|d| m.date(d))
                .unwrap_or_else(|| m.t("tokens-never")),
        })
        .collect();
    let view = TokensView {
        chrome: Chrome::new(ctx, m.t("tokens-heading"), "user"),
        m,
        user: user.to_string(),
        tokens,
        new_token,
        error,
    };
    Ok(view.render()?)
}

/// The sign-in page, returning to this request's address (for callers who are not signed in).
fn sign_in_first(request: &HttpRequest) -> HttpResponse {
    let lang = crate::portal::i18n::Lang::of_path(request.path());
    let here = crate::portal::views::encode(request.path());
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("{}/user/login?came_from={here}", lang.prefix())))
        .finish()
}

fn answer(outcome: Result<(StatusCode, String), actix_web::error::BlockingError>) -> HttpResponse {
    match outcome {
        Ok((status, html)) => {
            let mut response = html_response(status, html);
            response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            response
        }
        Err(_) => crate::http::html_error(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// `GET /user/{name}/api-tokens`.
pub async fn list(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let parts = RequestParts::of(&request);
    if parts.is_anonymous() {
        return sign_in_first(&request);
    }
    let user = request.match_info().get("name").unwrap_or_default().to_string();
    let services = services.into_inner();
    answer(
        web::block(move || {
            let ctx = parts.context(&services);
            render(&ctx, &user, None, None).map(|html| (StatusCode::OK, html)).unwrap_or_else(|e| failure_page(&ctx, e))
        })
        .await,
    )
}

/// Runs a signed-in form's action once its origin and token are checked; a forged post is 403.
async fn signed_form(
    request: HttpRequest,
    services: web::Data<Services>,
    body: web::Bytes,
    act: impl FnOnce(&Ctx, &[(String, String)]) -> Result<(StatusCode, String), PageError> + Send + 'static,
) -> HttpResponse {
    let parts = RequestParts::of(&request);
    if parts.is_anonymous() {
        return sign_in_first(&request);
    }
    let fields = form_fields(&body);
    let services = services.into_inner();
    let from_site = same_site(&request, &services.config.effective_site_url());
    answer(
        web::block(move || {
            let ctx = parts.context(&services);
            let token_ok = ctx.session.as_ref().is_some_and(|s| field(&fields, "csrf") == s.csrf_token);
            if !from_site || !token_ok {
                let m = ctx.m;
                let html = super::error::render_message(
                    &ctx,
                    StatusCode::FORBIDDEN,
                    &m.t("csrf-heading"),
                    &m.t("csrf-refused"),
                );
                return (StatusCode::FORBIDDEN, html);
            }
            act(&ctx, &fields).unwrap_or_else(|e| failure_page(&ctx, e))
        })
        .await,
    )
}

/// `POST /user/{name}/api-tokens`: creates a token and shows it once.
pub async fn create(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let user = request.match_info().get("name").unwrap_or_default().to_string();
    signed_form(request, services, body, move |ctx, fields| {
        let name = field(fields, "name").trim();
        if name.is_empty() {
            let html = render(ctx, &user, None, Some(ctx.m.t("tokens-name-missing")))?;
            return Ok((StatusCode::OK, html));
        }
        let (token, _) = typed::api_token_create(&ctx.action, &user, name)?;
        Ok((StatusCode::OK, render(ctx, &user, Some(token), None)?))
    })
    .await
}

/// `POST /user/{name}/api-tokens/{jti}/revoke`: revokes one token, then shows the list.
pub async fn revoke(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let user = request.match_info().get("name").unwrap_or_default().to_string();
    let jti = request.match_info().get("jti").unwrap_or_default().to_string();
    signed_form(request, services, body, move |ctx, _| {
        // Only a token listed for this user: the address cannot reach another user's.
        let listed = typed::api_token_list(&ctx.action, &user)?;
        if !listed.iter().any(|row| text(row, "id") == jti) {
            return Err(PageError::NotFound);
        }
        typed::api_token_revoke(&ctx.action, &jti)?;
        Ok((StatusCode::OK, render(ctx, &user, None, None)?))
    })
    .await
}
