//! The Parquet warehouse: one folder per table under `<data dir>/warehouse/`, registered
//! in the DataFusion session by name.
//!
//! ```text
//! <data dir>/
//!   warehouse/              committed state; only ever changed by a rename
//!     BUNDLED               stamp: hash of the bundled data loaded
//!     trade/bundled.parquet       China customs series (bundled)
//!     trade/ingest-….parquet      one part per `chokepoint ingest` run
//!     production/bundled.parquet, stage_shares/…, export_controls/…, hs_codes/…, end_uses/…
//!   tmp/                    parts being written; never read by queries
//! ```
//!
//! Every change is written under `tmp/` first and then renamed into place, so a failed or
//! killed run leaves the committed state exactly as it was.

mod duplicates;
mod files;
pub mod ingest;
mod layout;
mod nesting;
mod order;
mod part_writer;
mod records;
mod rejects;
mod retract;
mod sources;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::LogicalPlan;
use datafusion::prelude::SessionContext;

pub use self::layout::{check_output_folder, check_output_path, contents_stamp};
pub use self::nesting::{MAX_NESTING, NestingKind};
pub use self::order::utc_now_text;
pub use self::retract::RetractReport;
pub use self::sources::SourceRow;
use crate::StoreError;
use crate::bundled::{self, CHINA_EXPORTS, TABLE_FILES};
use crate::products::ProductSelector;
use crate::schema::TradeBatchBuilder;
use crate::session::{self, TABLES};

/// The name stamped on bundled rows' `source` column.
pub const BUNDLED_SOURCE: &str = "bundled";

pub(crate) const STAMP: &str = "BUNDLED";

/// A handle on the warehouse: cheap to clone (the session is shared).
///
/// The API is async because DataFusion is; call it from a Tokio runtime (the CLI builds
/// one per command, the server uses its own).
#[derive(Clone)]
pub struct Warehouse {
    inner: Arc<Inner>,
}

struct Inner {
    data_dir: PathBuf,
    ctx: SessionContext,
    /// [`ingest::superseded_row_ids`] with the trade parts it was read from: every trade
    /// query needs it, and reading every part's footer once per query repeated the same I/O.
    superseded: std::sync::Mutex<Option<SupersededCache>>,
}

/// The trade parts seen and the superseded row ids read from them.
type SupersededCache = (Vec<PathBuf>, Arc<BTreeSet<String>>);

impl std::fmt::Debug for Warehouse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Warehouse")
            .field("data_dir", &self.inner.data_dir)
            .finish_non_exhaustive()
    }
}

/// The per-user default data directory (`$XDG_DATA_HOME/chokepoint` on Linux,
/// `~/Library/Application Support/chokepoint` on macOS); `./chokepoint-data` if the
/// platform has none.
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir().map_or_else(
        || PathBuf::from("chokepoint-data"),
        |d| d.join("chokepoint"),
    )
}

impl Warehouse {
    /// Opens the warehouse under `data_dir`, creating it and loading the bundled data on
    /// first use (or when the bundled data of this build differs from what is stored).
    /// A file, or a folder of other files, is refused ([`layout::check_data_dir`]).
    pub async fn open(data_dir: &Path) -> Result<Warehouse, StoreError> {
        layout::check_data_dir(data_dir)?;
        std::fs::create_dir_all(data_dir).map_err(|e| StoreError::io(data_dir, e))?;
        let wh = data_dir.join("warehouse");
        let tmp = data_dir.join("tmp");
        std::fs::create_dir_all(&tmp).map_err(|e| StoreError::io(&tmp, e))?;
        layout::remove_stale_temp_files(&tmp);
        let stamp = bundled_stamp();
        let current = std::fs::read_to_string(wh.join(STAMP)).ok();
        // A bundled part that is missing or unreadable is rebuilt like an outdated one: it
        // is ours to regenerate. Without this one damaged file failed every command. The
        // parts are small (tens of kB), so every page is decoded, not just the footer.
        let damaged = || {
            TABLES
                .iter()
                .any(|t| files::undecodable_parquet(&wh.join(t).join("bundled.parquet")).is_some())
        };
        if current.as_deref() != Some(stamp.as_str()) || damaged() {
            load_bundled(&wh, &tmp, &stamp)?;
        }
        check_parts(&wh)?;
        let ctx = session::build_session(&wh).await?;
        Ok(Warehouse {
            inner: Arc::new(Inner {
                data_dir: data_dir.to_path_buf(),
                ctx,
                superseded: std::sync::Mutex::new(None),
            }),
        })
    }

