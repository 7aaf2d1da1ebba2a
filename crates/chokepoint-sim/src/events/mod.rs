//! Shocks that change the model over time (ARIO_SPEC.md §7): arbitrary capacity
//! losses, capital destroyed then recovered, capital destroyed then rebuilt. Each
//! event moves through pending → happening → recovering | rebuilding → finished;
//! [`EventTracker`] holds that lifecycle and computes what the model sees each step.

mod tracker;

pub use tracker::EventTracker;

use crate::SimError;
use crate::model::readable;

/// How a damaged stock returns to zero (ARIO_SPEC.md §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoveryFunction {
    /// init · (1 − e/τ).
    Linear,
    /// init · (1 − 1/τ)^(4e) ("convexe" in BoARIO).
    Convexe,
    /// init · (1 − 1/τ)^e ("convexe noscale").
    ConvexeNoscale,
    /// init · τ / (τ + 1e-6 · e^k), k = (ln τ − ln 1e-6)/(ln τ − ln 2).
    Concave,
}

impl RecoveryFunction {
    /// Parses BoARIO's name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "linear" => Some(Self::Linear),
            "convexe" => Some(Self::Convexe),
            "convexe noscale" => Some(Self::ConvexeNoscale),
            "concave" => Some(Self::Concave),
            _ => None,
        }
    }

    /// Names accepted by [`RecoveryFunction::parse`].
    pub const NAMES: [&'static str; 4] = ["linear", "convexe", "convexe noscale", "concave"];

    /// Remaining share of the initial stock after `elapsed` steps of recovery.
    pub fn apply(self, init: f64, elapsed: f64, tau: f64) -> f64 {
        match self {
            Self::Linear => init * (1.0 - (elapsed / tau)),
            Self::Convexe => init * (1.0 - (1.0 / tau)).powf(4.0 * elapsed),
            Self::ConvexeNoscale => init * (1.0 - (1.0 / tau)).powf(elapsed),
            Self::Concave => {
                let steep = 0.000001_f64;
                let exponent = (tau.ln() - steep.ln()) / (tau.ln() - 2.0_f64.ln());
                (init * tau) / (tau + steep * elapsed.powf(exponent))
            }
        }
    }
}

/// What an event does.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// Share of production capacity lost (`EventArbitraryProd`), in (0, 1].
    Arbitrary,
    /// Capital destroyed, recovering by the recovery function (`EventKapitalRecover`).
    Recover,
    /// Capital destroyed, rebuilt through reconstruction demand (`EventKapitalRebuild`).
    Rebuild {
        /// Steps to rebuild: 1/τ of the remaining stock is demanded each step.
        rebuild_tau: f64,
        /// Sectors that rebuild and their shares (sum 1), as sector indices.
        rebuilding_sectors: Vec<(usize, f64)>,
        /// Multiplier on the reconstruction demand (β).
        rebuilding_factor: f64,
    },
}

/// One checked event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Kind and kind-specific parameters.
    pub kind: EventKind,
    /// (industry index, impact): capacity share for arbitrary events, capital destroyed
    /// (table units × event monetary factor / model monetary factor) for capital events.
    pub impacts: Vec<(usize, f64)>,
    /// First step of the event (≥ 1).
    pub occurrence: usize,
    /// Steps before recovery or rebuilding starts (≥ 1).
    pub duration: usize,
    /// Recovery time, steps.
    pub recovery_tau: f64,
    /// Recovery shape.
    pub recovery_function: RecoveryFunction,
    /// BoARIO's `event_monetary_factor` (sets the rounding of recovering damages).
    pub event_monetary_factor: f64,
}

/// NumPy's `round(v, decimals)`: rint(v · 10^d) / 10^d, as BoARIO rounds recovering values.
pub(crate) fn round_to(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round_ties_even() / f
}

impl Event {
    /// Decimals to which BoARIO rounds this event's recovering damages and reconstruction
    /// stock: int(log10(event_monetary_factor)) + 1 (§7.2).
    pub(crate) fn damage_decimals(&self) -> i32 {
        (self.event_monetary_factor.log10() as i32) + 1
    }

