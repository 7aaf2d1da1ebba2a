//! The exact kernel of 'alt' orders (BoARIO's default), rows in groups.
//!
//! For a group of rows of input sector p, each row of O is rebuilt from Z0 leaf by leaf of
//! NumPy's pairwise tree, and each leaf is summed (pairwise and einsum orders) right after
//! it is written, while it is in L1, so the row is not read back from L2 for its sums.
//! Then the group is delivered in column blocks: the restocking and next-weight sums of a
//! block stay in registers and L1 while the group's rows pass, instead of one
//! read-modify-write of both S × N rows per supplier row. Every sum still adds rows in
//! region order and every value is computed as BoARIO computes it, so the bits are those
//! of [`SectorPass::row_by_row`] (tested).
//!
//! Export controls act per (supplier, client region): a gate scales the supplier's orders
//! from that region, an order weight its 'alt' weight there. Only the rows of gated
//! suppliers carry such factors; they are rebuilt and delivered region by region with the
//! general kernel's operations, and every other row takes the unscaled loops (× 1.0 is
//! exact, so both give the general kernel's bits), so a run under export controls costs
//! about what an uncontrolled one does.

use std::sync::{Mutex, PoisonError};

use super::edge_factors::RowFactors;
use super::fused::{RowSums, SectorPass, deliver_exact};
use super::numpy_sum::{
    PairwiseOp, PairwiseStack, einsum_blocks, einsum_finish, einsum_finish_split, einsum_sum,
    leaf_sum,
};
use super::orders::{alt_order, split};
use super::prefetch::{ahead_of_row, prefetch_span};

/// Rows per group: their rebuilt rows of O and their rows of Z0 stay in L2 until the
/// group is delivered.
pub(super) const GROUP_ROWS: usize = 8;

/// Columns per delivery block: the block's restocking and weight sums stay in L1.
const COLUMN_BLOCK: usize = 512;

/// One buffer of [`GROUP_ROWS`] rows of E per worker thread (a worker runs one input
/// sector at a time). Per thread rather than per sector, so that its size does not grow
/// with the number of sectors.
#[derive(Debug)]
pub(crate) struct GroupScratch {
    buffers: Vec<Mutex<Vec<f64>>>,
    len: usize,
}

impl GroupScratch {
    /// Buffers for rows of `width` values (O, then the tail).
    pub fn new(width: usize) -> Self {
        let len = GROUP_ROWS * width;
        let buffers = (0..rayon::current_num_threads().max(1))
            .map(|_| Mutex::new(vec![0.0; len]))
            .collect();
        GroupScratch { buffers, len }
    }

