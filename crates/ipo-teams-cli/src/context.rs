//! What every subcommand's `run` gets: the command line's global options and the
//! configuration file, read and checked.

use std::io::IsTerminal;

use sync_engine::Style;

use crate::cli::Cli;
use crate::error::CliError;
use crate::file_config::Loaded;
use crate::secrets::{self, Secrets};

/// The command line and its configuration file.
pub struct Context<'a> {
    /// The parsed command line (`--json`, `--quiet`, `--html`...).
    pub cli: &'a Cli,
    /// The configuration file, its relative paths resolved.
    pub loaded: Loaded,
}

impl Context<'_> {
    /// The Graph client secret and the IP Office password (`serve-directory` needs neither).
    pub fn secrets(&self) -> Result<Secrets, CliError> {
        let config = &self.loaded.config;
        secrets::read(
            config.graph.client_secret_file.as_deref(),
            config.ipo.password_file.as_deref(),
        )
    }

    /// Colour when standard output is a terminal.
    pub fn style(&self) -> Style {
        Style {
            color: std::io::stdout().is_terminal(),
        }
    }
}
