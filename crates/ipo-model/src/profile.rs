//! IP Office user profiles and licensing modes.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How an IP Office system is licensed (domain notes: [IP Office profiles and licensing](https://github.com/ipo-teams/ipo-teams/blob/main/docs/domain.md#ip-office-profiles-and-licensing)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LicensingMode {
    /// Perpetual licences per profile (PLDS, also WebLM-mapped).
    Plds,
    /// Subscription mode.
    Subscription,
    /// Not settled: IP Office's answer does not say (the guide documents no mapping of
    /// `PBXLicense/LicenseMode`) and the configuration does not state it. No profile code
    /// can be read or written in this mode: every `AssignedPackage` reads as
    /// [`Profile::Unknown`] and a named profile cannot be written.
    Unknown,
}

impl fmt::Display for LicensingMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LicensingMode::Plds => "PLDS",
            LicensingMode::Subscription => "subscription",
            LicensingMode::Unknown => "unknown licensing mode",
        })
    }
}

/// An IP Office user profile.
///
/// PLDS and subscription systems use different profile sets; both live in one enum so a
/// configuration can name any of them, and [`Profile::is_valid_in`] says which belong to a mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Profile {
    /// PLDS Basic User (the default for new users; no licence).
    BasicUser,
    /// PLDS Teleworker.
    Teleworker,
    /// PLDS Mobile Worker.
    MobileWorker,
    /// PLDS Power User.
    PowerUser,
    /// PLDS Office Worker.
    OfficeWorker,
    /// PLDS Centralized User.
    CentralizedUser,
    /// Non-licensed User (both modes).
    NonLicensed,
    /// Subscription Telephony User (the default for new users in subscription mode).
    TelephonyUser,
    /// Subscription Telephony Plus User.
    TelephonyPlusUser,
    /// Subscription Unified Communications (UC) User.
    UcUser,
    /// A wire code this library does not know; kept so nothing is lost.
    Unknown(u8),
}

/// `AssignedPackage` wire codes of the PLDS profiles (domain notes: [IP Office profiles and licensing](https://github.com/ipo-teams/ipo-teams/blob/main/docs/domain.md#ip-office-profiles-and-licensing); 6 is unused).
const PLDS_CODES: [(Profile, u8); 7] = [
    (Profile::BasicUser, 1),
    (Profile::Teleworker, 2),
    (Profile::MobileWorker, 3),
    (Profile::PowerUser, 4),
    (Profile::OfficeWorker, 5),
    (Profile::CentralizedUser, 7),
    (Profile::NonLicensed, 8),
];

/// `AssignedPackage` wire codes of the subscription profiles.
///
/// **Assumption**: Avaya does not document these publicly. We assume subscription mode
/// reuses the PLDS slots: Telephony User in Basic's slot (1, the default for new users),
/// UC User in Power User's (4), Telephony Plus in Office Worker's (5), Non-licensed 8.
/// This table is the only place the assumption lives; correct it here.
pub const SUBSCRIPTION_CODES: [(Profile, u8); 4] = [
    (Profile::TelephonyUser, 1),
    (Profile::UcUser, 4),
    (Profile::TelephonyPlusUser, 5),
    (Profile::NonLicensed, 8),
];

impl Profile {
    fn table(mode: LicensingMode) -> &'static [(Profile, u8)] {
        match mode {
            LicensingMode::Plds => &PLDS_CODES,
            LicensingMode::Subscription => &SUBSCRIPTION_CODES,
            LicensingMode::Unknown => &[],
        }
    }

    /// The profile an `AssignedPackage` code means in `mode`.
    pub fn from_wire(code: u8, mode: LicensingMode) -> Profile {
        Self::table(mode)
            .iter()
            .find(|(_, c)| *c == code)
            .map(|(p, _)| *p)
            .unwrap_or(Profile::Unknown(code))
    }

    /// The `AssignedPackage` code of this profile in `mode`, or `None` if the profile does
    /// not exist there (e.g. Power User on a subscription system).
    pub fn to_wire(self, mode: LicensingMode) -> Option<u8> {
        if let Profile::Unknown(c) = self {
            return Some(c);
        }
        Self::table(mode)
            .iter()
            .find(|(p, _)| *p == self)
            .map(|(_, c)| *c)
    }

    /// Whether the profile exists in `mode`.
    pub fn is_valid_in(self, mode: LicensingMode) -> bool {
        !matches!(self, Profile::Unknown(_)) && self.to_wire(mode).is_some()
    }

    /// The profile IP Office gives a new user in `mode`.
    pub fn default_for(mode: LicensingMode) -> Profile {
        match mode {
            LicensingMode::Plds => Profile::BasicUser,
            LicensingMode::Subscription => Profile::TelephonyUser,
            // Both modes give a new user code 1 (Basic User / Telephony User): the code is
            // known even when its name is not.
            LicensingMode::Unknown => Profile::Unknown(1),
        }
    }

    /// The name IP Office uses for the profile (and for its licence), e.g. `"Power User"`.
    pub fn display_name(self) -> String {
        match self {
            Profile::Unknown(c) => format!("profile {c}"),
            named => named.name().unwrap_or_default().to_owned(),
        }
    }

    /// [`Profile::display_name`] without allocating; `None` for an unknown profile code.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Profile::BasicUser => "Basic User",
            Profile::Teleworker => "Teleworker",
            Profile::MobileWorker => "Mobile Worker",
            Profile::PowerUser => "Power User",
            Profile::OfficeWorker => "Office Worker",
            Profile::CentralizedUser => "Centralized User",
            Profile::NonLicensed => "Non-licensed User",
            Profile::TelephonyUser => "Telephony User",
            Profile::TelephonyPlusUser => "Telephony Plus User",
            Profile::UcUser => "UC User",
            Profile::Unknown(_) => return None,
        })
    }

    /// Every named profile.
    pub const ALL: [Profile; 10] = [
        Profile::BasicUser,
        Profile::Teleworker,
        Profile::MobileWorker,
        Profile::PowerUser,
        Profile::OfficeWorker,
        Profile::CentralizedUser,
        Profile::NonLicensed,
        Profile::TelephonyUser,
        Profile::TelephonyPlusUser,
        Profile::UcUser,
    ];
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plds_codes_round_trip() {
        for (p, c) in PLDS_CODES {
            assert_eq!(Profile::from_wire(c, LicensingMode::Plds), p);
            assert_eq!(p.to_wire(LicensingMode::Plds), Some(c));
        }
        assert_eq!(
            Profile::from_wire(4, LicensingMode::Plds),
            Profile::PowerUser
        );
        assert_eq!(
            Profile::from_wire(6, LicensingMode::Plds),
            Profile::Unknown(6)
        );
        assert_eq!(Profile::Unknown(6).to_wire(LicensingMode::Plds), Some(6));
    }

    #[test]
    fn modes_have_their_own_profiles() {
        assert!(Profile::PowerUser.is_valid_in(LicensingMode::Plds));
        assert!(!Profile::PowerUser.is_valid_in(LicensingMode::Subscription));
        assert!(Profile::UcUser.is_valid_in(LicensingMode::Subscription));
        assert!(!Profile::UcUser.is_valid_in(LicensingMode::Plds));
        assert!(Profile::NonLicensed.is_valid_in(LicensingMode::Plds));
        assert_eq!(
            Profile::default_for(LicensingMode::Plds),
            Profile::BasicUser
        );
        assert_eq!(
            Profile::default_for(LicensingMode::Subscription),
            Profile::TelephonyUser
        );
        assert_eq!(
            Profile::from_wire(4, LicensingMode::Subscription),
            Profile::UcUser
        );
    }
}
