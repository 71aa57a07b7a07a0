//! `/user/{name}/api-tokens`: a signed-in user's API tokens, as CKAN has them: the list (never
//! the token strings), a form that creates one and shows it once, and a revoke button for each.
//! Every form is checked by `portal::forms`.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::actions::{Services, typed};
use crate::portal::forms::{Answer, path_param, signed_form, signed_page};
use crate::portal::i18n::Msgs;
use crate::portal::views::text;
use crate::portal::{Chrome, Ctx, PageError};

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

/// `GET /user/{name}/api-tokens`.
pub async fn list(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let user = path_param(&request, "name");
    signed_page(request, services, move |ctx| Ok(Answer::ok(render(ctx, &user, None, None)?))).await
}

/// `POST /user/{name}/api-tokens`: creates a token and shows it once.
pub async fn create(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let user = path_param(&request, "name");
    signed_form(request, services, body, move |ctx, form| {
        let name = form.get("name").trim();
        if name.is_empty() {
            return Ok(Answer::ok(render(ctx, &user, None, Some(ctx.m.t("tokens-name-missing")))?));
        }
        let (token, _) = typed::api_token_create(&ctx.action, &user, name)?;
        Ok(Answer::ok(render(ctx, &user, Some(token), None)?))
    })
    .await
}

/// `POST /user/{name}/api-tokens/{jti}/revoke`: revokes one token, then shows the list.
pub async fn revoke(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let user = path_param(&request, "name");
    let jti = path_param(&request, "jti");
    signed_form(request, services, body, move |ctx, _| {
        // Only a token listed for this user: the address cannot reach another user's.
        let listed = typed::api_token_list(&ctx.action, &user)?;
        if !listed.iter().any(|row| text(row, "id") == jti) {
            return Err(PageError::NotFound);
        }
        typed::api_token_revoke(&ctx.action, &jti)?;
        Ok(Answer::ok(render(ctx, &user, None, None)?))
    })
    .await
}
