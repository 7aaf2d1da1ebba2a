//! String functions whose result can be far larger than their arguments, with a cap.
//!
//! Why: `repeat('x', 2000000000)` is a one-line query that builds a 2 GB string, and the
//! engine's memory pool does not cover scalar functions; worse, DataFusion folds constants
//! while planning, synchronously, so the server's request timeout could not fire while the
//! string grew. `repeat`, `lpad`, `rpad`, `replace` and `regexp_replace` are replaced (a
//! registered function replaces the built-in of the same name) by wrappers that first work
//! out, from their arguments' lengths alone, a bound on what they would build, and refuse
//! with a clear error when one call (a constant, or one batch of rows) would pass
//! [`MAX_RESULT_BYTES`], or one value would pass [`MAX_VALUE_BYTES`]. `concat` and
//! `concat_ws` are capped the same way: nested, they multiply a value (ten copies of ten
//! copies of a 1 MB string made a gigabyte). The `||` operator is not a function and cannot
//! be replaced so; doubling a string in each of a chain of WITH steps built 256 MB in eight
//! steps and gigabytes in a dozen. An analyzer rule ([`CapStrings`]) rewrites every
//! `a || b` to `guard(a, b) || b`, where the guard applies the same caps to `a` and `b`
//! together and returns `a` unchanged, so the operator keeps its own semantics (NULL if
//! either side is). `string_agg` needs no cap: its state is held in the engine's memory
//! pool, which refuses a query over its budget. The same rule points every call of these
//! functions at the capped version, also where SQL syntax was planned without the registry
//! (`OVERLAY(… PLACING …)`). `levenshtein` builds nothing but takes the product of its
//! strings' lengths in steps, so it is capped on that.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Int64Type};
use datafusion::common::ScalarValue;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::{
    BinaryExpr, ColumnarValue, Documentation, Expr, LogicalPlan, Operator, ReturnFieldArgs,
    ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::optimizer::AnalyzerRule;

/// The most one call of a capped function may build: one constant, or one batch of rows.
pub const MAX_RESULT_BYTES: usize = 64 << 20;

/// The longest string one call may build for one row: far above any text of trade data,
/// small enough that the functions that copy their inputs cannot multiply it into gigabytes
/// in an ordinary query.
pub const MAX_VALUE_BYTES: usize = 1 << 20;

/// The most steps one `levenshtein` comparison may take (the product of its strings'
/// lengths): two strings of 8,192 characters, about a tenth of a second.
pub const MAX_COMPARE_STEPS: usize = 1 << 26;

/// The most steps one call of `levenshtein` may take over its rows (about a second).
pub const MAX_COMPARE_STEPS_PER_CALL: usize = 1 << 30;

/// The capped functions, to register over the built-ins.
pub fn functions() -> Vec<ScalarUDF> {
    use datafusion::functions::{core, regex, string, unicode};
    [
        (string::repeat(), Kind::Repeat),
        (core::overlay(), Kind::Overlay),
        (string::levenshtein(), Kind::Levenshtein),
        (string::replace(), Kind::Replace),
        (unicode::lpad(), Kind::Pad),
        (unicode::rpad(), Kind::Pad),
        (regex::regexp_replace(), Kind::RegexpReplace),
        (string::concat(), Kind::Concat),
        (string::concat_ws(), Kind::ConcatWs),
    ]
    .into_iter()
    .map(|(inner, kind)| ScalarUDF::new_from_impl(Capped { inner, kind }))
    .collect()
}

/// How a function's result size follows from its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    /// `repeat(s, n)`: `n` copies of `s`.
    Repeat,
    /// `lpad|rpad(s, n [, fill])`: `n` characters, at most 4 bytes each.
    Pad,
    /// `replace(s, from, to)`: each match of `from` (at most one per byte of `s`, or one
    /// between characters when `from` is empty) becomes `to`.
    Replace,
    /// `regexp_replace(s, pattern, repl [, flags])`: one match, or with the `g` flag one per
    /// position of `s`, each becoming `repl`; a group reference (`$1`, `\1`) copies part of
    /// its match, and matches do not overlap, so each reference adds at most `s` over all
    /// matches together (bounding it per match refused ordinary queries on long strings).
    RegexpReplace,
    /// `concat(a, b, …)`: the arguments one after the other (a number as at most 32
    /// characters). Nested, it multiplies a value: ten copies of ten copies of a 1 MB
    /// string made a gigabyte.
    Concat,
    /// `concat_ws(sep, a, b, …)`: as `concat`, with the separator between them.
    ConcatWs,
    /// `a || b`, checked by [`ConcatGuard`]: `a` then `b`.
    ConcatOperator,
    /// `overlay(s placing t from n [for m])`: at most `s` and `t` together; like `||`, it
    /// can double a string in each of a chain of WITH steps.
    Overlay,
    /// `levenshtein(a, b)`: builds nothing, but takes |a|·|b| steps (two 1 MB strings, a
    /// trillion: hours of one core). Checked against [`MAX_COMPARE_STEPS`] instead.
    Levenshtein,
}

