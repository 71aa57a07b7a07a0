//! CKAN's legacy `/api/util/…` helpers that old JavaScript widgets still call.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use crate::actions::{self, Services};
use crate::auth::Caller;

/// `GET /api/util/resource/format_autocomplete?incomplete=&limit=`.
pub async fn format_autocomplete(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(request.query_string().as_bytes()).into_owned().collect();
    let get = |key: &str| query.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let params =
        json!({"q": get("incomplete").unwrap_or_default(), "limit": get("limit").unwrap_or_else(|| "5".into())});
    let services = services.into_inner();
    let found =
        web::block(move || actions::call_by_name(&services, Caller::anonymous(), "format_autocomplete", params)).await;
    let formats = match found {
        Ok(Ok(Value::Array(items))) => items,
        _ => Vec::new(),
    };
    let result: Vec<Value> = formats.into_iter().map(|f| json!({"Format": f})).collect();
    HttpResponse::Ok()
        .content_type("application/json;charset=utf-8")
        .body(json!({"ResultSet": {"Result": result}}).to_string())
}
