//! Product groups: `--product 2846`, `--product magnets`, `--product rare-earths`.
//!
//! A group is a set of HS codes from the bundled `hs_codes.csv` plus, under the same name,
//! the aggregates that are not HS lines (China customs' "rare earths" total, its magnet
//! series). An HS-code selector matches HS lines only, never those aggregates.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use chokepoint_model::HsCode;

use crate::StoreError;
use crate::bundled::hs_codes_text;

/// The group an `hs_codes.csv` row belongs to, if any.
///
/// Rules (why: a group must not sweep in catch-all headings and double-count):
/// - rare-earth rows of magnet manufacturing → `magnets`;
/// - rare-earth rows under 2846 (compounds) or 2805.30 (metals) → `rare-earths`, the
///   headings China customs' 17-element total covers; catch-all headings listed for
///   context (2530.90 mineral substances n.e.s., 7202.99 other ferro-alloys, …) join no group;
/// - any other material → its name up to the first `(` as a kebab-case slug
///   (`graphite (natural)` → `graphite`); a row naming several materials (`a; b`) joins none.
pub fn product_group_of_hs_row(hs_digits: &str, material: &str, stage: &str) -> Option<String> {
    let material = material.trim().to_ascii_lowercase();
    if material.starts_with("rare earths") {
        if stage
            .trim()
            .to_ascii_lowercase()
            .starts_with("magnet manufacturing")
        {
            return Some("magnets".to_string());
        }
        if hs_digits.starts_with("2846") || hs_digits.starts_with("280530") {
            return Some("rare-earths".to_string());
        }
        return None;
    }
    if material.contains(';') {
        return None;
    }
    let name = material.split('(').next().unwrap_or("").trim();
    let slug: String = name.split_whitespace().collect::<Vec<_>>().join("-");
    (!slug.is_empty()).then_some(slug)
}

/// Named groups of HS codes, from the bundled `hs_codes.csv`.
pub fn hs_groups() -> &'static BTreeMap<String, Vec<String>> {
    static GROUPS: LazyLock<BTreeMap<String, Vec<String>>> = LazyLock::new(|| {
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut reader = csv::Reader::from_reader(hs_codes_text().as_bytes());
        let Ok(headers) = reader.headers().cloned() else {
            return groups;
        };
        let col = |n: &str| headers.iter().position(|h| h == n);
        let (code, material, stage) = (col("hs_code"), col("material"), col("supply_chain_stage"));
        for rec in reader.records().flatten() {
            let get = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or("");
            let digits: String = get(code).chars().filter(char::is_ascii_digit).collect();
            if let Some(g) = product_group_of_hs_row(&digits, get(material), get(stage)) {
                groups.entry(g).or_default().push(digits);
            }
        }
        for codes in groups.values_mut() {
            codes.sort();
            codes.dedup();
            // Drop codes nested under another code of the same group: a prefix match on
            // the parent already covers them.
            let all = codes.clone();
            codes.retain(|c| !all.iter().any(|p| p != c && c.starts_with(p.as_str())));
        }
        groups
    });
    &GROUPS
}

/// The group an HS line belongs to (the `product` column of ingested HS rows): the first
/// group, in name order, with a code that is a prefix of `hs`.
///
/// Called for every ingested row, so it looks the prefixes of `hs` up in an index (at most
/// ten lookups with a fast, fixed-seed hasher: the keys are our own codes, not input)
/// instead of comparing against every code of every group.
pub fn group_of_hs_code(hs: &str) -> Option<&'static str> {
    type Index = HashMap<&'static str, &'static str, foldhash::fast::FixedState>;
    static INDEX: LazyLock<Index> = LazyLock::new(|| {
        let mut index = Index::default();
        // Groups come in name order, so the first one stored for a code is the one `find`
        // over the groups would return.
        for (name, codes) in hs_groups() {
            for code in codes {
                index.entry(code.as_str()).or_insert(name.as_str());
            }
        }
        index
    });
    (1..=hs.len())
        .filter(|&len| hs.is_char_boundary(len))
        .filter_map(|len| INDEX.get(&hs[..len]).copied())
        .min()
}

