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

/// A score computed from shares that name only part of world output, or over the stages
/// that have shares when one has none: the method's score is at least this value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LowerBound {
    /// The most the score can be: the unattributed rest of world output as one country with
    /// the default governance score and trade adjustment. `None` when nothing bounds it (a
    /// stage without shares).
    pub at_most: Option<f64>,
    /// Why the score is a lower bound: "lower bound: shares cover 12.4 % of world output; at
    /// most 3.887 if the unattributed 87.6 % were one country (scaled WGI 5.0, t 1.0)".
    pub note: String,
}

/// Where a score stands against its threshold, taking a [`LowerBound`] into account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdStatus {
    /// The score (or its lower bound) reaches the threshold.
    AtOrAbove,
    /// The score, and its upper bound when it is a lower bound, is below the threshold.
    Below,
    /// A lower bound below the threshold whose upper bound reaches it (or is unknown):
    /// whether the threshold is reached is not established.
    Inconclusive,
    /// The score is missing.
    NotComputable,
}

impl ThresholdStatus {
    /// The one rule, for the verdict and every printed status.
    pub fn of(score: &Figure, bound: Option<&LowerBound>, threshold: f64) -> ThresholdStatus {
        match (score.value(), bound) {
            (None, _) => ThresholdStatus::NotComputable,
            (Some(v), _) if v >= threshold => ThresholdStatus::AtOrAbove,
            (Some(_), None) => ThresholdStatus::Below,
            (Some(_), Some(b)) if b.at_most.is_some_and(|m| m < threshold) => {
                ThresholdStatus::Below
            }
            (Some(_), Some(_)) => ThresholdStatus::Inconclusive,
        }
    }

    /// The words shown in tables.
    pub fn word(self) -> &'static str {
        match self {
            ThresholdStatus::AtOrAbove => "at or above threshold",
            ThresholdStatus::Below => "below threshold",
            ThresholdStatus::Inconclusive => "inconclusive: lower bound below threshold",
            ThresholdStatus::NotComputable => "not computable",
        }
    }
}

/// The part of world output a stage's shares leave unattributed, as
/// `(coverage, unattributed)`, when it is more than rounding
/// ([`Concentration::is_partial`](super::concentration::Concentration::is_partial)).
fn unattributed(shares: &[SupplierShare]) -> Option<(f64, f64)> {
    // Shares that fail the check (above 1 in sum, negative) leave nothing unattributed to
    // bound; the warehouse's shares have passed it already.
    let c = concentration(shares).ok().filter(|c| c.is_partial())?;
    Some((c.coverage, (1.0 - c.coverage).max(0.0)))
}

/// "lower bound: shares cover 12.4 % of world output; at most 3.887 if the unattributed
/// 87.6 % were one country (scaled WGI 5.0, t 1.0)".
fn partial_note(coverage: f64, at_most: Option<f64>, assumption: &str) -> String {
    let rest = 100.0 * (1.0 - coverage).max(0.0);
    match at_most {
        Some(m) => format!(
            "lower bound: shares cover {:.1} % of world output; at most {m:.3} if the \
             unattributed {rest:.1} % were one country ({assumption})",
            100.0 * coverage
        ),
        None => format!(
            "lower bound: shares cover {:.1} % of world output; the unattributed {rest:.1} % \
             is not in it",
            100.0 * coverage
        ),
    }
}

/// The bottleneck's bound: a lower bound when a stage is one, or when a stage has no
/// shares (it could be the highest). `stages` are (name, score, bound); `missing` the
/// stages without shares ("processing: not computable: needs …").
fn bottleneck_bound(
    bottleneck: &Figure,
    stages: &[(&str, &Figure, Option<&LowerBound>)],
    missing: &[String],
) -> Option<LowerBound> {
    bottleneck.value()?;
    let bounded: Vec<&(&str, &Figure, Option<&LowerBound>)> =
        stages.iter().filter(|(_, _, b)| b.is_some()).collect();
    if bounded.is_empty() && missing.is_empty() {
        return None;
    }
    // Every stage present: the highest stage upper bound; a stage missing: unbounded.
    let at_most = if missing.is_empty() {
        stages.iter().try_fold(f64::NEG_INFINITY, |m, (_, f, b)| {
            let top = match b {
                Some(b) => b.at_most?,
                None => f.value()?,
            };
            Some(m.max(top))
        })
    } else {
        None
    };
    let mut parts = vec!["lower bound: the highest of the stages computed".to_string()];
    for m in missing {
        let (stage, why) = m.split_once(": ").unwrap_or((m.as_str(), ""));
        parts.push(format!(
            "the {stage} stage has no shares and could be higher ({why})"
        ));
    }
    for (stage, _, b) in bounded {
        if let Some(b) = b {
            parts.push(format!(
                "{stage}: {}",
                b.note.trim_start_matches("lower bound: ")
            ));
        }
    }
    if let Some(m) = at_most {
        parts.push(format!("the bottleneck at most {m:.3}"));
    }
    Some(LowerBound {
        at_most,
        note: parts.join("; "),
    })
}

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

