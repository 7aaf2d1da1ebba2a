//! A bound on how deeply a query nests, checked before DataFusion plans it.
//!
//! Why: the SQL parser bounds parentheses (`sql_parser.recursion_limit`), but it builds
//! operator chains (`a OR b OR …`, `1 + 1 + …`), set-operation chains (`… UNION ALL …`)
//! and join lists as left-deep trees without a bound, and DataFusion's planner and
//! optimizer recurse over those trees: a few hundred `OR`s overflowed the stack and aborted
//! the process (the whole server, with its in-memory runs). A query nested deeper than
//! [`MAX_NESTING`] is refused with a user error that says how to rewrite it.
//!
//! The statement is parsed and measured on a thread of its own with a large stack (virtual
//! memory, touched only as deep as the tree goes): parsing is iterative, but dropping the
//! tree is recursive. The measurement stops as soon as it passes the limit, so it never
//! recurses deeper than that itself.

use std::ops::ControlFlow;

use datafusion::error::DataFusionError;
use datafusion::execution::session_state::SessionState;
use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::{Cte, Expr, Query, SetExpr, Visit, Visitor, visit_relations};

use crate::StoreError;

/// The deepest nesting accepted: expressions inside expressions (each operator of a chain
/// is one level), subqueries, set operations and joined tables all count. Real queries stay
/// far below it; a debug build plans a query this deep within a 2 MiB stack (the threads
/// that plan have 8 MiB).
pub const MAX_NESTING: usize = 64;

/// The stack of the thread that parses and measures the statement: enough to drop the
/// deepest tree that a query of the largest accepted size (a 256 KiB request body, a
/// 128 KiB command-line argument) can hold, one level per two characters.
const CHECK_STACK_BYTES: usize = 256 << 20;

/// What made a query too deep, for the error message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NestingKind {
    /// Expressions: operator chains, nested function calls, subqueries.
    Expressions,
    /// A chain of `UNION`, `INTERSECT` or `EXCEPT`.
    SetOperations,
    /// Tables joined in one `FROM`.
    Joins,
    /// A chain of common table expressions, each reading the one before.
    Ctes,
    /// Common table expressions read so often that inlining them copies them more than
    /// [`MAX_CTE_COPIES`] times.
    CteCopies,
}

impl std::fmt::Display for NestingKind {
    /// What went past its limit, with the limit: "… nest more than 64 levels deep".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self {
            NestingKind::Expressions => "an operator chain or nested expressions",
            NestingKind::SetOperations => "a UNION/INTERSECT/EXCEPT chain",
            NestingKind::Joins => "tables joined in one FROM",
            NestingKind::Ctes => "a chain of WITH steps, each reading the one before,",
            NestingKind::CteCopies => {
                return write!(
                    f,
                    "WITH steps are read so often that the plan would copy them more than \
                     {MAX_CTE_COPIES} times"
                );
            }
        };
        write!(f, "{what} nest more than {MAX_NESTING} levels deep")
    }
}

/// Refuses `sql` when it nests deeper than [`MAX_NESTING`]. A statement that does not parse
/// passes: the planner reports the syntax error in its own words.
pub fn check(state: &SessionState, sql: &str) -> Result<(), StoreError> {
    let dialect = state.config().options().sql_parser.dialect;
    let too_deep = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("sql-nesting".into())
            .stack_size(CHECK_STACK_BYTES)
            .spawn_scoped(scope, || {
                let statement = state.sql_to_statement(sql, &dialect).ok()?;
                too_deep(&statement, MAX_NESTING)
            })
            .map_err(|e| StoreError::Engine(DataFusionError::External(Box::new(e))))?
            .join()
            .map_err(|_| {
                StoreError::Engine(DataFusionError::Internal(
                    "the SQL nesting check panicked".into(),
                ))
            })
    })?;
    match too_deep {
        Some(kind) => Err(StoreError::TooDeep {
            limit: MAX_NESTING,
            kind,
        }),
        None => Ok(()),
    }
}

/// What passes `limit` in `statement`, if anything does.
fn too_deep(statement: &DfStatement, limit: usize) -> Option<NestingKind> {
    match statement {
        DfStatement::Statement(s) => {
            let mut depth = Depth {
                now: 0,
                limit,
                stack: Vec::new(),
            };
            match s.visit(&mut depth) {
                ControlFlow::Break(kind) => Some(kind),
                ControlFlow::Continue(()) => None,
            }
        }
        DfStatement::Explain(e) => too_deep(&e.statement, limit),
        // DDL and `COPY` are refused as read-only before they are planned.
        _ => None,
    }
}

