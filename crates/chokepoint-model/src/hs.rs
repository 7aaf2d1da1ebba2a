//! Harmonized System codes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// An HS or national tariff-line code, kept as text so leading zeros survive
/// (`0805…`); dots and spaces in the input are dropped (`2846.90` → `284690`).
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

impl FromStr for HsCode {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits: String = s.chars().filter(|c| *c != '.' && *c != ' ').collect();
        if (2..=10).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
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
}
