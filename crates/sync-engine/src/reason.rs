//! Why a person is skipped, in conflict, or warned about: typed, with what a person needs
//! to fix it.

use ipo_model::{ExtensionNumber, ObjectId, Profile, UserName, UserType};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// In no rule's group (or left them).
    OutOfScope,
    /// The Azure AD account is disabled.
    AccountDisabled,
    /// A Teams resource account (auto attendant, call queue), not a person.
    ResourceAccount,
    /// No licence with Teams voice (Phone System / MCOEV).
    NoTeamsVoice {
        /// The type the rules wanted.
        wanted: UserType,
    },
    /// Teams voice licence suspended, locked out or deleted.
    TeamsVoiceSuspended,
    /// Teams voice licence in its grace period (works for now).
    TeamsVoiceGrace,
    /// Groups of equal priority want different types.
    RuleConflict {
        /// The rules, by label.
        rules: Vec<String>,
    },
    /// Needs an extension and none could be found or allocated.
    NoExtension,
    /// A Teams-only person needs a Teams number or an extension.
    NoNumber,
    /// A new MS Teams + IP Office user needs the extension Teams already has (both sides
    /// ring the same extension), and Azure AD has none: nothing is allocated.
    NoTeamsExtension,
    /// A value from Azure AD that IP Office would refuse.
    InvalidValue {
        /// The IP Office field.
        field: String,
        /// The Azure AD property it came from.
        source: String,
        /// What is wrong.
        message: String,
    },
    /// Another person wants the same extension.
    DuplicateExtension {
        /// The extension.
        extension: ExtensionNumber,
        /// The others.
        others: Vec<ObjectId>,
    },
    /// The extension belongs to an IP Office user or hunt group the sync does not own.
    ExtensionTaken {
        /// The extension.
        extension: ExtensionNumber,
        /// Who has it.
        by: String,
    },
    /// A Teams-only extension that lies in an IP Office provisioning range or clashes with
    /// an IP Office extension: calls would go to the wrong side.
    TeamsExtensionClash {
        /// The extension.
        extension: ExtensionNumber,
        /// With what.
        with: String,
    },
    /// A Teams-only person cannot be in a hunt group: they have no IP Office user record.
    HuntGroupNotAllowed {
        /// The hunt groups asked for.
        groups: Vec<String>,
    },
    /// A hunt group named by the source does not exist.
    UnknownHuntGroup {
        /// The name.
        name: String,
    },
    /// Not enough free licences for the profile.
    LicenseShortfall {
        /// Profile.
        profile: Profile,
        /// Needed by the plan.
        needed: u32,
        /// Free.
        free: u32,
    },
    /// The profile the person needs does not exist in the system's licensing mode.
    ProfileNotInMode {
        /// Profile.
        profile: Profile,
        /// The system's licensing mode.
        mode: ipo_model::LicensingMode,
    },
    /// The platform's user capacity is reached.
    Capacity {
        /// The limit.
        max: usize,
    },
    /// The removal is held by the deletion threshold.
    RemovalHeld,
    /// The person's new directory entries are held: with them the system directory would
    /// hold more records than IP Office's limit.
    DirectoryFull {
        /// The records the directory would hold with every wanted entry.
        records: usize,
        /// IP Office's limit.
        limit: usize,
    },
    /// Out of scope, but the removal policy keeps the user.
    KeptByPolicy,
    /// The name was derived from free text and changed to fit IP Office's rules.
    NameDerived {
        /// The source text.
        from: String,
        /// The name used.
        name: UserName,
    },
    /// A value from Azure AD was written only after cleaning (characters IP Office refuses
    /// removed, cut to the field's length, or a leading formula character removed).
    ValueCleaned {
        /// The IP Office field.
        field: String,
        /// The Azure AD property it came from.
        source: String,
        /// The value as Azure AD has it.
        original: String,
        /// The value written.
        result: String,
        /// What the cleaning did.
        cleaning: Cleaning,
    },
    /// A linked IP Office user vanished (deleted by hand): the link is dropped.
    LinkedUserGone,
    /// A problem of the person's classification that the plan has no word of its own for
    /// (e.g. an IP Office user matched by two people, or one the sync does not own).
    Verdict {
        /// The problem, as `usertype-rules` states it.
        problem: Box<usertype_rules::Problem>,
    },
}

/// What cleaning a value from Azure AD took before IP Office would accept it (the true
/// reason a [`Reason::ValueCleaned`] gives).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "how", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Cleaning {
    /// Characters IP Office refuses were removed (or runs of spaces collapsed).
    CharactersRemoved,
    /// Cut to the field's length; nothing else changed.
    Cut {
        /// The field's length, in characters.
        max: usize,
    },
    /// Characters IP Office refuses removed, and the rest cut to the field's length.
    CutAndCharactersRemoved {
        /// The field's length, in characters.
        max: usize,
    },
    /// Leading `=`, `+`, `-` and `@` removed, so that the system directory's file cannot
    /// run as a spreadsheet formula.
    FormulaStartRemoved,
}

