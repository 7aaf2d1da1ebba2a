//! Readers (Comtrade+, BACI, tidy CSV, bundled data), the Parquet warehouse, the one
//! DataFusion session, and the indicator queries. The engine lives in `chokepoint-sim`.

mod error;
pub mod indicators;
pub use error::StoreError;
