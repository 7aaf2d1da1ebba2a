//! Parse errors of the shared identifiers.

/// A value that is not a valid identifier of its kind; the message lists what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// Not a country or area code (see [`crate::Iso3`]).
    #[error("invalid ISO-3 code `{found}`: {why}")]
    Iso3 {
        /// The text given.
        found: String,
        /// What is wrong and what to give instead.
        why: &'static str,
    },
    /// Not an HS code made of 2 to 10 digits.
    #[error(
        "invalid HS code `{found}`: expected 2 to 10 digits, dots allowed (e.g. 850511, 2846.90)"
    )]
    HsCode {
        /// The text given.
        found: String,
    },
    /// An HS code written as a decimal number (`850511.0`), as spreadsheets and pandas
    /// write a numeric column; see [`crate::is_decimal_artefact`].
    #[error(
        "`{found}` is an HS code written as a decimal number (a spreadsheet or pandas export of a numeric column): write HS codes as text without decimals, e.g. 850511, or in dotted notation, e.g. 8505.11"
    )]
    HsDecimal {
        /// The text given.
        found: String,
    },
    /// Not a month in one of the accepted forms.
    #[error(
        "invalid month `{found}`: expected YYYY-MM (or YYYYMM) with a year from 1900 to 2200, e.g. 2025-05"
    )]
    Month {
        /// The text given.
        found: String,
    },
    /// Not a period in one of the accepted forms.
    #[error(
        "invalid period `{found}`: expected YYYY, YYYY-MM or YYYY-MM..YYYY-MM with years from 1900 to 2200 (e.g. 2025-05, 2025-01..2025-02)"
    )]
    Period {
        /// The text given.
        found: String,
    },
    /// Not a known stage name.
    #[error("unknown stage `{found}`; expected one of {allowed}")]
    Stage {
        /// The text given.
        found: String,
        /// The names accepted.
        allowed: &'static str,
    },
    /// Not a known trade flow.
    #[error("unknown flow `{found}`; expected one of export, import, re-export, re-import")]
    Flow {
        /// The text given.
        found: String,
    },
    /// Not a known frequency.
    #[error("unknown frequency `{found}`; expected M (monthly) or A (annual)")]
    Frequency {
        /// The text given.
        found: String,
    },
}
