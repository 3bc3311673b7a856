//! Access tokens: the [`TokenProvider`] port, a static token, and the OAuth2
//! client-credentials flow with caching and single-flight refresh.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde::Deserialize;
use tokio::sync::Mutex;
use url::Url;

use crate::config::{GraphConfig, join};
use crate::error::GraphError;
use crate::odata::encode_path_segment;
use crate::stats::Counters;
use crate::tls::build_http_client;
use crate::transport::{Body, Http, Replay, Req};
use ipo_model::Secret;

/// Refresh this long before expiry at most (Microsoft: ask again a few minutes early).
pub const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// A bearer token and when it stops working.
#[derive(Clone)]
pub struct AccessToken {
    secret: Secret,
    expires_at: Option<Instant>,
    lifetime: Option<Duration>,
}

impl AccessToken {
    /// A token valid for `lifetime` from now (`None`: until told otherwise).
    pub fn new(secret: Secret, lifetime: Option<Duration>) -> Self {
        Self {
            secret,
            expires_at: lifetime.map(|l| Instant::now() + l),
            lifetime,
        }
    }

    /// The token text (send it, never log it).
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// When it expires, if known.
    pub fn expires_at(&self) -> Option<Instant> {
        self.expires_at
    }

    /// Whether it should be replaced now: past expiry minus a margin of
    /// `min(REFRESH_MARGIN, lifetime / 2)`.
    pub fn needs_refresh(&self) -> bool {
        match (self.expires_at, self.lifetime) {
            (Some(at), Some(life)) => {
                let margin = REFRESH_MARGIN.min(life / 2);
                Instant::now() + margin >= at
            }
            _ => false,
        }
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("secret", &self.secret)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Where bearer tokens for Graph come from.
#[async_trait]
pub trait TokenProvider: Send + Sync + fmt::Debug {
    /// A token that is valid now.
    async fn token(&self) -> Result<AccessToken, GraphError>;

    /// Forget the cached token (Graph answered 401 with it).
    async fn invalidate(&self) {}
}

/// A token the caller brings (tests, managed identities, tokens from another library).
///
/// ```
/// use graph_client::{StaticToken, TokenProvider};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let p = StaticToken::new("eyJ0eXAi...".into());
/// assert_eq!(p.token().await.unwrap().secret().expose(), "eyJ0eXAi...");
/// assert!(!format!("{p:?}").contains("eyJ0"));
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct StaticToken(Secret);

impl StaticToken {
    /// A provider that always hands out `token`.
    pub fn new(token: Secret) -> Self {
        Self(token)
    }
}

#[async_trait]
impl TokenProvider for StaticToken {
    async fn token(&self) -> Result<AccessToken, GraphError> {
        Ok(AccessToken::new(self.0.clone(), None))
    }
}

/// OAuth2 client credentials against Azure AD (`/{tenant}/oauth2/v2.0/token`), with the
/// token cached and refreshed before expiry; when many requests need a new token at once,
/// only one asks Azure AD and the others wait for its answer.
pub struct ClientCredentials {
    http: Http,
    token_url: Url,
    client_id: String,
    secret: Secret,
    scope: String,
    cache: Mutex<Option<AccessToken>>,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .field("secret", &self.secret)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct AadError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    error_codes: Vec<u32>,
}

impl ClientCredentials {
    /// A provider for `config` (its own HTTP client; [`crate::GraphClient::new`] shares one).
    pub fn new(config: &GraphConfig) -> Result<Self, GraphError> {
        config.validate()?;
        let http = Http {
            client: build_http_client(&config.retry)?,
            retry: config.retry.clone(),
            counters: Arc::new(Counters::default()),
        };
        Self::with_http(config, http)
    }

    pub(crate) fn with_http(config: &GraphConfig, http: Http) -> Result<Self, GraphError> {
        let token_url = join(
            &config.login_base,
            &format!("/{}/oauth2/v2.0/token", encode_path_segment(&config.tenant)),
        )?;
        let scope = format!(
            "{}/.default",
            config.graph_base.origin().ascii_serialization()
        );
        Ok(Self {
            http,
            token_url,
            client_id: config.client_id.clone(),
            secret: config.client_secret.clone(),
            scope,
            cache: Mutex::new(None),
        })
    }

    async fn fetch(&self) -> Result<AccessToken, GraphError> {
        let form = Body::Form(vec![
            ("client_id", self.client_id.clone()),
            ("client_secret", self.secret.expose().to_owned()),
            ("scope", self.scope.clone()),
            ("grant_type", "client_credentials".to_owned()),
        ]);
        // Asking for a token twice changes nothing in the tenant: resent like a read.
        let req = Req::post(self.token_url.clone(), form, Replay::Always);
        let resp = self.http.send(&req, None).await?;
        if !resp.is_success() {
            if let Ok(aad) = serde_json::from_slice::<AadError>(&resp.body) {
                let description = aad.error_description.unwrap_or_default();
                let aadsts = aad
                    .error_codes
                    .first()
                    .copied()
                    .or_else(|| aadsts_in(&description));
                return Err(GraphError::Auth {
                    error: aad.error,
                    aadsts,
                    description: first_line(&description),
                });
            }
            return Err(resp.error("access token"));
        }
        let answer: TokenAnswer = resp.json()?;
        // Azure AD sends a number; some proxies and older endpoints send it as text.
        let lifetime = answer.expires_in.and_then(|v| match v {
            serde_json::Value::Number(n) => n.as_u64(),
            serde_json::Value::String(s) => s.parse().ok(),
            _ => None,
        });
        tracing::debug!(expires_in = ?lifetime, "got a Graph access token");
        Ok(AccessToken::new(
            Secret::new(answer.access_token),
            Some(Duration::from_secs(lifetime.unwrap_or(3599))),
        ))
    }
}

#[async_trait]
impl TokenProvider for ClientCredentials {
    async fn token(&self) -> Result<AccessToken, GraphError> {
        // Holding the lock across the fetch is the single flight: waiters queue here and
        // find the fresh token when they get in.
        let mut cache = self.cache.lock().await;
        if let Some(t) = cache.as_ref()
            && !t.needs_refresh()
        {
            return Ok(t.clone());
        }
        let fresh = self.fetch().await?;
        *cache = Some(fresh.clone());
        Ok(fresh)
    }

    async fn invalidate(&self) {
        *self.cache.lock().await = None;
    }
}

/// `AADSTS7000215` in a description gives `7000215`.
fn aadsts_in(description: &str) -> Option<u32> {
    let rest = &description[description.find("AADSTS")? + 6..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Azure AD appends trace and correlation ids on further lines; keep the sentence.
fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aadsts_code() {
        assert_eq!(
            aadsts_in("AADSTS7000215: Invalid client secret provided."),
            Some(7_000_215)
        );
        assert_eq!(aadsts_in("nothing"), None);
    }

    #[test]
    fn refresh_margin() {
        let t = AccessToken::new("x".into(), Some(Duration::from_secs(3599)));
        assert!(!t.needs_refresh());
        let t = AccessToken::new("x".into(), Some(Duration::ZERO));
        assert!(t.needs_refresh());
        assert!(!AccessToken::new("x".into(), None).needs_refresh());
    }
}
