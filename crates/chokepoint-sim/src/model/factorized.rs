//! The factorised kernel of fast numerics ('alt' orders without policy weights or gates).
//!
//! Every order of supplier row i is O[i, j] = cr_i · z[i, j] · q[j] with q = need / Σ_r W of
//! its input sector p. Reassociating BoARIO's sums (which fast numerics allow) turns a row's
//! orders total into one dot product, taken while the row streams from memory, and the
//! sector's restocking into q ⊙ Σ_r z_r · (cr_r · x_r / t_r): one weighted sum of the rows,
//! taken with the next 'alt' weights Σ_r z_r · cr'_r while the rows are still in cache.
//! Nothing of O is stored.

use super::fused::{RowSums, SectorPass};

impl SectorPass<'_> {
    /// 'alt' orders without policy weights or gates in fast numerics, factorised: every
    /// order of supplier row i is O[i, j] = cr_i · z[i, j] · q[j] with q = need / Σ_r W of
    /// its input sector. So a row's total is cr_i · (z_i · q) plus its tail (one dot product
    /// while the row streams from memory, nothing stored), and the sector's deliveries are
    /// q ⊙ Σ_r z_r · (cr_r · x_r / t_r), taken with the next 'alt' weights Σ_r z_r · cr'_r
    /// in one more pass over the sector's rows, which are still in cache. The sums are
    /// BoARIO's reassociated: same values up to rounding, which fast numerics allow.
    #[inline(always)]
    pub(super) fn factorized(self) {
        let (m, t, p, capacity_factor) = (self.model, self.t, self.p, self.capacity_factor);
        let (restock, ws, outs) = (self.restock, self.ws, self.outs);
        let mut final_demand = self.final_demand;
        let (n, s, nr, nfd, tw) = (m.n, m.n_sectors, m.n_regions, m.n_fd, m.tail_width);
        let book = &m.book;
        // In fast numerics the book holds 1 / Σ_r W (0 where the sum is 0).
        let (need, inv) = (&book.need[p * n..][..n], &book.ws[p * n..][..n]);
        let q = &mut self.row[..n];
        for ((q, &nd), &iv) in q.iter_mut().zip(need).zip(inv) {
            *q = nd * iv;
        }
        let q = &*q;
        // The sector's rows are contiguous in slot order.
        let block = &m.z0[super::slot_of(p, s, nr) * n..][..nr * n];
        for (r, (z, out)) in block.chunks_exact(n).zip(outs.iter_mut()).enumerate() {
            let i = r * s + p;
            let tail = &m.tail[i * tw..][..tw];
            let intermediate = book.cr[i] * dot(z, q);
            let (fd_total, rebuild) = (sum(&tail[..nfd]), sum(&tail[nfd..]));
            let total = intermediate + fd_total + rebuild;
            let sums = RowSums {
                demand: total,
                pairwise: total,
                intermediate,
                final_demand: fd_total,
                rebuild,
            };
            *out = m.row_state(t, i, sums, capacity_factor);
            final_demand.row(r, &tail[..nfd], out.pairwise, out.production);
        }
        // Per row: what one unit of z delivers (cr · x / t, nothing when t is 0) and its next
        // 'alt' weight (the capacity ratio after this step).
        let scale = |r: usize| {
            let (o, i) = (&outs[r], r * s + p);
            let deliver = if o.pairwise != 0.0 {
                book.cr[i] * (o.production / o.pairwise)
            } else {
                0.0
            };
            let next = if m.x0[i] != 0.0 {
                o.xcap / m.x0[i]
            } else {
                1.0
            };
            (deliver, next)
        };
        restock.fill(0.0);
        ws.fill(0.0);
        let (restock, ws) = (&mut restock[..n], &mut ws[..n]);
        // Column blocks keep both accumulators in L1 while the rows stream past; four rows
        // at a time halve the accumulator traffic.
        for j0 in (0..n).step_by(COLUMN_BLOCK) {
            let len = COLUMN_BLOCK.min(n - j0);
            let (acc_d, acc_w) = (&mut restock[j0..][..len], &mut ws[j0..][..len]);
            let z = |r: usize| &block[r * n + j0..][..len];
            let mut r = 0;
            while r + 4 <= nr {
                let ((d0, w0), (d1, w1)) = (scale(r), scale(r + 1));
                let ((d2, w2), (d3, w3)) = (scale(r + 2), scale(r + 3));
                let (z0, z1, z2, z3) = (z(r), z(r + 1), z(r + 2), z(r + 3));
                for j in 0..len {
                    let (a, b, c, e) = (z0[j], z1[j], z2[j], z3[j]);
                    acc_d[j] += (a * d0 + b * d1) + (c * d2 + e * d3);
                    acc_w[j] += (a * w0 + b * w1) + (c * w2 + e * w3);
                }
                r += 4;
            }
            for r in r..nr {
                let (d, w) = scale(r);
                for ((ad, aw), &zv) in acc_d.iter_mut().zip(acc_w.iter_mut()).zip(z(r)) {
                    *ad += zv * d;
                    *aw += zv * w;
                }
            }
        }
        for (d, &qv) in restock.iter_mut().zip(q) {
            *d *= qv;
        }
    }
}

/// Columns per block in the second pass of [`SectorPass::factorized`]: two accumulator
/// rows of this many f64 stay in L1 next to four rows of Z0.
const COLUMN_BLOCK: usize = 512;

/// Σ a·b with sixteen partial sums, so that the loop vectorises (fast numerics only).
#[inline(always)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0_f64; 16];
    let (a16, b16) = (a.chunks_exact(16), b.chunks_exact(16));
    let (ra, rb) = (a16.remainder(), b16.remainder());
    for (x, y) in a16.zip(b16) {
        for k in 0..16 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut total: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    for v in acc {
        total += v;
    }
    total
}

/// Σ a with eight partial sums, so that the loop vectorises (fast numerics only).
#[inline(always)]
fn sum(a: &[f64]) -> f64 {
    let mut acc = [0.0_f64; 8];
    let a8 = a.chunks_exact(8);
    let mut total: f64 = a8.remainder().iter().sum();
    for x in a8 {
        for k in 0..8 {
            acc[k] += x[k];
        }
    }
    for v in acc {
        total += v;
    }
    total
}
