//! What the sync remembers between runs: which IP Office records it owns, the directory
//! delta cursors and a cache of the directory (people and contacts) for incremental runs.
//! Never a secret.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ipo_model::{
    AzureAdContact, AzureAdUser, DeltaCursor, ExtensionNumber, FullName, Guid, ObjectId, UserName,
    UserType,
};
use serde::{Deserialize, Serialize};

use crate::config::SystemDirectoryNumber;
use crate::error::StateError;
use crate::report::RunSummary;
use crate::teams::PendingTeamsOperation;
use usertype_rules::TeamsAssigned;

/// Current state format version.
pub const STATE_VERSION: u32 = 1;

/// The IP Office records the sync owns for one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Link {
    /// The user's GUID.
    pub user: Option<Guid>,
    /// The user's name when last written.
    pub name: Option<UserName>,
    /// The extension record the sync created, if any.
    pub extension: Option<Guid>,
    /// Its number.
    pub extension_number: Option<ExtensionNumber>,
    /// The directory entry the sync maintains (Teams-only people): the one named after the
    /// person, for the number Teams rings.
    pub directory_entry: Option<FullName>,
    /// The entries for the person's other numbers (`[sync.system_directory] numbers`), by number.
    /// Absent from state files written before there were any (read as none).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub directory_extra: BTreeMap<SystemDirectoryNumber, FullName>,
    /// The type the person had when last synced.
    pub user_type: UserType,
    /// The source value the name was derived from (renames happen only when it changes).
    pub name_source: Option<String>,
    /// Whether the sync disabled the user (removal policy `disable`); re-enabled when the
    /// person comes back into scope.
    #[serde(default)]
    pub disabled: bool,
}

impl Link {
    /// A link of the given type with nothing owned yet.
    pub fn new(user_type: UserType) -> Self {
        Self {
            user: None,
            name: None,
            extension: None,
            extension_number: None,
            directory_entry: None,
            directory_extra: BTreeMap::new(),
            user_type,
            name_source: None,
            disabled: false,
        }
    }

    /// Every system directory entry the link owns.
    pub fn directory_entries(&self) -> impl Iterator<Item = &FullName> {
        self.directory_entry
            .iter()
            .chain(self.directory_extra.values())
    }

    /// Forgets the entry named `name`, whichever number it is for.
    pub(crate) fn forget_entry(&mut self, name: &FullName) {
        if self.directory_entry.as_ref() == Some(name) {
            self.directory_entry = None;
        }
        self.directory_extra.retain(|_, n| n != name);
    }

    /// Remembers the entry `name` for `number`.
    pub(crate) fn own_entry(&mut self, number: SystemDirectoryNumber, name: FullName) {
        match number {
            SystemDirectoryNumber::Teams => self.directory_entry = Some(name),
            _ => {
                self.directory_extra.insert(number, name);
            }
        }
    }

    /// Whether the link owns nothing and remembers nothing worth keeping.
    pub fn is_empty(&self) -> bool {
        self.user.is_none()
            && self.extension.is_none()
            && self.directory_entry.is_none()
            && self.directory_extra.is_empty()
    }
}

/// A create that was about to be sent when the state was last saved. If the process died
/// after IP Office created the record but before the link was saved, the next run finds the
/// record by these values and links it instead of creating a duplicate (write-ahead intent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PendingCreate {
    /// The user name being created.
    pub name: Option<UserName>,
    /// The extension number being created.
    pub extension_number: Option<ExtensionNumber>,
    /// The directory entry being created.
    pub directory_entry: Option<FullName>,
    /// The entries for other numbers being created (absent in older state files).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub directory_extra: BTreeMap<SystemDirectoryNumber, FullName>,
    /// The type.
    pub user_type: UserType,
    /// Name source value.
    pub name_source: Option<String>,
    /// The directory entries are an Azure AD contact's (recovered into
    /// [`SyncState::contacts`], not into the people's links).
    #[serde(default)]
    pub contact: bool,
}

