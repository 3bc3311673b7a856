//! What a classification needs to judge the Teams halves: each person's rule, who holds the
//! tenant's numbers, and what the sync assigned before.

use std::collections::BTreeMap;

use ipo_model::{AzureAdUser, ObjectId, TeamsNumberHolders};

use super::assigned::TeamsAssigned;
use super::judge::{TeamsSide, TeamsSideInput, judge_teams_side};
use super::rule::TeamsSideRule;
use crate::verdict::Verdict;

/// The Teams side of a [`ClassifyInput`](crate::ClassifyInput): with it, each verdict of a
/// person a Teams rule holds carries [`Verdict::teams`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct TeamsContext<'a> {
    /// Each person's rule's Teams half, by Azure AD object id.
    pub rules: &'a BTreeMap<ObjectId, &'a TeamsSideRule>,
    /// The tenant's numbers and who holds them.
    pub holders: &'a TeamsNumberHolders,
    /// What the sync assigned before, per person (its state).
    pub assigned: &'a BTreeMap<ObjectId, TeamsAssigned>,
}

impl<'a> TeamsContext<'a> {
    /// The context.
    pub fn new(
        rules: &'a BTreeMap<ObjectId, &'a TeamsSideRule>,
        holders: &'a TeamsNumberHolders,
        assigned: &'a BTreeMap<ObjectId, TeamsAssigned>,
    ) -> Self {
        Self {
            rules,
            holders,
            assigned,
        }
    }

    /// The Teams half of `user`'s verdict `v`: judged against the type `v` checked them
    /// against, with the extension the verdict read from Azure AD (the one the sync gives
    /// the IP Office user too), else the IP Office user's.
    pub(crate) fn judge(&self, user: &AzureAdUser, v: &Verdict) -> Option<TeamsSide> {
        let rule = self.rules.get(&user.id)?;
        let user_type = v.target?;
        let extension = v.facts.teams_extension().or(v.facts.ipo_extension.as_ref());
        let input = TeamsSideInput::new(rule, user, user_type, extension, self.holders)
            .assigned(self.assigned.get(&user.id));
        judge_teams_side(&input)
    }

    /// The number the sync assigned `user` in Teams, if any.
    pub(crate) fn assigned_number(&self, user: &ObjectId) -> Option<&'a ipo_model::TeamsNumber> {
        self.assigned.get(user).and_then(|a| a.number.as_ref())
    }
}
