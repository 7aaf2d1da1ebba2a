//! The bundled rare-earth chain as a physical network in tonnes per day.
//!
//! ```text
//!  mining ──► separation ──► metal/alloy ──► NdFeB magnets ──► industries
//!  (t REO)     (t oxide)      (t metal)        (t magnet)       (6 per region)
//! ```
//!
//! Each traded stage has a region × region matrix of baseline shipments. The chain is built
//! top-down from plain facts ([`ChainFacts`], filled by the binary from the warehouse):
//! China's magnet exports by destination fix what every region imports, China's share of
//! world magnet output fixes the rest of the world's output, end-use shares split each
//! region's magnets over industries, and the upstream stages supply what the stage below
//! needs, from a world pool split by each stage's country shares. Gaps are filled by the
//! named [assumptions](super::assumptions). The result is balanced: every node produces
//! exactly what its clients take, and uses exactly what its suppliers ship.

use serde::{Deserialize, Serialize};

use super::assumptions::{AssumptionValues, Key};
use crate::SimError;

/// Regions of the bundled chain, in index order.
pub const REGIONS: [&str; 10] = [
    "CHN", "USA", "EU", "JPN", "KOR", "AUS", "MMR", "IND", "VNM", "ROW",
];

/// Traded stages of the chain, upstream first (the industries are the final users).
pub const STAGES: [&str; 4] = ["mining", "separation", "metal", "magnets"];

/// Number of traded stages.
pub const N_STAGES: usize = 4;

/// Industries that use magnets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Industry {
    /// Traction motors of battery-electric and hybrid vehicles.
    EvTractionMotors,
    /// Permanent-magnet wind-turbine generators.
    WindTurbines,
    /// Phones, computers, audio, small motors in devices.
    ConsumerElectronics,
    /// Weapons systems, aircraft, ships.
    Defense,
    /// Industrial motors, pumps, robots, appliances.
    IndustrialMotors,
    /// Everything else (other automotive motors, medical, …).
    Other,
}

impl Industry {
    /// All industries, in index order.
    pub const ALL: [Industry; 6] = [
        Industry::EvTractionMotors,
        Industry::WindTurbines,
        Industry::ConsumerElectronics,
        Industry::Defense,
        Industry::IndustrialMotors,
        Industry::Other,
    ];

    /// The snake_case name used in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Industry::EvTractionMotors => "ev_traction_motors",
            Industry::WindTurbines => "wind_turbines",
            Industry::ConsumerElectronics => "consumer_electronics",
            Industry::Defense => "defense",
            Industry::IndustrialMotors => "industrial_motors",
            Industry::Other => "other",
        }
    }

    /// Parses a name as printed by [`Industry::as_str`].
    pub fn parse(s: &str) -> Option<Industry> {
        Industry::ALL.into_iter().find(|i| i.as_str() == s.trim())
    }

    /// All names, for error messages.
    pub fn names() -> String {
        Industry::ALL.map(Industry::as_str).join(", ")
    }
}

/// Number of industries per region.
pub const N_INDUSTRIES: usize = 6;

/// Nodes of a chain of `regions` regions: one per stage and per industry in each, which
/// is what a run's records grow with (the server's size limit and the memory guard).
pub fn chain_nodes(regions: usize) -> usize {
    regions * (STAGES.len() + N_INDUSTRIES)
}

/// Plain facts read from the warehouse (by the binary) to build the bundled chain.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChainFacts {
    /// Mine production by country (ISO-3, `OTH` for others), t REO per year.
    pub mine_production_t_per_year: Vec<(String, f64)>,
    /// Share of world output by stage (`separation`, `metal`, `magnets`) and country.
    pub stage_shares: Vec<(String, String, f64)>,
    /// China's magnet exports by partner (ISO-3, `EUU` for the EU, `WLD` for the world
    /// total), t per year.
    pub magnet_exports_t_per_year: Vec<(String, f64)>,
    /// Shares of magnet demand by industry, where the data give them.
    pub end_use_shares: Vec<(Industry, f64)>,
    /// Where the figures come from (which source a series used), for the notes of reports
    /// built on the chain; the engine does not read it.
    pub provenance: Vec<String>,
}

/// The assumption that alone sets a region's own output of a stage in the bundled chain,
/// where the data give no figure: Japan's and the EU's magnet output are the output outside
/// China split by `non_china_magnet_japan_share` (see [`ChainNetwork::build`]). What a
/// reader of that region's reliance must be told rests on an assumption.
pub fn output_assumption(region: &str, stage: &str) -> Option<Key> {
    (stage == "magnets" && matches!(region, "JPN" | "EU")).then_some(Key::NonChinaMagnetJapanShare)
}

