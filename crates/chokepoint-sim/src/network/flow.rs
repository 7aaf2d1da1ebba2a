//! The daily model of the physical chain under policies (ARIO-style, in tonnes per day).
//!
//! Each step, in order (ARIO spec §5 for the shared parts):
//!
//! 1. policies set capacities, final demand, magnet needs per unit (substitution) and, on
//!    gated edges, the licensed volume: `approval_share × requested(t − delay)`, nothing
//!    before the first approvals, capped by a monthly quota released first come or evenly
//!    over the month ([`crate::policies::QuotaRelease`]; the unlicensed part stays with
//!    the exporter; the client sees an unfilled order);
//! 2. production = min(licensed demand, capacity, input stock) with the ARIO ψ rule (§5.4);
//! 3. proportional rationing of output over licensed orders (§5.5), stocks updated;
//! 4. orders for the next step: use plus 1/τ of the stock gap (§5.7, ψ model), split over
//!    suppliers by weights that move toward suppliers that deliver and have spare or new
//!    capacity (the ARIO "alt" rule, extended with fill rates and new entrants).
//!
//! Invariants checked every step (a broken one is a [`SimError::Step`]): output = Σ
//! deliveries; requested = delivered + unmet on every edge; licensed ≤ requested; no
//! negative stock.

// Index loops mirror the equations (node s, edge k, region r) and keep several parallel
// flat buffers in step; iterator chains would hide that.
#![allow(clippy::needless_range_loop)]

use super::assumptions::{AssumptionValues, Key};
use super::chain::{N_INDUSTRIES, N_STAGES};
pub use super::record::{NewSupplyRecord, RunRecord};
use super::topology::Edge;
pub use super::topology::{Topology, n_pairs, pair_index};
use crate::SimError;
use crate::policies::{Plan, licence, ramp};

