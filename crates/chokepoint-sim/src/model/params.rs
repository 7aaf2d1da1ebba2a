//! Model parameters with BoARIO 0.7.2 names and defaults (ARIO_SPEC.md §2).

use crate::SimError;

/// Which ARIO variant: the rules for the inventory constraint and restoration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    /// `ARIOPsiModel`: inventory constraint scaled by ψ, gaps restored at 1/τ_inv per step.
    Psi,
    /// `ARIOBaseModel`: no ψ, the whole inventory gap is ordered at once.
    Base,
}

/// How orders for an input are split among supplier regions (ARIO_SPEC.md §5.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderType {
    /// Shares follow initial flows weighted by each supplier's current capacity ratio.
    Alt,
    /// Fixed initial supplier shares.
    NoAlt,
}

/// Inventory target of one input sector, in steps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum InventoryDays {
    /// A finite number of steps of use.
    Days(f64),
    /// Never constraining.
    Infinite,
}

/// All model parameters; [`ModelParams::default`] gives BoARIO's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelParams {
    /// Psi or base model.
    pub kind: ModelKind,
    /// Supplier-choice rule.
    pub order_type: OrderType,
    /// Resting overproduction factor α_b.
    pub alpha_base: f64,
    /// Maximum overproduction factor α_max.
    pub alpha_max: f64,
    /// Overproduction adjustment time, steps.
    pub alpha_tau: f64,
    /// Default inventory target, steps, for inputs without their own entry.
    pub main_inv_dur: f64,
    /// Per-input inventory target (sorted sector order); `None` = `main_inv_dur` for all.
    pub inventory_days: Option<Vec<InventoryDays>>,
    /// ψ, share of the inventory target below which an input constrains production (psi model).
    pub psi: f64,
    /// Inventory restoration time per input sector, steps (psi model).
    pub inventory_restoration_tau: Vec<f64>,
    /// Unit of the table (e.g. 1e6 for millions).
    pub monetary_factor: f64,
    /// Productive capital per industry; `None` = 4 × value added (BoARIO default).
    pub productive_capital: Option<Vec<f64>>,
    /// Steps per year of the table's annual flows (φ = 1 / this).
    pub steps_per_year: f64,
    /// Arithmetic of the two per-element quotients of a step (see [`Numerics`]).
    pub numerics: Numerics,
    /// How Z0 is stored (see [`super::Storage`]); results do not depend on it.
    pub storage: super::Storage,
}

/// How the per-element quotients of a step are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Numerics {
    /// Divide exactly as BoARIO does: results are bit-identical to BoARIO 0.7.2.
    #[default]
    Exact,
    /// Reassociate: with 'alt' orders and no policy weights or gates, a row's orders
    /// total is one dot product and the deliveries of an input sector one weighted sum of
    /// its rows (see `model/fused.rs`); elsewhere, multiply by reciprocals computed once.
    /// About 1.4× faster on large dense tables; results differ from BoARIO by rounding
    /// (~1e-15 relative per step), which can move Q5's exact-zero threshold (on the
    /// reference run `v_a_basemodel`: capacity within 3.2e-4, production within 4.6e-5).
    Fast,
}

impl Default for ModelParams {
    fn default() -> Self {
        ModelParams {
            kind: ModelKind::Psi,
            order_type: OrderType::Alt,
            alpha_base: 1.0,
            alpha_max: 1.25,
            alpha_tau: 365.0,
            main_inv_dur: 90.0,
            inventory_days: None,
            psi: 0.8,
            inventory_restoration_tau: Vec::new(),
            monetary_factor: 1e6,
            productive_capital: None,
            steps_per_year: 365.0,
            numerics: Numerics::Exact,
            storage: super::Storage::Auto,
        }
    }
}

