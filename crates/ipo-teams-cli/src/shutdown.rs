//! Stopping on SIGTERM or Ctrl-C. `run --every` finishes the sync in progress (its state
//! saved) or stops at once while it waits; a second signal stops at once. Nothing here waits
//! on a log line: the flag is set and the loop woken before anything is logged, and log
//! lines never block ([`crate::logging`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tokio::sync::Notify;

use crate::exit;

/// What the signals asked for, and whether a sync is running.
#[derive(Default)]
pub struct Stop {
    requested: AtomicBool,
    signals: AtomicUsize,
    syncing: AtomicBool,
    notify: Notify,
}

impl Stop {
    /// Whether a stop was requested.
    pub fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    /// Marks a sync as started or ended, so that a stop request says what it will do.
    pub fn set_syncing(&self, syncing: bool) {
        self.syncing.store(syncing, Ordering::SeqCst);
    }

    /// Resolves when a stop is requested while waiting.
    pub async fn notified(&self) {
        self.notify.notified().await;
    }
}

/// Waits for SIGTERM or Ctrl-C (SIGINT).
pub async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "SIGTERM cannot be watched; Ctrl-C still stops");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Listens for signals for the rest of the process: the first sets `stop`, the second
/// ends the process with [`exit::FAILURE`] (what was written is in the state: the next run
/// resumes).
pub fn listen(stop: Arc<Stop>) {
    tokio::spawn(async move {
        loop {
            signal().await;
            if stop.signals.fetch_add(1, Ordering::SeqCst) > 0 {
                tracing::warn!("second stop request: stopping now; the next run resumes");
                crate::logging::flush(std::time::Duration::from_millis(200));
                std::process::exit(i32::from(exit::FAILURE));
            }
            stop.requested.store(true, Ordering::SeqCst);
            // notify_one keeps the permit if the loop is not waiting yet.
            stop.notify.notify_one();
            if stop.syncing.load(Ordering::SeqCst) {
                tracing::info!(
                    "stop requested: stopping after the sync in progress (its state is saved)"
                );
            } else {
                tracing::info!("stop requested while waiting for the next sync: stopping now");
            }
        }
    });
}
