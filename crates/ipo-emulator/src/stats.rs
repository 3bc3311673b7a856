//! Request counters, so that tests and benchmarks can report what a run cost.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatsSnapshot {
    /// Requests per `(method, path)` (path without the query).
    pub requests: BTreeMap<(String, String), u64>,
    /// Successful logins.
    pub logins: u64,
    /// Refused logins (bad credentials, locked, too many sessions).
    pub failed_logins: u64,
    /// Logouts.
    pub logouts: u64,
    /// POST/PUT/DELETE requests that reached a resource.
    pub write_requests: u64,
    /// Records created, updated or deleted successfully.
    pub records_written: u64,
    /// Records refused with an error node.
    pub records_refused: u64,
    /// Records written successfully per `(method, ipaddress=)`: the node selector as the
    /// request carried it, empty without one (a write to the primary). Shows which node
    /// received each write.
    pub records_written_on: BTreeMap<(String, String), u64>,
    /// Requests a fault rule answered (latency alone not counted).
    pub faults_injected: u64,
}

impl StatsSnapshot {
    /// All requests.
    pub fn total_requests(&self) -> u64 {
        self.requests.values().sum()
    }

    /// Records written by `method` requests with `ipaddress=node` (`""`: no selector).
    pub fn written_on(&self, method: &str, node: &str) -> u64 {
        self.records_written_on
            .iter()
            .filter(|((m, n), _)| m.eq_ignore_ascii_case(method) && n == node)
            .map(|(_, c)| c)
            .sum()
    }

    /// Requests with `method` to a path ending in `suffix` (e.g. `("GET", "/users")`).
    pub fn requests_to(&self, method: &str, suffix: &str) -> u64 {
        self.requests
            .iter()
            .filter(|((m, p), _)| m.eq_ignore_ascii_case(method) && p.ends_with(suffix))
            .map(|(_, n)| n)
            .sum()
    }
}

/// The running emulator's counters (cheap to clone).
#[derive(Debug, Clone, Default)]
pub struct Stats(Arc<Mutex<StatsSnapshot>>);

impl Stats {
    pub(crate) fn update(&self, f: impl FnOnce(&mut StatsSnapshot)) {
        f(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()));
    }

    pub(crate) fn request(&self, method: &str, path: &str) {
        self.update(|s| {
            *s.requests
                .entry((method.to_owned(), path.to_owned()))
                .or_default() += 1;
        });
    }

    /// One record written by a `method` request carrying `ipaddress=node`.
    pub(crate) fn written_on(&self, method: &str, node: Option<&str>) {
        self.update(|s| {
            s.records_written += 1;
            *s.records_written_on
                .entry((method.to_owned(), node.unwrap_or_default().to_owned()))
                .or_default() += 1;
        });
    }

    /// The counters now.
    pub fn snapshot(&self) -> StatsSnapshot {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Sets every counter back to zero.
    pub fn reset(&self) {
        self.update(|s| *s = StatsSnapshot::default());
    }
}
