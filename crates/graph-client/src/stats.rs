//! Counters so callers can see what throttling cost them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What the client has done so far (all clones of a client share the counters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RequestStats {
    /// HTTP requests sent (each attempt counts; a `$batch` counts once).
    pub requests: u64,
    /// Retries (attempts after the first, batch inner retries included).
    pub retries: u64,
    /// Answers that were 429 (outer or inner).
    pub throttled: u64,
    /// Time spent waiting before retries.
    pub waited: Duration,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
    throttled: AtomicU64,
    waited_micros: AtomicU64,
}

impl Counters {
    pub(crate) fn request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn throttled(&self) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn retry(&self, waited: Duration) {
        self.retries.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(waited.as_micros()).unwrap_or(u64::MAX);
        self.waited_micros.fetch_add(micros, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> RequestStats {
        RequestStats {
            requests: self.requests.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            waited: Duration::from_micros(self.waited_micros.load(Ordering::Relaxed)),
        }
    }
}

impl Counters {
    /// Time waited without counting a retry (the batch counts its retries per request).
    pub(crate) fn retry_wait(&self, waited: Duration) {
        let micros = u64::try_from(waited.as_micros()).unwrap_or(u64::MAX);
        self.waited_micros.fetch_add(micros, Ordering::Relaxed);
    }
}
