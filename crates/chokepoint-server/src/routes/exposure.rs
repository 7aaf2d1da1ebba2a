//! Exposure and criticality over HTTP: `GET /api/shares`, `/api/exposure`,
//! `/api/criticality`, and the stage-shares chart `/api/charts/shares.svg`.
//!
//! Query parameters mirror the flags of `chokepoint shares`, `exposure` and `criticality`
//! (`--stage mining` is `stage=mining`); bodies are what `--format json` prints, computed by
//! the same functions (`chokepoint_store::indicators::report`). A figure the data cannot
//! give is part of the answer (`"not_computable": "…"`, status 200), not an error.

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chokepoint_model::Stage;
use chokepoint_store::indicators::NotComputable;
use chokepoint_store::indicators::report::criticality::{
    Assessment, Method, assessment, load_params,
};
use chokepoint_store::indicators::report::exposure::{exposure_report, parse_importer};
use chokepoint_store::indicators::report::shares::{
    SharesQuery, SharesReport, not_computable_json, shares_report,
};
use chokepoint_store::indicators::report::{Facts, share_stage};
use chokepoint_store::indicators::shares::ShareSource;
use chokepoint_store::{ArgumentSyntax, StoreError};
use serde::Deserialize;

use super::runs::svg;
use crate::charts::{self, Bar, BarChart};
use crate::extract::{Query, opt_param};
use crate::{ApiError, AppState};

/// Parameters of `GET /api/shares` and `/api/charts/shares.svg` (`chokepoint shares`).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SharesParams {
    /// Supply-chain stage: `mining`, `separation`, `metal` or `magnets`.
    pub stage: String,
    /// Data year, `YYYY` (default: the latest year the source covers).
    pub year: Option<String>,
    /// `usgs`, `iea`, `reported` or `trade` (default: usgs for mining, iea otherwise).
    pub source: Option<String>,
    /// USGS Mineral Commodity Summaries edition, e.g. `MCS2025` (usgs source only).
    pub edition: Option<String>,
}

/// Parameters of `GET /api/exposure` (`chokepoint exposure`).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExposureParams {
    /// Importing country (ISO-3) or `EU`.
    pub importer: String,
    /// Stage (`magnets`), HS code (`8505.11`) or trade product name.
    pub product: String,
    /// Data year, `YYYY` (default: the latest year with data).
    pub year: Option<String>,
    /// Not an API parameter: the CLI's `--after SCENARIO.toml` names a file on the caller's
    /// machine; over HTTP it is `POST /api/exposure/after`. Kept in the struct (hidden from
    /// the OpenAPI document) so a client that passes it gets a 400 pointing there, not
    /// "unknown field".
    #[param(ignore)]
    pub after: Option<String>,
}

/// Parameters of `GET /api/criticality` (`chokepoint criticality`).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CriticalityParams {
    /// `eu` (default) or `usgs`.
    pub method: Option<String>,
    /// Data year of the stage shares, `YYYY` (default: the latest each source covers).
    pub year: Option<String>,
    /// A parameter file: CLI only (`chokepoint criticality --params FILE`); the server uses
    /// the shipped `data/rare-earths/criticality_params.toml`. Accepted (and left out of
    /// the OpenAPI document, as it is never valid) so a client that passes it gets a 400
    /// saying so, not "unknown field".
    #[param(ignore)]
    pub params: Option<String>,
}

/// A `YYYY` year parameter, by the rule of the CLI's `--year`; given blank (`year=`) it is
/// a 400, as `--year ""` is an error and every other blank parameter is (web review: it
/// answered as if absent).
fn year(text: Option<&str>) -> Result<Option<i32>, ApiError> {
    crate::extract::not_blank("year", text)?;
    text.map(|t| chokepoint_model::parse_data_year(t).map_err(|m| ApiError::bad_request("year", m)))
        .transpose()
}

/// A store error as the API reports it: a bad argument names its query parameter.
fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Argument(a) => {
            ApiError::bad_request(a.argument(), a.message(ArgumentSyntax::Query))
        }
        other => ApiError::Store(other),
    }
}

impl SharesParams {
    fn query(&self) -> Result<SharesQuery, ApiError> {
        Ok(SharesQuery {
            stage: share_stage(&self.stage).map_err(|m| ApiError::bad_request("stage", m))?,
            year: year(self.year.as_deref())?,
            source: opt_param::<ShareSource>("source", self.source.as_deref())?,
            edition: {
                crate::extract::not_blank("edition", self.edition.as_deref())?;
                self.edition.clone()
            },
        })
    }
}

