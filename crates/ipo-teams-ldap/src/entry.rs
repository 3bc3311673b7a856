//! One person as the directory serves them: what IP Office reads over LDAP.

use ipo_model::{NumberFormat, SystemDirectoryEntry};
use serde::{Deserialize, Serialize};

use crate::dn::{escape_value, prep_case_ignore};
use crate::error::SetError;

/// One LDAP entry of the served directory: `cn=<name>,<base DN>`, object classes
/// `top`, `person`, `organizationalPerson`, and the attributes below.
///
/// Values are served byte for byte as given (any Unicode, LDAP metacharacters, even NUL):
/// the server never builds filter or DN text from them without escaping.
///
/// ```
/// use ipo_teams_ldap::ServedEntry;
/// let e = ServedEntry::new("Ann Lee", "441632768402-402").with_mobile("447700900123");
/// assert_eq!(e.ip_office_records(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServedEntry {
    /// `cn`: the directory name, unique in the set.
    pub cn: String,
    /// `telephoneNumber`, in IP Office directory notation (`441632768402-402`, `+402`).
    #[serde(rename = "telephoneNumber")]
    pub telephone_number: String,
    /// `mobile`, when the person has one to offer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<String>,
}

impl ServedEntry {
    /// An entry with a name and a number.
    pub fn new(cn: impl Into<String>, telephone_number: impl Into<String>) -> Self {
        Self {
            cn: cn.into(),
            telephone_number: telephone_number.into(),
            mobile: None,
        }
    }

    /// The same entry with a `mobile` number.
    pub fn with_mobile(mut self, mobile: impl Into<String>) -> Self {
        self.mobile = Some(mobile.into());
        self
    }

    /// The entry for a directory entry the sync planned: its name and its number written in
    /// IP Office directory notation (the domain notes'
    /// [number notations](https://github.com/ipo-teams/ipo-teams/blob/main/docs/domain.md#number-notations)).
    ///
    /// ```
    /// use ipo_model::{SystemDirectoryEntry, TeamsNumber};
    /// use ipo_teams_ldap::ServedEntry;
    /// let d = SystemDirectoryEntry::new("Ann Lee".parse()?, "+441632768402 x402".parse()?, None);
    /// let e = ServedEntry::from_directory_entry(&d)?;
    /// assert_eq!(e.telephone_number, "441632768402-402");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_directory_entry(d: &SystemDirectoryEntry) -> Result<Self, SetError> {
        let number = d
            .number
            .format(NumberFormat::IpoDirectory)
            .map_err(|e| SetError::Number {
                cn: d.name.as_str().to_owned(),
                reason: e.to_string(),
            })?;
        Ok(Self::new(d.name.as_str(), number))
    }

    /// How many IP Office directory records this entry becomes: IP Office makes one record
    /// per number attribute.
    pub fn ip_office_records(&self) -> usize {
        1 + usize::from(self.mobile.is_some())
    }
}

/// A served entry with the forms searches compare, computed once per set.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub(crate) entry: ServedEntry,
    /// `cn=<escaped cn>`: the entry's RDN as written in its DN.
    pub(crate) rdn: String,
    pub(crate) cn_prep: String,
    pub(crate) tel_prep: String,
    pub(crate) mobile_prep: Option<String>,
}

impl Prepared {
    pub(crate) fn new(entry: ServedEntry) -> Self {
        Self {
            rdn: format!("cn={}", escape_value(&entry.cn)),
            cn_prep: prep_case_ignore(&entry.cn),
            tel_prep: prep_telephone(&entry.telephone_number),
            mobile_prep: entry.mobile.as_deref().map(prep_telephone),
            entry,
        }
    }
}

/// `telephoneNumberMatch` (RFC 4517 section 4.2.29): case-ignore, with spaces and hyphens
/// insignificant.
pub(crate) fn prep_telephone(s: &str) -> String {
    s.chars()
        .filter(|c| *c != ' ' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}
