//! The exposure report: an importer's supplier shares and their HHI, import reliance, and
//! the EU CRMA check per stage, for one product.

use std::collections::BTreeMap;

use chokepoint_model::Stage;
use serde::Serialize;

use super::Facts;
use super::shares::{SharesQuery, shares_report};
use crate::indicators::concentration::{SupplierShare, concentration};
use crate::indicators::exposure::{
    AnnualQuantity, CRMA_MAX_SINGLE_COUNTRY_SHARE, ConsumptionBase, CrmaCheck, Importer, Reliance,
    RelianceInputs, TradeFact, annual_quantities, annual_quantities_over_edges, crma_check,
    crma_consumption_check, import_reliance, supplier_shares,
};
use crate::indicators::shares::{edition_number, stage_labels};
use crate::indicators::{Figure, NotComputable};
use crate::{ArgumentError, StoreError};

/// Parses an importer: an ISO-3 country code (any case) or `EU`.
pub fn parse_importer(text: &str) -> Result<Importer, ArgumentError> {
    let t = text.trim();
    let ok = t.eq_ignore_ascii_case("eu") || t.parse::<chokepoint_model::Iso3>().is_ok();
    if !ok {
        return Err(ArgumentError::Importer {
            found: text.to_string(),
        });
    }
    Ok(Importer::parse(t))
}

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
    /// HHI of suppliers (0–10,000).
    pub hhi: f64,
    /// Why the shares and HHI are not a measurement of the importer's sourcing, when they are
    /// not (e.g. one reporting exporter: 100 % and HHI 10000 by construction).
    pub caveat: Option<String>,
}

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
    let p = product.trim().to_ascii_lowercase();
    let digits: String = p.chars().filter(char::is_ascii_digit).collect();
    if p.contains("magnet") || digits.starts_with("850511") {
        Some(Stage::Magnets)
    } else if digits.starts_with("280530") {
        Some(Stage::Metal)
    } else if p.starts_with("rare-earth")
        || p.starts_with("rare_earth")
        || digits.starts_with("2846")
    {
        Some(Stage::Separation)
    } else if digits.starts_with("2530") || digits.starts_with("2612") {
        Some(Stage::Mining)
    } else {
        None
    }
}

/// Quantities per partner for the importer's own imports, else for partners' exports to it.
fn by_partner(
    importer: &Importer,
    facts: &[TradeFact],
    year: i32,
) -> Option<(String, BTreeMap<String, AnnualQuantity>)> {
    let codes = importer.codes();
    // Keyed by supplier, per reporting member state (each picks its own periods).
    let own: Vec<((String, String), &TradeFact)> = facts
        .iter()
        .filter(|f| f.year == year && f.flow == "import" && codes.contains(&f.reporter))
        .map(|f| ((f.partner.clone(), f.reporter.clone()), f))
        .collect();
    if !own.is_empty() {
        return Some(("importer".into(), annual_quantities_over_edges(&own)));
    }
    let mirror: Vec<&TradeFact> = facts
        .iter()
        .filter(|f| f.year == year && f.flow == "export" && codes.contains(&f.partner))
        .collect();
    // A reporter giving both the EU aggregate and member states would be counted twice:
    // keep its aggregate rows only.
    let with_aggregate: Vec<&str> = mirror
        .iter()
        .filter(|f| f.partner == "EUU")
        .map(|f| f.reporter.as_str())
        .collect();
    let keyed: Vec<((String, String), &TradeFact)> = mirror
        .iter()
        .filter(|f| f.partner == "EUU" || !with_aggregate.contains(&f.reporter.as_str()))
        .map(|f| ((f.reporter.clone(), f.partner.clone()), *f))
        .collect();
    (!keyed.is_empty()).then(|| ("mirror".into(), annual_quantities_over_edges(&keyed)))
}

fn importer_total(importer: &Importer, facts: &[TradeFact], year: i32, flow: &str) -> Option<f64> {
    let codes = importer.codes();
    let rows: Vec<(String, &TradeFact)> = facts
        .iter()
        .filter(|f| f.year == year && f.flow == flow && codes.contains(&f.reporter))
        .filter(|f| importer.is_third_country(&f.partner) || f.partner == "WLD")
        .map(|f| (f.partner.clone(), f))
        .collect();
    if rows.is_empty() {
        return None;
    }
    let totals = annual_quantities(&rows);
    // Prefer the world row; else the sum over partners.
    Some(match totals.get("WLD") {
        Some(w) => w.quantity_t,
        None => totals.values().map(|q| q.quantity_t).sum(),
    })
}

