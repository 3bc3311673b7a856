//! The in-memory IP Office ([`MemoryIpo`]), split from `memory.rs` so each file stays
//! readable; it enforces the rules a real IP Office enforces.

use std::sync::Mutex;

use async_trait::async_trait;

use super::lock;
use crate::id::Guid;
use crate::ipo::{Extension, HuntGroup, IpoSnapshot, IpoUser, NO_USER, SystemDirectoryEntry};
use crate::name::FullName;
use crate::port::{Applied, ChangeOutcome, IpoChange, IpoConfigStore, PortError};
use crate::profile::Profile;

#[derive(Debug)]
struct IpoState {
    snapshot: IpoSnapshot,
    next_guid: u64,
    next_port: u32,
    writes: usize,
    write_budget: Option<usize>,
}

/// An IP Office configuration in memory, enforcing what IP Office enforces: unique user and
/// hunt-group names (case-sensitive, as IP Office compares them), unique extension numbers
/// across users and hunt groups, unique extension records, the platform's user capacity,
/// licences consumed by licensed profiles, hunt-group members that must be IP Office users,
/// and `NoUser` present and untouchable.
///
/// `set_write_budget` makes it stop accepting writes after k of them, as if the process
/// applying a plan had crashed: for crash-safety tests.
#[derive(Debug)]
pub struct MemoryIpo {
    state: Mutex<IpoState>,
}

fn profile_consumes_license(p: Profile) -> bool {
    !matches!(
        p,
        Profile::BasicUser | Profile::NonLicensed | Profile::Unknown(_)
    )
}

impl MemoryIpo {
    /// A configuration from a snapshot. `NoUser` is added if missing; records without a
    /// GUID get one.
    pub fn new(mut snapshot: IpoSnapshot) -> Self {
        if !snapshot.users.iter().any(IpoUser::is_no_user)
            && let Ok(name) = NO_USER.parse()
        {
            let mut no_user = IpoUser::new(name, snapshot.system.licensing_mode);
            no_user.profile = Profile::NonLicensed;
            snapshot.users.insert(0, no_user);
        }
        let mut state = IpoState {
            snapshot,
            next_guid: 1,
            next_port: 1,
            writes: 0,
            write_budget: None,
        };
        let mut users = std::mem::take(&mut state.snapshot.users);
        for u in &mut users {
            if u.guid.is_none() {
                u.guid = Some(state.guid());
            }
        }
        state.snapshot.users = users;
        let mut exts = std::mem::take(&mut state.snapshot.extensions);
        for e in &mut exts {
            if e.guid.is_none() {
                e.guid = Some(state.guid());
            }
            if let Some(id) = e.id {
                state.next_port = state.next_port.max(id + 1);
            }
        }
        state.snapshot.extensions = exts;
        let mut hgs = std::mem::take(&mut state.snapshot.hunt_groups);
        for h in &mut hgs {
            if h.guid.is_none() {
                h.guid = Some(state.guid());
            }
        }
        state.snapshot.hunt_groups = hgs;
        Self {
            state: Mutex::new(state),
        }
    }

    /// The configuration as it is now.
    pub fn current(&self) -> IpoSnapshot {
        lock(&self.state).snapshot.clone()
    }

    /// Writes performed so far (successful or refused).
    pub fn writes(&self) -> usize {
        lock(&self.state).writes
    }

    /// Accept only `budget` more writes; later ones fail with [`PortError::Unavailable`].
    /// `None` lifts the limit.
    pub fn set_write_budget(&self, budget: Option<usize>) {
        lock(&self.state).write_budget = budget;
    }

    /// Changes the configuration directly, as an administrator in Manager would.
    pub fn edit(&self, f: impl FnOnce(&mut IpoSnapshot)) {
        f(&mut lock(&self.state).snapshot);
    }
}

impl IpoState {
    fn guid(&mut self) -> Guid {
        let n = self.next_guid;
        self.next_guid += 1;
        // 32 hex digits, like IP Office's GUIDs; always valid hex.
        Guid::try_from(format!("{n:032X}").as_str()).unwrap_or_else(|_| unreachable!())
    }

    fn conflict(record: String, message: impl Into<String>) -> PortError {
        PortError::Conflict {
            record,
            message: message.into(),
        }
    }