impl ModelParams {
    /// Checks ranges for a table of `n_sectors` sectors and `n` industries.
    pub fn check(&self, n_sectors: usize, n: usize) -> Result<(), SimError> {
        let bad = |name: &str, message: String| {
            Err(SimError::Parameter {
                name: name.into(),
                message,
            })
        };
        let positive = [
            ("alpha_tau", self.alpha_tau),
            ("main_inv_dur", self.main_inv_dur),
            ("monetary_factor", self.monetary_factor),
            ("steps_per_year", self.steps_per_year),
        ];
        for (name, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return bad(name, format!("{v} must be a positive number"));
            }
        }
        // α moves by 1 / alpha_tau of its distance to α_max per step: κ ≤ 1 keeps it
        // between 1 and α_max; with κ > 1 it overshoots α_max and, once demand falls
        // below production, grows without bound (then overflows).
        if self.alpha_tau < 1.0 {
            return bad(
                "alpha_tau",
                format!(
                    "{} must be ≥ 1 step: a shorter adjustment time makes α overshoot \
                     alpha_max and then grow without bound",
                    readable(self.alpha_tau)
                ),
            );
        }
        if !(self.alpha_base.is_finite() && self.alpha_max.is_finite() && self.alpha_base > 0.0) {
            return bad(
                "alpha_base",
                "alpha_base and alpha_max must be positive numbers".into(),
            );
        }
        // α is clipped at 1 from below (Q6): with α_max < 1 it sits above α_max and, once
        // demand falls below production, moves away from it without bound.
        if self.alpha_max < 1.0 {
            return bad(
                "alpha_max",
                format!(
                    "{} must be ≥ 1: α is never below 1 (BoARIO clips it there), and above \
                     alpha_max it grows without bound",
                    readable(self.alpha_max)
                ),
            );
        }
        if self.alpha_max < self.alpha_base {
            return bad(
                "alpha_max",
                format!("{} is below alpha_base {}", self.alpha_max, self.alpha_base),
            );
        }
        if !(0.0..=1.0).contains(&self.psi) {
            return bad(
                "psi_param",
                format!(
                    "{} must be between 0 and 1 (BoARIO rejects > 1; below 0 orders turn negative)",
                    self.psi
                ),
            );
        }
        if let Some(days) = &self.inventory_days {
            if days.len() != n_sectors {
                return bad(
                    "inventory_dict",
                    format!(
                        "{} entries, expected one per sector ({n_sectors})",
                        days.len()
                    ),
                );
            }
            if days
                .iter()
                .any(|d| matches!(d, InventoryDays::Days(v) if !(v.is_finite() && *v > 0.0)))
            {
                return bad(
                    "inventory_dict",
                    "inventory days must be positive numbers or \"inf\"".into(),
                );
            }
        }
        if !self.inventory_restoration_tau.is_empty() {
            if self.inventory_restoration_tau.len() != n_sectors {
                return bad(
                    "inventory_restoration_tau",
                    format!(
                        "{} entries, expected one per sector ({n_sectors})",
                        self.inventory_restoration_tau.len()
                    ),
                );
            }
            if self
                .inventory_restoration_tau
                .iter()
                .any(|v| !(v.is_finite() && *v > 0.0))
            {
                return bad(
                    "inventory_restoration_tau",
                    "values must be positive numbers of steps".into(),
                );
            }
        }
        if let Some(k) = &self.productive_capital
            && (k.len() != n || k.iter().any(|v| !(v.is_finite() && *v >= 0.0)))
        {
            return bad(
                "productive_capital",
                format!("expected {n} non-negative values"),
            );
        }
        Ok(())
    }

    /// Rejects an α_max or an inventory target so large that, on this table, capacities,
    /// the 'alt' weight sums or inventories overflow f64: they turn into infinities and a
    /// few steps later into NaN, which ends the run as a crash although the cause is the
    /// input. `largest` is the largest magnitude among the table's per-step flows (X0,
    /// final demand, Z0 summed over supplier regions; see [`Mrio::largest_flow`]). Each
    /// of those quantities stays within a small multiple of α_max × `largest` × N × the
    /// longest finite inventory target (a demand row adds N + R·F + rebuild columns; a
    /// need is at most (target + 1) × a use), so requiring that product to be finite
    /// leaves orders of magnitude of margin on any real table while catching the absurd.
    ///
    /// [`Mrio::largest_flow`]: crate::network::Mrio::largest_flow
    pub(crate) fn check_headroom(&self, largest: f64, n: usize) -> Result<(), SimError> {
        // Every sector has its own target when the table is given (it must list all);
        // targets of at most one step are raised to two (Q14).
        let (days, from_dict) = match &self.inventory_days {
            Some(days) => {
                let longest = days
                    .iter()
                    .filter_map(|d| match d {
                        InventoryDays::Days(v) => Some(*v),
                        InventoryDays::Infinite => None,
                    })
                    .fold(0.0, f64::max);
                (longest, true)
            }
            None => (self.main_inv_dur, false),
        };
        let days = days.max(2.0);
        let flows = largest * n as f64;
        if (self.alpha_max * flows * days).is_finite() {
            return Ok(());
        }
        let context = format!(
            "capacities and inventories would overflow (largest flow per step {}, {n} \
             industries, α_max {}, inventory targets up to {} steps)",
            readable(largest),
            readable(self.alpha_max),
            readable(days)
        );
        let bad = |name: &str, message: String| {
            Err(SimError::Parameter {
                name: name.into(),
                message,
            })
        };
        if !(flows * 2.0).is_finite() {
            return bad(
                "alpha_max",
                format!(
                    "the table's flows are too large to simulate at all: {context}; \
                     express the table in larger units"
                ),
            );
        }
        // The key to change: the inventory target when α_max fits with BoARIO's default
        // target (90 steps), else α_max (α_max = 1e300 blamed a default `main_inv_dur` the
        // file did not even set).
        let (name, value, limit) = if (self.alpha_max * flows * 90.0).is_finite() {
            let name = if from_dict {
                "inventory_dict"
            } else {
                "main_inv_dur"
            };
            (name, days, f64::MAX / (self.alpha_max * flows))
        } else {
            ("alpha_max", self.alpha_max, f64::MAX / (flows * days))
        };
        bad(
            name,
            format!(
                "{} is too large for this table: {context}; use at most {}",
                readable(value),
                readable(limit)
            ),
        )
    }

    /// Restoration time per sector: the table, or BoARIO's default of 60 steps.
    pub(crate) fn restoration_taus(&self, n_sectors: usize) -> Vec<f64> {
        if self.inventory_restoration_tau.is_empty() {
            vec![60.0; n_sectors]
        } else {
            self.inventory_restoration_tau.clone()
        }
    }
}