/// Runs one draw of a plan over the network. `record_series` keeps daily industry output.
pub fn run(
    topo: &Topology,
    plan: &Plan,
    a: &AssumptionValues,
    record_series: bool,
) -> Result<RunRecord, SimError> {
    let n_nodes = topo.x0.len();
    let n_edges = topo.edges.len();
    let n = topo.n_regions;
    let n_ind = topo.n_industry_nodes();
    let psi = a.get(Key::ProductionCutInventoryShare);
    let restore = a.get(Key::RestoreDays);
    let switching = a.get(Key::SwitchingDays);
    let spare = a.get(Key::SpareCapacityShare);

    let months = plan.months();
    let month_of: Vec<usize> = (0..plan.days).map(|t| plan.month_of(t)).collect();

    let mut rec = RunRecord {
        stage_output_t: vec![0.0; topo.n_prod],
        new_supply: plan
            .new_supply
            .iter()
            .map(|&(r, p, ..)| {
                let node = r * N_STAGES + p;
                NewSupplyRecord {
                    node,
                    capacity_t: 0.0,
                    baseline_t: topo.x0.get(node).copied().unwrap_or(0.0) * plan.days as f64,
                    output_without_t: None,
                    loss_without_t: None,
                    output_without_idle_t: None,
                    loss_without_idle_t: None,
                }
            })
            .collect(),
        ..RunRecord::new(
            n_ind,
            plan.days,
            months,
            topo.trade_pairs.clone(),
            record_series,
        )
    };

    // State (allocated once, reused every step).
    let mut stock: Vec<f64> = (0..n_nodes)
        .map(|j| topo.x0[j] * topo.input_per_output[j] * topo.inventory_days[j])
        .collect();
    let mut weight: Vec<f64> = vec![0.0; n_edges];
    for c in 0..n_nodes {
        let ks = &topo.by_client[topo.client_off[c]..topo.client_off[c + 1]];
        let total: f64 = ks.iter().map(|&k| topo.edges[k].z0).sum();
        for &k in ks {
            weight[k] = if total > 0.0 {
                topo.edges[k].z0 / total
            } else {
                0.0
            };
        }
    }
    let mut requested: Vec<f64> = topo.edges.iter().map(|e| e.z0).collect();
    let mut licensed = vec![0.0; n_edges];
    let mut delivered = vec![0.0; n_edges];
    let mut history = vec![0.0; topo.n_hist * topo.hist_len];
    for e in &topo.edges {
        if e.hist != usize::MAX {
            history[e.hist * topo.hist_len..(e.hist + 1) * topo.hist_len].fill(e.z0);
        }
    }
    let mut cap = vec![0.0; n_nodes];
    let mut demand = vec![0.0; n_nodes];
    let mut x = vec![0.0; n_nodes];
    let mut need_factor = vec![1.0; n_nodes];
    let mut quota_used = vec![0.0; plan.controls.len()];
    let mut control_total = vec![0.0; plan.controls.len()];
    let mut gate_lic = vec![f64::INFINITY; n_edges];
    let mut extra = vec![0.0; n_nodes];
    let mut appeal = vec![0.0; n_edges];

    for t in 0..plan.days {
        let ti = t as i64;
        let tf = t as f64;
        let month = month_of[t];
        if t > 0 && month != month_of[t - 1] {
            quota_used.fill(0.0);
        }
        // 1. Policies → capacities, final demand, needs per unit.
        for r in 0..n {
            for p in 0..N_STAGES {
                let s = r * N_STAGES + p;
                let mut c = topo.x0[s] * (1.0 + spare);
                for (reg, st, steps, f) in &plan.capacity_shocks {
                    if *reg == r && *st == p && steps.contains(ti) {
                        c *= f;
                    }
                }
                for (k, (reg, st, from, ramp_days, tpd)) in plan.new_supply.iter().enumerate() {
                    if *reg == r && *st == p {
                        let added = tpd * ramp(tf, *from, *ramp_days);
                        c += added;
                        rec.new_supply[k].capacity_t += added;
                    }
                }
                cap[s] = c;
            }
        }
        for r in 0..n {
            for i in 0..N_INDUSTRIES {
                let j = topo.n_prod + r * N_INDUSTRIES + i;
                let mut d = topo.x0[j];
                for (regs, inds, steps, f) in &plan.demand_shocks {
                    if regs[r] && inds[i] && steps.contains(ti) {
                        d *= f;
                    }
                }
                demand[j] = d;
                cap[j] = f64::INFINITY;
                let mut nf = 1.0;
                for sub in &plan.substitutions {
                    if sub.regions[r] && sub.industries[i] {
                        nf *= 1.0 - sub.share * ramp(tf, sub.from, sub.ramp_days);
                    }
                }
                need_factor[j] = nf;
            }
        }
        // Licences on gated edges.
        control_total.fill(0.0);
        for (k, e) in topo.edges.iter().enumerate() {
            let req = requested[k];
            if e.hist == usize::MAX {
                licensed[k] = req;
                continue;
            }
            let h = &mut history[e.hist * topo.hist_len..(e.hist + 1) * topo.hist_len];
            h[t % topo.hist_len] = req;
            let importer = e.importer;
            let mut lic = req;
            gate_lic[k] = f64::INFINITY;
            for &ci in &e.controls {
                if let Some(terms) = plan.controls[ci].licence_terms(ti, importer) {
                    // The ring holds the last `hist_len` days' requests; before day 0 the
                    // baseline's.
                    let c_lic = licence::licensed(terms, ti, |d| {
                        if d >= 0 {
                            h[d as usize % topo.hist_len]
                        } else {
                            e.z0
                        }
                    });
                    lic = lic.min(c_lic);
                    control_total[ci] += c_lic;
                }
            }
            licensed[k] = lic;
        }
        for (ci, cp) in plan.controls.iter().enumerate() {
            let Some(q) = cp.quota_t_per_month else {
                continue;
            };
            if !cp.steps.contains(ti) || control_total[ci] <= 0.0 {
                continue;
            }
            let room =
                (cp.quota_release.released(q, plan.month_fraction(t)) - quota_used[ci]).max(0.0);
            let total: f64 = topo
                .edges
                .iter()
                .enumerate()
                .filter(|(_, e)| e.controls.contains(&ci) && cp.quota_binds(ti, e.importer))
                .map(|(k, _)| licensed[k])
                .sum();
            if total > room {
                let f = if total > 0.0 { room / total } else { 0.0 };
                for (k, e) in topo.edges.iter().enumerate() {
                    if e.controls.contains(&ci) && cp.quota_binds(ti, e.importer) {
                        licensed[k] *= f;
                    }
                }
                quota_used[ci] += room;
            } else {
                quota_used[ci] += total;
            }
        }
        // 2. Demand on suppliers and production (ARIO §5.4, ψ rule).
        for s in 0..topo.n_prod {
            let ks = &topo.by_supplier[topo.supplier_off[s]..topo.supplier_off[s + 1]];
            demand[s] = ks.iter().map(|&k| licensed[k]).sum();
        }
        for j in 0..n_nodes {
            let x_opt = demand[j].min(cap[j]);
            let mut xj = x_opt;
            if topo.has_input[j] {
                let a_j = topo.input_per_output[j] * need_factor[j];
                let target = psi * a_j * x_opt * topo.inventory_days[j];
                if target > 0.0 && stock[j] < target {
                    xj = x_opt * (stock[j] / target);
                }
                if a_j > 0.0 {
                    xj = xj.min(stock[j] / a_j);
                    stock[j] = (stock[j] - a_j * xj).max(0.0);
                }
            }
            x[j] = xj;
        }
        // 3. Proportional rationing (§5.5) and deliveries into client stocks.
        for s in 0..topo.n_prod {
            let ks = &topo.by_supplier[topo.supplier_off[s]..topo.supplier_off[s + 1]];
            // Clients of baseline share first (proportionally among them, ARIO §5.5), new
            // relations from what is left: a producer serves its existing clients before
            // taking on buyers whose usual suppliers failed them.
            let first: f64 = ks
                .iter()
                .filter(|&&k| !topo.edges[k].new_relation)
                .map(|&k| licensed[k])
                .fold(0.0, |a, b| a + b);
            let later = demand[s] - first;
            let (f_first, f_later) = if x[s] >= first {
                let left = x[s] - first;
                (1.0, if later > 0.0 { left / later } else { 0.0 })
            } else {
                (x[s] / first, 0.0)
            };
            let mut sum = 0.0;
            for &k in ks {
                let f = if topo.edges[k].new_relation {
                    f_later
                } else {
                    f_first
                };
                delivered[k] = licensed[k] * f;
                sum += delivered[k];
                stock[topo.edges[k].client] += delivered[k];
            }
            if (sum - x[s]).abs() > 1e-9 * x[s].max(1.0) {
                return Err(SimError::ChainStep {
                    step: t,
                    message: format!("node {s} produced {} but delivered {sum}", x[s]),
                });
            }
        }
        // Records.
        check_licences_and_stocks(t, &topo.edges, &licensed, &requested, &stock)?;
        for (k, e) in topo.edges.iter().enumerate() {
            if e.slot != usize::MAX {
                let cell = &mut rec.trade_monthly[month * rec.trade_pairs.len() + e.slot];
                cell[0] += requested[k];
                cell[1] += licensed[k];
                cell[2] += delivered[k];
            }
        }
        for (made, x) in rec.stage_output_t.iter_mut().zip(&x[..topo.n_prod]) {
            *made += x;
        }
        for i in 0..n_ind {
            // Loss, halts and the output index measure supply against what the industry
            // wanted to make: its baseline, or the demand a demand shock sets. A demand cut
            // alone is then no loss and no halt, and a demand rise no negative loss; the
            // scenario's controls are what the figures show.
            let j = topo.n_prod + i;
            let want = demand[j];
            let short = (want - x[j]).max(0.0);
            rec.loss_t[i] += short;
            // An industry's output is the final use of magnets: the demand it fails to meet
            // is its shortfall, the same figure (see `RunRecord::unmet_t`).
            rec.unmet_t[i] += short;
            rec.demand_t[i] += want;
            rec.observe(
                i,
                t,
                if want > 0.0 { x[j] / want } else { 1.0 },
                record_series,
            );
        }
        // 4. Orders for the next step (§5.7): weights, then need split over suppliers.
        for s in 0..topo.n_prod {
            extra[s] = (cap[s] - topo.x0[s]).max(0.0);
        }
        for c in 0..n_nodes {
            let ks = &topo.by_client[topo.client_off[c]..topo.client_off[c + 1]];
            if ks.is_empty() {
                continue;
            }
            // Attractiveness of each usual supplier: what it delivered of what was asked,
            // times its baseline flow plus this client's share of its extra capacity.
            let mut u_total = 0.0;
            let mut unmet = 0.0;
            let mut offer_total = 0.0;
            for &k in ks {
                let e = &topo.edges[k];
                if e.new_relation {
                    offer_total += e.g * extra[e.supplier];
                    continue;
                }
                unmet += (requested[k] - delivered[k]).max(0.0);
                let fill = if requested[k] > 0.0 {
                    delivered[k] / requested[k]
                } else {
                    1.0
                };
                appeal[k] = fill * (e.z0 + e.g * extra[e.supplier]);
                u_total += appeal[k];
            }
            // Producers the client did not buy from at baseline: it qualifies them while its
            // usual suppliers fail it (time constant `switching_days`) and tops its orders up
            // there by what went unfilled, split by its share of their extra capacity. It
            // keeps ordering (and applying for licences) from its usual suppliers, and the
            // new ones serve it after their own clients (step 3), so a top-up only adds.
            let a_c = topo.input_per_output[c] * need_factor[c];
            let x_opt = demand[c].min(cap[c]);
            let gap = (a_c * x_opt * topo.inventory_days[c] - stock[c]).max(0.0);
            let need = a_c * x_opt + gap / restore;
            // A new plant has no usual supplier: all it needs is sought from new ones.
            let has_usual = ks.iter().any(|&k| !topo.edges[k].new_relation);
            if !has_usual {
                unmet = need;
            }
            let short = if unmet > 0.0 { 1.0 } else { 0.0 };
            for &k in ks {
                if topo.edges[k].new_relation {
                    weight[k] += (short - weight[k]) / switching;
                } else if u_total > 0.0 {
                    let target = appeal[k] / u_total;
                    weight[k] += (target - weight[k]) / switching;
                }
            }
            let w_total: f64 = ks
                .iter()
                .filter(|&&k| !topo.edges[k].new_relation)
                .map(|&k| weight[k])
                .sum();
            for &k in ks {
                let e = &topo.edges[k];
                requested[k] = if e.new_relation {
                    if offer_total > 0.0 {
                        weight[k] * unmet * e.g * extra[e.supplier] / offer_total
                    } else {
                        0.0
                    }
                } else if w_total > 0.0 {
                    need * weight[k] / w_total
                } else {
                    0.0
                };
            }
        }
    }
    Ok(rec)
}

