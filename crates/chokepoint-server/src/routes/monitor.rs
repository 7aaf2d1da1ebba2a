//! The trade monitor over HTTP: `GET /api/trends`, `/api/partners`, `/api/anomalies`, and
//! their charts `/api/charts/trends.svg`, `/api/charts/partners.svg`.
//!
//! Query parameters mirror the CLI flags (`--reporter CHN` is `reporter=CHN`); bodies are the
//! rows `--format json` prints.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chokepoint_model::{Flow, Frequency, Iso3, Period, YearMonth};
use chokepoint_store::indicators::FlowQuery;
use chokepoint_store::indicators::anomalies::{
    AnomalyQuery, AnomalyRow, DEFAULT_THRESHOLD_PCT, anomalies, notes as anomaly_notes,
};
use chokepoint_store::indicators::partners::{
    AggregateRow, Measure, PartnersQuery, PartnersReport, partners,
};
use chokepoint_store::indicators::thousands;
use chokepoint_store::indicators::trends::{
    TrendJsonRow, TrendQuery, TrendRow, incomplete_year_note, json_rows, trend_report, trends,
};
use serde::Deserialize;

use super::notes::{api_words, note_headers};
use super::runs::svg;
use crate::charts::{self, Axis, Bar, BarChart, LineChart, LineSeries};
use crate::extract::{Query, not_blank, opt_param as opt, parse_param as parse};
use crate::{ApiError, AppState};

/// Parameters of `/api/trends` and its chart: the flags of `chokepoint trends`. Each
/// endpoint has its own set, so the OpenAPI document lists exactly what it takes, and a
/// parameter of another endpoint (`period=2025-13` here) is refused, not ignored.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TrendParams {
    /// Reporting country, ISO-3 (`CHN`).
    pub reporter: String,
    /// `export` or `import` (or `re-export`, `re-import`).
    pub flow: String,
    /// HS code, group or aggregate name (`rare-earths`, `magnets`, `850511`).
    pub product: String,
    /// One partner only, ISO-3 (default: the world total).
    pub partner: Option<String>,
    /// One source only (default: ingested data before bundled figures, per period).
    pub source: Option<String>,
    /// First month, `YYYY-MM`.
    pub from: Option<String>,
    /// Last month, `YYYY-MM`.
    pub to: Option<String>,
    /// `M` (monthly, the default) or `A` (annual).
    pub freq: Option<String>,
}

/// Parameters of `/api/partners` and its chart: the flags of `chokepoint partners`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PartnersParams {
    /// Reporting country, ISO-3 (`CHN`).
    pub reporter: String,
    /// `export` or `import` (or `re-export`, `re-import`).
    pub flow: String,
    /// HS code, group or aggregate name (`rare-earths`, `magnets`, `850511`).
    pub product: String,
    /// One source only (default: ingested data before bundled figures, per period).
    pub source: Option<String>,
    /// The period: `YYYY-MM`, `YYYY` or `YYYY-MM..YYYY-MM` (required unless `to` is given).
    pub period: Option<String>,
    /// The month, `YYYY-MM`, when `period` is absent (as the dashboard's month range ends).
    pub to: Option<String>,
    /// `quantity` (the default) or `value`.
    pub measure: Option<String>,
}

/// Parameters of `/api/anomalies`: the flags of `chokepoint anomalies`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AnomalyParams {
    /// Reporting country, ISO-3 (`CHN`).
    pub reporter: String,
    /// `export` or `import` (or `re-export`, `re-import`).
    pub flow: String,
    /// HS code, group or aggregate name (`rare-earths`, `magnets`, `850511`).
    pub product: String,
    /// One partner only, ISO-3 (default: the world total).
    pub partner: Option<String>,
    /// One source only (default: ingested data before bundled figures, per period).
    pub source: Option<String>,
    /// Departure threshold in percent (default 30).
    #[param(value_type = Option<f64>)]
    pub threshold: Option<String>,
    /// List every month, not only flagged ones.
    pub all: Option<bool>,
}

