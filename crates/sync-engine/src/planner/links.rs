//! Stage 0, stored links: dropped when their records are gone, recovered from an
//! interrupted run, then paired with the people.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use ipo_model::{FullName, Guid, ObjectId};

use super::context::Context;
use super::person::Judged;
use crate::state::{Link, SyncState};

/// The stored links as IP Office still has their records, and what changed in them.
pub(super) struct Links<'a> {
    /// Every person's link, by person; copied only when reconciling changes one (rare).
    pub(super) all: Cow<'a, BTreeMap<ObjectId, Link>>,
    /// The links reconciling changed (None: forgotten), to be saved with the plan.
    pub(super) updates: BTreeMap<ObjectId, Option<Link>>,
    /// What reconciling did that the administrator should hear of.
    pub(super) notes: Vec<String>,
}

impl<'a> Links<'a> {
    /// Whether reconciling changed any link (so they are no longer the state's).
    pub(super) fn changed(&self) -> bool {
        matches!(self.all, Cow::Owned(_))
    }

    /// How many IP Office users the sync manages (the deletion threshold's base).
    pub(super) fn managed(&self) -> usize {
        self.all.values().filter(|l| l.user.is_some()).count()
    }

    /// Pairs people with their stored links. Both lists are sorted by id, so one merge
    /// walk pairs them.
    pub(super) fn pair(&self, people: &[Judged<'_>]) -> Pairing<'_> {
        let mut person_of_link = Vec::with_capacity(self.all.len());
        let mut link_of = vec![None; people.len()];
        let mut i = 0;
        for (id, link) in self.all.iter() {
            while people.get(i).is_some_and(|p| p.user.id < *id) {
                i += 1;
            }
            let found = people.get(i).is_some_and(|p| p.user.id == *id);
            person_of_link.push(found.then_some(i));
            if found && let Some(slot) = link_of.get_mut(i) {
                *slot = Some(link);
            }
        }
        Pairing {
            links: &self.all,
            person_of_link,
            link_of,
        }
    }
}

/// People and links paired: each link's person and each person's link.
pub(super) struct Pairing<'l> {
    /// The links, in id order.
    pub(super) links: &'l BTreeMap<ObjectId, Link>,
    /// The person (by index) of each link, in link order; None for people no longer in the
    /// directory.
    pub(super) person_of_link: Vec<Option<usize>>,
    /// The link of each person, in person order.
    pub(super) link_of: Vec<Option<&'l Link>>,
}

impl<'l> Pairing<'l> {
    /// The link of person `i`, if they have one.
    pub(super) fn link(&self, i: usize) -> Option<&'l Link> {
        self.link_of.get(i).copied().flatten()
    }

    /// Every link with its person's index, in link (id) order.
    pub(super) fn each_link(
        &self,
    ) -> impl Iterator<Item = (&'l ObjectId, &'l Link, Option<usize>)> {
        self.links
            .iter()
            .zip(&self.person_of_link)
            .map(|((id, link), &at)| (id, link, at))
    }
}

/// Drops links to records deleted by hand, and turns in-flight creates of a crashed run
/// into links when IP Office has the records.
pub(super) fn reconcile<'a>(cx: &Context<'a>, state: &'a SyncState) -> Links<'a> {
    let mut links = Links {
        all: Cow::Borrowed(&state.links),
        updates: BTreeMap::new(),
        notes: Vec::new(),
    };
    let mut changed_links = Vec::new();
    for (id, link, user_gone, ext_gone, entry_gone) in gone(cx, &state.links) {
        let mut link = link.clone();
        if user_gone {
            link.user = None;
            link.name = None;
            link.disabled = false;
        }
        if ext_gone {
            link.extension = None;
            link.extension_number = None;
        }
        if entry_gone {
            let here = |n: &FullName| cx.ix.entry_by_name.contains_key(n.as_str());
            link.directory_entry = link.directory_entry.take().filter(|n| here(n));
            link.directory_extra.retain(|_, n| here(n));
        }
        (links.updates).insert(id.clone(), (!link.is_empty()).then(|| link.clone()));
        changed_links.push((id.clone(), link));
    }
    if !changed_links.is_empty() {
        links.all.to_mut().extend(changed_links);
    }
    if !state.pending.is_empty() {
        recover_pending(cx, state, &mut links);
    }
    links
}

