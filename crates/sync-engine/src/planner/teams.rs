//! The Teams stage: the verdicts' Teams halves, and what the sync gives back from people who
//! left, become the plan's [`TeamsPlan`] (through [`plan_teams`], which decides nothing).

use ipo_model::{AzureAdUser, ObjectId, TeamsPolicyType, UserType};
use usertype_rules::{TeamsProvisioning, TeamsRelease, TeamsSide, Verdict, teams_release};

use super::context::Context;
use super::line::Line;
use super::person::Judged;
use crate::config::GroupRule;
use crate::teams::{GroupGrant, TeamsLeaver, TeamsPerson, TeamsPlan, TeamsWrite, plan_teams};

/// Someone the sync assigned Teams numbers or policies to who no longer has a Teams half
/// in the rules, with what it gives back.
pub(super) struct TeamsLeaving {
    id: ObjectId,
    label: String,
    release: TeamsRelease,
}

impl TeamsLeaving {
    /// The person.
    pub(super) fn id(&self) -> &ObjectId {
        &self.id
    }
}

/// Everyone the sync assigned something in Teams who is out of the rules' groups (or
/// out of scope, or whose rule's type has no Teams half now), with what Teams still
/// holds of what the sync assigned. Former members are judged from the set-up the run
/// read for them ([`TeamsFacts::leavers`]); without it nothing is given back.
pub(super) fn leavers(cx: &Context<'_>, people: &[Judged<'_>]) -> Vec<TeamsLeaving> {
    let mut leaving = Vec::new();
    for (id, assigned) in cx.teams_assigned {
        let person = people
            .binary_search_by(|p| p.user.id.cmp(id))
            .ok()
            .and_then(|i| people.get(i));
        let release = match person {
            Some(p) if !p.out_of_scope && p.user_type.is_some_and(has_teams_half) => continue,
            Some(p) => teams_release(Some(p.user), assigned),
            None => {
                let Some(former) = cx.teams.leavers.get(id) else {
                    continue;
                };
                teams_release(Some(former), assigned)
            }
        };
        let user = person.map(|p| p.user).or_else(|| cx.teams.leavers.get(id));
        if !release.is_empty() {
            leaving.push(TeamsLeaving {
                id: id.clone(),
                label: user.map_or_else(|| id.to_string(), AzureAdUser::label),
                release,
            });
        }
    }
    leaving
}

/// The plan's Teams stage: each person the sync acts for (not blocked, in scope) with
/// their verdict's Teams half, and the leavers.
pub(super) fn plan(
    cx: &Context<'_>,
    people: &[Judged<'_>],
    lines: &[Line],
    verdicts: &[Option<Verdict>],
    leavers: &[TeamsLeaving],
) -> TeamsPlan {
    let labels: Vec<String> = people.iter().map(|p| p.user.label()).collect();
    let side = |p: &Judged<'_>| -> Option<&TeamsSide> {
        verdicts.get(p.verdict?)?.as_ref()?.teams.as_ref()
    };
    let persons: Vec<TeamsPerson<'_>> = (people.iter().zip(lines).zip(&labels))
        .filter(|((p, line), _)| !line.blocked && !p.out_of_scope)
        .map(|((p, _), label)| TeamsPerson {
            id: &p.user.id,
            label,
            side: side(p),
        })
        .collect();
    let leavers: Vec<TeamsLeaver<'_>> = leavers
        .iter()
        .map(|l| TeamsLeaver {
            id: &l.id,
            label: &l.label,
            // Only what the sync assigned through Graph is remembered as its own.
            provisioning: TeamsProvisioning::Graph,
            release: &l.release,
        })
        .collect();
    let mut plan = plan_teams(&persons, &leavers);
    plan.group_grants = group_grants(cx, people, &plan);
    if let Some(only) = cx.options.explain.as_ref() {
        plan.actions.retain(|a| &a.person == only);
        plan.held.retain(|h| &h.person == only);
        plan.group_grants.clear();
    }
    plan
}

/// One grant per script rule, group and policy where the group nests no other group
/// ([`TeamsFacts::direct_groups`]) and some member's script still grants that policy.
/// Teams ranks group assignments of one policy type: the rules' priority order (higher
/// first, then the file's order), counted over every rule that could have one, so a
/// rule keeps its rank from run to run.
fn group_grants(cx: &Context<'_>, people: &[Judged<'_>], plan: &TeamsPlan) -> Vec<GroupGrant> {
    let script = TeamsProvisioning::Script;
    let mut rules: Vec<&GroupRule> = (cx.config.rules.iter())
        .filter(|r| r.teams.provisioning == script && cx.teams.direct_groups.contains(&r.group))
        .collect();
    rules.sort_by_key(|r| std::cmp::Reverse(r.priority));
    let mut grants = Vec::new();
    for t in TeamsPolicyType::ALL {
        let named = rules.iter().filter_map(|r| Some((*r, r.teams.policy(t)?)));
        for (rank, (rule, name)) in (1u32..).zip(named) {
            if still_granted(people, plan, rule, t, name) {
                grants.push(GroupGrant::new(
                    rule.group.clone(),
                    t,
                    name.to_owned(),
                    rank,
                ));
            }
        }
    }
    grants
}

/// Whether a member `rule` holds has a script grant of policy `name` of type `t` in `plan`.
fn still_granted(
    people: &[Judged<'_>],
    plan: &TeamsPlan,
    rule: &GroupRule,
    t: TeamsPolicyType,
    name: &str,
) -> bool {
    let wanted = TeamsWrite::AssignPolicy {
        policy_type: t,
        name: name.to_owned(),
    };
    plan.actions_by(TeamsProvisioning::Script)
        .filter(|a| a.write == wanted)
        .any(|a| {
            people
                .binary_search_by(|p| p.user.id.cmp(&a.person))
                .ok()
                .and_then(|i| people.get(i))
                .is_some_and(|p| p.rule.is_some_and(|r| std::ptr::eq(r, rule)))
        })
}

fn has_teams_half(t: UserType) -> bool {
    matches!(t, UserType::TeamsOnly | UserType::TeamsAndIpOffice)
}