/// A built-in string function that refuses to build more than [`MAX_RESULT_BYTES`].
#[derive(Debug, PartialEq, Eq, Hash)]
struct Capped {
    inner: Arc<ScalarUDF>,
    kind: Kind,
}

/// Refuses a call of `name` when its result could pass the cap, `kind` saying how the
/// result's size follows from the arguments.
fn check(name: &str, kind: Kind, args: &ScalarFunctionArgs) -> Result<()> {
    let all_scalar = args
        .args
        .iter()
        .all(|a| matches!(a, ColumnarValue::Scalar(_)));
    let rows = if all_scalar { 1 } else { args.number_rows };
    let counts: Vec<Option<ColumnarValue>> = args.args.iter().map(as_int64).collect();
    let text = |i: usize, row: usize| args.args.get(i).map_or(0, |a| byte_len(a, row));
    let int = |i: usize, row: usize| {
        counts
            .get(i)
            .and_then(Option::as_ref)
            .map_or(0, |a| usize::try_from(int_at(a, row)).unwrap_or(0))
    };
    let mut total: usize = 0;
    for row in 0..rows {
        let bound = match kind {
            Kind::Repeat => text(0, row).saturating_mul(int(1, row)),
            Kind::Pad => text(0, row).saturating_add(int(1, row).saturating_mul(4)),
            Kind::Replace => {
                let (s, from, to) = (text(0, row), text(1, row), text(2, row));
                let matches = s.checked_div(from).unwrap_or(s + 1);
                s.saturating_add(matches.saturating_mul(to))
            }
            Kind::RegexpReplace => {
                let s = text(0, row);
                let global = args.args.get(3).is_some_and(|f| contains(f, row, 'g'));
                let matches = if global { s + 1 } else { 1 };
                let (repl, refs) = args
                    .args
                    .get(2)
                    .map_or((0, 0), |r| (byte_len(r, row), group_refs(r, row)));
                s.saturating_add(matches.saturating_mul(repl))
                    .saturating_add(refs.saturating_mul(s))
            }
            Kind::ConcatOperator | Kind::Overlay => text(0, row).saturating_add(text(1, row)),
            Kind::Levenshtein => text(0, row).saturating_mul(text(1, row)),
            Kind::Concat => (0..args.args.len()).fold(0usize, |sum, i| {
                sum.saturating_add(text(i, row)).saturating_add(32)
            }),
            Kind::ConcatWs => {
                let parts = args.args.len().saturating_sub(1);
                (1..args.args.len())
                    .fold(0usize, |sum, i| {
                        sum.saturating_add(text(i, row)).saturating_add(32)
                    })
                    .saturating_add(text(0, row).saturating_mul(parts))
            }
        };
        let (value_cap, call_cap) = match kind {
            Kind::Levenshtein => (MAX_COMPARE_STEPS, MAX_COMPARE_STEPS_PER_CALL),
            _ => (MAX_VALUE_BYTES, MAX_RESULT_BYTES),
        };
        if bound > value_cap {
            return Err(DataFusionError::Execution(match kind {
                Kind::Levenshtein => format!(
                    "{name} would take more than {} million steps to compare the strings of \
                     row {} (the product of their lengths): compare shorter strings",
                    value_cap / 1_000_000,
                    row + 1
                ),
                _ => format!(
                    "{name} could build a string of more than {} MiB (row {}); strings are \
                     capped at that size: ask for a shorter one",
                    value_cap >> 20,
                    row + 1
                ),
            }));
        }
        total = total.saturating_add(bound);
        if total > call_cap {
            return Err(DataFusionError::Execution(match kind {
                Kind::Levenshtein => format!(
                    "{name} would take more than {} million steps in one call (over {rows} \
                     row(s)): compare shorter strings, or fewer rows at a time",
                    call_cap / 1_000_000
                ),
                _ => format!(
                    "{name} could build more than {} MiB in one call (over {rows} row(s)); \
                     ask for a shorter string, or apply it to fewer rows at a time",
                    call_cap >> 20
                ),
            }));
        }
    }
    Ok(())
}

