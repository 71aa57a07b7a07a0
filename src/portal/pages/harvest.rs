//! Harvest sources for the people who run them (`/harvest`, `/harvest/{name}`): the sources of
//! the organisations the caller edits, each with its settings, its jobs and their counts, the
//! report of a job (the gather errors and every failed record with its message), and buttons
//! that start a job now or abort the running one — all through the harvest actions.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::{Map, Value};

use crate::actions::{Services, typed};
use crate::model::text;
use crate::portal::Chrome;
use crate::portal::forms::{Answer, path_param, refusal, signed_form, signed_page};
use crate::portal::i18n::Msgs;
use crate::portal::views::vi_attr;

/// Failed records shown in a job's report at most.
const REPORT_LINES: usize = 100;

pub struct SourceLine {
    pub name: String,
    pub title: String,
    pub source_type: String,
    pub frequency: String,
    pub datasets: u64,
    pub last_job: String,
}

pub struct JobLine {
    pub id: String,
    pub created: String,
    pub status: String,
    pub added: u64,
    pub updated: u64,
    pub not_modified: u64,
    pub deleted: u64,
    pub errored: u64,
    pub gather_errors: u64,
    pub selected: bool,
}

pub struct FailedRecord {
    pub guid: String,
    pub url: Option<String>,
    pub messages: Vec<String>,
}

#[derive(Template)]
#[template(path = "harvest_sources.html")]
struct SourcesView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    sources: Vec<SourceLine>,
}

#[derive(Template)]
#[template(path = "harvest_source.html")]
struct SourceView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    name: String,
    title: String,
    url: String,
    source_type: String,
    frequency: String,
    organization: String,
    organization_title: String,
    datasets: u64,
    running: bool,
    jobs: Vec<JobLine>,
    report: Option<JobLine>,
    gather_errors: Vec<String>,
    failed: Vec<FailedRecord>,
}

fn number(dict: &Value, key: &str) -> u64 {
    dict.get(key).and_then(Value::as_u64).unwrap_or_default()
}

fn source_type_title(m: &Msgs, name: &str) -> String {
    if crate::harvest::config::SOURCE_TYPES.iter().any(|(n, _, _)| *n == name) {
        m.t(&format!("harvest-type-{}", name.replace('_', "-")))
    } else {
        name.to_string()
    }
}

fn job_line(m: &Msgs, job: &Map<String, Value>, selected: &str) -> JobLine {
    let stats = job.get("stats").cloned().unwrap_or_default();
    let id = text(job, "id").to_string();
    JobLine {
        selected: id == selected,
        id,
        created: m.date_time(text(job, "created")),
        status: m.t(&format!("harvest-status-{}", text(job, "status").to_lowercase())),
        added: number(&stats, "added"),
        updated: number(&stats, "updated"),
        not_modified: number(&stats, "not modified"),
        deleted: number(&stats, "deleted"),
        errored: number(&stats, "errored"),
        gather_errors: job.get("gather_error_count").and_then(Value::as_u64).unwrap_or_default(),
    }
}