async fn facts(state: &AppState) -> Result<Facts, ApiError> {
    Facts::load(state.warehouse()?).await.map_err(store_error)
}

async fn compute_shares(
    state: &AppState,
    q: &SharesQuery,
) -> Result<Result<SharesReport, NotComputable>, ApiError> {
    shares_report(&facts(state).await?, q)
        .await
        .map_err(store_error)
}

/// Country shares of one stage with HHI, CR1, CR3, their sources and the EU CRMA check
/// (`chokepoint shares`); `{"stage", "not_computable", "needs"}` when the data cannot give
/// them.
#[utoipa::path(get, path = "/api/shares", params(SharesParams),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody)))]
pub async fn get_shares(
    State(state): State<AppState>,
    Query(p): Query<SharesParams>,
) -> Result<Json<SharesBody>, ApiError> {
    let q = p.query()?;
    Ok(Json(match compute_shares(&state, &q).await? {
        Ok(report) => SharesBody::Report(Box::new(report)),
        Err(nc) => SharesBody::NotComputable(not_computable_json(q.stage, &nc)),
    }))
}

/// The body of `GET /api/shares`: the report, or why there is none — each serialised as
/// `chokepoint shares --format json` prints it.
#[derive(serde::Serialize)]
#[serde(untagged)]
pub enum SharesBody {
    /// The shares.
    Report(Box<SharesReport>),
    /// `{"stage", "not_computable", "needs"}`.
    NotComputable(serde_json::Value),
}

/// An importer's supplier shares and their HHI, import reliance and the CRMA check per
/// stage (`chokepoint exposure`).
#[utoipa::path(get, path = "/api/exposure", params(ExposureParams),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody)))]
pub async fn get_exposure(
    State(state): State<AppState>,
    Query(p): Query<ExposureParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let importer = parse_importer(&p.importer)
        .map_err(|a| ApiError::bad_request(a.argument(), a.message(ArgumentSyntax::Query)))?;
    if p.product.trim().is_empty() {
        return Err(ApiError::bad_request(
            "product",
            "give a stage (magnets), an HS code (8505.11) or a trade product name",
        ));
    }
    if p.after.as_deref().is_some_and(|a| !a.trim().is_empty()) {
        // The CLI's `--after` names a scenario file; over HTTP the scenario is a request
        // body, so the post-shock exposure has its own POST endpoint.
        return Err(ApiError::bad_request(
            "after",
            "the post-shock exposure is POST /api/exposure/after?importer=IMPORTER&\
             product=PRODUCT with the scenario in the body (TOML, or JSON as for \
             POST /api/simulate); the CLI's is `chokepoint exposure --importer IMPORTER \
             --product PRODUCT --after SCENARIO.toml`",
        ));
    }
    let year = year(p.year.as_deref())?;
    let report = exposure_report(&facts(&state).await?, &importer, &p.product, year)
        .await
        .map_err(store_error)?;
    let body = report
        .to_json()
        .map_err(|e| ApiError::internal(format!("serialising the exposure report: {e}")))?;
    Ok(Json(body))
}

/// EU or USGS-style criticality scores with every input marked given, defaulted or missing
/// (`chokepoint criticality`).
#[utoipa::path(get, path = "/api/criticality", params(CriticalityParams),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody)))]
pub async fn get_criticality(
    State(state): State<AppState>,
    Query(p): Query<CriticalityParams>,
) -> Result<Json<Assessment>, ApiError> {
    if p.params.is_some() {
        // Reading a file named by a remote client would expose the server's file system.
        return Err(ApiError::bad_request(
            "params",
            "the server does not read parameter files; it uses the shipped \
             data/rare-earths/criticality_params.toml. Send your own as the body of \
             POST /api/criticality (TOML, as for `chokepoint criticality --params FILE`)",
        ));
    }
    let (params, origin) = load_params(None).map_err(store_error)?;
    criticality_with(&state, &p, &params, &origin).await
}

/// The assessment with parameters sent as the body, checked as `--params FILE` is
/// (web review: over HTTP there was no way to a verdict, the shipped file lacking the
/// sectors and economic vulnerability that each method needs).
#[utoipa::path(post, path = "/api/criticality", params(CriticalityParams),
    request_body(description = "a criticality parameter file's text (TOML, as \
                                data/rare-earths/criticality_params.toml and \
                                docs/criticality: `eu.sectors`, `usgs.economic_vulnerability`, …)",
        content((String = "application/toml"))),
    responses((status = 200, body = Object), (status = 400, body = crate::error::ErrorBody)))]
