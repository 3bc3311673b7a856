//! Which IP Office record an action or outcome concerns.

use std::fmt;

use ipo_model::Guid;
use serde::{Deserialize, Serialize};

use crate::text::Text;

/// The kind of an IP Office record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecordKind {
    /// A user.
    User,
    /// An extension record.
    Extension,
    /// A hunt group.
    HuntGroup,
    /// A system directory entry.
    SystemDirectoryEntry,
}

impl RecordKind {
    /// How an administrator calls it (`user`, `extension`, `hunt group`, `directory entry`).
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::User => "user",
            RecordKind::Extension => "extension",
            RecordKind::HuntGroup => "hunt group",
            RecordKind::SystemDirectoryEntry => "directory entry",
        }
    }
}

/// An IP Office record by kind, name (or number) and GUID when it has one; shown as
/// `user Ann Lee (GUID)`. Holding the parts instead of the sentence lets a program match
/// on them.
///
/// ```
/// use sync_engine::{RecordKind, RecordRef};
/// let r = RecordRef::new(RecordKind::Extension, "402".parse::<ipo_model::ExtensionNumber>()?);
/// assert_eq!(r.to_string(), "extension 402");
/// # Ok::<(), ipo_model::InvalidValue>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordRef {
    /// What kind of record.
    pub kind: RecordKind,
    /// Its name, or its number for an extension.
    pub name: Text,
    /// Its GUID, when it exists in IP Office and has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid: Option<Guid>,
}

impl RecordRef {
    /// A record without a GUID (one about to be created, or one IP Office keys by name).
    pub fn new(kind: RecordKind, name: impl Into<Text>) -> Self {
        Self {
            kind,
            name: name.into(),
            guid: None,
        }
    }

    /// The same record with its GUID.
    pub fn with_guid(mut self, guid: Option<Guid>) -> Self {
        self.guid = guid;
        self
    }
}

impl fmt::Display for RecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.as_str(), self.name)?;
        if let Some(g) = &self.guid {
            write!(f, " ({g})")?;
        }
        Ok(())
    }
}
