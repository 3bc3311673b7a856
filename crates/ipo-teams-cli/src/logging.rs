//! Log lines on standard error through `tracing`. On a terminal the progress bar shows the
//! progress, so only warnings are logged by default; elsewhere (cron, systemd, Kubernetes)
//! the progress itself is logged as plain lines at `info`. `-q`, `-v`, `-vv` and `RUST_LOG`
//! change the level.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::cli::Cli;

/// Installs the subscriber once, for the whole process.
pub fn init(cli: &Cli) {
    let terminal = std::io::stderr().is_terminal();
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "warn",
        (false, 0) if terminal => "warn",
        (false, 0) => "info",
        (false, 1) => "debug",
        (false, _) => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(terminal)
        .with_target(false)
        .try_init();
}
