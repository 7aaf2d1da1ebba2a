//! `chokepoint simulate SCENARIO.toml --out DIR`: runs an ARIO scenario and writes the
//! records in the layout of the BoARIO reference runs plus `summary.json`.
//!
//! The engine returns data; this command owns the files and the progress bar, both as
//! [`Recorder`]s.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use chokepoint_sim::{
    Model, ModelKind, Numerics, OrderType, RECORD_NAMES, Recorder, RunOutcome, Scenario, StepView,
};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde_json::json;
use signal_hook::consts::SIGINT;

use crate::cli::SimulateArgs;
use crate::exit::{Interrupted, UserError};
use crate::output::{Cell, Table};

/// Runs an ARIO scenario.
pub fn run(args: &SimulateArgs, text: &str) -> anyhow::Result<()> {
    // An ARIO scenario is one deterministic run: a --runs that would be dropped silently
    // reads as a Monte Carlo that never happened.
    let draws = [
        args.runs.map(|n| format!("--runs {n}")),
        args.seed.map(|s| format!("--seed {s}")),
    ];
    if let Some(flag) = draws.into_iter().flatten().next() {
        // A malformed file (not recognisably a policy scenario) is reported as such first.
        Scenario::parse(&args.scenario, text)?;
        let name = flag.split(' ').next().unwrap_or(&flag).to_string();
        return Err(UserError(format!(
            "{}: {flag} applies to policy scenarios ([chain] and instruments such as \
             [[export_control]]); an ARIO scenario is one deterministic run: remove {name}",
            args.scenario.display()
        ))
        .into());
    }
    let Some(out) = &args.out else {
        // Report a malformed scenario before asking for the output folder.
        Scenario::parse(&args.scenario, text)?;
        return Err(UserError(format!(
            "{}: an ARIO scenario writes its records to a folder; add --out DIR",
            args.scenario.display()
        ))
        .into());
    };
    match args.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .context("cannot start the worker threads")?
            .install(|| run_in(args, text, out)),
        None => run_in(args, text, out),
    }
}

/// Says when the output folder holds files this run does not write (an earlier run's notes,
/// an MRIO table): the records go beside them, and nothing tells which files are whose
/// (ARIO review). A run's own files are replaced without a word, as a re-run expects.
fn note_other_files(out: &Path) {
    let Ok(entries) = std::fs::read_dir(out) else {
        return;
    };
    let ours = |name: &str| {
        name == "summary.json"
            || name
                .strip_suffix(".csv")
                .is_some_and(|stem| RECORD_NAMES.contains(&stem))
    };
    let mut others: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !ours(n))
        .collect();
    if others.is_empty() {
        return;
    }
    others.sort();
    let shown = others
        .iter()
        .take(3)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let more = if others.len() > 3 { ", …" } else { "" };
    stderr_line!(
        "note: {} already holds {} file(s) this run does not write ({shown}{more}); the \
         records are written beside them",
        out.display(),
        others.len()
    );
}

fn run_in(args: &SimulateArgs, text: &str, out: &Path) -> anyhow::Result<()> {
    let format = args.format;
    let scenario = Scenario::parse(&args.scenario, text)?;
    for w in &scenario.warnings {
        stderr_line!("warning: {w}");
    }
    let mut sim = scenario.simulation()?;
    note_other_files(out);
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create output folder {}", out.display()))?;
    let mut writer = RecordWriter::new(out, sim.model())?;
    let progress = (std::io::stderr().is_terminal() && !args.quiet).then(|| {
        let bar = ProgressBar::new(scenario.steps as u64);
        if let Ok(style) = ProgressStyle::with_template(
            "{bar:40} {pos}/{len} steps  {elapsed_precise} (eta {eta})",
        ) {
            bar.set_style(style);
        }
        bar
    });
    // First Ctrl-C: finish the current step, then write the records so far and the summary;
    // a second one ends the process at once.
    let stop = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register_conditional_shutdown(SIGINT, 130, Arc::clone(&stop))
        .and_then(|_| signal_hook::flag::register(SIGINT, Arc::clone(&stop)))
        .context("cannot install the Ctrl-C handler")?;
    let mut recorders = Recorders {
        writer: &mut writer,
        progress: progress.as_ref(),
        stop: &stop,
    };
    let outcome = sim.run(&mut recorders);
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    writer.finish()?;
    let summary = writer.summary(&scenario, sim.model(), &outcome);
    let path = out.join("summary.json");
    std::fs::write(&path, serde_json::to_string_pretty(&summary)? + "\n")
        .with_context(|| format!("cannot write {}", path.display()))?;
    let top = args
        .top
        .map_or(10, |n| usize::try_from(n).unwrap_or(usize::MAX));
    writer.table(sim.model(), top).print(format)?;
    match outcome {
        RunOutcome::Crashed { steps, error } => {
            let context = format!(
                "the run stopped after {steps} steps; records so far are in {}",
                out.display()
            );
            // SimError::Run keeps the engine's error, whose kind sets the exit code.
            Err(error.in_model(sim.model(), &context).into())
        }
        RunOutcome::Interrupted { steps } => Err(anyhow::Error::new(Interrupted(format!(
            "interrupted by Ctrl-C after {steps} of {} steps; the records so far and \
             summary.json (outcome \"interrupted\") are in {}",
            scenario.steps,
            out.display()
        )))),
        RunOutcome::HorizonReached { .. } => Ok(()),
    }
}