/// For a `--product` that is an HS code under one of the groups: how to reach the group's
/// rows stored by name, which an HS code never selects (the bundled China customs series
/// are stored as `magnets` and `rare-earths`, without a tariff line). `None` otherwise.
pub fn stored_by_name_hint(product: &str) -> Option<String> {
    let hs = product.trim().parse::<HsCode>().ok()?;
    let group = group_of_hs_code(hs.as_str())?;
    Some(format!(
        "an HS code selects only rows stored with an HS line; rows stored by name, as the \
         bundled China customs series are, are reached with `--product {group}`"
    ))
}

/// A product name as stored and as looked up: lower case, spaces and underscores as
/// hyphens (`NdFeB Magnets` and `ndfeb_magnets` are `ndfeb-magnets`). Ingest stores names
/// through it and `--product` resolves through it, so a name that went in comes back out.
pub fn product_name(text: &str) -> String {
    text.trim().to_ascii_lowercase().replace([' ', '_'], "-")
}

/// What a `--product` value selects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProductSelector {
    /// HS lines at or below this code; never aggregates.
    Hs(HsCode),
    /// A named group: aggregate rows with this product name, and HS lines under its codes.
    Group {
        /// The group name.
        name: String,
        /// HS code prefixes of the group (may be empty for aggregate-only names).
        hs_codes: Vec<String>,
    },
}

impl ProductSelector {
    /// Resolves a `--product` value against the HS groups and the aggregate product names
    /// present in the warehouse (`aggregates`).
    pub fn resolve(text: &str, aggregates: &[String]) -> Result<ProductSelector, StoreError> {
        let t = text.trim();
        // A stored product name that begins with a digit (`3d-printing-powder`) is a name,
        // reached as one; other text beginning with a digit is an HS code.
        if t.chars().next().is_some_and(|c| c.is_ascii_digit())
            && !aggregates.contains(&product_name(t))
        {
            return t
                .parse::<HsCode>()
                .map(ProductSelector::Hs)
                .map_err(|e| match e {
                    // The hint ingest gives for the same text, not a list of names.
                    chokepoint_model::ModelError::HsDecimal { .. } => {
                        StoreError::Invalid(format!("invalid product: {e}"))
                    }
                    _ => StoreError::UnknownProduct {
                        found: text.to_string(),
                        known: known_names(aggregates),
                    },
                });
        }
        let name = product_name(t);
        let hs_codes = hs_groups().get(&name).cloned();
        if hs_codes.is_none() && !aggregates.contains(&name) {
            return Err(StoreError::UnknownProduct {
                found: text.to_string(),
                known: known_names(aggregates),
            });
        }
        Ok(ProductSelector::Group {
            name,
            hs_codes: hs_codes.unwrap_or_default(),
        })
    }

    /// Whether a row with this HS code and product name is selected.
    pub fn matches(&self, hs_code: Option<&str>, product: Option<&str>) -> bool {
        match (self, hs_code) {
            (ProductSelector::Hs(code), Some(h)) => h.starts_with(code.as_str()),
            (ProductSelector::Hs(_), None) => false,
            (ProductSelector::Group { hs_codes, .. }, Some(h)) => {
                hs_codes.iter().any(|c| h.starts_with(c.as_str()))
            }
            (ProductSelector::Group { name, .. }, None) => product == Some(name.as_str()),
        }
    }

    /// The same test as a SQL predicate over the `trade` table (pushed into the scan).
    pub fn sql_predicate(&self) -> String {
        let like = |c: &str| format!("hs_code LIKE '{}%'", c.replace('\'', "''"));
        match self {
            ProductSelector::Hs(code) => like(code.as_str()),
            ProductSelector::Group { name, hs_codes } => {
                let mut parts = vec![format!(
                    "(hs_code IS NULL AND product = '{}')",
                    name.replace('\'', "''")
                )];
                parts.extend(hs_codes.iter().map(|c| like(c)));
                format!("({})", parts.join(" OR "))
            }
        }
    }

    /// A label for output (`rare-earths`, `850511`).
    pub fn label(&self) -> String {
        match self {
            ProductSelector::Hs(c) => c.to_string(),
            ProductSelector::Group { name, .. } => name.clone(),
        }
    }
}

