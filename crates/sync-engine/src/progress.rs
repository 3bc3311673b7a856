//! Progress of a run, for a progress bar or a log line: the engine announces each phase
//! with the amount of work it expects, then reports work done.

use std::fmt;

/// A stage of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Phase {
    /// Reading the rule groups' members (or the changes since the last run).
    ReadDirectory,
    /// Reading the IP Office configuration.
    ReadIpo,
    /// Working out the plan.
    Plan,
    /// Writing to IP Office.
    Apply,
}

impl Phase {
    /// A short label for a progress bar, e.g. `"writing to IP Office"`.
    pub fn label(self) -> &'static str {
        match self {
            Phase::ReadDirectory => "reading the directory",
            Phase::ReadIpo => "reading IP Office",
            Phase::Plan => "planning",
            Phase::Apply => "writing to IP Office",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Observes a run's progress. Every method has a no-op default, so an implementation
/// overrides only what it needs.
///
/// The engine calls the observer from the task running [`SyncEngine::run`](crate::SyncEngine::run),
/// in this order:
///
/// 1. [`Phase::ReadDirectory`]: a full read announces the number of rule groups and advances
///    by one per group read; an incremental read announces no total and advances by one for
///    the change set and for each group read again. When an incremental read falls back to a
///    full read, the phase is announced again with the number of groups.
/// 2. [`Phase::ReadIpo`]: total 1, advanced by one when the IP Office snapshot is in.
/// 3. [`Phase::Plan`]: total unknown (planning is quick and not counted).
/// 4. [`Phase::Apply`] (only when applying): total = the plan's actions; advanced as each
///    batch of writes comes back (one per action, whether it succeeded, failed or was not
///    attempted), so the advances add up to the total.
/// 5. [`Progress::finish`], once, however the run ends (errors included).
///
/// Calls are cheap and synchronous: an observer must not block.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use ipo_model::*;
/// use sync_engine::*;
///
/// /// Writes "phase: done/total" lines to a log.
/// #[derive(Default)]
/// struct Log(Mutex<Vec<String>>, Mutex<(Option<Phase>, usize)>);
///
/// impl Progress for Log {
///     fn phase(&self, phase: Phase, total: Option<usize>) {
///         *self.1.lock().unwrap() = (Some(phase), 0);
///         self.0.lock().unwrap().push(format!("{phase}: 0/{total:?}"));
///     }
///     fn advance(&self, n: usize) {
///         let mut cur = self.1.lock().unwrap();
///         cur.1 += n;
///         self.0.lock().unwrap().push(format!("{}: +{n} = {}", cur.0.unwrap(), cur.1));
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let group: GroupId = "11111111-1111-1111-1111-111111111111".parse().unwrap();
/// let dir = Arc::new(MemoryAzureAd::new());
/// let mut ann = AzureAdUser::new("22222222-2222-2222-2222-222222222222".parse().unwrap());
/// ann.mail_nickname = Some("ann".into());
/// ann.business_phones = vec!["+441632768401 x401".into()];
/// dir.upsert_user(ann.clone());
/// dir.add_member(&group, &ann.id);
/// let ipo = Arc::new(MemoryIpo::new(IpoSnapshot::new(SystemInfo::new(
///     "ipo", "12.1", LicensingMode::Plds, Platform::Ip500V2))));
/// let log = Arc::new(Log::default());
/// let engine = SyncEngine::new(
///     SyncConfig::new(vec![GroupRule::new(group, UserType::IpOfficeOnly)]),
///     dir, ipo, Arc::new(MemoryStateStore::new()))
///     .with_progress(log.clone());
/// let run = engine.run(&RunOptions::apply()).await.unwrap();
/// let lines = log.0.lock().unwrap().clone();
/// assert_eq!(lines.first().unwrap(), "reading the directory: 0/Some(1)");
/// let apply = format!("writing to IP Office: 0/Some({})", run.plan.actions.len());
/// assert!(lines.contains(&apply));
/// # });
/// ```
pub trait Progress: Send + Sync {
    /// A phase starts; `total` is the amount of work expected, when known. The count of
    /// work done starts again at zero.
    fn phase(&self, phase: Phase, total: Option<usize>) {
        let _ = (phase, total);
    }

    /// `n` more units of the current phase are done.
    fn advance(&self, n: usize) {
        let _ = n;
    }

    /// The run is over (successfully or not): clear whatever was drawn.
    fn finish(&self) {}
}

/// The observer that ignores everything (the engine's default).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// Calls [`Progress::finish`] when dropped, so an early return cannot leave a bar drawn.
pub(crate) struct FinishGuard<'a>(pub(crate) &'a dyn Progress);

impl Drop for FinishGuard<'_> {
    fn drop(&mut self) {
        self.0.finish();
    }
}