/// A number for a message: plain from 1e-3 to 1e15, else in exponent notation (`{}` writes
/// 1e308 with 309 digits).
pub(crate) fn readable(v: f64) -> String {
    // Both forms are the shortest that reads back to the same f64, so a value outside a
    // bound never shows as the bound.
    if v == 0.0 || (1e-3..1e15).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// α moves by 1 / alpha_tau of its distance to α_max per step and is clipped at 1:
    /// alpha_tau below one step or alpha_max below 1 let it run away.
    #[test]
    fn alpha_parameters_that_run_away_are_rejected() {
        let check = |params: ModelParams| params.check(2, 4).map_err(|e| e.to_string());
        let short = ModelParams {
            alpha_tau: 0.5,
            ..ModelParams::default()
        };
        let err = check(short).unwrap_err();
        assert!(
            err.contains("alpha_tau") && err.contains("≥ 1 step"),
            "{err}"
        );
        let low = ModelParams {
            alpha_base: 0.5,
            alpha_max: 0.6,
            ..ModelParams::default()
        };
        let err = check(low).unwrap_err();
        assert!(err.contains("alpha_max") && err.contains("≥ 1"), "{err}");
        let edge = ModelParams {
            alpha_tau: 1.0,
            alpha_max: 1.0,
            ..ModelParams::default()
        };
        assert!(check(edge).is_ok());
    }

    #[test]
    fn alpha_max_that_overflows_the_table_is_rejected() {
        let params = ModelParams::default();
        // BoARIO's defaults on a large table in units: far from overflow.
        assert!(params.check_headroom(1e12, 10_000).is_ok());
        let absurd = ModelParams {
            alpha_max: 1e308,
            ..ModelParams::default()
        };
        let err = absurd.check_headroom(10.0, 400).unwrap_err().to_string();
        assert!(
            err.contains("alpha_max") && err.contains("too large"),
            "{err}"
        );
        // The bound it names is accepted; ten times more is not.
        let limit = f64::MAX / (10.0 * 90.0 * 400.0);
        let at = |alpha_max| ModelParams {
            alpha_max,
            ..ModelParams::default()
        };
        assert!(at(limit * 0.99).check_headroom(10.0, 400).is_ok());
        assert!(at(limit * 10.0).check_headroom(10.0, 400).is_err());
        // The longest finite inventory target counts, infinite ones do not.
        let long = ModelParams {
            alpha_max: limit * 0.99,
            inventory_days: Some(vec![InventoryDays::Infinite, InventoryDays::Days(900.0)]),
            ..ModelParams::default()
        };
        let err = long.check_headroom(10.0, 400).unwrap_err().to_string();
        assert!(
            err.contains("inventory_dict") && err.contains("900 is too large"),
            "{err}"
        );
        // A huge default target is blamed on main_inv_dur, not on α_max.
        let huge = ModelParams {
            main_inv_dur: 1e306,
            ..ModelParams::default()
        };
        let err = huge.check_headroom(10.0, 400).unwrap_err().to_string();
        assert!(
            err.contains("main_inv_dur") && err.contains("1e306"),
            "{err}"
        );
        let infinite = ModelParams {
            inventory_days: Some(vec![InventoryDays::Infinite; 2]),
            ..long
        };
        assert!(infinite.check_headroom(10.0, 400).is_ok());
    }
}
