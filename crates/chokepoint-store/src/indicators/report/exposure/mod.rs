//! The exposure report: an importer's supplier shares and their HHI, import reliance, and
//! the EU CRMA check per stage, for one product. Totals from the importer's own rows are in
//! [`totals`], the notes on what annual figures leave out in [`notes`], the importer's
//! parsing in [`importer`].

mod importer;
mod notes;
mod totals;

pub use importer::{parse_chain_importer, parse_importer};

use notes::{cross_year_note, partial_year_note, unnamed_reporters_note, value_only_note};
use totals::{by_partner, domestic_production, importer_total};

use std::collections::BTreeMap;

use chokepoint_model::Stage;
use serde::Serialize;

use super::Facts;
use super::shares::{SharesQuery, shares_report};
use crate::StoreError;
use crate::indicators::concentration::{SupplierShare, concentration};
use crate::indicators::exposure::{
    AnnualQuantity, CRMA_MAX_SINGLE_COUNTRY_SHARE, ConsumptionBase, CrmaCheck, Importer, Reliance,
    RelianceInputs, TradeFact, crma_check, crma_consumption_check, import_reliance,
    month_ranges_text, supplier_shares,
};
use crate::indicators::shares::stage_labels;
use crate::indicators::supply_facts::stage_product;
use crate::indicators::{Figure, NotComputable};

/// One supplier of the importer.
#[derive(Clone, Debug, Serialize)]
pub struct Supplier {
    /// Supplier country.
    pub country_iso3: String,
    /// Tonnes in the year.
    pub quantity_t: f64,
    /// Share of the importer's imports (fraction).
    pub share: f64,
    /// Months of the year the data cover.
    pub months_covered: u32,
    /// Which months, as ranges (`Jan–Nov`): monthly rows and multi-month or year-to-date
    /// totals for months no monthly row covers, never both for one month.
    pub months: String,
    /// A figure the dataset derived (from a published growth rate) is in the tonnes.
    pub includes_derived: bool,
}

/// Supplier shares and where they come from.
#[derive(Clone, Debug, Serialize)]
pub struct Suppliers {
    /// `importer` (the importer's own statistics) or `mirror` (partners' exports).
    pub basis: String,
    /// Suppliers, largest first.
    pub suppliers: Vec<Supplier>,
    /// What the shares are of, t: the importer's reported imports from every origin when
    /// its statistics give a total above the listed suppliers' sum, else that sum.
    pub total_t: f64,
    /// Share of `total_t` the listed suppliers cover (1 when the total is their sum).
    pub coverage: f64,
    /// HHI of suppliers (0–10,000); a lower bound when `coverage` is partial.
    pub hhi: f64,
    /// The HHI if the unattributed imports were one country (only with partial coverage).
    pub hhi_upper_bound: Option<f64>,
    /// Why the shares and HHI are not a measurement of the importer's sourcing, when they are
    /// not (e.g. one reporting exporter: 100 % and HHI 10000 by construction).
    pub caveat: Option<String>,
}

/// `StageCrma::base` of a check on global output shares standing in for the importer's
/// own sourcing.
pub const PROXY_BASE: &str = "global_shares_proxy";

/// The CRMA check of one stage.
#[derive(Clone, Debug, Serialize)]
pub struct StageCrma {
    /// The stage.
    pub stage: Stage,
    /// The check, or why there is none.
    pub check: Option<CrmaCheck>,
    /// Which shares were checked.
    pub basis: String,
    /// "not computable: …" when there is no check.
    pub not_computable: Option<String>,
    /// `consumption` (the CRMA's own base: the importer's consumption of the stage, from its
    /// imports by origin and its production) or `global_shares_proxy` (world shares of the
    /// stage standing in for the importer's sourcing).
    pub base: &'static str,
    /// The quantities behind a `consumption` check.
    pub consumption: Option<ConsumptionBase>,
}

