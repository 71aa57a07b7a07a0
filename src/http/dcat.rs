//! DCAT endpoints as ckanext-dcat serves them (spec `dcat-ap.md` §1): `/catalog.{fmt}` (one
//! page of the public catalogue, with hydra paging), `/dataset/{id}.{fmt}`, and content
//! negotiation on `/catalog` and `/dataset/{id}`.

use super::Credentials;
use crate::actions::{self, ActionContext, SearchQuery, Services, typed};
use crate::dcat::dict::Dataset;
use crate::dcat::{Format, Graph, Page, Site, catalogue, graph};
use crate::error::ActionError;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

/// The order of catalogue pages: by creation, then id. An edit never moves a dataset to
/// another page, and new datasets are added at the end (spec §6: a dataset that moves off
/// every page during a harvest is deleted downstream).
const CATALOG_SORT: &str = "metadata_created asc, id asc";

fn site_url(services: &Services) -> String {
    services.config.effective_site_url().trim_end_matches('/').to_string()
}

/// What the mapping needs of the site, for the public URL `url`.
fn site_of<'a>(services: &'a Services, url: &'a str) -> Site<'a> {
    Site::of(services, url)
}

fn rdf_response(format: Format, body: Vec<u8>, negotiated: bool) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(format.media_type())));
    if negotiated {
        response.insert_header((header::VARY, "Accept"));
    }
    response.body(body)
}

fn text_error(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).content_type("text/plain; charset=utf-8").body(message.to_string())
}

