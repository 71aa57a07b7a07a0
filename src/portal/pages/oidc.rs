//! Single sign-on with the province's OpenID Connect provider (`[[oidc]]` in `kho.toml`):
//! `/user/oidc/{provider}/login` sends the browser to the provider with a fresh state, nonce
//! and PKCE challenge (kept signed in a short-lived cookie, `SameSite=Lax` so the provider's
//! redirect back carries it); `/user/oidc/{provider}/callback` checks the state, exchanges the
//! code, verifies the ID token (`auth::oidc`), finds or creates the account
//! (`typed::user_for_identity`) and starts a session as password sign-in does.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::user::{cookie, safe_return, secure_site};
use crate::actions::{ActionContext, Services, typed};
use crate::auth::oidc::Flow;
use crate::auth::{Caller, session};
use crate::config::OidcProvider;
use crate::portal::RequestParts;
use crate::portal::i18n::Lang;

/// The cookie that holds the flow between the two requests.
const FLOW_COOKIE: &str = "kho_oidc";
/// What the flow cookie is signed for.
const FLOW_PURPOSE: &str = "oidc_flow";

fn provider<'a>(services: &'a Services, request: &HttpRequest) -> Option<&'a OidcProvider> {
    let name = request.match_info().get("provider")?;
    services.config.oidc.iter().find(|p| p.name == name)
}

/// The callback address registered at the provider (no language prefix: one address).
pub fn callback_url(services: &Services, provider: &OidcProvider) -> String {
    format!("{}/user/oidc/{}/callback", services.config.effective_site_url(), provider.name)
}

/// A page saying why the sign-in failed (the details go to the log only).
async fn refused(
    request: &HttpRequest,
    services: web::Data<Services>,
    status: StatusCode,
    secure: bool,
) -> HttpResponse {
    let parts = RequestParts::of(request);
    let services = services.into_inner();
    let html = web::block(move || {
        let ctx = parts.context(&services);
        let m = ctx.m;
        super::error::render_message(&ctx, status, &m.t("oidc-failed-heading"), &m.t("oidc-failed"))
    })
    .await
    .unwrap_or_default();
    let mut response = crate::portal::html_response(status, html);
    if let Ok(value) = header::HeaderValue::from_str(&cookie(FLOW_COOKIE, "", 0, secure)) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `GET /user/oidc/{provider}/login?came_from=`.
pub async fn login(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let secure = secure_site(&services);
    let Some(provider) = provider(&services, &request).cloned() else {
        return crate::http::html_error(StatusCode::NOT_FOUND);
    };
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(request.query_string().as_bytes()).into_owned().collect();
    let came_from =
        query.iter().find(|(k, _)| k == "came_from").and_then(|(_, v)| safe_return(v)).unwrap_or_default().to_string();
    let shared = services.clone().into_inner();
    let started = web::block(move || {
        let redirect = callback_url(&shared, &provider);
        shared
            .oidc
            .start(&provider, &redirect, &came_from)
            .map(|(url, flow)| (url, shared.signer.seal(FLOW_PURPOSE, &serde_json::to_value(flow).unwrap_or_default())))
    })
    .await;
    match started {
        Ok(Ok((url, sealed))) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, url))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .append_header((
                header::SET_COOKIE,
                cookie(FLOW_COOKIE, &sealed, crate::auth::oidc::FLOW_LIFETIME_SECONDS, secure),
            ))
            .finish(),
        Ok(Err(error)) => {
            tracing::warn!(%error, "OpenID Connect sign-in could not start");
            refused(&request, services, StatusCode::BAD_GATEWAY, secure).await
        }
        Err(_) => crate::http::html_error(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// Why a callback was refused (for the log).
#[derive(Debug, thiserror::Error)]
enum Refusal {
    #[error("no signed flow cookie for this provider")]
    NoFlow,
    #[error("the flow expired")]
    Expired,
    #[error("the state does not match the flow's")]
    StateMismatch,
    #[error("the provider answered an error: {0}")]
    ProviderError(String),
    #[error("{0}")]
    Oidc(crate::auth::oidc::OidcError),
    #[error("the account: {0}")]
    Account(crate::error::ActionError),
    #[error("the session: {0}")]
    Store(crate::store::StoreError),
}

/// `GET /user/oidc/{provider}/callback?code=&state=`.
pub async fn callback(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let secure = secure_site(&services);
    let Some(provider) = provider(&services, &request).cloned() else {
        return crate::http::html_error(StatusCode::NOT_FOUND);
    };
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(request.query_string().as_bytes()).into_owned().collect();
    let param = |key: &str| query.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default();
    let (code, state, provider_error) = (param("code"), param("state"), param("error"));
    let sealed = crate::http::cookie(&request, FLOW_COOKIE).unwrap_or_default();
    let shared = services.clone().into_inner();
    let outcome = web::block(move || -> Result<(String, String), Refusal> {
        let flow: Flow = shared
            .signer
            .open(FLOW_PURPOSE, &sealed)
            .and_then(|value| serde_json::from_value(value).ok())
            .filter(|flow: &Flow| flow.provider == provider.name)
            .ok_or(Refusal::NoFlow)?;
        if flow.expires < chrono::Utc::now().timestamp() {
            return Err(Refusal::Expired);
        }
        if state.is_empty() || state != flow.state {
            return Err(Refusal::StateMismatch);
        }
        if !provider_error.is_empty() {
            return Err(Refusal::ProviderError(provider_error));
        }
        let redirect = callback_url(&shared, &provider);
        let identity = shared.oidc.finish(&provider, &redirect, &flow, &code).map_err(Refusal::Oidc)?;
        let site = ActionContext { services: &shared, caller: Caller::system() };
        let user = typed::user_for_identity(&site, &provider, &identity).map_err(Refusal::Account)?;
        let (secret, _) = session::start(&shared.store, &user).map_err(Refusal::Store)?;
        Ok((secret, flow.came_from))
    })
    .await;
    match outcome {
        Ok(Ok((secret, came_from))) => {
            let target = if came_from.is_empty() { "/dashboard".to_string() } else { came_from };
            HttpResponse::SeeOther()
                .insert_header((header::LOCATION, target))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .append_header((
                    header::SET_COOKIE,
                    cookie(session::COOKIE, &secret, session::LIFETIME_DAYS * 86_400, secure),
                ))
                .append_header((header::SET_COOKIE, cookie(FLOW_COOKIE, "", 0, secure)))
                .finish()
        }
        Ok(Err(refusal)) => {
            tracing::warn!(%refusal, provider = %request.match_info().get("provider").unwrap_or_default(), "OpenID Connect sign-in refused");
            refused(&request, services, StatusCode::FORBIDDEN, secure).await
        }
        Err(_) => crate::http::html_error(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// The sign-in page's provider buttons: `(title, address)`.
pub fn buttons(services: &Services, lang: Lang, came_from: &str) -> Vec<(String, String)> {
    services
        .config
        .oidc
        .iter()
        .map(|p| {
            let mut href = format!("{}/user/oidc/{}/login", lang.prefix(), p.name);
            if !came_from.is_empty() {
                href.push_str(&format!("?came_from={}", crate::portal::views::encode(came_from)));
            }
            (p.title.clone(), href)
        })
        .collect()
}