/// The flow every monitor endpoint selects.
fn flow_query(
    reporter: &str,
    flow: &str,
    product: &str,
    partner: Option<&str>,
    source: Option<&str>,
) -> Result<FlowQuery, ApiError> {
    not_blank("source", source)?;
    Ok(FlowQuery {
        reporter: parse::<Iso3>("reporter", reporter)?,
        flow: parse::<Flow>("flow", flow)?,
        product: product.to_string(),
        partner: opt::<Iso3>("partner", partner)?,
        source: source.map(str::to_string),
    })
}

impl TrendParams {
    fn trend_query(&self) -> Result<TrendQuery, ApiError> {
        Ok(TrendQuery {
            flow: flow_query(
                &self.reporter,
                &self.flow,
                &self.product,
                self.partner.as_deref(),
                self.source.as_deref(),
            )?,
            from: opt::<YearMonth>("from", self.from.as_deref())?,
            to: opt::<YearMonth>("to", self.to.as_deref())?,
            frequency: opt::<Frequency>("freq", self.freq.as_deref())?
                .unwrap_or(Frequency::Monthly),
        })
    }
}

impl PartnersParams {
    fn partners_query(&self) -> Result<PartnersQuery, ApiError> {
        not_blank("period", self.period.as_deref())?;
        not_blank("to", self.to.as_deref())?;
        // `to` stands in for `period` (the dashboard's month range ends there); beside it,
        // it was read and then ignored.
        if self.period.is_some() && self.to.is_some() {
            return Err(ApiError::bad_request(
                "to",
                "give `period` or `to`, not both (`to` is the month when `period` is absent)",
            ));
        }
        if let Some(to) = self.to.as_deref() {
            to.parse::<YearMonth>().map_err(|e| {
                ApiError::bad_request("to", format!("`{to}`: {e}; expected YYYY-MM"))
            })?;
        }
        let text = self
            .period
            .as_deref()
            .or(self.to.as_deref())
            .ok_or_else(|| {
                ApiError::bad_request(
                    "query string",
                    "missing parameter `period`: give period=YYYY-MM (or YYYY), or to=YYYY-MM",
                )
            })?;
        let measure = match self.measure.as_deref() {
            None | Some("quantity") => Measure::Quantity,
            Some("value") => Measure::Value,
            Some(other) => {
                return Err(ApiError::bad_request(
                    "measure",
                    format!("`{other}`; expected quantity or value"),
                ));
            }
        };
        Ok(PartnersQuery {
            flow: flow_query(
                &self.reporter,
                &self.flow,
                &self.product,
                None,
                self.source.as_deref(),
            )?,
            period: parse::<Period>("period", text)?,
            measure,
        })
    }
}

impl AnomalyParams {
    fn anomaly_query(&self) -> Result<AnomalyQuery, ApiError> {
        Ok(AnomalyQuery {
            flow: flow_query(
                &self.reporter,
                &self.flow,
                &self.product,
                self.partner.as_deref(),
                self.source.as_deref(),
            )?,
            // Read here, not by serde: "invalid float literal" said nothing of what to give
            // (web review); the store's own check words it as the CLI does.
            threshold_pct: match self.threshold.as_deref() {
                None => DEFAULT_THRESHOLD_PCT,
                Some(t) => {
                    not_blank("threshold", Some(t))?;
                    t.trim().parse::<f64>().map_err(|_| {
                        let e = chokepoint_store::ArgumentError::Threshold {
                            found: chokepoint_model::shorten(t),
                        };
                        ApiError::bad_request(
                            "threshold",
                            e.message(chokepoint_store::ArgumentSyntax::Query),
                        )
                    })?
                }
            },
            all: self.all.unwrap_or(false),
        })
    }
}

/// Level, MoM, YoY and YTD per period for one flow (`chokepoint trends`).
///
/// The body is what `chokepoint trends --format json` prints. What the CLI writes to stderr
/// beside it (years without an annual total) comes as `Chokepoint-Note` headers, so the
/// body stays the JSON array clients already read.
#[utoipa::path(get, path = "/api/trends", params(TrendParams),
    responses((status = 200, body = [Object], headers(("chokepoint-note" = String,
        description = "One per note the CLI prints to stderr, e.g. a year without an annual total (freq=A), a reported YTD beside a month of another source, or no rows at all for the flow"), ("chokepoint-notes" = String,
        description = "Every note of the response as one JSON array of strings, in order (ASCII; other characters as \\uXXXX): repeated chokepoint-note headers reach a browser joined by \", \", which the notes contain"))),
        (status = 400, body = crate::error::ErrorBody)))]
