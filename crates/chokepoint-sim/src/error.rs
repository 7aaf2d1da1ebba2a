//! Errors of this crate; each says whether the user can fix it.

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// Input the user supplied is invalid.
    #[error("{0}")]
    Invalid(String),
}

impl SimError {
    /// True when the user can fix the cause (bad file, bad argument): exit code 2, HTTP 4xx.
    pub fn is_user_error(&self) -> bool {
        matches!(self, SimError::Invalid(_))
    }
}
