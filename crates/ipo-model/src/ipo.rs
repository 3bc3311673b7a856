//! IP Office configuration records: users, extensions, hunt groups, licences, system.

use serde::{Deserialize, Serialize};

use crate::code::{LoginCode, VoicemailCode};
use crate::extension::ExtensionNumber;
use crate::id::{Guid, ObjectId};
use crate::name::{FullName, UserName};
use crate::phone::TeamsNumber;
use crate::profile::{LicensingMode, Profile};
use crate::raw::RawFields;

/// Name of the built-in user present in every IP Office configuration; never touched.
pub const NO_USER: &str = "NoUser";

/// Mobile twinning mode of a user (`TwinningType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TwinningType {
    /// No twinning (0).
    #[default]
    None,
    /// Internal twinning (1).
    Internal,
    /// Mobile twinning (2).
    Mobile,
    /// A code this library does not know.
    Unknown(u8),
}

impl TwinningType {
    /// From the wire code.
    pub fn from_wire(code: u8) -> Self {
        match code {
            0 => Self::None,
            1 => Self::Internal,
            2 => Self::Mobile,
            c => Self::Unknown(c),
        }
    }
    /// To the wire code.
    pub fn to_wire(self) -> u8 {
        match self {
            Self::None => 0,
            Self::Internal => 1,
            Self::Mobile => 2,
            Self::Unknown(c) => c,
        }
    }
}

/// An IP Office user.
///
/// The modelled fields are what the sync reads and writes. `raw` holds the record exactly as
/// last read from IP Office (every field, including the ones modelled here and the ones not
/// modelled: DSS keys, forwarding, user rights...). A store writing an update starts from
/// `raw` and replaces only the modelled fields whose value differs from what `raw` holds, so
/// nothing the sync did not mean to change is cleared. A new user has an empty `raw`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IpoUser {
    /// Record GUID; `None` until IP Office created it.
    pub guid: Option<Guid>,
    /// `Name`: unique, the user's identity in IP Office and Voicemail Pro.
    pub name: UserName,
    /// `FullName`.
    pub full_name: Option<FullName>,
    /// `Extension`.
    pub extension: Option<ExtensionNumber>,
    /// `AssignedPackage`, read in the system's licensing mode.
    pub profile: Profile,
    /// "Enable MS Teams Client"; `None` when the IP Office release does not expose the field.
    pub teams_client: Option<bool>,
    /// `VoicemailEmail`.
    pub voicemail_email: Option<String>,
    /// E-mail address. **Assumption**: not in the R12.2 schema; a store maps it to a
    /// configurable wire field or ignores it.
    pub email: Option<String>,
    /// `LoginCode` (secret).
    pub login_code: Option<LoginCode>,
    /// `VoicemailCode` (secret).
    pub voicemail_code: Option<VoicemailCode>,
    /// `TwinningType`.
    pub twinning: TwinningType,
    /// Mobile twinning number. **Assumption**: not in the R12.2 schema (see `email`).
    pub mobile_twinning_number: Option<String>,
    /// `XDirectory`: excluded from the system directory.
    pub exclude_from_directory: bool,
    /// The IP Office node (LAN1 address) the user lives on, in a multi-node solution.
    pub node: Option<String>,
    /// The record as last read; empty for a new user.
    pub raw: RawFields,
}

impl IpoUser {
    /// A new user with IP Office defaults for `mode` and nothing else set.
    pub fn new(name: UserName, mode: LicensingMode) -> Self {
        Self {
            guid: None,
            name,
            full_name: None,
            extension: None,
            profile: Profile::default_for(mode),
            teams_client: None,
            voicemail_email: None,
            email: None,
            login_code: None,
            voicemail_code: None,
            twinning: TwinningType::None,
            mobile_twinning_number: None,
            exclude_from_directory: false,
            node: None,
            raw: RawFields::new(),
        }
    }

    /// Whether this is the built-in `NoUser`, which must never be changed.
    pub fn is_no_user(&self) -> bool {
        self.name.as_str() == NO_USER
    }

