//! Policy scenarios on an MRIO network: the ARIO core ([`Model`], [`Simulation`]) steered
//! each step through [`Controls`] — gates on exporter-sector → importing-region edges for
//! export controls and suspensions, capacity factors for capacity shocks.
//!
//! The engine writes each gate's requested and delivered volume during the step, so the
//! licence rule of [`crate::policies::licence`] (the chain's) is applied as a share of the
//! latest known request ([`licence::licensed_share`]): `allowed(t) = min(1, approval ×
//! requested(t − 1 − delay) / requested(t − 1))`, nothing before the first approvals (day 0
//! included), the baseline request before day 0. Quotas are not applied on MRIO networks
//! (values there are money, not tonnes).

use super::summary::{FlowUnit, Layout};
use super::{RunMonitor, run_rng};
use crate::network::flow::{RunRecord, pair_index};
use crate::policies::scenario::PolicyScenario;
use crate::policies::{Draw, Plan, licence};
use crate::{Controls, Gate, Model, SimError, Simulation};

/// The layout of an MRIO network for summaries: one node per region × sector, flows in
/// the table's own units.
pub fn layout(model: &Model, scenario: &PolicyScenario) -> Result<Layout, SimError> {
    let (regions, sectors) = (model.regions(), model.sectors());
    let ns = sectors.len();
    let n = regions.len();
    let mut gated = Vec::new();
    for c in &scenario.controls {
        for &p in &c.stages {
            for r in (0..n).filter(|&r| c.destinations[r]) {
                gated.push(pair_index(n, p, c.exporter, r));
            }
        }
    }
    gated.sort_unstable();
    gated.dedup();
    let baseline = baseline_flows(model, &gated)?;
    Ok(Layout {
        regions: regions.to_vec(),
        nodes: (0..n * ns)
            .map(|j| (j / ns, sectors[j % ns].clone(), model.x0()[j]))
            .collect(),
        products: sectors.to_vec(),
        gated_pairs: gated,
        baseline_pair_t_per_day: baseline,
        unit: FlowUnit::TableUnits,
    })
}

/// The undisturbed daily flow of every (sector, exporter, importer) pair whose exporter
/// and sector a gated pair has (the summaries' world totals sum over all its importers),
/// indexed by [`pair_index`]; 0 elsewhere. Read off one step of the baseline model through
/// neutral gates: the orders an importing region places with the exporter's sector at
/// baseline, its industries' and its final demand's, in the units the runs record.
fn baseline_flows(model: &Model, gated: &[usize]) -> Result<Vec<f64>, SimError> {
    let (n, ns) = (model.n_regions(), model.n_sectors());
    let mut exporters: Vec<(usize, usize)> =
        gated.iter().map(|&p| (p / (n * n), (p / n) % n)).collect();
    exporters.dedup();
    let mut flows = vec![0.0; ns * n * n];
    if exporters.is_empty() {
        return Ok(flows);
    }
    let mut controls = Controls::neutral(n, ns);
    for &(p, e) in &exporters {
        for r in 0..n {
            controls.gates.push(Gate::new(e * ns + p, r));
        }
    }
    let mut sim = Simulation::new(model.clone(), Vec::new(), 1)?;
    sim.step(Some(&mut controls))
        .map_err(|e| e.in_model(sim.model(), ""))?;
    for gate in &controls.gates {
        let (e, p) = (gate.supplier / ns, gate.supplier % ns);
        flows[pair_index(n, p, e, gate.client_region)] = gate.requested;
    }
    Ok(flows)
}

