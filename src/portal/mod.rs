//! The public portal: HTML pages at CKAN's addresses, Vietnamese first (English under
//! `/en/`). Pages call the typed actions as the caller, so they show exactly what the API
//! would; templates are compiled in (askama) and escape every value.

mod assets;
mod chrome;
pub mod forms;
pub mod i18n;
pub mod markdown;
mod pages;
mod views;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Compress;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::actions::{ActionContext, Services};
use crate::error::ActionError;
use crate::http::Credentials;
pub use chrome::Chrome;
use i18n::{Lang, Msgs};

/// The content security policy of every page: nothing inline, nothing from elsewhere.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; \
     form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Registers the portal's pages in both languages, and its static files.
pub fn routes(config: &mut web::ServiceConfig) {
    config.service(web::resource("/static/{file}").wrap(Compress::default()).route(web::get().to(assets::serve)));
    macro_rules! page {
        ($path:expr, $handler:expr) => {
            for prefix in ["", "/en"] {
                let path = format!("{prefix}{}", $path);
                let path = if path.is_empty() { "/".to_string() } else { path };
                config.service(
                    web::resource(path)
                        .wrap(Compress::default())
                        .route(web::get().to($handler))
                        .route(web::head().to($handler)),
                );
            }
        };
    }
    // Forms: a page (GET) and its submission (POST), for signed-in callers.
    macro_rules! form {
        ($path:expr, $get:expr, $post:expr) => {
            for prefix in ["", "/en"] {
                config.service(
                    web::resource(format!("{prefix}{}", $path)).route(web::get().to($get)).route(web::post().to($post)),
                );
            }
        };
    }
    form!("/dataset/new", pages::dataset_form::new_form, pages::dataset_form::create);
    form!("/dataset/edit/{id}", pages::dataset_form::edit_form, pages::dataset_form::update);
    form!("/dataset/delete/{id}", pages::dataset_form::delete_form, pages::dataset_form::delete);
    form!("/dataset/resources/{id}", pages::resource_form::order_form, pages::resource_form::reorder);
    form!("/dataset/{id}/resource/new", pages::resource_form::new_form, pages::resource_form::create);
    form!("/dataset/{id}/resource/{resource_id}/edit", pages::resource_form::edit_form, pages::resource_form::update);
    form!(
        "/dataset/{id}/resource/{resource_id}/delete",
        pages::resource_form::delete_form,
        pages::resource_form::delete
    );
    for prefix in ["", "/en"] {
        config.service(
            web::resource(format!("{prefix}/dataset/{{id}}/report"))
                .route(web::post().to(pages::error_reports::report)),
        );
        config.service(
            web::resource(format!("{prefix}/dataset/{{id}}/report/{{report_id}}/answer"))
                .route(web::post().to(pages::error_reports::answer)),
        );
    }
    form!("/datarequest/new", pages::datarequests::new_form, pages::datarequests::create);
    for prefix in ["", "/en"] {
        config.service(
            web::resource(format!("{prefix}/datarequest/{{id}}/{{answer}}"))
                .route(web::post().to(pages::datarequests::answer)),
        );
    }
    form!("/access-request/new", pages::access_requests::new_form, pages::access_requests::create);
    for prefix in ["", "/en"] {
        config.service(
            web::resource(format!("{prefix}/access-request/{{id}}/{{step}}"))
                .route(web::post().to(pages::access_requests::step)),
        );
    }
    form!("/ckan-admin/users/{name}/delete", pages::admin::delete_user_form, pages::admin::delete_user);
    form!("/ckan-admin/trash/purge", pages::admin::purge_form, pages::admin::purge);
    form!("/organization/edit/{id}", pages::group_form::edit_form, pages::group_form::update);
    form!("/group/edit/{id}", pages::group_form::edit_form, pages::group_form::update);
    form!("/organization/bulk_process/{id}", pages::group_form::bulk_form, pages::group_form::bulk);
    form!("/organization/member_delete/{id}", pages::members::delete_form, pages::members::delete);
    for prefix in ["", "/en"] {
        config.service(web::resource(format!("{prefix}/ckan-admin")).route(web::get().to(pages::admin::users)));
        config.service(web::resource(format!("{prefix}/ckan-admin/trash")).route(web::get().to(pages::admin::trash)));
        config.service(
            web::resource(format!("{prefix}/ckan-admin/reports/updates")).route(web::get().to(pages::reports::page)),
        );
        config.service(
            web::resource(format!("{prefix}/ckan-admin/reports/evaluation"))
                .route(web::get().to(pages::evaluation::page)),
        );
        config.service(
            web::resource(format!("{prefix}/ckan-admin/reports/summary")).route(web::get().to(pages::summary::page)),
        );
        for extension in ["csv", "xlsx"] {
            config.service(
                web::resource(format!("{prefix}/ckan-admin/reports/summary.{extension}"))
                    .route(web::get().to(pages::summary::download)),
            );
            config.service(
                web::resource(format!("{prefix}/ckan-admin/reports/updates.{extension}"))
                    .route(web::get().to(pages::reports::download)),
            );
            config.service(
                web::resource(format!("{prefix}/ckan-admin/reports/evaluation.{extension}"))
                    .route(web::get().to(pages::evaluation::download)),
            );
        }
        config.service(
            web::resource(format!("{prefix}/ckan-admin/maintenance"))
                .route(web::get().to(pages::maintenance::page))
                .route(web::post().to(pages::maintenance::create)),
        );
        config.service(
            web::resource(format!("{prefix}/ckan-admin/maintenance/{{id}}/cancel"))
                .route(web::post().to(pages::maintenance::cancel)),
        );
        config.service(
            web::resource(format!("{prefix}/ckan-admin/users/{{name}}/sysadmin"))
                .route(web::post().to(pages::admin::set_sysadmin)),
        );
        config.service(
            web::resource(format!("{prefix}/ckan-admin/users/{{name}}/sessions"))
                .route(web::post().to(pages::admin::end_sessions)),
        );
        config.service(
            web::resource(format!("{prefix}/organization/members/{{id}}")).route(web::get().to(pages::members::page)),
        );
        config.service(
            web::resource(format!("{prefix}/organization/member_new/{{id}}"))
                .route(web::post().to(pages::members::save)),
        );
        config.service(
            web::resource(format!("{prefix}/dataset/publish/{{id}}"))
                .route(web::post().to(pages::dataset_form::publish)),
        );
    }
    page!("/", pages::home::page);
    config.service(
        web::resource("/en")
            .wrap(Compress::default())
            .route(web::get().to(pages::home::page))
            .route(web::head().to(pages::home::page)),
    );
    page!("/dataset", pages::search::page);
    page!("/dataset/activity/{id}", pages::activity::page);
    page!("/dataset/changes/{id}", pages::changes::page);
    page!("/dataset/{id}/resource/{resource_id}", pages::resource::page);
    page!("/dataset/{id}", pages::dataset::page);
    page!("/organization", pages::groups::organizations);
    page!("/organization/{id}", pages::groups::organization);
    page!("/group", pages::groups::groups);
    page!("/group/{id}", pages::groups::group);
    page!("/about", pages::about::page);
    page!("/datarequest", pages::datarequests::list);
    page!("/access-request", pages::access_requests::list);
    page!("/access-request/{id}", pages::access_requests::page);
    page!("/datarequest/{id}", pages::datarequests::page);
    for prefix in ["", "/en"] {
        config.service(web::resource(format!("{prefix}/dashboard")).route(web::get().to(pages::dashboard::page)));
        for section in ["datasets", "organizations"] {
            config.service(
                web::resource(format!("{prefix}/dashboard/{section}")).route(web::get().to(pages::dashboard::section)),
            );
        }
    }
    for prefix in ["", "/en"] {
        config.service(
            web::resource(format!("{prefix}/user/login"))
                .route(web::get().to(pages::user::login_form))
                .route(web::post().to(pages::user::login)),
        );
        config.service(
            web::resource(format!("{prefix}/user/{{name}}/api-tokens"))
                .route(web::get().to(pages::tokens::list))
                .route(web::post().to(pages::tokens::create)),
        );
        config.service(
            web::resource(format!("{prefix}/user/{{name}}/api-tokens/{{jti}}/revoke"))
                .route(web::post().to(pages::tokens::revoke)),
        );
        config.service(web::resource(format!("{prefix}/harvest")).route(web::get().to(pages::harvest::list)));
        config.service(web::resource(format!("{prefix}/harvest/{{name}}")).route(web::get().to(pages::harvest::page)));
        config.service(
            web::resource(format!("{prefix}/harvest/{{name}}/run")).route(web::post().to(pages::harvest::run)),
        );
        config.service(
            web::resource(format!("{prefix}/harvest/{{name}}/abort")).route(web::post().to(pages::harvest::abort)),
        );
        config.service(
            web::resource(format!("{prefix}/user/logout"))
                .route(web::get().to(pages::user::logout_form))
                .route(web::post().to(pages::user::logout)),
        );
        config.service(
            web::resource(format!("{prefix}/user/edit/{{name}}"))
                .route(web::get().to(pages::profile::edit_form))
                .route(web::post().to(pages::profile::update)),
        );
    }
    config.service(web::resource("/user/oidc/{provider}/callback").route(web::get().to(pages::oidc::callback)));
    for prefix in ["", "/en"] {
        config.service(
            web::resource(format!("{prefix}/user/oidc/{{provider}}/login")).route(web::get().to(pages::oidc::login)),
        );
    }
    // After /user/login and /user/logout, which it would otherwise match.
    page!("/user/{name}", pages::profile::page);
}

