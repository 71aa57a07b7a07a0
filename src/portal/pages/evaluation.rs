//! `/ckan-admin/reports/evaluation?year=2026`: the annual evaluation per department for the
//! operator (due 31 December) — datasets, metadata quality along the MQA dimensions, and the
//! year's update compliance — and the same as CSV (`/ckan-admin/reports/evaluation.csv`).

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::Value;

use super::reports::{download_table, operator_only};
use crate::actions::{Services, typed};
use crate::portal::forms::{Answer, signed_page};
use crate::portal::i18n::Msgs;
use crate::portal::views::vi_attr;
use crate::portal::{Chrome, Ctx, PageError};

pub struct EvaluationLine {
    pub title: String,
    pub datasets: u64,
    pub quality: u64,
    pub rating: String,
    pub dimensions: Vec<u64>,
    pub due: u64,
    pub on_time: u64,
    pub late: u64,
    pub not_updated: u64,
}

#[derive(Template)]
#[template(path = "report_evaluation.html")]
struct EvaluationView {
    chrome: Chrome,
    m: Msgs,
    vi_attr: &'static str,
    year: String,
    intro: String,
    dimensions: Vec<String>,
    departments: Vec<EvaluationLine>,
}

fn year_of(ctx: &Ctx) -> String {
    ctx.param("year")
        .map(str::to_string)
        .unwrap_or_else(|| crate::compliance::local_date(crate::store::now()).format("%Y").to_string())
}

/// `GET /ckan-admin/reports/evaluation`.
pub async fn page(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    signed_page(request, services, |ctx| {
        operator_only(ctx)?;
        let m = ctx.m;
        let year = year_of(ctx);
        let report = typed::annual_evaluation_report(&ctx.action, &year).map_err(|_| PageError::NotFound)?;
        let number = |v: &Value, k: &str| v.get(k).and_then(Value::as_u64).unwrap_or_default();
        let names = crate::workflows::quality::DIMENSIONS;
        let departments = report
            .get("departments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|d| EvaluationLine {
                title: d.get("title").and_then(Value::as_str).unwrap_or_default().to_string(),
                datasets: number(d, "datasets"),
                quality: number(d, "quality"),
                rating: d
                    .get("quality_rating")
                    .and_then(Value::as_str)
                    .map(|r| m.t(&format!("quality-rating-{r}")))
                    .unwrap_or_default(),
                dimensions: names
                    .iter()
                    .map(|(name, _)| d.get("dimensions").and_then(|x| x.get(*name)).map_or(0, |x| number(x, "score")))
                    .collect(),
                due: number(d, "updates_due"),
                on_time: number(d, "updated_on_time"),
                late: number(d, "updated_late"),
                not_updated: number(d, "not_updated"),
            })
            .collect();
        let due = report.get("due").and_then(Value::as_str).unwrap_or_default().to_string();
        let view = EvaluationView {
            chrome: Chrome::new(ctx, m.with("evaluation-heading", &[("year", &year)]), "admin"),
            vi_attr: vi_attr(&m),
            intro: m.with("evaluation-intro", &[("due", &m.date(&due))]),
            dimensions: names
                .iter()
                .map(|(name, max)| format!("{} ({max})", m.t(&format!("quality-{name}"))))
                .collect(),
            year,
            departments,
            m,
        };
        Ok(Answer::ok(view.render()?))
    })
    .await
}

/// `GET /ckan-admin/reports/evaluation.csv` and `.xlsx`.
pub async fn download(request: HttpRequest, services: web::Data<Services>) -> HttpResponse {
    download_table(request, services, |ctx| {
        let year = year_of(ctx);
        let report = typed::annual_evaluation_report(&ctx.action, &year).map_err(|_| PageError::NotFound)?;
        Ok((crate::actions::quality::evaluation_table(&Value::Object(report)), year))
    })
    .await
}
