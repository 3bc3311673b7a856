//! When and how long to wait before trying again, as Microsoft asks: honour `Retry-After`,
//! otherwise exponential backoff with full jitter; bounded attempts and bounded total wait.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

/// How hard the client tries again after throttling (429), outages (503, 504) and
/// transport failures. Other 4xx answers are never retried.
///
/// ```
/// use std::time::Duration;
/// use graph_client::RetryPolicy;
/// let quick = RetryPolicy::default()
///     .with_max_attempts(3)
///     .with_base_delay(Duration::from_millis(5))
///     .with_max_total_wait(Duration::from_secs(2));
/// assert_eq!(quick.max_attempts, 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// First backoff step when Graph gives no `Retry-After`; doubles each attempt.
    pub base_delay: Duration,
    /// Cap of one backoff step (a `Retry-After` is honoured even when longer, as long as
    /// the total budget allows it: retrying earlier than told only costs quota).
    pub max_delay: Duration,
    /// Total time one request may spend waiting between attempts; when the next wait would
    /// go beyond it, the client gives up with [`crate::GraphError::Throttled`].
    pub max_total_wait: Duration,
    /// Time after which a request failing in transport (connection refused, unreachable,
    /// timed out) is not tried again, counted from its first attempt: an unreachable Graph
    /// fails in seconds, not after the whole throttling budget.
    pub max_transport_time: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_total_wait: Duration::from_secs(180),
            max_transport_time: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
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

    /// Sets [`RetryPolicy::max_transport_time`].
    pub fn with_max_transport_time(mut self, d: Duration) -> Self {
        self.max_transport_time = d;
        self
    }

    /// Sets [`RetryPolicy::max_total_wait`].
    pub fn with_max_total_wait(mut self, d: Duration) -> Self {
        self.max_total_wait = d;
        self
    }

    /// Backoff before retry number `retry` (1-based) without a `Retry-After`: uniform in
    /// `[step/2, step]` with `step = min(base * 2^(retry-1), max_delay)`. Half of the step is
    /// kept so that a retry never comes sooner than the policy intends.
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

    /// The wait before the next attempt, or `None` when the policy says stop: `attempt`
    /// attempts done so far, `waited` already spent, `retry_after` as Graph asked.
    pub(crate) fn next_wait(
        &self,
        attempt: u32,
        waited: Duration,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let wait = retry_after.unwrap_or_else(|| self.backoff(attempt));
        (waited.saturating_add(wait) <= self.max_total_wait).then_some(wait)
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
    fn budget_bounds() {
        let p = RetryPolicy::default()
            .with_max_attempts(3)
            .with_max_total_wait(Duration::from_secs(10));
        assert_eq!(
            p.next_wait(1, Duration::ZERO, Some(Duration::from_secs(2))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(p.next_wait(3, Duration::ZERO, Some(Duration::ZERO)), None);
        assert_eq!(
            p.next_wait(1, Duration::from_secs(9), Some(Duration::from_secs(2))),
            None
        );
    }
}
