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
    /// Actions planned.
    pub planned: usize,
    /// Actions that succeeded.
    pub succeeded: usize,
    /// Actions that failed.
    pub failed: usize,
    /// Removals held by the deletion threshold.
    pub held_removals: usize,
    /// What the run cost in transport: requests, retries, throttling, re-logins, waits
    /// (absent in state files written before it existed).
    #[serde(default)]
    pub transport: RunTransport,
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