/// The exposure report.
#[derive(Clone, Debug, Serialize)]
pub struct ExposureReport {
    /// Importer code (`EUU` for the EU).
    pub importer: String,
    /// Product label.
    pub product: String,
    /// Stage of the product, when known.
    pub stage: Option<Stage>,
    /// Data year.
    pub year: Option<i32>,
    /// Supplier shares, or why there are none.
    pub suppliers: Result<Suppliers, NotComputable>,
    /// Reliance inputs found.
    pub reliance_inputs: RelianceInputs,
    /// Import reliance.
    pub import_reliance: Figure,
    /// Reliance details when computed.
    pub reliance: Option<Reliance>,
    /// CRMA check per stage.
    pub crma: Vec<StageCrma>,
    /// Caveats.
    pub notes: Vec<String>,
}

/// The stage a product belongs to: stage names, the trade product groups, HS headings.
pub fn stage_of_product(product: &str) -> Option<Stage> {
    if let Ok(stage) = product.parse::<Stage>() {
        return Some(stage);
    }
    // HS codes by the chain's one rule (`Stage::of_rare_earth_hs`), names by what they say.
    if let Ok(hs) = product.parse::<chokepoint_model::HsCode>() {
        return Stage::of_rare_earth_hs(&hs);
    }
    let p = product.trim().to_ascii_lowercase();
    if p.contains("magnet") {
        Some(Stage::Magnets)
    } else if p.starts_with("rare-earth") || p.starts_with("rare_earth") {
        Some(Stage::Separation)
    } else {
        None
    }
}

