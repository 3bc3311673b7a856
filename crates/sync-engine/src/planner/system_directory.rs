//! Stage 4 (system directory): an entry for each Teams-only person, with a unique name,
//! and one for each other number the configuration lists.

use std::collections::HashSet;

use ipo_model::{AzureAdUser, FullName, TeamsNumber};

use super::context::Context;
use super::desired::{Desired, Want};
use super::entry_names::{labelled_name, settle_name};
use super::entry_writes::{Entry, directory_text, push_remove, put_entry};
use super::line::Line;
use super::links::Pairing;
use super::person::Judged;
use crate::config::SystemDirectoryNumber;
use crate::mapping;
use crate::plan::{Action, PersonStatus};
use crate::reason::Reason;
use crate::state::Link;

/// The entries of the Teams-only people, in person order; the names taken (lower case)
/// once they are placed, for the contacts' entries after them.
pub(super) fn entries(
    cx: &Context<'_>,
    people: &[Judged<'_>],
    pairing: &Pairing<'_>,
    desired: &[Option<Desired<'_>>],
    lines: &mut [Line],
    out: &mut Vec<Action>,
) -> HashSet<String> {
    if !cx.config.system_directory.enabled {
        return HashSet::new();
    }
    // What each Teams-only person's entry would be is theirs alone; only making the names
    // unique needs everyone in order.
    let wishes: Vec<(usize, EntryWish)> = (people.iter().zip(desired).zip(lines.iter_mut()))
        .enumerate()
        .filter_map(|(i, ((p, d), line))| Some((i, entry_wish(cx, p, d.as_ref()?, line)?)))
        .collect();
    // Names kept by their current owners are settled first, so a newcomer with the same
    // display name gets a suffix instead of taking someone's entry.
    let mut taken: HashSet<String> = (cx.snapshot.system_directory.iter())
        .map(|d| d.name.as_str().to_lowercase())
        .collect();
    for (i, wish) in wishes {
        let (Some(p), Some(line)) = (people.get(i), lines.get_mut(i)) else {
            continue;
        };
        let link = pairing.link(i);
        person_entries(cx, p, link, wish, &mut taken, line, out);
    }
    taken
}

/// One Teams-only person's entries: the main one named from `wish`, one per other
/// number, and the removal of those no longer wanted.
fn person_entries(
    cx: &Context<'_>,
    p: &Judged<'_>,
    link: Option<&Link>,
    wish: EntryWish,
    taken: &mut HashSet<String>,
    line: &mut Line,
    out: &mut Vec<Action>,
) {
    let own = link.and_then(|l| l.directory_entry.as_ref());
    let name = settle_name(&wish.name, wish.key, own, taken);
    let extra = extra_numbers(cx, p.user, &wish.number, line);
    let text = wish.number_text;
    let main = entry(p, SystemDirectoryNumber::Teams, &name, wish.number, &text);
    place(cx, main, own, line, out);
    // The person's other numbers, each its own entry named after the first.
    for (kind, n) in &extra {
        let owned = link.and_then(|l| l.directory_extra.get(kind));
        let label = kind.label().unwrap_or("other");
        let Some(labelled) = labelled_name(&name, label, owned, taken) else {
            continue;
        };
        let text = directory_text(n);
        place(
            cx,
            entry(p, *kind, &labelled, n.clone(), &text),
            owned,
            line,
            out,
        );
    }
    // Numbers no longer wanted (gone from Azure AD, or from the configuration).
    let gone = link.into_iter().flat_map(|l| &l.directory_extra);
    for (kind, old) in gone.filter(|(k, _)| !extra.iter().any(|(e, _)| e == *k)) {
        line.trace_with(|| format!("action: remove directory entry {old} ({kind:?})"));
        push_remove(out, &p.user.id, old, false);
        line.status.get_or_insert(PersonStatus::Update);
    }
}

fn entry<'e>(
    p: &'e Judged<'_>,
    kind: SystemDirectoryNumber,
    name: &'e FullName,
    number: TeamsNumber,
    number_text: &'e str,
) -> Entry<'e> {
    Entry {
        id: &p.user.id,
        contact: false,
        kind,
        name,
        number,
        number_text,
    }
}

