//! Shared set-up of the HTTP tests: a mockito server on 127.0.0.1 and clients pointed at it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use graph_client::{ClientOptions, GraphClient, GraphConfig, RetryPolicy, StaticToken};

pub const GROUP: &str = "02bd9fd6-8f93-4758-87c3-1fb73740a315";
pub const TOKEN: &str = "static-test-token";

/// A retry policy with tiny delays so the suite stays fast.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(4)
        .with_base_delay(Duration::from_millis(5))
        .with_max_delay(Duration::from_millis(20))
        .with_request_timeout(Duration::from_secs(3))
}

/// An object id from a literal.
pub fn oid(s: &str) -> ipo_model::ObjectId {
    s.parse().unwrap()
}

/// A poll schedule with tiny waits and half a second in all.
pub fn quick_poll() -> graph_client::PollSchedule {
    graph_client::PollSchedule::new(
        Duration::from_millis(5),
        Duration::from_millis(20),
        Duration::from_millis(500),
    )
}

/// A fixture with `{BASE}` replaced by the server URL.
pub fn fixture(text: &str, server: &mockito::ServerGuard) -> String {
    text.replace("{BASE}", &server.url())
}

pub fn graph_base(server: &mockito::ServerGuard) -> url::Url {
    format!("{}/v1.0", server.url()).parse().unwrap()
}

/// A client with a static token and Teams enrichment as asked.
pub fn static_client(server: &mockito::ServerGuard, teams: bool) -> GraphClient {
    GraphClient::with_token_provider(
        graph_base(server),
        Arc::new(StaticToken::new(TOKEN.into())),
        ClientOptions::default()
            .with_retry(fast_retry())
            .with_teams_numbers(teams),
    )
    .unwrap()
}

/// A client-credentials configuration against the mock server.
pub fn credentials_config(server: &mockito::ServerGuard) -> GraphConfig {
    let mut cfg = GraphConfig::new(
        "contoso.onmicrosoft.com",
        "11111111-2222-3333-4444-555555555555",
        "super-secret-value".into(),
    )
    .with_bases(server.url().parse().unwrap(), graph_base(server))
    .with_retry(fast_retry());
    cfg.teams_numbers = false;
    cfg
}
