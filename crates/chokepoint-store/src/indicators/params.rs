//! The criticality parameter file (`data/rare-earths/criticality_params.toml`): inputs the
//! data do not contain (governance scores, trade adjustments, recycling and substitution
//! indices, import reliance, economic-importance sectors), each with its source.
//!
//! Every number may be written bare (`eol_rir = 0.01`) or with its source
//! (`eol_rir = { value = 0.01, source = "EU CRM 2023 factsheet" }`). An input left out is
//! either replaced by a documented neutral default (and reported as *defaulted*) or makes
//! the score "not computable" (and is reported as *missing*); see [`Resolved`].

use std::collections::BTreeMap;
use std::path::Path;

use chokepoint_model::line_column;
use serde::{Deserialize, Serialize};

use crate::StoreError;

/// A number with an optional source.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Sourced {
    /// A bare number.
    Bare(f64),
    /// A number and where it comes from.
    Full {
        /// The value.
        value: f64,
        /// Where it comes from (publication, table, URL).
        #[serde(default)]
        source: Option<String>,
    },
}

impl Sourced {
    /// The value.
    pub fn value(&self) -> f64 {
        match self {
            Sourced::Bare(v) | Sourced::Full { value: v, .. } => *v,
        }
    }

    /// The source, if given.
    pub fn source(&self) -> Option<&str> {
        match self {
            Sourced::Bare(_) => None,
            Sourced::Full { source, .. } => source.as_deref(),
        }
    }
}

/// Whether an input was given, defaulted or is missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputStatus {
    /// Set in the parameter file (or derived from the warehouse).
    Given,
    /// Not set: a documented neutral default was used.
    Defaulted,
    /// Not set and no default exists: the scores that need it are not computable.
    Missing,
}

/// One input as used in a score, for the "inputs" part of every criticality output.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Resolved {
    /// Parameter path (`eu.eol_rir`, `governance.scaled.CHN`, …).
    pub name: String,
    /// The value used (none when missing).
    pub value: Option<f64>,
    /// Given, defaulted or missing.
    pub status: InputStatus,
    /// Source of a given value, or why the default was chosen, or how to supply it.
    pub note: String,
}

/// Thresholds of the methods (methodology constants, not material data).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// EU economic-importance threshold (2.8).
    pub eu_economic_importance: Option<Sourced>,
    /// EU supply-risk threshold (1.0).
    pub eu_supply_risk: Option<Sourced>,
    /// USGS 2022 supply-risk threshold (0.40, recency-weighted mean).
    pub usgs_supply_risk: Option<Sourced>,
    /// CRMA benchmark: largest single third-country share (0.65).
    pub crma_max_single_country_share: Option<Sourced>,
}

/// Governance scores (WGI rescaled to 0–10, higher = poorer governance = higher risk).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Governance {
    /// Scaled WGI per country (ISO-3).
    #[serde(default)]
    pub scaled: BTreeMap<String, Sourced>,
    /// Score for countries without one (reported as defaulted).
    pub default_scaled: Option<Sourced>,
}

/// Country shares of one stage as the EU sources it.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sourcing {
    /// Share of EU sourcing per country (fractions).
    #[serde(default)]
    pub shares: BTreeMap<String, f64>,
    /// Where the shares come from.
    pub source: Option<String>,
}

/// One NACE sector in the EU economic-importance sum.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sector {
    /// NACE Rev. 2 two-digit code (`C29`).
    pub nace: String,
    /// Share of the material's end uses in this sector (fraction).
    pub end_use_share: f64,
    /// Value added of the sector (million EUR).
    pub value_added_meur: f64,
    /// Where the figures come from.
    pub source: Option<String>,
}