/// What a page is built with: the services, the caller, the language and the request's
/// address (without the language prefix) and query.
pub struct Ctx<'a> {
    pub action: ActionContext<'a>,
    pub lang: Lang,
    pub m: Msgs,
    /// The path without `/en`, e.g. `/dataset/abc`.
    pub path: String,
    pub query: Vec<(String, String)>,
    raw_query: String,
    /// The caller's portal session, when signed in with one.
    pub session: Option<crate::auth::session::Session>,
}

impl Ctx<'_> {
    pub fn services(&self) -> &Services {
        self.action.services
    }

    /// The first value of a query parameter.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The site's public URL without a trailing slash.
    pub fn site_url(&self) -> String {
        self.services().config.effective_site_url().trim_end_matches('/').to_string()
    }

    /// The request's query string, as sent.
    pub fn raw_query(&self) -> &str {
        &self.raw_query
    }

    /// The page's address in the other language (path and query kept).
    pub fn other_language_href(&self) -> String {
        let path = format!("{}{}", self.lang.other().prefix(), self.path);
        let path = if path.is_empty() { "/".to_string() } else { path };
        if self.raw_query.is_empty() { path } else { format!("{path}?{}", self.raw_query) }
    }
}

/// Why a page was not built.
#[derive(Debug)]
pub enum PageError {
    NotFound,
    /// The caller may see the object but not change it.
    Forbidden,
    /// A change the action refused, with its reason (CKAN's message).
    Refused(String),
    Action(ActionError),
}

