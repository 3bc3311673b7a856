//! Stages 1 and 2: the rule that holds each person and what their verdict says.

use ipo_model::{AzureAdUser, Guid, TeamsNumber, UserName, UserType};
use usertype_rules::{Classification, MatchKey, Verdict};

use super::context::Context;
use super::line::Line;
use super::links::Links;
use crate::config::GroupRule;
use crate::reason::Reason;
use crate::scope::{self, Ruled, Scope};
use crate::verdicts::{self, Judgement};

/// A person as the rules and their verdict see them. Made once (stages 1 and 2) and only
/// read after.
#[derive(Debug)]
pub(super) struct Judged<'a> {
    pub(super) user: &'a AzureAdUser,
    pub(super) rule: Option<&'a GroupRule>,
    /// The rule's place in the configuration (its label is made once, for everyone).
    pub(super) rule_index: u32,
    pub(super) user_type: Option<UserType>,
    /// Out of the sync's scope (in no rule's group, or the verdict says not synced).
    pub(super) out_of_scope: bool,
    /// The IP Office user their verdict pairs them with, and by which key.
    pub(super) matched: Option<(Guid, MatchKey)>,
    /// Their Teams number and/or extension, as their verdict read it.
    pub(super) number: Option<TeamsNumber>,
    /// The IP Office user name their verdict derived.
    pub(super) ipo_name: Option<UserName>,
    /// Where their verdict is in the classification.
    pub(super) verdict: Option<usize>,
    /// Whether usertype-rules lets their IP Office user into hunt groups now (a user the
    /// plan creates joins the ones claimed once it exists).
    pub(super) hunt_group_eligible: bool,
}

/// What stages 1 and 2 make: the people in id order, each with the start of their plan
/// line, and the classification's verdicts (each plan line takes its own at the end).
pub(super) struct Judgements<'a> {
    pub(super) people: Vec<Judged<'a>>,
    pub(super) lines: Vec<Line>,
    pub(super) verdicts: Vec<Option<Verdict>>,
    /// The classification itself, when asked to keep it and it is the one
    /// [`classify_for_sync`](crate::classify_for_sync) gives.
    pub(super) classification: Option<Classification>,
}

/// Scope, then the verdicts: what each person is, may become and what blocks them,
/// decided by usertype-rules from the same configuration a classification report uses.
pub(super) fn judge<'a>(
    cx: &Context<'a>,
    links: &Links<'a>,
    directory: &'a [AzureAdUser],
    keep_classification: bool,
) -> Judgements<'a> {
    // Merge duplicates (a person reached through several groups) and sort by id, so the
    // plan (and extension allocation) does not depend on the directory's order.
    let sorted = scope::sorted_by_id(directory);
    let same_id = scope::people_of(&sorted);
    let rules = Scope::new(cx.config);
    let ruled: Vec<Ruled<'a>> = same_id.iter().map(|same| rules.rule_for(same)).collect();
    let classification = verdicts::Context::new(
        cx.config,
        cx.snapshot,
        &links.all,
        (cx.teams, cx.teams_assigned),
    )
    .classify(&same_id, &ruled, &rules);
    // The links it was made with are the state's unless reconciling changed one.
    let kept = (keep_classification && !links.changed()).then(|| classification.clone());
    let mut people = Vec::with_capacity(same_id.len());
    let mut lines = Vec::with_capacity(same_id.len());
    for (same, r) in same_id.iter().zip(&ruled) {
        let Some(&first) = same.first() else { continue };
        let at = (classification.verdicts)
            .binary_search_by(|v| v.person.azure_ad.as_ref().cmp(&Some(&first.id)))
            .ok();
        let verdict = at.and_then(|i| classification.verdicts.get(i));
        let mut line = Line::new(cx.explains(&first.id));
        let mut p = judge_one(first, *r, verdict, &mut line, |priority| {
            rules.conflicting(same, priority)
        });
        p.verdict = at;
        people.push(p);
        lines.push(line);
    }
    Judgements {
        people,
        lines,
        verdicts: classification.verdicts.into_iter().map(Some).collect(),
        classification: kept,
    }
}

/// Stage 1 for one person: the rule that holds them; then their verdict (stage 2).
/// `conflicting` names the rules of a priority in conflict (asked only when there is one).
fn judge_one<'a>(
    user: &'a AzureAdUser,
    ruled: Ruled<'a>,
    verdict: Option<&Verdict>,
    line: &mut Line,
    conflicting: impl FnOnce(i32) -> Vec<String>,
) -> Judged<'a> {
    let mut p = Judged {
        user,
        rule: None,
        rule_index: 0,
        user_type: None,
        out_of_scope: false,
        matched: None,
        number: None,
        ipo_name: None,
        verdict: None,
        hunt_group_eligible: false,
    };
    let (rule_index, rule) = match ruled {
        Ruled::Nothing => {
            p.out_of_scope = true;
            line.warn(Reason::OutOfScope);
            line.trace_with(|| "scope: in none of the synced groups".into());
            return p;
        }
        Ruled::Conflict { priority } => {
            let labels = conflicting(priority);
            line.trace_with(|| {
                format!(
                    "scope: conflict between rules of priority {priority}: {}",
                    labels.join(", ")
                )
            });
            line.block(Reason::RuleConflict { rules: labels });
            return p;
        }
        Ruled::Rule(i, r) => (i, r),
    };
    p.rule = Some(rule);
    // Rules are a configuration's handful: the index always fits.
    p.rule_index = u32::try_from(rule_index).unwrap_or(u32::MAX);
    p.user_type = Some(rule.user_type);
    line.trace_with(|| {
        format!(
            "scope: group {} (priority {}) makes them {}",
            rule.label(),
            rule.priority,
            rule.user_type
        )
    });
    if let Some(v) = verdict {
        take_verdict(&mut p, v, line);
    }
    p
}

/// Stage 2 for one person in a rule: what their verdict says stops them (or takes them out
/// of scope), what it warns of, and what it read for the stages after.
fn take_verdict(p: &mut Judged<'_>, v: &Verdict, line: &mut Line) {
    let Judgement {
        out_of_scope,
        blocking,
        warnings,
        matched,
        number,
        ipo_name,
    } = verdicts::judge(v);
    if let Some(r) = out_of_scope {
        line.trace_with(|| format!("verdict: {r}, so out of scope"));
        p.out_of_scope = true;
        line.warn(r);
        return;
    }
    for r in blocking {
        line.trace_with(|| format!("verdict: {r}"));
        line.block(r);
    }
    for r in warnings {
        line.trace_with(|| format!("verdict (warning): {r}"));
        line.warn(r);
    }
    if !line.blocked {
        line.trace_with(|| "verdict: nothing stands in the way".into());
    }
    p.matched = matched;
    p.number = number;
    p.ipo_name = ipo_name;
    p.hunt_group_eligible = usertype_rules::hunt_group_eligibility(v).is_ok();
}