fn domestic_production(facts: &Facts, importer: &Importer, stage: Stage, year: i32) -> Option<f64> {
    let codes = importer.codes();
    let metric_ok = |m: &str| match stage {
        Stage::Mining => m == "mine_production",
        Stage::Separation => m == "production_compounds_and_metals",
        _ => false,
    };
    let rows: Vec<_> = facts
        .production
        .iter()
        .filter(|r| r.year == year && codes.contains(&r.country_iso3) && metric_ok(&r.metric))
        .filter(|r| r.source_type == "primary" && edition_number(&r.edition).is_some())
        .collect();
    let latest = rows
        .iter()
        .filter_map(|r| edition_number(&r.edition))
        .max()?;
    let sum: f64 = rows
        .iter()
        .filter(|r| edition_number(&r.edition) == Some(latest))
        .filter_map(|r| r.value)
        .sum();
    Some(sum)
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
    let (label, trade_facts) = trade.unwrap_or_else(|| (product.to_string(), Vec::new()));
    let codes = importer.codes();
    let touches = |f: &&TradeFact| codes.contains(&f.reporter) || codes.contains(&f.partner);
    // The stage shares follow the user's year, not the trade data's: without one they are
    // the same figures `shares` and `criticality` give by default (one rule for all three).
    let asked_year = year;
    let year = year.or_else(|| {
        trade_facts
            .iter()
            .filter(touches)
            .filter(|f| f.months > 0)
            .map(|f| f.year)
            .max()
    });
    let mut notes = Vec::new();
    if !trade_facts.iter().any(|f| touches(&f)) {
        // A well-formed code with no data (a typo such as UAS) would otherwise give a table
        // of "not computable" rows and global proxies without saying why.
        notes.push(format!(
            "{} is in no trade row of {label}, as reporter or partner: check the code (ISO-3, \
             e.g. USA, JPN, DEU, or EU), or ingest its trade; the stage checks are global \
             proxies",
            importer.label()
        ));
    }
    let suppliers = match year.and_then(|y| by_partner(importer, &trade_facts, y)) {
        None => Err(NotComputable::needs([format!(
            "trade rows of {label} imported by {} (its import statistics, or partners' exports \
             to it){}",
            importer.label(),
            year.map(|y| format!(" in {y}")).unwrap_or_default()
        )])),
        Some((basis, quantities)) => {
            let list: Vec<(String, f64)> = quantities
                .iter()
                .map(|(c, q)| (c.clone(), q.quantity_t))
                .collect();
            supplier_shares(importer, &list).and_then(|shares| {
                let hhi = concentration(
                    &shares
                        .iter()
                        .map(|(c, _, s)| SupplierShare::new(c.clone(), *s))
                        .collect::<Vec<_>>(),
                )
                .map_err(|e| NotComputable::needs([e.to_string()]))?
                .hhi;
                let mut caveat = None;
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
                            "only {only}-reported flows are known: its 100 % share and HHI \
                             10000 are by construction; HHI not measurable (upper bound)"
                        ),
                        _ => format!(
                            "shares among the reporting exporters ({}) only; other origins \
                             unknown",
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
                            includes_derived: quantities
                                .get(&c)
                                .is_some_and(|a| a.includes_derived),
                            country_iso3: c,
                            quantity_t: q,
                            share: s,
                        })
                        .collect(),
                    hhi,
                    caveat,
                })
            })
        }
    };
    let reliance_inputs = RelianceInputs {
        production: match (stage, year) {
            (Some(s), Some(y)) => domestic_production(facts, importer, s, y),
            _ => None,
        },
        imports: year.and_then(|y| importer_total(importer, &trade_facts, y, "import")),
        exports: year.and_then(|y| importer_total(importer, &trade_facts, y, "export")),
    };
    let reliance = import_reliance(&reliance_inputs);
    if reliance.is_ok() && stage == Some(Stage::Mining) {
        notes.push("production is in t REO, trade in gross tonnes: reliance is indicative".into());
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
                let check = crma_check(importer, &shares, CRMA_MAX_SINGLE_COUNTRY_SHARE);
                out.push(StageCrma {
                    stage,
                    basis,
                    not_computable: check.as_ref().err().map(ToString::to_string),
                    check: check.ok(),
                    base: "global_shares_proxy",
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
                base: "global_shares_proxy",
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
mod tests {
    use super::*;

    #[test]
    fn products_map_to_stages() {
        assert_eq!(stage_of_product("magnets"), Some(Stage::Magnets));
        assert_eq!(stage_of_product("8505.11"), Some(Stage::Magnets));
        assert_eq!(stage_of_product("rare-earths"), Some(Stage::Separation));
        assert_eq!(stage_of_product("284690"), Some(Stage::Separation));
        assert_eq!(stage_of_product("2805.30"), Some(Stage::Metal));
        assert_eq!(stage_of_product("mining"), Some(Stage::Mining));
        assert_eq!(stage_of_product("graphite"), None);
    }

    #[test]
    fn importer_codes_are_checked() {
        assert_eq!(parse_importer("EU"), Ok(Importer::Eu));
        assert_eq!(parse_importer("usa"), Ok(Importer::Country("USA".into())));
        assert!(parse_importer("840").is_err());
        assert!(parse_importer("U-A").is_err());
        assert_eq!(parse_importer("s19"), Ok(Importer::Country("S19".into())));
        assert!(parse_importer("Europe").is_err());
    }

    #[test]
    fn missing_suppliers_serialise_as_the_reason() {
        let r = ExposureReport {
            importer: "BRA".into(),
            product: "magnets".into(),
            stage: Some(Stage::Magnets),
            year: None,
            suppliers: Err(NotComputable::needs(["trade rows"])),
            reliance_inputs: RelianceInputs::default(),
            import_reliance: Figure::Value(0.5),
            reliance: None,
            crma: Vec::new(),
            notes: Vec::new(),
        };
        let v = r.to_json().unwrap();
        assert_eq!(
            v["suppliers"]["not_computable"],
            "not computable: needs trade rows"
        );
    }
}
