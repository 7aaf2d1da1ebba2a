//! Errors of this crate; each says whether the user can fix it.

use std::path::PathBuf;

mod argument;
pub use argument::{ArgumentError, ArgumentSyntax};

/// What went wrong in the store: reading a file, the warehouse, a query or an indicator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Input the user supplied is invalid (a bad argument value).
    #[error("{0}")]
    Invalid(String),
    /// An argument of an exposure report is invalid; it knows which argument, so the CLI and
    /// the HTTP API can each name it their way.
    #[error(transparent)]
    Argument(#[from] ArgumentError),
    /// A file the user gave could not be read (any cause: a missing file, a link loop, a
    /// device, a disk error under it), which the user fixes by giving a readable file.
    #[error("cannot read {}: {source}{}", path.display(), read_advice(source))]
    ReadFile {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },

    /// A file or directory could not be read or written.
    #[error("{}: {source}{}", path.display(), io_advice(source))]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },

    /// A row of an input file is malformed.
    #[error("{}:{line}: {reason}{}", path.display(), column_text(column.as_deref(), *field))]
    BadRow {
        /// The input file.
        path: PathBuf,
        /// 1-based line number in the file.
        line: u64,
        /// The column at fault, when one is.
        column: Option<String>,
        /// 1-based position of that column in the header, when it is one of the
        /// file's own columns.
        field: Option<usize>,
        /// What is wrong and how to fix it.
        reason: String,
    },

    /// The file's header matches none of the supported formats.
    #[error(
        "{}: cannot tell the file format from its header `{header}`; expected a UN Comtrade+ CSV \
         (typeCode,freqCode,…), a CEPII BACI CSV (t,i,j,k,v,q) or a tidy CSV \
         (period,reporter_iso3,partner_iso3,flow,hs_code|product,quantity_t,value_usd); \
         or pass --format", path.display()
    )]
    UnknownFormat {
        /// The input file.
        path: PathBuf,
        /// The header line found (shortened).
        header: String,
    },

    /// The header lacks a column the chosen format needs.
    #[error("{}:1: missing column `{column}` required by the {format} format", path.display())]
    MissingColumn {
        /// The input file.
        path: PathBuf,
        /// The format being read.
        format: &'static str,
        /// The column name.
        column: String,
    },

    /// The SQL text was refused or failed to plan (bad table or column name, syntax).
    #[error("query failed: {source}")]
    Query {
        /// DataFusion's explanation.
        #[source]
        source: datafusion::error::DataFusionError,
    },

    /// The query reads a table the warehouse does not have.
    #[error(
        "unknown table `{name}`; the warehouse holds: {known}; see a table's columns with \
         `DESCRIBE trade` (or `SELECT * FROM information_schema.columns`)"
    )]
    UnknownTable {
        /// The name as the query wrote it (qualified when it was).
        name: String,
        /// The tables of the session, comma-separated.
        known: String,
    },

    /// A statement that would change the warehouse was refused.
    #[error(
        "`chokepoint sql` is read-only: {reason}; change the warehouse with `chokepoint ingest`"
    )]
    ReadOnly {
        /// DataFusion's explanation.
        reason: String,
    },

    /// A query needed more memory than the SQL engine may use.
    #[error(
        "the query needs more than the {limit_gib} GiB of memory the SQL engine may use ({reason}); \
         add a LIMIT, a WHERE filter or an aggregate, or avoid joins without a join condition"
    )]
    TooLarge {
        /// The engine's memory limit in GiB.
        limit_gib: usize,
        /// DataFusion's explanation.
        reason: String,
    },

    /// A query nests deeper than the planner can take (long operator, `UNION`, join or
    /// `WITH` chains are left-deep trees that DataFusion plans recursively), or reads its
    /// CTEs so often that the inlined plan would be huge.
    #[error(
        "the query is too deep or too large to plan: {kind}; write long OR chains as \
         `col IN ('a', 'b', …)`, long UNION chains as one `SELECT … FROM (VALUES (…), (…)) AS \
         t(col)` or split them into several queries, join fewer tables at a time, and chain or \
         repeat fewer WITH steps"
    )]
    TooDeep {
        /// The deepest nesting accepted.
        limit: usize,
        /// What went past it.
        kind: crate::warehouse::NestingKind,
    },

    /// DataFusion failed while running a valid plan (our fault or the machine's).
    #[error("query engine: {0}")]
    Engine(#[source] datafusion::error::DataFusionError),

    /// Writing or reading a Parquet file failed.
    #[error("{}: parquet: {source}{}", path.display(), parquet_io(source).map_or("", io_advice))]
    Parquet {
        /// The Parquet file.
        path: PathBuf,
        /// The Parquet error.
        #[source]
        source: datafusion::parquet::errors::ParquetError,
    },

    /// Building an Arrow batch failed (an internal bug).
    #[error("arrow: {0}")]
    Arrow(#[from] datafusion::arrow::error::ArrowError),

    /// A `--product` value names no HS code, group or bundled aggregate.
    #[error(
        "unknown product `{found}`{}; expected an HS code (2-10 digits, e.g. 850511) or one of: {known}",
        did_you_mean(found, known)
    )]
    UnknownProduct {
        /// The text given.
        found: String,
        /// The names accepted, comma-separated.
        known: String,
    },

    /// A `--source` value names no source present in the warehouse.
    #[error("unknown source `{found}`; the warehouse holds: {known}")]
    UnknownSource {
        /// The text given.
        found: String,
        /// The sources present, comma-separated.
        known: String,
    },

    /// A bundled file failed to load (a bug in the bundled data).
    #[error("bundled {file}:{line}: {reason}")]
    Bundled {
        /// The bundled file name.
        file: &'static str,
        /// 1-based line.
        line: u64,
        /// What is wrong.
        reason: String,
    },

    /// The criticality parameter file is not valid TOML or has an unknown key.
    #[error("{}:{line}:{column}: {message} (see data/rare-earths/criticality_params.toml for the layout)", path.display())]
    ParamsSyntax {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 when the parser gave no position).
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },

    /// A criticality parameter is out of its range.
    #[error("{}:{line}:{column}: {field} = {value} is out of range; expected {allowed}", path.display())]
    Param {
        /// The file.
        path: PathBuf,
        /// 1-based line of the value (0 when it could not be located).
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parameter path.
        field: String,
        /// The value found.
        value: f64,
        /// What is allowed.
        allowed: &'static str,
    },

    /// A part of the warehouse cannot be read (damaged on disk, or not written by chokepoint).
    #[error(
        "the warehouse part {} cannot be read ({reason}); move it out of the warehouse folder, \
         then ingest again {}", path.display(),
        if sources.is_empty() { "the file(s) it was made from".to_string() } else { sources.join(", ") }
    )]
    DamagedPart {
        /// The part file.
        path: PathBuf,
        /// The Parquet reader's explanation.
        reason: String,
        /// The input files it was ingested from, when known.
        sources: Vec<String>,
    },

    /// Some rows were rejected in strict mode.
    #[error(
        "{rejected} row(s) rejected; first: {first}{} Fix the file, or pass --skip-bad to store the good rows and write rejects to a file",
        sentence_end(first)
    )]
    Rejected {
        /// How many rows were rejected.
        rejected: u64,
        /// The first rejection (file:line: reason).
        first: Box<StoreError>,
    },
    /// An input file changed while it was read (a download still being written, or a file
    /// rewritten): its rows would be neither version of it.
    #[error(
        "{} changed while it was being ingested ({opened} bytes when opened, {read} read{}): \
         nothing was stored; ingest it again once it is complete",
        path.display(),
        now.map(|n| format!(", {n} now")).unwrap_or_default()
    )]
    FileChanged {
        /// The file.
        path: PathBuf,
        /// Its size when opened.
        opened: u64,
        /// The bytes read.
        read: u64,
        /// Its size after reading (`None`: gone).
        now: Option<u64>,
    },
}

