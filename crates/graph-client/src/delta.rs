//! Delta queries: start, resume from a saved link, follow pages, merge, and tell an
//! expired token ("full resync needed") apart from a failure.

use std::collections::{BTreeMap, BTreeSet};

use ipo_model::{AzureAdUser, GroupId, ObjectId, RemovalReason, RemovedUser, SkippedRecord};
use serde::Deserialize;
use url::Url;

use crate::client::{GraphClient, MAX_PAGES};
use crate::error::{GraphError, GraphErrorBody};
use crate::page::decode_page;
use crate::transport::Resp;
use crate::user::{RawUser, label_of};

/// Where a delta round starts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeltaStart {
    /// From scratch: every object, then a delta link.
    Initial,
    /// From now on (`$deltatoken=latest`): no objects, only a delta link.
    Latest,
    /// From a saved `@odata.deltaLink` (or `@odata.nextLink`), used verbatim.
    Link(String),
}

/// The outcome of a delta round.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delta<T> {
    /// The changes and the link to resume from.
    Changes(T),
    /// The token expired or was refused (`syncStateNotFound`, `resyncRequired`, `410 Gone`):
    /// read everything again, then start over with [`DeltaStart::Latest`].
    FullResyncNeeded {
        /// What Graph said.
        reason: String,
    },
}

/// Users that changed in one delta round (pages merged, later entries win).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct UsersDelta {
    /// Changed users as Graph sent them: complete on an [`DeltaStart::Initial`] round, only
    /// the changed properties afterwards (fetch complete records with
    /// [`GraphClient::users_by_ids`]).
    pub changed: Vec<AzureAdUser>,
    /// Users removed (`@removed`), with the reason.
    pub removed: Vec<RemovedUser>,
    /// Entries whose id is not a GUID, left out with their raw value.
    pub skipped: Vec<SkippedRecord>,
    /// The `@odata.deltaLink` to store.
    pub delta_link: String,
}

/// What kind of object a member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum MemberKind {
    /// `#microsoft.graph.user`.
    User,
    /// `#microsoft.graph.group` (a nested group).
    Group,
    /// Devices, contacts, service principals...
    Other,
}

/// A member named in `members@delta`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub struct MemberRef {
    /// Kind of object.
    pub kind: MemberKind,
    /// Its object id, as Graph sent it (lower-cased when it is a GUID, else verbatim).
    pub id: String,
}

/// One group's changes in a delta round, merged across pages.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupChange {
    /// The group.
    pub id: GroupId,
    /// Set when the group itself was removed.
    pub removed: Option<RemovalReason>,
    /// Members added (direct).
    pub members_added: BTreeSet<MemberRef>,
    /// Members removed (direct).
    pub members_removed: BTreeSet<MemberRef>,
}

/// Groups that changed in one delta round.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct GroupsDelta {
    /// One entry per group, pages and duplicates merged.
    pub groups: Vec<GroupChange>,
    /// Groups whose id is not a GUID, left out with their raw value.
    pub skipped: Vec<SkippedRecord>,
    /// The `@odata.deltaLink` to store.
    pub delta_link: String,
}

#[derive(Deserialize)]
struct RawGroup {
    #[serde(default)]
    id: Option<String>,
    #[serde(default, rename = "members@delta")]
    members_delta: Option<Vec<RawMember>>,
    #[serde(default, rename = "@removed")]
    removed: Option<RawRemoved>,
}

#[derive(Deserialize)]
struct RawMember {
    #[serde(default, rename = "@odata.type")]
    odata_type: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default, rename = "@removed")]
    removed: Option<RawRemoved>,
}

#[derive(Deserialize)]
pub(crate) struct RawRemoved {
    #[serde(default)]
    pub(crate) reason: Option<String>,
}

pub(crate) fn reason(r: Option<&str>) -> RemovalReason {
    match r {
        Some(s) if s.eq_ignore_ascii_case("deleted") => RemovalReason::Deleted,
        _ => RemovalReason::Changed,
    }
}

