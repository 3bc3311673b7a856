//! Fault injection per route, changeable while the emulator runs.

use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use emulator_kit::Latency;
use emulator_kit::{RuleSet, SplitMix64};

emulator_kit::fault_rule! {
    /// One fault rule: which requests it matches and what happens to them. Paths are e.g.
    /// `/WebManagement/ws/sdk/admin/v1/users`, or `/WebManagement` for all.
    ///
    /// Fractions are rolled once per request, in the order unavailable, raw 461, body 461,
    /// drop, malformed (their sum should not exceed 1); the `REBOOT` notice is rolled on its
    /// own. A 503's `Retry-After` is sent in whole seconds, rounded up.
    ///
    /// ```
    /// use std::time::Duration;
    /// use ipo_emulator::FaultRule;
    /// let rule = FaultRule::new("/WebManagement/ws/sdk/admin/v1/users")
    ///     .method("PUT")
    ///     .unavailable(0.5, Some(Duration::from_secs(1)))
    ///     .times(3);
    /// # let _ = rule;
    /// ```
    FaultRule {
        /// Fraction answered `503 Service Unavailable`.
        unavailable + retry_after,
        /// Fraction answered with a raw `HTTP 461` (the session ends).
        session_timeout_http,
        /// Fraction answered `status="0"` with `461:SessionTimeout` (the session ends).
        session_timeout_body,
        /// Fraction of successful writes whose records carry a `REBOOT` notice.
        reboot,
    }
}

impl FaultRule {
    /// Rolls this rule's fault for one request (the fractions in order, on one roll).
    fn roll_action(&self, rng: &mut SplitMix64) -> Option<FaultAction> {
        rng.choose(&[
            (self.unavailable, FaultAction::Unavailable(self.retry_after)),
            (self.session_timeout_http, FaultAction::SessionTimeoutHttp),
            (self.session_timeout_body, FaultAction::SessionTimeoutBody),
            (self.drop, FaultAction::Drop),
            (self.malformed, FaultAction::Malformed),
        ])
    }
}

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) enum FaultAction {
    #[default]
    None,
    Unavailable(Option<Duration>),
    SessionTimeoutHttp,
    SessionTimeoutBody,
    Drop,
    Malformed,
}

#[derive(Debug, Default)]
pub(crate) struct Decision {
    pub(crate) latency: Option<Duration>,
    pub(crate) action: FaultAction,
    pub(crate) reboot: bool,
}

/// Handle on the running emulator's fault rules (cheap to clone).
#[derive(Debug, Clone)]
pub struct Faults {
    rules: RuleSet<FaultRule>,
    expire_every: Arc<Mutex<Option<u64>>>,
}

impl Faults {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            rules: RuleSet::new(seed),
            expire_every: Arc::new(Mutex::new(None)),
        }
    }

    fn expiry(&self) -> std::sync::MutexGuard<'_, Option<u64>> {
        self.expire_every.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a rule; rules are tried in the order added, the first that faults wins.
    pub fn add(&self, rule: FaultRule) {
        self.rules.add(rule);
    }

    /// Removes every rule and the session expiry.
    pub fn clear(&self) {
        self.rules.clear();
        *self.expiry() = None;
    }

    /// Reseeds the generator (to replay a failing run).
    pub fn reseed(&self, seed: u64) {
        self.rules.reseed(seed);
    }

    /// Ends every session after it served `n` admin requests: request `n + 1` is answered
    /// `461:SessionTimeout`. `None` turns it off.
    pub fn expire_sessions_every(&self, n: Option<u64>) {
        *self.expiry() = n;
    }

    pub(crate) fn expire_every(&self) -> Option<u64> {
        *self.expiry()
    }

    pub(crate) fn decide(&self, method: &str, path: &str) -> Decision {
        let mut reboot = false;
        let v = self.rules.evaluate(method, path, |rule, rng, faulted| {
            if !reboot && rule.reboot > 0.0 && rng.next_f64() < rule.reboot {
                reboot = true;
            }
            if faulted { None } else { rule.roll_action(rng) }
        });
        Decision {
            latency: v.latency,
            action: v.action.unwrap_or_default(),
            reboot,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_matching() {
        let f = Faults::new(1);
        f.add(
            FaultRule::new("/a")
                .method("get")
                .drop_connection(1.0)
                .times(2),
        );
        assert_eq!(f.decide("GET", "/a/b").action, FaultAction::Drop);
        assert_eq!(f.decide("POST", "/a/b").action, FaultAction::None);
        assert_eq!(f.decide("GET", "/b").action, FaultAction::None);
        assert_eq!(f.decide("GET", "/a").action, FaultAction::Drop);
        assert_eq!(f.decide("GET", "/a").action, FaultAction::None);
    }

    #[test]
    fn fractions_are_seeded() {
        let roll = |seed| {
            let f = Faults::new(seed);
            f.add(FaultRule::new("/").unavailable(0.5, None));
            (0..64)
                .map(|_| f.decide("GET", "/x").action != FaultAction::None)
                .collect::<Vec<_>>()
        };
        let a = roll(9);
        assert_eq!(a, roll(9));
        let hits = a.iter().filter(|x| **x).count();
        assert!((16..=48).contains(&hits), "{hits}");
    }
}