/// " (column 6, `quantity_t`)": where the cell at fault is, by the column's position (as a
/// spreadsheet counts them) and name; "" when no column is at fault.
fn column_text(column: Option<&str>, field: Option<usize>) -> String {
    match (column, field) {
        (Some(c), Some(n)) => format!(" (column {n}, `{c}`)"),
        (Some(c), None) => format!(" (column `{c}`)"),
        (None, _) => String::new(),
    }
}

/// The full stop after a message, unless it ends a sentence already ("is this not a CSV
/// file?." read oddly).
fn sentence_end(message: &impl std::fmt::Display) -> &'static str {
    let text = message.to_string();
    if text.ends_with(['.', '?', '!']) {
        ""
    } else {
        "."
    }
}

/// The I/O error under a Parquet error (a full disk while a part is written), if any.
fn parquet_io(e: &datafusion::parquet::errors::ParquetError) -> Option<&std::io::Error> {
    match e {
        datafusion::parquet::errors::ParquetError::External(b) => b.downcast_ref(),
        _ => None,
    }
}

/// Whether the user can fix an I/O error where it happened (a missing file, a full disk).
fn fixable_io(e: &std::io::Error) -> bool {
    chokepoint_model::io_error_is_users(e.kind())
}

/// " (did you mean `magnets`?)" when one of the `known` names (comma-separated) is near
/// `found` (a misspelling or a singular), "" otherwise.
fn did_you_mean(found: &str, known: &str) -> String {
    known
        .split(", ")
        .map(|k| {
            (
                strsim::jaro_winkler(&found.trim().to_ascii_lowercase(), k),
                k,
            )
        })
        .filter(|(score, _)| *score >= 0.9)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

/// What to do about a file the user gave that cannot be read.
fn read_advice(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::NotFound => "; check the path",
        std::io::ErrorKind::PermissionDenied => "; check its permissions",
        _ => "; give the path of a readable regular file",
    }
}