fn known_names(aggregates: &[String]) -> String {
    let mut names: Vec<String> = hs_groups().keys().cloned().collect();
    names.extend(aggregates.iter().cloned());
    names.sort();
    names.dedup();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored name beginning with a digit is reached as a name; other such text is an
    /// HS code (the name was stored by ingest and no `--product` could reach it).
    #[test]
    fn names_beginning_with_a_digit_are_reached_as_names() {
        let aggregates = vec!["3d-printing-powder".to_string()];
        assert!(matches!(
            ProductSelector::resolve("3d-printing-powder", &aggregates),
            Ok(ProductSelector::Group { .. })
        ));
        assert!(matches!(
            ProductSelector::resolve("850511", &aggregates),
            Ok(ProductSelector::Hs(_))
        ));
        assert!(ProductSelector::resolve("3d-other", &aggregates).is_err());
    }

    /// A name ingested as `NdFeB Magnets` is found by `--product "NdFeB Magnets"` (and by
    /// its hyphenated and underscored spellings): both sides go through `product_name`.
    #[test]
    fn a_stored_name_resolves_however_it_is_spelled() {
        let stored = [product_name("NdFeB Magnets")];
        assert_eq!(stored[0], "ndfeb-magnets");
        for asked in [
            "NdFeB Magnets",
            "ndfeb-magnets",
            "NDFEB_MAGNETS",
            " ndfeb magnets ",
        ] {
            let sel = ProductSelector::resolve(asked, &stored).unwrap();
            assert!(sel.matches(None, Some("ndfeb-magnets")), "{asked}");
        }
    }

    #[test]
    fn the_hs_index_answers_as_a_scan_of_every_group() {
        let scan = |hs: &str| {
            hs_groups()
                .iter()
                .find(|(_, codes)| codes.iter().any(|c| hs.starts_with(c.as_str())))
                .map(|(name, _)| name.as_str())
        };
        let mut probes: Vec<String> = vec!["".into(), "9".into(), "28".into(), "999999".into()];
        for codes in hs_groups().values() {
            for c in codes {
                probes.push(c.clone());
                probes.push(format!("{c}00"));
                probes.push(c[..c.len() - 1].to_string());
            }
        }
        for hs in &probes {
            assert_eq!(group_of_hs_code(hs), scan(hs), "{hs}");
        }
        assert_eq!(group_of_hs_code("85051110"), Some("magnets"));
    }

    #[test]
    fn bundled_groups_cover_magnets_and_rare_earth_headings_only() {
        let g = hs_groups();
        assert!(g["magnets"].contains(&"850511".to_string()));
        let re = &g["rare-earths"];
        assert!(re.contains(&"284610".to_string()) && re.contains(&"280530".to_string()));
        assert!(!re.iter().any(|c| c.starts_with("2530")), "{re:?}");
        assert_eq!(group_of_hs_code("28469039"), Some("rare-earths"));
    }

    #[test]
    fn a_product_written_as_a_decimal_number_is_refused_with_the_ingest_hint() {
        let e = ProductSelector::resolve("850511.0", &[]).unwrap_err();
        assert!(e.to_string().contains("without decimals"), "{e}");
        assert_eq!(
            ProductSelector::resolve("8505.11", &[]).unwrap(),
            ProductSelector::Hs("850511".parse().unwrap())
        );
    }

    #[test]
    fn hs_selector_never_matches_aggregates() {
        let s = ProductSelector::resolve("850511", &[]).unwrap();
        assert!(s.matches(Some("85051110"), None));
        assert!(!s.matches(None, Some("magnets")));
        let g = ProductSelector::resolve("magnets", &["magnets".into()]).unwrap();
        assert!(g.matches(None, Some("magnets")));
        assert!(g.matches(Some("850511"), Some("magnets")));
        assert!(!g.matches(None, Some("rare-earths")));
    }

    #[test]
    fn unknown_product_lists_the_choices() {
        let e = ProductSelector::resolve("magnet", &["rare-earths".into()]).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("magnets") && msg.contains("rare-earths"),
            "{msg}"
        );
        assert!(ProductSelector::resolve("85x", &[]).is_err());
    }
}