pub async fn get_trends(
    State(state): State<AppState>,
    Query(p): Query<TrendParams>,
) -> Result<(HeaderMap, Json<Vec<TrendJsonRow>>), ApiError> {
    let q = p.trend_query()?;
    let report = trend_report(state.warehouse()?, &q).await?;
    let incomplete = report
        .incomplete_years
        .iter()
        .map(|y| incomplete_year_note(y, "freq=M"));
    let nothing = report.found_nothing().then(|| q.nothing_found_note());
    let headers = note_headers(
        incomplete
            .chain(report.notes.iter().cloned())
            .chain(nothing),
    );
    Ok((headers, Json(json_rows(&report.rows))))
}

/// Partners of one flow in one period with shares and HHI (`chokepoint partners`).
///
/// A flow with no rows at all gets the CLI's stderr note as a `Chokepoint-Note` header.
#[utoipa::path(get, path = "/api/partners", params(PartnersParams),
    responses((status = 200, body = Object, headers(("chokepoint-note" = String,
        description = "The note the CLI prints to stderr when the flow has no rows at all"), ("chokepoint-notes" = String,
        description = "Every note of the response as one JSON array of strings, in order (ASCII; other characters as \\uXXXX): repeated chokepoint-note headers reach a browser joined by \", \", which the notes contain"))),
        (status = 400, body = crate::error::ErrorBody)))]
pub async fn get_partners(
    State(state): State<AppState>,
    Query(p): Query<PartnersParams>,
) -> Result<(HeaderMap, Json<PartnersReport>), ApiError> {
    let q = p.partners_query()?;
    let mut report = partners(state.warehouse()?, &q).await?;
    let headers = note_headers(report.found_nothing().then(|| q.nothing_found_note()));
    // The body's notes in the API's words too (`source=<source>`, not `--source`).
    report.notes = report.notes.iter().map(|n| api_words(n)).collect();
    Ok((headers, Json(report)))
}

/// Months departing from their baselines (`chokepoint anomalies`). A flow with no rows at
/// all gets the CLI's stderr note as a `Chokepoint-Note` header (an empty answer is
/// otherwise "nothing flagged").
#[utoipa::path(get, path = "/api/anomalies", params(AnomalyParams),
    responses((status = 200, body = [Object], headers(("chokepoint-note" = String,
        description = "The note the CLI prints to stderr when the flow has no rows at all"), ("chokepoint-notes" = String,
        description = "Every note of the response as one JSON array of strings, in order (ASCII; other characters as \\uXXXX): repeated chokepoint-note headers reach a browser joined by \", \", which the notes contain"))),
        (status = 400, body = crate::error::ErrorBody)))]
pub async fn get_anomalies(
    State(state): State<AppState>,
    Query(p): Query<AnomalyParams>,
) -> Result<(HeaderMap, Json<Vec<AnomalyRow>>), ApiError> {
    let q = p.anomaly_query()?;
    let wh = state.warehouse()?;
    let rows = anomalies(wh, &q).await?;
    let mut notes = anomaly_notes(&rows);
    if rows.is_empty()
        && let Some(note) = q.nothing_found(wh).await?
    {
        notes.push(note);
    }
    Ok((note_headers(notes), Json(rows)))
}

