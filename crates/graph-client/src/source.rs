//! `AzureAdSource` for Graph: full reads, the "from now on" cursor, and changes with
//! complete user records.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use ipo_model::{
    AzureAdChanges, AzureAdSource, AzureAdUser, DeltaCursor, DeltaOutcome, GroupId,
    MembershipChange, MembershipChangeKind, ObjectId, PortError, RemovalReason, RemovedUser,
    TransportStats,
};

use crate::client::GraphClient;
use crate::delta::{Delta, DeltaStart, GroupChange, MemberKind};
use crate::error::GraphError;

/// Cursor key of the users delta link.
pub const CURSOR_USERS: &str = "users";
/// Cursor key of the groups delta link.
pub const CURSOR_GROUPS: &str = "groups";

#[async_trait]
impl AzureAdSource for GraphClient {
    async fn group_members(&self, group: &GroupId) -> Result<Vec<AzureAdUser>, PortError> {
        Ok(self.group_member_users(group).await?)
    }

    /// [`GraphClient::member_users_of_groups`]: every group's members, then the tenant's
    /// Teams numbers read once for all of them.
    async fn members_of_groups(
        &self,
        groups: &[GroupId],
        on_group_read: &(dyn for<'g> Fn(&'g GroupId) + Send + Sync),
    ) -> Result<Vec<(GroupId, Vec<AzureAdUser>)>, PortError> {
        Ok(self.member_users_of_groups(groups, on_group_read).await?)
    }

    async fn contacts(&self) -> Result<Vec<ipo_model::AzureAdContact>, PortError> {
        Ok(self.list_contacts().await?)
    }

    /// [`GraphClient::nested_groups`]: `transitiveMembers/microsoft.graph.group`.
    async fn has_nested_groups(&self, group: &GroupId) -> Result<bool, PortError> {
        Ok(!self.nested_groups(group).await?.is_empty())
    }

    /// [`GraphClient::latest_contacts_link`]: `/contacts/delta?$deltatoken=latest`.
    async fn latest_contacts_cursor(&self) -> Result<Option<DeltaCursor>, PortError> {
        Ok(Some(self.latest_contacts_link().await?))
    }

    /// [`GraphClient::changed_contacts`]: one contacts delta round, changed contacts read
    /// again by id through `$batch`.
    async fn contact_changes(
        &self,
        cursor: &DeltaCursor,
    ) -> Result<ipo_model::ContactDeltaOutcome, PortError> {
        Ok(self.changed_contacts(cursor).await?)
    }

    async fn all_users(&self) -> Result<Vec<AzureAdUser>, PortError> {
        Ok(self.list_users().await?)
    }

    async fn user(&self, id: &ObjectId) -> Result<Option<AzureAdUser>, PortError> {
        Ok(self.get_user(id).await?)
    }

    async fn latest_cursor(&self, _groups: &[GroupId]) -> Result<DeltaCursor, PortError> {
        // The groups delta covers every group: changes in nested groups are only visible
        // that way. Watched groups are applied when reading changes.
        let mut cursor = DeltaCursor::default();
        for (key, delta) in [
            (
                CURSOR_USERS,
                self.users_delta(DeltaStart::Latest)
                    .await?
                    .map(|d| d.delta_link),
            ),
            (
                CURSOR_GROUPS,
                self.groups_delta(DeltaStart::Latest)
                    .await?
                    .map(|d| d.delta_link),
            ),
        ] {
            match delta {
                Delta::Changes(link) => {
                    cursor.0.insert(key.to_owned(), link);
                }
                Delta::FullResyncNeeded { reason } => {
                    return Err(PortError::Other(format!(
                        "Graph refused a fresh {key} delta token: {reason}"
                    )));
                }
            }
        }
        Ok(cursor)
    }

    async fn changes(
        &self,
        groups: &[GroupId],
        cursor: &DeltaCursor,
    ) -> Result<DeltaOutcome, PortError> {
        Ok(self.directory_changes(groups, cursor).await?)
    }

    /// The client's [`stats`](GraphClient::stats): requests, retries, 429 answers and time
    /// waited. Token requests are not counted as re-logins (Graph has no session).
    fn transport(&self) -> TransportStats {
        let s = self.stats();
        let mut t = TransportStats::default();
        t.requests = s.requests;
        t.retries = s.retries;
        t.throttled = s.throttled;
        t.waited = s.waited;
        t
    }
}