/// The links whose records are gone: which of user, extension and directory entries.
fn gone<'s>(
    cx: &Context<'_>,
    links: &'s BTreeMap<ObjectId, Link>,
) -> Vec<(&'s ObjectId, &'s Link, bool, bool, bool)> {
    let ix = &cx.ix;
    let gone = links.iter().filter_map(|(id, link)| {
        let user = (link.user.as_ref()).is_some_and(|g| !ix.user_by_guid.contains_key(g));
        let ext = (link.extension.as_ref()).is_some_and(|g| !ix.ext_by_guid.contains_key(g));
        let entry = (link.directory_entries()).any(|n| !ix.entry_by_name.contains_key(n.as_str()));
        (user || ext || entry).then_some((id, link, user, ext, entry))
    });
    gone.collect()
}

/// Turns the in-flight creates of a crashed run into links where IP Office has the
/// records (and nobody owns them).
fn recover_pending(cx: &Context<'_>, state: &SyncState, links: &mut Links<'_>) {
    // Who owns what: a record someone's link holds is never taken for another.
    let mut owned_users: HashSet<Guid> = HashSet::new();
    let mut owned_exts: HashSet<Guid> = HashSet::new();
    for l in links.all.values() {
        owned_users.extend(l.user.clone());
        owned_exts.extend(l.extension.clone());
    }
    for (id, p) in &state.pending {
        // A contact's intents are recovered with the contacts (see `contacts`).
        if p.contact {
            continue;
        }
        let mut link = (links.all.get(id).cloned()).unwrap_or_else(|| Link::new(p.user_type));
        let mut changed = false;
        if link.user.is_none()
            && let Some(name) = &p.name
            && let Some(u) = cx.ix.user_by_name.get(name.as_str())
            && (p.extension_number.is_none() || u.extension == p.extension_number)
            && let Some(g) = &u.guid
            && !owned_users.contains(g)
            && !u.is_no_user()
        {
            link.user = Some(g.clone());
            link.name = Some(u.name.clone());
            link.name_source = p.name_source.as_ref().map(|s| s.to_string());
            link.user_type = p.user_type;
            owned_users.insert(g.clone());
            changed = true;
        }
        if link.extension.is_none()
            && let Some(n) = &p.extension_number
            && let Some(e) = cx.ix.ext_by_number.get(n)
            && let Some(g) = &e.guid
            && !owned_exts.contains(g)
        {
            link.extension = Some(g.clone());
            link.extension_number = Some(n.clone());
            owned_exts.insert(g.clone());
            changed = true;
        }
        changed |= recover_entries(cx, p, &mut link);
        if changed {
            (links.notes).push(format!(
                "recovered records created by an interrupted run for {id}"
            ));
            links.all.to_mut().insert(id.clone(), link.clone());
            links.updates.insert(id.clone(), Some(link));
        }
    }
}

/// The directory entries an interrupted run made for a person, taken into their link;
/// whether any was.
fn recover_entries(cx: &Context<'_>, p: &crate::state::PendingCreate, link: &mut Link) -> bool {
    let present = |n: &FullName| cx.ix.entry_by_name.contains_key(n.as_str());
    let mut changed = false;
    if link.directory_entry.is_none()
        && let Some(n) = p.directory_entry.as_ref().filter(|n| present(n))
    {
        link.directory_entry = Some(n.clone());
        changed = true;
    }
    for (number, n) in &p.directory_extra {
        if !link.directory_extra.contains_key(number) && present(n) {
            link.directory_extra.insert(*number, n.clone());
            changed = true;
        }
    }
    changed
}