    /// A short label for reports: `Name (GUID)`.
    pub fn label(&self) -> String {
        match &self.guid {
            Some(g) => format!("user {} ({g})", self.name),
            None => format!("user {}", self.name),
        }
    }
}

/// Kind of an extension (`TypeInfo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExtensionKind {
    /// Normal (analogue/digital) port, 0.
    Normal,
    /// H.323 IP extension, 1.
    H323,
    /// IP DECT (ADMM/DECT), 2.
    IpDect,
    /// SIP extension, 3.
    Sip,
    /// SIP DECT. **Assumption**: written as SIP (3); IP Office distinguishes SIP DECT by the
    /// phone registering, not by `TypeInfo`. Read back as [`ExtensionKind::Sip`].
    SipDect,
    /// D100 base station, 4.
    D100,
    /// A code this library does not know.
    Unknown(u8),
}

impl ExtensionKind {
    /// From `TypeInfo`.
    pub fn from_wire(code: u8) -> Self {
        match code {
            0 => Self::Normal,
            1 => Self::H323,
            2 => Self::IpDect,
            3 => Self::Sip,
            4 => Self::D100,
            c => Self::Unknown(c),
        }
    }
    /// To `TypeInfo`.
    pub fn to_wire(self) -> u8 {
        match self {
            Self::Normal => 0,
            Self::H323 => 1,
            Self::IpDect => 2,
            Self::Sip | Self::SipDect => 3,
            Self::D100 => 4,
            Self::Unknown(c) => c,
        }
    }
}

/// An IP Office extension (the port a user's number lives on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Extension {
    /// Record GUID; `None` until created.
    pub guid: Option<Guid>,
    /// `Id`: port id allocated by the system (read-only).
    pub id: Option<u32>,
    /// `Extension`: the number.
    pub number: ExtensionNumber,
    /// `TypeInfo`.
    pub kind: ExtensionKind,
    /// The node (LAN1 address) it lives on, in a multi-node solution.
    pub node: Option<String>,
    /// The record as last read; empty for a new extension.
    pub raw: RawFields,
}

impl Extension {
    /// A new extension of the given kind.
    pub fn new(number: ExtensionNumber, kind: ExtensionKind) -> Self {
        Self {
            guid: None,
            id: None,
            number,
            kind,
            node: None,
            raw: RawFields::new(),
        }
    }
}

/// How a hunt group rings its members (`GroupRingMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RingMode {
    /// 0.
    #[default]
    Collective,
    /// 1.
    Sequential,
    /// 2.
    Rotary,
    /// 3.
    LongestWaiting,
    /// 4.
    CollectiveCallWaiting,
    /// Unknown code.
    Unknown(u8),
}

impl RingMode {
    /// From the wire code.
    pub fn from_wire(code: u8) -> Self {
        match code {
            0 => Self::Collective,
            1 => Self::Sequential,
            2 => Self::Rotary,
            3 => Self::LongestWaiting,
            4 => Self::CollectiveCallWaiting,
            c => Self::Unknown(c),
        }
    }
    /// To the wire code.
    pub fn to_wire(self) -> u8 {
        match self {
            Self::Collective => 0,
            Self::Sequential => 1,
            Self::Rotary => 2,
            Self::LongestWaiting => 3,
            Self::CollectiveCallWaiting => 4,
            Self::Unknown(c) => c,
        }
    }
}

/// A hunt group's service state (`ServiceMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ServiceMode {
    /// 0.
    OutOfService,
    /// 1.
    #[default]
    InService,
    /// 2.
    Night,
    /// Unknown code.
    Unknown(u8),
}

impl ServiceMode {
    /// From the wire code.
    pub fn from_wire(code: u8) -> Self {
        match code {
            0 => Self::OutOfService,
            1 => Self::InService,
            2 => Self::Night,
            c => Self::Unknown(c),
        }
    }
    /// To the wire code.
    pub fn to_wire(self) -> u8 {
        match self {
            Self::OutOfService => 0,
            Self::InService => 1,
            Self::Night => 2,
            Self::Unknown(c) => c,
        }
    }
}

