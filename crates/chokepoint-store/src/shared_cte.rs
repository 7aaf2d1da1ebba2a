//! Common table expressions referenced more than once are computed once.
//!
//! Why: DataFusion 55 inlines a CTE at every reference (apache/datafusion#8777), so a query
//! such as `WITH p AS (… GROUP BY …) SELECT … FROM p JOIN (SELECT … FROM p …)` scans and
//! aggregates the base table once per reference. PostgreSQL and DuckDB compute such a CTE
//! once and read the result at each reference; this module does the same at the SQL level:
//!
//! 1. parse the statement; choose the CTEs to materialise ([`shared_ctes`]): a CTE that ends
//!    in a pipeline breaker (`GROUP BY` or `DISTINCT`, so its result is no bigger than its
//!    input) and is read at least twice, or is read once but only reads CTEs chosen before
//!    it (then its exact size guides the join planner), or is marked `AS MATERIALIZED`;
//! 2. run each alone (with the CTEs before it) into an in-memory table, in a child session
//!    that sees the same tables, so that concurrent queries of a shared session never see
//!    each other's results;
//! 3. plan the query without the materialised CTEs: their names now resolve to the tables.
//!
//! `AS NOT MATERIALIZED` keeps a CTE inline (both hints parse in the PostgreSQL dialect,
//! `DATAFUSION_SQL_PARSER_DIALECT=PostgreSQL`). A result larger than
//! [`MATERIALIZE_LIMIT_BYTES`] is dropped and the query runs as written, so materialising
//! never holds more than that on top of what DataFusion itself uses.

use std::ops::ControlFlow;
use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::context::SQLOptions;
use datafusion::prelude::{DataFrame, SessionContext};
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::{
    Cte, CteAsMaterialized, GroupByExpr, Ident, Query, SetExpr, Statement, visit_relations,
};
use futures::StreamExt;

/// The most a materialised CTE may hold in memory (Arrow buffers) before the query falls
/// back to inlining it.
pub const MATERIALIZE_LIMIT_BYTES: usize = 1 << 30;

/// Plans `sql` like [`SessionContext::sql_with_options`], computing shared CTEs once.
pub async fn plan(ctx: &SessionContext, sql: &str, options: SQLOptions) -> Result<DataFrame> {
    let state = ctx.state();
    let config = state.config().options();
    let normalize = config.sql_parser.enable_ident_normalization;
    let statement = state.sql_to_statement(sql, &config.sql_parser.dialect)?;
    let Some((query, ctes)) = as_query(&statement) else {
        return ctx.sql_with_options(sql, options).await;
    };
    let chosen = shared_ctes(query, normalize);
    if chosen.is_empty() {
        return ctx.sql_with_options(sql, options).await;
    }
    let child = child_context(ctx).await?;
    let mut materialized = vec![false; ctes.len()];
    for k in chosen {
        let Some(alone) = cte_alone(ctes, k, &materialized) else {
            return ctx.sql_with_options(sql, options).await;
        };
        let df = run_query(&child, alone, options).await?;
        let schema = Arc::clone(df.schema().inner());
        let Some(batches) = collect_limited(df, MATERIALIZE_LIMIT_BYTES).await? else {
            // Too big to hold: run the query as written rather than risk the memory.
            return ctx.sql_with_options(sql, options).await;
        };
        let partitions = spread(batches, state.config().target_partitions());
        let table = MemTable::try_new(schema, partitions)?;
        child.register_table(name_of(&ctes[k].alias.name, normalize), Arc::new(table))?;
        materialized[k] = true;
    }
    let mut rest = query.clone();
    if let Some(with) = rest.with.as_mut() {
        let mut keep = materialized.iter().map(|m| !m);
        with.cte_tables.retain(|_| keep.next().unwrap_or(true));
        if with.cte_tables.is_empty() {
            rest.with = None;
        }
    }
    run_query(&child, rest, options).await
}

/// The query of a plain, non-recursive `WITH … SELECT` statement and its CTEs.
fn as_query(statement: &DfStatement) -> Option<(&Query, &[Cte])> {
    let DfStatement::Statement(s) = statement else {
        return None;
    };
    let Statement::Query(q) = s.as_ref() else {
        return None;
    };
    let with = q.with.as_ref()?;
    (!with.recursive).then_some((q.as_ref(), with.cte_tables.as_slice()))
}

