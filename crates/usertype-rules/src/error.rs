//! The crate's errors: a licence that does not fit, a feature a person cannot use.

use std::fmt;

use ipo_model::{LicensingMode, Profile, UserType};
use serde::{Deserialize, Serialize};

use crate::eligibility::IpoFeature;

/// Why a profile cannot be assigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ShortfallReason {
    /// Fewer free licences than needed.
    NotEnoughLicences,
    /// The profile does not exist in the system's licensing mode.
    ProfileNotInMode(LicensingMode),
}

/// Not enough licences for a profile: "7 Power User needed, 4 free".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub struct Shortfall {
    /// The profile.
    pub profile: Profile,
    /// How many were asked for.
    pub needed: u32,
    /// How many are free.
    pub free: u32,
    /// Why it does not fit.
    pub reason: ShortfallReason,
}

impl fmt::Display for Shortfall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason {
            ShortfallReason::NotEnoughLicences => write!(
                f,
                "{} {} needed, {} free: add {} licence(s) or assign another profile",
                self.needed,
                self.profile,
                self.free,
                self.needed.saturating_sub(self.free)
            ),
            ShortfallReason::ProfileNotInMode(mode) => write!(
                f,
                "{} {} needed, but that profile does not exist on a {mode} system",
                self.needed, self.profile
            ),
        }
    }
}

/// A person cannot use an IP Office feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{person} cannot be used in {feature}: {reason}")]
#[non_exhaustive]
pub struct Ineligible {
    /// Who (label).
    pub person: String,
    /// The feature.
    pub feature: IpoFeature,
    /// The person's type, when consistent.
    pub user_type: Option<UserType>,
    /// Why, as a sentence.
    pub reason: String,
}

/// Every error this crate gives, for callers who want one type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RulesError {
    /// A licence does not fit.
    #[error(transparent)]
    Shortfall(#[from] Shortfall),
    /// A person cannot use a feature.
    #[error(transparent)]
    Ineligible(#[from] Ineligible),
}
