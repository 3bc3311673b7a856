//! What the sync itself assigned on the Teams side, as its state remembers: the sync
//! changes and removes only these, unless a rule allows adoption.

use std::collections::BTreeMap;

use ipo_model::{TeamsNumber, TeamsPolicyType};
use serde::{Deserialize, Serialize};

/// The Teams half the sync assigned to one person.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct TeamsAssigned {
    /// The number the sync assigned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<TeamsNumber>,
    /// The policies the sync assigned directly, by type, by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub policies: BTreeMap<TeamsPolicyType, String>,
}

impl TeamsAssigned {
    /// Whether the sync assigned nothing.
    pub fn is_empty(&self) -> bool {
        self.number.is_none() && self.policies.is_empty()
    }
}