/// Indices of the CTEs to materialise, in definition order: a grouped CTE read at least
/// twice (or marked `AS MATERIALIZED` where the dialect parses it), and a grouped CTE that
/// reads nothing but CTEs chosen before it. The latter costs no more than inlining (it is read
/// once, from memory) and gives the join planner its exact size: DataFusion sizes an inlined
/// aggregate as large as its input, and would build a join's hash table on the wrong side.
fn shared_ctes(query: &Query, normalize: bool) -> Vec<usize> {
    let Some(with) = &query.with else {
        return Vec::new();
    };
    if with.recursive {
        return Vec::new();
    }
    let mut main = query.clone();
    main.with = None;
    let mut chosen: Vec<usize> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for (k, cte) in with.cte_tables.iter().enumerate() {
        let name = name_of(&cte.alias.name, normalize);
        let refs = references(&main, &name, normalize)
            + with.cte_tables[k + 1..]
                .iter()
                .map(|later| references(&later.query, &name, normalize))
                .sum::<usize>();
        let reads = relations(&cte.query, normalize);
        let from_memory = !reads.is_empty() && reads.iter().all(|r| names.contains(r));
        let take = match cte.materialized {
            Some(CteAsMaterialized::NotMaterialized) => false,
            Some(CteAsMaterialized::Materialized) => refs >= 1,
            None => refs >= 1 && breaks_pipeline(&cte.query) && (refs >= 2 || from_memory),
        };
        if take {
            chosen.push(k);
            names.push(name);
        }
    }
    chosen
}

/// The relations `query` reads (subqueries included), as the planner names them;
/// qualified names (`schema.table`) are kept whole.
fn relations(query: &Query, normalize: bool) -> Vec<String> {
    let mut out = Vec::new();
    let _ = visit_relations(query, |relation| {
        let parts: Vec<String> = relation
            .0
            .iter()
            .map(|part| {
                part.as_ident()
                    .map_or_else(|| part.to_string(), |i| name_of(i, normalize))
            })
            .collect();
        out.push(parts.join("."));
        ControlFlow::<()>::Continue(())
    });
    out
}

/// How often `name` is read as a relation in `query` (subqueries included).
fn references(query: &Query, name: &str, normalize: bool) -> usize {
    relations(query, normalize)
        .iter()
        .filter(|r| *r == name)
        .count()
}

/// Whether the CTE's result is built by a blocking step that shrinks or keeps its input
/// (grouping, `DISTINCT`): materialising it then stores no more than the plan holds anyway.
fn breaks_pipeline(query: &Query) -> bool {
    match query.body.as_ref() {
        SetExpr::Select(select) => {
            let grouped = match &select.group_by {
                GroupByExpr::All(_) => true,
                GroupByExpr::Expressions(exprs, _) => !exprs.is_empty(),
            };
            grouped || select.distinct.is_some()
        }
        _ => false,
    }
}

/// A table name as the planner resolves it (unquoted names are lower-cased by default).
fn name_of(ident: &Ident, normalize: bool) -> String {
    if ident.quote_style.is_none() && normalize {
        ident.value.to_lowercase()
    } else {
        ident.value.clone()
    }
}

/// CTE `k` as a query of its own: the CTEs defined before it that are not materialised yet
/// (it may read them), then its body, with the CTE's column aliases applied.
fn cte_alone(ctes: &[Cte], k: usize, materialized: &[bool]) -> Option<Query> {
    let cte = &ctes[k];
    let mut before: Vec<Cte> = ctes[..k]
        .iter()
        .zip(materialized)
        .filter(|(_, m)| !**m)
        .map(|(c, _)| c.clone())
        .collect();
    let mut body = (*cte.query).clone();
    if !cte.alias.columns.is_empty() {
        // `WITH p(a, b) AS (…)`: keep the CTE as the only one read, under its own alias.
        before.push(cte.clone());
        body = parse_query(&format!("SELECT * FROM {}", cte.alias.name))?;
    }
    if !before.is_empty() {
        match body.with.as_mut() {
            Some(inner) => {
                before.append(&mut inner.cte_tables);
                inner.cte_tables = before;
            }
            None => {
                // A `With` node to hold them, taken from a parse so that every field
                // (tokens included) has its parser default.
                let mut with = parse_query("WITH x AS (SELECT 1) SELECT 1")?.with?;
                with.cte_tables = before;
                body.with = Some(with);
            }
        }
    }
    Some(body)
}

fn parse_query(sql: &str) -> Option<Query> {
    parse_query_in(sql, &datafusion::sql::sqlparser::dialect::GenericDialect {})
}

fn parse_query_in(
    sql: &str,
    dialect: &dyn datafusion::sql::sqlparser::dialect::Dialect,
) -> Option<Query> {
    let mut statements =
        datafusion::sql::sqlparser::parser::Parser::parse_sql(dialect, sql).ok()?;
    match statements.pop()? {
        Statement::Query(q) => Some(*q),
        _ => None,
    }
}

