//! The canonical `trade` table: its Arrow schema, one row as a Rust value, and a batch
//! builder that turns rows into Arrow record batches for the Parquet writer.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use chokepoint_model::{Flow, Frequency, Period};
use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Float64Builder, Int32Builder, RecordBatch, StringBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use crate::StoreError;

/// How a row's period is built, so that cumulative figures never add to monthly ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodType {
    /// One calendar month (`YYYY-MM`).
    Month,
    /// China customs' combined January–February (`YYYY-01..YYYY-02`).
    JanFeb,
    /// Several months reported together, other than Jan–Feb (`YYYY-MM..YYYY-MM`).
    Months,
    /// Year to date, cumulative from January (`YYYY-01..YYYY-MM`); never summed with months.
    Ytd,
    /// A calendar year (`YYYY`).
    Year,
}

impl PeriodType {
    /// The text stored in the `period_type` column.
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodType::Month => "month",
            PeriodType::JanFeb => "jan_feb",
            PeriodType::Months => "months",
            PeriodType::Ytd => "ytd",
            PeriodType::Year => "year",
        }
    }

    /// The type named by its stored text (`month`, `jan_feb`, `months`, `ytd`, `year`).
    pub fn parse(text: &str) -> Option<PeriodType> {
        [
            PeriodType::Month,
            PeriodType::JanFeb,
            PeriodType::Months,
            PeriodType::Ytd,
            PeriodType::Year,
        ]
        .into_iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// The type a file declares for `period` (bundled data, a tidy `period_type` column),
    /// checked against the period: a year to date runs from January within one year,
    /// `jan_feb` is January–February, `month` one month, `year` a year. Empty text means
    /// the period's natural type ([`PeriodType::of`]). The error says what is wrong.
    pub fn declared(text: &str, period: &Period) -> Result<PeriodType, String> {
        if text.trim().is_empty() {
            return Ok(PeriodType::of(period));
        }
        let t = PeriodType::parse(text).ok_or_else(|| {
            format!("unknown period_type `{text}`: month, jan_feb, months, ytd or year")
        })?;
        let fits = match (t, period) {
            (PeriodType::Month, Period::Month(_)) | (PeriodType::Year, Period::Year(_)) => true,
            (PeriodType::Months, Period::Months(..)) => true,
            (PeriodType::JanFeb, Period::Months(a, b)) => {
                a.month == 1 && b.month == 2 && a.year == b.year
            }
            (PeriodType::Ytd, Period::Months(a, b)) => a.month == 1 && a.year == b.year,
            _ => false,
        };
        if fits {
            Ok(t)
        } else {
            Err(format!(
                "period_type `{}` does not fit the period {period}: {}",
                t.as_str(),
                match t {
                    PeriodType::Month => "a month is YYYY-MM",
                    PeriodType::JanFeb => "jan_feb is YYYY-01..YYYY-02",
                    PeriodType::Months => "combined months are YYYY-MM..YYYY-MM",
                    PeriodType::Ytd => "a year to date is YYYY-01..YYYY-MM, within one year",
                    PeriodType::Year => "a year is YYYY",
                }
            ))
        }
    }

    /// The natural type of a period read from a file that does not say (Comtrade, tidy).
    pub fn of(period: &Period) -> PeriodType {
        match period {
            Period::Month(_) => PeriodType::Month,
            Period::Months(a, b) if a.month == 1 && b.month == 2 && a.year == b.year => {
                PeriodType::JanFeb
            }
            Period::Months(..) => PeriodType::Months,
            Period::Year(_) => PeriodType::Year,
        }
    }

    /// Whether the period is one step of a non-overlapping series (months and combined
    /// months); YTD and annual rows are not.
    pub fn is_series_step(self) -> bool {
        matches!(
            self,
            PeriodType::Month | PeriodType::JanFeb | PeriodType::Months
        )
    }
}

