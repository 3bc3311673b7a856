//! The set of entries served, its file next to the sync state, and the handle that swaps it.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use ipo_model::SystemDirectoryEntry;
use serde::{Deserialize, Serialize};

use crate::entry::{Prepared, ServedEntry};
use crate::error::SetError;

/// The most records IP Office's external directory holds, across all sources.
pub const MAX_RECORDS: usize = ipo_model::MAX_DIRECTORY_RECORDS;

/// The file name of the set beside the sync state (see [`EntrySet::path_beside`]).
pub const FILE_NAME: &str = "directory-entries.json";

/// The format number written in the file; a reader refuses a format it does not know.
const FORMAT: u32 = 1;

/// One consistent set of entries, as one sync run computed it. Immutable once built:
/// a new run builds a new set and swaps it in whole ([`EntrySetHandle::replace`]).
///
/// ```
/// use ipo_teams_ldap::{EntrySet, ServedEntry};
/// let set = EntrySet::from_served(vec![
///     ServedEntry::new("Ann Lee", "441632768402-402"),
///     ServedEntry::new("Bo Chan", "+403"),
/// ])?;
/// assert_eq!(set.len(), 2);
/// let dup = EntrySet::from_served(vec![
///     ServedEntry::new("Ann Lee", "1"),
///     ServedEntry::new("ann  lee", "2"),
/// ]);
/// assert!(dup.is_err());
/// # Ok::<(), ipo_teams_ldap::SetError>(())
/// ```
#[derive(Debug, Clone)]
pub struct EntrySet {
    pub(crate) entries: Vec<Prepared>,
    /// Prepared `cn` -> index, for base-scope searches and binds to an entry's DN.
    pub(crate) by_cn: HashMap<String, usize>,
    records: usize,
}

#[derive(Serialize, Deserialize)]
struct FileRepr {
    format: u32,
    entries: Vec<ServedEntry>,
}

impl EntrySet {
    /// A set of entries, checked: every `cn` and `telephoneNumber` non-empty, `cn` unique as
    /// LDAP compares it, and at most [`MAX_RECORDS`] IP Office records in all.
    pub fn from_served(entries: Vec<ServedEntry>) -> Result<Self, SetError> {
        let records: usize = entries.iter().map(ServedEntry::ip_office_records).sum();
        if records > MAX_RECORDS {
            return Err(SetError::TooManyRecords {
                count: records,
                limit: MAX_RECORDS,
            });
        }
        let mut by_cn = HashMap::with_capacity(entries.len());
        let mut prepared: Vec<Prepared> = Vec::with_capacity(entries.len());
        for (index, e) in entries.into_iter().enumerate() {
            if e.cn.is_empty() {
                return Err(SetError::EmptyName { index });
            }
            if e.telephone_number.is_empty() {
                return Err(SetError::EmptyNumber { cn: e.cn });
            }
            let p = Prepared::new(e);
            if let Some(&first) = by_cn.get(&p.cn_prep) {
                let first: &Prepared = &prepared[first];
                return Err(SetError::DuplicateName {
                    first: first.entry.cn.clone(),
                    second: p.entry.cn,
                });
            }
            by_cn.insert(p.cn_prep.clone(), index);
            prepared.push(p);
        }
        Ok(Self {
            entries: prepared,
            by_cn,
            records,
        })
    }

    /// The set for the directory entries a sync planned (Teams-only people).
    ///
    /// ```
    /// use ipo_model::SystemDirectoryEntry;
    /// use ipo_teams_ldap::EntrySet;
    /// let planned = vec![SystemDirectoryEntry::new("Ann Lee".parse()?, "x402".parse()?, None)];
    /// let set = EntrySet::from_entries(&planned)?;
    /// assert_eq!(set.entries().next().map(|e| e.telephone_number.as_str()), Some("+402"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_entries<'a>(
        entries: impl IntoIterator<Item = &'a SystemDirectoryEntry>,
    ) -> Result<Self, SetError> {
        let served = entries
            .into_iter()
            .map(ServedEntry::from_directory_entry)
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_served(served)
    }

    /// A set with no entries (a tenant with no Teams-only people).
    pub fn empty() -> Self {
        Self {
            entries: Vec::new(),
            by_cn: HashMap::new(),
            records: 0,
        }
    }

    /// Entries in the set.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the set has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many IP Office directory records the set becomes (one per number).
    pub fn ip_office_records(&self) -> usize {
        self.records
    }

    /// The entries, in the order given.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = &ServedEntry> {
        self.entries.iter().map(|p| &p.entry)
    }

    /// Where the set lives beside a sync state file: [`FILE_NAME`] in the same folder.
    pub fn path_beside(state_file: &Path) -> PathBuf {
        state_file
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .join(FILE_NAME)
    }

    /// Reads a set written by [`EntrySet::save`], checking it as [`EntrySet::from_served`]
    /// does (a file with more than [`MAX_RECORDS`] records is refused with the count).
    pub fn load(path: &Path) -> Result<Self, SetError> {
        let bytes = std::fs::read(path).map_err(|source| SetError::Io {
            path: path.to_owned(),
            source,
        })?;
        let repr: FileRepr = serde_json::from_slice(&bytes).map_err(|source| SetError::Json {
            path: path.to_owned(),
            source,
        })?;
        if repr.format != FORMAT {
            return Err(SetError::Format {
                path: path.to_owned(),
                found: repr.format,
                known: FORMAT,
            });
        }
        Self::from_served(repr.entries)
    }

    /// Writes the set to `path` atomically: to a temporary file in the same folder, synced,
    /// then renamed over `path`, so a reader sees the old set or the new one, never half.
    pub fn save(&self, path: &Path) -> Result<(), SetError> {
        let io = |source| SetError::Io {
            path: path.to_owned(),
            source,
        };
        let repr = FileRepr {
            format: FORMAT,
            entries: self.entries().cloned().collect(),
        };
        let json = serde_json::to_vec_pretty(&repr).map_err(|source| SetError::Json {
            path: path.to_owned(),
            source,
        })?;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let result = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&json)?;
            f.write_all(b"\n")?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        })();
        if result.is_err() {
            // Best effort: a stale temporary file would only waste space.
            let _ = std::fs::remove_file(&tmp);
        }
        result.map_err(io)
    }
}

