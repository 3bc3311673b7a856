//! In-memory implementations of the port traits, enforcing the rules a real IP Office and
//! Azure AD enforce. For tests, and for embedders who want a what-if run.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;

use crate::azure_ad::AzureAdUser;
use crate::contact::{AzureAdContact, ContactChanges, ContactDeltaOutcome};
use crate::id::{GroupId, ObjectId};
use crate::port::{
    AzureAdChanges, AzureAdSource, DeltaCursor, DeltaOutcome, MembershipChange,
    MembershipChangeKind, PortError, RemovalReason, RemovedUser,
};

mod ipo;
mod teams;

pub use ipo::MemoryIpo;
pub use teams::{MEMORY_FOLLOW_POLLS, MemoryTeams, MemoryTeamsCalls};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave these maps half-updated in a way that
    // matters to tests, so recover the guard instead of propagating the poison.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[derive(Debug, Clone)]
enum Event {
    User(ObjectId),
    Removed(ObjectId, RemovalReason),
    Group(GroupId, Option<(ObjectId, MembershipChangeKind)>),
    /// A contact added, changed (`true`) or removed (`false`).
    Contact(ObjectId, bool),
}

#[derive(Debug, Default)]
struct Tenant {
    users: BTreeMap<ObjectId, AzureAdUser>,
    /// group -> (user members, nested group members)
    groups: BTreeMap<GroupId, (BTreeSet<ObjectId>, BTreeSet<GroupId>)>,
    contacts: BTreeMap<ObjectId, AzureAdContact>,
    log: Vec<Event>,
    /// Cursors older than this position are expired.
    oldest_valid: usize,
    /// Bumped by `expire_cursors`, so even a cursor taken at the end of the log expires.
    epoch: u64,
}

impl Tenant {
    /// Where in the log `cursor` stands, or why it cannot be used (a full read is needed).
    fn cursor_position(&self, cursor: &DeltaCursor) -> Result<usize, String> {
        let Some(pos) = cursor.0.get("memory").and_then(|p| p.parse::<usize>().ok()) else {
            return Err("cursor not from this directory".into());
        };
        let epoch = cursor.0.get("epoch").and_then(|e| e.parse::<u64>().ok());
        if pos < self.oldest_valid || pos > self.log.len() || epoch != Some(self.epoch) {
            return Err("syncStateNotFound".into());
        }
        Ok(pos)
    }

    fn transitive_users(&self, group: &GroupId) -> BTreeSet<ObjectId> {
        let mut seen_groups = BTreeSet::new();
        let mut stack = vec![group.clone()];
        let mut users = BTreeSet::new();
        while let Some(g) = stack.pop() {
            if !seen_groups.insert(g.clone()) {
                continue; // cycles in nested groups are possible in Azure AD
            }
            if let Some((u, nested)) = self.groups.get(&g) {
                users.extend(u.iter().cloned());
                stack.extend(nested.iter().cloned());
            }
        }
        users
    }

    /// Watched groups that contain `g` (itself included), transitively.
    fn watchers_of(&self, g: &GroupId, watched: &[GroupId]) -> Vec<GroupId> {
        watched
            .iter()
            .filter(|w| {
                let mut seen = BTreeSet::new();
                let mut stack = vec![(*w).clone()];
                while let Some(x) = stack.pop() {
                    if &x == g {
                        return true;
                    }
                    if seen.insert(x.clone())
                        && let Some((_, nested)) = self.groups.get(&x)
                    {
                        stack.extend(nested.iter().cloned());
                    }
                }
                false
            })
            .cloned()
            .collect()
    }
}

/// An Azure AD tenant in memory: users, groups with nested groups, and a change log that
/// serves delta queries. Mutate it to script a tenant's life.
///
/// ```
/// use ipo_model::{AzureAdSource, AzureAdUser, MemoryAzureAd};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let dir = MemoryAzureAd::new();
/// let group = "11111111-1111-1111-1111-111111111111".parse().unwrap();
/// let ann = AzureAdUser::new("22222222-2222-2222-2222-222222222222".parse().unwrap());
/// dir.upsert_user(ann.clone());
/// dir.add_member(&group, &ann.id);
/// let members = dir.group_members(&group).await.unwrap();
/// assert_eq!(members.len(), 1);
/// # });
/// ```
#[derive(Debug, Default)]
pub struct MemoryAzureAd {
    tenant: Mutex<Tenant>,
}

impl MemoryAzureAd {
    /// An empty tenant.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a user (its `groups` field is ignored: membership lives in groups).
    pub fn upsert_user(&self, user: AzureAdUser) {
        let mut t = lock(&self.tenant);
        t.log.push(Event::User(user.id.clone()));
        t.users.insert(user.id.clone(), user);
    }

    /// Adds or replaces an organisational contact.
    pub fn upsert_contact(&self, contact: AzureAdContact) {
        let mut t = lock(&self.tenant);
        t.log.push(Event::Contact(contact.id.clone(), true));
        t.contacts.insert(contact.id.clone(), contact);
    }