/// The nesting of the node being visited; breaks as soon as it passes the limit.
struct Depth {
    now: usize,
    limit: usize,
    /// The levels each open query added, to take them off when it closes.
    stack: Vec<usize>,
}

impl Depth {
    fn enter(&mut self, levels: usize, kind: NestingKind) -> ControlFlow<NestingKind> {
        self.now += levels;
        if self.now > self.limit {
            ControlFlow::Break(kind)
        } else {
            ControlFlow::Continue(())
        }
    }
}

impl Visitor for Depth {
    type Break = NestingKind;

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<NestingKind> {
        // A set-operation chain and a join list are plan trees as deep as they are long,
        // but not expressions: count them here, before the visit descends into them.
        let bound = self.limit + 1;
        let chain = set_chain(&query.body, bound);
        let joins = joined_tables(&query.body).min(bound);
        // The CTEs of a WITH are siblings in the syntax tree, but the planner inlines each
        // where it is read: a chain of 1,200 CTEs, each reading the one before, overflowed
        // its stack, and 20 that each read the one before twice built a plan of a million
        // copies. Count the chain as levels and bound the copies.
        let (ctes, copies) = query
            .with
            .as_ref()
            .map_or((0, 1), |w| cte_weight(&w.cte_tables, &query.body, bound));
        if copies > MAX_CTE_COPIES {
            return ControlFlow::Break(NestingKind::CteCopies);
        }
        self.stack.push(1 + chain + joins + ctes);
        self.enter(1 + chain, NestingKind::SetOperations)?;
        self.enter(joins, NestingKind::Joins)?;
        self.enter(ctes, NestingKind::Ctes)
    }

    fn post_visit_query(&mut self, _query: &Query) -> ControlFlow<NestingKind> {
        self.now -= self.stack.pop().unwrap_or(0);
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, _expr: &Expr) -> ControlFlow<NestingKind> {
        self.enter(1, NestingKind::Expressions)
    }

    fn post_visit_expr(&mut self, _expr: &Expr) -> ControlFlow<NestingKind> {
        self.now -= 1;
        ControlFlow::Continue(())
    }
}

/// The most copies of CTE bodies a query may inline (each read of a CTE copies it, and
/// the CTEs it reads): far above real queries, far below what exhausts memory.
pub const MAX_CTE_COPIES: usize = 4_096;

/// The longest chain of CTEs reading one another (at most `bound`), and how many CTE bodies
/// the planner copies in when it inlines every read of `body` (saturating).
fn cte_weight(ctes: &[Cte], body: &SetExpr, bound: usize) -> (usize, usize) {
    let names: Vec<String> = ctes
        .iter()
        .map(|c| c.alias.name.value.to_lowercase())
        .collect();
    let (mut depth, mut copies) = (vec![0usize; ctes.len()], vec![0usize; ctes.len()]);
    for (k, cte) in ctes.iter().enumerate() {
        // A WITH without RECURSIVE reads only the CTEs defined before.
        let refs = reads_of(&*cte.query, &names);
        let earlier = refs.iter().filter(|&&j| j < k);
        depth[k] = 1 + earlier
            .clone()
            .map(|&j| depth[j])
            .max()
            .unwrap_or(0)
            .min(bound);
        copies[k] = earlier.fold(1usize, |sum, &j| sum.saturating_add(copies[j]));
    }
    let top = reads_of(body, &names);
    let chain = top.iter().map(|&j| depth[j]).max().unwrap_or(0);
    let total = top
        .iter()
        .fold(1usize, |sum, &j| sum.saturating_add(copies[j]));
    (chain, total)
}

/// The CTEs (indices into `names`, lower case) that `node` reads, once per read.
fn reads_of<V: Visit>(node: &V, names: &[String]) -> Vec<usize> {
    let mut found = Vec::new();
    let _ = visit_relations(node, |relation| {
        let name = relation.to_string().to_lowercase();
        if let Some(j) = names.iter().position(|n| *n == name) {
            found.push(j);
        }
        ControlFlow::<()>::Continue(())
    });
    found
}

/// How deep the set operations of `body` nest, counted no further than `bound` (so the
/// walk never recurses deeper than that).
fn set_chain(body: &SetExpr, bound: usize) -> usize {
    match body {
        SetExpr::SetOperation { left, right, .. } if bound > 0 => {
            1 + set_chain(left, bound - 1).max(set_chain(right, bound - 1))
        }
        SetExpr::SetOperation { .. } => 1,
        _ => 0,
    }
}

