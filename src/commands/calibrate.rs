//! `chokepoint calibrate SCENARIO.toml --against trade`: fit the licence regime of the
//! scenario's first export control (approval share and delay) so that the simulated monthly
//! magnet exports of its exporter match China's customs series, then write the fitted
//! scenario and report the fit error month by month.
//!
//! The fit is a grid search (coarse, then fine around the best point) over deterministic
//! runs at the central values of every other parameter; the loss is the mean squared
//! relative error over the months of the window, so a small month counts as much as a big one.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chokepoint_model::{Period, YearMonth};
use chokepoint_sim::montecarlo::{RunOutput, run_draw};
use chokepoint_sim::network::chain::{Industry, N_INDUSTRIES};
use chokepoint_sim::network::flow::pair_index;
use chokepoint_sim::policies::Draw;
use rayon::prelude::*;
use serde::Serialize;

use super::chain_facts;
use super::simulate_controls::{Loaded, Net, load};
use crate::cli::CalibrateArgs;
use crate::exit::UserError;
use crate::output::{Cell, Format, Table, print_json};

/// One month of the fit.
#[derive(Debug, Serialize)]
struct MonthFit {
    month: String,
    observed_t: f64,
    simulated_t: f64,
    error_pct: f64,
}

/// The fit report (`--format json`).
#[derive(Debug, Serialize)]
struct FitReport {
    scenario: String,
    control: String,
    approval_share: f64,
    delay_days: usize,
    rmse_t: f64,
    mean_abs_error_pct: f64,
    months: Vec<MonthFit>,
    eu_ev_traction_halt_date_90: Option<String>,
    eu_ev_traction_halt_date_50: Option<String>,
    written_to: String,
}

/// Observed months a fit of two parameters needs at the least.
const MIN_MONTHS: usize = 3;

