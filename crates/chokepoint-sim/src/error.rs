//! Errors of this crate; each says whether the user can fix it.

use std::path::PathBuf;

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// Input the user supplied is invalid.
    #[error("{0}")]
    Invalid(String),
    /// A scenario (or network) file has a bad value: which file, which key, what to do.
    #[error("{file}: key `{key}`: {message}")]
    Scenario {
        /// The file.
        file: PathBuf,
        /// Dotted key path, e.g. `export_control[0].approval_share`.
        key: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A scenario (or network) file is not valid TOML.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A network (loaded from a file) is not balanced or not complete.
    #[error("network: {0}")]
    Network(String),
    /// The facts handed over to build the bundled chain are incomplete (a data problem).
    #[error("chain facts: {0}")]
    Facts(String),
    /// An engine invariant broke (mass balance, negative stock): a bug, never the user's fault.
    #[error("step {step}: invariant broken: {message}")]
    Step {
        /// Day index.
        step: usize,
        /// Which invariant.
        message: String,
    },
}

impl SimError {
    /// True when the user can fix the cause (bad file, bad argument): exit code 2, HTTP 4xx.
    pub fn is_user_error(&self) -> bool {
        match self {
            SimError::Invalid(_)
            | SimError::Scenario { .. }
            | SimError::Syntax { .. }
            | SimError::Network(_) => true,
            SimError::Io { source, .. } => matches!(
                source.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied
            ),
            SimError::Facts(_) | SimError::Step { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_send_sync_static() {
        fn check<T: Send + Sync + 'static>() {}
        check::<SimError>();
    }
}
