//! The one place the DataFusion [`SessionContext`] is built.
//!
//! Why one function: scaling out to a Ballista cluster means building a distributed
//! session here instead; nothing else in the code base creates a context.

use std::path::Path;
use std::sync::Arc;

use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::execution::runtime_env::RuntimeEnv;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::coop::CooperativeExec;
use datafusion::physical_plan::joins::{CrossJoinExec, NestedLoopJoinExec};

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
/// later ingest are visible without re-registering. That needs DataFusion's list-files
/// cache off: on by default since DataFusion 55 and without expiry, it kept a running
/// server on the parts it first saw (a flow re-ingested with corrected codes vanished from
/// the API while the CLI showed it).
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
        .with_cache_manager(
            datafusion::execution::cache::cache_manager::CacheManagerConfig::default()
                .with_list_files_cache_limit(0),
        )
        .with_memory_limit(MEMORY_LIMIT_GIB << 30, 1.0)
        .with_max_temp_directory_size((MEMORY_LIMIT_GIB as u64) << 30)
        .build_arc()
        .map_err(StoreError::Engine)?;
    let ctx = new_context(config, runtime);
    for table in TABLES {
        let dir = warehouse_dir.join(table);
        let url = format!("{}/", dir.display());
        ctx.register_parquet(table, &url, ParquetReadOptions::default())
            .await
            .map_err(StoreError::Engine)?;
    }
    Ok(ctx)
}

/// A context with `config` and `runtime` whose plans yield to the async runtime regularly
/// ([`CooperativeJoins`]) and whose string functions and `||` operator cannot build huge
/// strings ([`crate::capped`]); every context of the store is made here.
pub(crate) fn new_context(config: SessionConfig, runtime: Arc<RuntimeEnv>) -> SessionContext {
    let state = SessionStateBuilder::new()
        .with_config(config)
        .with_runtime_env(runtime)
        .with_default_features()
        .with_physical_optimizer_rule(Arc::new(CooperativeJoins))
        .with_analyzer_rule(Arc::new(crate::capped::CapStrings::new()))
        .build();
    let ctx = SessionContext::new_with_state(state);
    for f in crate::capped::functions() {
        ctx.register_udf(f);
    }
    ctx
}

/// Wraps joins that multiply their inputs (cross and nested-loop joins) in a
/// [`CooperativeExec`], so that their output, not only the scans under them, spends the
/// async runtime's budget. Without it a join without a condition under an aggregate
/// computed for minutes in one poll: the server's request timeout could not fire and the
/// query could not be cancelled (DataFusion instruments only the leaves of a plan).
#[derive(Debug)]
struct CooperativeJoins;

impl PhysicalOptimizerRule for CooperativeJoins {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> datafusion::error::Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            if node.is::<CrossJoinExec>() || node.is::<NestedLoopJoinExec>() {
                let wrapped: Arc<dyn ExecutionPlan> = Arc::new(CooperativeExec::new(node));
                Ok(Transformed::yes(wrapped))
            } else {
                Ok(Transformed::no(node))
            }
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "cooperative_joins"
    }

    fn schema_check(&self) -> bool {
        true
    }
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
