//! `/dashboard`: a signed-in user's start page: datasets of their organisations due for their
//! periodic update (`crate::compliance`), their own datasets (drafts and private ones
//! included), their organisations with their role, and the recent activity of those
//! organisations. `/dashboard/datasets` and `/dashboard/organizations` (CKAN's addresses) lead
//! to its sections.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Datelike;
use serde_json::Value;

use crate::actions::{SearchQuery, Services, exact_filter, typed};
use crate::model::{Dataset, text};
use crate::portal::forms::{Answer, signed_page};
use crate::portal::i18n::Msgs;
use crate::portal::views::{ActivityLine, DatasetSummary, vi_attr};
use crate::portal::{Chrome, Ctx, PageError};

/// Datasets due for update shown at most.
const DUE_SHOWN: usize = 50;
/// Candidates read from the index at a time (oldest change first), and at most in all.
const DUE_PAGE: usize = 100;
const DUE_SCAN: usize = 1000;
/// Organisations whose activity the dashboard reads.
const ACTIVITY_ORGANIZATIONS: usize = 8;

pub struct DueLine {
    pub name: String,
    pub title: String,
    pub organization: String,
    pub frequency: String,
    pub last_update: String,
    pub deadline: String,
    pub overdue: bool,
}

pub struct OrganizationLine {
    pub name: String,
    pub title: String,
    pub role: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    due: Vec<DueLine>,
    due_more: bool,
    mine: Vec<DatasetSummary>,
    organizations: Vec<OrganizationLine>,
    activities: Vec<ActivityLine>,
    /// Whether the user may create datasets in some organisation.
    can_create: bool,
    /// Access requests waiting on this user: to decide (their department's pending ones) or,
    /// for the operator, to issue (approved ones).
    access_waiting: usize,
    /// Access requests whose connection account is overdue.
    access_overdue: u64,
    /// Datasets of the user's departments past their online retention (count, first ones).
    expired_count: u64,
    expired: Vec<ExpiredLine>,
}

/// A dataset past its online retention.
pub struct ExpiredLine {
    pub name: String,
    pub title: String,
    pub organization: String,
    pub until: String,
}

/// `GET /dashboard/datasets`, `/dashboard/organizations`: the dashboard's section.
pub async fn section(request: HttpRequest) -> HttpResponse {
    let lang = crate::portal::i18n::Lang::of_path(request.path());
    let anchor = if request.path().ends_with("organizations") { "organizations" } else { "datasets" };
    HttpResponse::SeeOther().insert_header((header::LOCATION, format!("{}/dashboard#{anchor}", lang.prefix()))).finish()
}

/// `GET /dashboard`.
pub async fn page(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    signed_page(request, services, |ctx| Ok(Answer::ok(build(ctx)?))).await
}

fn search(ctx: &Ctx, filters: Vec<String>, sort: &str, start: usize, rows: usize) -> Result<Vec<Dataset>, PageError> {
    let query = SearchQuery {
        fq_list: filters,
        sort: sort.to_string(),
        start,
        rows,
        include_private: true,
        include_drafts: true,
        ..SearchQuery::default()
    };
    Ok(typed::package_search(&ctx.action, &query)?.datasets())
}

fn any_of(field: &str, values: &[&str]) -> String {
    let clauses: Vec<String> = values.iter().map(|v| exact_filter(field, v)).collect();
    format!("({})", clauses.join(" OR "))
}

