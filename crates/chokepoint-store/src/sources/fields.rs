//! Field access shared by the readers: column lookup, text and number cells.

use std::path::Path;

use super::split::Cells;
use crate::StoreError;

use super::RowError;

/// Position of a required column.
pub fn required(
    path: &Path,
    header: &[String],
    format: &'static str,
    name: &str,
) -> Result<usize, StoreError> {
    header
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| StoreError::MissingColumn {
            path: path.to_path_buf(),
            format,
            column: name.to_string(),
        })
}

/// Refuses a header that names a column twice, at line 1 and the second one's place: the
/// figures would be read from the first copy whichever held them (a renamed `altQty` read
/// as `netWgt` stored 999,000 t for 4,700 t).
pub fn check_unique(path: &Path, header: &[String]) -> Result<(), StoreError> {
    for (k, name) in header.iter().enumerate() {
        if !name.is_empty() && header[..k].contains(name) {
            return Err(StoreError::BadRow {
                path: path.to_path_buf(),
                line: 1,
                column: Some(name.clone()),
                field: Some(k + 1),
                reason: format!("column `{name}` appears twice in the header; keep one"),
            });
        }
    }
    Ok(())
}

/// Position of an optional column.
pub fn optional(header: &[String], name: &str) -> Option<usize> {
    header.iter().position(|h| h == name)
}

/// A rejected row about one column.
pub fn reject(column: &str, reason: String) -> RowError {
    RowError {
        column: Some(column.to_string()),
        reason,
    }
}

/// Checks a line's number of cells against its header's.
///
/// Comtrade and BACI files are written by programs, one cell per column on every line
/// (`exact`): a line with fewer cells was cut, and one with more almost always has a comma
/// in an unquoted text cell, which shifts every later column, so either would be read
/// from the wrong columns. Hand-written tidy files may leave trailing optional cells out,
/// so there only extra non-empty cells are refused.
pub fn check_width(rec: &impl Cells, header: usize, exact: bool) -> Result<(), RowError> {
    let width = rec.width();
    let extra = (header..width).any(|i| rec.cell(i).is_some_and(|c| !c.trim_ascii().is_empty()));
    if extra || (exact && width < header) {
        let why = if width > header {
            "a comma inside an unquoted text cell shifts the columns after it; quote that cell"
        } else {
            "the line is cut short; check how the file was exported or copied"
        };
        return Err(RowError {
            column: None,
            reason: format!("{width} cells where the header has {header}: {why}"),
        });
    }
    Ok(())
}

/// The trimmed text of cell `i` (empty when missing); `Err` on invalid UTF-8.
pub fn text<'r>(rec: &'r impl Cells, i: usize, column: &str) -> Result<&'r str, RowError> {
    let raw = rec.cell(i).unwrap_or(b"");
    std::str::from_utf8(raw)
        .map(str::trim)
        .map_err(|_| reject(column, "not valid UTF-8 text".to_string()))
}

/// The largest magnitude a customs figure may have (kilograms, tonnes, US dollars or
/// thousands of them). World merchandise trade is about 2.5e13 USD a year, so a larger
/// cell is a unit or parsing error; bounding cells also keeps every sum the indicators
/// take finite (a cell of 1e306 overflowed to infinity once scaled or added).
pub const MAX_FIGURE: f64 = 1e15;

/// The smallest figure other than 0 a customs cell holds: a millionth of its unit (a gram
/// of tonnes, a milligram of kilograms, a millionth of a dollar).
const MIN_FIGURE: f64 = 1e-6;

/// An optional number in cell `i`: empty → `None`; anything but 0 or a finite number from
/// [`MIN_FIGURE`] to [`MAX_FIGURE`] in magnitude → `Err`.
pub fn number(rec: &impl Cells, i: Option<usize>, column: &str) -> Result<Option<f64>, RowError> {
    let Some(i) = i else { return Ok(None) };
    let t = text(rec, i, column)?;
    if t.is_empty() || t.eq_ignore_ascii_case("na") || t.eq_ignore_ascii_case("null") {
        return Ok(None);
    }
    // A figure that is not zero but rounds to it (`1e-400`), or that is below a millionth of
    // its unit (`1e-300` t slipped past calibrate's guard against 0 t): no customs figure.
    // (The digits are looked at only for such small values: this runs on every cell.)
    let nonzero = || {
        t.split(['e', 'E'])
            .next()
            .is_some_and(|m| m.bytes().any(|b| (b'1'..=b'9').contains(&b)))
    };
    match t.parse::<f64>() {
        Ok(v) if v.abs() < MIN_FIGURE && nonzero() => Err(reject(
            column,
            format!(
                "implausibly small: `{}` (a figure that is not 0 is at least a millionth of its \
                 unit); check the column's unit",
                shorten(t)
            ),
        )),
        // `+ 0.0` turns `-0` into 0 (and nothing else): a sign on nothing was stored and
        // printed as `-0` everywhere after.
        Ok(v) if v.is_finite() && v.abs() <= MAX_FIGURE => Ok(Some(v + 0.0)),
        Ok(v) if v.is_finite() => Err(reject(
            column,
            format!(
                "implausibly large: `{}` (customs figures stay below 1e15); check the column's unit",
                shorten(t)
            ),
        )),
        _ => Err(reject(column, format!("not a number: `{}`", shorten(t)))),
    }
}