/// Whether the bundled chain's cross-border flows of a stage come from customs data: only
/// magnets do (China's exports by destination); the upstream stages are drawn from a world
/// pool split by each stage's world output shares (see [`ChainNetwork::build`]), so a
/// region's suppliers of mined, separated or metal material there are a world-share proxy,
/// not where it buys (procurement review: an EU metal CRMA "PASS" under Chinese licences).
pub fn flows_from_customs(stage: &str) -> bool {
    stage == "magnets"
}

/// The region of a country code (EU members → `EU`, unknown → `ROW`).
pub fn region_of(iso3: &str) -> usize {
    let code = iso3.trim().to_ascii_uppercase();
    let code = if code == "EUU" || chokepoint_model::EU_MEMBERS.contains(&code.as_str()) {
        "EU".to_string()
    } else {
        code
    };
    REGIONS
        .iter()
        .position(|r| *r == code)
        .unwrap_or(REGIONS.len() - 1)
}

/// A balanced physical network: baseline shipments per stage and magnet use per industry.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainNetwork {
    /// Region codes, in index order.
    pub regions: Vec<String>,
    /// Baseline shipments per traded stage, `flows[p][e * R + r]` in t/day from exporter
    /// region `e` to the clients in region `r` (stage `p + 1` makers, or industries for magnets).
    pub flows: [Vec<f64>; N_STAGES],
    /// Baseline magnet use per industry node `r * 6 + i`, t/day.
    pub industry_demand_t_per_day: Vec<f64>,
    /// Input per unit of output for each stage (index 0, mining, has no input).
    pub input_per_output: [f64; N_STAGES],
}

impl ChainNetwork {
    /// Number of regions.
    pub fn n_regions(&self) -> usize {
        self.regions.len()
    }

    /// Baseline output of stage `p` in region `r`, t/day.
    pub fn production(&self, r: usize, p: usize) -> f64 {
        let n = self.n_regions();
        self.flows[p][r * n..(r + 1) * n].iter().sum()
    }

    /// Baseline input of stage `p` products received by region `r`, t/day.
    pub fn inflow(&self, p: usize, r: usize) -> f64 {
        let n = self.n_regions();
        (0..n).map(|e| self.flows[p][e * n + r]).sum()
    }

    /// Index of a region code.
    pub fn region_index(&self, code: &str) -> Option<usize> {
        self.regions.iter().position(|r| r == code.trim())
    }

    /// Builds the bundled chain from facts and assumptions.
    pub fn build(facts: &ChainFacts, a: &AssumptionValues) -> Result<ChainNetwork, SimError> {
        let n = REGIONS.len();
        let per_day = 1.0 / 365.0;
        // Magnets: China's exports by destination.
        let mut exports = vec![0.0; n];
        let mut world = None;
        let mut eu_total = None;
        for (partner, t) in &facts.magnet_exports_t_per_year {
            match partner.as_str() {
                "WLD" => world = Some(*t),
                "EUU" => eu_total = Some(*t),
                p if region_of(p) != 0 => exports[region_of(p)] += *t,
                _ => {}
            }
        }
        let eu = region_of("EUU");
        if let Some(t) = eu_total {
            exports[eu] = t; // the EU total includes the member states listed one by one
        }
        let world = world.ok_or_else(|| {
            SimError::Facts("no world total (WLD) of China's magnet exports".into())
        })?;
        let named: f64 = exports.iter().sum();
        let row = n - 1;
        exports[row] += (world - named).max(0.0);
        let exports_total: f64 = exports.iter().sum();
        let china_share = stage_share(facts, "magnets", 0).ok_or_else(|| {
            SimError::Facts("no China share of world magnet output (stage `magnets`)".into())
        })?;
        let dom = a.get(Key::ChinaDomesticMagnetShare);
        let china_output = exports_total / (1.0 - dom);
        let rest = china_output / china_share - china_output;
        let jpn_share = a.get(Key::NonChinaMagnetJapanShare);
        let mut magnets = vec![0.0; n * n];
        for (r, t) in exports.iter().enumerate() {
            magnets[r] = t * per_day; // CHN is region 0
        }
        magnets[0] += (china_output - exports_total) * per_day;
        let jpn = region_of("JPN");
        magnets[jpn * n + jpn] = rest * jpn_share * per_day;
        magnets[eu * n + eu] = rest * (1.0 - jpn_share) * per_day;

        // Industries: each region's magnets split by end-use shares.
        let shares = end_use_shares(facts, a);
        let mut industry = vec![0.0; n * N_INDUSTRIES];
        for r in 0..n {
            let used: f64 = (0..n).map(|e| magnets[e * n + r]).sum();
            for (i, s) in shares.iter().enumerate() {
                industry[r * N_INDUSTRIES + i] = used * s;
            }
        }

        let input_per_output = [
            0.0,
            1.0 / a.get(Key::SeparationRecovery),
            1.0 / a.get(Key::MetalYield),
            a.get(Key::MagnetReContent) / a.get(Key::MagnetYield),
        ];
        let mut flows = [
            vec![0.0; n * n],
            vec![0.0; n * n],
            vec![0.0; n * n],
            magnets,
        ];
        // Upstream stages: each supplies, from a world pool, what the stage below needs.
        for p in (0..3).rev() {
            let shares = if p == 0 {
                mining_shares(facts)?
            } else {
                let stage = if p == 2 && has_stage(facts, "metal") {
                    "metal"
                } else {
                    // No metal/alloy shares in the data: metal making follows separation,
                    // which is where the same Chinese plants sit.
                    "separation"
                };
                region_shares(facts, stage)
            };
            for r in 0..n {
                let out: f64 = flows[p + 1][r * n..(r + 1) * n].iter().sum();
                let need = out * input_per_output[p + 1];
                for (e, s) in shares.iter().enumerate() {
                    flows[p][e * n + r] = need * s;
                }
            }
        }
        Ok(ChainNetwork {
            regions: REGIONS.iter().map(|r| r.to_string()).collect(),
            flows,
            industry_demand_t_per_day: industry,
            input_per_output,
        })
    }