/// Runs `chokepoint calibrate`.
pub fn run(args: &CalibrateArgs, data_dir: Option<&Path>) -> anyhow::Result<()> {
    let mut loaded = load(&args.scenario, data_dir)?;
    if loaded.scenario.controls.is_empty() {
        return Err(UserError(format!(
            "{}: no [[export_control]] to calibrate",
            args.scenario.display()
        ))
        .into());
    }
    let window: Period = args
        .months
        .parse()
        .map_err(|e| UserError(format!("--months `{}`: {e}", args.months)))?;
    let (first, last) = window.months();
    let observed: Vec<(YearMonth, f64)> = chain_facts::observed_from_warehouse(data_dir)?
        .into_iter()
        .filter(|(m, _)| m.index() >= first.index() && m.index() <= last.index())
        .collect();
    if observed.len() < MIN_MONTHS {
        bail!(UserError(format!(
            "{} observed month(s) of magnet exports in {}; fitting an approval share and a \
             delay needs at least {MIN_MONTHS}: widen --months",
            observed.len(),
            args.months
        )));
    }
    let start_month = loaded.scenario.start.year_month();
    if first.index() < start_month.index() {
        bail!(UserError(format!(
            "--months starts {first}, before the scenario starts ({})",
            loaded.scenario.start
        )));
    }
    let exporter = loaded.scenario.controls[0].exporter;
    let Net::Chain(input) = &loaded.net else {
        bail!(UserError(format!(
            "{}: calibrate fits the rare-earth chain; this scenario runs on an MRIO network",
            args.scenario.display()
        )));
    };
    let input = input.clone();
    // Only the fit window matters: stop the runs at its end.
    let after = last.plus_months(1);
    let window_end = chokepoint_sim::date::Date::from_ymd(after.year, u32::from(after.month), 1)
        .context("invariant: first day of a month exists")?;
    let needed = window_end.days_since(loaded.scenario.start).max(1) as usize;
    let full_days = loaded.scenario.days;
    loaded.scenario.days = full_days.min(needed);
    let loaded = loaded;

    let fit = |a: f64, d: usize| -> anyhow::Result<(f64, Vec<f64>)> {
        let mut draw = Draw::central(&loaded.scenario);
        draw.controls[0].0 = a;
        draw.controls[0].1 = d;
        let out = run_draw(&loaded.scenario, &input, draw, false)?;
        let sim: Vec<f64> = observed
            .iter()
            .map(|(m, _)| {
                monthly_exports(
                    &out,
                    &loaded,
                    exporter,
                    (m.index() - start_month.index()) as usize,
                )
            })
            .collect();
        let loss = sim
            .iter()
            .zip(&observed)
            .map(|(s, (_, o))| ((s - o) / o).powi(2))
            .sum::<f64>()
            / sim.len() as f64;
        Ok((loss, sim))
    };
    let search = |grid: Vec<(f64, usize)>, whole: bool| -> anyhow::Result<(f64, usize, f64)> {
        let scored: Vec<(f64, usize, f64)> = grid
            .into_par_iter()
            .map(|(a, d)| fit(a, d).map(|(l, _)| (a, d, l)))
            .collect::<anyhow::Result<_>>()?;
        // A window the licence parameters do not act on (months before the controls, or
        // too few after them) fits every point of the whole grid alike: its first point
        // would be reported as the fit. Refuse instead.
        let (lo, hi) = scored
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
                (lo.min(x.2), hi.max(x.2))
            });
        if whole && hi - lo <= 1e-9 * lo.abs().max(1e-12) {
            bail!(UserError(format!(
                "the months {} do not depend on the licence parameters: every approval share \
                 and delay fits them equally well; choose months after the controls start",
                args.months
            )));
        }
        scored
            .into_iter()
            .min_by(|x, y| x.2.total_cmp(&y.2))
            .context("empty calibration grid")
    };
    let coarse: Vec<(f64, usize)> = (0..=20)
        .flat_map(|i| (0..=20).map(move |j| (i as f64 * 0.05, j * 3)))
        .collect();
    let (a0, d0, _) = search(coarse, true)?;
    let fine: Vec<(f64, usize)> = (-5..=5)
        .flat_map(|i| {
            (-3i64..=3).map(move |j| (a0 + i as f64 * 0.01, (d0 as i64 + j).max(0) as usize))
        })
        .filter(|(a, _)| (0.0..=1.0).contains(a))
        .collect();
    let (approval, delay, _) = search(fine, false)?;
    let approval = (approval * 100.0).round() / 100.0;
    let (_, sim) = fit(approval, delay)?;

    let months: Vec<MonthFit> = observed
        .iter()
        .zip(&sim)
        .map(|((m, o), s)| MonthFit {
            month: m.to_string(),
            observed_t: *o,
            simulated_t: *s,
            error_pct: 100.0 * (s - o) / o,
        })
        .collect();
    let rmse = (months
        .iter()
        .map(|m| (m.simulated_t - m.observed_t).powi(2))
        .sum::<f64>()
        / months.len() as f64)
        .sqrt();
    let mae = months.iter().map(|m| m.error_pct.abs()).sum::<f64>() / months.len() as f64;

    // The fitted scenario's EU automotive (EV traction) halt dates, central run.
    let mut draw = Draw::central(&loaded.scenario);
    draw.controls[0].0 = approval;
    draw.controls[0].1 = delay;
    let mut full = loaded.scenario.clone();
    full.days = full_days;
    let out = run_draw(&full, &input, draw, false)?;
    let eu = loaded.regions.iter().position(|r| r == "EU");
    let ev = Industry::EvTractionMotors as usize;
    let date =
        |d: Option<u32>| d.map(|d| loaded.scenario.start.plus_days(i64::from(d)).to_string());
    let (h90, h50) = eu.map_or((None, None), |r| {
        let j = r * N_INDUSTRIES + ev;
        (
            date(out.record.halt_day_90[j]),
            date(out.record.halt_day_50[j]),
        )
    });

    let out_path = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&args.scenario));
    let text = std::fs::read_to_string(&args.scenario)
        .with_context(|| format!("reading {}", args.scenario.display()))?;
    let note = format!(
        "# Calibrated by `chokepoint calibrate --against trade --months {}`: approval_share {approval:.2}, \
         delay_days {delay}; mean absolute error {mae:.1} % per month, RMSE {rmse:.0} t.\n",
        args.months
    );
    let fitted = rewrite_first_control(&text, approval, delay)
        .with_context(|| format!("{}: no [[export_control]] block", args.scenario.display()))?;
    std::fs::write(&out_path, format!("{note}{fitted}"))
        .with_context(|| format!("writing {}", out_path.display()))?;

    let report = FitReport {
        scenario: args.scenario.display().to_string(),
        control: loaded.scenario.controls[0].name.clone(),
        approval_share: approval,
        delay_days: delay,
        rmse_t: rmse,
        mean_abs_error_pct: mae,
        months,
        eu_ev_traction_halt_date_90: h90,
        eu_ev_traction_halt_date_50: h50,
        written_to: out_path.display().to_string(),
    };
    if args.format == Format::Json {
        print_json(&report)?;
        return Ok(());
    }
    let mut t = Table::new(["month", "observed_t", "simulated_t", "error_pct"]);
    for m in &report.months {
        t.push(vec![
            m.month.as_str().into(),
            Cell::float(m.observed_t, 0),
            Cell::float(m.simulated_t, 0),
            Cell::float(m.error_pct, 1),
        ]);
    }
    if args.format == Format::Csv {
        t.print(Format::Csv)?;
        return Ok(());
    }
    println!(
        "control `{}`: approval_share {approval:.2}, delay_days {delay} (fit on {} months, mean |error| {mae:.1} %, RMSE {rmse:.0} t)",
        report.control,
        report.months.len()
    );
    t.print(Format::Table)?;
    println!(
        "EU EV-traction output below 90 % from {}, below 50 % from {} (reported: European auto-parts lines stopped in June 2025)",
        report
            .eu_ev_traction_halt_date_90
            .as_deref()
            .unwrap_or("never"),
        report
            .eu_ev_traction_halt_date_50
            .as_deref()
            .unwrap_or("never")
    );
    println!("fitted scenario written to {}", report.written_to);
    Ok(())
}