/// Normalises an HS code cell by the one rule of [`chokepoint_model::hs_digits`] (dots and
/// spaces dropped; a code written as a decimal number, `850511.0`, refused), then an
/// odd-length code regains the leading zero spreadsheets strip (`80510` → `080510`). An
/// odd-length code that starts with a zero already was not stripped, so a zero added to it
/// would make another code (`0850511` was stored as `00850511`): it is refused instead.
pub fn hs_code(t: &str, column: &str) -> Result<String, RowError> {
    // Nearly every cell is plain digits: no copy to filter, one allocation.
    let digits: std::borrow::Cow<str> =
        if !t.is_empty() && t.len() <= 10 && t.bytes().all(|b| b.is_ascii_digit()) {
            t.into()
        } else {
            match chokepoint_model::hs_digits(t) {
                Ok(d) => d.into(),
                Err(e @ chokepoint_model::ModelError::HsDecimal { .. }) => {
                    return Err(reject(column, e.to_string()));
                }
                Err(_) => return Err(reject(column, format!("not an HS code: `{}`", shorten(t)))),
            }
        };
    if digits.len().is_multiple_of(2) {
        return Ok(digits.into_owned());
    }
    // Padding restores a leading zero a spreadsheet dropped (`10121` → `010121`), but one
    // digit is no HS code even so (adversarial review: `8` was stored as chapter 08).
    if digits.len() == 1 {
        return Err(reject(
            column,
            format!(
                "`{}` is one digit: HS codes have 2, 4, 6, 8 or 10 digits (a chapter is two, \
                 e.g. 08); correct the code",
                shorten(t)
            ),
        ));
    }
    if digits.starts_with('0') {
        return Err(reject(
            column,
            format!(
                "`{}` has an odd number of digits and starts with 0: HS codes have 2, 4, 6, \
                 8 or 10 digits; correct the code",
                shorten(t)
            ),
        ));
    }
    Ok(format!("0{digits}"))
}

/// Normalises a country code cell to upper case, by the one rule of
/// [`chokepoint_model::Iso3`], so that whatever is stored can be asked for by `--reporter`
/// and `--partner`.
pub fn country(t: &str, column: &str) -> Result<String, RowError> {
    match t.parse::<chokepoint_model::Iso3>() {
        Ok(code) => Ok(code.as_str().to_string()),
        Err(chokepoint_model::ModelError::Iso3 { why, .. }) => Err(reject(
            column,
            format!("not an ISO-3 country code: `{}` ({why})", shorten(t)),
        )),
        Err(e) => Err(reject(column, e.to_string())),
    }
}

pub use chokepoint_model::shorten;

#[cfg(test)]
mod tests {
    use super::*;

    fn record(line: &str) -> csv::ByteRecord {
        line.split(',').collect()
    }

    /// Machine-written formats need one cell per column; tidy files may leave trailing
    /// cells out, or end lines with empty ones, but not add values the header does not name.
    #[test]
    fn cell_counts_are_checked_per_format() {
        for exact in [true, false] {
            assert!(check_width(&record("a,b,c"), 3, exact).is_ok());
            assert!(check_width(&record("a,b,c,d"), 3, exact).is_err());
            assert!(check_width(&record("a,b,c, "), 3, exact).is_ok());
        }
        assert!(check_width(&record("a,b"), 3, true).is_err());
        assert!(check_width(&record("a,b"), 3, false).is_ok());
        let Err(e) = check_width(&record("a,b,c,d"), 3, false) else {
            panic!("extra cell accepted")
        };
        assert_eq!(e.column, None);
        assert!(
            e.reason.starts_with("4 cells where the header has 3"),
            "{}",
            e.reason
        );
    }

    #[test]
    fn hs_codes_regain_leading_zeros() {
        assert_eq!(hs_code("80510", "k").unwrap(), "080510");
        assert_eq!(hs_code("8505.11", "k").unwrap(), "850511");
        assert!(hs_code("TOTAL", "k").is_err());
        assert_eq!(hs_code("0805", "k").unwrap(), "0805");
        let e = hs_code("0850511", "k").unwrap_err();
        assert!(e.reason.contains("odd number of digits"), "{}", e.reason);
    }

    /// F1: a numeric HS column exported as `850511.0` was stored as `08505110`.
    #[test]
    fn hs_codes_written_as_decimals_are_refused_with_a_hint() {
        for bad in ["850511.0", "2846.0", "80510.0"] {
            let e = hs_code(bad, "hs_code").unwrap_err();
            assert_eq!(e.column.as_deref(), Some("hs_code"));
            assert!(e.reason.contains("without decimals"), "{}", e.reason);
        }
        assert_eq!(hs_code("2846.90", "k").unwrap(), "284690");
        assert_eq!(hs_code("2501.00", "k").unwrap(), "250100");
    }

    #[test]
    fn messages_show_cells_on_one_line() {
        assert_eq!(shorten("JPN\n,export"), "JPN\\n,export");
        assert_eq!(shorten(&"x".repeat(50)), format!("{}…", "x".repeat(40)));
        assert_eq!(shorten("Côte d'Ivoire"), "Côte d'Ivoire");
    }

    #[test]
    fn numbers_accept_empty_and_reject_text() {
        let rec = csv::ByteRecord::from(vec!["1.5", "", "abc", "NaN"]);
        assert_eq!(number(&rec, Some(0), "a").unwrap(), Some(1.5));
        assert_eq!(number(&rec, Some(1), "a").unwrap(), None);
        assert!(number(&rec, Some(2), "a").is_err());
        let huge = csv::ByteRecord::from(vec!["1e306", "1e15"]);
        let e = number(&huge, Some(0), "v").unwrap_err();
        assert!(format!("{e:?}").contains("implausibly large"), "{e:?}");
        assert_eq!(number(&huge, Some(1), "v").unwrap(), Some(1e15));
        assert!(number(&rec, Some(3), "a").is_err());
        let zero = csv::ByteRecord::from(vec!["-0", "-0.0"]);
        for i in 0..2 {
            let v = number(&zero, Some(i), "q").unwrap().unwrap();
            assert!(v == 0.0 && v.is_sign_positive(), "{v}");
        }
    }
}
