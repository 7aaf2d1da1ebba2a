//! Harmonized System codes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// An HS or national tariff-line code, kept as text so leading zeros survive
/// (`0805…`); dots and spaces in the input are dropped (`2846.90` → `284690`), and a
/// code written as a decimal number (`850511.0`) is refused (see [`hs_digits`]).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Debug)]
#[serde(try_from = "String", into = "String")]
pub struct HsCode(String);

impl HsCode {
    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `self` is `other` or a sub-heading of it (`850511` is within `8505`).
    pub fn is_within(&self, other: &HsCode) -> bool {
        self.0.starts_with(&other.0)
    }
}

/// Whether `s` is a number with a decimal part of zeros (`850511.0`, `2846.0`,
/// `80510.000`) rather than HS dotted notation.
///
/// Spreadsheets and pandas write a numeric HS column this way. Dropping the dot as in
/// dotted notation turned `850511.0` into the odd-length `8505110`, stored as the
/// unrelated `08505110` (chapter 08, fruit). Dotted notation puts the first dot after the
/// 4-digit heading and two digits after it (`8505.11`, `2501.00`, `8505.11.00`), so only
/// one dot after any other number of digits, or with other than two zeros after it, is
/// the artefact. The code is refused rather than repaired: whichever reader produced it
/// may also have dropped leading zeros, and the rows it stands for are better fixed at
/// the source than guessed.
pub fn is_decimal_artefact(s: &str) -> bool {
    let s = s.trim();
    let Some((int, frac)) = s.split_once('.') else {
        return false;
    };
    let int_ok = !int.is_empty() && int.bytes().all(|b| b.is_ascii_digit());
    let frac_zeros = !frac.is_empty() && frac.bytes().all(|b| b == b'0');
    int_ok && frac_zeros && !(int.len() == 4 && frac.len() == 2)
}

/// The digits of an HS code as written: dots and spaces of dotted or spaced notation
/// dropped (`2846.90`, `8505 11` → `284690`, `850511`). The one rule every reader and
/// `--product` share, so that what is stored can be asked for. Refuses a code written as
/// a decimal number ([`is_decimal_artefact`]) and anything but 1 to 10 digits; callers
/// decide about length (an odd count may have lost a leading zero).
pub fn hs_digits(s: &str) -> Result<String, ModelError> {
    if is_decimal_artefact(s) {
        return Err(ModelError::HsDecimal {
            found: s.trim().to_string(),
        });
    }
    let digits: String = s.chars().filter(|c| *c != '.' && *c != ' ').collect();
    if (1..=10).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(ModelError::HsCode {
            found: s.to_string(),
        })
    }
}

impl FromStr for HsCode {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = hs_digits(s)?;
        if digits.len() >= 2 {
            Ok(HsCode(digits))
        } else {
            Err(ModelError::HsCode {
                found: s.to_string(),
            })
        }
    }
}

impl TryFrom<String> for HsCode {
    type Error = ModelError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<HsCode> for String {
    fn from(c: HsCode) -> String {
        c.0
    }
}

impl fmt::Display for HsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_leading_zeros_and_drops_dots() {
        assert_eq!("0805.10".parse::<HsCode>().unwrap().as_str(), "080510");
        let magnets: HsCode = "850511".parse().unwrap();
        assert!(magnets.is_within(&"8505".parse().unwrap()));
        assert!("85x".parse::<HsCode>().is_err());
    }

    /// F1: `850511.0` was stored as `08505110` (fruit); dotted notation still parses.
    #[test]
    fn a_code_written_as_a_decimal_number_is_refused_and_dotted_notation_kept() {
        for bad in [
            "850511.0",
            "2846.0",
            "80510.00",
            "850511.000",
            " 2846.0 ",
            "28.0",
        ] {
            let e = bad.parse::<HsCode>().unwrap_err();
            assert!(matches!(e, ModelError::HsDecimal { .. }), "{bad}: {e}");
            assert!(e.to_string().contains("without decimals"), "{e}");
        }
        for (good, digits) in [
            ("8505.11", "850511"),
            ("2846.90", "284690"),
            ("2501.00", "250100"),
            ("8505.11.00", "85051100"),
            ("8505 11", "850511"),
            ("850511", "850511"),
        ] {
            assert_eq!(good.parse::<HsCode>().unwrap().as_str(), digits, "{good}");
        }
        assert_eq!(hs_digits("80510").unwrap(), "80510");
    }
}
