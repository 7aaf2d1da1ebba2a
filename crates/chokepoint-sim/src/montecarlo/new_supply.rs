//! What each new plant of a scenario added, and what it changed.
//!
//! Why: a plant that cannot sell (no buyer qualified yet, or the binding constraint is a
//! stage below it) or cannot buy (its input is short) changes nothing, and with it the
//! results' 5–95 % band stays as narrow as without it, however uncertain its capacity and
//! date: read alone, that looked like "the plant does not help" or "the result is
//! certain" (analyst review). The plant's own output cannot be told from the node it joins
//! (the region's producers share one capacity), so the outcome is the node's: its output
//! against the same draw without that plant, beside the capacity the plant added, and the
//! total loss with and without it.

use serde::Serialize;

use super::summary::{Layout, quantile};
use crate::network::chain::N_STAGES;
use crate::network::flow::RunRecord;

/// One `[[new_supply]]` entry over the runs: medians, with 5th and 95th percentiles of
/// what changed. Changes are against the same draws without this plant (the scenario's
/// other plants kept).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NewSupplyOutcome {
    /// Region of the plant.
    pub region: String,
    /// Stage it produces.
    pub stage: String,
    /// Capacity it added over the horizon (ramp-up included), t, median over runs.
    pub capacity_t: f64,
    /// The region's output of the stage over the horizon, t, median.
    pub output_t: f64,
    /// That output at baseline (without any scenario), t, median.
    pub output_baseline_t: f64,
    /// The region's output of the stage with the plant minus without it, t: median, 5th and
    /// 95th percentiles over paired runs. Zero: the added capacity found no use (no buyer,
    /// or no input).
    pub added_output_t: f64,
    /// 5th percentile of `added_output_t`.
    pub added_output_t_p5: f64,
    /// 95th percentile of `added_output_t`.
    pub added_output_t_p95: f64,
    /// Total production loss of all industries with the plant minus without it, t: median,
    /// 5th and 95th percentiles. Negative: it cut the loss. A plant can cut one region's
    /// loss and raise another's by bidding scarce inputs away.
    pub total_loss_change_t: f64,
    /// 5th percentile of `total_loss_change_t`.
    pub total_loss_change_t_p5: f64,
    /// 95th percentile of `total_loss_change_t`.
    pub total_loss_change_t_p95: f64,
    /// Neither its region's output nor any industry's loss moved with it in 90 % of the
    /// runs, beyond rounding, nor without every plant that changed nothing alone (so that
    /// two plants that stand in for each other are not both called unused): the plant went
    /// unused, and the results do not depend on it.
    pub unused: bool,
    /// It added output, but no industry's total loss moved with it in 90 % of the runs,
    /// beyond rounding: what limits the industries lies below it (policy review: a new
    /// mine, separation or metal plant alone changed the loss by exactly 0 t, and only
    /// `unused: false` was said). False when `unused`.
    pub no_loss_change: bool,
    /// What `unused` or `no_loss_change` means, in words (`None` otherwise): in the table
    /// output, the JSON, `summary.json`, the API and the report alike (re-check: the JSON
    /// had only the flags).
    pub note: Option<String>,
}

impl NewSupplyOutcome {
    /// The words for an unused plant or one that changed no loss, over `runs` runs.
    fn explain(&self, runs: usize) -> Option<String> {
        let in_runs = if runs == 1 {
            "in the run"
        } else {
            "in 90 % of the runs"
        };
        if self.unused {
            return Some(format!(
                "the new {} {} capacity ({:.0} t over the horizon) went unused: neither the \
                 region's output nor any industry's loss changed with it {in_runs} (no buyer \
                 reached it, or its input was short), so the results do not depend on it, and \
                 its uncertain parameters do not widen their bands",
                self.region, self.stage, self.capacity_t
            ));
        }
        self.no_loss_change.then(|| {
            format!(
                "the new {} {} capacity added {:.0} t to the region's output but changed no \
                 industry's loss {in_runs}: what limits the industries lies below it (the \
                 makers of the next stages outside the controlling country at their capacity, \
                 so that the extra material goes to plants whose output the controls hold \
                 back, or serves industries that were not short); upstream capacity helps only \
                 with capacity outside the controls at every stage below it (add those as \
                 [[new_supply]] too)",
                self.region, self.stage, self.added_output_t
            )
        })
    }
}

/// The 5th to 95th percentiles of each change stay within rounding of zero.
fn changed_nothing(capacity_t: f64, changes: &[&[f64]]) -> bool {
    let eps = 1e-6 * capacity_t.max(1.0);
    changes.iter().all(|c| {
        [quantile(c, 0.05), quantile(c, 0.95)]
            .iter()
            .all(|v| v.abs() <= eps)
    })
}

/// The outcome of each new-supply entry, in the scenario's order (none on MRIO networks,
/// or when the runs did not pair each draw with one without the plants).
pub fn new_supply_outcomes(layout: &Layout, runs: &[&RunRecord]) -> Vec<NewSupplyOutcome> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    let sorted = |f: &dyn Fn(&RunRecord) -> Option<f64>| -> Option<Vec<f64>> {
        let mut v: Vec<f64> = runs.iter().map(|r| f(r)).collect::<Option<_>>()?;
        v.sort_by(f64::total_cmp);
        Some(v)
    };
    (0..first.new_supply.len())
        .filter_map(|k| {
            let node = first.new_supply[k].node;
            let region = layout.regions.get(node / N_STAGES)?.clone();
            let stage = layout.products.get(node % N_STAGES)?.clone();
            let output = |r: &RunRecord| r.stage_output_t.get(node).copied();
            let capacity = sorted(&|r| Some(r.new_supply.get(k)?.capacity_t))?;
            let outputs = sorted(&output)?;
            let baselines = sorted(&|r| Some(r.new_supply.get(k)?.baseline_t))?;
            let added = sorted(&|r| Some(output(r)? - r.new_supply.get(k)?.output_without_t?))?;
            let loss_change = sorted(&|r| {
                Some(r.loss_t.iter().sum::<f64>() - r.new_supply.get(k)?.loss_without_t?)
            })?;
            let added_by_idle =
                sorted(&|r| Some(output(r)? - r.new_supply.get(k)?.output_without_idle_t?))?;
            let loss_change_by_idle = sorted(&|r| {
                Some(r.loss_t.iter().sum::<f64>() - r.new_supply.get(k)?.loss_without_idle_t?)
            })?;
            let capacity_t = quantile(&capacity, 0.5);
            let unused = changed_nothing(
                capacity_t,
                &[&added, &loss_change, &added_by_idle, &loss_change_by_idle],
            );
            let mut outcome = NewSupplyOutcome {
                region,
                stage,
                capacity_t,
                output_t: quantile(&outputs, 0.5),
                output_baseline_t: quantile(&baselines, 0.5),
                added_output_t: quantile(&added, 0.5),
                added_output_t_p5: quantile(&added, 0.05),
                added_output_t_p95: quantile(&added, 0.95),
                total_loss_change_t: quantile(&loss_change, 0.5),
                total_loss_change_t_p5: quantile(&loss_change, 0.05),
                total_loss_change_t_p95: quantile(&loss_change, 0.95),
                no_loss_change: !unused && changed_nothing(capacity_t, &[&loss_change]),
                unused,
                note: None,
            };
            outcome.note = outcome.explain(runs.len());
            Some(outcome)
        })
        .collect()
}
