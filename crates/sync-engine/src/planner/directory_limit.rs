//! IP Office's external directory holds at most [`ipo_model::MAX_DIRECTORY_RECORDS`]
//! records: the plan counts the records the sync owns once applied and, when they would be
//! more, holds every directory change that adds an entry (whole people, never half of one).

use super::*;

impl<'a> Planner<'a> {
    /// Counts the directory records after the plan; holds the run's growth above the limit.
    /// `None` when the sync keeps no directory.
    pub(super) fn directory_limit(
        &self,
        people: &mut [Person<'a>],
        out: &mut Output,
    ) -> Option<SystemDirectoryRecords> {
        if !self.config.system_directory.enabled {
            return None;
        }
        let limit = ipo_model::MAX_DIRECTORY_RECORDS;
        let (wanted, growth) = self.records_after(out);
        if wanted <= limit {
            return Some(SystemDirectoryRecords {
                records: wanted,
                wanted,
                limit,
                held: Vec::new(),
            });
        }
        // Over the limit: an administrator expects the directory to stay as it is, minus
        // what leaves and plus what only changes, rather than some newcomers getting in by
        // the order of their ids. So everyone who would add an entry waits, whole.
        let held: BTreeSet<ObjectId> = growth
            .into_iter()
            .filter(|(_, g)| *g > 0)
            .map(|(id, _)| id)
            .collect();
        out.main.retain(|a| {
            !(is_directory(a.kind) && a.person.as_ref().is_some_and(|p| held.contains(p)))
        });
        for id in &held {
            if let Ok(i) = people.binary_search_by(|p| p.user.id.cmp(id)) {
                let p = &mut people[i];
                p.reasons.push(Reason::DirectoryFull {
                    records: wanted,
                    limit,
                });
                if p.status != Some(PersonStatus::Remove) {
                    p.status = Some(PersonStatus::Skipped);
                }
                p.trace_with(|| format!("directory: held, {wanted} records exceed {limit}"));
            }
        }
        let (records, _) = self.records_after(out);
        Some(SystemDirectoryRecords {
            records,
            wanted,
            limit,
            held: held.into_iter().collect(),
        })
    }

    /// The records the sync's entries make once `out` is applied (each entry is one name and
    /// one number), and how much each person's entries grow.
    fn records_after(&self, out: &Output) -> (usize, BTreeMap<ObjectId, isize>) {
        let mut names: HashSet<&str> = (self.links.values())
            .chain(self.contact_links.values())
            .flat_map(Link::directory_entries)
            .map(FullName::as_str)
            .collect();
        let mut growth: BTreeMap<ObjectId, isize> = BTreeMap::new();
        // Removals come before puts in apply order, so a name freed by one person and
        // taken by another counts once.
        for a in out.main.iter().chain(out.removals.iter()) {
            let Some(w) = &a.write else { continue };
            let delta = match &w.change {
                IpoChange::PutDirectoryEntry(e) => isize::from(names.insert(e.name.as_str())),
                IpoChange::RemoveDirectoryEntry { name } => {
                    -isize::from(names.remove(name.as_str()))
                }
                _ => continue,
            };
            if let Some(id) = &a.person {
                *growth.entry(id.clone()).or_default() += delta;
            }
        }
        (names.len(), growth)
    }
}

fn is_directory(kind: ActionKind) -> bool {
    matches!(
        kind,
        ActionKind::PutDirectoryEntry | ActionKind::RemoveDirectoryEntry
    )
}
