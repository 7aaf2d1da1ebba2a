//! `chokepoint sources`: every table, its row counts and the provenance of its rows.

use serde::Serialize;

use super::{BUNDLED_SOURCE, Warehouse, ingest};
use crate::StoreError;
use crate::bundled::{CHINA_EXPORTS, TABLE_FILES};
use crate::json::batches_to_json_rows;

/// One line of the provenance listing.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SourceRow {
    /// Warehouse table.
    pub table: String,
    /// `source` value of the rows (`bundled`, `comtrade`, `baci`, `tidy`).
    pub source: String,
    /// Ingest run that stored the rows (`bundled` for bundled data).
    pub ingest_id: String,
    /// Number of rows.
    pub rows: i64,
    /// First month covered (trade only).
    pub period_from: Option<String>,
    /// Last month covered (trade only).
    pub period_to: Option<String>,
    /// Where the rows come from: bundled file and citations, or the ingested files.
    pub provenance: String,
}

fn text(row: &crate::json::JsonRow, key: &str) -> Option<String> {
    row.get(key).and_then(|v| v.as_str()).map(str::to_string)
}

pub(super) async fn list(wh: &Warehouse) -> Result<Vec<SourceRow>, StoreError> {
    let mut out = Vec::new();
    let batches = wh
        .sql(
            "SELECT source, ingest_id, count(*) AS n, min(period_start) AS first, \
             max(period_end) AS last, count(DISTINCT citation) AS citations \
             FROM trade GROUP BY source, ingest_id ORDER BY min(source_rank) DESC, ingest_id",
        )
        .await?;
    let ingests = ingest::committed_ingests(&wh.warehouse_dir())?;
    for row in batches_to_json_rows(&batches) {
        let source = text(&row, "source").unwrap_or_default();
        let ingest_id = text(&row, "ingest_id").unwrap_or_default();
        let provenance = if source == BUNDLED_SOURCE {
            format!(
                "bundled data/rare-earths/{} (China customs via {} cited reports; see SOURCES.md)",
                CHINA_EXPORTS.file,
                row["citations"].as_i64().unwrap_or(0)
            )
        } else {
            // The files of a multi-file ingest have row ids `<ingest id>.f0001`, …: the
            // row then names its own file.
            let base = ingest_id
                .split_once('.')
                .map_or(ingest_id.as_str(), |(b, _)| b);
            ingests.iter().find(|i| i.id == base).map_or_else(
                || "ingested file (record missing)".to_string(),
                |i| {
                    let names: Vec<String> = i
                        .files
                        .iter()
                        .filter(|f| {
                            base == ingest_id
                                || f.rows_ingest_id.as_deref() == Some(ingest_id.as_str())
                        })
                        .map(|f| format!("{} ({})", f.path, f.format))
                        .collect();
                    format!("ingested {} from {}", i.created, names.join(", "))
                },
            )
        };
        out.push(SourceRow {
            table: "trade".into(),
            source,
            ingest_id,
            rows: row["n"].as_i64().unwrap_or(0),
            period_from: text(&row, "first"),
            period_to: text(&row, "last"),
            provenance,
        });
    }
    for f in &TABLE_FILES {
        let b = wh
            .sql(&format!(
                "SELECT count(*) AS n, count(DISTINCT source) AS citations FROM {}",
                f.table
            ))
            .await?;
        let rows = batches_to_json_rows(&b);
        let r = rows.first();
        out.push(SourceRow {
            table: f.table.to_string(),
            source: BUNDLED_SOURCE.to_string(),
            ingest_id: "bundled".to_string(),
            rows: r.and_then(|r| r["n"].as_i64()).unwrap_or(0),
            period_from: None,
            period_to: None,
            provenance: format!(
                "bundled data/rare-earths/{} ({} cited sources; see SOURCES.md)",
                f.file,
                r.and_then(|r| r["citations"].as_i64()).unwrap_or(0)
            ),
        });
    }
    Ok(out)
}
