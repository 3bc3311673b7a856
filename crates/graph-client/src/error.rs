//! The one error type of the crate, Graph error bodies, and the mapping to the port error.

use std::time::Duration;

use ipo_model::PortError;
use serde::Deserialize;

/// How much of an undecodable body an error keeps.
pub const BODY_SNIPPET_LEN: usize = 512;

/// The `error` object of a Graph error body (`{"error":{"code","message","innerError"}}`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct GraphErrorBody {
    /// `code`, e.g. `Request_ResourceNotFound`: branch on this, never on the message.
    pub code: String,
    /// `message`.
    pub message: String,
    /// `innerError.request-id`: quote it to Microsoft support.
    pub request_id: Option<String>,
    /// `innerError.client-request-id`.
    pub client_request_id: Option<String>,
    /// `innerError.date`.
    pub date: Option<String>,
    /// Codes of nested `innerError` objects, outermost first (some services nest the real
    /// reason, e.g. `resyncRequired`, one level down).
    pub inner_codes: Vec<String>,
}

#[derive(Deserialize)]
struct Envelope {
    error: ErrorObject,
}

#[derive(Deserialize)]
struct ErrorObject {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default, rename = "innerError", alias = "innererror")]
    inner: Option<Inner>,
}

#[derive(Deserialize)]
struct Inner {
    #[serde(default)]
    code: Option<String>,
    // Microsoft's documents spell it both ways (`request-id` in most examples,
    // `requestId` in the general error example).
    #[serde(default, rename = "request-id", alias = "requestId")]
    request_id: Option<String>,
    #[serde(default, rename = "client-request-id", alias = "clientRequestId")]
    client_request_id: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default, rename = "innerError", alias = "innererror")]
    inner: Option<Box<Inner>>,
}

impl GraphErrorBody {
    /// Parses a Graph error body; `None` when it is not one.
    pub fn parse(body: &[u8]) -> Option<Self> {
        let env: Envelope = serde_json::from_slice(body).ok()?;
        let mut out = GraphErrorBody {
            code: env.error.code.unwrap_or_default(),
            message: env.error.message.unwrap_or_default(),
            ..Default::default()
        };
        let mut next = env.error.inner;
        let mut depth = 0;
        while let Some(inner) = next
            && depth < 8
        {
            depth += 1;
            out.request_id = out.request_id.or(inner.request_id);
            out.client_request_id = out.client_request_id.or(inner.client_request_id);
            out.date = out.date.or(inner.date);
            if let Some(c) = inner.code {
                out.inner_codes.push(c);
            }
            next = inner.inner.map(|b| *b);
        }
        Some(out)
    }

    /// Whether `code` is this error's code or one of its inner codes (case-insensitive).
    pub fn has_code(&self, code: &str) -> bool {
        self.code.eq_ignore_ascii_case(code)
            || self
                .inner_codes
                .iter()
                .any(|c| c.eq_ignore_ascii_case(code))
    }
}

