//! Stage 6 (contacts): Azure AD contacts (`orgContact`) in the system directory, when
//! `[sync.system_directory] contacts` is on: an entry per contact for its business number
//! (else its mobile), and one for its mobile too when `numbers` asks for it. The entries are
//! the sync's, like people's: kept in the state and removed when the contact goes (or
//! contacts are off). People no rule holds whom `people = "tenant"` or `groups` list come
//! the same way (see `directory_people`).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use ipo_model::{AzureAdContact, FullName, ObjectId, TeamsNumber, UserType};

use super::context::Context;
use super::entry_names::{labelled_name, settle_name};
use super::entry_writes::{Entry, directory_text, push_remove, put_entry};
use crate::config::SystemDirectoryNumber;
use crate::mapping;
use crate::plan::{Action, StateUpdate};
use crate::state::Link;

/// The contacts' entries (into `out`), their names marked `taken`; the contacts' links
/// that changed without a write (entries deleted by hand, or recovered).
pub(super) fn entries(
    cx: &Context<'_>,
    contacts: &[AzureAdContact],
    taken: &mut HashSet<String>,
    out: &mut Vec<Action>,
) -> Vec<StateUpdate> {
    let settings = &cx.config.system_directory;
    let on = settings.enabled && (settings.contacts || settings.lists_people_outside_rules());
    let mut sorted: Vec<&AzureAdContact> = match on {
        true => contacts.iter().collect(),
        false => Vec::new(),
    };
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    sorted.dedup_by(|a, b| a.id == b.id);
    let (updates, mut kept) = links_now(cx);
    for c in &sorted {
        let link = kept.remove(&c.id);
        match wish(cx, c) {
            Some(wish) => contact_entries(cx, c, wish, link.as_ref(), taken, out),
            // No usable name or number: whatever it had goes.
            None => {
                for old in link.iter().flat_map(Link::directory_entries) {
                    push_remove(out, &c.id, old, true);
                }
            }
        }
    }
    // Contacts gone from Azure AD (or contacts turned off): their entries go.
    for (id, link) in kept {
        for old in link.directory_entries() {
            push_remove(out, id, old, true);
        }
    }
    updates
}

/// One contact's entries: the main one, and the mobile one while wanted.
fn contact_entries(
    cx: &Context<'_>,
    c: &AzureAdContact,
    (base, main, mobile): (FullName, TeamsNumber, Option<TeamsNumber>),
    link: Option<&Link>,
    taken: &mut HashSet<String>,
    out: &mut Vec<Action>,
) {
    let own = link.and_then(|l| l.directory_entry.as_ref());
    let key = base.as_str().to_lowercase();
    let name = settle_name(&base, key, own, taken);
    let text = directory_text(&main);
    let entry = |kind, name, number, number_text| Entry {
        id: &c.id,
        contact: true,
        kind,
        name,
        number,
        number_text,
    };
    put_entry(
        cx,
        entry(SystemDirectoryNumber::Teams, &name, main, &text),
        own,
        out,
    );
    let owned_mobile = link.and_then(|l| l.directory_extra.get(&SystemDirectoryNumber::Mobile));
    match mobile {
        Some(mobile) => {
            if let Some(labelled) = labelled_name(&name, "mobile", owned_mobile, taken) {
                let text = directory_text(&mobile);
                let e = entry(SystemDirectoryNumber::Mobile, &labelled, mobile, &text);
                put_entry(cx, e, owned_mobile, out);
            }
        }
        None => {
            if let Some(old) = owned_mobile {
                push_remove(out, &c.id, old, true);
            }
        }
    }
}

/// The contacts' links as IP Office has their entries now, and the changes to save.
fn links_now<'a>(cx: &Context<'a>) -> (Vec<StateUpdate>, BTreeMap<&'a ObjectId, Link>) {
    // Entries deleted by hand in IP Office are forgotten (and made again while wanted);
    // entries an interrupted run made before it could save them are taken back.
    let present = |n: &FullName| cx.ix.entry_by_name.contains_key(n.as_str());
    let recovering = cx.pending.iter().filter(|(_, p)| p.contact);
    let ids: BTreeSet<&ObjectId> = (cx.contact_links.keys())
        .chain(recovering.map(|(id, _)| id))
        .collect();
    let mut updates = Vec::new();
    let mut kept: BTreeMap<&'a ObjectId, Link> = BTreeMap::new();
    for id in ids {
        let old = cx.contact_links.get(id);
        let mut l = (old.cloned()).unwrap_or_else(|| Link::new(UserType::TeamsOnly));
        l.directory_entry = l.directory_entry.take().filter(|n| present(n));
        l.directory_extra.retain(|_, n| present(n));
        if let Some(p) = cx.pending.get(id).filter(|p| p.contact) {
            if l.directory_entry.is_none() {
                l.directory_entry = p.directory_entry.clone().filter(|n| present(n));
            }
            for (number, n) in &p.directory_extra {
                if !l.directory_extra.contains_key(number) && present(n) {
                    l.directory_extra.insert(*number, n.clone());
                }
            }
        }
        if Some(&l) != old && !(old.is_none() && l.is_empty()) {
            updates.push(StateUpdate {
                person: id.clone(),
                link: (!l.is_empty()).then(|| l.clone()),
            });
        }
        kept.insert(id, l);
    }
    (updates, kept)
}

/// A contact's entry name, its main number (the first business phone, else the mobile)
/// and its mobile as a second entry when `numbers` holds `mobile` and it is another
/// number. `None` when it has no usable name or number.
fn wish(
    cx: &Context<'_>,
    c: &AzureAdContact,
) -> Option<(FullName, TeamsNumber, Option<TeamsNumber>)> {
    let label = c.display_name.as_deref().or(c.mail.as_deref())?;
    let (name, _) = mapping::directory_name(FullName::derive(label)?, "displayName");
    let name = name?;
    let business = (c.business_phones.iter())
        .find_map(|b| TeamsNumber::parse_as(b, ipo_model::NumberFormat::AzurePortal).ok());
    let mobile = (c.mobile_phone.as_deref())
        .and_then(|m| ipo_model::E164Number::parse_lenient(m).ok())
        .map(TeamsNumber::number_only);
    match (business, mobile) {
        (Some(b), Some(m)) => {
            let numbers = &cx.config.system_directory.numbers;
            let wanted =
                numbers.contains(&SystemDirectoryNumber::Mobile) && b.number() != m.number();
            Some((name, b, wanted.then_some(m)))
        }
        (Some(only), None) | (None, Some(only)) => Some((name, only, None)),
        (None, None) => None,
    }
}
