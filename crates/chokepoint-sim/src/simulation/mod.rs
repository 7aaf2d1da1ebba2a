//! The time loop (ARIO_SPEC.md §4): applies events, steps the model, calls
//! recorders, and says why a run stopped. Files and progress bars are recorders
//! owned by the caller; the loop itself writes nothing.

mod records;

pub use records::{RECORD_NAMES, Records, Series};

use crate::events::{Event, EventTracker};
use crate::{Controls, Model, SimError, StepError};

/// Why a run stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum RunOutcome {
    /// Every step of the horizon ran.
    HorizonReached {
        /// Steps run.
        steps: usize,
    },
    /// A recorder asked to stop (e.g. Ctrl-C).
    Interrupted {
        /// Steps run before the stop.
        steps: usize,
    },
    /// A model invariant broke (BoARIO's "crash", §4); the state up to `steps` was recorded.
    Crashed {
        /// Steps completed before the failing one.
        steps: usize,
        /// What broke.
        error: StepError,
    },
}

/// What a recorder sees after each step.
#[derive(Debug, Clone, Copy)]
pub struct StepView<'a> {
    /// Step number t (0-based).
    pub step: usize,
    /// The model after the step.
    pub model: &'a Model,
    /// Capital lost at the start of the step (table units); `None` while only arbitrary
    /// events are active (BoARIO records NaN then).
    pub capital_lost: Option<&'a [f64]>,
}

impl<'a> StepView<'a> {
    /// The step's row of every record, in the order of [`RECORD_NAMES`]: the one mapping
    /// from a step to the records, for the in-memory [`Records`] and the CLI's files alike.
    /// The capital lost is `None` while only arbitrary events are active.
    pub fn record_rows(&self) -> [Option<&'a [f64]>; 10] {
        let m = self.model;
        [
            Some(m.production()),
            Some(m.production_capacity()),
            Some(m.overproduction()),
            Some(m.final_demand_unmet()),
            Some(m.final_demand_undist()),
            Some(m.final_demand_tot()),
            Some(m.intermediate_demand_tot()),
            Some(m.rebuild_demand_tot()),
            Some(m.rebuild_prod_tot()),
            self.capital_lost,
        ]
    }
}

/// Receives the state of a run; every hook has a no-op default. `Send` because a run
/// steps on a thread of the rayon pool (see [`Simulation::run`]).
pub trait Recorder: Send {
    /// Before the first step.
    fn on_start(&mut self, _model: &Model, _steps: usize) {}
    /// After each step; return `false` to stop the run.
    fn on_step(&mut self, _view: StepView<'_>) -> bool {
        true
    }
    /// After the last step.
    fn on_end(&mut self, _model: &Model, _outcome: &RunOutcome) {}
}

/// A model, its events and a horizon.
#[derive(Debug, Clone)]
pub struct Simulation {
    model: Model,
    tracker: EventTracker,
    steps: usize,
    t: usize,
}

impl Simulation {
    /// Checks the events against the model and the horizon.
    pub fn new(model: Model, events: Vec<Event>, steps: usize) -> Result<Self, SimError> {
        if steps == 0 {
            return Err(SimError::Parameter {
                name: "steps".into(),
                message: "the horizon must be at least 1 step".into(),
            });
        }
        let industries = if events.is_empty() {
            Vec::new()
        } else {
            model.industry_labels()
        };
        for (k, ev) in events.iter().enumerate() {
            ev.check(
                k,
                &industries,
                model.n_sectors(),
                steps,
                model.productive_capital(),
                model.params().monetary_factor,
            )?;
        }
        let tracker = EventTracker::new(events, &model);
        Ok(Simulation {
            model,
            tracker,
            steps,
            t: 0,
        })
    }

    /// The model in its current state.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The horizon in steps.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The next step to run.
    pub fn current_step(&self) -> usize {
        self.t
    }

    /// Capital lost at the start of the last step (see [`StepView::capital_lost`]).
    pub fn capital_lost(&self) -> Option<&[f64]> {
        self.tracker.capital_lost()
    }

    /// Runs one step with optional policy controls (§5.1–§5.7).
    pub fn step(&mut self, controls: Option<&mut Controls>) -> Result<(), StepError> {
        let t = self.t;
        self.tracker.begin_step(t, &mut self.model)?;
        self.model.step(t, controls)?;
        self.tracker.end_step(t, &self.model);
        self.t += 1;
        Ok(())
    }

    /// Runs the remaining horizon without controls.
    ///
    /// The loop runs on a thread of the rayon pool: each step's parallel sections then
    /// start on the stepping thread and wake one helper, instead of handing every section
    /// from an outside thread to the pool and back (two wake-ups per section, measured
    /// at about 10 % of a step at N = 2,500).
    pub fn run(&mut self, recorder: &mut dyn Recorder) -> RunOutcome {
        self.run_inner(recorder, None, &mut |_, _, _| {})
    }

    /// Runs the remaining horizon with policy controls: before each step `policy(t, model,
    /// controls)` sets the levers from the model's state (after the previous step), then the
    /// step runs with them and writes the gates' requested/delivered volumes back.
    pub fn run_with(
        &mut self,
        recorder: &mut dyn Recorder,
        controls: &mut Controls,
        mut policy: impl FnMut(usize, &Model, &mut Controls) + Send,
    ) -> RunOutcome {
        self.run_inner(recorder, Some(controls), &mut policy)
    }

    fn run_inner(
        &mut self,
        recorder: &mut dyn Recorder,
        controls: Option<&mut Controls>,
        policy: &mut (dyn FnMut(usize, &Model, &mut Controls) + Send),
    ) -> RunOutcome {
        rayon::scope(|_| self.run_loop(recorder, controls, policy))
    }

    fn run_loop(
        &mut self,
        recorder: &mut dyn Recorder,
        mut controls: Option<&mut Controls>,
        policy: &mut (dyn FnMut(usize, &Model, &mut Controls) + Send),
    ) -> RunOutcome {
        recorder.on_start(&self.model, self.steps);
        let outcome = loop {
            if self.t >= self.steps {
                break RunOutcome::HorizonReached { steps: self.t };
            }
            if let Some(c) = controls.as_deref_mut() {
                policy(self.t, &self.model, c);
            }
            if let Err(error) = self.step(controls.as_deref_mut()) {
                break RunOutcome::Crashed {
                    steps: self.t,
                    error,
                };
            }
            let view = StepView {
                step: self.t - 1,
                model: &self.model,
                capital_lost: self.tracker.capital_lost(),
            };
            if !recorder.on_step(view) {
                break RunOutcome::Interrupted { steps: self.t };
            }
        };
        recorder.on_end(&self.model, &outcome);
        outcome
    }
}
