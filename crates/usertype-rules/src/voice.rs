//! The state of a person's Teams voice capability.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Whether an Azure AD user can use Teams voice (Direct Routing), as a
/// [`LicensePolicy`](crate::LicensePolicy) reads it from their licences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TeamsVoiceStatus {
    /// No accepted SKU or service plan (or only disabled ones).
    Missing,
    /// An accepted plan exists but is suspended or locked out.
    Suspended,
    /// An accepted plan is in its grace period (`capabilityStatus` `Warning`): works for now.
    Grace,
    /// An accepted plan is enabled.
    Enabled,
}

impl TeamsVoiceStatus {
    /// Whether the user can make and take Teams calls now (enabled or in grace).
    pub fn is_usable(self) -> bool {
        matches!(self, TeamsVoiceStatus::Enabled | TeamsVoiceStatus::Grace)
    }
}

impl fmt::Display for TeamsVoiceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TeamsVoiceStatus::Missing => "no Teams voice licence",
            TeamsVoiceStatus::Suspended => "Teams voice licence suspended",
            TeamsVoiceStatus::Grace => "Teams voice licence in grace period",
            TeamsVoiceStatus::Enabled => "Teams voice licence enabled",
        })
    }
}
