//! The IP Office snapshot indexed once for the planner's lookups.

use super::*;

pub(super) struct Index<'a> {
    pub(super) user_by_guid: FastMap<&'a Guid, &'a IpoUser>,
    /// The (first) user of each extension; extensions with several users are in `shared_ext`.
    pub(super) user_by_ext: ExtMap<&'a IpoUser>,
    pub(super) shared_ext: ExtMap<Vec<&'a IpoUser>>,
    pub(super) hunt_by_ext: ExtMap<&'a HuntGroup>,
    pub(super) hunt_by_name: FastMap<&'a str, &'a HuntGroup>,
    pub(super) ext_by_number: ExtMap<&'a Extension>,
    pub(super) ext_by_guid: FastMap<&'a Guid, &'a Extension>,
    pub(super) user_by_name: FastMap<&'a str, &'a IpoUser>,
    /// System directory entries by exact name (a search per Teams-only person was
    /// quadratic in a directory of thousands).
    pub(super) entry_by_name: FastMap<&'a str, &'a DirectoryEntry>,
}

impl<'a> Index<'a> {
    /// `by_name`: index user names (only recovering an interrupted run's creates needs them).
    pub(super) fn new(s: &'a IpoSnapshot, by_name: bool) -> Self {
        let mut ix = Self::without_guids(s, by_name);
        ix.user_by_guid = FastMap::with_capacity_and_hasher(s.users.len(), Default::default());
        ix.user_by_guid
            .extend(s.users.iter().filter_map(|u| Some((u.guid.as_ref()?, u))));
        ix
    }

    /// Every index but the users by GUID.
    pub(super) fn without_guids(s: &'a IpoSnapshot, by_name: bool) -> Self {
        let mut ix = Index {
            user_by_guid: FastMap::default(),
            user_by_ext: ExtMap::with_capacity(s.users.len()),
            shared_ext: ExtMap::default(),
            hunt_by_ext: ExtMap::default(),
            hunt_by_name: FastMap::default(),
            ext_by_number: ExtMap::with_capacity(s.extensions.len()),
            ext_by_guid: FastMap::with_capacity_and_hasher(s.extensions.len(), Default::default()),
            user_by_name: FastMap::default(),
            entry_by_name: FastMap::default(),
        };
        for d in &s.directory {
            // The first of a (hand-made) duplicate name is the one that counts.
            ix.entry_by_name.entry(d.name.as_str()).or_insert(d);
        }
        for u in &s.users {
            if let Some(e) = &u.extension {
                if let Some(first) = ix.user_by_ext.get(e).copied() {
                    ix.shared_ext
                        .entry(e)
                        .or_insert_with(|| vec![first])
                        .push(u);
                } else {
                    ix.user_by_ext.insert(e, u);
                }
            }
            if by_name {
                ix.user_by_name.insert(u.name.as_str(), u);
            }
        }
        for h in &s.hunt_groups {
            if let Some(e) = &h.extension {
                ix.hunt_by_ext.insert(e, h);
            }
            ix.hunt_by_name.insert(h.name.as_str(), h);
        }
        for e in &s.extensions {
            ix.ext_by_number.insert(&e.number, e);
            if let Some(g) = &e.guid {
                ix.ext_by_guid.insert(g, e);
            }
        }
        ix
    }
}