    fn check_user(&self, u: &IpoUser, replacing: Option<&Guid>) -> Result<(), PortError> {
        let s = &self.snapshot;
        let others = || s.users.iter().filter(|o| o.guid.as_ref() != replacing);
        if others().any(|o| o.name == u.name) {
            return Err(Self::conflict(
                u.label(),
                format!("name {} already exists", u.name),
            ));
        }
        if s.hunt_groups.iter().any(|h| h.name == u.name) {
            return Err(Self::conflict(
                u.label(),
                format!("name {} is used by a hunt group", u.name),
            ));
        }
        if let Some(ext) = &u.extension
            && (others().any(|o| o.extension.as_ref() == Some(ext))
                || s.hunt_groups
                    .iter()
                    .any(|h| h.extension.as_ref() == Some(ext)))
        {
            return Err(Self::conflict(
                u.label(),
                format!("extension {ext} conflicts with another user or hunt group"),
            ));
        }
        if !u.profile.is_valid_in(s.system.licensing_mode) {
            return Err(Self::conflict(
                u.label(),
                format!(
                    "profile {} does not exist in {} mode",
                    u.profile, s.system.licensing_mode
                ),
            ));
        }
        let old_profile = replacing
            .and_then(|g| s.users.iter().find(|o| o.guid.as_ref() == Some(g)))
            .map(|o| o.profile);
        if profile_consumes_license(u.profile)
            && old_profile != Some(u.profile)
            && s.free_licenses(u.profile) == 0
        {
            return Err(PortError::Rejected {
                record: u.label(),
                errors: vec![crate::port::ApiError::new(
                    "license",
                    format!("no free {} licence", u.profile),
                )],
            });
        }
        Ok(())
    }

    fn adjust_license(&mut self, profile: Profile, delta: i64) {
        if !profile_consumes_license(profile) {
            return;
        }
        if let Some(l) = self
            .snapshot
            .licenses
            .iter_mut()
            .find(|l| l.profile() == Some(profile) && (delta > 0 || l.free > 0))
        {
            let free = i64::from(l.free) + delta;
            l.free = u32::try_from(free.clamp(0, i64::from(l.quantity))).unwrap_or(0);
        }
    }

    fn apply_one(&mut self, change: IpoChange) -> ChangeOutcome {
        let label = change.label();
        match change {
            IpoChange::CreateExtension(e) => self.create_extension(label, e),
            IpoChange::CreateUser(u) => self.create_user(label, u),
            IpoChange::UpdateUser(u) => self.update_user(label, u),
            IpoChange::DeleteUser { guid, .. } => self.delete_user(label, guid),
            IpoChange::DeleteExtension { guid, .. } => self.delete_extension(label, guid),
            IpoChange::UpdateHuntGroup(h) => self.update_hunt_group(label, h),
            IpoChange::PutDirectoryEntry(d) => self.put_directory_entry(d),
            IpoChange::RemoveDirectoryEntry { name } => self.remove_directory_entry(label, name),
        }
    }

    /// Creates an extension record: a unique number, within the platform's capacity.
    fn create_extension(&mut self, label: String, mut e: Extension) -> ChangeOutcome {
        if self
            .snapshot
            .extensions
            .iter()
            .any(|x| x.number == e.number)
        {
            return Err(Self::conflict(
                label,
                format!("extension {} exists", e.number),
            ));
        }
        if let Some(max) = self.snapshot.system.platform.max_extensions()
            && self.snapshot.extensions.len() >= max
        {
            return Err(Self::conflict(
                label,
                format!("capacity of {max} extensions reached"),
            ));
        }
        let guid = self.guid();
        e.guid = Some(guid.clone());
        e.id = Some(self.next_port);
        self.next_port += 1;
        self.snapshot.extensions.push(e);
        Ok(Applied::new(Some(guid)))
    }

    /// Creates a user: no GUID yet, IP Office's rules, the platform's capacity, a licence.
    fn create_user(&mut self, label: String, mut u: IpoUser) -> ChangeOutcome {
        if u.guid.is_some() {
            return Err(PortError::InvalidData {
                record: label,
                field: "GUID".into(),
                message: "a new user must not carry a GUID".into(),
            });
        }
        self.check_user(&u, None)?;
        if let Some(max) = self.snapshot.system.platform.max_users()
            && self.snapshot.users.len() >= max
        {
            return Err(Self::conflict(
                label,
                format!("capacity of {max} users reached"),
            ));
        }
        self.adjust_license(u.profile, -1);
        let guid = self.guid();
        u.guid = Some(guid.clone());
        self.snapshot.users.push(u);
        Ok(Applied::new(Some(guid)))
    }

    /// Replaces a user by GUID (never NoUser), moving the licence when the profile changes.
    fn update_user(&mut self, label: String, u: IpoUser) -> ChangeOutcome {
        let Some(guid) = u.guid.clone() else {
            return Err(PortError::InvalidData {
                record: label,
                field: "GUID".into(),
                message: "an update needs the record's GUID".into(),
            });
        };
        let Some(idx) = self
            .snapshot
            .users
            .iter()
            .position(|o| o.guid.as_ref() == Some(&guid))
        else {
            return Err(PortError::NotFound(label));
        };
        if self.snapshot.users[idx].is_no_user() || u.is_no_user() {
            return Err(Self::conflict(
                label,
                "NoUser is built in and never changed",
            ));
        }
        self.check_user(&u, Some(&guid))?;
        let old = self.snapshot.users[idx].profile;
        if old != u.profile {
            self.adjust_license(old, 1);
            self.adjust_license(u.profile, -1);
        }
        self.snapshot.users[idx] = u;
        Ok(Applied::new(None))
    }

