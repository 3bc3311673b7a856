//! The port traits the edges implement: where Azure AD users come from and where the
//! IP Office configuration lives. `sync-engine` speaks only to these.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::azure_ad::AzureAdUser;
use crate::contact::{AzureAdContact, ContactDeltaOutcome};
use crate::extension::ExtensionNumber;
use crate::id::{GroupId, Guid, ObjectId};
use crate::ipo::{Extension, HuntGroup, IpoSnapshot, IpoUser, SystemDirectoryEntry};
use crate::name::{FullName, UserName};
use crate::restart::RestartNotice;
use crate::skipped::SkippedRecord;

/// One error reported by IP Office for a record: an `<error>` of a record-named error node
/// (`USER`, `EXTENSION`, `HUNTGROUP`) or of an `SMAError` node (session and HTTP-level
/// answers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiError {
    /// `error_code`: numeric for record errors (`"9020"`), `"461:SessionTimeout"`,
    /// `"404:NotFound"`... for `SMAError`.
    pub code: String,
    /// `error_desc` (the surrounding quotes IP Office puts around it removed).
    pub message: String,
    /// `errorLocation` (node address), if given.
    pub location: Option<String>,
    /// The error node's name: `USER`, `EXTENSION`, `HUNTGROUP`, `SMAError`...; `None` when
    /// unknown.
    #[serde(default)]
    pub node: Option<String>,
    /// `cause`, if given and not empty.
    #[serde(default)]
    pub cause: Option<String>,
    /// `cause_data` (the guide shows the record's name), if given and not empty.
    #[serde(default)]
    pub cause_data: Option<String>,
}

impl ApiError {
    /// An error with code and message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            location: None,
            node: None,
            cause: None,
            cause_data: None,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(n) = &self.node {
            write!(f, "{n} ")?;
        }
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(d) = &self.cause_data {
            write!(f, " [{d}]")?;
        }
        if let Some(l) = &self.location {
            write!(f, " (at {l})")?;
        }
        Ok(())
    }
}

/// Why a port call failed. Messages name the record and field; they never carry secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum PortError {
    /// Credentials refused (wrong secret or password, locked account).
    #[error("authentication failed: {0}")]
    Auth(String),
    /// Authenticated, but not allowed (missing permission or rights group).
    #[error("permission denied: {0}")]
    Permission(String),
    /// The service could not be reached or kept failing after the allowed retries.
    #[error("{service} unavailable: {detail}")]
    Unavailable {
        /// `"Microsoft Graph"`, `"IP Office"`...
        service: String,
        /// What happened last.
        detail: String,
    },
    /// The service refused this record.
    #[error("{record} rejected: {}", .errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Rejected {
        /// The record, e.g. `user Ann Lee (GUID)`.
        record: String,
        /// Every error the service gave for it.
        errors: Vec<ApiError>,
    },
    /// A value the service sent (or we were asked to send) breaks a rule.
    #[error("{record}: invalid {field}: {message}")]
    InvalidData {
        /// The record.
        record: String,
        /// The field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The record does not exist (any more).
    #[error("{0} not found")]
    NotFound(String),
    /// The write would break a rule of the configuration (duplicate name or extension,
    /// capacity, untouchable record).
    #[error("{record}: conflict: {message}")]
    Conflict {
        /// The record.
        record: String,
        /// What it conflicts with.
        message: String,
    },
    /// The write was not attempted because an earlier failure stopped the batch or run.
    #[error("{record}: not attempted: {reason}")]
    NotAttempted {
        /// The record.
        record: String,
        /// Why.
        reason: String,
    },
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

/// An opaque, serialisable position in a directory's change stream (Graph delta links).
/// The directory source alone interprets it; the sync engine only stores it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeltaCursor(pub BTreeMap<String, String>);

/// Why a user left the directory (`@removed.reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemovalReason {
    /// Soft-deleted (restorable for 30 days) or otherwise out of view.
    Changed,
    /// Gone for good.
    Deleted,
}

/// A user removed from the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RemovedUser {
    /// Object id.
    pub id: ObjectId,
    /// Reason.
    pub reason: RemovalReason,
}

impl RemovedUser {
    /// A removal.
    pub fn new(id: ObjectId, reason: RemovalReason) -> Self {
        Self { id, reason }
    }
}

/// Added to or removed from a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MembershipChangeKind {
    /// Added.
    Added,
    /// Removed.
    Removed,
}

