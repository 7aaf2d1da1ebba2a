//! The stage-shares report: country shares of one stage with HHI, CR1, CR3, their sources
//! and the EU CRMA benchmark on them.

use chokepoint_model::Stage;
use serde::Serialize;

use super::Facts;
use crate::indicators::NotComputable;
use crate::indicators::concentration::SupplierShare;
use crate::indicators::exposure::{
    CRMA_MAX_SINGLE_COUNTRY_SHARE, CrmaCheck, CrmaVerdict, Importer, ShareBound, crma_check,
};
use crate::indicators::shares::{
    ShareSource, StageShareRow, StageShares, latest_usgs_year, reported_shares, reports_for,
    trade_shares, usgs_editions, usgs_mining_shares,
};
use crate::{ArgumentError, StoreError};

/// Stage shares plus the CRMA check, as `--format json` prints them.
#[derive(Clone, Debug, Serialize)]
pub struct SharesReport {
    /// The shares.
    #[serde(flatten)]
    pub shares: StageShares,
    /// EU CRMA benchmark on these (global) shares.
    pub crma_eu: Option<CrmaCheck>,
    /// What `crma_eu` rests on: always `global_shares_proxy` (world output shares, an
    /// indicator standing in for EU sourcing, not a test of the EU's consumption), as the
    /// `base` of `exposure`'s checks.
    pub crma_eu_base: &'static str,
}

/// What to report: the arguments of `chokepoint shares`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharesQuery {
    /// The stage.
    pub stage: Stage,
    /// Data year (default: the latest the source covers).
    pub year: Option<i32>,
    /// Where the shares come from (default: [`default_source`]).
    pub source: Option<ShareSource>,
    /// USGS edition (usgs source only).
    pub edition: Option<String>,
}

impl SharesQuery {
    /// The stage with every other choice defaulted.
    pub fn stage(stage: Stage) -> SharesQuery {
        SharesQuery {
            stage,
            year: None,
            source: None,
            edition: None,
        }
    }
}

/// The default source of a stage: production data where the warehouse has it (USGS mine
/// production), otherwise reported shares.
pub fn default_source(stage: Stage) -> ShareSource {
    match stage {
        Stage::Mining => ShareSource::Usgs,
        _ => ShareSource::Iea,
    }
}

/// The one rule that picks a reported stage figure, for `shares`, `exposure` and
/// `criticality` alike: the IEA's figures for the year (data-year figures before
/// publication-year ones; without a year, the IEA's latest data year). When the IEA has none
/// for that year and the source was not asked for by name (`fallback`), the best figure of
/// any named source for the year, ranked the same way, and a note saying whose it is; when
/// it was asked for by name, the answer says that other sources have the year.
fn iea_else_named(
    rows: &[StageShareRow],
    stage: Stage,
    year: Option<i32>,
    fallback: bool,
) -> Result<StageShares, NotComputable> {
    let iea = reported_shares(rows, stage, year, true);
    let Err(nc) = iea else {
        return iea;
    };
    let Ok(mut named) = reported_shares(rows, stage, year, false) else {
        return Err(nc);
    };
    let whose = named
        .shares
        .first()
        .map(|l| l.source.clone())
        .unwrap_or_default();
    if !fallback {
        let hint = format!(
            " (other named sources report {stage} shares for {}: use --source reported)",
            named.year
        );
        let mut nc = nc;
        match nc.needs.first_mut() {
            Some(first) => first.push_str(&hint),
            None => nc.needs.push(hint.trim().to_string()),
        }
        return Err(nc);
    }
    named.notes.insert(
        0,
        format!(
            "the IEA gives no {stage} shares for {}: this is the figure of another named \
             source, {whose}",
            named.year
        ),
    );
    Ok(named)
}

