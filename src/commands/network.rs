//! `chokepoint network describe|export`: the bundled rare-earth chain and its assumptions.

use std::path::Path;

use anyhow::Context;
use chokepoint_sim::network::assumptions::{ASSUMPTIONS, AssumptionValues, markdown_table};
use chokepoint_sim::network::chain::{ChainNetwork, Industry, N_INDUSTRIES, STAGES};
use chokepoint_sim::network::file as network_file;

use super::chain_facts;
use crate::cli::{NetworkArgs, NetworkCommand};
use crate::exit::UserError;
use crate::output::{Cell, Format, Table, print_json};

/// The bundled chain under default assumptions, and where its figures come from.
fn bundled(data_dir: Option<&Path>) -> anyhow::Result<(ChainNetwork, Vec<String>)> {
    bundled_from(&chain_facts::facts_from_warehouse(data_dir)?)
}

/// [`bundled`] from facts already read.
fn bundled_from(
    facts: &chokepoint_sim::network::chain::ChainFacts,
) -> anyhow::Result<(ChainNetwork, Vec<String>)> {
    let net = ChainNetwork::build(facts, &AssumptionValues::default())?;
    let mut notes = facts.provenance.clone();
    notes.extend(upstream_basis(&net, facts));
    Ok((net, notes))
}

/// What the upstream stages' tonnes are: only the material bound for magnets, a part of
/// the world's mine output (policy review: a mine entered at its nameplate tonnes REO
/// counted about 3.5 times too much against the mines already in the chain).
fn upstream_basis(
    net: &ChainNetwork,
    facts: &chokepoint_sim::network::chain::ChainFacts,
) -> Option<String> {
    let mined: f64 = (0..net.n_regions())
        .map(|r| net.production(r, 0))
        .sum::<f64>()
        * 365.0;
    // The world total where the data give one, else the countries' sum (as the chain's
    // mining shares do; the world row counted twice read 779,310 t).
    let world: f64 = facts
        .mine_production_t_per_year
        .iter()
        .find(|(c, _)| c == "WLD")
        .map(|(_, t)| *t)
        .unwrap_or_else(|| {
            facts
                .mine_production_t_per_year
                .iter()
                .map(|(_, t)| t)
                .sum()
        });
    (world > 0.0 && mined > 0.0).then(|| {
        let share = mined / world;
        let t = |v: f64| chokepoint_store::indicators::thousands(v.round());
        format!(
            "the upstream stages carry only the material bound for magnets: the chain mines \
             {} t REO a year, {:.1} % of the {} t of world mine production in the latest USGS \
             year of the data; a [[new_supply]] plant upstream adds its capacity to these \
             flows, so give the part of its output bound for magnet materials, not its \
             nameplate (a 20,000 t REO mine at the chain's share is about {} t)",
            t(mined),
            100.0 * share,
            t(world),
            t(20_000.0 * share)
        )
    })
}

/// Runs `chokepoint network …`.
pub fn run(args: &NetworkArgs, data_dir: Option<&Path>) -> anyhow::Result<()> {
    match &args.command {
        NetworkCommand::Describe { markdown: true, .. } => {
            print!("{}", markdown_table());
            Ok(())
        }
        NetworkCommand::Describe { format, .. } => describe(*format, data_dir),
        NetworkCommand::Export { file } => {
            super::warehouse::check_output(
                &format!("network export {}", file.display()),
                file,
                &[],
                data_dir,
            )?;
            // Write over an earlier export only: a scenario or any other file named by
            // mistake (`network export scenarios/april.toml`) is kept.
            if file.is_file()
                && std::fs::metadata(file).is_ok_and(|m| m.len() > 0)
                && network_file::load(file).is_err()
            {
                return Err(UserError(format!(
                    "network export {}: the file exists and is not a network file; remove it \
                     or choose another name (an earlier export is overwritten, nothing else)",
                    file.display()
                ))
                .into());
            }
            let (net, provenance) = bundled(data_dir)?;
            std::fs::write(file, network_file::to_toml(&net))
                .with_context(|| format!("writing {}", file.display()))?;
            // On stderr: the file itself may be standard output (`network export /dev/stdout`).
            stderr_line!(
                "wrote the bundled rare-earth chain ({} regions, {} stages, {} industries) to {}",
                net.n_regions(),
                STAGES.len(),
                N_INDUSTRIES,
                file.display()
            );
            for note in provenance {
                stderr_line!("note: {note}");
            }
            Ok(())
        }
    }
}