/// A direct membership change of one user in one watched group.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MembershipChange {
    /// The group.
    pub group: GroupId,
    /// The member.
    pub user: ObjectId,
    /// Added or removed.
    pub kind: MembershipChangeKind,
}

impl MembershipChange {
    /// A change.
    pub fn new(group: GroupId, user: ObjectId, kind: MembershipChangeKind) -> Self {
        Self { group, user, kind }
    }
}

/// What changed in the directory since a cursor.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AzureAdChanges {
    /// Users whose properties changed, as complete records (not partial delta objects).
    pub updated: Vec<AzureAdUser>,
    /// Users removed from the directory.
    pub removed: Vec<RemovedUser>,
    /// Direct membership changes seen in watched groups, merged and deduplicated
    /// (informational: nested-group changes show up only in `groups_changed`).
    pub membership: Vec<MembershipChange>,
    /// Watched groups whose transitive user membership may have changed (directly or
    /// through a nested group): the caller re-reads their members.
    pub groups_changed: BTreeSet<GroupId>,
    /// Where to resume next time.
    pub cursor: DeltaCursor,
    /// Malformed records the source left out (with their raw value) so that one bad
    /// record does not stop every later run on the same cursor.
    #[serde(default)]
    pub skipped: Vec<SkippedRecord>,
}

/// The answer to "what changed since this cursor".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DeltaOutcome {
    /// The changes, and the new cursor.
    Changes(AzureAdChanges),
    /// The cursor expired or is unusable: read everything again. A normal outcome.
    FullResyncNeeded {
        /// What the directory said (e.g. `syncStateNotFound`, `410 Gone`).
        reason: String,
    },
}

/// What an edge's transport has done so far: requests sent, retries, throttled answers,
/// logins made again, and the time spent waiting before retries.
///
/// The counters only grow; take a reading before and after a run and subtract with
/// [`TransportStats::since`] to learn what the run cost. Edges without a transport (the
/// in-memory stores) report zeros.
///
/// ```
/// use std::time::Duration;
/// use ipo_model::TransportStats;
/// let mut before = TransportStats::default();
/// before.requests = 10;
/// let mut after = before;
/// after.requests = 25;
/// after.retries = 2;
/// after.waited = Duration::from_millis(1500);
/// let run = after.since(&before);
/// assert_eq!((run.requests, run.retries), (15, 2));
/// assert_eq!(run.waited, Duration::from_millis(1500));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TransportStats {
    /// Requests sent (each attempt counts, logins included where the edge counts them).
    #[serde(default)]
    pub requests: u64,
    /// Attempts made again after a transient failure (429, 503, connection error).
    #[serde(default)]
    pub retries: u64,
    /// Answers that said "too many requests" (HTTP 429, outer or inside a batch).
    #[serde(default)]
    pub throttled: u64,
    /// Logins made again because the session had expired.
    #[serde(default)]
    pub relogins: u64,
    /// Time spent waiting before retries (`Retry-After` and backoff).
    #[serde(default)]
    pub waited: Duration,
}

impl TransportStats {
    /// What happened between the reading `earlier` and this one (counters that went
    /// backwards, e.g. after a client was replaced, count as zero).
    pub fn since(&self, earlier: &TransportStats) -> TransportStats {
        TransportStats {
            requests: self.requests.saturating_sub(earlier.requests),
            retries: self.retries.saturating_sub(earlier.retries),
            throttled: self.throttled.saturating_sub(earlier.throttled),
            relogins: self.relogins.saturating_sub(earlier.relogins),
            waited: self.waited.saturating_sub(earlier.waited),
        }
    }

    /// Whether nothing was counted at all.
    pub fn is_zero(&self) -> bool {
        *self == TransportStats::default()
    }
}

impl std::ops::Add for TransportStats {
    type Output = TransportStats;

    /// Both readings added up (e.g. two edges, or two runs).
    fn add(self, other: TransportStats) -> TransportStats {
        TransportStats {
            requests: self.requests.saturating_add(other.requests),
            retries: self.retries.saturating_add(other.retries),
            throttled: self.throttled.saturating_add(other.throttled),
            relogins: self.relogins.saturating_add(other.relogins),
            waited: self.waited.saturating_add(other.waited),
        }
    }
}

