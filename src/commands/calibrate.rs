//! `chokepoint calibrate SCENARIO.toml --against trade`: fit the licence regime of the
//! scenario's first export control (approval share and delay) so that the simulated monthly
//! magnet exports of its exporter match China's customs series, then write the fitted
//! scenario and report the fit error month by month.
//!
//! The fit is a grid search (coarse, then fine around the best point) over deterministic
//! runs at the central values of every other parameter; the loss is the mean squared
//! relative error over the months of the window, so a small month counts as much as a big one.
//!
//! Derived customs months (`is_derived` in the data, e.g. April 2025 = May's figure divided
//! back by its reported change) stay in the fit: April is the only month that shows the
//! enforcement lag. But `control_enforcement_lag_days` was itself set from that April
//! figure, so the error there is partly small by construction: the report marks derived
//! months and gives the error metrics with and without them.
//!
//! Then, unless `--band-runs 0`, a Monte Carlo of the scenario as written (its licence
//! distributions included) gives the 5–95 % band of delivered exports over the whole
//! horizon, and the customs months outside it are listed.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chokepoint_model::{Period, YearMonth};
use chokepoint_sim::montecarlo::{RunOutput, run_draw};
use chokepoint_sim::network::assumptions::Key;
use chokepoint_sim::network::chain::{Industry, N_INDUSTRIES};
use chokepoint_sim::network::flow::pair_index;
use chokepoint_sim::policies::Draw;
use chokepoint_sim::policies::dist::Param;
use rayon::prelude::*;
use serde::Serialize;

use super::chain_facts::{self, ObservedMonth};
use super::fitted_text;
use super::observed_band::{self, BandMonth};
use super::simulate_controls::{self, Loaded, Net, load};
use crate::cli::CalibrateArgs;
use crate::exit::UserError;
use crate::output::{Cell, Format, Table, print_json};

/// One month of the fit.
#[derive(Debug, Serialize)]
struct MonthFit {
    month: String,
    observed_t: f64,
    /// The customs figure is derived (from another month and a reported change), not
    /// reported.
    is_derived: bool,
    /// Where the customs figure comes from (one source per month).
    source: String,
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
    /// The fit's objective: root mean square of the monthly relative errors, %, over every
    /// month of the window (a small month weighs as much as a big one). The grid point
    /// minimises this, not `rmse_t` or `mean_abs_error_pct`.
    rms_error_pct: f64,
    /// Over every month of the window, derived ones included.
    rmse_t: f64,
    /// Over every month of the window, derived ones included.
    mean_abs_error_pct: f64,
    /// Over the reported (not derived) months only; null when there are none.
    rmse_t_reported_only: Option<f64>,
    /// Over the reported months only.
    mean_abs_error_pct_reported_only: Option<f64>,
    /// Months of the window whose customs figure is derived.
    derived_months: Vec<String>,
    months: Vec<MonthFit>,
    /// Central run of the fitted scenario: first date EU EV-traction output is below 90 %
    /// of baseline (a slowdown, not a halt).
    eu_ev_traction_halt_date_90: Option<String>,
    /// Likewise below 50 % (the halt).
    eu_ev_traction_halt_date_50: Option<String>,
    /// The EV-traction magnet stock the central run assumes, days of use.
    eu_ev_traction_inventory_days: f64,
    /// Monte Carlo runs of the scenario as written behind `band` (0: no comparison).
    band_runs: usize,
    /// Their seed.
    band_seed: u64,
    /// Customs months of the whole horizon against the simulated 5–95 % band of
    /// delivered exports.
    band: Vec<BandMonth>,
    /// What to keep in mind reading the fit, as printed under the table.
    notes: Vec<String>,
    written_to: String,
}

/// Observed months a fit of two parameters needs at the least.
const MIN_MONTHS: usize = 3;

/// The longest licence delay the search tries: the most a scenario may set.
const MAX_DELAY_DAYS: usize = 365;

