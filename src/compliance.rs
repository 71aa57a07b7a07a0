//! When a dataset is due for its periodic update. The provincial rules make departments update
//! their data every quarter, at the latest 15 days after the first day of the next quarter;
//! Kho applies the same rule to each dataset's own period (`tan_suat_cap_nhat`): a dataset last
//! updated in one period must be updated again in the next period, at the latest 15 days after
//! the first day of the period that follows it. Dates are the province's (UTC+7). Working days and holidays come later (the provincial workflows).

use chrono::{Datelike, Months, NaiveDate};

/// The provinces' time (Asia/Ho_Chi_Minh, UTC+7, no daylight saving): periods are local.
pub const UTC_OFFSET_HOURS: i64 = 7;

/// The local date of a UTC time.
pub fn local_date(utc: chrono::NaiveDateTime) -> NaiveDate {
    (utc + chrono::Duration::hours(UTC_OFFSET_HOURS)).date()
}

/// Days after a period's end by which its update is due.
pub const GRACE_DAYS: u64 = 15;

/// The update frequencies with a fixed period (`tan_suat_cap_nhat` values).
pub const PERIODIC_FREQUENCIES: [&str; 4] = ["hang-thang", "hang-quy", "6-thang", "hang-nam"];

/// The length in months of an update frequency (`None`: no fixed period, never due).
pub fn period_months(frequency: &str) -> Option<u32> {
    match frequency {
        "hang-thang" => Some(1),
        "hang-quy" => Some(3),
        "6-thang" => Some(6),
        "hang-nam" => Some(12),
        _ => None,
    }
}

/// The first day of the calendar period of `months` months that contains `day`.
fn period_start(day: NaiveDate, months: u32) -> NaiveDate {
    let month0 = day.month0() / months * months;
    NaiveDate::from_ymd_opt(day.year(), month0 + 1, 1).unwrap_or(day)
}

/// The next update a dataset owes: `(the period it must be updated in starts, deadline)`.
pub fn next_update(frequency: &str, last_update: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let months = period_months(frequency)?;
    let next_period = period_start(last_update, months).checked_add_months(Months::new(months))?;
    let after_it = next_period.checked_add_months(Months::new(months))?;
    Some((next_period, after_it.checked_add_days(chrono::Days::new(GRACE_DAYS))?))
}

/// Whether a dataset owes an update on `today`: its next period has begun. Returns the
/// deadline and whether it has passed.
pub fn owed(frequency: &str, last_update: NaiveDate, today: NaiveDate) -> Option<(NaiveDate, bool)> {
    let (starts, deadline) = next_update(frequency, last_update)?;
    (today >= starts).then_some((deadline, today > deadline))
}

/// A quarter written `2026Q3`: `(its number, its first day, its last day, the deadline of its
/// update: 15 days after the first day of the next quarter)`.
pub fn quarter(text: &str) -> Option<(u32, NaiveDate, NaiveDate, NaiveDate)> {
    let upper = text.trim().to_uppercase();
    let (year, number) = upper.split_once('Q')?;
    let (year, number): (i32, u32) = (year.parse().ok()?, number.parse().ok()?);
    if !(1..=4).contains(&number) {
        return None;
    }
    let start = NaiveDate::from_ymd_opt(year, number * 3 - 2, 1)?;
    let next = start.checked_add_months(Months::new(3))?;
    Some((number, start, next.pred_opt()?, next.checked_add_days(chrono::Days::new(GRACE_DAYS))?))
}

/// Whether a dataset of this update frequency owes an update for quarter `number`: monthly and
/// quarterly ones every quarter, half-yearly ones in the second and fourth, yearly ones in the
/// fourth.
pub fn due_in_quarter(frequency: &str, number: u32) -> bool {
    match frequency {
        "hang-thang" | "hang-quy" => true,
        "6-thang" => number.is_multiple_of(2),
        "hang-nam" => number == 4,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_quarterly_dataset_is_due_in_the_next_quarter_with_fifteen_days_after_it() {
        // Updated in Q2 2026: due during Q3, at the latest 15 days after Q4 begins.
        assert_eq!(next_update("hang-quy", day("2026-05-20")), Some((day("2026-07-01"), day("2026-10-16"))));
        assert_eq!(owed("hang-quy", day("2026-05-20"), day("2026-06-30")), None);
        assert_eq!(owed("hang-quy", day("2026-05-20"), day("2026-07-01")), Some((day("2026-10-16"), false)));
        assert_eq!(owed("hang-quy", day("2026-05-20"), day("2026-10-17")), Some((day("2026-10-16"), true)));
    }

    #[test]
    fn quarters_and_what_is_due_in_them() {
        assert_eq!(quarter("2026Q3"), Some((3, day("2026-07-01"), day("2026-09-30"), day("2026-10-16"))));
        assert_eq!(quarter("2026q4").map(|q| q.3), Some(day("2027-01-16")));
        assert_eq!(quarter("2026Q5"), None);
        assert_eq!(quarter("Q3"), None);
        assert!(due_in_quarter("hang-quy", 1) && due_in_quarter("hang-thang", 3));
        assert!(!due_in_quarter("6-thang", 3) && due_in_quarter("6-thang", 4));
        assert!(!due_in_quarter("hang-nam", 3) && due_in_quarter("hang-nam", 4));
        assert!(!due_in_quarter("khong-dinh-ky", 4));
    }

    #[test]
    fn periods_are_the_provinces_local_time() {
        let utc = chrono::NaiveDateTime::parse_from_str("2026-06-30T22:00:00", "%Y-%m-%dT%H:%M:%S").unwrap();
        // 05:00 on 1 July in the province: the third quarter already.
        assert_eq!(local_date(utc), day("2026-07-01"));
        assert_eq!(next_update("hang-quy", local_date(utc)).unwrap().0, day("2026-10-01"));
    }

    #[test]
    fn other_periods_follow_the_same_rule() {
        assert_eq!(next_update("hang-thang", day("2026-12-31")), Some((day("2027-01-01"), day("2027-02-16"))));
        assert_eq!(next_update("6-thang", day("2026-03-01")), Some((day("2026-07-01"), day("2027-01-16"))));
        assert_eq!(next_update("hang-nam", day("2025-11-11")), Some((day("2026-01-01"), day("2027-01-16"))));
        assert!(PERIODIC_FREQUENCIES.iter().all(|f| period_months(f).is_some()));
        for irregular in ["khong-dinh-ky", "lien-tuc", ""] {
            assert_eq!(owed(irregular, day("2020-01-01"), day("2026-12-03")), None);
        }
    }
}
