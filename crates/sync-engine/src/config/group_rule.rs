//! `[[rules]]`: what one Azure AD group means, with its Teams half (`[rules.teams]`).

use ipo_model::{GroupId, UserType};
use serde::{Deserialize, Serialize};
use usertype_rules::{TeamsProvisioning, TeamsSideRule};

use crate::error::ConfigError;

/// What one Azure AD group means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawGroupRule")]
#[non_exhaustive]
pub struct GroupRule {
    /// The group's object id; nested groups count.
    pub group: GroupId,
    /// A name for reports (defaults to the group id).
    pub name: Option<String>,
    /// The user type members become.
    pub user_type: UserType,
    /// Higher wins for people in several groups; equal priorities that disagree are a conflict.
    pub priority: i32,
    /// Provisioning rule for users created through this group (by name).
    pub provisioning_rule: Option<String>,
    /// The rule's Teams half (`[rules.teams]`): how it is provisioned, the number Teams
    /// rings, the policies to assign.
    pub teams: TeamsSideRule,
}

/// The file's form of a [`GroupRule`]: the rule-level `voice_routing_policy` is still
/// accepted, and read into the Teams half.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroupRule {
    group: GroupId,
    #[serde(default)]
    name: Option<String>,
    user_type: UserType,
    #[serde(default)]
    priority: i32,
    #[serde(default)]
    provisioning_rule: Option<String>,
    #[serde(default)]
    voice_routing_policy: Option<String>,
    #[serde(default)]
    teams: Option<TeamsSideRule>,
}

impl TryFrom<RawGroupRule> for GroupRule {
    type Error = String;

    fn try_from(raw: RawGroupRule) -> Result<Self, Self::Error> {
        let mut rule = GroupRule::new(raw.group, raw.user_type);
        rule.name = raw.name;
        rule.priority = raw.priority;
        rule.provisioning_rule = raw.provisioning_rule;
        rule.teams = match (raw.teams, raw.voice_routing_policy) {
            (Some(_), Some(_)) => {
                return Err(format!(
                    "rule {:?} gives voice_routing_policy at the rule's level (the older form) \
                     and a teams table: move voice_routing_policy into its teams table",
                    rule.label()
                ));
            }
            (Some(teams), None) => teams,
            // The older form means the policy, provisioned as before: by script.
            (None, policy) => {
                let mut teams = TeamsSideRule::default();
                teams.voice_routing_policy = policy;
                teams
            }
        };
        Ok(rule)
    }
}

impl GroupRule {
    /// A rule with priority 0, no provisioning rule and no Teams half.
    pub fn new(group: GroupId, user_type: UserType) -> Self {
        Self {
            group,
            name: None,
            user_type,
            priority: 0,
            provisioning_rule: None,
            teams: TeamsSideRule::default(),
        }
    }

    /// The name used in reports.
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.group.to_string())
    }

    /// The Teams half, as rule `index` of the configuration: only Teams rules have one, and
    /// one that provisions must name something to provision.
    pub(super) fn check_teams(&self, index: usize) -> Result<(), ConfigError> {
        let teams = &self.teams;
        // Without a teams table the half is the default: nothing configured, nothing to check.
        if teams.provisioning == TeamsProvisioning::Off || *teams == TeamsSideRule::default() {
            return Ok(());
        }
        let refuse = |key: &str, message: String| ConfigError::InvalidRule {
            index,
            rule: self.label(),
            key: key.into(),
            message,
        };
        if !self.user_type.needs_teams_voice() {
            return Err(refuse(
                "teams.provisioning",
                format!(
                    "{} users have no Teams half: remove the rule's Teams settings (its \
                     teams table, or voice_routing_policy) or set provisioning = \"off\"",
                    self.user_type
                ),
            ));
        }
        let names_nothing = teams.number.is_none()
            && teams.voice_routing_policy.is_none()
            && teams.dial_plan.is_none();
        if names_nothing {
            return Err(refuse(
                "teams",
                format!(
                    "provisioning by {} but nothing to provision: give number, \
                     voice_routing_policy or dial_plan",
                    teams.provisioning
                ),
            ));
        }
        Ok(())
    }
}
