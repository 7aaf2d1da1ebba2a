//! Indicator queries over the `trade` table. Each returns plain `Serialize` rows: the
//! server turns them into JSON, the CLI into tables.
//!
//! All share [`series`]: fetch one reporter/flow/product from the warehouse, then apply the
//! rules that keep sources from adding up (see there).

pub mod anomalies;
pub mod partners;
pub mod series;
pub mod trends;

pub use series::FlowQuery;