impl From<ActionError> for PageError {
    fn from(error: ActionError) -> Self {
        match error {
            ActionError::NotFound(_) | ActionError::Authorization(_) | ActionError::Validation(_) => {
                PageError::NotFound
            }
            other => PageError::Action(other),
        }
    }
}

impl From<askama::Error> for PageError {
    fn from(error: askama::Error) -> Self {
        PageError::Action(ActionError::Internal(anyhow::anyhow!("template: {error}")))
    }
}

pub type PageResult = Result<String, PageError>;

/// What a page needs of its request, read on the async side.
pub struct RequestParts {
    credentials: Credentials,
    lang: Lang,
    path: String,
    raw_query: String,
}

impl RequestParts {
    pub fn of(request: &HttpRequest) -> RequestParts {
        let lang = Lang::of_path(request.path());
        let path = request.path().strip_prefix(lang.prefix()).unwrap_or(request.path());
        let path = if path == "/" && lang == Lang::En { String::new() } else { path.to_string() };
        RequestParts {
            credentials: Credentials::with_session(request),
            lang,
            path,
            raw_query: request.query_string().to_string(),
        }
    }

    /// The `Cache-Control` of a page for this request: a page built for a signed-in caller may
    /// hold what others may not see, so no shared cache keeps it.
    pub fn cache_control(&self) -> &'static str {
        if self.credentials.is_anonymous() { "no-cache" } else { "private, no-cache" }
    }

    /// Whether the request carries no credentials.
    pub fn is_anonymous(&self) -> bool {
        self.credentials.is_anonymous()
    }

    /// Resolves the caller (on the blocking pool) and builds the page context.
    pub fn context(self, services: &Services) -> Ctx<'_> {
        let (caller, session) = self
            .credentials
            .resolve_with_session(services)
            .unwrap_or_else(|_| (crate::auth::Caller::anonymous(), None));
        let query = url::form_urlencoded::parse(self.raw_query.as_bytes()).into_owned().collect();
        Ctx {
            action: ActionContext { services, caller },
            lang: self.lang,
            m: Msgs { lang: self.lang },
            path: self.path,
            query,
            raw_query: self.raw_query,
            session,
        }
    }
}

/// Renders a page's failure: the 404 page for what is not found or not visible, else 500.
pub fn failure_page(ctx: &Ctx, error: PageError) -> (StatusCode, String) {
    match error {
        PageError::NotFound => (StatusCode::NOT_FOUND, pages::error::render(ctx, StatusCode::NOT_FOUND)),
        PageError::Forbidden => (StatusCode::FORBIDDEN, pages::error::render(ctx, StatusCode::FORBIDDEN)),
        PageError::Refused(reason) => (
            StatusCode::CONFLICT,
            pages::error::render_message(ctx, StatusCode::CONFLICT, &ctx.m.t("error-refused"), &reason),
        ),
        PageError::Action(error) => {
            tracing::error!(%error, path = %ctx.path, "page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, pages::error::render(ctx, StatusCode::INTERNAL_SERVER_ERROR))
        }
    }
}

/// Builds a page on the blocking pool as the request's caller and answers it with the
/// portal's headers; a page that is not found (or not visible) answers the 404 page.
pub async fn respond<F>(request: &HttpRequest, services: web::Data<Services>, build: F) -> HttpResponse
where
    F: FnOnce(&Ctx) -> PageResult + Send + 'static,
{
    let parts = RequestParts::of(request);
    let cache = parts.cache_control();
    let services = services.into_inner();
    let outcome = web::block(move || {
        let ctx = parts.context(&services);
        match build(&ctx) {
            Ok(html) => (StatusCode::OK, html),
            Err(error) => failure_page(&ctx, error),
        }
    })
    .await;
    match outcome {
        Ok((status, html)) => {
            let mut response = html_response(status, html);
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            response
        }
        Err(_) => crate::http::html_error(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// An HTML answer with the portal's security headers.
pub fn html_response(status: StatusCode, html: String) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")))
        .insert_header((header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY)))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .insert_header((header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .insert_header((header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin")))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .insert_header((header::VARY, HeaderValue::from_static("Accept, Accept-Encoding")));
    response.body(html)
}
