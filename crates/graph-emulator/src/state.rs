//! What the server tasks and the handle share.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::config::{ExpiredDeltaMode, GraphEmulatorConfig, Secret};
use crate::faults::Faults;
use crate::stats::Counters;
use crate::tenant::Tenant;
use emulator_kit::SplitMix64;

/// Settings the handle may change while the server runs.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) page_size: usize,
    pub(crate) inject_empty_page: bool,
    pub(crate) expired_delta: ExpiredDeltaMode,
    pub(crate) token_lifetime: Duration,
    /// Application permissions a test took away (all are granted otherwise).
    pub(crate) revoked_permissions: std::collections::BTreeSet<String>,
}

#[derive(Debug)]
pub(crate) struct Shared {
    /// `http://127.0.0.1:PORT`.
    pub(crate) base: String,
    pub(crate) tenant_names: Vec<String>,
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    pub(crate) tenant: Mutex<Tenant>,
    /// Access token -> expiry.
    pub(crate) tokens: Mutex<HashMap<String, Instant>>,
    pub(crate) settings: Mutex<Settings>,
    pub(crate) faults: Faults,
    pub(crate) counters: Counters,
    pub(crate) rng: Mutex<SplitMix64>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking test thread must not wedge the emulator for the others.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    pub(crate) fn new(base: String, cfg: &GraphEmulatorConfig, tenant: Tenant) -> Self {
        let mut tenant_names = vec![cfg.tenant_id.clone()];
        tenant_names.extend(cfg.tenant_aliases.iter().cloned());
        Self {
            base,
            tenant_names,
            client_id: cfg.client_id.clone(),
            client_secret: cfg.client_secret.clone(),
            tenant: Mutex::new(tenant),
            tokens: Mutex::new(HashMap::new()),
            settings: Mutex::new(Settings {
                page_size: cfg.page_size.clamp(1, crate::MAX_PAGE_SIZE),
                inject_empty_page: cfg.inject_empty_page,
                expired_delta: cfg.expired_delta,
                token_lifetime: cfg.token_lifetime,
                revoked_permissions: Default::default(),
            }),
            faults: Faults::new(cfg.rng_seed),
            counters: Counters::default(),
            rng: Mutex::new(SplitMix64::new(cfg.rng_seed)),
        }
    }

    pub(crate) fn tenant(&self) -> MutexGuard<'_, Tenant> {
        lock(&self.tenant)
    }

    pub(crate) fn tokens(&self) -> MutexGuard<'_, HashMap<String, Instant>> {
        lock(&self.tokens)
    }

    pub(crate) fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    pub(crate) fn settings_mut(&self) -> MutexGuard<'_, Settings> {
        lock(&self.settings)
    }

    pub(crate) fn rng(&self) -> MutexGuard<'_, SplitMix64> {
        lock(&self.rng)
    }

    pub(crate) fn graph_base(&self) -> String {
        format!("{}{}", self.base, crate::GRAPH_VERSION_PATH)
    }
}
