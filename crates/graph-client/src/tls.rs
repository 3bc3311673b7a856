//! The HTTP client: rustls with the ring provider and the webpki root store, certificate
//! verification always on, no process-wide crypto provider needed.

use std::sync::Arc;

use ipo_model::RetryPolicy;

use crate::error::GraphError;

/// Sent as `User-Agent`, so tenant admins can tell our traffic apart in sign-in logs.
const USER_AGENT: &str = concat!("graph-client/", env!("CARGO_PKG_VERSION"), " (ipo-teams)");

pub(crate) fn build_http_client(policy: &RetryPolicy) -> Result<reqwest::Client, GraphError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| GraphError::Config(format!("TLS set-up: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .connect_timeout(policy.connect_timeout)
        .timeout(policy.request_timeout)
        .user_agent(USER_AGENT)
        .build()
        .map_err(|e| GraphError::Config(format!("HTTP client set-up: {e}")))
}