/// Everything that can go wrong talking to Microsoft Graph. Messages name the URL (token-like
/// query values redacted), the record and the field; never a secret or a token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// The configuration cannot work (bad base URL, empty client id, TLS set-up).
    #[error("invalid Graph client configuration: {0}")]
    Config(String),
    /// Azure AD refused to issue a token (`invalid_client`, AADSTS codes).
    #[error("Azure AD refused the token request: {error}{}: {description}", .aadsts.map(|c| format!(" (AADSTS{c})")).unwrap_or_default())]
    Auth {
        /// OAuth `error`, e.g. `invalid_client`, `unauthorized_client`.
        error: String,
        /// The AADSTS code, e.g. `7000215` for a wrong client secret.
        aadsts: Option<u32>,
        /// `error_description` (Azure AD never puts the secret in it).
        description: String,
    },
    /// Authenticated, but the app lacks an application permission.
    #[error("permission denied on {url}: {code}: {message} (likely missing application permission: {permission}; request-id {})", .request_id.as_deref().unwrap_or("-"))]
    PermissionDenied {
        /// The URL.
        url: String,
        /// Graph's code, e.g. `Authorization_RequestDenied`.
        code: String,
        /// Graph's message.
        message: String,
        /// The permission (or permissions) the endpoint needs, e.g. `GroupMember.Read.All`.
        permission: &'static str,
        /// `request-id`.
        request_id: Option<String>,
    },
    /// The object does not exist (bad group id, deleted user).
    #[error("not found: {what} ({code}; request-id {})", .request_id.as_deref().unwrap_or("-"))]
    NotFound {
        /// What was asked for, e.g. `group 02bd9fd6-...`.
        what: String,
        /// Graph's code, e.g. `Request_ResourceNotFound`.
        code: String,
        /// `request-id`.
        request_id: Option<String>,
    },
    /// Graph answered an error status with (or without) an error body.
    #[error("Graph answered {status} for {url}: {}: {} (request-id {})", .body.code, .body.message, .body.request_id.as_deref().unwrap_or("-"))]
    Api {
        /// HTTP status.
        status: u16,
        /// The URL.
        url: String,
        /// The parsed error body (empty code and message when there was none); boxed to keep
        /// `Result<_, GraphError>` small.
        body: Box<GraphErrorBody>,
    },
    /// Still throttled or unavailable after every retry the policy allows.
    #[error(
        "Graph kept answering {status} for {url}: gave up after {attempts} attempts and {waited:?} of waiting"
    )]
    Throttled {
        /// The last status (429, 503, 504).
        status: u16,
        /// The URL.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// Time spent waiting between them.
        waited: Duration,
    },
    /// The connection failed or timed out (after retries).
    #[error("cannot reach {url}: {message}")]
    Transport {
        /// The URL.
        url: String,
        /// What the HTTP stack said.
        message: String,
        /// Whether it was a timeout.
        timeout: bool,
    },
    /// A write that may have reached Microsoft failed without an answer saying it was not
    /// processed (the connection dropped after sending, a timeout, a 5xx other than 503), so
    /// it was not resent: resending could carry it out twice. Read back before writing again
    /// (the sync does, from its operation journal, on the next run).
    #[error(
        "{request} may or may not have been carried out, so it was not resent (read back before writing again): {cause}"
    )]
    Unconfirmed {
        /// The method and the URL, e.g. `POST https://graph.microsoft.com/v1.0/$batch`.
        request: String,
        /// What happened: a `Transport` or `Api` error.
        cause: Box<GraphError>,
    },
    /// A body that should be JSON of a known shape is not.
    #[error(
        "cannot decode the answer ({status}) of {url}: {message}; body starts with {snippet:?}"
    )]
    Decode {
        /// HTTP status.
        status: u16,
        /// The URL.
        url: String,
        /// What the decoder said.
        message: String,
        /// The first bytes of the body (lossy UTF-8).
        snippet: String,
    },
    /// An object decoded, but one of its values breaks a rule (an id that is not a GUID).
    #[error("{record}: invalid {field}: {message}")]
    InvalidField {
        /// The record, e.g. `user AdeleV@contoso.com`.
        record: String,
        /// The Graph property, e.g. `id`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A `$batch` request the client refuses to send (duplicate ids).
    #[error("invalid batch: {0}")]
    Batch(String),
    /// `getPolicyId` knows no policy of this type by this name.
    #[error("Teams has no {policy_type} named {name:?}")]
    UnknownPolicy {
        /// The policy type, e.g. `OnlineVoiceRoutingPolicy`.
        policy_type: String,
        /// The name asked for.
        name: String,
    },
    /// A number operation ended without doing what was asked, with the typed reason.
    #[error("{0}")]
    Number(Box<crate::number_model::NumberFailure>),
    /// A policy assignment request was refused after earlier ones went through.
    #[error("{source} (the first {applied} policy assignments were applied)")]
    PolicyBatch {
        /// Assignments applied before the refusal (the first ones, in the order given).
        applied: usize,
        /// Why the next request was refused.
        source: Box<GraphError>,
    },
}

impl GraphError {
    /// A decode error keeping a snippet of the body.
    pub(crate) fn decode(status: u16, url: String, body: &[u8], message: impl ToString) -> Self {
        let cut = body.len().min(BODY_SNIPPET_LEN);
        GraphError::Decode {
            status,
            url,
            message: message.to_string(),
            snippet: String::from_utf8_lossy(&body[..cut]).into_owned(),
        }
    }

