//! Country and region codes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// An ISO 3166-1 alpha-3 code, or one of the aggregate codes the sources use
/// (`WLD` world, `EUU` European Union, `ROW` rest of world, `OTH` others).
///
/// Stored inline as three ASCII upper-case bytes, so it is `Copy` and cheap to hash.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Iso3([u8; 3]);

impl Iso3 {
    /// The world total, as Comtrade's partner code 0 and China customs' totals.
    pub const WORLD: Iso3 = Iso3(*b"WLD");
    /// The European Union as one reporter or partner.
    pub const EU: Iso3 = Iso3(*b"EUU");
    /// Rest of the world in model regions.
    pub const REST_OF_WORLD: Iso3 = Iso3(*b"ROW");
    /// China.
    pub const CHINA: Iso3 = Iso3(*b"CHN");

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // invariant: constructed only from ASCII upper-case letters.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl FromStr for Iso3 {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let b = t.as_bytes();
        if b.len() == 3 && b.iter().all(|c| c.is_ascii_alphabetic()) {
            Ok(Iso3([
                b[0].to_ascii_uppercase(),
                b[1].to_ascii_uppercase(),
                b[2].to_ascii_uppercase(),
            ]))
        } else {
            Err(ModelError::Iso3 {
                found: s.to_string(),
            })
        }
    }
}

impl TryFrom<String> for Iso3 {
    type Error = ModelError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Iso3> for String {
    fn from(c: Iso3) -> String {
        c.as_str().to_string()
    }
}

impl fmt::Display for Iso3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Iso3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Iso3({})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lower_case_and_rejects_digits() {
        assert_eq!("chn".parse::<Iso3>().unwrap(), Iso3::CHINA);
        assert!("CH1".parse::<Iso3>().is_err());
        assert!("CHNA".parse::<Iso3>().is_err());
    }
}