/// Inputs of the EU method.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EuParams {
    /// Trade adjustment `t` per country (1 = no restriction).
    #[serde(default)]
    pub trade_adjustment: BTreeMap<String, Sourced>,
    /// `t` for countries without one.
    pub trade_adjustment_default: Option<Sourced>,
    /// EU import reliance at the extraction stage (fraction).
    pub import_reliance_extraction: Option<Sourced>,
    /// EU import reliance at the processing stage (fraction).
    pub import_reliance_processing: Option<Sourced>,
    /// End-of-life recycling input rate (fraction).
    pub eol_rir: Option<Sourced>,
    /// Substitution index for supply risk (≤ 1).
    pub substitution_sr: Option<Sourced>,
    /// Substitution index for economic importance (≤ 1).
    pub substitution_ei: Option<Sourced>,
    /// EU sourcing at extraction (else global shares are used as a proxy).
    #[serde(default)]
    pub sourcing_extraction: Sourcing,
    /// EU sourcing at processing (else global shares are used as a proxy).
    #[serde(default)]
    pub sourcing_processing: Sourcing,
    /// Sectors of the economic-importance sum.
    #[serde(default)]
    pub sectors: Vec<Sector>,
    /// Value added of the largest two-digit manufacturing sector (million EUR), the
    /// denominator that scales EI to 0–10.
    pub largest_sector_value_added_meur: Option<Sourced>,
}

/// Inputs of the USGS 2022 method.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsgsParams {
    /// US net import reliance by data year (`"2024" = 0.53`).
    #[serde(default)]
    pub net_import_reliance: BTreeMap<String, Sourced>,
    /// Economic vulnerability (0–1).
    pub economic_vulnerability: Option<Sourced>,
}

/// The whole parameter file.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriticalityParams {
    /// Method thresholds.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// Governance scores.
    #[serde(default)]
    pub governance: Governance,
    /// EU method inputs.
    #[serde(default)]
    pub eu: EuParams,
    /// USGS method inputs.
    #[serde(default)]
    pub usgs: UsgsParams,
}

impl CriticalityParams {
    /// Parses TOML text; `origin` names the file in errors.
    pub fn from_toml(text: &str, origin: &Path) -> Result<CriticalityParams, StoreError> {
        let params: CriticalityParams =
            toml::from_str(text).map_err(|e| toml_error(text, origin, &e))?;
        params.validate(origin)?;
        Ok(params)
    }

    /// Reads and parses a parameter file.
    pub fn load(path: &Path) -> Result<CriticalityParams, StoreError> {
        let text = std::fs::read_to_string(path).map_err(|e| StoreError::io(path, e))?;
        CriticalityParams::from_toml(&text, path)
    }

