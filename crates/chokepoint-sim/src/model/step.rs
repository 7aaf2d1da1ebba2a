//! One ARIO step, §5.2–§5.7 of ARIO_SPEC.md, in BoARIO's exact order of operations.
//! Event bookkeeping (§5.1, §5.6) is the simulation's job.
//!
//! Per step the dense work is one pass over Z0 (`fused`): rows of E rebuilt from the
//! order factors, summed, produced and delivered, grouped by input sector so that
//! restocking and the next 'alt' weights accumulate in BoARIO's order. Everything else
//! is O(S·N) or O(N·(R·F)).

use rayon::prelude::*;

use super::numpy_sum::{einsum_sum, pairwise_sum};
use super::{Controls, Model};
use crate::StepError;

impl Model {
    /// Runs §5.2–§5.7 for step `t` with the capacity loss set by
    /// [`Model::set_capacity_loss`] and optional policy `controls` (neutral when `None`).
    pub fn step(&mut self, t: usize, controls: Option<&mut Controls>) -> Result<(), StepError> {
        let mut controls = controls;
        self.apply_controls(controls.as_deref_mut())?;
        if let Some(c) = controls.as_deref_mut() {
            self.measure_gates(c);
        }
        self.fused_pass(t, controls.as_deref())?;
        self.distribute();
        if let Some(c) = controls {
            self.record_gate_deliveries(c);
        }
        self.place_orders(t)
    }

    /// Policy levers before production: final-demand factors, input factors, gates
    /// (the unlicensed part of a gated edge is not demanded from the exporter) and the
    /// order weights used when this step's orders are split.
    fn apply_controls(&mut self, controls: Option<&mut Controls>) -> Result<(), StepError> {
        let (s, nr) = (self.n_sectors, self.n_regions);
        self.book.gate.clear();
        self.weight_next.clear();
        self.gate_rows.clear();
        let controls = controls.as_deref();
        // The final demand and coefficients are rewritten only when they do not hold these
        // levers already (`AppliedLevers`); levers already written were checked then.
        let stale = match controls {
            Some(c) => !self.applied_levers.matches(c),
            None => self.applied_levers.is_applied(),
        };
        if let Some(c) = controls {
            let checked = if stale {
                c.check(nr, s)
            } else {
                c.check_per_step(nr, s)
            };
            checked.map_err(StepError::Controls)?;
        }
        if stale {
            self.write_levers(controls);
        }
        let Some(c) = controls else {
            return Ok(());
        };
        // × 1.0 is exact: neutral shares and weights are not set, so that their rows keep
        // the unscaled kernels.
        for g in &c.gates {
            if g.allowed_share != 1.0 {
                self.book
                    .gate
                    .scale(g.supplier, g.client_region, g.allowed_share);
            }
            if g.order_weight != 1.0 {
                self.weight_next
                    .scale(g.supplier, g.client_region, g.order_weight);
            }
        }
        Ok(())
    }

    /// Writes the final demand (with the gates' licensed shares) and the coefficients of
    /// controls `c` and records them as applied, or, without controls, restores the
    /// table's own.
    fn write_levers(&mut self, controls: Option<&Controls>) {
        let (n, nfd, w, s, nr) = (
            self.n,
            self.n_fd,
            self.tail_width,
            self.n_sectors,
            self.n_regions,
        );
        self.fd_by_region_fresh = false;
        self.input_factors_fresh = false;
        let Some(c) = controls else {
            for i in 0..n {
                self.tail[i * w..][..nfd].copy_from_slice(&self.fd0[i * nfd..][..nfd]);
            }
            self.tech_eff.copy_from_slice(&self.tech);
            self.applied_levers.forget();
            return;
        };
        let f = nfd / nr;
        for i in 0..n {
            let p = i % s;
            for col in 0..nfd {
                self.tail[i * w + col] =
                    self.fd0[i * nfd + col] * c.final_demand_factor[(col / f) * s + p];
            }
        }
        for ((t, a), k) in self
            .tech_eff
            .iter_mut()
            .zip(&self.tech)
            .zip(&c.input_factor)
        {
            *t = a * k;
        }
        for g in &c.gates {
            let row = &mut self.tail[g.supplier * w..][..nfd];
            for v in &mut row[g.client_region * f..(g.client_region + 1) * f] {
                *v *= g.allowed_share;
            }
        }
        self.applied_levers.record(c);
    }

    /// Row sums of E in NumPy's orders: D (einsum, §5.2) and the rationing total
    /// (pairwise, §5.5), plus, when `records`, the per-part totals that are recorded (§6).
    pub(crate) fn refresh_demand_totals(&mut self, records: bool) {
        let (n, nfd) = (self.n, self.n_fd);
        let tw = self.tail_width;
        let width = n + tw;
        let rows_per_chunk = n.div_ceil(self.n_chunks);
        let (book, z, tail) = (&self.book, &self.z, &self.tail);
        self.scratch
            .par_chunks_mut(width)
            .zip(self.row_stats.par_chunks_mut(rows_per_chunk))
            .enumerate()
            .for_each(|(c, (row, stats))| {
                for (k, st) in stats.iter_mut().enumerate() {
                    let i = c * rows_per_chunk + k;
                    book.row(z, i, true, &mut row[..n], &[]);
                    row[n..].copy_from_slice(&tail[i * tw..][..tw]);
                    *st = [
                        einsum_sum(row),
                        pairwise_sum(row),
                        einsum_sum(&row[..n]),
                        einsum_sum(&row[n..n + nfd]),
                        einsum_sum(&row[n + nfd..]),
                    ];
                }
            });
        for (i, st) in self.row_stats.iter().enumerate() {
            self.demand[i] = st[0];
            self.demand_pairwise[i] = st[1];
            if !records {
                continue;
            }
            self.intermediate_demand_tot[i] = st[2];
            self.final_demand_tot[i] = st[3];
            self.rebuild_demand_tot[i] = st[4];
        }
    }

