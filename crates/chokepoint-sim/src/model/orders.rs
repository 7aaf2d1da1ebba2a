//! The orders matrix O, kept implicit: BoARIO stores O (N × N) and rewrites it every
//! step (§5.7), but every entry is `need[p, j] · W[i, j] / Σ_r W[(r, p), j]` with
//! `W = Z0 ⊙ cr` ('alt') or `need[p, j] · Zdist[i, j]` ('noalt'). Keeping only the
//! S × N and N-sized factors and rebuilding a row when it is read gives the same bits
//! with one dense array less to store and to stream through memory each step.

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
    /// Policy multipliers on W per (supplier, client region), N × R; empty = neutral.
    pub weight: Vec<f64>,
    /// Gate shares scaling E this step per (supplier, client region), N × R; empty = none.
    pub gate: Vec<f64>,
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
            weight: Vec::new(),
            gate: Vec::new(),
        }
    }

    /// Writes row `i` of O into `out` (len N), scaled by this step's gates when `gated`.
    #[inline(always)]
    pub fn row(&self, z0: &[f64], zdist: &[f64], i: usize, gated: bool, out: &mut [f64]) {
        let (n, s, nr) = (self.n, self.n_sectors, self.n_regions);
        let p = i % s;
        let slot = super::slot_of(i, s, nr) * n;
        let z = &z0[slot..][..n];
        if self.initial {
            out.copy_from_slice(z);
        } else if self.alt {
            let need = &self.need[p * n..][..n];
            let ws = &self.ws[p * n..][..n];
            let c = self.cr[i];
            if self.fast && self.weight.is_empty() {
                for (((o, &zv), &inv), &nd) in out.iter_mut().zip(z).zip(ws).zip(need) {
                    *o = alt_order::<true>(zv, c, inv, nd);
                }
            } else if self.fast {
                for r in 0..nr {
                    let f = self.weight[i * nr + r];
                    for j in r * s..(r + 1) * s {
                        out[j] = need[j] * (((z[j] * c) * f) * ws[j]);
                    }
                }
            } else if self.weight.is_empty() {
                for (((o, &zv), &den), &nd) in out.iter_mut().zip(z).zip(ws).zip(need) {
                    *o = alt_order::<false>(zv, c, den, nd);
                }
            } else {
                for r in 0..nr {
                    let f = self.weight[i * nr + r];
                    for j in r * s..(r + 1) * s {
                        let q = ((z[j] * c) * f) / ws[j];
                        out[j] = need[j] * if ws[j] != 0.0 { q } else { 0.0 };
                    }
                }
            }
        } else {
            let need = &self.need[p * n..][..n];
            for ((o, &nd), &d) in out.iter_mut().zip(need).zip(&zdist[slot..][..n]) {
                *o = nd * d;
            }
        }
        if gated && !self.gate.is_empty() {
            for r in 0..nr {
                let g = self.gate[i * nr + r];
                if g != 1.0 {
                    for v in &mut out[r * s..(r + 1) * s] {
                        *v *= g;
                    }
                }
            }
        }
    }
}

/// One entry of O under 'alt' orders without policy weights: in exact numerics
/// `need · (z · cr) / Σ_r W`, 0 where the sum is 0 (`den` is the sum); in fast numerics
/// (`FAST`) `need · ((z · cr) · 1/Σ_r W)` (`den` is the reciprocal, 0 where the sum is 0).
/// Branch-free so that loops over it vectorise.
#[inline(always)]
pub(crate) fn alt_order<const FAST: bool>(z: f64, cr: f64, den: f64, need: f64) -> f64 {
    if FAST {
        need * ((z * cr) * den)
    } else {
        let q = (z * cr) / den;
        need * if den != 0.0 { q } else { 0.0 }
    }
}
