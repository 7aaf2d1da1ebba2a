//! Calendar periods of trade statistics.
//!
//! Customs data come monthly, annually, and sometimes as a combined span of months:
//! China reports January and February together. A combined span is kept as one
//! [`Period::Months`]; nothing here ever splits it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// The years a period or date may name: statistics and policy timelines of this century,
/// with room either side. A year far outside is a typo (`+20205`, `0000`) and would
/// overflow month arithmetic.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// A year written as four digits within [`YEARS`]: the one rule for every period, date and
/// customs year column.
pub fn parse_year(text: &str) -> Option<i32> {
    let digits = text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit());
    digits
        .then(|| text.parse().ok())
        .flatten()
        .filter(|y| YEARS.contains(y))
}

/// A data year given by a user (`--year`, `?year=`): [`parse_year`], with the message
/// that says the rule, so the CLI and the API refuse `65536` or `-5` alike.
pub fn parse_data_year(text: &str) -> Result<i32, String> {
    parse_year(text.trim()).ok_or_else(|| {
        format!(
            "`{text}` is not a year; give four digits from {} to {}, e.g. 2024",
            YEARS.start(),
            YEARS.end()
        )
    })
}

/// A calendar month.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Debug)]
pub struct YearMonth {
    /// Calendar year.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u8,
}

impl YearMonth {
    /// A checked month; `None` when `month` is not 1–12.
    pub fn new(year: i32, month: u8) -> Option<YearMonth> {
        (1..=12)
            .contains(&month)
            .then_some(YearMonth { year, month })
    }

    /// Months since year 0, for differences and ordering.
    pub fn index(&self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }

    /// The month `n` months later (earlier for negative `n`).
    pub fn plus_months(&self, n: i64) -> YearMonth {
        let i = self.index() + n;
        YearMonth {
            year: i.div_euclid(12) as i32,
            month: (i.rem_euclid(12) + 1) as u8,
        }
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ModelError::Month {
            found: s.to_string(),
        };
        let t = s.trim();
        // Accept YYYY-MM and Comtrade's YYYYMM.
        let (y, m) = if let Some((y, m)) = t.split_once('-') {
            (y, m)
        } else if t.len() == 6 && t.is_ascii() {
            // Six bytes of non-ASCII text would split inside a character.
            t.split_at(4)
        } else {
            return Err(err());
        };
        let year = parse_year(y).ok_or_else(err)?;
        if m.is_empty() || m.len() > 2 || !m.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let month: u8 = m.parse().map_err(|_| err())?;
        YearMonth::new(year, month).ok_or_else(err)
    }
}

/// The period a figure covers.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Debug)]
#[serde(try_from = "String", into = "String")]
pub enum Period {
    /// One month, written `YYYY-MM`.
    Month(YearMonth),
    /// Several consecutive months reported as one figure, written `YYYY-MM..YYYY-MM`
    /// (China's January–February; year-to-date totals).
    Months(YearMonth, YearMonth),
    /// A calendar year, written `YYYY`.
    Year(i32),
}

impl Period {
    /// The calendar year the period falls in (of its last month for spans).
    pub fn year(&self) -> i32 {
        match self {
            Period::Month(m) => m.year,
            Period::Months(_, last) => last.year,
            Period::Year(y) => *y,
        }
    }

    /// First and last month covered.
    pub fn months(&self) -> (YearMonth, YearMonth) {
        match self {
            Period::Month(m) => (*m, *m),
            Period::Months(a, b) => (*a, *b),
            Period::Year(y) => (
                YearMonth { year: *y, month: 1 },
                YearMonth {
                    year: *y,
                    month: 12,
                },
            ),
        }
    }

    /// Number of months covered.
    pub fn month_count(&self) -> i64 {
        let (a, b) = self.months();
        b.index() - a.index() + 1
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Month(m) => write!(f, "{m}"),
            Period::Months(a, b) => write!(f, "{a}..{b}"),
            Period::Year(y) => write!(f, "{y:04}"),
        }
    }
}

impl FromStr for Period {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ModelError::Period {
            found: s.to_string(),
        };
        let t = s.trim();
        if let Some((a, b)) = t.split_once("..") {
            let (a, b): (YearMonth, YearMonth) =
                (a.parse().map_err(|_| err())?, b.parse().map_err(|_| err())?);
            if b.index() < a.index() {
                return Err(err());
            }
            return Ok(if a == b {
                Period::Month(a)
            } else {
                Period::Months(a, b)
            });
        }
        if t.len() == 4 {
            return parse_year(t).map(Period::Year).ok_or_else(err);
        }
        t.parse().map(Period::Month).map_err(|_| err())
    }
}

impl TryFrom<String> for Period {
    type Error = ModelError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Years outside 1900–2200, signs and other widths are typos, not periods.
    #[test]
    fn periods_outside_the_supported_years_are_refused() {
        for bad in [
            "+20205", "000001", "999912", "-001", "0000", "+202-05", "1899-12", "2201", "2025-+1",
            "2025-001",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
        for good in ["1900", "2200-12", "202505", "2025-5", "2025-01..2025-02"] {
            assert!(good.parse::<Period>().is_ok(), "{good}");
        }
    }

    #[test]
    fn six_bytes_of_non_ascii_text_are_an_error_not_a_panic() {
        // Found by the store's reader proptest: "u4🠊" is six bytes.
        assert!("u4🠊".parse::<YearMonth>().is_err());
        assert!("a0🠀".parse::<Period>().is_err());
        assert_eq!("202505".parse::<YearMonth>().ok(), YearMonth::new(2025, 5));
    }

    #[test]
    fn combined_months_round_trip_and_never_split() {
        let p: Period = "2025-01..2025-02".parse().unwrap();
        assert_eq!(p.month_count(), 2);
        assert_eq!(p.to_string(), "2025-01..2025-02");
        assert_eq!(p.year(), 2025);
    }

    #[test]
    fn accepts_comtrade_yyyymm_and_rejects_month_13() {
        assert_eq!(
            "202505".parse::<YearMonth>().unwrap().to_string(),
            "2025-05"
        );
        assert!("2025-13".parse::<Period>().is_err());
        assert!("2025-05..2025-01".parse::<Period>().is_err());
    }

    #[test]
    fn plus_months_crosses_years() {
        let m = YearMonth::new(2025, 1).unwrap();
        assert_eq!(m.plus_months(-1).to_string(), "2024-12");
        assert_eq!(m.plus_months(12).to_string(), "2026-01");
    }
}