/// One row of the `trade` table.
#[derive(Clone, Debug, PartialEq)]
pub struct TradeRecord {
    /// The period.
    pub period: Period,
    /// How the period is built.
    pub period_type: PeriodType,
    /// Reporting country (ISO-3).
    pub reporter_iso3: String,
    /// Partner country (ISO-3, `WLD` for the world total).
    pub partner_iso3: String,
    /// Direction.
    pub flow: Flow,
    /// HS code with leading zeros; `None` for aggregates that are not HS lines.
    pub hs_code: Option<String>,
    /// Product group name (`rare-earths`, `magnets`, …) when known.
    pub product: Option<String>,
    /// Net weight in tonnes.
    pub quantity_t: Option<f64>,
    /// Value in US dollars.
    pub value_usd: Option<f64>,
    /// Whether the figure was derived (e.g. from a growth rate) rather than reported.
    pub is_derived: bool,
    /// Year-on-year change as reported by the source, in percent.
    pub reported_yoy_pct: Option<f64>,
    /// Month-on-month change as reported by the source, in percent.
    pub reported_mom_pct: Option<f64>,
    /// Where the figure was published (bundled data) or the input file name.
    pub citation: Option<String>,
    /// Free-text notes.
    pub notes: Option<String>,
}

impl TradeRecord {
    /// A row with only its identity set: no product, figures, flags or notes. Readers fill
    /// the rest with struct-update syntax.
    pub fn blank(period: Period, reporter_iso3: String, partner_iso3: String, flow: Flow) -> Self {
        TradeRecord {
            period_type: PeriodType::of(&period),
            period,
            reporter_iso3,
            partner_iso3,
            flow,
            hs_code: None,
            product: None,
            quantity_t: None,
            value_usd: None,
            is_derived: false,
            reported_yoy_pct: None,
            reported_mom_pct: None,
            citation: None,
            notes: None,
        }
    }
}

/// The Arrow schema of the `trade` table (every Parquet part file has exactly this schema).
pub fn trade_schema() -> SchemaRef {
    static SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
        let s = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
        let f = |name: &str| Field::new(name, DataType::Float64, true);
        Arc::new(Schema::new(vec![
            s("period", false),
            s("period_type", false),
            s("frequency", false),
            Field::new("year", DataType::Int32, false),
            s("period_start", false),
            s("period_end", false),
            s("reporter_iso3", false),
            s("partner_iso3", false),
            s("flow", false),
            s("hs_code", true),
            s("product", true),
            f("quantity_t"),
            f("value_usd"),
            s("source", false),
            Field::new("source_rank", DataType::Int32, false),
            Field::new("is_derived", DataType::Boolean, false),
            f("reported_yoy_pct"),
            f("reported_mom_pct"),
            s("citation", true),
            s("notes", true),
            s("ingest_id", false),
        ]))
    });
    SCHEMA.clone()
}

/// Accumulates [`TradeRecord`]s and emits Arrow batches of the `trade` schema.
pub struct TradeBatchBuilder {
    source: String,
    source_rank: i32,
    ingest_id: String,
    len: usize,
    /// Period texts (period, first month, last month) by period: a file has few periods,
    /// and formatting them once per row showed up in ingest profiles (so did SipHash: the
    /// map hashes with foldhash).
    period_texts: HashMap<Period, [String; 3], foldhash::fast::FixedState>,
    period: StringBuilder,
    period_type: StringBuilder,
    frequency: StringBuilder,
    year: Int32Builder,
    period_start: StringBuilder,
    period_end: StringBuilder,
    reporter: StringBuilder,
    partner: StringBuilder,
    flow: StringBuilder,
    hs_code: StringBuilder,
    product: StringBuilder,
    quantity: Float64Builder,
    value: Float64Builder,
    source_col: StringBuilder,
    rank: Int32Builder,
    derived: BooleanBuilder,
    yoy: Float64Builder,
    mom: Float64Builder,
    citation: StringBuilder,
    notes: StringBuilder,
    ingest: StringBuilder,
}

impl TradeBatchBuilder {
    /// A builder stamping every row with `source` (its rank: 0 = user data, 1 = bundled)
    /// and `ingest_id`.
    pub fn new(source: &str, source_rank: i32, ingest_id: &str) -> TradeBatchBuilder {
        TradeBatchBuilder {
            source: source.to_string(),
            source_rank,
            ingest_id: ingest_id.to_string(),
            len: 0,
            period_texts: HashMap::default(),
            period: StringBuilder::new(),
            period_type: StringBuilder::new(),
            frequency: StringBuilder::new(),
            year: Int32Builder::new(),
            period_start: StringBuilder::new(),
            period_end: StringBuilder::new(),
            reporter: StringBuilder::new(),
            partner: StringBuilder::new(),
            flow: StringBuilder::new(),
            hs_code: StringBuilder::new(),
            product: StringBuilder::new(),
            quantity: Float64Builder::new(),
            value: Float64Builder::new(),
            source_col: StringBuilder::new(),
            rank: Int32Builder::new(),
            derived: BooleanBuilder::new(),
            yoy: Float64Builder::new(),
            mom: Float64Builder::new(),
            citation: StringBuilder::new(),
            notes: StringBuilder::new(),
            ingest: StringBuilder::new(),
        }
    }