/// Turns a serialised graph into the response, and failures into CKAN's answers: search
/// errors 409 with their message, datasets not found or not visible 404 (as the dataset
/// page), the rest 500.
fn answer(
    outcome: Result<Result<Vec<u8>, ActionError>, actix_web::error::BlockingError>,
    format: Format,
    negotiated: bool,
) -> HttpResponse {
    match outcome {
        Ok(Ok(body)) => rdf_response(format, body, negotiated),
        Ok(Err(ActionError::Search(message) | ActionError::SearchQuery(message))) => {
            text_error(StatusCode::CONFLICT, &message)
        }
        Ok(Err(ActionError::NotFound(_) | ActionError::Authorization(_))) => super::html_error(StatusCode::NOT_FOUND),
        Ok(Err(error)) => {
            tracing::error!(error = %error, "DCAT answer failed");
            super::html_error(StatusCode::INTERNAL_SERVER_ERROR)
        }
        Err(_) => super::html_error(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// Splits `name.ext` into the name and the RDF format of the extension.
fn split_extension(file: &str) -> Option<(&str, Format)> {
    let (name, extension) = file.rsplit_once('.')?;
    Some((name, Format::from_extension(extension)?))
}

/// `GET /catalog.{fmt}`.
pub async fn catalog_file(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let extension = request.match_info().get("ext").unwrap_or_default().to_string();
    match Format::from_extension(&extension) {
        Some(format) => catalog(request, services, format, false).await,
        None => super::html_error(StatusCode::NOT_FOUND),
    }
}

/// `GET /catalog` with an RDF `Accept` header (HTML is not served yet: 404).
pub async fn catalog_negotiated(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let accept = request.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    match Format::negotiate(accept) {
        Some(format) => catalog(request, services, format, true).await,
        None => super::html_error(StatusCode::NOT_FOUND),
    }
}

async fn catalog(
    request: HttpRequest,
    services: web::Data<Services>,
    format: Format,
    negotiated: bool,
) -> HttpResponse {
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(request.query_string().as_bytes()).into_owned().collect();
    let get = |key: &str| query.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let page = match get("page") {
        None => 1,
        Some(text) => match text.trim().parse::<usize>() {
            Ok(n) if n >= 1 => n,
            _ => return text_error(StatusCode::CONFLICT, "Page param must be a positive integer starting in 1"),
        },
    };
    let mut filters: Vec<String> = get("fq").into_iter().filter(|f| !f.trim().is_empty()).collect();
    if let Some(since) = get("modified_since") {
        match crate::search::parse_date(since.trim(), crate::store::now()) {
            Some(date) => filters.push(format!("metadata_modified:[{}Z TO NOW]", date.format("%Y-%m-%dT%H:%M:%S%.6f"))),
            None => return text_error(StatusCode::CONFLICT, "Wrong modified date format. Use ISO-8601 format"),
        }
    }
    // The page links keep the caller's selection (URL-encoded, in request order).
    let kept: Vec<String> = query
        .iter()
        .filter(|(k, _)| matches!(k.as_str(), "modified_since" | "q" | "fq"))
        .map(|(k, v)| url::form_urlencoded::Serializer::new(String::new()).append_pair(k, v).finish())
        .collect();
    let q = get("q").unwrap_or_default();
    let services = services.into_inner();
    let outcome = web::block(move || -> Result<_, ActionError> {
        // A page holds its datasets' dicts, graph and output at once: built on the RDF threads.
        let builder = services.clone();
        services
            .rdf_builds
            .run(move || catalogue_page(&builder, format, page, q, filters, &kept))
            .unwrap_or_else(|| Err(ActionError::Internal(anyhow::anyhow!("a catalogue page build panicked"))))
    })
    .await;
    answer(outcome, format, negotiated)
}

/// Builds one page of the catalogue in `format`.
fn catalogue_page(
    services: &Services,
    format: Format,
    page: usize,
    q: String,
    filters: Vec<String>,
    kept: &[String],
) -> Result<Vec<u8>, ActionError> {
    let per_page = services.config.dcat_datasets_per_page.max(1);
    let query = SearchQuery {
        q,
        fq_list: filters,
        rows: per_page,
        start: per_page * (page - 1),
        sort: CATALOG_SORT.into(),
        ..SearchQuery::default()
    };
    let (total, documents) = actions::public_documents(services, &query)?;
    let dates = services.search.public_catalogue_dates().map_err(|e| ActionError::Internal(anyhow::anyhow!("{e}")))?;
    let url = site_url(services);
    let path = format!("{url}/catalog.{}", format.extension());
    let site = site_of(services, &url);
    let page = Page { number: page, per_page, total, path: &path, kept, dates: &dates };
    catalogue::write_page(format, &site, &page, &documents).map_err(serialisation_failed)
}

fn serialisation_failed(error: std::io::Error) -> ActionError {
    ActionError::Internal(anyhow::anyhow!("RDF serialisation failed: {error}"))
}

/// `GET /dataset/{id}.{fmt}`, and `/dataset/{id}` with an RDF `Accept` header.
pub async fn dataset(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let file = request.match_info().get("id").unwrap_or_default().to_string();
    let (id, format, negotiated) = match split_extension(&file) {
        Some((id, format)) => (id.to_string(), format, false),
        None => {
            let accept = request.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
            match Format::negotiate(accept) {
                Some(format) => (file.clone(), format, true),
                None => return super::html_error(StatusCode::NOT_FOUND),
            }
        }
    };
    let credentials = Credentials::of(&request);
    let services = services.into_inner();
    let outcome = web::block(move || -> Result<Vec<u8>, ActionError> {
        let caller = credentials.resolve(&services)?;
        let context = ActionContext { services: &services, caller };
        let dict = typed::package_show(&context, &id)?.into_value();
        let url = site_url(&services);
        let site = site_of(&services, &url);
        let mut rdf = Graph::default();
        let dict = Dataset::from_value(&dict)
            .ok_or_else(|| ActionError::Internal(anyhow::anyhow!("package_show gave no dataset dict")))?;
        graph::add_dataset(&mut rdf, &site, &dict);
        rdf.describe_vocabularies();
        format.serialize(&rdf).map_err(serialisation_failed)
    })
    .await;
    answer(outcome, format, negotiated)
}