/// One stage's EU supply risk and its parts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EuStage {
    /// `extraction` or `processing`.
    pub stage: String,
    /// Data year of the global shares.
    pub year: i32,
    /// HHI_WGI,t of global supply.
    pub hhi_wgi_t_global: f64,
    /// HHI_WGI,t of EU sourcing (global shares when EU sourcing is not given).
    pub hhi_wgi_t_eu: f64,
    /// The stage's supply risk.
    pub supply_risk: Figure,
    /// Set when the global shares name only part of world output: HHI_WGI,t is a lower
    /// bound.
    pub hhi_wgi_t_global_bound: Option<LowerBound>,
    /// Set when the EU sourcing HHI is the global one (proxy) and that is a lower bound.
    pub hhi_wgi_t_eu_bound: Option<LowerBound>,
    /// Set when the supply risk is a lower bound.
    pub supply_risk_bound: Option<LowerBound>,
    /// The supply risk against the threshold.
    pub supply_risk_status: ThresholdStatus,
}

/// EU assessment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EuAssessment {
    /// Per stage.
    pub stages: Vec<EuStage>,
    /// Bottleneck (highest) stage supply risk.
    pub supply_risk: Figure,
    /// SR threshold.
    pub supply_risk_threshold: f64,
    /// Set when the bottleneck is a lower bound (a stage is one, or has no shares).
    pub supply_risk_bound: Option<LowerBound>,
    /// The bottleneck against the threshold.
    pub supply_risk_status: ThresholdStatus,
    /// Economic importance.
    pub economic_importance: Figure,
    /// EI threshold.
    pub economic_importance_threshold: f64,
    /// Economic importance against its threshold.
    pub economic_importance_status: ThresholdStatus,
    /// Critical when SR and EI both reach their thresholds.
    pub critical: Verdict,
    /// Every input and whether it was given, defaulted or missing.
    pub inputs: Vec<Resolved>,
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

