//! The writes of system directory entries, for people and contacts alike.

use ipo_model::{FullName, IpoChange, ObjectId, SystemDirectoryEntry, TeamsNumber};

use super::context::Context;
use super::output::make;
use crate::config::SystemDirectoryNumber;
use crate::plan::{Action, ActionKind, Effect, FieldChange};
use crate::record::{RecordKind, RecordRef};
use crate::state::Link;
use crate::text::Text;

/// One entry as it should be: whose, for which of their numbers, its name and number.
pub(super) struct Entry<'e> {
    /// A person or a contact.
    pub(super) id: &'e ObjectId,
    pub(super) contact: bool,
    pub(super) kind: SystemDirectoryNumber,
    pub(super) name: &'e FullName,
    pub(super) number: TeamsNumber,
    /// The number as the directory shows it.
    pub(super) number_text: &'e str,
}

/// Puts `entry`, after removing `old` when it had another name. `None` when IP Office
/// already holds it so, else whether it is new.
pub(super) fn put_entry(
    cx: &Context<'_>,
    entry: Entry<'_>,
    old: Option<&FullName>,
    out: &mut Vec<Action>,
) -> Option<bool> {
    let Entry {
        id,
        contact,
        kind,
        name,
        number,
        number_text,
    } = entry;
    let current = cx.ix.entry_by_name.get(name.as_str()).copied();
    if let Some(old) = old.filter(|o| *o != name) {
        push_remove(out, id, old, contact);
    }
    if current.is_some_and(|c| c.number == number) {
        return None;
    }
    let before = current
        .and_then(|c| c.number.format(ipo_model::NumberFormat::IpoDirectory).ok())
        .map(Text::from);
    out.push(make(
        ActionKind::PutDirectoryEntry,
        Some(id),
        RecordRef::new(RecordKind::SystemDirectoryEntry, name),
        vec![FieldChange::new(
            "Number",
            before,
            Some(Text::from(number_text.to_owned())),
        )],
        IpoChange::PutDirectoryEntry(SystemDirectoryEntry::new(
            name.clone(),
            number,
            Some(id.clone()),
        )),
        Effect::DirectoryPut {
            name: name.clone(),
            number: kind,
            contact,
        },
    ));
    Some(current.is_none())
}

/// The number as IP Office's directory shows it.
pub(super) fn directory_text(n: &TeamsNumber) -> String {
    n.format(ipo_model::NumberFormat::IpoDirectory)
        .unwrap_or_default()
}

/// Removes entry `name` of `id` (a person, or a contact when `contact`).
pub(super) fn push_remove(out: &mut Vec<Action>, id: &ObjectId, name: &FullName, contact: bool) {
    out.push(make(
        ActionKind::RemoveDirectoryEntry,
        Some(id),
        RecordRef::new(RecordKind::SystemDirectoryEntry, name),
        Vec::new(),
        IpoChange::RemoveDirectoryEntry { name: name.clone() },
        Effect::DirectoryRemoved {
            name: name.clone(),
            contact,
        },
    ));
}

/// Removes every entry `link` owns, for `id` (a leaver, or someone who became an IP Office
/// user).
pub(super) fn remove_entries(out: &mut Vec<Action>, id: &ObjectId, link: &Link) {
    for name in link.directory_entries() {
        push_remove(out, id, name, false);
    }
}
