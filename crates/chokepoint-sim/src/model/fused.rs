//! §5.2–§5.5 fused into one pass over Z0, row by row.
//!
//! Everything BoARIO computes for supplier industry i between the start of a step and
//! restocking depends only on row i of E and on column i of the inventories: its demand
//! sums, α (§5.2), capacity (§5.3), production (§5.4) and its deliveries (§5.5). Rows are
//! processed grouped by input sector p (rows (r, p), r = 0..R in order), so restocking
//! Σ_r deliv[(r, p), j] and the next 'alt' weight sums Σ_r W[(r, p), j] accumulate in
//! BoARIO's order while the rebuilt row of O is still in cache.

use rayon::prelude::*;

use super::final_demand::FinalDemandRows;
use super::numpy_sum::{einsum_blocks, einsum_finish, einsum_sum, pairwise_sum};
use super::prefetch::ahead_of_row;
use super::{Controls, Model, ModelKind, OrderType};
use crate::StepError;

/// The sums of one row of E that the state of its industry needs.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct RowSums {
    /// D (einsum order).
    pub demand: f64,
    /// The rationing total (pairwise order).
    pub pairwise: f64,
    pub intermediate: f64,
    pub final_demand: f64,
    pub rebuild: f64,
}

/// What the fused pass computes for one industry.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RowOut {
    pub(super) sums: RowSums,
    pub(super) alpha: f64,
    pub(super) xcap: f64,
    /// xcap / X0 (1 where X0 is 0): the industry's 'alt' weight in the next orders (Q12).
    pub(super) cr_next: f64,
    pub(super) production: f64,
    pub(super) limiting: u32,
    pub(super) bad_capacity: bool,
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
        // Row i's production needs its inputs' limits (`row_state`): one contiguous pass
        // over the S × N inventories instead of column i of them per row.
        self.stock_limits();
        if self.book.fast && !self.fd_by_region_fresh {
            self.sum_fd_by_region();
            self.fd_by_region_fresh = true;
        }
        // Moved out for the pass (no allocation) so the rest of the model can be shared.
        let mut restock = std::mem::take(&mut self.restock);
        let mut ws_next = std::mem::take(&mut self.ws_next);
        let mut rows = std::mem::take(&mut self.sector_rows);
        let mut outs = std::mem::take(&mut self.row_out);
        let mut fd_left = std::mem::take(&mut self.fd_left);
        let mut unmet = std::mem::take(&mut self.unmet_by_sector);
        let mut undist = std::mem::take(&mut self.undist_by_slot);
        let (nfd, fast) = (self.n_fd, self.book.fast);
        let m = &*self;
        let arch = pulp::Arch::new();
        restock
            .par_chunks_mut(n)
            .zip(ws_next.par_chunks_mut(n))
            .zip(rows.par_chunks_mut(2 * width))
            .zip(outs.par_chunks_mut(nr))
            .zip(fd_left.par_chunks_mut(nfd.max(1)))
            .zip(unmet.par_chunks_mut(nr))
            .zip(undist.par_chunks_mut(nr))
            .enumerate()
            // One task per input sector: rayon otherwise hands out runs of sectors, and the
            // thread that finishes first idles while the other ends its run (N = 2,500:
            // 8.97 → 8.37 ms per step, medians of 15 alternated runs; N = 5,000 33.6 → 31.3).
            .with_max_len(1)
            .for_each(
                |(p, ((((((restock, ws), row), outs), left), unmet), undist))| {
                    let mut final_demand = FinalDemandRows {
                        left,
                        unmet,
                        undist,
                        categories: nfd / nr,
                        fast,
                    };
                    final_demand.start();
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
                        final_demand,
                    });
                },
            );
        self.fd_left = fd_left;
        self.unmet_by_sector = unmet;
        self.undist_by_slot = undist;
        self.restock = restock;
        self.ws_next = ws_next;
        self.sector_rows = rows;
        let mut limiting = 0;
        let mut bad = None;
        for p in 0..s {
            for r in 0..nr {
                let i = r * s + p;
                let o = outs[p * nr + r];
                self.demand[i] = o.sums.demand;
                self.demand_pairwise[i] = o.sums.pairwise;
                self.intermediate_demand_tot[i] = o.sums.intermediate;
                self.final_demand_tot[i] = o.sums.final_demand;
                self.rebuild_demand_tot[i] = o.sums.rebuild;
                self.alpha[i] = o.alpha;
                self.xcap[i] = o.xcap;
                self.cr_next[i] = o.cr_next;
                self.production[i] = o.production;
                limiting += o.limiting as usize;
                // The lowest industry index, whichever sector it is in.
                if o.bad_capacity && bad.is_none_or(|b| i < b) {
                    bad = Some(i);
                }
            }
        }
        self.row_out = outs;
        self.limiting = limiting;
        match bad {
            Some(industry) => Err(StepError::BadCapacity {
                step: t,
                industry,
                value: self.xcap[industry],
            }),
            None => Ok(()),
        }
    }

    /// The sums of a row of E (`row`: O, then the tail) in NumPy's orders.
    #[inline(always)]
    pub(super) fn row_sums(&self, row: &[f64]) -> RowSums {
        let (n, nfd) = (self.n, self.n_fd);
        // D and the orders total share the einsum state of O's whole blocks.
        let n8 = n - n % 8;
        let prefix = einsum_blocks([0.0; 2], &row[..n8]);
        RowSums {
            demand: einsum_finish(prefix, &row[n8..]),
            pairwise: pairwise_sum(row),
            intermediate: einsum_finish(prefix, &row[n8..n]),
            final_demand: einsum_sum(&row[n..n + nfd]),
            rebuild: einsum_sum(&row[n + nfd..]),
        }
    }

    /// α, capacity and production of industry `i` from the sums of its row of E.
    #[inline(always)]
    pub(super) fn row_state(
        &self,
        t: usize,
        i: usize,
        sums: RowSums,
        capacity_factor: Option<&[f64]>,
    ) -> RowOut {
        let d = sums.demand;
        let mut out = RowOut {
            sums,
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
        out.cr_next = if self.x0[i] != 0.0 {
            cap / self.x0[i]
        } else {
            1.0
        };
        // §5.4: the optimal level cut by the scarcest relevant input.
        let x_opt = d.min(cap);
        if self.book.fast {
            // x_opt · min(stock / c, 1) with c = x_opt·a·ψ·κ is min(x_opt, stock / (a·ψ·κ))
            // up to rounding, and the second term does not depend on this step's sums.
            out.production = x_opt.min(self.stock_limit[i]);
            return out;
        }
        // Exact numerics: at or below its certified bound no input of row i binds
        // (`input_bounds`), so §5.4 leaves x_opt as it is without visiting the S inputs;
        // otherwise each input as §5.4 computes it.
        if x_opt >= f64::MIN_POSITIVE && x_opt <= self.stock_limit[i] && !self.scan_all_inputs {
            out.production = x_opt;
            return out;
        }
        let mut x = x_opt;
        let base = self.params.kind == ModelKind::Base;
        let n = self.n;
        for p in 0..self.n_sectors {
            let k = p * n + i;
            let use_opt = x_opt * self.tech_eff[k];
            let c = if base {
                use_opt * self.inv_constraint[p]
            } else {
                (use_opt * self.psi) * self.inv_constraint[p]
            };
            if !self.is_input[k] || c == 0.0 {
                continue;
            }
            let stock = self.stock[k];
            if stock >= c && c > 0.0 {
                // stock / c ≥ 1 (rounding is monotonic), so the input does not bind:
                // x.min(x_opt · 1) leaves x ≤ x_opt as it is, without a division.
                continue;
            }
            if stock < c {
                out.limiting += 1;
            }
            x = x.min(x_opt * (stock / c).min(1.0));
        }
        out.production = x;
        out
    }
}

