//! Turning Arrow record batches into rows of JSON values, for the CLI and the HTTP API.

use datafusion::arrow::array::{
    Array, AsArray, BooleanArray, Float32Array, Float64Array, Int8Array, Int16Array, Int32Array,
    Int64Array, RecordBatch, UInt8Array, UInt16Array, UInt32Array, UInt64Array,
};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use serde_json::{Map, Number, Value};

/// One result row: column name → value, in column order.
pub type JsonRow = Map<String, Value>;

/// The rows of `batches` as JSON objects keyed by column name.
///
/// Integers and booleans stay typed, floats become JSON numbers (non-finite → `null`),
/// NULL → `null`, and anything else (dates, decimals, lists) its Arrow display text.
pub fn batches_to_json_rows(batches: &[RecordBatch]) -> Vec<JsonRow> {
    let mut rows = Vec::new();
    for batch in batches {
        let schema = batch.schema();
        let options = FormatOptions::default();
        let columns: Vec<Vec<Value>> = batch
            .columns()
            .iter()
            .map(|col| column_values(col.as_ref(), &options))
            .collect();
        for r in 0..batch.num_rows() {
            let mut row = Map::new();
            for (field, values) in schema.fields().iter().zip(&columns) {
                row.insert(field.name().clone(), values[r].clone());
            }
            rows.push(row);
        }
    }
    rows
}

/// The column names of a result (empty when there are no batches).
pub fn batch_columns(batches: &[RecordBatch]) -> Vec<String> {
    batches.first().map_or_else(Vec::new, |b| {
        b.schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    })
}

fn column_values(col: &dyn Array, options: &FormatOptions) -> Vec<Value> {
    macro_rules! ints {
        ($t:ty) => {{
            let a = col.as_any().downcast_ref::<$t>();
            (0..col.len())
                .map(|i| match a {
                    Some(a) if a.is_valid(i) => Value::from(a.value(i)),
                    _ => Value::Null,
                })
                .collect()
        }};
    }
    // JSON has no infinity or NaN: they are the strings `inf`, `-inf` and `NaN`, never
    // null, which is SQL's NULL (a `value_usd / quantity_t` over a zero read as missing
    // data; adversarial review).
    fn float_value(v: f64) -> Value {
        match Number::from_f64(v) {
            Some(n) => Value::Number(n),
            None if v.is_nan() => Value::String("NaN".into()),
            None if v > 0.0 => Value::String("inf".into()),
            None => Value::String("-inf".into()),
        }
    }
    macro_rules! floats {
        ($t:ty) => {{
            let a = col.as_any().downcast_ref::<$t>();
            (0..col.len())
                .map(|i| match a {
                    Some(a) if a.is_valid(i) => float_value(f64::from(a.value(i))),
                    _ => Value::Null,
                })
                .collect()
        }};
    }
    macro_rules! strings {
        ($a:expr) => {{
            let a = $a;
            (0..col.len())
                .map(|i| {
                    if a.is_valid(i) {
                        Value::from(a.value(i))
                    } else {
                        Value::Null
                    }
                })
                .collect()
        }};
    }
    match col.data_type() {
        DataType::Int8 => ints!(Int8Array),
        DataType::Int16 => ints!(Int16Array),
        DataType::Int32 => ints!(Int32Array),
        DataType::Int64 => ints!(Int64Array),
        DataType::UInt8 => ints!(UInt8Array),
        DataType::UInt16 => ints!(UInt16Array),
        DataType::UInt32 => ints!(UInt32Array),
        DataType::UInt64 => ints!(UInt64Array),
        DataType::Float32 => floats!(Float32Array),
        DataType::Float64 => floats!(Float64Array),
        DataType::Boolean => ints!(BooleanArray),
        DataType::Utf8 => strings!(col.as_string::<i32>()),
        DataType::Utf8View => strings!(col.as_string_view()),
        DataType::LargeUtf8 => strings!(col.as_string::<i64>()),
        // Logical nulls: an untyped `NULL` (a `NullArray`) has no validity buffer, so
        // `is_valid` called every row valid and printed it as "" instead of null.
        _ => match ArrayFormatter::try_new(col, options) {
            Ok(f) => {
                let nulls = col.logical_nulls();
                (0..col.len())
                    .map(|i| {
                        if nulls.as_ref().is_none_or(|n| n.is_valid(i)) {
                            Value::from(f.value(i).to_string())
                        } else {
                            Value::Null
                        }
                    })
                    .collect()
            }
            Err(_) => vec![Value::Null; col.len()],
        },
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Float64Array, StringArray};
    use datafusion::arrow::datatypes::{Field, Schema};

    use super::*;

    #[test]
    fn nulls_numbers_and_text_keep_their_json_types() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("p", DataType::Utf8, true),
            Field::new("q", DataType::Float64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(vec![Some("2025-05"), None])),
                Arc::new(Float64Array::from(vec![Some(5864.6), None])),
            ],
        )
        .unwrap();
        let rows = batches_to_json_rows(&[batch]);
        assert_eq!(rows[0]["p"], Value::from("2025-05"));
        assert_eq!(rows[0]["q"], Value::from(5864.6));
        assert_eq!(rows[1]["p"], Value::Null);
        assert_eq!(rows[1]["q"], Value::Null);
    }

    /// Adversarial review: infinity and NaN printed as null (and as empty CSV cells), like
    /// SQL's NULL. They are the strings `inf`, `-inf` and `NaN`; NULL stays null.
    #[test]
    fn infinities_and_nan_are_not_null() {
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Float64, true)]));
        let values = vec![
            Some(f64::INFINITY),
            Some(f64::NEG_INFINITY),
            Some(f64::NAN),
            None,
        ];
        let batch =
            RecordBatch::try_new(schema, vec![Arc::new(Float64Array::from(values))]).unwrap();
        let rows = batches_to_json_rows(&[batch]);
        let got: Vec<&Value> = rows.iter().map(|r| &r["x"]).collect();
        assert_eq!(
            got,
            [
                &Value::from("inf"),
                &Value::from("-inf"),
                &Value::from("NaN"),
                &Value::Null
            ]
        );
    }

    /// `SELECT NULL` has the Null type, whose array has no validity buffer: it printed as "".
    #[test]
    fn an_untyped_null_is_null_and_other_types_keep_their_nulls() {
        use datafusion::arrow::array::{Date32Array, NullArray};
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Null, true),
            Field::new("d", DataType::Date32, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(NullArray::new(2)),
                Arc::new(Date32Array::from(vec![Some(20_000), None])),
            ],
        )
        .unwrap();
        let rows = batches_to_json_rows(&[batch]);
        assert_eq!(rows[0]["n"], Value::Null);
        assert_eq!(rows[1]["n"], Value::Null);
        assert_eq!(rows[0]["d"], Value::from("2024-10-04"));
        assert_eq!(rows[1]["d"], Value::Null);
    }
}
