//! Reading the organisation's Azure AD contacts for a run: only their changes since the
//! stored contacts cursor on an incremental run, merged into the contacts the state keeps;
//! all of them (with a fresh cursor taken first) otherwise.

use std::collections::BTreeMap;

use ipo_model::{
    AzureAdContact, AzureAdSource, ContactDeltaOutcome, DeltaCursor, ObjectId, PortError,
    SkippedRecord,
};
use tracing::{info, warn};

use crate::config::SystemDirectorySettings;
use crate::error::SyncError;
use crate::state::SyncState;

/// The contacts a run plans with, and what to remember of the read.
#[derive(Debug, Default)]
pub(crate) struct ContactsRead {
    /// Every contact the directory holds now, by id (empty when contacts are off).
    pub(crate) contacts: BTreeMap<ObjectId, AzureAdContact>,
    /// Where the contacts' change stream stands now; `None`: the next run reads them all.
    pub(crate) cursor: Option<DeltaCursor>,
    /// Whether only changes were read.
    pub(crate) incremental: bool,
    /// Why they were read in full although an incremental run was asked for.
    pub(crate) full_resync_reason: Option<String>,
}

/// Reads the contacts when the directory carries them (`enabled` and `contacts`); with
/// contacts off, nothing is asked of the source at all.
pub(crate) async fn read_contacts(
    source: &dyn AzureAdSource,
    settings: &SystemDirectorySettings,
    state: &SyncState,
    incremental: bool,
    skipped: &mut Vec<SkippedRecord>,
) -> Result<ContactsRead, SyncError> {
    if !(settings.enabled && settings.contacts) {
        return Ok(ContactsRead::default());
    }
    let mut reason = None;
    if incremental {
        match &state.contacts_cursor {
            Some(cursor) => match source
                .contact_changes(cursor)
                .await
                .map_err(SyncError::Directory)?
            {
                ContactDeltaOutcome::Changes(mut changes) => {
                    for s in &changes.skipped {
                        warn!(skipped = %s, "malformed contact record skipped");
                    }
                    skipped.append(&mut changes.skipped);
                    let mut contacts = state.azure_ad_contacts.clone();
                    for id in &changes.removed {
                        contacts.remove(id);
                    }
                    // Complete records: a new contact is added, a changed one replaced.
                    for c in changes.updated {
                        contacts.insert(c.id.clone(), c);
                    }
                    return Ok(ContactsRead {
                        contacts,
                        cursor: Some(changes.cursor),
                        incremental: true,
                        full_resync_reason: None,
                    });
                }
                ContactDeltaOutcome::FullResyncNeeded { reason: r } => {
                    info!(reason = %r, "contacts: the directory asks for a full read");
                    reason = Some(r);
                }
                _ => reason = Some("unknown contacts delta outcome".into()),
            },
            None => reason = Some("no saved contacts cursor yet".into()),
        }
    }
    // The cursor first, so that nothing that changes during the read is missed. A refused
    // credential or permission ends the run; other failures only cost the next run its
    // delta.
    let cursor = match source.latest_contacts_cursor().await {
        Ok(c) => c,
        Err(e @ (PortError::Auth(_) | PortError::Permission(_))) => {
            return Err(SyncError::Directory(e));
        }
        Err(e) => {
            warn!(error = %e, "no contacts delta cursor: the next run reads contacts in full");
            None
        }
    };
    let contacts = source
        .contacts()
        .await
        .map_err(SyncError::Directory)?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    Ok(ContactsRead {
        contacts,
        cursor,
        incremental: false,
        full_resync_reason: reason,
    })
}