/// A string argument's value at `row` (a scalar has the same value at every row).
fn str_at(v: &ColumnarValue, row: usize) -> Option<&str> {
    match v {
        ColumnarValue::Scalar(
            ScalarValue::Utf8(Some(s))
            | ScalarValue::LargeUtf8(Some(s))
            | ScalarValue::Utf8View(Some(s)),
        ) => Some(s),
        ColumnarValue::Scalar(_) => None,
        ColumnarValue::Array(a) if a.is_null(row) => None,
        ColumnarValue::Array(a) => match a.data_type() {
            DataType::Utf8 => Some(a.as_string::<i32>().value(row)),
            DataType::LargeUtf8 => Some(a.as_string::<i64>().value(row)),
            DataType::Utf8View => Some(a.as_string_view().value(row)),
            _ => None,
        },
    }
}

fn byte_len(v: &ColumnarValue, row: usize) -> usize {
    str_at(v, row).map_or(0, str::len)
}

fn contains(v: &ColumnarValue, row: usize, c: char) -> bool {
    str_at(v, row).is_some_and(|s| s.contains(c))
}

/// How many group references (`$1`, `${name}`, `\1`) a replacement may hold, at most.
fn group_refs(v: &ColumnarValue, row: usize) -> usize {
    str_at(v, row).map_or(0, |s| s.matches(['$', '\\']).count())
}

/// An integer argument as `Int64` (`None` for any other argument).
fn as_int64(v: &ColumnarValue) -> Option<ColumnarValue> {
    let integer = |t: &DataType| t.is_integer();
    match v {
        ColumnarValue::Scalar(s) if integer(&s.data_type()) => {
            s.cast_to(&DataType::Int64).ok().map(ColumnarValue::Scalar)
        }
        ColumnarValue::Array(a) if integer(a.data_type()) => {
            datafusion::arrow::compute::cast(a, &DataType::Int64)
                .ok()
                .map(ColumnarValue::Array)
        }
        _ => None,
    }
}

fn int_at(v: &ColumnarValue, row: usize) -> i64 {
    match v {
        ColumnarValue::Scalar(ScalarValue::Int64(Some(n))) => *n,
        ColumnarValue::Array(a) if !a.is_null(row) => a
            .as_primitive_opt::<Int64Type>()
            .map_or(0, |a| a.value(row)),
        _ => 0,
    }
}

/// Delegates everything to the built-in, checking the size first.
impl ScalarUDFImpl for Capped {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.inner.return_type(arg_types)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        self.inner.return_field_from_args(args)
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.inner.coerce_types(arg_types)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        check(&format!("{}()", self.inner.name()), self.kind, &args)?;
        self.inner.invoke_with_args(args)
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.inner.documentation()
    }
}

/// The guard called with no arguments: only a plan built by hand could do that.
fn two_sides() -> DataFusionError {
    DataFusionError::Internal("the || guard takes the operator's two sides".into())
}

/// `guard(a, b)`: `a` unchanged, once `a || b` is known to stay within the caps.
#[derive(Debug, PartialEq, Eq, Hash)]
struct ConcatGuard {
    signature: Signature,
}

impl ScalarUDFImpl for ConcatGuard {
    fn name(&self) -> &str {
        "concat_operator_guard"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        arg_types.first().cloned().ok_or_else(two_sides)
    }

    /// The left side's type and nullability, so the rewritten plan has the original schema.
    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let left = args.arg_fields.first().ok_or_else(two_sides)?;
        Ok(Arc::new(Field::new(
            self.name(),
            left.data_type().clone(),
            left.is_nullable(),
        )))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        check("the || operator", Kind::ConcatOperator, &args)?;
        args.args.into_iter().next().ok_or_else(two_sides)
    }
}

