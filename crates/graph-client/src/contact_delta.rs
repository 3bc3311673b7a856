//! Organisational contacts by delta (`GET /contacts/delta`, Microsoft's `orgContact: delta`,
//! v1.0): which contacts were added, changed or removed since a delta link, and their
//! complete records fetched by id (`GET /contacts/{id}` through `$batch`).
//!
//! A delta entry for a changed object is only promised to hold the properties that changed,
//! so the entries tell which contacts to read again, never what they now hold.

use ipo_model::{AzureAdContact, ContactChanges, ContactDeltaOutcome, DeltaCursor, ObjectId};
use ipo_model::{PortError, SkippedRecord};

use crate::batch::ByIds;
use crate::client::GraphClient;
use crate::contact::{CONTACT_SELECT, RawContact, label_of};
use crate::delta::{Delta, DeltaStart, Entry, Seen, reason};
use crate::error::GraphError;

/// Cursor key of the contacts delta link (kept apart from the users' and groups' cursor, so
/// a sync without contacts never reads them).
pub const CURSOR_CONTACTS: &str = "contacts";

/// Contacts that changed in one delta round (pages merged, the last entry of a contact
/// wins).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ContactsDelta {
    /// Contacts added or changed, by id: read their complete records with
    /// [`GraphClient::contacts_by_ids`] (an entry holds at least the changed properties).
    pub changed: Vec<ObjectId>,
    /// Contacts removed (`@removed`, reason `changed` or `deleted`: gone from view either way).
    pub removed: Vec<ObjectId>,
    /// Entries whose id is not a GUID, left out with their raw value.
    pub skipped: Vec<SkippedRecord>,
    /// The `@odata.deltaLink` to store.
    pub delta_link: String,
}

/// Contacts fetched by id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct FetchedContacts {
    /// Contacts found, complete records.
    pub contacts: Vec<AzureAdContact>,
    /// Ids Graph does not know (any more).
    pub missing: Vec<ObjectId>,
}

impl GraphClient {
    /// Runs one contacts delta round (`/contacts/delta?$select=id,displayName,mail,phones`)
    /// from `start`, following `@odata.nextLink` until the `@odata.deltaLink`. An expired
    /// or refused token is [`Delta::FullResyncNeeded`], as for users. Needs
    /// `OrgContact.Read.All`.
    pub async fn contacts_delta(
        &self,
        start: DeltaStart,
    ) -> Result<Delta<ContactsDelta>, GraphError> {
        let round = self
            .object_delta(
                ("/contacts/delta", CONTACT_SELECT, "contacts delta"),
                &start,
                label_of,
                |raw: RawContact| {
                    if raw.is_other_type() {
                        return Ok(Entry::Ignore);
                    }
                    let text = raw.id.clone().unwrap_or_default();
                    let id = match text.parse::<ObjectId>() {
                        Ok(id) => id,
                        Err(e) => {
                            let error = e.to_string();
                            return Ok(Entry::Malformed { id: text, error });
                        }
                    };
                    Ok(Entry::Object(
                        id,
                        match &raw.removed {
                            Some(r) => Seen::Removed(reason(r.reason.as_deref())),
                            None => Seen::Present(()),
                        },
                    ))
                },
            )
            .await?;
        // A removed contact's reason does not matter: gone from view either way.
        Ok(round.map(|r| {
            let ((changed, removed), skipped, delta_link) = r.split();
            ContactsDelta {
                changed: changed.into_iter().map(|(id, ())| id).collect(),
                removed: removed.into_iter().map(|(id, _)| id).collect(),
                skipped,
                delta_link,
            }
        }))
    }

    /// Complete contact records by id (`GET /contacts/{id}?$select=...`), 20 per `$batch`.
    pub async fn contacts_by_ids(&self, ids: &[ObjectId]) -> Result<FetchedContacts, GraphError> {
        let (found, mut missing) = self
            .objects_by_ids(
                ByIds {
                    collection: "contacts",
                    kind: "contact",
                    select: CONTACT_SELECT,
                    label: label_of,
                },
                ids,
                RawContact::into_contact,
            )
            .await?;
        let mut contacts = Vec::with_capacity(found.len());
        for (id, c) in found {
            match c {
                Some(c) => contacts.push(c),
                // Not a contact (any more): out of the contacts' view.
                None => missing.push(id),
            }
        }
        Ok(FetchedContacts { contacts, missing })
    }

    /// A "from now on" contacts cursor (`$deltatoken=latest`): no contacts, only a link.
    pub async fn latest_contacts_link(&self) -> Result<DeltaCursor, PortError> {
        match self.contacts_delta(DeltaStart::Latest).await? {
            Delta::Changes(d) => {
                let mut cursor = DeltaCursor::default();
                cursor.0.insert(CURSOR_CONTACTS.to_owned(), d.delta_link);
                Ok(cursor)
            }
            Delta::FullResyncNeeded { reason } => Err(PortError::Other(format!(
                "Graph refused a fresh {CURSOR_CONTACTS} delta token: {reason}"
            ))),
        }
    }

    /// What changed in the contacts since `cursor` (see
    /// [`AzureAdSource::contact_changes`](ipo_model::AzureAdSource::contact_changes)):
    /// one delta round, then the added and changed contacts read again by id; a contact
    /// that changed and was gone before it could be read counts as removed.
    pub async fn changed_contacts(
        &self,
        cursor: &DeltaCursor,
    ) -> Result<ContactDeltaOutcome, GraphError> {
        let Some(link) = cursor.0.get(CURSOR_CONTACTS) else {
            return Ok(ContactDeltaOutcome::FullResyncNeeded {
                reason: "the cursor holds no Graph contacts delta link".into(),
            });
        };
        let delta = match self.contacts_delta(DeltaStart::Link(link.clone())).await? {
            Delta::Changes(d) => d,
            Delta::FullResyncNeeded { reason } => {
                return Ok(ContactDeltaOutcome::FullResyncNeeded { reason });
            }
        };
        let fetched = if delta.changed.is_empty() {
            FetchedContacts::default()
        } else {
            self.contacts_by_ids(&delta.changed).await?
        };
        let mut changes = ContactChanges::default();
        changes.updated = fetched.contacts;
        changes.removed = delta.removed;
        changes.removed.extend(fetched.missing);
        changes.skipped = delta.skipped;
        changes
            .cursor
            .0
            .insert(CURSOR_CONTACTS.to_owned(), delta.delta_link);
        Ok(ContactDeltaOutcome::Changes(changes))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::contact::RawContact;

    #[test]
    fn a_removed_entry_is_told_apart_from_a_change() {
        let raw: RawContact = serde_json::from_str(
            r#"{"id":"25caf940-7b3d-4ab6-8a7c-6b2f1e9c4a11","@removed":{"reason":"deleted"}}"#,
        )
        .unwrap();
        assert!(raw.removed.is_some());
        let raw: RawContact =
            serde_json::from_str(r#"{"id":"25caf940-7b3d-4ab6-8a7c-6b2f1e9c4a11","phones":[]}"#)
                .unwrap();
        assert!(raw.removed.is_none());
    }
}