    /// Removes an organisational contact.
    pub fn remove_contact(&self, id: &ObjectId) {
        let mut t = lock(&self.tenant);
        t.log.push(Event::Contact(id.clone(), false));
        t.contacts.remove(id);
    }

    /// Removes a user from the tenant and from every group.
    pub fn remove_user(&self, id: &ObjectId, reason: RemovalReason) {
        let mut t = lock(&self.tenant);
        if t.users.remove(id).is_none() {
            return;
        }
        let groups: Vec<GroupId> = t
            .groups
            .iter()
            .filter(|(_, (u, _))| u.contains(id))
            .map(|(g, _)| g.clone())
            .collect();
        for g in groups {
            if let Some((u, _)) = t.groups.get_mut(&g) {
                u.remove(id);
            }
            t.log.push(Event::Group(
                g,
                Some((id.clone(), MembershipChangeKind::Removed)),
            ));
        }
        t.log.push(Event::Removed(id.clone(), reason));
    }

    /// Makes `user` a direct member of `group` (creating the group if needed).
    pub fn add_member(&self, group: &GroupId, user: &ObjectId) {
        let mut t = lock(&self.tenant);
        let added = t
            .groups
            .entry(group.clone())
            .or_default()
            .0
            .insert(user.clone());
        if added {
            t.log.push(Event::Group(
                group.clone(),
                Some((user.clone(), MembershipChangeKind::Added)),
            ));
        }
    }

    /// Removes `user` from `group`'s direct members.
    pub fn remove_member(&self, group: &GroupId, user: &ObjectId) {
        let mut t = lock(&self.tenant);
        let removed = t.groups.get_mut(group).is_some_and(|(u, _)| u.remove(user));
        if removed {
            t.log.push(Event::Group(
                group.clone(),
                Some((user.clone(), MembershipChangeKind::Removed)),
            ));
        }
    }

    /// Nests `child` inside `parent`.
    pub fn add_nested_group(&self, parent: &GroupId, child: &GroupId) {
        let mut t = lock(&self.tenant);
        t.groups.entry(child.clone()).or_default();
        if t.groups
            .entry(parent.clone())
            .or_default()
            .1
            .insert(child.clone())
        {
            t.log.push(Event::Group(parent.clone(), None));
        }
    }

    /// Empties a group (direct user members), as an administrator's mistake would.
    pub fn clear_group(&self, group: &GroupId) {
        let members: Vec<ObjectId> = lock(&self.tenant)
            .groups
            .get(group)
            .map(|(u, _)| u.iter().cloned().collect())
            .unwrap_or_default();
        for m in members {
            self.remove_member(group, &m);
        }
    }

    /// Changes a user in place (and logs the change for delta readers).
    pub fn modify_user(&self, id: &ObjectId, f: impl FnOnce(&mut AzureAdUser)) {
        let mut t = lock(&self.tenant);
        if let Some(u) = t.users.get_mut(id) {
            f(u);
            t.log.push(Event::User(id.clone()));
        }
    }

    /// Expires every cursor handed out so far: the next `changes` answers
    /// [`DeltaOutcome::FullResyncNeeded`], as Graph does after about 7 days.
    pub fn expire_cursors(&self) {
        let mut t = lock(&self.tenant);
        t.oldest_valid = t.log.len();
        t.epoch += 1;
    }

    fn cursor_at(pos: usize, epoch: u64) -> DeltaCursor {
        let mut c = DeltaCursor::default();
        c.0.insert("memory".into(), pos.to_string());
        c.0.insert("epoch".into(), epoch.to_string());
        c
    }
}

#[async_trait]
impl AzureAdSource for MemoryAzureAd {
    async fn group_members(&self, group: &GroupId) -> Result<Vec<AzureAdUser>, PortError> {
        let t = lock(&self.tenant);
        if !t.groups.contains_key(group) {
            return Err(PortError::NotFound(format!("group {group}")));
        }
        Ok(t.transitive_users(group)
            .iter()
            .filter_map(|id| t.users.get(id))
            .map(|u| {
                let mut u = u.clone();
                u.groups = BTreeSet::from([group.clone()]);
                u
            })
            .collect())
    }

    async fn contacts(&self) -> Result<Vec<AzureAdContact>, PortError> {
        Ok(lock(&self.tenant).contacts.values().cloned().collect())
    }

    async fn has_nested_groups(&self, group: &GroupId) -> Result<bool, PortError> {
        let t = lock(&self.tenant);
        let (_, nested) = t
            .groups
            .get(group)
            .ok_or_else(|| PortError::NotFound(format!("group {group}")))?;
        Ok(!nested.is_empty())
    }

    async fn latest_contacts_cursor(&self) -> Result<Option<DeltaCursor>, PortError> {
        let t = lock(&self.tenant);
        Ok(Some(Self::cursor_at(t.log.len(), t.epoch)))
    }