/// Runs `chokepoint calibrate`.
pub fn run(args: &CalibrateArgs, data_dir: Option<&Path>) -> anyhow::Result<()> {
    // Checked before the fit, which takes a while: the fitted file must not replace the
    // scenario it comes from or a file of the warehouse.
    let out_path = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&args.scenario));
    super::warehouse::check_output(
        &format!("calibrate --out {}", out_path.display()),
        &out_path,
        &[&args.scenario],
        data_dir,
    )?;
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
    // A window before the scenario cannot be fitted whatever its length: say so before
    // counting its months ("widen --months" was the advice for 2024-10..2025-03).
    let start_month = loaded.scenario.start.year_month();
    if first.index() < start_month.index() {
        bail!(UserError(format!(
            "--months starts {first}, before the scenario starts ({}): start the window in \
             {start_month} or later",
            loaded.scenario.start
        )));
    }
    let all_observed = chain_facts::observed_from_warehouse(data_dir)?;
    let in_window = |m: &YearMonth| m.index() >= first.index() && m.index() <= last.index();
    // A month the scenario simulates in part (it starts after the 1st) is not compared
    // with the whole month's customs figure, by the band's rule: it moved the fitted delay
    // from 30 to 18 days for a start on 16 April (code review).
    // (Months past the horizon are refused below, with their own message.)
    let start = loaded.scenario.start;
    let begins_after_start = |m: YearMonth| {
        chokepoint_sim::date::Date::from_ymd(m.year, u32::from(m.month), 1)
            .is_some_and(|first| first.days_since(start) >= 0)
    };
    let (observed, partial): (Vec<ObservedMonth>, Vec<ObservedMonth>) = all_observed
        .iter()
        .filter(|o| in_window(&o.month))
        .cloned()
        .partition(|o| begins_after_start(o.month));
    // The fit is on relative errors, which a month of 0 t leaves undefined: every grid
    // point's loss was NaN and the first one was written out as the "fit".
    if let Some(zero) = observed.iter().find(|o| o.tonnes <= 0.0) {
        bail!(UserError(format!(
            "{} has {} t of magnet exports observed ({}): the fit's relative errors are \
             undefined there; leave that month out of --months",
            zero.month, zero.tonnes, zero.source
        )));
    }
    if observed.len() < MIN_MONTHS {
        let left_out: Vec<String> = partial.iter().map(|p| p.month.to_string()).collect();
        bail!(UserError(format!(
            "{} observed month(s) of magnet exports in {}{}; fitting an approval share and a \
             delay needs at least {MIN_MONTHS}: widen --months",
            observed.len(),
            args.months,
            if left_out.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} left out: the scenario starts {start}, so simulated in part)",
                    left_out.join(", ")
                )
            }
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
    // Months past the horizon would be simulated as no exports at all and fitted as a
    // collapse: refuse rather than write parameters fitted to days never simulated.
    if needed > full_days {
        bail!(UserError(format!(
            "--months ends {last}, after the last simulated day ({}: chain.days = {full_days} \
             from {}); lengthen chain.days to at least {needed} in {} or narrow --months",
            loaded.scenario.start.plus_days(full_days as i64 - 1),
            loaded.scenario.start,
            args.scenario.display()
        )));
    }
    loaded.scenario.days = needed;
    let loaded = loaded;

    let fit = |a: f64, d: usize| -> anyhow::Result<(f64, Vec<f64>)> {
        let mut draw = Draw::central(&loaded.scenario);
        draw.controls[0].0 = a;
        draw.controls[0].1 = d;
        let out = run_draw(&loaded.scenario, &input, draw, false)?;
        let sim: Vec<f64> = observed
            .iter()
            .map(|o| {
                monthly_exports(
                    &out,
                    &loaded,
                    exporter,
                    (o.month.index() - start_month.index()) as usize,
                )
            })
            .collect();
        let loss = sim
            .iter()
            .zip(&observed)
            .map(|(s, o)| ((s - o.tonnes) / o.tonnes).powi(2))
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
            let first = &loaded.scenario.controls[0];
            bail!(UserError(format!(
                "the months {} do not depend on the licence parameters of the first \
                 [[export_control]] (`{}`, from {}): every approval share and delay fits them \
                 equally well. Choose months after it starts, or put first the control that \
                 governs China's magnet exports (calibrate fits the first control to them)",
                args.months, first.name, first.start
            )));
        }
        scored
            .into_iter()
            .min_by(|x, y| x.2.total_cmp(&y.2))
            .context("empty calibration grid")
    };
    // Delays over the whole range a scenario may set (0–365 days), denser where licence
    // delays are usually read (MOFCOM's statutory 45 working days is about 63 days).
    let delays: Vec<usize> = (0..=60)
        .step_by(3)
        .chain((65..=120).step_by(5))
        .chain((135..=MAX_DELAY_DAYS).step_by(15))
        .collect();
    let coarse: Vec<(f64, usize)> = (0..=20)
        .flat_map(|i| delays.iter().map(move |&d| (i as f64 * 0.05, d)))
        .collect();
    let (a0, d0, _) = search(coarse, true)?;
    // The coarse step around the best delay, searched day by day.
    let step = delays
        .windows(2)
        .find(|w| w[0] <= d0 && d0 < w[1])
        .map_or(15, |w| w[1] - w[0]) as i64;
    let fine: Vec<(f64, usize)> = (-5..=5)
        .flat_map(|i| {
            (-step..=step).map(move |j| (a0 + i as f64 * 0.01, (d0 as i64 + j).max(0) as usize))
        })
        .filter(|(a, d)| (0.0..=1.0).contains(a) && *d <= MAX_DELAY_DAYS)
        .collect();
    let (approval, delay, _) = search(fine, false)?;
    let approval = (approval * 100.0).round() / 100.0;
    let (loss, sim) = fit(approval, delay)?;

    let months: Vec<MonthFit> = observed
        .iter()
        .zip(&sim)
        .map(|(o, s)| MonthFit {
            month: o.month.to_string(),
            observed_t: o.tonnes,
            is_derived: o.is_derived,
            source: o.source.clone(),
            simulated_t: *s,
            error_pct: 100.0 * (s - o.tonnes) / o.tonnes,
        })
        .collect();
    let (rmse, mae) = metrics(months.iter()).context("invariant: at least MIN_MONTHS months")?;
    let reported_only = metrics(months.iter().filter(|m| !m.is_derived));
    let derived_months: Vec<String> = months
        .iter()
        .filter(|m| m.is_derived)
        .map(|m| m.month.clone())
        .collect();

    // The fitted scenario over the whole horizon: its licence regime fixed at the fit.
    let mut full = loaded.scenario.clone();
    full.days = full_days;
    full.controls[0].approval_share = Param::fixed(approval, 0.0, 1.0);
    full.controls[0].delay_days = Param::fixed(delay as f64, 0.0, f64::MAX);
    let full = &full;

    // The fitted scenario's EU automotive (EV traction) dates, central run.
    let draw = Draw::central(full);
    let ev_inventory_days = draw.assumptions.get(Key::InventoryDaysEvTraction);
    let out = run_draw(full, &input, draw, false)?;
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

    // The band is the scenario's own uncertainty as written (its licence distributions
    // included): holding the licence regime at the point fit would leave no spread in a
    // scenario whose only uncertain parameters are the licence's.
    let band = if args.band_runs == 0 {
        Vec::new()
    } else {
        let mut as_written = loaded.scenario.clone();
        as_written.days = full_days;
        let as_written = Loaded {
            scenario: as_written,
            net: Net::Chain(input.clone()),
            regions: loaded.regions.clone(),
        };
        let runs = simulate_controls::run_monte_carlo(
            &as_written,
            args.band_runs,
            args.seed,
            false,
            None,
        )?;
        let summary = simulate_controls::summarise(&as_written, &args.scenario, args.seed, &runs);
        let exporter_code = &loaded.regions[exporter];
        let observed: Vec<(String, f64, bool)> = all_observed
            .iter()
            .filter(|o| o.month.index() >= first.index())
            .map(|o| (o.month.to_string(), o.tonnes, o.is_derived))
            .collect();
        observed_band::compare(
            &summary,
            (exporter_code, "WLD", "magnets"),
            observed.iter().map(|(m, t, d)| (m.as_str(), *t, *d)),
        )
    };

    let mut notes = Vec::new();
    for p in &partial {
        notes.push(format!(
            "{} left out of the fit: the scenario starts {start}, so that month is simulated \
             in part, and its customs figure ({} t) is the whole month's",
            p.month, p.tonnes
        ));
    }
    if approval <= 0.0 || approval >= 1.0 || delay >= MAX_DELAY_DAYS {
        // At an edge of what a licence regime can be, the best fit may lie beyond it: the
        // window's months are not explained by the first control's regime alone.
        notes.push(format!(
            "the fit is at an edge of the search (approval share 0–1, delay 0–{MAX_DELAY_DAYS} \
             days): approval {approval:.2}, delay {delay} days; the months may be governed by \
             something the first control does not model (another control, a truce, demand)"
        ));
    }
    notes.extend(suspension_notes(&loaded, first, window_end));
    if !derived_months.is_empty() {
        // The enforcement lag's default was read off the first controlled month's figure
        // (docs/scenario.md); when that figure is derived, say so.
        let control_month = loaded.scenario.controls[0].start.year_month().to_string();
        let lag = if derived_months.contains(&control_month) {
            format!(
                "; control_enforcement_lag_days was set from the {control_month} figure \
                 (docs/scenario.md), so the fit there is partly by construction"
            )
        } else {
            String::new()
        };
        notes.push(format!(
            "* derived, not reported: {} (computed in the bundled data from another month and \
             its reported change; china_exports_monthly.csv, column notes){lag}. Without \
             derived months: {}",
            derived_months.join(", "),
            reported_only.map_or("no months left".to_string(), |(r, m)| format!(
                "mean |error| {m:.1} %, RMSE {r:.0} t"
            ))
        ));
    }
    notes.push(format!(
        "EU EV-traction output, central run of the fitted scenario: below 90 % of baseline \
         (a slowdown) {}, below 50 % (a halt) {}. These dates follow from the assumed \
         {ev_inventory_days:.0} days of EV-traction magnet stock \
         (inventory_days_ev_traction_motors, a scenario assumption): they are not an \
         independent check against any observed production stop, and the bundled data \
         record none.",
        h90.as_deref()
            .map_or("at no date".to_string(), |d| format!("from {d}")),
        h50.as_deref().map_or_else(
            || format!("not within the {full_days} simulated days"),
            |d| format!("from {d}")
        ),
    ));
    if args.band_runs > 0 {
        notes.push(observed_band::describe(&band, args.band_runs));
        if band.iter().any(|b| b.outside.is_some()) {
            notes.push(format!(
                "limitations: {}",
                observed_band::LIMITATIONS.join(" ")
            ));
        }
    }

    let text = chokepoint_model::read_small_text(&args.scenario)
        .with_context(|| format!("reading {}", args.scenario.display()))?;
    let note = format!(
        "# Calibrated by `chokepoint calibrate --against trade --months {}`: approval_share {approval:.2}, \
         delay_days {delay}; mean absolute error {mae:.1} % per month, RMSE {rmse:.0} t{}.\n",
        args.months,
        if derived_months.is_empty() {
            String::new()
        } else {
            format!(" (derived months {} included)", derived_months.join(", "))
        }
    );
    let fitted = fitted_text::rewrite_first_control(&text, approval, delay)
        .with_context(|| format!("{}: no [[export_control]] block", args.scenario.display()))?;
    // As `report --out`, a folder the path names is made (`--out fits/x.toml`).
    if let Some(parent) = out_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(&out_path, format!("{note}{fitted}"))
        .with_context(|| format!("writing {}", out_path.display()))?;

    let report = FitReport {
        scenario: args.scenario.display().to_string(),
        control: loaded.scenario.controls[0].name.clone(),
        approval_share: approval,
        delay_days: delay,
        // The objective at the fit: the root of the mean squared relative error, in %.
        rms_error_pct: 100.0 * loss.sqrt(),
        rmse_t: rmse,
        mean_abs_error_pct: mae,
        rmse_t_reported_only: reported_only.map(|(r, _)| r),
        mean_abs_error_pct_reported_only: reported_only.map(|(_, m)| m),
        derived_months,
        months,
        eu_ev_traction_halt_date_90: h90,
        eu_ev_traction_halt_date_50: h50,
        eu_ev_traction_inventory_days: ev_inventory_days,
        band_runs: args.band_runs,
        band_seed: args.seed,
        band,
        notes,
        written_to: out_path.display().to_string(),
    };
    if args.format == Format::Json {
        print_json(&report)?;
        return Ok(());
    }
    let mut t = Table::new([
        "month",
        "observed_t",
        "simulated_t",
        "error_pct",
        "is_derived",
        "source",
    ]);
    for m in &report.months {
        t.push(vec![
            m.month.as_str().into(),
            Cell::float(m.observed_t, 0),
            Cell::float(m.simulated_t, 0),
            Cell::float(m.error_pct, 1),
            // CSV readers get a boolean; the table points at the footnote.
            Cell::Text(match (args.format == Format::Csv, m.is_derived) {
                (true, d) => d.to_string(),
                (false, true) => "derived*".into(),
                (false, false) => "reported".into(),
            }),
            m.source.as_str().into(),
        ]);
    }
    if args.format == Format::Csv {
        t.print(Format::Csv)?;
        return Ok(());
    }
    println!(
        "control `{}`: approval_share {approval:.2}, delay_days {delay} (fit on {} months{}, \
         minimising the RMS relative error: {:.1} %; mean |error| {mae:.1} %, RMSE {rmse:.0} t)",
        report.control,
        report.months.len(),
        if report.derived_months.is_empty() {
            String::new()
        } else {
            format!(", {} of them derived", report.derived_months.len())
        },
        report.rms_error_pct
    );
    t.print(Format::Table)?;
    for n in &report.notes {
        println!("{n}");
    }
    println!("fitted scenario written to {}", report.written_to);
    Ok(())
}

