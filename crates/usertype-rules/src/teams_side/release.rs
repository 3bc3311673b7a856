//! A leaver's Teams half: what the sync takes back. Only what it assigned itself and Teams
//! still holds as it left it; anything an administrator changed since is theirs.

use ipo_model::{AzureAdUser, PolicyVia, TeamsNumber, TeamsPolicyType};
use serde::{Deserialize, Serialize};

use super::assigned::TeamsAssigned;
use super::judge::current_number;

/// What to unassign from someone who left the sync's rules.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TeamsRelease {
    /// The number to unassign.
    pub number: Option<TeamsNumber>,
    /// The direct policy assignments to remove, with the names the sync gave.
    pub policies: Vec<(TeamsPolicyType, String)>,
}

impl TeamsRelease {
    /// Whether nothing is to be unassigned.
    pub fn is_empty(&self) -> bool {
        self.number.is_none() && self.policies.is_empty()
    }
}

/// What the sync unassigns from a leaver: the number and direct policies it assigned, where
/// Teams still holds exactly those. `user` is the Azure AD user as read now (`teams` read),
/// or `None` when the account is gone (then Teams released everything itself).
///
/// ```
/// use ipo_model::*;
/// use usertype_rules::{teams_release, TeamsAssigned};
/// let mut ann = AzureAdUser::new("87d349ed-44d7-43e1-9a83-5f2406dee5bd".parse()?);
/// let mut voice = TeamsVoice::default();
/// voice.telephone_numbers = vec![TeamsPhoneNumber::new("+441632768402", AssignmentCategory::Primary)];
/// ann.teams = Some(voice);
/// let mut ours = TeamsAssigned::default();
/// ours.number = Some("+441632768402".parse()?);
/// assert_eq!(teams_release(Some(&ann), &ours).number, ours.number);
/// ours.number = Some("+441632768403".parse()?); // an administrator changed it since
/// assert!(teams_release(Some(&ann), &ours).is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn teams_release(user: Option<&AzureAdUser>, assigned: &TeamsAssigned) -> TeamsRelease {
    let Some(user) = user else {
        return TeamsRelease::default();
    };
    let number = assigned
        .number
        .as_ref()
        .filter(|n| current_number(user).as_ref() == Some(*n))
        .cloned();
    let effective = user.teams.iter().flat_map(|t| t.effective_policies.iter());
    let policies = effective
        .filter(|p| p.via == PolicyVia::Direct)
        .filter(|p| {
            assigned
                .policies
                .get(&p.policy_type)
                .is_some_and(|name| name.eq_ignore_ascii_case(&p.name))
        })
        .map(|p| (p.policy_type, p.name.clone()))
        .collect();
    TeamsRelease { number, policies }
}
