//! The kernel of sparse storage (every case but the common one in fast numerics, which
//! `factorized` handles): the same steps as the dense row-by-row kernel, on the stored
//! entries of each row only.
//!
//! A row of O is kept compact (one value per non-zero entry of Z0), summed in NumPy's order
//! (entry by entry in `sparse_sum` when the row has few entries, else on the row rebuilt
//! densely in cache), and delivered from the compact values. Exact numerics give the bits
//! of dense storage (see `zstore` for why skipping the zero entries is exact).

use super::OrderType;
use super::fused::{SectorPass, delivered};
use super::sparse_sum::SparseRow;

/// A row whose non-zero entries are fewer than N / this is summed entry by entry
/// (`sparse_sum`), a denser one on the row rebuilt densely in cache: one entry summed on its
/// own costs about as much as 16–32 columns of the dense sums, which run on SIMD lanes
/// without branches.
/// Measured with `ario_bench --density --storage sparse`, paired runs: 32 against 16 and
/// 8 was as fast or faster at densities 0.02–0.2, and against dense sums only, 1.3× faster
/// at N = 2,500 and density 0.02, 1.7× at N = 10,000 and density 0.01.
const SPARSE_SUMS_RATIO: usize = 32;

impl SectorPass<'_> {
    /// The rows of input sector p on sparse storage, one after the other: rebuild the
    /// stored orders, sum, produce, then deliver.
    #[inline(always)]
    pub(super) fn sparse_rows(self) {
        let (m, t, p, capacity_factor) = (self.model, self.t, self.p, self.capacity_factor);
        let (restock, ws, outs) = (self.restock, self.ws, self.outs);
        let mut final_demand = self.final_demand;
        let (n, s, nfd, tw) = (m.n, m.n_sectors, m.n_fd, m.tail_width);
        let alt = m.params.order_type == OrderType::Alt;
        let fast = m.book.fast;
        // The row buffer (2 × (N + tail)) holds the compact orders, then the dense end of
        // the row for its sums.
        let (orders, scratch) = self.row.split_at_mut(n);
        restock.fill(0.0);
        ws.fill(0.0);
        for (r, out) in outs.iter_mut().enumerate() {
            let i = r * s + p;
            let Some((cols, z)) = m.book.compact_row(&m.z, i, true, orders) else {
                // Dense storage never reaches this kernel (see `SectorPass::with_simd`).
                continue;
            };
            let o = &mut orders[..cols.len()];
            let tail = &m.tail[i * tw..][..tw];
            // Both ways of summing give the same bits; each row takes the cheaper one.
            let sums = if cols.len() * SPARSE_SUMS_RATIO < n {
                let row = SparseRow {
                    n,
                    cols,
                    vals: o,
                    tail,
                };
                row.sums(nfd, scratch)
            } else {
                let row = &mut scratch[..n + tw];
                row[..n].fill(0.0);
                for (&j, &v) in cols.iter().zip(o.iter()) {
                    row[j as usize] = v;
                }
                row[n..].copy_from_slice(tail);
                m.row_sums(row)
            };
            *out = m.row_state(t, i, sums, capacity_factor);
            final_demand.row(r, &tail[..nfd], out.sums.pairwise, out.production);
            let (t_i, x_i) = (out.sums.pairwise, out.production);
            if t_i != 0.0 {
                // The deliveries overwrite the compact orders (contiguous, so the
                // divisions vectorise), then are added at their columns.
                let scale = x_i / t_i;
                if fast {
                    for v in o.iter_mut() {
                        *v = delivered::<true>(*v, t_i, x_i, scale);
                    }
                } else {
                    for v in o.iter_mut() {
                        *v = delivered::<false>(*v, t_i, x_i, 0.0);
                    }
                }
                for (&j, &d) in cols.iter().zip(o.iter()) {
                    restock[j as usize] += d;
                }
            }
            if !alt {
                continue;
            }
            // 'alt' weights of the orders placed at the end of this step (Q12).
            let c = out.cr_next;
            let weights = m.weight_next.row(i);
            for (&j, &zv) in cols.iter().zip(z) {
                let j = j as usize;
                // × 1.0 is exact, so unweighted rows keep the dense kernels' bits.
                ws[j] += (zv * c) * weights.map_or(1.0, |w| w[j / s]);
            }
        }
    }
}