    /// Checks that the network is balanced: each node uses what its suppliers ship.
    pub fn check_balance(&self) -> Result<(), SimError> {
        let n = self.n_regions();
        let close = |x: f64, y: f64| (x - y).abs() <= 1e-6 * x.abs().max(y.abs()).max(1e-9);
        for (p, stage) in STAGES.iter().enumerate().skip(1) {
            for r in 0..n {
                let needed = self.production(r, p) * self.input_per_output[p];
                let got = self.inflow(p - 1, r);
                if !close(needed, got) {
                    return Err(SimError::Network(format!(
                        "{} {stage} makes {:.4} t/day, which needs {needed:.4} t/day of {}, \
                         but its suppliers ship {got:.4} t/day; make the inflows match",
                        self.regions[r],
                        self.production(r, p),
                        STAGES[p - 1]
                    )));
                }
            }
        }
        for r in 0..n {
            let used: f64 = self.industry_demand_t_per_day
                [r * N_INDUSTRIES..(r + 1) * N_INDUSTRIES]
                .iter()
                .sum();
            let got = self.inflow(3, r);
            if !close(used, got) {
                return Err(SimError::Network(format!(
                    "{} industries use {used:.4} t/day of magnets but receive {got:.4} t/day",
                    self.regions[r]
                )));
            }
        }
        Ok(())
    }
}

fn has_stage(facts: &ChainFacts, stage: &str) -> bool {
    facts.stage_shares.iter().any(|(s, _, _)| s == stage)
}

fn stage_share(facts: &ChainFacts, stage: &str, region: usize) -> Option<f64> {
    let shares: Vec<f64> = facts
        .stage_shares
        .iter()
        .filter(|(s, c, _)| s == stage && region_of(c) == region)
        .map(|(_, _, v)| *v)
        .collect();
    (!shares.is_empty()).then(|| shares.iter().sum())
}

/// Shares of a stage by region; what the data leave unassigned goes to ROW.
fn region_shares(facts: &ChainFacts, stage: &str) -> Vec<f64> {
    let n = REGIONS.len();
    let mut out = vec![0.0; n];
    for (s, c, v) in &facts.stage_shares {
        if s == stage {
            out[region_of(c)] += v.max(0.0);
        }
    }
    normalise_with_rest(&mut out);
    out
}

fn normalise_with_rest(out: &mut [f64]) {
    let total: f64 = out.iter().sum();
    let last = out.len() - 1;
    if total < 1.0 {
        out[last] += 1.0 - total;
    } else {
        out.iter_mut().for_each(|v| *v /= total);
    }
}

fn mining_shares(facts: &ChainFacts) -> Result<Vec<f64>, SimError> {
    let mut out = vec![0.0; REGIONS.len()];
    for (c, t) in &facts.mine_production_t_per_year {
        if c != "WLD" {
            out[region_of(c)] += t.max(0.0);
        }
    }
    let total: f64 = out.iter().sum();
    if total <= 0.0 {
        return Err(SimError::Facts("no mine production by country".into()));
    }
    out.iter_mut().for_each(|v| *v /= total);
    Ok(out)
}

