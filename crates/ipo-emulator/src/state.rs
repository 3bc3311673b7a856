//! The Rust API over the stored configuration: read it as `ipo_model` types, script changes.

use std::sync::{Arc, Mutex, MutexGuard};

use ipo_model::{
    Extension, Guid, HuntGroup, IpoSnapshot, IpoUser, License, Profile, RawFields, SystemInfo,
};

use crate::convert;
use crate::error::EmulatorError;
use crate::record::{RawRecord, RecordKind, WireError};
use crate::session::Sessions;
use crate::store::Store;
use crate::wire::RecordIn;

/// The emulated configuration (cheap to clone; every clone sees the same records).
///
/// Writes go through the same rules as the wire (names, numbers, licences, capacity), so a
/// script cannot build a configuration IP Office would refuse.
#[derive(Debug, Clone)]
pub struct EmulatorState {
    pub(crate) store: Arc<Mutex<Store>>,
    pub(crate) sessions: Arc<Mutex<Sessions>>,
}

impl EmulatorState {
    fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Users (`NoUser` included) read in the system's licensing mode.
    pub fn users(&self) -> Vec<IpoUser> {
        let s = self.lock();
        s.listed(RecordKind::User, None)
            .iter()
            .filter_map(|r| convert::user_from(r, s.mode))
            .collect()
    }

    /// Extension records.
    pub fn extensions(&self) -> Vec<Extension> {
        self.raw(RecordKind::Extension)
            .iter()
            .filter_map(convert::extension_from)
            .collect()
    }

    /// Hunt groups.
    pub fn hunt_groups(&self) -> Vec<HuntGroup> {
        self.raw(RecordKind::HuntGroup)
            .iter()
            .filter_map(convert::hunt_group_from)
            .collect()
    }

    /// Licences with their current `FreeInstances`.
    pub fn licenses(&self) -> Vec<License> {
        self.raw(RecordKind::License)
            .iter()
            .map(convert::license_from)
            .collect()
    }

    /// Free instances of the licences granting `profile`.
    pub fn free_licenses(&self, profile: Profile) -> u32 {
        self.lock().free_for(profile)
    }

    /// The system as the sync sees it (primary first, other nodes listed).
    pub fn system(&self) -> SystemInfo {
        let s = self.lock();
        let primary = s.nodes.first();
        let mut info = SystemInfo::new(
            primary.map(|n| n.name.clone()).unwrap_or_default(),
            s.version.clone(),
            s.mode,
            s.platform.clone(),
        );
        info.node_address = primary.map(|n| n.address.clone());
        info.nodes = s.nodes.iter().skip(1).map(|n| n.address.clone()).collect();
        info
    }

    /// Everything at once.
    pub fn snapshot(&self) -> IpoSnapshot {
        let mut snap = IpoSnapshot::new(self.system());
        snap.licenses = self.licenses();
        snap.users = self.users();
        snap.extensions = self.extensions();
        snap.hunt_groups = self.hunt_groups();
        snap
    }

    /// The stored records of `kind`, exactly as a GET without `ipaddress=` lists them.
    pub fn raw(&self, kind: RecordKind) -> Vec<RawRecord> {
        self.lock().listed(kind, None)
    }

    /// One stored record by GUID.
    pub fn record(&self, guid: &str) -> Option<RawRecord> {
        self.lock().record(guid).cloned()
    }

    /// Creates a record of `kind` from raw fields on `node` (`None`: the primary), as a POST
    /// would. Returns its GUID.
    pub fn add_raw(
        &self,
        kind: RecordKind,
        fields: RawFields,
        node: Option<&str>,
    ) -> Result<Guid, EmulatorError> {
        let label = format!(
            "{} {}",
            kind.element(),
            fields.text("Name").unwrap_or_default()
        );
        let rin = RecordIn {
            element: kind.element().to_owned(),
            guid: None,
            attrs: Vec::new(),
            fields,
        };
        let mut s = self.lock();
        let node = s
            .resolve_node(node)
            .map_err(|e| rejected(&label, vec![e]))?;
        let out = s
            .create(kind, rin, node, false)
            .map_err(|errors| rejected(&label, errors))?;
        guid_of(&out.attrs, &label)
    }

