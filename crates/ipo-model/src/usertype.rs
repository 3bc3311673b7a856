//! The three user types (seed: "User Types").

use std::fmt;

use serde::{Deserialize, Serialize};

/// Which of the three kinds of person someone is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserType {
    /// Configured on IP Office with an extension; sees and calls Teams users via the system
    /// directory; needs no specific profile.
    IpOfficeOnly,
    /// Configured in Teams only (number and/or extension); needs the Microsoft licence; no
    /// IP Office record, so no hunt groups; shown in the IP Office system directory.
    TeamsOnly,
    /// On both sides with the same extension; calls alert both; needs the Microsoft licence
    /// and a Teams-capable IP Office profile.
    TeamsAndIpOffice,
}

impl UserType {
    /// Whether the person has an IP Office user record (and so can be in hunt groups,
    /// park/page and other IP Office features).
    pub fn has_ipo_record(self) -> bool {
        !matches!(self, UserType::TeamsOnly)
    }

    /// Whether the person needs Teams voice (Microsoft 365 Business Voice without Calling
    /// Plan, or another plan carrying the Phone System capability).
    pub fn needs_teams_voice(self) -> bool {
        !matches!(self, UserType::IpOfficeOnly)
    }

    /// The three types, in a stable order.
    pub const ALL: [UserType; 3] = [
        UserType::IpOfficeOnly,
        UserType::TeamsOnly,
        UserType::TeamsAndIpOffice,
    ];
}

impl fmt::Display for UserType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UserType::IpOfficeOnly => "IP Office only",
            UserType::TeamsOnly => "MS Teams only",
            UserType::TeamsAndIpOffice => "MS Teams + IP Office",
        })
    }
}
