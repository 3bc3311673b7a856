//! Fault injection per route, changeable while the emulator runs.

use std::time::Duration;

pub use emulator_kit::Latency;
use emulator_kit::{RuleSet, SplitMix64};

/// One fault rule: which requests it matches and what happens to them. Fractions are rolled
/// once per request, in the order throttle, unavailable, drop, malformed (their sum should not
/// exceed 1).
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
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FaultRule {
    /// Path prefix below the server root, e.g. `/v1.0/users` or `/v1.0/$batch`; the token
    /// endpoint is `/{tenant}/oauth2`. Inner batch requests match on `/v1.0` + their url.
    pub path_prefix: String,
    /// HTTP method, `None` for any.
    pub method: Option<String>,
    /// Added wait.
    pub latency: Option<Latency>,
    /// Fraction answered `429 Too Many Requests`.
    pub throttle: f64,
    /// `Retry-After` sent with a 429 or 503; `None` sends none.
    pub retry_after: Option<Duration>,
    /// Fraction answered `503 Service Unavailable`.
    pub unavailable: f64,
    /// Fraction whose connection is closed without an answer.
    pub drop: f64,
    /// Fraction whose body is cut in half (invalid JSON).
    pub malformed: f64,
    /// Stop faulting after this many faults (latency alone does not count); `None` forever.
    pub times: Option<u32>,
}

impl FaultRule {
    /// A rule matching every method under `path_prefix` that does nothing yet.
    pub fn new(path_prefix: impl Into<String>) -> Self {
        Self {
            path_prefix: path_prefix.into(),
            method: None,
            latency: None,
            throttle: 0.0,
            retry_after: None,
            unavailable: 0.0,
            drop: 0.0,
            malformed: 0.0,
            times: None,
        }
    }

    /// Answers this fraction with 429 and the given `Retry-After`.
    pub fn throttle(mut self, fraction: f64, retry_after: Option<Duration>) -> Self {
        self.throttle = fraction;
        self.retry_after = retry_after;
        self
    }

    /// Answers this fraction with 503 (with `retry_after` if set).
    pub fn unavailable(mut self, fraction: f64) -> Self {
        self.unavailable = fraction;
        self
    }

    /// Closes this fraction of connections without an answer.
    pub fn drop_connection(mut self, fraction: f64) -> Self {
        self.drop = fraction;
        self
    }

    /// Cuts this fraction of bodies short.
    pub fn malformed(mut self, fraction: f64) -> Self {
        self.malformed = fraction;
        self
    }

    /// Rolls this rule's fault for one request.
    fn roll(&self, rng: &mut SplitMix64, faulted: bool) -> Option<FaultAction> {
        if faulted {
            return None;
        }
        let r = rng.next_f64();
        let t1 = self.throttle;
        let t2 = t1 + self.unavailable;
        let t3 = t2 + self.drop;
        let t4 = t3 + self.malformed;
        if r < t1 {
            Some(FaultAction::Throttle(self.retry_after))
        } else if r < t2 {
            Some(FaultAction::Unavailable(self.retry_after))
        } else if r < t3 {
            Some(FaultAction::Drop)
        } else if r < t4 {
            Some(FaultAction::Malformed)
        } else {
            None
        }
    }
}

emulator_kit::scoped_rule!(FaultRule);

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) enum FaultAction {
    #[default]
    None,
    Throttle(Option<Duration>),
    Unavailable(Option<Duration>),
    Drop,
    Malformed,
}

#[derive(Debug, Default)]
pub(crate) struct Decision {
    pub(crate) latency: Option<Duration>,
    pub(crate) action: FaultAction,
}

/// Handle on the running emulator's fault rules (cheap to clone).
#[derive(Debug, Clone)]
pub struct Faults(RuleSet<FaultRule>);

impl Faults {
    pub(crate) fn new(seed: u64) -> Self {
        Self(RuleSet::new(seed))
    }

    /// Adds a rule; rules are tried in the order added, the first that faults wins.
    pub fn add(&self, rule: FaultRule) {
        self.0.push(rule);
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.0.clear();
    }

    /// Reseeds the generator (to replay a failing run).
    pub fn reseed(&self, seed: u64) {
        self.0.reseed(seed);
    }

    pub(crate) fn decide(&self, method: &str, path: &str) -> Decision {
        let v = self.0.evaluate(method, path, FaultRule::roll);
        Decision {
            latency: v.latency,
            action: v.action.unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_limits_and_prefix_matches() {
        let f = Faults::new(1);
        f.add(
            FaultRule::new("/v1.0/users")
                .method("get")
                .throttle(1.0, None)
                .times(2),
        );
        assert_eq!(f.decide("GET", "/v1.0/groups").action, FaultAction::None);
        assert_eq!(f.decide("POST", "/v1.0/users").action, FaultAction::None);
        assert_eq!(
            f.decide("GET", "/v1.0/users").action,
            FaultAction::Throttle(None)
        );
        assert_eq!(
            f.decide("GET", "/v1.0/users/x").action,
            FaultAction::Throttle(None)
        );
        assert_eq!(f.decide("GET", "/v1.0/users").action, FaultAction::None);
    }

    #[test]
    fn fractions_are_roughly_honoured() {
        let f = Faults::new(42);
        f.add(FaultRule::new("/").unavailable(0.3));
        let hits = (0..1000)
            .filter(|_| f.decide("GET", "/x").action != FaultAction::None)
            .count();
        assert!((200..400).contains(&hits), "{hits}");
    }
}
