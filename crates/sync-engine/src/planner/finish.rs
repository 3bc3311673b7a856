//! Stage 7: the plan lines, the Teams plan, the notes and the actions in apply order.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use ipo_model::ObjectId;
use usertype_rules::Verdict;

use super::context::Context;
use super::desired::Desired;
use super::labels::person_label;
use super::line::Line;
use super::links::{Links, Pairing};
use super::output::Actions;
use super::person::Judged;
use super::removals::Leavers;
use super::teams::{self, TeamsLeaving};
use crate::plan::{
    HeldRemovals, LicenseNeed, PersonPlan, PersonStatus, Plan, StateUpdate, SystemDirectoryRecords,
};
use crate::reason::Reason;
use crate::state::Link;
use crate::text::Text;

/// What the stages before made, for the plan.
pub(super) struct Stages<'a> {
    pub(super) people: Vec<Judged<'a>>,
    pub(super) desired: Vec<Option<Desired<'a>>>,
    pub(super) lines: Vec<Line>,
    /// Each person's verdict, taken by their plan line.
    pub(super) verdicts: Vec<Option<Verdict>>,
    pub(super) actions: Actions,
    /// What the removals stage said besides its actions (kept users, leavers gone).
    pub(super) leavers: Leavers,
    /// Removals held by the deletion threshold.
    pub(super) held: Option<HeldRemovals>,
    /// The licence forecast.
    pub(super) licenses: Vec<LicenseNeed>,
    /// The system directory's records against IP Office's limit.
    pub(super) directory: Option<SystemDirectoryRecords>,
    /// Who the sync gives Teams numbers and policies back from (none when held).
    pub(super) teams_leavers: Vec<TeamsLeaving>,
    /// The links the user writes change.
    pub(super) links_written: BTreeMap<ObjectId, Option<Link>>,
    /// Contacts' links changed without a write.
    pub(super) contact_updates: Vec<StateUpdate>,
    /// Notes of the stages (reconciling the links comes first).
    pub(super) notes: Vec<String>,
}

/// The plan: every person's line (and the lines of linked people gone from the directory),
/// the Teams plan, the actions in apply order, the links to save and the notes.
pub(super) fn plan(
    cx: &Context<'_>,
    links: &Links<'_>,
    pairing: &Pairing<'_>,
    s: Stages<'_>,
) -> Plan {
    let held_set: HashSet<&ObjectId> = (s.held.iter()).flat_map(|h| &h.people).collect();
    let mut verdicts = s.verdicts;
    let teams = teams::plan(cx, &s.people, &s.lines, &verdicts, &s.teams_leavers);
    let teams_writes: HashSet<&ObjectId> = teams.actions.iter().map(|a| &a.person).collect();
    let marks = Marks {
        held: &held_set,
        kept: &s.leavers.kept,
        teams_writes: &teams_writes,
    };
    let lines = person_lines(cx, s.people, s.desired, s.lines, &mut verdicts, &marks);
    let gone = gone_lines(cx, pairing, &marks, &s.leavers.removed_gone);
    let lines = merge_by_id(lines, gone);
    let mut actions = s.actions.in_apply_order();
    if let Some(only) = cx.options.explain.as_ref() {
        actions.retain(|a| a.person.as_ref() == Some(only));
    }
    let mut link_updates = links.updates.clone();
    link_updates.extend(s.links_written);
    let state_updates = (link_updates.into_iter())
        .map(|(person, link)| StateUpdate { person, link })
        .collect();
    let mut notes = links.notes.clone();
    notes.extend(s.notes);
    notes.extend(s.held.as_ref().map(HeldRemovals::message));
    notes.extend(
        (s.directory.as_ref())
            .filter(|d| d.is_held())
            .map(|d| d.message()),
    );
    Plan {
        actions,
        people: lines,
        licenses: s.licenses,
        held_removals: s.held,
        teams,
        system_directory: s.directory,
        notes,
        state_updates,
        contact_updates: s.contact_updates,
    }
}

/// Who the plan holds, keeps or writes only Teams for, besides what their lines say.
struct Marks<'s> {
    /// People whose removals the deletion threshold holds.
    held: &'s HashSet<&'s ObjectId>,
    /// Leavers whose user the removal policy keeps.
    kept: &'s BTreeSet<ObjectId>,
    /// People with Teams writes.
    teams_writes: &'s HashSet<&'s ObjectId>,
}