    /// Whether retrying later may help (throttling, outages, transport failures); not for an
    /// [`GraphError::Unconfirmed`] write, which may already be done.
    pub fn is_transient(&self) -> bool {
        match self {
            GraphError::Throttled { .. } | GraphError::Transport { .. } => true,
            GraphError::Api { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

/// The application permission an endpoint most likely misses, from its path.
pub(crate) fn permission_for(path: &str) -> &'static str {
    if path.contains("/admin/teams/policy") {
        crate::policy_ops::POLICY_WRITE_PERMISSION
    } else if path.contains("/admin/teams/telephoneNumberManagement") {
        // The reads that come here: an operation's status and the number listing, whose least
        // privileged application permission this is (ReadWrite.All also serves):
        // <https://learn.microsoft.com/graph/api/teamsadministration-telephonenumberlongrunningoperation-get#permissions>,
        // <https://learn.microsoft.com/graph/api/teamsadministration-telephonenumbermanagementroot-list-numberassignments#permissions>.
        // The writes name NUMBER_WRITE_PERMISSION themselves (`number_ops::write_error`).
        "TeamsTelephoneNumber.Read.All"
    } else if path.contains("/admin/teams/") {
        "TeamsUserConfiguration.Read.All"
    } else if path.contains("/contacts") {
        "OrgContact.Read.All"
    } else if path.contains("/groups") {
        "GroupMember.Read.All (and User.Read.All for full profiles; Member.Read.Hidden for hidden memberships)"
    } else {
        "User.Read.All"
    }
}

const SERVICE: &str = "Microsoft Graph";

impl From<GraphError> for PortError {
    fn from(e: GraphError) -> Self {
        match e {
            GraphError::Auth { .. } => PortError::Auth(e.to_string()),
            GraphError::PermissionDenied { .. } => PortError::Permission(e.to_string()),
            GraphError::NotFound { ref what, .. } => PortError::NotFound(what.clone()),
            GraphError::UnknownPolicy { .. } => PortError::NotFound(e.to_string()),
            GraphError::PolicyBatch { source, .. } => PortError::from(*source),
            GraphError::Throttled { .. }
            | GraphError::Transport { .. }
            | GraphError::Unconfirmed { .. } => PortError::Unavailable {
                service: SERVICE.into(),
                detail: e.to_string(),
            },
            GraphError::Api { status, .. } if status >= 500 => PortError::Unavailable {
                service: SERVICE.into(),
                detail: e.to_string(),
            },
            GraphError::Api { status: 401, .. } => PortError::Auth(e.to_string()),
            GraphError::Api { status: 403, .. } => PortError::Permission(e.to_string()),
            GraphError::InvalidField {
                record,
                field,
                message,
            } => PortError::InvalidData {
                record,
                field,
                message,
            },
            GraphError::Decode { ref url, .. } => PortError::InvalidData {
                record: format!("Graph answer from {url}"),
                field: "body".into(),
                message: e.to_string(),
            },
            other => PortError::Other(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_inner_error() {
        let body = br#"{"error":{"code":"Request_BadRequest","message":"bad","innerError":{"date":"2024-01-01T00:00:00","request-id":"r1","client-request-id":"c1","innerError":{"code":"resyncRequired"}}}}"#;
        let e = GraphErrorBody::parse(body).unwrap();
        assert_eq!(e.code, "Request_BadRequest");
        assert_eq!(e.request_id.as_deref(), Some("r1"));
        assert!(e.has_code("ResyncRequired"));
        assert!(GraphErrorBody::parse(b"<html>").is_none());
    }

    #[test]
    fn maps_to_port_error() {
        let p: PortError = GraphError::Throttled {
            status: 429,
            url: "u".into(),
            attempts: 3,
            waited: Duration::from_secs(1),
        }
        .into();
        assert!(matches!(p, PortError::Unavailable { .. }));
        let p: PortError = GraphError::InvalidField {
            record: "user x".into(),
            field: "id".into(),
            message: "not a GUID".into(),
        }
        .into();
        assert!(matches!(p, PortError::InvalidData { ref field, .. } if field == "id"));
        let p: PortError = GraphError::UnknownPolicy {
            policy_type: "OnlineVoiceRoutingPolicy".into(),
            name: "UK".into(),
        }
        .into();
        assert!(
            matches!(p, PortError::NotFound(ref w) if w.contains("UK")),
            "{p:?}"
        );
    }
}