fn member_kind(t: Option<&str>) -> MemberKind {
    match t.map(str::to_ascii_lowercase).as_deref() {
        Some("#microsoft.graph.user") => MemberKind::User,
        Some("#microsoft.graph.group") => MemberKind::Group,
        _ => MemberKind::Other,
    }
}

/// Whether an error answer means "the token is no good: resync".
fn resync_reason(resp: &Resp) -> Option<String> {
    let body = GraphErrorBody::parse(&resp.body);
    if resp.status == 410 {
        let code = body.map(|b| b.code).filter(|c| !c.is_empty());
        return Some(match code {
            Some(c) => format!("410 Gone ({c})"),
            None => "410 Gone".to_owned(),
        });
    }
    let body = body?;
    ["syncStateNotFound", "resyncRequired", "syncStateInvalid"]
        .iter()
        .find(|c| body.has_code(c))
        .map(|c| (*c).to_owned())
}

pub(crate) enum Step<T> {
    Page(crate::page::WirePage<T>),
    Resync(String),
}

/// What one delta entry says about its object.
pub(crate) enum Seen<V> {
    /// Added or changed, with what the caller keeps of it.
    Present(V),
    /// Gone from view (`@removed`).
    Removed(RemovalReason),
}

/// What the caller makes of one delta entry.
pub(crate) enum Entry<V> {
    /// Not an object of this round (another type, nothing usable).
    Ignore,
    /// An id that is not a GUID: skipped with its raw value.
    Malformed { id: String, error: String },
    /// An object and what the entry says of it.
    Object(ObjectId, Seen<V>),
}

/// One delta round merged per object: each id once, in the order first seen, with what its
/// last entry said.
pub(crate) struct Round<V> {
    pub(crate) objects: Vec<(ObjectId, Seen<V>)>,
    pub(crate) skipped: Vec<SkippedRecord>,
    pub(crate) delta_link: String,
}

/// A round's objects apart: those present, those removed (each in the order first seen).
pub(crate) type Split<V> = (Vec<(ObjectId, V)>, Vec<(ObjectId, RemovalReason)>);

impl<V> Round<V> {
    pub(crate) fn split(self) -> (Split<V>, Vec<SkippedRecord>, String) {
        let mut present = Vec::new();
        let mut removed = Vec::new();
        for (id, seen) in self.objects {
            match seen {
                Seen::Present(v) => present.push((id, v)),
                Seen::Removed(r) => removed.push((id, r)),
            }
        }
        ((present, removed), self.skipped, self.delta_link)
    }
}

impl<T> Delta<T> {
    /// The changes mapped by `f`; a full resync stays one.
    pub(crate) fn map<U>(self, f: impl FnOnce(T) -> U) -> Delta<U> {
        match self {
            Delta::Changes(t) => Delta::Changes(f(t)),
            Delta::FullResyncNeeded { reason } => Delta::FullResyncNeeded { reason },
        }
    }
}

impl GraphClient {
    pub(crate) async fn delta_page<T: serde::de::DeserializeOwned>(
        &self,
        url: Url,
        what: &str,
        label: fn(&serde_json::Value) -> String,
    ) -> Result<Step<T>, GraphError> {
        let resp = self.get(url, false).await?;
        if !resp.is_success() {
            if let Some(r) = resync_reason(&resp) {
                tracing::info!(what, reason = %r, "delta token no longer usable: full resync needed");
                return Ok(Step::Resync(r));
            }
            return Err(resp.error(what));
        }
        decode_page::<T>(&resp.body, resp.status, &resp.url, label).map(Step::Page)
    }

    /// The next page of a delta round; a page with neither link is a broken answer.
    pub(crate) fn next_delta_url(
        &self,
        next_link: Option<&str>,
        url: &Url,
    ) -> Result<Url, GraphError> {
        match next_link {
            Some(l) => self.link(l),
            None => Err(delta_decode_error(
                url,
                "delta page has neither @odata.nextLink nor @odata.deltaLink".into(),
            )),
        }
    }

