//! Error reports from the dataset page: `POST /dataset/{id}/report` (a signed-in reader reports
//! an error) and `POST /dataset/{id}/report/{report_id}/answer` (the department answers, and
//! may mark it fixed). Both return to the dataset page's reports.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;

use crate::actions::{Services, typed};
use crate::portal::forms::{Answer, path_param, refusal, signed_form};
use crate::portal::{Ctx, PageError};

/// A report as the dataset page lists it.
pub struct ReportLine {
    pub id: String,
    pub description: String,
    pub reporter: String,
    pub created: String,
    pub answer: String,
    pub answered: bool,
}

/// The dataset's reports not yet fixed, for its page.
pub fn open_reports(ctx: &Ctx, dataset_id: &str) -> Result<Vec<ReportLine>, PageError> {
    let m = ctx.m;
    Ok(typed::error_reports_open(&ctx.action, dataset_id)?
        .iter()
        .map(|report| {
            let text = |key: &str| report.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
            ReportLine {
                id: text("id"),
                description: text("description"),
                reporter: crate::portal::views::user_name_of(report),
                created: m.date_time(&text("created")),
                answered: text("state") == "answered",
                answer: text("answer"),
            }
        })
        .collect())
}

fn back(ctx: &Ctx, id: &str) -> Answer {
    Answer::Redirect(format!("{}/dataset/{id}#error-reports", ctx.lang.prefix()))
}

/// `POST /dataset/{id}/report`.
pub async fn report(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let id = path_param(&request, "id");
    signed_form(request, services, body, move |ctx, form| {
        typed::error_report_create(&ctx.action, &id, form.get("description")).map_err(refusal)?;
        Ok(back(ctx, &id))
    })
    .await
}

/// `POST /dataset/{id}/report/{report_id}/answer`.
pub async fn answer(request: HttpRequest, services: web::Data<Services>, body: web::Bytes) -> HttpResponse {
    let id = path_param(&request, "id");
    let report_id = path_param(&request, "report_id");
    signed_form(request, services, body, move |ctx, form| {
        typed::error_report_answer(&ctx.action, &report_id, form.get("answer"), form.get("fixed") == "true")
            .map_err(refusal)?;
        Ok(back(ctx, &id))
    })
    .await
}
