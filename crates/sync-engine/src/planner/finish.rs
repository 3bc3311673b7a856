//! Stage 6: plan lines, the Teams script, the licence forecast, actions in apply order.

use super::*;

impl<'a> Planner<'a> {
    /// The deletion threshold: above it every removal is held (taken out of `out`), and
    /// the directory entries of Teams-only people waiting for one with it.
    pub(super) fn hold_removals(&self, out: &mut Output) -> Option<HeldRemovals> {
        let managed = self.links.values().filter(|l| l.user.is_some()).count();
        let threshold = self.config.safety.removal_threshold(managed);
        let removal_people: BTreeSet<ObjectId> = out
            .removals
            .iter()
            .filter(|a| a.kind.is_removal())
            .filter_map(|a| a.person.clone())
            .collect();
        if removal_people.len() <= threshold || self.options.allow_removals {
            return None;
        }
        out.removals.clear();
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
        mut people: Vec<Person<'a>>,
        mut verdicts: BTreeMap<ObjectId, Verdict>,
        at: &[Option<usize>],
        mut out: Output,
        limits: Limits,
    ) -> Plan {
        let Limits {
            held,
            licenses,
            directory,
        } = limits;
        let held_set: HashSet<ObjectId> =
            held.iter().flat_map(|h| h.people.iter().cloned()).collect();

        // Teams-side actions: voice routing policies not yet rendered for this person.
        let mut teams_actions = Vec::new();
        for p in &people {
            if p.blocked || p.out_of_scope {
                continue;
            }
            let (Some(rule), Some(t)) = (p.rule, p.user_type) else {
                continue;
            };
            let Some(policy) = &rule.voice_routing_policy else {
                continue;
            };
            if !t.needs_teams_voice() {
                continue;
            }
            let current = out
                .link_updates
                .get(&p.user.id)
                .cloned()
                .flatten()
                .or_else(|| self.links.get(&p.user.id).cloned());
            if current
                .as_ref()
                .and_then(|l| l.voice_routing_policy.as_ref())
                == Some(policy)
            {
                continue;
            }
            teams_actions.push(TeamsAction {
                person: p.user.id.clone(),
                user_principal_name: p.user.label(),
                voice_routing_policy: policy.clone(),
            });
            let mut l = current.unwrap_or_else(|| Link::new(t));
            l.voice_routing_policy = Some(policy.clone());
            out.link_updates.insert(p.user.id.clone(), Some(l));
        }

        // People lines.
        let explain = self.options.explain.as_ref();
        let (held_set, kept, labels) = (&held_set, &out.kept, &self.rule_labels);
        let mut lines: Vec<PersonPlan> = people
            .iter_mut()
            .map(|p| {
                let held_here = !held_set.is_empty() && held_set.contains(&p.user.id);
                if held_here {
                    p.reasons.push(Reason::RemovalHeld);
                }
                if !kept.is_empty() && kept.contains(&p.user.id) {
                    p.reasons.push(Reason::KeptByPolicy);
                }
                let status = if let Some(s) = &p.status {
                    if held_here { PersonStatus::Skipped } else { *s }
                } else if p.blocked || p.out_of_scope {
                    PersonStatus::Skipped
                } else {
                    PersonStatus::InSync
                };
                PersonPlan {
                    id: p.user.id.clone(),
                    label: person_label(p.user),
                    user_type: p.user_type,
                    rule: p
                        .rule
                        .and_then(|_| labels.get(p.rule_index as usize).cloned()),
                    ipo_name: p.derived_name.take(),
                    extension: p.extension.take(),
                    status,
                    reasons: std::mem::take(&mut p.reasons),
                    trace: p.trace.take().unwrap_or_default(),
                    verdict: verdicts.remove(&p.user.id),
                }
            })
            .collect();
        drop(people);
        // Linked people no longer in the directory at all. Both lists come sorted by id
        // (people were sorted, links are a BTreeMap), so a merge keeps the whole sorted.
        let mut gone = Vec::new();
        for ((id, link), pos) in self.links.iter().zip(at) {
            if pos.is_some() {
                continue;
            }
            let held_here = !held_set.is_empty() && held_set.contains(id);
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
            gone.push(PersonPlan {
                id: id.clone(),
                label: link
                    .name
                    .as_ref()
                    .map_or_else(|| Text::copied(id.as_str()), Text::from),
                user_type: None,
                rule: None,
                ipo_name: link.name.clone(),
                extension: link.extension_number.clone(),
                status,
                reasons,
                trace: if explain == Some(id) {
                    vec!["scope: no longer in any synced group (or deleted)".into()]
                } else {
                    Vec::new()
                },
                verdict: None,
            });
        }
        if !gone.is_empty() {
            let mut merged = Vec::with_capacity(lines.len() + gone.len());
            let mut gone = gone.into_iter().peekable();
            for line in lines {
                while let Some(g) = gone.next_if(|g| g.id < line.id) {
                    merged.push(g);
                }
                merged.push(line);
            }
            merged.extend(gone);
            lines = merged;
        }

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
            teams_actions.retain(|t| &t.person == only);
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
            teams_actions,
            directory,
            notes,
            state_updates,
            contact_updates,
        }
    }
}

/// What the limits stages decided, for the plan's summary lines.
pub(super) struct Limits {
    /// Removals held by the deletion threshold.
    pub(super) held: Option<HeldRemovals>,
    /// The licence forecast.
    pub(super) licenses: Vec<LicenseNeed>,
    /// The system directory's records against IP Office's limit.
    pub(super) directory: Option<DirectoryRecords>,
}