    /// The data directory this warehouse lives in.
    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// The folder of committed tables.
    pub fn warehouse_dir(&self) -> PathBuf {
        self.inner.data_dir.join("warehouse")
    }

    /// The row ids the indicators leave out ([`ingest::superseded_row_ids`]), read again
    /// only when the trade parts changed (an ingest in this process commits one).
    pub fn superseded_row_ids(&self) -> Result<Arc<BTreeSet<String>>, StoreError> {
        let parts = files::parquet_files(&self.warehouse_dir().join("trade"))?;
        // A poisoned lock only means another thread panicked mid-update: recompute.
        let mut cached = self
            .inner
            .superseded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((seen, ids)) = cached.as_ref()
            && *seen == parts
        {
            return Ok(Arc::clone(ids));
        }
        let ids = Arc::new(ingest::superseded_row_ids(&self.warehouse_dir())?);
        *cached = Some((parts, Arc::clone(&ids)));
        Ok(ids)
    }

    /// [`classify_run_error`] for a query of this warehouse.
    fn classify_run_error(&self, e: DataFusionError) -> StoreError {
        classify_run_error(&self.warehouse_dir(), e)
    }

    /// The DataFusion session (tables registered by name). Prefer [`Warehouse::sql`].
    pub fn session(&self) -> &SessionContext {
        &self.inner.ctx
    }

    /// Plans one read-only query (DDL, DML and `SET` are refused); a CTE read more than once
    /// is computed once ([`crate::shared_cte`]). A query nested too deeply for the planner
    /// is refused first ([`nesting`]).
    async fn plan(&self, query: &str) -> Result<datafusion::prelude::DataFrame, StoreError> {
        nesting::check(&self.inner.ctx.state(), query)?;
        crate::shared_cte::plan(&self.inner.ctx, query, session::read_only())
            .await
            .map_err(|e| match unknown_table(&e) {
                Some(name) => self.unknown_table(name),
                None => classify_plan_error(e),
            })
    }

    /// The error for a query reading `name`, listing the tables the session has.
    fn unknown_table(&self, name: &str) -> StoreError {
        let ctx = &self.inner.ctx;
        let config = ctx.copied_config();
        let catalog = &config.options().catalog;
        // `datafusion.public.x` is `x` as the user wrote it.
        let default = format!("{}.{}.", catalog.default_catalog, catalog.default_schema);
        let mut known = ctx
            .catalog(&catalog.default_catalog)
            .and_then(|c| c.schema(&catalog.default_schema))
            .map(|s| s.table_names())
            .unwrap_or_default();
        known.sort();
        StoreError::UnknownTable {
            name: name.strip_prefix(&default).unwrap_or(name).to_string(),
            known: known.join(", "),
        }
    }

    /// Runs one read-only SQL query; DDL, DML and `SET` are refused.
    pub async fn sql(&self, query: &str) -> Result<Vec<RecordBatch>, StoreError> {
        let df = self.plan(query).await?;
        df.collect().await.map_err(|e| self.classify_run_error(e))
    }

    /// The first `rows` rows of a query and whether it had more. The limit is part of the
    /// plan, so a query with a huge result (a join without a condition) stops early instead
    /// of being computed whole.
    pub async fn sql_head(
        &self,
        query: &str,
        rows: usize,
    ) -> Result<(Vec<RecordBatch>, bool), StoreError> {
        let df = self.plan(query).await?;
        // `EXPLAIN [ANALYZE|VERBOSE]` must stay the root of its plan; its few rows are cut
        // below like any others.
        let explains = matches!(
            df.logical_plan(),
            LogicalPlan::Explain(_) | LogicalPlan::Analyze(_)
        );
        let df = if explains {
            df
        } else {
            df.limit(0, Some(rows.saturating_add(1)))
                .map_err(|e| self.classify_run_error(e))?
        };
        let mut batches = df.collect().await.map_err(|e| self.classify_run_error(e))?;
        let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
        if total > rows {
            // Drop the one row past the limit (it only says that there were more).
            let mut left = rows;
            for b in &mut batches {
                let keep = b.num_rows().min(left);
                *b = b.slice(0, keep);
                left -= keep;
            }
            batches.retain(|b| b.num_rows() > 0);
        }
        Ok((batches, total > rows))
    }

