//! `/ckan-admin/reports/summary?quarter=2026Q4`: the operator's quarterly summary for the
//! Provincial People's Committee (before the 25th of the quarter's last month), with its CSV and
//! XLSX (`/ckan-admin/reports/summary.csv`, `.xlsx`).

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::Value;

use super::reports::{DepartmentLine, download_table, operator_only, quarter_of};
use crate::actions::{Services, typed};
use crate::portal::forms::{Answer, signed_page};
use crate::portal::i18n::Msgs;
use crate::portal::views::vi_attr;
use crate::portal::{Chrome, PageError};

/// The sections after the update compliance, in order.
const SECTIONS: [&str; 5] = ["datasets", "datarequests", "access_requests", "error_reports", "suspensions"];

pub struct Section {
    pub heading: String,
    pub lines: Vec<(String, u64)>,
}

#[derive(Template)]
#[template(path = "report_summary.html")]
struct SummaryView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    quarter: String,
    intro: String,
    updates_heading: String,
    updates: Vec<(String, u64)>,
    departments: Vec<DepartmentLine>,
    sections: Vec<Section>,
}

fn label(m: &Msgs, section: &str, indicator: &str) -> String {
    m.t(&format!("summary-{}-{}", section.replace('_', "-"), indicator.replace('_', "-")))
}

/// `GET /ckan-admin/reports/summary`.
pub async fn page(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    signed_page(request, services, |ctx| {
        operator_only(ctx)?;
        let m = ctx.m;
        let quarter = quarter_of(ctx);
        let report = typed::quarterly_summary_report(&ctx.action, &quarter).map_err(|_| PageError::NotFound)?;
        let number = |v: Option<&Value>, k: &str| v.and_then(|v| v.get(k)).and_then(Value::as_u64).unwrap_or_default();
        let text = |v: Option<&Value>, k: &str| {
            v.and_then(|v| v.get(k)).and_then(Value::as_str).unwrap_or_default().to_string()
        };
        let updates = report.get("updates");
        let sections = SECTIONS
            .iter()
            .map(|section| Section {
                heading: m.t(&format!("summary-{}", section.replace('_', "-"))),
                lines: report
                    .get(*section)
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (label(&m, section, k), v.as_u64().unwrap_or_default()))
                    .collect(),
            })
            .collect();
        let departments = updates
            .and_then(|u| u.get("departments"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|d| DepartmentLine {
                title: text(Some(d), "title"),
                due: number(Some(d), "due"),
                on_time: number(Some(d), "on_time"),
                late: number(Some(d), "late"),
                not_updated: number(Some(d), "not_updated"),
                pending: number(Some(d), "pending"),
            })
            .collect();
        let view = SummaryView {
            chrome: Chrome::new(ctx, m.with("summary-heading", &[("quarter", &quarter)]), "admin"),
            vi_attr: vi_attr(&m),
            intro: m.with(
                "summary-intro",
                &[("due", &m.date(report.get("due").and_then(Value::as_str).unwrap_or_default()))],
            ),
            updates_heading: m.with(
                "summary-updates",
                &[("quarter", &text(updates, "quarter")), ("deadline", &m.date(&text(updates, "deadline")))],
            ),
            updates: ["due", "on_time", "late", "not_updated", "pending"]
                .iter()
                .map(|k| (label(&m, "updates", k), number(updates, k)))
                .collect(),
            departments,
            sections,
            quarter,
            m,
        };
        Ok(Answer::ok(view.render()?))
    })
    .await
}

/// `GET /ckan-admin/reports/summary.csv` and `.xlsx`.
pub async fn download(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    download_table(request, services, |ctx| {
        let quarter = quarter_of(ctx);
        let report = typed::quarterly_summary_report(&ctx.action, &quarter).map_err(|_| PageError::NotFound)?;
        Ok((crate::actions::summary_report::summary_table(&Value::Object(report)), quarter))
    })
    .await
}
