//! §5.2–§5.5 fused into one pass over Z0, row by row.
//!
//! Everything BoARIO computes for supplier industry i between the start of a step and
//! restocking depends only on row i of E and on column i of the inventories: its demand
//! sums, α (§5.2), capacity (§5.3), production (§5.4) and its deliveries (§5.5). Rows are
//! processed grouped by input sector p (rows (r, p), r = 0..R in order), so restocking
//! Σ_r deliv[(r, p), j] and the next 'alt' weight sums Σ_r W[(r, p), j] accumulate in
//! BoARIO's order while the rebuilt row of O is still in cache.

use rayon::prelude::*;

use super::numpy_sum::{einsum_blocks, einsum_finish, einsum_sum, pairwise_sum};
use super::{Controls, Model, ModelKind, OrderType};
use crate::StepError;

/// What the fused pass computes for one industry.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RowOut {
    demand: f64,
    pairwise: f64,
    intermediate: f64,
    final_demand: f64,
    rebuild: f64,
    alpha: f64,
    xcap: f64,
    production: f64,
    limiting: u32,
    bad_capacity: bool,
}

impl Model {
    /// Runs §5.2 (α, only when `t > 1`), §5.3, §5.4 and the restocking sums of §5.5.
    pub(crate) fn fused_pass(
        &mut self,
        t: usize,
        controls: Option<&Controls>,
    ) -> Result<(), StepError> {
        let (n, s, nr) = (self.n, self.n_sectors, self.n_regions);
        let width = n + self.tail_width;
        let capacity_factor = controls.map(|c| c.capacity_factor.as_slice());
        // Row i needs column i of the inventories and coefficients: transposed copies
        // (N × S) keep those reads contiguous instead of S cache misses per row.
        let (stock, tech) = (&self.stock, &self.tech_eff);
        for (j, (st, te)) in self
            .stock_t
            .chunks_mut(s)
            .zip(self.tech_t.chunks_mut(s))
            .enumerate()
        {
            for p in 0..s {
                st[p] = stock[p * n + j];
                te[p] = tech[p * n + j];
            }
        }
        // Moved out for the pass (no allocation) so the rest of the model can be shared.
        let mut restock = std::mem::take(&mut self.restock);
        let mut ws_next = std::mem::take(&mut self.ws_next);
        let mut rows = std::mem::take(&mut self.sector_rows);
        let mut outs = std::mem::take(&mut self.row_out);
        let m = &*self;
        let arch = pulp::Arch::new();
        restock
            .par_chunks_mut(n)
            .zip(ws_next.par_chunks_mut(n))
            .zip(rows.par_chunks_mut(width))
            .zip(outs.par_chunks_mut(nr))
            .enumerate()
            .for_each(|(p, (((restock, ws), row), outs))| {
                // The widest SIMD the CPU has (AVX-512, AVX2, else SSE2), chosen at run time:
                // element-wise IEEE operations give the same bits at any width, and sums keep
                // their NumPy order, so this changes speed only.
                arch.dispatch(SectorPass {
                    model: m,
                    t,
                    p,
                    capacity_factor,
                    restock,
                    ws,
                    row,
                    outs,
                });
            });
        self.restock = restock;
        self.ws_next = ws_next;
        self.sector_rows = rows;
        let mut limiting = 0;
        let mut bad = None;
        for p in 0..s {
            for r in 0..nr {
                let i = r * s + p;
                let o = outs[p * nr + r];
                self.demand[i] = o.demand;
                self.demand_pairwise[i] = o.pairwise;
                self.intermediate_demand_tot[i] = o.intermediate;
                self.final_demand_tot[i] = o.final_demand;
                self.rebuild_demand_tot[i] = o.rebuild;
                self.alpha[i] = o.alpha;
                self.xcap[i] = o.xcap;
                self.cr_next[i] = if self.x0[i] != 0.0 {
                    o.xcap / self.x0[i]
                } else {
                    1.0
                };
                self.production[i] = o.production;
                limiting += o.limiting as usize;
                if o.bad_capacity && bad.is_none() {
                    bad = Some(i);
                }
            }
        }
        self.row_out = outs;
        self.limiting = limiting;
        match bad {
            Some(industry) => Err(StepError::NegativeCapacity { step: t, industry }),
            None => Ok(()),
        }
    }

