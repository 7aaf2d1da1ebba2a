//! The trade monitor's data layer: readers of customs files (UN Comtrade+, CEPII BACI,
//! tidy CSV, the bundled rare-earth dataset), the Parquet warehouse behind one DataFusion
//! session, and the indicator queries (trends, partners, anomalies).
//!
//! What it leaves to others: the engine (`chokepoint-sim`, which never sees DataFusion),
//! printing and exit codes (the binary), HTTP (the server).
//!
//! Main types: [`Warehouse`] (open a data directory, run read-only SQL, ingest files),
//! [`ProductSelector`] (`--product` values), and the indicator functions in [`indicators`],
//! which return plain `Serialize` rows.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let dir = tempfile::tempdir().unwrap();
//! let wh = chokepoint_store::Warehouse::open(dir.path()).await.unwrap();
//! let batches = wh
//!     .sql("SELECT quantity_t FROM trade WHERE reporter_iso3 = 'CHN' AND product = 'rare-earths' \
//!           AND flow = 'export' AND period = '2025-05'")
//!     .await
//!     .unwrap();
//! let rows = chokepoint_store::batches_to_json_rows(&batches);
//! assert_eq!(rows[0]["quantity_t"], 5864.6);
//! # });
//! ```

pub mod bundled;
mod capped;
mod error;
pub mod indicators;
pub mod json;
pub mod products;
pub mod schema;
pub mod session;
mod shared_cte;
pub mod sources;
pub mod warehouse;

pub use error::{ArgumentError, ArgumentSyntax, StoreError};
pub use json::{JsonRow, batches_to_json_rows};
pub use products::ProductSelector;
pub use warehouse::ingest::{IngestOptions, IngestReport, Progress};
pub use warehouse::{
    RestCount, RetractReport, RowStream, SourceRow, Warehouse, check_output_folder,
    check_output_path, contents_stamp, default_data_dir, utc_now_text,
};
