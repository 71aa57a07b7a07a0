//! `/user/login` and `/user/logout`: password sign-in to a session kept in the store, and
//! sign-out. Forms are protected against cross-site requests: the sign-in form by a token in a
//! cookie and the form (before a session exists), every signed-in form by the session's token,
//! and all of them by the `Origin`/`Sec-Fetch-Site` check.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::actions::Services;
use crate::auth::session::{self, SignIn};
use crate::portal::i18n::Msgs;
use crate::portal::{Chrome, Ctx, RequestParts, html_response};

/// The sign-in form's own cross-site token (a cookie that must match the form's field).
const LOGIN_COOKIE: &str = "kho_login";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginView {
    chrome: Chrome,
    m: Msgs,
    error: Option<String>,
    login: String,
    came_from: String,
    csrf: String,
    /// The single sign-on buttons: `(title, address)`.
    providers: Vec<(String, String)>,
    password_sign_in: bool,
}

#[derive(Template)]
#[template(path = "logout.html")]
struct LogoutView {
    chrome: Chrome,
    m: Msgs,
}

/// Returns `came_from` when it is an address on this site (a path, never `//host` or `/\\host`).
pub fn safe_return(came_from: &str) -> Option<&str> {
    let safe = came_from.starts_with('/')
        && !came_from.starts_with("//")
        && !came_from.starts_with("/\\")
        && !came_from.chars().any(|c| c.is_control() || c == '\\');
    safe.then_some(came_from)
}

