//! Delta queries for users and groups: a full first round ending in a deltaLink, then only
//! what the change log holds since the token's position.

use std::collections::{BTreeMap, BTreeSet};

use ipo_model::RemovalReason;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::paging::link;
use crate::config::ExpiredDeltaMode;
use crate::state::Shared;
use crate::tenant::{Change, Tenant};
use crate::user_json::{project_other, project_user};
use crate::wire::{Req, Resp, decode_token, encode_token, graph_error, select_list};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Kind {
    Users,
    Groups,
    /// Organisational contacts (`orgContact: delta`).
    Contacts,
}

impl Kind {
    fn path(self) -> &'static str {
        match self {
            Kind::Users => "users",
            Kind::Groups => "groups",
            Kind::Contacts => "contacts",
        }
    }
}

/// Everything baked into a delta or skip token.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct State {
    k: Kind,
    /// Delta epoch the token belongs to.
    ep: u64,
    /// Changes after this sequence number; `None`: full round.
    from: Option<u64>,
    /// Up to this sequence number (the log position when the round began).
    to: u64,
    /// Unit offset.
    o: usize,
    sel: Option<Vec<String>>,
    /// `$filter=id eq '...'` ids.
    f: Option<Vec<String>>,
    /// Empty-page injection state, as in listings.
    e: u8,
}

fn expired(sh: &Shared, kind: Kind, sel: Option<&Vec<String>>) -> Resp {
    match sh.settings().expired_delta {
        ExpiredDeltaMode::SyncStateNotFound => graph_error(
            400,
            "syncStateNotFound",
            "The sync state generation is not found. Please do a full resync.",
        ),
        _ => {
            let mut params = Vec::new();
            if let Some(s) = sel {
                params.push(("$select".to_owned(), s.join(",")));
            }
            let path = format!("{}/{}/delta", crate::GRAPH_VERSION_PATH, kind.path());
            graph_error(
                410,
                "resyncRequired",
                "Resync required. Replace any local cached data with the full delta sync results.",
            )
            .with_header("Location", link(sh, &path, &params))
        }
    }
}

