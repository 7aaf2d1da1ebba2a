//! Facts for the bundled rare-earth chain and the observed customs series, read from the
//! warehouse with SQL (tables `production`, `stage_shares`, `trade`, `end_uses`) and handed
//! to `chokepoint-sim` as plain data (the engine never reads files or the warehouse itself).
//!
//! Selection rules (each documented where it is applied):
//! - mine production: the latest primary USGS MCS edition, its latest data year;
//! - stage shares: per stage, the latest year reported, duplicates averaged;
//! - China's magnet exports by partner: a 2024 monthly rate per partner, from 2024 monthly
//!   rows and from 2025 rows divided by (1 + y/y change); the world total from the 2024
//!   annual row; one source per period and partner by the store's source rules
//!   (`indicators::series`), never a mix;
//! - end uses: shares of magnet demand by industry, latest year up to 2025.

use std::collections::BTreeMap;

use anyhow::Context;
use chokepoint_model::{Flow, Iso3, Period, Stage, YearMonth};
use chokepoint_sim::network::chain::{ChainFacts, Industry};
use chokepoint_store::batches_to_json_rows;
use chokepoint_store::indicators::FlowQuery;
use chokepoint_store::indicators::series::{Observation, quantity_observations};
use chokepoint_store::schema::PeriodType;

use super::warehouse::Opened;

/// The product label of China's magnet exports in the warehouse's `trade` table.
const MAGNETS: &str = "magnets";

type Row = BTreeMap<String, String>;

/// The warehouse plus the runtime its async queries run on.
pub struct Facts<'a> {
    opened: &'a Opened,
}

impl<'a> Facts<'a> {
    /// Reads facts from an opened warehouse.
    pub fn new(opened: &'a Opened) -> Facts<'a> {
        Facts { opened }
    }

    /// Runs a query and returns its rows with every value as text (NULL → empty).
    fn rows(&self, query: &str) -> anyhow::Result<Vec<Row>> {
        let batches = self
            .opened
            .runtime
            .block_on(self.opened.warehouse.sql(query))
            .with_context(|| format!("querying the warehouse: {query}"))?;
        Ok(batches_to_json_rows(&batches)
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|(k, v)| {
                        let text = match v {
                            serde_json::Value::Null => String::new(),
                            serde_json::Value::String(s) => s,
                            other => other.to_string(),
                        };
                        (k, text)
                    })
                    .collect()
            })
            .collect())
    }
}

fn num(r: &Row, k: &str) -> Option<f64> {
    r.get(k).and_then(|v| v.trim().parse().ok())
}

fn get<'a>(r: &'a Row, k: &str) -> &'a str {
    r.get(k).map_or("", String::as_str)
}

/// Opens the warehouse in `data_dir` (default: the per-user one) and reads the chain facts.
pub fn facts_from_warehouse(data_dir: Option<&std::path::Path>) -> anyhow::Result<ChainFacts> {
    let opened = super::warehouse::open(data_dir)?;
    bundled_facts(&Facts::new(&opened))
}

/// One month of China's customs magnet exports to the world.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedMonth {
    /// The month.
    pub month: YearMonth,
    /// Tonnes.
    pub tonnes: f64,
    /// Derived from another figure (e.g. a later month and its reported change) rather
    /// than reported: shown marked, since it carries the assumption it was derived with.
    pub is_derived: bool,
    /// The source the figure comes from (`bundled`, `ingest: comtrade`, …): one per month,
    /// by the store's source rule.
    pub source: String,
}

/// Opens the warehouse and reads China's monthly magnet exports to the world.
pub fn observed_from_warehouse(
    data_dir: Option<&std::path::Path>,
) -> anyhow::Result<Vec<ObservedMonth>> {
    let opened = super::warehouse::open(data_dir)?;
    observed_magnet_exports(&Facts::new(&opened))
}

/// Facts of the bundled chain.
pub fn bundled_facts(f: &Facts<'_>) -> anyhow::Result<ChainFacts> {
    let (magnet_exports_t_per_year, magnet_note) = magnet_exports(f)?;
    Ok(ChainFacts {
        mine_production_t_per_year: mine_production(f)?,
        stage_shares: stage_shares(f)?,
        magnet_exports_t_per_year,
        end_use_shares: end_uses(f)?,
        provenance: vec![magnet_note],
    })
}