/// What to do about an I/O error the user can fix where it happened ("" otherwise).
fn io_advice(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
            "; free space on that disk (or give --data-dir on another) and run the command \
             again: nothing was stored"
        }
        std::io::ErrorKind::ReadOnlyFilesystem => {
            "; the disk is mounted read-only: give --data-dir on a writable one"
        }
        _ => "",
    }
}

impl StoreError {
    /// True when the user can fix the cause (bad file, bad argument): exit code 2, HTTP 4xx.
    pub fn is_user_error(&self) -> bool {
        match self {
            StoreError::Invalid(_)
            | StoreError::Argument(_)
            | StoreError::ReadFile { .. }
            | StoreError::ParamsSyntax { .. }
            | StoreError::Param { .. }
            | StoreError::BadRow { .. }
            | StoreError::UnknownFormat { .. }
            | StoreError::MissingColumn { .. }
            | StoreError::Query { .. }
            | StoreError::UnknownTable { .. }
            | StoreError::ReadOnly { .. }
            | StoreError::TooLarge { .. }
            | StoreError::TooDeep { .. }
            | StoreError::UnknownProduct { .. }
            | StoreError::UnknownSource { .. }
            | StoreError::DamagedPart { .. }
            | StoreError::Rejected { .. }
            | StoreError::FileChanged { .. } => true,
            // A missing input file is the user's; a failing warehouse write is not.
            StoreError::Io { source, .. } => fixable_io(source),
            StoreError::Parquet { source, .. } => parquet_io(source).is_some_and(fixable_io),
            StoreError::Engine(_) | StoreError::Arrow(_) | StoreError::Bundled { .. } => false,
        }
    }

    /// An input file the user gave could not be opened or read: whatever the cause, the
    /// user's to fix (a symbolic-link loop or a device exited 1, as an internal error).
    pub(crate) fn read_input(path: impl Into<PathBuf>, source: std::io::Error) -> StoreError {
        StoreError::ReadFile {
            path: path.into(),
            source,
        }
    }

    /// Wraps an I/O error with the path it concerns.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }

    /// Wraps a Parquet error with the file it concerns.
    pub(crate) fn parquet(
        path: impl Into<PathBuf>,
        source: datafusion::parquet::errors::ParquetError,
    ) -> StoreError {
        StoreError::Parquet {
            path: path.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Procurement review: `magnet` was refused with the list only, while scenarios take it.
    #[test]
    fn an_unknown_product_near_a_known_one_names_it() {
        let e = StoreError::UnknownProduct {
            found: "magnet".into(),
            known: "graphite, magnets, rare-earths".into(),
        };
        assert!(e.to_string().contains("did you mean `magnets`?"), "{e}");
        let e = StoreError::UnknownProduct {
            found: "copper".into(),
            known: "graphite, magnets, rare-earths".into(),
        };
        assert!(!e.to_string().contains("did you mean"), "{e}");
    }

    /// A full disk is the user's to fix (exit 2), and the message says how; the part being
    /// written fails the same way through Parquet's error.
    #[test]
    fn a_full_disk_says_how_to_fix_it() {
        let full = || std::io::Error::from(std::io::ErrorKind::StorageFull);
        let e = StoreError::io("/data/tmp/x.parquet", full());
        assert!(e.is_user_error());
        assert!(e.to_string().contains("free space on that disk"), "{e}");
        let e = StoreError::parquet(
            "/data/tmp/x.parquet",
            datafusion::parquet::errors::ParquetError::External(Box::new(full())),
        );
        assert!(e.is_user_error());
        assert!(e.to_string().contains("nothing was stored"), "{e}");
        let other = StoreError::io("/x", std::io::Error::other("boom"));
        assert!(!other.is_user_error());
    }

    #[test]
    fn store_error_is_send_sync_static() {
        fn assert_bounds<T: Send + Sync + 'static>() {}
        assert_bounds::<StoreError>();
        assert_bounds::<ArgumentError>();
    }

    #[test]
    fn argument_errors_name_flags_or_query_parameters() {
        let e = ArgumentError::EditionNeedsUsgs;
        assert!(e.to_string().starts_with("--edition selects"));
        assert!(e.to_string().contains("use it with --source usgs"));
        let q = e.message(ArgumentSyntax::Query);
        assert!(q.starts_with("edition selects"), "{q}");
        assert!(q.contains("use it with source=usgs"), "{q}");
        let e = ArgumentError::UnknownEdition {
            edition: "MCS2019".into(),
            year: 2024,
            available: vec!["MCS2025".into(), "MCS2026".into()],
        };
        assert_eq!(
            e.to_string(),
            "no USGS edition MCS2019 holds mine production for 2024; editions with 2024: \
             MCS2025, MCS2026"
        );
        assert!(StoreError::from(e).is_user_error());
        let e = ArgumentError::Importer {
            found: "U5A".into(),
        };
        assert_eq!(e.argument(), "importer");
        assert!(
            e.message(ArgumentSyntax::Query)
                .starts_with("importer \"U5A\"")
        );
    }

    #[test]
    fn bad_row_names_file_line_and_column() {
        let e = StoreError::BadRow {
            path: "x.csv".into(),
            line: 7,
            column: Some("netWgt".into()),
            field: None,
            reason: "not a number: `abc`".into(),
        };
        assert_eq!(
            e.to_string(),
            "x.csv:7: not a number: `abc` (column `netWgt`)"
        );
        let e = StoreError::BadRow {
            path: "x.csv".into(),
            line: 7,
            column: Some("netWgt".into()),
            field: Some(33),
            reason: "not a number: `abc`".into(),
        };
        assert_eq!(
            e.to_string(),
            "x.csv:7: not a number: `abc` (column 33, `netWgt`)"
        );
        assert!(e.is_user_error());
    }

    /// F22: "is this not a CSV file?. Fix the file" doubled its punctuation.
    #[test]
    fn a_rejected_row_message_ending_a_sentence_gets_no_second_stop() {
        let rejected = |reason: &str| StoreError::Rejected {
            rejected: 1,
            first: Box::new(StoreError::BadRow {
                path: "f.csv".into(),
                line: 2,
                column: None,
                field: None,
                reason: reason.into(),
            }),
        };
        let e = rejected("is this not a CSV file?").to_string();
        assert!(e.contains("CSV file? Fix the file"), "{e}");
        let e = rejected("not a number").to_string();
        assert!(e.contains("not a number. Fix the file"), "{e}");
    }
}