/// Fans each step out to the file writer and the progress bar; stops the run when the
/// user pressed Ctrl-C.
struct Recorders<'a> {
    writer: &'a mut RecordWriter,
    progress: Option<&'a ProgressBar>,
    stop: &'a AtomicBool,
}

impl Recorder for Recorders<'_> {
    fn on_step(&mut self, view: StepView<'_>) -> bool {
        let ok = self.writer.on_step(view);
        if let Some(bar) = self.progress {
            bar.inc(1);
        }
        ok && !self.stop.load(Ordering::Relaxed)
    }
}

/// Streams every record to its CSV and keeps the running figures of the summary.
struct RecordWriter {
    out: PathBuf,
    files: Vec<BufWriter<File>>,
    error: Option<anyhow::Error>,
    steps: usize,
    production_total: f64,
    unmet_total: f64,
    min_production: Vec<f64>,
    min_step: Vec<usize>,
    loss: Vec<f64>,
    /// BoARIO records NaN capital lost while only arbitrary events are active.
    nan_row: Vec<f64>,
    /// This step's line of each file, formatted in parallel (kept to reuse the memory).
    lines: Vec<Vec<u8>>,
}

/// The records' header, `step` then every `region|sector`, through the csv crate, which
/// quotes a label holding a comma or a quote (EXIOBASE's "Sale, maintenance, repair of
/// motor vehicles, …"): written bare, such a label split into several columns and shifted
/// every value after it.
fn header_line(labels: &[String]) -> anyhow::Result<Vec<u8>> {
    let mut h = csv::Writer::from_writer(Vec::new());
    h.write_record(std::iter::once("step").chain(labels.iter().map(String::as_str)))?;
    h.into_inner()
        .map_err(|e| anyhow::anyhow!("formatting the record header: {e}"))
}

impl RecordWriter {
    fn new(out: &Path, model: &Model) -> anyhow::Result<Self> {
        let labels = model.industry_labels();
        let header = header_line(&labels)?;
        let mut files = Vec::new();
        // Record files written to `--out`, in the reference-run layout.
        for name in RECORD_NAMES {
            let path = out.join(format!("{name}.csv"));
            let f =
                File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
            let mut w = BufWriter::new(f);
            w.write_all(&header)?;
            files.push(w);
        }
        let n = model.n_industries();
        Ok(RecordWriter {
            out: out.to_path_buf(),
            files,
            error: None,
            steps: 0,
            production_total: 0.0,
            unmet_total: 0.0,
            min_production: vec![f64::INFINITY; n],
            min_step: vec![0; n],
            loss: vec![0.0; n],
            nan_row: vec![f64::NAN; n],
            lines: vec![Vec::new(); RECORD_NAMES.len()],
        })
    }

    /// One CSV line of a record: the step, then every value.
    fn format_row(line: &mut Vec<u8>, step: usize, values: &[f64]) {
        line.clear();
        // Writing into a Vec cannot fail.
        let _ = write!(line, "{step}");
        for v in values {
            // Rust prints the shortest string that reads back to the same f64.
            let _ = write!(line, ",{v:?}");
        }
        line.push(b'\n');
    }

    fn on_step(&mut self, view: StepView<'_>) -> bool {
        let m = view.model;
        let rows = view.record_rows().map(|row| row.unwrap_or(&self.nan_row));
        // Formatting the ten rows is most of a record's cost (about 2.7 ms per step at
        // N = 2,500, a third of the step): format them on both threads, then write.
        self.lines
            .par_iter_mut()
            .zip(rows.par_iter())
            .for_each(|(line, row)| Self::format_row(line, view.step, row));
        for (w, line) in self.files.iter_mut().zip(&self.lines) {
            if let Err(e) = w.write_all(line) {
                self.error = Some(
                    anyhow::Error::new(e)
                        .context(format!("cannot write to {}", self.out.display())),
                );
                return false;
            }
        }
        self.steps += 1;
        for (j, (&x, &x0)) in m.production().iter().zip(m.x0()).enumerate() {
            self.production_total += x;
            self.loss[j] += x0 - x;
            if x < self.min_production[j] {
                self.min_production[j] = x;
                self.min_step[j] = view.step;
            }
        }
        self.unmet_total += m.final_demand_unmet().iter().sum::<f64>();
        true
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        for w in &mut self.files {
            w.flush()
                .with_context(|| format!("cannot write to {}", self.out.display()))?;
        }
        Ok(())
    }