/// The EU assessment from global stage shares and the parameter file; `missing_stages` are
/// the stages without shares ("processing: not computable: needs …"), which make the
/// bottleneck a lower bound.
pub fn eu_assessment(
    params: &CriticalityParams,
    supplies: &[StageSupply],
    missing_stages: &[String],
) -> EuAssessment {
    let mut inputs = Inputs::default();
    let sr_threshold = threshold(
        &mut inputs,
        "thresholds.eu_supply_risk",
        params.thresholds.eu_supply_risk.as_ref(),
        EU_SR_THRESHOLD,
    );
    let ei_threshold = threshold(
        &mut inputs,
        "thresholds.eu_economic_importance",
        params.thresholds.eu_economic_importance.as_ref(),
        EU_EI_THRESHOLD,
    );
    let eol = inputs.or_default(
        "eu.eol_rir",
        params.eu.eol_rir.as_ref(),
        0.0,
        "no recycling credit (conservative: the highest SR)",
    );
    let si_sr = inputs.or_default(
        "eu.substitution_sr",
        params.eu.substitution_sr.as_ref(),
        1.0,
        "no substitution credit (conservative: the highest SR)",
    );
    let mut stages = Vec::new();
    for supply in supplies {
        let weigh = |inputs: &mut Inputs, shares: &[SupplierShare]| {
            let rows: Vec<(f64, f64, f64)> = shares
                .iter()
                .map(|s| {
                    (
                        s.share,
                        inputs.governance(params, &s.country),
                        inputs.trade(params, &s.country),
                    )
                })
                .collect();
            hhi_wgi_t(&rows)
        };
        let global = weigh(&mut inputs, &supply.shares);
        let (sourcing, ir_param) = if supply.stage == "extraction" {
            (
                &params.eu.sourcing_extraction,
                params.eu.import_reliance_extraction.as_ref(),
            )
        } else {
            (
                &params.eu.sourcing_processing,
                params.eu.import_reliance_processing.as_ref(),
            )
        };
        let sourcing_name = format!("eu.sourcing_{}", supply.stage);
        let eu = if sourcing.shares.is_empty() {
            inputs.push(
                sourcing_name,
                None,
                InputStatus::Defaulted,
                format!(
                    "EU sourcing mix not given: global {} shares used as a proxy",
                    supply.stage
                ),
            );
            global
        } else {
            inputs.push(
                sourcing_name,
                None,
                InputStatus::Given,
                sourcing
                    .source
                    .clone()
                    .unwrap_or_else(|| "set in the parameter file".into()),
            );
            let shares: Vec<SupplierShare> = sourcing
                .shares
                .iter()
                .map(|(c, s)| SupplierShare::new(c.clone(), *s))
                .collect();
            weigh(&mut inputs, &shares)
        };
        let ir_name = format!("eu.import_reliance_{}", supply.stage);
        let ir = inputs.required(
            &ir_name,
            ir_param,
            "EU import reliance of the stage (net imports ÷ apparent consumption)",
        );
        let supply_risk = match ir {
            Some(ir) => Figure::Value(eu_supply_risk(global, eu, ir, eol, si_sr)),
            None => NotComputable::needs([ir_name]).into_figure(),
        };
        // The unattributed rest as one country adds rest² · WGI · t to each HHI built on
        // the global shares (the EU one too when it is their proxy).
        let (mut global_bound, mut eu_bound, mut sr_bound) = (None, None, None);
        if let Some((coverage, rest)) = unattributed(&supply.shares) {
            let (g, t) = unnamed_country(params);
            let assumption = format!("scaled WGI {g:.1}, t {t:.1}");
            let add = rest * rest * g * t;
            let eu_max = if sourcing.shares.is_empty() {
                eu + add
            } else {
                eu
            };
            let bound = |at_most: Option<f64>| LowerBound {
                at_most,
                note: partial_note(coverage, at_most, &assumption),
            };
            global_bound = Some(bound(Some(global + add)));
            if sourcing.shares.is_empty() {
                eu_bound = Some(bound(Some(eu_max)));
            }
            if supply_risk.value().is_some() {
                sr_bound =
                    Some(bound(ir.map(|ir| {
                        eu_supply_risk(global + add, eu_max, ir, eol, si_sr)
                    })));
            }
        }
        stages.push(EuStage {
            stage: supply.stage.clone(),
            year: supply.year,
            hhi_wgi_t_global: global,
            hhi_wgi_t_eu: eu,
            supply_risk_status: ThresholdStatus::of(&supply_risk, sr_bound.as_ref(), sr_threshold),
            supply_risk,
            hhi_wgi_t_global_bound: global_bound,
            hhi_wgi_t_eu_bound: eu_bound,
            supply_risk_bound: sr_bound,
        });
    }
    let supply_risk = bottleneck(&stages.iter().map(|s| &s.supply_risk).collect::<Vec<_>>());
    let supply_risk_bound = bottleneck_bound(
        &supply_risk,
        &stages
            .iter()
            .map(|s| {
                (
                    s.stage.as_str(),
                    &s.supply_risk,
                    s.supply_risk_bound.as_ref(),
                )
            })
            .collect::<Vec<_>>(),
        missing_stages,
    );
    let economic_importance = eu_ei(params, &mut inputs);
    let critical = verdict(&[
        (
            "supply risk",
            &supply_risk,
            supply_risk_bound.as_ref(),
            sr_threshold,
        ),
        (
            "economic importance",
            &economic_importance,
            None,
            ei_threshold,
        ),
    ]);
    EuAssessment {
        stages,
        supply_risk_status: ThresholdStatus::of(
            &supply_risk,
            supply_risk_bound.as_ref(),
            sr_threshold,
        ),
        supply_risk,
        supply_risk_threshold: sr_threshold,
        supply_risk_bound,
        economic_importance_status: ThresholdStatus::of(&economic_importance, None, ei_threshold),
        economic_importance,
        economic_importance_threshold: ei_threshold,
        critical,
        inputs: inputs.0,
    }
}

