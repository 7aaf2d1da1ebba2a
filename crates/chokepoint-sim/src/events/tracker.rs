//! Event lifecycle and what the model sees of it (ARIO_SPEC.md §7.2–§7.4).
//!
//! Reproduced quirks: the one-step lag of arbitrary shocks (Q1), the d + 2 full-loss
//! steps (Q2), rounding of recovering values (Q17). Fixed: several concurrent events of
//! any kinds work (Q3: BoARIO crashes) — capital damages add up, arbitrary shares take
//! the element-wise maximum, and Δ = max(Δ_K, Δ_arb).

use super::{Event, EventKind, round_to};
use crate::model::numpy_sum::pairwise_sum;
use crate::{Model, StepError};

/// Where an event is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Before its occurrence.
    Pending,
    /// Between occurrence and occurrence + duration.
    Happening,
    /// Recovering through the recovery function.
    Recovering,
    /// Being rebuilt through reconstruction demand.
    Rebuilding,
    /// Over.
    Finished,
}

#[derive(Debug, Clone)]
struct Tracked {
    event: Event,
    status: Status,
    /// Initial impact per industry (scaled for capital kinds).
    init: Vec<f64>,
    /// Current value: capacity share (arbitrary) or capital lost (capital kinds).
    value: Vec<f64>,
    /// Remaining reconstruction stock DR, N × N (rebuild only, empty before rebuilding).
    stock: Vec<f64>,
    block: Option<usize>,
}

/// Tracks every event of a run and turns them into capacity loss and reconstruction demand.
#[derive(Debug, Clone)]
pub struct EventTracker {
    events: Vec<Tracked>,
    n: usize,
    arbitrary_pending: Vec<f64>,
    capital_lost: Vec<f64>,
    delta: Vec<f64>,
    scratch: Vec<f64>,
    capital_unset: bool,
}

impl EventTracker {
    /// Tracks `events` (already checked) for `model`.
    pub fn new(events: Vec<Event>, model: &Model) -> Self {
        let n = model.n_industries();
        let mf = model.params().monetary_factor;
        let tracked = events
            .into_iter()
            .map(|event| {
                let mut init = vec![0.0; n];
                let scale = match event.kind {
                    EventKind::Arbitrary => 1.0,
                    _ => event.event_monetary_factor / mf,
                };
                for &(i, v) in &event.impacts {
                    init[i] = v * scale;
                }
                Tracked {
                    value: init.clone(),
                    init,
                    event,
                    status: Status::Pending,
                    stock: Vec::new(),
                    block: None,
                }
            })
            .collect::<Vec<_>>();
        EventTracker {
            events: tracked,
            n,
            arbitrary_pending: vec![0.0; n],
            capital_lost: vec![0.0; n],
            delta: vec![0.0; n],
            scratch: Vec::new(),
            capital_unset: false,
        }
    }

    /// Capital lost at the start of the step; `None` while arbitrary events but no
    /// capital events are active (BoARIO stores None then, recorded as NaN).
    pub fn capital_lost(&self) -> Option<&[f64]> {
        (!self.capital_unset).then_some(self.capital_lost.as_slice())
    }

    /// True when no event is pending or active.
    pub fn all_finished(&self) -> bool {
        self.events.iter().all(|e| e.status == Status::Finished)
    }