fn filter_ids(req: &Req) -> Result<Option<Vec<String>>, Resp> {
    let Some(f) = req.param("$filter") else {
        return Ok(None);
    };
    f.split(" or ")
        .map(|c| {
            let (lhs, rhs) = c
                .trim()
                .split_once(" eq ")
                .ok_or_else(|| super::filter::unsupported(f))?;
            if lhs.trim() != "id" {
                return Err(super::filter::unsupported(f));
            }
            Ok(rhs.trim().trim_matches('\'').to_ascii_lowercase())
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

pub(crate) fn delta(sh: &Shared, req: &Req, kind: Kind) -> Resp {
    // A first request's `$select` is checked against the type, as Graph does; later ones
    // carry it in their token.
    if kind == Kind::Contacts
        && let Err(r) = super::contacts::contact_select(req)
    {
        return r;
    }
    let t = sh.tenant();
    let st = if let Some(dt) = req.param("$deltatoken") {
        if dt == "latest" {
            let sel = select_list(req.param("$select"));
            let f = match filter_ids(req) {
                Ok(f) => f,
                Err(r) => return r,
            };
            let s = State {
                k: kind,
                ep: t.delta_epoch,
                from: Some(t.seq()),
                to: t.seq(),
                o: 0,
                sel,
                f,
                e: 0,
            };
            return final_page(sh, kind, &s, Vec::new(), t.seq());
        }
        match decode_token::<State>(dt) {
            Some(s) if s.k == kind && s.ep == t.delta_epoch => State {
                to: t.seq(),
                o: 0,
                e: 0,
                ..s
            },
            s => return expired(sh, kind, s.and_then(|s| s.sel).as_ref()),
        }
    } else if let Some(sk) = req.param("$skiptoken") {
        match decode_token::<State>(sk) {
            Some(s) if s.k == kind && s.ep == t.delta_epoch => s,
            s => return expired(sh, kind, s.and_then(|s| s.sel).as_ref()),
        }
    } else {
        let f = match filter_ids(req) {
            Ok(f) => f,
            Err(r) => return r,
        };
        State {
            k: kind,
            ep: t.delta_epoch,
            from: None,
            to: t.seq(),
            o: 0,
            sel: select_list(req.param("$select")),
            f,
            e: 0,
        }
    };
    let size = sh.settings().page_size.min(crate::DEFAULT_PAGE_SIZE);
    let inject = sh.settings().inject_empty_page;
    let units = match kind {
        Kind::Users => user_units(&t, &st),
        Kind::Groups => group_units(&t, &st),
        Kind::Contacts => contact_units(&t, &st),
    };
    let total = units.len();
    if st.e == 1 {
        let next = State { e: 2, ..st.clone() };
        return next_page(sh, kind, &next, Vec::new());
    }
    let start = st.o.min(total);
    let end = (start + size).min(total);
    let slice = &units[start..end];
    let values = match kind {
        Kind::Users => slice
            .iter()
            .filter_map(|(id, _)| user_value(&t, &st, id))
            .collect(),
        Kind::Groups => merge_group_units(&t, &st, slice),
        Kind::Contacts => slice
            .iter()
            .filter_map(|(id, _)| contact_value(&t, &st, id))
            .collect(),
    };
    if end < total {
        let e = if inject && st.e == 0 { 1 } else { st.e };
        let next = State {
            o: end,
            e,
            ..st.clone()
        };
        next_page(sh, kind, &next, values)
    } else {
        let to = st.to;
        final_page(sh, kind, &st, values, to)
    }
}

fn context(sh: &Shared, kind: Kind) -> Value {
    Value::from(format!("{}/$metadata#{}", sh.graph_base(), kind.path()))
}

fn next_page(sh: &Shared, kind: Kind, next: &State, values: Vec<Value>) -> Resp {
    let path = format!("{}/{}/delta", crate::GRAPH_VERSION_PATH, kind.path());
    Resp::ok(json!({
        "@odata.context": context(sh, kind),
        "@odata.nextLink": link(sh, &path, &[("$skiptoken".into(), encode_token(next))]),
        "value": values,
    }))
}

fn final_page(sh: &Shared, kind: Kind, st: &State, values: Vec<Value>, to: u64) -> Resp {
    let path = format!("{}/{}/delta", crate::GRAPH_VERSION_PATH, kind.path());
    let token = State {
        from: Some(to),
        to,
        o: 0,
        e: 0,
        ..st.clone()
    };
    Resp::ok(json!({
        "@odata.context": context(sh, kind),
        "@odata.deltaLink": link(sh, &path, &[("$deltatoken".into(), encode_token(&token))]),
        "value": values,
    }))
}

fn changes<'a>(t: &'a Tenant, st: &State) -> &'a [Change] {
    let from = st.from.unwrap_or(0) as usize;
    let to = (st.to as usize).min(t.log.len());
    t.log.get(from.min(to)..to).unwrap_or(&[])
}

fn wanted(st: &State, id: &str) -> bool {
    st.f.as_ref().is_none_or(|f| f.iter().any(|x| x == id))
}

/// For users a unit is one user object.
fn user_units(t: &Tenant, st: &State) -> Vec<(String, Option<Value>)> {
    let ids: Vec<String> = match st.from {
        None => t.users.keys().cloned().collect(),
        Some(_) => changes(t, st)
            .iter()
            .filter_map(|c| match c {
                Change::User(id) => Some(id.clone()),
                _ => None,
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
    };
    // Projected only for the page served: a big tenant's round stays cheap per page.
    ids.into_iter()
        .filter(|id| wanted(st, id) && (t.users.contains_key(id) || t.removed.contains_key(id)))
        .map(|id| (id, None))
        .collect()
}

fn user_value(t: &Tenant, st: &State, id: &str) -> Option<Value> {
    if let Some(u) = t.users.get(id) {
        return Some(Value::Object(project_user(u, st.sel.as_deref())));
    }
    let reason = match t.removed.get(id)? {
        RemovalReason::Changed => "changed",
        RemovalReason::Deleted => "deleted",
    };
    Some(json!({"id": id, "@removed": {"reason": reason}}))
}

/// For contacts a unit is one contact object: all of them in a first round, then each
/// contact the log names since the token (once, in its latest state).
fn contact_units(t: &Tenant, st: &State) -> Vec<(String, Option<Value>)> {
    let ids: Vec<String> = match st.from {
        None => t.contacts.keys().cloned().collect(),
        Some(_) => changes(t, st)
            .iter()
            .filter_map(|c| match c {
                Change::Contact(id) => Some(id.clone()),
                _ => None,
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
    };
    ids.into_iter()
        .filter(|id| {
            wanted(st, id) && (t.contacts.contains_key(id) || t.removed_contacts.contains_key(id))
        })
        .map(|id| (id, None))
        .collect()
}

/// A contact as a delta entry: its selected properties, or Microsoft's removed form
/// `{"id":..., "@removed": {"reason": "changed" | "deleted"}}`.
fn contact_value(t: &Tenant, st: &State, id: &str) -> Option<Value> {
    if let Some(c) = t.contacts.get(id) {
        let mut m = Map::new();
        m.insert(
            "@odata.type".into(),
            Value::from(crate::tenant::CONTACT_TYPE),
        );
        m.extend(super::contacts::project(c, st.sel.as_deref()));
        return Some(Value::Object(m));
    }
    let reason = match t.removed_contacts.get(id)? {
        RemovalReason::Changed => "changed",
        RemovalReason::Deleted => "deleted",
    };
    Some(json!({"id": id, "@removed": {"reason": reason}}))
}

/// For groups a unit is one `members@delta` entry, or a group with no member entries; a big
/// group's entries thus spread over several pages.
fn group_units(t: &Tenant, st: &State) -> Vec<(String, Option<Value>)> {
    let with_members = st
        .sel
        .as_ref()
        .is_none_or(|s| s.iter().any(|p| p == "members"));
    let mut touched: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    match st.from {
        None => {
            for (gid, g) in &t.groups {
                let e = touched.entry(gid.clone()).or_default();
                for m in &g.members {
                    e.insert(m.clone(), t.odata_type(m).unwrap_or_default());
                }
            }
        }
        Some(_) => {
            for c in changes(t, st) {
                match c {
                    Change::Group(g) => {
                        touched.entry(g.clone()).or_default();
                    }
                    Change::Member {
                        group,
                        member,
                        odata_type,
                    } => {
                        touched
                            .entry(group.clone())
                            .or_default()
                            .insert(member.clone(), odata_type.clone());
                    }
                    Change::User(_) | Change::Contact(_) => {}
                }
            }
        }
    }
    let mut units = Vec::new();
    for (gid, members) in touched {
        let Some(g) = t.groups.get(&gid) else {
            continue;
        };
        if !wanted(st, &gid) {
            continue;
        }
        if !with_members || members.is_empty() {
            units.push((gid, None));
            continue;
        }
        for (m, ty) in members {
            let v = if g.members.contains(&m) {
                json!({"@odata.type": ty, "id": m})
            } else {
                json!({"@odata.type": ty, "id": m, "@removed": {"reason": "deleted"}})
            };
            units.push((gid.clone(), Some(v)));
        }
    }
    units
}

fn merge_group_units(t: &Tenant, st: &State, slice: &[(String, Option<Value>)]) -> Vec<Value> {
    let sel: Option<Vec<String>> = st.sel.as_ref().map(|s| {
        s.iter()
            .filter(|p| p.as_str() != "members")
            .cloned()
            .collect()
    });
    let mut out: Vec<Map<String, Value>> = Vec::new();
    let mut last: Option<&str> = None;
    for (gid, entry) in slice {
        if last != Some(gid.as_str()) {
            let json = t
                .groups
                .get(gid)
                .map(|g| project_other(&g.json, sel.as_deref()))
                .unwrap_or_default();
            out.push(json);
            last = Some(gid.as_str());
        }
        if let (Some(e), Some(obj)) = (entry, out.last_mut()) {
            let list = obj
                .entry("members@delta")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(a) = list {
                a.push(e.clone());
            }
        }
    }
    out.into_iter().map(Value::Object).collect()
}