impl fmt::Display for Cleaning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cleaning::CharactersRemoved => f.write_str("had characters IP Office refuses removed"),
            Cleaning::Cut { max } => write!(f, "cut to {max} characters"),
            Cleaning::CutAndCharactersRemoved { max } => write!(
                f,
                "had characters IP Office refuses removed and was cut to {max} characters"
            ),
            Cleaning::FormulaStartRemoved => f.write_str(
                "had leading = + - @ removed (so that the directory file cannot run as a \
                 spreadsheet formula)",
            ),
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::OutOfScope => f.write_str("in no synced group"),
            Reason::AccountDisabled => f.write_str("account disabled in Azure AD"),
            Reason::ResourceAccount => {
                f.write_str("Teams resource account (auto attendant / call queue), not a person")
            }
            Reason::NoTeamsVoice { wanted } => write!(
                f,
                "{wanted} needs a Teams voice licence (Business Voice without Calling Plan or another \
                 plan with Phone System): assign one in Microsoft 365"
            ),
            Reason::TeamsVoiceSuspended => {
                f.write_str("Teams voice licence suspended: renew it in Microsoft 365")
            }
            Reason::TeamsVoiceGrace => {
                f.write_str("Teams voice licence in its grace period: renew it soon")
            }
            Reason::RuleConflict { rules } => write!(
                f,
                "groups of equal priority want different user types ({}): give one rule a higher priority",
                rules.join(", ")
            ),
            Reason::NoExtension => f.write_str(
                "no extension: set one in Azure AD or give the provisioning rule a start extension",
            ),
            Reason::NoNumber => {
                f.write_str("no Teams telephone number and no extension: assign one in Teams")
            }
            Reason::NoTeamsExtension => f.write_str(
                "MS Teams + IP Office rings the same extension on both sides, and Azure AD has \
                 none for this person: give the Teams number an extension (e.g. \
                 \"+441632768402 x402\") and the next run creates the user with it",
            ),
            Reason::InvalidValue {
                field,
                source,
                message,
            } => write!(f, "{field} from {source}: {message}"),
            Reason::DuplicateExtension { extension, others } => write!(
                f,
                "extension {extension} is also wanted by {}: fix it in Azure AD",
                others
                    .iter()
                    .map(|o| o.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Reason::ExtensionTaken { extension, by } => write!(
                f,
                "extension {extension} belongs to {by}, which the sync does not own (allow adoption or change the extension)"
            ),
            Reason::TeamsExtensionClash { extension, with } => write!(
                f,
                "Teams-only extension {extension} clashes with {with}: use a range IP Office does not use"
            ),
            Reason::HuntGroupNotAllowed { groups } => write!(
                f,
                "Teams-only users cannot be in hunt groups ({}): make them Teams + IP Office users",
                groups.join(", ")
            ),
            Reason::UnknownHuntGroup { name } => write!(f, "no hunt group named {name:?}"),
            Reason::LicenseShortfall {
                profile,
                needed,
                free,
            } => write!(f, "{needed} {profile} licences needed, {free} free"),
            Reason::ProfileNotInMode { profile, mode } => {
                write!(f, "the {profile} profile does not exist on a {mode} system")
            }
            Reason::Capacity { max } => write!(f, "IP Office holds at most {max} users"),
            Reason::RemovalHeld => f.write_str("removal held by the deletion threshold"),
            Reason::DirectoryFull { records, limit } => write!(
                f,
                "directory entry held: the system directory would hold {records} records, more \
                 than IP Office's limit of {limit}"
            ),
            Reason::KeptByPolicy => f.write_str("out of scope; kept by the removal policy"),
            Reason::NameDerived { from, name } => write!(f, "name derived from {from} -> {name}"),
            Reason::ValueCleaned {
                field,
                source,
                original,
                result,
                cleaning,
            } => write!(
                f,
                "{field} from {source} {cleaning}: {original} -> {result}"
            ),
            Reason::LinkedUserGone => {
                f.write_str("the IP Office user the sync created was deleted by hand")
            }
            Reason::Verdict { problem } => problem.fmt(f),
        }
    }
}

impl Reason {
    /// Whether the reason is only a warning (the person is still synced).
    pub fn is_warning(&self) -> bool {
        if let Reason::Verdict { problem } = self {
            return problem.severity() == usertype_rules::Severity::Warning;
        }
        matches!(
            self,
            Reason::TeamsVoiceGrace
                | Reason::NameDerived { .. }
                | Reason::ValueCleaned { .. }
                | Reason::UnknownHuntGroup { .. }
                | Reason::LinkedUserGone
                | Reason::HuntGroupNotAllowed { .. }
                | Reason::InvalidValue { .. }
        )
    }
}