/// Where Azure AD users come from (Microsoft Graph, an LDAP reader, a CSV file...).
///
/// ```
/// use ipo_model::{AzureAdSource, MemoryAzureAd};
/// # tokio_test_block_on(async {
/// let dir = MemoryAzureAd::new();
/// let everyone = dir.all_users().await.unwrap();
/// assert!(everyone.is_empty());
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
#[async_trait]
pub trait AzureAdSource: Send + Sync {
    /// Users that are members of `group`, nested groups included; non-user members are
    /// skipped. Each returned user has `group` in its `groups`.
    async fn group_members(&self, group: &GroupId) -> Result<Vec<AzureAdUser>, PortError>;

    /// The members of each of `groups`, as [`AzureAdSource::group_members`] gives them,
    /// one entry per group in the order given. `on_group_read` is called once per group as
    /// its members are in (for a progress bar); the last call comes when the whole read is
    /// done.
    ///
    /// A sync reads all its groups through this, so a source that shares work between
    /// groups does it once per read instead of once per group (Graph lists the tenant's
    /// Teams telephone numbers once for all the groups). The default reads the groups one
    /// after the other with `group_members`.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use ipo_model::{AzureAdSource, AzureAdUser, GroupId, MemoryAzureAd};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let (a, b): (GroupId, GroupId) = (
    ///     "11111111-1111-1111-1111-111111111111".parse().unwrap(),
    ///     "33333333-3333-3333-3333-333333333333".parse().unwrap(),
    /// );
    /// let dir = MemoryAzureAd::new();
    /// let ann = AzureAdUser::new("22222222-2222-2222-2222-222222222222".parse().unwrap());
    /// dir.upsert_user(ann.clone());
    /// let bob = AzureAdUser::new("44444444-4444-4444-4444-444444444444".parse().unwrap());
    /// dir.upsert_user(bob.clone());
    /// dir.add_member(&a, &ann.id);
    /// dir.add_member(&b, &ann.id);
    /// dir.add_member(&b, &bob.id);
    /// let read = AtomicUsize::new(0);
    /// let members = dir
    ///     .members_of_groups(&[a.clone(), b.clone()], &|_| {
    ///         read.fetch_add(1, Ordering::Relaxed);
    ///     })
    ///     .await
    ///     .unwrap();
    /// assert_eq!(read.into_inner(), 2);
    /// assert_eq!((&members[0].0, members[0].1.len()), (&a, 1));
    /// assert_eq!((&members[1].0, members[1].1.len()), (&b, 2));
    /// # });
    /// ```
    async fn members_of_groups(
        &self,
        groups: &[GroupId],
        on_group_read: &(dyn for<'g> Fn(&'g GroupId) + Send + Sync),
    ) -> Result<Vec<(GroupId, Vec<AzureAdUser>)>, PortError> {
        let mut out = Vec::with_capacity(groups.len());
        for group in groups {
            let members = self.group_members(group).await?;
            on_group_read(group);
            out.push((group.clone(), members));
        }
        Ok(out)
    }

    /// Every user of the tenant.
    async fn all_users(&self) -> Result<Vec<AzureAdUser>, PortError>;

    /// One user by id; `Ok(None)` when it does not exist.
    async fn user(&self, id: &ObjectId) -> Result<Option<AzureAdUser>, PortError>;

    /// A cursor for "from now on" (Graph `$deltatoken=latest`), covering users and the given
    /// groups. Take it before a full read so nothing that happens during the read is missed.
    async fn latest_cursor(&self, groups: &[GroupId]) -> Result<DeltaCursor, PortError>;

    /// What changed since `cursor` for users and the given groups.
    async fn changes(
        &self,
        groups: &[GroupId],
        cursor: &DeltaCursor,
    ) -> Result<DeltaOutcome, PortError>;

    /// The organisation's contacts (Graph `orgContact`), for the system directory. The
    /// default, for sources that have none, is none, so existing sources keep compiling.
    async fn contacts(&self) -> Result<Vec<AzureAdContact>, PortError> {
        Ok(Vec::new())
    }

    /// A cursor for "from now on" over the organisation's contacts (Graph
    /// `/contacts/delta?$deltatoken=latest`), kept apart from [`latest_cursor`]'s so that a
    /// sync without contacts never asks for them. Take it before reading
    /// [`contacts`](AzureAdSource::contacts) in full so nothing that changes during the
    /// read is missed. `Ok(None)`, the default, says the source cannot tell what changed:
    /// contacts are then read in full on every run.
    ///
    /// [`latest_cursor`]: AzureAdSource::latest_cursor
    async fn latest_contacts_cursor(&self) -> Result<Option<DeltaCursor>, PortError> {
        Ok(None)
    }

    /// What changed in the contacts since a cursor of
    /// [`latest_contacts_cursor`](AzureAdSource::latest_contacts_cursor) (or of an earlier
    /// answer). The default, for sources without contact changes, asks for a full read.
    async fn contact_changes(
        &self,
        cursor: &DeltaCursor,
    ) -> Result<ContactDeltaOutcome, PortError> {
        let _ = cursor;
        Ok(ContactDeltaOutcome::FullResyncNeeded {
            reason: "the directory source cannot tell what changed in contacts".into(),
        })
    }

    /// Whether `group` has groups among its members (at any depth). Teams' group policy
    /// assignments reach direct members only, so a rule whose group nests others is
    /// provisioned per person. The default, for sources that cannot tell, says yes.
    async fn has_nested_groups(&self, group: &GroupId) -> Result<bool, PortError> {
        let _ = group;
        Ok(true)
    }

    /// The transport counters so far (requests, retries, throttling, waits). The default,
    /// for sources without a transport, is all zeros.
    fn transport(&self) -> TransportStats {
        TransportStats::default()
    }
}

