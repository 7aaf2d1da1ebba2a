//! The daily model of the physical chain under policies (ARIO-style, in tonnes per day).
//!
//! Each step, in order (ARIO spec §5 for the shared parts):
//!
//! 1. policies set capacities, final demand, magnet needs per unit (substitution) and, on
//!    gated edges, the licensed volume: `approval_share × requested(t − delay)`, nothing
//!    before the first approvals, capped by a monthly quota (the unlicensed part stays with
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
use super::chain::{ChainNetwork, N_INDUSTRIES, N_STAGES};
use crate::SimError;
use crate::policies::{Plan, ramp};

/// Inventory-days assumption of each industry, in [`super::chain::Industry::ALL`] order.
const INDUSTRY_INVENTORY: [Key; N_INDUSTRIES] = [
    Key::InventoryDaysEvTraction,
    Key::InventoryDaysWind,
    Key::InventoryDaysElectronics,
    Key::InventoryDaysDefense,
    Key::InventoryDaysIndustrial,
    Key::InventoryDaysOther,
];

/// A supply edge: supplier producer node → client node (a producer of the next stage or an
/// industry).
#[derive(Debug, Clone)]
struct Edge {
    supplier: usize,
    client: usize,
    /// Aggregation pair index (stage, exporter region, importer region).
    pair: usize,
    /// Importer region (kept to avoid integer divisions in the loop).
    importer: usize,
    /// Slot in the run's monthly trade record (`usize::MAX` for domestic edges).
    slot: usize,
    z0: f64,
    /// Client's share of a supplier's extra capacity (for order weights).
    g: f64,
    /// Controls that may gate this edge.
    controls: Vec<usize>,
    /// Slot in the request history ring (gated edges only).
    hist: usize,
}

/// The network laid out flat for the daily loop.
#[derive(Debug, Clone)]
pub struct Topology {
    n_regions: usize,
    n_prod: usize,
    /// Baseline output of every node (producers, then industries), t/day.
    x0: Vec<f64>,
    input_per_output: Vec<f64>,
    inventory_days: Vec<f64>,
    has_input: Vec<bool>,
    edges: Vec<Edge>,
    /// Edges grouped by client: offsets into `by_client`.
    client_off: Vec<usize>,
    by_client: Vec<usize>,
    supplier_off: Vec<usize>,
    by_supplier: Vec<usize>,
    n_hist: usize,
    hist_len: usize,
    /// Sorted cross-border pairs recorded per month.
    trade_pairs: Vec<usize>,
}

/// Number of (stage, exporter, importer) pairs for `n` regions.
pub fn n_pairs(n: usize) -> usize {
    N_STAGES * n * n
}

/// The pair index of a stage, exporter and importer.
pub fn pair_index(n: usize, stage: usize, exporter: usize, importer: usize) -> usize {
    (stage * n + exporter) * n + importer
}