/// Puts a person's `entry` (after removing `old` when it had another name), unless IP
/// Office already holds it with that number.
fn place(
    cx: &Context<'_>,
    entry: Entry<'_>,
    old: Option<&FullName>,
    line: &mut Line,
    out: &mut Vec<Action>,
) {
    let (name, text) = (entry.name, entry.number_text);
    match put_entry(cx, entry, old, out) {
        None => line.trace_with(|| format!("action: none, directory entry {name} already in sync")),
        Some(created) => {
            line.trace_with(|| format!("action: system directory entry {name} -> {text}"));
            line.status.get_or_insert(if created {
                PersonStatus::Create
            } else {
                PersonStatus::Update
            });
        }
    }
}

/// The person's numbers besides `main` that `[sync.system_directory] numbers` asks for,
/// each once (a business phone that is the Teams number is not repeated), in the
/// configured order. A value that is no number is left out, with a warning.
fn extra_numbers(
    cx: &Context<'_>,
    user: &AzureAdUser,
    main: &TeamsNumber,
    line: &mut Line,
) -> Vec<(SystemDirectoryNumber, TeamsNumber)> {
    let mut found: Vec<(SystemDirectoryNumber, TeamsNumber)> = Vec::new();
    for &kind in &cx.config.system_directory.numbers {
        let (source, raw) = match kind {
            SystemDirectoryNumber::Business => ("businessPhones", user.business_phones.first()),
            SystemDirectoryNumber::Mobile => ("mobilePhone", user.mobile_phone.as_ref()),
            _ => continue,
        };
        let Some(raw) = raw.map(|r| r.trim()).filter(|r| !r.is_empty()) else {
            continue;
        };
        let parsed = match kind {
            SystemDirectoryNumber::Mobile => {
                ipo_model::E164Number::parse_lenient(raw).map(TeamsNumber::number_only)
            }
            _ => TeamsNumber::parse_as(raw, ipo_model::NumberFormat::AzurePortal),
        };
        match parsed {
            Ok(n) => {
                let same =
                    |o: &TeamsNumber| *o == n || (o.number().is_some() && o.number() == n.number());
                if !same(main) && !found.iter().any(|(_, o)| same(o)) {
                    found.push((kind, n));
                }
            }
            Err(e) => line.warn(Reason::InvalidValue {
                field: format!("Directory Number ({})", kind.label().unwrap_or("other")),
                source: source.into(),
                message: e.to_string(),
            }),
        }
    }
    found
}

/// A Teams-only person's wanted directory entry, before its name is made unique.
struct EntryWish {
    /// The name before it is made unique.
    name: FullName,
    /// Its uniqueness key (entries are told apart case-insensitively).
    key: String,
    number: TeamsNumber,
    /// The number as the directory shows it.
    number_text: String,
}

/// The directory entry a Teams-only person should have, before its name is made unique:
/// the name from the configured source, the number Teams rings. None for anyone else (and
/// for a Teams-only person with no name to list, who is blocked).
fn entry_wish(
    cx: &Context<'_>,
    p: &Judged<'_>,
    d: &Desired<'_>,
    line: &mut Line,
) -> Option<EntryWish> {
    if line.blocked || !matches!(d.want, Want::TeamsOnly) {
        return None;
    }
    // The number Teams rings and the extension, as their verdict read them.
    let number = p.number.clone()?;
    let source = &cx.config.system_directory.name_source;
    let base = match mapping::full_name(p.user, source, None) {
        Ok(Some((name, note))) => {
            line.reasons.extend(note);
            Some(name)
        }
        _ => FullName::derive(&p.user.label()),
    }?;
    match mapping::directory_name(base, source) {
        (Some(name), note) => {
            line.reasons.extend(note);
            Some(EntryWish {
                key: name.as_str().to_lowercase(),
                number_text: directory_text(&number),
                name,
                number,
            })
        }
        (None, note) => {
            if let Some(r) = note {
                line.block(r);
            }
            None
        }
    }
}
