//! `/`: a search box, the catalogue's counts, the themes, the newest and the recently updated
//! datasets, the departments.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::actions::{SearchQuery, Services, typed};
use crate::portal::i18n::Msgs;
use crate::portal::views::{DatasetSummary, GroupTile};
use crate::portal::{Chrome, Ctx, PageResult, respond};

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    chrome: Chrome,
    m: Msgs,
    search_action: String,
    search_label: String,
    search_q: String,
    search_hidden: Vec<(String, String)>,
    dataset_count: u64,
    organization_count: u64,
    group_count: u64,
    groups: Vec<GroupTile>,
    organizations: Vec<GroupTile>,
    newest: Vec<DatasetSummary>,
    updated: Vec<DatasetSummary>,
}

pub async fn page(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    respond(&request, services, build).await
}

/// Every organisation or group the caller may see (25 a call, CKAN's cap).
pub fn all_groups(ctx: &Ctx, organization: bool) -> Result<Vec<GroupTile>, crate::error::ActionError> {
    let mut tiles = Vec::new();
    loop {
        let page = typed::group_list(&ctx.action, organization, tiles.len(), 25)?;
        let done = page.len() < 25;
        tiles.extend(page.iter().map(GroupTile::of));
        if done || tiles.len() >= 1000 {
            return Ok(tiles);
        }
    }
}

fn latest(ctx: &Ctx, sort: &str) -> Result<(usize, Vec<DatasetSummary>), crate::error::ActionError> {
    let query = SearchQuery { sort: sort.into(), rows: 5, include_private: true, ..SearchQuery::default() };
    let found = typed::package_search(&ctx.action, &query)?;
    Ok((found.count, found.datasets().iter().map(|d| DatasetSummary::of(d, &ctx.m)).collect()))
}

fn build(ctx: &Ctx) -> PageResult {
    let m = ctx.m;
    let (count, newest) = latest(ctx, "metadata_created desc")?;
    let (_, updated) = latest(ctx, "metadata_modified desc")?;
    let organizations = all_groups(ctx, true)?;
    let groups = all_groups(ctx, false)?;
    let page = Home {
        chrome: Chrome::new(ctx, m.t("home-title"), "home"),
        m,
        search_action: format!("{}/dataset", ctx.lang.prefix()),
        search_label: m.t("search-label"),
        search_q: String::new(),
        search_hidden: Vec::new(),
        dataset_count: count as u64,
        organization_count: organizations.len() as u64,
        group_count: groups.len() as u64,
        groups,
        organizations,
        newest,
        updated,
    };
    Ok(page.render()?)
}
