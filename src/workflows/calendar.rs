//! The working-day calendar every provincial deadline is computed with: weekends, public
//! holidays and the make-up working Saturdays the government announces each year (one data
//! file per year, `calendar/vn-YYYY.json`, with its sources; a province adds or replaces years
//! with its own files), in the province's time (UTC+7).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::Deserialize;

use crate::compliance::UTC_OFFSET_HOURS;

/// The built-in years.
const BUILT_IN: &[&str] = &[include_str!("../../calendar/vn-2025.json"), include_str!("../../calendar/vn-2026.json")];

/// Requests received at or after this local time count from the next working day.
pub const CUT_OFF: (u32, u32) = (15, 0);

#[derive(Debug, Deserialize)]
struct Day {
    date: NaiveDate,
    name: String,
}

#[derive(Debug, Deserialize)]
struct YearFile {
    year: i32,
    #[serde(default)]
    holidays: Vec<Day>,
    #[serde(default)]
    working_weekends: Vec<Day>,
}

/// Weekends, holidays and make-up working days.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    holidays: BTreeMap<NaiveDate, String>,
    working_weekends: BTreeSet<NaiveDate>,
    years: BTreeSet<i32>,
}

impl Calendar {
    /// The built-in years, then the province's files in `dir` (`*.json`, one year each; a year
    /// given there replaces the built-in one).
    pub fn load(dir: Option<&Path>) -> anyhow::Result<Calendar> {
        let mut files: BTreeMap<i32, YearFile> = BTreeMap::new();
        for text in BUILT_IN {
            let file: YearFile = serde_json::from_str(text)?;
            files.insert(file.year, file);
        }
        if let Some(dir) = dir {
            let mut paths: Vec<_> = std::fs::read_dir(dir)
                .map_err(|e| anyhow::anyhow!("calendar_dir {}: {e}", dir.display()))?
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|e| e == "json"))
                .collect();
            paths.sort();
            for path in paths {
                let text = std::fs::read_to_string(&path)?;
                let file: YearFile =
                    serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                files.insert(file.year, file);
            }
        }
        let mut calendar = Calendar::default();
        for (year, file) in files {
            calendar.years.insert(year);
            for day in file.holidays {
                calendar.holidays.insert(day.date, day.name);
            }
            calendar.working_weekends.extend(file.working_weekends.into_iter().map(|d| d.date));
        }
        Ok(calendar)
    }

    /// The built-in calendar.
    pub fn built_in() -> Calendar {
        Calendar::load(None).unwrap_or_default()
    }

    /// Whether the calendar has the year's holidays (outside them only weekends count).
    pub fn knows_year(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// The holiday on a day, if any.
    pub fn holiday(&self, day: NaiveDate) -> Option<&str> {
        self.holidays.get(&day).map(String::as_str)
    }

    /// Whether state agencies work on a day.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.working_weekends.contains(&day) {
            return true;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains_key(&day)
    }

    /// The `n`-th working day after `day` (`n = 0`: `day` itself if it is one, else the next).
    pub fn add_working_days(&self, day: NaiveDate, n: u32) -> NaiveDate {
        let mut current = day;
        if n == 0 {
            while !self.is_working_day(current) {
                current += Duration::days(1);
            }
            return current;
        }
        let mut left = n;
        while left > 0 {
            current += Duration::days(1);
            if self.is_working_day(current) {
                left -= 1;
            }
        }
        current
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut count = 0;
        let mut day = from + Duration::days(1);
        while day <= to {
            if self.is_working_day(day) {
                count += 1;
            }
            day += Duration::days(1);
        }
        count
    }

    /// A UTC time in the province's time.
    pub fn local(utc: NaiveDateTime) -> NaiveDateTime {
        utc + Duration::hours(UTC_OFFSET_HOURS)
    }

    /// A time in the province's time, in UTC.
    pub fn utc(local: NaiveDateTime) -> NaiveDateTime {
        local - Duration::hours(UTC_OFFSET_HOURS)
    }

    /// The day a request received at `received` (UTC) must be answered by: that day when it is
    /// a working day and the request came before 15:00 local time, else the next working day.
    pub fn same_day_deadline(&self, received: NaiveDateTime) -> NaiveDate {
        let local = Calendar::local(received);
        let cut_off = NaiveTime::from_hms_opt(CUT_OFF.0, CUT_OFF.1, 0).unwrap_or_default();
        if self.is_working_day(local.date()) && local.time() < cut_off {
            local.date()
        } else {
            self.add_working_days(local.date(), 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn weekends_holidays_and_make_up_saturdays() {
        let calendar = Calendar::built_in();
        assert!(calendar.knows_year(2025) && calendar.knows_year(2026));
        assert!(calendar.is_working_day(day("2026-12-03")), "a Thursday");
        assert!(!calendar.is_working_day(day("2026-12-05")), "a Saturday");
        assert!(!calendar.is_working_day(day("2026-02-17")), "Tết Bính Ngọ");
        assert!(!calendar.is_working_day(day("2026-04-27")), "the Monday after Hùng Kings' day on a Sunday");
        assert!(calendar.is_working_day(day("2025-02-08")), "a make-up Saturday");
        assert_eq!(calendar.holiday(day("2026-09-02")), Some("Quốc khánh"));
    }

    #[test]
    fn working_days_skip_tet() {
        let calendar = Calendar::built_in();
        // Friday 13 Feb 2026 + 2 working days: over the weekend and the five Tết days.
        assert_eq!(calendar.add_working_days(day("2026-02-13"), 2), day("2026-02-24"));
        assert_eq!(calendar.add_working_days(day("2026-02-14"), 0), day("2026-02-23"));
        assert_eq!(calendar.working_days_between(day("2026-02-13"), day("2026-02-23")), 1);
        // Seven working days from Wednesday 2 Dec 2026: Thu, Fri, Mon…Fri.
        assert_eq!(calendar.add_working_days(day("2026-12-02"), 7), day("2026-12-11"));
        // Across 30 April – 3 May 2026.
        assert_eq!(calendar.add_working_days(day("2026-04-29"), 1), day("2026-05-04"));
    }

    #[test]
    fn requests_after_three_in_the_afternoon_count_from_the_next_working_day() {
        let calendar = Calendar::built_in();
        // 14:59 and 15:00 local on Thursday 3 Dec 2026 (07:59 and 08:00 UTC).
        assert_eq!(calendar.same_day_deadline(Calendar::utc(at("2026-12-03 14:59"))), day("2026-12-03"));
        assert_eq!(calendar.same_day_deadline(Calendar::utc(at("2026-12-03 15:00"))), day("2026-12-04"));
        // Friday after 15:00 → Monday; a Saturday → Monday; the eve of Tết → after Tết.
        assert_eq!(calendar.same_day_deadline(Calendar::utc(at("2026-12-04 16:30"))), day("2026-12-07"));
        assert_eq!(calendar.same_day_deadline(Calendar::utc(at("2026-12-05 09:00"))), day("2026-12-07"));
        assert_eq!(calendar.same_day_deadline(Calendar::utc(at("2026-02-13 15:30"))), day("2026-02-23"));
        // 23:30 UTC on 2 Dec is 06:30 on 3 Dec in the province.
        assert_eq!(calendar.same_day_deadline(at("2026-12-02 23:30")), day("2026-12-03"));
    }

    #[test]
    fn a_province_replaces_a_year_with_its_own_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("gia-lai-2026.json"),
            r#"{"year": 2026, "holidays": [{"date": "2026-03-17", "name": "Ngày giải phóng tỉnh"}]}"#,
        )
        .unwrap();
        let calendar = Calendar::load(Some(dir.path())).unwrap();
        assert!(!calendar.is_working_day(day("2026-03-17")));
        assert!(calendar.is_working_day(day("2026-02-17")), "the year was replaced whole");
        assert!(!calendar.is_working_day(day("2025-01-29")), "other years stay");
    }
}
