//! The crate's error type.

use ipo_model::ApiError;

/// Why a call to IP Office failed. Messages name the record and field where there is one;
/// they never carry the password, a session cookie, a login code or a voicemail code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IpoError {
    /// The service user's login was refused. Never retried automatically: IP Office locks
    /// the account after 3 failed logins within 10 minutes.
    #[error(
        "IP Office login refused ({detail}); not retried, because IP Office locks the account after 3 failed logins within 10 minutes"
    )]
    LoginFailed {
        /// What IP Office answered (status and error code, never the credentials).
        detail: String,
    },
    /// The server could not be reached, or kept failing after the allowed retries.
    #[error("IP Office unreachable: {0}")]
    Transport(String),
    /// A create (POST) that may have reached IP Office failed without an answer saying it
    /// was not processed (the connection dropped after sending, a timeout, a 502, 504 or
    /// other 5xx without an answer envelope), so it was not resent: a second POST could make
    /// a second record, or be refused as a duplicate of the first. Read back before writing
    /// again. The sync does: its pending-create journal (`SyncState::pending` in
    /// `ipo-sync-engine`) keeps the create until a definite answer, and the next run's
    /// planner finds the record by name and extension, adopting it instead of creating it
    /// again. Updates and deletes are resent instead (see docs/ipo-wire.md, "Retries").
    #[error(
        "{request} may or may not have been carried out, so it was not resent (read back before writing again): {cause}"
    )]
    Unconfirmed {
        /// The method and the resource, e.g. `POST users`.
        request: String,
        /// What happened: a `Transport` or `Http` error.
        cause: Box<IpoError>,
    },
    /// An HTTP status the client cannot handle.
    #[error("IP Office answered HTTP {status} to {what}")]
    Http {
        /// The status code.
        status: u16,
        /// The request, e.g. `GET users`.
        what: String,
    },
    /// The body is not a Management API envelope (neither XML nor JSON, or broken).
    #[error("malformed IP Office answer to {what}: {detail}")]
    Malformed {
        /// The request or the part being read.
        what: String,
        /// What is wrong (position and reason; no content).
        detail: String,
    },
    /// A record field that identifies the record (`Name`, `GUID`...) breaks a rule.
    #[error("{record}: invalid {field}: {message}")]
    InvalidRecord {
        /// The record, e.g. `User #3` or `user Ann (GUID)`.
        record: String,
        /// The field's wire name.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// IP Office answered `status="0"` with these errors.
    #[error("IP Office refused {what}: {}", .errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Api {
        /// The request.
        what: String,
        /// Every error node.
        errors: Vec<ApiError>,
    },
    /// The TLS handshake with IP Office failed: its certificate was refused under the
    /// configured [`TlsMode`](crate::TlsMode), or the port does not speak TLS the way the
    /// client does. Never retried (a refusal is permanent until the settings change), and
    /// nothing was sent: no HTTP request, so never the password.
    #[error("IP Office TLS handshake failed, not retried: {detail}")]
    TlsRefused {
        /// The request, the whole cause chain (e.g. `invalid peer certificate:
        /// UnknownIssuer`) and what to change in the settings.
        detail: String,
    },
    /// A record names a node (LAN1 address or system `Name`) that the solution's node
    /// listing (`GET systems`) does not have, or that cannot be addressed. Nothing was sent
    /// for the record: it is never written to another node instead.
    #[error("{record}: IP Office node {node:?} {reason}; nothing was sent for it")]
    UnknownNode {
        /// The record, e.g. `user Ann`.
        record: String,
        /// The node value the record carries.
        node: String,
        /// Why it cannot be used, with the nodes the solution lists.
        reason: String,
    },
    /// The TLS settings cannot be used (bad PEM, no certificate...).
    #[error("TLS configuration: {0}")]
    Tls(String),
    /// The client configuration is unusable (bad base URL...).
    #[error("configuration: {0}")]
    Config(String),
    /// System directory changes were asked for but no directory CSV path is configured.
    #[error(
        "system directory not configured: the Management API has no directory resource; set IpoConfig::directory_csv"
    )]
    DirectoryNotConfigured,
    /// Reading or writing the directory CSV file failed.
    #[error("directory file {path}: {detail}")]
    DirectoryFile {
        /// The file.
        path: String,
        /// What went wrong.
        detail: String,
    },
}
