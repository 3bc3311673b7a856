//! Maps keyed by extension number, compared as numbers.
//!
//! The planner looks up every person's extension several times (who holds it, which hunt
//! group, which extension record). A number and its width (leading zeros are significant:
//! `0201` is not `201`) fit in one integer, which hashes and compares in one step where the
//! digits took a loop each.

use std::collections::hash_map::Entry;

use ipo_model::ExtensionNumber;

use crate::fast_hash::FastMap;

/// An extension number as one integer: value and width.
pub(crate) fn key(e: &ExtensionNumber) -> u64 {
    key_of(e.value(), e.len())
}

/// The key of the extension `value` written with `width` digits.
pub(crate) fn key_of(value: u64, width: usize) -> u64 {
    // At most 15 digits: the value is below 2^50 and the width fits in four bits.
    (value << 4) | width as u64
}

/// A map from extension numbers to `V`.
pub(crate) struct ExtMap<V>(FastMap<u64, V>);

impl<V> Default for ExtMap<V> {
    fn default() -> Self {
        Self(FastMap::default())
    }
}

impl<V> ExtMap<V> {
    pub fn with_capacity(n: usize) -> Self {
        Self(FastMap::with_capacity_and_hasher(n, Default::default()))
    }

    pub fn get(&self, e: &ExtensionNumber) -> Option<&V> {
        self.0.get(&key(e))
    }

    pub fn contains_key(&self, e: &ExtensionNumber) -> bool {
        self.0.contains_key(&key(e))
    }

    pub fn insert(&mut self, e: &ExtensionNumber, v: V) {
        self.0.insert(key(e), v);
    }

    pub fn entry(&mut self, e: &ExtensionNumber) -> Entry<'_, u64, V> {
        self.0.entry(key(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_zeros_and_widths_are_different_extensions() {
        let n = |s: &str| s.parse::<ExtensionNumber>().unwrap();
        let mut m = ExtMap::default();
        m.insert(&n("201"), 1);
        m.insert(&n("0201"), 2);
        m.insert(&n("999999999999999"), 3);
        assert_eq!(m.get(&n("201")), Some(&1));
        assert_eq!(m.get(&n("0201")), Some(&2));
        assert_eq!(m.get(&n("00201")), None);
        assert_eq!(m.get(&n("999999999999999")), Some(&3));
        assert!(!m.contains_key(&n("20")));
    }
}