fn assumptions_table() -> Table {
    let mut t = Table::new(["key", "unit", "default", "min", "max", "reasoning"]);
    for a in ASSUMPTIONS {
        t.push(vec![
            a.key.into(),
            a.unit.into(),
            Cell::float(a.default, 3),
            Cell::float(a.min, 2),
            Cell::float(a.max, 2),
            a.reasoning.into(),
        ]);
    }
    t
}

fn nodes_table(net: &ChainNetwork) -> Table {
    let mut t = Table::new([
        "region",
        "node",
        "baseline_t_per_day",
        "imports_t_per_day",
        "exports_t_per_day",
    ]);
    let n = net.n_regions();
    for r in 0..n {
        for (p, stage) in STAGES.iter().enumerate() {
            let out = net.production(r, p);
            if out <= 0.0 {
                continue;
            }
            let exports: f64 = (0..n)
                .filter(|&i| i != r)
                .map(|i| net.flows[p][r * n + i])
                .sum();
            let imports: f64 = if p == 0 {
                0.0
            } else {
                (0..n)
                    .filter(|&e| e != r)
                    .map(|e| net.flows[p - 1][e * n + r])
                    .sum()
            };
            t.push(vec![
                net.regions[r].as_str().into(),
                (*stage).into(),
                Cell::float(out, 3),
                Cell::float(imports, 3),
                Cell::float(exports, 3),
            ]);
        }
        for (i, ind) in Industry::ALL.iter().enumerate() {
            let used = net.industry_demand_t_per_day[r * N_INDUSTRIES + i];
            if used > 0.0 {
                let imported: f64 = (0..n)
                    .filter(|&e| e != r)
                    .map(|e| net.flows[3][e * n + r])
                    .sum::<f64>()
                    / net.inflow(3, r).max(f64::MIN_POSITIVE)
                    * used;
                t.push(vec![
                    net.regions[r].as_str().into(),
                    ind.as_str().into(),
                    Cell::float(used, 3),
                    Cell::float(imported, 3),
                    Cell::float(0.0, 3),
                ]);
            }
        }
    }
    t
}

/// The bundled network as `network describe --format json` prints it (also `GET /api/network`).
pub fn describe_json(data_dir: Option<&Path>) -> anyhow::Result<serde_json::Value> {
    describe_json_from(&chain_facts::facts_from_warehouse(data_dir)?)
}

/// [`describe_json`] from facts already read (the server's, read once per warehouse state).
pub fn describe_json_from(
    facts: &chokepoint_sim::network::chain::ChainFacts,
) -> anyhow::Result<serde_json::Value> {
    let (net, provenance) = bundled_from(facts)?;
    Ok(serde_json::json!({
        "regions": net.regions,
        "stages": STAGES,
        "industries": Industry::ALL.map(Industry::as_str),
        "assumptions": assumptions_table().to_json(),
        "nodes": nodes_table(&net).to_json(),
        "notes": provenance,
    }))
}

fn describe(format: Format, data_dir: Option<&Path>) -> anyhow::Result<()> {
    if format == Format::Json {
        print_json(&describe_json(data_dir)?)?;
        return Ok(());
    }
    let (net, provenance) = bundled(data_dir)?;
    if format == Format::Table {
        println!(
            "Bundled rare-earth chain: regions {}; stages {} -> industries ({}); tonnes per day.\n",
            net.regions.join(", "),
            STAGES.join(" -> "),
            Industry::names()
        );
        println!("Named assumptions (override in a scenario's [assumptions] table):");
    }
    assumptions_table().print(format)?;
    if format == Format::Table {
        println!("\nBaseline nodes:");
        nodes_table(&net).print(format)?;
        for note in provenance {
            println!("note: {note}");
        }
    }
    Ok(())
}
