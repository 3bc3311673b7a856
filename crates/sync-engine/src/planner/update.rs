//! Stage 6 (diff): an existing user brought in line, field by field, only what changed.

use std::borrow::Cow;

use ipo_model::{IpoChange, IpoUser, UserType};

use super::context::Context;
use super::desired::Desired;
use super::fields::fill_optional;
use super::labels::{flag_text, profile_text, user_record};
use super::limits::profile_needed;
use super::names::renames;
use super::output::{Actions, make};
use super::writes::{Person, create_extension_record, delete_extension_record};
use crate::config::ApplyMode;
use crate::plan::{ActionKind, Effect, FieldChange, PersonStatus};
use crate::state::Link;
use crate::text::Text;

/// The update of `actual`, the person's user, when anything differs; settles the person's
/// name and extension to the user's. Returns the person's link when it changes (taken over
/// when adopted, else kept in line with the type and the name source).
pub(super) fn update<'a>(
    cx: &Context<'a>,
    person: Person<'_, 'a>,
    actual: &'a IpoUser,
    adopted: bool,
    link: Option<&Link>,
    actions: &mut Actions,
) -> Option<Link> {
    let Person { p, t, d, line } = person;
    // Copied only when something changes: most linked users are in sync.
    let mut user: Cow<'a, IpoUser> = Cow::Borrowed(actual);
    let mut changes = Vec::new();
    let link_source = link.and_then(|l| l.name_source.as_deref());
    let new_source = rename(cx, d, adopted, link, &mut user, &mut changes);
    let name_source = match &new_source {
        Some(s) => s.as_deref(),
        None => link_source,
    };
    let ext_changed = (cx.config.fields.extension.as_ref())
        .is_some_and(|m| m.apply == ApplyMode::Always)
        && d.extension.is_some()
        && d.extension != actual.extension;
    if ext_changed {
        changes.push(FieldChange::new(
            "Extension",
            actual.extension.as_ref().map(Text::from),
            d.extension.as_ref().map(Text::from),
        ));
        user.to_mut().extension = d.extension.clone();
    } else {
        d.extension = actual.extension.clone();
    }
    fill_optional(
        cx,
        p.user,
        line,
        &mut user,
        Some(actual),
        &mut changes,
        false,
    );
    fixed_fields(cx, t, d, actual, &mut user, &mut changes);
    d.name = Some(user.name.clone());
    let new_link = updated_link(t, actual, adopted, link, name_source);
    if adopted {
        line.trace_with(|| {
            format!(
                "action: take over {} (adoption allowed by the configuration)",
                actual.label()
            )
        });
    }
    if changes.is_empty() {
        line.trace_with(|| "action: none, already in sync".into());
        return new_link;
    }
    line.trace_with(|| {
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_ref()).collect();
        format!("action: update {}: {}", actual.label(), fields.join(", "))
    });
    if ext_changed {
        renumber_records(cx, p, d, &user, actual, link, actions);
    }
    let name_source = new_source.unwrap_or_else(|| link_source.map(Text::copied));
    actions.main.push(make(
        ActionKind::UpdateUser,
        Some(&p.user.id),
        user_record(actual),
        changes,
        IpoChange::UpdateUser(user.into_owned()),
        Effect::UserUpdated {
            name_source,
            user_type: t,
            enabled: true,
        },
    ));
    line.status = Some(PersonStatus::Update);
    new_link
}

/// The profile (when the type's policy wants another) and the Teams client flag.
fn fixed_fields(
    cx: &Context<'_>,
    t: UserType,
    d: &Desired<'_>,
    actual: &IpoUser,
    user: &mut Cow<'_, IpoUser>,
    changes: &mut Vec<FieldChange>,
) {
    if let Some(want) = profile_needed(cx, Some(t), d, Some(actual)) {
        changes.push(FieldChange::new(
            "Profile",
            Some(profile_text(actual.profile)),
            Some(profile_text(want)),
        ));
        user.to_mut().profile = want;
    }
    let want_flag = teams_flag(t, actual.teams_client);
    if want_flag != actual.teams_client {
        changes.push(FieldChange::new(
            "MS Teams Client",
            actual.teams_client.map(flag_text),
            want_flag.map(flag_text),
        ));
        user.to_mut().teams_client = want_flag;
    }
}

/// Renames the user only when the mapped source value itself changed (renames move
/// voicemail). The source value to keep after this run: the person's when adopted or
/// renamed (`Some`), else (`None`) the stored link's.
fn rename(
    cx: &Context<'_>,
    d: &Desired<'_>,
    adopted: bool,
    link: Option<&Link>,
    user: &mut Cow<'_, IpoUser>,
    changes: &mut Vec<FieldChange>,
) -> Option<Option<Text>> {
    let mut new_source = adopted.then(|| d.name_source.clone());
    if renames(cx, d, adopted, link)
        && let Some(new) = d.name.clone()
    {
        if new != user.name {
            changes.push(FieldChange::new(
                "Name",
                Some(Text::from(&user.name)),
                Some(Text::from(&new)),
            ));
            user.to_mut().name = new;
        }
        new_source = Some(d.name_source.clone());
    }
    new_source
}

/// The person's link after the update, when it changes: taken over when adopted, else
/// kept in line with the type and the name source.
fn updated_link(
    t: UserType,
    actual: &IpoUser,
    adopted: bool,
    link: Option<&Link>,
    name_source: Option<&str>,
) -> Option<Link> {
    if adopted {
        let mut l = link.cloned().unwrap_or_else(|| Link::new(t));
        l.user = actual.guid.clone();
        l.name = Some(actual.name.clone());
        l.name_source = name_source.map(str::to_owned);
        l.user_type = t;
        Some(l)
    } else if link.is_some_and(|l| l.user_type != t || l.name_source.as_deref() != name_source) {
        let mut l = link.cloned().unwrap_or_else(|| Link::new(t));
        l.user_type = t;
        l.name_source = name_source.map(str::to_owned);
        Some(l)
    } else {
        None
    }
}

/// The extension record of a user moved to a new number, and the deletion (after the
/// move) of the one the sync made for the old number.
fn renumber_records(
    cx: &Context<'_>,
    p: &super::person::Judged<'_>,
    d: &Desired<'_>,
    user: &IpoUser,
    actual: &IpoUser,
    link: Option<&Link>,
    actions: &mut Actions,
) {
    if let Some(e) = &user.extension
        && create_extension_record(cx, p, d, e, actual.node.clone(), &mut actions.main)
        && let Some(l) = link
    {
        actions
            .later
            .extend(delete_extension_record(cx, &p.user.id, l));
    }
}

/// The "Enable MS Teams Client" flag a user of type `t` must have: on for Teams + IP Office,
/// off where it was on, else as it is.
pub(super) fn teams_flag(t: UserType, now: Option<bool>) -> Option<bool> {
    match t {
        UserType::TeamsAndIpOffice => Some(true),
        _ if now == Some(true) => Some(false),
        _ => now,
    }
}
