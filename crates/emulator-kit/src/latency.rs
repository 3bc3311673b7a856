//! Added wait before a matching request is answered.

use std::time::Duration;

use crate::SplitMix64;

/// Added wait before a matching request is answered.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Latency {
    /// Always this long.
    Fixed(Duration),
    /// Uniform between the two bounds (microsecond resolution).
    Random {
        /// Lower bound.
        min: Duration,
        /// Upper bound.
        max: Duration,
    },
}

impl Latency {
    /// The wait for one request; draws from `rng` only for [`Latency::Random`].
    pub fn sample(self, rng: &mut SplitMix64) -> Duration {
        match self {
            Self::Fixed(x) => x,
            Self::Random { min, max } => {
                let span = u64::try_from(max.saturating_sub(min).as_micros()).unwrap_or(u64::MAX);
                min + Duration::from_micros(rng.below(span.saturating_add(1)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_is_exact_and_random_stays_within_bounds() {
        let mut rng = SplitMix64::new(5);
        let d = Duration::from_millis(120);
        assert_eq!(Latency::Fixed(d).sample(&mut rng), d);
        let (min, max) = (Duration::from_millis(10), Duration::from_millis(20));
        for _ in 0..200 {
            let w = Latency::Random { min, max }.sample(&mut rng);
            assert!((min..=max).contains(&w), "{w:?}");
        }
        let same = Latency::Random { min: max, max: min }.sample(&mut rng);
        assert_eq!(same, max);
    }
}
