//! What keeps a person from being a consistent user type, each with what fixes it.

use std::fmt;

use ipo_model::{ExtensionNumber, LicensingMode, Profile, UserType};
use serde::{Deserialize, Serialize};

use crate::config::MatchKey;
use crate::verdict::PersonRef;

/// How bad a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Works now but needs attention soon.
    Warning,
    /// Keeps the person from being a consistent user type.
    Error,
}

/// What occupies an extension number on the IP Office side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
#[non_exhaustive]
pub enum Occupant {
    /// An IP Office user (by name).
    User(String),
    /// A hunt group (by name).
    HuntGroup(String),
    /// An extension record with no user.
    ExtensionRecord,
    /// The range a provisioning rule allocates new IP Office extensions from.
    ProvisioningRange {
        /// The rule's name.
        rule: String,
        /// The range, as text (`400-499`).
        range: String,
    },
}

impl fmt::Display for Occupant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Occupant::User(n) => write!(f, "IP Office user {n:?}"),
            Occupant::HuntGroup(n) => write!(f, "hunt group {n:?}"),
            Occupant::ExtensionRecord => f.write_str("an IP Office extension record"),
            Occupant::ProvisioningRange { rule, range } => {
                write!(f, "the range {range} of provisioning rule {rule:?}")
            }
        }
    }
}

