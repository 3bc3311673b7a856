//! Why the program stopped, each with its exit code. Messages name the file and the field;
//! none carries a secret.

use std::path::PathBuf;

use crate::exit;

/// A failure of the program.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// The configuration file cannot be read.
    #[error("configuration file {path}: {source}")]
    ConfigRead {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The configuration file is not there.
    #[error(
        "configuration file {path} not found: give its path with --config FILE (without \
         --config, {default} in the current folder is read)",
        default = crate::cli::DEFAULT_CONFIG
    )]
    ConfigMissing {
        /// The file looked for.
        path: PathBuf,
    },
    /// A section every configuration needs is missing.
    #[error(
        "configuration file {path}: {section} is missing; add it (docs/configuration.md \
         lists its keys)"
    )]
    ConfigSectionMissing {
        /// The file.
        path: PathBuf,
        /// What is missing, as written in the file, e.g. `the [ipo] section`.
        section: &'static str,
    },
    /// The configuration file does not parse (the message has the line, column and the
    /// valid keys).
    #[error("configuration file {path}: {message}")]
    ConfigParse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A setting breaks a rule.
    #[error("configuration file {path}: {field}: {message}")]
    ConfigInvalid {
        /// The file.
        path: PathBuf,
        /// Dotted path of the key, e.g. `sync.rules[1].group`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A key of one `[[sync.rules]]` breaks a rule, named with where it is in the file when
    /// the file writes it.
    #[error(
        "configuration file {path}{}: {field} (rule {rule:?}): {message}",
        .at.map(|p| format!(", {p}")).unwrap_or_default()
    )]
    ConfigRuleInvalid {
        /// The file.
        path: PathBuf,
        /// Where the key is.
        at: Option<crate::key_position::Position>,
        /// Dotted path of the key, e.g. `sync.rules[1].teams.provisioning`.
        field: String,
        /// The rule's name.
        rule: String,
        /// What is wrong.
        message: String,
    },
    /// Secrets not found: all of them are named at once.
    #[error("missing secrets: {}", .0.join("; "))]
    MissingSecrets(Vec<String>),
    /// No state, and the apply was not told this is the first run.
    #[error(
        "no sync state at {path}. A missing state would create every synced user again. \
         If this is the first sync to this IP Office, add --first-run; otherwise restore \
         the state file (or point state_file at it)"
    )]
    NoState {
        /// Where the state was looked for.
        path: PathBuf,
    },
    /// `--first-run` given but the state exists.
    #[error(
        "--first-run given, but a sync state exists at {path}: this is not the first run; \
         leave --first-run out"
    )]
    NotFirstRun {
        /// The state file.
        path: PathBuf,
    },
    /// Another run holds the lock.
    #[error("another ipo-teams run ({holder}) holds the lock {path}; nothing was done")]
    Locked {
        /// The lock file.
        path: PathBuf,
        /// "pid 1234", or "pid unknown".
        holder: String,
    },
    /// The lock file could not be opened or locked.
    #[error("lock file {path}: {source}")]
    LockIo {
        /// The lock file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A client could not be set up.
    #[error("{0}")]
    Setup(String),
    /// The sync itself failed.
    #[error(transparent)]
    Sync(#[from] sync_engine::SyncError),
    /// The command line asks for something the command does not do (clap's own usage
    /// errors exit with the same code).
    #[error("{0}")]
    Usage(String),
    /// Writing the output failed.
    #[error("writing the output: {0}")]
    Output(String),
}

impl CliError {
    /// The exit code for this failure (see [`crate::exit`]).
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Locked { .. } => exit::LOCKED,
            CliError::Usage(_) => exit::USAGE,
            _ => exit::FAILURE,
        }
    }
}