/// Computes the exposure report of `importer` for `product` (a stage, HS code or trade
/// product name) in `year` (default: the latest with the importer's trade).
pub async fn exposure_report(
    facts: &Facts,
    importer: &Importer,
    product: &str,
    year: Option<i32>,
) -> Result<ExposureReport, StoreError> {
    let stage = stage_of_product(product);
    let trade = match stage {
        Some(s) if product.parse::<Stage>().is_ok() => facts.stage_trade(s).await?,
        _ => Some(facts.trade(product).await.map_err(with_stage_names)?),
    };
    let has_trade = trade.is_some();
    let (label, trade_facts) = trade.unwrap_or_else(|| (product.to_string(), Vec::new()));
    let codes = importer.codes();
    let touches = |f: &&TradeFact| codes.contains(&f.reporter) || codes.contains(&f.partner);
    // The stage shares follow the user's year, not the trade data's: without one they are
    // the same figures `shares` and `criticality` give by default (one rule for all three).
    let asked_year = year;
    // The latest year of the importer's imports (its own, or partners' exports to it); only
    // where it has none, of any row touching it. China's own exports ran to 2026 while its
    // imports stopped in 2025, and the default year had nothing to measure.
    let imports_to = |f: &&TradeFact| {
        (f.flow == "import" && codes.contains(&f.reporter))
            || (f.flow == "export" && codes.contains(&f.partner))
    };
    let latest = |which: &dyn Fn(&&TradeFact) -> bool| {
        trade_facts
            .iter()
            .filter(which)
            .filter(|f| f.months > 0)
            .map(|f| f.year)
            .max()
    };
    let year = year
        .or_else(|| latest(&imports_to))
        .or_else(|| latest(&touches));
    let mut notes = Vec::new();
    if has_trade && trade_facts.is_empty() {
        // Nobody trades it here: the code, not the importer, is what to check.
        let hint = crate::products::stored_by_name_hint(product)
            .map(|h| format!("; {h}"))
            .unwrap_or_default();
        notes.push(format!(
            "the warehouse has no trade rows of {label} at all: check the product (a stage, a \
             product name or an HS code that `chokepoint sql \"SELECT DISTINCT hs_code FROM \
             trade\"` lists), or ingest its trade; the stage checks are global proxies{hint}"
        ));
    } else if !trade_facts.iter().any(|f| touches(&f)) {
        // A well-formed code with no data (a typo such as UAS) would otherwise give a table
        // of "not computable" rows and global proxies without saying why.
        let code = importer.label();
        // Not a country either: a typo (`EUR`), refused as a misspelt product is (policy
        // review: it printed world-share CRMA rows "for EUR", exit 0).
        if let Importer::Country(c) = importer
            && chokepoint_model::is_unlisted_code(c)
        {
            let known = trade_facts
                .iter()
                .flat_map(|f| [f.reporter.clone(), f.partner.clone()])
                .chain(std::iter::once("EU".to_string()));
            if let Some(e) = crate::ArgumentError::unknown_code("importer", c, known) {
                return Err(e.into());
            }
        }
        notes.push(format!(
            "{code} is in no trade row of {label}, as reporter or partner: check the code \
             (ISO-3, e.g. USA, JPN, DEU, or EU), or ingest its trade; the stage checks are \
             global proxies"
        ));
    }
    let total = |flow| year.and_then(|y| importer_total(importer, &trade_facts, y, flow));
    let (imports, exports) = (total("import"), total("export"));
    for t in imports.iter().chain(&exports) {
        notes.extend(t.notes.iter().cloned());
    }
    if let (Some(i), Some(e), Some(y)) = (&imports, &exports, year)
        && i.months != e.months
    {
        // Reliance sets one against the other: China's 2025 imports were known through
        // April, its exports for the whole year.
        notes.push(format!(
            "{}'s {y} imports cover {} and its exports {}: import reliance sets figures for \
             different months against each other",
            importer.label(),
            month_ranges_text(&i.months),
            month_ranges_text(&e.months)
        ));
    }
    let reliance_inputs = RelianceInputs {
        production: match (stage, year) {
            (Some(s), Some(y)) => domestic_production(facts, importer, s, y),
            _ => None,
        },
        imports: imports.map(|t| t.total_t),
        exports: exports.map(|t| t.total_t),
    };
    let suppliers = match year.and_then(|y| by_partner(importer, &trade_facts, y)) {
        None => Err(NotComputable::needs([format!(
            "trade rows of {label} imported by {} (its import statistics, or partners' exports \
             to it){}",
            importer.label(),
            year.map(|y| format!(" in {y}")).unwrap_or_default()
        )])),
        Some(by) => {
            let total = (by.basis == "importer")
                .then_some(reliance_inputs.imports)
                .flatten();
            notes.extend(by.notes);
            suppliers_of(
                importer,
                &label,
                by.basis,
                &by.quantities,
                total,
                &mut notes,
            )
        }
    };
    if let (Ok(sup), Some(y)) = (&suppliers, year) {
        notes.extend(partial_year_note(sup, y));
        notes.extend(unnamed_reporters_note(importer, &trade_facts, y, sup));
    }
    if let Some(y) = year {
        notes.extend(cross_year_note(importer, &trade_facts, y));
        if has_trade {
            let traded = match stage {
                Some(s) if product.parse::<Stage>().is_ok() => stage_product(s),
                _ => Some(product),
            };
            if let Some(p) = traded {
                let value_only = facts.value_only_trade(p).await?;
                notes.extend(value_only_note(importer, &value_only, y));
            }
        }
    }
    let reliance = import_reliance(&reliance_inputs);
    if reliance_inputs.production.is_some() && reliance_inputs.imports.is_some() {
        // USGS production is in t REO; customs quantities are gross weight of the goods.
        notes.push(
            "production is in t REO (USGS), trade in gross tonnes of the goods: reliance and \
             the share of consumption are indicative"
                .into(),
        );
    }
    if let Ok(r) = &reliance
        && r.net_exporter
    {
        notes.push(format!(
            "{} is a net exporter of {label}: exports exceed imports by {:.1} t, so import \
             reliance is negative ({:.1} %)",
            importer.label(),
            -r.net_imports,
            100.0 * r.reliance
        ));
    }
    let crma = crma_stages(
        facts,
        importer,
        stage,
        &suppliers,
        &reliance_inputs,
        asked_year,
        &mut notes,
    )
    .await?;
    Ok(ExposureReport {
        importer: importer.label().to_string(),
        product: label,
        stage,
        year,
        import_reliance: reliance.clone().map(|r| r.reliance).into(),
        reliance: reliance.ok(),
        reliance_inputs,
        suppliers,
        crma,
        notes,
    })
}

