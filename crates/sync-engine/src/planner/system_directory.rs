//! System directory entries for Teams-only people, with unique names.

use super::*;
use crate::config::SystemDirectoryNumber;

impl<'a> Planner<'a> {
    pub(super) fn directory_entries(
        &self,
        people: &mut [Person<'a>],
        link_of: &[Option<&Link>],
        out: &mut Output,
    ) -> HashSet<String> {
        if !self.config.system_directory.enabled {
            return HashSet::new();
        }
        // What each Teams-only person's entry would be is theirs alone; only making the names
        // unique needs everyone in order.
        let wishes: Vec<(usize, EntryWish)> = (people.iter_mut().enumerate())
            .filter_map(|(i, p)| Some((i, self.entry_wish(p)?)))
            .collect();
        // Names kept by their current owners are settled first, so a newcomer with the same
        // display name gets a suffix instead of taking someone's entry.
        let mut taken: HashSet<String> = self
            .snapshot
            .system_directory
            .iter()
            .map(|d| d.name.as_str().to_lowercase())
            .collect();
        for (i, wish) in wishes {
            let (p, link) = (&mut people[i], link_of[i]);
            let EntryWish {
                name: base,
                key,
                number,
                number_text,
            } = wish;
            let own = link.and_then(|l| l.directory_entry.as_ref());
            let name = settle_name(&base, key, own, &mut taken);
            let extra = self.extra_numbers(p, &number);
            let old = link.and_then(|l| l.directory_entry.as_ref());
            self.place(
                p,
                old,
                SystemDirectoryNumber::Teams,
                &name,
                number,
                number_text,
                out,
            );
            // The person's other numbers, each its own entry named after the first.
            for (kind, n) in &extra {
                let owned = link.and_then(|l| l.directory_extra.get(kind));
                let label = kind.label().unwrap_or("other");
                let Some(labelled) = labelled_name(&name, label, owned, &mut taken) else {
                    continue;
                };
                let text = n
                    .format(ipo_model::NumberFormat::IpoDirectory)
                    .unwrap_or_default();
                self.place(p, owned, *kind, &labelled, n.clone(), text, out);
            }
            // Numbers no longer wanted (gone from Azure AD, or from the configuration).
            let gone = link.into_iter().flat_map(|l| &l.directory_extra);
            for (kind, old) in gone.filter(|(k, _)| !extra.iter().any(|(e, _)| e == *k)) {
                p.trace_with(|| format!("action: remove directory entry {old} ({kind:?})"));
                push_remove(out, &p.user.id, old, false);
                p.status.get_or_insert(PersonStatus::Update);
            }
        }
        taken
    }

    /// Puts entry `name` for the person's `number` (after removing `old` when it had another
    /// name), unless IP Office already holds it with that number.
    #[allow(clippy::too_many_arguments)] // one entry's whole description
    fn place(
        &self,
        p: &mut Person<'a>,
        old: Option<&FullName>,
        kind: SystemDirectoryNumber,
        name: &FullName,
        number: TeamsNumber,
        number_text: String,
        out: &mut Output,
    ) {
        let id = &p.user.id;
        match self.put_entry(id, old, kind, name, number, &number_text, false, out) {
            None => {
                p.trace_with(|| format!("action: none, directory entry {name} already in sync"))
            }
            Some(created) => {
                p.trace_with(|| format!("action: system directory entry {name} -> {number_text}"));
                p.status.get_or_insert(if created {
                    PersonStatus::Create
                } else {
                    PersonStatus::Update
                });
            }
        }
    }

    /// Puts entry `name` with `number` for `id` (a person or a contact), after removing
    /// `old` when it had another name. `None` when IP Office already holds it so, else
    /// whether it is new.
    #[allow(clippy::too_many_arguments)] // one entry's whole description
    pub(super) fn put_entry(
        &self,
        id: &ObjectId,
        old: Option<&FullName>,
        kind: SystemDirectoryNumber,
        name: &FullName,
        number: TeamsNumber,
        number_text: &str,
        contact: bool,
        out: &mut Output,
    ) -> Option<bool> {
        let current = self.ix.entry_by_name.get(name.as_str()).copied();
        if let Some(old) = old.filter(|o| *o != name) {
            push_remove(out, id, old, contact);
        }
        if current.is_some_and(|c| c.number == number) {
            return None;
        }
        out.push(
            ActionKind::PutDirectoryEntry,
            Some(id),
            RecordRef::new(RecordKind::SystemDirectoryEntry, name),
            vec![FieldChange::new(
                "Number",
                current
                    .and_then(|c| c.number.format(ipo_model::NumberFormat::IpoDirectory).ok())
                    .map(Text::from),
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
        );
        Some(current.is_none())
    }

    /// The person's numbers besides `main` that `[sync.system_directory] numbers` asks for, each
    /// once (a business phone that is the Teams number is not repeated), in the configured
    /// order. A value that is no number is left out, with a warning.
    fn extra_numbers(
        &self,
        p: &mut Person<'a>,
        main: &TeamsNumber,
    ) -> Vec<(SystemDirectoryNumber, TeamsNumber)> {
        let user = p.user;
        let mut found: Vec<(SystemDirectoryNumber, TeamsNumber)> = Vec::new();
        for &kind in &self.config.system_directory.numbers {
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
                    let same = |o: &TeamsNumber| {
                        *o == n || (o.number().is_some() && o.number() == n.number())
                    };
                    if !same(main) && !found.iter().any(|(_, o)| same(o)) {
                        found.push((kind, n));
                    }
                }
                Err(e) => p.reasons.push(Reason::InvalidValue {
                    field: format!("Directory Number ({})", kind.label().unwrap_or("other")),
                    source: source.into(),
                    message: e.to_string(),
                }),
            }
        }
        found
    }

    /// The directory entry a Teams-only person should have, before its name is made
    /// unique: the name from the configured source, the number Teams rings.
    pub(super) fn entry_wish(&self, p: &mut Person<'a>) -> Option<EntryWish> {
        if p.blocked || p.out_of_scope || !matches!(p.want, Some(Want::TeamsOnly)) {
            return None;
        }
        let number = TeamsNumber::new(p.teams_number.clone(), p.extension.clone()).ok()?;
        let source = &self.config.system_directory.name_source;
        let base = match mapping::full_name(p.user, source, None) {
            Ok(Some((name, note))) => {
                p.reasons.extend(note);
                Some(name)
            }
            _ => FullName::derive(&p.user.label()),
        }?;
        match mapping::directory_name(base, source) {
            (Some(name), note) => {
                p.reasons.extend(note);
                Some(EntryWish {
                    key: name.as_str().to_lowercase(),
                    number_text: number
                        .format(ipo_model::NumberFormat::IpoDirectory)
                        .unwrap_or_default(),
                    name,
                    number,
                })
            }
            (None, note) => {
                if let Some(r) = note {
                    p.block(r);
                }
                None
            }
        }
    }
}

/// A Teams-only person's wanted directory entry, before its name is made unique.
pub(super) struct EntryWish {
    /// The name before it is made unique.
    pub(super) name: FullName,
    /// Its uniqueness key (entries are told apart case-insensitively).
    pub(super) key: String,
    pub(super) number: TeamsNumber,
    /// The number as the directory shows it.
    pub(super) number_text: String,
}

/// `base` when its key is free, else `base 2`, `base 3`...; the name given is marked taken.
pub(super) fn unique_entry_name(
    base: &FullName,
    key: String,
    taken: &mut HashSet<String>,
) -> FullName {
    if taken.insert(key) {
        return base.clone();
    }
    for n in 2u32.. {
        let suffix = format!(" {n}");
        let room = ipo_model::MAX_FULL_NAME_LEN.saturating_sub(suffix.len());
        let stem: String = base.as_str().chars().take(room).collect();
        if let Ok(candidate) = format!("{}{suffix}", stem.trim_end()).parse::<FullName>()
            && taken.insert(candidate.as_str().to_lowercase())
        {
            return candidate;
        }
    }
    base.clone()
}

/// The name of a person's entry for another number: `<name> (<label>)`, the name cut to fit
/// IP Office's 31 characters; `<name> (<label> 2)`... when taken. The one already `owned` is
/// kept while it is still a form of that name, so entries do not churn.
pub(super) fn labelled_name(
    main: &FullName,
    label: &str,
    owned: Option<&FullName>,
    taken: &mut HashSet<String>,
) -> Option<FullName> {
    let with = |tag: &str| -> Option<(String, FullName)> {
        let suffix = format!(" ({tag})");
        let room = ipo_model::MAX_FULL_NAME_LEN.saturating_sub(suffix.chars().count());
        let stem: String = main.as_str().chars().take(room).collect();
        let stem = stem.trim_end().to_owned();
        let name = format!("{stem}{suffix}").parse::<FullName>().ok()?;
        Some((stem, name))
    };
    let (stem, first) = with(label)?;
    if let Some(o) = owned {
        let numbered = o
            .as_str()
            .strip_prefix(&format!("{stem} ({label} "))
            .and_then(|rest| rest.strip_suffix(')'))
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()));
        if *o == first || numbered {
            taken.insert(o.as_str().to_lowercase());
            return Some(o.clone());
        }
        taken.remove(&o.as_str().to_lowercase());
    }
    if taken.insert(first.as_str().to_lowercase()) {
        return Some(first);
    }
    (2u32..10_000).find_map(|n| {
        let (_, candidate) = with(&format!("{label} {n}"))?;
        taken
            .insert(candidate.as_str().to_lowercase())
            .then_some(candidate)
    })
}

