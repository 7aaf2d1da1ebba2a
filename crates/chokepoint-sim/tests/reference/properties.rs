//! Properties on random small tables: no event keeps the baseline; with events,
//! production never exceeds demand or capacity, stocks never go negative, unmet
//! final demand is never negative.

use chokepoint_sim::events::{Event, EventKind, RecoveryFunction};
use chokepoint_sim::{
    Model, ModelParams, Numerics, OrderType, Recorder, RunOutcome, Simulation, StepView, Storage,
};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Table {
    regions: usize,
    sectors: usize,
    z: Vec<f64>,
    y: Vec<f64>,
}

fn table() -> impl Strategy<Value = Table> {
    (1usize..4, 1usize..4).prop_flat_map(|(r, s)| {
        let n = r * s;
        (
            prop::collection::vec(prop_oneof![1 => Just(0.0), 4 => 0.1f64..50.0], n * n),
            prop::collection::vec(10.0f64..200.0, n * r),
        )
            .prop_map(move |(z, y)| Table {
                regions: r,
                sectors: s,
                z,
                y,
            })
    })
}

fn model(t: &Table, order_type: OrderType, fast: bool, sparse: bool) -> Model {
    let n = t.regions * t.sectors;
    // A balanced table: x = Z·1 + Y·1, as pymrio computes it.
    let x: Vec<f64> = (0..n)
        .map(|i| {
            t.z[i * n..][..n].iter().sum::<f64>()
                + t.y[i * t.regions..][..t.regions].iter().sum::<f64>()
        })
        .collect();
    let params = ModelParams {
        order_type,
        numerics: if fast {
            Numerics::Fast
        } else {
            Numerics::Exact
        },
        storage: if sparse {
            Storage::Sparse
        } else {
            Storage::Dense
        },
        ..ModelParams::default()
    };
    Model::from_arrays(
        (0..t.regions).map(|r| format!("r{r}")).collect(),
        (0..t.sectors).map(|s| format!("s{s}")).collect(),
        vec!["hh".into()],
        t.z.clone(),
        t.y.clone(),
        x,
        params,
    )
    .unwrap()
}

/// Checks every step's invariants; panics (failing the property) on a violation.
struct Invariants {
    baseline: bool,
    x0: Vec<f64>,
    stock0: Vec<f64>,
}

impl Recorder for Invariants {
    fn on_step(&mut self, view: StepView<'_>) -> bool {
        let m = view.model;
        for (j, &x) in m.production().iter().enumerate() {
            assert!(x.is_finite() && x >= 0.0, "production {x} at {j}");
            assert!(
                x <= m.total_demand()[j] * (1.0 + 1e-12) + 1e-12,
                "delivers more than demanded"
            );
            assert!(
                x <= m.production_capacity()[j] * (1.0 + 1e-12) + 1e-12,
                "produces above capacity"
            );
            if self.baseline {
                assert!(
                    (x - self.x0[j]).abs() <= 1e-12 * self.x0[j].max(1.0),
                    "step {}: {x} vs {}",
                    view.step,
                    self.x0[j]
                );
            }
        }
        for (k, &s) in m.inventories().iter().enumerate() {
            assert!(s >= 0.0 && !s.is_nan(), "stock {s} at {k}");
            if self.baseline {
                assert!((s - self.stock0[k]).abs() <= 1e-9 * self.stock0[k].max(1.0));
            }
        }
        for &u in m.final_demand_unmet() {
            assert!(u >= -1e-9, "negative unmet final demand {u}");
        }
        true
    }
}

fn run(sim: &mut Simulation, baseline: bool) -> RunOutcome {
    let mut inv = Invariants {
        baseline,
        x0: sim.model().x0().to_vec(),
        stock0: sim.model().initial_inventories().to_vec(),
    };
    sim.run(&mut inv)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn no_event_keeps_the_baseline(
        t in table(),
        alt in any::<bool>(),
        fast in any::<bool>(),
        sparse in any::<bool>(),
    ) {
        let m = model(&t, if alt { OrderType::Alt } else { OrderType::NoAlt }, fast, sparse);
        let mut sim = Simulation::new(m, Vec::new(), 60).unwrap();
        prop_assert_eq!(run(&mut sim, true), RunOutcome::HorizonReached { steps: 60 });
    }

    #[test]
    fn shocks_keep_deliveries_and_stocks_consistent(
        t in table(),
        alt in any::<bool>(),
        fast in any::<bool>(),
        sparse in any::<bool>(),
        share in 0.05f64..1.0,
        occurrence in 1usize..10,
        duration in 1usize..15,
        tau in 1.0f64..20.0,
        capital_share in 0.0f64..0.9,
        target in any::<prop::sample::Index>(),
    ) {
        let m = model(&t, if alt { OrderType::Alt } else { OrderType::NoAlt }, fast, sparse);
        let n = m.n_industries();
        let i = target.index(n);
        let mut events = vec![Event {
            kind: EventKind::Arbitrary,
            impacts: vec![(i, share)],
            occurrence,
            duration,
            recovery_tau: tau,
            recovery_function: RecoveryFunction::Linear,
            event_monetary_factor: 1e6,
        }];
        let k = m.productive_capital()[(i + 1) % n];
        if capital_share > 0.05 && k > 0.0 {
            // A concurrent capital event (BoARIO crashes on this mix, Q3; we sum correctly).
            events.push(Event {
                kind: EventKind::Recover,
                impacts: vec![((i + 1) % n, capital_share * k)],
                occurrence: occurrence + 2,
                duration,
                recovery_tau: tau,
                recovery_function: RecoveryFunction::Concave,
                event_monetary_factor: 1e6,
            });
        }
        let mut sim = Simulation::new(m, events, 60).unwrap();
        let outcome = run(&mut sim, false);
        prop_assert_eq!(outcome, RunOutcome::HorizonReached { steps: 60 });
    }
}