/// One write to IP Office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum IpoChange {
    /// Create an extension (GUID read back).
    CreateExtension(Extension),
    /// Create a user (GUID read back).
    CreateUser(IpoUser),
    /// Update a user: the full record, `raw` as last read, modelled fields as wanted.
    UpdateUser(IpoUser),
    /// Delete a user.
    DeleteUser {
        /// GUID.
        guid: Guid,
        /// Name, for messages.
        name: UserName,
        /// The node holding the user, as read ([`IpoUser::node`]); `None`: the store's
        /// default (the configured node, else the primary).
        node: Option<String>,
    },
    /// Delete an extension.
    DeleteExtension {
        /// GUID.
        guid: Guid,
        /// Number, for messages.
        number: ExtensionNumber,
        /// The node holding the extension, as read ([`Extension::node`]); `None` as for
        /// users.
        node: Option<String>,
    },
    /// Update a hunt group (members), full record as for users.
    UpdateHuntGroup(HuntGroup),
    /// Add or replace a system directory entry (matched by name).
    PutDirectoryEntry(SystemDirectoryEntry),
    /// Remove a system directory entry by name.
    RemoveDirectoryEntry {
        /// Name of the entry.
        name: FullName,
    },
}

impl IpoChange {
    /// A short label of the record, for reports.
    pub fn label(&self) -> String {
        match self {
            IpoChange::CreateExtension(e) => format!("extension {}", e.number),
            IpoChange::CreateUser(u) | IpoChange::UpdateUser(u) => u.label(),
            IpoChange::DeleteUser { guid, name, .. } => format!("user {name} ({guid})"),
            IpoChange::DeleteExtension { number, .. } => format!("extension {number}"),
            IpoChange::UpdateHuntGroup(h) => format!("hunt group {}", h.name),
            IpoChange::PutDirectoryEntry(d) => format!("directory entry {}", d.name),
            IpoChange::RemoveDirectoryEntry { name } => format!("directory entry {name}"),
        }
    }
}

/// What a successful write produced.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Applied {
    /// The GUID of a created record.
    pub guid: Option<Guid>,
    /// Notices IP Office attached, as text (a restart notice is also here, worded).
    pub notices: Vec<String>,
    /// Nodes IP Office said must be restarted for the change to take effect.
    #[serde(default)]
    pub restarts: Vec<RestartNotice>,
}

impl Applied {
    /// A success with an optional GUID.
    pub fn new(guid: Option<Guid>) -> Self {
        Self {
            guid,
            notices: Vec::new(),
            restarts: Vec::new(),
        }
    }
}

/// Outcome of one [`IpoChange`].
pub type ChangeOutcome = Result<Applied, PortError>;

/// Where the IP Office configuration lives (the Management API, an in-memory model...).
#[async_trait]
pub trait IpoConfigStore: Send + Sync {
    /// A consistent reading of everything the sync needs.
    async fn snapshot(&self) -> Result<IpoSnapshot, PortError>;

    /// Performs the writes in order, batching where the store can; returns one outcome per
    /// change, in the same order. One failing item does not stop the others.
    async fn apply(&self, changes: Vec<IpoChange>) -> Vec<ChangeOutcome>;

    /// The transport counters so far (requests, retries, re-logins, waits). The default,
    /// for stores without a transport, is all zeros.
    fn transport(&self) -> TransportStats {
        TransportStats::default()
    }
}
