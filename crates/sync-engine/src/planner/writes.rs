//! Stage 6 (users): names made unique, then the writes that create users and keep
//! existing ones in line.

use std::borrow::Cow;
use std::collections::BTreeMap;

use ipo_model::{Extension, ExtensionNumber, IpoChange, IpoUser, ObjectId, RawValue, UserType};

use super::context::Context;
use super::desired::{Desired, Want};
use super::fields::fill_optional;
use super::labels::{ext_suffix, flag_text, kind_text, profile_text};
use super::line::Line;
use super::links::Pairing;
use super::names;
use super::output::{Actions, make};
use super::person::Judged;
use super::update;
use crate::config::NodeSelector;
use crate::plan::{Action, ActionKind, Effect, FieldChange, PersonStatus};
use crate::record::{RecordKind, RecordRef};
use crate::state::Link;
use crate::text::Text;

/// Every IP Office user write of the plan: names first (in person order), then each
/// person's create or update. Settles each person's name and extension to what IP Office
/// will hold; returns the links the updates change.
pub(super) fn users<'a>(
    cx: &Context<'a>,
    people: &[Judged<'a>],
    pairing: &Pairing<'_>,
    desired: &mut [Option<Desired<'a>>],
    lines: &mut [Line],
    actions: &mut Actions,
) -> BTreeMap<ObjectId, Option<Link>> {
    names::assign(cx, pairing, desired, lines);
    let mut links = BTreeMap::new();
    let each = people
        .iter()
        .zip(&pairing.link_of)
        .zip(desired.iter_mut().zip(lines));
    for ((p, &link), (d, line)) in each {
        let (Some(d), Some(t)) = (d.as_mut().filter(|_| !line.blocked), p.user_type) else {
            continue;
        };
        let Want::User { existing, adopted } = d.want else {
            continue;
        };
        let user = Person { p, t, d, line };
        match existing {
            None => create(cx, user, &mut actions.main),
            Some(u) => {
                if let Some(l) = update::update(cx, user, u, adopted, link, actions) {
                    links.insert(p.user.id.clone(), Some(l));
                }
            }
        }
    }
    links
}

/// One person whose user is written: who, their type, what they want, their line.
pub(super) struct Person<'p, 'a> {
    pub(super) p: &'p Judged<'a>,
    pub(super) t: UserType,
    pub(super) d: &'p mut Desired<'a>,
    pub(super) line: &'p mut Line,
}

/// The IP Office node a person's new records go to.
fn node_for(p: &Judged<'_>, d: &Desired<'_>) -> Option<String> {
    match d.provisioning.map(|r| &r.node) {
        Some(NodeSelector::Fixed(n)) => Some(n.clone()),
        Some(NodeSelector::FromProperty(prop)) => (p.user.property_str(prop))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty()),
        _ => None,
    }
}

/// Plans an extension record for `number` unless IP Office already has one; says whether
/// it did.
pub(super) fn create_extension_record(
    cx: &Context<'_>,
    p: &Judged<'_>,
    d: &Desired<'_>,
    number: &ExtensionNumber,
    node: Option<String>,
    out: &mut Vec<Action>,
) -> bool {
    if cx.ix.ext_by_number.contains_key(number) {
        return false;
    }
    let kind = (d.provisioning.map(|r| r.extension_kind)).unwrap_or(ipo_model::ExtensionKind::Sip);
    let mut ext = Extension::new(number.clone(), kind);
    ext.node = node;
    out.push(make(
        ActionKind::CreateExtension,
        Some(&p.user.id),
        RecordRef::new(RecordKind::Extension, number),
        vec![FieldChange::new("Type", None, Some(kind_text(kind)))],
        IpoChange::CreateExtension(ext),
        Effect::ExtensionCreated {
            number: number.clone(),
        },
    ));
    true
}

/// The deletion of the extension record `link` says the sync made for person `id`, if any.
pub(super) fn delete_extension_record(
    cx: &Context<'_>,
    id: &ObjectId,
    link: &Link,
) -> Option<Action> {
    let (g, n) = (link.extension.as_ref()?, link.extension_number.as_ref()?);
    Some(make(
        ActionKind::DeleteExtension,
        Some(id),
        RecordRef::new(RecordKind::Extension, n).with_guid(Some(g.clone())),
        Vec::new(),
        IpoChange::DeleteExtension {
            guid: g.clone(),
            number: n.clone(),
            node: cx.extension_node(g),
        },
        Effect::ExtensionDeleted { guid: g.clone() },
    ))
}

/// A new user, named by [`names::assign`], with its extension record.
fn create(cx: &Context<'_>, user: Person<'_, '_>, out: &mut Vec<Action>) {
    let Person { p, t, d, line } = user;
    let Some(name) = d.name.clone() else {
        return;
    };
    let mut new = IpoUser::new(name.clone(), cx.mode);
    let mut changes = vec![FieldChange::new("Name", None, Some(Text::from(&name)))];
    new.extension = d.extension.clone();
    new.node = node_for(p, d);
    if let Some(e) = &new.extension {
        changes.push(FieldChange::new("Extension", None, Some(Text::from(e))));
    }
    let mut filled = Cow::Owned(new);
    fill_optional(cx, p.user, line, &mut filled, None, &mut changes, true);
    let mut new = filled.into_owned();
    template_values(d, t, &mut new, &mut changes);
    line.trace_with(|| format!("action: create user {name}{}", ext_suffix(&new.extension)));
    if let Some(e) = &new.extension {
        create_extension_record(cx, p, d, e, new.node.clone(), out);
    }
    out.push(make(
        ActionKind::CreateUser,
        Some(&p.user.id),
        RecordRef::new(RecordKind::User, &name),
        changes,
        IpoChange::CreateUser(new),
        Effect::UserCreated {
            name_source: d.name_source.clone(),
            user_type: t,
        },
    ));
    line.status = Some(PersonStatus::Create);
}

/// A new user's template fields, profile and Teams client flag.
fn template_values(
    d: &Desired<'_>,
    t: UserType,
    new: &mut IpoUser,
    changes: &mut Vec<FieldChange>,
) {
    if let Some(tpl) = d.template {
        new.exclude_from_directory = tpl.exclude_from_directory.unwrap_or(false);
        for (k, v) in &tpl.fields {
            new.raw.set(k, RawValue::Text(v.clone()));
        }
        new.teams_client = tpl.teams_client;
    }
    if let Some(pr) = d.profile {
        new.profile = pr;
        changes.push(FieldChange::new("Profile", None, Some(profile_text(pr))));
    }
    new.teams_client = update::teams_flag(t, new.teams_client);
    if let Some(f) = new.teams_client {
        changes.push(FieldChange::new(
            "MS Teams Client",
            None,
            Some(flag_text(f)),
        ));
    }
}
