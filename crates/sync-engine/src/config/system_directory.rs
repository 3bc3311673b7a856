//! `[system_directory]`: the system directory entries the sync keeps: for whom, which numbers,
//! and whether contacts and people outside the rules are listed.

use ipo_model::GroupId;
use serde::{Deserialize, Serialize};

/// Teams-only users in the IP Office system directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct SystemDirectorySettings {
    /// Whether the sync maintains directory entries for Teams-only users.
    pub enabled: bool,
    /// The property giving the entry's name.
    pub name_source: String,
    /// Which of a person's numbers become entries, each its own (IP Office's directory is
    /// one name and one number per record). Must hold [`SystemDirectoryNumber::Teams`], the entry
    /// named after the person; the others are named `<name> (business)`, `<name> (mobile)`.
    pub numbers: Vec<SystemDirectoryNumber>,
    /// Whether the organisation's Azure AD contacts (Graph `orgContact`) get entries too
    /// (needs the Graph permission `OrgContact.Read.All`).
    pub contacts: bool,
    /// Whose numbers the directory lists besides the rules' Teams-only people: nobody else
    /// (the default), or everyone in the tenant (Avaya's *Tenant Directory*).
    pub people: SystemDirectoryPeople,
    /// Groups whose members the directory lists too (Avaya's *Group Directory*), without a
    /// rule making them anything: members of nested groups count.
    pub groups: Vec<GroupId>,
}

impl Default for SystemDirectorySettings {
    fn default() -> Self {
        Self {
            enabled: true,
            name_source: "displayName".into(),
            numbers: vec![SystemDirectoryNumber::Teams],
            contacts: false,
            people: SystemDirectoryPeople::Rules,
            groups: Vec::new(),
        }
    }
}

impl SystemDirectorySettings {
    /// Whether the directory lists people no rule holds ([`SystemDirectoryPeople::Tenant`] or
    /// [`SystemDirectorySettings::groups`]).
    pub fn lists_people_outside_rules(&self) -> bool {
        self.enabled && self.asks_for_people_outside_rules()
    }

    /// Whether `people` or `groups` ask for people no rule holds, enabled or not.
    pub(crate) fn asks_for_people_outside_rules(&self) -> bool {
        self.people == SystemDirectoryPeople::Tenant || !self.groups.is_empty()
    }
}

/// Whose numbers the system directory lists besides the rules' Teams-only people. Each such
/// person (an enabled account, not a resource account, without an IP Office user: see
/// [`usertype_rules::directory_listing`]) gets an entry like a contact's, from
/// `businessPhones` and `mobilePhone`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SystemDirectoryPeople {
    /// Only the rules' Teams-only people (and [`SystemDirectorySettings::groups`]' members).
    Rules,
    /// Every user of the tenant: read whole (`GET /users`, pages of 999) on every run.
    Tenant,
}

/// One of a person's numbers a system directory entry can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SystemDirectoryNumber {
    /// The number Teams rings (Teams number and extension): the entry named after the person.
    Teams,
    /// The first of `businessPhones` (Graph holds one), when it is not the Teams number.
    Business,
    /// `mobilePhone`, when it is not the Teams number.
    Mobile,
}

impl SystemDirectoryNumber {
    /// The label an entry's name carries for this number (`None` for the Teams number).
    pub fn label(self) -> Option<&'static str> {
        match self {
            SystemDirectoryNumber::Teams => None,
            SystemDirectoryNumber::Business => Some("business"),
            SystemDirectoryNumber::Mobile => Some("mobile"),
        }
    }
}