    /// Deletes a user (never NoUser): its licence is freed and its extension leaves hunt groups.
    fn delete_user(&mut self, label: String, guid: Guid) -> ChangeOutcome {
        let Some(idx) = self
            .snapshot
            .users
            .iter()
            .position(|o| o.guid.as_ref() == Some(&guid))
        else {
            return Err(PortError::NotFound(label));
        };
        if self.snapshot.users[idx].is_no_user() {
            return Err(Self::conflict(
                label,
                "NoUser is built in and never deleted",
            ));
        }
        let u = self.snapshot.users.remove(idx);
        self.adjust_license(u.profile, 1);
        if let Some(ext) = &u.extension {
            for h in &mut self.snapshot.hunt_groups {
                h.members.retain(|m| m != ext);
            }
        }
        Ok(Applied::new(None))
    }

    /// Deletes an extension record by GUID.
    fn delete_extension(&mut self, label: String, guid: Guid) -> ChangeOutcome {
        let before = self.snapshot.extensions.len();
        self.snapshot
            .extensions
            .retain(|e| e.guid.as_ref() != Some(&guid));
        if self.snapshot.extensions.len() == before {
            return Err(PortError::NotFound(label));
        }
        Ok(Applied::new(None))
    }

    /// Replaces a hunt group: a unique name, a free extension outside the reserved range, members that are users' extensions.
    fn update_hunt_group(&mut self, label: String, h: HuntGroup) -> ChangeOutcome {
        let Some(idx) = h.guid.as_ref().and_then(|g| {
            self.snapshot
                .hunt_groups
                .iter()
                .position(|o| o.guid.as_ref() == Some(g))
        }) else {
            return Err(PortError::NotFound(label));
        };
        let others = |o: &&HuntGroup| o.guid != h.guid;
        if self.snapshot.users.iter().any(|u| u.name == h.name)
            || self
                .snapshot
                .hunt_groups
                .iter()
                .filter(others)
                .any(|o| o.name == h.name)
        {
            return Err(Self::conflict(
                label,
                format!("name {} already exists", h.name),
            ));
        }
        if let Some(e) = &h.extension {
            if e.is_hunt_group_reserved() {
                return Err(Self::conflict(
                    label,
                    format!("extension {e} is reserved (8897-9999)"),
                ));
            }
            if self
                .snapshot
                .users
                .iter()
                .any(|u| u.extension.as_ref() == Some(e))
                || self
                    .snapshot
                    .hunt_groups
                    .iter()
                    .filter(others)
                    .any(|o| o.extension.as_ref() == Some(e))
            {
                return Err(Self::conflict(
                    label,
                    format!("extension {e} conflicts with a user or hunt group"),
                ));
            }
        }
        if let Some(m) = h.members.iter().find(|m| {
            !self
                .snapshot
                .users
                .iter()
                .any(|u| u.extension.as_ref() == Some(*m))
        }) {
            return Err(Self::conflict(
                label,
                format!("member {m} is not the extension of an IP Office user"),
            ));
        }
        self.snapshot.hunt_groups[idx] = h;
        Ok(Applied::new(None))
    }

    /// Adds a system directory entry, or replaces the one of that name.
    fn put_directory_entry(&mut self, d: SystemDirectoryEntry) -> ChangeOutcome {
        match self
            .snapshot
            .system_directory
            .iter_mut()
            .find(|x| x.name == d.name)
        {
            Some(x) => *x = d,
            None => self.snapshot.system_directory.push(d),
        }
        Ok(Applied::new(None))
    }

    /// Removes the system directory entry of that name.
    fn remove_directory_entry(&mut self, label: String, name: FullName) -> ChangeOutcome {
        let before = self.snapshot.system_directory.len();
        self.snapshot.system_directory.retain(|x| x.name != name);
        if self.snapshot.system_directory.len() == before {
            return Err(PortError::NotFound(label));
        }
        Ok(Applied::new(None))
    }
}

#[async_trait]
impl IpoConfigStore for MemoryIpo {
    async fn snapshot(&self) -> Result<IpoSnapshot, PortError> {
        Ok(self.current())
    }

    async fn apply(&self, changes: Vec<IpoChange>) -> Vec<ChangeOutcome> {
        let mut st = lock(&self.state);
        changes
            .into_iter()
            .map(|c| {
                if st.write_budget == Some(0) {
                    return Err(PortError::Unavailable {
                        service: "IP Office (memory)".into(),
                        detail: format!("write budget exhausted before {}", c.label()),
                    });
                }
                if let Some(b) = st.write_budget.as_mut() {
                    *b -= 1;
                }
                st.writes += 1;
                st.apply_one(c)
            })
            .collect()
    }
}
