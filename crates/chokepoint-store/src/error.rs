//! Errors of this crate; each says whether the user can fix it.

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Input the user supplied is invalid.
    #[error("{0}")]
    Invalid(String),
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    ReadFile {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The criticality parameter file is not valid TOML or has an unknown key.
    #[error("{}:{line}:{column}: {message} (see data/rare-earths/criticality_params.toml for the layout)", path.display())]
    ParamsSyntax {
        /// The file.
        path: std::path::PathBuf,
        /// 1-based line (0 when the parser gave no position).
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// A criticality parameter is out of its range.
    #[error("{}: {field} = {value} is out of range; expected {allowed}", path.display())]
    Param {
        /// The file.
        path: std::path::PathBuf,
        /// The parameter path.
        field: String,
        /// The value found.
        value: f64,
        /// What is allowed.
        allowed: &'static str,
    },
}

impl StoreError {
    /// True when the user can fix the cause (bad file, bad argument): exit code 2, HTTP 4xx.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            StoreError::Invalid(_)
                | StoreError::ReadFile { .. }
                | StoreError::ParamsSyntax { .. }
                | StoreError::Param { .. }
        )
    }
}