/// The supplier list of `quantities` (per partner), as shares of `total` (the importer's
/// reported imports) when that is larger than the listed partners' sum.
fn suppliers_of(
    importer: &Importer,
    label: &str,
    basis: String,
    quantities: &BTreeMap<String, AnnualQuantity>,
    total: Option<f64>,
    notes: &mut Vec<String>,
) -> Result<Suppliers, NotComputable> {
    let list: Vec<(String, f64)> = quantities
        .iter()
        .map(|(c, q)| (c.clone(), q.quantity_t))
        .collect();
    let shares = supplier_shares(importer, &list, total)?;
    let listed: f64 = shares.iter().map(|(_, q, _)| q).fold(0.0, |a, b| a + b);
    let total_t = total.filter(|t| *t > listed).unwrap_or(listed);
    let c = concentration(
        &shares
            .iter()
            .map(|(c, _, s)| SupplierShare::new(c.clone(), *s))
            .collect::<Vec<_>>(),
    )
    .map_err(|e| NotComputable::needs([e.to_string()]))?;
    let mut caveat = c.lower_bound_note(
        "the suppliers listed cover",
        &format!("{}'s reported imports", importer.label()),
    );
    if basis == "mirror" {
        let reporters: Vec<&str> = shares.iter().map(|(c, _, _)| c.as_str()).collect();
        notes.push(format!(
            "{} does not report its own imports of {label} here: supplier shares are \
             partners' exports to it (mirror data) and cover only {}",
            importer.label(),
            reporters.join(", ")
        ));
        caveat = Some(match reporters.as_slice() {
            [only] => format!(
                "only {only}-reported flows are known: its 100 % share and HHI 10000 are by \
                 construction; HHI not measurable (upper bound)"
            ),
            _ => format!(
                "shares among the reporting exporters ({}) only; other origins unknown",
                reporters.join(", ")
            ),
        });
    }
    Ok(Suppliers {
        basis,
        suppliers: shares
            .into_iter()
            .map(|(c, q, s)| Supplier {
                months_covered: quantities.get(&c).map_or(0, |a| a.months_covered),
                months: quantities
                    .get(&c)
                    .map(|a| a.months_text())
                    .unwrap_or_default(),
                includes_derived: quantities.get(&c).is_some_and(|a| a.includes_derived),
                country_iso3: c,
                quantity_t: q,
                share: s,
            })
            .collect(),
        total_t,
        coverage: c.coverage,
        hhi: c.hhi,
        hhi_upper_bound: c.is_partial().then(|| c.hhi_upper_bound()),
        caveat,
    })
}

/// An unknown product's list of accepted names, plus the stage names exposure also takes.
fn with_stage_names(e: StoreError) -> StoreError {
    match e {
        StoreError::UnknownProduct { found, known } => {
            let mut names: Vec<&str> = known.split(", ").filter(|n| !n.is_empty()).collect();
            names.extend(Stage::ALL.iter().map(|s| s.as_str()));
            names.sort_unstable();
            names.dedup();
            StoreError::UnknownProduct {
                found,
                known: names.join(", "),
            }
        }
        other => other,
    }
}

/// The CRMA check at the product's own stage on the CRMA's base: the largest third-country
/// supplier's share of the importer's consumption (production + imports − exports).
fn consumption_crma(
    importer: &Importer,
    stage: Stage,
    sup: &Suppliers,
    inputs: &RelianceInputs,
) -> StageCrma {
    let by_supplier: Vec<(String, f64)> = sup
        .suppliers
        .iter()
        .map(|x| (x.country_iso3.clone(), x.quantity_t))
        .collect();
    // The importer's own statistics give its total imports from every origin; mirror data
    // give only what the reporting exporters shipped.
    let total = if sup.basis == "importer" {
        inputs.imports
    } else {
        None
    };
    let result = crma_consumption_check(
        importer,
        &by_supplier,
        total,
        inputs.production,
        inputs.exports,
        CRMA_MAX_SINGLE_COUNTRY_SHARE,
    );
    match result {
        Ok((check, base)) => StageCrma {
            stage,
            basis: base.description.clone(),
            check: Some(check),
            not_computable: None,
            base: "consumption",
            consumption: Some(base),
        },
        Err(nc) => StageCrma {
            stage,
            check: None,
            basis: format!("{}'s consumption", importer.label()),
            not_computable: Some(nc.to_string()),
            base: "consumption",
            consumption: None,
        },
    }
}

