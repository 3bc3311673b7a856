//! Stored links: dropped when their records are gone, recovered from an interrupted run, paired with the people.

use super::*;

impl<'a> Planner<'a> {
    /// Drops links to records deleted by hand, and turns in-flight creates of a crashed run
    /// into links when IP Office has the records.
    pub(super) fn reconcile_links(&mut self, state: &SyncState) {
        // Which records of each link are gone: a lookup or three per link.
        let gone = {
            let ix = &self.ix;
            let gone = self.links.iter().filter_map(|(id, link)| {
                let user = (link.user.as_ref()).is_some_and(|g| !ix.user_by_guid.contains_key(g));
                let ext =
                    (link.extension.as_ref()).is_some_and(|g| !ix.ext_by_guid.contains_key(g));
                let entry =
                    (link.directory_entries()).any(|n| !ix.entry_by_name.contains_key(n.as_str()));
                (user || ext || entry).then(|| (id.clone(), link.clone(), user, ext, entry))
            });
            gone.collect::<Vec<_>>()
        };
        let mut changed_links = Vec::new();
        for (id, mut link, user_gone, ext_gone, entry_gone) in gone {
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
                let ix = &self.ix;
                let here = |n: &FullName| ix.entry_by_name.contains_key(n.as_str());
                link.directory_entry = link.directory_entry.take().filter(|n| here(n));
                link.directory_extra.retain(|_, n| here(n));
            }
            self.link_updates
                .insert(id.clone(), (!link.is_empty()).then(|| link.clone()));
            changed_links.push((id.clone(), link));
        }
        if !changed_links.is_empty() {
            self.links.to_mut().extend(changed_links);
        }
        // Who owns what only matters to adoption and to recovering a crashed run's records.
        if self.config.safety.adopt != AdoptPolicy::Never || !state.pending.is_empty() {
            for l in self.links.values() {
                if let Some(g) = &l.user {
                    self.owned_users.insert(g.clone());
                }
                if let Some(g) = &l.extension {
                    self.owned_exts.insert(g.clone());
                }
            }
        }
        self.recover_pending(state);
    }

    /// Turns the in-flight creates of a crashed run into links where IP Office has the
    /// records (and nobody owns them).
    fn recover_pending(&mut self, state: &SyncState) {
        for (id, p) in &state.pending {
            // A contact's intents are recovered with the contacts (see `contact_entries`).
            if p.contact {
                continue;
            }
            let mut link = self
                .links
                .get(id)
                .cloned()
                .unwrap_or_else(|| Link::new(p.user_type));
            let mut changed = false;
            if link.user.is_none()
                && let Some(name) = &p.name
                && let Some(u) = self.ix.user_by_name.get(name.as_str())
                && (p.extension_number.is_none() || u.extension == p.extension_number)
                && let Some(g) = &u.guid
                && !self.owned_users.contains(g)
                && !u.is_no_user()
            {
                link.user = Some(g.clone());
                link.name = Some(u.name.clone());
                link.name_source = p.name_source.as_ref().map(|s| s.to_string());
                link.user_type = p.user_type;
                self.owned_users.insert(g.clone());
                changed = true;
            }
            if link.extension.is_none()
                && let Some(n) = &p.extension_number
                && let Some(e) = self.ix.ext_by_number.get(n)
                && let Some(g) = &e.guid
                && !self.owned_exts.contains(g)
            {
                link.extension = Some(g.clone());
                link.extension_number = Some(n.clone());
                self.owned_exts.insert(g.clone());
                changed = true;
            }
            if link.directory_entry.is_none()
                && let Some(n) = &p.directory_entry
                && self.ix.entry_by_name.contains_key(n.as_str())
            {
                link.directory_entry = Some(n.clone());
                changed = true;
            }
            for (number, n) in &p.directory_extra {
                if !link.directory_extra.contains_key(number)
                    && self.ix.entry_by_name.contains_key(n.as_str())
                {
                    link.directory_extra.insert(*number, n.clone());
                    changed = true;
                }
            }
            if changed {
                self.notes.push(format!(
                    "recovered records created by an interrupted run for {id}"
                ));
                self.links.to_mut().insert(id.clone(), link.clone());
                self.link_updates.insert(id.clone(), Some(link));
            }
        }
    }

    /// The node holding the extension record `guid`, as read (deletes go there).
    pub(super) fn extension_node(&self, guid: &Guid) -> Option<String> {
        self.ix.ext_by_guid.get(guid).and_then(|e| e.node.clone())
    }

    /// Pairs people with their stored links: the person of each link (by index, in link
    /// order; None for people no longer in the directory) and the link of each person.
    /// Both lists are sorted by id, so one merge walk pairs them.
    pub(super) fn pair_links<'s>(
        &'s self,
        people: &[Person<'a>],
    ) -> (Vec<Option<usize>>, Vec<Option<&'s Link>>) {
        let mut at = Vec::with_capacity(self.links.len());
        let mut link_of = vec![None; people.len()];
        let mut i = 0;
        for (id, link) in self.links.iter() {
            while people.get(i).is_some_and(|p| p.user.id < *id) {
                i += 1;
            }
            let found = people.get(i).is_some_and(|p| p.user.id == *id);
            at.push(found.then_some(i));
            if found && let Some(slot) = link_of.get_mut(i) {
                *slot = Some(link);
            }
        }
        (at, link_of)
    }
}