/// Everything the sync remembers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SyncState {
    /// Format version.
    pub version: u32,
    /// Owned records per Azure AD object id.
    pub links: BTreeMap<ObjectId, Link>,
    /// Creates in flight (see [`PendingCreate`]).
    #[serde(default)]
    pub pending: BTreeMap<ObjectId, PendingCreate>,
    /// Where the directory's change stream was last read.
    #[serde(default)]
    pub cursor: Option<DeltaCursor>,
    /// The in-scope Azure AD users as last read, for incremental runs (`directory` in
    /// state files written before it was named so).
    #[serde(default, alias = "directory")]
    pub azure_ad: BTreeMap<ObjectId, AzureAdUser>,
    /// The last run.
    #[serde(default)]
    pub last_run: Option<RunSummary>,
    /// The system directory entries kept for Azure AD contacts, per contact id (only the
    /// directory entries of each link are used).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub contacts: BTreeMap<ObjectId, Link>,
    /// Where the contacts' change stream was last read (apart from [`SyncState::cursor`]:
    /// a sync without contacts never reads them). Absent: the next run reads every contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts_cursor: Option<DeltaCursor>,
    /// The Azure AD contacts as last read, by id, for incremental runs: what the planner
    /// needs of each (name, mail, business and mobile numbers), nothing secret.
    /// (`contact_directory` in older state files.)
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        alias = "contact_directory"
    )]
    pub azure_ad_contacts: BTreeMap<ObjectId, AzureAdContact>,
    /// The Teams halves the sync assigned through Microsoft Graph, per person: the only
    /// numbers and direct policy assignments it changes or gives back.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub teams: BTreeMap<ObjectId, TeamsAssigned>,
    /// Teams number operations started and not yet seen to end: the next run follows them
    /// up instead of starting them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams_operations: Vec<PendingTeamsOperation>,
}

impl Default for SyncState {
    fn default() -> Self {
        Self {
            version: STATE_VERSION,
            links: BTreeMap::new(),
            pending: BTreeMap::new(),
            cursor: None,
            azure_ad: BTreeMap::new(),
            last_run: None,
            contacts: BTreeMap::new(),
            contacts_cursor: None,
            azure_ad_contacts: BTreeMap::new(),
            teams: BTreeMap::new(),
            teams_operations: Vec::new(),
        }
    }
}

/// Where state is kept.
pub trait StateStore: Send + Sync {
    /// The saved state, or a fresh one if none was saved yet.
    fn load(&self) -> Result<SyncState, StateError>;
    /// Saves the state; must be atomic (a crash leaves the old or the new state, never half).
    fn save(&self, state: &SyncState) -> Result<(), StateError>;
}

/// State in a JSON file, written atomically (temp file in the same directory, fsync, rename).
#[derive(Debug, Clone)]
pub struct FileStateStore {
    path: PathBuf,
}

impl FileStateStore {
    /// A store at `path` (created on first save).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, source: std::io::Error) -> StateError {
        StateError::Io {
            path: self.path.display().to_string(),
            source,
        }
    }
}

impl StateStore for FileStateStore {
    fn load(&self) -> Result<SyncState, StateError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SyncState::default()),
            Err(e) => return Err(self.io(e)),
        };
        let state: SyncState = serde_json::from_str(&text).map_err(|e| StateError::Corrupt {
            path: self.path.display().to_string(),
            message: e.to_string(),
        })?;
        if state.version != STATE_VERSION {
            return Err(StateError::Corrupt {
                path: self.path.display().to_string(),
                message: format!("version {} is not {STATE_VERSION}", state.version),
            });
        }
        Ok(state)
    }

    fn save(&self, state: &SyncState) -> Result<(), StateError> {
        use std::io::Write;
        let text = serde_json::to_vec_pretty(state).map_err(|e| StateError::Corrupt {
            path: self.path.display().to_string(),
            message: e.to_string(),
        })?;
        let dir = self
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let file_name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "state".into());
        let tmp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
        let mut f = std::fs::File::create(&tmp).map_err(|e| self.io(e))?;
        f.write_all(&text).map_err(|e| self.io(e))?;
        f.sync_all().map_err(|e| self.io(e))?;
        drop(f);
        std::fs::rename(&tmp, &self.path).map_err(|e| self.io(e))?;
        Ok(())
    }
}

/// State in memory, for tests and what-if runs.
#[derive(Debug, Default)]
pub struct MemoryStateStore {
    state: Mutex<Option<SyncState>>,
    saves: Mutex<usize>,
}

impl MemoryStateStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many times state was saved.
    pub fn saves(&self) -> usize {
        *self.saves.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl StateStore for MemoryStateStore {
    fn load(&self) -> Result<SyncState, StateError> {
        Ok(self
            .state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .unwrap_or_default())
    }

    fn save(&self, state: &SyncState) -> Result<(), StateError> {
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) = Some(state.clone());
        *self.saves.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        Ok(())
    }
}
