//! Calendar dates for the daily policy timeline (proleptic Gregorian, no time zone).
//!
//! The simulation steps one day at a time from a start date; policies name dates, the
//! engine works on step indices. This module converts between the two without pulling in a
//! date-time crate.

use std::fmt;
use std::str::FromStr;

use chokepoint_model::{YearMonth, parse_year};

/// A calendar day, stored as days since 1970-01-01.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Date(i64);

impl Date {
    /// The date for a year, month (1–12) and day, or `None` when it does not exist.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    /// Year, month (1–12) and day.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// The date `days` later (earlier when negative).
    #[must_use]
    pub fn plus_days(self, days: i64) -> Date {
        Date(self.0 + days)
    }

    /// Days from `earlier` to `self` (negative when `self` is earlier).
    pub fn days_since(self, earlier: Date) -> i64 {
        self.0 - earlier.0
    }

    /// The calendar month of this date.
    pub fn year_month(self) -> YearMonth {
        let (y, m, _) = self.ymd();
        // invariant: m comes from civil_from_days, always 1..=12.
        YearMonth::new(y, m as u8).expect("invariant: month in 1..=12")
    }

    /// The same day `months` calendar months later, clamped to the month's last day.
    #[must_use]
    pub fn plus_months(self, months: i64) -> Date {
        let (y, m, d) = self.ymd();
        let idx = i64::from(y) * 12 + i64::from(m) - 1 + months;
        let (ny, nm) = (idx.div_euclid(12) as i32, (idx.rem_euclid(12) + 1) as u32);
        let nd = d.min(days_in_month(ny, nm));
        Date(days_from_civil(ny, nm, nd))
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

// Howard Hinnant's days-from-civil algorithm: exact for the proleptic Gregorian calendar.
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as i32, m, d)
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
        assert_eq!(Date::from_ymd(1970, 1, 1).unwrap().days_since(Date(0)), 0);
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
    }
}
