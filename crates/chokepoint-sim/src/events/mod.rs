//! Shocks that change the model over time (ARIO_SPEC.md §7): arbitrary capacity
//! losses, capital destroyed then recovered, capital destroyed then rebuilt. Each
//! event moves through pending → happening → recovering | rebuilding → finished;
//! [`EventTracker`] holds that lifecycle and computes what the model sees each step.

mod tracker;

pub use tracker::EventTracker;

use crate::SimError;

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

impl Event {
    /// Checks the event against a model of `n` industries, `n_sectors` sectors, a horizon of
    /// `steps`, the productive capital (capital kinds may not destroy more than exists) and
    /// the model's `monetary_factor` (capital impacts are scaled by
    /// `event_monetary_factor / monetary_factor` to the table's units, §7.1).
    pub fn check(
        &self,
        index: usize,
        n: usize,
        n_sectors: usize,
        steps: usize,
        capital: &[f64],
        monetary_factor: f64,
    ) -> Result<(), SimError> {
        let bad = |message: String| Err(SimError::Event { index, message });
        if self.occurrence == 0 || self.occurrence > steps {
            return bad(format!(
                "occurrence {} must be within 1..={steps}",
                self.occurrence
            ));
        }
        if self.duration == 0 || self.occurrence + self.duration > steps {
            return bad(format!(
                "occurrence + duration = {} must be within the horizon of {steps} steps (duration ≥ 1)",
                self.occurrence + self.duration
            ));
        }
        if !(self.recovery_tau.is_finite() && self.recovery_tau >= 1.0) {
            return bad(format!(
                "recovery_tau {} must be ≥ 1 step",
                self.recovery_tau
            ));
        }
        if !(self.event_monetary_factor.is_finite() && self.event_monetary_factor >= 1.0) {
            return bad(format!(
                "event_monetary_factor {} must be ≥ 1",
                self.event_monetary_factor
            ));
        }
        if self.impacts.is_empty() {
            return bad("no industry is affected".into());
        }
        for &(i, v) in &self.impacts {
            if i >= n {
                return bad(format!("industry index {i} is outside the model"));
            }
            match self.kind {
                EventKind::Arbitrary if !(v > 0.0 && v <= 1.0) => {
                    return bad(format!(
                        "arbitrary impact {v} must be a capacity share in (0, 1]"
                    ));
                }
                EventKind::Recover | EventKind::Rebuild { .. } if !(v.is_finite() && v > 0.0) => {
                    return bad(format!("capital impact {v} must be a positive amount"));
                }
                EventKind::Recover | EventKind::Rebuild { .. }
                    if v * (self.event_monetary_factor / monetary_factor) > capital[i] =>
                {
                    return bad(format!(
                        "capital impact {v} × event_monetary_factor / monetary_factor ({:e}) \
                         exceeds the productive capital {} of industry {i}",
                        self.event_monetary_factor / monetary_factor,
                        capital[i]
                    ));
                }
                _ => {}
            }
        }
        if let EventKind::Rebuild {
            rebuild_tau,
            rebuilding_sectors,
            rebuilding_factor,
        } = &self.kind
        {
            if !(rebuild_tau.is_finite() && *rebuild_tau >= 1.0) {
                return bad(format!("rebuild_tau {rebuild_tau} must be ≥ 1 step"));
            }
            if !(rebuilding_factor.is_finite() && *rebuilding_factor > 0.0) {
                return bad(format!(
                    "rebuilding_factor {rebuilding_factor} must be positive"
                ));
            }
            // The reconstruction stock is impact × rebuilding_factor (§7.4), rounded each
            // step to int(log10(event_monetary_factor)) + 1 decimals, i.e. scaled by at most
            // 10 × event_monetary_factor first: an overflow there would end the run as a
            // crash a few steps in.
            let rounding = 10.0 * self.event_monetary_factor;
            if let Some(&(_, v)) = self
                .impacts
                .iter()
                .find(|(_, v)| !(v * rebuilding_factor * rounding).is_finite())
            {
                return bad(format!(
                    "rebuilding_factor {rebuilding_factor:e}: the reconstruction stock \
                     (impact {v} × rebuilding_factor, rounded to the decimals of \
                     event_monetary_factor) would overflow; BoARIO's default is 1"
                ));
            }
            let total: f64 = rebuilding_sectors.iter().map(|(_, s)| s).sum();
            if rebuilding_sectors.is_empty() || (total - 1.0).abs() > 1e-9 {
                return bad(format!(
                    "rebuilding_sectors shares sum to {total}; they must sum to 1"
                ));
            }
            if rebuilding_sectors
                .iter()
                .any(|&(k, s)| k >= n_sectors || s.is_nan() || s < 0.0)
            {
                return bad("rebuilding_sectors has an unknown sector or a negative share".into());
            }
        }
        Ok(())
    }
}
