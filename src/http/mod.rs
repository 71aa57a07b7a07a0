//! actix wiring: routes, CORS, request logging. Handlers only translate HTTP to actions.

mod api;
mod cors;
mod dcat;
mod download;
mod licence;
mod maintenance;
mod multipart;
mod util;

use actix_web::http::StatusCode;
use actix_web::middleware::{NormalizePath, TrailingSlash};
use actix_web::{HttpResponse, web};

pub use cors::Cors;
pub use dcat::dataset as dcat_dataset;
pub use multipart::{boundary as multipart_boundary, parse as multipart_parse};

/// Registers every route.
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/healthz", web::get().to(healthz))
        .route("/dataset/{id}/resource/{resource_id}/download/{filename}", web::get().to(download::download))
        .route("/catalog", web::get().to(dcat::catalog_negotiated))
        .route("/catalog.{ext}", web::get().to(dcat::catalog_file))
        .route("/licence/{id}", web::get().to(licence::show))
        .route("/maintenance.atom", web::get().to(maintenance::atom))
        .route("/api/util/resource/format_autocomplete", web::get().to(util::format_autocomplete))
        .route("/api/2/util/resource/format_autocomplete", web::get().to(util::format_autocomplete))
        .route("/api/util/dataset/autocomplete", web::get().to(util::dataset_autocomplete))
        .route("/api/2/util/dataset/autocomplete", web::get().to(util::dataset_autocomplete))
        .route("/api/util/tag/autocomplete", web::get().to(util::tag_autocomplete))
        .route("/api/2/util/tag/autocomplete", web::get().to(util::tag_autocomplete))
        .service(api::scope())
        .configure(crate::portal::routes);
}

/// Returns the path normaliser: a doubled slash (`//api/3/action/…`) is answered directly,
/// as CKAN does; harvesters build such URLs.
pub fn normalize_path() -> NormalizePath {
    NormalizePath::new(TrailingSlash::MergeOnly)
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// Who a request says is calling: its API token (`Authorization`, raw or `Bearer`, or
/// `X-CKAN-API-Key`); the portal's session joins here. Read on the async side, resolved to a
/// caller on the blocking pool: the one way the API, downloads and DCAT learn who calls.
pub struct Credentials {
    token: Option<String>,
    /// The portal's session cookie: read only for pages and downloads, never for the API (a
    /// cookie-authenticated API call would be open to cross-site request forgery).
    session: Option<String>,
}

impl Credentials {
    /// Reads the credentials a request carries.
    pub fn of(request: &actix_web::HttpRequest) -> Credentials {
        let header_text = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
        let token =
            crate::auth::caller::token_from_headers(header_text("authorization"), header_text("x-ckan-api-key"))
                .map(str::to_string);
        Credentials { token, session: None }
    }

    /// Reads the credentials a page request carries: its token, else its session cookie.
    pub fn with_session(request: &actix_web::HttpRequest) -> Credentials {
        let mut credentials = Credentials::of(request);
        if credentials.token.is_none() {
            credentials.session = cookie(request, crate::auth::session::COOKIE);
        }
        credentials
    }

    /// Whether the request carries no credentials.
    pub fn is_anonymous(&self) -> bool {
        self.token.is_none() && self.session.is_none()
    }

    /// No credentials (a JSONP call must never carry any).
    pub fn anonymous() -> Credentials {
        Credentials { token: None, session: None }
    }

    /// Resolves them to a caller (an unknown or revoked token is an authorisation error).
    pub fn resolve(&self, services: &crate::actions::Services) -> crate::store::StoreResult<crate::auth::Caller> {
        self.resolve_with_session(services).map(|(caller, _)| caller)
    }

    /// Resolves them to a caller and, for a session cookie, its session (an unknown, expired or
    /// revoked session is anonymous).
    pub fn resolve_with_session(
        &self,
        services: &crate::actions::Services,
    ) -> crate::store::StoreResult<(crate::auth::Caller, Option<crate::auth::session::Session>)> {
        if let Some(secret) = self.session.as_deref().filter(|_| self.token.is_none()) {
            return Ok(match crate::auth::session::resolve(&services.store, secret)? {
                Some((caller, session)) => (caller, Some(session)),
                None => (crate::auth::Caller::anonymous(), None),
            });
        }
        crate::auth::caller::resolve(&services.store, &services.signer, self.token.as_deref()).map(|c| (c, None))
    }
}

/// Returns the value of a request's cookie.
pub fn cookie(request: &actix_web::HttpRequest, name: &str) -> Option<String> {
    request
        .headers()
        .get_all(actix_web::http::header::COOKIE)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().to_string())
        .filter(|value| !value.is_empty())
}

/// Returns a small HTML error page (CKAN answers unrouted paths and methods with HTML).
pub fn html_error(status: StatusCode) -> HttpResponse {
    let reason = status.canonical_reason().unwrap_or("Error");
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(format!("<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Error {} - Kho</title></head><body><h1>{} {}</h1></body></html>", status.as_u16(), status.as_u16(), reason))
}

/// The fallback for every unrouted path.
pub async fn not_found() -> HttpResponse {
    html_error(StatusCode::NOT_FOUND)
}
