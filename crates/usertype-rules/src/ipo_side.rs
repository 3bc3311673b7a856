//! The IP Office side of a classification, indexed once: users by GUID, extension and
//! e-mail, who occupies each number, hunt group memberships, directory entries.

use std::collections::{BTreeMap, HashMap, HashSet};

use ipo_model::{
    AzureAdUser, ExtensionNumber, ExtensionRange, Guid, IpoSnapshot, IpoUser, LicensingMode,
    ObjectId,
};

use crate::matching::IpoIndex;
use crate::problem::Occupant;
use crate::verdict::PersonRef;

/// Everything about the IP Office side, indexed once.
pub(crate) struct Ipo<'a> {
    pub(crate) mode: LicensingMode,
    pub(crate) reserved: &'a [(String, ExtensionRange)],
    pub(crate) users: Vec<&'a IpoUser>,
    pub(crate) index: IpoIndex<'a>,
    pub(crate) occupants: HashMap<&'a ExtensionNumber, Occupant>,
    pub(crate) hunt_groups_of: HashMap<&'a ExtensionNumber, Vec<String>>,
    pub(crate) in_directory: HashSet<&'a ObjectId>,
}

impl<'a> Ipo<'a> {
    pub(crate) fn new(
        snapshot: &'a IpoSnapshot,
        links: Option<&'a BTreeMap<ObjectId, Guid>>,
        reserved: &'a [(String, ExtensionRange)],
    ) -> Self {
        let users: Vec<&IpoUser> = snapshot.users.iter().filter(|u| !u.is_no_user()).collect();
        let index = IpoIndex::new(&users, links);
        let mut occupants = HashMap::new();
        // Least specific first, so a user or hunt group on the same number wins the report.
        for e in &snapshot.extensions {
            occupants.insert(&e.number, Occupant::ExtensionRecord);
        }
        for h in &snapshot.hunt_groups {
            if let Some(e) = &h.extension {
                occupants.insert(e, Occupant::HuntGroup(h.name.to_string()));
            }
        }
        for u in &users {
            if let Some(e) = &u.extension {
                occupants.insert(e, Occupant::User(u.name.to_string()));
            }
        }
        let mut hunt_groups_of: HashMap<&ExtensionNumber, Vec<String>> = HashMap::new();
        for h in &snapshot.hunt_groups {
            for m in &h.members {
                let groups = hunt_groups_of.entry(m).or_default();
                let name = h.name.to_string();
                if !groups.contains(&name) {
                    groups.push(name);
                }
            }
        }
        let in_directory = snapshot
            .system_directory
            .iter()
            .filter_map(|e| e.source.as_ref())
            .collect();
        Self {
            in_directory,
            reserved,
            mode: snapshot.system.licensing_mode,
            users,
            index,
            occupants,
            hunt_groups_of,
        }
    }

    /// Who else holds extension `e` on IP Office: a user other than `me`, or a hunt group;
    /// with `records`, also an extension record without a user (a new user may take one
    /// over, a Teams-only number may not share it).
    pub(crate) fn holder_other_than(
        &self,
        e: &ExtensionNumber,
        me: Option<&IpoUser>,
        records: bool,
    ) -> Option<&Occupant> {
        self.occupants.get(e).filter(|o| match o {
            Occupant::User(n) => me.is_none_or(|u| u.name.as_str() != n),
            Occupant::ExtensionRecord => records,
            _ => true,
        })
    }

    pub(crate) fn person(&self, i: usize) -> Option<PersonRef> {
        self.users.get(i).map(|u| ipo_person(u))
    }
}

pub(crate) fn ipo_person(u: &IpoUser) -> PersonRef {
    PersonRef {
        azure_ad: None,
        ipo: u.guid.clone(),
        ipo_name: Some(u.name.clone()),
        label: u.name.to_string(),
    }
}

pub(crate) fn directory_person(d: &AzureAdUser, ipo: Option<&IpoUser>) -> PersonRef {
    PersonRef {
        azure_ad: Some(d.id.clone()),
        ipo: ipo.and_then(|u| u.guid.clone()),
        ipo_name: ipo.map(|u| u.name.clone()),
        label: d.label(),
    }
}
