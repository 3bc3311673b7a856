//! System directory entries for Teams-only people, with unique names.

use super::*;

impl<'a> Planner<'a> {
    pub(super) fn directory_entries(
        &self,
        people: &mut [Person<'a>],
        link_of: &[Option<&Link>],
        out: &mut Output,
    ) {
        if !self.config.directory.enabled {
            return;
        }
        // What each Teams-only person's entry would be is theirs alone; only making the names
        // unique needs everyone in order.
        let wishes: Vec<(usize, EntryWish)> = (people.iter_mut().enumerate())
            .filter_map(|(i, p)| Some((i, self.entry_wish(p)?)))
            .collect();
        // Names kept by their current owners are settled first, so a newcomer with the same
        // display name gets a suffix instead of taking someone's entry.
        let mut taken: FastSet<String> = self
            .snapshot
            .directory
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
            // Keep the name already owned, so entries do not churn.
            let own = link.and_then(|l| l.directory_entry.clone());
            let name = match own {
                Some(n) if n == base || n.as_str().starts_with(base.as_str()) => {
                    taken.insert(n.as_str().to_lowercase());
                    n
                }
                Some(n) => {
                    taken.remove(&n.as_str().to_lowercase());
                    unique_entry_name(&base, key, &mut taken)
                }
                None => unique_entry_name(&base, key, &mut taken),
            };
            let current = self.ix.entry_by_name.get(name.as_str()).copied();
            if let Some(old) = link.and_then(|l| l.directory_entry.as_ref())
                && old != &name
            {
                out.push(
                    ActionKind::RemoveDirectoryEntry,
                    Some(&p.user.id),
                    RecordRef::new(RecordKind::DirectoryEntry, old),
                    Vec::new(),
                    IpoChange::RemoveDirectoryEntry { name: old.clone() },
                    Effect::DirectoryRemoved,
                );
            }
            if current.is_some_and(|c| c.number == number) {
                p.trace_with(|| format!("action: none, directory entry {name} already in sync"));
                continue;
            }
            p.trace_with(|| format!("action: system directory entry {name} -> {number_text}"));
            out.push(
                ActionKind::PutDirectoryEntry,
                Some(&p.user.id),
                RecordRef::new(RecordKind::DirectoryEntry, &name),
                vec![FieldChange::new(
                    "Number",
                    current
                        .and_then(|c| c.number.format(ipo_model::NumberFormat::IpoDirectory).ok())
                        .map(Text::from),
                    Some(number_text.into()),
                )],
                IpoChange::PutDirectoryEntry(DirectoryEntry::new(
                    name.clone(),
                    number,
                    Some(p.user.id.clone()),
                )),
                Effect::DirectoryPut { name: name.clone() },
            );
            p.status.get_or_insert(if current.is_some() {
                PersonStatus::Update
            } else {
                PersonStatus::Create
            });
        }
    }

    /// The directory entry a Teams-only person should have, before its name is made
    /// unique: the name from the configured source, the number Teams rings.
    pub(super) fn entry_wish(&self, p: &mut Person<'a>) -> Option<EntryWish> {
        if p.blocked || p.out_of_scope || !matches!(p.want, Some(Want::TeamsOnly)) {
            return None;
        }
        let number = TeamsNumber::new(p.teams_number.clone(), p.extension.clone()).ok()?;
        let source = &self.config.directory.name_source;
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
    taken: &mut FastSet<String>,
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