/// One note per suspension of the fitted (first) control in force during the window:
/// there the suspension's terms replace the control's, so the fitted approval share and
/// delay describe only the rest of the window, and a fit pushed to a near-stop may be
/// making up for months the suspension governs (analyst review: the Geneva/London truce
/// scenario fitted 0.12 and 3 days with the London suspension over half the window).
fn suspension_notes(
    loaded: &Loaded,
    first: YearMonth,
    window_end: chokepoint_sim::date::Date,
) -> Vec<String> {
    let Some(window_start) =
        chokepoint_sim::date::Date::from_ymd(first.year, u32::from(first.month), 1)
    else {
        return Vec::new();
    };
    let window_days = window_end.days_since(window_start).max(1);
    loaded
        .scenario
        .suspensions
        .iter()
        .filter(|s| s.control == 0)
        .filter_map(|s| {
            let from = s.start.max(window_start);
            let to = s.end.map_or(window_end, |e| e.min(window_end));
            let days = to.days_since(from);
            (days > 0).then(|| {
                let whom: Vec<&str> = s
                    .destinations
                    .iter()
                    .zip(&loaded.regions)
                    .filter(|(on, _)| **on)
                    .map(|(_, r)| r.as_str())
                    .collect();
                format!(
                    "a suspension of the fitted control (from {}{}, for {}) is in force {days} \
                     of the window's {window_days} days: its own terms replace the control's \
                     there, so the fitted approval share and delay describe the rest of the \
                     window only, and may make up for what the suspension lets through; fit a \
                     window before it, or set its terms by hand",
                    s.start,
                    s.end.map(|e| format!(" to {e}")).unwrap_or_default(),
                    whom.join(", ")
                )
            })
        })
        .collect()
}

/// RMSE (t) and mean absolute error (%) over some months; `None` when there are none.
fn metrics<'a>(months: impl Iterator<Item = &'a MonthFit>) -> Option<(f64, f64)> {
    let (mut n, mut sq, mut abs) = (0usize, 0.0, 0.0);
    for m in months {
        n += 1;
        sq += (m.simulated_t - m.observed_t).powi(2);
        abs += m.error_pct.abs();
    }
    (n > 0).then(|| ((sq / n as f64).sqrt(), abs / n as f64))
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
