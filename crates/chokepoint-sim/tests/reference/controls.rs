//! Policy hooks: neutral controls change nothing; gates, capacity and demand factors act.

use chokepoint_sim::{Controls, Gate, Records, Scenario, Simulation};

use crate::data_dir;

fn scenario() -> Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reference/scenarios/a_reg3_mining_arb30_d90.toml");
    let _ = data_dir();
    Scenario::load(&path).unwrap()
}

fn run_with(sim: &mut Simulation, controls: &mut Controls) -> Records {
    let mut records = Records::default();
    sim.run_with(&mut records, controls, |_, _, _| {});
    records
}

#[test]
fn neutral_controls_are_bit_identical_to_none() {
    let s = scenario();
    let mut plain = s.simulation().unwrap();
    let mut a = Records::default();
    plain.run(&mut a);
    let mut sim = s.simulation().unwrap();
    let (r, p) = (sim.model().n_regions(), sim.model().n_sectors());
    let mut controls = Controls::neutral(r, p);
    controls.gates.push(Gate::new(20, 0));
    let b = run_with(&mut sim, &mut controls);
    assert_eq!(a.production_realised, b.production_realised);
    assert_eq!(a.final_demand_unmet, b.final_demand_unmet);
    assert_eq!(a.production_capacity, b.production_capacity);
    let g = &controls.gates[0];
    assert!(g.requested > 0.0);
    assert!(
        (g.delivered - g.requested).abs() <= 1e-9 * g.requested,
        "{g:?}"
    );
}

#[test]
fn closed_gate_withholds_exports_and_clients_go_short() {
    let s = scenario();
    let mut base = s.simulation().unwrap();
    let mut a = Records::default();
    base.run(&mut a);
    let mut sim = s.simulation().unwrap();
    let (r, p) = (sim.model().n_regions(), sim.model().n_sectors());
    let mut controls = Controls::neutral(r, p);
    // reg3|mining (industry 20) may not export to reg1 at all; reg1 also avoids it in orders.
    let mut gate = Gate::new(20, 0);
    gate.allowed_share = 0.0;
    gate.order_weight = 0.0;
    controls.gates.push(gate);
    let b = run_with(&mut sim, &mut controls);
    let g = &controls.gates[0];
    assert_eq!(g.delivered, 0.0);
    assert!(g.requested >= 0.0);
    // reg1 consumers of mining products see more unmet demand than without the gate.
    let unmet = |rec: &Records| -> f64 { (0..365).map(|t| rec.final_demand_unmet.row(t)[4]).sum() };
    assert!(unmet(&b) > unmet(&a), "{} vs {}", unmet(&b), unmet(&a));
}

#[test]
fn capacity_factor_above_one_lifts_capacity() {
    let s = scenario();
    let mut sim = s.simulation().unwrap();
    let (r, p) = (sim.model().n_regions(), sim.model().n_sectors());
    let mut controls = Controls::neutral(r, p);
    controls.capacity_factor[20] = 1.5;
    let rec = run_with(&mut sim, &mut controls);
    let x0 = sim.model().x0()[20];
    assert!((rec.production_capacity.row(0)[20] - 1.5 * x0).abs() < 1e-9 * x0);
}

#[test]
fn bad_controls_are_a_step_error() {
    let s = scenario();
    let mut sim = s.simulation().unwrap();
    let mut controls = Controls::neutral(1, 1);
    assert!(sim.step(Some(&mut controls)).is_err());
}

#[test]
fn one_thread_and_many_threads_give_identical_results() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reference/scenarios/d2_reg3_mining_kapital_rebuild5.toml");
    let s = Scenario::load(&path).unwrap();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut sim = s.simulation().unwrap();
            let mut rec = Records::default();
            sim.run(&mut rec);
            rec
        })
    };
    let (one, four) = (run(1), run(4));
    assert_eq!(one.production_realised, four.production_realised);
    assert_eq!(one.rebuild_prod_tot, four.rebuild_prod_tot);
    assert_eq!(one.final_demand_unmet, four.final_demand_unmet);
}

#[test]
fn sparse_storage_gives_the_bits_of_dense_storage() {
    // 3 × 7 industries with about 40 % of Z non-zero: rows summed densely in cache.
    sparse_matches_dense(3, 7, 0.4);
    // 40 × 3 with about 3 %: most rows have fewer than N / 32 entries and are summed
    // entry by entry (`sparse_sum`), the others densely.
    sparse_matches_dense(40, 3, 0.03);
}

