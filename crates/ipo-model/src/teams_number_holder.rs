//! Who holds a Teams telephone number, tenant-wide (`numberAssignments`): what decides
//! whether the sync may give a number to a person.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::id::ObjectId;
use crate::phone::E164Number;

/// Where Teams keeps a number (`numberSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NumberSource {
    /// Managed online: Graph can assign it.
    Online,
    /// Synced from on-premises Active Directory (`msRTCSIP-Line`): it can only be changed
    /// there, never through Graph or Teams PowerShell.
    OnPremises,
}

/// One number of the tenant and who has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TeamsNumberHolder {
    /// The number.
    pub number: E164Number,
    /// `assignmentTargetId`: the user holding it, if any.
    pub holder: Option<ObjectId>,
    /// `numberSource`, when Graph gave it.
    pub source: Option<NumberSource>,
}

impl TeamsNumberHolder {
    /// A number and its holder.
    pub fn new(number: E164Number, holder: Option<ObjectId>, source: Option<NumberSource>) -> Self {
        Self {
            number,
            holder,
            source,
        }
    }
}

/// The tenant's numbers, by number.
///
/// ```
/// use ipo_model::{E164Number, NumberSource, ObjectId, TeamsNumberHolder, TeamsNumberHolders};
/// let ann: ObjectId = "87d349ed-44d7-43e1-9a83-5f2406dee5bd".parse()?;
/// let n: E164Number = "+441632768402".parse()?;
/// let holders: TeamsNumberHolders =
///     [TeamsNumberHolder::new(n.clone(), Some(ann.clone()), Some(NumberSource::Online))]
///         .into_iter()
///         .collect();
/// assert_eq!(holders.get(&n).and_then(|h| h.holder.as_ref()), Some(&ann));
/// # Ok::<(), ipo_model::InvalidValue>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TeamsNumberHolders(BTreeMap<E164Number, TeamsNumberHolder>);

impl TeamsNumberHolders {
    /// Who holds `number`, if Teams knows the number.
    pub fn get(&self, number: &E164Number) -> Option<&TeamsNumberHolder> {
        self.0.get(number)
    }

    /// Adds or replaces a number's entry.
    pub fn insert(&mut self, holder: TeamsNumberHolder) {
        self.0.insert(holder.number.clone(), holder);
    }

    /// How many numbers are known.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no number is known.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<TeamsNumberHolder> for TeamsNumberHolders {
    fn from_iter<I: IntoIterator<Item = TeamsNumberHolder>>(iter: I) -> Self {
        let mut h = Self::default();
        for x in iter {
            h.insert(x);
        }
        h
    }
}
