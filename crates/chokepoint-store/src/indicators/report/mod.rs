//! The exposure reports as the CLI prints them and the HTTP API returns them: stage shares
//! (`chokepoint shares`, `GET /api/shares`), an importer's exposure (`chokepoint exposure`,
//! `GET /api/exposure`) and criticality (`chokepoint criticality`, `GET /api/criticality`).
//!
//! Both callers gather the same warehouse [`Facts`] and get the same serialisable report
//! structs from here; they only parse arguments and print (table, CSV, JSON) or respond.
//! The formulas themselves live in the sibling modules ([`super::shares`],
//! [`super::exposure`], [`super::criticality`]).

pub mod criticality;
pub mod exposure;
pub mod shares;

use std::str::FromStr;

use chokepoint_model::Stage;

use super::exposure::{TradeFact, annual_quantities_over_edges};
use super::shares::{ProductionRow, ShareSource, StageShareRow};
use super::supply_facts::{
    production_rows, stage_product, stage_share_rows, trade_facts, value_only_facts,
};
use crate::{StoreError, Warehouse};

/// The warehouse facts behind the exposure reports: the small `production` and
/// `stage_shares` tables read once, and the warehouse for trade queries per product.
#[derive(Clone, Debug)]
pub struct Facts {
    /// Rows of `production`.
    pub production: Vec<ProductionRow>,
    /// Rows of `stage_shares`.
    pub stage_shares: Vec<StageShareRow>,
    warehouse: Warehouse,
}

impl Facts {
    /// Reads the tables from `warehouse`.
    pub async fn load(warehouse: &Warehouse) -> Result<Facts, StoreError> {
        Ok(Facts {
            production: production_rows(warehouse).await?,
            stage_shares: stage_share_rows(warehouse).await?,
            warehouse: warehouse.clone(),
        })
    }

    /// Countries restricting exports of rare earths or magnets, from the `export_controls`
    /// table: each measure in force that took effect by the end of `through_year` (any, when
    /// `None`), as (country, "date: measure"). A technology export ban is not one: the EU
    /// method's trade adjustment is about the materials.
    pub async fn rare_earth_restrictions(
        &self,
        through_year: Option<i32>,
    ) -> Result<Vec<(String, String)>, StoreError> {
        // Dates are ISO text (`2025-04-04`, some `2025-08`): they compare as text.
        let by = through_year
            .map(|y| format!(" AND date_effective <= '{y}-12-31'"))
            .unwrap_or_default();
        let batches = self
            .warehouse
            .sql(&format!(
                "SELECT country, date_effective, measure_type FROM export_controls \
                 WHERE lower(status) LIKE 'in force%' AND lower(measure_type) LIKE '%export%' \
                 AND lower(measure_type) NOT LIKE '%technology%' \
                 AND (lower(elements_products) LIKE '%rare%' OR elements_products LIKE '%REE%' \
                 OR lower(elements_products) LIKE '%magnet%'){by} ORDER BY date_effective"
            ))
            .await?;
        Ok(crate::json::batches_to_json_rows(&batches)
            .iter()
            .filter_map(|r| {
                let text = |k: &str| r.get(k).and_then(|v| v.as_str()).map(str::to_string);
                Some((
                    text("country")?,
                    format!(
                        "{}: {}",
                        text("date_effective").unwrap_or_default(),
                        text("measure_type").unwrap_or_default()
                    ),
                ))
            })
            .collect())
    }

    /// Trade facts for a product value (stage goods, HS code or product name), with the
    /// selector's label.
    pub async fn trade(&self, product: &str) -> Result<(String, Vec<TradeFact>), StoreError> {
        let sel = self.warehouse.resolve_product(product).await?;
        let facts = trade_facts(&self.warehouse, &sel.sql_predicate()).await?;
        Ok((sel.label(), facts))
    }

    /// The rows of a product (as [`Facts::trade`] takes it) with a value but no tonnes,
    /// which the tonnage figures leave out, as facts of 0 t.
    pub async fn value_only_trade(&self, product: &str) -> Result<Vec<TradeFact>, StoreError> {
        let sel = self.warehouse.resolve_product(product).await?;
        value_only_facts(&self.warehouse, &sel.sql_predicate()).await
    }

    /// Trade facts of a stage's goods (none for mining: no HS line isolates its ores).
    pub async fn stage_trade(
        &self,
        stage: Stage,
    ) -> Result<Option<(String, Vec<TradeFact>)>, StoreError> {
        match stage_product(stage) {
            Some(p) => self.trade(p).await.map(Some),
            None => Ok(None),
        }
    }