fn messages(errors: Option<&Value>) -> Vec<String> {
    errors
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("message").and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// `GET /harvest`: the sources of the organisations the caller edits.
pub async fn list(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    signed_page(request, services, move |ctx| {
        let m = ctx.m;
        let sources = typed::harvest_sources_editable(&ctx.action)?
            .iter()
            .map(|source| {
                let status = source.get("status").cloned().unwrap_or_default();
                let last_job = status.get("last_job").and_then(Value::as_object).map_or_else(
                    || m.t("harvest-never"),
                    |job| format!("{} · {}", job_line(&m, job, "").status, m.date_time(text(job, "created"))),
                );
                SourceLine {
                    name: text(source, "name").to_string(),
                    title: text(source, "title").to_string(),
                    source_type: source_type_title(&m, text(source, "source_type")),
                    frequency: m.t(&format!("harvest-frequency-{}", text(source, "frequency").to_lowercase())),
                    datasets: number(&status, "total_datasets"),
                    last_job,
                }
            })
            .collect();
        let view = SourcesView {
            chrome: Chrome::new(ctx, m.t("harvest-heading"), "dashboard"),
            m,
            vi_attr: vi_attr(&m),
            sources,
        };
        Ok(Answer::ok(view.render()?))
    })
    .await
}

/// `GET /harvest/{name}`: the source, its jobs, and the report of `?job=` (else the newest).
pub async fn page(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    let name = path_param(&request, "name");
    signed_page(request, services, move |ctx| {
        let m = ctx.m;
        let source = typed::harvest_source_show(&ctx.action, &name)?;
        // Only the source's editors see its jobs.
        let jobs = typed::harvest_job_list(&ctx.action, text(&source, "id")).map_err(refusal)?;
        let selected = ctx.param("job").map(str::to_string).or_else(|| jobs.first().map(|j| text(j, "id").to_string()));
        let selected = selected.unwrap_or_default();
        let lines: Vec<JobLine> = jobs.iter().map(|job| job_line(&m, job, &selected)).collect();
        let report_job = jobs.iter().find(|j| text(j, "id") == selected);
        let (gather_errors, failed) = match report_job {
            Some(job) => {
                let report = typed::harvest_job_report(&ctx.action, text(job, "id"))?;
                let failed = report
                    .get("object_errors")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flat_map(|objects| objects.values())
                    .take(REPORT_LINES)
                    .map(|object| FailedRecord {
                        guid: object.get("guid").and_then(Value::as_str).unwrap_or_default().to_string(),
                        url: object
                            .get("original_url")
                            .and_then(Value::as_str)
                            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
                            .map(str::to_string),
                        messages: messages(object.get("errors")),
                    })
                    .collect();
                (messages(report.get("gather_errors")), failed)
            }
            None => (Vec::new(), Vec::new()),
        };
        let organization = source.get("organization").cloned().unwrap_or_default();
        let view = SourceView {
            chrome: Chrome::new(ctx, text(&source, "title").to_string(), "dashboard"),
            vi_attr: vi_attr(&m),
            name: text(&source, "name").to_string(),
            title: text(&source, "title").to_string(),
            url: text(&source, "url").to_string(),
            source_type: source_type_title(&m, text(&source, "source_type")),
            frequency: m.t(&format!("harvest-frequency-{}", text(&source, "frequency").to_lowercase())),
            organization: organization.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
            organization_title: organization.get("title").and_then(Value::as_str).unwrap_or_default().to_string(),
            datasets: source.get("status").map(|s| number(s, "total_datasets")).unwrap_or_default(),
            running: jobs.first().is_some_and(|j| ["New", "Running"].contains(&text(j, "status"))),
            report: report_job.map(|job| job_line(&m, job, &selected)),
            jobs: lines,
            gather_errors,
            failed,
            m,
        };
        Ok(Answer::ok(view.render()?))
    })
    .await
}

/// `POST /harvest/{name}/run`: a job now (the scheduler starts it within seconds).
pub async fn run(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let name = path_param(&request, "name");
    signed_form(request, services, body, move |ctx, _| {
        let source = typed::harvest_source_show(&ctx.action, &name)?;
        typed::harvest_job_create(&ctx.action, text(&source, "id")).map_err(refusal)?;
        Ok(Answer::Redirect(format!("{}/harvest/{}", ctx.lang.prefix(), text(&source, "name"))))
    })
    .await
}

/// `POST /harvest/{name}/abort`: ends the source's running job.
pub async fn abort(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let name = path_param(&request, "name");
    signed_form(request, services, body, move |ctx, _| {
        let source = typed::harvest_source_show(&ctx.action, &name)?;
        typed::harvest_job_abort(&ctx.action, text(&source, "id")).map_err(refusal)?;
        Ok(Answer::Redirect(format!("{}/harvest/{}", ctx.lang.prefix(), text(&source, "name"))))
    })
    .await
}