impl GraphClient {
    /// What changed since `cursor` (see [`AzureAdSource::changes`]): updated users as
    /// complete records fetched by id with `$batch`, removals, direct membership changes of
    /// the watched `groups`, and the watched groups whose transitive membership may have
    /// changed (directly or through a nested group).
    ///
    /// The groups delta covers the whole tenant (changes in nested groups show up nowhere
    /// else); when a group outside `groups` changed, each watched group's nested groups are
    /// read once to see whether it is affected. Updated users come with empty `groups`: which
    /// watched groups hold them is what re-reading `groups_changed` tells.
    pub async fn directory_changes(
        &self,
        groups: &[GroupId],
        cursor: &DeltaCursor,
    ) -> Result<DeltaOutcome, GraphError> {
        let (Some(users_link), Some(groups_link)) =
            (cursor.0.get(CURSOR_USERS), cursor.0.get(CURSOR_GROUPS))
        else {
            return Ok(DeltaOutcome::FullResyncNeeded {
                reason: "the cursor holds no Graph delta links".into(),
            });
        };
        let users = match self
            .users_delta(DeltaStart::Link(users_link.clone()))
            .await?
        {
            Delta::Changes(d) => d,
            Delta::FullResyncNeeded { reason } => {
                return Ok(DeltaOutcome::FullResyncNeeded { reason });
            }
        };
        let group_delta = match self
            .groups_delta(DeltaStart::Link(groups_link.clone()))
            .await?
        {
            Delta::Changes(d) => d,
            Delta::FullResyncNeeded { reason } => {
                return Ok(DeltaOutcome::FullResyncNeeded { reason });
            }
        };

        let mut skipped = users.skipped;
        skipped.extend(group_delta.skipped.iter().cloned());
        let mut removed: Vec<RemovedUser> = users.removed;
        let ids: Vec<ObjectId> = users.changed.into_iter().map(|u| u.id).collect();
        let fetched = if ids.is_empty() {
            crate::batch::FetchedUsers::default()
        } else {
            self.users_by_ids(&ids).await?
        };
        let mut updated = fetched.users;
        // Changed, then gone before we could read it: out of view, maybe restorable.
        removed.extend(
            fetched
                .missing
                .into_iter()
                .map(|id| RemovedUser::new(id, RemovalReason::Changed)),
        );
        self.enrich_changed_with_teams(&mut updated).await?;

        let watched: BTreeSet<&GroupId> = groups.iter().collect();
        let found = watched_changes(&group_delta.groups, &watched, &mut skipped);
        let (membership, mut groups_changed, other_changed) = found;
        if !other_changed.is_empty() {
            self.changed_through_nesting(groups, &other_changed, &mut groups_changed)
                .await?;
        }

        let mut cursor = DeltaCursor::default();
        cursor.0.insert(CURSOR_USERS.into(), users.delta_link);
        cursor
            .0
            .insert(CURSOR_GROUPS.into(), group_delta.delta_link);
        let mut changes = AzureAdChanges::default();
        changes.updated = updated;
        changes.removed = removed;
        changes.membership = membership
            .into_iter()
            .map(|((g, u), k)| MembershipChange::new(g, u, k))
            .collect();
        changes.groups_changed = groups_changed;
        changes.cursor = cursor;
        changes.skipped = skipped;
        Ok(DeltaOutcome::Changes(changes))
    }
}
impl GraphClient {
    /// Sets `teams` on users read again by id (their numbers, and the number assignments
    /// when configured), when Teams numbers are read at all.
    async fn enrich_changed_with_teams(
        &self,
        updated: &mut [AzureAdUser],
    ) -> Result<(), GraphError> {
        if !self.inner.options.teams_numbers || updated.is_empty() {
            return Ok(());
        }
        let ids: Vec<ObjectId> = updated.iter().map(|u| u.id.clone()).collect();
        let mut voices = self.teams_voices_by_ids(&ids).await?;
        let assignments = if self.inner.options.teams_number_assignments {
            self.list_number_assignments().await?
        } else {
            Vec::new()
        };
        for u in updated {
            let mut voice = voices.remove(&u.id).unwrap_or_default();
            crate::teams::merge_assignments(&mut voice, &u.id, &assignments);
            u.teams = Some(voice);
        }
        Ok(())
    }

    /// Adds to `groups_changed` each watched group not yet in it whose nested groups include
    /// one of `other_changed`, or that is gone (the caller re-reads it and hears about it).
    async fn changed_through_nesting(
        &self,
        groups: &[GroupId],
        other_changed: &BTreeSet<String>,
        groups_changed: &mut BTreeSet<GroupId>,
    ) -> Result<(), GraphError> {
        let unchanged: Vec<&GroupId> = groups
            .iter()
            .filter(|w| !groups_changed.contains(*w))
            .collect();
        for w in unchanged {
            match self.nested_groups(w).await {
                Ok(nested) => {
                    if nested.iter().any(|n| other_changed.contains(n)) {
                        groups_changed.insert(w.clone());
                    }
                }
                Err(GraphError::NotFound { .. }) => {
                    groups_changed.insert(w.clone());
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// User membership changes of the watched groups, keyed by group and user.
type Membership = BTreeMap<(GroupId, ObjectId), MembershipChangeKind>;

/// What the groups delta says of the watched groups: user membership changes, the watched
/// groups that changed, and the ids of other groups that changed (maybe nested in a watched
/// one). Malformed member ids are skipped into `skipped`.
fn watched_changes(
    delta: &[GroupChange],
    watched: &BTreeSet<&GroupId>,
    skipped: &mut Vec<ipo_model::SkippedRecord>,
) -> (Membership, BTreeSet<GroupId>, BTreeSet<String>) {
    let mut membership = Membership::new();
    let mut groups_changed = BTreeSet::new();
    let mut other_changed = BTreeSet::new();
    for g in delta {
        let touched =
            g.removed.is_some() || !g.members_added.is_empty() || !g.members_removed.is_empty();
        if !touched {
            continue;
        }
        if !watched.contains(&g.id) {
            other_changed.insert(g.id.as_str().to_owned());
            continue;
        }
        groups_changed.insert(g.id.clone());
        for (set, kind) in [
            (&g.members_added, MembershipChangeKind::Added),
            (&g.members_removed, MembershipChangeKind::Removed),
        ] {
            for m in set.iter().filter(|m| m.kind == MemberKind::User) {
                // Skipped, not fatal: the group is in `groups_changed`, so its members are
                // read again in full anyway.
                match m.id.parse::<ObjectId>() {
                    Ok(user) => {
                        membership.insert((g.id.clone(), user), kind);
                    }
                    Err(e) => {
                        let s = ipo_model::SkippedRecord::new(
                            format!("member of group {}", g.id),
                            "members@delta.id",
                            m.id.clone(),
                            e.to_string(),
                        );
                        tracing::warn!(skipped = %s, "malformed delta member skipped");
                        skipped.push(s);
                    }
                }
            }
        }
    }
    (membership, groups_changed, other_changed)
}