async fn crma_stages(
    facts: &Facts,
    importer: &Importer,
    product_stage: Option<Stage>,
    suppliers: &Result<Suppliers, NotComputable>,
    inputs: &RelianceInputs,
    year: Option<i32>,
    notes: &mut Vec<String>,
) -> Result<Vec<StageCrma>, StoreError> {
    let mut out = Vec::new();
    for stage in [
        Stage::Mining,
        Stage::Separation,
        Stage::Metal,
        Stage::Magnets,
    ] {
        // At the product's stage the importer's imports by origin give the CRMA's own base.
        // When that base gives a verdict (complete, or a bound on the decisive side) it is
        // the check; otherwise the global shares follow it as a proxy.
        if let (Some(s), Ok(sup)) = (product_stage, suppliers)
            && s == stage
        {
            let own = consumption_crma(importer, stage, sup, inputs);
            let complete = own.check.as_ref().is_some_and(|c| {
                c.verdict != crate::indicators::exposure::CrmaVerdict::Inconclusive
            });
            out.push(own);
            if complete {
                continue;
            }
        }
        // The asked year when the stage has figures for it, else the stage's default.
        let at_year = SharesQuery {
            year,
            ..SharesQuery::stage(stage)
        };
        let (global, fell_back) = match shares_report(facts, &at_year).await? {
            Ok(report) => (Ok(report), false),
            Err(_) if year.is_some() => (
                shares_report(facts, &SharesQuery::stage(stage)).await?,
                true,
            ),
            Err(nc) => (Err(nc), false),
        };
        match global {
            Ok(report) => {
                let s = &report.shares;
                // The report's `year` is the asked one: say where a figure of another
                // year stands in for it (`shares --year` says "not computable" instead).
                if let (true, Some(asked)) = (fell_back, year) {
                    notes.push(format!(
                        "no global {stage} shares for {asked}: the {stage} CRMA check uses {} \
                         figures ({}) instead",
                        s.year,
                        s.source.as_str()
                    ));
                }
                let basis = format!(
                    "global {stage} shares {} ({}{}), proxy for {}'s sourcing (world output \
                     shares, not its consumption)",
                    s.year,
                    s.source.as_str(),
                    s.edition
                        .as_deref()
                        .map(|e| format!(" {e}"))
                        .unwrap_or_default(),
                    importer.label()
                );
                let shares: Vec<SupplierShare> = s
                    .shares
                    .iter()
                    .map(|l| SupplierShare::new(l.country_iso3.clone(), l.share))
                    .collect();
                let check = crma_check(importer, &shares, CRMA_MAX_SINGLE_COUNTRY_SHARE)
                    .map(CrmaCheck::as_indicator);
                out.push(StageCrma {
                    stage,
                    basis,
                    not_computable: check.as_ref().err().map(ToString::to_string),
                    check: check.ok(),
                    base: PROXY_BASE,
                    consumption: None,
                });
            }
            Err(nc) => out.push(StageCrma {
                stage,
                check: None,
                basis: if stage_labels(stage).is_empty() {
                    "no stage shares".into()
                } else {
                    "global shares".into()
                },
                not_computable: Some(nc.to_string()),
                base: PROXY_BASE,
                consumption: None,
            }),
        }
    }
    Ok(out)
}

impl ExposureReport {
    /// The report as `--format json` prints it: `suppliers` is the supplier list, or
    /// `{"not_computable": "…"}` when there is none.
    pub fn to_json(&self) -> Result<serde_json::Value, serde_json::Error> {
        let mut v = serde_json::to_value(self)?;
        // `Result` serialises as {"Ok": …}; flatten it to the value or the reason.
        v["suppliers"] = match &self.suppliers {
            Ok(s) => serde_json::to_value(s)?,
            Err(nc) => serde_json::json!({ "not_computable": nc.to_string() }),
        };
        Ok(v)
    }
}

#[cfg(test)]
mod tests;
