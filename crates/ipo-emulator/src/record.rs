//! Stored records and the error nodes the emulator answers with.

use ipo_model::RawFields;

/// The Management API resources the emulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RecordKind {
    /// `systems` / `System`: one per node, built from the configuration.
    System,
    /// `licenses` / `License`: read-only on the wire.
    License,
    /// `users` / `User`.
    User,
    /// `extensions` / `Extension`.
    Extension,
    /// `huntgroups` / `HuntGroup`.
    HuntGroup,
}

impl RecordKind {
    /// The name of the error node of a refused write of this kind, as the guide shows
    /// them: `USER`, `EXTENSION`, `HUNTGROUP` (and, by the same rule, `SYSTEM`, `LICENSE`).
    pub fn error_node(self) -> &'static str {
        match self {
            RecordKind::System => "SYSTEM",
            RecordKind::License => "LICENSE",
            RecordKind::User => "USER",
            RecordKind::Extension => "EXTENSION",
            RecordKind::HuntGroup => "HUNTGROUP",
        }
    }

    /// Every kind, in listing order.
    pub const ALL: [RecordKind; 5] = [
        RecordKind::System,
        RecordKind::License,
        RecordKind::User,
        RecordKind::Extension,
        RecordKind::HuntGroup,
    ];

    /// The record element name (`User`).
    pub fn element(self) -> &'static str {
        match self {
            RecordKind::System => "System",
            RecordKind::License => "License",
            RecordKind::User => "User",
            RecordKind::Extension => "Extension",
            RecordKind::HuntGroup => "HuntGroup",
        }
    }

    /// The resource path segment below `/WebManagement/ws/sdk/admin/v1/` (`users`).
    pub fn resource(self) -> &'static str {
        match self {
            RecordKind::System => "systems",
            RecordKind::License => "licenses",
            RecordKind::User => "users",
            RecordKind::Extension => "extensions",
            RecordKind::HuntGroup => "huntgroups",
        }
    }

    /// The kind served under a resource path segment.
    pub fn from_resource(segment: &str) -> Option<RecordKind> {
        Self::ALL.into_iter().find(|k| k.resource() == segment)
    }
}

/// One stored record, kept generically so that every field a client sent comes back verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RawRecord {
    /// What it is.
    pub kind: RecordKind,
    /// Its GUID (32 hex digits when the emulator made it).
    pub guid: String,
    /// The node (LAN1 address) it lives on; `None` is the primary.
    pub node: Option<String>,
    /// Attributes of the record element other than `GUID`, as sent.
    pub attributes: Vec<(String, String)>,
    /// The fields, in the order they were sent.
    pub fields: RawFields,
}

impl RawRecord {
    /// A record of `kind` with these fields.
    pub fn new(kind: RecordKind, guid: impl Into<String>, fields: RawFields) -> Self {
        Self {
            kind,
            guid: guid.into(),
            node: None,
            attributes: Vec::new(),
            fields,
        }
    }

    /// The field `name` as text, `""` when absent.
    pub fn text(&self, name: &str) -> String {
        self.fields
            .text(name)
            .map(|c| c.into_owned())
            .unwrap_or_default()
    }

    /// A label for errors and logs: `user Ann (GUID)`.
    pub fn label(&self) -> String {
        let name = self.text("Name");
        let name = if name.is_empty() {
            self.text("LicenseKey")
        } else {
            name
        };
        format!("{} {name} ({})", self.kind.element(), self.guid)
    }
}

/// Error codes the emulator answers with (docs/ipo-wire.md, "Error codes": which are the
/// guide's and which are assumed).
pub mod codes {
    /// The session expired: log in again and repeat the request (guide, `SMAError`).
    pub const SESSION_TIMEOUT: &str = "461:SessionTimeout";
    /// "A user or huntgroup with the specified Name Already Exist." (guide, `USER` /
    /// `HUNTGROUP`).
    pub const DUPLICATE_NAME: &str = "9020";
    /// "Extension conflicts with another user" (guide, on a user write).
    pub const DUPLICATE_EXTENSION: &str = "18011";
    /// On an extension write: the guide shows the code, not its meaning; the emulator
    /// answers it when the number is taken (assumption).
    pub const EXTENSION_WRITE: &str = "9042";
    /// On a hunt-group write: the guide shows the code, not its meaning; the emulator
    /// answers it when the number is taken (assumption).
    pub const HUNT_GROUP_WRITE: &str = "10003";
    /// A PUT record carried no GUID (assumed name).
    pub const MISSING_GUID: &str = "MissingGUID";
    /// No record of this kind has the GUID (guide: `SMAError` `404:NotFound` on a DELETE;
    /// the emulator answers it for a PUT too, in the record's error node: assumption).
    pub const UNKNOWN_GUID: &str = "404:NotFound";
    /// No free licence for the profile asked for.
    pub const NO_LICENSE: &str = "NoLicense";
    /// The platform holds no more records of this kind.
    pub const CAPACITY_EXCEEDED: &str = "CapacityExceeded";
    /// The record (`NoUser`) cannot be changed or deleted.
    pub const READ_ONLY_RECORD: &str = "ReadOnlyRecord";
    /// A field value breaks IP Office's rules, or the request is malformed.
    pub const INVALID_VALUE: &str = "InvalidValue";
    /// Login refused, or no session.
    pub const UNAUTHORIZED: &str = "Unauthorized";
}

/// One `<error>` of an `SMAError` node.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WireError {
    /// `error_code`, one of [`codes`].
    pub code: String,
    /// `error_desc`: human text naming the field and value (never a secret).
    pub desc: String,
    /// `errorLocation`: the node address.
    pub location: String,
    /// `cause_data`: the record's name, as the guide shows it (empty: none).
    pub cause_data: String,
}

impl WireError {
    /// An error node.
    pub fn new(code: &str, desc: impl Into<String>, location: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            desc: desc.into(),
            location: location.into(),
            cause_data: String::new(),
        }
    }
}
