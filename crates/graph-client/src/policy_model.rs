//! Teams policies as Graph's Teams administration API names them: policy types, one
//! user's assignment, and reading the effective assignments a user configuration reports.

use ipo_model::{ObjectId, PolicyVia, TeamsPolicyType};
use serde::Deserialize;

/// `OnlineVoiceRoutingPolicy`: sends a Direct Routing user's calls through the SBC.
pub const ONLINE_VOICE_ROUTING_POLICY: &str = TeamsPolicyType::OnlineVoiceRouting.graph_name();

/// `TenantDialPlan`: normalises what a user dials.
pub const TENANT_DIAL_PLAN: &str = TeamsPolicyType::TenantDialPlan.graph_name();

/// The policy types the sync assigns through `policy/userAssignments` and `getPolicyId`.
///
/// An **assumption**: Microsoft's pages for these endpoints
/// (`teamsadministration-teamspolicyuserassignment-assign.md`,
/// `teamsadministration-teamspolicyassignment-getpolicyid.md`) show only
/// `TeamsMeetingPolicy` and name `teamsMeetingBroadcastPolicy`; that the voice policies are
/// accepted is not shown there (Teams PowerShell's batch assignment lists
/// `OnlineVoiceRoutingPolicy` and `TenantDialPlan` among its types). This is the one place
/// the assumption is made; a tenant that refuses them answers an error naming the type.
pub const ASSUMED_VOICE_POLICY_TYPES: [&str; 2] = [ONLINE_VOICE_ROUTING_POLICY, TENANT_DIAL_PLAN];

/// A Teams policy type, e.g. `OnlineVoiceRoutingPolicy`. Compared without regard to case
/// (the docs spell types both ways); known types are kept in their documented spelling.
#[derive(Debug, Clone, Eq)]
pub struct PolicyType(String);

impl PolicyType {
    /// A type from its name; a known type in any case gets its documented spelling.
    pub fn new(name: impl Into<String>) -> Self {
        let name = name.into();
        let known = ASSUMED_VOICE_POLICY_TYPES
            .iter()
            .find(|k| k.eq_ignore_ascii_case(&name));
        Self(known.map_or(name, |k| (*k).to_owned()))
    }

    /// `OnlineVoiceRoutingPolicy`.
    pub fn online_voice_routing() -> Self {
        Self(ONLINE_VOICE_ROUTING_POLICY.to_owned())
    }

    /// `TenantDialPlan`.
    pub fn tenant_dial_plan() -> Self {
        Self(TENANT_DIAL_PLAN.to_owned())
    }

    /// The type as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PartialEq for PolicyType {
    fn eq(&self, other: &Self) -> bool {
        crate::teams_slips::same_policy_type(&self.0, &other.0)
    }
}

impl std::fmt::Display for PolicyType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One user's direct assignment of a policy (`teamsPolicyUserAssignment`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PolicyAssignment {
    /// The user's Azure AD object id.
    pub user_id: ObjectId,
    /// The policy type.
    pub policy_type: PolicyType,
    /// The policy's id ([`crate::GraphClient::policy_id`] finds it by name); not needed to
    /// unassign.
    pub policy_id: Option<String>,
}

impl PolicyAssignment {
    /// Assign policy `policy_id` of `policy_type` to `user`.
    pub fn assign(user: ObjectId, policy_type: PolicyType, policy_id: impl Into<String>) -> Self {
        Self {
            user_id: user,
            policy_type,
            policy_id: Some(policy_id.into()),
        }
    }

    /// Take `user`'s direct assignment of `policy_type` away.
    pub fn unassign(user: ObjectId, policy_type: PolicyType) -> Self {
        Self {
            user_id: user,
            policy_type,
            policy_id: None,
        }
    }
}

/// One entry of a user configuration's `effectivePolicyAssignments`, as sent.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawEffective {
    #[serde(default)]
    policy_type: Option<String>,
    #[serde(default)]
    policy_assignment: Option<RawPolicyAssignment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPolicyAssignment {
    /// `direct`, `group`, or another way (the tenant's default): only `direct` is the
    /// user's own.
    #[serde(default)]
    assignment_type: Option<String>,
    #[serde(default)]
    policy_id: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    group_id: Option<String>,
}

impl From<TeamsPolicyType> for PolicyType {
    fn from(t: TeamsPolicyType) -> Self {
        PolicyType::new(t.graph_name())
    }
}

impl RawEffective {
    /// The entry in the domain's terms ([`ipo_model::EffectivePolicy`]): `None` for a policy
    /// type the sync does not know, or an entry without a type or a name.
    pub(crate) fn into_domain(self) -> Option<ipo_model::EffectivePolicy> {
        let policy_type = TeamsPolicyType::from_graph_name(&self.policy_type?)?;
        let a = self.policy_assignment?;
        let direct = a
            .assignment_type
            .is_some_and(|t| t.eq_ignore_ascii_case("direct"));
        let via = if direct {
            PolicyVia::Direct
        } else {
            PolicyVia::Group(a.group_id.as_deref().and_then(|g| g.parse().ok()))
        };
        let name = crate::teams_slips::policy_display_name(a.display_name.as_deref()?);
        let mut p = ipo_model::EffectivePolicy::new(policy_type, name.to_owned(), via);
        p.policy_id = a.policy_id;
        Some(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_types_keep_their_documented_spelling() {
        assert_eq!(
            PolicyType::new("onlinevoiceroutingpolicy").as_str(),
            "OnlineVoiceRoutingPolicy"
        );
        assert_eq!(
            PolicyType::new("teamsMeetingPolicy").as_str(),
            "teamsMeetingPolicy"
        );
        assert_eq!(
            PolicyType::new("TEAMSMEETINGPOLICY"),
            PolicyType::new("TeamsMeetingPolicy")
        );
    }
}
