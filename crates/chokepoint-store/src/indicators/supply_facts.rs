//! The warehouse queries that feed the share, exposure and criticality formulas: rows of
//! `production` and `stage_shares` as plain structs, and trade facts for one product.
//!
//! Every figure goes through [`Warehouse::sql`], so what the commands print agrees with
//! `chokepoint sql` over the same tables.

use chokepoint_model::Stage;

use super::exposure::TradeFact;
use super::series::{
    FlowObservation, flow_observations_value_only, flow_observations_with_quantity,
};
use super::shares::{ProductionRow, StageShareRow};
use crate::json::{JsonRow, batches_to_json_rows};
use crate::schema::PeriodType;
use crate::{StoreError, Warehouse};

fn text(row: &JsonRow, col: &str) -> String {
    row.get(col)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

fn number(row: &JsonRow, col: &str) -> Option<f64> {
    row.get(col).and_then(serde_json::Value::as_f64)
}

/// A boolean column, false where empty.
fn flag(row: &JsonRow, col: &str) -> bool {
    row.get(col)
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}

fn int(row: &JsonRow, col: &str) -> Option<i32> {
    row.get(col)
        .and_then(serde_json::Value::as_i64)
        .and_then(|v| i32::try_from(v).ok())
}

/// Every row of `production` with a year.
pub async fn production_rows(wh: &Warehouse) -> Result<Vec<ProductionRow>, StoreError> {
    let batches = wh
        .sql(
            "SELECT year, country_iso3, stage, metric, value, edition, source, source_type \
             FROM production WHERE year IS NOT NULL",
        )
        .await?;
    Ok(batches_to_json_rows(&batches)
        .iter()
        .filter_map(|r| {
            Some(ProductionRow {
                year: int(r, "year")?,
                country_iso3: text(r, "country_iso3"),
                stage: text(r, "stage"),
                metric: text(r, "metric"),
                value: number(r, "value"),
                edition: text(r, "edition"),
                source: text(r, "source"),
                source_type: text(r, "source_type"),
            })
        })
        .collect())
}

/// Every row of `stage_shares` with a year and a share.
pub async fn stage_share_rows(wh: &Warehouse) -> Result<Vec<StageShareRow>, StoreError> {
    let batches = wh
        .sql(
            "SELECT year, stage, country_iso3, share, source, year_basis, is_derived \
             FROM stage_shares WHERE year IS NOT NULL AND share IS NOT NULL",
        )
        .await?;
    Ok(batches_to_json_rows(&batches)
        .iter()
        .filter_map(|r| {
            Some(StageShareRow {
                year: int(r, "year")?,
                stage: text(r, "stage"),
                country_iso3: text(r, "country_iso3"),
                share: number(r, "share")?,
                source: text(r, "source"),
                year_basis: text(r, "year_basis"),
                is_derived: flag(r, "is_derived"),
            })
        })
        .collect())
}

/// The `--product` value that stands for a stage's goods in the trade table, if any.
///
/// Mining has none: rare-earth ores are declared under catch-all headings (2530.90) that
/// hold other minerals too.
pub fn stage_product(stage: Stage) -> Option<&'static str> {
    match stage {
        Stage::Separation => Some("rare-earths"),
        Stage::Metal => Some("280530"),
        Stage::Magnets => Some("magnets"),
        Stage::Mining | Stage::Components => None,
    }
}

/// Trade facts with a quantity for the rows matching `predicate` (a product selector's SQL).
///
/// The store's source rules, as `trends` applies them ([`super::series`]), per reporter,
/// flow, period and partner: a repeated line counts once, an HS line whose parent is also
/// there is not added to it, and where several sources (bundled data and a user's Comtrade
/// file) hold the same period and partner the best-ranked answers alone, never a sum.
pub async fn trade_facts(wh: &Warehouse, predicate: &str) -> Result<Vec<TradeFact>, StoreError> {
    let observations = flow_observations_with_quantity(wh, predicate).await?;
    Ok(observations.into_iter().filter_map(to_fact).collect())
}

/// The rows matching `predicate` that give a value but no tonnes and that no row with tonnes
/// answers for (same reporter, flow, period and partner), as facts of 0 t: the tonnage
/// figures leave them out, and the reports say so.
pub async fn value_only_facts(
    wh: &Warehouse,
    predicate: &str,
) -> Result<Vec<TradeFact>, StoreError> {
    let with_tonnes: std::collections::BTreeSet<(String, String, String, String)> =
        flow_observations_with_quantity(wh, predicate)
            .await?
            .into_iter()
            .map(|f| {
                let o = f.observation;
                (
                    f.reporter_iso3,
                    f.flow,
                    o.period.to_string(),
                    o.partner_iso3,
                )
            })
            .collect();
    Ok(flow_observations_value_only(wh, predicate)
        .await?
        .into_iter()
        .filter(|f| {
            let o = &f.observation;
            !with_tonnes.contains(&(
                f.reporter_iso3.clone(),
                f.flow.clone(),
                o.period.to_string(),
                o.partner_iso3.clone(),
            ))
        })
        .filter_map(|mut f| {
            f.observation.quantity_t = Some(0.0);
            to_fact(f)
        })
        .collect())
}

