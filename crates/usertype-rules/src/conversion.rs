//! What it takes to turn a person into another user type, as data.

use std::fmt;

use ipo_model::{ExtensionNumber, LicensingMode, Profile, UserType};
use serde::{Deserialize, Serialize};

use crate::policy::LicensePolicy;
use crate::verdict::Verdict;
use crate::voice::TeamsVoiceStatus;

/// One step of a conversion. Microsoft-side steps are for an administrator; IP Office-side
/// steps are what a sync writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "step")]
#[non_exhaustive]
pub enum ConversionStep {
    /// Create or link the Azure AD user the person needs.
    LinkDirectoryUser,
    /// Enable the Azure AD account.
    EnableAccount,
    /// Assign a Teams voice licence (Business Voice without Calling Plan, Teams Phone...).
    AssignTeamsVoiceLicence,
    /// Renew the suspended Teams voice licence.
    RenewTeamsVoiceLicence,
    /// The Teams voice licence is no longer needed (may be reassigned).
    TeamsVoiceLicenceNoLongerNeeded,
    /// Give the Teams side this extension (`None`: allocate one, the same on both sides).
    SetTeamsExtension {
        /// The extension.
        extension: Option<ExtensionNumber>,
    },
    /// Give the person a Teams number and/or extension so IP Office users can call them.
    AssignTeamsNumber {
        /// A suggested extension (e.g. the one the IP Office user gives up).
        extension: Option<ExtensionNumber>,
    },
    /// Create the IP Office user.
    CreateIpoUser {
        /// Its extension (`None`: allocated by the provisioning rule).
        extension: Option<ExtensionNumber>,
        /// Its profile.
        profile: Option<Profile>,
    },
    /// Set the IP Office user's extension (`None`: allocate one).
    SetIpoExtension {
        /// The extension.
        extension: Option<ExtensionNumber>,
    },
    /// Change the IP Office profile.
    ChangeProfile {
        /// Current profile.
        from: Profile,
        /// New profile.
        to: Profile,
    },
    /// Take one licence of the profile.
    ReserveLicence {
        /// The profile.
        profile: Profile,
    },
    /// Give back one licence of the profile.
    ReleaseLicence {
        /// The profile.
        profile: Profile,
    },
    /// Set "Enable MS Teams Client".
    SetTeamsClient {
        /// On or off.
        on: bool,
    },
    /// Take the person out of these hunt groups (a Teams-only user cannot be in any).
    RemoveFromHuntGroups {
        /// Hunt group names.
        hunt_groups: Vec<String>,
    },
    /// Delete the IP Office user (and its extension).
    RemoveIpoUser,
    /// Add the person to the IP Office system directory.
    AddDirectoryEntry,
    /// Remove the person's system directory entry (they become a normal IP Office user).
    RemoveDirectoryEntry,
    /// The conversion cannot be done; why.
    Impossible {
        /// The reason.
        reason: String,
    },
}

impl fmt::Display for ConversionStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ext = |e: &Option<ExtensionNumber>| {
            e.as_ref().map_or_else(
                || "a newly allocated extension".to_owned(),
                |e| format!("extension {e}"),
            )
        };
        match self {
            Self::LinkDirectoryUser => f.write_str("create or link the person's Azure AD user"),
            Self::EnableAccount => f.write_str("enable the Azure AD account"),
            Self::AssignTeamsVoiceLicence => f.write_str(
                "assign a Teams voice licence (Microsoft 365 Business Voice without Calling Plan or Teams Phone)",
            ),
            Self::RenewTeamsVoiceLicence => f.write_str("renew the suspended Teams voice licence"),
            Self::TeamsVoiceLicenceNoLongerNeeded => {
                f.write_str("the Teams voice licence is no longer needed and can be reassigned")
            }
            Self::SetTeamsExtension { extension } => {
                write!(f, "give the Teams number {}", ext(extension))
            }
            Self::AssignTeamsNumber { extension } => {
                write!(f, "assign a Teams number or {}", ext(extension))
            }
            Self::CreateIpoUser { extension, profile } => {
                write!(f, "create the IP Office user with {}", ext(extension))?;
                match profile {
                    Some(p) => write!(f, " and profile {p}"),
                    None => Ok(()),
                }
            }
            Self::SetIpoExtension { extension } => {
                write!(f, "set the IP Office user's extension to {}", ext(extension))
            }
            Self::ChangeProfile { from, to } => write!(f, "change the profile from {from} to {to}"),
            Self::ReserveLicence { profile } => write!(f, "use one {profile} licence"),
            Self::ReleaseLicence { profile } => write!(f, "free one {profile} licence"),
            Self::SetTeamsClient { on } => write!(
                f,
                "turn \"Enable MS Teams Client\" {}",
                if *on { "on" } else { "off" }
            ),
            Self::RemoveFromHuntGroups { hunt_groups } => {
                write!(f, "remove from hunt groups {}", hunt_groups.join(", "))
            }
            Self::RemoveIpoUser => f.write_str("delete the IP Office user and its extension"),
            Self::AddDirectoryEntry => f.write_str("add the person to the IP Office system directory"),
            Self::RemoveDirectoryEntry => f.write_str("remove the person's IP Office system directory entry"),
            Self::Impossible { reason } => write!(f, "not possible: {reason}"),
        }
    }
}

