//! Stage 6 (hunt groups): the membership the mapped field asks for, for people with an IP
//! Office user.

use std::collections::{BTreeMap, HashSet};

use ipo_model::{ExtensionNumber, HuntGroup, IpoChange};

use super::context::Context;
use super::desired::{Desired, Want};
use super::line::Line;
use super::output::{Actions, make};
use super::person::Judged;
use crate::config::ApplyMode;
use crate::plan::{Action, ActionKind, Effect, FieldChange};
use crate::record::{RecordKind, RecordRef};
use crate::text::Text;

/// The hunt groups' updates (into `actions.main`); the notes about groups Azure AD names
/// that IP Office does not have.
pub(super) fn members(
    cx: &Context<'_>,
    people: &[Judged<'_>],
    desired: &[Option<Desired<'_>>],
    lines: &[Line],
    actions: &mut Actions,
) -> Vec<String> {
    let Some(map) = &cx.config.fields.hunt_groups else {
        return Vec::new();
    };
    // Members the sync manages: extensions of in-scope IP Office people.
    let mut managed: HashSet<&ExtensionNumber> = HashSet::new();
    let mut want: BTreeMap<&str, Vec<&ExtensionNumber>> = BTreeMap::new();
    for ((p, d), line) in people.iter().zip(desired).zip(lines) {
        let Some(d) = d.as_ref().filter(|_| !line.blocked) else {
            continue;
        };
        let Want::User { existing, .. } = d.want else {
            continue;
        };
        // A user moved to another number leaves its groups under the old one.
        if let Some(old) = existing.and_then(|u| u.extension.as_ref())
            && d.extension.as_ref() != Some(old)
        {
            managed.insert(old);
        }
        let Some(e) = &d.extension else { continue };
        if (map.apply == ApplyMode::OnCreate || !p.hunt_group_eligible) && existing.is_some() {
            continue;
        }
        managed.insert(e);
        for g in &d.hunt_groups {
            want.entry(g.as_str()).or_default().push(e);
        }
    }
    // Users this plan deletes (before the hunt groups are written) leave their groups.
    for a in &actions.removals {
        if let Some(IpoChange::DeleteUser { guid, .. }) = a.write.as_ref().map(|w| &w.change)
            && let Some(e) = (cx.ix.user_by_guid.get(guid)).and_then(|u| u.extension.as_ref())
        {
            managed.insert(e);
        }
    }
    for h in &cx.snapshot.hunt_groups {
        let wanted = want.get(h.name.as_str()).map_or(&[][..], Vec::as_slice);
        actions.main.extend(update(h, &managed, wanted));
    }
    (want.keys())
        .filter(|name| !cx.ix.hunt_by_name.contains_key(*name))
        .map(|name| format!("hunt group {name:?} named in Azure AD does not exist"))
        .collect()
}

/// The update of hunt group `h` when its members change: the `managed` members not
/// `wanted` leave, the `wanted` ones join; the others stay as they are.
fn update(
    h: &HuntGroup,
    managed: &HashSet<&ExtensionNumber>,
    wanted: &[&ExtensionNumber],
) -> Option<Action> {
    let mut members = h.members.clone();
    members.retain(|m| !managed.contains(m) || wanted.contains(&m));
    for w in wanted {
        if !members.contains(w) {
            members.push((*w).clone());
        }
    }
    if members == h.members {
        return None;
    }
    let listed = |of: &[ExtensionNumber], not_in: &[ExtensionNumber]| -> Option<Text> {
        let l: Vec<String> = (of.iter().filter(|m| !not_in.contains(m)))
            .map(|m| m.to_string())
            .collect();
        (!l.is_empty()).then(|| l.join(", ").into())
    };
    let mut changes = Vec::new();
    if let Some(added) = listed(&members, &h.members) {
        changes.push(FieldChange::new("Members added", None, Some(added)));
    }
    if let Some(removed) = listed(&h.members, &members) {
        changes.push(FieldChange::new("Members removed", Some(removed), None));
    }
    let mut g = h.clone();
    g.members = members;
    Some(make(
        ActionKind::UpdateHuntGroup,
        None,
        RecordRef::new(RecordKind::HuntGroup, &h.name).with_guid(h.guid.clone()),
        changes,
        IpoChange::UpdateHuntGroup(g),
        Effect::None,
    ))
}
