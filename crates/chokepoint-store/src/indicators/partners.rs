//! `partners`: who takes (or supplies) a flow in one period — quantity and share per
//! partner, largest first, the Herfindahl-Hirschman index and the top-1/top-3 shares.
//!
//! Shares are of the period's total: the reporter's World row when it has one (so
//! partners the source does not list show up as `coverage_pct` below 100), else the sum
//! over listed partners. The HHI (0–10,000) is the sum of squared percentage shares over
//! the listed partners; with partial coverage it is a lower bound. Regional aggregates
//! (WLD, EUU) are not partners here: EUU would count its member states twice.

use chokepoint_model::Period;
use serde::Serialize;

use super::series::{AGGREGATE_PARTNERS, FlowQuery, observations};
use crate::{StoreError, Warehouse};

/// Whether shares are of tonnes or of dollars.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Tonnes (`quantity_t`).
    #[default]
    Quantity,
    /// US dollars (`value_usd`).
    Value,
}

/// What to rank.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartnersQuery {
    /// Reporter, flow, product, source (`partner` is ignored).
    pub flow: FlowQuery,
    /// The period (`YYYY-MM`, `YYYY-MM..YYYY-MM` or `YYYY`).
    pub period: Period,
    /// Tonnes or dollars.
    pub measure: Measure,
}

/// One partner's line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartnerRow {
    /// Partner code.
    pub partner_iso3: String,
    /// Tonnes.
    pub quantity_t: Option<f64>,
    /// US dollars.
    pub value_usd: Option<f64>,
    /// Share of the period's total, percent.
    pub share_pct: Option<f64>,
    /// The source used.
    pub source: String,
}

/// The ranking and its concentration figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartnersReport {
    /// The period.
    pub period: String,
    /// Tonnes or dollars.
    pub measure: Measure,
    /// The total shares are taken of.
    pub total: Option<f64>,
    /// `world row` or `sum of partners`.
    pub total_basis: String,
    /// Listed partners' part of the total, percent.
    pub coverage_pct: Option<f64>,
    /// Herfindahl-Hirschman index, 0–10,000.
    pub hhi: Option<f64>,
    /// Largest partner's share, percent.
    pub top1_share_pct: Option<f64>,
    /// Three largest partners' share, percent.
    pub top3_share_pct: Option<f64>,
    /// Partners, largest first.
    pub partners: Vec<PartnerRow>,
}

/// Ranks the partners of one flow in one period.
pub async fn partners(wh: &Warehouse, q: &PartnersQuery) -> Result<PartnersReport, StoreError> {
    let mut flow = q.flow.clone();
    flow.partner = None;
    let (_, obs) = observations(wh, &flow).await?;
    let in_period: Vec<_> = obs.into_iter().filter(|o| o.period == q.period).collect();
    let pick = |q_t: Option<f64>, v: Option<f64>| match q.measure {
        Measure::Quantity => q_t,
        Measure::Value => v,
    };
    let world = in_period
        .iter()
        .find(|o| o.partner_iso3 == "WLD")
        .and_then(|o| pick(o.quantity_t, o.value_usd));
    let mut rows: Vec<PartnerRow> = in_period
        .iter()
        .filter(|o| !AGGREGATE_PARTNERS.contains(&o.partner_iso3.as_str()))
        .map(|o| PartnerRow {
            partner_iso3: o.partner_iso3.clone(),
            quantity_t: o.quantity_t,
            value_usd: o.value_usd,
            share_pct: None,
            source: o.source.clone(),
        })
        .collect();
    let amount = |r: &PartnerRow| pick(r.quantity_t, r.value_usd).unwrap_or(0.0);
    rows.sort_by(|a, b| {
        amount(b)
            .total_cmp(&amount(a))
            .then(a.partner_iso3.cmp(&b.partner_iso3))
    });
    let listed: f64 = rows.iter().map(amount).sum();
    let (total, basis) = match world {
        Some(w) if w > 0.0 => (Some(w), "world row"),
        _ if listed > 0.0 => (Some(listed), "sum of partners"),
        _ => (None, "none"),
    };
    for r in &mut rows {
        r.share_pct = total.map(|t| amount(r) / t * 100.0);
    }
    let shares: Vec<f64> = rows.iter().filter_map(|r| r.share_pct).collect();
    let has = !shares.is_empty();
    Ok(PartnersReport {
        period: q.period.to_string(),
        measure: q.measure,
        total,
        total_basis: basis.to_string(),
        coverage_pct: total.map(|t| listed / t * 100.0),
        hhi: has.then(|| shares.iter().map(|s| s * s).sum()),
        top1_share_pct: shares.first().copied(),
        top3_share_pct: has.then(|| shares.iter().take(3).sum()),
        partners: rows,
    })
}
