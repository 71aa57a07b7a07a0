//! Online retention: each provincial dataset states how long it stays online
//! (`thoi_han_truc_tuyen`), counted from its publication (`metadata_created`). Datasets past it
//! are listed for their department and, with `[workflows] unlist_expired`, left out of search,
//! lists, counts and the DCAT catalogue — never deleted: they stay readable at their address
//! until the department deletes or extends them.

use chrono::{Datelike, NaiveDateTime};

/// The limited retention values and their years (`vinh-vien`, permanently, is not limited).
pub const LIMITED: [(&str, i32); 3] = [("1-nam", 1), ("5-nam", 5), ("10-nam", 10)];

/// The instant `years` years before `at` (29 February falls back to 28).
fn years_before(at: NaiveDateTime, years: i32) -> NaiveDateTime {
    let year = at.year() - years;
    at.with_year(year).or_else(|| (at - chrono::Duration::days(1)).with_year(year)).unwrap_or(at)
}

/// When a dataset published at `created` with retention `value` leaves (`None`: never).
pub fn online_until(created: NaiveDateTime, value: &str) -> Option<NaiveDateTime> {
    let years = LIMITED.iter().find(|(v, _)| *v == value)?.1;
    let year = created.year() + years;
    created.with_year(year).or_else(|| (created - chrono::Duration::days(1)).with_year(year))
}

/// The search filter of the datasets past their retention at `now` (UTC).
pub fn expired_filter(now: NaiveDateTime) -> String {
    let clauses: Vec<String> = LIMITED
        .iter()
        .map(|(value, years)| {
            let cut = years_before(now, *years).format("%Y-%m-%dT%H:%M:%SZ");
            format!("(thoi_han_truc_tuyen:\"{value}\" AND metadata_created:[* TO {cut}])")
        })
        .collect();
    format!("({})", clauses.join(" OR "))
}

/// Whether a search's filters ask for the retention itself (the retention list does): then the
/// unlisting does not apply.
pub fn asks_for_retention(filters: &[String]) -> bool {
    filters.iter().any(|f| f.contains("thoi_han_truc_tuyen") && f.contains("metadata_created"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").unwrap()
    }

    #[test]
    fn retention_counts_whole_years_from_publication() {
        assert_eq!(online_until(at("2024-03-01T08:00:00"), "1-nam"), Some(at("2025-03-01T08:00:00")));
        assert_eq!(online_until(at("2024-02-29T08:00:00"), "5-nam"), Some(at("2029-02-28T08:00:00")));
        assert_eq!(online_until(at("2024-02-29T08:00:00"), "vinh-vien"), None);
        assert_eq!(online_until(at("2024-02-29T08:00:00"), ""), None);
    }

    #[test]
    fn the_filter_cuts_each_retention_at_its_own_year() {
        let filter = expired_filter(at("2026-12-03T06:00:00"));
        assert!(
            filter.contains("(thoi_han_truc_tuyen:\"1-nam\" AND metadata_created:[* TO 2025-12-03T06:00:00Z])"),
            "{filter}"
        );
        assert!(filter.contains("(thoi_han_truc_tuyen:\"10-nam\" AND metadata_created:[* TO 2016-12-03T06:00:00Z])"));
        assert!(asks_for_retention(&[filter]));
        assert!(!asks_for_retention(&["thoi_han_truc_tuyen:1-nam".into()]));
    }
}