    /// The calling worker's buffer. A worker outside the pool it was sized for shares a
    /// buffer (and waits for it): slower, never wrong. A guard rather than a closure, so
    /// that the kernel stays inlined in its caller's SIMD context.
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<f64>> {
        let k = rayon::current_thread_index().unwrap_or(0) % self.buffers.len();
        // A panic elsewhere cannot leave the buffer inconsistent: it is scratch.
        self.buffers[k]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Clone for GroupScratch {
    fn clone(&self) -> Self {
        GroupScratch::new(self.len / GROUP_ROWS)
    }
}

/// What delivering one row needs: its rationing total, its production, its next 'alt'
/// weight and that weight's policy factors per client region (`None`: all 1.0).
#[derive(Debug, Clone, Copy, Default)]
struct Delivery<'a> {
    total: f64,
    production: f64,
    cr_next: f64,
    weights: Option<&'a [f64]>,
}

impl SectorPass<'_> {
    /// The rows of input sector p (dense `block` of Z0) in exact numerics, 'alt' orders
    /// (see the module documentation).
    #[inline(always)]
    pub(super) fn grouped(self, block: &[f64]) {
        let (m, t, p, capacity_factor) = (self.model, self.t, self.p, self.capacity_factor);
        let (n, s, nr, tw) = (m.n, m.n_sectors, m.n_regions, m.tail_width);
        let (restock, ws, outs) = (&mut self.restock[..n], &mut self.ws[..n], self.outs);
        let mut final_demand = self.final_demand;
        let mut buffer = m.group_scratch.lock();
        let width = n + tw;
        let book = &m.book;
        let (need, den) = (&book.need[p * n..][..n], &book.ws[p * n..][..n]);
        let mut group = [Delivery::default(); GROUP_ROWS];
        for r0 in (0..nr).step_by(GROUP_ROWS) {
            let rows = GROUP_ROWS.min(nr - r0);
            for (k, d) in group.iter_mut().enumerate().take(rows) {
                let (r, i) = (r0 + k, (r0 + k) * s + p);
                m.prefetch_next_tail(i);
                let row = &mut buffer[k * width..][..width];
                let tail = &m.tail[i * tw..][..tw];
                let factors = RowFactors::of(book, &m.weight_next, i);
                let order = RowOrder {
                    z: &block[r * n..][..n],
                    ahead: ahead_of_row(block, r, n),
                    cr: book.cr[i],
                    den,
                    need,
                    weight: factors.and_then(|f| f.weight),
                    gate: factors.and_then(|f| f.gate),
                    sectors: s,
                };
                let sums = rebuild_and_sum(&m.pairwise_ops, row, tail, &order, m.n_fd);
                let out = m.row_state(t, i, sums, capacity_factor);
                final_demand.row(r, &tail[..m.n_fd], sums.pairwise, out.production);
                outs[r] = out;
                *d = Delivery {
                    total: sums.pairwise,
                    production: out.production,
                    cr_next: out.cr_next,
                    weights: factors.and_then(|f| f.next),
                };
            }
            let z = &block[r0 * n..][..rows * n];
            // The first group starts the sums (no zeroing pass over them first).
            let first = r0 == 0;
            if group[..rows].iter().all(|d| d.weights.is_none()) {
                deliver_group(&buffer, width, z, &group[..rows], first, restock, ws);
            } else {
                if first {
                    restock.fill(0.0);
                    ws.fill(0.0);
                }
                deliver_weighted(&buffer, width, z, &group[..rows], s, restock, ws);
            }
        }
    }
}

/// The factors of one supplier row's orders: its row of Z0, its 'alt' weight and the input
/// sector's Σ_r W and needs.
struct RowOrder<'a> {
    z: &'a [f64],
    /// The sector's Z0 from [`AHEAD`](super::prefetch::AHEAD) values past the start of this row: the span of
    /// each leaf is prefetched from there as the leaf is rebuilt (see `prefetch`).
    ahead: &'a [f64],
    cr: f64,
    den: &'a [f64],
    need: &'a [f64],
    /// The row's policy weights and gate shares per client region (`None`: all 1.0).
    weight: Option<&'a [f64]>,
    gate: Option<&'a [f64]>,
    sectors: usize,
}

