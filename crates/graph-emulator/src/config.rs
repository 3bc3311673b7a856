//! Start-up configuration.

use std::time::Duration;

use crate::seed::Seed;

/// How an expired delta token is answered (Graph documents both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ExpiredDeltaMode {
    /// `410 Gone` with a `Location` header to restart from, body code `resyncRequired`.
    #[default]
    Gone,
    /// `400 Bad Request` with body code `syncStateNotFound`.
    SyncStateNotFound,
}

/// Everything the emulated tenant is started with.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GraphEmulatorConfig {
    /// Tenant id accepted in the token URL (`/{tenant}/oauth2/v2.0/token`).
    pub tenant_id: String,
    /// Extra tenant names accepted too (e.g. `contoso.onmicrosoft.com`).
    pub tenant_aliases: Vec<String>,
    /// The application (client) id.
    pub client_id: String,
    /// The client secret. Never printed: `Debug` of this struct redacts it.
    pub client_secret: Secret,
    /// Largest page the emulator hands out, whatever `$top` asks (tests set it small to
    /// exercise paging).
    pub page_size: usize,
    /// How long an access token lives; `expires_in` tells the client the same.
    pub token_lifetime: Duration,
    /// Seed of fault rolls, request ids and batch shuffles.
    pub rng_seed: u64,
    /// Insert one empty page (`value: []` with a nextLink) after the first page of every
    /// listing that has more than one page.
    pub inject_empty_page: bool,
    /// How expired delta tokens are answered.
    pub expired_delta: ExpiredDeltaMode,
    /// The tenant's initial content.
    pub seed: Seed,
}

impl Default for GraphEmulatorConfig {
    fn default() -> Self {
        Self {
            tenant_id: "00000000-0000-4000-8000-00000000c0de".into(),
            tenant_aliases: vec!["contoso.onmicrosoft.com".into()],
            client_id: "11111111-1111-4111-8111-111111111111".into(),
            client_secret: Secret::new("emulator-secret"),
            page_size: crate::MAX_PAGE_SIZE,
            token_lifetime: Duration::from_secs(3599),
            rng_seed: 0x5eed,
            inject_empty_page: false,
            expired_delta: ExpiredDeltaMode::Gone,
            seed: Seed::default(),
        }
    }
}

impl GraphEmulatorConfig {
    /// The defaults with the given seed.
    pub fn with_seed(seed: Seed) -> Self {
        Self {
            seed,
            ..Self::default()
        }
    }

    /// Sets the largest page size.
    pub fn page_size(mut self, n: usize) -> Self {
        self.page_size = n.clamp(1, crate::MAX_PAGE_SIZE);
        self
    }

    /// Sets the token lifetime.
    pub fn token_lifetime(mut self, d: Duration) -> Self {
        self.token_lifetime = d;
        self
    }

    /// Sets the client credentials.
    pub fn credentials(mut self, client_id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.client_id = client_id.into();
        self.client_secret = Secret::new(secret);
        self
    }

    /// Sets the tenant id.
    pub fn tenant(mut self, tenant_id: impl Into<String>) -> Self {
        self.tenant_id = tenant_id.into();
        self
    }

    /// Sets the seed of the random generator.
    pub fn rng_seed(mut self, seed: u64) -> Self {
        self.rng_seed = seed;
        self
    }

    /// Turns on the empty page in the middle of listings.
    pub fn inject_empty_page(mut self, on: bool) -> Self {
        self.inject_empty_page = on;
        self
    }

    /// Chooses how expired delta tokens are answered.
    pub fn expired_delta(mut self, mode: ExpiredDeltaMode) -> Self {
        self.expired_delta = mode;
        self
    }
}

/// A client secret: compared, never shown.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The secret text, for handing to a client under test.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(ipo_model::REDACTED)
    }
}
