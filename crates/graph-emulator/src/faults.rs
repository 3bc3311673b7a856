//! Fault injection per route, changeable while the emulator runs.

use std::time::Duration;

pub use emulator_kit::Latency;
use emulator_kit::{RuleSet, SplitMix64};

emulator_kit::fault_rule! {
    /// One fault rule: which requests it matches and what happens to them. Fractions are
    /// rolled once per request, in the order throttle, unavailable, drop, malformed (their sum
    /// should not exceed 1). Paths are below the server root, e.g. `/v1.0/users` or
    /// `/v1.0/$batch`; the token endpoint is `/{tenant}/oauth2`; inner batch requests match
    /// on `/v1.0` + their url.
    ///
    /// ```
    /// use std::time::Duration;
    /// use graph_emulator::FaultRule;
    /// let rule = FaultRule::new("/v1.0/users")
    ///     .method("GET")
    ///     .throttle(0.5, Some(Duration::from_secs(1)))
    ///     .times(3);
    /// # let _ = rule;
    /// ```
    FaultRule {
        /// Fraction answered `429 Too Many Requests`.
        throttle + retry_after,
        /// Fraction answered `503 Service Unavailable` (with `retry_after` if set).
        unavailable,
    }
}

impl FaultRule {
    /// Rolls this rule's fault for one request.
    pub(crate) fn roll(&self, rng: &mut SplitMix64, faulted: bool) -> Option<FaultAction> {
        if faulted {
            return None;
        }
        rng.choose(&[
            (self.throttle, FaultAction::Throttle(self.retry_after)),
            (self.unavailable, FaultAction::Unavailable(self.retry_after)),
            (self.drop, FaultAction::Drop),
            (self.malformed, FaultAction::Malformed),
        ])
    }
}

/// The fault a request gets (none: answered normally).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum FaultAction {
    Throttle(Option<Duration>),
    Unavailable(Option<Duration>),
    Drop,
    Malformed,
}

/// Handle on the running emulator's fault rules (cheap to clone): `add`, `clear`, `reseed`.
pub type Faults = RuleSet<FaultRule>;

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(f: &Faults, method: &str, path: &str) -> Option<FaultAction> {
        f.evaluate(method, path, FaultRule::roll).action
    }

    #[test]
    fn times_limits_and_prefix_matches() {
        let f: Faults = RuleSet::new(1);
        f.add(
            FaultRule::new("/v1.0/users")
                .method("get")
                .throttle(1.0, None)
                .times(2),
        );
        assert_eq!(decide(&f, "GET", "/v1.0/groups"), None);
        assert_eq!(decide(&f, "POST", "/v1.0/users"), None);
        assert_eq!(
            decide(&f, "GET", "/v1.0/users"),
            Some(FaultAction::Throttle(None))
        );
        assert_eq!(
            decide(&f, "GET", "/v1.0/users/x"),
            Some(FaultAction::Throttle(None))
        );
        assert_eq!(decide(&f, "GET", "/v1.0/users"), None);
    }

    #[test]
    fn fractions_are_roughly_honoured() {
        let f: Faults = RuleSet::new(42);
        f.add(FaultRule::new("/").unavailable(0.3));
        let hits = (0..1000)
            .filter(|_| decide(&f, "GET", "/x").is_some())
            .count();
        assert!((200..400).contains(&hits), "{hits}");
    }
}
