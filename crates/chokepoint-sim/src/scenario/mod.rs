//! Scenario files (TOML) → a checked [`Scenario`]: network, model parameters with
//! BoARIO's names and defaults, horizon and events. Every error names the file,
//! the key and, from the TOML parser's spans, the line:column.
//!
//! ```toml
//! [network]
//! mrio = "path/to/folder"      # relative to the scenario file
//! [model]
//! kind = "psi"                 # "psi" | "base"
//! order_type = "alt"           # "alt" | "noalt"
//! [simulation]
//! steps = 365
//! [[event]]
//! kind = "arbitrary"           # "arbitrary" | "recover" | "rebuild"
//! region = "reg3"
//! sector = "mining"
//! impact = 0.3
//! occurrence = 10
//! duration = 90
//! recovery_tau = 30
//! ```

mod event;
mod model_params;
mod raw;

use std::path::{Path, PathBuf};

use toml::Spanned;

use crate::events::Event;
use crate::model::ModelParams;
use crate::network::Mrio;
use crate::{Model, SimError, Simulation};
use event::{Table, event};
use model_params::model_params;
use raw::RawScenario;

/// The longest horizon a scenario (ARIO steps, or policy `chain.days`) may ask for: a
/// century of daily steps (the records of every step are kept, and a larger number is a
/// typo).
pub(crate) const MAX_STEPS: i64 = 36_500;

/// A checked scenario: the network, the model parameters, the horizon and the events.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The scenario file.
    pub path: PathBuf,
    /// The MRIO folder (resolved against the scenario file's folder).
    pub mrio_path: PathBuf,
    /// The network.
    pub mrio: Mrio,
    /// Model parameters.
    pub params: ModelParams,
    /// Number of steps.
    pub steps: usize,
    /// Checked events.
    pub events: Vec<Event>,
    /// Non-fatal remarks (e.g. psi parameters ignored under `kind = "base"`).
    pub warnings: Vec<String>,
    /// Line and column of `network.mrio` in the file, for errors the table gives only
    /// when the model is built.
    mrio_location: (usize, usize),
}

struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Ctx<'_> {
    /// The text as `T`; a syntax or type error at its line:column, named `key`.
    /// The key is the one at the error's position when the text names it (`model.foo`,
    /// `simulation.steps`), else `key`; Rust type names in the message are said in words.
    fn read<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<T, SimError> {
        toml::from_str(self.text).or_else(|e| {
            let mut msg = plain_types(e.message().trim());

            // serde calls a TOML date and an array of tables "a map": say what was written.
            let written = e
                .span()
                .and_then(|s| self.text.get(s))
                .map(str::trim_start)
                .unwrap_or("");
            if let Some(expected) = msg.strip_prefix("invalid type: map, ") {
                if let Some(header) = written.strip_prefix("[[") {
                    let name = header.split("]]").next().unwrap_or("").trim();
                    msg = format!(
                        "`[[{name}]]` makes a list of tables, and `{name}` is one table: write \
                         `[{name}]`"
                    );
                } else if let Some(header) = written
                    .strip_prefix('[')
                    .filter(|_| expected.starts_with("expected a sequence"))
                {
                    // The reverse: `[event]` where a list of events is read (ARIO review:
                    // "invalid type: map, expected a sequence" named no fix).
                    let name = header.split(']').next().unwrap_or("").trim();
                    msg = format!(
                        "`[{name}]` makes one table, and `{name}` is a list of them: write \
                         `[[{name}]]` before each"
                    );
                } else if written.len() >= 10
                    && written.as_bytes()[4] == b'-'
                    && written[..4].bytes().all(|b| b.is_ascii_digit())
                {
                    let what = expected.strip_prefix("expected ").unwrap_or(expected);
                    msg = format!("a date was written where {what} is expected");
                }
            }
            let named = e
                .span()
                .and_then(|s| chokepoint_model::toml_key_at(self.text, s.start));
            // `region = ["reg1", "reg2"]`: the list has its own key.
            if let Some(one) = named
                .as_deref()
                .and_then(|k| k.rsplit('.').next())
                .filter(|k| matches!(*k, "region" | "sector"))
                && msg.contains("sequence")
            {
                msg.push_str(&format!("; for several, write `{one}s = [...]`"));
            }
            self.err(e.span(), named.as_deref().unwrap_or(key), msg)
        })
    }

    /// The option of `[model] key` named by `value` (`what` names it in the error).
    fn choice<T: Copy>(
        &self,
        value: &Spanned<String>,
        key: &str,
        what: &str,
        options: &[(&str, T)],
    ) -> Result<T, SimError> {
        let name = value.get_ref().as_str();
        if let Some((_, v)) = options.iter().find(|(o, _)| *o == name) {
            return Ok(*v);
        }
        let quoted: Vec<String> = options.iter().map(|(o, _)| format!("\"{o}\"")).collect();
        let expected = match quoted.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        };
        self.err(
            Some(value.span()),
            format!("model.{key}"),
            format!("unknown {what} `{name}`; expected {expected}"),
        )
    }

    fn err<T>(
        &self,
        span: Option<std::ops::Range<usize>>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Result<T, SimError> {
        Err(SimError::Scenario {
            path: self.path.to_path_buf(),
            location: span.map(|s| chokepoint_model::line_column(self.text, s.start)),
            key: key.into(),
            message: message.into(),
        })
    }
}

