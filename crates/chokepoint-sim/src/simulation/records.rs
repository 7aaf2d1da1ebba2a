//! In-memory records of a run (ARIO_SPEC.md §6): one row per step.

use super::{Recorder, StepView};
use crate::Model;

/// One recorded variable: `steps` rows of `width` values, row-major.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// Values, row t = step t.
    pub values: Vec<f64>,
    /// Values per row.
    pub width: usize,
}

impl Series {
    fn push(&mut self, row: &[f64]) {
        self.width = row.len();
        self.values.extend_from_slice(row);
    }

    /// Number of recorded steps.
    pub fn len(&self) -> usize {
        self.values.len().checked_div(self.width).unwrap_or(0)
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Row of step `t`.
    pub fn row(&self, t: usize) -> &[f64] {
        &self.values[t * self.width..][..self.width]
    }
}

/// Records every §6 series in memory (capacity reserved once at the start).
#[derive(Debug, Clone, Default)]
pub struct Records {
    /// Realised production.
    pub production_realised: Series,
    /// Production capacity.
    pub production_capacity: Series,
    /// Overproduction factor α.
    pub overproduction: Series,
    /// Unmet final demand per (consuming region, product).
    pub final_demand_unmet: Series,
    /// Final demand not delivered per supplier industry.
    pub final_demand_undist: Series,
    /// Final demand addressed to each industry.
    pub final_demand_tot: Series,
    /// Orders received.
    pub intermediate_demand_tot: Series,
    /// Reconstruction demand addressed.
    pub rebuild_demand_tot: Series,
    /// Reconstruction deliveries.
    pub rebuild_prod_tot: Series,
    /// Capital lost at the start of the step.
    pub productive_capital_lost: Series,
    /// Inventories after the step, S × N per step (only when asked for).
    pub inventories: Option<Series>,
}

impl Records {
    /// A recorder that also keeps the full inventory matrix of every step.
    pub fn with_inventories() -> Self {
        Records {
            inventories: Some(Series::default()),
            ..Default::default()
        }
    }

    fn all_mut(&mut self) -> [&mut Series; 10] {
        [
            &mut self.production_realised,
            &mut self.production_capacity,
            &mut self.overproduction,
            &mut self.final_demand_unmet,
            &mut self.final_demand_undist,
            &mut self.final_demand_tot,
            &mut self.intermediate_demand_tot,
            &mut self.rebuild_demand_tot,
            &mut self.rebuild_prod_tot,
            &mut self.productive_capital_lost,
        ]
    }
}

impl Recorder for Records {
    fn on_start(&mut self, model: &Model, steps: usize) {
        let n = model.n_industries();
        for s in self.all_mut() {
            s.values.reserve(steps * n);
        }
        if let Some(inv) = &mut self.inventories {
            inv.values.reserve(steps * n * model.n_sectors());
        }
    }

    fn on_step(&mut self, view: StepView<'_>) -> bool {
        let m = view.model;
        self.production_realised.push(m.production());
        self.production_capacity.push(m.production_capacity());
        self.overproduction.push(m.overproduction());
        self.final_demand_unmet.push(m.final_demand_unmet());
        self.final_demand_undist.push(m.final_demand_undist());
        self.final_demand_tot.push(m.final_demand_tot());
        self.intermediate_demand_tot
            .push(m.intermediate_demand_tot());
        self.rebuild_demand_tot.push(m.rebuild_demand_tot());
        self.rebuild_prod_tot.push(m.rebuild_prod_tot());
        match view.capital_lost {
            Some(k) => self.productive_capital_lost.push(k),
            None => {
                let n = m.n_industries();
                self.productive_capital_lost.width = n;
                self.productive_capital_lost
                    .values
                    .extend(std::iter::repeat_n(f64::NAN, n));
            }
        }
        if let Some(inv) = &mut self.inventories {
            inv.push(m.inventories());
        }
        true
    }
}
