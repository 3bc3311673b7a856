//! The vocabulary of running Avaya IP Office with Microsoft Teams (Direct Routing): validated
//! names and numbers, IP Office records, the Azure AD user, the three user types, and the
//! port traits that the Graph and IP Office clients implement. No I/O.
//!
//! ```
//! use ipo_model::{ExtensionNumber, NumberFormat, TeamsNumber, UserName, UserType};
//! let name = UserName::derive("Seán O'Brien").unwrap();
//! let ext: ExtensionNumber = "402".parse()?;
//! let teams = TeamsNumber::parse_as("+441632768402 x402", NumberFormat::AzurePortal)?;
//! assert_eq!(teams.extension(), Some(&ext));
//! assert!(UserType::TeamsAndIpOffice.has_ipo_record());
//! assert!(!UserType::TeamsOnly.has_ipo_record());
//! # let _ = name;
//! # Ok::<(), ipo_model::InvalidValue>(())
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod azure_ad;
mod code;
mod contact;
mod error;
mod extension;
mod id;
mod ipo;
mod memory;
mod name;
mod phone;
mod port;
mod profile;
mod raw;
mod restart;
mod retry;
mod secret;
mod skipped;
mod teams_number_holder;
mod teams_policy;
mod teams_port;
mod usertype;

pub use azure_ad::{
    AZURE_AD_USER_PROPERTIES, AssignedLicense, AssignedPlan, AssignmentCategory, AzureAdUser,
    CapabilityStatus, ExtensionAttributes, TeamsPhoneNumber, TeamsVoice,
};
pub use code::{LoginCode, MAX_LOGIN_CODE, MAX_VOICEMAIL_CODE, MIN_LOGIN_CODE, VoicemailCode};
pub use contact::{AzureAdContact, ContactChanges, ContactDeltaOutcome};
pub use error::{InvalidValue, Rule};
pub use extension::{
    ExtensionNumber, ExtensionRange, HUNT_GROUP_RESERVED, MAX_EXTENSION_DIGITS,
    MIN_EXTENSION_DIGITS,
};
pub use id::{GroupId, Guid, ObjectId};
pub use ipo::{
    Extension, ExtensionKind, HuntGroup, IpoSnapshot, IpoUser, License, LicenseStatus,
    MAX_DIRECTORY_RECORDS, NO_USER, Platform, RingMode, ServiceMode, SystemDirectoryEntry,
    SystemInfo, TwinningType,
};
pub use memory::{MEMORY_FOLLOW_POLLS, MemoryAzureAd, MemoryIpo, MemoryTeams, MemoryTeamsCalls};
pub use name::{
    FORBIDDEN_NAME_CHARS, FullName, MAX_FULL_NAME_LEN, MAX_USER_NAME_LEN, NameRegistry, UserName,
    is_invisible,
};
pub use phone::{E164Number, MAX_E164_DIGITS, NumberFormat, TeamsNumber};
pub use port::{
    ApiError, Applied, AzureAdChanges, AzureAdSource, ChangeOutcome, DeltaCursor, DeltaOutcome,
    IpoChange, IpoConfigStore, MembershipChange, MembershipChangeKind, PortError, RemovalReason,
    RemovedUser, TransportStats,
};
pub use profile::{LicensingMode, Profile, SUBSCRIPTION_CODES};
pub use raw::{RawElement, RawFields, RawValue, SECRET_FIELDS};
pub use restart::RestartNotice;
pub use retry::{RetryPolicy, parse_retry_after};
pub use secret::Secret;
pub use skipped::SkippedRecord;
pub use teams_number_holder::{NumberSource, TeamsNumberHolder, TeamsNumberHolders};
pub use teams_policy::{EffectivePolicy, PolicyVia, TeamsPolicyType};
pub use teams_port::{TeamsOperationId, TeamsOperationStatus, TeamsVoiceAdmin};
pub use usertype::UserType;

/// What secrets are replaced with wherever they would otherwise be shown.
pub const REDACTED: &str = "***";
