//! A small multiplicative hasher for the planner's own indexes.
//!
//! The planner hashes hundreds of thousands of short keys (object ids, extension numbers,
//! GUIDs) per pass; the standard SipHash was a tenth of the planning time. The keys are ids
//! and numbers from the tenant's own directory and IP Office, not from an anonymous client,
//! and the maps live for one planning pass, so collision flooding is not a threat here; the
//! maps still use a per-process random seed so that no fixed input is slow everywhere.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

/// The multiplier of FxHash (rustc's hasher): odd, with well spread bits.
const K: u64 = 0xf135_7aea_2e62_a9c5;

/// Hasher state: rotate, xor, multiply per word.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // A final avalanche so that the low bits hashbrown uses depend on every input bit.
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^ (x >> 33)
    }
}

/// Builds [`FastHasher`]s from one random seed per process.
#[derive(Clone, Copy)]
pub(crate) struct FastState(u64);

impl Default for FastState {
    fn default() -> Self {
        static SEED: OnceLock<u64> = OnceLock::new();
        FastState(*SEED.get_or_init(|| {
            // RandomState is seeded from the OS; hashing nothing with it yields that seed.
            std::collections::hash_map::RandomState::new().hash_one(())
        }))
    }
}

impl BuildHasher for FastState {
    type Hasher = FastHasher;

    #[inline]
    fn build_hasher(&self) -> FastHasher {
        FastHasher(self.0)
    }
}

/// A `HashMap` with the planner's hasher.
pub(crate) type FastMap<K, V> = HashMap<K, V, FastState>;
/// A `HashSet` with the planner's hasher.
pub(crate) type FastSet<T> = HashSet<T, FastState>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_hash_equal_and_near_keys_differ() {
        let s = FastState::default();
        assert_eq!(s.hash_one("2001"), s.hash_one("2001"));
        assert_ne!(s.hash_one("2001"), s.hash_one("2002"));
        assert_ne!(s.hash_one("12345678a"), s.hash_one("12345678b"));
        // Low bits (what the table indexes by) vary across consecutive numbers.
        let low: FastSet<u64> = (0..64)
            .map(|n| s.hash_one(format!("{}", 200_000 + n)) & 0x3f)
            .collect();
        assert!(low.len() > 32, "{}", low.len());
    }
}