/// An IP Office hunt group. Members are extension numbers (`MembersList`, `|`-separated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HuntGroup {
    /// Record GUID.
    pub guid: Option<Guid>,
    /// `Name` (same rules as a user name).
    pub name: UserName,
    /// `Extension`.
    pub extension: Option<ExtensionNumber>,
    /// `MembersList`, in order (order matters for sequential and rotary groups).
    pub members: Vec<ExtensionNumber>,
    /// `GroupRingMode`.
    pub ring_mode: RingMode,
    /// `ServiceMode`.
    pub service_mode: ServiceMode,
    /// The record as last read.
    pub raw: RawFields,
}

impl HuntGroup {
    /// A new hunt group with no members.
    pub fn new(name: UserName, extension: Option<ExtensionNumber>) -> Self {
        Self {
            guid: None,
            name,
            extension,
            members: Vec::new(),
            ring_mode: RingMode::default(),
            service_mode: ServiceMode::default(),
            raw: RawFields::new(),
        }
    }
}

/// The most records IP Office's external (system) directory holds, across all its sources;
/// each number of an entry is a record. The one place this limit is written: the planner
/// plans for it and the directory service refuses a set above it.
pub const MAX_DIRECTORY_RECORDS: usize = 10_000;

/// An entry in the IP Office system directory: how IP Office users see and call a
/// Teams-only user, who has no user record.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SystemDirectoryEntry {
    /// Shown name (at most 31 characters, the same rules as a full name).
    pub name: FullName,
    /// The number IP Office dials.
    pub number: TeamsNumber,
    /// The Azure AD user the entry stands for, when the sync made it.
    pub source: Option<ObjectId>,
}

impl SystemDirectoryEntry {
    /// A directory entry.
    pub fn new(name: FullName, number: TeamsNumber, source: Option<ObjectId>) -> Self {
        Self {
            name,
            number,
            source,
        }
    }
}

/// Status of a licence (`Status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LicenseStatus {
    /// 0.
    Invalid,
    /// 1.
    #[default]
    Valid,
    /// 2.
    Expired,
    /// 3.
    TokenExpired,
    /// 4 or a code we do not know.
    Unknown,
    /// 5.
    Dormant,
    /// 6.
    Obsolete,
}

impl LicenseStatus {
    /// From the wire code.
    pub fn from_wire(code: u8) -> Self {
        match code {
            0 => Self::Invalid,
            1 => Self::Valid,
            2 => Self::Expired,
            3 => Self::TokenExpired,
            5 => Self::Dormant,
            6 => Self::Obsolete,
            _ => Self::Unknown,
        }
    }
}

/// One IP Office licence with its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct License {
    /// Record GUID.
    pub guid: Option<Guid>,
    /// `LicenseKey` (the licence's name, e.g. `"Power User"`).
    pub key: String,
    /// `DisplayName`.
    pub display_name: Option<String>,
    /// `Status`.
    pub status: LicenseStatus,
    /// `Quantity`.
    pub quantity: u32,
    /// `FreeInstances`.
    pub free: u32,
}

impl License {
    /// A licence.
    pub fn new(key: impl Into<String>, quantity: u32, free: u32) -> Self {
        Self {
            guid: None,
            key: key.into(),
            display_name: None,
            status: LicenseStatus::Valid,
            quantity,
            free,
        }
    }

