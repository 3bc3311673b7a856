//! Errors of the sync engine.

use ipo_model::PortError;

/// A configuration that cannot be used; names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The TOML does not parse or has unknown keys.
    #[error("configuration does not parse: {0}")]
    Parse(String),
    /// A field breaks a rule.
    #[error("configuration field {field}: {message}")]
    Invalid {
        /// Dotted path of the field, e.g. `rules[2].provisioning_rule`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A key of one group rule breaks a rule.
    #[error("configuration field rules[{index}].{key} (rule {rule:?}): {message}")]
    InvalidRule {
        /// The rule's place in `rules`, from 0.
        index: usize,
        /// The rule's name ([`GroupRule::label`](crate::GroupRule::label)).
        rule: String,
        /// The key inside the rule, dotted, e.g. `teams.provisioning`.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// Reading or writing the sync state failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// File system error, with the path.
    #[error("state file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not valid state.
    #[error("state file {path} is corrupt: {message}")]
    Corrupt {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// A sync run that could not complete.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// Invalid configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The directory could not be read.
    #[error("reading the directory failed: {0}")]
    Directory(PortError),
    /// IP Office could not be read.
    #[error("reading IP Office failed: {0}")]
    Ipo(PortError),
    /// Teams (who holds the tenant's numbers, a former member's set-up) could not be read.
    #[error("reading Teams failed: {0}")]
    Teams(PortError),
    /// State could not be loaded or saved.
    #[error(transparent)]
    State(#[from] StateError),
    /// `explain` was asked about someone the directory does not know.
    #[error("no Azure AD user {0}")]
    UnknownPerson(String),
    /// The plan reviewed ([`RunOptions::reviewed`](crate::RunOptions::reviewed)) is not the
    /// plan the inputs give now: nothing was written.
    #[error("the plan reviewed is not the plan the inputs give now: {0}")]
    PlanChanged(String),
}
