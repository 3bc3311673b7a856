//! `ipo-teams`, the administrator's program for the Azure AD to Avaya IP Office sync.
//!
//! Installed with `cargo install --path crates/ipo-teams-cli` (binary `ipo-teams`):
//!
//! ```sh
//! export IPO_TEAMS_CLIENT_SECRET=...   # or graph.client_secret_file in the configuration
//! export IPO_TEAMS_IPO_PASSWORD=...    # or ipo.password_file
//! ipo-teams --config /etc/ipo-teams/sync.toml check
//! ipo-teams --config /etc/ipo-teams/sync.toml plan
//! ipo-teams --config /etc/ipo-teams/sync.toml apply --first-run   # the very first apply
//! ipo-teams --config /etc/ipo-teams/sync.toml run --every 40m     # scheduled mode
//! ipo-teams --config /etc/ipo-teams/sync.toml serve-directory     # LDAP for IP Office
//! ```
//!
//! Without `--config` it reads `sync.toml` in the current folder. The exit codes a
//! scheduler can rely on are described in `docs/deployment.md` ("Exit codes"). The program is
//! a binary only: its tests drive it as a process (`tests/`), and check the repository's
//! samples with its own definitions (`src/repo_files/`).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod apply;
mod check;
mod classify;
mod cli;
mod commands;
mod connect;
mod context;
mod directory_config;
mod error;
mod exit;
mod explain;
mod file_config;
mod interval;
mod key_position;
mod lock;
mod logging;
mod one_shot;
mod output;
mod plan;
mod progress;
#[cfg(test)]
mod repo_files;
mod reviewed;
mod schedule;
mod secrets;
mod serve;
mod shutdown;
mod state_file;
mod words;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use crate::cli::Cli;

/// How long the exit waits, at most, for log lines still queued.
const LOG_FLUSH: Duration = Duration::from_millis(500);

/// Runs the program with the process's arguments and returns its exit code.
fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init(&cli);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            output::print_error(&format!("error: cannot start the async runtime: {e}\n"));
            return ExitCode::from(exit::FAILURE);
        }
    };
    let code = match runtime.block_on(commands::dispatch(&cli)) {
        Ok(code) => code,
        Err(e) => {
            logging::flush(LOG_FLUSH);
            output::print_error(&format!("error: {e}\n"));
            e.exit_code()
        }
    };
    // The last log lines out, unless nobody reads them: then the exit waits no longer.
    logging::flush(LOG_FLUSH);
    ExitCode::from(code)
}
