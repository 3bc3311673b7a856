//! Teams policies as the sync meets them: which types it assigns, and what Teams says is in
//! effect for a user (`effectivePolicyAssignments` of a `teamsUserConfiguration`).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::id::GroupId;

/// A Teams policy type the sync can assign (Graph's `policyType`).
///
/// [`TeamsPolicyType::graph_name`] is the one place the wire names live. That Graph's
/// policy-assignment endpoints accept these types (their pages only show
/// `TeamsMeetingPolicy`) is an assumption, documented where Graph is spoken:
/// `graph_client::ASSUMED_VOICE_POLICY_TYPES`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamsPolicyType {
    /// `OnlineVoiceRoutingPolicy`: which PSTN usages (and so which SBC) a user's calls take.
    OnlineVoiceRouting,
    /// `TenantDialPlan`: how dialled digits are normalised.
    TenantDialPlan,
}

impl TeamsPolicyType {
    /// Every type, in the order plans list them.
    pub const ALL: [TeamsPolicyType; 2] = [
        TeamsPolicyType::OnlineVoiceRouting,
        TeamsPolicyType::TenantDialPlan,
    ];

    /// The name Graph and Teams PowerShell use.
    pub const fn graph_name(self) -> &'static str {
        match self {
            TeamsPolicyType::OnlineVoiceRouting => "OnlineVoiceRoutingPolicy",
            TeamsPolicyType::TenantDialPlan => "TenantDialPlan",
        }
    }

    /// Reads a Graph policy type name. Graph's pages spell types in more than one case
    /// (`teamsMeetingPolicy`, `TeamsMeetingPolicy`), so case is ignored.
    pub fn from_graph_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.graph_name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for TeamsPolicyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TeamsPolicyType::OnlineVoiceRouting => "online voice routing policy",
            TeamsPolicyType::TenantDialPlan => "dial plan",
        })
    }
}

/// How a policy reaches a user (`policyAssignment.assignmentType`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "via", content = "group")]
#[non_exhaustive]
pub enum PolicyVia {
    /// Assigned to the user directly (`direct`).
    Direct,
    /// Inherited from a group assignment (`group`), with the group when Graph names it.
    Group(Option<GroupId>),
}

/// One policy in effect for a user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EffectivePolicy {
    /// The policy type.
    pub policy_type: TeamsPolicyType,
    /// `policyId`, when Graph gives it.
    pub policy_id: Option<String>,
    /// `displayName`: the policy's name as administrators know it.
    pub name: String,
    /// Direct, or inherited from a group.
    pub via: PolicyVia,
}

impl EffectivePolicy {
    /// A policy in effect, by name.
    pub fn new(policy_type: TeamsPolicyType, name: impl Into<String>, via: PolicyVia) -> Self {
        Self {
            policy_type,
            policy_id: None,
            name: name.into(),
            via,
        }
    }
}

impl fmt::Display for EffectivePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.via {
            PolicyVia::Direct => write!(f, "{} {:?} (direct)", self.policy_type, self.name),
            PolicyVia::Group(Some(g)) => {
                write!(f, "{} {:?} (from group {g})", self.policy_type, self.name)
            }
            PolicyVia::Group(None) => {
                write!(f, "{} {:?} (from a group)", self.policy_type, self.name)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_names_are_read_in_any_case() {
        for t in TeamsPolicyType::ALL {
            assert_eq!(TeamsPolicyType::from_graph_name(t.graph_name()), Some(t));
            let lower = t.graph_name().to_ascii_lowercase();
            assert_eq!(TeamsPolicyType::from_graph_name(&lower), Some(t));
        }
        assert_eq!(TeamsPolicyType::from_graph_name("TeamsMeetingPolicy"), None);
    }
}
