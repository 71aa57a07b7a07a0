//! `GET /dataset/{id}/resource/{resource_id}/download/{filename}`: an uploaded file, to
//! whoever may see its dataset (checked through `resource_show`).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::actions::{self, Services};
use crate::auth::caller;

/// Serves an uploaded resource file.
pub async fn download(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let resource_id = request.match_info().get("resource_id").unwrap_or("").to_string();
    let dataset = request.match_info().get("id").unwrap_or("").to_string();
    let token = super::request_token(&request);
    let services = services.into_inner();
    let outcome = web::block(move || {
        let caller = caller::resolve(&services.store, &services.signer, token.as_deref())?;
        let resource = actions::call_by_name(&services, caller.clone(), "resource_show", json!({"id": resource_id}))
            .map_err(|e| anyhow::anyhow!(e.status()))?;
        let package_id =
            resource.get("package_id").unwrap_or(&serde_json::Value::Null).as_str().unwrap_or("").to_string();
        if resource.get("url_type").unwrap_or(&serde_json::Value::Null) != "upload" {
            anyhow::bail!("404");
        }
        // The dataset may be named by id or by name, as in CKAN's URLs.
        if package_id != dataset {
            let named = actions::call_by_name(&services, caller, "package_show", json!({"id": dataset}))
                .map_err(|e| anyhow::anyhow!(e.status()))?;
            if named.get("id").unwrap_or(&serde_json::Value::Null) != package_id.as_str() {
                anyhow::bail!("404");
            }
        }
        let path = crate::uploads::path(
            &services.config.data_dir,
            resource.get("id").unwrap_or(&serde_json::Value::Null).as_str().unwrap_or(""),
        )
        .ok_or_else(|| anyhow::anyhow!("404"))?;
        let bytes = std::fs::read(path).map_err(|_| anyhow::anyhow!("404"))?;
        Ok::<_, anyhow::Error>((resource, bytes))
    })
    .await;
    match outcome {
        Ok(Ok((resource, bytes))) => {
            let mimetype = resource
                .get("mimetype")
                .unwrap_or(&serde_json::Value::Null)
                .as_str()
                .filter(|m| !m.is_empty())
                .unwrap_or("application/octet-stream")
                .to_string();
            let filename = request.match_info().get("filename").unwrap_or("download").to_string();
            HttpResponse::Ok()
                .content_type(mimetype)
                .insert_header(ContentDisposition {
                    disposition: DispositionType::Attachment,
                    parameters: vec![DispositionParam::Filename(filename)],
                })
                .insert_header((header::CACHE_CONTROL, "private, max-age=0"))
                .body(bytes)
        }
        Ok(Err(error)) if error.to_string() == "403" => super::html_error(StatusCode::FORBIDDEN),
        _ => super::html_error(StatusCode::NOT_FOUND),
    }
}
