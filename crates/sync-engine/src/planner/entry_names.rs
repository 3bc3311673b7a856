//! Names of system directory entries: unique (case-insensitively), and kept by their owner
//! while still a form of the wanted name, so entries do not churn.

use std::collections::HashSet;

use ipo_model::FullName;

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
