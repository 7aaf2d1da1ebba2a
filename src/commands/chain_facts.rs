//! Facts for the bundled rare-earth chain and the observed customs series, read from the
//! bundled dataset and handed to `chokepoint-sim` as plain data (the engine never reads
//! files or the warehouse itself).
//!
//! Selection rules (each documented where it is applied):
//! - mine production: the latest primary USGS MCS edition, its latest data year;
//! - stage shares: per stage, the latest year reported, duplicates averaged;
//! - China's magnet exports by partner: a 2024 monthly rate per partner, from 2024 monthly
//!   rows and from 2025 rows divided by (1 + y/y change); the world total from the 2024
//!   annual row;
//! - end uses: shares of magnet demand by industry, latest year up to 2025.

use std::collections::BTreeMap;

use anyhow::Context;
use chokepoint_model::{Stage, YearMonth};
use chokepoint_sim::network::chain::{ChainFacts, Industry};

const MINE: &str = include_str!("../../data/rare-earths/mine_production.csv");
const SHARES: &str = include_str!("../../data/rare-earths/stage_shares.csv");
const EXPORTS: &str = include_str!("../../data/rare-earths/china_exports_monthly.csv");
const END_USES: &str = include_str!("../../data/rare-earths/end_uses.csv");

/// The product label of China's magnet exports in the customs series.
const MAGNETS: &str = "rare_earth_permanent_magnets";

type Row = BTreeMap<String, String>;

fn rows(name: &str, text: &str) -> anyhow::Result<Vec<Row>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r
        .headers()
        .with_context(|| format!("{name}: header"))?
        .clone();
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.with_context(|| format!("{name}: row {}", i + 2))?;
        out.push(
            headers
                .iter()
                .map(String::from)
                .zip(rec.iter().map(String::from))
                .collect(),
        );
    }
    Ok(out)
}

fn num(r: &Row, k: &str) -> Option<f64> {
    r.get(k).and_then(|v| v.trim().parse().ok())
}

fn get<'a>(r: &'a Row, k: &str) -> &'a str {
    r.get(k).map_or("", String::as_str)
}

/// Facts of the bundled chain.
pub fn bundled_facts() -> anyhow::Result<ChainFacts> {
    Ok(ChainFacts {
        mine_production_t_per_year: mine_production()?,
        stage_shares: stage_shares()?,
        magnet_exports_t_per_year: magnet_exports()?,
        end_use_shares: end_uses()?,
    })
}

fn mine_production() -> anyhow::Result<Vec<(String, f64)>> {
    let all = rows("mine_production.csv", MINE)?;
    let primary: Vec<&Row> = all
        .iter()
        .filter(|r| get(r, "metric") == "mine_production" && get(r, "source_type") == "primary")
        .filter(|r| {
            let e = get(r, "edition");
            e.len() == 7 && e.starts_with("MCS")
        })
        .collect();
    let edition = primary
        .iter()
        .map(|r| get(r, "edition"))
        .max()
        .context("no USGS edition")?;
    let year = primary
        .iter()
        .filter(|r| get(r, "edition") == edition)
        .filter_map(|r| num(r, "year"))
        .fold(f64::MIN, f64::max);
    Ok(primary
        .iter()
        .filter(|r| get(r, "edition") == edition && num(r, "year") == Some(year))
        .filter_map(|r| Some((get(r, "country_iso3").to_string(), num(r, "value")?)))
        .collect())
}

