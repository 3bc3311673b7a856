//! Typed errors, each naming the record, field or file it is about.

use std::path::PathBuf;

/// Why an entry set could not be built, loaded or saved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetError {
    /// More records than IP Office's external directory holds.
    #[error(
        "the directory would hold {count} records, more than the {limit} IP Office imports; refusing to serve it"
    )]
    TooManyRecords {
        /// Records in the set.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A record with an empty `cn`.
    #[error("directory record {index}: cn is empty")]
    EmptyName {
        /// Position of the record in the set (0-based).
        index: usize,
    },
    /// A record with an empty `telephoneNumber`.
    #[error("directory record {cn:?}: telephoneNumber is empty")]
    EmptyNumber {
        /// The record's `cn`.
        cn: String,
    },
    /// Two records whose `cn` compare equal (LDAP compares `cn` ignoring case and extra
    /// spaces, so both would have the same DN).
    #[error("directory records {first:?} and {second:?} have the same cn as LDAP compares it")]
    DuplicateName {
        /// The first record's `cn`.
        first: String,
        /// The second record's `cn`.
        second: String,
    },
    /// A directory entry whose number cannot be written in IP Office directory notation.
    #[error("directory entry {cn:?}: telephoneNumber cannot be written for IP Office: {reason}")]
    Number {
        /// The entry's name.
        cn: String,
        /// What the number model said.
        reason: String,
    },
    /// Reading or writing the set's file failed.
    #[error("directory entry set file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The set's file is not the JSON this crate writes.
    #[error("directory entry set file {path}: not a valid entry set: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// The set's file was written by a newer format.
    #[error(
        "directory entry set file {path}: format {found} is not known (this build reads {known})"
    )]
    Format {
        /// The file.
        path: PathBuf,
        /// The format number found.
        found: u32,
        /// The format number this build reads.
        known: u32,
    },
}

/// A configuration that cannot be served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The base DN is not a DN.
    #[error("base_dn {0:?} is not a valid distinguished name")]
    BaseDn(String),
    /// The bind DN is not a DN.
    #[error("bind_dn {0:?} is not a valid distinguished name")]
    BindDn(String),
    /// Neither a bind user nor anonymous access: no client could ever search.
    #[error("neither a bind user nor allow_anonymous is configured: no client could search")]
    NoAccess,
    /// A limit set to zero.
    #[error("{field} must be at least 1")]
    Zero {
        /// The field.
        field: &'static str,
    },
    /// The TLS certificate or key could not be used.
    #[error("TLS {what} {path}: {reason}")]
    Tls {
        /// `certificate` or `private key`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The configuration is not usable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The listener could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: std::net::SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
}
