//! The orders matrix O, kept implicit: BoARIO stores O (N × N) and rewrites it every
//! step (§5.7), but every entry is `need[p, j] · W[i, j] / Σ_r W[(r, p), j]` with
//! `W = Z0 ⊙ cr` ('alt') or `need[p, j] · Zdist[i, j]` ('noalt'). Keeping only the
//! S × N and N-sized factors and rebuilding a row when it is read gives the same bits
//! with one dense array less to store and to stream through memory each step.

use super::edge_factors::EdgeFactors;
use super::prefetch::{SPAN, prefetch_span};
use super::zstore::{GATHER, Shares, ZStore};

/// The factors of the current orders.
#[derive(Debug, Clone)]
pub(crate) struct OrderBook {
    pub n: usize,
    pub n_sectors: usize,
    pub n_regions: usize,
    /// True until the first orders are placed: O = Z0.
    pub initial: bool,
    /// 'alt' split (else 'noalt').
    pub alt: bool,
    /// need[p, j] of the orders (S × N).
    pub need: Vec<f64>,
    /// Capacity ratio xcap / X0 per supplier when the orders were placed.
    pub cr: Vec<f64>,
    /// Σ_r W[(r, p), j] when the orders were placed (S × N); in fast numerics its
    /// reciprocal (0 where the sum is 0).
    pub ws: Vec<f64>,
    /// Fast numerics: `ws` holds reciprocals and rows multiply instead of divide.
    pub fast: bool,
    /// Policy multipliers on W per (supplier, client region) when the orders were placed.
    pub weight: EdgeFactors,
    /// Gate shares scaling E this step per (supplier, client region).
    pub gate: EdgeFactors,
}

impl OrderBook {
    pub fn new(n: usize, n_sectors: usize, n_regions: usize, alt: bool, fast: bool) -> Self {
        OrderBook {
            n,
            n_sectors,
            n_regions,
            initial: true,
            alt,
            need: vec![0.0; n_sectors * n],
            cr: vec![1.0; n],
            ws: vec![0.0; n_sectors * n],
            fast,
            weight: EdgeFactors::new(n, n_regions),
            gate: EdgeFactors::new(n, n_regions),
        }
    }

    /// Writes row `i` of O into `out` (len N), scaled by this step's gates when `gated`.
    /// On sparse storage the entries where Z0 is zero are +0.0, as BoARIO computes them.
    /// `ahead` is Z0 from [`AHEAD`](super::prefetch::AHEAD) values past the start of row i in its sector's block
    /// (or empty): under 'alt' orders on dense storage, each span of it is prefetched as
    /// the same span of the row is rebuilt (see `prefetch`).
    #[inline(always)]
    pub fn row(&self, z: &ZStore, i: usize, gated: bool, out: &mut [f64], ahead: &[f64]) {
        let (n, s, nr) = (self.n, self.n_sectors, self.n_regions);
        let p = i % s;
        let slot = super::slot_of(i, s, nr);
        let (need, ws) = (&self.need[p * n..][..n], &self.ws[p * n..][..n]);
        let c = self.cr[i];
        let weight = self.weight.row(i);
        match z.with_shares(slot) {
            Shares::Dense { z, dist } => {
                if self.initial {
                    out.copy_from_slice(z);
                } else if !self.alt {
                    for ((o, &nd), &d) in out.iter_mut().zip(need).zip(dist) {
                        *o = nd * d;
                    }
                } else if let Some(weight) = weight {
                    for (r, &f) in weight.iter().enumerate() {
                        prefetch_span(ahead, r * s, (r + 1) * s);
                        for j in r * s..(r + 1) * s {
                            out[j] = self.split((z[j] * c) * f, ws[j], need[j]);
                        }
                    }
                } else {
                    // Span by span, so that the hints go out as the row is computed.
                    for start in (0..n).step_by(SPAN) {
                        let end = n.min(start + SPAN);
                        prefetch_span(ahead, start, end);
                        let factors = z[start..end].iter().zip(&ws[start..end]);
                        let entries = out[start..end].iter_mut().zip(factors);
                        if self.fast {
                            for ((o, (&zv, &inv)), &nd) in entries.zip(&need[start..end]) {
                                *o = alt_order::<true>(zv, c, inv, nd);
                            }
                        } else {
                            for ((o, (&zv, &den)), &nd) in entries.zip(&need[start..end]) {
                                *o = alt_order::<false>(zv, c, den, nd);
                            }
                        }
                    }
                }
            }
            Shares::Sparse { cols, z, dist } => {
                out.fill(0.0);
                self.sparse_entries(i, cols, z, dist, |_, cols, v| {
                    for (&j, &v) in cols.iter().zip(v) {
                        out[j as usize] = v;
                    }
                });
            }
        }
        if let Some(gate) = self.gate.row(i).filter(|_| gated) {
            for (r, &g) in gate.iter().enumerate() {
                if g != 1.0 {
                    for v in &mut out[r * s..(r + 1) * s] {
                        *v *= g;
                    }
                }
            }
        }
    }