    /// Requested and allowed volumes of each gate (before production).
    fn measure_gates(&mut self, c: &mut Controls) {
        let (n, nfd, s, nr) = (self.n, self.n_fd, self.n_sectors, self.n_regions);
        let f = nfd / nr;
        let row = &mut self.scratch[..n];
        for g in c.gates.iter_mut() {
            let i = g.supplier;
            self.book.row(&self.z, i, false, row, &[]);
            let region = g.client_region;
            let orders: f64 = row[region * s..(region + 1) * s].iter().sum();
            let fd_allowed: f64 = self.tail[i * self.tail_width..][region * f..(region + 1) * f]
                .iter()
                .sum();
            let fd_requested: f64 = (region * f..(region + 1) * f)
                .map(|col| self.fd0[i * nfd + col] * c.final_demand_factor[region * s + i % s])
                .sum();
            let share = self.book.gate.get(i, region);
            g.requested = orders + fd_requested;
            g.delivered = 0.0;
            self.gate_rows.push((i, orders * share + fd_allowed, share));
        }
    }

    /// §5.5: unmet final demand and reconstruction deliveries (the inventories are
    /// updated with the orders, in `inventory`).
    fn distribute(&mut self) {
        let (nfd, w, s, nr) = (self.n_fd, self.tail_width, self.n_sectors, self.n_regions);
        let (tot, x) = (&self.demand_pairwise, &self.production);
        debug_assert!(
            self.production
                .iter()
                .zip(&self.demand)
                .all(|(x, d)| *x <= *d || d.is_nan()),
            "invariant: production never exceeds the demand it serves"
        );
        // Final demand was delivered in the fused pass (`final_demand`); its sums are
        // scattered below.
        let rb_width = w - nfd;
        if rb_width > 0 {
            self.tail
                .par_chunks_mut(w)
                .zip(self.rebuild_prod.par_chunks_mut(rb_width))
                .zip(self.rebuild_prod_tot.par_iter_mut())
                .enumerate()
                .with_min_len(64)
                .for_each(|(i, ((row, delivered), total))| {
                    let (t_i, x_i) = (tot[i], x[i]);
                    for (d, v) in delivered.iter_mut().zip(row[nfd..].iter_mut()) {
                        *d = if t_i != 0.0 { (*v / t_i) * x_i } else { 0.0 };
                        *v -= *d;
                    }
                    *total = einsum_sum(delivered);
                });
        } else {
            self.rebuild_prod_tot.fill(0.0);
        }
        // BoARIO turns -0.0 into 0.0.
        let positive = |v: f64| if v == 0.0 { 0.0 } else { v };
        for (p, unmet) in self.unmet_by_sector.chunks_exact(nr).enumerate() {
            for (r2, &v) in unmet.iter().enumerate() {
                self.final_demand_unmet[r2 * s + p] = positive(v);
            }
        }
        for (p, undist) in self.undist_by_slot.chunks_exact(nr).enumerate() {
            for (rs, &v) in undist.iter().enumerate() {
                self.final_demand_undist[rs * s + p] = positive(v);
            }
        }
    }

    fn record_gate_deliveries(&self, c: &mut Controls) {
        for (g, &(i, allowed, _)) in c.gates.iter_mut().zip(&self.gate_rows) {
            let t_i = self.demand_pairwise[i];
            g.delivered = if t_i != 0.0 {
                allowed / t_i * self.production[i]
            } else {
                0.0
            };
        }
    }

    /// §5.7: inventory gap and needs; the split among supplier regions (the new O) is
    /// kept as factors in the order book.
    fn place_orders(&mut self, t: usize) -> Result<(), StepError> {
        if self.tail_width > self.n_fd {
            // Q11: the reconstruction decrement lowered D before orders are placed.
            self.refresh_demand_totals(false);
        }
        // x_opt = min(D, xcap) per client industry, shared by every input.
        for (o, (&d, &cap)) in self
            .x_opt
            .iter_mut()
            .zip(self.demand.iter().zip(&self.xcap))
        {
            *o = d.min(cap);
        }
        self.restock_and_need(t)?;
        let book = &mut self.book;
        std::mem::swap(&mut book.need, &mut self.need_next);
        std::mem::swap(&mut book.ws, &mut self.ws_next);
        book.cr.copy_from_slice(&self.cr_next);
        book.weight.copy_from(&self.weight_next);
        book.initial = false;
        Ok(())
    }
}