/// Runs one draw on the MRIO from its baseline model (built once with the scenario's
/// `[model]` parameters): the draw clones it, which shares its Z0 and supplier shares
/// (read-only) instead of rebuilding them from the table (half a second at N = 2,500) and
/// holding one more copy per draw in flight.
pub fn run_draw(
    baseline: &Model,
    scenario: &PolicyScenario,
    draw: &Draw,
    layout: &Layout,
    record_series: bool,
) -> Result<RunRecord, SimError> {
    let plan = Plan::compile(scenario, draw);
    let model = baseline.clone();
    let n = model.n_regions();
    let ns = model.n_sectors();
    let n_ind = n * ns;
    let x0: Vec<f64> = model.x0().to_vec();
    let mut sim = Simulation::new(model, Vec::new(), plan.days.max(1))?;
    let mut controls = Controls::neutral(n, ns);
    // One gate per gated pair, with the controls that cover it.
    let mut gate_controls: Vec<Vec<usize>> = Vec::new();
    for &pair in &layout.gated_pairs {
        let (p, e, r) = (pair / (n * n), (pair / n) % n, pair % n);
        controls.gates.push(Gate::new(e * ns + p, r));
        gate_controls.push(
            plan.controls
                .iter()
                .enumerate()
                .filter(|(_, c)| c.exporter == e && c.stages.contains(&p) && c.destinations[r])
                .map(|(i, _)| i)
                .collect(),
        );
    }
    let months = plan.months();
    let n_pairs = layout.gated_pairs.len();
    let mut rec = RunRecord::new(
        n_ind,
        plan.days,
        months,
        layout.gated_pairs.clone(),
        record_series,
    );
    let mut history: Vec<Vec<f64>> = vec![Vec::with_capacity(plan.days); n_pairs];
    // Requests before day 0 are the baseline's, as on the chain (0 when the layout has no
    // baseline).
    let baseline_request: Vec<f64> = layout
        .gated_pairs
        .iter()
        .map(|&p| {
            layout
                .baseline_pair_t_per_day
                .get(p)
                .copied()
                .unwrap_or(0.0)
        })
        .collect();
    for t in 0..plan.days {
        let ti = t as i64;
        let month = plan.month_of(t);
        controls.capacity_factor.fill(1.0);
        for (r, p, steps, f) in &plan.capacity_shocks {
            if steps.contains(ti) {
                controls.capacity_factor[r * ns + p] *= f;
            }
        }
        for (g, gate) in controls.gates.iter_mut().enumerate() {
            let r = gate.client_region;
            let mut allowed: f64 = 1.0;
            let (h, base) = (&history[g], baseline_request[g]);
            for &ci in &gate_controls[g] {
                if let Some(terms) = plan.controls[ci].licence_terms(ti, r) {
                    let share = licence::licensed_share(terms, ti, |d| {
                        usize::try_from(d)
                            .ok()
                            .and_then(|d| h.get(d).copied())
                            .unwrap_or(base)
                    });
                    allowed = allowed.min(share);
                }
            }
            gate.allowed_share = allowed;
        }
        sim.step(Some(&mut controls))
            .map_err(|e| e.in_model(sim.model(), ""))?;
        for (g, gate) in controls.gates.iter().enumerate() {
            history[g].push(gate.requested);
            let cell = &mut rec.trade_monthly[month * n_pairs + g];
            cell[0] += gate.requested;
            cell[1] += gate.requested * gate.allowed_share;
            cell[2] += gate.delivered;
        }
        let x = sim.model().production();
        let unmet = sim.model().final_demand_unmet();
        for j in 0..n_ind {
            // Gross shortfall, as on the chain: a day above baseline does not offset a day
            // below it (a signed sum once showed negative losses beside unmet demand).
            rec.loss_t[j] += (x0[j] - x[j]).max(0.0);
            rec.demand_t[j] += x0[j];
            let idx = if x0[j] > 0.0 { x[j] / x0[j] } else { 1.0 };
            rec.observe(j, t, idx, record_series);
        }
        // Unmet final demand is per consuming region × product; attribute it to the
        // region's industry of that product.
        for (j, u) in unmet.iter().enumerate().take(n_ind) {
            rec.unmet_t[j] += u;
        }
    }
    Ok(rec)
}

/// Runs `runs` draws in parallel; run `i` uses the seed's stream `i`. `monitor` hears of
/// each finished run and may stop the rest.
pub fn run_many(
    baseline: &Model,
    scenario: &PolicyScenario,
    layout: &Layout,
    runs: usize,
    seed: u64,
    record_series: bool,
    monitor: &dyn RunMonitor,
) -> Result<Vec<(Draw, RunRecord)>, SimError> {
    let n = baseline.n_industries();
    super::check_kept_memory(runs, scenario.days, n, n, record_series)?;
    super::monitored(runs, monitor, |i| {
        let draw = Draw::sample(scenario, &mut run_rng(seed, i));
        let rec = run_draw(baseline, scenario, &draw, layout, record_series);
        // Which run failed, so that it can be reproduced (seed and run index).
        let rec = rec.map_err(|e| match e {
            SimError::Run { message, error } => SimError::Run {
                message: format!("run {i} of {runs} (seed {seed}): {message}"),
                error,
            },
            other => other,
        });
        rec.map(|r| (draw, r))
    })
}

#[cfg(test)]
mod tests;