/// The tables a `SELECT` body joins beyond the first (DataFusion plans them as a left-deep
/// tree of joins); the selects of a set operation are visited as queries of their own only
/// when parenthesised, so this looks at the top `SELECT` alone.
fn joined_tables(body: &SetExpr) -> usize {
    match body {
        SetExpr::Select(select) => select
            .from
            .iter()
            .map(|t| 1 + t.joins.len())
            .sum::<usize>()
            .saturating_sub(1),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::prelude::SessionContext;

    fn verdict(sql: &str) -> Option<NestingKind> {
        let state = SessionContext::new().state();
        let dialect = state.config().options().sql_parser.dialect;
        let statement = state.sql_to_statement(sql, &dialect).unwrap();
        too_deep(&statement, MAX_NESTING)
    }

    fn chain(n: usize, term: impl Fn(usize) -> String, sep: &str) -> String {
        (0..n).map(term).collect::<Vec<_>>().join(sep)
    }

    #[test]
    fn long_chains_are_too_deep_and_say_which() {
        let ors = chain(400, |i| format!("partner_iso3 = 'X{i:02}'"), " OR ");
        let sql = format!("SELECT count(*) FROM trade WHERE {ors}");
        assert_eq!(verdict(&sql), Some(NestingKind::Expressions));
        let sql = format!("SELECT {}", chain(2_000, |_| "1".into(), " + "));
        assert_eq!(verdict(&sql), Some(NestingKind::Expressions));
        let sql = chain(1_000, |_| "SELECT 1 AS x".into(), " UNION ALL ");
        assert_eq!(verdict(&sql), Some(NestingKind::SetOperations));
        let sql = format!(
            "SELECT 1 FROM {}",
            chain(100, |i| format!("trade t{i}"), ", ")
        );
        assert_eq!(verdict(&sql), Some(NestingKind::Joins));
        let sql = format!("EXPLAIN SELECT {}", chain(100, |_| "1".into(), " + "));
        assert_eq!(verdict(&sql), Some(NestingKind::Expressions));
        // 1,200 CTEs, each reading the one before, overflowed the planner's stack.
        let ctes = chain(
            1_200,
            |i| format!("c{} AS (SELECT x FROM c{i})", i + 1),
            ", ",
        );
        let sql = format!("WITH c0 AS (SELECT 1 AS x), {ctes} SELECT * FROM c1200");
        assert_eq!(verdict(&sql), Some(NestingKind::Ctes));
        // 20 CTEs, each reading the one before twice: a plan of a million copies.
        let twice = chain(
            20,
            |i| {
                format!(
                    "c{} AS (SELECT a.x FROM c{i} a UNION ALL SELECT b.x FROM c{i} b)",
                    i + 1
                )
            },
            ", ",
        );
        let sql = format!("WITH c0 AS (SELECT 1 AS x), {twice} SELECT count(*) FROM c20");
        assert_eq!(verdict(&sql), Some(NestingKind::CteCopies));
    }

    #[test]
    fn real_queries_are_far_below_the_limit() {
        let ors = chain(40, |i| format!("partner_iso3 = 'X{i:02}'"), " OR ");
        for sql in [
            format!("SELECT count(*) FROM trade WHERE {ors}"),
            chain(40, |_| "SELECT 1 AS x".into(), " UNION ALL "),
            "WITH p AS (SELECT a, SUM(b) AS s FROM t GROUP BY a) \
             SELECT * FROM p JOIN t ON p.a = t.a WHERE s > (SELECT avg(b) FROM t)"
                .to_string(),
        ] {
            assert_eq!(verdict(&sql), None, "{sql}");
        }
        // 70 CTEs that read none of each other, and a CTE read four times, are fine.
        let apart = chain(70, |i| format!("c{i} AS (SELECT {i} AS x)"), ", ");
        assert_eq!(verdict(&format!("WITH {apart} SELECT x FROM c0")), None);
        let sql = "WITH m AS (SELECT period, quantity_t FROM trade) \
                   SELECT * FROM m a JOIN m b USING (period) JOIN m c USING (period) \
                   JOIN m d USING (period)";
        assert_eq!(verdict(sql), None);
    }

    /// The check runs on its own big stack: a chain far deeper than the planner could take
    /// is parsed, measured and dropped without overflowing the caller's stack.
    #[test]
    fn a_huge_chain_is_refused_not_crashed_on() {
        let state = SessionContext::new().state();
        let sql = format!("SELECT {}", chain(60_000, |_| "1".into(), "+"));
        let e = check(&state, &sql).unwrap_err();
        assert!(
            matches!(e, StoreError::TooDeep { .. }) && e.is_user_error(),
            "{e}"
        );
        let text = e.to_string();
        assert!(text.contains("64") && text.contains("IN ("), "{text}");
        // Not parsing is the planner's to report.
        assert!(check(&state, "SELEC 1").is_ok());
    }
}
