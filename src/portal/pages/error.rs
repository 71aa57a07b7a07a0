//! The error pages (404 for what does not exist or may not be seen, 500).

use actix_web::http::StatusCode;
use askama::Template;

use crate::portal::i18n::Msgs;
use crate::portal::{Chrome, Ctx};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    m: Msgs,
    heading: String,
    message: String,
    search_action: String,
    search_label: String,
    search_q: String,
    search_hidden: Vec<(String, String)>,
}

/// Renders the error page for `status`.
pub fn render(ctx: &Ctx, status: StatusCode) -> String {
    let m = ctx.m;
    let (heading, message) = if status == StatusCode::NOT_FOUND {
        (m.t("error-not-found"), m.t("error-not-found-text"))
    } else if status == StatusCode::FORBIDDEN {
        (m.t("error-forbidden"), m.t("error-forbidden-text"))
    } else {
        (m.t("error-internal"), m.t("error-internal-text"))
    };
    render_message(ctx, status, &heading, &message)
}

/// Renders an error page with its own heading and message.
pub fn render_message(ctx: &Ctx, _status: StatusCode, heading: &str, message: &str) -> String {
    let m = ctx.m;
    let (heading, message) = (heading.to_string(), message.to_string());
    let page = ErrorPage {
        chrome: Chrome::new(ctx, heading.clone(), ""),
        m,
        heading,
        message,
        search_action: format!("{}/dataset", ctx.lang.prefix()),
        search_label: m.t("search-label"),
        search_q: String::new(),
        search_hidden: Vec::new(),
    };
    page.render().unwrap_or_else(|error| {
        tracing::error!(%error, "error page failed");
        String::from("<!DOCTYPE html><title>Error</title>")
    })
}