/// Rebuilds `row[..n]` (n = the length of the Z0 row) as the orders of one supplier row,
/// leaf by leaf of `ops` (NumPy's pairwise tree over the whole row of E: the orders, then
/// the row's final and reconstruction demand, `tail`), and returns the row's sums in
/// NumPy's orders. Leaves within the tail are summed where it lies; only the leaf that
/// straddles the end of the orders has its tail part copied after them (the whole tail
/// was copied before, 3 MB per step at N = 2,500).
#[inline(always)]
fn rebuild_and_sum(
    ops: &[PairwiseOp],
    row: &mut [f64],
    tail: &[f64],
    order: &RowOrder,
    nfd: usize,
) -> RowSums {
    let n = order.z.len();
    let n8 = n - n % 8;
    let mut prefix = [0.0; 2];
    let mut pairwise = PairwiseStack::default();
    for op in ops {
        match *op {
            PairwiseOp::Leaf { start, len } => {
                let (a, end) = (start as usize, (start + len) as usize);
                if a < n {
                    let e = end.min(n);
                    prefetch_span(order.ahead, a, e);
                    if order.weight.is_none() && order.gate.is_none() {
                        let factors = order.z[a..e]
                            .iter()
                            .zip(&order.den[a..e])
                            .zip(&order.need[a..e]);
                        for (o, ((&zv, &d), &nd)) in row[a..e].iter_mut().zip(factors) {
                            *o = alt_order::<false>(zv, order.cr, d, nd);
                        }
                    } else {
                        scaled_orders(&mut row[a..e], a, order);
                    }
                }
                // D and the intermediate total share the einsum state of O's whole
                // blocks of 8; leaves start at multiples of 8.
                let e8 = end.min(n8);
                if a < e8 {
                    prefix = einsum_blocks(prefix, &row[a..e8]);
                }
                let leaf = if a >= n {
                    &tail[a - n..end - n]
                } else {
                    if end > n {
                        row[n..end].copy_from_slice(&tail[..end - n]);
                    }
                    &row[a..end]
                };
                pairwise.push(leaf_sum(leaf));
            }
            PairwiseOp::Add => pairwise.add(),
        }
    }
    RowSums {
        demand: einsum_finish_split(prefix, &row[n8..n], tail),
        pairwise: pairwise.total(),
        intermediate: einsum_finish(prefix, &row[n8..n]),
        final_demand: einsum_sum(&tail[..nfd]),
        rebuild: einsum_sum(&tail[nfd..]),
    }
}

/// Orders `out` = columns `a..a + out.len()` of a row with policy factors, one client
/// region's columns at a time, as [`OrderBook::row`](super::orders::OrderBook::row) computes
/// them: need · ((z · cr) · weight) / Σ_r W, then × the gate's share.
#[inline(always)]
fn scaled_orders(out: &mut [f64], a: usize, order: &RowOrder) {
    let s = order.sectors;
    let mut j = a;
    while j < a + out.len() {
        let r = j / s;
        let end = ((r + 1) * s).min(a + out.len());
        let f = order.weight.map_or(1.0, |w| w[r]);
        let g = order.gate.map_or(1.0, |g| g[r]);
        let factors = order.z[j..end]
            .iter()
            .zip(&order.den[j..end])
            .zip(&order.need[j..end]);
        for (o, ((&zv, &d), &nd)) in out[j - a..end - a].iter_mut().zip(factors) {
            *o = split::<false>((zv * order.cr) * f, d, nd) * g;
        }
        j = end;
    }
}

/// Delivers a group of rebuilt rows (`orders`, rows of `width` values) into the restocking
/// sums and adds their rows of Z0 (`z`) to the next 'alt' weight sums, in column blocks,
/// rows in region order within each block (so each sum adds them in BoARIO's order).
#[inline(always)]
fn deliver_group(
    orders: &[f64],
    width: usize,
    z: &[f64],
    group: &[Delivery],
    first: bool,
    restock: &mut [f64],
    ws: &mut [f64],
) {
    let n = restock.len();
    debug_assert!(group.iter().all(|d| d.weights.is_none()));
    let o = |k: usize, j0: usize, len: usize| &orders[k * width + j0..][..len];
    let zr = |k: usize, j0: usize, len: usize| &z[k * n + j0..][..len];
    for j0 in (0..n).step_by(COLUMN_BLOCK) {
        let len = COLUMN_BLOCK.min(n - j0);
        let (acc_d, acc_w) = (&mut restock[j0..][..len], &mut ws[j0..][..len]);
        // Whether the block's sums still hold the previous sector's values: the sector's
        // first quad then starts them at +0.0, as a zeroed sum would (0.0 + x).
        let mut fresh = first;
        let mut k = 0;
        while k < group.len() {
            let quad = &group[k..group.len().min(k + 4)];
            if let [d0, d1, d2, d3] = *quad
                && quad.iter().all(|d| d.total != 0.0)
            {
                let rows = [
                    (o(k, j0, len), zr(k, j0, len), d0),
                    (o(k + 1, j0, len), zr(k + 1, j0, len), d1),
                    (o(k + 2, j0, len), zr(k + 2, j0, len), d2),
                    (o(k + 3, j0, len), zr(k + 3, j0, len), d3),
                ];
                if fresh {
                    deliver_quad::<true>(&rows, acc_d, acc_w);
                } else {
                    deliver_quad::<false>(&rows, acc_d, acc_w);
                }
            } else {
                if fresh {
                    acc_d.fill(0.0);
                    acc_w.fill(0.0);
                }
                // A short quad or a row with nothing ordered (t = 0 delivers nothing):
                // one row after the other, still in order.
                for (q, d) in quad.iter().enumerate() {
                    if d.total != 0.0 {
                        for (a, &v) in acc_d.iter_mut().zip(o(k + q, j0, len)) {
                            *a += (v / d.total) * d.production;
                        }
                    }
                    for (a, &v) in acc_w.iter_mut().zip(zr(k + q, j0, len)) {
                        *a += v * d.cr_next;
                    }
                }
            }
            fresh = false;
            k += quad.len();
        }
    }
}

