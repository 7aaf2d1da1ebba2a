//! NumPy's row sums (`numpy_sum`) of a row of E whose O part is sparse, in time that grows
//! with its non-zero entries rather than with N.
//!
//! The sums follow the same trees as on the dense row (einsum's 8-wide blocks, the
//! pairwise halves and 128-value leaves). An entry of O that is not stored is +0.0 and every
//! stored one is ≥ 0, so leaving a missing entry out of a partial sum changes nothing
//! (x + 0.0 = x for any x but −0.0, and no partial sum of O is −0.0); a subtree without
//! stored entries sums to +0.0, as on the dense row. The tail (final demand and
//! reconstruction, which may be negative) is always visited whole, after O's entries, so
//! its entries are added exactly where the dense sums add them.

use super::fused::RowSums;
use super::numpy_sum::{einsum_finish, einsum_sum};

/// A row of E: the stored (non-zero) entries of O, `vals[k]` in column `cols[k]`
/// (ascending, < `n`), followed by the dense `tail` in columns `n..`.
pub(crate) struct SparseRow<'a> {
    pub n: usize,
    pub cols: &'a [u32],
    pub vals: &'a [f64],
    pub tail: &'a [f64],
}

impl SparseRow<'_> {
    /// The sums the state of the industry needs, as `Model::row_sums` computes them on
    /// the dense row. `scratch` (at least N mod 8 + the tail's length) holds the row's
    /// last partial block of O and its tail.
    pub fn sums(&self, nfd: usize, scratch: &mut [f64]) -> RowSums {
        let n = self.n;
        let n8 = n - n % 8;
        // einsum over O's whole blocks: only blocks holding a stored entry add to it.
        let mut acc = [0.0_f64; 2];
        let split = self.cols.partition_point(|&c| (c as usize) < n8);
        let (cols, vals) = (&self.cols[..split], &self.vals[..split]);
        let mut k = 0;
        while k < cols.len() {
            let c = cols[k] as usize;
            let block = c / 8;
            if cols
                .get(k + 1)
                .is_none_or(|&next| next as usize / 8 != block)
            {
                // The only entry of its block: ((v + 0) + (0 + 0)) on its lane, + 0 on
                // the other.
                acc[c % 2] += vals[k];
                k += 1;
                continue;
            }
            let mut b = [0.0_f64; 8];
            while k < cols.len() && cols[k] as usize / 8 == block {
                b[cols[k] as usize % 8] = vals[k];
                k += 1;
            }
            let a01 = [b[0] + b[2], b[1] + b[3]];
            let a23 = [b[4] + b[6], b[5] + b[7]];
            acc[0] += a01[0] + a23[0];
            acc[1] += a01[1] + a23[1];
        }
        // The rest of the row, dense: O's last partial block, then the tail.
        let rest = &mut scratch[..n - n8 + self.tail.len()];
        rest[..n - n8].fill(0.0);
        for (&c, &v) in self.cols[split..].iter().zip(&self.vals[split..]) {
            rest[c as usize - n8] = v;
        }
        rest[n - n8..].copy_from_slice(self.tail);
        RowSums {
            demand: einsum_finish(acc, rest),
            pairwise: self.pairwise(0, n + self.tail.len(), 0..self.cols.len()),
            intermediate: einsum_finish(acc, &rest[..n - n8]),
            final_demand: einsum_sum(&self.tail[..nfd]),
            rebuild: einsum_sum(&self.tail[nfd..]),
        }
    }

    /// `np.sum` over columns `lo..lo + len`, whose stored entries of O are `ks`.
    fn pairwise(&self, lo: usize, len: usize, ks: std::ops::Range<usize>) -> f64 {
        if ks.is_empty() && lo + len <= self.n {
            return 0.0;
        }
        if len <= 128 {
            return self.leaf(lo, len, ks);
        }
        let mut n2 = len / 2;
        n2 -= n2 % 8;
        let mid = lo + n2;
        let split = ks.start + self.cols[ks.clone()].partition_point(|&c| (c as usize) < mid);
        self.pairwise(lo, n2, ks.start..split) + self.pairwise(mid, len - n2, split..ks.end)
    }

    /// One leaf of at most 128 columns: NumPy's eight accumulators over its whole blocks,
    /// then its remainder added in order.
    fn leaf(&self, lo: usize, len: usize, ks: std::ops::Range<usize>) -> f64 {
        let (cols, vals) = (&self.cols[ks.clone()], &self.vals[ks]);
        let tail = &self.tail[lo.max(self.n) - self.n..(lo + len).max(self.n) - self.n];
        let tail_start = lo.max(self.n) - lo;
        if len < 8 {
            let mut res = 0.0;
            for v in vals.iter().chain(tail) {
                res += v;
            }
            return res;
        }
        let full = len - len % 8;
        let mut r = [0.0_f64; 8];
        // O's entries before the remainder: an accumulator starts at +0.0 where NumPy
        // starts it at the leaf's first entry of its lane, the same for values ≥ 0.
        let in_blocks = cols.partition_point(|&c| (c as usize) < lo + full);
        for (&c, &v) in cols[..in_blocks].iter().zip(&vals[..in_blocks]) {
            r[(c as usize - lo) % 8] += v;
        }
        // The tail's entries before the remainder (a tail value may be −0.0, so the first
        // block is assigned, as NumPy does).
        for (off, &v) in (tail_start..full).zip(tail) {
            if off < 8 {
                r[off] = v;
            } else {
                r[off % 8] += v;
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for v in &vals[in_blocks..] {
            res += v;
        }
        for v in &tail[full.saturating_sub(tail_start)..] {
            res += v;
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::numpy_sum::{einsum_blocks, pairwise_sum};

    /// The dense row and its sums as `Model::row_sums` computes them.
    fn dense_sums(row: &[f64], n: usize, nfd: usize) -> [f64; 5] {
        let n8 = n - n % 8;
        let prefix = einsum_blocks([0.0; 2], &row[..n8]);
        [
            einsum_finish(prefix, &row[n8..]),
            pairwise_sum(row),
            einsum_finish(prefix, &row[n8..n]),
            einsum_sum(&row[n..n + nfd]),
            einsum_sum(&row[n + nfd..]),
        ]
    }

    #[test]
    fn sparse_sums_have_the_bits_of_the_dense_ones() {
        // Rows long enough for several pairwise levels, O from empty to full, values of
        // very different magnitudes so that any change of order would show in the bits.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for &(n, tw, nfd) in &[
            (5, 3, 3),
            (37, 9, 6),
            (300, 20, 12),
            (1000, 7, 7),
            (1030, 400, 10),
        ] {
            for density in [0.0, 0.01, 0.1, 0.5, 1.0] {
                let mut row = vec![0.0; n + tw];
                let (mut cols, mut vals) = (Vec::new(), Vec::new());
                for (j, entry) in row[..n].iter_mut().enumerate() {
                    if (next() % 1000) as f64 / 1000.0 < density {
                        let v = (next() % 1_000_000) as f64 * 10f64.powi((next() % 12) as i32 - 6);
                        *entry = v;
                        cols.push(j as u32);
                        vals.push(v);
                    }
                }
                for v in &mut row[n..] {
                    *v = (next() % 2000) as f64 / 7.0 - 100.0;
                }
                let sparse = SparseRow {
                    n,
                    cols: &cols,
                    vals: &vals,
                    tail: &row[n..],
                };
                let mut scratch = vec![0.0; 8 + tw];
                let got = sparse.sums(nfd, &mut scratch);
                let want = dense_sums(&row, n, nfd);
                let got = [
                    got.demand,
                    got.pairwise,
                    got.intermediate,
                    got.final_demand,
                    got.rebuild,
                ];
                for (g, w) in got.iter().zip(&want) {
                    assert_eq!(
                        g.to_bits(),
                        w.to_bits(),
                        "n {n} tail {tw} density {density}"
                    );
                }
            }
        }
    }
}
