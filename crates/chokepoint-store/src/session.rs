//! The one place the DataFusion [`SessionContext`] is built.
//!
//! Why one function: scaling out to a Ballista cluster means building a distributed
//! session here instead; nothing else in the code base creates a context.

use std::path::Path;

use datafusion::execution::context::SQLOptions;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};

use crate::StoreError;

/// The tables of the warehouse, each a folder of Parquet files under `warehouse/`.
pub const TABLES: [&str; 6] = [
    "trade",
    "production",
    "stage_shares",
    "export_controls",
    "hs_codes",
    "end_uses",
];

/// The memory the SQL engine's sorts, joins and aggregates may hold at once, in GiB.
pub const MEMORY_LIMIT_GIB: usize = 4;

/// Builds the session and registers every table folder under `warehouse_dir`.
///
/// Tables are listing tables: each query lists the folder again, so parts committed by a
/// later ingest are visible without re-registering.
pub async fn build_session(warehouse_dir: &Path) -> Result<SessionContext, StoreError> {
    // DataFusion settings can be tuned with `DATAFUSION_*` environment variables (e.g.
    // `DATAFUSION_EXECUTION_TARGET_PARTITIONS=4`); a malformed one is an error, not ignored.
    let config = SessionConfig::from_env()
        .map_err(|e| invalid_environment(&e.to_string()))?
        .with_information_schema(true);
    // Sorts, joins and aggregates draw on a bounded pool and spill to a bounded space on
    // disk, so that one query over a join without a condition fails with a clear error
    // instead of taking all the machine's memory or disk.
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_limit(MEMORY_LIMIT_GIB << 30, 1.0)
        .with_max_temp_directory_size((MEMORY_LIMIT_GIB as u64) << 30)
        .build_arc()
        .map_err(StoreError::Engine)?;
    let ctx = SessionContext::new_with_config_rt(config, runtime);
    for table in TABLES {
        let dir = warehouse_dir.join(table);
        let url = format!("{}/", dir.display());
        ctx.register_parquet(table, &url, ParquetReadOptions::default())
            .await
            .map_err(StoreError::Engine)?;
    }
    Ok(ctx)
}

/// A bad `DATAFUSION_*` variable is the user's to fix: say which ones are set and why the
/// engine refused them.
fn invalid_environment(message: &str) -> StoreError {
    let why = message.lines().next().unwrap_or(message).trim();
    let set: Vec<String> = std::env::vars()
        .filter(|(k, _)| k.starts_with("DATAFUSION_"))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    StoreError::Invalid(format!(
        "a DataFusion setting in the environment is invalid ({why}); set: {}; fix or unset it",
        set.join(", ")
    ))
}

/// Options that refuse anything but queries: no DDL, DML (`INSERT`, `COPY`) or `SET`.
pub fn read_only() -> SQLOptions {
    SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false)
}