    pub(crate) fn delta_first(
        &self,
        path: &str,
        select: &str,
        start: &DeltaStart,
    ) -> Result<Url, GraphError> {
        match start {
            DeltaStart::Initial => self.url(path, &[("$select", select)]),
            DeltaStart::Latest => self.url(path, &[("$select", select), ("$deltatoken", "latest")]),
            DeltaStart::Link(l) => self.link(l),
        }
    }

    /// One delta round over `path` (`/users/delta`, `/contacts/delta`) from `start`,
    /// following `@odata.nextLink` until the `@odata.deltaLink`; `entry` reads each entry.
    /// An expired or refused token is [`Delta::FullResyncNeeded`].
    pub(crate) async fn object_delta<T: serde::de::DeserializeOwned, V>(
        &self,
        (path, select, what): (&str, &str, &'static str),
        start: &DeltaStart,
        label: fn(&serde_json::Value) -> String,
        mut entry: impl FnMut(T) -> Result<Entry<V>, GraphError>,
    ) -> Result<Delta<Round<V>>, GraphError> {
        let mut url = self.delta_first(path, select, start)?;
        let mut order: Vec<ObjectId> = Vec::new();
        let mut last: BTreeMap<ObjectId, Seen<V>> = BTreeMap::new();
        let mut skipped: Vec<SkippedRecord> = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = match self.delta_page::<T>(url.clone(), what, label).await? {
                Step::Resync(reason) => return Ok(Delta::FullResyncNeeded { reason }),
                Step::Page(p) => p,
            };
            for raw in page.value {
                match entry(raw)? {
                    Entry::Ignore => {}
                    // One malformed entry must not fail the round: the next run would resume
                    // from the same link and fail on it again, forever.
                    Entry::Malformed { id, error } => {
                        let s = SkippedRecord::new(what, "id", id, error);
                        tracing::warn!(skipped = %s, "malformed delta entry skipped");
                        skipped.push(s);
                    }
                    Entry::Object(id, seen) => {
                        if last.insert(id.clone(), seen).is_none() {
                            order.push(id);
                        }
                    }
                }
            }
            if let Some(delta_link) = page.delta_link {
                let objects = order
                    .into_iter()
                    .filter_map(|id| last.remove(&id).map(|seen| (id, seen)))
                    .collect();
                return Ok(Delta::Changes(Round {
                    objects,
                    skipped,
                    delta_link,
                }));
            }
            url = self.next_delta_url(page.next_link.as_deref(), &url)?;
        }
        Err(delta_decode_error(
            &url,
            format!("more than {MAX_PAGES} delta pages"),
        ))
    }

    /// Runs one users delta round from `start`, following next links until the delta link.
    pub async fn users_delta(&self, start: DeltaStart) -> Result<Delta<UsersDelta>, GraphError> {
        let round = self
            .object_delta(
                ("/users/delta", self.user_select(), "users delta"),
                &start,
                label_of,
                |raw: RawUser| {
                    if raw.is_other_type() {
                        return Ok(Entry::Ignore);
                    }
                    let id = match raw.object_id() {
                        Ok(id) => id,
                        Err(e) => {
                            let id = raw.id.clone().unwrap_or_default();
                            let error = e.to_string();
                            return Ok(Entry::Malformed { id, error });
                        }
                    };
                    if let Some(r) = &raw.removed {
                        return Ok(Entry::Object(
                            id,
                            Seen::Removed(reason(r.reason.as_deref())),
                        ));
                    }
                    Ok(match raw.into_user()? {
                        Some(u) => Entry::Object(id, Seen::Present(u)),
                        None => Entry::Ignore,
                    })
                },
            )
            .await?;
        Ok(round.map(|r| {
            let ((changed, removed), skipped, delta_link) = r.split();
            UsersDelta {
                changed: changed.into_iter().map(|(_, u)| u).collect(),
                removed: removed
                    .into_iter()
                    .map(|(id, why)| RemovedUser::new(id, why))
                    .collect(),
                skipped,
                delta_link,
            }
        }))
    }

