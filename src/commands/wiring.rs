//! Builds the server's state from the library crates: the warehouse and the engine.

use std::path::Path;

use chokepoint_server::{AppState, Limits};

/// The state `chokepoint serve` runs with.
pub fn state(_data_dir: Option<&Path>, limits: Limits) -> anyhow::Result<AppState> {
    Ok(AppState::new(limits))
}
