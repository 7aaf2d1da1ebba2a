//! The Monte Carlo summary: percentiles, recoveries, early stops.

use super::*;

#[test]
fn summary_reports_percentiles_in_order_and_halts() {
    let s = scenario(&control(0.1, 30, "\"all\""));
    let input = NetworkInput::Bundled(sample_facts());
    let runs = run_many(&s, &input, 4, 1, false, &|| {}).unwrap();
    let layout = Layout::chain(&runs[0].topology, &regions());
    let records: Vec<&RunRecord> = runs.iter().map(|r| &r.record).collect();
    let sum = McSummary::new("t", 1, s.start, s.days, &layout, &records);
    let eu = sum
        .industries
        .iter()
        .find(|o| o.region == "EU" && o.industry == "ev_traction_motors")
        .unwrap();
    assert!(eu.loss_t_p5 <= eu.loss_t && eu.loss_t <= eu.loss_t_p95);
    // On the chain the unmet final demand is the loss, by construction, and says so.
    for r in &records {
        assert_eq!(r.unmet_t, r.loss_t);
    }
    assert_eq!(eu.unmet_t, eu.loss_t);
    assert!(sum.descriptions["unmet_t"].contains("same as loss_t by construction"));
    assert_eq!(eu.halt_probability, 1.0);
    assert!(eu.halt_day_90.unwrap() <= eu.halt_day_50.unwrap());
    // Days below 50 %: at least one once halted, at most the days left after the halt.
    let halted_from = eu.halt_day_50.unwrap() as f64;
    assert!(eu.days_below_50 >= 1.0 && eu.days_below_50 <= s.days as f64 - halted_from);
    for r in &records {
        for (j, days) in r.days_below_50.iter().enumerate() {
            assert_eq!(*days > 0, r.halt_day_50[j].is_some(), "node {j}");
        }
    }
    assert!(
        sum.edges
            .iter()
            .any(|e| e.importer == "WLD" && e.stage == "magnets")
    );
    assert!(
        sum.edges
            .iter()
            .all(|e| e.licensed_t <= e.requested_t + 1e-6)
    );
}

/// The world total of a gated exporter carries its baseline flow over the month's simulated
/// days: without controls requests equal it, and once buyers restock after a control the
/// requests rise above it (the "requested" line is orders, not licence demand).
#[test]
fn edge_months_carry_the_baseline_flow_and_delivered_band() {
    let summarise = |text: &str, runs: usize| {
        let s = scenario(text);
        let input = NetworkInput::Bundled(sample_facts());
        let out = run_many(&s, &input, runs, 1, false, &|| {}).unwrap();
        let layout = Layout::chain(&out[0].topology, &regions());
        let records: Vec<&RunRecord> = out.iter().map(|r| &r.record).collect();
        McSummary::new("t", 1, s.start, s.days, &layout, &records)
    };
    let world = |sum: &McSummary, month: &str| {
        sum.edges
            .iter()
            .find(|e| e.importer == "WLD" && e.stage == "magnets" && e.month == month)
            .cloned()
            .unwrap()
    };
    let open = summarise(&control(1.0, 0, "\"all\""), 1);
    // April has 30 simulated days, and the full month's orders equal the baseline flow.
    let april = world(&open, "2025-04");
    let base = april.baseline_t.unwrap();
    assert!(base > 0.0);
    assert!((april.requested_t - base).abs() < 1e-6 * base, "{april:?}");
    let controlled = summarise(&control(0.3, 30, "\"all\""), 4);
    let june = world(&controlled, "2025-06");
    assert!(
        june.requested_t > 1.2 * june.baseline_t.unwrap(),
        "{june:?}"
    );
    assert!(june.delivered_t_p5 <= june.delivered_t && june.delivered_t <= june.delivered_t_p95);
    // The horizon (240 days from 1 April) ends on 26 November: a partial month.
    let nov = world(&open, "2025-11");
    assert!((nov.baseline_t.unwrap() - base / 30.0 * 26.0).abs() < 1e-6 * base);
    assert!(open.descriptions["halt_day_90"].contains("not a halt"));
    assert!(open.descriptions["loss_t"].contains("median"));
}

/// A monitor that asks to stop once `after` runs are done.
struct StopAfter {
    after: usize,
    done: std::sync::atomic::AtomicUsize,
    started: std::sync::atomic::AtomicUsize,
}

