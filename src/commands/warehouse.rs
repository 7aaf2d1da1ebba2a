//! Opening the warehouse for a command: the data directory and a Tokio runtime.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chokepoint_store::Warehouse;
use chokepoint_store::indicators::FlowQuery;

use crate::cli::FlowArgs;

/// A runtime plus the opened warehouse; commands `block_on` the store's async calls.
pub struct Opened {
    /// Runs the store's async calls.
    pub runtime: tokio::runtime::Runtime,
    /// The warehouse.
    pub warehouse: Warehouse,
}

/// The data directory: `--data-dir`/`CHOKEPOINT_DATA_DIR`, else the per-user default.
pub fn data_dir(given: Option<&Path>) -> PathBuf {
    given.map_or_else(chokepoint_store::default_data_dir, Path::to_path_buf)
}

/// Refuses an output the user named (`what`: how they named it, e.g. `--out report.html`)
/// that is one of the command's `inputs` or lies inside the data directory: the one guard
/// of every command that writes a file or folder ([`chokepoint_store::check_output_path`]).
pub fn check_output(
    what: &str,
    path: &Path,
    inputs: &[&Path],
    given: Option<&Path>,
) -> anyhow::Result<()> {
    // A file output that names a folder failed only when written, after the work
    // (`calibrate --out out` ran its whole fit first; adversarial review).
    let named_as_folder = path.as_os_str().to_string_lossy().ends_with('/');
    if path.is_dir() || named_as_folder {
        return Err(crate::exit::UserError(format!(
            "{what} is a folder; give the name of a file to write (in it or elsewhere)"
        ))
        .into());
    }
    Ok(chokepoint_store::check_output_path(
        what,
        path,
        inputs,
        &data_dir(given),
    )?)
}

/// Whether two paths name the same place once resolved: `./a.html`, `sub/../a.html` and
/// an absolute path to it compared as text as three places (adversarial review).
pub fn same_path(a: &Path, b: &Path) -> bool {
    let resolve = |p: &Path| -> Option<std::path::PathBuf> {
        let absolute = std::path::absolute(p).ok()?;
        let mut out = std::path::PathBuf::new();
        for c in absolute.components() {
            match c {
                std::path::Component::ParentDir => {
                    out.pop();
                }
                std::path::Component::CurDir => {}
                other => out.push(other),
            }
        }
        // Through symbolic links where the place exists.
        Some(out.canonicalize().unwrap_or(out))
    };
    resolve(a).is_some_and(|x| resolve(b) == Some(x))
}

/// [`check_output`] for an output folder ([`chokepoint_store::check_output_folder`]).
pub fn check_output_folder(
    what: &str,
    dir: &Path,
    inputs: &[&Path],
    given: Option<&Path>,
) -> anyhow::Result<()> {
    Ok(chokepoint_store::check_output_folder(
        what,
        dir,
        inputs,
        &data_dir(given),
    )?)
}

/// The stack of the runtime's threads: DataFusion plans recursively, and the deepest query
/// the store accepts ([`chokepoint_store::warehouse::MAX_NESTING`]) is measured to plan within
/// 2 MiB in a debug build; 8 MiB (as the main thread, where the CLI plans) leaves a margin.
const THREAD_STACK_BYTES: usize = 8 << 20;

/// The multi-threaded runtime the store's queries run on (the CLI's and the server's).
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(THREAD_STACK_BYTES)
        .build()
        .context("starting the async runtime")
}

/// Opens (and on first use creates) the warehouse.
pub fn open(given: Option<&Path>) -> anyhow::Result<Opened> {
    let runtime = runtime()?;
    let dir = data_dir(given);
    let warehouse = runtime
        .block_on(Warehouse::open(&dir))
        .with_context(|| format!("opening the warehouse in {}", dir.display()))?;
    Ok(Opened { runtime, warehouse })
}

/// The store's flow query from the shared flow arguments.
pub fn flow_query(args: &FlowArgs, partner: Option<chokepoint_model::Iso3>) -> FlowQuery {
    FlowQuery {
        reporter: args.reporter,
        flow: args.flow,
        product: args.product.clone(),
        partner,
        source: args.source.clone(),
    }
}
