//! One ARIO step, §5.2–§5.7 of ARIO_SPEC.md, in BoARIO's exact order of operations.
//! Event bookkeeping (§5.1, §5.6) is the simulation's job.

use rayon::prelude::*;

use super::numpy_sum::{allclose, einsum_sum, pairwise_sum};
use super::{Controls, Model, ModelKind, OrderType};
use crate::StepError;

/// Below this many industries the step runs on one thread: rayon's task overhead
/// outweighs the work (measured on the 48-industry test MRIO).
const PARALLEL_MIN_ROWS: usize = 256;

impl Model {
    /// Runs §5.2–§5.7 for step `t` with the capacity loss set by
    /// [`Model::set_capacity_loss`] and optional policy `controls` (neutral when `None`).
    pub fn step(&mut self, t: usize, controls: Option<&mut Controls>) -> Result<(), StepError> {
        let mut controls = controls;
        self.apply_controls(controls.as_deref_mut())?;
        self.refresh_demand_totals();
        if t > 1 {
            self.update_overproduction();
        }
        self.compute_capacity(t, controls.as_deref())?;
        self.compute_production();
        self.distribute(t)?;
        if let Some(c) = controls {
            self.record_gate_deliveries(c);
        }
        self.place_orders(t)
    }

    /// Policy levers before production: final-demand factors, input factors, gates
    /// (the unlicensed part of a gated edge is not demanded from the exporter).
    fn apply_controls(&mut self, controls: Option<&mut Controls>) -> Result<(), StepError> {
        let (n, nfd, w, s) = (self.n, self.n_fd, self.width, self.n_sectors);
        let Some(c) = controls else {
            if self.fd_dirty {
                for i in 0..n {
                    self.e[i * w + n..][..nfd].copy_from_slice(&self.fd0[i * nfd..][..nfd]);
                }
                self.tech_eff.copy_from_slice(&self.tech);
                self.fd_dirty = false;
                self.has_order_weight = false;
            }
            return Ok(());
        };
        c.check(self.n_regions, s).map_err(StepError::Controls)?;
        let f = nfd / self.n_regions;
        for i in 0..n {
            let p = i % s;
            for col in 0..nfd {
                let r = col / f;
                self.e[i * w + n + col] =
                    self.fd0[i * nfd + col] * c.final_demand_factor[r * s + p];
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
        self.fd_dirty = true;
        self.gate_scaled.clear();
        self.has_order_weight = c.gates.iter().any(|g| g.order_weight != 1.0);
        if self.has_order_weight && self.order_weight.len() != n * self.n_regions {
            self.order_weight = vec![1.0; n * self.n_regions];
        }
        if self.has_order_weight {
            self.order_weight.fill(1.0);
        }
        for g in c.gates.iter_mut() {
            let row = &mut self.e[g.supplier * w..][..w];
            let mut requested = 0.0;
            let mut allowed = 0.0;
            let cols = (g.client_region * s..(g.client_region + 1) * s)
                .chain(n + g.client_region * f..n + (g.client_region + 1) * f);
            for col in cols {
                requested += row[col];
                row[col] *= g.allowed_share;
                allowed += row[col];
            }
            g.requested = requested;
            g.delivered = 0.0;
            self.gate_scaled.push(allowed);
            if self.has_order_weight {
                self.order_weight[g.supplier * self.n_regions + g.client_region] *= g.order_weight;
            }
        }
        Ok(())
    }

    /// Row sums of E in NumPy's orders: D (einsum, §5.2) and the rationing total
    /// (pairwise, §5.5), plus the per-part totals that are recorded (§6).
    pub(crate) fn refresh_demand_totals(&mut self) {
        let (n, nfd, w) = (self.n, self.n_fd, self.width);
        let e = &self.e;
        let rows = self
            .demand
            .par_iter_mut()
            .zip(self.demand_pairwise.par_iter_mut())
            .zip(self.intermediate_demand_tot.par_iter_mut())
            .zip(self.final_demand_tot.par_iter_mut())
            .zip(self.rebuild_demand_tot.par_iter_mut())
            .enumerate()
            .with_min_len(PARALLEL_MIN_ROWS);
        rows.for_each(|(i, ((((d, dp), idt), fdt), rbt))| {
            let row = &e[i * w..][..w];
            *d = einsum_sum(row);
            *dp = pairwise_sum(row);
            *idt = einsum_sum(&row[..n]);
            *fdt = einsum_sum(&row[n..n + nfd]);
            *rbt = einsum_sum(&row[n + nfd..]);
        });
    }

    /// §5.2: α moves toward α_max under scarcity and back to α_b only when scarcity is
    /// exactly zero (Q5); clipped at 1.0 (Q6).
    fn update_overproduction(&mut self) {
        let (k, amax, abase) = (self.kappa, self.params.alpha_max, self.params.alpha_base);
        for ((a, &d), &x) in self
            .alpha
            .iter_mut()
            .zip(&self.demand)
            .zip(&self.production)
        {
            let mut scarcity = if d != 0.0 { (d - x) / d } else { 0.0 };
            if scarcity.is_nan() {
                scarcity = 0.0;
            }
            let relax = if scarcity == 0.0 { 1.0 } else { 0.0 };
            let change = ((amax - *a) * scarcity * k) + ((abase - *a) * relax * k);
            *a += change;
            if *a < 1.0 {
                *a = 1.0;
            }
        }
    }

    /// §5.3: xcap = X0 ⊙ (1 − Δ) ⊙ α (× the policy's capacity factor).
    fn compute_capacity(&mut self, t: usize, controls: Option<&Controls>) -> Result<(), StepError> {
        for j in 0..self.n {
            let mut cap = self.x0[j] * (1.0 - self.delta[j]);
            cap *= self.alpha[j];
            if let Some(c) = controls {
                cap *= c.capacity_factor[j];
            }
            if cap < 0.0 || cap.is_nan() {
                return Err(StepError::NegativeCapacity {
                    step: t,
                    industry: j,
                });
            }
            self.xcap[j] = cap;
        }
        Ok(())
    }

    /// §5.4: production is the optimal level cut by the scarcest relevant input.
    fn compute_production(&mut self) {
        let (n, s) = (self.n, self.n_sectors);
        let psi = self.psi;
        let base = self.params.kind == ModelKind::Base;
        let mut limiting = 0;
        for j in 0..n {
            let x_opt = self.demand[j].min(self.xcap[j]);
            let mut x = x_opt;
            for p in 0..s {
                let k = p * n + j;
                let use_opt = x_opt * self.tech_eff[k];
                let c = if base {
                    use_opt * self.inv_constraint[p]
                } else {
                    (use_opt * psi) * self.inv_constraint[p]
                };
                if !self.is_input[k] || c == 0.0 {
                    continue;
                }
                let stock = self.stock[k];
                if stock < c {
                    limiting += 1;
                }
                let ratio = (stock / c).min(1.0);
                x = x.min(x_opt * ratio);
            }
            self.production[j] = x;
        }
        self.limiting = limiting;
    }

    /// §5.5: proportional rationing, inventory update (skipped when allclose, Q9),
    /// unmet final demand and reconstruction deliveries.
    fn distribute(&mut self, t: usize) -> Result<(), StepError> {
        let (n, nfd, w, s, nr) = (
            self.n,
            self.n_fd,
            self.width,
            self.n_sectors,
            self.n_regions,
        );
        let f = nfd / nr;
        let e = &self.e;
        let tot = &self.demand_pairwise;
        let x = &self.production;
        // Restocking Σ_r deliv[(r,p), j], one input sector per task.
        self.restock
            .par_chunks_mut(n)
            .enumerate()
            .for_each(|(p, restock)| {
                restock.fill(0.0);
                for r in 0..nr {
                    let i = r * s + p;
                    let t_i = tot[i];
                    let x_i = x[i];
                    let row = &e[i * w..][..n];
                    if t_i == 0.0 {
                        continue;
                    }
                    for (acc, &v) in restock.iter_mut().zip(row) {
                        *acc += (v / t_i) * x_i;
                    }
                }
            });
        // Stock use and update, skipped when restock ≈ use (Q9).
        let tech = &self.tech_eff;
        for (k, u) in self.need.iter_mut().enumerate() {
            *u = x[k % n] * tech[k];
        }
        if !allclose(&self.restock, &self.need) {
            for (k, st) in self.stock.iter_mut().enumerate() {
                let v = (*st - self.need[k]) + self.restock[k];
                if v < 0.0 || v.is_nan() {
                    return Err(StepError::BadStock {
                        step: t,
                        input: k / n,
                        industry: k % n,
                        value: v,
                    });
                }
                *st = v;
            }
        }
        // Final-demand columns, row by row.
        let rows = self
            .e
            .par_chunks(w)
            .zip(self.final_demand_undist.par_iter_mut())
            .zip(self.unmet_by_row.par_chunks_mut(nr))
            .enumerate()
            .with_min_len(PARALLEL_MIN_ROWS);
        rows.for_each(|(i, ((row, undist), unmet))| {
            let (t_i, x_i) = (tot[i], x[i]);
            let deliv = |v: f64| if t_i != 0.0 { (v / t_i) * x_i } else { 0.0 };
            let fd = &row[n..n + nfd];
            *undist = einsum_by(nfd, |c| fd[c] - deliv(fd[c]));
            for (r, u) in unmet.iter_mut().enumerate() {
                let mut acc = 0.0;
                for &v in &fd[r * f..(r + 1) * f] {
                    acc += v - deliv(v);
                }
                *u = acc;
            }
        });
        // Reconstruction columns: deliveries kept for the events (§5.6), RB decremented.
        let rb_width = w - n - nfd;
        if rb_width > 0 {
            let rows = self
                .e
                .par_chunks_mut(w)
                .zip(self.rebuild_prod.par_chunks_mut(rb_width))
                .zip(self.rebuild_prod_tot.par_iter_mut())
                .enumerate()
                .with_min_len(PARALLEL_MIN_ROWS);
            rows.for_each(|(i, ((row, delivered), total))| {
                let (t_i, x_i) = (tot[i], x[i]);
                let rb = &mut row[n + nfd..];
                for (d, v) in delivered.iter_mut().zip(rb.iter_mut()) {
                    *d = if t_i != 0.0 { (*v / t_i) * x_i } else { 0.0 };
                    *v -= *d;
                }
                *total = einsum_sum(delivered);
            });
        } else {
            self.rebuild_prod_tot.fill(0.0);
        }
        for p in 0..s {
            for r2 in 0..nr {
                let mut acc = 0.0;
                for rs in 0..nr {
                    acc += self.unmet_by_row[(rs * s + p) * nr + r2];
                }
                // BoARIO turns -0.0 into 0.0.
                self.final_demand_unmet[r2 * s + p] = if acc == 0.0 { 0.0 } else { acc };
            }
        }
        for u in self.final_demand_undist.iter_mut() {
            if *u == 0.0 {
                *u = 0.0;
            }
        }
        Ok(())
    }

    fn record_gate_deliveries(&self, c: &mut Controls) {
        for (g, &allowed) in c.gates.iter_mut().zip(&self.gate_scaled) {
            let t_i = self.demand_pairwise[g.supplier];
            g.delivered = if t_i != 0.0 {
                allowed / t_i * self.production[g.supplier]
            } else {
                0.0
            };
        }
    }

    /// §5.7: inventory gap, needs, and their split among supplier regions (the new O).
    fn place_orders(&mut self, t: usize) -> Result<(), StepError> {
        let (n, nfd, w, s, nr) = (
            self.n,
            self.n_fd,
            self.width,
            self.n_sectors,
            self.n_regions,
        );
        if w > n + nfd {
            // Q11: the reconstruction decrement lowered D before orders are placed.
            let e = &self.e;
            self.demand
                .par_iter_mut()
                .enumerate()
                .with_min_len(PARALLEL_MIN_ROWS)
                .for_each(|(i, d)| {
                    *d = einsum_sum(&e[i * w..][..w]);
                });
        }
        // Target inventory G and the gap.
        let psi_model = self.params.kind == ModelKind::Psi;
        let goal = |model: &Model, k: usize| {
            let j = k % n;
            let p = k / n;
            let x_opt = model.demand[j].min(model.xcap[j]);
            (x_opt * model.tech_eff[k]) * model.inv_dur[p]
        };
        let mut close = true;
        for k in 0..s * n {
            let g = goal(self, k);
            let st = self.stock[k];
            let ok = if g.is_nan() || st.is_nan() {
                false
            } else if g.is_infinite() || st.is_infinite() {
                g == st
            } else {
                (st - g).abs() <= 1e-8 + 1e-5 * g.abs()
            };
            if !ok {
                close = false;
                break;
            }
        }
        for k in 0..s * n {
            let j = k % n;
            let p = k / n;
            let mut gap = 0.0;
            if !close {
                let g = goal(self, k);
                if g.is_finite() {
                    gap = g - self.stock[k];
                    if gap.is_nan() {
                        gap = 0.0;
                    }
                    if gap < 0.0 {
                        gap = 0.0;
                    }
                }
                if psi_model {
                    gap *= self.restoration[p];
                }
            }
            self.need[k] = gap + self.production[j] * self.tech_eff[k];
        }
        // Supplier split.
        let alt = self.params.order_type == OrderType::Alt;
        if alt {
            for i in 0..n {
                self.supply_ratio[i] = if self.x0[i] != 0.0 {
                    self.xcap[i] / self.x0[i]
                } else {
                    1.0
                };
            }
            let (z0, cr, ow, has_ow) = (
                &self.z0,
                &self.supply_ratio,
                &self.order_weight,
                self.has_order_weight,
            );
            let weight = move |i: usize, j: usize| {
                let v = z0[i * n + j] * cr[i];
                if has_ow { v * ow[i * nr + j / s] } else { v }
            };
            self.weight_sum
                .par_chunks_mut(n)
                .enumerate()
                .for_each(|(p, ws)| {
                    ws.fill(0.0);
                    for r in 0..nr {
                        let i = r * s + p;
                        for (j, acc) in ws.iter_mut().enumerate() {
                            *acc += weight(i, j);
                        }
                    }
                });
            let (ws, need) = (&self.weight_sum, &self.need);
            self.e
                .par_chunks_mut(w)
                .enumerate()
                .with_min_len(PARALLEL_MIN_ROWS.min(64))
                .for_each(|(i, row)| {
                    let p = i % s;
                    let ws = &ws[p * n..][..n];
                    let need = &need[p * n..][..n];
                    for j in 0..n {
                        let den = ws[j];
                        let share = if den != 0.0 { weight(i, j) / den } else { 0.0 };
                        row[j] = need[j] * share;
                    }
                });
        } else {
            let (zd, need) = (&self.zdist, &self.need);
            self.e
                .par_chunks_mut(w)
                .enumerate()
                .with_min_len(PARALLEL_MIN_ROWS.min(64))
                .for_each(|(i, row)| {
                    let p = i % s;
                    let need = &need[p * n..][..n];
                    for ((o, &nd), &z) in row[..n].iter_mut().zip(need).zip(&zd[i * n..][..n]) {
                        *o = nd * z;
                    }
                });
        }
        for i in 0..n {
            for j in 0..n {
                let v = self.e[i * w + j];
                if v < 0.0 || v.is_nan() {
                    return Err(StepError::BadOrder {
                        step: t,
                        supplier: i,
                        client: j,
                        value: v,
                    });
                }
            }
        }
        Ok(())
    }
}

/// `einsum_sum` over values produced by `value(k)`, k in 0..len, without a buffer.
fn einsum_by(len: usize, value: impl Fn(usize) -> f64) -> f64 {
    let mut acc = [0.0_f64; 2];
    let full = len - len % 8;
    let mut k = 0;
    while k < full {
        let a01 = [value(k) + value(k + 2), value(k + 1) + value(k + 3)];
        let a23 = [value(k + 4) + value(k + 6), value(k + 5) + value(k + 7)];
        acc[0] += a01[0] + a23[0];
        acc[1] += a01[1] + a23[1];
        k += 8;
    }
    while k < len {
        acc[0] += value(k);
        acc[1] += if k + 1 < len { value(k + 1) } else { 0.0 };
        k += 2;
    }
    acc[0] + acc[1]
}
