//! The USGS-2022-style method: disruption potential, trade exposure, supply risk.

use super::*;

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
                note: partial_note(coverage, "world output", Some(dp_max), &assumption),
            });
            if supply_risk.value().is_some() {
                let sr_max = te.zip(ev).map(|(te, ev)| usgs_supply_risk(dp_max, te, ev));
                sr_bound = Some(LowerBound {
                    at_most: sr_max,
                    note: partial_note(coverage, "world output", sr_max, &assumption),
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
    let (supply_risk, supply_risk_bound) = stage_bottleneck(&stages, missing_stages);
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

impl StageScore for UsgsStage {
    fn stage_score(&self) -> (&str, &Figure, Option<&LowerBound>) {
        (
            &self.stage,
            &self.supply_risk,
            self.supply_risk_bound.as_ref(),
        )
    }
}
