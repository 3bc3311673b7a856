//! What an apply did: one outcome per action, and a summary kept in the state.

use chrono::{DateTime, Utc};
use ipo_model::{ObjectId, PortError, RestartNotice, TransportStats};
use serde::{Deserialize, Serialize};

use crate::record::RecordRef;

use crate::plan::ActionKind;

/// The outcome of one action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ItemOutcome {
    /// What was attempted.
    pub kind: ActionKind,
    /// The record.
    pub record: RecordRef,
    /// The person.
    pub person: Option<ObjectId>,
    /// `None` on success, else the error.
    pub error: Option<PortError>,
    /// Notices IP Office attached (reboot needed...).
    pub notices: Vec<String>,
}

impl ItemOutcome {
    /// Whether it succeeded.
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// Counts of a run, saved in the state.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RunSummary {
    /// When the run started.
    pub started: Option<DateTime<Utc>>,
    /// Whether it was incremental (delta) or full.
    pub incremental: bool,
    /// Why a full resync happened, when the directory asked for one.
    pub full_resync_reason: Option<String>,
    /// Whether the Azure AD contacts were read by their changes only (absent in state
    /// files written before contacts were read by delta).
    #[serde(default)]
    pub contacts_incremental: bool,
    /// Why every contact was read although an incremental run was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts_full_resync_reason: Option<String>,
    /// Azure AD users in scope.
    pub people: usize,
    /// Writes planned, both halves: [`ipo`](Self::ipo) and [`teams`](Self::teams) added up.
    pub planned: usize,
    /// Writes that succeeded, both halves.
    pub succeeded: usize,
    /// Writes that failed, both halves.
    pub failed: usize,
    /// IP Office's writes: the plan's actions (zeros in summaries saved before the halves
    /// were counted apart).
    #[serde(default)]
    pub ipo: WriteCounts,
    /// The Teams writes the sync makes through Microsoft Graph: the plan's, and the number
    /// assignments an earlier run left running that this one followed up. Script writes are
    /// the administrator's and not counted (zeros in summaries saved before the halves were
    /// counted apart).
    #[serde(default)]
    pub teams: WriteCounts,
    /// Removals held by the deletion threshold.
    pub held_removals: usize,
    /// What the run cost in transport: requests, retries, throttling, re-logins, waits
    /// (absent in state files written before it existed).
    #[serde(default)]
    pub transport: RunTransport,
}

impl RunSummary {
    /// Sets both halves and the totals from them.
    pub(crate) fn count(&mut self, ipo: WriteCounts, teams: WriteCounts) {
        let total = ipo + teams;
        (self.planned, self.succeeded, self.failed) =
            (total.planned, total.succeeded, total.failed);
        (self.ipo, self.teams) = (ipo, teams);
    }
}

/// The writes of one half of a run, IP Office's or Teams': how many were planned and how
/// they ended. A planned write neither succeeded nor failed is still running
/// ([`still_running`](Self::still_running)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WriteCounts {
    /// Writes planned.
    pub planned: usize,
    /// Writes that succeeded.
    pub succeeded: usize,
    /// Writes that failed.
    pub failed: usize,
}

impl WriteCounts {
    /// `planned` writes of which `succeeded` succeeded and `failed` failed.
    pub fn new(planned: usize, succeeded: usize, failed: usize) -> Self {
        Self {
            planned,
            succeeded,
            failed,
        }
    }

    /// Writes planned that neither succeeded nor failed: Teams number assignments still
    /// running (IP Office's writes all end within the run).
    pub fn still_running(&self) -> usize {
        self.planned.saturating_sub(self.succeeded + self.failed)
    }
}

impl std::ops::Add for WriteCounts {
    type Output = Self;

    fn add(self, other: Self) -> Self {
        Self::new(
            self.planned + other.planned,
            self.succeeded + other.succeeded,
            self.failed + other.failed,
        )
    }
}

/// Transport figures of one run, per edge: the difference of each edge's
/// [`transport`](ipo_model::AzureAdSource::transport) counters before and after the run.
///
/// The counters belong to the clients, so a client used by something else at the same
/// time lends its requests to the run. Edges without a transport report zeros.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RunTransport {
    /// Azure AD (Microsoft Graph, Teams included).
    #[serde(default, alias = "directory")]
    pub azure_ad: TransportStats,
    /// IP Office.
    #[serde(default)]
    pub ipo: TransportStats,
}

impl RunTransport {
    /// Both edges' figures.
    pub fn new(azure_ad: TransportStats, ipo: TransportStats) -> Self {
        Self { azure_ad, ipo }
    }

    /// Both edges added up.
    pub fn total(&self) -> TransportStats {
        self.azure_ad + self.ipo
    }
}

/// The report of an apply.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// One outcome per action, in order.
    pub items: Vec<ItemOutcome>,
    /// Summary.
    pub summary: RunSummary,
    /// IP Office nodes that must be restarted for the applied changes to take effect, each
    /// once, as IP Office's answers named them.
    #[serde(default)]
    pub restarts: Vec<RestartNotice>,
    /// How the Teams writes went and what Teams holds after them (`None`: the plan had no
    /// Teams write through Microsoft Graph and no operation was left to follow up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teams: Option<crate::teams::TeamsApplied>,
}

impl Report {
    /// What the run cost in transport (the same as `summary.transport`).
    pub fn transport(&self) -> &RunTransport {
        &self.summary.transport
    }

    /// Whether IP Office said a node must be restarted.
    pub fn needs_restart(&self) -> bool {
        !self.restarts.is_empty()
    }

    /// Failed items.
    pub fn failures(&self) -> impl Iterator<Item = &ItemOutcome> {
        self.items.iter().filter(|i| !i.ok())
    }
}
