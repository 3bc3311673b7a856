//! Stage 4 (removals): what people who left give back, per the removal policy, held as a
//! whole above the deletion threshold.

use std::collections::BTreeSet;

use ipo_model::{IpoChange, IpoUser, ObjectId, Profile};

use super::context::Context;
use super::desired::{Desired, Want};
use super::entry_writes::remove_entries;
use super::labels::{flag_text, profile_text, user_record};
use super::line::Line;
use super::links::{Links, Pairing};
use super::output::{Actions, make};
use super::person::Judged;
use super::teams::TeamsLeaving;
use super::writes::delete_extension_record;
use crate::config::RemovalPolicy;
use crate::plan::{Action, ActionKind, Effect, FieldChange, HeldRemovals};
use crate::state::Link;

/// What the removals stage plans.
#[derive(Default)]
pub(super) struct Leavers {
    /// Directory entries no longer needed (applied with the main work, never held).
    pub(super) entries: Vec<Action>,
    /// The removals of leavers' records (held as a whole above the threshold, see [`hold`]).
    pub(super) actions: Vec<Action>,
    /// Leavers whose user the policy keeps.
    pub(super) kept: BTreeSet<ObjectId>,
    /// Leavers no longer in the directory whose records are removed (the others' lines
    /// say so themselves).
    pub(super) removed_gone: BTreeSet<ObjectId>,
}

/// Links whose person left scope, Teams-only people whose old IP Office user goes, and the
/// entries of people who became IP Office users. Links come in id order, so the plan does
/// not depend on hashing.
pub(super) fn removals(
    cx: &Context<'_>,
    pairing: &Pairing<'_>,
    people: &[Judged<'_>],
    desired: &[Option<Desired<'_>>],
    lines: &mut [Line],
) -> Leavers {
    let mut out = Leavers::default();
    for (id, link, pos) in pairing.each_link() {
        let person = pos.and_then(|i| Some((people.get(i)?, desired.get(i)?, lines.get(i)?)));
        let acting = person.and_then(|(_, d, line)| d.as_ref().filter(|_| !line.blocked));
        let gone = person.is_none_or(|(p, _, _)| p.out_of_scope);
        let now_teams_only = acting.is_some_and(|d| matches!(d.want, Want::TeamsOnly));
        if gone {
            leave(cx, id, link, pos, true, lines, &mut out);
        } else if now_teams_only && link.user.is_some() {
            leave(cx, id, link, pos, false, lines, &mut out);
        } else if acting.is_some_and(|d| matches!(d.want, Want::User { .. })) {
            // Became an IP Office user: the directory entries are no longer needed.
            remove_entries(&mut out.entries, id, link);
        }
    }
    out
}

/// A leaver (`whole`: out of scope; else now Teams only): their entries (when whole) and
/// their user as the policy says.
fn leave(
    cx: &Context<'_>,
    id: &ObjectId,
    link: &Link,
    pos: Option<usize>,
    whole: bool,
    lines: &mut [Line],
    out: &mut Leavers,
) {
    let line = pos.and_then(|i| lines.get_mut(i));
    if whole && link.directory_entries().next().is_some() {
        remove_entries(&mut out.entries, id, link);
        mark_removed(line, id, &mut out.removed_gone);
    }
    let Some(u) = (link.user.as_ref()).and_then(|g| cx.ix.user_by_guid.get(g).copied()) else {
        return;
    };
    if u.is_no_user() || !remove_user(cx, id, link, u, out) {
        return;
    }
    let policy = cx.config.safety.removal;
    let line = pos.and_then(|i| lines.get_mut(i));
    if let Some(line) = mark_removed(line, id, &mut out.removed_gone) {
        line.trace_with(|| {
            format!(
                "action: {} leaves scope; removal policy {policy:?}",
                u.label()
            )
        });
    }
}

/// The removal of a leaver's user `u` the policy asks for; whether the person counts as
/// removed (a user disabled already is not removed again).
fn remove_user(
    cx: &Context<'_>,
    id: &ObjectId,
    link: &Link,
    u: &IpoUser,
    out: &mut Leavers,
) -> bool {
    match cx.config.safety.removal {
        RemovalPolicy::Keep => {
            out.kept.insert(id.clone());
        }
        RemovalPolicy::Disable => {
            let already = u.profile == Profile::NonLicensed && u.teams_client != Some(true);
            if already {
                return false;
            }
            out.actions.push(disable(id, u));
        }
        RemovalPolicy::Delete => {
            if let Some(g) = &u.guid {
                out.actions.push(make(
                    ActionKind::DeleteUser,
                    Some(id),
                    user_record(u),
                    Vec::new(),
                    IpoChange::DeleteUser {
                        guid: g.clone(),
                        name: u.name.clone(),
                        node: u.node.clone(),
                    },
                    Effect::UserDeleted,
                ));
            }
            out.actions.extend(delete_extension_record(cx, id, link));
        }
    }
    true
}

/// A leaver's user made Non-licensed, with the Teams client off.
fn disable(id: &ObjectId, u: &IpoUser) -> Action {
    let mut d = u.clone();
    d.profile = Profile::NonLicensed;
    if d.teams_client.is_some() {
        d.teams_client = Some(false);
    }
    let changes = vec![
        FieldChange::new(
            "Profile",
            Some(profile_text(u.profile)),
            Some(profile_text(Profile::NonLicensed)),
        ),
        FieldChange::new(
            "MS Teams Client",
            u.teams_client.map(flag_text),
            d.teams_client.map(flag_text),
        ),
    ];
    make(
        ActionKind::DisableUser,
        Some(id),
        user_record(u),
        changes,
        IpoChange::UpdateUser(d),
        Effect::UserDisabled,
    )
}

/// Marks a leaver removed: on their line when they are still in the directory (which is
/// returned), else in `removed_gone`.
fn mark_removed<'l>(
    line: Option<&'l mut Line>,
    id: &ObjectId,
    removed_gone: &mut BTreeSet<ObjectId>,
) -> Option<&'l mut Line> {
    match line {
        Some(line) => {
            line.status = Some(crate::plan::PersonStatus::Remove);
            Some(line)
        }
        None => {
            removed_gone.insert(id.clone());
            None
        }
    }
}

/// The deletion threshold: above it every removal is held (taken out of
/// `actions.removals`), with the Teams leavers and the directory entries of Teams-only
/// people waiting for one.
pub(super) fn hold(
    cx: &Context<'_>,
    links: &Links<'_>,
    actions: &mut Actions,
    teams_leavers: &mut Vec<TeamsLeaving>,
) -> Option<HeldRemovals> {
    let managed = links.managed();
    let threshold = cx.config.safety.removal_threshold(managed);
    // What the sync gives back in Teams counts like an IP Office removal.
    let removal_people: BTreeSet<ObjectId> = (actions.removals.iter())
        .filter(|a| a.kind.is_removal())
        .filter_map(|a| a.person.clone())
        .chain(teams_leavers.iter().map(|l| l.id().clone()))
        .collect();
    if removal_people.len() <= threshold || cx.options.allow_removals {
        return None;
    }
    actions.removals.clear();
    teams_leavers.clear();
    // A Teams-only person's entry waits for the removal of their old IP Office user,
    // which may hold the same extension.
    let held_here = |a: &Action| (a.person.as_ref()).is_some_and(|p| removal_people.contains(p));
    (actions.main).retain(|a| !(a.kind == ActionKind::PutDirectoryEntry && held_here(a)));
    Some(HeldRemovals {
        count: removal_people.len(),
        threshold,
        managed,
        people: removal_people.into_iter().collect(),
    })
}