impl RunMonitor for StopAfter {
    fn run_done(&self) {
        self.done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
    fn stop_requested(&self) -> bool {
        let stop = self.done.load(std::sync::atomic::Ordering::SeqCst) >= self.after;
        if !stop {
            self.started
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        stop
    }
}

/// The server's timed-out simulations went on to their last run, holding a simulation
/// slot; a monitor that asks to stop now ends the Monte Carlo after the runs in flight.
#[test]
fn a_monitor_that_asks_to_stop_ends_the_monte_carlo_early() {
    let monitor = StopAfter {
        after: 3,
        done: 0.into(),
        started: 0.into(),
    };
    let out = monitored(10_000, &monitor, Ok);
    assert!(matches!(out, Err(SimError::Cancelled)), "{out:?}");
    let started = monitor.started.load(std::sync::atomic::Ordering::SeqCst);
    // At most the runs that had started when the third finished: one per thread.
    assert!(
        started <= 3 + rayon::current_num_threads(),
        "{started} runs started"
    );
    // A closure never stops.
    let n = std::sync::atomic::AtomicUsize::new(0);
    let all = monitored(
        100,
        &|| {
            n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        },
        Ok,
    )
    .unwrap();
    assert_eq!(all.len(), 100);
    assert_eq!(n.load(std::sync::atomic::Ordering::SeqCst), 100);
}

/// The median recovery is over the runs that fell below 90 %: three runs that never dipped
/// once ranked as "never recovered" and made it null beside two recoveries.
#[test]
fn median_recovery_counts_only_the_runs_that_fell_below_90() {
    let record = |days: &[f64]| {
        let mut r = RunRecord::new(1, days.len(), 1, Vec::new(), false);
        for (t, idx) in days.iter().enumerate() {
            r.observe(0, t, *idx, false);
        }
        r
    };
    let steady = record(&[1.0; 6]);
    let runs = [
        steady.clone(),
        steady.clone(),
        steady,
        record(&[1.0, 0.5, 1.0, 1.0, 1.0, 1.0]),
        record(&[1.0, 0.5, 0.8, 0.9, 1.0, 1.0]),
    ];
    let layout = Layout {
        regions: vec!["EU".into()],
        nodes: vec![(0, "ev_traction_motors".into(), 1.0)],
        products: Vec::new(),
        gated_pairs: Vec::new(),
        baseline_pair_t_per_day: Vec::new(),
        unit: FlowUnit::Tonnes,
    };
    let start = "2025-04-01".parse().unwrap();
    let refs: Vec<&RunRecord> = runs.iter().collect();
    let sum = McSummary::new("t", 1, start, 6, &layout, &refs);
    let o = &sum.industries[0];
    assert_eq!(o.below_90_probability, 0.4);
    assert_eq!(o.recovery_day_95, Some(2), "{o:?}");
    assert_eq!(o.recovery_date_95.as_deref(), Some("2025-04-03"));
    // None of the dipped runs recovering still reads null.
    let stuck = [record(&[1.0, 0.5, 0.5]), record(&[1.0; 3])];
    let refs: Vec<&RunRecord> = stuck.iter().collect();
    let sum = McSummary::new("t", 1, start, 3, &layout, &refs);
    assert_eq!(sum.industries[0].recovery_day_95, None);
}

/// Under a monthly quota output halts and returns every month; the recovery is the return
/// after the last halt, never one followed by more halts.
#[test]
fn recovery_under_a_monthly_quota_is_after_the_last_halt() {
    let text = format!("{}quota_t_per_month = 300\n", control(1.0, 0, "\"all\""));
    let r = central(&text).record;
    let n = r.loss_t.len();
    let days = r.output_index.len() / n;
    for j in 0..n {
        let series: Vec<f32> = (0..days).map(|d| r.output_index[d * n + j]).collect();
        if let Some(rec) = r.recovery_day_95[j] {
            let rec = rec as usize;
            assert!(series[rec..].iter().all(|x| *x >= 0.95), "node {j}");
            assert!(rec > 0 && series[rec - 1] < 0.95, "node {j}");
        } else if r.halt_day_90[j].is_some() {
            assert!(series[days - 1] < 0.95, "node {j}");
        }
    }
}

/// `loss_pct` is the ratio of the median loss to the median demand (documented figures
/// quote it), not the median of the runs' own shares that the exceedance counts; the
/// description says which.
#[test]
fn loss_pct_is_a_ratio_of_medians_and_the_exceedance_is_per_run() {
    let run = |loss: f64, demand: f64| {
        let mut r = RunRecord::new(1, 1, 1, Vec::new(), false);
        r.observe(0, 0, 1.0, false);
        r.loss_t[0] = loss;
        r.demand_t[0] = demand;
        r
    };
    // Own shares 10 %, 50 %, 3 %: median 10 %; medians 20 t of 40 t: 50 %.
    let runs = [run(1.0, 10.0), run(20.0, 40.0), run(30.0, 1000.0)];
    let layout = Layout {
        regions: vec!["EU".into()],
        nodes: vec![(0, "ev_traction_motors".into(), 1.0)],
        products: Vec::new(),
        gated_pairs: Vec::new(),
        baseline_pair_t_per_day: Vec::new(),
        unit: FlowUnit::Tonnes,
    };
    let refs: Vec<&RunRecord> = runs.iter().collect();
    let sum = McSummary::new("t", 1, "2025-04-01".parse().unwrap(), 1, &layout, &refs);
    let o = &sum.industries[0];
    assert_eq!(o.loss_pct, 50.0);
    let over = |th: f64| {
        o.loss_pct_exceedance
            .iter()
            .find(|(t, _)| *t == th)
            .unwrap()
            .1
    };
    assert!((over(5.0) - 2.0 / 3.0).abs() < 1e-12);
    assert!((over(25.0) - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(over(50.0), 0.0);
    assert!(sum.descriptions["loss_pct"].contains("ratio of two medians"));
    assert!(sum.descriptions["loss_pct_exceedance"].contains("per run"));
}
