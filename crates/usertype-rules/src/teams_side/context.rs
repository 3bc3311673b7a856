//! What a classification needs to judge the Teams halves: each person's rule, who holds the
//! tenant's numbers, and what the sync assigned before.

use std::collections::BTreeMap;

use ipo_model::{AzureAdUser, ExtensionNumber, ObjectId, TeamsNumberHolders};

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
    /// the IP Office user too), else the IP Office user's, else (see
    /// [`own_number_extension`]) the business phone's.
    pub(crate) fn judge(&self, user: &AzureAdUser, v: &Verdict) -> Option<TeamsSide> {
        let rule = self.rules.get(&user.id)?;
        let user_type = v.target?;
        let assigned = self.assigned.get(&user.id);
        let own = own_number_extension(user, v, assigned);
        let extension = (v.facts.teams_extension())
            .or(v.facts.ipo_extension.as_ref())
            .or(own.as_ref());
        let input =
            TeamsSideInput::new(rule, user, user_type, extension, self.holders).assigned(assigned);
        judge_teams_side(&input)
    }
}

/// The extension a number template was built from, when the verdict's number is the bare
/// number the sync itself assigned (a template with `with_extension = false`): read first
/// by the default extension source, that number hides the business phone's extension it
/// was built from (`+441632768402 x402` becomes `+441632768402`), and the template could no
/// longer be built. The business phone's extension is then the input it had.
fn own_number_extension(
    user: &AzureAdUser,
    v: &Verdict,
    assigned: Option<&TeamsAssigned>,
) -> Option<ExtensionNumber> {
    let number = v.facts.teams_number.as_ref()?;
    let own = assigned.and_then(|a| a.number.as_ref())?;
    if number.extension().is_some() || number.number() != own.number() {
        return None;
    }
    let business = crate::ExtensionSource::BusinessPhones.read(user).ok()??;
    business.extension().cloned()
}
