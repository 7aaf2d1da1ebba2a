//! Criticality scores: the EU supply risk (governance-weighted HHI with import reliance,
//! recycling and substitution) and economic importance with their thresholds (SR ≥ 1,
//! EI ≥ 2.8), and a USGS-2022-style supply risk (disruption potential × trade exposure ×
//! economic vulnerability), following `data/rare-earths/criticality_methods.md`.
//!
//! The formulas are pure functions; [`eu_assessment`] and [`usgs_assessment`] combine them
//! with the parameter file and report every input as given, defaulted or missing.
//!
//! **Lower bounds.** A stage's shares may name only part of world output (USGS MCS2020 names
//! only the USA for 2019: 12.4 % of the world total). The unattributed rest is not a
//! supplier, so every governance-weighted HHI built on those shares, and the supply risk
//! built on it, is a lower bound; each carries a [`LowerBound`] with its upper bound, the
//! score had the rest been one country with the default governance score and trade
//! adjustment (as a country without a score gets). The bottleneck (the highest stage) is a
//! lower bound too when a stage is a lower bound or has no shares at all. A lower bound at
//! or above its threshold is established; one below it is [`ThresholdStatus::Inconclusive`]
//! unless even its upper bound is below; and an inconclusive deciding score makes the
//! verdict [`Verdict::Inconclusive`], never "not critical".

use serde::Serialize;

use super::concentration::{SupplierShare, concentration};
use super::params::{CriticalityParams, InputStatus, Resolved, Sourced};
use super::{Figure, NotComputable};

/// EU EI threshold (JRC 2017 guidelines, used for the 2017–2023 lists).
pub const EU_EI_THRESHOLD: f64 = 2.8;
/// EU SR threshold.
pub const EU_SR_THRESHOLD: f64 = 1.0;
/// USGS 2022 threshold on the recency-weighted mean supply risk.
pub const USGS_SR_THRESHOLD: f64 = 0.40;
/// Scaled WGI used when a country has none: WGI estimates are standardised to a world
/// mean of 0, which the EU's 0–10 map `(2.5 − WGI) × 2` sends to 5.
pub const WGI_SCALED_WORLD_MEAN: f64 = 5.0;

/// Governance-and-trade-weighted HHI on the fraction scale: Σ s² · WGI · t.
///
/// ```
/// use chokepoint_store::indicators::criticality::hhi_wgi_t;
/// // one supplier with 80 %, WGI 6, t 1.1 → 0.64 · 6 · 1.1
/// assert!((hhi_wgi_t(&[(0.8, 6.0, 1.1)]) - 4.224).abs() < 1e-12);
/// ```
pub fn hhi_wgi_t(share_wgi_t: &[(f64, f64, f64)]) -> f64 {
    share_wgi_t.iter().map(|(s, w, t)| s * s * w * t).sum()
}

/// EU supply risk of one stage:
/// `[HHI_GS · IR/2 + HHI_EU · (1 − IR/2)] · (1 − EOL_RIR) · SI_SR`.
pub fn eu_supply_risk(
    hhi_global: f64,
    hhi_eu_sourcing: f64,
    import_reliance: f64,
    eol_rir: f64,
    substitution_sr: f64,
) -> f64 {
    (hhi_global * import_reliance / 2.0 + hhi_eu_sourcing * (1.0 - import_reliance / 2.0))
        * (1.0 - eol_rir)
        * substitution_sr
}

/// EU economic importance: `Σ A_s · Q_s / max Q · 10 · SI_EI`, from (end-use share, sector
/// value added) pairs and the value added of the largest sector.
pub fn eu_economic_importance(
    sectors: &[(f64, f64)],
    largest_sector_value_added: f64,
    substitution_ei: f64,
) -> Result<f64, NotComputable> {
    if sectors.is_empty() {
        return Err(NotComputable::needs([
            "eu.sectors (end-use share and value added per NACE sector)",
        ]));
    }
    if largest_sector_value_added <= 0.0 {
        return Err(NotComputable::needs([
            "a positive eu.largest_sector_value_added_meur",
        ]));
    }
    let sum: f64 = sectors.iter().map(|(a, q)| a * q).sum();
    Ok(sum / largest_sector_value_added * 10.0 * substitution_ei)
}

/// USGS disruption potential: governance-weighted HHI, Σ s² · g, with g the governance risk
/// on 0–1 (scaled WGI ÷ 10). The exact USGS form is unverified (methods note §3.2).
pub fn usgs_disruption_potential(share_risk: &[(f64, f64)]) -> f64 {
    share_risk.iter().map(|(s, g)| s * s * g).sum()
}

/// USGS supply risk = DP × TE × EV, with trade exposure the net import reliance clamped
/// to 0–1 (a net exporter has none).
pub fn usgs_supply_risk(disruption: f64, net_import_reliance: f64, vulnerability: f64) -> f64 {
    disruption * net_import_reliance.clamp(0.0, 1.0) * vulnerability
}

mod bounds;
mod eu;
mod usgs;