    /// A query's column names (known even when it has no rows, where there may be no batch
    /// to read them from) and its rows as a stream of batches, for output that need not hold
    /// the whole result in memory.
    pub async fn sql_stream(&self, query: &str) -> Result<(Vec<String>, RowStream), StoreError> {
        let df = self.plan(query).await?;
        let columns = df
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        // Counted from before the engine starts: its tasks start on their own threads
        // within `execute_stream`, and can panic before the first poll.
        let caught = CaughtPanics::new();
        // A panic while starting is the query's too (and must not end the process unseen
        // once the hook leaves engine panics to the query's error).
        let started =
            futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(df.execute_stream()))
                .await
                .map_err(|panic| engine_panic_error(panic.as_ref()))?;
        let stream = started.map_err(|e| self.classify_run_error(e))?;
        Ok((
            columns,
            RowStream {
                batches: stream,
                warehouse_dir: self.warehouse_dir(),
                _caught: caught,
            },
        ))
    }

    /// Aggregate product names present in `trade` (rows without an HS code).
    pub async fn aggregate_products(&self) -> Result<Vec<String>, StoreError> {
        let batches = self
            .sql("SELECT DISTINCT product FROM trade WHERE hs_code IS NULL AND product IS NOT NULL ORDER BY product")
            .await?;
        Ok(crate::json::batches_to_json_rows(&batches)
            .into_iter()
            .filter_map(|r| {
                r.get("product")
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            })
            .collect())
    }

    /// Resolves a `--product` value (HS code, group or aggregate name).
    pub async fn resolve_product(&self, text: &str) -> Result<ProductSelector, StoreError> {
        let aggregates = self.aggregate_products().await?;
        ProductSelector::resolve(text, &aggregates)
    }

    /// The distinct values of `trade.source`.
    pub async fn trade_sources(&self) -> Result<Vec<String>, StoreError> {
        let batches = self
            .sql("SELECT DISTINCT source FROM trade ORDER BY source")
            .await?;
        Ok(crate::json::batches_to_json_rows(&batches)
            .into_iter()
            .filter_map(|r| r.get("source").and_then(|v| v.as_str()).map(str::to_string))
            .collect())
    }

    /// Every reporter and partner code the trade table holds.
    pub async fn stored_codes(&self) -> Result<Vec<String>, StoreError> {
        let batches = self
            .sql(
                "SELECT DISTINCT reporter_iso3 AS code FROM trade \
                 UNION SELECT DISTINCT partner_iso3 AS code FROM trade",
            )
            .await?;
        Ok(crate::json::batches_to_json_rows(&batches)
            .into_iter()
            .filter_map(|r| r.get("code").and_then(|v| v.as_str()).map(str::to_string))
            .collect())
    }

    /// Every table with row counts and where its rows come from (`chokepoint sources`).
    pub async fn sources(&self) -> Result<Vec<SourceRow>, StoreError> {
        sources::list(self).await
    }
}

/// The table named by DataFusion's "table '…' not found" planning error, if `e` is one.
fn unknown_table(e: &DataFusionError) -> Option<&str> {
    match e.find_root() {
        DataFusionError::Plan(msg) => msg.strip_prefix("table '")?.strip_suffix("' not found"),
        _ => None,
    }
}

/// Errors while planning are the query's fault (unknown column, syntax, refused statement).
fn classify_plan_error(e: DataFusionError) -> StoreError {
    let msg = e.to_string();
    if msg.contains("DDL not supported")
        || msg.contains("DML not supported")
        || msg.contains("Statement not supported")
    {
        StoreError::ReadOnly {
            reason: e.strip_backtrace().to_string(),
        }
    } else {
        StoreError::Query { source: e }
    }
}

