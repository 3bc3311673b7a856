//! Who holds a Teams telephone number, tenant-wide (`numberAssignments`): what decides
//! whether the sync may give a number to a person.
//!
//! A number is the whole number as Teams holds it: a Direct Routing number carries its
//! extension (`+441632768000;ext=401`), and numbers that share a base number (one DDI with
//! per-person extensions) are different numbers, each with its own holder. A bare base
//! number (`+441632768000`, often an auto attendant's) is one more number of its own.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::id::ObjectId;
use crate::phone::TeamsNumber;

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
    /// The number, with its extension when Teams holds it with one.
    pub number: TeamsNumber,
    /// `assignmentTargetId`: the user holding it, if any.
    pub holder: Option<ObjectId>,
    /// `numberSource`, when Graph gave it.
    pub source: Option<NumberSource>,
}

impl TeamsNumberHolder {
    /// A number and its holder.
    pub fn new(
        number: TeamsNumber,
        holder: Option<ObjectId>,
        source: Option<NumberSource>,
    ) -> Self {
        Self {
            number,
            holder,
            source,
        }
    }
}

/// The tenant's numbers, by the whole number (base and extension).
///
/// ```
/// use ipo_model::{NumberSource, ObjectId, TeamsNumber, TeamsNumberHolder, TeamsNumberHolders};
/// let ann: ObjectId = "87d349ed-44d7-43e1-9a83-5f2406dee5bd".parse()?;
/// let n401: TeamsNumber = "+441632768000;ext=401".parse()?;
/// let holders: TeamsNumberHolders =
///     [TeamsNumberHolder::new(n401.clone(), Some(ann.clone()), Some(NumberSource::Online))]
///         .into_iter()
///         .collect();
/// assert_eq!(holders.get(&n401).and_then(|h| h.holder.as_ref()), Some(&ann));
/// // Another extension of the same base number, and the base number alone, are other numbers.
/// assert!(holders.get(&"tel:+441632768000;ext=402".parse()?).is_none());
/// assert!(holders.get(&"+441632768000".parse()?).is_none());
/// # Ok::<(), ipo_model::InvalidValue>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "Vec<TeamsNumberHolder>", into = "Vec<TeamsNumberHolder>")]
pub struct TeamsNumberHolders(BTreeMap<TeamsNumber, TeamsNumberHolder>);

impl TeamsNumberHolders {
    /// Who holds `number` (the whole number: base and extension), if Teams knows it.
    pub fn get(&self, number: &TeamsNumber) -> Option<&TeamsNumberHolder> {
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

// As a list: a map's keys must be text in JSON, and a number with its extension is not.
impl From<Vec<TeamsNumberHolder>> for TeamsNumberHolders {
    fn from(list: Vec<TeamsNumberHolder>) -> Self {
        list.into_iter().collect()
    }
}

impl From<TeamsNumberHolders> for Vec<TeamsNumberHolder> {
    fn from(h: TeamsNumberHolders) -> Self {
        h.0.into_values().collect()
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