/// Adds four rows (orders, Z0 row, delivery) of a column block into its restocking and
/// weight sums, in region order; `FRESH`: the sums start at +0.0 instead of their values.
#[inline(always)]
fn deliver_quad<const FRESH: bool>(
    rows: &[(&[f64], &[f64], Delivery); 4],
    acc_d: &mut [f64],
    acc_w: &mut [f64],
) {
    let [(o0, z0, d0), (o1, z1, d1), (o2, z2, d2), (o3, z3, d3)] = *rows;
    // Equal lengths, so that the loop has no bounds checks.
    let len = acc_d.len();
    let (acc_w, o0, o1, o2, o3) = (
        &mut acc_w[..len],
        &o0[..len],
        &o1[..len],
        &o2[..len],
        &o3[..len],
    );
    let (z0, z1, z2, z3) = (&z0[..len], &z1[..len], &z2[..len], &z3[..len]);
    for j in 0..len {
        let mut d = if FRESH { 0.0 } else { acc_d[j] };
        d += (o0[j] / d0.total) * d0.production;
        d += (o1[j] / d1.total) * d1.production;
        d += (o2[j] / d2.total) * d2.production;
        d += (o3[j] / d3.total) * d3.production;
        acc_d[j] = d;
        let mut w = if FRESH { 0.0 } else { acc_w[j] };
        w += z0[j] * d0.cr_next;
        w += z1[j] * d1.cr_next;
        w += z2[j] * d2.cr_next;
        w += z3[j] * d3.cr_next;
        acc_w[j] = w;
    }
}

/// Delivers a group of which some rows' next 'alt' weights carry policy factors, row after
/// row (so each sum still adds them in region order) with the general kernel's
/// [`deliver_exact`]. Only groups holding a gated supplier come here.
#[inline(always)]
fn deliver_weighted(
    orders: &[f64],
    width: usize,
    z: &[f64],
    group: &[Delivery],
    sectors: usize,
    restock: &mut [f64],
    ws: &mut [f64],
) {
    let n = restock.len();
    for (k, d) in group.iter().enumerate() {
        let (o, zr) = (&orders[k * width..][..n], &z[k * n..][..n]);
        let row = (d.total, d.production, d.cr_next);
        deliver_exact(restock, ws, o, zr, row, d.weights, sectors);
    }
}

#[cfg(test)]
mod tests {
    use crate::network::synthetic::dense_mrio;
    use crate::{Controls, Gate, Model, ModelParams, Numerics, Storage};