/// The assumption that sets each named industry's share of magnet demand where the data
/// give none (`other` takes the rest).
pub(crate) const END_USE_KEYS: [(Industry, Key); 5] = [
    (Industry::EvTractionMotors, Key::EndUseEvShare),
    (Industry::WindTurbines, Key::EndUseWindShare),
    (Industry::ConsumerElectronics, Key::EndUseElectronicsShare),
    (Industry::Defense, Key::EndUseDefenseShare),
    (Industry::IndustrialMotors, Key::EndUseIndustrialShare),
];

/// The share of magnet demand the data give an industry (`end_uses.csv`), if any.
pub(crate) fn end_use_share_from_data(facts: &ChainFacts, ind: Industry) -> Option<f64> {
    facts
        .end_use_shares
        .iter()
        .find(|(i, _)| *i == ind)
        .map(|(_, s)| *s)
}

/// The named industries' shares of magnet demand, from the data where they give one, else
/// from the assumptions, in [`END_USE_KEYS`] order.
pub(crate) fn named_end_use_shares(facts: &ChainFacts, a: &AssumptionValues) -> [f64; 5] {
    END_USE_KEYS.map(|(ind, key)| {
        end_use_share_from_data(facts, ind)
            .unwrap_or_else(|| a.get(key))
            .max(0.0)
    })
}

fn end_use_shares(facts: &ChainFacts, a: &AssumptionValues) -> [f64; N_INDUSTRIES] {
    let named = named_end_use_shares(facts, a);
    let mut s = [0.0; N_INDUSTRIES];
    s[..5].copy_from_slice(&named);
    let sum: f64 = named.iter().sum();
    // Scenarios whose shares add up to more than 1 are refused at load
    // (`ScenarioFile::check_chain`); network files built elsewhere are scaled down.
    if sum <= 1.0 {
        s[5] = 1.0 - sum;
    } else {
        s.iter_mut().for_each(|v| *v /= sum);
    }
    s
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Facts in the shape the warehouse gives (2024 values from the bundled data).
    pub(crate) fn sample_facts() -> ChainFacts {
        ChainFacts {
            mine_production_t_per_year: vec![
                ("CHN".into(), 270_000.0),
                ("USA".into(), 45_000.0),
                ("AUS".into(), 29_000.0),
                ("MMR".into(), 27_000.0),
                ("IND".into(), 2_900.0),
                ("VNM".into(), 300.0),
                ("THA".into(), 2_100.0),
            ],
            stage_shares: vec![
                ("separation".into(), "CHN".into(), 0.91),
                ("separation".into(), "MYS".into(), 0.05),
                ("magnets".into(), "CHN".into(), 0.94),
            ],
            magnet_exports_t_per_year: vec![
                ("WLD".into(), 58_152.0),
                ("EUU".into(), 21_500.0),
                ("DEU".into(), 12_000.0),
                ("USA".into(), 7_200.0),
                ("KOR".into(), 5_500.0),
                ("JPN".into(), 2_300.0),
                ("VNM".into(), 4_600.0),
                ("IND".into(), 2_000.0),
            ],
            end_use_shares: vec![(Industry::ConsumerElectronics, 0.30)],
            provenance: Vec::new(),
        }
    }

    #[test]
    fn bundled_chain_is_balanced_and_matches_the_export_total() {
        let net = ChainNetwork::build(&sample_facts(), &AssumptionValues::default()).unwrap();
        net.check_balance().unwrap();
        let exported: f64 = (1..10).map(|r| net.flows[3][r]).sum::<f64>() * 365.0;
        assert!((exported - 58_152.0).abs() < 1e-6, "{exported}");
        // The EU total replaces, not adds to, Germany's figure.
        assert!((net.flows[3][region_of("DEU")] * 365.0 - 21_500.0).abs() < 1e-6);
    }

    #[test]
    fn missing_world_total_is_a_facts_error() {
        let mut f = sample_facts();
        f.magnet_exports_t_per_year.retain(|(p, _)| p != "WLD");
        assert!(ChainNetwork::build(&f, &AssumptionValues::default()).is_err());
    }

    #[test]
    fn maps_countries_to_regions() {
        assert_eq!(REGIONS[region_of("DEU")], "EU");
        assert_eq!(REGIONS[region_of("MYS")], "ROW");
        assert_eq!(REGIONS[region_of("KOR")], "KOR");
    }
}
