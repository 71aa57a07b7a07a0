//! CKAN's legacy `/api/util/…` helpers that old JavaScript widgets still call. They answer
//! as an anonymous caller, so they never show private data.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use crate::actions::{self, Services};
use crate::auth::Caller;

/// Runs `action` with `q` = the `incomplete` parameter and wraps its list as CKAN's
/// `{"ResultSet": {"Result": [...]}}`, each item passed through `item`.
async fn legacy(
    request: HttpRequest,
    services: web::Data<Services>,
    action: &'static str,
    default_limit: &'static str,
    item: fn(Value) -> Value,
) -> HttpResponse {
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(request.query_string().as_bytes()).into_owned().collect();
    let get = |key: &str| query.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let params = json!({"q": get("incomplete").unwrap_or_default(), "limit": get("limit").unwrap_or_else(|| default_limit.into())});
    let services = services.into_inner();
    let found = web::block(move || actions::call_by_name(&services, Caller::anonymous(), action, params)).await;
    let items = match found {
        Ok(Ok(Value::Array(items))) => items,
        _ => Vec::new(),
    };
    let result: Vec<Value> = items.into_iter().map(item).collect();
    HttpResponse::Ok()
        .content_type("application/json;charset=utf-8")
        .body(json!({"ResultSet": {"Result": result}}).to_string())
}

/// `GET /api/util/resource/format_autocomplete?incomplete=&limit=`.
pub async fn format_autocomplete(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    legacy(request, services, "format_autocomplete", "5", |format| json!({"Format": format})).await
}

/// `GET /api/util/dataset/autocomplete?incomplete=&limit=`.
pub async fn dataset_autocomplete(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    legacy(request, services, "package_autocomplete", "10", |dataset| dataset).await
}

/// `GET /api/util/tag/autocomplete?incomplete=&limit=`.
pub async fn tag_autocomplete(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    legacy(request, services, "tag_autocomplete", "10", |tag| json!({"Name": tag})).await
}