    /// The state after each step of a run under a capacity shock (industry 4, steps 3–19)
    /// and export controls: none until step 5, then two gates (a licence at 50 % with order
    /// weight 0.6 on industry 4 → region 1, an embargo without reweighting on the last
    /// region's last sector → region 0), changed at step 12, lifted at step 30.
    fn run(
        (regions, sectors): (usize, usize),
        numerics: Numerics,
        storage: Storage,
        general: bool,
    ) -> Vec<Vec<f64>> {
        let mrio = dense_mrio(regions, sectors, 2, 7).unwrap();
        let params = ModelParams {
            numerics,
            storage,
            ..ModelParams::default()
        };
        let mut model = Model::new(&mrio, params).unwrap();
        model.general_kernel_only = general;
        let n = model.n_industries();
        let mut controls = Controls::neutral(regions, sectors);
        let mut licence = Gate::new(4, 1);
        licence.allowed_share = 0.5;
        licence.order_weight = 0.6;
        let mut embargo = Gate::new(n - 1, 0);
        embargo.allowed_share = 0.0;
        controls.gates = vec![licence, embargo];
        let mut states = Vec::new();
        for t in 0..40 {
            let mut delta = vec![0.0; n];
            if (3..20).contains(&t) {
                delta[4] = 0.6;
            }
            model.set_capacity_loss(&delta);
            if t == 12 {
                controls.gates[0].allowed_share = 0.8;
                controls.gates[1].order_weight = 0.3;
            }
            let controlled = (5..30).contains(&t);
            model.step(t, controlled.then_some(&mut controls)).unwrap();
            let mut state = Vec::new();
            for v in [
                model.production(),
                model.production_capacity(),
                model.overproduction(),
                model.final_demand_unmet(),
                model.intermediate_demand_tot(),
                model.inventories(),
            ] {
                state.extend_from_slice(v);
            }
            if controlled {
                state.extend(
                    controls
                        .gates
                        .iter()
                        .flat_map(|g| [g.requested, g.delivered]),
                );
            }
            states.push(state);
        }
        states
    }

    /// The specialised kernels (grouped in exact numerics, factorised in fast numerics, on
    /// dense storage; factorised on sparse storage in fast numerics), with and without
    /// gates and order weights, against the general kernels (row by row on dense storage,
    /// `sparse_rows` on sparse): the same bits in exact numerics, within 1e-12 in fast
    /// numerics, which reassociate sums (relative, absolute below 1, as the reference runs
    /// are compared). 3 × 7 = 21 industries: rows not a multiple of the 8-wide blocks;
    /// 13 × 3: input sectors of 13 rows, delivered as a group of 8 (two quads) and one of 5
    /// (a quad and a single row), the gated suppliers in either; 20 × 8: rows of 160 + 40
    /// values, summed in two pairwise leaves (96 + 104), the first within O.
    #[test]
    fn specialised_kernels_agree_with_the_general_one() {
        let cases = [(3, 7), (13, 3), (20, 8)].into_iter().flat_map(|table| {
            [Numerics::Exact, Numerics::Fast]
                .into_iter()
                .flat_map(move |numerics| {
                    [Storage::Dense, Storage::Sparse].map(|storage| (table, numerics, storage))
                })
        });
        for (table, numerics, storage) in cases {
            let ours = run(table, numerics, storage, false);
            let general = run(table, numerics, storage, true);
            for (t, (a, b)) in ours.iter().zip(&general).enumerate() {
                let case = format!("{table:?} {numerics:?} {storage:?} step {t}");
                assert_eq!(a.len(), b.len(), "{case}");
                for (k, (x, y)) in a.iter().zip(b).enumerate() {
                    if numerics == Numerics::Exact {
                        assert_eq!(x.to_bits(), y.to_bits(), "{case}: value {k}: {x} {y}");
                    } else {
                        // Relative, absolute below 1 (sums that cancel to ~0).
                        let d = (x - y).abs() / x.abs().max(y.abs()).max(1.0);
                        assert!(d <= 1e-12, "{case}: value {k}: {x} {y}");
                    }
                }
            }
        }
    }
}
