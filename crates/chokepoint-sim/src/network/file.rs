//! The editable file form of a chain network (TOML): regions, input coefficients, baseline
//! shipments per stage and magnet use per industry. `chokepoint network export` writes it;
//! a scenario loads it with `[chain] network = "file.toml"`. Loading checks names and that
//! the network is balanced (each node uses what its suppliers ship).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::chain::{ChainNetwork, Industry, N_INDUSTRIES, N_STAGES, STAGES};
use crate::SimError;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NetworkFile {
    regions: Vec<String>,
    input_per_output: Coefficients,
    #[serde(default)]
    flow: Vec<FlowRow>,
    #[serde(default)]
    industry: Vec<IndustryRow>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Coefficients {
    separation: f64,
    metal: f64,
    magnets: f64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FlowRow {
    stage: String,
    from: String,
    to: String,
    t_per_day: f64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndustryRow {
    region: String,
    industry: String,
    magnets_t_per_day: f64,
}

const HEADER: &str = "# chokepoint chain network: baseline flows in tonnes per day.\n\
# Edit flows and industry use, keep it balanced: for every region and stage, the inflows of\n\
# the stage above times `input_per_output` must equal what the stage ships out, and each\n\
# region's magnet inflows must equal its industries' use. Use it with\n\
# `[chain] network = \"this-file.toml\"` in a scenario.\n\n";

/// Writes a network as TOML text.
pub fn to_toml(net: &ChainNetwork) -> String {
    let n = net.n_regions();
    let mut flow = Vec::new();
    for (p, stage) in STAGES.iter().enumerate() {
        for e in 0..n {
            for r in 0..n {
                let v = net.flows[p][e * n + r];
                if v > 0.0 {
                    flow.push(FlowRow {
                        stage: stage.to_string(),
                        from: net.regions[e].clone(),
                        to: net.regions[r].clone(),
                        t_per_day: v,
                    });
                }
            }
        }
    }
    let mut industry = Vec::new();
    for r in 0..n {
        for (i, ind) in Industry::ALL.iter().enumerate() {
            industry.push(IndustryRow {
                region: net.regions[r].clone(),
                industry: ind.as_str().to_string(),
                magnets_t_per_day: net.industry_demand_t_per_day[r * N_INDUSTRIES + i],
            });
        }
    }
    let file = NetworkFile {
        regions: net.regions.clone(),
        input_per_output: Coefficients {
            separation: net.input_per_output[1],
            metal: net.input_per_output[2],
            magnets: net.input_per_output[3],
        },
        flow,
        industry,
    };
    // invariant: the struct holds only strings, numbers and arrays, which TOML can always encode.
    let body = toml::to_string(&file).expect("invariant: network file is TOML-serialisable");
    format!("{HEADER}{body}")
}

/// The largest daily flow a network file may carry, t/day: world rare-earth mining is
/// about 1,000 t/day, so a billion is a typo (1e308 printed as a 309-digit number).
pub const MAX_T_PER_DAY: f64 = 1e9;

/// The most regions a network file may list.
pub const MAX_REGIONS: usize = 1_000;

/// Reads and checks a network file.
pub fn load(path: &Path) -> Result<ChainNetwork, SimError> {
    let text = crate::read_text(path)?;
    from_toml(path, &text)
}

/// Parses and checks network text (`path` is used in messages).
pub fn from_toml(path: &Path, text: &str) -> Result<ChainNetwork, SimError> {
    let file: NetworkFile = toml::from_str(text)
        .map_err(|e| crate::policies::scenario::syntax_error(path, text, &e))?;
    let bad = |key: String, message: String| SimError::Scenario {
        path: path.to_path_buf(),
        location: chokepoint_model::toml_locate(text, &key),
        key,
        message,
    };
    let n = file.regions.len();
    if n == 0 {
        return Err(bad(
            "regions".into(),
            "at least one region is needed".into(),
        ));
    }
    // The chain's flows are dense region × region arrays per stage (and per run): 20,000
    // regions asked for 17 GB. Countries and blocs are at most a few hundred.
    if n > MAX_REGIONS {
        return Err(bad(
            "regions".into(),
            format!(
                "{n} regions; a network file holds at most {MAX_REGIONS} (the chain keeps a \
                 region × region table per stage): group small countries into ROW"
            ),
        ));
    }
    if let Some((k, code)) = file
        .regions
        .iter()
        .enumerate()
        .find(|(k, r)| file.regions[..*k].contains(r))
    {
        return Err(bad(
            "regions".into(),
            format!(
                "`{code}` is listed twice (entries {} and {}); keep one",
                file.regions
                    .iter()
                    .position(|r| r == code)
                    .map_or(0, |p| p + 1),
                k + 1
            ),
        ));
    }
    let region = |key: String, code: &str| {
        file.regions.iter().position(|r| r == code).ok_or_else(|| {
            bad(
                key,
                format!(
                    "unknown region `{code}`; the file lists {}",
                    file.regions.join(", ")
                ),
            )
        })
    };
    let mut flows: [Vec<f64>; N_STAGES] = std::array::from_fn(|_| vec![0.0; n * n]);
    for (i, f) in file.flow.iter().enumerate() {
        let p = STAGES.iter().position(|s| *s == f.stage).ok_or_else(|| {
            bad(
                format!("flow[{i}].stage"),
                format!(
                    "unknown stage `{}`; expected {}",
                    f.stage,
                    STAGES.join(", ")
                ),
            )
        })?;
        let e = region(format!("flow[{i}].from"), &f.from)?;
        let r = region(format!("flow[{i}].to"), &f.to)?;
        if !(f.t_per_day.is_finite() && (0.0..=MAX_T_PER_DAY).contains(&f.t_per_day)) {
            return Err(bad(
                format!("flow[{i}].t_per_day"),
                format!("must be a number from 0 to {MAX_T_PER_DAY:e} t/day"),
            ));
        }
        flows[p][e * n + r] += f.t_per_day;
    }
    let mut industry = vec![0.0; n * N_INDUSTRIES];
    for (i, row) in file.industry.iter().enumerate() {
        let r = region(format!("industry[{i}].region"), &row.region)?;
        let ind = Industry::parse(&row.industry).ok_or_else(|| {
            bad(
                format!("industry[{i}].industry"),
                format!(
                    "unknown industry `{}`; expected one of {}",
                    row.industry,
                    Industry::names()
                ),
            )
        })?;
        if !(row.magnets_t_per_day.is_finite()
            && (0.0..=MAX_T_PER_DAY).contains(&row.magnets_t_per_day))
        {
            return Err(bad(
                format!("industry[{i}].magnets_t_per_day"),
                format!("must be a number from 0 to {MAX_T_PER_DAY:e} t/day"),
            ));
        }
        industry[r * N_INDUSTRIES + ind as usize] += row.magnets_t_per_day;
    }
    let c = &file.input_per_output;
    for (k, v) in [
        ("separation", c.separation),
        ("metal", c.metal),
        ("magnets", c.magnets),
    ] {
        if !(v.is_finite() && v > 0.0) {
            return Err(bad(
                format!("input_per_output.{k}"),
                "must be a number > 0".into(),
            ));
        }
    }
    let net = ChainNetwork {
        regions: file.regions.clone(),
        flows,
        industry_demand_t_per_day: industry,
        input_per_output: [0.0, c.separation, c.metal, c.magnets],
    };
    net.check_balance().map_err(|e| match e {
        SimError::Network(m) => SimError::Network(format!("{}: {m}", path.display())),
        other => other,
    })?;
    Ok(net)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::assumptions::AssumptionValues;
    use crate::network::chain::tests::sample_facts;

    #[test]
    fn export_then_load_gives_the_same_network() {
        let net = ChainNetwork::build(&sample_facts(), &AssumptionValues::default()).unwrap();
        let text = to_toml(&net);
        let back = from_toml(Path::new("net.toml"), &text).unwrap();
        assert_eq!(back.regions, net.regions);
        for p in 0..N_STAGES {
            for (a, b) in back.flows[p].iter().zip(&net.flows[p]) {
                assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0));
            }
        }
    }

    /// Region lists that would size the dense per-stage tables past reason, or name a
    /// region twice, are refused at `regions` (20,000 regions took 17 GB).
    #[test]
    fn too_many_or_repeated_regions_are_refused() {
        let net = ChainNetwork::build(&sample_facts(), &AssumptionValues::default()).unwrap();
        let text = to_toml(&net);
        let many: Vec<String> = (0..=MAX_REGIONS).map(|i| format!("\"R{i}\"")).collect();
        let (head, rest) = text.split_once("regions = [").unwrap();
        let e = from_toml(
            Path::new("net.toml"),
            &format!("{head}regions = [{}, {rest}", many.join(", ")),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("`regions`") && e.contains("at most 1000"), "{e}");
        let e = from_toml(
            Path::new("net.toml"),
            &format!("{head}regions = [\"CHN\", {rest}"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("`CHN` is listed twice"), "{e}");
    }

    #[test]
    fn unbalanced_or_misspelt_files_are_rejected_with_the_key() {
        let net = ChainNetwork::build(&sample_facts(), &AssumptionValues::default()).unwrap();
        let text = to_toml(&net).replacen("stage = \"mining\"", "stage = \"minning\"", 1);
        let err = from_toml(Path::new("net.toml"), &text)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("flow[0].stage") && err.contains("minning"),
            "{err}"
        );
        let text =
            to_toml(&net).replacen("magnets_t_per_day = ", "magnets_t_per_day = 1000.0 #", 1);
        let err = from_toml(Path::new("net.toml"), &text).unwrap_err();
        assert!(matches!(err, SimError::Network(_)), "{err}");
        assert!(err.is_user_error());
    }
}