/// A deserialiser's message with Rust's type names in words (`expected i64` → `expected a
/// whole number`): the reader of a scenario error need not know Rust.
fn plain_types(message: &str) -> String {
    let mut out = message.to_string();
    for (rust, words) in [
        ("i64", "a whole number"),
        ("i32", "a whole number"),
        ("u64", "a whole number of 0 or more"),
        ("u32", "a whole number of 0 or more"),
        ("usize", "a whole number of 0 or more"),
        ("f64", "a number"),
        ("f32", "a number"),
    ] {
        out = out.replace(&format!("expected {rust}"), &format!("expected {words}"));
    }
    out
}

/// The folder that relative paths in scenario file `path` resolve against: the file's own,
/// or the current folder for a scenario read from standard input or another descriptor or
/// pipe (`/dev/stdin`, whose own folder would be `/dev`). Files under `/dev/shm` or
/// `/proc/self/cwd` keep their folder.
pub(crate) fn relative_base(path: &Path) -> &Path {
    // A descriptor's path (`/dev/stdin`, `/dev/fd/N`, `/proc/self/fd/N`), which may name a
    // regular file (a here-string's), or anything that is not a regular file (a pipe).
    let descriptor = path == Path::new("/dev/stdin")
        || path.starts_with("/dev/fd")
        || (path.starts_with("/proc") && path.parent().is_some_and(|p| p.ends_with("fd")));
    let streamed = descriptor || std::fs::metadata(path).is_ok_and(|m| !m.is_file());
    match path.parent() {
        Some(folder) if !streamed => folder,
        _ => Path::new("."),
    }
}

impl Scenario {
    /// Reads and checks a scenario file, loading its MRIO.
    pub fn load(path: &Path) -> Result<Self, SimError> {
        let text = crate::read_text(path)?;
        Self::parse(path, &text)
    }

