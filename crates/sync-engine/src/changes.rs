//! The field changes of an action, kept with those of the actions planned beside it.
//!
//! A first sync of 100,000 people plans half a million field changes. A vector per action
//! made them 170,000 heap blocks: allocating them was an eighth of planning, and freeing
//! them (each block coalesced with its neighbours) more than half the time spent dropping
//! the plan. The planner now writes the changes of many actions into one shared store, and
//! each action reads its own stretch of it.

use std::fmt;
use std::ops::{Deref, Range};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::plan::FieldChange;

/// The field changes of one action (for creates: the values set), read as a slice:
/// `changes.iter()`, `changes.len()`, `&changes[0]`. Cheap to clone (the store is shared);
/// compares, prints and serialises as the list of its changes. A clone keeps the whole
/// store it reads from alive (that of its part of the plan): copy the changes out
/// (`changes.to_vec()`) to keep one action's past its plan.
///
/// ```
/// use sync_engine::{Changes, FieldChange, Text};
/// let changes = Changes::from(vec![FieldChange::new(
///     "Full Name",
///     None,
///     Some(Text::from("Ann Lee")),
/// )]);
/// assert_eq!(changes.len(), 1);
/// assert_eq!(changes[0].field, "Full Name");
/// assert_eq!(serde_json::to_value(&changes)?[0]["new"], "Ann Lee");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Changes {
    /// None when there are no changes (no store needed).
    store: Option<Arc<OnceLock<Vec<FieldChange>>>>,
    range: Range<usize>,
}

impl Changes {
    /// The changes as a slice.
    pub fn as_slice(&self) -> &[FieldChange] {
        debug_assert!(
            self.store.as_ref().is_none_or(|s| s.get().is_some()),
            "changes read before their part of the plan was finished"
        );
        self.store
            .as_deref()
            .and_then(OnceLock::get)
            .and_then(|all| all.get(self.range.clone()))
            .unwrap_or_default()
    }
}

impl Deref for Changes {
    type Target = [FieldChange];
    fn deref(&self) -> &[FieldChange] {
        self.as_slice()
    }
}

impl<'a> IntoIterator for &'a Changes {
    type Item = &'a FieldChange;
    type IntoIter = std::slice::Iter<'a, FieldChange>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl From<Vec<FieldChange>> for Changes {
    fn from(v: Vec<FieldChange>) -> Self {
        if v.is_empty() {
            return Changes::default();
        }
        let range = 0..v.len();
        Changes {
            store: Some(Arc::new(OnceLock::from(v))),
            range,
        }
    }
}

impl FromIterator<FieldChange> for Changes {
    fn from_iter<I: IntoIterator<Item = FieldChange>>(iter: I) -> Self {
        Changes::from(iter.into_iter().collect::<Vec<_>>())
    }
}

impl PartialEq for Changes {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Changes {}

impl fmt::Debug for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

impl Serialize for Changes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Changes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<FieldChange>::deserialize(d).map(Changes::from)
    }
}

/// Where the planner writes changes: one growing list per part of the plan, handed to the
/// actions as stretches of it and sealed (made readable) when the store is dropped, which is
/// when its part of the plan is finished.
pub(crate) struct ChangeStore {
    shared: Arc<OnceLock<Vec<FieldChange>>>,
    all: Vec<FieldChange>,
}

impl Default for ChangeStore {
    fn default() -> Self {
        Self {
            shared: Arc::new(OnceLock::new()),
            all: Vec::new(),
        }
    }
}

impl ChangeStore {
    /// Room for `n` more changes.
    pub fn reserve(&mut self, n: usize) {
        self.all.reserve(n);
    }

    /// Moves the changes out of `scratch` (left empty, its room kept for the next action)
    /// into the store.
    pub fn take(&mut self, scratch: &mut Vec<FieldChange>) -> Changes {
        if scratch.is_empty() {
            return Changes::default();
        }
        let start = self.all.len();
        self.all.append(scratch);
        Changes {
            store: Some(Arc::clone(&self.shared)),
            range: start..self.all.len(),
        }
    }

    /// Stores a single change.
    pub fn one(&mut self, change: FieldChange) -> Changes {
        self.all.push(change);
        Changes {
            store: Some(Arc::clone(&self.shared)),
            range: self.all.len() - 1..self.all.len(),
        }
    }
}

impl Drop for ChangeStore {
    fn drop(&mut self) {
        // Set once, here only: the store is never read before its part is finished.
        let _ = self.shared.set(std::mem::take(&mut self.all));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Text;

    fn change(field: &'static str, new: &str) -> FieldChange {
        FieldChange::new(field, None, Some(Text::copied(new)))
    }

    #[test]
    fn each_action_reads_its_own_stretch_once_the_store_is_finished() {
        let mut store = ChangeStore::default();
        let mut scratch = vec![change("Name", "ann"), change("Extension", "401")];
        let first = store.take(&mut scratch);
        assert!(scratch.is_empty());
        let empty = store.take(&mut scratch);
        scratch.push(change("Name", "bob"));
        let second = store.take(&mut scratch);
        drop(store);
        assert_eq!(first.len(), 2);
        assert_eq!(first[1].new.as_deref(), Some("401"));
        assert!(empty.is_empty());
        assert_eq!(second.len(), 1);
        assert_eq!(second[0].new.as_deref(), Some("bob"));
    }

    #[test]
    fn compares_and_round_trips_as_a_list() {
        let mut store = ChangeStore::default();
        let _before = store.take(&mut vec![change("Name", "zed")]);
        let stored = store.take(&mut vec![change("Email", "a@b.c")]);
        drop(store);
        let own = Changes::from(vec![change("Email", "a@b.c")]);
        assert_eq!(stored, own);
        let json = serde_json::to_string(&stored).unwrap();
        let back: Changes = serde_json::from_str(&json).unwrap();
        assert_eq!(back, stored);
        assert_eq!(format!("{stored:?}"), format!("{:?}", own.as_slice()));
    }
}
