//! `/organization`, `/group` (lists with counts) and `/organization/{id}`, `/group/{id}` (the
//! description, image, dataset count and a search within).

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::search::{State, kept_fields, pages_of, run};
use crate::actions::{Services, typed};
use crate::portal::i18n::Msgs;
use crate::portal::views::{DatasetSummary, GroupTile, Pager, vi_attr};
use crate::portal::{Chrome, Ctx, PageResult, markdown, respond};

const PER_PAGE: usize = 24;

#[derive(Template)]
#[template(path = "groups.html")]
struct GroupsView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    kind: &'static str,
    heading: String,
    intro: String,
    groups: Vec<GroupTile>,
    pager: Pager,
}

#[derive(Template)]
#[template(path = "group.html")]
struct GroupView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    kind: &'static str,
    kind_title: String,
    title: String,
    image: Option<String>,
    description_html: String,
    dataset_count: u64,
    search_action: String,
    search_label: String,
    search_q: String,
    search_hidden: Vec<(String, String)>,
    error: Option<String>,
    count: u64,
    datasets: Vec<DatasetSummary>,
    pager: Pager,
    /// The signed-in caller's role in this organisation (`admin`, `editor`, `member`).
    capacity: String,
    id: String,
    name: String,
    /// An organisation's average metadata quality over the datasets the caller may see.
    quality: Option<crate::portal::views::QualityView>,
}

fn kind(organization: bool) -> (&'static str, &'static str) {
    if organization { ("organization", "nav-organizations") } else { ("group", "nav-groups") }
}

pub async fn organizations(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    respond(&request, services, |ctx| list(ctx, true)).await
}

pub async fn groups(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    respond(&request, services, |ctx| list(ctx, false)).await
}

pub async fn organization(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let id = request.match_info().get("id").unwrap_or_default().to_string();
    respond(&request, services, move |ctx| show(ctx, &id, true)).await
}

pub async fn group(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let id = request.match_info().get("id").unwrap_or_default().to_string();
    respond(&request, services, move |ctx| show(ctx, &id, false)).await
}

fn list(ctx: &Ctx, organization: bool) -> PageResult {
    let m = ctx.m;
    let (kind, heading_key) = kind(organization);
    let page_number = ctx.param("page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).clamp(1, 1000);
    // One more than a page tells whether a next page exists.
    let mut listed = typed::group_list(&ctx.action, organization, (page_number - 1) * PER_PAGE, PER_PAGE + 1)?;
    let more = listed.len() > PER_PAGE;
    listed.truncate(PER_PAGE);
    let base = format!("{}/{kind}", ctx.lang.prefix());
    let pages = if more { page_number + 1 } else { page_number };
    let pager = Pager::new(&m, page_number, pages, |n| if n == 1 { base.clone() } else { format!("{base}?page={n}") });
    let heading = m.t(heading_key);
    let page = GroupsView {
        chrome: Chrome::new(ctx, heading.clone(), kind),
        m,
        vi_attr: vi_attr(&m),
        kind,
        intro: m.t(if organization { "organizations-intro" } else { "groups-intro" }),
        heading,
        groups: listed.iter().map(GroupTile::of).collect(),
        pager,
    };
    Ok(page.render()?)
}

/// An image the page may show: only one served by this site (no third-party requests), as an
/// absolute address on the site's own origin.
fn own_image(ctx: &Ctx, url: &str) -> Option<String> {
    let site = url::Url::parse(&ctx.site_url()).ok()?;
    let image = site.join(url.trim()).ok()?;
    (!url.trim().is_empty() && image.origin() == site.origin()).then(|| image.to_string())
}

fn show(ctx: &Ctx, id: &str, organization: bool) -> PageResult {
    let m = ctx.m;
    let (kind, kind_key) = kind(organization);
    let group = typed::group_show(&ctx.action, id, organization)?;
    let name = group.name().to_string();
    let title = group.display_title().to_string();
    let state = State::read(ctx);
    let field = if organization { "owner_org" } else { "groups" };
    let value = if organization { group.id() } else { group.name() };
    let scope = vec![crate::actions::exact_filter(field, value)];
    let (found, error) = run(ctx, &state, &state.search_query(&scope, false))?;
    let count = found.as_ref().map_or(0, |f| f.count);
    let base = format!("{}/{kind}/{name}", ctx.lang.prefix());
    let pages = pages_of(count);

    let pager = Pager::new(&m, state.page, pages, |n| State { page: n, ..state.clone() }.href(&base));
    let page = GroupView {
        chrome: Chrome::new(ctx, title.clone(), kind),
        m,
        vi_attr: vi_attr(&m),
        kind,
        kind_title: m.t(kind_key),
        image: own_image(ctx, group.image_url()),
        description_html: markdown::to_html(group.description()),
        dataset_count: group.package_count().unwrap_or(0),
        search_action: base.clone(),
        search_label: m.with("group-search-label", &[("title", &title)]),
        search_q: state.q.clone(),
        search_hidden: kept_fields(&state),
        error,
        count: count as u64,
        datasets: found.map(|f| f.datasets().iter().map(|d| DatasetSummary::of(d, &m)).collect()).unwrap_or_default(),
        pager,
        title,
        capacity: caller_capacity(ctx, &group, organization),
        quality: if organization {
            let average = crate::actions::quality::department_quality(&ctx.action, group.id())?;
            (average.get("datasets").and_then(serde_json::Value::as_u64).unwrap_or_default() > 0)
                .then(|| crate::portal::views::QualityView::of(&m, &average))
        } else {
            None
        },
        id: group.id().to_string(),
        name,
    };
    Ok(page.render()?)
}

/// The signed-in caller's role in an organisation (empty for groups and anonymous callers).
fn caller_capacity(ctx: &Ctx, group: &crate::model::Group, organization: bool) -> String {
    if !organization || ctx.session.is_none() {
        return String::new();
    }
    let mine = typed::organizations_of_caller(&ctx.action, "read").unwrap_or_default();
    mine.iter()
        .find(|g| g.id() == group.id())
        .and_then(|g| g.0.get("capacity").and_then(|c| c.as_str()).map(str::to_string))
        .unwrap_or_default()
}
