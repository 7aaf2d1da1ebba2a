//! Criterion bench: 1,000 Monte Carlo runs of `scenarios/april-2025-controls.toml` over 365
//! days on the bundled rare-earth chain (exported once to `benches/fixtures/` with
//! `chokepoint network export`), including the summary. Inputs are built outside the timing.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use chokepoint_sim::montecarlo::{Layout, McSummary, NetworkInput, run_many};
use chokepoint_sim::network::file;
use chokepoint_sim::policies::scenario::ScenarioFile;
use criterion::{Criterion, criterion_group, criterion_main};

fn montecarlo_april_2025(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let net = file::load(&root.join("benches/fixtures/rare-earth-network.toml")).unwrap();
    let regions = net.regions.clone();
    let scenario = ScenarioFile::read(&root.join("../../scenarios/april-2025-controls.toml"))
        .unwrap()
        .check(&regions)
        .unwrap();
    assert_eq!(scenario.days, 365);
    let input = NetworkInput::Fixed(net);
    let mut group = c.benchmark_group("montecarlo");
    group.sample_size(10);
    group.bench_function("montecarlo_april_2025", |b| {
        b.iter(|| {
            let runs = run_many(&scenario, &input, 1000, 42, false, &|| {}).unwrap();
            let layout = Layout::chain(&runs[0].topology, &regions);
            let records: Vec<_> = runs.iter().map(|r| &r.record).collect();
            McSummary::new(
                "april",
                42,
                scenario.start,
                scenario.days,
                &layout,
                &records,
            )
        })
    });
    group.finish();
}

criterion_group!(benches, montecarlo_april_2025);
criterion_main!(benches);