pub async fn post_criticality(
    State(state): State<AppState>,
    Query(p): Query<CriticalityParams>,
    headers: axum::http::HeaderMap,
    crate::extract::Body(body): crate::extract::Body,
) -> Result<Json<Assessment>, ApiError> {
    // A JSON body got a TOML parse error (re-check): say what to send.
    let json_sent = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json_sent {
        return Err(ApiError::MalformedBody {
            message: "POST /api/criticality takes the parameter file's TOML text (Content-Type \
                      application/toml), as `chokepoint criticality --params FILE` reads it, \
                      not JSON"
                .into(),
        });
    }
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::MalformedBody {
        message: "the body is not UTF-8 text; send the parameter file's TOML".into(),
    })?;
    let origin = std::path::Path::new("request.toml");
    let params = chokepoint_store::indicators::params::CriticalityParams::from_toml(text, origin)
        .map_err(store_error)?;
    criticality_with(&state, &p, &params, &origin.display().to_string()).await
}

async fn criticality_with(
    state: &AppState,
    p: &CriticalityParams,
    params: &chokepoint_store::indicators::params::CriticalityParams,
    origin: &str,
) -> Result<Json<Assessment>, ApiError> {
    if p.params.is_some() {
        return Err(ApiError::bad_request(
            "params",
            "the parameters are the body of POST /api/criticality; `params` names no file here",
        ));
    }
    let method = opt_param::<Method>("method", p.method.as_deref())?.unwrap_or_default();
    let year = year(p.year.as_deref())?;
    let a = assessment(&facts(state).await?, params, origin, method, year)
        .await
        .map_err(store_error)?;
    Ok(Json(a))
}

/// Countries drawn as bars; the rest are summed into one "others" bar.
const TOP_COUNTRIES: usize = 8;

/// The stage's country shares as a bar chart with the EU CRMA 65 % line.
#[utoipa::path(get, path = "/api/charts/shares.svg", params(SharesParams),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 400, body = crate::error::ErrorBody)))]
pub async fn shares_chart(
    State(state): State<AppState>,
    Query(p): Query<SharesParams>,
) -> Result<Response, ApiError> {
    let q = p.query()?;
    let report = match compute_shares(&state, &q).await? {
        Ok(r) => r,
        Err(nc) => {
            let title = format!("{}: country shares", capitalised(q.stage));
            return Ok(svg(charts::message_chart(&title, &nc.to_string())));
        }
    };
    Ok(svg(charts::bar_chart(&shares_bars(&report))?))
}

fn capitalised(stage: Stage) -> String {
    let s = stage.as_str();
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The chart of a shares report: the largest countries, the rest as "others", and the share
/// no source attributes when the report covers only part of the market.
fn shares_bars(report: &SharesReport) -> BarChart {
    let s = &report.shares;
    let mut bars: Vec<Bar> = s
        .shares
        .iter()
        .take(TOP_COUNTRIES)
        .map(|l| Bar {
            label: l.country_iso3.clone(),
            note: None,
            value: 100.0 * l.share,
        })
        .collect();
    let rest: f64 = s.shares.iter().skip(TOP_COUNTRIES).map(|l| l.share).sum();
    if rest > 0.0 {
        bars.push(Bar {
            label: "others".into(),
            note: None,
            value: 100.0 * rest,
        });
    }
    let c = &s.concentration;
    if c.is_partial() {
        bars.push(Bar {
            label: "unattributed".into(),
            note: None,
            value: 100.0 * (1.0 - c.coverage).max(0.0),
        });
    }
    let source = match &s.edition {
        Some(e) => format!("{} {e}", s.source.as_str().to_uppercase()),
        None => s.source.as_str().to_uppercase(),
    };
    BarChart {
        title: format!(
            "{} {}: country shares ({source})",
            capitalised(s.stage),
            s.year
        ),
        x_description: format!(
            "country — HHI {:.0}{}, top-1 {:.1} %, top-3 {:.1} %",
            c.hhi,
            if c.is_partial() { " (lower bound)" } else { "" },
            100.0 * c.cr1,
            100.0 * c.cr3,
        ),
        unit: "% of world".into(),
        series_label: format!("share of world {}", s.stage.as_str()),
        bars,
        benchmark: Some(("EU CRMA benchmark 65 %".into(), 65.0)),
        legend_notes: Vec::new(),
    }
}

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/shares", get(get_shares))
        .route("/exposure", get(get_exposure))
        .route("/criticality", get(get_criticality).post(post_criticality))
        .route("/charts/shares.svg", get(shares_chart))
}
