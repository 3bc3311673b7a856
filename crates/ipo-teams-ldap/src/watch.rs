//! Following the set's file: a `serve-directory` process and a sync in another process
//! share the set through the file the sync saves after each run.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use tokio::task::JoinHandle;
use tracing::{info, warn};

use crate::set::EntrySetHandle;

/// Reloads `path` into `handle` whenever the file changes (checked every `every`), for
/// as long as the task runs. A file that fails to load leaves the served set as it was
/// and is logged with the reason (for instance a set over 10,000 records, with its count).
///
/// ```no_run
/// # async fn demo() {
/// use ipo_teams_ldap::{EntrySetHandle, watch_file};
/// let handle = EntrySetHandle::new();
/// let task = watch_file(handle.clone(), "/var/lib/ipo-teams/directory-entries.json".into(), std::time::Duration::from_secs(10));
/// # task.abort();
/// # }
/// ```
pub fn watch_file(handle: EntrySetHandle, path: PathBuf, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut seen: Option<(SystemTime, u64)> = None;
        loop {
            match std::fs::metadata(&path) {
                Ok(m) => {
                    let stamp = (m.modified().unwrap_or(SystemTime::UNIX_EPOCH), m.len());
                    if seen != Some(stamp) {
                        seen = Some(stamp);
                        match handle.reload_from(&path) {
                            Ok(n) => {
                                info!(path = %path.display(), entries = n, "directory entry set loaded")
                            }
                            Err(e) => {
                                warn!(error = %e, "directory entry set not loaded; still serving the previous one")
                            }
                        }
                    }
                }
                Err(e) if seen.is_none() => {
                    warn!(path = %path.display(), error = %e, "no directory entry set file yet; serving nothing until a sync writes it");
                    seen = Some((SystemTime::UNIX_EPOCH, u64::MAX));
                }
                Err(_) => {}
            }
            tokio::time::sleep(every).await;
        }
    })
}