    /// Why impact `v` on an industry would break the run; `None` if it is fine. An
    /// arbitrary impact is a capacity share in (0, 1]. For a capital impact (event units)
    /// on an industry of productive capital `capital`, in a model in units of
    /// `monetary_factor`: the tracker takes v × event_monetary_factor / monetary_factor out
    /// of the capital while the event happens and recovers, the reconstruction stock is
    /// built from the unscaled v (Q16: while rebuilding, about v is lost), and recovering
    /// values are rounded to [`Event::damage_decimals`] (which can round up past the capital). Each
    /// would end the run with capital lost above the capital, or overflow into NaN.
    pub(crate) fn impact_problem(
        &self,
        v: f64,
        capital: f64,
        monetary_factor: f64,
    ) -> Option<String> {
        if self.kind == EventKind::Arbitrary {
            return (!(v > 0.0 && v <= 1.0)).then(|| {
                format!(
                    "arbitrary impact {} is out of range: a capacity share in (0, 1]",
                    readable(v)
                )
            });
        }
        // An invalid factor is `Event::check`'s to report (its rounding is undefined).
        if !(self.event_monetary_factor.is_finite() && self.event_monetary_factor >= 1.0) {
            return None;
        }
        if !(v.is_finite() && v > 0.0) {
            return Some(format!(
                "capital impact {} must be a finite positive amount",
                readable(v)
            ));
        }
        let decimals = self.damage_decimals();
        let places = if decimals == 1 {
            "1 decimal".to_string()
        } else {
            format!("{decimals} decimals")
        };
        let unit = 10f64.powi(decimals);
        let scale = self.event_monetary_factor / monetary_factor;
        let lost = v * scale;
        if !(lost * unit).is_finite() {
            return Some(format!(
                "event_monetary_factor {} is too large: damages are rounded to {places}, \
                 and impact {} × event_monetary_factor / monetary_factor overflows \
                 there; set event_monetary_factor to the units of the impact (by default, \
                 monetary_factor)",
                readable(self.event_monetary_factor),
                readable(v)
            ));
        }
        if self.recovery_function == RecoveryFunction::Concave
            && !(lost * self.recovery_tau).is_finite()
        {
            return Some(format!(
                "recovery_tau {} is too large for the concave recovery of impact {}: \
                 impact × recovery_tau overflows",
                readable(self.recovery_tau),
                readable(v)
            ));
        }
        // The most it takes at any step: while happening, `lost`; while recovering, the
        // recovery function rounded, at most its value at e = 0 (`lost` for the linear and
        // convex shapes, (lost · τ) / τ for the concave one, whose denominator only grows).
        let start = match self.recovery_function {
            RecoveryFunction::Concave => (lost * self.recovery_tau) / self.recovery_tau,
            _ => lost,
        };
        let mut peak = lost.max(round_to(start, decimals));
        if let EventKind::Rebuild {
            rebuilding_factor, ..
        } = self.kind
        {
            // An invalid factor is `Event::check`'s to report, not an overflow.
            let valid = rebuilding_factor.is_finite() && rebuilding_factor > 0.0;
            if valid && !(v * rebuilding_factor * unit).is_finite() {
                return Some(format!(
                    "rebuilding_factor {}: the reconstruction stock (impact {} × \
                     rebuilding_factor, rounded to {places}) would overflow; \
                     BoARIO's default is 1",
                    readable(rebuilding_factor),
                    readable(v)
                ));
            }
            // While rebuilding: the unscaled impact (Q16), up to the rounding of the stock.
            peak = peak.max(round_to(v * (1.0 + 1e-12), decimals));
        }
        if peak <= capital {
            return None;
        }
        let units = if scale == 1.0 {
            String::new()
        } else if matches!(self.kind, EventKind::Rebuild { .. }) && scale < 1.0 {
            " (a rebuild event's reconstruction uses the impact unscaled, Q16: set \
             event_monetary_factor = monetary_factor)"
                .to_string()
        } else {
            format!(
                " (× event_monetary_factor / monetary_factor = {})",
                readable(scale)
            )
        };
        Some(format!(
            "capital impact {}{units} takes up to {} out of a productive capital of {} \
             (damages rounded to {places})",
            readable(v),
            readable(peak),
            readable(capital)
        ))
    }