    async fn contact_changes(
        &self,
        cursor: &DeltaCursor,
    ) -> Result<ContactDeltaOutcome, PortError> {
        let t = lock(&self.tenant);
        let pos = match t.cursor_position(cursor) {
            Ok(p) => p,
            Err(reason) => return Ok(ContactDeltaOutcome::FullResyncNeeded { reason }),
        };
        // The last event of each contact wins: added then removed is removed.
        let mut last: BTreeMap<&ObjectId, bool> = BTreeMap::new();
        for e in &t.log[pos..] {
            if let Event::Contact(id, present) = e {
                last.insert(id, *present);
            }
        }
        let mut changes = ContactChanges::default();
        for (id, present) in last {
            match t.contacts.get(id) {
                Some(c) if present => changes.updated.push(c.clone()),
                _ => changes.removed.push(id.clone()),
            }
        }
        changes.cursor = Self::cursor_at(t.log.len(), t.epoch);
        Ok(ContactDeltaOutcome::Changes(changes))
    }

    async fn all_users(&self) -> Result<Vec<AzureAdUser>, PortError> {
        Ok(lock(&self.tenant).users.values().cloned().collect())
    }

    async fn user(&self, id: &ObjectId) -> Result<Option<AzureAdUser>, PortError> {
        Ok(lock(&self.tenant).users.get(id).cloned())
    }

    async fn latest_cursor(&self, _groups: &[GroupId]) -> Result<DeltaCursor, PortError> {
        let t = lock(&self.tenant);
        Ok(Self::cursor_at(t.log.len(), t.epoch))
    }

    async fn changes(
        &self,
        groups: &[GroupId],
        cursor: &DeltaCursor,
    ) -> Result<DeltaOutcome, PortError> {
        let t = lock(&self.tenant);
        let pos = match t.cursor_position(cursor) {
            Ok(p) => p,
            Err(reason) => return Ok(DeltaOutcome::FullResyncNeeded { reason }),
        };
        let mut updated = BTreeSet::new();
        let mut removed = BTreeMap::new();
        let mut groups_changed = BTreeSet::new();
        let mut membership = BTreeSet::new();
        for e in &t.log[pos..] {
            match e {
                Event::User(id) => {
                    removed.remove(id);
                    updated.insert(id.clone());
                }
                Event::Removed(id, r) => {
                    updated.remove(id);
                    removed.insert(id.clone(), *r);
                }
                Event::Contact(..) => {}
                Event::Group(g, m) => {
                    groups_changed.extend(t.watchers_of(g, groups));
                    if let Some((u, k)) = m
                        && groups.contains(g)
                    {
                        membership.insert(MembershipChange::new(g.clone(), u.clone(), *k));
                    }
                }
            }
        }
        Ok(DeltaOutcome::Changes(AzureAdChanges {
            updated: updated
                .iter()
                .filter_map(|id| t.users.get(id).cloned())
                .collect(),
            removed: removed
                .into_iter()
                .map(|(id, r)| RemovedUser::new(id, r))
                .collect(),
            membership: membership.into_iter().collect(),
            groups_changed,
            cursor: Self::cursor_at(t.log.len(), t.epoch),
            skipped: Vec::new(),
        }))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn contact(n: u8) -> AzureAdContact {
        AzureAdContact::new(
            format!("0e000000-0000-4000-8000-0000000000{n:02}")
                .parse()
                .unwrap(),
        )
    }

    #[tokio::test]
    async fn contact_changes_name_the_last_state_of_each_contact_and_expire() {
        let dir = MemoryAzureAd::new();
        dir.upsert_contact(contact(1));
        dir.upsert_contact(contact(2));
        let cursor = dir.latest_contacts_cursor().await.unwrap().unwrap();
        // Users' changes do not show up as contacts' and the other way round.
        dir.upsert_user(AzureAdUser::new(
            "22222222-2222-2222-2222-222222222222".parse().unwrap(),
        ));
        let mut c1 = contact(1);
        c1.mobile_phone = Some("+447700900001".into());
        dir.upsert_contact(c1.clone());
        dir.remove_contact(&contact(2).id);
        dir.upsert_contact(contact(3));
        dir.remove_contact(&contact(3).id);
        let ContactDeltaOutcome::Changes(ch) = dir.contact_changes(&cursor).await.unwrap() else {
            panic!("changes expected");
        };
        assert_eq!(ch.updated, [c1]);
        assert_eq!(ch.removed, [contact(2).id, contact(3).id]);
        let ContactDeltaOutcome::Changes(none) = dir.contact_changes(&ch.cursor).await.unwrap()
        else {
            panic!("changes expected");
        };
        assert!(none.updated.is_empty() && none.removed.is_empty());
        dir.expire_cursors();
        assert!(matches!(
            dir.contact_changes(&ch.cursor).await.unwrap(),
            ContactDeltaOutcome::FullResyncNeeded { .. }
        ));
    }
}
