//! What keeps the sync from giving a person the Teams half their rule names.

use std::fmt;

use ipo_model::{EffectivePolicy, ObjectId, TeamsNumber, TeamsPolicyType};
use serde::{Deserialize, Serialize};

use super::rule::Unbuildable;

/// A reason the Teams half cannot be written as the rule asks. Each holds back the write it
/// is about (the number, or one policy), never the IP Office half. The `Display` text says
/// what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "problem")]
#[non_exhaustive]
pub enum TeamsProblem {
    /// No number can be made for the person.
    NumberUnbuildable {
        /// Why.
        why: Unbuildable,
    },
    /// The number the rule asks for (with its extension) belongs to another user.
    NumberTaken {
        /// The number, with its extension.
        number: TeamsNumber,
        /// Who holds it.
        holder: ObjectId,
    },
    /// The number comes from on-premises Active Directory (`numberSource: onPremises`):
    /// Graph cannot assign or change it.
    NumberOnPremises {
        /// The number, with its extension.
        number: TeamsNumber,
    },
    /// Teams already rings another number for the person, which the sync did not assign.
    NumberNotOurs {
        /// What Teams has.
        current: TeamsNumber,
        /// What the rule asks for.
        wanted: TeamsNumber,
    },
    /// A policy of the type is assigned to the person directly, by someone else.
    PolicyNotOurs {
        /// What is in effect.
        current: EffectivePolicy,
        /// The policy the rule names.
        wanted: String,
    },
}

impl TeamsProblem {
    /// A stable code for counting and JSON.
    pub fn code(&self) -> &'static str {
        match self {
            TeamsProblem::NumberUnbuildable { .. } => "teams_number_unbuildable",
            TeamsProblem::NumberTaken { .. } => "teams_number_taken",
            TeamsProblem::NumberOnPremises { .. } => "teams_number_on_premises",
            TeamsProblem::NumberNotOurs { .. } => "teams_number_not_ours",
            TeamsProblem::PolicyNotOurs { .. } => "teams_policy_not_ours",
        }
    }

    /// The policy type the problem holds back, or `None` when it is about the number.
    pub fn policy_type(&self) -> Option<TeamsPolicyType> {
        match self {
            TeamsProblem::PolicyNotOurs { current, .. } => Some(current.policy_type),
            _ => None,
        }
    }
}

impl fmt::Display for TeamsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TeamsProblem::NumberUnbuildable { why } => {
                write!(f, "no Teams number can be made: {why}")
            }
            TeamsProblem::NumberTaken { number, holder } => write!(
                f,
                "the Teams number {number} is assigned to another user ({holder}): free it or \
                 give this person another extension"
            ),
            TeamsProblem::NumberOnPremises { number } => write!(
                f,
                "the Teams number {number} comes from on-premises Active Directory \
                 (msRTCSIP-Line): change it there, Graph cannot"
            ),
            TeamsProblem::NumberNotOurs { current, wanted } => write!(
                f,
                "Teams rings {current} for this person, which the sync did not assign; the rule \
                 asks for {wanted}: change it in Teams, or allow adoption for the rule"
            ),
            TeamsProblem::PolicyNotOurs { current, wanted } => write!(
                f,
                "{current} was assigned by someone else; the rule names {wanted:?}: change it \
                 in Teams, or allow adoption for the rule"
            ),
        }
    }
}