    /// The user profile this licence grants, recognised by its name ("Power User",
    /// "Office Worker", "Teleworker", "Mobile Worker", "UC User"...). `None` for licences
    /// that are not profile licences (SIP trunks, platform...).
    pub fn profile(&self) -> Option<Profile> {
        let names = [Some(self.key.as_str()), self.display_name.as_deref()];
        for name in names.into_iter().flatten() {
            let n = name.to_ascii_lowercase();
            let found = if n.contains("power user") {
                Some(Profile::PowerUser)
            } else if n.contains("office worker") {
                Some(Profile::OfficeWorker)
            } else if n.contains("teleworker") {
                Some(Profile::Teleworker)
            } else if n.contains("mobile worker") {
                Some(Profile::MobileWorker)
            } else if n.contains("centralized user") {
                Some(Profile::CentralizedUser)
            } else if n.contains("telephony plus") {
                Some(Profile::TelephonyPlusUser)
            } else if n.contains("telephony user") {
                Some(Profile::TelephonyUser)
            } else if n.contains("unified communications") || n.contains("uc user") {
                Some(Profile::UcUser)
            } else {
                None
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }
}

/// The kind of IP Office platform, for capacity limits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Platform {
    /// IP500 V2: 384 users.
    Ip500V2,
    /// Server Edition: 2000 users per solution (R9.0).
    ServerEdition,
    /// Select.
    Select,
    /// Something else, as IP Office named it.
    Other(String),
    /// Not settled: the Management API's `System` record does not name the platform
    /// (`Configuration` is an operating mode) and the configuration does not state it.
    /// No capacity limit is known.
    Unknown,
}

impl Platform {
    /// Most users the platform holds, when documented (domain notes: [names, numbers and limits](https://github.com/ipo-teams/ipo-teams/blob/main/docs/domain.md#names-numbers-and-limits)).
    pub fn max_users(&self) -> Option<usize> {
        match self {
            Platform::Ip500V2 => Some(384),
            Platform::ServerEdition => Some(2000),
            _ => None,
        }
    }
    /// Most extensions the platform holds, when documented.
    pub fn max_extensions(&self) -> Option<usize> {
        match self {
            Platform::Ip500V2 => Some(384),
            _ => None,
        }
    }
}

/// What the sync needs to know about the IP Office system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SystemInfo {
    /// System `Name`.
    pub name: String,
    /// Version, e.g. `"12.1.0.80"`.
    pub version: String,
    /// Licensing mode.
    pub licensing_mode: LicensingMode,
    /// Platform.
    pub platform: Platform,
    /// LAN1 address of this node (the primary in a network).
    pub node_address: Option<String>,
    /// Other nodes of a Server Edition / Select network (LAN1 addresses).
    pub nodes: Vec<String>,
}

impl SystemInfo {
    /// System info with no nodes listed.
    pub fn new(
        name: impl Into<String>,
        version: impl Into<String>,
        licensing_mode: LicensingMode,
        platform: Platform,
    ) -> Self {
        Self {
            name: name.into(),
            version: version.into(),
            licensing_mode,
            platform,
            node_address: None,
            nodes: Vec::new(),
        }
    }
}

/// A consistent reading of the IP Office configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IpoSnapshot {
    /// The system.
    pub system: SystemInfo,
    /// Licences.
    pub licenses: Vec<License>,
    /// Users, `NoUser` included.
    pub users: Vec<IpoUser>,
    /// Extensions.
    pub extensions: Vec<Extension>,
    /// Hunt groups.
    pub hunt_groups: Vec<HuntGroup>,
    /// System directory entries the store can see (see the store's docs for where they live).
    #[serde(default, alias = "directory")]
    pub system_directory: Vec<SystemDirectoryEntry>,
}

impl IpoSnapshot {
    /// A snapshot with only the system filled in.
    pub fn new(system: SystemInfo) -> Self {
        Self {
            system,
            licenses: Vec::new(),
            users: Vec::new(),
            extensions: Vec::new(),
            hunt_groups: Vec::new(),
            system_directory: Vec::new(),
        }
    }

    /// Free instances of the licence for `profile`, summed over licences granting it.
    pub fn free_licenses(&self, profile: Profile) -> u32 {
        self.licenses
            .iter()
            .filter(|l| l.status == LicenseStatus::Valid && l.profile() == Some(profile))
            .map(|l| l.free)
            .sum()
    }

    /// Every extension number in use by a user, an extension record or a hunt group.
    pub fn numbers_in_use(&self) -> std::collections::BTreeSet<ExtensionNumber> {
        let mut set = std::collections::BTreeSet::new();
        set.extend(self.users.iter().filter_map(|u| u.extension.clone()));
        set.extend(self.extensions.iter().map(|e| e.number.clone()));
        set.extend(self.hunt_groups.iter().filter_map(|h| h.extension.clone()));
        set
    }
}
