//! Delta queries: start, resume from a saved link, follow pages, merge, and tell an
//! expired token ("full resync needed") apart from a failure.

use std::collections::{BTreeMap, BTreeSet};

use ipo_model::{DirectoryUser, GroupId, ObjectId, RemovalReason, RemovedUser, SkippedRecord};
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
    pub changed: Vec<DirectoryUser>,
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

fn reason(r: Option<&str>) -> RemovalReason {
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

    /// Runs one users delta round from `start`, following next links until the delta link.
    pub async fn users_delta(&self, start: DeltaStart) -> Result<Delta<UsersDelta>, GraphError> {
        let mut url = self.delta_first("/users/delta", self.user_select(), &start)?;
        // id -> Some(user) when changed, None when removed (with reason in `removed`).
        let mut order: Vec<ObjectId> = Vec::new();
        let mut changed: BTreeMap<ObjectId, DirectoryUser> = BTreeMap::new();
        let mut removed: BTreeMap<ObjectId, RemovalReason> = BTreeMap::new();
        let mut skipped: Vec<SkippedRecord> = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = match self
                .delta_page::<RawUser>(url.clone(), "users delta", label_of)
                .await?
            {
                Step::Resync(reason) => return Ok(Delta::FullResyncNeeded { reason }),
                Step::Page(p) => p,
            };
            for raw in page.value {
                if raw.is_other_type() {
                    continue;
                }
                // One malformed entry must not fail the round: the next run would resume
                // from the same link and fail on it again, forever.
                let id = match raw.object_id() {
                    Ok(id) => id,
                    Err(e) => {
                        let s = SkippedRecord::new(
                            "users delta",
                            "id",
                            raw.id.clone().unwrap_or_default(),
                            e.to_string(),
                        );
                        tracing::warn!(skipped = %s, "malformed delta entry skipped");
                        skipped.push(s);
                        continue;
                    }
                };
                if !changed.contains_key(&id) && !removed.contains_key(&id) {
                    order.push(id.clone());
                }
                if let Some(r) = &raw.removed {
                    changed.remove(&id);
                    removed.insert(id, reason(r.reason.as_deref()));
                } else if let Some(u) = raw.into_user()? {
                    removed.remove(&id);
                    changed.insert(id, u);
                }
            }
            if let Some(link) = page.delta_link {
                let mut out = UsersDelta {
                    delta_link: link,
                    skipped,
                    ..Default::default()
                };
                for id in order {
                    if let Some(u) = changed.remove(&id) {
                        out.changed.push(u);
                    } else if let Some(r) = removed.remove(&id) {
                        out.removed.push(RemovedUser::new(id, r));
                    }
                }
                return Ok(Delta::Changes(out));
            }
            url = self.next_delta_url(page.next_link.as_deref(), &url)?;
        }
        Err(delta_decode_error(
            &url,
            format!("more than {MAX_PAGES} delta pages"),
        ))
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