/// Rewrites a plan (subqueries included) so that no string can grow past the caps, however
/// a call was planned: every `a || b` becomes `guard(a, b) || b` (see the module's
/// documentation), and every call of a built-in that has a capped version is pointed at
/// it. The second matters because the SQL parser plans some syntax itself, bypassing the
/// registered functions: `OVERLAY(s PLACING t FROM n)` called the built-in directly. Runs
/// after type coercion, so both sides of `||` already have the type the operator uses, and
/// keeps each expression's name, so columns are named as written.
#[derive(Debug)]
pub(crate) struct CapStrings {
    guard: Arc<ScalarUDF>,
    capped: Vec<Arc<ScalarUDF>>,
}

impl CapStrings {
    pub(crate) fn new() -> CapStrings {
        CapStrings {
            guard: Arc::new(ScalarUDF::new_from_impl(ConcatGuard {
                signature: Signature::any(2, Volatility::Immutable),
            })),
            capped: functions().into_iter().map(Arc::new).collect(),
        }
    }

    /// `e` with its own node capped, if it needs to be.
    fn cap(&self, e: Expr) -> Transformed<Expr> {
        match e {
            Expr::BinaryExpr(BinaryExpr {
                left,
                op: Operator::StringConcat,
                right,
            }) => {
                let checked =
                    ScalarFunction::new_udf(Arc::clone(&self.guard), vec![*left, (*right).clone()]);
                Transformed::yes(Expr::BinaryExpr(BinaryExpr::new(
                    Box::new(Expr::ScalarFunction(checked)),
                    Operator::StringConcat,
                    right,
                )))
            }
            Expr::ScalarFunction(call) => {
                let implementation: &dyn std::any::Any = call.func.inner().as_ref();
                let capped = (!implementation.is::<Capped>())
                    .then(|| self.capped.iter().find(|c| c.name() == call.func.name()))
                    .flatten();
                match capped {
                    Some(c) => Transformed::yes(Expr::ScalarFunction(ScalarFunction::new_udf(
                        Arc::clone(c),
                        call.args,
                    ))),
                    None => Transformed::no(Expr::ScalarFunction(call)),
                }
            }
            other => Transformed::no(other),
        }
    }
}

