//! Stage 5 (limits): what does not fit the licences or the platform's capacity is held, in
//! person order.

use std::collections::BTreeMap;

use ipo_model::{IpoChange, IpoUser, Profile, UserType};
use usertype_rules::{LicensePolicy, LicensePool, ProfileChange, Shortfall, ShortfallReason};

use super::context::Context;
use super::desired::{Desired, Want};
use super::line::Line;
use super::person::Judged;
use crate::plan::{Action, ActionKind, LicenseNeed};
use crate::reason::Reason;

/// Licences are usertype-rules' [`LicensePool`] forecast of every profile change the plan
/// makes, the ones its `removals` (planned already) free counted first; the forecast lines
/// are the plan's licence forecast. Then the platform's capacity.
pub(super) fn licences(
    cx: &Context<'_>,
    people: &[Judged<'_>],
    desired: &[Option<Desired<'_>>],
    lines: &mut [Line],
    removals: &[Action],
) -> Vec<LicenseNeed> {
    let pool = LicensePool::from_snapshot_with(cx.snapshot, &cx.config.licensing);
    let mut changes = released_by_removals(cx, removals);
    let first = changes.len();
    let mut who = Vec::new();
    for (i, ((p, d), line)) in people.iter().zip(desired).zip(lines.iter()).enumerate() {
        let Some(d) = d.as_ref().filter(|_| !line.blocked) else {
            continue;
        };
        let Want::User { existing, .. } = d.want else {
            continue;
        };
        if let Some(want) = profile_needed(cx, p.user_type, d, existing) {
            changes.push(ProfileChange::new(existing.map(|u| u.profile), Some(want)));
            who.push(i);
        }
    }
    let forecast = pool.forecast_changes(&changes);
    let mut dropped: BTreeMap<Profile, u32> = BTreeMap::new();
    for &r in &forecast.rejected {
        let (Some(change), Some(line)) = (
            changes.get(r),
            (r.checked_sub(first))
                .and_then(|k| who.get(k))
                .and_then(|&i| lines.get_mut(i)),
        ) else {
            continue;
        };
        let Some(profile) = change.to else { continue };
        *dropped.entry(profile).or_default() += 1;
        let shortfall = (forecast.lines.iter().find(|l| l.profile == profile))
            .and_then(|l| l.shortfall.as_ref());
        line.block(shortfall_reason(shortfall, profile));
    }
    capacity(cx, desired, lines);
    (forecast.lines.iter())
        .filter_map(|l| {
            Some(LicenseNeed {
                profile: l.profile,
                needed: l.needed,
                free: l.free?,
                dropped: dropped.get(&l.profile).copied().unwrap_or(0),
            })
        })
        .collect()
}

/// The licences the plan's removals give back: a deleted user's profile, a disabled
/// one's for Non-licensed. (Held removals were taken out already: they free nothing.)
fn released_by_removals(cx: &Context<'_>, removals: &[Action]) -> Vec<ProfileChange> {
    (removals.iter())
        .filter_map(|a| {
            let (guid, to) = match (&a.write.as_ref()?.change, a.kind) {
                (IpoChange::DeleteUser { guid, .. }, _) => (guid, None),
                (IpoChange::UpdateUser(u), ActionKind::DisableUser) => {
                    (u.guid.as_ref()?, Some(u.profile))
                }
                _ => return None,
            };
            let before = cx.ix.user_by_guid.get(guid)?;
            Some(ProfileChange::new(Some(before.profile), to))
        })
        .collect()
}

/// The platform's user capacity: creates beyond it are held, in person order.
fn capacity(cx: &Context<'_>, desired: &[Option<Desired<'_>>], lines: &mut [Line]) {
    let Some(max) = cx.snapshot.system.platform.max_users() else {
        return;
    };
    let mut count = cx.snapshot.users.len();
    for (d, line) in desired.iter().zip(lines) {
        if !line.blocked && d.as_ref().is_some_and(Desired::creates) {
            if count >= max {
                line.block(Reason::Capacity { max });
            } else {
                count += 1;
            }
        }
    }
}

/// The profile the person's user must be given, when it changes (None = keep).
pub(super) fn profile_needed(
    cx: &Context<'_>,
    user_type: Option<UserType>,
    d: &Desired<'_>,
    existing: Option<&IpoUser>,
) -> Option<Profile> {
    let want = d.profile?;
    let Some(u) = existing else {
        return Some(want);
    };
    // A profile this library does not know was IP Office's choice: kept.
    let ok = matches!(u.profile, Profile::Unknown(_))
        || user_type
            .is_none_or(|t| (cx.config.licensing).profile_allowed_for(t, u.profile, cx.mode));
    (!ok || (d.link_disabled && u.profile == Profile::NonLicensed)).then_some(want)
}

/// Why a profile change does not fit, in the plan's words.
fn shortfall_reason(shortfall: Option<&Shortfall>, profile: Profile) -> Reason {
    match shortfall {
        Some(Shortfall {
            reason: ShortfallReason::ProfileNotInMode(mode),
            ..
        }) => Reason::ProfileNotInMode {
            profile,
            mode: *mode,
        },
        Some(s) => Reason::LicenseShortfall {
            profile,
            needed: s.needed,
            free: s.free,
        },
        None => Reason::LicenseShortfall {
            profile,
            needed: 0,
            free: 0,
        },
    }
}