/// Step `t`'s invariants after deliveries: no negative stock, licensed ≤ requested on every
/// edge. Each has its own message naming the node or edge and the value: one message for
/// both once reported a negative stock as "licensed > requested".
fn check_licences_and_stocks(
    t: usize,
    edges: &[Edge],
    licensed: &[f64],
    requested: &[f64],
    stock: &[f64],
) -> Result<(), SimError> {
    if let Some((j, v)) = stock.iter().enumerate().find(|(_, v)| **v < 0.0) {
        return Err(SimError::ChainStep {
            step: t,
            message: format!("node {j}: negative stock {v} t"),
        });
    }
    for (k, e) in edges.iter().enumerate() {
        if licensed[k] > requested[k] * (1.0 + 1e-12) + 1e-12 {
            return Err(SimError::ChainStep {
                step: t,
                message: format!(
                    "edge {k} (node {} → node {}): licensed {} t > requested {} t",
                    e.supplier, e.client, licensed[k], requested[k]
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(supplier: usize, client: usize) -> Edge {
        Edge {
            supplier,
            client,
            pair: 0,
            importer: 0,
            slot: usize::MAX,
            z0: 1.0,
            g: 0.0,
            new_relation: false,
            controls: Vec::new(),
            hist: usize::MAX,
        }
    }

    #[test]
    fn each_broken_invariant_names_its_own_node_or_edge_and_value() {
        let edges = [edge(0, 1), edge(1, 2)];
        let ok = check_licences_and_stocks(3, &edges, &[1.0, 2.0], &[1.0, 2.0], &[0.0; 3]);
        assert!(ok.is_ok());
        let err = |lic: &[f64], stock: &[f64]| {
            check_licences_and_stocks(3, &edges, lic, &[1.0, 2.0], stock)
                .unwrap_err()
                .to_string()
        };
        let stock = err(&[1.0, 2.0], &[0.0, 0.0, -0.5]);
        assert!(stock.contains("node 2: negative stock -0.5 t"), "{stock}");
        assert!(!stock.contains("licensed"), "{stock}");
        let lic = err(&[1.0, 2.5], &[0.0; 3]);
        assert!(
            lic.contains("edge 1 (node 1 → node 2): licensed 2.5 t > requested 2 t"),
            "{lic}"
        );
        assert!(lic.starts_with("day 3:"), "{lic}");
    }
}