/// A session with the same configuration, runtime and tables as `ctx`, whose own
/// registrations stay private to one query.
async fn child_context(ctx: &SessionContext) -> Result<SessionContext> {
    let child = crate::session::new_context(ctx.copied_config(), ctx.runtime_env());
    let options = ctx.copied_config();
    let catalog_options = &options.options().catalog;
    let schema = ctx
        .catalog(&catalog_options.default_catalog)
        .and_then(|c| c.schema(&catalog_options.default_schema))
        .ok_or_else(|| DataFusionError::Plan("the default schema is missing".into()))?;
    for name in schema.table_names() {
        if let Some(table) = schema.table(&name).await? {
            child.register_table(name.as_str(), table)?;
        }
    }
    Ok(child)
}

async fn run_query(ctx: &SessionContext, query: Query, options: SQLOptions) -> Result<DataFrame> {
    let statement = DfStatement::Statement(Box::new(Statement::Query(Box::new(query))));
    let plan = ctx.state().statement_to_plan(statement).await?;
    options.verify_plan(&plan)?;
    ctx.execute_logical_plan(plan).await
}

/// The batches of `df`, or `None` once they hold more than `limit` bytes.
async fn collect_limited(df: DataFrame, limit: usize) -> Result<Option<Vec<RecordBatch>>> {
    let mut stream = df.execute_stream().await?;
    let mut batches = Vec::new();
    let mut bytes = 0;
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        bytes += slice_bytes(&batch);
        if bytes > limit {
            return Ok(None);
        }
        batches.push(batch);
    }
    Ok(Some(batches))
}

/// The bytes a batch's rows take. Not `get_array_memory_size`: an aggregate emits its
/// groups as slices of one array, and that counts the whole array for every slice.
fn slice_bytes(batch: &RecordBatch) -> usize {
    use datafusion::arrow::array::{Array, BinaryViewArray, StringViewArray};
    batch
        .columns()
        .iter()
        .map(|c| {
            // Views count 16 bytes a row; the longer strings they point to come on top.
            let out_of_line = if let Some(a) = c.as_any().downcast_ref::<StringViewArray>() {
                a.total_buffer_bytes_used()
            } else if let Some(a) = c.as_any().downcast_ref::<BinaryViewArray>() {
                a.total_buffer_bytes_used()
            } else {
                0
            };
            let data = c.to_data();
            data.get_slice_memory_size()
                .unwrap_or_else(|_| c.get_array_memory_size())
                + out_of_line
        })
        .sum()
}

