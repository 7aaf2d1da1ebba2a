//! Errors of this crate; each says whether the user can fix it.

use std::path::{Path, PathBuf};

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// Input the user supplied is invalid.
    #[error("{0}")]
    Invalid(String),
    /// The caller stopped a Monte Carlo before all its runs (a request that timed out).
    #[error("the simulation was stopped before all its runs finished")]
    Cancelled,
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An MRIO table file is malformed (bad number, ragged row, unknown label).
    #[error("{}:{line}: {message}", path.display())]
    MrioFile {
        /// The table file.
        path: PathBuf,
        /// 1-based line number (0 when the problem is the whole file).
        line: u64,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The MRIO tables do not fit together (shapes, labels, regions × sectors).
    #[error("MRIO in {}: {message}", path.display())]
    MrioShape {
        /// The MRIO folder.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// Model parameters are out of range.
    #[error("invalid model parameter `{name}`: {message}")]
    Parameter {
        /// Parameter name, as in the scenario file.
        name: String,
        /// What is wrong and the allowed values.
        message: String,
    },
    /// An event definition does not fit the network or the horizon.
    #[error("invalid event #{index}: {message}")]
    Event {
        /// 0-based position of the event in the scenario.
        index: usize,
        /// The event's key at fault (`rebuilding_factor`), when one is.
        field: Option<&'static str>,
        /// What is wrong and the allowed values.
        message: String,
    },
    /// A scenario file is invalid; points at the key (and line:column when known).
    #[error("{}{}: `{key}`: {message}", path.display(), location.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default())]
    Scenario {
        /// The scenario file.
        path: PathBuf,
        /// 1-based line and column of the offending key or value, when known.
        location: Option<(usize, usize)>,
        /// The offending key (dotted path).
        key: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A model invariant broke during a step (a bug or a degenerate table).
    #[error(transparent)]
    Step(#[from] StepError),
    /// A run stopped at a step, described for people (industries and inputs by name, see
    /// [`StepError::describe`]).
    #[error("{message}")]
    Run {
        /// What happened, with names.
        message: String,
        /// The error as the engine raised it. Not a `source`: the message already says it
        /// with names, and error printers would repeat it with indices.
        error: StepError,
    },
    /// A scenario (or network) file is not valid TOML.
    #[error("{}:{line}:{column}: {message}", file.display())]
    Syntax {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// A chain network (loaded from a file) is not balanced or not complete.
    #[error("network: {0}")]
    Network(String),
    /// The facts handed over to build the bundled chain are incomplete (a data problem).
    #[error("chain facts: {0}")]
    Facts(String),
    /// A chain-model invariant broke (mass balance, negative stock): a bug, never the
    /// user's fault.
    #[error("day {step}: chain invariant broken: {message}")]
    ChainStep {
        /// Day index.
        step: usize,
        /// Which invariant.
        message: String,
    },
}

/// The text of file `path` (a scenario or network file, read under the cap of
/// [`chokepoint_model::read_small_text`]), or [`SimError::Io`] naming it.
pub fn read_text(path: &Path) -> Result<String, SimError> {
    chokepoint_model::read_small_text(path).map_err(|source| SimError::Io {
        path: path.to_path_buf(),
        source,
    })
}

impl SimError {
    /// The error of a scenario that came as JSON and was read as TOML: its key path is
    /// the client's, a line and column are of text the client never sent, so they go.
    pub fn without_location(self) -> SimError {
        match self {
            SimError::Scenario {
                path, key, message, ..
            } => SimError::Scenario {
                path,
                location: None,
                key,
                message,
            },
            other => other,
        }
    }

    /// True when the user can fix the cause (bad file, bad argument): exit code 2, HTTP 4xx.
    pub fn is_user_error(&self) -> bool {
        match self {
            SimError::Invalid(_)
            | SimError::Io { .. }
            | SimError::MrioFile { .. }
            | SimError::MrioShape { .. }
            | SimError::Parameter { .. }
            | SimError::Event { .. }
            | SimError::Scenario { .. }
            | SimError::Syntax { .. }
            | SimError::Network(_) => true,
            // Capital lost depends only on the events' impacts, never on the model's state.
            SimError::Step(e) | SimError::Run { error: e, .. } => e.is_input_error(),
            SimError::Facts(_) | SimError::ChainStep { .. } | SimError::Cancelled => false,
        }
    }
}

/// An engine invariant broke during a step (BoARIO raises or "crashes" there, §4, Q20).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StepError {
    /// Production capacity came out negative (an impact larger than the capacity) or NaN.
    #[error("step {step}: production capacity of industry {industry} is {value}")]
    BadCapacity {
        /// Step number.
        step: usize,
        /// Industry index.
        industry: usize,
        /// The value found.
        value: f64,
    },
    /// An inventory became negative or NaN during distribution.
    #[error("step {step}: inventory of input {input} at industry {industry} is {value}")]
    BadStock {
        /// Step number.
        step: usize,
        /// Input sector index.
        input: usize,
        /// Industry index.
        industry: usize,
        /// The value found.
        value: f64,
    },
    /// An order came out negative or NaN.
    #[error("step {step}: order of input {input} by industry {client} is {value}")]
    BadOrder {
        /// Step number.
        step: usize,
        /// Input sector index.
        input: usize,
        /// Client industry index.
        client: usize,
        /// The value found.
        value: f64,
    },
    /// Controls passed to the step have the wrong length or an out-of-range value.
    #[error("controls: {0}")]
    Controls(String),
    /// Capital lost exceeds the productive capital of an industry: the events' impacts
    /// (several capital events on one industry add up) are too large for the table.
    #[error(
        "step {step}: capital lost {lost} exceeds the productive capital {capital} of industry {industry}"
    )]
    CapitalExceeded {
        /// Step number.
        step: usize,
        /// Industry index.
        industry: usize,
        /// Capital lost at that step (table units).
        lost: f64,
        /// The industry's productive capital.
        capital: f64,
    },
}

impl StepError {
    /// True when the input alone caused it (the scenario's impacts), so that the user can
    /// fix it: exit code 2 like any other bad input.
    pub fn is_input_error(&self) -> bool {
        matches!(self, StepError::CapitalExceeded { .. })
    }

    /// This error as a [`SimError::Run`] described with `model`'s names, after `context`
    /// (e.g. which run it was; empty for none).
    pub fn in_model(self, model: &crate::Model, context: &str) -> SimError {
        let described = self.describe_in(model);
        let message = if context.is_empty() {
            described
        } else {
            format!("{context}: {described}")
        };
        SimError::Run {
            message,
            error: self,
        }
    }

    /// [`StepError::describe`] with `model`'s industries and sectors.
    pub fn describe_in(&self, model: &crate::Model) -> String {
        self.describe(&model.industry_labels(), model.sectors())
    }

    /// The message with industries as `region|sector` (`industries`, in model order) and
    /// input sectors by name (`sectors`), for people; `Display` gives indices.
    pub fn describe(&self, industries: &[String], sectors: &[String]) -> String {
        use crate::model::readable;
        let industry = |i: usize| {
            industries
                .get(i)
                .map_or_else(|| i.to_string(), Clone::clone)
        };
        let sector = |p: usize| sectors.get(p).map_or_else(|| p.to_string(), Clone::clone);
        match self {
            StepError::BadCapacity {
                step,
                industry: i,
                value,
            } => format!(
                "step {step}: production capacity of {} is {}",
                industry(*i),
                readable(*value)
            ),
            StepError::BadStock {
                step,
                input,
                industry: i,
                value,
            } => format!(
                "step {step}: inventory of {} inputs at {} is {}",
                sector(*input),
                industry(*i),
                readable(*value)
            ),
            StepError::BadOrder {
                step,
                input,
                client,
                value,
            } => format!(
                "step {step}: order of {} inputs by {} is {}",
                sector(*input),
                industry(*client),
                readable(*value)
            ),
            StepError::CapitalExceeded {
                step,
                industry: i,
                lost,
                capital,
            } => format!(
                "step {step}: capital lost {} exceeds the productive capital {} of {}: the \
                 capital events active then destroy more than there is (impacts of several \
                 events on one industry add up); lower their impacts",
                readable(*lost),
                readable(*capital),
                industry(*i)
            ),
            StepError::Controls(_) => self.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_errors_name_industries_and_inputs() {
        let industries = ["reg1|food".to_string(), "reg2|mining".to_string()];
        let sectors = ["food".to_string(), "mining".to_string()];
        let stock = StepError::BadStock {
            step: 4,
            input: 1,
            industry: 0,
            value: f64::NAN,
        };
        assert_eq!(
            stock.describe(&industries, &sectors),
            "step 4: inventory of mining inputs at reg1|food is NaN"
        );
        let capacity = StepError::BadCapacity {
            step: 6,
            industry: 1,
            value: -2.5,
        };
        assert_eq!(
            capacity.describe(&industries, &sectors),
            "step 6: production capacity of reg2|mining is -2.5"
        );
        // An index outside the labels falls back to the number.
        let order = StepError::BadOrder {
            step: 1,
            input: 7,
            client: 9,
            value: -1.0,
        };
        assert_eq!(
            order.describe(&industries, &sectors),
            "step 1: order of 7 inputs by 9 is -1"
        );
    }

    #[test]
    fn errors_are_send_sync_static() {
        fn check<T: Send + Sync + 'static>() {}
        check::<SimError>();
        check::<StepError>();
    }

    #[test]
    fn step_errors_are_not_user_errors() {
        let e = SimError::from(StepError::Controls("x".into()));
        assert!(!e.is_user_error());
        assert!(SimError::Invalid("x".into()).is_user_error());
    }
}