fn stage_shares() -> anyhow::Result<Vec<(String, String, f64)>> {
    let all = rows("stage_shares.csv", SHARES)?;
    // (stage, year) → country → values
    let mut by: BTreeMap<(&'static str, i64), BTreeMap<String, Vec<f64>>> = BTreeMap::new();
    for r in &all {
        let Some(stage) = Stage::from_source_label(get(r, "stage")) else {
            continue;
        };
        let stage = match stage {
            Stage::Separation => "separation",
            Stage::Metal => "metal",
            Stage::Magnets => "magnets",
            _ => continue,
        };
        let country = get(r, "country_iso3");
        let (Some(year), Some(v)) = (num(r, "year"), num(r, "share")) else {
            continue;
        };
        // Projections and ranges are not shares of actual output.
        if country.len() != 3 || get(r, "year_basis").starts_with("projection") || year > 2025.0 {
            continue;
        }
        by.entry((stage, year as i64))
            .or_default()
            .entry(country.to_string())
            .or_default()
            .push(v);
    }
    let mut out = Vec::new();
    for stage in ["separation", "metal", "magnets"] {
        if let Some((_, countries)) = by.range((stage, i64::MIN)..=(stage, i64::MAX)).next_back() {
            for (c, v) in countries {
                out.push((
                    stage.to_string(),
                    c.clone(),
                    v.iter().sum::<f64>() / v.len() as f64,
                ));
            }
        }
    }
    Ok(out)
}

fn magnet_exports() -> anyhow::Result<Vec<(String, f64)>> {
    let all = rows("china_exports_monthly.csv", EXPORTS)?;
    let magnets: Vec<&Row> = all
        .iter()
        .filter(|r| {
            get(r, "product") == MAGNETS && get(r, "flow") == "export" && get(r, "unit") == "t"
        })
        .collect();
    let world = magnets
        .iter()
        .find(|r| get(r, "partner_iso3") == "WLD" && get(r, "period") == "2024")
        .and_then(|r| num(r, "value"))
        .context("no 2024 world total of China's magnet exports")?;
    let mut rates: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in &magnets {
        let partner = get(r, "partner_iso3");
        if partner == "WLD" {
            continue;
        }
        let (Some(v), period) = (num(r, "value"), get(r, "period")) else {
            continue;
        };
        let months = match get(r, "period_type") {
            "month" => 1.0,
            "ytd" => period
                .parse::<chokepoint_model::Period>()
                .map(|p| p.month_count() as f64)
                .unwrap_or(0.0),
            _ => 0.0,
        };
        if months == 0.0 {
            continue;
        }
        let monthly = if period.starts_with("2024") {
            Some(v / months)
        } else {
            num(r, "yoy_pct").map(|y| v / (1.0 + y / 100.0) / months)
        };
        if let Some(m) = monthly {
            rates.entry(partner.to_string()).or_default().push(m);
        }
    }
    let mut out = vec![("WLD".to_string(), world)];
    for (p, v) in rates {
        out.push((p, 12.0 * v.iter().sum::<f64>() / v.len() as f64));
    }
    Ok(out)
}

fn end_uses() -> anyhow::Result<Vec<(Industry, f64)>> {
    let all = rows("end_uses.csv", END_USES)?;
    let mut best: BTreeMap<&'static str, (i64, f64)> = BTreeMap::new();
    for r in &all {
        let material = get(r, "material").to_ascii_lowercase();
        if get(r, "metric") != "end_use_share"
            || get(r, "scope") != "global"
            || !material.contains("magnet")
        {
            continue;
        }
        let year: i64 = get(r, "year").trim_start_matches("c.").parse().unwrap_or(0);
        let sector = get(r, "sector").to_ascii_lowercase();
        let ind = if sector.contains("electric vehicle") {
            "ev"
        } else if sector.contains("consumer electronics") {
            "ce"
        } else if sector.contains("wind") {
            "wind"
        } else {
            continue;
        };
        let Some(v) = num(r, "value") else { continue };
        if year <= 2025 && best.get(ind).is_none_or(|(y, _)| year > *y) {
            best.insert(ind, (year, v));
        }
    }
    Ok(best
        .into_iter()
        .map(|(k, (_, v))| {
            let ind = match k {
                "ev" => Industry::EvTractionMotors,
                "ce" => Industry::ConsumerElectronics,
                _ => Industry::WindTurbines,
            };
            (ind, v)
        })
        .collect())
}

/// China's monthly magnet exports to the world, t, from the customs series.
pub fn observed_magnet_exports() -> anyhow::Result<Vec<(YearMonth, f64)>> {
    let all = rows("china_exports_monthly.csv", EXPORTS)?;
    let mut out: Vec<(YearMonth, f64)> = all
        .iter()
        .filter(|r| {
            get(r, "product") == MAGNETS
                && get(r, "partner_iso3") == "WLD"
                && get(r, "period_type") == "month"
                && get(r, "unit") == "t"
        })
        .filter_map(|r| Some((get(r, "period").parse().ok()?, num(r, "value")?)))
        .collect();
    out.sort_by_key(|(m, _)| m.index());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_facts_cover_the_chain() {
        let f = bundled_facts().unwrap();
        assert!(
            f.mine_production_t_per_year
                .iter()
                .any(|(c, v)| c == "CHN" && *v > 200_000.0)
        );
        assert!(
            f.stage_shares
                .iter()
                .any(|(s, c, v)| s == "magnets" && c == "CHN" && *v > 0.8)
        );
        let world = f
            .magnet_exports_t_per_year
            .iter()
            .find(|(p, _)| p == "WLD")
            .unwrap()
            .1;
        assert_eq!(world, 58_152.0);
        let usa = f
            .magnet_exports_t_per_year
            .iter()
            .find(|(p, _)| p == "USA")
            .unwrap()
            .1;
        assert!((6_000.0..9_000.0).contains(&usa), "{usa}");
        assert!(
            f.end_use_shares
                .contains(&(Industry::ConsumerElectronics, 0.3))
        );
    }

    #[test]
    fn observed_series_holds_the_may_2025_collapse() {
        let s = observed_magnet_exports().unwrap();
        let may = s
            .iter()
            .find(|(m, _)| m.to_string() == "2025-05")
            .unwrap()
            .1;
        assert_eq!(may, 1238.0);
    }
}