    /// Creates a user (profile written in the system's licensing mode).
    pub fn add_user(&self, user: &IpoUser) -> Result<Guid, EmulatorError> {
        let mode = self.lock().mode;
        self.add_raw(
            RecordKind::User,
            convert::user_fields(user, mode),
            user.node.as_deref(),
        )
    }

    /// Creates an extension record.
    pub fn add_extension(&self, ext: &Extension) -> Result<Guid, EmulatorError> {
        self.add_raw(
            RecordKind::Extension,
            convert::extension_fields(ext),
            ext.node.as_deref(),
        )
    }

    /// Creates a hunt group.
    pub fn add_hunt_group(&self, group: &HuntGroup) -> Result<Guid, EmulatorError> {
        self.add_raw(
            RecordKind::HuntGroup,
            convert::hunt_group_fields(group),
            None,
        )
    }

    /// Edits a stored record's fields in place, then stores the result as a PUT would
    /// (validated; the fields left in `fields` are exactly what is kept).
    pub fn edit_raw(
        &self,
        guid: &str,
        edit: impl FnOnce(&mut RawFields),
    ) -> Result<(), EmulatorError> {
        let mut s = self.lock();
        let Some(rec) = s.record(guid).cloned() else {
            return Err(rejected(
                &format!("record {guid}"),
                vec![WireError::new(
                    crate::codes::UNKNOWN_GUID,
                    format!("no record has GUID {guid}"),
                    s.primary(),
                )],
            ));
        };
        let mut fields = rec.fields.clone();
        edit(&mut fields);
        let rin = RecordIn {
            element: rec.kind.element().to_owned(),
            guid: Some(rec.guid.clone()),
            attrs: rec.attributes.clone(),
            fields,
        };
        s.update(rec.kind, rin, None)
            .map(|_| ())
            .map_err(|errors| rejected(&rec.label(), errors))
    }

    /// Stores a user (its `guid` must be set) as the sync would: starting from `user.raw`
    /// with the modelled fields written over it.
    pub fn update_user(&self, user: &IpoUser) -> Result<(), EmulatorError> {
        let Some(guid) = &user.guid else {
            return Err(rejected(
                &user.label(),
                vec![WireError::new(
                    crate::codes::MISSING_GUID,
                    "the user has no GUID",
                    self.lock().primary(),
                )],
            ));
        };
        let fields = convert::user_fields(user, self.lock().mode);
        self.edit_raw(guid.as_str(), |f| *f = fields)
    }

    /// Deletes a user, extension or hunt group by GUID (as `DELETE ?guid=` would).
    pub fn remove(&self, guid: &str) -> Result<(), EmulatorError> {
        let mut s = self.lock();
        let kind = s.record(guid).map(|r| r.kind).unwrap_or(RecordKind::User);
        s.delete(kind, guid, None)
            .map_err(|errors| rejected(&format!("{} {guid}", kind.element()), errors))
    }

    /// Sets the `Quantity` of the licence granting `profile`, creating the licence if none
    /// exists. `FreeInstances` follows from the users holding the profile. Returns its GUID.
    pub fn set_license(&self, profile: Profile, quantity: u32) -> String {
        self.lock().set_license_quantity(profile, quantity)
    }

    /// Ends every session, as a restart of IP Office would: clients must log in again.
    pub fn end_sessions(&self) {
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .end_all();
    }

    /// Live sessions.
    pub fn live_sessions(&self) -> usize {
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .live()
    }
}

fn rejected(record: &str, errors: Vec<WireError>) -> EmulatorError {
    EmulatorError::Rejected {
        record: record.to_owned(),
        errors,
    }
}

fn guid_of(attrs: &[(String, String)], label: &str) -> Result<Guid, EmulatorError> {
    attrs
        .iter()
        .find(|(k, _)| k == "GUID")
        .and_then(|(_, g)| g.parse().ok())
        .ok_or_else(|| EmulatorError::Seed {
            what: label.to_owned(),
            reason: "no GUID was allocated".into(),
        })
}
