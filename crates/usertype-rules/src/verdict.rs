//! The result of classification: one [`Verdict`] per person.

use std::collections::BTreeMap;
use std::fmt;

use ipo_model::{ExtensionNumber, Guid, ObjectId, Profile, TeamsNumber, UserName, UserType};
use serde::{Deserialize, Serialize};

use crate::config::MatchKey;
use crate::problem::{Problem, Severity};
use crate::voice::TeamsVoiceStatus;

/// Who a verdict is about: the Azure AD user, the IP Office user, or both.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PersonRef {
    /// The Azure AD user, if any.
    #[serde(alias = "directory")]
    pub azure_ad: Option<ObjectId>,
    /// The IP Office user's GUID, if any (and if IP Office gave one).
    pub ipo: Option<Guid>,
    /// The IP Office user's name, if any.
    pub ipo_name: Option<UserName>,
    /// A label for people: the UPN (or display name) when there is an Azure AD user, else
    /// the IP Office name.
    pub label: String,
}

impl fmt::Display for PersonRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

/// The facts a verdict was reached from, so reports and [`conversion_steps`](crate::conversion_steps)
/// need not look at the inputs again.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Facts {
    /// Teams voice state (`None`: no Azure AD user).
    pub teams_voice: Option<TeamsVoiceStatus>,
    /// Whether the Azure AD user is a resource account.
    pub resource_account: bool,
    /// `accountEnabled`.
    pub account_enabled: Option<bool>,
    /// The Azure AD number and/or extension, from the configured source.
    pub teams_number: Option<TeamsNumber>,
    /// The IP Office user's extension.
    pub ipo_extension: Option<ExtensionNumber>,
    /// The IP Office user's profile.
    pub ipo_profile: Option<Profile>,
    /// The IP Office user's "Enable MS Teams Client" flag.
    pub teams_client: Option<bool>,
    /// Hunt groups the IP Office user's extension is a member of, by name.
    pub hunt_groups: Vec<String>,
    /// Whether the IP Office system directory holds an entry made for this Azure AD user.
    pub in_system_directory: bool,
    /// The type the caller intended (e.g. from the group the sync rule mapped the user to).
    pub intended: Option<UserType>,
    /// The IP Office user `Name` the rules derive for the person (`UserName::derive` of the
    /// name property, of the display name when that is empty), for a target type with an IP
    /// Office record;
    /// `None` when nothing usable is left (then an [`Problem::InvalidValue`] says why).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipo_name: Option<UserName>,
}

impl Facts {
    /// The Azure AD side's extension, if any.
    pub fn teams_extension(&self) -> Option<&ExtensionNumber> {
        self.teams_number.as_ref().and_then(TeamsNumber::extension)
    }

    /// Whether an IP Office user record stands behind the person.
    pub fn has_ipo_record(&self) -> bool {
        self.ipo_profile.is_some()
    }
}

/// The outcome for one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Verdict {
    /// Who.
    pub person: PersonRef,
    /// The type the person consistently is; `None` when an error-severity problem stands in
    /// the way, or when the person is no telephony user at all.
    pub user_type: Option<UserType>,
    /// The type the person was checked against: the intended type when given, else the
    /// closest type the facts point to. `None`: not a telephony user (an Azure AD user with
    /// no Teams voice, no IP Office record and no intended type).
    pub target: Option<UserType>,
    /// What stands in the way (errors) or needs attention (warnings).
    pub problems: Vec<Problem>,
    /// How the two sides were paired, if they were.
    pub matched_by: Option<MatchKey>,
    /// The facts behind the verdict.
    pub facts: Facts,
    /// The Teams half (number and policies against what Teams holds), when the person's
    /// rule provisions one (see [`TeamsContext`](crate::TeamsContext)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teams: Option<crate::TeamsSide>,
}

impl Verdict {
    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.problems
            .iter()
            .any(|p| p.severity() == Severity::Error)
    }

    /// Whether something the sync cannot fix stands in the way: an error-severity problem
    /// that is not [`Problem::sync_can_fix`]. A sync skips such a person, with these
    /// problems as the reason.
    pub fn blocks_sync(&self) -> bool {
        self.problems
            .iter()
            .any(|p| p.severity() == Severity::Error && !p.sync_can_fix())
    }

    /// The error-severity problems the sync cannot fix (what [`Verdict::blocks_sync`] is
    /// about).
    pub fn blocking(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity() == Severity::Error && !p.sync_can_fix())
    }

    /// Whether the person is any kind of telephony user (or meant to be one).
    pub fn is_telephony_user(&self) -> bool {
        self.target.is_some() || !self.problems.is_empty()
    }
}

/// Counts over a [`Classification`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Summary {
    /// Verdicts in all.
    pub people: usize,
    /// Consistent people per type.
    pub per_type: BTreeMap<UserType, usize>,
    /// People whose only errors are ones a sync fixes (no IP Office user yet, the Teams
    /// flag or profile to set), per target type: what a sync will do, not a block.
    pub pending_per_target: BTreeMap<UserType, usize>,
    /// People with an error a sync cannot fix ([`Verdict::blocks_sync`]), per target type
    /// (`None` key not used: see `blocked_without_target`).
    pub blocked_per_target: BTreeMap<UserType, usize>,
    /// People with errors and no target type.
    pub blocked_without_target: usize,
    /// Azure AD users that are no telephony user (no voice, no IP Office record, no intent).
    pub not_telephony: usize,
    /// Problems per [`Problem::code`].
    pub problems: BTreeMap<String, usize>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} people:", self.people)?;
        for t in UserType::ALL {
            let ok = self.per_type.get(&t).copied().unwrap_or(0);
            let pending = self.pending_per_target.get(&t).copied().unwrap_or(0);
            let blocked = self.blocked_per_target.get(&t).copied().unwrap_or(0);
            write!(f, " {t}: {ok} ({pending} to fix, {blocked} blocked);")?;
        }
        write!(
            f,
            " blocked without a type: {}; not telephony users: {}",
            self.blocked_without_target, self.not_telephony
        )
    }
}

/// One verdict per person, in a stable order: by Azure AD object id (people with none
/// first), then IP Office name, then GUID.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Classification {
    /// The verdicts.
    pub verdicts: Vec<Verdict>,
}

impl Classification {
    /// Counts per type and per problem.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            people: self.verdicts.len(),
            ..Summary::default()
        };
        for v in &self.verdicts {
            match (v.user_type, v.target) {
                (Some(t), _) => *s.per_type.entry(t).or_default() += 1,
                (None, Some(t)) if v.blocks_sync() => {
                    *s.blocked_per_target.entry(t).or_default() += 1
                }
                (None, Some(t)) => *s.pending_per_target.entry(t).or_default() += 1,
                (None, None) if v.problems.is_empty() => s.not_telephony += 1,
                (None, None) => s.blocked_without_target += 1,
            }
            for p in &v.problems {
                *s.problems.entry(p.code().to_owned()).or_default() += 1;
            }
        }
        s
    }

    /// The verdict about an Azure AD user.
    pub fn for_directory_user(&self, id: &ObjectId) -> Option<&Verdict> {
        self.verdicts
            .binary_search_by(|v| v.person.azure_ad.as_ref().cmp(&Some(id)))
            .ok()
            .and_then(|i| self.verdicts.get(i))
    }

    /// The verdicts of one type.
    pub fn of_type(&self, t: UserType) -> impl Iterator<Item = &Verdict> {
        self.verdicts.iter().filter(move |v| v.user_type == Some(t))
    }
}