    /// Runs one groups delta round (`/groups/delta?$select=displayName,members`) from
    /// `start`. Membership slices of one group spread over pages are merged; a member seen
    /// both added and removed keeps its last state.
    pub async fn groups_delta(&self, start: DeltaStart) -> Result<Delta<GroupsDelta>, GraphError> {
        let mut url = self.delta_first("/groups/delta", "displayName,members", &start)?;
        let mut groups: BTreeMap<GroupId, GroupChange> = BTreeMap::new();
        let mut skipped: Vec<SkippedRecord> = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = match self
                .delta_page::<RawGroup>(url.clone(), "groups delta", label_of)
                .await?
            {
                Step::Resync(reason) => return Ok(Delta::FullResyncNeeded { reason }),
                Step::Page(p) => p,
            };
            for raw in page.value {
                let text = raw.id.unwrap_or_default();
                let id: GroupId = match text.parse() {
                    Ok(id) => id,
                    Err(e) => {
                        let e: ipo_model::InvalidValue = e;
                        let s = SkippedRecord::new("groups delta", "id", text, e.to_string());
                        tracing::warn!(skipped = %s, "malformed delta entry skipped");
                        skipped.push(s);
                        continue;
                    }
                };
                let entry = groups.entry(id.clone()).or_insert_with(|| GroupChange {
                    id,
                    removed: None,
                    members_added: BTreeSet::new(),
                    members_removed: BTreeSet::new(),
                });
                if let Some(r) = raw.removed {
                    entry.removed = Some(reason(r.reason.as_deref()));
                }
                for m in raw.members_delta.unwrap_or_default() {
                    let Some(mid) = m.id else { continue };
                    // A malformed id is kept exactly as sent, for the report.
                    let id = if mid.parse::<ObjectId>().is_ok() {
                        mid.to_ascii_lowercase()
                    } else {
                        mid
                    };
                    let member = MemberRef {
                        kind: member_kind(m.odata_type.as_deref()),
                        id,
                    };
                    if m.removed.is_some() {
                        entry.members_added.remove(&member);
                        entry.members_removed.insert(member);
                    } else {
                        entry.members_removed.remove(&member);
                        entry.members_added.insert(member);
                    }
                }
            }
            if let Some(link) = page.delta_link {
                return Ok(Delta::Changes(GroupsDelta {
                    groups: groups.into_values().collect(),
                    skipped,
                    delta_link: link,
                }));
            }
            url = self.next_delta_url(page.next_link.as_deref(), &url)?;
        }
        Err(delta_decode_error(
            &url,
            format!("more than {MAX_PAGES} delta pages"),
        ))
    }

    /// Ids of the groups nested (transitively) in `group`.
    pub async fn nested_groups(&self, group: &GroupId) -> Result<BTreeSet<String>, GraphError> {
        use futures_util::TryStreamExt;
        #[derive(Deserialize)]
        struct Id {
            #[serde(default)]
            id: Option<String>,
        }
        let url = self.url(
            &format!(
                "/groups/{}/transitiveMembers/microsoft.graph.group",
                crate::odata::encode_path_segment(group.as_str())
            ),
            &[("$select", "id"), ("$top", "999"), ("$count", "true")],
        )?;
        let pages = self.pages(url, true, format!("group {group}"), |b, s, u| {
            let mut w = decode_page::<Id>(b, s, u, label_of)?;
            let items = std::mem::take(&mut w.value);
            Ok(w.into_page(items))
        });
        let all: Vec<crate::page::Page<Id>> = pages.try_collect().await?;
        Ok(all
            .into_iter()
            .flat_map(|p| p.items)
            .filter_map(|i| i.id.map(|s| s.to_ascii_lowercase()))
            .collect())
    }
}

/// A delta round that cannot go on, named by its (redacted) URL.
pub(crate) fn delta_decode_error(url: &Url, message: String) -> GraphError {
    GraphError::Decode {
        status: 200,
        url: crate::odata::redact_url(url),
        message,
        snippet: String::new(),
    }
}
