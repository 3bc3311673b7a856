//! The IP Office snapshot indexed once for the planner's lookups.

use std::collections::HashMap;

use ipo_model::{
    Extension, ExtensionNumber, Guid, HuntGroup, IpoSnapshot, IpoUser, SystemDirectoryEntry,
};

pub(super) struct Index<'a> {
    pub(super) user_by_guid: HashMap<&'a Guid, &'a IpoUser>,
    /// The (first) user of each extension; extensions with several users are in `shared_ext`.
    pub(super) user_by_ext: HashMap<&'a ExtensionNumber, &'a IpoUser>,
    pub(super) shared_ext: HashMap<&'a ExtensionNumber, Vec<&'a IpoUser>>,
    pub(super) hunt_by_ext: HashMap<&'a ExtensionNumber, &'a HuntGroup>,
    pub(super) hunt_by_name: HashMap<&'a str, &'a HuntGroup>,
    pub(super) ext_by_number: HashMap<&'a ExtensionNumber, &'a Extension>,
    pub(super) ext_by_guid: HashMap<&'a Guid, &'a Extension>,
    pub(super) user_by_name: HashMap<&'a str, &'a IpoUser>,
    /// System directory entries by exact name (a search per Teams-only person was
    /// quadratic in a directory of thousands).
    pub(super) entry_by_name: HashMap<&'a str, &'a SystemDirectoryEntry>,
}

impl<'a> Index<'a> {
    /// `by_name`: index user names (only recovering an interrupted run's creates needs them).
    pub(super) fn new(s: &'a IpoSnapshot, by_name: bool) -> Self {
        let mut ix = Index {
            user_by_guid: (s.users.iter())
                .filter_map(|u| Some((u.guid.as_ref()?, u)))
                .collect(),
            user_by_ext: HashMap::new(),
            shared_ext: HashMap::new(),
            hunt_by_ext: HashMap::new(),
            hunt_by_name: HashMap::new(),
            ext_by_number: HashMap::new(),
            ext_by_guid: HashMap::new(),
            user_by_name: HashMap::new(),
            entry_by_name: HashMap::new(),
        };
        for d in &s.system_directory {
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
