//! How long a client waits for IP Office or Microsoft Graph, and how it tries again: one
//! policy for both, so a setting means the same thing on either side.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

/// How long one request may take and how transient failures (throttling, outages,
/// connection errors) are tried again.
///
/// [`RetryPolicy::request_timeout`] is a deadline for the whole request, every attempt and
/// every wait between them included: it bounds the wait the caller sees. Each attempt gets
/// what is left of it, and no retry starts whose wait would end after it. Errors that end
/// because of it name [`RetryPolicy::request_timeout_setting`], so a program can point its
/// administrator at the setting they actually edit.
///
/// ```
/// use std::time::Duration;
/// use ipo_model::RetryPolicy;
/// let policy = RetryPolicy::default()
///     .with_max_attempts(3)
///     .with_request_timeout(Duration::from_secs(5))
///     .with_request_timeout_setting("ipo.request_timeout_seconds");
/// assert_eq!(policy.max_attempts, 3);
/// // After 4.9 s of a 5 s deadline, a 200 ms wait is not started.
/// assert_eq!(policy.next_wait(1, Duration::from_millis(4900), Some(Duration::from_millis(200))), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// First backoff step when the server names no `Retry-After`; doubles each retry.
    pub base_delay: Duration,
    /// Cap of one backoff step. A server's `Retry-After` is honoured even when longer, as
    /// long as the deadline allows it: retrying earlier than told only costs quota.
    pub max_delay: Duration,
    /// Time to open the connection (TCP and TLS) of one attempt.
    pub connect_timeout: Duration,
    /// Deadline of one request, all attempts and waits included.
    pub request_timeout: Duration,
    /// What the caller calls [`RetryPolicy::request_timeout`] where it is set (for example
    /// `ipo.request_timeout_seconds` in a configuration file); errors name it.
    pub request_timeout_setting: String,
}

impl Default for RetryPolicy {
    /// Five attempts, backoff from 0.5 s up to 30 s, 5 s to connect, 30 s for a request.
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            request_timeout_setting: "RetryPolicy::request_timeout".to_owned(),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self::default().with_max_attempts(1)
    }

    /// Sets [`RetryPolicy::max_attempts`] (at least 1).
    pub fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Sets [`RetryPolicy::base_delay`].
    pub fn with_base_delay(mut self, d: Duration) -> Self {
        self.base_delay = d;
        self
    }

    /// Sets [`RetryPolicy::max_delay`].
    pub fn with_max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// Sets [`RetryPolicy::connect_timeout`].
    pub fn with_connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Sets [`RetryPolicy::request_timeout`].
    pub fn with_request_timeout(mut self, d: Duration) -> Self {
        self.request_timeout = d;
        self
    }

    /// Sets [`RetryPolicy::request_timeout_setting`].
    pub fn with_request_timeout_setting(mut self, name: impl Into<String>) -> Self {
        self.request_timeout_setting = name.into();
        self
    }

    /// Backoff before retry number `retry` (1-based) without a `Retry-After`: uniform in
    /// `[step/2, step]` with `step = min(base * 2^(retry-1), max_delay)`. Half of the step is
    /// kept so that a retry never comes sooner than the policy intends; the jitter keeps
    /// many clients from retrying in step.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = retry.saturating_sub(1).min(20);
        let step = self
            .base_delay
            .saturating_mul(1u32 << exp)
            .min(self.max_delay);
        let half = step / 2;
        let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        let extra = if nanos == 0 {
            0
        } else {
            jitter() % (nanos + 1)
        };
        half + Duration::from_nanos(extra)
    }

    /// The wait before the next attempt, or `None` when the policy says stop: `attempts`
    /// made so far, `elapsed` since the first began, `retry_after` as the server asked.
    /// A wait that would end at or after the deadline is not started.
    pub fn next_wait(
        &self,
        attempts: u32,
        elapsed: Duration,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        if attempts >= self.max_attempts {
            return None;
        }
        let wait = retry_after.unwrap_or_else(|| self.backoff(attempts));
        (elapsed.saturating_add(wait) < self.request_timeout).then_some(wait)
    }

    /// What is left of the deadline `elapsed` after the first attempt began: the timeout
    /// of the next attempt, or `None` when nothing is left.
    pub fn remaining(&self, elapsed: Duration) -> Option<Duration> {
        self.request_timeout
            .checked_sub(elapsed)
            .filter(|d| !d.is_zero())
    }
}

/// A cheap pseudo-random number for jitter (no need for cryptographic quality, and no extra
/// dependency): std's randomly keyed hasher over a counter.
fn jitter() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.finish()
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP date (RFC 7231 IMF-fixdate).
/// A date in the past gives zero; garbage gives `None` (the caller falls back to backoff).
///
/// ```
/// use std::time::Duration;
/// assert_eq!(ipo_model::parse_retry_after("3", chrono::Utc::now()), Some(Duration::from_secs(3)));
/// ```
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>()
        && secs.is_finite()
        && secs >= 0.0
    {
        return Some(Duration::from_secs_f64(secs.min(86_400.0)));
    }
    let at = DateTime::parse_from_rfc2822(v).ok()?.with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default()
            .with_base_delay(Duration::from_millis(100))
            .with_max_delay(Duration::from_millis(400));
        for _ in 0..50 {
            let b1 = p.backoff(1);
            assert!(b1 >= Duration::from_millis(50) && b1 <= Duration::from_millis(100));
            let b5 = p.backoff(5);
            assert!(b5 >= Duration::from_millis(200) && b5 <= Duration::from_millis(400));
        }
    }

    #[test]
    fn attempts_and_deadline_bound_the_retries() {
        let p = RetryPolicy::default()
            .with_max_attempts(3)
            .with_request_timeout(Duration::from_secs(10));
        let two = Some(Duration::from_secs(2));
        assert_eq!(p.next_wait(1, Duration::ZERO, two), two);
        assert_eq!(p.next_wait(3, Duration::ZERO, Some(Duration::ZERO)), None);
        assert_eq!(p.next_wait(1, Duration::from_secs(8), two), None);
        assert_eq!(
            p.remaining(Duration::from_secs(4)),
            Some(Duration::from_secs(6))
        );
        assert_eq!(p.remaining(Duration::from_secs(10)), None);
        assert_eq!(p.remaining(Duration::from_secs(11)), None);
        assert_eq!(RetryPolicy::none().max_attempts, 1);
    }
}