/// The main entry's name: the one already `own`ed while it is still a form of `base` (so
/// entries do not churn), else `base` made unique.
pub(super) fn settle_name(
    base: &FullName,
    key: String,
    own: Option<&FullName>,
    taken: &mut HashSet<String>,
) -> FullName {
    match own {
        Some(n) if n == base || n.as_str().starts_with(base.as_str()) => {
            taken.insert(n.as_str().to_lowercase());
            n.clone()
        }
        Some(n) => {
            taken.remove(&n.as_str().to_lowercase());
            unique_entry_name(base, key, taken)
        }
        None => unique_entry_name(base, key, taken),
    }
}

/// Removes entry `name` of `id` (a person, or a contact when `contact`).
pub(super) fn push_remove(out: &mut Output, id: &ObjectId, name: &FullName, contact: bool) {
    out.push(
        ActionKind::RemoveDirectoryEntry,
        Some(id),
        RecordRef::new(RecordKind::SystemDirectoryEntry, name),
        Vec::new(),
        IpoChange::RemoveDirectoryEntry { name: name.clone() },
        Effect::DirectoryRemoved {
            name: name.clone(),
            contact,
        },
    );
}

/// Removes every entry `link` owns, for `id` (a leaver, or someone who became an IP Office
/// user).
pub(super) fn remove_entries(out: &mut Output, id: &ObjectId, link: &Link) {
    for name in link.directory_entries() {
        push_remove(out, id, name, false);
    }
}