impl Model {
    /// Fast numerics: `fd_by_region[slot_of(i) · R + r]` = Σ of industry i's final demand
    /// from consuming region r (its F categories), so that delivering a row's final demand
    /// reads R values instead of R·F (`FinalDemandRows::row_by_region`).
    fn sum_fd_by_region(&mut self) {
        let (s, nr, nfd, tw) = (self.n_sectors, self.n_regions, self.n_fd, self.tail_width);
        let categories = (nfd / nr.max(1)).max(1);
        let mut sums = std::mem::take(&mut self.fd_by_region);
        for (slot, out) in sums.chunks_exact_mut(nr).enumerate() {
            let i = super::industry_of_slot(slot, s, nr);
            let fd = &self.tail[i * tw..][..nfd];
            for (o, part) in out.iter_mut().zip(fd.chunks_exact(categories)) {
                *o = part.iter().sum();
            }
        }
        self.fd_by_region = sums;
    }
}

/// The rows of one input sector p: rebuild, sum, produce, deliver, accumulate restocking and
/// the next 'alt' weights. A [`pulp::WithSimd`] operation so that the whole body is compiled
/// for the instruction set chosen at run time.
pub(super) struct SectorPass<'a> {
    pub model: &'a Model,
    pub t: usize,
    pub p: usize,
    pub capacity_factor: Option<&'a [f64]>,
    pub restock: &'a mut [f64],
    pub ws: &'a mut [f64],
    pub row: &'a mut [f64],
    pub outs: &'a mut [RowOut],
    pub final_demand: FinalDemandRows<'a>,
}

impl pulp::WithSimd for SectorPass<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        let m = self.model;
        let book = &m.book;
        // 'alt' orders once the first orders are placed: the specialised kernels' case.
        let alt = book.alt && !book.initial && !m.general_kernel_only;
        // The sector's rows are contiguous in slot order.
        let first = super::slot_of(self.p, m.n_sectors, m.n_regions);
        let block = m.z.dense_rows(first..first + m.n_regions);
        match block {
            _ if alt && book.fast => self.factorized(block),
            Some(block) if alt && !book.fast => self.grouped(block),
            Some(block) => self.row_by_row(block),
            None => self.sparse_rows(),
        }
    }
}

