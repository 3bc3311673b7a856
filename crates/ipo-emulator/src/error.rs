//! The crate's error type.

use crate::record::WireError;

/// What can go wrong starting or scripting the emulator. Messages name the record and the
/// rule, never a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// The loopback listener could not be opened.
    #[error("cannot listen on 127.0.0.1: {0}")]
    Bind(#[source] std::io::Error),
    /// The TLS configuration could not be built from the fixture certificate.
    #[error("TLS set-up failed: {0}")]
    Tls(String),
    /// A seed file or seed record is not usable.
    #[error("seed {what}: {reason}")]
    Seed {
        /// Which record or file.
        what: String,
        /// Why.
        reason: String,
    },
    /// A write through the Rust API was refused with the same errors the wire would give.
    #[error("{record} refused: {}", summary(.errors))]
    Rejected {
        /// The record, e.g. `user Ann`.
        record: String,
        /// Every problem found, as the wire reports them.
        errors: Vec<WireError>,
    },
}

fn summary(errors: &[WireError]) -> String {
    errors
        .iter()
        .map(|e| format!("{} ({})", e.code, e.desc))
        .collect::<Vec<_>>()
        .join("; ")
}

impl EmulatorError {
    /// The wire error codes of a [`EmulatorError::Rejected`], empty otherwise.
    pub fn codes(&self) -> Vec<&str> {
        match self {
            EmulatorError::Rejected { errors, .. } => {
                errors.iter().map(|e| e.code.as_str()).collect()
            }
            _ => Vec::new(),
        }
    }
}