fn mine_production(f: &Facts<'_>) -> anyhow::Result<Vec<(String, f64)>> {
    let all = f.rows(
        "SELECT year, country_iso3, metric, value, edition, source_type FROM production \
         WHERE metric = 'mine_production'",
    )?;
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

fn stage_shares(f: &Facts<'_>) -> anyhow::Result<Vec<(String, String, f64)>> {
    let all = f.rows("SELECT year, stage, country_iso3, share, year_basis FROM stage_shares")?;
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

/// China's magnet exports in the warehouse, one observation per period and partner after
/// the store's source rules (`indicators::series`, the rules `trends` applies): repeats count
/// once, ingested data win over bundled figures, sources never add up. Reading through that
/// one mechanism keeps the chain's baseline and the observed series reproducible (its output
/// is ordered by period and partner) and consistent with what `trends` shows.
fn magnet_observations(f: &Facts<'_>) -> anyhow::Result<Vec<Observation>> {
    let query = FlowQuery {
        reporter: Iso3::CHINA,
        flow: Flow::Export,
        product: MAGNETS.to_string(),
        partner: None,
        source: None,
    };
    let (_, obs) = f
        .opened
        .runtime
        .block_on(quantity_observations(&f.opened.warehouse, &query))
        .context("reading China's magnet exports from the warehouse")?;
    Ok(obs)
}

/// The distinct sources of some observations, for notes ("bundled", "ingest: comtrade").
fn sources_of<'o>(obs: impl IntoIterator<Item = &'o Observation>) -> String {
    let set: std::collections::BTreeSet<&str> =
        obs.into_iter().map(|o| o.source.as_str()).collect();
    set.into_iter().collect::<Vec<_>>().join(", ")
}

/// China's magnet exports by partner, t per year, and a note saying which sources they use.
fn magnet_exports(f: &Facts<'_>) -> anyhow::Result<(Vec<(String, f64)>, String)> {
    let all = magnet_observations(f)?;
    let world_obs = all
        .iter()
        .find(|o| o.partner_iso3 == "WLD" && o.period == Period::Year(2024))
        .context("no 2024 world total of China's magnet exports")?;
    let world = world_obs.quantity_t.unwrap_or_default();
    let mut rates: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    // Months of 2024 behind each partner's rate (policy review: three partners' whole year
    // rested on one back-computed month × 12, and the note did not say so).
    let mut months_behind: BTreeMap<String, f64> = BTreeMap::new();
    let mut used = Vec::new();
    for o in &all {
        if o.partner_iso3 == "WLD" {
            continue;
        }
        let Some(v) = o.quantity_t else { continue };
        let months = match o.period_type {
            PeriodType::Month => 1.0,
            PeriodType::Ytd => o.period.month_count() as f64,
            _ => continue,
        };
        let monthly = if o.period.year() == 2024 {
            Some(v / months)
        } else {
            o.reported_yoy_pct.map(|y| v / (1.0 + y / 100.0) / months)
        };
        if let Some(m) = monthly {
            rates.entry(o.partner_iso3.clone()).or_default().push(m);
            *months_behind.entry(o.partner_iso3.clone()).or_default() += months;
            used.push(o);
        }
    }
    let mut out = vec![("WLD".to_string(), world)];
    for (p, v) in rates {
        out.push((p, 12.0 * v.iter().sum::<f64>() / v.len() as f64));
    }
    let thin: Vec<String> = months_behind
        .iter()
        .filter(|(_, m)| **m < 3.0)
        .map(|(p, m)| format!("{p} {m:.0}"))
        .collect();
    let thin = if thin.is_empty() {
        String::new()
    } else {
        format!(
            "; each partner's rate is its mean month × 12, and some rest on fewer than three \
             months ({}: a single month's figure, often back-computed from 2025 and its \
             change, stands for the year, with that month's seasonality)",
            thin.join(", ")
        )
    };
    let note = format!(
        "China's magnet exports in the chain's baseline: world total 2024 = {world} t from source \
         {}; partner rates from {} (one source per period and partner: ingested data before \
         bundled, never a sum){thin}",
        world_obs.source,
        if used.is_empty() {
            "no source".to_string()
        } else {
            format!("source(s) {}", sources_of(used))
        }
    );
    Ok((out, note))
}

fn end_uses(f: &Facts<'_>) -> anyhow::Result<Vec<(Industry, f64)>> {
    let all = f.rows("SELECT scope, year, material, sector, metric, value FROM end_uses")?;
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

/// China's monthly magnet exports to the world, t, from the customs series (one figure
/// per month, by the same source rules as the chain's baseline).
pub fn observed_magnet_exports(f: &Facts<'_>) -> anyhow::Result<Vec<ObservedMonth>> {
    let mut out: Vec<ObservedMonth> = magnet_observations(f)?
        .into_iter()
        .filter(|o| o.partner_iso3 == "WLD")
        .filter_map(|o| {
            let Period::Month(month) = o.period else {
                return None;
            };
            Some(ObservedMonth {
                month,
                tonnes: o.quantity_t?,
                is_derived: o.is_derived,
                source: o.source,
            })
        })
        .collect();
    out.sort_by_key(|o| o.month.index());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_facts<T>(f: impl FnOnce(&Facts<'_>) -> T) -> T {
        let dir = tempfile::tempdir().unwrap();
        let opened = crate::commands::warehouse::open(Some(dir.path())).unwrap();
        f(&Facts::new(&opened))
    }

    #[test]
    fn bundled_facts_cover_the_chain() {
        let f = with_facts(|f| bundled_facts(f).unwrap());
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
        let s = with_facts(|f| observed_magnet_exports(f).unwrap());
        let month = |m: &str| s.iter().find(|o| o.month.to_string() == m).unwrap().clone();
        assert_eq!(month("2025-05").tonnes, 1238.0);
        assert!(!month("2025-05").is_derived);
    }

    /// April 2025 is May's figure divided back by its reported month-on-month change
    /// (`is_derived` in china_exports_monthly.csv), not a customs figure.
    #[test]
    fn observed_series_marks_derived_months() {
        let s = with_facts(|f| observed_magnet_exports(f).unwrap());
        let april = s.iter().find(|o| o.month.to_string() == "2025-04").unwrap();
        assert_eq!(april.tonnes, 2628.0);
        assert!(april.is_derived);
    }

    /// A warehouse with a tidy file ingested: user figures for periods the bundled series
    /// also has (the 2024 world total, May 2025) and a Comtrade-like monthly world row.
    fn with_ingested<T>(f: impl Fn(&Facts<'_>) -> T) -> (T, T) {
        with_rows(
            "2024,CHN,WLD,export,magnets,60000,\n\
             2025-05,CHN,WLD,export,magnets,1300,\n",
            f,
        )
    }

    /// `f` on a warehouse with `rows` (tidy CSV lines) ingested, opened twice.
    fn with_rows<T>(rows: &str, f: impl Fn(&Facts<'_>) -> T) -> (T, T) {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("user.csv");
        std::fs::write(
            &csv,
            format!("period,reporter_iso3,partner_iso3,flow,product,quantity_t,value_usd\n{rows}"),
        )
        .unwrap();
        let data = dir.path().join("data");
        let opened = crate::commands::warehouse::open(Some(&data)).unwrap();
        opened
            .warehouse
            .ingest(&[csv], &Default::default(), &mut |_| {})
            .unwrap();
        drop(opened);
        // Two separate openings: the answer must not depend on scan or hash order.
        let once = f(&Facts::new(
            &crate::commands::warehouse::open(Some(&data)).unwrap(),
        ));
        let twice = f(&Facts::new(
            &crate::commands::warehouse::open(Some(&data)).unwrap(),
        ));
        (once, twice)
    }

    #[test]
    fn ingested_figures_replace_bundled_ones_and_the_answer_repeats() {
        let (a, b) = with_ingested(|f| bundled_facts(f).unwrap());
        assert_eq!(a, b);
        let world = a.magnet_exports_t_per_year[0].clone();
        assert_eq!(world, ("WLD".to_string(), 60_000.0));
        assert!(
            a.provenance[0].contains("world total 2024 = 60000 t from source tidy"),
            "{:?}",
            a.provenance
        );
    }

    #[test]
    fn observed_series_takes_one_source_per_month() {
        let (a, b) = with_ingested(|f| observed_magnet_exports(f).unwrap());
        assert_eq!(a, b);
        let may: Vec<_> = a
            .iter()
            .filter(|o| o.month.to_string() == "2025-05")
            .collect();
        assert_eq!(may.len(), 1, "{a:?}");
        assert_eq!(may[0].tonnes, 1300.0);
        let months: Vec<_> = a.iter().map(|o| o.month).collect();
        let mut unique = months.clone();
        unique.dedup();
        assert_eq!(months, unique);
    }

    /// A value-only row does not hide the tonnes of another source for the same period and
    /// partner: the chain needs tonnes (it stopped every chain command, `serve` included,
    /// with "no 2024 world total").
    #[test]
    fn value_only_rows_leave_the_tonnes_of_other_sources() {
        let (a, _) = with_rows(
            "2024,CHN,WLD,export,magnets,,2850000000\n2025-05,CHN,WLD,export,magnets,,99000000\n",
            |f| {
                (
                    bundled_facts(f).unwrap(),
                    observed_magnet_exports(f).unwrap(),
                )
            },
        );
        let (facts, observed) = a;
        assert_eq!(
            facts.magnet_exports_t_per_year[0],
            ("WLD".to_string(), 58_152.0)
        );
        assert!(observed.iter().any(|o| o.month.to_string() == "2025-05"));
    }
}
