//! The CRMA verdicts on the post-shock share, computed once for the table, the JSON, the
//! API and the dashboard (the dashboard and JSON had the shares without them).

use chokepoint_server::after::{AfterCrma, Band, CrmaReading};
use chokepoint_store::indicators::exposure::{
    CRMA_MAX_SINGLE_COUNTRY_SHARE, CrmaVerdict, ShareBound,
};

use super::figures::shortage_at;

/// Whether only one supplier's flows into the importer are in the chain (HHI 10,000
/// before): its share of consumption is then an upper bound, since the region's other
/// origins are not in the chain (the static `exposure` says INCONCLUSIVE on the same
/// grounds).
pub(super) fn single_supplier(bands: &[Band]) -> bool {
    bands
        .iter()
        .any(|b| b.measure == "supplier_hhi" && b.before >= 9_999.5)
}

/// The verdicts on the `crma_top_third_country_share` band of `bands` (`None` without it):
/// `proxy` when the chain's flows of the stage are drawn from world output shares (no
/// verdict), `upper` when the share is an upper bound ([`single_supplier`]). A pass after
/// the control while apparent consumption at the same percentile fell by more than 5 % is
/// marked short of supply: a lower share that measures a shortage.
pub(super) fn crma_of(bands: &[Band], proxy: bool, upper: bool) -> Option<AfterCrma> {
    let share = bands
        .iter()
        .find(|b| b.measure == "crma_top_third_country_share")?;
    let bound = ShareBound::of(upper, false);
    let benchmark = 100.0 * CRMA_MAX_SINGLE_COUNTRY_SHARE;
    let verdict = |v: f64| {
        v.is_finite().then(|| {
            if proxy {
                CrmaVerdict::Indicator
            } else {
                bound.verdict(v, benchmark)
            }
        })
    };
    let after = |v: f64, at: fn(&Band) -> f64| {
        let verdict = verdict(v);
        let short_of_supply = shortage_at(bands, at).filter(|_| verdict == Some(CrmaVerdict::Pass));
        CrmaReading {
            verdict,
            short_of_supply,
        }
    };
    let mut crma = AfterCrma {
        benchmark_pct: benchmark,
        base: if proxy {
            "global_shares_proxy"
        } else {
            "consumption"
        }
        .into(),
        share_is_upper_bound: upper,
        before: CrmaReading {
            verdict: verdict(share.before),
            short_of_supply: None,
        },
        after_p5: after(share.after_p5, |b| b.after_p5),
        after_p50: after(share.after_p50, |b| b.after_p50),
        after_p95: after(share.after_p95, |b| b.after_p95),
        text: String::new(),
    };
    crma.text = text(&crma, share);
    Some(crma)
}

/// The verdicts in words: "before INCONCLUSIVE (upper bound), after p50 … (+2.0 pp vs the
/// 65 % benchmark), p5 PASS while short of supply (consumption -33.8 %), p95 …".
fn text(c: &AfterCrma, share: &Band) -> String {
    let margin = share.after_p50 - c.benchmark_pct;
    // No flows of the stage into the region: no share to speak of (it read "NaN % before,
    // NaN % after p50 (NaN pp …)"; web review).
    if !share.before.is_finite() && !share.after_p50.is_finite() {
        return format!(
            "not computable: the region's apparent consumption of the stage is zero in the \
             chain, before and after, so there is no share of it (the {:.0} % benchmark does \
             not apply)",
            c.benchmark_pct
        );
    }
    let pct = |v: f64| {
        if v.is_finite() {
            format!("{v:.1} %")
        } else {
            "not computable".to_string()
        }
    };
    let margin_text = if margin.is_finite() {
        format!(
            " ({margin:+.1} pp vs the {:.0} % benchmark)",
            c.benchmark_pct
        )
    } else {
        String::new()
    };
    if c.base == "global_shares_proxy" {
        return format!(
            "{}: the chain draws these flows from world output shares, not customs data: \
             {} before, {} after p50{margin_text}",
            CrmaVerdict::Indicator.word(),
            pct(share.before),
            pct(share.after_p50),
        );
    }
    let words = |r: &CrmaReading| match (r.verdict, r.short_of_supply) {
        (None, _) => "not computable (no consumption)".to_string(),
        (Some(CrmaVerdict::Pass), Some(fall)) => format!(
            "PASS while short of supply (consumption -{:.1} %)",
            100.0 * fall
        ),
        (Some(CrmaVerdict::Inconclusive), _) if c.share_is_upper_bound => {
            "INCONCLUSIVE (upper bound)".to_string()
        }
        (Some(v), _) => v.word().to_string(),
    };
    format!(
        "before {}, after p50 {}{margin_text}, p5 {}, p95 {}",
        words(&c.before),
        words(&c.after_p50),
        words(&c.after_p5),
        words(&c.after_p95)
    )
}
