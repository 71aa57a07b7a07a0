//! `GET /licence/{id}`: a licence of the licence register as a page of its own. It gives a
//! licence without an IRI of its own (the Vietnamese state open-data licence) one the DCAT
//! feed can point at (`dct:license`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;

use crate::actions::Services;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub async fn show(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let id = request.match_info().get("id").unwrap_or_default();
    let Some(licence) = services.licenses.iter().find(|l| l.get("id").and_then(Value::as_str) == Some(id)) else {
        return super::html_error(StatusCode::NOT_FOUND);
    };
    let field = |key: &str| licence.get(key).and_then(Value::as_str).unwrap_or_default();
    let title = escape(field("title"));
    let link = match field("url") {
        "" => String::new(),
        url => format!("<p><a href=\"{0}\">{0}</a></p>", escape(url)),
    };
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
        "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>{title} - Kho</title></head>\
         <body><h1>{title}</h1><p>Mã giấy phép / licence id: <code>{}</code></p>{link}</body></html>",
        escape(id)
    ))
}