fn list(profiles: &[Profile]) -> String {
    if profiles.is_empty() {
        return "none".into();
    }
    profiles
        .iter()
        .map(|p| p.display_name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A reason a person is not (yet) a consistent user type. The `Display` text is a sentence
/// an administrator can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "problem")]
#[non_exhaustive]
pub enum Problem {
    /// No Teams voice licence (no enabled MCOEV plan or accepted SKU); the type needs one.
    NoTeamsVoice {
        /// The type that needs it.
        needed_for: UserType,
    },
    /// The Teams voice plan is in its grace period.
    TeamsVoiceInGrace,
    /// The Teams voice plan is suspended or locked out.
    TeamsVoiceSuspended,
    /// The Azure AD account is disabled.
    AccountDisabled,
    /// A Teams resource account (auto attendant, call queue), not a person.
    ResourceAccount,
    /// Teams has Enterprise Voice switched off for the user.
    EnterpriseVoiceDisabled,
    /// Neither a Teams telephone number nor an extension, and the type needs one.
    NoNumber {
        /// The type that needs it.
        needed_for: UserType,
        /// Where the number was looked for.
        source: String,
    },
    /// The two sides disagree on the extension (or one side has none).
    ExtensionMismatch {
        /// The Azure AD side's extension.
        teams: Option<ExtensionNumber>,
        /// The IP Office user's extension.
        ipo: Option<ExtensionNumber>,
    },
    /// The IP Office profile is not allowed for the type in this licensing mode.
    ProfileNotAllowed {
        /// The type.
        user_type: UserType,
        /// The user's profile.
        profile: Profile,
        /// The system's licensing mode.
        mode: LicensingMode,
        /// What would be allowed.
        allowed: Vec<Profile>,
    },
    /// "Enable MS Teams Client" is off on a user who should have Teams.
    TeamsClientOff {
        /// IP Office user name.
        ipo_user: String,
    },
    /// "Enable MS Teams Client" is on but no Azure AD user stands behind the IP Office user.
    TeamsClientWithoutDirectoryUser {
        /// IP Office user name.
        ipo_user: String,
    },
    /// "Enable MS Teams Client" is on for someone meant to be IP Office only.
    TeamsClientNotWanted {
        /// IP Office user name.
        ipo_user: String,
    },
    /// A Teams-only extension is already used on the IP Office side.
    ExtensionCollision {
        /// The extension.
        extension: ExtensionNumber,
        /// Who has it.
        with: Occupant,
    },
    /// Some input puts a person without an IP Office user record into a hunt group.
    HuntGroupMembershipImpossible {
        /// The hunt group named.
        hunt_group: String,
    },
    /// An Azure AD value that would become an IP Office value breaks IP Office's rules.
    InvalidValue {
        /// What the value is, e.g. `displayName -> Name`.
        field: String,
        /// The value.
        value: String,
        /// The rule broken.
        rule: String,
        /// A valid value derived from it, when one can be.
        derived: Option<String>,
    },
    /// More than one candidate on the other side matched with the same key.
    AmbiguousMatch {
        /// The key that matched.
        key: MatchKey,
        /// The candidates.
        candidates: Vec<PersonRef>,
    },
    /// More than one Azure AD user matched the same IP Office user.
    ContestedIpoUser {
        /// IP Office user name.
        ipo_user: String,
        /// The Azure AD users that matched it.
        claimants: Vec<PersonRef>,
    },
    /// The stored sync link points at an IP Office user that no longer exists.
    StaleLink {
        /// The GUID stored.
        guid: String,
    },
    /// The person is meant to be Teams only but has an IP Office user record.
    UnexpectedIpoRecord {
        /// IP Office user name.
        ipo_user: String,
    },
    /// The person's type needs an IP Office user record and there is none.
    NoIpoRecord {
        /// The type that needs it.
        needed_for: UserType,
    },
    /// The IP Office user has no extension.
    NoIpoExtension {
        /// IP Office user name.
        ipo_user: String,
    },
    /// The same Azure AD object id appears more than once in the input.
    DuplicateDirectoryUser,
    /// Several Azure AD users want the same extension: none of them gets it until the
    /// numbers are made unique.
    DuplicateExtension {
        /// The extension.
        extension: ExtensionNumber,
        /// The other people wanting it.
        others: Vec<PersonRef>,
    },
    /// IP Office did not say whether it is licensed PLDS or by subscription, and the
    /// configuration does not state it: which profile a user may have cannot be decided.
    LicensingModeUnknown,
    /// Sync rules of equal priority hold the person and want different user types.
    ConflictingRules {
        /// The rules, by label.
        rules: Vec<String>,
    },
    /// The IP Office user that matches the person was not created by the sync, and the
    /// configuration does not let the sync take it over.
    UnownedIpoUser {
        /// IP Office user name.
        ipo_user: String,
        /// The key that matched.
        key: MatchKey,
    },
}

impl Problem {
    /// How bad it is.
    pub fn severity(&self) -> Severity {
        match self {
            Problem::TeamsVoiceInGrace
            | Problem::EnterpriseVoiceDisabled
            | Problem::StaleLink { .. }
            | Problem::NoIpoExtension { .. }
            | Problem::HuntGroupMembershipImpossible { .. }
            | Problem::InvalidValue {
                derived: Some(_), ..
            } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// Whether a sync that writes IP Office can fix it (create the user, set the flag,
    /// profile or extension, derive a valid name, remove a user it created for someone who
    /// is now Teams only); otherwise an administrator must act in Azure AD / Teams or in the
    /// input. A sync never touches an IP Office user it does not own: classified for a sync
    /// ([`ClassifyInput::with_adoption`](crate::ClassifyInput::with_adoption)), a match with
    /// such a user also carries [`Problem::UnownedIpoUser`], which blocks.
    pub fn sync_can_fix(&self) -> bool {
        matches!(
            self,
            Problem::NoIpoRecord { .. }
                | Problem::UnexpectedIpoRecord { .. }
                | Problem::TeamsClientOff { .. }
                | Problem::TeamsClientNotWanted { .. }
                | Problem::ProfileNotAllowed { .. }
                | Problem::ExtensionMismatch { teams: Some(_), .. }
                | Problem::InvalidValue {
                    derived: Some(_),
                    ..
                }
                | Problem::StaleLink { .. }
        )
    }

    /// A stable snake_case code, for counting and filtering.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::NoTeamsVoice { .. } => "no_teams_voice",
            Problem::TeamsVoiceInGrace => "teams_voice_in_grace",
            Problem::TeamsVoiceSuspended => "teams_voice_suspended",
            Problem::AccountDisabled => "account_disabled",
            Problem::ResourceAccount => "resource_account",
            Problem::EnterpriseVoiceDisabled => "enterprise_voice_disabled",
            Problem::NoNumber { .. } => "no_number",
            Problem::ExtensionMismatch { .. } => "extension_mismatch",
            Problem::ProfileNotAllowed { .. } => "profile_not_allowed",
            Problem::TeamsClientOff { .. } => "teams_client_off",
            Problem::TeamsClientWithoutDirectoryUser { .. } => {
                "teams_client_without_directory_user"
            }
            Problem::TeamsClientNotWanted { .. } => "teams_client_not_wanted",
            Problem::ExtensionCollision { .. } => "extension_collision",
            Problem::HuntGroupMembershipImpossible { .. } => "hunt_group_membership_impossible",
            Problem::InvalidValue { .. } => "invalid_value",
            Problem::AmbiguousMatch { .. } => "ambiguous_match",
            Problem::StaleLink { .. } => "stale_link",
            Problem::ContestedIpoUser { .. } => "contested_ipo_user",
            Problem::UnexpectedIpoRecord { .. } => "unexpected_ipo_record",
            Problem::NoIpoRecord { .. } => "no_ipo_record",
            Problem::NoIpoExtension { .. } => "no_ipo_extension",
            Problem::DuplicateDirectoryUser => "duplicate_directory_user",
            Problem::DuplicateExtension { .. } => "duplicate_extension",
            Problem::UnownedIpoUser { .. } => "unowned_ipo_user",
            Problem::ConflictingRules { .. } => "conflicting_rules",
            Problem::LicensingModeUnknown => "licensing_mode_unknown",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::NoTeamsVoice { needed_for } => write!(
                f,
                "no Teams voice licence, which a {needed_for} user needs: assign Microsoft 365 \
                 Business Voice (without Calling Plan), Teams Phone Standard or another licence \
                 with the Phone System (MCOEV) plan enabled"
            ),
            Problem::TeamsVoiceInGrace => f.write_str(
                "the Teams voice licence is in its grace period: renew it before Microsoft suspends it",
            ),
            Problem::TeamsVoiceSuspended => f.write_str(
                "the Teams voice licence is suspended or locked out: renew or reassign it in the \
                 Microsoft 365 admin centre",
            ),
            Problem::AccountDisabled => f.write_str(
                "the Azure AD account is disabled: enable it, or take the user out of the synced groups",
            ),
            Problem::ResourceAccount => f.write_str(
                "this is a Teams resource account (auto attendant or call queue), not a person: \
                 exclude it from the user sync",
            ),
            Problem::EnterpriseVoiceDisabled => f.write_str(
                "Enterprise Voice is off in Teams: turn it on (Set-CsPhoneNumberAssignment \
                 -EnterpriseVoiceEnabled $true) so Direct Routing calls reach the user",
            ),
            Problem::NoNumber { needed_for, source } => write!(
                f,
                "no Teams telephone number and no extension in {source}, which a {needed_for} \
                 user needs: assign one (e.g. \"+441632768402 x402\" or \"x402\")"
            ),
            Problem::ExtensionMismatch { teams, ipo } => match (teams, ipo) {
                (Some(t), Some(i)) => write!(
                    f,
                    "extension {t} in Teams but {i} on IP Office: both sides must use the same \
                     extension; change one of them"
                ),
                (None, Some(i)) => write!(
                    f,
                    "no extension on the Teams side but {i} on IP Office: give the Teams number \
                     the extension {i} (e.g. \"x{i}\")"
                ),
                (Some(t), None) => write!(
                    f,
                    "extension {t} in Teams but none on IP Office: set the IP Office user's \
                     extension to {t}"
                ),
                (None, None) => f.write_str(
                    "no extension on either side: give the user the same extension in Teams and on IP Office",
                ),
            },
            Problem::ProfileNotAllowed {
                user_type,
                profile,
                mode,
                allowed,
            } => write!(
                f,
                "IP Office profile {profile} cannot be a {user_type} user on a {mode} system: \
                 change the profile to one of: {}",
                list(allowed)
            ),
            Problem::TeamsClientOff { ipo_user } => write!(
                f,
                "\"Enable MS Teams Client\" is off on IP Office user {ipo_user:?}: turn it on \
                 (user template or user settings)"
            ),
            Problem::TeamsClientWithoutDirectoryUser { ipo_user } => write!(
                f,
                "\"Enable MS Teams Client\" is on for IP Office user {ipo_user:?} but no Azure AD \
                 user matches it: link it to the right Azure AD user or turn the flag off"
            ),
            Problem::TeamsClientNotWanted { ipo_user } => write!(
                f,
                "\"Enable MS Teams Client\" is on for IP Office user {ipo_user:?}, who is meant \
                 to be IP Office only: turn the flag off or change the intended type"
            ),
            Problem::ExtensionCollision { extension, with } => write!(
                f,
                "extension {extension} is already used by {with}, which is not this person: give \
                 the person another extension (Teams-only people need a range IP Office does \
                 not use)"
            ),
            Problem::HuntGroupMembershipImpossible { hunt_group } => write!(
                f,
                "cannot be a member of hunt group {hunt_group:?}: the person has no IP Office \
                 user record (make them Teams + IP Office, or remove the membership)"
            ),
            Problem::InvalidValue {
                field,
                value,
                rule,
                derived,
            } => {
                write!(
                    f,
                    "{field} value {value:?} would be refused by IP Office ({rule}): "
                )?;
                match derived {
                    Some(d) if d.is_empty() => {
                        f.write_str("the sync leaves the field empty; fix the source to fill it")
                    }
                    Some(d) => write!(f, "the sync will use {d:?}; fix the source to choose yourself"),
                    None => f.write_str("fix the value in Azure AD or map another property"),
                }
            }
            Problem::AmbiguousMatch { key, candidates } => {
                write!(f, "matched by {key} with more than one record (")?;
                for (i, c) in candidates.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(&c.label)?;
                }
                f.write_str("): link the right pair explicitly or make the values unique")
            }
            Problem::ContestedIpoUser {
                ipo_user,
                claimants,
            } => {
                write!(f, "IP Office user {ipo_user:?} matches more than one Azure AD user (")?;
                for (i, c) in claimants.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(&c.label)?;
                }
                f.write_str("): link the right pair explicitly or make the values unique")
            }
            Problem::StaleLink { guid } => write!(
                f,
                "the stored sync link points at IP Office user {guid}, which no longer exists: \
                 the link will be dropped"
            ),
            Problem::UnexpectedIpoRecord { ipo_user } => write!(
                f,
                "meant to be Teams only but has IP Office user {ipo_user:?}: remove that user or \
                 make the person Teams + IP Office"
            ),
            Problem::NoIpoRecord { needed_for } => write!(
                f,
                "{needed_for} users need an IP Office user record and this person has none \
                 yet: the sync creates it while the person is in a synced group"
            ),
            Problem::NoIpoExtension { ipo_user } => write!(
                f,
                "IP Office user {ipo_user:?} has no extension: assign one so the user can be \
                 called and put in hunt groups"
            ),
            Problem::DuplicateDirectoryUser => f.write_str(
                "the same Azure AD user appears more than once in the input: read the directory again",
            ),
            Problem::DuplicateExtension { extension, others } => {
                write!(f, "extension {extension} is also wanted by ")?;
                for (i, c) in others.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(&c.label)?;
                }
                f.write_str(": give each person their own extension in Azure AD")
            }
            Problem::LicensingModeUnknown => f.write_str(
                "IP Office's licensing mode is unknown (its answer names none this library can \
                 justify): state it in the IP Office connection settings (licensing_mode = \
                 \"plds\" or \"subscription\") so profiles can be chosen",
            ),
            Problem::ConflictingRules { rules } => write!(
                f,
                "sync rules of equal priority want different user types ({}): give one rule a \
                 higher priority",
                rules.join(", ")
            ),
            Problem::UnownedIpoUser { ipo_user, key } => write!(
                f,
                "IP Office user {ipo_user:?} matches by {key} but was not created by the sync, \
                 which changes and removes only its own users: change it by hand, or allow the \
                 sync to adopt it (safety.adopt) when the person keeps an IP Office user"
            ),
        }
    }
}