    /// Range checks the formulas rely on (fractions in 0–1, positive scores).
    fn validate(&self, origin: &Path) -> Result<(), StoreError> {
        let bad = |field: String, value: f64, allowed: &'static str| StoreError::Param {
            path: origin.to_path_buf(),
            field,
            value,
            allowed,
        };
        let fraction = |name: &str, v: Option<&Sourced>| match v {
            Some(s) if !(0.0..=1.0).contains(&s.value()) => Err(bad(
                name.to_string(),
                s.value(),
                "a fraction between 0 and 1",
            )),
            _ => Ok(()),
        };
        fraction(
            "eu.import_reliance_extraction",
            self.eu.import_reliance_extraction.as_ref(),
        )?;
        fraction(
            "eu.import_reliance_processing",
            self.eu.import_reliance_processing.as_ref(),
        )?;
        fraction("eu.eol_rir", self.eu.eol_rir.as_ref())?;
        fraction("eu.substitution_sr", self.eu.substitution_sr.as_ref())?;
        fraction("eu.substitution_ei", self.eu.substitution_ei.as_ref())?;
        fraction(
            "usgs.economic_vulnerability",
            self.usgs.economic_vulnerability.as_ref(),
        )?;
        fraction(
            "thresholds.crma_max_single_country_share",
            self.thresholds.crma_max_single_country_share.as_ref(),
        )?;
        for (year, v) in &self.usgs.net_import_reliance {
            if year.parse::<i32>().is_err() {
                return Err(StoreError::Invalid(format!(
                    "{}: usgs.net_import_reliance key {year:?} is not a year (write \"2024\" = 0.53)",
                    origin.display()
                )));
            }
            fraction(&format!("usgs.net_import_reliance.{year}"), Some(v))?;
        }
        for (c, v) in &self.governance.scaled {
            if !(0.0..=10.0).contains(&v.value()) {
                return Err(bad(
                    format!("governance.scaled.{c}"),
                    v.value(),
                    "a scaled WGI between 0 and 10",
                ));
            }
        }
        for (c, v) in &self.eu.trade_adjustment {
            if v.value() <= 0.0 || !v.value().is_finite() {
                return Err(bad(
                    format!("eu.trade_adjustment.{c}"),
                    v.value(),
                    "a positive multiplier",
                ));
            }
        }
        for (name, sourcing) in [
            ("eu.sourcing_extraction", &self.eu.sourcing_extraction),
            ("eu.sourcing_processing", &self.eu.sourcing_processing),
        ] {
            for (c, v) in &sourcing.shares {
                if !(0.0..=1.0).contains(v) {
                    return Err(bad(
                        format!("{name}.shares.{c}"),
                        *v,
                        "a fraction between 0 and 1",
                    ));
                }
            }
        }
        for (i, s) in self.eu.sectors.iter().enumerate() {
            if !(0.0..=1.0).contains(&s.end_use_share) {
                return Err(bad(
                    format!("eu.sectors[{i}].end_use_share"),
                    s.end_use_share,
                    "a fraction between 0 and 1",
                ));
            }
            if s.value_added_meur < 0.0 || !s.value_added_meur.is_finite() {
                return Err(bad(
                    format!("eu.sectors[{i}].value_added_meur"),
                    s.value_added_meur,
                    "a non-negative amount",
                ));
            }
        }
        Ok(())
    }
}

fn toml_error(text: &str, origin: &Path, e: &toml::de::Error) -> StoreError {
    let (line, column) = e
        .span()
        .map_or((0, 0), |span| line_column(text, span.start));
    StoreError::ParamsSyntax {
        path: origin.to_path_buf(),
        line,
        column,
        message: e.message().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<CriticalityParams, StoreError> {
        CriticalityParams::from_toml(s, Path::new("p.toml"))
    }

    #[test]
    fn bare_and_sourced_numbers_both_parse() {
        let p = parse("[eu]\neol_rir = 0.01\nsubstitution_sr = { value = 0.9, source = \"x\" }\n")
            .unwrap();
        assert_eq!(p.eu.eol_rir.unwrap().value(), 0.01);
        assert_eq!(p.eu.substitution_sr.as_ref().unwrap().source(), Some("x"));
    }

    #[test]
    fn syntax_errors_point_to_line_and_column() {
        let e = parse("[eu]\neol_rir = \n").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("p.toml:2:"), "{msg}");
        assert!(e.is_user_error());
    }

    #[test]
    fn unknown_keys_are_rejected_with_their_name() {
        let e = parse("[eu]\neol_rri = 0.1\n").unwrap_err();
        assert!(e.to_string().contains("eol_rri"), "{e}");
    }

    #[test]
    fn out_of_range_values_name_the_field() {
        let e = parse("[eu]\neol_rir = 1.5\n").unwrap_err();
        assert!(e.to_string().contains("eu.eol_rir"), "{e}");
        let e = parse("[usgs.net_import_reliance]\n\"20x4\" = 0.5\n").unwrap_err();
        assert!(e.to_string().contains("not a year"), "{e}");
    }

    #[test]
    fn shipped_file_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/rare-earths/criticality_params.toml");
        let p = CriticalityParams::load(&path).unwrap();
        assert_eq!(p.thresholds.eu_supply_risk.unwrap().value(), 1.0);
    }
}