/// The trends as a chart: tonnes per period, MoM and YoY in % on the right axis.
#[utoipa::path(get, path = "/api/charts/trends.svg", params(TrendParams),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 400, body = crate::error::ErrorBody)))]
pub async fn trends_chart(
    State(state): State<AppState>,
    Query(p): Query<TrendParams>,
) -> Result<Response, ApiError> {
    let q = p.trend_query()?;
    let rows = trends(state.warehouse()?, &q).await?;
    let title = format!(
        "{} {}s of {}{}",
        q.flow.reporter.as_str(),
        q.flow.flow.as_str(),
        q.flow.product,
        q.flow
            .partner
            .map_or(String::new(), |p| format!(" to {}", p.as_str()))
    );
    if rows.iter().all(|r| r.quantity_t.is_none()) {
        return Ok(svg(charts::message_chart(
            &title,
            "no tonnage for this selection",
        )));
    }
    let (x_labels, slots) = period_axis(&rows);
    let n_slots = x_labels.len();
    let series = |label: &str, axis: Axis, f: fn(&TrendRow) -> Option<f64>| {
        let mut values = vec![None; n_slots];
        for (row, slot) in rows.iter().zip(&slots) {
            values[*slot] = f(row);
        }
        LineSeries {
            label: label.into(),
            values,
            axis,
        }
    };
    // Derived (estimated) months are drawn hollow, apart from reported ones.
    let mut derived = vec![false; n_slots];
    for (row, slot) in rows.iter().zip(&slots) {
        derived[*slot] = row.is_derived;
    }
    let chart = LineChart {
        title,
        x_description: "period".into(),
        x_labels,
        unit: "tonnes".into(),
        secondary_unit: Some("% change".into()),
        series: vec![
            series("tonnes", Axis::Primary, |r| r.quantity_t),
            series("month on month %", Axis::Secondary, |r| r.mom_pct),
            series("year on year %", Axis::Secondary, |r| r.yoy_pct),
        ],
    };
    Ok(svg(charts::line_chart_marked(&chart, &derived)?))
}

/// The x axis of the trends chart and each row's place on it.
///
/// Monthly rows get one slot per calendar month from the first to the last, so a month
/// without data is a gap in the line rather than two distant months drawn side by side. A
/// figure for several months (China's January-February) sits at its last month, labelled
/// with its span (`2025-01..02`); its first month stays empty. Annual rows are one slot each.
fn period_axis(rows: &[TrendRow]) -> (Vec<String>, Vec<usize>) {
    let periods: Option<Vec<(YearMonth, YearMonth)>> = rows
        .iter()
        .map(|r| match r.period.parse::<Period>() {
            Ok(Period::Month(m)) => Some((m, m)),
            Ok(Period::Months(a, b)) => Some((a, b)),
            Ok(Period::Year(_)) | Err(_) => None,
        })
        .collect();
    let first = periods
        .as_ref()
        .and_then(|p| p.iter().map(|(a, _)| a.index()).min());
    let last = periods
        .as_ref()
        .and_then(|p| p.iter().map(|(_, b)| b.index()).max());
    let (Some(periods), Some(first), Some(last)) = (periods, first, last) else {
        return (
            rows.iter().map(|r| r.period.clone()).collect(),
            (0..rows.len()).collect(),
        );
    };
    let start = periods
        .iter()
        .map(|(a, _)| *a)
        .min_by_key(YearMonth::index)
        .expect("invariant: first exists, so periods is not empty");
    let mut labels: Vec<String> = (0..=last - first)
        .map(|i| start.plus_months(i).to_string())
        .collect();
    let slots = periods
        .iter()
        .map(|(a, b)| {
            let slot = (b.index() - first) as usize;
            if a != b {
                labels[slot] = format!("{a}..{:02}", b.month);
            }
            slot
        })
        .collect();
    (labels, slots)
}

/// Partners shown in the chart; the rest are in the table.
const TOP_PARTNERS: usize = 10;