/// A shared, atomically replaceable slot for the set being served.
///
/// A search takes the current `Arc<EntrySet>` once and answers from it alone, so a set
/// swapped in mid-search (or between two pages of a paged search) never mixes with the old.
///
/// ```
/// use ipo_teams_ldap::{EntrySet, EntrySetHandle, ServedEntry};
/// let handle = EntrySetHandle::new();
/// assert!(handle.current().is_none());
/// handle.replace(EntrySet::from_served(vec![ServedEntry::new("Ann", "402")])?);
/// assert_eq!(handle.current().map(|s| s.len()), Some(1));
/// # Ok::<(), ipo_teams_ldap::SetError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct EntrySetHandle(Arc<RwLock<Option<Arc<EntrySet>>>>);

impl EntrySetHandle {
    /// A handle with no set yet: the service serves nothing until one is given.
    pub fn new() -> Self {
        Self::default()
    }

    /// A handle holding `set`.
    pub fn with(set: EntrySet) -> Self {
        let h = Self::new();
        h.replace(set);
        h
    }

    /// The set being served, if any.
    pub fn current(&self) -> Option<Arc<EntrySet>> {
        // A poisoned lock still holds a whole Arc (it is only ever swapped), so use it.
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Swaps in a new set; returns the one it replaced.
    pub fn replace(&self, set: EntrySet) -> Option<Arc<EntrySet>> {
        let new = Some(Arc::new(set));
        std::mem::replace(&mut *self.0.write().unwrap_or_else(|p| p.into_inner()), new)
    }

    /// Loads the set at `path` and swaps it in; on error the set served stays as it was.
    pub fn reload_from(&self, path: &Path) -> Result<usize, SetError> {
        let set = EntrySet::load(path)?;
        let n = set.len();
        self.replace(set);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_load_round_trip_keeps_hostile_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = EntrySet::path_beside(&dir.path().join("state.json"));
        assert_eq!(path.file_name().unwrap(), FILE_NAME);
        let set = EntrySet::from_served(vec![
            ServedEntry::new("*()\\", "+402"),
            ServedEntry::new("nul\0x", "441632768402-403").with_mobile("447700900123"),
            ServedEntry::new("Zoë Ó Briain", "404"),
        ])
        .unwrap();
        set.save(&path).unwrap();
        let back = EntrySet::load(&path).unwrap();
        assert_eq!(
            back.entries().cloned().collect::<Vec<_>>(),
            set.entries().cloned().collect::<Vec<_>>()
        );
        assert_eq!(back.ip_office_records(), 4);
        // no temporary file left behind
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from(FILE_NAME)]);
    }

    #[test]
    fn too_many_records_refused_with_count() {
        let entries: Vec<_> = (0..5_001)
            .map(|i| ServedEntry::new(format!("p{i}"), format!("{i}")).with_mobile("1"))
            .collect();
        let e = EntrySet::from_served(entries).unwrap_err();
        assert!(
            matches!(
                e,
                SetError::TooManyRecords {
                    count: 10_002,
                    limit: MAX_RECORDS
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("10002"), "{e}");
        let ok: Vec<_> = (0..MAX_RECORDS)
            .map(|i| ServedEntry::new(format!("p{i}"), "1"))
            .collect();
        assert_eq!(EntrySet::from_served(ok).unwrap().len(), MAX_RECORDS);
    }

    #[test]
    fn load_refuses_unknown_format_and_bad_records() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        std::fs::write(&path, r#"{"format":2,"entries":[]}"#).unwrap();
        assert!(matches!(
            EntrySet::load(&path),
            Err(SetError::Format { found: 2, .. })
        ));
        std::fs::write(
            &path,
            r#"{"format":1,"entries":[{"cn":"","telephoneNumber":"1"}]}"#,
        )
        .unwrap();
        assert!(matches!(
            EntrySet::load(&path),
            Err(SetError::EmptyName { index: 0 })
        ));
        std::fs::write(
            &path,
            r#"{"format":1,"entries":[{"cn":"a","telephoneNumber":""}]}"#,
        )
        .unwrap();
        assert!(matches!(
            EntrySet::load(&path),
            Err(SetError::EmptyNumber { .. })
        ));
        std::fs::write(&path, "not json").unwrap();
        let e = EntrySet::load(&path).unwrap_err();
        assert!(
            matches!(e, SetError::Json { .. }) && e.to_string().contains("d.json"),
            "{e}"
        );
    }

    #[test]
    fn reload_failure_keeps_the_served_set() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        let h =
            EntrySetHandle::with(EntrySet::from_served(vec![ServedEntry::new("a", "1")]).unwrap());
        std::fs::write(&path, "{").unwrap();
        assert!(h.reload_from(&path).is_err());
        assert_eq!(h.current().unwrap().len(), 1);
        EntrySet::empty().save(&path).unwrap();
        assert_eq!(h.reload_from(&path).unwrap(), 0);
        assert!(h.current().unwrap().is_empty());
    }
}