    /// The stored entries of row `i` of O on sparse storage, in the order of Z0's
    /// non-zero entries, into `out` (at least as long); scaled by this step's gates when
    /// `gated`. Returns their columns and Z0's values, or `None` on dense storage.
    #[inline(always)]
    pub fn compact_row<'z>(
        &self,
        z: &'z ZStore,
        i: usize,
        gated: bool,
        out: &mut [f64],
    ) -> Option<(&'z [u32], &'z [f64])> {
        let (s, nr) = (self.n_sectors, self.n_regions);
        let Shares::Sparse { cols, z, dist } = z.with_shares(super::slot_of(i, s, nr)) else {
            return None;
        };
        self.sparse_entries(i, cols, z, dist, |k0, _, v| {
            out[k0..][..v.len()].copy_from_slice(v);
        });
        if let Some(gate) = self.gate.row(i).filter(|_| gated) {
            for (o, &j) in out.iter_mut().zip(cols) {
                let g = gate[j as usize / s];
                if g != 1.0 {
                    *o *= g;
                }
            }
        }
        Some((cols, z))
    }

    /// Row `i`'s orders on its stored entries (`cols`, Z0's values `z`, the supplier
    /// shares `dist`), [`GATHER`] at a time: `emit(k0, cols, orders)` receives the orders of
    /// entries `k0..k0 + cols.len()` with their columns.
    #[inline(always)]
    fn sparse_entries(
        &self,
        i: usize,
        cols: &[u32],
        z: &[f64],
        dist: &[f64],
        mut emit: impl FnMut(usize, &[u32], &[f64]),
    ) {
        let mut v = [0.0; GATHER];
        for (k0, chunk) in (0..).step_by(GATHER).zip(cols.chunks(GATHER)) {
            self.sparse_chunk(i, chunk, &z[k0..], &dist[k0..], &mut v);
            emit(k0, chunk, &v[..chunk.len()]);
        }
    }

    /// Row `i`'s orders on the stored entries `cols` (at most [`GATHER`]) with Z0's values
    /// `z` and the supplier shares `dist` (both from the chunk's first entry on): gathered
    /// into short arrays so that the divisions run on full SIMD lanes.
    #[inline(always)]
    fn sparse_chunk(&self, i: usize, cols: &[u32], z: &[f64], dist: &[f64], v: &mut [f64; GATHER]) {
        let (n, s) = (self.n, self.n_sectors);
        let p = i % s;
        let (need, ws) = (&self.need[p * n..][..n], &self.ws[p * n..][..n]);
        let c = self.cr[i];
        let weight = self.weight.row(i);
        let len = cols.len();
        if self.initial {
            v[..len].copy_from_slice(&z[..len]);
        } else if !self.alt {
            for ((v, &j), &d) in v.iter_mut().zip(cols).zip(dist) {
                *v = need[j as usize] * d;
            }
        } else {
            let (mut w, mut den, mut nd) = ([0.0; GATHER], [0.0; GATHER], [0.0; GATHER]);
            for (k, (&j, &zv)) in cols.iter().zip(z).enumerate() {
                let j = j as usize;
                // × 1.0 is exact, so unweighted rows keep alt_order's bits.
                w[k] = (zv * c) * weight.map_or(1.0, |f| f[j / s]);
                den[k] = ws[j];
                nd[k] = need[j];
            }
            // Unused lanes hold 0 / 0, which `split` turns into 0.
            for k in 0..GATHER {
                v[k] = self.split(w[k], den[k], nd[k]);
            }
        }
    }

    /// need · W / Σ_r W for one entry with W = `w` (`den` holds Σ_r W, or its reciprocal
    /// in fast numerics; 0 where the sum is 0).
    #[inline(always)]
    fn split(&self, w: f64, den: f64, need: f64) -> f64 {
        if self.fast {
            split::<true>(w, den, need)
        } else {
            split::<false>(w, den, need)
        }
    }
}

/// One entry of O under 'alt' orders without policy weights: in exact numerics
/// `need · (z · cr) / Σ_r W`, 0 where the sum is 0 (`den` is the sum); in fast numerics
/// (`FAST`) `need · ((z · cr) · 1/Σ_r W)` (`den` is the reciprocal, 0 where the sum is 0).
/// Branch-free so that loops over it vectorise.
#[inline(always)]
pub(crate) fn alt_order<const FAST: bool>(z: f64, cr: f64, den: f64, need: f64) -> f64 {
    split::<FAST>(z * cr, den, need)
}

/// `need · w / den` (0 where `den` is 0), or `need · (w · den)` with `den` a reciprocal
/// (`FAST`).
#[inline(always)]
pub(super) fn split<const FAST: bool>(w: f64, den: f64, need: f64) -> f64 {
    if FAST {
        need * (w * den)
    } else {
        let q = w / den;
        need * if den != 0.0 { q } else { 0.0 }
    }
}