fn eu_ei(params: &CriticalityParams, inputs: &mut Inputs) -> Figure {
    let si_ei = inputs.or_default(
        "eu.substitution_ei",
        params.eu.substitution_ei.as_ref(),
        1.0,
        "no substitution credit (conservative: the highest EI)",
    );
    if params.eu.sectors.is_empty() {
        inputs.push(
            "eu.sectors".into(),
            None,
            InputStatus::Missing,
            "end-use share and value added per NACE two-digit sector (EU CRM factsheets, \
             Eurostat SBS)"
                .into(),
        );
        return NotComputable::needs(["eu.sectors"]).into_figure();
    }
    inputs.push(
        "eu.sectors".into(),
        None,
        InputStatus::Given,
        format!("{} sectors in the parameter file", params.eu.sectors.len()),
    );
    let pairs: Vec<(f64, f64)> = params
        .eu
        .sectors
        .iter()
        .map(|s| (s.end_use_share, s.value_added_meur))
        .collect();
    let Some(largest) = inputs.required(
        "eu.largest_sector_value_added_meur",
        params.eu.largest_sector_value_added_meur.as_ref(),
        "value added of the largest NACE two-digit manufacturing sector (Eurostat SBS)",
    ) else {
        return NotComputable::needs(["eu.largest_sector_value_added_meur"]).into_figure();
    };
    eu_economic_importance(&pairs, largest, si_ei).into()
}

/// The highest of the stage figures; not computable if any stage is.
fn bottleneck(figures: &[&Figure]) -> Figure {
    let mut needs = Vec::new();
    let mut best: Option<f64> = None;
    for f in figures {
        match f {
            Figure::Value(v) => best = Some(best.map_or(*v, |b| b.max(*v))),
            Figure::NotComputable { not_computable } => {
                // Stages usually miss the same inputs: name each once.
                for need in not_computable
                    .trim_start_matches("not computable: needs ")
                    .split("; ")
                {
                    if !needs.iter().any(|n| n == need) {
                        needs.push(need.to_string());
                    }
                }
            }
        }
    }
    match (best, needs.is_empty()) {
        (Some(v), true) => Figure::Value(v),
        (None, true) => NotComputable::needs(["supply shares of at least one stage"]).into_figure(),
        _ => NotComputable::needs(needs).into_figure(),
    }
}

/// Critical when every score reaches its threshold. One threshold established as missed
/// decides "not critical", whatever else is missing; a lower bound below its threshold
/// establishes nothing, so then the verdict is inconclusive (naming that score and anything
/// missing), and a missing score without either makes it not computable.
fn verdict(scores: &[(&str, &Figure, Option<&LowerBound>, f64)]) -> Verdict {
    let mut needs = Vec::new();
    let mut unsettled = Vec::new();
    let mut below = false;
    for (name, f, bound, t) in scores {
        match ThresholdStatus::of(f, *bound, *t) {
            ThresholdStatus::AtOrAbove => {}
            ThresholdStatus::Below => below = true,
            ThresholdStatus::Inconclusive => unsettled.push(format!(
                "{name} {} is below the threshold {t:.2} but a {}",
                f.display(3),
                bound.map_or("lower bound", |b| b.note.as_str())
            )),
            ThresholdStatus::NotComputable => needs.push((*name, f.display(0))),
        }
    }
    if below {
        Verdict::NotCritical
    } else if !unsettled.is_empty() {
        unsettled.extend(needs.iter().map(|(name, why)| format!("{name} {why}")));
        Verdict::Inconclusive(unsettled.join("; "))
    } else if !needs.is_empty() {
        let whys: Vec<&str> = needs.iter().map(|(_, why)| why.as_str()).collect();
        Verdict::NotComputable(whys.join("; "))
    } else {
        Verdict::Critical
    }
}

/// One stage's USGS-style supply risk and its parts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UsgsStage {
    /// `extraction` or `processing`.
    pub stage: String,
    /// Data year of the shares.
    pub year: i32,
    /// Disruption potential (0–1).
    pub disruption_potential: f64,
    /// Supply risk DP × TE × EV.
    pub supply_risk: Figure,
    /// Set when the shares name only part of world output: DP is a lower bound.
    pub disruption_potential_bound: Option<LowerBound>,
    /// Set when the supply risk is a lower bound.
    pub supply_risk_bound: Option<LowerBound>,
    /// The supply risk against the threshold.
    pub supply_risk_status: ThresholdStatus,
}