/// Errors while running: a part that fails to decode is named (with how to recover),
/// resource and I/O failures are ours, the rest (casts, division by zero) come from the
/// query text.
fn classify_run_error(warehouse_dir: &Path, e: DataFusionError) -> StoreError {
    // The footer and page index of every part were checked on open, so a failure inside
    // the Parquet reader now means damaged data pages: find the part by reading each in
    // full (slow on a big warehouse, but only on this failure path).
    if from_parquet_reader(&e)
        && let Some(damaged) = damaged_part(warehouse_dir, files::undecodable_parquet)
    {
        return damaged;
    }
    match e {
        DataFusionError::ResourcesExhausted(reason) => StoreError::TooLarge {
            limit_gib: session::MEMORY_LIMIT_GIB,
            reason,
        },
        DataFusionError::IoError(_)
        | DataFusionError::Internal(_)
        | DataFusionError::ObjectStore(_)
        | DataFusionError::ParquetError(_) => StoreError::Engine(e),
        other => StoreError::Query { source: other },
    }
}

/// Query streams alive, process-wide: while one is, an engine panic comes back through its
/// polls as the query's error (see [`RowStream::next`]).
static LIVE_STREAMS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Whether a query's stream is alive, so that an engine panic will come back as the
/// query's error, with the panic's text: a panic hook can then leave it unprinted (the
/// user reads one message, not the panic's dump above it). The stream's whole life counts,
/// not only its polls: the engine's tasks run on their own threads between polls.
/// Process-wide, so only a program that runs one query at a time (the CLI, not the server)
/// should rely on it, and only for panics in the engine's own code.
pub fn engine_panics_caught() -> bool {
    LIVE_STREAMS.load(std::sync::atomic::Ordering::SeqCst) > 0
}

/// A panic inside the engine as the query's error, with its text.
fn engine_panic_error(panic: &(dyn std::any::Any + Send)) -> StoreError {
    let why = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown cause");
    StoreError::Invalid(format!(
        "the query failed inside the engine ({why}); one value or batch past Arrow's 2 GiB \
         limit (string_agg or array_agg over much text) does this: aggregate fewer or shorter \
         values"
    ))
}

/// Counts a stream in [`LIVE_STREAMS`] while it lives.
struct CaughtPanics;

impl CaughtPanics {
    fn new() -> CaughtPanics {
        LIVE_STREAMS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        CaughtPanics
    }
}

impl Drop for CaughtPanics {
    fn drop(&mut self) {
        LIVE_STREAMS.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The batches of a running query ([`Warehouse::sql_stream`]).
pub struct RowStream {
    batches: datafusion::physical_plan::SendableRecordBatchStream,
    /// To name a damaged part if reading one fails mid-stream.
    warehouse_dir: PathBuf,
    /// Counts this stream in [`engine_panics_caught`] while it lives.
    _caught: CaughtPanics,
}

impl RowStream {
    /// The next batch, with an engine panic as the query's error. A query can reach a limit
    /// inside the engine that panics instead of failing: one string value past Arrow's
    /// 2 GiB offsets (`string_agg` over much text) ended the process with exit 101. The
    /// panic comes back through the poll; it is the query's. Every poll goes through here.
    async fn next_batch(
        &mut self,
    ) -> Option<Result<datafusion::arrow::record_batch::RecordBatch, StoreError>> {
        use futures::{FutureExt, StreamExt};
        let polled = std::panic::AssertUnwindSafe(self.batches.next())
            .catch_unwind()
            .await;
        match polled {
            Ok(batch) => Some(batch?.map_err(|e| classify_run_error(&self.warehouse_dir, e))),
            Err(panic) => Some(Err(engine_panic_error(panic.as_ref()))),
        }
    }

    /// The rows of the next batch (as [`crate::batches_to_json_rows`]), `None` at the end.
    pub async fn next(&mut self) -> Option<Result<Vec<crate::JsonRow>, StoreError>> {
        let batch = self.next_batch().await?;
        Some(batch.map(|b| crate::json::batches_to_json_rows(std::slice::from_ref(&b))))
    }

    /// Reads the rest of the result until `deadline` and counts its rows, without
    /// converting them: what `chokepoint sql` tells about rows past its table's cap.
    /// Why a deadline: a query without end (a recursive CTE that never stops) would
    /// otherwise keep counting after its table was printed, until Ctrl-C.
    pub async fn count_rest(
        &mut self,
        deadline: tokio::time::Instant,
    ) -> Result<RestCount, StoreError> {
        let mut rows = 0u64;
        loop {
            match tokio::time::timeout_at(deadline, self.next_batch()).await {
                Err(_) => return Ok(RestCount { rows, all: false }),
                Ok(None) => return Ok(RestCount { rows, all: true }),
                Ok(Some(batch)) => rows += batch?.num_rows() as u64,
            }
        }
    }
}

/// The rows [`RowStream::count_rest`] counted, and whether that is all of them (or the
/// deadline came first, so there are at least that many).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestCount {
    /// Rows counted.
    pub rows: u64,
    /// Whether the result ended before the deadline.
    pub all: bool,
}

/// Refuses to open a warehouse with an unreadable part (the session would fail on it with
/// a bare "Corrupt footer"), naming the file and how to recover. Only ingested parts are
/// left by now: bundled ones were rebuilt.
fn check_parts(wh: &Path) -> Result<(), StoreError> {
    match damaged_part(wh, files::unreadable_parquet) {
        Some(damaged) => Err(damaged),
        None => Ok(()),
    }
}

/// The first part of any table that `check` finds damaged, as the error naming it, the
/// files it was ingested from and how to recover. A folder that cannot be listed is
/// reported as such.
fn damaged_part(wh: &Path, check: fn(&Path) -> Option<String>) -> Option<StoreError> {
    for table in TABLES {
        let dir = wh.join(table);
        if !dir.is_dir() {
            continue;
        }
        let parts = match files::parquet_files(&dir) {
            Ok(parts) => parts,
            Err(e) => return Some(e),
        };
        for part in parts {
            if let Some(reason) = check(&part) {
                return Some(StoreError::DamagedPart {
                    sources: ingest::sources_of(&part),
                    path: part,
                    reason,
                });
            }
        }
    }
    None
}

/// Whether `e` was raised by the Parquet reader (directly, or wrapped by Arrow).
fn from_parquet_reader(e: &DataFusionError) -> bool {
    use datafusion::arrow::error::ArrowError;
    use datafusion::parquet::errors::ParquetError;
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if err.downcast_ref::<ParquetError>().is_some()
            || matches!(
                err.downcast_ref::<ArrowError>(),
                Some(ArrowError::ParquetError(_))
            )
        {
            return true;
        }
        next = err.source();
    }
    false
}

