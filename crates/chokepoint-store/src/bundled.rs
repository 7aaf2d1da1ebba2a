//! The bundled rare-earth dataset (`data/rare-earths/*.csv`), compiled into the library so
//! the binary stands alone, and its typed loaders.
//!
//! Every table keeps the CSV header's column names. Numbers become `Float64`, years
//! `Int32`, flags `Boolean`, empty cells NULL. China customs' monthly series becomes rows of
//! the canonical `trade` table (see [`china_exports`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use chokepoint_model::{Flow, Period};
use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Float64Builder, Int32Builder, RecordBatch, StringBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema};

use crate::StoreError;
use crate::products::product_group_of_hs_row;
use crate::schema::{PeriodType, TradeRecord};

/// One bundled CSV file.
#[derive(Clone, Copy, Debug)]
pub struct BundledFile {
    /// Warehouse table the file loads into.
    pub table: &'static str,
    /// File name under `data/rare-earths/`.
    pub file: &'static str,
    /// The file's text.
    pub text: &'static str,
}

/// China customs' monthly exports and imports (becomes the bundled rows of `trade`).
pub const CHINA_EXPORTS: BundledFile = BundledFile {
    table: "trade",
    file: "china_exports_monthly.csv",
    text: include_str!("../../../data/rare-earths/china_exports_monthly.csv"),
};

/// The bundled files that load one-to-one into a table of the same columns.
pub const TABLE_FILES: [BundledFile; 5] = [
    BundledFile {
        table: "production",
        file: "mine_production.csv",
        text: include_str!("../../../data/rare-earths/mine_production.csv"),
    },
    BundledFile {
        table: "stage_shares",
        file: "stage_shares.csv",
        text: include_str!("../../../data/rare-earths/stage_shares.csv"),
    },
    BundledFile {
        table: "export_controls",
        file: "export_controls.csv",
        text: include_str!("../../../data/rare-earths/export_controls.csv"),
    },
    BundledFile {
        table: "hs_codes",
        file: "hs_codes.csv",
        text: include_str!("../../../data/rare-earths/hs_codes.csv"),
    },
    BundledFile {
        table: "end_uses",
        file: "end_uses.csv",
        text: include_str!("../../../data/rare-earths/end_uses.csv"),
    },
];

/// The text of `hs_codes.csv` (product groups are built from it).
pub fn hs_codes_text() -> &'static str {
    TABLE_FILES[3].text
}

#[derive(Clone, Copy, PartialEq)]
enum ColumnType {
    Text,
    Int,
    Float,
    Bool,
}

/// Column types that are not text, per table; everything else stays `Utf8`.
fn typed_columns(table: &str) -> &'static [(&'static str, ColumnType)] {
    use ColumnType::*;
    match table {
        "production" => &[("year", Int), ("value", Float)],
        "stage_shares" => &[("year", Int), ("share", Float), ("is_derived", Bool)],
        "end_uses" => &[("year", Int), ("value", Float), ("value_high", Float)],
        _ => &[],
    }
}

