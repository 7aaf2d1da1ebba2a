//! The exact kernel of the common case ('alt' orders, exact numerics, no policy weights or
//! gates: BoARIO's default), rows in groups.
//!
//! For a group of rows of input sector p, each row of O is rebuilt from Z0 leaf by leaf of
//! NumPy's pairwise tree, and each leaf is summed (pairwise and einsum orders) right after
//! it is written, while it is in L1, so the row is not read back from L2 for its sums.
//! Then the group is delivered in column blocks: the restocking and next-weight sums of a
//! block stay in registers and L1 while the group's rows pass, instead of one
//! read-modify-write of both S × N rows per supplier row. Every sum still adds rows in
//! region order and every value is computed as BoARIO computes it, so the bits are those
//! of [`SectorPass::row_by_row`] (tested).

use std::sync::{Mutex, PoisonError};

use super::fused::{RowSums, SectorPass};
use super::numpy_sum::{
    PairwiseOp, PairwiseStack, einsum_blocks, einsum_finish, einsum_sum, leaf_sum,
};
use super::orders::alt_order;
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

/// What delivering one row needs: its rationing total, its production and its next
/// 'alt' weight.
#[derive(Debug, Clone, Copy, Default)]
struct Delivery {
    total: f64,
    production: f64,
    cr_next: f64,
}

impl SectorPass<'_> {
    /// The rows of input sector p (dense `block` of Z0) in exact numerics, 'alt' orders
    /// without policy weights or gates (see the module documentation).
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
        restock.fill(0.0);
        ws.fill(0.0);
        let mut group = [Delivery::default(); GROUP_ROWS];
        for r0 in (0..nr).step_by(GROUP_ROWS) {
            let rows = GROUP_ROWS.min(nr - r0);
            for (k, d) in group.iter_mut().enumerate().take(rows) {
                let (r, i) = (r0 + k, (r0 + k) * s + p);
                m.prefetch_next_tail(i);
                let row = &mut buffer[k * width..][..width];
                let tail = &m.tail[i * tw..][..tw];
                row[n..].copy_from_slice(tail);
                let order = RowOrder {
                    z: &block[r * n..][..n],
                    ahead: ahead_of_row(block, r, n),
                    cr: book.cr[i],
                    den,
                    need,
                };
                let sums = rebuild_and_sum(&m.pairwise_ops, row, &order, m.n_fd);
                let out = m.row_state(t, i, sums, capacity_factor);
                final_demand.row(r, &tail[..m.n_fd], sums.pairwise, out.production);
                outs[r] = out;
                *d = Delivery {
                    total: sums.pairwise,
                    production: out.production,
                    cr_next: out.cr_next,
                };
            }
            let z = &block[r0 * n..][..rows * n];
            deliver_group(&buffer, width, z, &group[..rows], restock, ws);
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
}

/// Rebuilds `row[..n]` (n = the length of the Z0 row) as the orders of one supplier row,
/// leaf by leaf of `ops` (NumPy's pairwise tree over the whole row, tail included), and
/// returns the row's sums in NumPy's orders.
#[inline(always)]
fn rebuild_and_sum(ops: &[PairwiseOp], row: &mut [f64], order: &RowOrder, nfd: usize) -> RowSums {
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
                    let factors = order.z[a..e]
                        .iter()
                        .zip(&order.den[a..e])
                        .zip(&order.need[a..e]);
                    for (o, ((&zv, &d), &nd)) in row[a..e].iter_mut().zip(factors) {
                        *o = alt_order::<false>(zv, order.cr, d, nd);
                    }
                }
                // D and the intermediate total share the einsum state of O's whole
                // blocks of 8; leaves start at multiples of 8.
                let e8 = end.min(n8);
                if a < e8 {
                    prefix = einsum_blocks(prefix, &row[a..e8]);
                }
                pairwise.push(leaf_sum(&row[a..end]));
            }
            PairwiseOp::Add => pairwise.add(),
        }
    }
    RowSums {
        demand: einsum_finish(prefix, &row[n8..]),
        pairwise: pairwise.total(),
        intermediate: einsum_finish(prefix, &row[n8..n]),
        final_demand: einsum_sum(&row[n..n + nfd]),
        rebuild: einsum_sum(&row[n + nfd..]),
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
    restock: &mut [f64],
    ws: &mut [f64],
) {
    let n = restock.len();
    let o = |k: usize, j0: usize, len: usize| &orders[k * width + j0..][..len];
    let zr = |k: usize, j0: usize, len: usize| &z[k * n + j0..][..len];
    for j0 in (0..n).step_by(COLUMN_BLOCK) {
        let len = COLUMN_BLOCK.min(n - j0);
        let (acc_d, acc_w) = (&mut restock[j0..][..len], &mut ws[j0..][..len]);
        let mut k = 0;
        while k < group.len() {
            let quad = &group[k..group.len().min(k + 4)];
            if let [d0, d1, d2, d3] = *quad
                && quad.iter().all(|d| d.total != 0.0)
            {
                let (o0, o1, o2, o3) = (
                    o(k, j0, len),
                    o(k + 1, j0, len),
                    o(k + 2, j0, len),
                    o(k + 3, j0, len),
                );
                let (z0, z1, z2, z3) = (
                    zr(k, j0, len),
                    zr(k + 1, j0, len),
                    zr(k + 2, j0, len),
                    zr(k + 3, j0, len),
                );
                for j in 0..len {
                    let mut d = acc_d[j];
                    d += (o0[j] / d0.total) * d0.production;
                    d += (o1[j] / d1.total) * d1.production;
                    d += (o2[j] / d2.total) * d2.production;
                    d += (o3[j] / d3.total) * d3.production;
                    acc_d[j] = d;
                    let mut w = acc_w[j];
                    w += z0[j] * d0.cr_next;
                    w += z1[j] * d1.cr_next;
                    w += z2[j] * d2.cr_next;
                    w += z3[j] * d3.cr_next;
                    acc_w[j] = w;
                }
            } else {
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
            k += quad.len();
        }
    }
}
