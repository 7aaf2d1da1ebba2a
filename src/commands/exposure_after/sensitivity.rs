//! What the importer's consumption figures would be at other values of the assumption its
//! own output of the stage rests on. In the bundled chain the EU's magnet output is the
//! share of output outside China that `non_china_magnet_japan_share` leaves to the EU (the
//! data bound it: under 2,000 t for North America and Europe together), and its import
//! reliance, apparent consumption and the CRMA share of
//! consumption rest on it (analyst review: 75 % reliance was named as resting on the split,
//! not measured against it).

use chokepoint_server::after::Sensitivity;
use chokepoint_sim::SimError;
use chokepoint_sim::montecarlo::{self, NetworkInput};
use chokepoint_sim::network::assumptions::Key;
use chokepoint_sim::network::chain::output_assumption;
use chokepoint_sim::policies::Draw;
use chokepoint_sim::policies::dist::Param;

use super::AfterRun;
use super::crma::crma_of;
use super::figures::{Measure, Measured};

/// How far from its central value the assumption is set, each way (within its range): a
/// split of 92 % Japan is tried at 72 % and 100 %.
const STEP: f64 = 0.2;

impl AfterRun {
    /// The assumption the importer's own output of the stage rests on
    /// ([`output_assumption`]), with its central value in the scenario; `None` when that
    /// output is data, or the network is a fixed file (its assumptions are not applied).
    fn own_output_assumption(&self) -> Option<(Key, f64)> {
        let NetworkInput::Bundled(_) = &self.input else {
            return None;
        };
        let key = output_assumption(&self.regions[self.r], self.stage.as_str())?;
        Some((key, Draw::central(&self.scenario).assumptions.get(key)))
    }

    /// The values the assumption is set to: its central value ± [`STEP`], within range.
    fn sensitivity_values(&self) -> Option<(Key, f64, Vec<f64>)> {
        let (key, central) = self.own_output_assumption()?;
        let spec = key.spec();
        let mut values: Vec<f64> = Vec::new();
        for v in [central - STEP, central + STEP] {
            let v = v.clamp(spec.min, spec.max);
            // Rounded to the hundredth the report prints (0.7 - 0.2 = 0.49999999999999994).
            let v = (v * 100.0).round() / 100.0;
            if (v - central).abs() > 1e-9 && !values.contains(&v) {
                values.push(v);
            }
        }
        Some((key, central, values))
    }

    /// Simulations per Monte Carlo run: the run, and one per sensitivity value (what a
    /// size limit counts).
    pub fn simulations_per_run(&self) -> usize {
        1 + self.sensitivity_values().map_or(0, |(_, _, v)| v.len())
    }

    /// The consumption figures with the assumption fixed at each sensitivity value, over
    /// the same runs and seed (`tick` hears of each run, as for the main runs).
    /// `upper`: the main share is an upper bound (one supplier in the chain), as it is here.
    pub(super) fn sensitivity(
        &self,
        tick: &dyn montecarlo::RunMonitor,
        upper: bool,
    ) -> Result<Vec<Sensitivity>, SimError> {
        let Some((key, central, values)) = self.sensitivity_values() else {
            return Ok(Vec::new());
        };
        let spec = key.spec();
        let mut out = Vec::new();
        for value in values {
            let mut scenario = self.scenario.clone();
            let fixed = Param::fixed(value, spec.min, spec.max);
            // In place, so that the other parameters are drawn as in the main runs.
            match scenario
                .assumptions
                .iter_mut()
                .find(|(i, _)| *i == key as usize)
            {
                Some((_, p)) => *p = fixed,
                None => scenario.assumptions.push((key as usize, fixed)),
            }
            let runs =
                montecarlo::run_many(&scenario, &self.input, self.runs, self.seed, false, tick)?;
            let Measured {
                before,
                requested,
                after,
            } = self.measure(&runs)?;
            let mut figures: Vec<_> = [Measure::CrmaShare, Measure::Reliance, Measure::Consumption]
                .into_iter()
                .map(|m| m.band(&before, &after))
                .collect();
            // What a shortage is measured against, as in the main figures.
            figures.push(Measure::Consumption.requested_band(&before, &requested));
            out.push(Sensitivity {
                assumption: spec.key.to_string(),
                value,
                central,
                crma: crma_of(&figures, self.world_share_proxy(), upper),
                figures,
            });
        }
        Ok(out)
    }

    /// Says that the importer's own output is an assumption, not data, and where the
    /// sensitivity rows are; `None` when it is data.
    pub(super) fn own_output_note(&self, sensitivity: &[Sensitivity]) -> Option<String> {
        let (key, japan) = self.own_output_assumption()?;
        let region = &self.regions[self.r];
        let whose = if japan == key.spec().default {
            "the default: the most EU output the bundled figure allows, North America and \
             Europe making under 2,000 t a year"
        } else {
            "as this scenario's [assumptions] set it (central value); the default, 0.92, is the \
             most EU output the bundled figure allows"
        };
        let tried: Vec<String> = sensitivity
            .iter()
            .map(|s| format!("{:.2}", s.value))
            .collect();
        let rows = if tried.is_empty() {
            String::new()
        } else {
            format!(
                "; the rows named …@{}=VALUE give them at {} (same runs and seed)",
                key.spec().key,
                tried.join(" and ")
            )
        };
        Some(format!(
            "{region}'s own magnet output in the chain is an assumption, not a measured \
             figure: the output outside China is split {:.0} % Japan, {:.0} % EU by {} = {japan:.2} ({whose}), and \
             import reliance, apparent consumption and the CRMA share of consumption rest on \
             it{rows}",
            100.0 * japan,
            100.0 * (1.0 - japan),
            key.spec().key
        ))
    }
}
