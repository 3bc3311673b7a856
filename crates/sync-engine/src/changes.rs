//! The field changes of an action.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

use crate::plan::FieldChange;

/// The field changes of one action (for creates: the values set), read as a slice:
/// `changes.iter()`, `changes.len()`, `&changes[0]`. Compares, prints and serialises as the
/// list of its changes.
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
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Changes(Vec<FieldChange>);

impl Changes {
    /// The changes as a slice.
    pub fn as_slice(&self) -> &[FieldChange] {
        &self.0
    }
}

impl Deref for Changes {
    type Target = [FieldChange];
    fn deref(&self) -> &[FieldChange] {
        &self.0
    }
}

impl<'a> IntoIterator for &'a Changes {
    type Item = &'a FieldChange;
    type IntoIter = std::slice::Iter<'a, FieldChange>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl From<Vec<FieldChange>> for Changes {
    fn from(v: Vec<FieldChange>) -> Self {
        Changes(v)
    }
}

impl FromIterator<FieldChange> for Changes {
    fn from_iter<I: IntoIterator<Item = FieldChange>>(iter: I) -> Self {
        Changes(iter.into_iter().collect())
    }
}

impl fmt::Debug for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.0).finish()
    }
}