impl Topology {
    /// Lays a network out for a plan (new-supply regions become suppliers).
    pub fn new(net: &ChainNetwork, plan: &Plan, a: &AssumptionValues) -> Topology {
        let n = net.n_regions();
        let n_prod = n * N_STAGES;
        let n_nodes = n_prod + n * N_INDUSTRIES;
        let mut x0 = vec![0.0; n_nodes];
        let mut input_per_output = vec![0.0; n_nodes];
        let mut inventory_days = vec![0.0; n_nodes];
        let mut has_input = vec![false; n_nodes];
        let inv = [
            0.0,
            a.get(Key::InventoryDaysSeparation),
            a.get(Key::InventoryDaysMetal),
            a.get(Key::InventoryDaysMagnets),
        ];
        for r in 0..n {
            for p in 0..N_STAGES {
                let s = r * N_STAGES + p;
                x0[s] = net.production(r, p);
                input_per_output[s] = net.input_per_output[p];
                inventory_days[s] = inv[p];
                has_input[s] = p > 0;
            }
            for i in 0..N_INDUSTRIES {
                let j = n_prod + r * N_INDUSTRIES + i;
                x0[j] = net.industry_demand_t_per_day[r * N_INDUSTRIES + i];
                input_per_output[j] = 1.0;
                inventory_days[j] = a.get(INDUSTRY_INVENTORY[i]);
                has_input[j] = true;
            }
        }
        let mut edges = Vec::new();
        let mut n_hist = 0;
        let mut max_delay = 0;
        for c in &plan.controls {
            max_delay = max_delay.max(c.delay_days);
            for s in &c.suspensions {
                max_delay = max_delay.max(s.3);
            }
        }
        for p in 0..N_STAGES {
            // Client nodes of product p in region r, with their share of r's intake.
            let clients = |r: usize| -> Vec<(usize, f64)> {
                if p + 1 < N_STAGES {
                    vec![(r * N_STAGES + p + 1, 1.0)]
                } else {
                    let base = n_prod + r * N_INDUSTRIES;
                    let total: f64 = (0..N_INDUSTRIES).map(|i| x0[base + i]).sum();
                    (0..N_INDUSTRIES)
                        .map(|i| {
                            (
                                base + i,
                                if total > 0.0 {
                                    x0[base + i] / total
                                } else {
                                    0.0
                                },
                            )
                        })
                        .collect()
                }
            };
            let world_use: f64 = (0..n)
                .flat_map(&clients)
                .map(|(c, _)| x0[c] * input_per_output[c])
                .sum();
            for e in 0..n {
                let s = e * N_STAGES + p;
                let entrant = plan.new_supply.iter().any(|ns| ns.0 == e && ns.1 == p);
                if x0[s] <= 0.0 && !entrant {
                    continue;
                }
                for r in 0..n {
                    for (c, share) in clients(r) {
                        if x0[c] <= 0.0 {
                            continue;
                        }
                        let z0 = net.flows[p][e * n + r] * share;
                        let g = if x0[s] > 0.0 {
                            z0 / x0[s]
                        } else if world_use > 0.0 {
                            x0[c] * input_per_output[c] / world_use
                        } else {
                            0.0
                        };
                        let controls: Vec<usize> = plan
                            .controls
                            .iter()
                            .enumerate()
                            .filter(|(_, cp)| {
                                cp.exporter == e && cp.stages.contains(&p) && cp.destinations[r]
                            })
                            .map(|(i, _)| i)
                            .collect();
                        let hist = if controls.is_empty() {
                            usize::MAX
                        } else {
                            n_hist += 1;
                            n_hist - 1
                        };
                        edges.push(Edge {
                            supplier: s,
                            client: c,
                            pair: pair_index(n, p, e, r),
                            importer: r,
                            slot: usize::MAX,
                            z0,
                            g,
                            controls,
                            hist,
                        });
                    }
                }
            }
        }
        // Cross-border pairs get a compact slot in the monthly trade record.
        let mut trade_pairs: Vec<usize> = edges
            .iter()
            .filter(|e| e.importer != (e.pair / n) % n)
            .map(|e| e.pair)
            .collect();
        trade_pairs.sort_unstable();
        trade_pairs.dedup();
        for e in &mut edges {
            if let Ok(i) = trade_pairs.binary_search(&e.pair) {
                e.slot = i;
            }
        }
        let group = |key: &dyn Fn(&Edge) -> usize| {
            let mut off = vec![0usize; n_nodes + 1];
            for e in &edges {
                off[key(e) + 1] += 1;
            }
            for i in 0..n_nodes {
                off[i + 1] += off[i];
            }
            let mut fill = off.clone();
            let mut idx = vec![0usize; edges.len()];
            for (k, e) in edges.iter().enumerate() {
                idx[fill[key(e)]] = k;
                fill[key(e)] += 1;
            }
            (off, idx)
        };
        let (client_off, by_client) = group(&|e: &Edge| e.client);
        let (supplier_off, by_supplier) = group(&|e: &Edge| e.supplier);
        Topology {
            n_regions: n,
            n_prod,
            x0,
            input_per_output,
            inventory_days,
            has_input,
            edges,
            client_off,
            by_client,
            supplier_off,
            by_supplier,
            n_hist,
            hist_len: max_delay + 1,
            trade_pairs,
        }
    }

