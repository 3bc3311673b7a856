//! Counters of what the client did.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A reading of the client's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ClientStats {
    /// HTTP requests sent (logins, retries and logouts included).
    pub requests: u64,
    /// Requests repeated after a 503 or a transient connection error.
    pub retries: u64,
    /// Logins made again after a session timeout.
    pub relogins: u64,
    /// Logins made (the first one included).
    pub logins: u64,
    /// Total time spent waiting before retries.
    pub waited: Duration,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub relogins: AtomicU64,
    pub logins: AtomicU64,
    pub waited_us: AtomicU64,
}

impl Counters {
    pub fn bump(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub fn add_wait(&self, d: Duration) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.waited_us.fetch_add(us, Ordering::Relaxed);
    }

    pub fn read(&self) -> ClientStats {
        ClientStats {
            requests: self.requests.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            relogins: self.relogins.load(Ordering::Relaxed),
            logins: self.logins.load(Ordering::Relaxed),
            waited: Duration::from_micros(self.waited_us.load(Ordering::Relaxed)),
        }
    }
}
