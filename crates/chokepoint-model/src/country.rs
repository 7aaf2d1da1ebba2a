//! Country and region codes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ModelError;

/// An ISO 3166-1 alpha-3 code, one of the aggregate codes the sources use (`WLD` world,
/// `EUU` European Union, `ROW` rest of world, `OTH` others), or a source's own code for an
/// area (`S19`, "Other Asia, n.e.s.", under which UN Comtrade and BACI list Taiwan).
///
/// The one rule for a country code, at ingest and in every query: three ASCII letters,
/// digits or `_`, at least one a letter (all digits is a UN M49 number, refused with a
/// hint). Stored inline as three ASCII upper-case bytes, so it is `Copy` and cheap to hash.
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
        // invariant: constructed only from ASCII upper-case letters, digits and `_`.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// What the code stands for as a trade partner, which decides how it may be added up.
    pub fn partner_kind(&self) -> PartnerKind {
        PartnerKind::of(self.as_str())
    }
}

/// What a partner code stands for. Customs sources mix countries with groups, and only
/// some groups can be added to countries without counting a flow twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerKind {
    /// `WLD`: the reporter's total over all partners.
    World,
    /// A bloc of countries that sources also list one by one (`EUU`, the European Union):
    /// adding it to its members would count their trade twice, so it is never summed with
    /// countries, nor ranked among them.
    Bloc,
    /// A remainder group (`ROW` rest of world, `OTH` others, a source's area that is not a
    /// country such as `_899`): trade *not* attributed to the countries listed beside it,
    /// so it adds to them without overlap.
    Residual,
    /// One country (any other code).
    Country,
}

impl PartnerKind {
    /// The kind of a partner code as stored (upper-case ISO-3 or group code).
    pub fn of(code: &str) -> PartnerKind {
        match code {
            "WLD" => PartnerKind::World,
            "EUU" => PartnerKind::Bloc,
            "ROW" | "OTH" => PartnerKind::Residual,
            // A source's partner area that is not a country, stored as `_` and its code
            // (Comtrade's "Areas, nes", bunkers, free zones: `_899`).
            c if c.starts_with('_') => PartnerKind::Residual,
            _ => PartnerKind::Country,
        }
    }

    /// True for codes that overlap countries (the world total and blocs): they must never
    /// enter a sum, a ranking or a concentration index over countries.
    pub fn overlaps_countries(self) -> bool {
        matches!(self, PartnerKind::World | PartnerKind::Bloc)
    }

    /// True for the groups reported beside a ranking of countries: blocs, which overlap
    /// their members, and residual groups, which are not one country.
    pub fn is_group(self) -> bool {
        matches!(self, PartnerKind::Bloc | PartnerKind::Residual)
    }
}

/// The name of a group code (`EUU` → "European Union"), `None` for a country code.
pub fn group_name(code: &str) -> Option<&'static str> {
    match code {
        "WLD" => Some("World"),
        "EUU" => Some("European Union"),
        "ROW" => Some("rest of world"),
        "OTH" => Some("others"),
        c if c.starts_with('_') => Some("partner area that is not a country"),
        _ => None,
    }
}

/// Whether `code` is neither an ISO 3166-1 country nor a group code (World, a bloc, a
/// residual): a source's own area code (`S19`) or a typo (`CNH`), which only the data can
/// tell apart. Ingest names such codes, and a query for one the data do not hold is refused.
pub fn is_unlisted_code(code: &str) -> bool {
    !crate::is_iso3166_country(code) && PartnerKind::of(code) == PartnerKind::Country
}

impl FromStr for Iso3 {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Quoted in the message cut short (web review: a 20,000-character reporter came back
        // whole in the 400).
        let err = |why| ModelError::Iso3 {
            found: crate::shorten(s),
            why,
        };
        // Three letters but not ASCII (`ééé`) read "expected three characters".
        if !s.trim().is_ascii() {
            return Err(err(
                "expected the ASCII letters of a code, e.g. CHN, USA, EUU, or S19",
            ));
        }
        let b = s.trim().as_bytes();
        let &[a, m, z] = b else {
            return Err(err(
                "expected three characters, e.g. CHN, USA, EUU, or an area code such as S19",
            ));
        };
        if !b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_') {
            return Err(err(
                "expected letters and digits only, e.g. CHN, USA, EUU, or S19",
            ));
        }
        if !b.iter().any(u8::is_ascii_alphabetic) {
            return Err(err(
                "a number is a UN M49 code: give the ISO-3 letters instead (156 is CHN)",
            ));
        }
        Ok(Iso3([a, m, z].map(|c| c.to_ascii_uppercase())))
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

/// The 27 EU member states (ISO-3): the members of the `EUU` bloc, which the chain maps to
/// its `EU` region and the exposure measures take as one importer (one list for both).
pub const EU_MEMBERS: [&str; 27] = [
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP",
    "SWE",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lower_case_and_area_codes_and_refuses_numbers() {
        assert_eq!("chn".parse::<Iso3>().unwrap(), Iso3::CHINA);
        assert_eq!(" s19 ".parse::<Iso3>().unwrap().as_str(), "S19");
        for bad in ["CHNA", "CH", "", "C-N", "CHÑ", "___"] {
            assert!(bad.parse::<Iso3>().is_err(), "{bad}");
        }
        let m49 = "156".parse::<Iso3>().unwrap_err().to_string();
        assert!(m49.contains("M49") && m49.contains("CHN"), "{m49}");
    }

    #[test]
    fn groups_are_classified_by_whether_they_overlap_countries() {
        assert_eq!(Iso3::WORLD.partner_kind(), PartnerKind::World);
        assert_eq!(Iso3::EU.partner_kind(), PartnerKind::Bloc);
        assert!(PartnerKind::of("EUU").overlaps_countries());
        assert!(!PartnerKind::of("ROW").overlaps_countries());
        assert_eq!(PartnerKind::of("DEU"), PartnerKind::Country);
        assert_eq!(group_name("EUU"), Some("European Union"));
        assert_eq!(group_name("DEU"), None);
    }
}
