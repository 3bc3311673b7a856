//! An organisational contact of Azure AD (Graph `orgContact`): someone outside the
//! organisation its administrators list, with the numbers IP Office users may call.

use serde::{Deserialize, Serialize};

use crate::id::ObjectId;

/// An organisational contact with the properties a directory needs. Graph gives its numbers
/// as `phones` (`{type, number}`); the business and mobile ones are kept here, as for users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AzureAdContact {
    /// `id`.
    pub id: ObjectId,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `mail`.
    pub mail: Option<String>,
    /// The `phones` of type `business`, in Graph's order, as typed by people.
    pub business_phones: Vec<String>,
    /// The first of `phones` of type `mobile`.
    pub mobile_phone: Option<String>,
}

impl AzureAdContact {
    /// A contact with only its id set.
    pub fn new(id: ObjectId) -> Self {
        Self {
            id,
            display_name: None,
            mail: None,
            business_phones: Vec::new(),
            mobile_phone: None,
        }
    }

    /// A short label for reports: the display name, else the mail, else the id.
    pub fn label(&self) -> String {
        self.display_name
            .clone()
            .or_else(|| self.mail.clone())
            .unwrap_or_else(|| self.id.to_string())
    }
}

/// What changed in the organisation's contacts since a contacts cursor
/// ([`AzureAdSource::contact_changes`](crate::AzureAdSource::contact_changes)).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContactChanges {
    /// Contacts added or changed, as complete records (not partial delta objects).
    pub updated: Vec<AzureAdContact>,
    /// Contacts gone from the directory (deleted, or out of view).
    pub removed: Vec<ObjectId>,
    /// Where to resume next time.
    pub cursor: crate::DeltaCursor,
    /// Malformed records the source left out (with their raw value), so that one bad record
    /// does not stop every later run on the same cursor.
    #[serde(default)]
    pub skipped: Vec<crate::SkippedRecord>,
}

/// The answer to "what changed in the contacts since this cursor".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ContactDeltaOutcome {
    /// The changes, and the new cursor.
    Changes(ContactChanges),
    /// The cursor expired or is unusable: read every contact again. A normal outcome.
    FullResyncNeeded {
        /// What the directory said (e.g. `syncStateNotFound`, `410 Gone`).
        reason: String,
    },
}
