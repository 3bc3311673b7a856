//! What every stage reads and none changes: the configuration, the snapshot (indexed once),
//! the options and what Teams holds.

use std::collections::BTreeMap;

use ipo_model::{IpoSnapshot, LicensingMode, ObjectId};
use usertype_rules::TeamsAssigned;

use super::PlanOptions;
use super::index::Index;
use crate::config::SyncConfig;
use crate::state::{Link, PendingCreate, SyncState};
use crate::teams::TeamsFacts;
use crate::text::Text;

pub(super) struct Context<'a> {
    pub(super) config: &'a SyncConfig,
    pub(super) snapshot: &'a IpoSnapshot,
    pub(super) options: &'a PlanOptions,
    pub(super) mode: LicensingMode,
    pub(super) ix: Index<'a>,
    /// The entries kept for Azure AD contacts, by contact.
    pub(super) contact_links: &'a BTreeMap<ObjectId, Link>,
    /// The creates an interrupted run had in flight (a contact's are recovered with them).
    pub(super) pending: &'a BTreeMap<ObjectId, PendingCreate>,
    /// Each rule's label, made once for every plan line that names it.
    pub(super) rule_labels: Vec<Text>,
    /// What Teams holds (number holders, former members' set-up).
    pub(super) teams: &'a TeamsFacts,
    /// What the sync assigned in Teams before, per person.
    pub(super) teams_assigned: &'a BTreeMap<ObjectId, TeamsAssigned>,
}

impl<'a> Context<'a> {
    pub(super) fn new(
        config: &'a SyncConfig,
        snapshot: &'a IpoSnapshot,
        state: &'a SyncState,
        options: &'a PlanOptions,
        teams: &'a TeamsFacts,
    ) -> Self {
        Context {
            config,
            snapshot,
            options,
            mode: snapshot.system.licensing_mode,
            ix: Index::new(snapshot, !state.pending.is_empty()),
            contact_links: &state.contacts,
            pending: &state.pending,
            rule_labels: config.rules.iter().map(|r| Text::from(r.label())).collect(),
            teams,
            teams_assigned: &state.teams,
        }
    }

    /// Whether `id` is the person being explained (their trace is filled, and only their
    /// actions kept).
    pub(super) fn explains(&self, id: &ObjectId) -> bool {
        self.options.explain.as_ref() == Some(id)
    }
}

impl Context<'_> {
    /// The node holding the extension record `guid`, as read (deletes go there).
    pub(super) fn extension_node(&self, guid: &ipo_model::Guid) -> Option<String> {
        self.ix.ext_by_guid.get(guid).and_then(|e| e.node.clone())
    }
}
