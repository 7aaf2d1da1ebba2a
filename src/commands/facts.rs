//! Opening the warehouse for the exposure commands and reading the facts they need
//! (production, stage shares, trade facts per product) through `chokepoint-store`.

use std::path::Path;

use chokepoint_model::Stage;
use chokepoint_store::Warehouse;
use chokepoint_store::indicators::exposure::{TradeFact, annual_quantities};
use chokepoint_store::indicators::shares::{ProductionRow, StageShareRow};
use chokepoint_store::indicators::supply_facts::{
    production_rows, stage_product, stage_share_rows, trade_facts,
};

/// The warehouse facts behind `shares`, `exposure` and `criticality`.
pub struct Facts {
    /// Rows of `production`.
    pub production: Vec<ProductionRow>,
    /// Rows of `stage_shares`.
    pub stage_shares: Vec<StageShareRow>,
    warehouse: Warehouse,
    runtime: tokio::runtime::Runtime,
}

/// Opens the warehouse (loading the bundled data on first use) and reads the tables.
pub fn load(data_dir: Option<&Path>) -> anyhow::Result<Facts> {
    let super::warehouse::Opened { runtime, warehouse } = super::warehouse::open(data_dir)?;
    let (production, stage_shares) = runtime.block_on(async {
        let production = production_rows(&warehouse).await?;
        let stage_shares = stage_share_rows(&warehouse).await?;
        Ok::<_, chokepoint_store::StoreError>((production, stage_shares))
    })?;
    Ok(Facts {
        production,
        stage_shares,
        warehouse,
        runtime,
    })
}

impl Facts {
    /// Trade facts for a `--product` value (stage goods, HS code or product name), with the
    /// selector's label.
    pub fn trade(&self, product: &str) -> anyhow::Result<(String, Vec<TradeFact>)> {
        Ok(self.runtime.block_on(async {
            let sel = self.warehouse.resolve_product(product).await?;
            let facts = trade_facts(&self.warehouse, &sel.sql_predicate()).await?;
            Ok::<_, chokepoint_store::StoreError>((sel.label(), facts))
        })?)
    }

    /// Trade facts of a stage's goods (none for mining: no HS line isolates its ores).
    pub fn stage_trade(&self, stage: Stage) -> anyhow::Result<Option<(String, Vec<TradeFact>)>> {
        match stage_product(stage) {
            Some(p) => self.trade(p).map(Some),
            None => Ok(None),
        }
    }

    /// The latest year with exports of the stage's goods.
    pub fn latest_trade_year(&self, stage: Stage) -> anyhow::Result<Option<i32>> {
        Ok(self.stage_trade(stage)?.and_then(|(_, facts)| {
            facts
                .iter()
                .filter(|f| f.flow == "export" && f.months > 0)
                .map(|f| f.year)
                .max()
        }))
    }

    /// Exports of the stage's goods in `year` per exporter (tonnes), with a description of
    /// the data behind them.
    pub fn exports_by_reporter(
        &self,
        stage: Stage,
        year: i32,
    ) -> anyhow::Result<(Vec<(String, f64)>, String)> {
        let Some((label, facts)) = self.stage_trade(stage)? else {
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
            let world: Vec<(&str, &TradeFact)> = mine
                .iter()
                .filter(|f| f.partner == "WLD")
                .map(|f| ("WLD", *f))
                .collect();
            let keyed: Vec<(&str, &TradeFact)> = if world.is_empty() {
                mine.iter().map(|f| ("partners", *f)).collect()
            } else {
                world
            };
            let totals = annual_quantities(&keyed);
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