/// USGS-style assessment for the United States.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UsgsAssessment {
    /// Per stage.
    pub stages: Vec<UsgsStage>,
    /// Trade exposure: US net import reliance for the year.
    pub trade_exposure: Figure,
    /// Economic vulnerability.
    pub economic_vulnerability: Figure,
    /// Bottleneck stage supply risk.
    pub supply_risk: Figure,
    /// Threshold (0.40).
    pub supply_risk_threshold: f64,
    /// Set when the bottleneck is a lower bound (a stage is one, or has no shares).
    pub supply_risk_bound: Option<LowerBound>,
    /// The bottleneck against the threshold.
    pub supply_risk_status: ThresholdStatus,
    /// Critical when the supply risk reaches the threshold.
    pub critical: Verdict,
    /// Every input and its status.
    pub inputs: Vec<Resolved>,
}

/// The USGS-style assessment for data year `year`; `missing_stages` as for
/// [`eu_assessment`].
pub fn usgs_assessment(
    params: &CriticalityParams,
    supplies: &[StageSupply],
    missing_stages: &[String],
    year: i32,
) -> UsgsAssessment {
    let mut inputs = Inputs::default();
    let threshold_value = threshold(
        &mut inputs,
        "thresholds.usgs_supply_risk",
        params.thresholds.usgs_supply_risk.as_ref(),
        USGS_SR_THRESHOLD,
    );
    let nir_name = format!("usgs.net_import_reliance.{year}");
    let te = inputs.required(
        &nir_name,
        params.usgs.net_import_reliance.get(&year.to_string()),
        "US net import reliance for the year (USGS MCS salient statistics)",
    );
    let ev = inputs.required(
        "usgs.economic_vulnerability",
        params.usgs.economic_vulnerability.as_ref(),
        "economic vulnerability (value of the commodity used by US manufacturing relative \
         to those industries' size; USGS OFR 2021-1045 data release)",
    );
    let mut stages = Vec::new();
    for supply in supplies {
        let rows: Vec<(f64, f64)> = supply
            .shares
            .iter()
            .map(|s| (s.share, inputs.governance(params, &s.country) / 10.0))
            .collect();
        let dp = usgs_disruption_potential(&rows);
        let supply_risk = match (te, ev) {
            (Some(te), Some(ev)) => Figure::Value(usgs_supply_risk(dp, te, ev)),
            _ => {
                let mut needs = Vec::new();
                if te.is_none() {
                    needs.push(nir_name.clone());
                }
                if ev.is_none() {
                    needs.push("usgs.economic_vulnerability".to_string());
                }
                NotComputable::needs(needs).into_figure()
            }
        };
        // The unattributed rest as one country adds rest² · g (g the governance risk on 0–1).
        let (mut dp_bound, mut sr_bound) = (None, None);
        if let Some((coverage, rest)) = unattributed(&supply.shares) {
            let (g, _) = unnamed_country(params);
            let assumption = format!("governance risk {:.2}", g / 10.0);
            let dp_max = dp + rest * rest * g / 10.0;
            dp_bound = Some(LowerBound {
                at_most: Some(dp_max),
                note: partial_note(coverage, Some(dp_max), &assumption),
            });
            if supply_risk.value().is_some() {
                let sr_max = te.zip(ev).map(|(te, ev)| usgs_supply_risk(dp_max, te, ev));
                sr_bound = Some(LowerBound {
                    at_most: sr_max,
                    note: partial_note(coverage, sr_max, &assumption),
                });
            }
        }
        stages.push(UsgsStage {
            stage: supply.stage.clone(),
            year: supply.year,
            disruption_potential: dp,
            supply_risk_status: ThresholdStatus::of(
                &supply_risk,
                sr_bound.as_ref(),
                threshold_value,
            ),
            supply_risk,
            disruption_potential_bound: dp_bound,
            supply_risk_bound: sr_bound,
        });
    }
    let supply_risk = bottleneck(&stages.iter().map(|s| &s.supply_risk).collect::<Vec<_>>());
    let supply_risk_bound = bottleneck_bound(
        &supply_risk,
        &stages
            .iter()
            .map(|s| {
                (
                    s.stage.as_str(),
                    &s.supply_risk,
                    s.supply_risk_bound.as_ref(),
                )
            })
            .collect::<Vec<_>>(),
        missing_stages,
    );
    let critical = verdict(&[(
        "supply risk",
        &supply_risk,
        supply_risk_bound.as_ref(),
        threshold_value,
    )]);
    UsgsAssessment {
        stages,
        trade_exposure: te.map_or_else(
            || NotComputable::needs([nir_name.clone()]).into_figure(),
            |v| Figure::Value(v.clamp(0.0, 1.0)),
        ),
        economic_vulnerability: ev.map_or_else(
            || NotComputable::needs(["usgs.economic_vulnerability"]).into_figure(),
            Figure::Value,
        ),
        supply_risk_status: ThresholdStatus::of(
            &supply_risk,
            supply_risk_bound.as_ref(),
            threshold_value,
        ),
        supply_risk,
        supply_risk_threshold: threshold_value,
        supply_risk_bound,
        critical,
        inputs: inputs.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn supply(stage: &str, shares: &[(&str, f64)]) -> StageSupply {
        StageSupply {
            stage: stage.into(),
            year: 2024,
            shares: shares
                .iter()
                .map(|(c, s)| SupplierShare::new(*c, *s))
                .collect(),
            basis: "test".into(),
        }
    }

    fn params(toml: &str) -> CriticalityParams {
        CriticalityParams::from_toml(toml, Path::new("t.toml")).unwrap()
    }

    #[test]
    fn eu_supply_risk_hand_computed() {
        // HHI_GS 4, HHI_EU 2, IR 0.5: 4·0.25 + 2·0.75 = 2.5; ·(1−0.2)·0.9 = 1.8
        assert!((eu_supply_risk(4.0, 2.0, 0.5, 0.2, 0.9) - 1.8).abs() < 1e-12);
        // IR = 1 weighs global and EU sourcing equally.
        assert!((eu_supply_risk(4.0, 2.0, 1.0, 0.0, 1.0) - 3.0).abs() < 1e-12);
    }

    #[test]
    fn eu_economic_importance_hand_computed() {
        // (0.5·100 + 0.5·50) / 200 · 10 · 0.9 = 3.375
        let ei = eu_economic_importance(&[(0.5, 100.0), (0.5, 50.0)], 200.0, 0.9).unwrap();
        assert!((ei - 3.375).abs() < 1e-12);
        assert!(eu_economic_importance(&[], 1.0, 1.0).is_err());
    }

    #[test]
    fn usgs_supply_risk_is_zero_for_a_net_exporter() {
        assert_eq!(usgs_supply_risk(0.5, -0.3, 0.8), 0.0);
        assert!((usgs_supply_risk(0.5, 0.5, 0.8) - 0.2).abs() < 1e-12);
        assert!((usgs_disruption_potential(&[(0.5, 0.6), (0.5, 0.2)]) - 0.2).abs() < 1e-12);
    }

    #[test]
    fn eu_assessment_reports_defaults_and_missing_inputs() {
        let p = params("[eu]\nimport_reliance_processing = 1.0\n");
        let a = eu_assessment(
            &p,
            &[
                supply("extraction", &[("CHN", 0.7), ("USA", 0.3)]),
                supply("processing", &[("CHN", 0.9)]),
            ],
            &[],
        );
        // processing: HHI_WGI,t = 0.81·5·1 = 4.05 both global and EU (proxy); IR 1 → 4.05
        assert!((a.stages[1].supply_risk.value().unwrap() - 4.05).abs() < 1e-12);
        // extraction IR missing → stage and bottleneck not computable
        assert!(
            a.stages[0]
                .supply_risk
                .display(2)
                .contains("eu.import_reliance_extraction")
        );
        assert!(a.supply_risk.value().is_none());
        let status = |n: &str| a.inputs.iter().find(|r| r.name == n).unwrap().status;
        assert_eq!(status("governance.scaled.CHN"), InputStatus::Defaulted);
        assert_eq!(status("eu.import_reliance_processing"), InputStatus::Given);
        assert_eq!(
            status("eu.import_reliance_extraction"),
            InputStatus::Missing
        );
        assert_eq!(status("eu.sectors"), InputStatus::Missing);
        assert!(matches!(a.critical, Verdict::NotComputable(_)));
    }

    #[test]
    fn eu_assessment_with_all_inputs_is_critical() {
        let p = params(
            "[governance.scaled]\nCHN = 6.0\n[eu]\nimport_reliance_extraction = 1.0\n\
             import_reliance_processing = 1.0\neol_rir = 0.1\n\
             largest_sector_value_added_meur = 200.0\n\
             [[eu.sectors]]\nnace = \"C29\"\nend_use_share = 1.0\nvalue_added_meur = 100.0\n",
        );
        let a = eu_assessment(&p, &[supply("extraction", &[("CHN", 1.0)])], &[]);
        // 1·6·1 = 6; IR 1 → 6; ·0.9 = 5.4.  EI = 100/200·10 = 5.
        assert!((a.supply_risk.value().unwrap() - 5.4).abs() < 1e-12);
        assert!((a.economic_importance.value().unwrap() - 5.0).abs() < 1e-12);
        assert_eq!(a.critical, Verdict::Critical);
    }

    #[test]
    fn eu_sourcing_mix_replaces_the_proxy_when_given() {
        let p = params(
            "[eu]\nimport_reliance_extraction = 0.5\n[eu.sourcing_extraction]\n\
             shares = { USA = 1.0 }\nsource = \"test\"\n[governance.scaled]\nUSA = 2.0\nCHN = 6.0\n",
        );
        let a = eu_assessment(&p, &[supply("extraction", &[("CHN", 1.0)])], &[]);
        assert!((a.stages[0].hhi_wgi_t_global - 6.0).abs() < 1e-12);
        assert!((a.stages[0].hhi_wgi_t_eu - 2.0).abs() < 1e-12);
        // 6·0.25 + 2·0.75 = 3
        assert!((a.supply_risk.value().unwrap() - 3.0).abs() < 1e-12);
    }

    /// `criticality --year 2019`: MCS2020 names only the USA (26,000 of 210,000 t) and the
    /// processing stage has no shares. The SR 0.077 is a lower bound (at most ≈3.9 had the
    /// unattributed 87.6 % been one country), so "below threshold" is not established and
    /// the verdict is inconclusive, not "not critical".
    #[test]
    fn a_lower_bound_below_its_threshold_is_inconclusive_not_not_critical() {
        let p = params("[eu]\nimport_reliance_extraction = 0.98\n");
        let usa = 26_000.0 / 210_000.0;
        let missing = ["processing: not computable: needs separation shares for 2019".to_string()];
        let a = eu_assessment(&p, &[supply("extraction", &[("USA", usa)])], &missing);
        let stage = &a.stages[0];
        assert!((stage.supply_risk.value().unwrap() - 0.0766).abs() < 1e-4);
        // 5 · (0.1238² + 0.8762²) = 3.915 (IR 0.98 with the EU proxy: SR = HHI_WGI,t).
        let rest = 1.0 - usa;
        let upper = 5.0 * (usa * usa + rest * rest);
        let sr_bound = stage.supply_risk_bound.as_ref().unwrap();
        assert!((sr_bound.at_most.unwrap() - upper).abs() < 1e-9);
        assert!(
            sr_bound.note.starts_with(
                "lower bound: shares cover 12.4 % of world output; at most 3.915 if the \
                 unattributed 87.6 % were one country"
            ),
            "{}",
            sr_bound.note
        );
        assert!(stage.hhi_wgi_t_global_bound.is_some());
        assert!(
            stage.hhi_wgi_t_eu_bound.is_some(),
            "the EU HHI is the global proxy"
        );
        assert_eq!(stage.supply_risk_status, ThresholdStatus::Inconclusive);
        // The bottleneck: a stage is missing, so nothing bounds it from above.
        let b = a.supply_risk_bound.as_ref().unwrap();
        assert_eq!(b.at_most, None);
        assert!(
            b.note.contains("the processing stage has no shares"),
            "{}",
            b.note
        );
        assert!(b.note.contains("12.4 %"), "{}", b.note);
        assert_eq!(a.supply_risk_status, ThresholdStatus::Inconclusive);
        let Verdict::Inconclusive(why) = &a.critical else {
            panic!("{:?}", a.critical)
        };
        assert!(
            why.starts_with("supply risk 0.077 is below the threshold 1.00 but a lower bound"),
            "{why}"
        );
        assert!(why.contains("processing"), "{why}");
        assert!(
            why.contains("economic importance not computable: needs eu.sectors"),
            "{why}"
        );
        // The same shares with both stages present still leave the SR unsettled.
        let a = eu_assessment(&p, &[supply("extraction", &[("USA", usa)])], &[]);
        assert!(
            matches!(a.critical, Verdict::Inconclusive(_)),
            "{:?}",
            a.critical
        );
        assert_eq!(
            a.supply_risk_bound.as_ref().unwrap().at_most,
            stage.supply_risk_bound.as_ref().unwrap().at_most
        );
    }

    /// A lower bound is enough when it reaches the threshold, and so is an upper bound
    /// below it; complete shares carry no bound.
    #[test]
    fn a_lower_bound_decides_when_either_bound_does() {
        let p =
            params("[thresholds]\neu_supply_risk = 2.0\n[eu]\nimport_reliance_extraction = 1.0\n");
        // Three producers of 30 % each: 3 · 0.09 · 5 = 1.35, at most 1.35 + 0.01 · 5 = 1.40.
        let thin = [("USA", 0.3), ("AUS", 0.3), ("BRA", 0.3)];
        let a = eu_assessment(&p, &[supply("extraction", &thin)], &[]);
        assert!((a.supply_risk_bound.as_ref().unwrap().at_most.unwrap() - 1.40).abs() < 1e-9);
        assert_eq!(a.supply_risk_status, ThresholdStatus::Below);
        assert_eq!(a.critical, Verdict::NotCritical, "below even at most");
        // CHN 92 %, MYS 5 %: the lower bound 4.24 already reaches 2.0.
        let a = eu_assessment(
            &p,
            &[supply("extraction", &[("CHN", 0.92), ("MYS", 0.05)])],
            &[],
        );
        assert_eq!(a.supply_risk_status, ThresholdStatus::AtOrAbove);
        assert!(
            matches!(a.critical, Verdict::NotComputable(ref w) if w == "not computable: needs eu.sectors")
        );
        let a = eu_assessment(&p, &[supply("extraction", &[("CHN", 1.0)])], &[]);
        assert!(a.stages[0].supply_risk_bound.is_none());
        assert!(a.supply_risk_bound.is_none());
    }

    /// The USGS disruption potential of partial shares is marked too, and so is the supply
    /// risk built on it.
    #[test]
    fn usgs_disruption_potential_of_partial_shares_is_a_lower_bound() {
        let p = params(
            "[usgs]\neconomic_vulnerability = 1.0\n[usgs.net_import_reliance]\n\"2019\" = 1.0\n",
        );
        let usa = 26_000.0 / 210_000.0;
        let a = usgs_assessment(&p, &[supply("extraction", &[("USA", usa)])], &[], 2019);
        let s = &a.stages[0];
        let dp = s.disruption_potential_bound.as_ref().unwrap();
        let rest = 1.0 - usa;
        assert!((dp.at_most.unwrap() - 0.5 * (usa * usa + rest * rest)).abs() < 1e-9);
        assert!(dp.note.contains("governance risk 0.50"), "{}", dp.note);
        // SR 0.008, at most 0.391: below 0.40 even at most, so established.
        assert_eq!(s.supply_risk_status, ThresholdStatus::Below);
        assert_eq!(a.critical, Verdict::NotCritical);
        // Against 0.30 the upper bound reaches the threshold: not established.
        let p = params(
            "[thresholds]\nusgs_supply_risk = 0.3\n[usgs]\neconomic_vulnerability = 1.0\n\
             [usgs.net_import_reliance]\n\"2019\" = 1.0\n",
        );
        let a = usgs_assessment(&p, &[supply("extraction", &[("USA", usa)])], &[], 2019);
        assert_eq!(
            a.stages[0].supply_risk_status,
            ThresholdStatus::Inconclusive
        );
        assert!(
            matches!(a.critical, Verdict::Inconclusive(_)),
            "{:?}",
            a.critical
        );
    }

    #[test]
    fn usgs_assessment_needs_ev_and_names_it() {
        let p = params("[usgs.net_import_reliance]\n\"2024\" = 0.53\n");
        let a = usgs_assessment(
            &p,
            &[
                supply("extraction", &[("CHN", 1.0)]),
                supply("processing", &[("CHN", 0.9)]),
            ],
            &[],
            2024,
        );
        assert_eq!(a.trade_exposure, Figure::Value(0.53));
        // Both stages miss the same input: named once.
        assert_eq!(
            a.supply_risk.display(2),
            "not computable: needs usgs.economic_vulnerability"
        );
        assert!(
            a.supply_risk
                .display(2)
                .contains("usgs.economic_vulnerability")
        );
        let p = params(
            "[usgs]\neconomic_vulnerability = 0.5\n[usgs.net_import_reliance]\n\"2024\" = 0.53\n",
        );
        let a = usgs_assessment(&p, &[supply("extraction", &[("CHN", 1.0)])], &[], 2024);
        // DP = 1·0.5 (default WGI 5 → 0.5); SR = 0.5·0.53·0.5 = 0.1325 < 0.40
        assert!((a.supply_risk.value().unwrap() - 0.1325).abs() < 1e-12);
        assert_eq!(a.critical, Verdict::NotCritical);
    }
}