impl SectorPass<'_> {
    /// Every case on dense storage (`block`: the sector's rows of Z0), one row after the
    /// other: rebuild, sum, produce, then deliver.
    #[inline(always)]
    fn row_by_row(self, block: &[f64]) {
        let (m, t, p, capacity_factor) = (self.model, self.t, self.p, self.capacity_factor);
        let (restock, ws, outs) = (self.restock, self.ws, self.outs);
        let mut final_demand = self.final_demand;
        let row = &mut self.row[..m.n + m.tail_width];
        let (n, s) = (m.n, m.n_sectors);
        let tw = m.tail_width;
        let alt = m.params.order_type == OrderType::Alt;
        restock.fill(0.0);
        ws.fill(0.0);
        for (r, out) in outs.iter_mut().enumerate() {
            let i = r * s + p;
            // As in the common case's kernel (`grouped`): the stream ahead and the next
            // row's tail are asked for while this row is worked on.
            m.prefetch_next_tail(i);
            m.book
                .row(&m.z, i, true, &mut row[..n], ahead_of_row(block, r, n));
            row[n..].copy_from_slice(&m.tail[i * tw..][..tw]);
            *out = m.row_state(t, i, m.row_sums(row), capacity_factor);
            final_demand.row(
                r,
                &m.tail[i * tw..][..m.n_fd],
                out.sums.pairwise,
                out.production,
            );
            let (t_i, x_i) = (out.sums.pairwise, out.production);
            // 'alt' weights of the orders placed at the end of this step (Q12).
            let c = out.cr_next;
            let o = &row[..n];
            let weights = m.weight_next.row(i);
            let z = &block[r * n..][..n];
            if alt && !m.book.fast {
                deliver_exact(restock, ws, o, z, (t_i, x_i, c), weights, s);
                continue;
            }
            if t_i != 0.0 && m.book.fast {
                let scale = x_i / t_i;
                for (acc, &o) in restock.iter_mut().zip(o) {
                    *acc += delivered::<true>(o, t_i, x_i, scale);
                }
            } else if t_i != 0.0 {
                for (acc, &o) in restock.iter_mut().zip(o) {
                    *acc += delivered::<false>(o, t_i, x_i, 0.0);
                }
            }
            if !alt {
                continue;
            }
            match weights {
                None => {
                    for (acc, &zv) in ws.iter_mut().zip(z) {
                        *acc += zv * c;
                    }
                }
                Some(weights) => add_weighted(ws, z, c, weights, s),
            }
        }
    }
}

/// Exact numerics, 'alt' orders: delivers one row of O (`o`, its Z0 row `z`, its total,
/// production and next 'alt' weight `(t, x, c)`) into the restocking sums and adds its next
/// 'alt' weights, scaled by its policy weights per client region (`s` columns each) when
/// it has any.
#[inline(always)]
pub(super) fn deliver_exact(
    restock: &mut [f64],
    ws: &mut [f64],
    o: &[f64],
    z: &[f64],
    (t, x, c): (f64, f64, f64),
    weights: Option<&[f64]>,
    s: usize,
) {
    let Some(weights) = weights else {
        deliver::<false>(restock, ws, o, z, t, x, c);
        return;
    };
    if t != 0.0 {
        for (acc, &o) in restock.iter_mut().zip(o) {
            *acc += delivered::<false>(o, t, x, 0.0);
        }
    }
    add_weighted(ws, z, c, weights, s);
}

/// Adds a row's next 'alt' weights (z · c) · f to the sums `ws`, with f its policy weight
/// per client region (`s` columns each).
#[inline(always)]
fn add_weighted(ws: &mut [f64], z: &[f64], c: f64, weights: &[f64], s: usize) {
    for ((acc, zs), &f) in ws.chunks_mut(s).zip(z.chunks(s)).zip(weights) {
        for (a, &zv) in acc.iter_mut().zip(zs) {
            *a += (zv * c) * f;
        }
    }
}

/// What supplier row i delivers of an order `o` (§5.5): `(o / t) · x` with `t` the row's
/// total and `x` its production; in fast numerics `o · scale` with `scale = x / t`.
#[inline(always)]
pub(super) fn delivered<const FAST: bool>(o: f64, t: f64, x: f64, scale: f64) -> f64 {
    if FAST { o * scale } else { (o / t) * x }
}

/// Delivers one row of O into the restocking sums and adds its next 'alt' weights
/// ('alt', no weights; `FAST`: multiply by x / t); nothing is delivered when `t` is 0.
#[inline(always)]
fn deliver<const FAST: bool>(
    restock: &mut [f64],
    ws: &mut [f64],
    o: &[f64],
    z: &[f64],
    t: f64,
    x: f64,
    c: f64,
) {
    if t != 0.0 {
        let scale = x / t;
        for (((acc, w), &o), &zv) in restock.iter_mut().zip(ws.iter_mut()).zip(o).zip(z) {
            *acc += delivered::<FAST>(o, t, x, scale);
            *w += zv * c;
        }
    } else {
        for (w, &zv) in ws.iter_mut().zip(z) {
            *w += zv * c;
        }
    }
}
