//! The Teams half of a verdict: the number and policies the rule asks for against what
//! Teams has, and what may be written.

use ipo_model::{
    AssignmentCategory, AzureAdUser, EffectivePolicy, ExtensionNumber, NumberSource, PolicyVia,
    TeamsNumber, TeamsNumberHolders, TeamsPolicyType, UserType,
};
use serde::{Deserialize, Serialize};

use super::assigned::TeamsAssigned;
use super::enterprise_voice::EnterpriseVoice;
use super::problem::TeamsProblem;
use super::rule::{TeamsProvisioning, TeamsSideRule};

/// What the Teams half is judged from.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct TeamsSideInput<'a> {
    /// The person's rule's Teams half.
    pub rule: &'a TeamsSideRule,
    /// The Azure AD user, with `teams` read.
    pub user: &'a AzureAdUser,
    /// The type the person's rule makes them.
    pub user_type: UserType,
    /// The extension the classification settled on (the IP Office user's for Teams + IP
    /// Office people, the Teams one for Teams-only people).
    pub extension: Option<&'a ExtensionNumber>,
    /// The tenant's numbers and who holds them.
    pub holders: &'a TeamsNumberHolders,
    /// What the sync assigned to this person before, from its state.
    pub assigned: Option<&'a TeamsAssigned>,
}

impl<'a> TeamsSideInput<'a> {
    /// The input for one person; nothing assigned before.
    pub fn new(
        rule: &'a TeamsSideRule,
        user: &'a AzureAdUser,
        user_type: UserType,
        extension: Option<&'a ExtensionNumber>,
        holders: &'a TeamsNumberHolders,
    ) -> Self {
        Self {
            rule,
            user,
            user_type,
            extension,
            holders,
            assigned: None,
        }
    }

    /// With what the sync assigned before.
    pub fn assigned(mut self, assigned: Option<&'a TeamsAssigned>) -> Self {
        self.assigned = assigned;
        self
    }
}

/// A change of one value: nothing before, or something else before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Change<T> {
    /// What Teams has now.
    pub from: Option<T>,
    /// What it will have.
    pub to: T,
}

/// The number side of a [`TeamsSide`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TeamsNumberVerdict {
    /// Teams' primary number for the person now.
    pub current: Option<TeamsNumber>,
    /// The number the rule asks for (`None`: the rule manages no number, or none could be
    /// made: see the problems).
    pub wanted: Option<TeamsNumber>,
    /// The write to make, if any and if allowed.
    pub change: Option<Change<TeamsNumber>>,
}

/// One policy of a [`TeamsSide`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TeamsPolicyVerdict {
    /// The policy type.
    pub policy_type: TeamsPolicyType,
    /// What is in effect now (direct or from a group), if Teams said.
    pub current: Option<EffectivePolicy>,
    /// The name the rule gives.
    pub wanted: String,
    /// Whether the sync assigns `wanted` directly.
    pub assign: bool,
}

/// The Teams half of one person's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TeamsSide {
    /// How the rule provisions it.
    pub provisioning: TeamsProvisioning,
    /// The number.
    pub number: TeamsNumberVerdict,
    /// The policies the rule names, in [`TeamsPolicyType::ALL`] order.
    pub policies: Vec<TeamsPolicyVerdict>,
    /// Enterprise Voice, and what the sync does when it is off.
    #[serde(default)]
    pub enterprise_voice: EnterpriseVoice,
    /// What holds a write back.
    pub problems: Vec<TeamsProblem>,
}

impl TeamsSide {
    /// Whether Teams already holds what the rule asks for and nothing stands in the way.
    pub fn is_in_line(&self) -> bool {
        self.number.change.is_none()
            && self.policies.iter().all(|p| !p.assign)
            && self.enterprise_voice.is_in_line()
            && self.problems.is_empty()
    }

    /// The policy assignments to make.
    pub fn policy_assignments(&self) -> impl Iterator<Item = &TeamsPolicyVerdict> {
        self.policies.iter().filter(|p| p.assign)
    }

    /// One line per thing to change or that holds a change back, for people to read:
    /// `number +441632768402 -> +441632768402 x402`, `online voice routing policy "Global"
    /// (from a group) -> "UK"`, Enterprise Voice when it is off, then the problems. Empty
    /// when Teams is in line.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(c) = &self.number.change {
            let from = c
                .from
                .as_ref()
                .map_or("none".to_owned(), ToString::to_string);
            lines.push(format!("number {from} -> {}", c.to));
        }
        for p in self.policy_assignments() {
            let from = p.current.as_ref().map_or("none".to_owned(), |c| {
                format!("{:?}{}", c.name, via_text(&c.via))
            });
            lines.push(format!("{} {from} -> {:?}", p.policy_type, p.wanted));
        }
        lines.extend(self.enterprise_voice.describe().map(str::to_owned));
        lines.extend(self.problems.iter().map(ToString::to_string));
        lines
    }
}

fn via_text(via: &PolicyVia) -> &'static str {
    match via {
        PolicyVia::Direct => " (direct)",
        _ => " (from a group)",
    }
}

