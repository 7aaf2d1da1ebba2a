//! Identifiers and units shared by every chokepoint crate: ISO-3 country and region codes,
//! HS codes, supply-chain stages, year-month periods and trade flows, and where a byte of a
//! source text is (for error messages), and how a real is rounded in JSON. The only I/O is
//! [`read_small_text`], the capped read every scenario and parameter file goes through.
//!
//! Other crates exchange these plain types instead of strings: the store reads files into
//! them, the engine receives them as facts, the server serialises them.
//!
//! ```
//! use chokepoint_model::{Iso3, Period, Stage};
//! let china: Iso3 = "CHN".parse().unwrap();
//! assert_eq!(china.as_str(), "CHN");
//! let may: Period = "2025-05".parse().unwrap();
//! assert_eq!(may.to_string(), "2025-05");
//! assert_eq!("magnets".parse::<Stage>().unwrap(), Stage::Magnets);
//! ```

mod country;
mod error;
mod hs;
mod io_kind;
mod iso3166;
mod number;
mod period;
mod small_file;
mod stage;
mod text;
mod toml_locate;
mod trade;

pub use country::{EU_MEMBERS, Iso3, PartnerKind, group_name, is_unlisted_code};
pub use error::ModelError;
pub use hs::{HsCode, hs_digits, is_decimal_artefact};
pub use io_kind::io_error_is_users;
pub use iso3166::is_iso3166_country;
pub use number::json_round;
pub use period::{Period, YEARS, YearMonth, parse_data_year, parse_year};
pub use small_file::{MAX_SMALL_FILE_BYTES, read_small_text};
pub use stage::Stage;
pub use text::{line_column, shorten};
pub use toml_locate::{key_token_at, toml_key_at, toml_locate};
pub use trade::{Flow, Frequency};
