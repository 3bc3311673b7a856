//! The directory service in the program: `serve-directory` (its own process, following the
//! set's file) and the set each apply publishes (saved beside the state; in `run --every`
//! also swapped into the service of the same process).

use std::time::Duration;

use ipo_teams_ldap::{DirectoryService, EntrySet, EntrySetHandle, RunningService, watch_file};

use crate::context::Context;
use crate::directory_config::DirectoryServiceSection;
use crate::error::CliError;
use crate::exit;
use crate::file_config::Loaded;

/// How often `serve-directory` looks at the set's file for a new set.
const WATCH_EVERY: Duration = Duration::from_secs(5);

fn section(loaded: &Loaded) -> Result<&DirectoryServiceSection, CliError> {
    loaded.config.directory_service.as_ref().ok_or_else(|| {
        CliError::Setup(format!(
            "configuration file {}: there is no [directory_service] section, so there is no \
             directory to serve; add one with listen, base_dn and bind_user (docs/directory.md)",
            loaded.path.display()
        ))
    })
}

/// Opens the listener (so a taken port or a bad certificate fails before anything else).
async fn bind(
    loaded: &Loaded,
    section: &DirectoryServiceSection,
    handle: EntrySetHandle,
) -> Result<DirectoryService, CliError> {
    let config = section.service_config(section.password()?);
    DirectoryService::bind(config, handle).await.map_err(|e| {
        CliError::Setup(format!(
            "[directory_service] in {}: {e}",
            loaded.path.display()
        ))
    })
}

/// `ipo-teams serve-directory`: serves the set the last apply saved, and each new one, until
/// SIGTERM or Ctrl-C. Needs no Graph or IP Office secret and takes no sync lock: it only
/// reads the set's file.
pub async fn serve_directory(ctx: &Context<'_>) -> Result<u8, CliError> {
    let loaded = &ctx.loaded;
    let section = section(loaded)?;
    let handle = saved_set(loaded);
    let service = bind(loaded, section, handle.clone()).await?;
    let file = EntrySet::path_beside(&loaded.config.state_file);
    let watcher = watch_file(handle, file, WATCH_EVERY);
    service.run_until(crate::shutdown::signal()).await;
    watcher.abort();
    Ok(exit::OK)
}

/// A handle holding the set the last apply saved, when there is one: the service starts
/// serving it at once instead of nothing until its first look at the file.
fn saved_set(loaded: &Loaded) -> EntrySetHandle {
    let handle = EntrySetHandle::new();
    let file = EntrySet::path_beside(&loaded.config.state_file);
    if file.exists()
        && let Err(e) = handle.reload_from(&file)
    {
        tracing::warn!(error = %e, path = %file.display(), "the saved directory entries do not load; serving nothing until the next sync saves a set");
    }
    handle
}

/// The service inside `run --every`, when configured and `serve_in_run` is on: started with
/// the set the last apply saved (if any), fed by [`publish`] after each sync.
pub async fn start_in_run(
    loaded: &Loaded,
) -> Result<Option<(RunningService, EntrySetHandle)>, CliError> {
    let Some(section) = loaded.config.directory_service.as_ref() else {
        return Ok(None);
    };
    if !section.serve_in_run {
        return Ok(None);
    }
    let handle = saved_set(loaded);
    let service = bind(loaded, section, handle.clone()).await?;
    Ok(Some((service.spawn(), handle)))
}

/// After an apply: builds the served set from the directory entries the sync now keeps,
/// saves it beside the state (replacing the previous set whole) and, in `run --every`,
/// swaps it into the running service. Does nothing without `[directory_service]`. A set
/// that cannot be served (more than IP Office's 10,000 records, with the count) is an
/// error and the previous set stays served.
pub fn publish(
    loaded: &Loaded,
    handle: Option<&EntrySetHandle>,
) -> Result<Option<usize>, CliError> {
    if loaded.config.directory_service.is_none() {
        return Ok(None);
    }
    let Some(csv) = &loaded.config.ipo.directory_csv else {
        return Ok(None);
    };
    let failed = |e: &dyn std::fmt::Display| {
        CliError::Setup(format!(
            "directory service: the entries of this sync are not served (the previous set stays): {e}"
        ))
    };
    let entries = ipo_client::system_directory::read_directory(csv).map_err(|e| failed(&e))?;
    let set = EntrySet::from_entries(&entries).map_err(|e| failed(&e))?;
    let path = EntrySet::path_beside(&loaded.config.state_file);
    set.save(&path).map_err(|e| failed(&e))?;
    let n = set.len();
    if let Some(h) = handle {
        h.replace(set);
    }
    tracing::info!(entries = n, path = %path.display(), "directory entries published");
    Ok(Some(n))
}
