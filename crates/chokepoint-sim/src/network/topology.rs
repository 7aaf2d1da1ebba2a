//! The chain laid out flat for the daily loop of [`super::flow`]: nodes (producers of each
//! stage, then industries), supply edges grouped by client and by supplier, and the pairs
//! (stage, exporter, importer) that runs record.

// Index loops mirror the layout (node s, edge k, region r) and fill several parallel flat
// buffers in step; iterator chains would hide that.
#![allow(clippy::needless_range_loop)]

use super::assumptions::{AssumptionValues, Key};
use super::chain::{ChainNetwork, N_INDUSTRIES, N_STAGES};
use crate::policies::Plan;

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
pub(super) struct Edge {
    pub(super) supplier: usize,
    pub(super) client: usize,
    /// Aggregation pair index (stage, exporter region, importer region).
    pub(super) pair: usize,
    /// Importer region (kept to avoid integer divisions in the loop).
    pub(super) importer: usize,
    /// Slot in the run's monthly trade record (`usize::MAX` for domestic edges).
    pub(super) slot: usize,
    pub(super) z0: f64,
    /// Client's share of a supplier's extra capacity (for order weights).
    pub(super) g: f64,
    /// No baseline flow: a producer the client did not buy from, or a new plant (as
    /// supplier or as client). It draws orders only as far as the client's usual suppliers
    /// fail it, and serves them after its usual clients (see `flow`).
    pub(super) new_relation: bool,
    /// Controls that may gate this edge.
    pub(super) controls: Vec<usize>,
    /// Slot in the request history ring (gated edges only).
    pub(super) hist: usize,
}

/// The network laid out flat for the daily loop.
#[derive(Debug, Clone)]
pub struct Topology {
    pub(super) n_regions: usize,
    pub(super) n_prod: usize,
    /// Baseline output of every node (producers, then industries), t/day.
    pub(super) x0: Vec<f64>,
    pub(super) input_per_output: Vec<f64>,
    pub(super) inventory_days: Vec<f64>,
    pub(super) has_input: Vec<bool>,
    pub(super) edges: Vec<Edge>,
    /// Edges grouped by client: offsets into `by_client`.
    pub(super) client_off: Vec<usize>,
    pub(super) by_client: Vec<usize>,
    pub(super) supplier_off: Vec<usize>,
    pub(super) by_supplier: Vec<usize>,
    pub(super) n_hist: usize,
    pub(super) hist_len: usize,
    /// Sorted cross-border pairs recorded per month.
    pub(super) trade_pairs: Vec<usize>,
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
            // Producer nodes with new supply in the plan.
            let is_entrant = |node: usize| {
                node < n_prod
                    && plan
                        .new_supply
                        .iter()
                        .any(|ns| ns.0 * N_STAGES + ns.1 == node)
            };
            for e in 0..n {
                let s = e * N_STAGES + p;
                let entrant = is_entrant(s);
                if x0[s] <= 0.0 && !entrant {
                    continue;
                }
                for r in 0..n {
                    for (c, share) in clients(r) {
                        // A new plant where the region has none of the stage buys its
                        // inputs as a new client of every producer of them.
                        let entrant_client = x0[c] <= 0.0 && is_entrant(c);
                        if x0[c] <= 0.0 && !entrant_client {
                            continue;
                        }
                        let z0 = net.flows[p][e * n + r] * share;
                        // A client's claim on a supplier's extra capacity: its share of the
                        // supplier's baseline output where it buys there, else (a supplier it
                        // did not buy from, or an entrant) its share of world use of the good;
                        // a new plant, which has no use yet, splits by extra capacity alone.
                        let g = if z0 > 0.0 && x0[s] > 0.0 {
                            z0 / x0[s]
                        } else if entrant_client {
                            1.0
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
                            new_relation: z0 <= 0.0,
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

    /// Baseline output of stage node `s` (`region * N_STAGES + stage`), t/day.
    pub fn stage_baseline(&self, s: usize) -> f64 {
        self.x0[s]
    }

    /// Number of stage nodes (regions × stages), the length of
    /// [`RunRecord::stage_output_t`](super::flow::RunRecord::stage_output_t).
    pub fn n_stage_nodes(&self) -> usize {
        self.n_prod
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
