//! State loads and saves are blocking file I/O: they run off the async runtime, so a
//! directory service sharing the process keeps answering while the state is written.

use std::sync::Arc;

use crate::error::StateError;
use crate::state::{StateStore, SyncState};

/// A state store as an apply reaches it.
#[derive(Clone, Copy)]
pub(crate) enum StateIo<'s> {
    /// Owned by the caller: saved on a blocking-capable thread when the runtime has them
    /// (`block_in_place` on a multi-thread runtime), else in place.
    Borrowed(&'s dyn StateStore),
    /// Shared: saved by a blocking task (`spawn_blocking`) on a copy of the state.
    Shared(&'s Arc<dyn StateStore>),
}

impl StateIo<'_> {
    pub(crate) async fn save(self, state: &SyncState) -> Result<(), StateError> {
        match self {
            StateIo::Borrowed(store) => off_runtime(|| store.save(state)),
            StateIo::Shared(store) => {
                let (store, state) = (Arc::clone(store), state.clone());
                blocking(move || store.save(&state)).await
            }
        }
    }

    pub(crate) async fn load(self) -> Result<SyncState, StateError> {
        match self {
            StateIo::Borrowed(store) => off_runtime(|| store.load()),
            StateIo::Shared(store) => {
                let store = Arc::clone(store);
                blocking(move || store.load()).await
            }
        }
    }
}

/// `f` on the blocking pool, when a runtime is there to have one.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StateError> + Send + 'static,
) -> Result<T, StateError> {
    if tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StateError::Io {
            path: "(state)".into(),
            source: std::io::Error::other(e.to_string()),
        })?
}

/// `f` where blocking does not stall other tasks: `block_in_place` on a multi-thread
/// runtime (a current-thread runtime has no other worker to hand its tasks to).
fn off_runtime<T>(f: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}
