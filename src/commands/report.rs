//! `chokepoint report`: run a scenario and write a self-contained HTML report.

use std::path::Path;

use crate::cli::ReportArgs;
use crate::exit::UserError;

/// Writes the report.
pub fn run(_data_dir: Option<&Path>, args: &ReportArgs) -> anyhow::Result<()> {
    Err(UserError(format!(
        "cannot report on {}: this build has no simulation engine yet",
        args.scenario.display()
    ))
    .into())
}