    fn summary(
        &self,
        scenario: &Scenario,
        model: &Model,
        outcome: &RunOutcome,
    ) -> serde_json::Value {
        let x0_total: f64 = model.x0().iter().sum();
        let baseline = x0_total * self.steps as f64;
        // The sum of the industries' losses, each accumulated step by step: baseline minus
        // the realised total cancelled (-0.0011 over 3,000 undisturbed steps, where the
        // industries' losses sum to 1.7e-6).
        let loss: f64 = self.loss.iter().sum();
        let (status, detail) = match outcome {
            RunOutcome::HorizonReached { .. } => ("horizon_reached", None),
            RunOutcome::Interrupted { .. } => ("interrupted", None),
            RunOutcome::Crashed { error, .. } => ("crashed", Some(error.describe_in(model))),
        };
        let industries: Vec<_> = model
            .industry_labels()
            .into_iter()
            .enumerate()
            .map(|(j, label)| {
                let x0 = model.x0()[j];
                json!({
                    "industry": label,
                    "x0": x0,
                    "min_production": self.min_production[j],
                    "min_production_rel_x0": if x0 != 0.0 { self.min_production[j] / x0 } else { 1.0 },
                    "min_step": self.min_step[j],
                    "production_loss": self.loss[j],
                })
            })
            .collect();
        // What decides how the numbers were computed: fast numerics are not bit-identical
        // to BoARIO (docs/engine.md, Numerics).
        let params = model.params();
        let model_json = json!({
            "kind": match params.kind {
                ModelKind::Psi => "psi",
                ModelKind::Base => "base",
            },
            "order_type": match params.order_type {
                OrderType::Alt => "alt",
                OrderType::NoAlt => "noalt",
            },
            "numerics": match params.numerics {
                Numerics::Exact => "exact",
                Numerics::Fast => "fast",
            },
            // How Z0 was stored (`storage = "auto"` decides from the table's density);
            // the results do not depend on it.
            "storage": if model.sparse_storage() { "sparse" } else { "dense" },
        });
        json!({
            "scenario": scenario.path.display().to_string(),
            "mrio": scenario.mrio_path.display().to_string(),
            "outcome": status,
            "outcome_detail": detail,
            "steps": scenario.steps,
            "steps_run": self.steps,
            "n_regions": model.n_regions(),
            "n_sectors": model.n_sectors(),
            "n_events": scenario.events.len(),
            "model": model_json,
            "totals": {
                "production_x0_per_step": x0_total,
                "production_baseline": baseline,
                "production_realised": self.production_total,
                "production_loss": loss,
                "production_loss_share": if baseline != 0.0 { loss / baseline } else { 0.0 },
                "final_demand_unmet": self.unmet_total,
            },
            "industries": industries,
            "warnings": scenario.warnings,
        })
    }

    /// The `top` industries with the largest relative production dip.
    fn table(&self, model: &Model, top: usize) -> Table {
        let labels = model.industry_labels();
        let mut order: Vec<usize> = (0..labels.len()).collect();
        let rel = |j: usize| {
            let x0 = model.x0()[j];
            if x0 != 0.0 {
                self.min_production[j] / x0
            } else {
                1.0
            }
        };
        order.sort_by(|&a, &b| rel(a).total_cmp(&rel(b)));
        let mut t = Table::new([
            "industry",
            "min_production_rel_x0",
            "min_step",
            "production_loss",
        ]);
        for &j in order.iter().take(top) {
            t.push(vec![
                Cell::from(labels[j].as_str()),
                Cell::float(rel(j), 4),
                Cell::Int(self.min_step[j] as i64),
                Cell::float(self.loss[j], 2),
            ]);
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ARIO review: a label with a comma or a quote gave a header of more fields than the
    /// rows, and pandas put the values under the wrong industries.
    #[test]
    fn record_headers_quote_labels_that_need_it() {
        let labels = vec![
            "r,1|a".to_string(),
            "r2|b \"q\"".to_string(),
            "reg1|mining".to_string(),
        ];
        let line = String::from_utf8(header_line(&labels).unwrap()).unwrap();
        assert_eq!(line, "step,\"r,1|a\",\"r2|b \"\"q\"\"\",reg1|mining\n");
        let fields = csv::Reader::from_reader(line.as_bytes())
            .headers()
            .unwrap()
            .len();
        assert_eq!(fields, 4);
    }
}
