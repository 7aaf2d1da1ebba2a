//! The one place that maps errors to exit codes: 0 ok, 2 bad input, 1 internal error,
//! 130 stopped by Ctrl-C.

use std::process::ExitCode;

/// Marks an error as the user's fault (bad input, bad arguments): exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UserError(pub String);

/// The user stopped the work with Ctrl-C after what was done so far was saved: exit code
/// 130, as shells report an interrupt.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Interrupted(pub String);

/// Whether any error in the chain says the user is at fault.
///
/// Library error types answer through [`is_user_error`]; a broken pipe (`… | head`) is not an
/// error at all.
fn classify(err: &anyhow::Error) -> Option<u8> {
    for cause in err.chain() {
        let io = cause.downcast_ref::<std::io::Error>().or_else(|| {
            // The csv writer's error does not give its I/O error as a source.
            match cause.downcast_ref::<csv::Error>().map(csv::Error::kind) {
                Some(csv::ErrorKind::Io(io)) => Some(io),
                _ => None,
            }
        });
        if io.is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) {
            return None;
        }
    }
    if err.chain().any(|cause| cause.is::<Interrupted>()) {
        return Some(130);
    }
    Some(if is_user_error(err) { 2 } else { 1 })
}

/// True when the error chain holds an error the user can fix. Besides the library errors
/// that say so, that is a file-system error about a path the user named: a folder where a
/// file was asked for (or the reverse), a file that exists or is missing, no permission.
pub fn is_user_error(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| chokepoint_model::io_error_is_users(io.kind()))
            || cause.is::<UserError>()
            || cause.is::<clap::Error>()
            || cause.is::<chokepoint_model::ModelError>()
            || cause
                .downcast_ref::<chokepoint_store::StoreError>()
                .is_some_and(|e| e.is_user_error())
            || cause
                .downcast_ref::<chokepoint_sim::SimError>()
                .is_some_and(|e| e.is_user_error())
    })
}

/// Makes a closed standard output (`chokepoint demo | head`) end the program quietly with
/// exit code 0, as a broken pipe returned as an error does: `println!` panics on it.
/// Unless `serving`, a panic in the query engine's code while a query runs, which the query
/// catches and reports as its error (with the panic's text, exit 2), is not printed as well. Every other panic goes to the
/// default hook.
pub fn install_panic_hook(serving: bool) {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        // Only a panic in the engine's own code while a query runs comes back as that
        // query's error; any other is a bug to show. The server runs queries side by side,
        // so a count of live queries does not tell whose panic it is: it keeps the default
        // hook's report.
        let in_engine = info.location().is_some_and(|l| {
            ["/arrow", "/datafusion", "/parquet"]
                .iter()
                .any(|c| l.file().contains(c))
        });
        if !serving && in_engine && chokepoint_store::warehouse::engine_panics_caught() {
            return;
        }
        default(info);
    }));
}

/// The cause chain on one line, without the causes whose text the cause before already
/// holds (a wrapper often repeats its source: `file: reason`, then `reason`).
fn one_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !parts.last().is_some_and(|before| before.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

/// Prints the whole cause chain on one line and picks the exit code.
pub fn report(err: &anyhow::Error) -> ExitCode {
    match classify(err) {
        None => ExitCode::SUCCESS,
        Some(code) => {
            stderr_line!("error: {}", one_line(err));
            ExitCode::from(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_repeated_by_its_wrapper_is_printed_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let err = anyhow::Error::new(io).context("x.csv: No such file");
        assert_eq!(one_line(&err), "x.csv: No such file");
        let err = anyhow::anyhow!("bad month").context("reading x.csv");
        assert_eq!(one_line(&err), "reading x.csv: bad month");
    }
}
