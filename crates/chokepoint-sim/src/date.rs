//! Calendar dates for the daily policy timeline (proleptic Gregorian, no time zone).
//!
//! The simulation steps one day at a time from a start date; policies name dates, the
//! engine works on step indices. This module converts between the two, on `chrono`'s
//! `NaiveDate`, and parses dates in the one form scenarios use (YYYY-MM-DD, years
//! 1900–2200, which keeps the records' month arithmetic in range).

use std::fmt;
use std::str::FromStr;

use chokepoint_model::{YearMonth, parse_year};
use chrono::{Datelike, Months, NaiveDate, TimeDelta};

/// A calendar day.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Date(NaiveDate);

impl Date {
    /// The date for a year, month (1–12) and day, or `None` when it does not exist.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        NaiveDate::from_ymd_opt(year, month, day).map(Date)
    }

    /// Year, month (1–12) and day.
    pub fn ymd(self) -> (i32, u32, u32) {
        (self.0.year(), self.0.month(), self.0.day())
    }

    /// The date `days` later (earlier when negative), held at chrono's first or last day
    /// (about 262,000 years away) rather than wrapping.
    #[must_use]
    pub fn plus_days(self, days: i64) -> Date {
        let moved = TimeDelta::try_days(days).and_then(|d| self.0.checked_add_signed(d));
        Date(moved.unwrap_or(if days < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        }))
    }

    /// Days from `earlier` to `self` (negative when `self` is earlier).
    pub fn days_since(self, earlier: Date) -> i64 {
        self.0.signed_duration_since(earlier.0).num_days()
    }

    /// The calendar month of this date.
    pub fn year_month(self) -> YearMonth {
        let (y, m, _) = self.ymd();
        // invariant: chrono's months are 1..=12.
        YearMonth::new(y, m as u8).expect("invariant: month in 1..=12")
    }

    /// The same day `months` calendar months later, clamped to the month's last day.
    #[must_use]
    pub fn plus_months(self, months: i64) -> Date {
        let n = Months::new(u32::try_from(months.unsigned_abs()).unwrap_or(u32::MAX));
        let moved = if months < 0 {
            self.0.checked_sub_months(n)
        } else {
            self.0.checked_add_months(n)
        };
        Date(moved.unwrap_or(if months < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        }))
    }
}

/// Why a date string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{found}` is not a date; expected YYYY-MM-DD with a year from 1900 to 2200, e.g. 2025-04-04"
)]
pub struct DateError {
    /// The text found.
    pub found: String,
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Date, DateError> {
        let err = || DateError {
            found: s.to_string(),
        };
        let mut parts = s.trim().splitn(3, '-');
        let y = parts.next().and_then(parse_year).ok_or_else(err)?;
        let m: u32 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        let d: u32 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        Date::from_ymd(y, m, d).ok_or_else(err)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Years outside 1900–2200 (which would overflow the records' month arithmetic), signs
    /// and other widths are refused, with the range in the message.
    #[test]
    fn dates_outside_the_supported_years_are_refused() {
        for bad in [
            "2147483647-12-01",
            "1899-12-31",
            "2201-01-01",
            "+2025-01-01",
            "25-01-01",
            "02025-01-01",
        ] {
            let e = bad.parse::<Date>().unwrap_err();
            assert!(e.to_string().contains("1900 to 2200"), "{bad}: {e}");
        }
        for good in ["1900-01-01", "2200-12-31", "2025-04-04"] {
            assert!(good.parse::<Date>().is_ok(), "{good}");
        }
    }

    #[test]
    fn round_trips_and_counts_days_across_leap_years() {
        let a: Date = "2024-02-28".parse().unwrap();
        assert_eq!(a.plus_days(1).to_string(), "2024-02-29");
        assert_eq!(a.plus_days(2).to_string(), "2024-03-01");
        let b: Date = "2025-04-04".parse().unwrap();
        assert_eq!(b.days_since("2025-01-01".parse().unwrap()), 93);
        assert_eq!(
            Date::from_ymd(2024, 1, 1)
                .unwrap()
                .days_since(Date::from_ymd(1970, 1, 1).unwrap()),
            19_723
        );
    }

    #[test]
    fn rejects_impossible_dates() {
        assert!("2025-02-29".parse::<Date>().is_err());
        assert!("2025-13-01".parse::<Date>().is_err());
        assert!("April 4".parse::<Date>().is_err());
    }

    #[test]
    fn adds_months_clamping_to_month_end() {
        let d: Date = "2025-01-31".parse().unwrap();
        assert_eq!(d.plus_months(1).to_string(), "2025-02-28");
        assert_eq!(d.plus_months(12).to_string(), "2026-01-31");
        let m: Date = "2024-03-31".parse().unwrap();
        assert_eq!(m.plus_months(-1).to_string(), "2024-02-29");
        assert_eq!(m.plus_months(-13).to_string(), "2023-02-28");
    }
}
