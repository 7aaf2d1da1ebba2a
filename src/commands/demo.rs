//! `chokepoint demo`: the seed story on the bundled data. Grows with each capability.

use std::path::Path;

use crate::cli::DemoArgs;

/// Runs the demo.
pub fn run(_data_dir: Option<&Path>, args: &DemoArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.out)?;
    println!("chokepoint demo: output folder {}", args.out.display());
    super::simulate_controls::demo_section(&args.out)?;
    Ok(())
}
