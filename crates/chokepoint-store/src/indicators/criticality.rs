//! Criticality scores: the EU supply risk (governance-weighted HHI with import reliance,
//! recycling and substitution) and economic importance with their thresholds (SR ≥ 1,
//! EI ≥ 2.8), and a USGS-2022-style supply risk (disruption potential × trade exposure ×
//! economic vulnerability), following `data/rare-earths/criticality_methods.md`.
//!
//! The formulas are pure functions; [`eu_assessment`] and [`usgs_assessment`] combine them
//! with the parameter file and report every input as given, defaulted or missing.

use serde::Serialize;

use super::concentration::SupplierShare;
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
    /// Economic importance.
    pub economic_importance: Figure,
    /// EI threshold.
    pub economic_importance_threshold: f64,
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
    /// At least one threshold not reached.
    NotCritical,
    /// A score is missing; the reason says which inputs.
    NotComputable(String),
}

impl Verdict {
    /// The word shown in tables.
    pub fn display(&self) -> String {
        match self {
            Verdict::Critical => "critical".into(),
            Verdict::NotCritical => "not critical".into(),
            Verdict::NotComputable(why) => why.clone(),
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

/// The EU assessment from global stage shares and the parameter file.
pub fn eu_assessment(params: &CriticalityParams, supplies: &[StageSupply]) -> EuAssessment {
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
        stages.push(EuStage {
            stage: supply.stage.clone(),
            year: supply.year,
            hhi_wgi_t_global: global,
            hhi_wgi_t_eu: eu,
            supply_risk,
        });
    }
    let supply_risk = bottleneck(&stages.iter().map(|s| &s.supply_risk).collect::<Vec<_>>());
    let economic_importance = eu_ei(params, &mut inputs);
    let critical = verdict(&[
        (&supply_risk, sr_threshold),
        (&economic_importance, ei_threshold),
    ]);
    EuAssessment {
        stages,
        supply_risk,
        supply_risk_threshold: sr_threshold,
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

fn verdict(scores: &[(&Figure, f64)]) -> Verdict {
    let mut needs = Vec::new();
    let mut all = true;
    for (f, t) in scores {
        match f.value() {
            Some(v) => all &= v >= *t,
            None => needs.push(f.display(0)),
        }
    }
    if !needs.is_empty() {
        // One failed threshold already decides "not critical", whatever is missing.
        if !all {
            return Verdict::NotCritical;
        }
        return Verdict::NotComputable(needs.join("; "));
    }
    if all {
        Verdict::Critical
    } else {
        Verdict::NotCritical
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
    /// Critical when the supply risk reaches the threshold.
    pub critical: Verdict,
    /// Every input and its status.
    pub inputs: Vec<Resolved>,
}

/// The USGS-style assessment for data year `year`.
pub fn usgs_assessment(
    params: &CriticalityParams,
    supplies: &[StageSupply],
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
        stages.push(UsgsStage {
            stage: supply.stage.clone(),
            year: supply.year,
            disruption_potential: dp,
            supply_risk,
        });
    }
    let supply_risk = bottleneck(&stages.iter().map(|s| &s.supply_risk).collect::<Vec<_>>());
    let critical = verdict(&[(&supply_risk, threshold_value)]);
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
        supply_risk,
        supply_risk_threshold: threshold_value,
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
        let a = eu_assessment(&p, &[supply("extraction", &[("CHN", 1.0)])]);
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
        let a = eu_assessment(&p, &[supply("extraction", &[("CHN", 1.0)])]);
        assert!((a.stages[0].hhi_wgi_t_global - 6.0).abs() < 1e-12);
        assert!((a.stages[0].hhi_wgi_t_eu - 2.0).abs() < 1e-12);
        // 6·0.25 + 2·0.75 = 3
        assert!((a.supply_risk.value().unwrap() - 3.0).abs() < 1e-12);
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
        let a = usgs_assessment(&p, &[supply("extraction", &[("CHN", 1.0)])], 2024);
        // DP = 1·0.5 (default WGI 5 → 0.5); SR = 0.5·0.53·0.5 = 0.1325 < 0.40
        assert!((a.supply_risk.value().unwrap() - 0.1325).abs() < 1e-12);
        assert_eq!(a.critical, Verdict::NotCritical);
    }
}
