//! Everything a [`crate::GraphClient`] needs to know before it talks to Graph.

use std::time::Duration;

use url::Url;

use ipo_model::{RetryPolicy, Secret};

use crate::error::GraphError;

/// Azure AD login host of the global cloud.
pub const DEFAULT_LOGIN_BASE: &str = "https://login.microsoftonline.com";
/// Graph v1.0 endpoint of the global cloud.
pub const DEFAULT_GRAPH_BASE: &str = "https://graph.microsoft.com/v1.0";

/// The retry policy a Graph client starts with: [`RetryPolicy::default`] with a minute per
/// request, retries included, because Graph asks a throttled client to wait (`Retry-After`),
/// sometimes for tens of seconds.
pub(crate) fn default_retry() -> RetryPolicy {
    RetryPolicy::default().with_request_timeout(Duration::from_secs(60))
}

/// Configuration of a [`crate::GraphClient`] using client credentials.
///
/// ```
/// use graph_client::GraphConfig;
/// let mut cfg = GraphConfig::new("contoso.onmicrosoft.com", "app-id", "s3cret".into());
/// cfg.teams_numbers = false;
/// assert!(!format!("{cfg:?}").contains("s3cret"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GraphConfig {
    /// Azure AD login base, e.g. `https://login.microsoftonline.com` (or a national cloud).
    pub login_base: Url,
    /// Graph base including the version, e.g. `https://graph.microsoft.com/v1.0`.
    pub graph_base: Url,
    /// Tenant id (GUID) or domain name.
    pub tenant: String,
    /// Application (client) id.
    pub client_id: String,
    /// Client secret.
    pub client_secret: Secret,
    /// Timeouts and retries (429, 503, 504, transport failures). Its
    /// [`RetryPolicy::request_timeout`] bounds one request, retries included (default 60 s).
    pub retry: RetryPolicy,
    /// Merge Teams telephone numbers (`/admin/teams/userConfigurations`) onto users.
    /// Default on; needs `TeamsUserConfiguration.Read.All`.
    pub teams_numbers: bool,
    /// Also read `/admin/teams/telephoneNumberManagement/numberAssignments` (global cloud
    /// only; needs `TeamsTelephoneNumber.Read.All`). Default off.
    pub teams_number_assignments: bool,
    /// User properties to ask for beyond those classification needs (which are always asked).
    pub extra_user_properties: Vec<String>,
}

impl GraphConfig {
    /// A configuration for the global cloud with default retries and timeouts.
    pub fn new(tenant: impl Into<String>, client_id: impl Into<String>, secret: Secret) -> Self {
        Self {
            login_base: default_url(DEFAULT_LOGIN_BASE),
            graph_base: default_url(DEFAULT_GRAPH_BASE),
            tenant: tenant.into(),
            client_id: client_id.into(),
            client_secret: secret,
            retry: default_retry(),
            teams_numbers: true,
            teams_number_assignments: false,
            extra_user_properties: Vec::new(),
        }
    }

    /// Sets both base URLs (national clouds, test servers).
    pub fn with_bases(mut self, login_base: Url, graph_base: Url) -> Self {
        self.login_base = login_base;
        self.graph_base = graph_base;
        self
    }

    /// Sets the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub(crate) fn validate(&self) -> Result<(), GraphError> {
        if self.tenant.is_empty()
            || !self
                .tenant
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        {
            return Err(GraphError::Config(format!(
                "tenant {:?} is not a tenant id or domain name",
                self.tenant
            )));
        }
        if self.client_id.is_empty() {
            return Err(GraphError::Config("client id is empty".into()));
        }
        if self.client_secret.is_empty() {
            return Err(GraphError::Config("client secret is empty".into()));
        }
        check_base(&self.login_base, "login base")?;
        check_base(&self.graph_base, "Graph base")
    }
}

/// Settings of a client that gets its tokens elsewhere ([`crate::GraphClient::with_token_provider`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientOptions {
    /// Timeouts and retries (429, 503, 504, transport failures). Its
    /// [`RetryPolicy::request_timeout`] bounds one request, retries included (default 60 s).
    pub retry: RetryPolicy,
    /// See [`GraphConfig::teams_numbers`].
    pub teams_numbers: bool,
    /// See [`GraphConfig::teams_number_assignments`].
    pub teams_number_assignments: bool,
    /// See [`GraphConfig::extra_user_properties`].
    pub extra_user_properties: Vec<String>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            retry: default_retry(),
            teams_numbers: true,
            teams_number_assignments: false,
            extra_user_properties: Vec::new(),
        }
    }
}

impl ClientOptions {
    /// Sets the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Turns Teams number enrichment on or off.
    pub fn with_teams_numbers(mut self, on: bool) -> Self {
        self.teams_numbers = on;
        self
    }
}

impl From<&GraphConfig> for ClientOptions {
    fn from(c: &GraphConfig) -> Self {
        Self {
            retry: c.retry.clone(),
            teams_numbers: c.teams_numbers,
            teams_number_assignments: c.teams_number_assignments,
            extra_user_properties: c.extra_user_properties.clone(),
        }
    }
}

#[allow(clippy::expect_used)] // constants known to parse; covered by a unit test
fn default_url(s: &str) -> Url {
    Url::parse(s).expect("built-in base URL parses")
}

pub(crate) fn check_base(url: &Url, what: &str) -> Result<(), GraphError> {
    if !matches!(url.scheme(), "https" | "http") || url.cannot_be_a_base() {
        return Err(GraphError::Config(format!(
            "{what} {url} must be an http(s) URL"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(GraphError::Config(format!(
            "{what} {url} must not carry a query or fragment"
        )));
    }
    Ok(())
}

/// `base` + `path` (path starting with `/`), keeping the base's own path (`/v1.0`).
pub(crate) fn join(base: &Url, path_and_query: &str) -> Result<Url, GraphError> {
    let text = format!("{}{}", base.as_str().trim_end_matches('/'), path_and_query);
    Url::parse(&text).map_err(|e| GraphError::Config(format!("cannot build URL: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_join() {
        let c = GraphConfig::new("contoso.com", "id", "x".into());
        assert!(c.validate().is_ok());
        let u = join(&c.graph_base, "/users?$top=999").unwrap();
        assert_eq!(
            u.as_str(),
            "https://graph.microsoft.com/v1.0/users?$top=999"
        );
        let bad = GraphConfig::new("a/b", "id", "x".into());
        assert!(bad.validate().is_err());
    }
}
