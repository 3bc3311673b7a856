//! What a run reads from Teams before planning.

use std::collections::{BTreeMap, BTreeSet};

use ipo_model::{AzureAdUser, GroupId, ObjectId, TeamsNumberHolders};

/// What the sync read from Teams for one plan: who holds the tenant's numbers (a number
/// someone else has is never taken from them), and the Teams set-up of people the sync
/// assigned something to who are no longer among the rules' groups' members (what it
/// gives back is judged from it). Empty when no rule provisions Teams through Graph or no
/// Teams connection is configured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TeamsFacts {
    /// The tenant's numbers and who holds them.
    pub holders: TeamsNumberHolders,
    /// Former members as last read, with their Teams set-up (`teams`) read now, by Azure
    /// AD object id.
    pub leavers: BTreeMap<ObjectId, AzureAdUser>,
    /// The groups of script-provisioned rules that nest no other group (read from Azure
    /// AD): Teams' group policy assignment reaches all their members, so the script grants
    /// their policies once per group.
    pub direct_groups: BTreeSet<GroupId>,
}

impl TeamsFacts {
    /// Facts with the tenant's number holders and no former members.
    pub fn new(holders: TeamsNumberHolders) -> Self {
        Self {
            holders,
            leavers: BTreeMap::new(),
            direct_groups: BTreeSet::new(),
        }
    }
}
