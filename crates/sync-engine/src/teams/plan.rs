//! The Teams stage of a plan: the Teams writes the verdicts' Teams halves ask for, and what
//! holds the others back. Decides nothing: [`TeamsSide`] and [`TeamsRelease`] from
//! `usertype-rules` have said what is wanted and what may be written.

use ipo_model::{ObjectId, TeamsNumber, TeamsPolicyType};
use serde::{Deserialize, Serialize};
use usertype_rules::{EnterpriseVoice, TeamsProblem, TeamsProvisioning, TeamsRelease, TeamsSide};

/// One Teams write.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "write")]
#[non_exhaustive]
pub enum TeamsWrite {
    /// Make `number` the person's primary Direct Routing number.
    AssignNumber {
        /// The number (with its extension, if any).
        number: TeamsNumber,
    },
    /// Take `number` back.
    UnassignNumber {
        /// The number.
        number: TeamsNumber,
    },
    /// Assign the policy `name` of `policy_type` directly.
    AssignPolicy {
        /// The type.
        policy_type: TeamsPolicyType,
        /// The policy's name.
        name: String,
    },
    /// Remove the direct assignment of `policy_type` (the policy `name`, which the sync
    /// assigned).
    UnassignPolicy {
        /// The type.
        policy_type: TeamsPolicyType,
        /// The policy's name.
        name: String,
    },
    /// Turn Enterprise Voice on, for a script rule's person whose number needs no
    /// assignment ([`EnterpriseVoice::Enable`]); Graph has no call for it.
    EnableEnterpriseVoice,
}

impl std::fmt::Display for TeamsWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TeamsWrite::AssignNumber { number } => write!(f, "assign number {number}"),
            TeamsWrite::UnassignNumber { number } => write!(f, "unassign number {number}"),
            TeamsWrite::AssignPolicy { policy_type, name } => {
                write!(f, "assign {policy_type} {name:?}")
            }
            TeamsWrite::UnassignPolicy { policy_type, name } => {
                write!(f, "unassign {policy_type} {name:?}")
            }
            TeamsWrite::EnableEnterpriseVoice => f.write_str("turn Enterprise Voice on"),
        }
    }
}

/// One Teams write for one person, with what Teams has now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TeamsAction {
    /// The Azure AD user.
    pub person: ObjectId,
    /// Their UPN (what Teams PowerShell's `-Identity` takes), or display name.
    pub label: String,
    /// Written through Graph, or into the script.
    pub provisioning: TeamsProvisioning,
    /// The write.
    pub write: TeamsWrite,
    /// What Teams holds now (`None`: nothing), as text, for the plan's old -> new.
    pub old: Option<String>,
}

/// A Teams write held back, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TeamsHeld {
    /// The Azure AD user.
    pub person: ObjectId,
    /// Their UPN or display name.
    pub label: String,
    /// Why.
    pub problem: TeamsProblem,
}

/// The Teams stage of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TeamsPlan {
    /// The writes, people in the order given, the number first, then policies, then
    /// Enterprise Voice.
    pub actions: Vec<TeamsAction>,
    /// What is held back.
    pub held: Vec<TeamsHeld>,
    /// Script rules whose group nests no other: their policies granted once to the group
    /// (the script leaves out the members' own grant lines). Only while some member still
    /// lacks the policy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_grants: Vec<super::script::GroupGrant>,
}

impl TeamsPlan {
    /// Whether there is nothing to write and nothing held.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty() && self.held.is_empty()
    }

    /// The writes made through one kind of provisioning.
    pub fn actions_by(&self, p: TeamsProvisioning) -> impl Iterator<Item = &TeamsAction> {
        self.actions.iter().filter(move |a| a.provisioning == p)
    }

    /// How many removals (unassignments) the plan holds: counted against the deletion
    /// threshold with the IP Office removals.
    pub fn removals(&self) -> usize {
        self.actions
            .iter()
            .filter(|a| {
                matches!(
                    a.write,
                    TeamsWrite::UnassignNumber { .. } | TeamsWrite::UnassignPolicy { .. }
                )
            })
            .count()
    }
}

/// A person in the rules, with their verdict's Teams half.
#[derive(Debug, Clone, Copy)]
pub struct TeamsPerson<'a> {
    /// The Azure AD user.
    pub id: &'a ObjectId,
    /// UPN or display name.
    pub label: &'a str,
    /// The Teams half (`None`: the rule leaves Teams alone, or the type has none).
    pub side: Option<&'a TeamsSide>,
}

/// A person who left the rules, with what the sync gives back.
#[derive(Debug, Clone, Copy)]
pub struct TeamsLeaver<'a> {
    /// The Azure AD user.
    pub id: &'a ObjectId,
    /// UPN or display name.
    pub label: &'a str,
    /// How their old rule provisioned Teams.
    pub provisioning: TeamsProvisioning,
    /// What to unassign.
    pub release: &'a TeamsRelease,
}

/// The Teams stage: writes from the verdicts' Teams halves and the leavers' releases.
pub fn plan_teams(people: &[TeamsPerson<'_>], leavers: &[TeamsLeaver<'_>]) -> TeamsPlan {
    let mut plan = TeamsPlan::default();
    for p in people {
        if let Some(side) = p.side {
            add_person(&mut plan, p, side);
        }
    }
    for l in leavers {
        add_leaver(&mut plan, l);
    }
    plan
}

fn add_person(plan: &mut TeamsPlan, p: &TeamsPerson<'_>, side: &TeamsSide) {
    if side.provisioning == TeamsProvisioning::Off {
        return;
    }
    let action = |write, old: Option<String>| TeamsAction {
        person: p.id.clone(),
        label: p.label.to_owned(),
        provisioning: side.provisioning,
        write,
        old,
    };
    if let Some(change) = &side.number.change {
        let old = change.from.as_ref().map(ToString::to_string);
        let write = TeamsWrite::AssignNumber {
            number: change.to.clone(),
        };
        plan.actions.push(action(write, old));
    }
    for policy in side.policy_assignments() {
        let old = policy.current.as_ref().map(ToString::to_string);
        let write = TeamsWrite::AssignPolicy {
            policy_type: policy.policy_type,
            name: policy.wanted.clone(),
        };
        plan.actions.push(action(write, old));
    }
    if side.enterprise_voice == EnterpriseVoice::Enable {
        let write = TeamsWrite::EnableEnterpriseVoice;
        plan.actions.push(action(write, Some("off".into())));
    }
    plan.held
        .extend(side.problems.iter().map(|problem| TeamsHeld {
            person: p.id.clone(),
            label: p.label.to_owned(),
            problem: problem.clone(),
        }));
}

fn add_leaver(plan: &mut TeamsPlan, l: &TeamsLeaver<'_>) {
    if l.provisioning == TeamsProvisioning::Off {
        return;
    }
    let action = |write, old: String| TeamsAction {
        person: l.id.clone(),
        label: l.label.to_owned(),
        provisioning: l.provisioning,
        write,
        old: Some(old),
    };
    if let Some(number) = &l.release.number {
        let write = TeamsWrite::UnassignNumber {
            number: number.clone(),
        };
        plan.actions.push(action(write, number.to_string()));
    }
    for (policy_type, name) in &l.release.policies {
        let write = TeamsWrite::UnassignPolicy {
            policy_type: *policy_type,
            name: name.clone(),
        };
        plan.actions.push(action(write, name.clone()));
    }
}