/// Loads one bundled table file into a record batch.
///
/// `end_uses.year` holds approximate years such as `c.2020`: the year becomes 2020 and an
/// added `year_is_approx` column says so. `hs_codes` gains `hs_digits` (the code without
/// dots) and `product_group` (the `--product` group the code belongs to, if any).
pub fn load_table(f: &BundledFile) -> Result<RecordBatch, StoreError> {
    let mut reader = csv::ReaderBuilder::new().from_reader(f.text.as_bytes());
    let bad = |line: u64, reason: String| StoreError::Bundled {
        file: f.file,
        line,
        reason,
    };
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| bad(1, e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let types: Vec<ColumnType> = headers
        .iter()
        .map(|h| {
            typed_columns(f.table)
                .iter()
                .find(|(n, _)| n == h)
                .map_or(ColumnType::Text, |(_, t)| *t)
        })
        .collect();
    let mut rows: Vec<csv::StringRecord> = Vec::new();
    for rec in reader.records() {
        rows.push(rec.map_err(|e| bad(e.position().map_or(0, |p| p.line()), e.to_string()))?);
    }
    let mut fields = Vec::new();
    let mut columns: Vec<ArrayRef> = Vec::new();
    for (i, (name, ty)) in headers.iter().zip(&types).enumerate() {
        let cells = rows
            .iter()
            .enumerate()
            .map(|(r, rec)| (r as u64 + 2, rec.get(i).unwrap_or("").trim()));
        match ty {
            ColumnType::Text => {
                let mut b = StringBuilder::new();
                for (_, c) in cells {
                    b.append_option((!c.is_empty()).then_some(c));
                }
                fields.push(Field::new(name, DataType::Utf8, true));
                columns.push(Arc::new(b.finish()));
            }
            ColumnType::Int => {
                let mut b = Int32Builder::new();
                let mut approx = BooleanBuilder::new();
                for (line, c) in cells {
                    let digits = c.strip_prefix("c.").unwrap_or(c);
                    approx.append_value(digits.len() != c.len());
                    if c.is_empty() {
                        b.append_null();
                    } else {
                        b.append_value(digits.parse().map_err(|_| {
                            bad(line, format!("`{name}` is not a whole number: `{c}`"))
                        })?);
                    }
                }
                fields.push(Field::new(name, DataType::Int32, true));
                columns.push(Arc::new(b.finish()));
                if f.table == "end_uses" {
                    fields.push(Field::new("year_is_approx", DataType::Boolean, true));
                    columns.push(Arc::new(approx.finish()));
                }
            }
            ColumnType::Float => {
                let mut b = Float64Builder::new();
                for (line, c) in cells {
                    if c.is_empty() {
                        b.append_null();
                    } else {
                        b.append_value(
                            c.parse().map_err(|_| {
                                bad(line, format!("`{name}` is not a number: `{c}`"))
                            })?,
                        );
                    }
                }
                fields.push(Field::new(name, DataType::Float64, true));
                columns.push(Arc::new(b.finish()));
            }
            ColumnType::Bool => {
                let mut b = BooleanBuilder::new();
                for (line, c) in cells {
                    match c {
                        "" => b.append_null(),
                        "true" => b.append_value(true),
                        "false" => b.append_value(false),
                        _ => return Err(bad(line, format!("`{name}` is not true/false: `{c}`"))),
                    }
                }
                fields.push(Field::new(name, DataType::Boolean, true));
                columns.push(Arc::new(b.finish()));
            }
        }
    }
    if f.table == "hs_codes" {
        let col = |n: &str| headers.iter().position(|h| h == n);
        let (code, material, stage) = (col("hs_code"), col("material"), col("supply_chain_stage"));
        let mut digits = StringBuilder::new();
        let mut group = StringBuilder::new();
        for rec in &rows {
            let get = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or("");
            let d: String = get(code).chars().filter(char::is_ascii_digit).collect();
            group.append_option(product_group_of_hs_row(&d, get(material), get(stage)));
            digits.append_value(d);
        }
        fields.push(Field::new("hs_digits", DataType::Utf8, true));
        columns.push(Arc::new(digits.finish()));
        fields.push(Field::new("product_group", DataType::Utf8, true));
        columns.push(Arc::new(group.finish()));
    }
    Ok(RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns,
    )?)
}

/// The product name used in the warehouse for a China-customs product label.
pub fn product_name(label: &str) -> String {
    match label {
        "rare_earths_17_total" => "rare-earths".to_string(),
        "rare_earth_permanent_magnets" => "magnets".to_string(),
        "rare_earth_products_bloomberg" => "rare-earth-products".to_string(),
        other => other.replace('_', "-"),
    }
}