    /// The latest year with exports of the stage's goods.
    pub async fn latest_trade_year(&self, stage: Stage) -> Result<Option<i32>, StoreError> {
        Ok(self.stage_trade(stage).await?.and_then(|(_, facts)| {
            facts
                .iter()
                .filter(|f| f.flow == "export" && f.months > 0)
                .map(|f| f.year)
                .max()
        }))
    }

    /// Exports of the stage's goods in `year` per exporter (tonnes), with a description of
    /// the data behind them.
    pub async fn exports_by_reporter(
        &self,
        stage: Stage,
        year: i32,
    ) -> Result<(Vec<(String, f64)>, String), StoreError> {
        let Some((label, facts)) = self.stage_trade(stage).await? else {
            return Ok((Vec::new(), String::new()));
        };
        let exports: Vec<&TradeFact> = facts
            .iter()
            .filter(|f| f.flow == "export" && f.year == year)
            .collect();
        let mut out = Vec::new();
        let mut coverage = Vec::new();
        let mut reporters: Vec<&str> = exports.iter().map(|f| f.reporter.as_str()).collect();
        reporters.sort_unstable();
        reporters.dedup();
        for reporter in reporters {
            let mine: Vec<&TradeFact> = exports
                .iter()
                .copied()
                .filter(|f| f.reporter == reporter)
                .collect();
            // The world row where the reporter has one; else the sum over partners.
            // Each partner picks its own periods before they are summed.
            let world: Vec<((&str, &str), &TradeFact)> = mine
                .iter()
                .filter(|f| f.partner == "WLD")
                .map(|f| (("WLD", "WLD"), *f))
                .collect();
            let keyed: Vec<((&str, &str), &TradeFact)> = if world.is_empty() {
                mine.iter()
                    .map(|f| (("partners", f.partner.as_str()), *f))
                    .collect()
            } else {
                world
            };
            let totals = annual_quantities_over_edges(&keyed);
            if let Some(q) = totals.values().next() {
                out.push((reporter.to_string(), q.quantity_t));
                coverage.push(format!("{reporter} {} of 12 months", q.months_covered));
            }
        }
        Ok((
            out,
            format!(
                "trade table, product {label}, {year}: {}",
                coverage.join(", ")
            ),
        ))
    }
}

/// The stages that have country shares (components are the using industries, not a market).
pub const SHARE_STAGES: [Stage; 4] = [
    Stage::Mining,
    Stage::Separation,
    Stage::Metal,
    Stage::Magnets,
];

/// Parses a stage that has country shares; the error lists the four accepted names.
pub fn share_stage(text: &str) -> Result<Stage, String> {
    const EXPECTED: &str = "expected one of mining, separation, metal, magnets";
    match Stage::from_str(text) {
        Ok(s) if SHARE_STAGES.contains(&s) => Ok(s),
        Ok(_) => Err(format!("`{text}` has no country shares; {EXPECTED}")),
        Err(_) => Err(format!("unknown stage `{text}`; {EXPECTED}")),
    }
}

impl FromStr for ShareSource {
    type Err = String;
    fn from_str(s: &str) -> Result<ShareSource, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "usgs" => Ok(ShareSource::Usgs),
            "iea" => Ok(ShareSource::Iea),
            "reported" => Ok(ShareSource::Reported),
            "trade" => Ok(ShareSource::Trade),
            _ => Err(format!(
                "unknown source `{s}`; expected one of usgs, iea, reported, trade"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_stages_refuse_components_and_typos() {
        assert_eq!(share_stage("Magnets"), Ok(Stage::Magnets));
        assert_eq!(share_stage("refining"), Ok(Stage::Separation));
        let e = share_stage("components").unwrap_err();
        assert!(e.contains("has no country shares"), "{e}");
        let e = share_stage("magnett").unwrap_err();
        assert!(e.starts_with("unknown stage `magnett`"), "{e}");
        assert!(e.contains("mining, separation, metal, magnets"), "{e}");
    }

    #[test]
    fn share_sources_parse_their_cli_names() {
        for s in [
            ShareSource::Usgs,
            ShareSource::Iea,
            ShareSource::Reported,
            ShareSource::Trade,
        ] {
            assert_eq!(s.as_str().parse::<ShareSource>(), Ok(s));
        }
        assert!(
            "wto"
                .parse::<ShareSource>()
                .unwrap_err()
                .contains("usgs, iea")
        );
    }
}