/// The steps that turn the person of `verdict` into a `to` user on a system in `mode`
/// (empty when nothing is needed). "Who could become which": every type is reachable, and
/// the steps say at what cost; the licences they reserve can be checked with
/// [`LicensePool::forecast_changes`](crate::LicensePool::forecast_changes).
///
/// ```
/// use ipo_model::*;
/// use usertype_rules::{classify, conversion_steps, ClassifyInput, ConversionStep, DefaultLicensePolicy};
/// let mut ipo = IpoSnapshot::new(SystemInfo::new("s", "12.1", LicensingMode::Plds, Platform::Ip500V2));
/// let mut u = IpoUser::new("Bob".parse()?, LicensingMode::Plds);
/// u.extension = Some("201".parse()?);
/// ipo.users.push(u);
/// let policy = DefaultLicensePolicy::default();
/// let c = classify(&ClassifyInput::new(&[], &ipo), &policy);
/// let steps = conversion_steps(&c.verdicts[0], UserType::TeamsAndIpOffice, LicensingMode::Plds, &policy);
/// assert!(steps.contains(&ConversionStep::SetTeamsClient { on: true }));
/// assert!(steps.contains(&ConversionStep::ReserveLicence { profile: Profile::PowerUser }));
/// # Ok::<(), InvalidValue>(())
/// ```
pub fn conversion_steps(
    verdict: &Verdict,
    to: UserType,
    mode: LicensingMode,
    policy: &dyn LicensePolicy,
) -> Vec<ConversionStep> {
    use ConversionStep as S;
    let f = &verdict.facts;
    let mut steps = Vec::new();

    if to.needs_teams_voice() {
        match f.teams_voice {
            None => steps.push(S::LinkDirectoryUser),
            Some(TeamsVoiceStatus::Missing) => steps.push(S::AssignTeamsVoiceLicence),
            Some(TeamsVoiceStatus::Suspended) => steps.push(S::RenewTeamsVoiceLicence),
            Some(_) => {}
        }
        if f.account_enabled == Some(false) {
            steps.push(S::EnableAccount);
        }
    } else if f.teams_voice.is_some_and(TeamsVoiceStatus::is_usable) {
        steps.push(S::TeamsVoiceLicenceNoLongerNeeded);
    }

    let teams_ext = f.teams_extension().cloned();
    if !to.has_ipo_record() {
        steps.extend(to_teams_only(f, policy));
        return steps;
    }

    let Some(profile) = policy.profile_for(to, f.ipo_profile, mode) else {
        steps.push(S::Impossible {
            reason: format!("no IP Office profile is allowed for {to} users on a {mode} system"),
        });
        return steps;
    };
    match f.ipo_profile {
        None => {
            steps.push(S::CreateIpoUser {
                extension: teams_ext.clone(),
                profile: Some(profile),
            });
            if policy.consumes_license(profile) {
                steps.push(S::ReserveLicence { profile });
            }
        }
        Some(current) if current != profile => {
            steps.push(S::ChangeProfile {
                from: current,
                to: profile,
            });
            if policy.consumes_license(profile) {
                steps.push(S::ReserveLicence { profile });
            }
            if policy.consumes_license(current) {
                steps.push(S::ReleaseLicence { profile: current });
            }
        }
        Some(_) => {}
    }

    if f.in_system_directory {
        steps.push(S::RemoveDirectoryEntry);
    }

    let wants_client = to == UserType::TeamsAndIpOffice;
    let client_on = f.teams_client == Some(true);
    if wants_client != client_on && (wants_client || f.has_ipo_record()) {
        steps.push(S::SetTeamsClient { on: wants_client });
    }

    if wants_client {
        match (&teams_ext, &f.ipo_extension, f.has_ipo_record()) {
            // IP Office's extension wins: hunt groups and phones already use it.
            (t, Some(i), true) if t.as_ref() != Some(i) => steps.push(S::SetTeamsExtension {
                extension: Some(i.clone()),
            }),
            (Some(t), None, true) => steps.push(S::SetIpoExtension {
                extension: Some(t.clone()),
            }),
            (None, None, _) => steps.push(S::SetTeamsExtension { extension: None }),
            _ => {}
        }
    } else if f.has_ipo_record() && f.ipo_extension.is_none() {
        steps.push(S::SetIpoExtension { extension: None });
    }
    steps
}

/// The steps from an IP Office user (if any) to a Teams-only person.
fn to_teams_only(f: &crate::verdict::Facts, policy: &dyn LicensePolicy) -> Vec<ConversionStep> {
    use ConversionStep as S;
    let mut steps = Vec::new();
    if f.has_ipo_record() {
        if !f.hunt_groups.is_empty() {
            steps.push(S::RemoveFromHuntGroups {
                hunt_groups: f.hunt_groups.clone(),
            });
        }
        if let Some(p) = f.ipo_profile
            && policy.consumes_license(p)
        {
            steps.push(S::ReleaseLicence { profile: p });
        }
        steps.push(S::RemoveIpoUser);
    }
    if f.teams_number.is_none() {
        steps.push(S::AssignTeamsNumber {
            extension: f.ipo_extension.clone(),
        });
    }
    if !f.in_system_directory {
        steps.push(S::AddDirectoryEntry);
    }
    steps
}