    /// Parses and checks scenario `text` as if read from `path` (relative MRIO paths resolve
    /// against `path`'s folder).
    pub fn parse(path: &Path, text: &str) -> Result<Self, SimError> {
        let cx = Ctx { path, text };
        let raw: RawScenario = cx.read("(file)")?;
        let Some(network) = raw.network else {
            return cx.err(
                None,
                "network.mrio",
                "missing [network] table with `mrio = \"folder\"`",
            );
        };
        let mrio_path = relative_base(path).join(network.mrio.get_ref());
        let mrio_location = chokepoint_model::line_column(text, network.mrio.span().start);
        let mrio = Mrio::load(&mrio_path).map_err(|e| SimError::Scenario {
            path: path.to_path_buf(),
            location: Some(mrio_location),
            key: "network.mrio".into(),
            message: e.to_string(),
        })?;
        let mut warnings = Vec::new();
        // BoARIO runs such a table without a word, and every record is zero.
        if mrio.x.iter().all(|v| *v == 0.0) {
            warnings.push(format!(
                "{}: the table in {} has zero output in every industry: every record will be \
                 zero",
                path.display(),
                mrio_path.display()
            ));
        }
        // pymrio's x is Z·1 + Y·1; a gap of a millionth is past any rounding of a saved
        // table (the reference tables are within 1e-15), and BoARIO runs it without a word.
        if let Some(gap) = mrio.output_gaps(1e-6) {
            warnings.push(format!(
                "{}: in {} the gross output of {} industr{} is off what it sells (Z row + Y \
                 row, pymrio's calc_x), most for {}: x {} against {}; the model starts out of \
                 balance and drifts even without an event: recompute x unless the gap is meant",
                path.display(),
                mrio_path.display(),
                gap.count,
                if gap.count == 1 { "y" } else { "ies" },
                gap.label,
                crate::model::readable(gap.x),
                crate::model::readable(gap.sales)
            ));
        }
        let params = model_params(&cx, raw.model.unwrap_or_default(), &mrio, &mut warnings)?;
        let steps = match raw.simulation.and_then(|s| s.steps) {
            None => 365,
            Some(s) if (1..=MAX_STEPS).contains(s.get_ref()) => *s.get_ref() as usize,
            Some(s) => {
                return cx.err(
                    Some(s.span()),
                    "simulation.steps",
                    format!("must be from 1 to {MAX_STEPS} (a century of daily steps)"),
                );
            }
        };
        // The capital that bounds capital impacts, without building the model (twice the
        // table's size in memory, and seconds at N = 10,000): what the model would refuse,
        // `model_params` has checked at its key.
        let capital = crate::model::productive_capital(&mrio, &params);
        let mut events = Vec::new();
        let industries = mrio.industry_labels();
        for (k, ev) in raw.event.into_iter().enumerate() {
            let table = Table {
                mrio: &mrio,
                industries: &industries,
                capital: &capital,
            };
            let ev = event(&cx, k, ev, &table, &params, steps, &mut warnings)?;
            // Identical events are allowed (capital ones add up, arbitrary ones take the
            // larger share, as concurrent events do), but are most often a block pasted
            // twice: say so.
            if let Some(first) = events.iter().position(|e| *e == ev) {
                let effect = match ev.kind {
                    crate::events::EventKind::Arbitrary => {
                        "the same capacity share applies once, so the copy changes nothing"
                    }
                    _ => "both apply, so the capital is destroyed twice",
                };
                warnings.push(format!(
                    "{}: event[{k}] repeats event[{first}] exactly; {effect}: remove one if \
                     that is not meant",
                    path.display()
                ));
            }
            events.push(ev);
        }
        Ok(Scenario {
            path: path.to_path_buf(),
            mrio_path,
            mrio,
            params,
            steps,
            events,
            warnings,
            mrio_location,
        })
    }

    /// Builds the model and the simulation. A table the model refuses (a negative
    /// inventory from negative flows in Z) is named at the scenario's `network.mrio`: the
    /// message alone named neither file.
    pub fn simulation(&self) -> Result<Simulation, SimError> {
        let model = Model::new(&self.mrio, self.params.clone()).map_err(|e| match e {
            SimError::Invalid(message) => SimError::Scenario {
                path: self.path.clone(),
                location: Some(self.mrio_location),
                key: "network.mrio".into(),
                message: format!("the table in {}: {message}", self.mrio_path.display()),
            },
            e => e,
        })?;
        Simulation::new(model, self.events.clone(), self.steps)
    }
}

/// The `[model]` table of scenario `text` read from `path` (other tables are not looked at),
/// checked against `mrio` as in an ARIO scenario: BoARIO's parameter names and defaults,
/// errors with file, key and line:column. Returns the parameters and non-fatal remarks.
/// Policy scenarios on an MRIO network take their model parameters from here.
pub fn model_table(
    path: &Path,
    text: &str,
    mrio: &Mrio,
) -> Result<(ModelParams, Vec<String>), SimError> {
    #[derive(serde::Deserialize)]
    struct ModelOnly {
        model: Option<raw::RawModel>,
    }
    let cx = Ctx { path, text };
    let raw: ModelOnly = cx.read("model")?;
    let mut warnings = Vec::new();
    let params = model_params(&cx, raw.model.unwrap_or_default(), mrio, &mut warnings)?;
    Ok((params, warnings))
}

/// A model parameter rejected when the model is built, as an error at `model.<name>` of
/// scenario file `path`; other errors unchanged.
pub fn in_model_table(path: &Path, e: SimError) -> SimError {
    match e {
        SimError::Parameter { name, message } => SimError::Scenario {
            path: path.to_path_buf(),
            location: None,
            key: format!("model.{name}"),
            message,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests;