/// Computes the shares report. The error is the user's (bad edition or source) or the
/// warehouse's; the inner `Err` is a missing input, which is an answer, not a failure.
pub async fn shares_report(
    facts: &Facts,
    q: &SharesQuery,
) -> Result<Result<SharesReport, NotComputable>, StoreError> {
    let stage = q.stage;
    let year = q.year;
    let edition = q.edition.as_deref();
    let source = q.source.unwrap_or_else(|| default_source(stage));
    if edition.is_some() && source != ShareSource::Usgs {
        return Err(ArgumentError::EditionNeedsUsgs.into());
    }
    if source == ShareSource::Usgs && stage != Stage::Mining {
        return Ok(Err(NotComputable::needs([format!(
            "country production of the {stage} stage: USGS reports mine production by country \
             only; use --source iea or --source reported"
        )])));
    }
    // An edition without a year means that edition's latest year (the latest year of all
    // editions may not be in it); an edition holding no year at all is unknown.
    let year = match (edition, year) {
        (Some(e), None) => latest_usgs_year(&facts.production, Some(e))
            .or_else(|| latest_usgs_year(&facts.production, None)),
        _ => year,
    };
    if let (Some(e), Some(y)) = (edition, year) {
        let available = usgs_editions(&facts.production, y);
        if !available.iter().any(|a| a.eq_ignore_ascii_case(e)) {
            return Err(ArgumentError::UnknownEdition {
                edition: e.to_string(),
                year: y,
                available,
            }
            .into());
        }
    }
    let result = match source {
        ShareSource::Usgs => usgs_mining_shares(&facts.production, year, edition),
        ShareSource::Iea => iea_else_named(&facts.stage_shares, stage, year, q.source.is_none()),
        ShareSource::Reported => reported_shares(&facts.stage_shares, stage, year, false),
        ShareSource::Trade => {
            let latest = match year {
                Some(y) => Some(y),
                None => facts.latest_trade_year(stage).await?,
            };
            let Some(y) = latest else {
                return Ok(Err(NotComputable::needs([format!(
                    "export rows of {stage} products in the trade table"
                )])));
            };
            let (exporters, src) = facts.exports_by_reporter(stage, y).await?;
            trade_shares(stage, y, &exporters, &src)
        }
    };
    Ok(result.map(|mut shares| {
        if shares.other_reports.is_empty() && source == ShareSource::Usgs {
            shares.other_reports = reports_for(&facts.stage_shares, stage, shares.year);
        }
        let global: Vec<SupplierShare> = shares
            .shares
            .iter()
            .map(|l| SupplierShare::new(l.country_iso3.clone(), l.share))
            .collect();
        let crma_eu = crma_check(&Importer::Eu, &global, CRMA_MAX_SINGLE_COUNTRY_SHARE)
            .ok()
            // One reporting exporter holds 100 % by construction (the others are not in the
            // data), as `exposure` treats mirror data.
            .map(|c| {
                if shares.source == ShareSource::Trade && shares.shares.len() == 1 {
                    c.of_unknown_whole()
                } else {
                    c
                }
                .as_indicator()
            });
        SharesReport {
            shares,
            crma_eu,
            crma_eu_base: super::exposure::PROXY_BASE,
        }
    }))
}

/// The JSON printed (and returned) when a stage's shares are not computable: the stage, the
/// sentence and the list of missing inputs.
pub fn not_computable_json(stage: Stage, nc: &NotComputable) -> serde_json::Value {
    serde_json::json!({
        "stage": stage,
        "not_computable": nc.to_string(),
        "needs": nc.needs,
    })
}