/// Simulated exports of stage `magnets` from `exporter` to all others in month `m` (index
/// from the scenario's first month), t.
fn monthly_exports(out: &RunOutput, l: &Loaded, exporter: usize, m: usize) -> f64 {
    let n = l.regions.len();
    (0..n)
        .filter(|&i| i != exporter)
        .map(|i| out.record.trade(m, pair_index(n, 3, exporter, i))[2])
        .sum()
}

fn default_out(scenario: &Path) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map_or("scenario".into(), |s| s.to_string_lossy().into_owned());
    scenario.with_file_name(format!("{stem}-calibrated.toml"))
}

/// Replaces `approval_share` and `delay_days` in the first `[[export_control]]` block,
/// keeping every comment and other line.
fn rewrite_first_control(text: &str, approval: f64, delay: usize) -> Option<String> {
    let mut out = Vec::new();
    let mut state = 0; // 0 before, 1 inside the first control, 2 after
    let (mut put_a, mut put_d) = (false, false);
    // Missing keys go after the block's last non-blank line.
    let finish = |out: &mut Vec<String>, put_a: &mut bool, put_d: &mut bool| {
        let mut at = out.len();
        while at > 0 && out[at - 1].trim().is_empty() {
            at -= 1;
        }
        if !*put_d {
            out.insert(at, format!("delay_days = {delay}"));
            *put_d = true;
        }
        if !*put_a {
            out.insert(at, format!("approval_share = {approval:.2}"));
            *put_a = true;
        }
    };
    for line in text.lines() {
        let trimmed = line.trim_start();
        if state == 1 && trimmed.starts_with('[') {
            finish(&mut out, &mut put_a, &mut put_d);
            state = 2;
        }
        if state == 0 && trimmed.starts_with("[[export_control]]") {
            state = 1;
        } else if state == 1 && trimmed.starts_with("approval_share") {
            out.push(format!("approval_share = {approval:.2}"));
            put_a = true;
            continue;
        } else if state == 1 && trimmed.starts_with("delay_days") {
            out.push(format!("delay_days = {delay}"));
            put_d = true;
            continue;
        }
        out.push(line.to_string());
    }
    match state {
        0 => None,
        1 => {
            finish(&mut out, &mut put_a, &mut put_d);
            Some(out.join("\n") + "\n")
        }
        _ => Some(out.join("\n") + "\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrite_keeps_comments_and_replaces_the_first_control_only() {
        let text = "# c\n[[export_control]]\nname = \"a\"\napproval_share = 0.3\n\n[[export_control]]\nname = \"b\"\napproval_share = 0.9\n";
        let out = rewrite_first_control(text, 0.42, 17).unwrap();
        assert!(out.starts_with("# c\n"));
        assert!(out.contains("approval_share = 0.42\n"));
        assert!(out.contains("delay_days = 17\n\n[[export_control]]"));
        assert!(out.contains("approval_share = 0.9"));
    }
}