    /// Sums, α, capacity and production of industry `i` from its row of E.
    #[inline(always)]
    fn row_state(
        &self,
        t: usize,
        i: usize,
        row: &[f64],
        nfd: usize,
        capacity_factor: Option<&[f64]>,
    ) -> RowOut {
        let n = self.n;
        // D and the orders total share the einsum state of O's whole blocks.
        let n8 = n - n % 8;
        let prefix = einsum_blocks([0.0; 2], &row[..n8]);
        let d = einsum_finish(prefix, &row[n8..]);
        let mut out = RowOut {
            demand: d,
            pairwise: pairwise_sum(row),
            intermediate: einsum_finish(prefix, &row[n8..n]),
            final_demand: einsum_sum(&row[n..n + nfd]),
            rebuild: einsum_sum(&row[n + nfd..]),
            ..RowOut::default()
        };
        // §5.2: α moves toward α_max under scarcity and back to α_b only when scarcity is
        // exactly zero (Q5); clipped at 1.0 (Q6); not updated at steps 0 and 1 (Q7).
        let mut a = self.alpha[i];
        if t > 1 {
            let (k, amax, abase) = (self.kappa, self.params.alpha_max, self.params.alpha_base);
            let mut scarcity = if d != 0.0 {
                (d - self.production[i]) / d
            } else {
                0.0
            };
            if scarcity.is_nan() {
                scarcity = 0.0;
            }
            let relax = if scarcity == 0.0 { 1.0 } else { 0.0 };
            a += ((amax - a) * scarcity * k) + ((abase - a) * relax * k);
            if a < 1.0 {
                a = 1.0;
            }
        }
        out.alpha = a;
        // §5.3: xcap = X0 ⊙ (1 − Δ) ⊙ α (× the policy's capacity factor).
        let mut cap = self.x0[i] * (1.0 - self.delta[i]);
        cap *= a;
        if let Some(f) = capacity_factor {
            cap *= f[i];
        }
        out.bad_capacity = cap < 0.0 || cap.is_nan();
        out.xcap = cap;
        // §5.4: the optimal level cut by the scarcest relevant input.
        let x_opt = d.min(cap);
        let mut x = x_opt;
        let base = self.params.kind == ModelKind::Base;
        let s = self.n_sectors;
        let (stock_col, tech_col, input_col) = (
            &self.stock_t[i * s..][..s],
            &self.tech_t[i * s..][..s],
            &self.input_t[i * s..][..s],
        );
        for p in 0..s {
            let use_opt = x_opt * tech_col[p];
            let c = if base {
                use_opt * self.inv_constraint[p]
            } else {
                (use_opt * self.psi) * self.inv_constraint[p]
            };
            if !input_col[p] || c == 0.0 {
                continue;
            }
            let stock = stock_col[p];
            if stock < c {
                out.limiting += 1;
            }
            x = x.min(x_opt * (stock / c).min(1.0));
        }
        out.production = x;
        out
    }
}

/// The rows of one input sector p: rebuild, sum, produce, deliver, accumulate restocking and
/// the next 'alt' weights. A [`pulp::WithSimd`] operation so that the whole body is compiled
/// for the instruction set chosen at run time.
struct SectorPass<'a> {
    model: &'a Model,
    t: usize,
    p: usize,
    capacity_factor: Option<&'a [f64]>,
    restock: &'a mut [f64],
    ws: &'a mut [f64],
    row: &'a mut [f64],
    outs: &'a mut [RowOut],
}

impl pulp::WithSimd for SectorPass<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        let (m, t, p, capacity_factor) = (self.model, self.t, self.p, self.capacity_factor);
        let (restock, ws, row, outs) = (self.restock, self.ws, self.row, self.outs);
        let (n, s, nr, nfd) = (m.n, m.n_sectors, m.n_regions, m.n_fd);
        let tw = m.tail_width;
        let alt = m.params.order_type == OrderType::Alt;
        restock.fill(0.0);
        ws.fill(0.0);
        for (r, out) in outs.iter_mut().enumerate() {
            let i = r * s + p;
            m.book.row(&m.z0, &m.zdist, i, true, &mut row[..n]);
            row[n..].copy_from_slice(&m.tail[i * tw..][..tw]);
            *out = m.row_state(t, i, row, nfd, capacity_factor);
            let (t_i, x_i) = (out.pairwise, out.production);
            let z = &m.z0[super::slot_of(i, s, nr) * n..][..n];
            // 'alt' weights of the orders placed at the end of this step (Q12).
            let c = if m.x0[i] != 0.0 {
                out.xcap / m.x0[i]
            } else {
                1.0
            };
            let o = &row[..n];
            if alt && t_i != 0.0 && !m.book.fast && m.weight_next.is_empty() {
                // The common case in one pass over the row (it is in cache).
                for (((acc, w), &o), &zv) in restock.iter_mut().zip(ws.iter_mut()).zip(o).zip(z) {
                    *acc += (o / t_i) * x_i;
                    *w += zv * c;
                }
                continue;
            }
            if t_i != 0.0 && m.book.fast {
                let scale = x_i / t_i;
                for (acc, &o) in restock.iter_mut().zip(o) {
                    *acc += o * scale;
                }
            } else if t_i != 0.0 {
                for (acc, &o) in restock.iter_mut().zip(o) {
                    *acc += (o / t_i) * x_i;
                }
            }
            if !alt {
                continue;
            }
            if m.weight_next.is_empty() {
                for (acc, &zv) in ws.iter_mut().zip(z) {
                    *acc += zv * c;
                }
            } else {
                let weights = &m.weight_next[i * nr..][..nr];
                for ((acc, zs), &f) in ws.chunks_mut(s).zip(z.chunks(s)).zip(weights) {
                    for (a, &zv) in acc.iter_mut().zip(zs) {
                        *a += (zv * c) * f;
                    }
                }
            }
        }
    }
}