/// "FAIL: CHN 92.0 % is 27.0 pp above the 65 % benchmark". Near the benchmark the figures
/// get the decimals that tell the two sides apart ("64.996 % is 0.004 pp below"), so that
/// a PASS and a FAIL never print the same share.
///
/// A check on world output shares standing in for an importer's sourcing reads
/// "world-share indicator, not a CRMA test: CHN 94.0 % is 29.0 pp above the 65 % benchmark"
/// ([`CrmaVerdict::Indicator`]).
pub fn crma_text(c: &CrmaCheck) -> String {
    let word = c.verdict.word();
    let side = if c.margin_pp > 0.0 { "above" } else { "below" };
    let margin = c.margin_pp.abs();
    let decimals = (1..=6)
        .find(|d| (margin * 10f64.powi(*d)).round() > 0.0)
        .unwrap_or(1) as usize;
    let mut text = if c.margin_pp == 0.0 {
        format!(
            "{word}: {} {:.1} % is at the {:.0} % benchmark",
            c.country,
            100.0 * c.share,
            100.0 * c.benchmark
        )
    } else {
        format!(
            "{word}: {} {:.decimals$} % is {margin:.decimals$} pp {side} the {:.0} % benchmark",
            c.country,
            100.0 * c.share,
            100.0 * c.benchmark
        )
    };
    // An indicator says why its share proves nothing where the figures would not have
    // settled the benchmark either (one reporting exporter: 100 % by construction).
    let bound = ShareBound::of(c.share_is_upper_bound, c.share_is_lower_bound);
    let unsettled = match c.verdict {
        CrmaVerdict::Inconclusive => true,
        CrmaVerdict::Indicator => {
            bound.settle(c.share, c.unattributed_share, c.benchmark) == CrmaVerdict::Inconclusive
        }
        CrmaVerdict::Pass | CrmaVerdict::Fail => false,
    };
    if !unsettled {
        return text;
    }
    let reason = if c.share_is_upper_bound && c.margin_pp > 0.0 {
        "an upper bound of the share of consumption, so the benchmark may be met".to_string()
    } else if c.share_is_lower_bound {
        "a lower bound of the share of consumption (exports unknown), so the benchmark may be \
         exceeded"
            .to_string()
    } else {
        match c.unattributed_share {
            None => "imports from other origins are unknown, and one of them could exceed it"
                .to_string(),
            Some(rest) => format!(
                "the unattributed {:.1} % could be one country above it",
                100.0 * rest.min(1.0)
            ),
        }
    };
    text.push_str("; ");
    text.push_str(&reason);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crma_text_says_by_how_much() {
        let c = CrmaCheck {
            country: "CHN".into(),
            share: 0.94,
            benchmark: 0.65,
            margin_pp: 29.0,
            verdict: CrmaVerdict::Fail,
            share_is_upper_bound: false,
            share_is_lower_bound: false,
            unattributed_share: Some(0.0),
        };
        assert_eq!(
            crma_text(&c),
            "FAIL: CHN 94.0 % is 29.0 pp above the 65 % benchmark"
        );
        let pass = CrmaCheck {
            share: 0.5,
            margin_pp: -15.0,
            verdict: CrmaVerdict::Pass,
            ..c.clone()
        };
        assert!(crma_text(&pass).starts_with("PASS: CHN 50.0 % is 15.0 pp below"));
        // A PASS and a FAIL a hair either side of 65 % never print the same share.
        let near = |share: f64, verdict| CrmaCheck {
            share,
            margin_pp: 100.0 * (share - 0.65),
            verdict,
            ..c.clone()
        };
        assert_eq!(
            crma_text(&near(0.64996, CrmaVerdict::Pass)),
            "PASS: CHN 64.996 % is 0.004 pp below the 65 % benchmark"
        );
        assert_eq!(
            crma_text(&near(0.65004, CrmaVerdict::Fail)),
            "FAIL: CHN 65.004 % is 0.004 pp above the 65 % benchmark"
        );
        assert_eq!(
            crma_text(&near(0.65, CrmaVerdict::Pass)),
            "PASS: CHN 65.0 % is at the 65 % benchmark"
        );
        let open = CrmaCheck {
            unattributed_share: Some(0.825),
            ..near(0.125, CrmaVerdict::Inconclusive)
        };
        assert!(
            crma_text(&open).ends_with("; the unattributed 82.5 % could be one country above it"),
            "{}",
            crma_text(&open)
        );
    }

    fn row(year: i32, share: f64, source: &str, basis: &str) -> StageShareRow {
        StageShareRow {
            year,
            stage: "separation_refining".into(),
            country_iso3: "CHN".into(),
            share,
            source: source.into(),
            year_basis: basis.into(),
            is_derived: false,
        }
    }

    #[test]
    fn one_rule_prefers_the_iea_and_falls_back_to_a_named_source_for_the_year() {
        let rows = vec![
            row(2023, 0.92, "IEA Outlook", "data_year"),
            row(2024, 0.90, "USGS as cited by Reuters", "publication_year"),
            row(
                2024,
                0.91,
                "x (README attributes IEA; secondary)",
                "data_year",
            ),
            row(2025, 0.91, "IEA commentary", "publication_year"),
        ];
        // No year: the IEA's latest data year, not its later publication-year figure.
        let s = iea_else_named(&rows, Stage::Separation, None, true).unwrap();
        assert_eq!((s.year, s.shares[0].share), (2023, 0.92));
        // 2024: no IEA figure; the data-year figure of another source, and a note saying so.
        let s = iea_else_named(&rows, Stage::Separation, Some(2024), true).unwrap();
        assert_eq!((s.year, s.shares[0].share), (2024, 0.91));
        assert_eq!(s.source, ShareSource::Reported);
        assert!(s.notes[0].contains("secondary"), "{:?}", s.notes);
        assert_eq!(s.other_reports.len(), 1);
        // Asked for by name, the IEA stays strict but says where the year is.
        let e = iea_else_named(&rows, Stage::Separation, Some(2024), false).unwrap_err();
        assert!(e.to_string().contains("--source reported"), "{e}");
        assert_eq!(e.needs.len(), 1);
        // A year nobody reports is not computable either way.
        assert!(iea_else_named(&rows, Stage::Separation, Some(2019), true).is_err());
    }

    #[test]
    fn not_computable_json_names_stage_and_needs() {
        let v = not_computable_json(Stage::Metal, &NotComputable::needs(["metal shares"]));
        assert_eq!(v["stage"], "metal");
        assert_eq!(v["needs"][0], "metal shares");
        assert_eq!(v["not_computable"], "not computable: needs metal shares");
    }

    fn run<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn mining_2024_on_the_bundled_data_gives_china_71_percent() {
        let dir = tempfile::tempdir().unwrap();
        run(async {
            let wh = Warehouse::open(dir.path()).await.unwrap();
            let facts = Facts::load(&wh).await.unwrap();
            let q = SharesQuery {
                year: Some(2024),
                ..SharesQuery::stage(Stage::Mining)
            };
            let r = shares_report(&facts, &q).await.unwrap().unwrap();
            let chn = r.shares.shares.iter().find(|l| l.country_iso3 == "CHN");
            assert!((chn.unwrap().share - 270_000.0 / 380_000.0).abs() < 1e-12);
            assert_eq!(r.crma_eu.unwrap().verdict, CrmaVerdict::Indicator);
            let bad = SharesQuery {
                edition: Some("MCS2026".into()),
                ..SharesQuery::stage(Stage::Magnets)
            };
            let e = shares_report(&facts, &bad).await.unwrap_err();
            assert!(matches!(
                e,
                StoreError::Argument(ArgumentError::EditionNeedsUsgs)
            ));
        });
    }

    use crate::Warehouse;
}
