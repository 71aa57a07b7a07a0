//! actix wiring: routes, CORS, request logging. Handlers only translate HTTP to actions.

mod api;
mod cors;
mod dcat;
mod download;
mod licence;
mod multipart;
mod util;

use actix_web::http::StatusCode;
use actix_web::middleware::{NormalizePath, TrailingSlash};
use actix_web::{HttpResponse, web};

pub use cors::Cors;
pub use dcat::dataset as dcat_dataset;

/// Registers every route.
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/healthz", web::get().to(healthz))
        .route("/dataset/{id}/resource/{resource_id}/download/{filename}", web::get().to(download::download))
        .route("/catalog", web::get().to(dcat::catalog_negotiated))
        .route("/catalog.{ext}", web::get().to(dcat::catalog_file))
        .route("/licence/{id}", web::get().to(licence::show))
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
}

impl Credentials {
    /// Reads the credentials a request carries.
    pub fn of(request: &actix_web::HttpRequest) -> Credentials {
        let header_text = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
        let token =
            crate::auth::caller::token_from_headers(header_text("authorization"), header_text("x-ckan-api-key"))
                .map(str::to_string);
        Credentials { token }
    }

    /// Whether the request carries no credentials.
    pub fn is_anonymous(&self) -> bool {
        self.token.is_none()
    }

    /// No credentials (a JSONP call must never carry any).
    pub fn anonymous() -> Credentials {
        Credentials { token: None }
    }

    /// Resolves them to a caller (an unknown or revoked token is an authorisation error).
    pub fn resolve(&self, services: &crate::actions::Services) -> crate::store::StoreResult<crate::auth::Caller> {
        crate::auth::caller::resolve(&services.store, &services.signer, self.token.as_deref())
    }
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