/// Judges a person's Teams half: `None` when their rule leaves Teams alone or their type has
/// no Teams half (IP Office only).
///
/// ```
/// use ipo_model::*;
/// use usertype_rules::{judge_teams_side, TeamsSideInput, TeamsSideRule};
///
/// let rule: TeamsSideRule = serde_json::from_str(
///     r#"{"provisioning":"graph","number":{"template":"+441632768{extension}"},
///         "voice_routing_policy":"UK"}"#,
/// )?;
/// let mut ann = AzureAdUser::new("87d349ed-44d7-43e1-9a83-5f2406dee5bd".parse()?);
/// ann.teams = Some(TeamsVoice::default());
/// let ext: ExtensionNumber = "402".parse()?;
/// let holders = TeamsNumberHolders::default();
/// let input = TeamsSideInput::new(&rule, &ann, UserType::TeamsOnly, Some(&ext), &holders);
/// let side = judge_teams_side(&input).expect("a Teams-only person has a Teams half");
/// let change = side.number.change.as_ref().expect("a number to assign");
/// assert_eq!(change.to.to_string(), "+441632768402 x402"); // with the extension
/// assert!(change.from.is_none());
/// assert!(side.policies[0].assign);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn judge_teams_side(input: &TeamsSideInput<'_>) -> Option<TeamsSide> {
    if input.rule.provisioning == TeamsProvisioning::Off
        || !matches!(
            input.user_type,
            UserType::TeamsOnly | UserType::TeamsAndIpOffice
        )
    {
        return None;
    }
    let mut problems = Vec::new();
    let number = judge_number(input, &mut problems);
    let policies = TeamsPolicyType::ALL
        .into_iter()
        .filter_map(|t| Some((t, input.rule.policy(t)?)))
        .map(|(t, wanted)| judge_policy(input, t, wanted, &mut problems))
        .collect();
    let enterprise_voice =
        EnterpriseVoice::judge(input.user, number.change.is_some(), input.rule.provisioning);
    Some(TeamsSide {
        provisioning: input.rule.provisioning,
        number,
        policies,
        enterprise_voice,
        problems,
    })
}

/// Teams' primary number for the user (any number when none is marked primary), if it reads
/// as a number.
pub(crate) fn current_number(user: &AzureAdUser) -> Option<TeamsNumber> {
    let numbers = &user.teams.as_ref()?.telephone_numbers;
    let primary = numbers
        .iter()
        .find(|n| n.category == AssignmentCategory::Primary)
        .or_else(|| numbers.first())?;
    TeamsNumber::parse_any(&primary.number).ok()
}

fn judge_number(
    input: &TeamsSideInput<'_>,
    problems: &mut Vec<TeamsProblem>,
) -> TeamsNumberVerdict {
    let current = current_number(input.user);
    let mut verdict = TeamsNumberVerdict {
        current: current.clone(),
        ..TeamsNumberVerdict::default()
    };
    let Some(rule) = &input.rule.number else {
        return verdict;
    };
    let wanted = match rule.number_for(input.user, input.extension) {
        Ok(n) => n,
        Err(why) => {
            problems.push(TeamsProblem::NumberUnbuildable { why });
            return verdict;
        }
    };
    verdict.wanted = Some(wanted.clone());
    if current.as_ref() == Some(&wanted) {
        return verdict;
    }
    if let Some(p) = number_blocker(input, current.as_ref(), &wanted) {
        problems.push(p);
        return verdict;
    }
    verdict.change = Some(Change {
        from: current,
        to: wanted,
    });
    verdict
}

/// What keeps the sync from giving the person `wanted` in place of `current`.
fn number_blocker(
    input: &TeamsSideInput<'_>,
    current: Option<&TeamsNumber>,
    wanted: &TeamsNumber,
) -> Option<TeamsProblem> {
    // Holders are looked up by the whole number: another extension of the same base number
    // is another number.
    let holders = input.holders;
    let on_premises = |n: &TeamsNumber| {
        let h = holders.get(n)?;
        (h.source == Some(NumberSource::OnPremises)).then(|| n.clone())
    };
    if let Some(number) = current
        .and_then(on_premises)
        .or_else(|| on_premises(wanted))
    {
        return Some(TeamsProblem::NumberOnPremises { number });
    }
    let wanted_holder = holders.get(wanted).and_then(|h| h.holder.as_ref());
    if let Some(holder) = wanted_holder
        && *holder != input.user.id
    {
        return Some(TeamsProblem::NumberTaken {
            number: wanted.clone(),
            holder: holder.clone(),
        });
    }
    let ours = input.assigned.and_then(|a| a.number.as_ref());
    match current {
        Some(c) if ours != Some(c) && !input.rule.adopt => Some(TeamsProblem::NumberNotOurs {
            current: c.clone(),
            wanted: wanted.clone(),
        }),
        _ => None,
    }
}

fn judge_policy(
    input: &TeamsSideInput<'_>,
    policy_type: TeamsPolicyType,
    wanted: &str,
    problems: &mut Vec<TeamsProblem>,
) -> TeamsPolicyVerdict {
    let current = input
        .user
        .teams
        .as_ref()
        .and_then(|t| {
            t.effective_policies
                .iter()
                .find(|p| p.policy_type == policy_type)
        })
        .cloned();
    let in_effect = current
        .as_ref()
        .is_some_and(|c| c.name.eq_ignore_ascii_case(wanted));
    let ours = input
        .assigned
        .and_then(|a| a.policies.get(&policy_type))
        .zip(current.as_ref())
        .is_some_and(|(mine, c)| mine.eq_ignore_ascii_case(&c.name));
    let someone_elses = current
        .as_ref()
        .filter(|c| c.via == PolicyVia::Direct && !in_effect && !ours && !input.rule.adopt);
    if let Some(c) = someone_elses {
        problems.push(TeamsProblem::PolicyNotOurs {
            current: c.clone(),
            wanted: wanted.to_owned(),
        });
    }
    TeamsPolicyVerdict {
        policy_type,
        assign: !in_effect && someone_elses.is_none(),
        current,
        wanted: wanted.to_owned(),
    }
}