fn build(ctx: &Ctx) -> Result<String, PageError> {
    let m = ctx.m;
    let user_id = ctx.action.caller.user_id().unwrap_or_default().to_string();
    let memberships = typed::organizations_of_caller(&ctx.action, "read")?;
    let role_of = |g: &crate::model::Group| g.0.get("capacity").and_then(Value::as_str).unwrap_or_default().to_string();
    let editable: Vec<&str> =
        memberships.iter().filter(|g| matches!(role_of(g).as_str(), "admin" | "editor")).map(|g| g.id()).collect();
    let today = crate::compliance::local_date(crate::store::now());
    let mut due = Vec::new();
    if !editable.is_empty() {
        // Only datasets with a fixed period, not changed since this month began (any later
        // change is within the current period of every frequency), oldest first.
        let periodic: Vec<&str> = crate::compliance::PERIODIC_FREQUENCIES.to_vec();
        // The local month's first instant, in UTC as the index holds times.
        let local_month = today.with_day(1).unwrap_or(today).and_hms_opt(0, 0, 0).unwrap_or_default();
        let month_start =
            (local_month - chrono::Duration::hours(crate::compliance::UTC_OFFSET_HOURS)).format("%Y-%m-%dT%H:%M:%SZ");
        let filters = vec![
            any_of("owner_org", &editable),
            any_of("tan_suat_cap_nhat", &periodic),
            format!("metadata_modified:[* TO {month_start}]"),
        ];
        // Oldest change first: the first ones owed are the most overdue; read a page at a
        // time until more than a page's worth is owed.
        let mut start = 0;
        while due.len() <= DUE_SHOWN && start < DUE_SCAN {
            let page = search(ctx, filters.clone(), "metadata_modified asc", start, DUE_PAGE)?;
            start += DUE_PAGE;
            let exhausted = page.len() < DUE_PAGE;
            for dataset in page {
                let frequency = text(&dataset.0, "tan_suat_cap_nhat");
                let modified = dataset.metadata_modified();
                let parsed =
                    modified.get(..19).and_then(|d| chrono::NaiveDateTime::parse_from_str(d, "%Y-%m-%dT%H:%M:%S").ok());
                let Some(last) = parsed.map(crate::compliance::local_date) else { continue };
                if let Some((deadline, overdue)) = crate::compliance::owed(frequency, last, today) {
                    due.push(DueLine {
                        name: dataset.name().to_string(),
                        title: dataset.display_title().to_string(),
                        organization: DatasetSummary::of(&dataset, &m).organization,
                        frequency: super::search::choice_label(ctx, "tan_suat_cap_nhat", frequency)
                            .unwrap_or_else(|| frequency.to_string()),
                        last_update: m.date(modified),
                        deadline: m.date(&deadline.format("%Y-%m-%d").to_string()),
                        overdue,
                    });
                }
            }
            if exhausted {
                break;
            }
        }
    }
    due.sort_by_key(|d| !d.overdue);
    let due_more = due.len() > DUE_SHOWN;
    due.truncate(DUE_SHOWN);
    let mine = search(ctx, vec![exact_filter("creator_user_id", &user_id)], "metadata_modified desc", 0, 20)?;
    let mut activities: Vec<ActivityLine> = Vec::new();
    for organization in memberships.iter().take(ACTIVITY_ORGANIZATIONS) {
        let listed = typed::organization_activity_list(&ctx.action, organization.id(), 10)?;
        activities.extend(listed.iter().map(|a| ActivityLine::of(a, &m)));
    }
    activities.sort_by(|a, b| b.timestamp.cmp(&a.timestamp));
    activities.dedup_by(|a, b| a.id == b.id);
    activities.truncate(15);
    let operator = ctx.action.caller.is_sysadmin();
    let access_requests = typed::access_request_list(&ctx.action, None)?;
    let access_waiting = access_requests
        .iter()
        .filter(|r| match text(r, "state") {
            "approved" => operator,
            "pending" => editable.contains(&text(r, "organization_id")),
            _ => false,
        })
        .count();
    // Past the operator's deadline for the connection account: flagged for everyone concerned.
    let access_overdue =
        access_requests.iter().filter(|r| r.get("issue_overdue").and_then(Value::as_bool).unwrap_or_default()).count()
            as u64;
    let (expired_count, expired) = typed::retention_list(&ctx.action, 20)?;
    let expired = expired
        .iter()
        .map(|d| ExpiredLine {
            name: text(d, "name").to_string(),
            title: text(d, "title").to_string(),
            organization: d.get("organization").and_then(Value::as_str).unwrap_or_default().to_string(),
            until: m.date(text(d, "online_until")),
        })
        .collect();
    let view = DashboardView {
        chrome: Chrome::new(ctx, m.t("dashboard-heading"), "dashboard"),
        m,
        vi_attr: vi_attr(&m),
        due,
        due_more,
        mine: mine.iter().map(|d| DatasetSummary::of(d, &m)).collect(),
        organizations: memberships
            .iter()
            .map(|g| {
                let role = role_of(g);
                OrganizationLine {
                    name: g.name().to_string(),
                    title: g.display_title().to_string(),
                    role: m.t(&format!("role-{role}")),
                }
            })
            .collect(),
        activities,
        can_create: !editable.is_empty(),
        access_waiting,
        access_overdue,
        expired_count,
        expired,
    };
    Ok(view.render()?)
}