/// One observation as a fact: its calendar year and the months it covers (`None` without
/// tonnes).
fn to_fact(f: FlowObservation) -> Option<TradeFact> {
    let o = &f.observation;
    let (first, last) = o.period.months();
    let months = match o.period_type {
        PeriodType::Year => 12,
        PeriodType::JanFeb => 2,
        PeriodType::Month => 1,
        // Multi-month and year-to-date periods cover first..=last within one year;
        // a period across a year end is not a part of one year and is never summed.
        _ if first.year != last.year => 0,
        _ => u32::try_from(o.period.month_count()).unwrap_or(0),
    };
    Some(TradeFact {
        year: o.period.year(),
        months,
        first_month: u32::from(first.month),
        reporter: f.reporter_iso3,
        partner: o.partner_iso3.clone(),
        flow: f.flow,
        quantity_t: o.quantity_t?,
        is_derived: o.is_derived,
        period: o.period.to_string(),
        first_year: first.year,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn bundled_tables_load_into_plain_rows() {
        let dir = tempfile::tempdir().unwrap();
        block_on(async {
            let wh = Warehouse::open(dir.path()).await.unwrap();
            let prod = production_rows(&wh).await.unwrap();
            assert!(prod.iter().any(|r| r.edition == "MCS2026"
                && r.country_iso3 == "CHN"
                && r.year == 2024
                && r.value == Some(270_000.0)));
            let shares = stage_share_rows(&wh).await.unwrap();
            assert!(shares.iter().any(|r| r.stage == "separation_refining"
                && (r.share - 0.92).abs() < 1e-12
                && !r.is_derived));
            let sel = wh.resolve_product("magnets").await.unwrap();
            let facts = trade_facts(&wh, &sel.sql_predicate()).await.unwrap();
            assert!(
                facts
                    .iter()
                    .any(|f| f.reporter == "CHN" && f.flow == "export")
            );
        });
    }

    #[test]
    fn shares_agree_with_plain_sql_over_the_same_table() {
        let dir = tempfile::tempdir().unwrap();
        block_on(async {
            let wh = Warehouse::open(dir.path()).await.unwrap();
            let batches = wh
                .sql(
                    "SELECT SUM(CASE WHEN country_iso3 = 'CHN' THEN value END) / \
                            SUM(CASE WHEN country_iso3 = 'WLD' THEN value END) AS chn \
                     FROM production WHERE year = 2024 AND edition = 'MCS2026' \
                       AND metric = 'mine_production' AND source_type = 'primary'",
                )
                .await
                .unwrap();
            let by_sql = batches_to_json_rows(&batches)[0]["chn"].as_f64().unwrap();
            let rows = production_rows(&wh).await.unwrap();
            let s = super::super::shares::usgs_mining_shares(&rows, Some(2024), None).unwrap();
            assert_eq!(s.shares[0].country_iso3, "CHN");
            assert!((s.shares[0].share - by_sql).abs() < 1e-12, "{by_sql}");
        });
    }

    /// One ingested month replaces that month only: the flow's other bundled months stay
    /// (exposure read only the ingested month of a flow with any ingested row).
    #[test]
    fn an_ingested_month_replaces_that_month_only() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("dec.csv");
        std::fs::write(
            &csv,
            "period,reporter_iso3,partner_iso3,flow,product,quantity_t,value_usd\n\
             2025-12,CHN,USA,export,magnets,600,\n",
        )
        .unwrap();
        block_on(async {
            let wh = Warehouse::open(&dir.path().join("data")).await.unwrap();
            let selector = wh.resolve_product("magnets").await.unwrap();
            let usa = |facts: Vec<TradeFact>| -> Vec<(u32, f64)> {
                let mut v: Vec<(u32, f64)> = facts
                    .into_iter()
                    .filter(|f| f.year == 2025 && f.partner == "USA" && f.flow == "export")
                    .filter(|f| f.reporter == "CHN" && f.months == 1)
                    .map(|f| (f.first_month, f.quantity_t))
                    .collect();
                v.sort_by_key(|m| m.0);
                v
            };
            let before = usa(trade_facts(&wh, &selector.sql_predicate()).await.unwrap());
            assert!(
                !before.is_empty() && before.iter().all(|(m, _)| *m < 12),
                "{before:?}"
            );
            wh.ingest(&[csv], &Default::default(), &mut |_| {}).unwrap();
            // A new part is seen by a warehouse opened after it (as by the next command).
            let wh = Warehouse::open(&dir.path().join("data")).await.unwrap();
            let after = usa(trade_facts(&wh, &selector.sql_predicate()).await.unwrap());
            let mut want = before.clone();
            want.push((12, 600.0));
            assert_eq!(after, want);
        });
    }

    /// A user's file with a heading and one of its subheadings counts the heading once, as
    /// `trends` does (the facts used to add the two).
    #[test]
    fn a_nested_hs_line_is_not_added_to_its_parent() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("nested.csv");
        std::fs::write(
            &csv,
            "period,reporter_iso3,partner_iso3,flow,hs_code,quantity_t,value_usd\n\
             2023-03,KOR,CHN,import,850511,100,\n\
             2023-03,KOR,CHN,import,85051110,70,\n\
             2023-03,KOR,JPN,import,85051110,5,\n",
        )
        .unwrap();
        block_on(async {
            let wh = Warehouse::open(&dir.path().join("data")).await.unwrap();
            wh.ingest(&[csv], &Default::default(), &mut |_| {}).unwrap();
            let wh = Warehouse::open(&dir.path().join("data")).await.unwrap();
            let selector = wh.resolve_product("850511").await.unwrap();
            let mut kor: Vec<(String, f64)> = trade_facts(&wh, &selector.sql_predicate())
                .await
                .unwrap()
                .into_iter()
                .filter(|f| f.reporter == "KOR" && f.year == 2023 && f.first_month == 3)
                .map(|f| (f.partner, f.quantity_t))
                .collect();
            kor.sort_by(|a, b| a.0.cmp(&b.0));
            assert_eq!(kor, [("CHN".to_string(), 100.0), ("JPN".to_string(), 5.0)]);
        });
    }
}
