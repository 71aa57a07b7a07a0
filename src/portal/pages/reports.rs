//! `/ckan-admin/reports/updates?quarter=2026Q3`: the operator's quarterly update compliance
//! report — per department, the datasets due, updated on time, late, not updated — with the
//! datasets that were late or not updated, and the same as CSV (`/ckan-admin/reports/updates.csv`).

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Datelike;
use serde_json::Value;

use crate::actions::{Services, typed};
use crate::portal::forms::{Answer, signed_page};
use crate::portal::i18n::Msgs;
use crate::portal::views::vi_attr;
use crate::portal::{Chrome, Ctx, PageError};

pub struct DepartmentLine {
    pub title: String,
    pub due: u64,
    pub on_time: u64,
    pub late: u64,
    pub not_updated: u64,
    pub pending: u64,
}

pub struct DatasetLine {
    pub name: String,
    pub title: String,
    pub organization: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "report_updates.html")]
struct ReportView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    quarter: String,
    intro: String,
    departments: Vec<DepartmentLine>,
    behind: Vec<DatasetLine>,
}

/// The quarter asked for, else the current one (its updates still pending or done).
pub fn quarter_of(ctx: &Ctx) -> String {
    ctx.param("quarter").map(str::to_string).unwrap_or_else(|| {
        let today = crate::compliance::local_date(crate::store::now());
        format!("{}Q{}", today.year(), today.month0() / 3 + 1)
    })
}

pub fn operator_only(ctx: &Ctx) -> Result<(), PageError> {
    if ctx.action.caller.is_sysadmin() { Ok(()) } else { Err(PageError::Forbidden) }
}

/// `GET /ckan-admin/reports/updates`.
pub async fn page(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    signed_page(request, services, |ctx| {
        operator_only(ctx)?;
        let m = ctx.m;
        let quarter = quarter_of(ctx);
        let report = typed::update_compliance_report(&ctx.action, &quarter).map_err(|_| PageError::NotFound)?;
        let number = |v: &Value, k: &str| v.get(k).and_then(Value::as_u64).unwrap_or_default();
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        let departments = report
            .get("departments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|d| DepartmentLine {
                title: text(d, "title"),
                due: number(d, "due"),
                on_time: number(d, "on_time"),
                late: number(d, "late"),
                not_updated: number(d, "not_updated"),
                pending: number(d, "pending"),
            })
            .collect();
        let behind = report
            .get("datasets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|d| ["late", "not_updated"].contains(&text(d, "status").as_str()))
            .take(500)
            .map(|d| DatasetLine {
                name: text(d, "name"),
                title: text(d, "title"),
                organization: text(d, "organization"),
                status: m.t(&format!("report-status-{}", text(d, "status").replace('_', "-"))),
            })
            .collect();
        let view = ReportView {
            chrome: Chrome::new(ctx, m.with("report-updates-heading", &[("quarter", &quarter)]), "admin"),
            vi_attr: vi_attr(&m),
            intro: m.with(
                "report-updates-intro",
                &[("deadline", &m.date(report.get("deadline").and_then(Value::as_str).unwrap_or_default()))],
            ),
            quarter,
            departments,
            behind,
            m,
        };
        Ok(Answer::ok(view.render()?))
    })
    .await
}

/// `GET /ckan-admin/reports/updates.csv` and `.xlsx`.
pub async fn download(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    download_table(request, services, |ctx| {
        let quarter = quarter_of(ctx);
        let report = typed::update_compliance_report(&ctx.action, &quarter).map_err(|_| PageError::NotFound)?;
        Ok((crate::actions::compliance_report::report_table(&Value::Object(report)), quarter))
    })
    .await
}

/// An operator's report as CSV or XLSX (by the address's extension): `table` answers its rows
/// and the sheet's name.
pub async fn download_table(
    request: HttpRequest,
    services: web::Data<Services>,
    table: impl FnOnce(&Ctx) -> Result<(crate::tabular::Table, String), PageError> + Send + 'static,
) -> HttpResponse {
    let xlsx = request.path().ends_with(".xlsx");
    let answer = signed_page(request, services, move |ctx| {
        operator_only(ctx)?;
        let (rows, sheet) = table(ctx)?;
        let internal = |e: anyhow::Error| PageError::Action(crate::error::ActionError::Internal(e));
        if xlsx {
            Ok(Answer::Bytes(crate::tabular::xlsx(&sheet, &rows).map_err(internal)?))
        } else {
            Ok(Answer::Page(actix_web::http::StatusCode::OK, crate::tabular::csv(&rows).map_err(internal)?))
        }
    })
    .await;
    as_download(answer, xlsx)
}

/// Marks a successful answer as CSV or XLSX.
fn as_download(mut answer: HttpResponse, xlsx: bool) -> HttpResponse {
    if answer.status().is_success() {
        let media = if xlsx { crate::tabular::XLSX_MEDIA_TYPE } else { "text/csv; charset=utf-8" };
        answer
            .headers_mut()
            .insert(actix_web::http::header::CONTENT_TYPE, actix_web::http::header::HeaderValue::from_static(media));
    }
    answer
}