use bounds::*;
pub use bounds::{LowerBound, ThresholdStatus};
pub use eu::{EuAssessment, EuStage, eu_assessment};
pub use usgs::{UsgsAssessment, UsgsStage, usgs_assessment};

/// The supply of one stage fed to the scores.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageSupply {
    /// `extraction` (mining) or `processing` (separation).
    pub stage: String,
    /// Data year of the shares.
    pub year: i32,
    /// Global supply shares.
    pub shares: Vec<SupplierShare>,
    /// Where the shares come from.
    pub basis: String,
}

/// Whether a material is critical.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Both thresholds reached.
    Critical,
    /// At least one threshold not reached (established: not by a lower bound).
    NotCritical,
    /// A score is missing; the reason says which inputs.
    NotComputable(String),
    /// No threshold is established as missed, but a deciding score is a lower bound below
    /// its threshold (partial shares, or a stage without shares); the reason says which and
    /// what is missing.
    Inconclusive(String),
}

impl Verdict {
    /// The word shown in tables.
    pub fn display(&self) -> String {
        match self {
            Verdict::Critical => "critical".into(),
            Verdict::NotCritical => "not critical".into(),
            Verdict::NotComputable(why) => why.clone(),
            Verdict::Inconclusive(why) => format!("inconclusive: {why}"),
        }
    }
}

/// Collects the inputs used, once each.
#[derive(Default)]
struct Inputs(Vec<Resolved>);

impl Inputs {
    fn push(&mut self, name: String, value: Option<f64>, status: InputStatus, note: String) {
        if !self.0.iter().any(|r| r.name == name) {
            self.0.push(Resolved {
                name,
                value,
                status,
                note,
            });
        }
    }

    /// Records a value set in the parameter file.
    fn given(&mut self, name: &str, s: &Sourced) -> f64 {
        let note = s
            .source()
            .unwrap_or("set in the parameter file")
            .to_string();
        self.push(name.into(), Some(s.value()), InputStatus::Given, note);
        s.value()
    }

    /// A value from the file, else `default` (reported as defaulted with `why`).
    fn or_default(&mut self, name: &str, given: Option<&Sourced>, default: f64, why: &str) -> f64 {
        match given {
            Some(s) => self.given(name, s),
            None => {
                self.push(
                    name.into(),
                    Some(default),
                    InputStatus::Defaulted,
                    why.into(),
                );
                default
            }
        }
    }

    /// A value from the file, else missing (the caller reports "not computable").
    fn required(&mut self, name: &str, given: Option<&Sourced>, how: &str) -> Option<f64> {
        match given {
            Some(s) => Some(self.given(name, s)),
            None => {
                self.push(name.into(), None, InputStatus::Missing, how.into());
                None
            }
        }
    }

    fn governance(&mut self, params: &CriticalityParams, country: &str) -> f64 {
        let name = format!("governance.scaled.{country}");
        if let Some(s) = params.governance.scaled.get(country) {
            return self.or_default(&name, Some(s), 0.0, "");
        }
        let (value, why) = match &params.governance.default_scaled {
            Some(d) => (
                d.value(),
                "governance.default_scaled from the parameter file",
            ),
            None => (
                WGI_SCALED_WORLD_MEAN,
                "world mean (WGI 0 → 5 on the 0–10 scale); set governance.scaled.<ISO3>",
            ),
        };
        self.push(name, Some(value), InputStatus::Defaulted, why.into());
        value
    }

    fn trade(&mut self, params: &CriticalityParams, country: &str) -> f64 {
        let name = format!("eu.trade_adjustment.{country}");
        if let Some(s) = params.eu.trade_adjustment.get(country) {
            return self.or_default(&name, Some(s), 1.0, "");
        }
        let value = params
            .eu
            .trade_adjustment_default
            .as_ref()
            .map_or(1.0, Sourced::value);
        self.push(
            name,
            Some(value),
            InputStatus::Defaulted,
            "no export restriction or EU trade agreement assumed (t = 1); set \
             eu.trade_adjustment.<ISO3>"
                .into(),
        );
        value
    }
}

fn threshold(inputs: &mut Inputs, name: &str, given: Option<&Sourced>, builtin: f64) -> f64 {
    match given {
        Some(s) => inputs.or_default(name, Some(s), builtin, ""),
        None => {
            inputs.push(
                name.into(),
                Some(builtin),
                InputStatus::Given,
                "built-in methodology constant (criticality_methods.md)".into(),
            );
            builtin
        }
    }
}

/// What a country without its own scores gets: (scaled WGI, trade adjustment `t`), the
/// assumption behind every upper bound.
fn unnamed_country(params: &CriticalityParams) -> (f64, f64) {
    (
        params
            .governance
            .default_scaled
            .as_ref()
            .map_or(WGI_SCALED_WORLD_MEAN, Sourced::value),
        params
            .eu
            .trade_adjustment_default
            .as_ref()
            .map_or(1.0, Sourced::value),
    )
}

#[cfg(test)]
mod tests;