/// Every person's plan line, in person (id) order, each with their verdict.
fn person_lines(
    cx: &Context<'_>,
    people: Vec<Judged<'_>>,
    desired: Vec<Option<Desired<'_>>>,
    lines: Vec<Line>,
    verdicts: &mut [Option<Verdict>],
    marks: &Marks<'_>,
) -> Vec<PersonPlan> {
    (people.into_iter().zip(desired).zip(lines))
        .map(|((p, d), mut line)| {
            let id = &p.user.id;
            let held_here = marks.held.contains(id);
            if held_here {
                line.warn(Reason::RemovalHeld);
            }
            if marks.kept.contains(id) {
                line.warn(Reason::KeptByPolicy);
            }
            let verdict = p.verdict.and_then(|i| verdicts.get_mut(i)?.take());
            if let Some(trace) = &mut line.trace {
                let side = verdict.as_ref().and_then(|v| v.teams.as_ref());
                trace.extend(side.map(teams_steps).into_iter().flatten());
            }
            let status = match line.status {
                Some(_) if held_here => PersonStatus::Skipped,
                Some(s) => s,
                None if line.blocked || p.out_of_scope => PersonStatus::Skipped,
                // Only Teams is written for them.
                None if marks.teams_writes.contains(id) => PersonStatus::Update,
                None => PersonStatus::InSync,
            };
            let (ipo_name, extension) = match d {
                Some(d) => (d.name, d.extension),
                None => (None, None),
            };
            PersonPlan {
                id: id.clone(),
                label: person_label(p.user),
                display_name: p.user.display_name.as_deref().map(Text::copied),
                user_type: p.user_type,
                rule: (p.rule).and_then(|_| cx.rule_labels.get(p.rule_index as usize).cloned()),
                ipo_name,
                extension,
                status,
                reasons: line.reasons,
                trace: line.trace.unwrap_or_default(),
                verdict,
            }
        })
        .collect()
}

/// The lines of linked people no longer in the directory at all, in id order.
fn gone_lines(
    cx: &Context<'_>,
    pairing: &Pairing<'_>,
    marks: &Marks<'_>,
    removed_gone: &BTreeSet<ObjectId>,
) -> Vec<PersonPlan> {
    let gone = pairing.each_link().filter(|(_, _, at)| at.is_none());
    gone.map(|(id, link, _)| {
        let held_here = marks.held.contains(id);
        let mut reasons = vec![Reason::OutOfScope];
        if held_here {
            reasons.push(Reason::RemovalHeld);
        }
        if marks.kept.contains(id) {
            reasons.push(Reason::KeptByPolicy);
        }
        let status = match removed_gone.contains(id) && !held_here {
            true => PersonStatus::Remove,
            false => PersonStatus::Skipped,
        };
        let trace = match cx.explains(id) {
            true => vec!["scope: no longer in any synced group (or deleted)".into()],
            false => Vec::new(),
        };
        PersonPlan {
            id: id.clone(),
            label: (link.name.as_ref()).map_or_else(|| Text::copied(id.as_str()), Text::from),
            display_name: None,
            user_type: None,
            rule: None,
            ipo_name: link.name.clone(),
            extension: link.extension_number.clone(),
            status,
            reasons,
            trace,
            verdict: None,
        }
    })
    .collect()
}

/// The explained person's Teams half, as trace steps.
fn teams_steps(side: &usertype_rules::TeamsSide) -> Vec<String> {
    let lines = side.describe();
    if lines.is_empty() {
        return vec!["teams: Teams holds what the rule asks".into()];
    }
    lines.into_iter().map(|l| format!("teams: {l}")).collect()
}

/// Two lists sorted by id, merged into one sorted list.
fn merge_by_id(lines: Vec<PersonPlan>, gone: Vec<PersonPlan>) -> Vec<PersonPlan> {
    if gone.is_empty() {
        return lines;
    }
    let mut merged = Vec::with_capacity(lines.len() + gone.len());
    let mut gone = gone.into_iter().peekable();
    for line in lines {
        while let Some(g) = gone.next_if(|g| g.id < line.id) {
            merged.push(g);
        }
        merged.push(line);
    }
    merged.extend(gone);
    merged
}