    /// Number of industry nodes.
    pub fn n_industry_nodes(&self) -> usize {
        self.n_regions * N_INDUSTRIES
    }

    /// Sorted, distinct (stage, exporter, importer) pairs that some control may gate.
    pub fn gated_pairs(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self
            .edges
            .iter()
            .filter(|e| !e.controls.is_empty())
            .map(|e| e.pair)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Baseline output of industry node `j` (magnet use, t/day).
    pub fn industry_baseline(&self, j: usize) -> f64 {
        self.x0[self.n_prod + j]
    }

    /// Baseline flow of every (stage, exporter, importer) pair ([`pair_index`]), t/day: what
    /// importers take in the undisturbed network, before any restocking orders.
    pub fn baseline_trade_t_per_day(&self) -> Vec<f64> {
        let mut out = vec![0.0; n_pairs(self.n_regions)];
        for e in &self.edges {
            if let Some(v) = out.get_mut(e.pair) {
                *v += e.z0;
            }
        }
        out
    }
}

/// What one run records.
#[derive(Debug, Clone, Default)]
pub struct RunRecord {
    /// Daily output of each industry node relative to baseline (`days × n_industry_nodes`),
    /// empty when series recording is off.
    pub output_index: Vec<f32>,
    /// Production loss per industry node, t of magnet use (baseline − output).
    pub loss_t: Vec<f64>,
    /// Final demand not met per industry node, t.
    pub unmet_t: Vec<f64>,
    /// First day below 90 % of baseline.
    pub halt_day_90: Vec<Option<u32>>,
    /// First day below 50 % of baseline.
    pub halt_day_50: Vec<Option<u32>>,
    /// First day back at ≥ 95 % after falling below 90 %.
    pub recovery_day_95: Vec<Option<u32>>,
    /// Monthly sums per cross-border pair: `[month * trade_pairs.len() + slot] =
    /// [requested, licensed, delivered]`, t; read it with [`RunRecord::trade`].
    pub trade_monthly: Vec<[f64; 3]>,
    /// The (stage, exporter, importer) pairs recorded, sorted (see [`pair_index`]).
    pub trade_pairs: Vec<usize>,
    /// Number of months in `trade_monthly`.
    pub months: usize,
}

impl RunRecord {
    /// Records node `j`'s output relative to baseline on day `t`: the series (when kept)
    /// and the first days below 90 % and 50 % and back at 95 %.
    pub fn observe(&mut self, j: usize, t: usize, idx: f64, record_series: bool) {
        if record_series {
            self.output_index.push(idx as f32);
        }
        let day = Some(t as u32);
        if idx < 0.9 && self.halt_day_90[j].is_none() {
            self.halt_day_90[j] = day;
        }
        if idx < 0.5 && self.halt_day_50[j].is_none() {
            self.halt_day_50[j] = day;
        }
        if idx >= 0.95 && self.halt_day_90[j].is_some() && self.recovery_day_95[j].is_none() {
            self.recovery_day_95[j] = day;
        }
    }

    /// Requested, licensed and delivered tonnes of a (stage, exporter, importer) pair in
    /// month `m` (zero when the pair has no cross-border edge).
    pub fn trade(&self, m: usize, pair: usize) -> [f64; 3] {
        match self.trade_pairs.binary_search(&pair) {
            Ok(slot) => self
                .trade_monthly
                .get(m * self.trade_pairs.len() + slot)
                .copied()
                .unwrap_or([0.0; 3]),
            Err(_) => [0.0; 3],
        }
    }
}

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

    let start_month = plan.start.year_month().index();
    let last = plan.start.plus_days(plan.days.saturating_sub(1) as i64);
    let months = (last.year_month().index() - start_month + 1).max(1) as usize;
    let month_of: Vec<usize> = (0..plan.days)
        .map(|t| (plan.start.plus_days(t as i64).year_month().index() - start_month) as usize)
        .collect();

