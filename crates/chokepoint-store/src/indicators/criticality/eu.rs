//! The EU method: supply risk per stage and its bottleneck, economic importance.

use super::*;

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
    /// What makes the scores read lower than the method would give with every input set:
    /// a defaulted trade adjustment of a country that restricts exports.
    pub caveats: Vec<String>,
}

/// The EU assessment from global stage shares and the parameter file; `missing_stages` are
/// the stages without shares ("processing: not computable: needs …"), which make the
/// bottleneck a lower bound; `restrictions` the export restrictions in force as
/// (ISO3, measure), which make a score built with such a country's defaulted trade
/// adjustment a lower bound without an upper one.
pub fn eu_assessment(
    params: &CriticalityParams,
    supplies: &[StageSupply],
    missing_stages: &[String],
    restrictions: &[(String, String)],
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
        let sourcing_shares: Vec<SupplierShare> = sourcing
            .shares
            .iter()
            .map(|(c, s)| SupplierShare::new(c.clone(), *s))
            .collect();
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
            weigh(&mut inputs, &sourcing_shares)
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
        // partial shares: the global one on world shares; the EU one on the EU sourcing mix
        // when one is given (a mix naming 90 % of EU supply leaves 10 % unknown), else on
        // the global shares it stands in for. The supply risk is bounded when either is.
        let (g, t) = unnamed_country(params);
        let assumption = format!("scaled WGI {g:.1}, t {t:.1}");
        // (coverage, what the shares divide, the HHI at most) of a partial share set.
        let bounded = |rest: Option<(f64, f64)>, value: f64, of: &'static str| {
            rest.map(|(coverage, rest)| (coverage, of, value + rest * rest * g * t))
        };
        let global_max = bounded(unattributed(&supply.shares), global, "world output");
        let eu_max = if sourcing.shares.is_empty() {
            bounded(unattributed(&supply.shares), eu, "world output")
        } else {
            bounded(unattributed(&sourcing_shares), eu, "EU supply")
        };
        let as_bound = |(coverage, of, at_most): (f64, &str, f64)| LowerBound {
            at_most: Some(at_most),
            note: partial_note(coverage, of, Some(at_most), &assumption),
        };
        let partial = global_max.is_some() || eu_max.is_some();
        let sr_bound = (partial && supply_risk.value().is_some()).then(|| {
            let at_most = ir.map(|ir| {
                eu_supply_risk(
                    global_max.map_or(global, |b| b.2),
                    eu_max.map_or(eu, |b| b.2),
                    ir,
                    eol,
                    si_sr,
                )
            });
            // One rest, not two, when the EU HHI is the global one as a proxy.
            let mut parts: Vec<(f64, &str)> = Vec::new();
            for (c, of, _) in [global_max, eu_max].into_iter().flatten() {
                if !parts.contains(&(c, of)) {
                    parts.push((c, of));
                }
            }
            LowerBound {
                note: partial_note_of(&parts, at_most, &assumption),
                at_most,
            }
        });
        // A supplier restricting exports whose t is defaulted: the EU method raises t for
        // it by a multiplier not verified here (criticality_methods.md §2.3), so the score
        // is a lower bound that nothing bounds from above, and a value below the threshold
        // settles nothing.
        let mut suppliers: Vec<&str> = supply.shares.iter().map(|s| s.country.as_str()).collect();
        suppliers.extend(sourcing_shares.iter().map(|s| s.country.as_str()));
        let mut restricting: Vec<String> = Vec::new();
        for c in suppliers {
            let defaulted = inputs
                .0
                .iter()
                .any(|i| defaulted_restricting(i, restrictions) == Some(c));
            if defaulted && !restricting.iter().any(|r| r == c) {
                restricting.push(c.to_string());
            }
        }
        let sr_bound = if restricting.is_empty() || supply_risk.value().is_none() {
            sr_bound
        } else {
            Some(without_upper_bound(sr_bound, &restricting, t))
        };
        let (global_bound, eu_bound) = (global_max.map(as_bound), eu_max.map(as_bound));
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
    let (supply_risk, supply_risk_bound) = stage_bottleneck(&stages, missing_stages);
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
    let mut inputs = inputs.0;
    let understated = flag_restrictions(&mut inputs, restrictions);
    let caveats = if understated.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "supply risk understated: the trade adjustment t of {} is defaulted to {:.1} \
             although export_controls lists restrictions in force; the EU method raises t \
             for them, so a supply risk below the threshold is inconclusive: set \
             eu.trade_adjustment.<ISO3> (see the input rows)",
            understated.join(", "),
            unnamed_country(params).1
        )]
    };
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
        inputs,
        caveats,
    }
}

/// The country of a trade-adjustment input left at its default while `restrictions` list
/// export restrictions by it: the one rule for a stage's bound and the input's note.
fn defaulted_restricting<'a>(
    input: &'a Resolved,
    restrictions: &[(String, String)],
) -> Option<&'a str> {
    let country = input.name.strip_prefix("eu.trade_adjustment.")?;
    (input.status == InputStatus::Defaulted && restrictions.iter().any(|(c, _)| c == country))
        .then_some(country)
}

/// `bound` (or none) made unbounded above by the defaulted trade adjustment `t` of the
/// restricting `countries`.
fn without_upper_bound(bound: Option<LowerBound>, countries: &[String], t: f64) -> LowerBound {
    let why = format!(
        "the trade adjustment of {} is defaulted to t {t:.1} although it restricts exports; \
         the EU method raises t for that, so nothing bounds the score from above (set \
         eu.trade_adjustment.<ISO3>)",
        countries.join(", ")
    );
    LowerBound {
        at_most: None,
        note: match bound {
            Some(b) => format!("{}; and {why}", b.note),
            None => format!("lower bound: {why}"),
        },
    }
}

/// Adds to each defaulted trade adjustment (t = 1, "no export restriction") of a country
/// that `restrictions` show restricting rare-earth exports what that default hides: the
/// analyst review read a neutral default where the tool's own data list China's licences in
/// force, which understates its supply risk. The EU method's multipliers are unverified, so
/// the value stays and the note says what to set. Returns the countries so flagged.
pub(super) fn flag_restrictions(
    inputs: &mut [Resolved],
    restrictions: &[(String, String)],
) -> Vec<String> {
    let mut flagged = Vec::new();
    for input in inputs.iter_mut() {
        let Some(country) = defaulted_restricting(input, restrictions).map(str::to_string) else {
            continue;
        };
        let measures: Vec<&str> = restrictions
            .iter()
            .filter(|(c, _)| *c == country)
            .map(|(_, m)| m.as_str())
            .collect();
        input.note.push_str(&format!(
            "; but export_controls lists rare-earth export restrictions by {country} in force \
             ({}): t = {} understates its supply risk, as the EU method raises t for export \
             restrictions (multipliers unverified, criticality_methods.md §2.3)",
            measures.join("; "),
            input.value.map_or("1".to_string(), |v| format!("{v}"))
        ));
        flagged.push(country);
    }
    flagged
}

pub(super) fn eu_ei(params: &CriticalityParams, inputs: &mut Inputs) -> Figure {
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

impl StageScore for EuStage {
    fn stage_score(&self) -> (&str, &Figure, Option<&LowerBound>) {
        (
            &self.stage,
            &self.supply_risk,
            self.supply_risk_bound.as_ref(),
        )
    }
}
