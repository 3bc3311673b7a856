//! The shared, changeable list of fault rules and the seeded generator that rolls them.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::{ScopedRule, SplitMix64};

/// What the rules decided for one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict<A> {
    /// Wait before answering: the latency of the first matching rule that has one.
    pub latency: Option<Duration>,
    /// The fault of the first rule that faulted, `None` to answer normally.
    pub action: Option<A>,
}

#[derive(Debug)]
struct State<R> {
    rules: Vec<R>,
    rng: SplitMix64,
}

/// Handle on a running emulator's fault rules (cheap to clone; clones share the rules).
pub struct RuleSet<R>(Arc<Mutex<State<R>>>);

impl<R> RuleSet<R> {
    fn lock(&self) -> MutexGuard<'_, State<R>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl<R> Clone for RuleSet<R> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<R: fmt::Debug> fmt::Debug for RuleSet<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RuleSet").field(&*self.lock()).finish()
    }
}

/// Salt so that fault rolls do not replay the other generators seeded with the same seed.
const SALT: u64 = 0xFA17;

impl<R: ScopedRule> RuleSet<R> {
    /// No rules, rolls seeded from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(Arc::new(Mutex::new(State {
            rules: Vec::new(),
            rng: SplitMix64::new(seed ^ SALT),
        })))
    }

    /// Adds a rule; rules are tried in the order added, the first that faults wins.
    pub fn add(&self, rule: R) {
        self.lock().rules.push(rule);
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.lock().rules.clear();
    }

    /// Reseeds the generator (to replay a failing run).
    pub fn reseed(&self, seed: u64) {
        self.lock().rng = SplitMix64::new(seed ^ SALT);
    }

    /// Decides one request. Every matching rule is visited in order: the first latency found
    /// is sampled; a rule with faults left is then rolled by `roll(rule, rng, faulted)`, where
    /// `faulted` says an earlier rule already faulted (its answer is then ignored, but `roll`
    /// may still draw side rolls). The first fault returned wins and spends one of its rule's
    /// `times`.
    pub fn evaluate<A>(
        &self,
        method: &str,
        path: &str,
        mut roll: impl FnMut(&R, &mut SplitMix64, bool) -> Option<A>,
    ) -> Verdict<A> {
        let mut st = self.lock();
        let State { rules, rng } = &mut *st;
        let mut verdict = Verdict {
            latency: None,
            action: None,
        };
        for rule in rules.iter_mut() {
            let scope = rule.scope();
            if !scope.matches(method, path) {
                continue;
            }
            if verdict.latency.is_none()
                && let Some(l) = scope.latency
            {
                verdict.latency = Some(l.sample(rng));
            }
            if *rule.times_left() == Some(0) {
                continue;
            }
            let faulted = verdict.action.is_some();
            let action = roll(rule, rng, faulted);
            if !faulted && let Some(a) = action {
                verdict.action = Some(a);
                if let Some(n) = rule.times_left().as_mut() {
                    *n -= 1;
                }
            }
        }
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Latency, RuleScope};

    #[derive(Debug)]
    struct Rule {
        prefix: &'static str,
        method: Option<&'static str>,
        latency: Option<Latency>,
        fraction: f64,
        times: Option<u32>,
    }

    impl Rule {
        fn new(prefix: &'static str, fraction: f64) -> Self {
            Self {
                prefix,
                method: None,
                latency: None,
                fraction,
                times: None,
            }
        }
    }

    impl ScopedRule for Rule {
        fn scope(&self) -> RuleScope<'_> {
            RuleScope {
                path_prefix: self.prefix,
                method: self.method,
                latency: self.latency,
            }
        }
        fn times_left(&mut self) -> &mut Option<u32> {
            &mut self.times
        }
    }

    fn roll(r: &Rule, rng: &mut SplitMix64, faulted: bool) -> Option<&'static str> {
        (!faulted && rng.next_f64() < r.fraction).then_some(r.prefix)
    }

    #[test]
    fn times_limits_faults_and_method_and_prefix_filter() {
        let set = RuleSet::new(1);
        set.add(Rule {
            method: Some("GET"),
            times: Some(2),
            ..Rule::new("/a", 1.0)
        });
        assert_eq!(set.evaluate("GET", "/b", roll).action, None);
        assert_eq!(set.evaluate("POST", "/a", roll).action, None);
        assert_eq!(set.evaluate("GET", "/a/x", roll).action, Some("/a"));
        assert_eq!(set.evaluate("GET", "/a", roll).action, Some("/a"));
        assert_eq!(set.evaluate("GET", "/a", roll).action, None);
    }

    #[test]
    fn first_fault_wins_and_first_latency_is_used() {
        let set = RuleSet::new(2);
        let fixed = |ms| Some(Latency::Fixed(Duration::from_millis(ms)));
        set.add(Rule {
            latency: fixed(5),
            ..Rule::new("/", 0.0)
        });
        set.add(Rule {
            latency: fixed(9),
            times: Some(1),
            ..Rule::new("/x", 1.0)
        });
        set.add(Rule {
            times: Some(1),
            ..Rule::new("/x/y", 1.0)
        });
        let v = set.evaluate("GET", "/x/y", roll);
        assert_eq!(v.latency, Some(Duration::from_millis(5)));
        assert_eq!(v.action, Some("/x"));
        // The third rule was visited but not spent: it faults next.
        assert_eq!(set.evaluate("GET", "/x/y", roll).action, Some("/x/y"));
        assert_eq!(set.evaluate("GET", "/x/y", roll).action, None);
    }

    #[test]
    fn clear_and_reseed_replay_the_rolls() {
        let set = RuleSet::new(9);
        set.add(Rule::new("/", 0.5));
        let draw = |s: &RuleSet<Rule>| {
            (0..64)
                .map(|_| s.evaluate("GET", "/x", roll).action.is_some())
                .collect::<Vec<_>>()
        };
        let a = draw(&set);
        set.reseed(9);
        assert_eq!(a, draw(&set));
        let hits = a.iter().filter(|x| **x).count();
        assert!((16..=48).contains(&hits), "{hits}");
        let other = set.clone();
        other.clear();
        assert_eq!(set.evaluate("GET", "/x", roll).action, None);
    }
}
