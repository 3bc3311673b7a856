//! Stage 6: plan lines, the Teams script, the licence forecast, actions in apply order.

use super::teams::TeamsLeaving;
use super::*;

impl<'a> Planner<'a> {
    /// The deletion threshold: above it every removal is held (taken out of `out`), and
    /// the directory entries of Teams-only people waiting for one with it.
    pub(super) fn hold_removals(
        &self,
        out: &mut Output,
        teams_leavers: &mut Vec<TeamsLeaving>,
    ) -> Option<HeldRemovals> {
        let managed = self.links.values().filter(|l| l.user.is_some()).count();
        let threshold = self.config.safety.removal_threshold(managed);
        // What the sync gives back in Teams counts like an IP Office removal.
        let removal_people: BTreeSet<ObjectId> = out
            .removals
            .iter()
            .filter(|a| a.kind.is_removal())
            .filter_map(|a| a.person.clone())
            .chain(teams_leavers.iter().map(|l| l.id().clone()))
            .collect();
        if removal_people.len() <= threshold || self.options.allow_removals {
            return None;
        }
        out.removals.clear();
        teams_leavers.clear();
        // A Teams-only person's entry waits for the removal of their old IP Office user,
        // which may hold the same extension.
        let held_here = |a: &Action| {
            a.person
                .as_ref()
                .is_some_and(|p| removal_people.contains(p))
        };
        out.main
            .retain(|a| !(a.kind == ActionKind::PutDirectoryEntry && held_here(a)));
        Some(HeldRemovals {
            count: removal_people.len(),
            threshold,
            managed,
            people: removal_people.into_iter().collect(),
        })
    }

    pub(super) fn finish(
        mut self,
        people: Vec<Person<'a>>,
        mut verdicts: Vec<Option<Verdict>>,
        at: &[Option<usize>],
        mut out: Output,
        limits: Limits,
    ) -> Plan {
        let Limits {
            held,
            licenses,
            directory,
            teams_leavers,
        } = limits;
        let held_set: HashSet<ObjectId> =
            held.iter().flat_map(|h| h.people.iter().cloned()).collect();

        let teams = self.teams_plan(&people, &verdicts, &teams_leavers);
        let explain = self.options.explain.as_ref();
        let teams_writes: HashSet<&ObjectId> = teams.actions.iter().map(|a| &a.person).collect();
        let lines = self.person_lines(people, &mut verdicts, &held_set, &out, &teams_writes);
        let gone = self.gone_lines(at, &held_set, &out);
        let lines = merge_by_id(lines, gone);

        // Apply order: phase by phase; in a phase the main work, then deferred deletes,
        // then removals.
        let mut actions = Vec::new();
        for phase in 0..PHASES {
            for bucket in [&mut out.main, &mut out.later, &mut out.removals] {
                actions.extend(bucket.take(phase));
            }
        }
        if let Some(only) = explain {
            actions.retain(|a: &Action| a.person.as_ref() == Some(only));
        }

        for (k, v) in out.link_updates {
            self.link_updates.insert(k, v);
        }
        let state_updates: Vec<StateUpdate> = self
            .link_updates
            .into_iter()
            .map(|(person, link)| StateUpdate { person, link })
            .collect();
        let contact_updates = std::mem::take(&mut out.contact_updates);
        let mut notes = self.notes;
        notes.extend(out.notes);
        if let Some(h) = &held {
            notes.push(h.message());
        }
        if let Some(d) = directory.as_ref().filter(|d| d.is_held()) {
            notes.push(d.message());
        }
        Plan {
            actions,
            people: lines,
            licenses,
            held_removals: held,
            teams,
            system_directory: directory,
            notes,
            state_updates,
            contact_updates,
        }
    }
    /// Every person's plan line, in person (id) order, each with their verdict.
    fn person_lines(
        &self,
        people: Vec<Person<'a>>,
        verdicts: &mut [Option<Verdict>],
        held_set: &HashSet<ObjectId>,
        out: &Output,
        teams_writes: &HashSet<&ObjectId>,
    ) -> Vec<PersonPlan> {
        let labels = &self.rule_labels;
        people
            .into_iter()
            .map(|mut p| {
                let held_here = held_set.contains(&p.user.id);
                if held_here {
                    p.reasons.push(Reason::RemovalHeld);
                }
                if out.kept.contains(&p.user.id) {
                    p.reasons.push(Reason::KeptByPolicy);
                }
                if let Some(trace) = &mut p.trace {
                    let side = p
                        .verdict
                        .and_then(|i| verdicts.get(i)?.as_ref()?.teams.as_ref());
                    trace.extend(side.map(teams_steps).into_iter().flatten());
                }
                let status = match p.status {
                    Some(_) if held_here => PersonStatus::Skipped,
                    Some(s) => s,
                    None if p.blocked || p.out_of_scope => PersonStatus::Skipped,
                    // Only Teams is written for them.
                    None if teams_writes.contains(&p.user.id) => PersonStatus::Update,
                    None => PersonStatus::InSync,
                };
                PersonPlan {
                    id: p.user.id.clone(),
                    label: person_label(p.user),
                    display_name: p.user.display_name.as_deref().map(Text::copied),
                    user_type: p.user_type,
                    rule: (p.rule).and_then(|_| labels.get(p.rule_index as usize).cloned()),
                    ipo_name: p.derived_name,
                    extension: p.extension,
                    status,
                    reasons: p.reasons,
                    trace: p.trace.unwrap_or_default(),
                    verdict: p.verdict.and_then(|i| verdicts.get_mut(i)?.take()),
                }
            })
            .collect()
    }

    /// The lines of linked people no longer in the directory at all, in id order.
    fn gone_lines(
        &self,
        at: &[Option<usize>],
        held_set: &HashSet<ObjectId>,
        out: &Output,
    ) -> Vec<PersonPlan> {
        let explain = self.options.explain.as_ref();
        let gone = self.links.iter().zip(at).filter(|(_, pos)| pos.is_none());
        gone.map(|((id, link), _)| {
            let held_here = held_set.contains(id);
            let mut reasons = vec![Reason::OutOfScope];
            if held_here {
                reasons.push(Reason::RemovalHeld);
            }
            if out.kept.contains(id) {
                reasons.push(Reason::KeptByPolicy);
            }
            let status = match out.status.get(id) {
                Some(PersonStatus::Remove) if !held_here => PersonStatus::Remove,
                _ => PersonStatus::Skipped,
            };
            let trace = match explain == Some(id) {
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

/// What the limits stages decided, for the plan's summary lines.
pub(super) struct Limits {
    /// Removals held by the deletion threshold.
    pub(super) held: Option<HeldRemovals>,
    /// The licence forecast.
    pub(super) licenses: Vec<LicenseNeed>,
    /// The system directory's records against IP Office's limit.
    pub(super) directory: Option<SystemDirectoryRecords>,
    /// Who the sync gives Teams numbers and policies back from (none when held).
    pub(super) teams_leavers: Vec<TeamsLeaving>,
}
