//! How classification matches the two sides and reads the Azure AD values.

use std::fmt;

use ipo_model::{
    AssignmentCategory, AzureAdUser, ExtensionNumber, InvalidValue, NumberFormat, TeamsNumber,
};
use serde::{Deserialize, Serialize};

/// A key that pairs an Azure AD user with an IP Office user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MatchKey {
    /// The stored sync link (Azure AD object id -> IP Office GUID) the caller passes in.
    SyncLink,
    /// The Azure AD extension (see [`ExtensionSource`]) equals the IP Office user's extension.
    Extension,
    /// Azure AD `mail` or `userPrincipalName` equals the IP Office user's e-mail or voicemail
    /// e-mail, ignoring case.
    Email,
}

impl MatchKey {
    /// The default precedence: the stored sync link, then e-mail/UPN. An equal extension
    /// alone is a collision, never an identity (two people can be given one number by
    /// mistake); add [`MatchKey::Extension`] only where extensions are known to identify.
    pub const DEFAULT_ORDER: [MatchKey; 2] = [MatchKey::SyncLink, MatchKey::Email];

    /// Every key, in the order they are tried when all are enabled.
    pub const ALL: [MatchKey; 3] = [MatchKey::SyncLink, MatchKey::Extension, MatchKey::Email];
}

impl fmt::Display for MatchKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MatchKey::SyncLink => "stored sync link",
            MatchKey::Extension => "extension number",
            MatchKey::Email => "e-mail address",
        })
    }
}

/// Where the Azure AD side's number and extension come from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "source")]
#[non_exhaustive]
pub enum ExtensionSource {
    /// The Teams telephone number (primary first), else the first `businessPhones` entry
    /// that parses; each read as Azure AD portal notation (`+441632768402 x402`, `x402`),
    /// then as a LineURI (`tel:+441632768402;ext=402`, `402`).
    #[default]
    TeamsNumber,
    /// Only `businessPhones`, read as above.
    BusinessPhones,
    /// A named property ([`AzureAdUser::property`], e.g. `extensionAttribute7`): plain
    /// digits are an extension; anything else is read in `format`, or in any known notation
    /// when `format` is `None`.
    Property {
        /// Graph property name.
        name: String,
        /// The notation the property holds.
        #[serde(default)]
        format: Option<NumberFormat>,
    },
}

fn parse_phone_text(s: &str) -> Result<TeamsNumber, InvalidValue> {
    TeamsNumber::parse_as(s, NumberFormat::AzurePortal)
        .or_else(|e| TeamsNumber::parse_as(s, NumberFormat::LineUri).map_err(|_| e))
}

/// Whether a phone text has an extension part (` x402`, `ext. 402`, `;ext=402`).
fn carries_extension(phone: &str) -> bool {
    let lower = phone.to_ascii_lowercase();
    lower.contains("ext")
        || lower.split_whitespace().any(|w| {
            w.strip_prefix('x')
                .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        })
}

impl ExtensionSource {
    /// The name of the property read, for messages.
    pub fn describe(&self) -> &str {
        match self {
            ExtensionSource::TeamsNumber => "teamsTelephoneNumber/businessPhones",
            ExtensionSource::BusinessPhones => "businessPhones",
            ExtensionSource::Property { name, .. } => name,
        }
    }

    /// Reads the user's Teams number (number and/or extension) from this source.
    /// `Ok(None)` when the source holds nothing; an error when it holds something that is
    /// not a number IP Office could use (the first bad value, when none is good).
    pub fn read(&self, user: &AzureAdUser) -> Result<Option<TeamsNumber>, InvalidValue> {
        match self {
            ExtensionSource::TeamsNumber => {
                let mut nums: Vec<_> = user
                    .teams
                    .iter()
                    .flat_map(|t| t.telephone_numbers.iter())
                    .collect();
                // Primary first; the stable sort keeps Graph's order otherwise.
                nums.sort_by_key(|n| n.category != AssignmentCategory::Primary);
                let mut first_err = None;
                for n in nums {
                    match parse_phone_text(&n.number) {
                        // Teams often lists the bare number while Azure AD's business phone
                        // carries the extension (`+441632768402 x402`): take the extension
                        // from there when the numbers agree.
                        Ok(n) if n.extension().is_none() => {
                            if let Ok(Some(b)) = Self::BusinessPhones.read(user)
                                && b.extension().is_some()
                                && (b.number().is_none() || b.number() == n.number())
                            {
                                return Ok(Some(b));
                            }
                            return Ok(Some(n));
                        }
                        Ok(n) => return Ok(Some(n)),
                        Err(e) => {
                            first_err.get_or_insert(e);
                        }
                    }
                }
                match (Self::BusinessPhones.read(user), first_err) {
                    (Ok(None), Some(e)) => Err(e),
                    (other, _) => other,
                }
            }
            ExtensionSource::BusinessPhones => {
                let mut first_err = None;
                for text in user.business_phones.iter().filter(|s| !s.trim().is_empty()) {
                    match parse_phone_text(text) {
                        Ok(n) => return Ok(Some(n)),
                        // A phone that is no Teams-style number (a home number written
                        // "020 7946 0000") is no business of ours, unless it tried to carry an
                        // extension: then quietly allocating another would hide the mistake.
                        Err(e) if carries_extension(text) => {
                            first_err.get_or_insert(e);
                        }
                        Err(_) => {}
                    }
                }
                first_err.map_or(Ok(None), Err)
            }
            ExtensionSource::Property { name, format } => {
                let Some(value) = user.property_str(name) else {
                    return Ok(None);
                };
                let t = value.trim();
                if t.is_empty() {
                    return Ok(None);
                }
                if t.bytes().all(|b| b.is_ascii_digit()) {
                    return t
                        .parse::<ExtensionNumber>()
                        .map(|e| Some(TeamsNumber::extension_only(e)));
                }
                match format {
                    Some(f) => TeamsNumber::parse_as(t, *f),
                    None => TeamsNumber::parse_any(t),
                }
                .map(Some)
            }
        }
    }
}

/// Classification settings. `Default` gives the documented behaviour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ClassifyConfig {
    /// Keys tried in order to pair the two sides; the first key that finds any candidate
    /// decides (default [`MatchKey::DEFAULT_ORDER`]). Leaving a key out disables it.
    pub match_order: Vec<MatchKey>,
    /// Where the Azure AD number and extension come from.
    pub extension_source: ExtensionSource,
    /// The Azure AD property that becomes the IP Office user `Name` (checked against IP
    /// Office's name rules); `None` skips the check. Default `displayName`.
    pub name_property: Option<String>,
    /// The Azure AD property that becomes the IP Office `FullName` and the system directory
    /// name of Teams-only users; `None` skips the check. Default `displayName`.
    pub full_name_property: Option<String>,
    /// Whether a disabled Azure AD account is out of scope ([`Problem::AccountDisabled`],
    /// which blocks). Default `true`; `false` classifies disabled accounts like any other
    /// (a sync configured to keep them).
    ///
    /// [`Problem::AccountDisabled`]: crate::Problem::AccountDisabled
    pub disabled_accounts_out_of_scope: bool,
}

impl Default for ClassifyConfig {
    fn default() -> Self {
        Self {
            match_order: MatchKey::DEFAULT_ORDER.to_vec(),
            extension_source: ExtensionSource::default(),
            name_property: Some("displayName".into()),
            full_name_property: Some("displayName".into()),
            disabled_accounts_out_of_scope: true,
        }
    }
}
