//! The words of the query parameters that take one of a few, set on the OpenAPI document so
//! that a generated client offers them (web review: `flow`, `freq`, `measure`, `stage`,
//! `method` and `source` were plain strings). The server also reads the CLI's spellings
//! (`Mining`, `exports`); the lists are the canonical words.

use utoipa::openapi::schema::{Object, ObjectBuilder, Schema, Type};
use utoipa::openapi::{OpenApi, RefOr};

fn one_of(values: &[&str]) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.iter().copied()))
        .build()
}

/// `flow`.
fn flow() -> Object {
    one_of(&["export", "import", "re-export", "re-import"])
}

/// `freq` of the trends.
fn freq() -> Object {
    one_of(&["M", "A"])
}

/// `measure` of the partners.
fn measure() -> Object {
    one_of(&["quantity", "value"])
}

/// `stage` of the shares.
fn stage() -> Object {
    one_of(&["mining", "separation", "metal", "magnets"])
}

/// `source` of the shares.
fn share_source() -> Object {
    one_of(&["usgs", "iea", "reported", "trade"])
}

/// `method` of the criticality assessment.
fn method() -> Object {
    one_of(&["eu", "usgs"])
}

/// The words of a parameter, by its name and the path it is on (`None`: free text).
fn words_of(path: &str, name: &str) -> Option<Object> {
    match name {
        "flow" => Some(flow()),
        "freq" => Some(freq()),
        "measure" => Some(measure()),
        "stage" if path.starts_with("/api/shares") || path.starts_with("/api/charts/shares") => {
            Some(stage())
        }
        "source" if path.starts_with("/api/shares") || path.starts_with("/api/charts/shares") => {
            Some(share_source())
        }
        "method" => Some(method()),
        _ => None,
    }
}

/// Gives every such parameter of `doc` its list of words. Done on the document rather than
/// with `schema_with` on the parameter structs, which drops their descriptions and makes
/// every one optional.
pub fn list_words(doc: &mut OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        for op in [&mut item.get, &mut item.post].into_iter().flatten() {
            for param in op.parameters.iter_mut().flatten() {
                if let RefOr::T(param) = param
                    && let Some(words) = words_of(path, &param.name)
                {
                    param.schema = Some(RefOr::T(Schema::Object(words)));
                }
            }
        }
    }
}
