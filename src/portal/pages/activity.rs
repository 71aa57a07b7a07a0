//! `/dataset/activity/{id}`: a dataset's activity stream, where the caller may see it.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::actions::{Services, typed};
use crate::portal::i18n::Msgs;
use crate::portal::views::{ActivityLine, Pager, vi_attr};
use crate::portal::{Chrome, Ctx, PageResult, respond};

const PER_PAGE: usize = 30;

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    name: String,
    title: String,
    activities: Vec<ActivityLine>,
    pager: Pager,
}

pub async fn page(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let id = request.match_info().get("id").unwrap_or_default().to_string();
    respond(&request, services, move |ctx| build(ctx, &id)).await
}

fn build(ctx: &Ctx, id: &str) -> PageResult {
    let m = ctx.m;
    let dataset = typed::package_show(&ctx.action, id)?;
    let page_number = ctx.param("page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).clamp(1, 1000);
    // One more than a page tells whether an older page exists.
    let mut listed =
        typed::package_activity_list(&ctx.action, dataset.id(), (page_number - 1) * PER_PAGE, PER_PAGE + 1)?;
    let older = listed.len() > PER_PAGE;
    listed.truncate(PER_PAGE);
    let name = dataset.name().to_string();
    let base = format!("{}/dataset/activity/{name}", ctx.lang.prefix());
    let pages = if older { page_number + 1 } else { page_number };
    let pager = Pager::new(&m, page_number, pages, |n| if n == 1 { base.clone() } else { format!("{base}?page={n}") });
    let title = dataset.display_title().to_string();
    let page = ActivityView {
        chrome: Chrome::new(ctx, format!("{} · {title}", m.t("activity-heading")), "dataset"),
        m,
        vi_attr: vi_attr(&m),
        activities: listed.iter().map(|a| ActivityLine::of(a, &m)).collect(),
        pager,
        name,
        title,
    };
    Ok(page.render()?)
}
