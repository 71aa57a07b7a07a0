//! The portal's static files, compiled into the binary and served under names that carry a
//! digest of their contents (cached for a year: a new build gives new names).

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use sha2::Digest;

struct Asset {
    /// `kho.<digest>.css`.
    name: String,
    media_type: &'static str,
    body: &'static [u8],
}

fn asset(stem: &str, extension: &str, media_type: &'static str, body: &'static [u8]) -> Asset {
    let digest: String = sha2::Sha256::digest(body).iter().take(5).map(|b| format!("{b:02x}")).collect();
    Asset { name: format!("{stem}.{digest}.{extension}"), media_type, body }
}

static STYLESHEET: LazyLock<Asset> =
    LazyLock::new(|| asset("kho", "css", "text/css; charset=utf-8", include_bytes!("static/kho.css")));
static ICON: LazyLock<Asset> = LazyLock::new(|| asset("kho", "svg", "image/svg+xml", include_bytes!("static/kho.svg")));

/// The URL of the style sheet.
pub fn stylesheet() -> String {
    format!("/static/{}", STYLESHEET.name)
}

/// The URL of the icon.
pub fn icon() -> String {
    format!("/static/{}", ICON.name)
}

/// `GET /static/{file}`.
pub async fn serve(request: HttpRequest) -> HttpResponse {
    let file = request.match_info().get("file").unwrap_or_default();
    match [&*STYLESHEET, &*ICON].into_iter().find(|a| a.name == file) {
        Some(asset) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, asset.media_type))
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .body(asset.body),
        None => crate::http::html_error(actix_web::http::StatusCode::NOT_FOUND),
    }
}