/// China customs' series as `trade` rows (reporter CHN, no HS code: these are aggregates).
///
/// A tonnage line and a `USD million` line for the same flow and period become one row
/// with both `quantity_t` and `value_usd`. `period_type` keeps `ytd`, `jan_feb` and `year`
/// apart from single months, so cumulative rows never add to monthly ones.
pub fn china_exports() -> Result<Vec<TradeRecord>, StoreError> {
    let f = CHINA_EXPORTS;
    let bad = |line: u64, reason: String| StoreError::Bundled {
        file: f.file,
        line,
        reason,
    };
    let mut reader = csv::ReaderBuilder::new().from_reader(f.text.as_bytes());
    let headers = reader.headers().map_err(|e| bad(1, e.to_string()))?.clone();
    let idx = |n: &str| {
        headers
            .iter()
            .position(|h| h == n)
            .ok_or_else(|| bad(1, format!("missing column `{n}`")))
    };
    let (period, ptype, flow, product, partner, value, unit) = (
        idx("period")?,
        idx("period_type")?,
        idx("flow")?,
        idx("product")?,
        idx("partner_iso3")?,
        idx("value")?,
        idx("unit")?,
    );
    let (yoy, mom, derived, source, notes) = (
        idx("yoy_pct")?,
        idx("mom_pct")?,
        idx("is_derived")?,
        idx("source")?,
        idx("notes")?,
    );
    // Keyed by (period, period_type, flow, product, partner) so t and USD lines merge.
    let mut merged: BTreeMap<(String, String, String, String, String), TradeRecord> =
        BTreeMap::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let rec = rec.map_err(|e| bad(line, e.to_string()))?;
        let get = |c: usize| rec.get(c).unwrap_or("").trim();
        let opt_num = |c: usize| -> Result<Option<f64>, StoreError> {
            let s = get(c);
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse()
                    .map(Some)
                    .map_err(|_| bad(line, format!("not a number: `{s}`")))
            }
        };
        let p: Period = get(period)
            .parse()
            .map_err(|e: chokepoint_model::ModelError| bad(line, e.to_string()))?;
        let pt = PeriodType::declared(get(ptype), &p).map_err(|e| bad(line, e))?;
        let fl: Flow = get(flow)
            .parse()
            .map_err(|e: chokepoint_model::ModelError| bad(line, e.to_string()))?;
        let amount = opt_num(value)?.ok_or_else(|| bad(line, "empty value".into()))?;
        let key = (
            get(period).to_string(),
            pt.as_str().to_string(),
            fl.as_str().to_string(),
            get(product).to_string(),
            get(partner).to_string(),
        );
        let entry = merged.entry(key).or_insert_with(|| TradeRecord {
            period: p,
            period_type: pt,
            reporter_iso3: "CHN".to_string(),
            partner_iso3: get(partner).to_string(),
            flow: fl,
            hs_code: None,
            product: Some(product_name(get(product))),
            quantity_t: None,
            value_usd: None,
            is_derived: false,
            reported_yoy_pct: None,
            reported_mom_pct: None,
            citation: None,
            notes: None,
        });
        let text = |c: usize| (!get(c).is_empty()).then(|| get(c).to_string());
        match get(unit) {
            "t" => {
                entry.quantity_t = Some(amount);
                // Growth rates and provenance describe the tonnage line when there is one.
                entry.reported_yoy_pct = opt_num(yoy)?;
                entry.reported_mom_pct = opt_num(mom)?;
                entry.is_derived = get(derived) == "true";
                entry.citation = text(source);
                entry.notes = text(notes);
            }
            "USD million" => {
                entry.value_usd = Some(amount * 1e6);
                if entry.citation.is_none() {
                    entry.citation = text(source);
                    entry.notes = text(notes);
                }
            }
            other => {
                return Err(bad(
                    line,
                    format!("unknown unit `{other}`; expected t or USD million"),
                ));
            }
        }
    }
    Ok(merged.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_table_loads_with_typed_columns() {
        for f in &TABLE_FILES {
            let batch = load_table(f).unwrap();
            assert!(batch.num_rows() > 10, "{}", f.file);
        }
        let prod = load_table(&TABLE_FILES[0]).unwrap();
        let schema = prod.schema();
        assert_eq!(
            schema.field_with_name("year").unwrap().data_type(),
            &DataType::Int32
        );
        assert_eq!(
            schema.field_with_name("value").unwrap().data_type(),
            &DataType::Float64
        );
    }

    /// The dataset ships with its provenance: every file in the data folder is in the
    /// SOURCES file table, with the row count it has (`criticality_params.toml` was not).
    #[test]
    fn every_bundled_file_is_listed_in_sources_with_its_rows() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/rare-earths");
        let sources = std::fs::read_to_string(dir.join("SOURCES.md")).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name == "SOURCES.md" || name == "notes" {
                continue;
            }
            let row = sources
                .lines()
                .find(|l| l.starts_with(&format!("| `{name}` |")))
                .unwrap_or_else(|| panic!("{name} is not in the SOURCES.md file table"));
            if let Some(csv) = name.strip_suffix(".csv") {
                let text = std::fs::read_to_string(dir.join(&name)).unwrap();
                let rows = csv::Reader::from_reader(text.as_bytes()).records().count();
                assert!(
                    row.starts_with(&format!("| `{csv}.csv` | {rows} |")),
                    "{row}: the file has {rows} rows"
                );
            }
        }
    }

    #[test]
    fn china_series_keeps_jan_feb_combined_and_merges_value_lines() {
        let rows = china_exports().unwrap();
        let jan_feb = rows
            .iter()
            .find(|r| {
                r.period.to_string() == "2025-01..2025-02"
                    && r.flow == Flow::Export
                    && r.product.as_deref() == Some("rare-earths")
            })
            .unwrap();
        assert_eq!(jan_feb.period_type, PeriodType::JanFeb);
        assert_eq!(jan_feb.quantity_t, Some(8511.0));
        let year_2024 = rows
            .iter()
            .find(|r| r.period.to_string() == "2024" && r.product.as_deref() == Some("magnets"))
            .unwrap();
        assert_eq!(year_2024.quantity_t, Some(58152.0));
        assert_eq!(year_2024.value_usd, Some(2860.0e6));
    }
}
