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
//! copies of a 1 MB string made a gigabyte). Not bounded here: the `||` operator (an
//! operator, not a function; an expression holds at most 64 pieces, but chained WITH steps
//! can repeat it) and `string_agg`; the engine's memory pool and the request timeout are
//! what stops those.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, FieldRef, Int64Type};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature,
};

/// The most one call of a capped function may build: one constant, or one batch of rows.
pub const MAX_RESULT_BYTES: usize = 64 << 20;

/// The longest string one call may build for one row: far above any text of trade data,
/// small enough that the functions that copy their inputs cannot multiply it into gigabytes
/// in an ordinary query.
pub const MAX_VALUE_BYTES: usize = 1 << 20;

/// The capped functions, to register over the built-ins.
pub fn functions() -> Vec<ScalarUDF> {
    use datafusion::functions::{regex, string, unicode};
    [
        (string::repeat(), Kind::Repeat),
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
}

/// A built-in string function that refuses to build more than [`MAX_RESULT_BYTES`].
#[derive(Debug, PartialEq, Eq, Hash)]
struct Capped {
    inner: Arc<ScalarUDF>,
    kind: Kind,
}

impl Capped {
    /// Refuses the call when its result could pass the cap.
    fn check(&self, args: &ScalarFunctionArgs) -> Result<()> {
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
            let bound = match self.kind {
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
            if bound > MAX_VALUE_BYTES {
                return Err(DataFusionError::Execution(format!(
                    "{}() could build a string of more than {} MiB (row {}); strings are \
                     capped at that size: ask for a shorter one",
                    self.inner.name(),
                    MAX_VALUE_BYTES >> 20,
                    row + 1
                )));
            }
            total = total.saturating_add(bound);
            if total > MAX_RESULT_BYTES {
                return Err(DataFusionError::Execution(format!(
                    "{}() could build more than {} MiB in one call (over {rows} row(s)); \
                     ask for a shorter string, or apply it to fewer rows at a time",
                    self.inner.name(),
                    MAX_RESULT_BYTES >> 20
                )));
            }
        }
        Ok(())
    }
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
        self.check(&args)?;
        self.inner.invoke_with_args(args)
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.inner.documentation()
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
            let ctx = SessionContext::new();
            for f in functions() {
                ctx.register_udf(f);
            }
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
            ] {
                let e = match run(&ctx, sql).await {
                    Ok(rows) => panic!("{sql}: ran, {} lines", rows.len()),
                    Err(e) => e.to_string(),
                };
                assert!(e.contains(" MiB"), "{sql}: {e}");
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
                 concat('a', 1, NULL, 'b') AS k, concat_ws('/', 'x', 'y') AS w",
            )
            .await
            .unwrap()
            .join("\n");
            for want in ["ababab", "007", "x ", "a+b", "a_b_", "a1b", "x/y"] {
                assert!(text.contains(want), "{want}: {text}");
            }
        });
    }
}