    let mut rec = RunRecord {
        output_index: if record_series {
            Vec::with_capacity(plan.days * n_ind)
        } else {
            Vec::new()
        },
        loss_t: vec![0.0; n_ind],
        unmet_t: vec![0.0; n_ind],
        halt_day_90: vec![None; n_ind],
        halt_day_50: vec![None; n_ind],
        recovery_day_95: vec![None; n_ind],
        trade_monthly: vec![[0.0; 3]; months * topo.trade_pairs.len()],
        trade_pairs: topo.trade_pairs.clone(),
        months,
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
                for (reg, st, from, ramp_days, tpd) in &plan.new_supply {
                    if *reg == r && *st == p {
                        c += tpd * ramp(tf, *from, *ramp_days);
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
                let cp = &plan.controls[ci];
                if let Some((share, delay)) = cp.regime(ti, importer) {
                    let asked = if ti - (delay as i64) < cp.steps.start {
                        0.0 // no licence granted yet: applications started with the control
                    } else if delay <= t {
                        h[(t - delay) % topo.hist_len]
                    } else {
                        e.z0 // before the simulation: baseline requests
                    };
                    lic = lic.min(share * asked);
                    control_total[ci] += share * asked;
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
            let room = (q - quota_used[ci]).max(0.0);
            let total: f64 = topo
                .edges
                .iter()
                .enumerate()
                .filter(|(_, e)| e.controls.contains(&ci) && cp.regime(ti, e.importer).is_some())
                .map(|(k, _)| licensed[k])
                .sum();
            if total > room {
                let f = if total > 0.0 { room / total } else { 0.0 };
                for (k, e) in topo.edges.iter().enumerate() {
                    if e.controls.contains(&ci) && cp.regime(ti, e.importer).is_some() {
                        licensed[k] *= f;
                    }
                }
                quota_used[ci] = q;
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
            let f = if demand[s] > 0.0 {
                x[s] / demand[s]
            } else {
                0.0
            };
            let mut sum = 0.0;
            for &k in ks {
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
        for (k, e) in topo.edges.iter().enumerate() {
            if licensed[k] > requested[k] * (1.0 + 1e-12) + 1e-12 || stock[e.client] < 0.0 {
                return Err(SimError::ChainStep {
                    step: t,
                    message: format!(
                        "edge {k}: licensed {} > requested {}",
                        licensed[k], requested[k]
                    ),
                });
            }
            if e.slot != usize::MAX {
                let cell = &mut rec.trade_monthly[month * rec.trade_pairs.len() + e.slot];
                cell[0] += requested[k];
                cell[1] += licensed[k];
                cell[2] += delivered[k];
            }
        }
        for i in 0..n_ind {
            let j = topo.n_prod + i;
            let base = topo.x0[j];
            rec.loss_t[i] += base - x[j];
            rec.unmet_t[i] += (demand[j] - x[j]).max(0.0);
            rec.observe(
                i,
                t,
                if base > 0.0 { x[j] / base } else { 1.0 },
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
            // Attractiveness of each supplier: what it delivered of what was asked, times
            // its baseline flow plus this client's share of its extra capacity.
            let mut u_total = 0.0;
            for &k in ks {
                let e = &topo.edges[k];
                let fill = if requested[k] > 0.0 {
                    delivered[k] / requested[k]
                } else {
                    1.0
                };
                appeal[k] = fill * (e.z0 + e.g * extra[e.supplier]);
                u_total += appeal[k];
            }
            if u_total > 0.0 {
                for &k in ks {
                    let target = appeal[k] / u_total;
                    weight[k] += (target - weight[k]) / switching;
                }
            }
            let a_c = topo.input_per_output[c] * need_factor[c];
            let x_opt = demand[c].min(cap[c]);
            let gap = (a_c * x_opt * topo.inventory_days[c] - stock[c]).max(0.0);
            let need = a_c * x_opt + gap / restore;
            let w_total: f64 = ks.iter().map(|&k| weight[k]).sum();
            for &k in ks {
                requested[k] = if w_total > 0.0 {
                    need * weight[k] / w_total
                } else {
                    0.0
                };
            }
        }
    }
    Ok(rec)
}
