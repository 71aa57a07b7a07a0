//! `GET /dataset/{id}/resource/{resource_id}/download/{filename}`: an uploaded file, to
//! whoever may see its dataset (checked through `resource_show`).

use super::Credentials;
use crate::actions::{ActionContext, Services, typed};
use crate::model::Resource;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpRequest, HttpResponse, web};

/// Serves an uploaded resource file.
pub async fn download(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let resource_id = request.match_info().get("resource_id").unwrap_or("").to_string();
    let dataset = request.match_info().get("id").unwrap_or("").to_string();
    let credentials = Credentials::with_session(&request);
    let services = services.into_inner();
    let outcome = web::block(move || -> Result<(Resource, Vec<u8>), u16> {
        let caller = credentials.resolve(&services).map_err(|_| 503u16)?;
        let context = ActionContext { services: &services, caller };
        let resource = typed::resource_show(&context, &resource_id).map_err(|e| e.status())?;
        if !resource.is_upload() {
            return Err(404);
        }
        // The dataset may be named by id or by name, as in CKAN's URLs.
        if resource.package_id() != dataset {
            let named = typed::package_show(&context, &dataset).map_err(|e| e.status())?;
            if named.id() != resource.package_id() {
                return Err(404);
            }
        }
        let path = crate::uploads::path(&services.config.data_dir, resource.id()).ok_or(404u16)?;
        let bytes = std::fs::read(path).map_err(|_| 404u16)?;
        Ok((resource, bytes))
    })
    .await;
    match outcome {
        Ok(Ok((resource, bytes))) => {
            let mimetype = resource
                .0
                .get("mimetype")
                .and_then(|m| m.as_str())
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
        Ok(Err(403)) => super::html_error(StatusCode::FORBIDDEN),
        Ok(Err(503)) => super::html_error(StatusCode::SERVICE_UNAVAILABLE),
        _ => super::html_error(StatusCode::NOT_FOUND),
    }
}
