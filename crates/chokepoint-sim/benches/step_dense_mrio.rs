//! One ARIO step on dense synthetic MRIOs (N = 400 and 2,500) in both numerics, and on a
//! sparse one (N = 2,500, 2 % of Z non-zero, stored sparse), inputs built outside the
//! timing. The full 365-step comparison with BoARIO is `bench/ario_vs_boario.py`.
#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;

use chokepoint_sim::events::{Event, EventKind, RecoveryFunction};
use chokepoint_sim::network::synthetic::synthetic_mrio;
use chokepoint_sim::{Model, ModelParams, Numerics, Simulation};
use criterion::{Criterion, criterion_group, criterion_main};

fn shocked(regions: usize, sectors: usize, density: f64, numerics: Numerics) -> Simulation {
    let mrio = synthetic_mrio(regions, sectors, 3, density, 42).unwrap();
    let params = ModelParams {
        numerics,
        ..ModelParams::default()
    };
    let model = Model::new(&mrio, params).unwrap();
    let event = Event {
        kind: EventKind::Arbitrary,
        impacts: vec![(0, 0.5)],
        occurrence: 1,
        duration: 100_000,
        recovery_tau: 30.0,
        recovery_function: RecoveryFunction::Linear,
        event_monetary_factor: 1e6,
    };
    let mut sim = Simulation::new(model, vec![event], 200_000).unwrap();
    // Past the first steps, so the shock has spread and inventories bind.
    for _ in 0..20 {
        sim.step(None).unwrap();
    }
    sim
}

fn step_dense_mrio(c: &mut Criterion) {
    let mut group = c.benchmark_group("step_dense_mrio");
    group.sample_size(10);
    for (regions, sectors) in [(20, 20), (50, 50)] {
        for (numerics, name) in [(Numerics::Exact, "exact"), (Numerics::Fast, "fast")] {
            let mut sim = shocked(regions, sectors, 1.0, numerics);
            group.bench_function(format!("n{}_{name}", regions * sectors), |b| {
                b.iter(|| black_box(sim.step(None)).unwrap());
            });
        }
    }
    group.finish();
}

fn step_sparse_mrio(c: &mut Criterion) {
    let mut group = c.benchmark_group("step_sparse_mrio");
    group.sample_size(10);
    for (numerics, name) in [(Numerics::Exact, "exact"), (Numerics::Fast, "fast")] {
        let mut sim = shocked(50, 50, 0.02, numerics);
        assert!(sim.model().sparse_storage());
        group.bench_function(format!("n2500_density0.02_{name}"), |b| {
            b.iter(|| black_box(sim.step(None)).unwrap());
        });
    }
    group.finish();
}

criterion_group!(benches, step_dense_mrio, step_sparse_mrio);
criterion_main!(benches);