/// A capacity shock and a capital shock rebuilt through reconstruction demand (which
/// reads the supplier shares) on a synthetic table of `density`. Without controls the
/// common-case kernels run; with a gate that also reweights orders, the grouped kernel
/// (exact numerics) and the factorised one (fast numerics) scale the gated supplier's row.
/// Exact numerics must give the same bits on either storage; fast numerics
/// sum the sparse rows in another order.
fn sparse_matches_dense(regions: usize, sectors: usize, density: f64) {
    use chokepoint_sim::events::{Event, EventKind, RecoveryFunction};
    use chokepoint_sim::network::synthetic::synthetic_mrio;
    use chokepoint_sim::{Model, ModelParams, Numerics, OrderType, Storage};
    let mrio = synthetic_mrio(regions, sectors, 2, density, 11).unwrap();
    let n = mrio.n_industries();
    let zeros = mrio.z.iter().filter(|v| **v == 0.0).count();
    assert!(zeros > n * n / 2, "{zeros} zero entries of {}", n * n);
    let shock = |kind, industry, impact| Event {
        kind,
        impacts: vec![(industry, impact)],
        occurrence: 3,
        duration: 10,
        recovery_tau: 15.0,
        recovery_function: RecoveryFunction::Linear,
        event_monetary_factor: 1e6,
    };
    let events = vec![
        shock(EventKind::Arbitrary, 4, 0.6),
        shock(
            EventKind::Rebuild {
                rebuild_tau: 20.0,
                rebuilding_sectors: vec![(1, 0.7), (sectors - 1, 0.3)],
                rebuilding_factor: 1.0,
            },
            9,
            2.0,
        ),
    ];
    for numerics in [Numerics::Exact, Numerics::Fast] {
        for order_type in [OrderType::Alt, OrderType::NoAlt] {
            for gated in [false, true] {
                let run = |storage| {
                    let params = ModelParams {
                        numerics,
                        order_type,
                        storage,
                        ..ModelParams::default()
                    };
                    let model = Model::new(&mrio, params).unwrap();
                    assert_eq!(model.sparse_storage(), storage == Storage::Sparse);
                    let mut sim = Simulation::new(model, events.clone(), 80).unwrap();
                    let mut controls = Controls::neutral(regions, sectors);
                    if gated {
                        let mut gate = Gate::new(4, 1);
                        gate.allowed_share = 0.5;
                        gate.order_weight = 0.5;
                        controls.gates.push(gate);
                    }
                    run_with(&mut sim, &mut controls)
                };
                let (dense, sparse) = (run(Storage::Dense), run(Storage::Sparse));
                let pairs = [
                    (&dense.production_realised, &sparse.production_realised),
                    (&dense.production_capacity, &sparse.production_capacity),
                    (&dense.overproduction, &sparse.overproduction),
                    (&dense.final_demand_unmet, &sparse.final_demand_unmet),
                    (
                        &dense.intermediate_demand_tot,
                        &sparse.intermediate_demand_tot,
                    ),
                    (&dense.rebuild_demand_tot, &sparse.rebuild_demand_tot),
                    (&dense.rebuild_prod_tot, &sparse.rebuild_prod_tot),
                ];
                let case = format!("{regions}×{sectors} {numerics:?} {order_type:?} gated {gated}");
                assert!(
                    dense.rebuild_prod_tot.values().iter().any(|v| *v > 0.0),
                    "{case}: the rebuild event must deliver"
                );
                assert_same_records(&pairs, numerics, &case);
            }
        }
    }
}

/// Each pair of records is identical in exact numerics and within 1e-12 relative in fast
/// numerics (which reassociate sums).
fn assert_same_records(
    pairs: &[(&chokepoint_sim::Series, &chokepoint_sim::Series)],
    numerics: chokepoint_sim::Numerics,
    case: &str,
) {
    for (k, (x, y)) in pairs.iter().enumerate() {
        if numerics == chokepoint_sim::Numerics::Exact {
            assert_eq!(x, y, "{case}: record {k}");
        } else {
            let d = crate::max_rel_diff(x.values(), y.values());
            assert!(d <= 1e-12, "{case}: record {k}: {d:e}");
        }
    }
}

#[test]
fn fast_numerics_follow_final_demand_levers_as_they_change() {
    use chokepoint_sim::network::synthetic::dense_mrio;
    use chokepoint_sim::{Model, ModelParams, Numerics};
    // Fast numerics deliver final demand from per-region sums kept between steps; they must
    // follow a demand factor that is set, changed and lifted during the run.
    let (regions, sectors) = (9, 3);
    let mrio = dense_mrio(regions, sectors, 2, 3).unwrap();
    let run = |numerics| {
        let params = ModelParams {
            numerics,
            ..ModelParams::default()
        };
        let model = Model::new(&mrio, params).unwrap();
        let mut sim = Simulation::new(model, Vec::new(), 40).unwrap();
        let mut controls = Controls::neutral(regions, sectors);
        let mut records = Records::default();
        sim.run_with(&mut records, &mut controls, |t, _, c| {
            // Region 2's demand for product 1 halved from step 10, a quarter from step
            // 20, back to normal from step 30.
            c.final_demand_factor[2 * sectors + 1] = match t {
                10..20 => 0.5,
                20..30 => 0.25,
                _ => 1.0,
            };
        });
        records
    };
    let (exact, fast) = (run(Numerics::Exact), run(Numerics::Fast));
    for (name, a, b) in [
        ("unmet", &exact.final_demand_unmet, &fast.final_demand_unmet),
        (
            "undist",
            &exact.final_demand_undist,
            &fast.final_demand_undist,
        ),
        ("fd total", &exact.final_demand_tot, &fast.final_demand_tot),
        (
            "production",
            &exact.production_realised,
            &fast.production_realised,
        ),
    ] {
        let d = crate::max_rel_diff(a.values(), b.values());
        assert!(d <= 1e-9, "{name}: fast differs from exact by {d:e}");
    }
    // The lever did act: less final demand addressed while it was set.
    let demand = |t: usize| exact.final_demand_tot.row(t).iter().sum::<f64>();
    assert!(demand(15) < demand(5) && demand(25) < demand(15));
    assert_eq!(demand(35), demand(5));
}
