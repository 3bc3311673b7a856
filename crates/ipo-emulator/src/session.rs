//! Logins, the lockout rule and live sessions.

use std::collections::HashMap;
use std::time::Instant;

use crate::config::SessionPolicy;
use emulator_kit::SplitMix64;

/// A live session: the two cookies that must come back together.
#[derive(Debug, Clone)]
struct Session {
    token: String,
    last_used: Instant,
    requests: u64,
}

/// What a login attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Login {
    Ok { jsessionid: String, token: String },
    BadCredentials,
    Locked,
    TooManySessions,
}

/// What a request's cookies came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// One or both cookies absent.
    Missing,
    /// Cookies present but no live session has them (expired, logged out, forged).
    Expired,
    Ok,
}

#[derive(Debug)]
pub(crate) struct Sessions {
    policy: SessionPolicy,
    failures: Vec<Instant>,
    locked_until: Option<Instant>,
    live: HashMap<String, Session>,
    rng: SplitMix64,
}

impl Sessions {
    pub(crate) fn new(policy: SessionPolicy, seed: u64) -> Self {
        Self {
            policy,
            failures: Vec::new(),
            locked_until: None,
            live: HashMap::new(),
            rng: SplitMix64::new(seed ^ 0x5E55),
        }
    }

    fn prune(&mut self, now: Instant) {
        if let Some(idle) = self.policy.idle_timeout {
            self.live
                .retain(|_, s| now.saturating_duration_since(s.last_used) < idle);
        }
        let window = self.policy.failure_window;
        self.failures
            .retain(|t| now.saturating_duration_since(*t) < window);
        if self.locked_until.is_some_and(|t| now >= t) {
            self.locked_until = None;
        }
    }

    /// One login attempt; `credentials_ok` is whether user and password matched.
    pub(crate) fn login(&mut self, credentials_ok: bool) -> Login {
        let now = Instant::now();
        self.prune(now);
        if self.locked_until.is_some() {
            return Login::Locked;
        }
        if !credentials_ok {
            self.failures.push(now);
            if self.failures.len() as u32 >= self.policy.max_failures {
                self.locked_until = Some(now + self.policy.lockout);
                self.failures.clear();
            }
            return Login::BadCredentials;
        }
        if self.live.len() >= self.policy.max_sessions {
            return Login::TooManySessions;
        }
        let jsessionid = self.rng.hex128().to_ascii_uppercase();
        let token = self.rng.hex128();
        self.live.insert(
            jsessionid.clone(),
            Session {
                token: token.clone(),
                last_used: now,
                requests: 0,
            },
        );
        Login::Ok { jsessionid, token }
    }

    /// Checks a request's cookies; `expire_after` ends a session once it served that many
    /// requests (the "expire every N requests" fault).
    pub(crate) fn check(
        &mut self,
        jsessionid: Option<&str>,
        token: Option<&str>,
        expire_after: Option<u64>,
    ) -> Check {
        let (Some(id), Some(token)) = (jsessionid, token) else {
            return Check::Missing;
        };
        let now = Instant::now();
        self.prune(now);
        let Some(s) = self.live.get_mut(id).filter(|s| s.token == token) else {
            return Check::Expired;
        };
        if expire_after.is_some_and(|n| s.requests >= n) {
            self.live.remove(id);
            return Check::Expired;
        }
        s.requests += 1;
        s.last_used = now;
        Check::Ok
    }

    /// Ends a session (logout, or a session-timeout fault).
    pub(crate) fn end(&mut self, jsessionid: &str) -> bool {
        self.live.remove(jsessionid).is_some()
    }

    pub(crate) fn live(&self) -> usize {
        self.live.len()
    }

    /// Ends every session (the Rust API's way to force a re-login).
    pub(crate) fn end_all(&mut self) {
        self.live.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn lockout_and_session_limit() {
        let policy = SessionPolicy {
            max_sessions: 2,
            lockout: Duration::from_millis(30),
            ..SessionPolicy::default()
        };
        let mut s = Sessions::new(policy, 1);
        assert_eq!(s.login(false), Login::BadCredentials);
        assert_eq!(s.login(false), Login::BadCredentials);
        assert_eq!(s.login(false), Login::BadCredentials);
        assert_eq!(s.login(true), Login::Locked);
        std::thread::sleep(Duration::from_millis(40));
        let Login::Ok { jsessionid, token } = s.login(true) else {
            panic!("login after the lock ends")
        };
        assert!(matches!(s.login(true), Login::Ok { .. }));
        assert_eq!(s.login(true), Login::TooManySessions);
        assert_eq!(s.check(Some(&jsessionid), Some(&token), Some(1)), Check::Ok);
        assert_eq!(
            s.check(Some(&jsessionid), Some(&token), Some(1)),
            Check::Expired
        );
        assert_eq!(s.check(Some(&jsessionid), None, None), Check::Missing);
        assert_eq!(s.live(), 1);
    }
}