/// A hash of the bundled files compiled into this build.
fn bundled_stamp() -> String {
    let mut text = String::new();
    for f in std::iter::once(&CHINA_EXPORTS).chain(TABLE_FILES.iter()) {
        text.push_str(f.file);
        text.push_str(f.text);
    }
    format!(
        "chokepoint-bundled {:016x}\n",
        files::hash_bytes(text.as_bytes())
    )
}

/// Writes the bundled tables. On first use the whole warehouse folder is built under
/// `tmp/` and renamed into place; on an update each bundled part is replaced by a rename.
fn load_bundled(wh: &Path, tmp: &Path, stamp: &str) -> Result<(), StoreError> {
    let fresh = !wh.exists();
    let root = if fresh {
        layout::temp_path(tmp, "warehouse")
    } else {
        wh.to_path_buf()
    };
    let mut parts: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut stage = |table: &str, batch: RecordBatch| -> Result<(), StoreError> {
        let dir = root.join(table);
        std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
        let staged = layout::temp_path(tmp, &format!("{table}-bundled.parquet"));
        files::write_parquet(&staged, batch.schema(), std::iter::once(Ok(batch)), None)?;
        parts.push((staged, dir.join("bundled.parquet")));
        Ok(())
    };
    let mut builder = TradeBatchBuilder::new(BUNDLED_SOURCE, 1, "bundled");
    for r in bundled::china_exports()? {
        builder.push(&r);
    }
    stage("trade", builder.finish()?)?;
    for f in &TABLE_FILES {
        stage(f.table, bundled::load_table(f)?)?;
    }
    debug_assert_eq!(parts.len(), TABLES.len());
    for (from, to) in &parts {
        std::fs::rename(from, to).map_err(|e| StoreError::io(to, e))?;
    }
    let stamp_path = root.join(STAMP);
    let staged_stamp = layout::temp_path(tmp, STAMP);
    std::fs::write(&staged_stamp, stamp).map_err(|e| StoreError::io(&staged_stamp, e))?;
    std::fs::rename(&staged_stamp, &stamp_path).map_err(|e| StoreError::io(&stamp_path, e))?;
    if fresh && let Err(e) = std::fs::rename(&root, wh) {
        // Another process created the warehouse first: use theirs.
        let _ = std::fs::remove_dir_all(&root);
        if !wh.join(STAMP).exists() {
            return Err(StoreError::io(wh, e));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
