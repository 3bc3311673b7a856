//! Whether the sync state exists, and what a missing one means for each command: a plan
//! says so first; an apply needs `--first-run`, because an apply without the state that
//! links people to their IP Office users would create every one of them again.

use std::path::Path;

use crate::error::CliError;

/// What is known about the state before a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateStatus {
    /// The state file exists.
    Found,
    /// No state file: a first run, or a lost one.
    Missing,
}

/// Looks at `path`.
pub fn status(path: &Path) -> StateStatus {
    if path.exists() {
        StateStatus::Found
    } else {
        StateStatus::Missing
    }
}

/// The first line of a plan made without state.
pub fn missing_notice(path: &Path) -> String {
    format!(
        "No sync state at {}: planned as a first sync (every person counts as not yet synced). \
         If a sync ran before, its state file is missing.",
        path.display()
    )
}

/// Whether an apply may go ahead, given `--first-run`.
pub fn check_apply(path: &Path, first_run: bool) -> Result<(), CliError> {
    match (status(path), first_run) {
        (StateStatus::Found, false) | (StateStatus::Missing, true) => Ok(()),
        (StateStatus::Missing, false) => Err(CliError::NoState {
            path: path.to_owned(),
        }),
        (StateStatus::Found, true) => Err(CliError::NotFirstRun {
            path: path.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_apply_without_state_needs_first_run_and_first_run_needs_no_state() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        assert!(matches!(
            check_apply(&state, false),
            Err(CliError::NoState { .. })
        ));
        assert!(check_apply(&state, true).is_ok());
        std::fs::write(&state, "{}").unwrap();
        assert!(check_apply(&state, false).is_ok());
        assert!(matches!(
            check_apply(&state, true),
            Err(CliError::NotFirstRun { .. })
        ));
    }
}
