//! One run at a time per state: an exclusive OS lock on a file beside the state
//! (`<state>.lock`). The kernel releases it when the process ends, however it ends (even
//! SIGKILL), so there is never a stale lock to clean up. The holder writes its pid into
//! the file so that a refused run can name it.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::CliError;

/// The lock, held until dropped.
#[derive(Debug)]
pub struct RunLock {
    // Kept open: closing the file releases the lock.
    _file: File,
    path: PathBuf,
}

impl RunLock {
    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The lock file for a state file.
pub fn lock_path(state: &Path) -> PathBuf {
    let mut name = state
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".lock");
    state.with_file_name(name)
}

/// Takes the lock beside `state`, or fails at once with [`CliError::Locked`] naming the
/// holder's pid.
pub fn acquire(state: &Path) -> Result<RunLock, CliError> {
    let path = lock_path(state);
    let io = |source| CliError::LockIo {
        path: path.clone(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    // Never truncated before the lock is held: the holder's pid must stay readable.
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    // Called through the trait: std's own `File::try_lock` is newer than our MSRV.
    match fs4::FileExt::try_lock(&file) {
        Ok(()) => {}
        Err(fs4::TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            let holder = match text.trim().parse::<u32>() {
                Ok(pid) => format!("pid {pid}"),
                Err(_) => "pid unknown".to_owned(),
            };
            return Err(CliError::Locked { path, holder });
        }
        Err(fs4::TryLockError::Error(e)) => return Err(io(e)),
    }
    file.set_len(0).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    writeln!(file, "{}", std::process::id()).map_err(io)?;
    file.flush().map_err(io)?;
    Ok(RunLock { _file: file, path })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_with_the_holders_pid_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        let held = acquire(&state).unwrap();
        assert_eq!(held.path(), dir.path().join("state.json.lock"));
        match acquire(&state) {
            Err(CliError::Locked { holder, .. }) => {
                assert_eq!(holder, format!("pid {}", std::process::id()))
            }
            other => panic!("expected Locked, got {other:?}"),
        }
        drop(held);
        assert!(acquire(&state).is_ok());
    }
}