    /// §5.1 at step `t`: advance statuses, set Δ and the reconstruction demand.
    pub fn begin_step(&mut self, t: usize, model: &mut Model) -> Result<(), StepError> {
        let n = self.n;
        for ev in &mut self.events {
            if ev.status == Status::Pending
                && t.saturating_sub(1) <= ev.event.occurrence
                && ev.event.occurrence <= t
            {
                ev.status = Status::Happening;
            }
        }
        for ev in &mut self.events {
            if ev.status == Status::Happening && t >= ev.event.occurrence + ev.event.duration {
                match &ev.event.kind {
                    EventKind::Rebuild {
                        rebuilding_sectors,
                        rebuilding_factor,
                        ..
                    } => {
                        ev.block = Some(model.add_rebuild_block());
                        ev.status = Status::Rebuilding;
                        // DR[(r,k), i] = κ_k · δ_i · β · w[(r,k), i] (§7.4), δ unscaled (Q16).
                        let s = model.n_sectors();
                        let mut stock = vec![0.0; n * n];
                        for &(i, delta) in &ev.event.impacts {
                            for &(k, kappa) in rebuilding_sectors {
                                for r in 0..model.n_regions() {
                                    let row = r * s + k;
                                    stock[row * n + i] = ((kappa * delta) * rebuilding_factor)
                                        * model.supplier_share(row, i);
                                }
                            }
                        }
                        ev.stock = stock;
                    }
                    EventKind::Arbitrary | EventKind::Recover => ev.status = Status::Recovering,
                }
            }
        }
        // Capital lost: sum over capital events (BoARIO: np.add.reduce in event order).
        self.capital_lost.fill(0.0);
        let (mut any_capital, mut any_arbitrary) = (false, false);
        for ev in &self.events {
            let active = matches!(
                ev.status,
                Status::Happening | Status::Recovering | Status::Rebuilding
            );
            any_arbitrary |= active && ev.event.kind == EventKind::Arbitrary;
            if active && !matches!(ev.event.kind, EventKind::Arbitrary) {
                any_capital = true;
                for (c, v) in self.capital_lost.iter_mut().zip(&ev.value) {
                    *c += v;
                }
            }
        }
        self.capital_unset = any_arbitrary && !any_capital;
        let capital = model.productive_capital();
        for (j, &k) in capital.iter().enumerate() {
            if self.capital_lost[j] > k {
                return Err(StepError::CapitalExceeded {
                    step: t,
                    industry: j,
                    lost: self.capital_lost[j],
                    capital: k,
                });
            }
            let dk = if k != 0.0 {
                self.capital_lost[j] / k
            } else {
                0.0
            };
            // Q1: the arbitrary share used now is the one computed at the previous step.
            self.delta[j] = dk.max(self.arbitrary_pending[j]);
        }
        model.set_capacity_loss(&self.delta);
        self.arbitrary_pending.fill(0.0);
        for ev in &self.events {
            if matches!(ev.status, Status::Happening | Status::Recovering)
                && ev.event.kind == EventKind::Arbitrary
            {
                for (a, v) in self.arbitrary_pending.iter_mut().zip(&ev.value) {
                    *a = a.max(*v);
                }
            }
        }
        // Reconstruction demand: 1/τ_R of the remaining stock each step.
        for ev in &self.events {
            if let (Status::Rebuilding, Some(block), EventKind::Rebuild { rebuild_tau, .. }) =
                (ev.status, ev.block, &ev.event.kind)
            {
                let rate = 1.0 / rebuild_tau;
                self.scratch.clear();
                self.scratch.extend(ev.stock.iter().map(|v| v * rate));
                model.set_rebuild_demand(block, &self.scratch);
            }
        }
        Ok(())
    }

    /// §5.6 at step `t`: reconstruction deliveries and recovery functions.
    pub fn end_step(&mut self, t: usize, model: &Model) {
        let n = self.n;
        for ev in &mut self.events {
            let precision = ev.event.damage_decimals();
            match ev.status {
                Status::Rebuilding => {
                    let (
                        Some(block),
                        EventKind::Rebuild {
                            rebuilding_factor, ..
                        },
                    ) = (ev.block, &ev.event.kind)
                    else {
                        continue;
                    };
                    self.scratch.resize(n * n, 0.0);
                    model.rebuild_delivered(block, &mut self.scratch);
                    let mut any = false;
                    for (v, d) in ev.stock.iter_mut().zip(&self.scratch) {
                        let mut r = round_to(*v - d, precision);
                        if r < 0.0 {
                            r = 0.0;
                        }
                        any |= r != 0.0;
                        *v = r;
                    }
                    if !any {
                        ev.status = Status::Finished;
                        ev.value.fill(0.0);
                        continue;
                    }
                    // Capital lost = Σ_region Σ_sector DR / β, in BoARIO's orders:
                    // `groupby("region").sum()` (pandas 3.1 sums sorted groups with
                    // `np.add.reduceat`: a group's first row, then NumPy's pairwise sum of
                    // the others), then `.sum(axis=0)` over the regions (pairwise).
                    let (s, nr) = (model.n_sectors(), model.n_regions());
                    let (mut column, mut by_region) = (vec![0.0; s], Vec::with_capacity(nr));
                    for j in 0..n {
                        by_region.clear();
                        for r in 0..nr {
                            for (k, c) in column.iter_mut().enumerate() {
                                *c = ev.stock[(r * s + k) * n + j];
                            }
                            by_region.push(reduceat_sum(&column));
                        }
                        ev.value[j] = pairwise_sum(&by_region) / rebuilding_factor;
                    }
                }
                Status::Recovering => {
                    let elapsed = (t - (ev.event.occurrence + ev.event.duration)) as f64;
                    let prec = if ev.event.kind == EventKind::Arbitrary {
                        6
                    } else {
                        precision
                    };
                    let mut any = false;
                    for (v, &init) in ev.value.iter_mut().zip(&ev.init) {
                        *v = round_to(
                            ev.event
                                .recovery_function
                                .apply(init, elapsed, ev.event.recovery_tau),
                            prec,
                        );
                        any |= *v != 0.0;
                    }
                    if !any {
                        ev.status = Status::Finished;
                    }
                }
                _ => {}
            }
        }
    }
}

/// `np.add.reduceat` over one segment of a float array: the first value, plus NumPy's
/// pairwise sum of the others (which starts at −0.0 below eight values; [`pairwise_sum`]
/// starts at +0.0, the same sum unless every value is −0.0, and then the first value
/// decides). Empty segments give 0.
fn reduceat_sum(segment: &[f64]) -> f64 {
    match segment {
        [] => 0.0,
        [first] => *first,
        [first, rest @ ..] => *first + pairwise_sum(rest),
    }
}