impl AnalyzerRule for CapStrings {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(|plan| {
            let names = NamePreserver::new(&plan);
            plan.map_expressions(|expr| {
                let name = names.save(&expr);
                expr.transform_up(|e| Ok(self.cap(e)))
                    .map(|t| t.update_data(|e| name.restore(e)))
            })
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "cap_strings"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::prelude::SessionContext;

    async fn run(ctx: &SessionContext, sql: &str) -> Result<Vec<String>> {
        let batches = ctx.sql(sql).await?.collect().await?;
        let text = datafusion::arrow::util::pretty::pretty_format_batches(&batches)?;
        Ok(text.to_string().lines().map(str::to_string).collect())
    }

    #[test]
    fn big_results_are_refused_and_small_ones_unchanged() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let ctx = context();
            for sql in [
                "SELECT repeat('x', 2000000000)",
                "SELECT lpad('x', 2000000000)",
                "SELECT rpad('x', 2000000000, 'ab')",
                "SELECT replace(repeat('x', 1000000), 'x', repeat('y', 1000))",
                "SELECT regexp_replace(repeat('x', 100000), '', repeat('y', 1000), 'g')",
                // One value over 1 MiB: concat or string_agg could multiply it.
                "SELECT repeat('x', 1048577)",
                // Ten copies of ten copies of a 1 MB string (a gigabyte in three steps).
                "WITH a AS (SELECT repeat('x', 1000000) AS s), \
                 b AS (SELECT concat(s, s, s, s, s, s, s, s, s, s) AS s FROM a) \
                 SELECT length(concat(s, s, s, s, s, s, s, s, s, s)) FROM b",
                "SELECT concat_ws(repeat('-', 600000), 'a', 'b', 'c')",
                // The cap is per call: many rows of a moderate size add up.
                "SELECT repeat('x', 10000 + value) FROM generate_series(1, 8000)",
                // `||` doubling a string in each of a chain of steps (256 MB in eight).
                doubling(8).as_str(),
                "SELECT length(s || s) FROM (SELECT repeat('x', 600000) AS s) t",
                "SELECT length(a || b) FROM (SELECT repeat('x', 10000) AS a, \
                 CAST(value AS VARCHAR) AS b FROM generate_series(1, 8192)) t",
                "SELECT 1 WHERE EXISTS (SELECT 1 FROM (SELECT repeat('x', 600000) AS s) t \
                 WHERE length(s || s) > 0)",
                // OVERLAY's own syntax is planned without the registry.
                "SELECT length(overlay(s placing s from 1 for 0)) \
                 FROM (SELECT repeat('x', 600000) AS s) t",
                "SELECT length(overlay(s, s, 1, 0)) FROM (SELECT repeat('x', 600000) AS s) t",
            ] {
                let e = match run(&ctx, sql).await {
                    Ok(rows) => panic!("{sql}: ran, {} lines", rows.len()),
                    Err(e) => e.to_string(),
                };
                assert!(e.contains(" MiB"), "{sql}: {e}");
            }
            // Comparing two long strings takes the product of their lengths in steps.
            for sql in [
                "SELECT levenshtein(repeat('a', 20000), repeat('b', 20000))",
                "SELECT levenshtein(repeat('a', 1000) || CAST(value AS VARCHAR), \
                 repeat('b', 1000)) FROM generate_series(1, 8000)",
            ] {
                let e = run(&ctx, sql).await.map(|r| r.join(" ")).unwrap_err().to_string();
                assert!(e.contains("million steps"), "{sql}: {e}");
            }
            // Group references over long strings (8,192 rows of 100 characters): what they
            // copy is bounded by the string, not by the string per match.
            run(
                &ctx,
                "SELECT count(*) FROM (SELECT regexp_replace(concat(repeat('a1 ', 33), \
                 CAST(value AS VARCHAR)), '([0-9]+)', '<$1>', 'g') AS r \
                 FROM generate_series(1, 8192))",
            )
            .await
            .unwrap();
            let text = run(
                &ctx,
                "SELECT repeat('ab', 3) AS r, lpad('7', 3, '0') AS l, rpad('x', 2) AS p, \
                 replace('a-b', '-', '+') AS c, regexp_replace('aXbX', 'X', '_', 'g') AS g, \
                 concat('a', 1, NULL, 'b') AS k, concat_ws('/', 'x', 'y') AS w, \
                 overlay('abc' placing 'XY' from 2 for 1) AS o, levenshtein('kitten', 'sitting') AS d",
            )
            .await
            .unwrap()
            .join("\n");
            for want in ["ababab", "007", "x ", "a+b", "a_b_", "a1b", "x/y", "aXYc", "| 3 "] {
                assert!(text.contains(want), "{want}: {text}");
            }
        });
    }

    /// A context as the store builds it: the capped functions and the `||` rule.
    fn context() -> SessionContext {
        crate::session::new_context(
            datafusion::prelude::SessionConfig::new(),
            Arc::new(datafusion::execution::runtime_env::RuntimeEnv::default()),
        )
    }

    /// `steps` WITH steps, each doubling a 1 MB string with `||`.
    fn doubling(steps: usize) -> String {
        let mut sql = "WITH a0 AS (SELECT repeat('x', 1000000) AS s)".to_string();
        for i in 1..=steps {
            sql += &format!(", a{i} AS (SELECT s || s AS s FROM a{})", i - 1);
        }
        sql + &format!(" SELECT length(s) FROM a{steps}")
    }

    /// The guarded operator keeps its meaning, its NULLs and the names of its columns.
    #[test]
    fn the_concat_operator_is_unchanged_within_the_cap() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let ctx = context();
            let text = run(
                &ctx,
                "SELECT 'ab' || 'cd', 'x' || NULL IS NULL AS n, \
                 (SELECT max(CAST(value AS VARCHAR) || '-' || 'y') FROM generate_series(1, 9)) AS m",
            )
            .await
            .unwrap()
            .join("\n");
            for want in [r#"Utf8("ab") || Utf8("cd")"#, "abcd", "true", "9-y"] {
                assert!(text.contains(want), "{want}: {text}");
            }
            // Columns of any size within the cap, row by row.
            let rows = run(
                &ctx,
                "SELECT count(*) AS c FROM (SELECT repeat('x', 100) || CAST(value AS VARCHAR) \
                 AS s FROM generate_series(1, 20000)) t WHERE length(s) > 100",
            )
            .await
            .unwrap()
            .join("\n");
            assert!(rows.contains("20000"), "{rows}");
        });
    }
}
