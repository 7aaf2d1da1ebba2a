//! Times a 365-step ARIO run on a synthetic MRIO and prints one JSON line
//! (used by `bench/ario_vs_boario.py`, which runs BoARIO on the same table).
//!
//! ```text
//! cargo run --release -p chokepoint-sim --example ario_bench -- --regions 50 --sectors 50 \
//!     [--steps 365] [--seed 42] [--npy DIR] [--fast] [--density 1.0] \
//!     [--storage auto|dense|sparse] [--gate]
//! ```
//! `--density D` keeps about D of the entries of Z (all domestic flows, a random share of
//! the international ones); `--storage` overrides how the model stores Z0.
//! `--npy DIR` also writes the table as `Z.npy`, `Y.npy`, `x.npy` (little-endian f64) for
//! the Python side. The run has one arbitrary event: 50 % of industry 0's capacity lost at
//! step 5 for 30 steps, linear recovery over 30 steps. `--gate` also runs an export
//! control from step 5 on (industry 0's exports to region 1 licensed at 50 %, its clients
//! there weighting it at 0.8), which takes the engine's general kernel instead of the
//! common case's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use chokepoint_sim::events::{Event, EventKind, RecoveryFunction};
use chokepoint_sim::network::synthetic::synthetic_mrio;
use chokepoint_sim::{
    Controls, Gate, Model, ModelParams, Numerics, Recorder, Records, Simulation, StepView, Storage,
};

fn write_npy(path: &Path, shape: &[usize], data: &[f64]) -> std::io::Result<()> {
    let shape_txt = match shape {
        [a] => format!("({a},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape_txt}, }}");
    // Magic (6) + version (2) + header length (2) + header, padded to a multiple of 64.
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    f.write_all(b"\x93NUMPY\x01\x00")?;
    f.write_all(&(header.len() as u16).to_le_bytes())?;
    f.write_all(header.as_bytes())?;
    for v in data {
        f.write_all(&v.to_le_bytes())?;
    }
    f.flush()
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
            })
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// Records the first `left` steps, then stops the run (the horizon is at least 36 steps so
/// that the event fits).
struct Capped {
    records: Records,
    left: usize,
}

impl Recorder for Capped {
    /// Reserves the records' memory up front, as `chokepoint simulate` does (without it,
    /// growing ten series step by step cost 0.1 ms of a 6.7 ms step at N = 2,500).
    fn on_start(&mut self, model: &Model, steps: usize) {
        self.records.on_start(model, steps);
    }

    fn on_step(&mut self, view: StepView<'_>) -> bool {
        self.records.on_step(view);
        self.left -= 1;
        self.left > 0
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |name: &str, default: &str| -> String {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
            .unwrap_or_else(|| default.to_string())
    };
    let regions: usize = get("--regions", "20").parse().expect("--regions");
    let sectors: usize = get("--sectors", "20").parse().expect("--sectors");
    let steps: usize = get("--steps", "365").parse().expect("--steps");
    let seed: u64 = get("--seed", "42").parse().expect("--seed");
    let npy = get("--npy", "");
    let fast = args.iter().any(|a| a == "--fast");
    let gate = args.iter().any(|a| a == "--gate");
    let density: f64 = get("--density", "1.0").parse().expect("--density");
    let storage = match get("--storage", "auto").as_str() {
        "auto" => Storage::Auto,
        "dense" => Storage::Dense,
        "sparse" => Storage::Sparse,
        other => panic!("--storage {other}: expected auto, dense or sparse"),
    };

    let t0 = Instant::now();
    let mrio = synthetic_mrio(regions, sectors, 3, density, seed).expect("synthetic table");
    if !npy.is_empty() {
        let dir = Path::new(&npy);
        std::fs::create_dir_all(dir).expect("npy dir");
        let n = mrio.n_industries();
        let nf = regions * 3;
        write_npy(&dir.join("Z.npy"), &[n, n], &mrio.z).expect("Z.npy");
        write_npy(&dir.join("Y.npy"), &[n, nf], &mrio.y).expect("Y.npy");
        write_npy(&dir.join("x.npy"), &[n], &mrio.x).expect("x.npy");
    }
    let params = ModelParams {
        numerics: if fast {
            Numerics::Fast
        } else {
            Numerics::Exact
        },
        storage,
        ..ModelParams::default()
    };
    let model = Model::new(&mrio, params).expect("model");
    let sparse = model.sparse_storage();
    drop(mrio);
    let event = Event {
        kind: EventKind::Arbitrary,
        impacts: vec![(0, 0.5)],
        occurrence: 5,
        duration: 30,
        recovery_tau: 30.0,
        recovery_function: RecoveryFunction::Linear,
        event_monetary_factor: 1e6,
    };
    // The event must fit in the horizon (occurrence + duration = 35); `steps` are run.
    let mut sim = Simulation::new(model, vec![event], steps.max(36)).expect("simulation");
    let build = t0.elapsed().as_secs_f64();
    let mut capped = Capped {
        records: Records::default(),
        // Only a horizon stretched to fit the event needs stopping early.
        left: if steps < 36 { steps } else { usize::MAX },
    };
    let t1 = Instant::now();
    let outcome = if gate {
        let mut controls = Controls::neutral(regions, sectors);
        controls.gates.push(Gate::new(0, 1));
        sim.run_with(&mut capped, &mut controls, |t, _, c| {
            let on = t >= 5;
            c.gates[0].allowed_share = if on { 0.5 } else { 1.0 };
            c.gates[0].order_weight = if on { 0.8 } else { 1.0 };
        })
    } else {
        sim.run(&mut capped)
    };
    let run = t1.elapsed().as_secs_f64();
    let total: f64 = capped.records.production_realised.values().iter().sum();
    // The memory floor of a step: one parallel read of what a step streams at the least
    // (Z0's stored entries), fastest of five.
    let z0_read_ms = (0..5)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(sim.model().z0_stream_sum());
            t.elapsed().as_secs_f64() * 1e3
        })
        .fold(f64::INFINITY, f64::min);
    println!(
        "{{\"n\": {}, \"steps\": {steps}, \"threads\": {}, \"fast\": {fast}, \"density\": {density}, \"sparse\": {sparse}, \"build_seconds\": {build:.3}, \"run_seconds\": {run:.3}, \
         \"ms_per_step\": {:.3}, \"z0_read_ms\": {z0_read_ms:.3}, \"peak_rss_mb\": {:.1}, \"outcome\": \"{outcome:?}\", \"production_sum\": {total:e}}}",
        regions * sectors,
        rayon::current_num_threads(),
        run * 1e3 / steps as f64,
        peak_rss_mb()
    );
}