/// Whether a form post comes from this site: `Sec-Fetch-Site` when the browser sends it, else
/// `Origin` when present, compared with the site's origin.
pub fn same_site(request: &HttpRequest, site_url: &str) -> bool {
    let header_text = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header_text("sec-fetch-site") {
        return site == "same-origin";
    }
    match header_text("origin") {
        Some(origin) => url::Url::parse(site_url).is_ok_and(|site| site.origin().ascii_serialization() == origin),
        None => true,
    }
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Lax` (the identity provider's redirect back must
/// carry it), `Secure` on an https site.
pub fn cookie(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}")
}

pub fn secure_site(services: &Services) -> bool {
    services.config.effective_site_url().starts_with("https://")
}

pub fn form_fields(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default()
}

fn login_page(ctx: &Ctx, error: Option<String>, login: &str, came_from: &str, csrf: &str) -> String {
    let m = ctx.m;
    let config = &ctx.services().config;
    let view = LoginView {
        chrome: Chrome::new(ctx, m.t("login-heading"), "login"),
        m,
        error,
        login: login.to_string(),
        came_from: came_from.to_string(),
        csrf: csrf.to_string(),
        providers: super::oidc::buttons(ctx.services(), ctx.lang, came_from),
        password_sign_in: config.auth.password_sign_in,
    };
    view.render().unwrap_or_default()
}

fn new_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// `GET /user/login`.
pub async fn login_form(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let parts = RequestParts::of(&request);
    let services = services.into_inner();
    let secure = secure_site(&services);
    let csrf = new_token();
    let token = csrf.clone();
    let outcome = web::block(move || {
        let ctx = parts.context(&services);
        let came_from = ctx.param("came_from").and_then(safe_return).unwrap_or_default().to_string();
        login_page(&ctx, None, "", &came_from, &token)
    })
    .await;
    match outcome {
        Ok(html) => {
            let mut response = html_response(StatusCode::OK, html);
            if let Ok(value) = HeaderValue::from_str(&cookie(LOGIN_COOKIE, &csrf, 3600, secure)) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Err(_) => crate::http::html_error(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// `POST /user/login`: a new session on success (never the one the browser brought), the form
/// again with an error otherwise; 429 while the account or the address is throttled.
pub async fn login(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let fields = form_fields(&body);
    let parts = RequestParts::of(&request);
    let services = services.into_inner();
    let secure = secure_site(&services);
    let cookie_token = crate::http::cookie(&request, LOGIN_COOKIE).unwrap_or_default();
    let from_site = same_site(&request, &services.config.effective_site_url());
    // Every X-Forwarded-For line, in order (a proxy may add its own line).
    let forwarded: Vec<&str> = request.headers().get_all("x-forwarded-for").filter_map(|v| v.to_str().ok()).collect();
    let forwarded = forwarded.join(",");
    let address = services.config.client_address(request.peer_addr().map(|a| a.ip()), Some(forwarded.as_str()));
    let lang = crate::portal::i18n::Lang::of_path(request.path());
    let outcome = web::block(move || {
        let ctx = parts.context(&services);
        let m = ctx.m;
        let login = field(&fields, "login").to_string();
        let came_from = safe_return(field(&fields, "came_from")).unwrap_or_default().to_string();
        let csrf = field(&fields, "csrf");
        if !services.config.auth.password_sign_in {
            let page = login_page(&ctx, Some(m.t("login-password-off")), "", &came_from, &cookie_token);
            return Err((StatusCode::FORBIDDEN, page));
        }
        if !from_site || cookie_token.is_empty() || csrf != cookie_token {
            let page = login_page(&ctx, Some(m.t("csrf-refused")), &login, &came_from, &cookie_token);
            return Err((StatusCode::FORBIDDEN, page));
        }
        match session::check_password(&services.store, &login, field(&fields, "password"), &address) {
            Ok(SignIn::Accepted(user)) => match session::start(&services.store, &user) {
                Ok((secret, _)) => Ok((secret, came_from)),
                Err(error) => Err(crate::portal::failure_page(&ctx, crate::portal::PageError::Action(error.into()))),
            },
            Ok(SignIn::Refused) => {
                Err((StatusCode::OK, login_page(&ctx, Some(m.t("login-refused")), &login, &came_from, csrf)))
            }
            Ok(SignIn::Throttled) => Err((
                StatusCode::TOO_MANY_REQUESTS,
                login_page(&ctx, Some(m.t("login-throttled")), &login, &came_from, csrf),
            )),
            Err(error) => Err(crate::portal::failure_page(&ctx, crate::portal::PageError::Action(error.into()))),
        }
    })
    .await;
    match outcome {
        Ok(Ok((secret, came_from))) => {
            let target = if came_from.is_empty() { format!("{}/", lang.prefix()) } else { came_from };
            let mut response = HttpResponse::SeeOther();
            response.insert_header((header::LOCATION, target));
            response.insert_header((header::CACHE_CONTROL, "no-store"));
            response.append_header((
                header::SET_COOKIE,
                cookie(session::COOKIE, &secret, session::LIFETIME_DAYS * 86_400, secure),
            ));
            response.append_header((header::SET_COOKIE, cookie(LOGIN_COOKIE, "", 0, secure)));
            response.finish()
        }
        Ok(Err((status, html))) => html_response(status, html),
        Err(_) => crate::http::html_error(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// `GET /user/logout`: a confirmation form (signing out changes state: only by POST).
pub async fn logout_form(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    crate::portal::respond(&request, services, |ctx| {
        let m = ctx.m;
        let view = LogoutView { chrome: Chrome::new(ctx, m.t("logout-heading"), "login"), m };
        Ok(view.render()?)
    })
    .await
}

/// `POST /user/logout`: ends the session (with its token and from this site), clears the cookie.
pub async fn logout(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let fields = form_fields(&body);
    let parts = RequestParts::of(&request);
    let services = services.into_inner();
    let secure = secure_site(&services);
    let from_site = same_site(&request, &services.config.effective_site_url());
    let lang = crate::portal::i18n::Lang::of_path(request.path());
    let outcome = web::block(move || {
        let ctx = parts.context(&services);
        let Some(current) = ctx.session.clone() else { return Ok(()) };
        if !from_site || field(&fields, "csrf") != current.csrf_token {
            return Err(crate::portal::pages::error::render_message(
                &ctx,
                StatusCode::FORBIDDEN,
                &ctx.m.t("csrf-heading"),
                &ctx.m.t("csrf-refused"),
            ));
        }
        session::end(&services.store, &current.id).map_err(|_| String::new())
    })
    .await;
    match outcome {
        Ok(Ok(())) => {
            let mut response = HttpResponse::SeeOther();
            response.insert_header((header::LOCATION, format!("{}/", lang.prefix())));
            response.append_header((header::SET_COOKIE, cookie(session::COOKIE, "", 0, secure)));
            response.finish()
        }
        Ok(Err(html)) => html_response(StatusCode::FORBIDDEN, html),
        Err(_) => crate::http::html_error(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_of_this_site_are_returned_to() {
        assert_eq!(safe_return("/dataset/x?q=1"), Some("/dataset/x?q=1"));
        for bad in
            ["//evil.example/x", "/\\\\evil.example", "https://evil.example/", "javascript:alert(1)", "", "/a\\rb"]
        {
            assert_eq!(safe_return(bad), None, "{bad}");
        }
    }
}
