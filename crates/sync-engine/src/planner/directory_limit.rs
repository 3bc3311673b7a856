//! Stage 6 (directory limit): IP Office's external directory holds at most
//! [`ipo_model::MAX_DIRECTORY_RECORDS`] records. The plan counts the records the sync owns
//! once applied and, when they would be more, holds every directory change that adds an
//! entry (whole people, never half of one).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use ipo_model::{FullName, IpoChange, ObjectId};

use super::context::Context;
use super::line::Line;
use super::links::Links;
use super::output::Actions;
use super::person::Judged;
use crate::plan::{ActionKind, PersonStatus, SystemDirectoryRecords};
use crate::reason::Reason;
use crate::state::Link;

/// Counts the directory records after the plan; holds the run's growth above the limit.
/// `None` when the sync keeps no directory.
pub(super) fn hold(
    cx: &Context<'_>,
    links: &Links<'_>,
    people: &[Judged<'_>],
    lines: &mut [Line],
    actions: &mut Actions,
) -> Option<SystemDirectoryRecords> {
    if !cx.config.system_directory.enabled {
        return None;
    }
    let limit = ipo_model::MAX_DIRECTORY_RECORDS;
    let (wanted, growth) = records_after(cx, links, actions);
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
    let held: BTreeSet<ObjectId> = (growth.into_iter())
        .filter(|(_, g)| *g > 0)
        .map(|(id, _)| id)
        .collect();
    let is_held = |id: Option<&ObjectId>| id.is_some_and(|p| held.contains(p));
    (actions.main).retain(|a| !(is_directory(a.kind) && is_held(a.person.as_ref())));
    for id in &held {
        let Some(line) =
            (people.binary_search_by(|p| p.user.id.cmp(id)).ok()).and_then(|i| lines.get_mut(i))
        else {
            continue;
        };
        line.warn(Reason::DirectoryFull {
            records: wanted,
            limit,
        });
        if line.status != Some(PersonStatus::Remove) {
            line.status = Some(PersonStatus::Skipped);
        }
        line.trace_with(|| format!("directory: held, {wanted} records exceed {limit}"));
    }
    let (records, _) = records_after(cx, links, actions);
    Some(SystemDirectoryRecords {
        records,
        wanted,
        limit,
        held: held.into_iter().collect(),
    })
}

/// The records the sync's entries make once `actions` are applied (each entry is one name
/// and one number), and how much each person's entries grow.
fn records_after(
    cx: &Context<'_>,
    links: &Links<'_>,
    actions: &Actions,
) -> (usize, BTreeMap<ObjectId, isize>) {
    let mut names: HashSet<&str> = (links.all.values())
        .chain(cx.contact_links.values())
        .flat_map(Link::directory_entries)
        .map(FullName::as_str)
        .collect();
    let mut growth: BTreeMap<ObjectId, isize> = BTreeMap::new();
    // Removals come before puts in apply order, so a name freed by one person and
    // taken by another counts once.
    let of = |kind: ActionKind| actions.main.iter().filter(move |a| a.kind == kind);
    let in_apply_order =
        of(ActionKind::RemoveDirectoryEntry).chain(of(ActionKind::PutDirectoryEntry));
    for a in in_apply_order {
        let Some(w) = &a.write else { continue };
        let delta = match &w.change {
            IpoChange::PutDirectoryEntry(e) => isize::from(names.insert(e.name.as_str())),
            IpoChange::RemoveDirectoryEntry { name } => -isize::from(names.remove(name.as_str())),
            _ => continue,
        };
        if let Some(id) = &a.person {
            *growth.entry(id.clone()).or_default() += delta;
        }
    }
    (names.len(), growth)
}

fn is_directory(kind: ActionKind) -> bool {
    matches!(
        kind,
        ActionKind::PutDirectoryEntry | ActionKind::RemoveDirectoryEntry
    )
}
