//! `/about`: what the portal is, how its data may be reused, and where machines read it.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::actions::Services;
use crate::portal::i18n::Msgs;
use crate::portal::{Chrome, Ctx, PageResult, respond, views};

#[derive(Template)]
#[template(path = "about.html")]
struct About {
    chrome: Chrome,
    m: Msgs,
    description: String,
    vi_attr: &'static str,
}

pub async fn page(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    respond(&request, services, build).await
}

fn build(ctx: &Ctx) -> PageResult {
    let m = ctx.m;
    let page = About {
        chrome: Chrome::new(ctx, m.t("about-heading"), "about"),
        m,
        description: ctx.services().config.site_description.clone(),
        vi_attr: views::vi_attr(&m),
    };
    Ok(page.render()?)
}
