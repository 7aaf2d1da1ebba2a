//! The criticality parameter file (`data/rare-earths/criticality_params.toml`): inputs the
//! data do not contain (governance scores, trade adjustments, recycling and substitution
//! indices, import reliance, economic-importance sectors), each with its source.
//!
//! Every number may be written bare (`eol_rir = 0.01`) or with its source
//! (`eol_rir = { value = 0.01, source = "EU CRM 2023 factsheet" }`). An input left out is
//! either replaced by a documented neutral default (and reported as *defaulted*) or makes
//! the score "not computable" (and is reported as *missing*); see [`Resolved`].
//!
//! Every number is range-checked on load and a bad one is refused at its `file:line:column`
//! ("… is out of range; expected …"): fractions in 0–1, scaled WGI in 0–10, and thresholds
//! finite and above 0 (the USGS supply-risk threshold at most 1), since a NaN threshold made
//! every score "below threshold" and so the verdict "not critical".

use std::collections::BTreeMap;
use std::path::Path;

use chokepoint_model::line_column;
use serde::{Deserialize, Serialize};

use crate::StoreError;
use crate::indicators::concentration::SHARE_SUM_TOLERANCE;

/// A number with an optional source.
#[derive(Clone, Debug, PartialEq)]
pub enum Sourced {
    /// A bare number.
    Bare(f64),
    /// A number and where it comes from.
    Full {
        /// The value.
        value: f64,
        /// Where it comes from (publication, table, URL).
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

/// Read by hand rather than `#[serde(untagged)]`, whose error for a wrong type ("data did not
/// match any variant of untagged enum") says neither what was found nor what is expected.
impl<'de> Deserialize<'de> for Sourced {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Sourced, D::Error> {
        d.deserialize_any(SourcedVisitor)
    }
}

struct SourcedVisitor;

/// What a sourced number may be written as, for every message about one.
const SOURCED_FORMS: &str = "a number or { value = …, source = \"…\" }";

impl<'de> serde::de::Visitor<'de> for SourcedVisitor {
    type Value = Sourced;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(SOURCED_FORMS)
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Sourced, E> {
        Ok(Sourced::Bare(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Sourced, E> {
        Ok(Sourced::Bare(v as f64))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Sourced, E> {
        Ok(Sourced::Bare(v as f64))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Sourced, A::Error> {
        use serde::de::Error;
        let (mut value, mut source) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "value" => value = Some(map.next_value::<NumberOnly>()?.0),
                "source" => source = Some(map.next_value::<String>()?),
                other => {
                    return Err(A::Error::custom(format!(
                        "unknown key `{other}`; expected {SOURCED_FORMS}"
                    )));
                }
            }
        }
        let value = value.ok_or_else(|| {
            A::Error::custom(format!("missing `value`; expected {SOURCED_FORMS}"))
        })?;
        Ok(Sourced::Full { value, source })
    }
}

/// The `value` of a sourced number: a number only, with a plain message otherwise.
struct NumberOnly(f64);

impl<'de> Deserialize<'de> for NumberOnly {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<NumberOnly, D::Error> {
        match d.deserialize_any(SourcedVisitor)? {
            Sourced::Bare(v) => Ok(NumberOnly(v)),
            Sourced::Full { .. } => Err(serde::de::Error::custom("`value` must be a number")),
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
        let mut params: CriticalityParams =
            toml::from_str(text).map_err(|e| toml_error(text, origin, &e))?;
        let at = Locator { text, origin };
        params.normalise_country_keys(&at)?;
        params.validate(&at)?;
        Ok(params)
    }

    /// Country keys are ISO-3 codes, matched case-insensitively: `chn` is `CHN` (it was
    /// silently ignored, CHN falling back to the default), and a key that is not a code
    /// (`ZZZZ`) or names a country twice is refused at its line.
    fn normalise_country_keys(&mut self, at: &Locator<'_>) -> Result<(), StoreError> {
        fn upper<V>(
            map: &mut BTreeMap<String, V>,
            table: &str,
            at: &Locator<'_>,
        ) -> Result<(), StoreError> {
            let mut out = BTreeMap::new();
            for (key, v) in std::mem::take(map) {
                let path = format!("{table}.{key}");
                let code: chokepoint_model::Iso3 = key
                    .parse()
                    .map_err(|e| at.invalid(&path, format!("{path}: {e}")))?;
                let code = code.as_str().to_string();
                if out.contains_key(&code) {
                    return Err(at.invalid(
                        &path,
                        format!("{path}: {code} is given twice (country codes ignore case)"),
                    ));
                }
                out.insert(code, v);
            }
            *map = out;
            Ok(())
        }
        upper(&mut self.governance.scaled, "governance.scaled", at)?;
        upper(&mut self.eu.trade_adjustment, "eu.trade_adjustment", at)?;
        upper(
            &mut self.eu.sourcing_extraction.shares,
            "eu.sourcing_extraction.shares",
            at,
        )?;
        upper(
            &mut self.eu.sourcing_processing.shares,
            "eu.sourcing_processing.shares",
            at,
        )
    }

    /// Reads and parses a parameter file.
    pub fn load(path: &Path) -> Result<CriticalityParams, StoreError> {
        // Capped, and a user error whatever the cause (not exit 1 for `/dev/zero`).
        let text =
            chokepoint_model::read_small_text(path).map_err(|source| StoreError::ReadFile {
                path: path.to_path_buf(),
                source,
            })?;
        CriticalityParams::from_toml(&text, path)
    }

    /// Range checks the formulas rely on (fractions in 0–1, positive scores).
    fn validate(&self, at: &Locator<'_>) -> Result<(), StoreError> {
        let bad = |field: String, value: f64, allowed: &'static str| {
            let (line, column) = at.line_column(&field);
            StoreError::Param {
                path: at.origin.to_path_buf(),
                line,
                column,
                field,
                value,
                allowed,
            }
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
        // A threshold decides the verdict: NaN compares false with every score (each one
        // "below threshold", so "not critical"), infinity is never reached and a negative
        // one always is. Scores are non-negative, so a threshold must be finite and above 0;
        // the USGS supply risk is a product of three fractions, so its threshold is at most 1.
        let positive = |name: &str, v: Option<&Sourced>, allowed: &'static str, max: f64| match v {
            Some(s) if !(s.value() > 0.0 && s.value() <= max) => {
                Err(bad(name.to_string(), s.value(), allowed))
            }
            _ => Ok(()),
        };
        positive(
            "thresholds.eu_supply_risk",
            self.thresholds.eu_supply_risk.as_ref(),
            "a finite number above 0 (the EU method uses 1.0)",
            f64::MAX,
        )?;
        positive(
            "thresholds.eu_economic_importance",
            self.thresholds.eu_economic_importance.as_ref(),
            "a finite number above 0 (the EU method uses 2.8)",
            f64::MAX,
        )?;
        positive(
            "thresholds.usgs_supply_risk",
            self.thresholds.usgs_supply_risk.as_ref(),
            "a number above 0 and at most 1 (the USGS method uses 0.40)",
            1.0,
        )?;
        // The same holds for the values standing in for a missing country or for the EI
        // denominator: NaN there turns every score it enters into NaN.
        if let Some(d) = &self.governance.default_scaled
            && !(0.0..=10.0).contains(&d.value())
        {
            return Err(bad(
                "governance.default_scaled".into(),
                d.value(),
                "a scaled WGI between 0 and 10",
            ));
        }
        positive(
            "eu.trade_adjustment_default",
            self.eu.trade_adjustment_default.as_ref(),
            "a positive multiplier",
            f64::MAX,
        )?;
        positive(
            "eu.largest_sector_value_added_meur",
            self.eu.largest_sector_value_added_meur.as_ref(),
            "a positive amount (million EUR)",
            f64::MAX,
        )?;
        for (year, v) in &self.usgs.net_import_reliance {
            if chokepoint_model::parse_year(year).is_none() {
                let path = format!("usgs.net_import_reliance.{year}");
                return Err(at.invalid(
                    &path,
                    format!("{path}: {year:?} is not a year (write \"2024\" = 0.53)"),
                ));
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
        // Each value in range is not enough: the parts of one whole must not add up to
        // more than it. A sourcing mix of 170 % of EU supply gave an EU HHI of 6.6, and end
        // uses of 130 % an economic importance of 39 on the method's 0–10 scale. The
        // tolerance is the one for sources' rounding (`SHARE_SUM_TOLERANCE`).
        let most = 1.0 + SHARE_SUM_TOLERANCE;
        for (name, sourcing) in [
            ("eu.sourcing_extraction", &self.eu.sourcing_extraction),
            ("eu.sourcing_processing", &self.eu.sourcing_processing),
        ] {
            let sum: f64 = sourcing.shares.values().sum();
            if sum > most {
                let key = format!("{name}.shares");
                return Err(at.invalid(
                    &key,
                    format!(
                        "{key} add up to {sum:.4}: they are fractions of EU supply, at most 1 in \
                         all (a sum below 1 leaves the rest unattributed, and the scores are \
                         then lower bounds)"
                    ),
                ));
            }
        }
        let end_uses: f64 = self.eu.sectors.iter().map(|s| s.end_use_share).sum();
        if end_uses > most {
            return Err(at.invalid(
                "eu.sectors",
                format!(
                    "the sectors' end_use_share add up to {end_uses:.4}: they are fractions of \
                     the material's end uses, at most 1 in all"
                ),
            ));
        }
        let largest = self
            .eu
            .largest_sector_value_added_meur
            .as_ref()
            .map(Sourced::value);
        for (i, s) in self.eu.sectors.iter().enumerate() {
            if let Some(largest) = largest
                && s.value_added_meur > largest
            {
                let key = format!("eu.sectors[{i}].value_added_meur");
                return Err(at.invalid(
                    &key,
                    format!(
                        "{key} = {} is above eu.largest_sector_value_added_meur = {largest}, \
                         the method's denominator (the largest two-digit sector): raise that, \
                         or correct the sector's value added",
                        s.value_added_meur
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Points errors found after parsing at the line and column of their key.
struct Locator<'a> {
    text: &'a str,
    origin: &'a Path,
}

impl Locator<'_> {
    fn line_column(&self, key: &str) -> (usize, usize) {
        chokepoint_model::toml_locate(self.text, key).unwrap_or((0, 0))
    }

    fn invalid(&self, key: &str, message: String) -> StoreError {
        let (line, column) = self.line_column(key);
        StoreError::ParamsSyntax {
            path: self.origin.to_path_buf(),
            line,
            column,
            message,
        }
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
mod tests;