/// The partners as a chart: share of the total per partner, largest first.
#[utoipa::path(get, path = "/api/charts/partners.svg", params(PartnersParams),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 400, body = crate::error::ErrorBody)))]
pub async fn partners_chart(
    State(state): State<AppState>,
    Query(p): Query<PartnersParams>,
) -> Result<Response, ApiError> {
    let q = p.partners_query()?;
    let report = partners(state.warehouse()?, &q).await?;
    let title = format!(
        "{} {}s of {} by partner, {}",
        q.flow.reporter.as_str(),
        q.flow.flow.as_str(),
        q.flow.product,
        report.period
    );
    let bars: Vec<Bar> = report
        .partners
        .iter()
        .filter_map(|r| {
            r.share_pct.map(|v| Bar {
                label: r.partner_iso3.clone(),
                note: None,
                value: v,
            })
        })
        .take(TOP_PARTNERS)
        .collect();
    if bars.is_empty() {
        // The report's notes say why (a world total without a breakdown, say), as the CLI's
        // lines under its table do; a bare "no data" would contradict the total it has.
        let mut message = vec!["no partner data for this period".to_string()];
        message.extend(report.notes.iter().map(|n| api_words(n)));
        message.extend(
            report
                .aggregates
                .iter()
                .map(|a| format!("also reported: {}", a.describe(report.measure))),
        );
        return Ok(svg(charts::message_chart(&title, &message.join(". "))));
    }
    Ok(svg(charts::bar_chart(&BarChart {
        title,
        x_description: format!(
            "partner (top {TOP_PARTNERS}; HHI {}{})",
            report.hhi.map_or("n/a".to_string(), |h| format!("{h:.0}")),
            // Same words as the CLI: partners covering part of the total bound the HHI.
            if report.hhi_is_lower_bound {
                ", lower bound"
            } else {
                ""
            }
        ),
        unit: "% of total".into(),
        series_label: "share of the total".into(),
        bars,
        benchmark: None,
        // Aggregates are named beside the bars, never drawn as one: EUU overlaps DEU, FRA, …
        // so a bar would count them twice and its share is not part of the HHI above.
        legend_notes: report
            .aggregates
            .iter()
            .map(|a| aggregate_legend(a, report.measure))
            .collect(),
    })?))
}

/// A short legend line for an aggregate (the chart is 760 px wide; the CLI's full
/// sentence, [`AggregateRow::describe`], is in the table and the notes under it):
/// "EUU (European Union, aggregate) 2,140 t = 38.4 % of world; no bar, not in HHI".
fn aggregate_legend(a: &AggregateRow, measure: Measure) -> String {
    let amount = match measure {
        Measure::Quantity => a.quantity_t.map(|q| format!("{} t", thousands(q))),
        Measure::Value => a.value_usd.map(|v| format!("USD {}", thousands(v))),
    }
    .unwrap_or_else(|| "no figure".into());
    // Short: "of world", or "of partners" where the World row falls short of them.
    let of = if a.share_of == "the world total" {
        "world"
    } else {
        "partners"
    };
    let share = a
        .share_pct
        .map_or_else(String::new, |s| format!(" = {s:.1} % of {of}"));
    format!(
        "{} ({}, aggregate) {amount}{share}; no bar, not in HHI",
        a.partner_iso3, a.name
    )
}

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/trends", get(get_trends))
        .route("/partners", get(get_partners))
        .route("/anomalies", get(get_anomalies))
        .route("/charts/trends.svg", get(trends_chart))
        .route("/charts/partners.svg", get(partners_chart))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(period: &str) -> TrendRow {
        TrendRow {
            period: period.into(),
            quantity_t: Some(1.0),
            value_usd: None,
            mom_pct: None,
            yoy_pct: None,
            ytd_t: None,
            ytd_yoy_pct: None,
            source: "bundled".into(),
            reported_yoy_pct: None,
            reported_ytd_yoy_pct: None,
            is_derived: false,
            mom_base_is_derived: false,
            yoy_base_is_derived: false,
            ytd_includes_derived: false,
            ytd_yoy_base_is_derived: false,
            citation: None,
            quantity_is_lower_bound: false,
            mom_base_source: None,
            yoy_base_source: None,
            ytd_yoy_base_source: None,
            ytd_sources: None,
        }
    }

    #[test]
    fn issue_6_missing_months_are_gaps_on_a_calendar_axis() {
        let rows = [row("2024-09"), row("2024-10"), row("2025-01")];
        let (labels, slots) = period_axis(&rows);
        assert_eq!(
            labels,
            ["2024-09", "2024-10", "2024-11", "2024-12", "2025-01"]
        );
        assert_eq!(slots, [0, 1, 4]);
    }

    #[test]
    fn combined_months_sit_at_their_last_month() {
        let rows = [row("2024-12"), row("2025-01..2025-02"), row("2025-03")];
        let (labels, slots) = period_axis(&rows);
        assert_eq!(labels, ["2024-12", "2025-01", "2025-01..02", "2025-03"]);
        assert_eq!(slots, [0, 2, 3]);
    }

    #[test]
    fn annual_rows_keep_one_slot_each() {
        let rows = [row("2023"), row("2024")];
        assert_eq!(
            period_axis(&rows),
            (vec!["2023".into(), "2024".into()], vec![0, 1])
        );
    }
}