/// Deals batches round-robin into `n` partitions so that reading the table stays parallel.
fn spread(batches: Vec<RecordBatch>, n: usize) -> Vec<Vec<RecordBatch>> {
    let mut partitions = vec![Vec::new(); n.max(1)];
    let count = partitions.len();
    for (i, batch) in batches.into_iter().enumerate() {
        partitions[i % count].push(batch);
    }
    partitions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(sql: &str) -> Query {
        parse_query(sql).unwrap_or_else(|| panic!("not a query: {sql}"))
    }

    #[test]
    fn chooses_grouped_ctes_read_twice() {
        let q = query(
            "WITH p AS (SELECT a, SUM(b) AS s FROM t GROUP BY a), \
             q AS (SELECT a FROM t), \
             r AS (SELECT a, SUM(s) AS tot FROM p GROUP BY a) \
             SELECT * FROM p JOIN r ON true JOIN q ON true",
        );
        // p: read by r and the body (grouped); q: once, from a table; r: once, grouped,
        // from p only.
        assert_eq!(shared_ctes(&q, true), vec![0, 2]);
    }

    #[test]
    fn ungrouped_ctes_stay_inline_unless_asked() {
        let q = query("WITH x AS (SELECT * FROM t) SELECT * FROM x a JOIN x b ON a.k = b.k");
        assert!(shared_ctes(&q, true).is_empty());
        // The hints parse in the PostgreSQL dialect (DATAFUSION_SQL_PARSER_DIALECT).
        let pg = datafusion::sql::sqlparser::dialect::PostgreSqlDialect {};
        let query = |sql: &str| parse_query_in(sql, &pg).unwrap();
        let q = query(
            "WITH x AS MATERIALIZED (SELECT * FROM t) SELECT * FROM x a JOIN x b ON a.k = b.k",
        );
        assert_eq!(shared_ctes(&q, true), vec![0]);
        let q = query(
            "WITH x AS NOT MATERIALIZED (SELECT DISTINCT k FROM t) \
             SELECT * FROM x a JOIN x b ON a.k = b.k",
        );
        assert!(shared_ctes(&q, true).is_empty());
    }

    #[test]
    fn names_follow_identifier_normalisation() {
        let q = query("WITH P AS (SELECT DISTINCT k FROM t) SELECT * FROM p JOIN \"P\" ON true");
        // Unquoted P is p; quoted "P" is another relation.
        assert!(shared_ctes(&q, true).is_empty());
        assert_eq!(shared_ctes(&q, false).len(), 0);
        let q = query("WITH P AS (SELECT DISTINCT k FROM t) SELECT * FROM p JOIN P ON true");
        assert_eq!(shared_ctes(&q, true), vec![0]);
    }

    #[test]
    fn recursive_ctes_are_left_alone() {
        let q = query(
            "WITH RECURSIVE n AS (SELECT 1 AS i UNION ALL SELECT i + 1 FROM n WHERE i < 3) \
             SELECT * FROM n a JOIN n b ON true",
        );
        assert!(shared_ctes(&q, true).is_empty());
    }

    /// Runs `sql` both ways over a small table and returns (materialised, inlined) results
    /// as sorted text lines.
    fn both_ways(sql: &str) -> (Vec<String>, Vec<String>) {
        use datafusion::arrow::array::{Float64Array, StringArray};
        use datafusion::arrow::datatypes::{DataType, Field, Schema};
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let ctx = SessionContext::new();
            let schema = Arc::new(Schema::new(vec![
                Field::new("k", DataType::Utf8, false),
                Field::new("g", DataType::Utf8, false),
                Field::new("v", DataType::Float64, false),
            ]));
            let batch = RecordBatch::try_new(
                Arc::clone(&schema),
                vec![
                    Arc::new(StringArray::from(vec!["a", "a", "b", "b", "b", "c"])),
                    Arc::new(StringArray::from(vec!["x", "y", "x", "x", "y", "z"])),
                    Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0, 4.0, 5.0, 0.0])),
                ],
            )
            .unwrap();
            let table = MemTable::try_new(schema, vec![vec![batch]]).unwrap();
            ctx.register_table("t", Arc::new(table)).unwrap();
            let lines = |batches: Vec<RecordBatch>| {
                let text = datafusion::arrow::util::pretty::pretty_format_batches(&batches)
                    .unwrap()
                    .to_string();
                let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
                lines.sort();
                lines
            };
            let shared = plan(&ctx, sql, SQLOptions::new()).await.unwrap();
            let shared = lines(shared.collect().await.unwrap());
            let inline = ctx.sql(sql).await.unwrap();
            let inline = lines(inline.collect().await.unwrap());
            // The table registered for the CTE stays in the child session.
            assert!(!ctx.table_exist("p").unwrap());
            (shared, inline)
        })
    }

    #[test]
    fn materialised_ctes_answer_as_inlined_ones() {
        for sql in [
            // The shape of the partner-HHI query.
            "WITH p AS (SELECT k, g, SUM(v) AS q FROM t GROUP BY k, g), \
             s AS (SELECT k, SUM(q) AS tot FROM p GROUP BY k) \
             SELECT p.k, SUM((p.q / s.tot) * (p.q / s.tot)) AS h FROM p JOIN s ON p.k = s.k \
             WHERE s.tot > 0 GROUP BY p.k ORDER BY p.k",
            // Column aliases, a CTE reading an earlier one, a self-join.
            "WITH a AS (SELECT k, v FROM t WHERE v > 0), \
             p(key, total) AS (SELECT k, SUM(v) FROM a GROUP BY k) \
             SELECT x.key, y.total FROM p x JOIN p y ON x.key = y.key",
            // Read in a subquery and the body; DISTINCT.
            "WITH p AS (SELECT DISTINCT g FROM t) \
             SELECT g FROM p WHERE g IN (SELECT g FROM p WHERE g <> 'z')",
        ] {
            let (shared, inline) = both_ways(sql);
            assert_eq!(shared, inline, "{sql}");
            assert!(shared.len() > 4, "{sql}: {shared:?}");
        }
    }

    #[test]
    fn a_cte_alone_keeps_what_it_reads() {
        let q = query(
            "WITH a AS (SELECT 1 AS v), b(w) AS (SELECT DISTINCT v FROM a) \
             SELECT * FROM b x JOIN b y ON true",
        );
        let Some(with) = &q.with else { panic!() };
        let alone = cte_alone(&with.cte_tables, 1, &[false, false]).unwrap();
        let text = alone.to_string();
        assert!(text.starts_with("WITH a AS"), "{text}");
        assert!(
            text.contains("b (w) AS") || text.contains("b(w) AS"),
            "{text}"
        );
        assert!(text.ends_with("SELECT * FROM b"), "{text}");
    }
}
