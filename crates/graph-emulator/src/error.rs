//! The crate's error type.

/// What went wrong starting or scripting the emulator. Never carries a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// Binding or serving the loopback socket failed.
    #[error("graph emulator I/O: {0}")]
    Io(#[from] std::io::Error),
    /// A seed or fixture file could not be read or parsed.
    #[error("graph emulator seed {source_name}: {message}")]
    Seed {
        /// The file or seed part.
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// A mutation named an object the tenant does not hold.
    #[error("{kind} {id} not found in the emulated tenant")]
    NotFound {
        /// `"user"`, `"group"`, `"directory object"`.
        kind: &'static str,
        /// The id asked for.
        id: String,
    },
    /// A mutation would create something that already exists, or a cycle of nested groups.
    #[error("{kind} {id}: {message}")]
    Conflict {
        /// `"user"`, `"group"`...
        kind: &'static str,
        /// The id.
        id: String,
        /// What it conflicts with.
        message: String,
    },
}