    /// Rows added since the last [`TradeBatchBuilder::finish`].
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no row is pending.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds one row.
    pub fn push(&mut self, r: &TradeRecord) {
        let [period, start, end] = self.period_texts.entry(r.period).or_insert_with(|| {
            let (a, b) = r.period.months();
            [r.period.to_string(), a.to_string(), b.to_string()]
        });
        let frequency = match r.period_type {
            PeriodType::Year => Frequency::Annual,
            _ => Frequency::Monthly,
        };
        self.period.append_value(period);
        self.period_type.append_value(r.period_type.as_str());
        self.frequency.append_value(frequency.as_str());
        self.year.append_value(r.period.year());
        self.period_start.append_value(start);
        self.period_end.append_value(end);
        self.reporter.append_value(&r.reporter_iso3);
        self.partner.append_value(&r.partner_iso3);
        self.flow.append_value(r.flow.as_str());
        self.hs_code.append_option(r.hs_code.as_deref());
        self.product.append_option(r.product.as_deref());
        self.quantity.append_option(r.quantity_t);
        self.value.append_option(r.value_usd);
        self.source_col.append_value(&self.source);
        self.rank.append_value(self.source_rank);
        self.derived.append_value(r.is_derived);
        self.yoy.append_option(r.reported_yoy_pct);
        self.mom.append_option(r.reported_mom_pct);
        self.citation.append_option(r.citation.as_deref());
        self.notes.append_option(r.notes.as_deref());
        self.ingest.append_value(&self.ingest_id);
        self.len += 1;
    }

    /// Emits the pending rows as one batch and starts over.
    pub fn finish(&mut self) -> Result<RecordBatch, StoreError> {
        self.len = 0;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.period.finish()),
            Arc::new(self.period_type.finish()),
            Arc::new(self.frequency.finish()),
            Arc::new(self.year.finish()),
            Arc::new(self.period_start.finish()),
            Arc::new(self.period_end.finish()),
            Arc::new(self.reporter.finish()),
            Arc::new(self.partner.finish()),
            Arc::new(self.flow.finish()),
            Arc::new(self.hs_code.finish()),
            Arc::new(self.product.finish()),
            Arc::new(self.quantity.finish()),
            Arc::new(self.value.finish()),
            Arc::new(self.source_col.finish()),
            Arc::new(self.rank.finish()),
            Arc::new(self.derived.finish()),
            Arc::new(self.yoy.finish()),
            Arc::new(self.mom.finish()),
            Arc::new(self.citation.finish()),
            Arc::new(self.notes.finish()),
            Arc::new(self.ingest.finish()),
        ];
        Ok(RecordBatch::try_new(trade_schema(), columns)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jan_feb_is_recognised_and_ytd_is_not_a_series_step() {
        let p: Period = "2025-01..2025-02".parse().unwrap();
        assert_eq!(PeriodType::of(&p), PeriodType::JanFeb);
        assert!(PeriodType::JanFeb.is_series_step());
        assert!(!PeriodType::Ytd.is_series_step());
        assert_eq!(PeriodType::of(&"2024".parse().unwrap()), PeriodType::Year);
    }

    #[test]
    fn builder_emits_rows_with_source_stamp() {
        let mut b = TradeBatchBuilder::new("tidy", 0, "ingest-1");
        b.push(&TradeRecord {
            period: "2025-05".parse().unwrap(),
            period_type: PeriodType::Month,
            reporter_iso3: "CHN".into(),
            partner_iso3: "WLD".into(),
            flow: Flow::Export,
            hs_code: Some("0850".into()),
            product: None,
            quantity_t: Some(1.5),
            value_usd: None,
            is_derived: false,
            reported_yoy_pct: None,
            reported_mom_pct: None,
            citation: None,
            notes: None,
        });
        let batch = b.finish().unwrap();
        assert_eq!(batch.num_rows(), 1);
        assert_eq!(batch.schema(), trade_schema());
        assert!(b.is_empty());
    }
}
