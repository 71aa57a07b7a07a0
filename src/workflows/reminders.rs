//! Reminders of the quarterly update duty: when the deadline of a quarter's update (15 days
//! after the next quarter began) is `[workflows] reminder_working_days` working days away or
//! less, each department with datasets still owing that update gets one mail (to its editors
//! and admins) listing them. Once per quarter: the claim is a site setting written in the same
//! transaction as the mail, so several nodes never send it twice. Likewise the operator is
//! told when the People's Committee summary is due (by the 25th of the quarter's last month).

use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

use crate::actions::Services;
use crate::auth::Caller;
use crate::mail::{self, Mail};
use crate::store::settings;

/// The quarters whose update deadline has not passed on `today`: the last one and this one.
fn open_quarters(today: NaiveDate) -> Vec<String> {
    let this = (today.month() - 1) / 3 + 1;
    let last = if this == 1 { format!("{}Q4", today.year() - 1) } else { format!("{}Q{}", today.year(), this - 1) };
    vec![last, format!("{}Q{this}", today.year())]
}

/// Queues the reminders due on `today` (the province's date); returns how many departments
/// were reminded.
pub fn queue_due(services: &Services, today: NaiveDate) -> anyhow::Result<usize> {
    if services.config.smtp.host.is_none() {
        return Ok(0);
    }
    let mut reminded = 0;
    for quarter in open_quarters(today) {
        let Some((_, _, _, deadline)) = crate::compliance::quarter(&quarter) else { continue };
        let ahead = services.config.workflows.reminder_working_days;
        if today > deadline || services.calendar.working_days_between(today, deadline) > ahead {
            continue;
        }
        let key = format!("quarterly_reminder_{quarter}");
        if services.store.read(|tx| settings::get(tx, &key))?.is_some() {
            continue;
        }
        let report = crate::actions::call_by_name(
            services,
            Caller::system(),
            "update_compliance_report",
            json!({"quarter": quarter}),
        )
        .map_err(|e| anyhow::anyhow!("compliance report: {}", e.to_error_object()))?;
        let mut owing: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for dataset in report.get("datasets").and_then(Value::as_array).into_iter().flatten() {
            if dataset.get("status").and_then(Value::as_str) == Some("pending") {
                let org = dataset.get("owner_org").and_then(Value::as_str).unwrap_or_default().to_string();
                let title = dataset
                    .get("title")
                    .and_then(Value::as_str)
                    .or_else(|| dataset.get("name").and_then(Value::as_str));
                owing.entry(org).or_default().push(title.unwrap_or_default().to_string());
            }
        }
        let site = services.config.effective_site_url();
        let stamp = crate::store::now().to_string();
        reminded += services.store.write(|tx| -> anyhow::Result<usize> {
            if settings::get_or_insert(tx, &key, || stamp.clone())? != stamp {
                return Ok(0);
            }
            for (org, titles) in &owing {
                let list = titles.iter().map(|t| format!("- {t}")).collect::<Vec<_>>().join("\n");
                let subject = format!("[Kho] Nhắc cập nhật dữ liệu quý {quarter}: hạn {deadline}");
                let vi = format!("Các tập dữ liệu sau của đơn vị chưa được cập nhật cho quý {quarter}; hạn cập nhật là hết ngày {deadline}:\n\n{list}");
                let en = format!("These datasets of your department are not yet updated for {quarter}; the deadline is the end of {deadline}:\n\n{list}");
                let recipients = mail::department_addresses(tx, org)?;
                mail::queue(tx, &services.config, &recipients, &Mail::bilingual(&subject, &vi, &en, &format!("{site}/dashboard")))?;
            }
            Ok(owing.len())
        })?;
    }
    reminded += queue_summary_reminder(services, today)?;
    Ok(reminded)
}

/// Tells the operator, once, when the People's Committee summary of this quarter is due within
/// `reminder_working_days` working days (by the 25th of the quarter's last month); returns 1
/// when it queued the mail.
fn queue_summary_reminder(services: &Services, today: NaiveDate) -> anyhow::Result<usize> {
    let Some(quarter) = open_quarters(today).pop() else { return Ok(0) };
    let Some((_, _, end, _)) = crate::compliance::quarter(&quarter) else { return Ok(0) };
    let due = NaiveDate::from_ymd_opt(end.year(), end.month(), 25).unwrap_or(end);
    if today > due
        || services.calendar.working_days_between(today, due) > services.config.workflows.reminder_working_days
    {
        return Ok(0);
    }
    let key = format!("summary_reminder_{quarter}");
    if services.store.read(|tx| settings::get(tx, &key))?.is_some() {
        return Ok(0);
    }
    let link = format!("{}/ckan-admin/reports/summary?quarter={quarter}", services.config.effective_site_url());
    let stamp = crate::store::now().to_string();
    services.store.write(|tx| -> anyhow::Result<usize> {
        if settings::get_or_insert(tx, &key, || stamp.clone())? != stamp {
            return Ok(0);
        }
        let subject = format!("[Kho] Báo cáo quý {quarter} gửi UBND tỉnh: hạn {due}");
        let vi = format!("Báo cáo tổng hợp quý {quarter} gửi Ủy ban nhân dân tỉnh cần gửi trước ngày {due}. Báo cáo đã sẵn sàng (CSV, Excel):");
        let en = format!("The {quarter} summary for the Provincial People's Committee is due before {due}. It is ready (CSV, Excel):");
        let recipients = mail::operator_addresses(tx)?;
        mail::queue(tx, &services.config, &recipients, &Mail::bilingual(&subject, &vi, &en, &link))?;
        Ok(1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_and_this_quarter_are_open() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(open_quarters(day("2027-01-12")), ["2026Q4", "2027Q1"]);
        assert_eq!(open_quarters(day("2026-12-03")), ["2026Q3", "2026Q4"]);
    }
}