    /// Checks the event against a model whose industries are named by `industries`
    /// (`region|sector`, in industry order; messages name them), `n_sectors` sectors, a
    /// horizon of `steps`, the productive capital (capital kinds may not destroy more than exists) and
    /// the model's `monetary_factor` (capital impacts are scaled by
    /// `event_monetary_factor / monetary_factor` to the table's units, §7.1).
    pub fn check(
        &self,
        index: usize,
        industries: &[String],
        n_sectors: usize,
        steps: usize,
        capital: &[f64],
        monetary_factor: f64,
    ) -> Result<(), SimError> {
        let at = |field: &'static str, message: String| {
            Err(SimError::Event {
                index,
                field: Some(field),
                message,
            })
        };
        let bad = |message: String| {
            Err(SimError::Event {
                index,
                field: None,
                message,
            })
        };
        if self.occurrence == 0 || self.occurrence > steps {
            return at(
                "occurrence",
                format!("occurrence {} must be within 1..={steps}", self.occurrence),
            );
        }
        if self.duration == 0 || self.occurrence + self.duration > steps {
            return at(
                "duration",
                format!(
                    "occurrence + duration = {} must be within the horizon of {steps} steps (duration ≥ 1)",
                    self.occurrence + self.duration
                ),
            );
        }
        if !(self.recovery_tau.is_finite() && self.recovery_tau >= 1.0) {
            return at(
                "recovery_tau",
                format!(
                    "recovery_tau {} must be ≥ 1 step",
                    readable(self.recovery_tau)
                ),
            );
        }
        // Only capital events use it (an arbitrary event's impact is a share): a model's
        // monetary_factor below 1 was refused through an event that never reads it.
        let factor_usable =
            self.event_monetary_factor.is_finite() && self.event_monetary_factor >= 1.0;
        if self.kind != EventKind::Arbitrary && !factor_usable {
            return at(
                "event_monetary_factor",
                format!(
                    "event_monetary_factor {} must be ≥ 1",
                    readable(self.event_monetary_factor)
                ),
            );
        }
        if self.impacts.is_empty() {
            return bad("no industry is affected".into());
        }
        // Before the impacts: their check uses the rebuilding factor.
        if let EventKind::Rebuild {
            rebuild_tau,
            rebuilding_sectors,
            rebuilding_factor,
        } = &self.kind
        {
            if !(rebuild_tau.is_finite() && *rebuild_tau >= 1.0) {
                return at(
                    "rebuild_tau",
                    format!("rebuild_tau {} must be ≥ 1 step", readable(*rebuild_tau)),
                );
            }
            if !(rebuilding_factor.is_finite() && *rebuilding_factor > 0.0) {
                return at(
                    "rebuilding_factor",
                    format!(
                        "rebuilding_factor {} must be positive",
                        readable(*rebuilding_factor)
                    ),
                );
            }
            let total: f64 = rebuilding_sectors.iter().map(|(_, s)| s).sum();
            // BoARIO's check, `np.isclose(sum, 1)` (rtol 1e-5, atol 1e-8): shares written to
            // seven places (0.3333333 × 3) run there and must run here, used as given.
            if rebuilding_sectors.is_empty() {
                return at(
                    "rebuilding_sectors",
                    "rebuilding_sectors is empty: name the sectors that rebuild, with shares \
                     summing to 1 (e.g. { construction = 0.7, manufacturing = 0.3 })"
                        .into(),
                );
            }
            if (total - 1.0).abs() > 1e-8 + 1e-5 {
                return at(
                    "rebuilding_sectors",
                    format!("rebuilding_sectors shares sum to {total}; they must sum to 1"),
                );
            }
            if rebuilding_sectors
                .iter()
                .any(|&(k, s)| k >= n_sectors || s.is_nan() || s < 0.0)
            {
                return at(
                    "rebuilding_sectors",
                    "rebuilding_sectors has an unknown sector or a negative share".into(),
                );
            }
        }
        for &(i, v) in &self.impacts {
            let (Some(name), Some(&capital)) = (industries.get(i), capital.get(i)) else {
                return bad(format!(
                    "industry index {i} is outside the model ({} industries)",
                    industries.len()
                ));
            };
            if let Some(problem) = self.impact_problem(v, capital, monetary_factor) {
                return bad(format!("{name}: {problem}"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The productive capital of reg3|mining in the test MRIO (8 decimals in f64).
    const K: f64 = 98187064.0899358;

    fn recover(impact: f64, emf: f64) -> Event {
        Event {
            kind: EventKind::Recover,
            impacts: vec![(0, impact)],
            occurrence: 3,
            duration: 5,
            recovery_tau: 30.0,
            recovery_function: RecoveryFunction::Linear,
            event_monetary_factor: emf,
        }
    }

    fn rebuild(impact: f64, emf: f64, factor: f64) -> Event {
        Event {
            kind: EventKind::Rebuild {
                rebuild_tau: 30.0,
                rebuilding_sectors: vec![(0, 1.0)],
                rebuilding_factor: factor,
            },
            ..recover(impact, emf)
        }
    }

    fn check(ev: &Event, monetary_factor: f64) -> Result<(), String> {
        ev.check(0, &["reg3|mining".into()], 1, 40, &[K], monetary_factor)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn capital_impacts_are_checked_in_the_table_units_the_tracker_uses() {
        // Event units equal to the table's: the impact itself is what is lost.
        assert!(check(&recover(5e7, 1e6), 1e6).is_ok());
        // 5e7 in units of 1e9 against a table in 1e6: 5e10 is lost.
        let err = check(&recover(5e7, 1e9), 1e6).unwrap_err();
        assert!(err.contains("takes up to 50000000000"), "{err}");
        assert!(err.contains("reg3|mining: capital impact"), "{err}");
        // An industry the model does not have is named by its index and the model's size.
        let mut outside = recover(5e7, 1e6);
        outside.impacts = vec![(3, 5e7)];
        let err = check(&outside, 1e6).unwrap_err();
        assert!(
            err.contains("industry index 3 is outside the model (1 industries)"),
            "{err}"
        );
        // Event units smaller than the table's scale a recover impact down…
        assert!(check(&recover(5e9, 1e3), 1e6).is_ok());
        // …but a rebuild event's reconstruction uses the impact unscaled (Q16).
        let err = check(&rebuild(5e9, 1e3, 1.0), 1e6).unwrap_err();
        assert!(err.contains("Q16"), "{err}");
        assert!(check(&rebuild(5e7, 1e6, 1.0), 1e6).is_ok());
    }

    /// Recovering damages are rounded to int(log10(event_monetary_factor)) + 1 decimals:
    /// with raw units (factors 1) the whole capital rounds up past itself.
    #[test]
    fn an_impact_that_rounds_up_past_the_capital_is_rejected() {
        let err = check(&recover(K, 1.0), 1.0).unwrap_err();
        assert!(err.contains("rounded to 1 decimal)"), "{err}");
        assert!(check(&recover(K - 1.0, 1.0), 1.0).is_ok());
        // With more decimals than f64 holds at this size, rounding leaves K as it is.
        assert!(check(&recover(K, 1e6), 1e6).is_ok());
    }

    #[test]
    fn overflowing_factors_name_their_key() {
        let err = check(&recover(1e-300, 1e308), 1e6).unwrap_err();
        assert!(err.contains("event_monetary_factor 1e308"), "{err}");
        let mut concave = recover(5e7, 1e6);
        concave.recovery_function = RecoveryFunction::Concave;
        concave.recovery_tau = 1e308;
        let err = check(&concave, 1e6).unwrap_err();
        assert!(err.contains("recovery_tau 1e308"), "{err}");
        let err = check(&rebuild(5e7, 1e6, 1e300), 1e6).unwrap_err();
        assert!(err.contains("rebuilding_factor 1e300"), "{err}");
    }
}
