//! Teams telephone number writes: what is asked (`assignNumber`, `unassignNumber`,
//! `updateNumber`), the asynchronous operation Graph answers with, and how it ended.

use std::time::Duration;

use ipo_model::{AssignmentCategory, ObjectId};
use serde::{Deserialize, Serialize};

/// `numberType` of a Teams telephone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum NumberType {
    /// A Direct Routing number (carried by the SBC to IP Office): what the sync assigns.
    DirectRouting,
    /// A Microsoft Calling Plan number.
    CallingPlan,
    /// An Operator Connect number.
    OperatorConnect,
}

/// `POST .../numberAssignments/assignNumber`: give `telephone_number` to a user.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AssignNumber {
    /// The number, sent as given (the docs send `12061234567`; E.164 with `+` works too).
    pub telephone_number: String,
    /// The user's Azure AD object id (`assignmentTargetId`).
    pub assignment_target_id: ObjectId,
    /// `numberType`.
    pub number_type: NumberType,
    /// `assignmentCategory` (Teams' default is primary).
    pub assignment_category: AssignmentCategory,
    /// `locationId`: the emergency address, when one is set.
    pub location_id: Option<String>,
}

impl AssignNumber {
    /// A primary Direct Routing number for `user`, without an emergency location.
    pub fn direct_routing(telephone_number: impl Into<String>, user: ObjectId) -> Self {
        Self {
            telephone_number: telephone_number.into(),
            assignment_target_id: user,
            number_type: NumberType::DirectRouting,
            assignment_category: AssignmentCategory::Primary,
            location_id: None,
        }
    }
}

/// `POST .../numberAssignments/updateNumber`: change a number's optional attributes.
/// `None` leaves an attribute as it is; `Some("")` clears it (the docs' rule).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct UpdateNumber {
    /// The number to update.
    pub telephone_number: String,
    /// `locationId`.
    pub location_id: Option<String>,
    /// `networkSiteId`.
    pub network_site_id: Option<String>,
    /// `reverseNumberLookupOptions`, e.g. `skipInternalVoip`.
    pub reverse_number_lookup_options: Option<Vec<String>>,
}

impl UpdateNumber {
    /// An update of `telephone_number` that changes nothing yet.
    pub fn new(telephone_number: impl Into<String>) -> Self {
        Self {
            telephone_number: telephone_number.into(),
            ..Self::default()
        }
    }
}

/// The id of a `telephoneNumberLongRunningOperation`: keep it to resume polling later.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OperationId(String);

impl OperationId {
    /// An id as Graph gave it (e.g. read back from saved state).
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OperationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `status` of an operation or of one number in it (`longRunningOperationStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum OperationStatus {
    /// Queued.
    NotStarted,
    /// Being worked on.
    Running,
    /// Done.
    Succeeded,
    /// Ended without doing it (see the per-number details).
    Failed,
    /// Ended without anything to do.
    Skipped,
    /// A value this client does not know (`unknownFutureValue` or newer).
    #[serde(other)]
    Unknown,
}

impl OperationStatus {
    /// Whether the operation has ended (anything but not started and running).
    pub fn is_final(self) -> bool {
        !matches!(self, OperationStatus::NotStarted | OperationStatus::Running)
    }
}

/// One number of an operation (`telephoneNumberLongRunningOperationDetails`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NumberOperationDetail {
    /// `resourceLocation`: the number assignment's URL.
    #[serde(default)]
    pub resource_location: Option<String>,
    /// `status` of this number.
    pub status: OperationStatus,
    /// `statusDetail`: Teams' words on what happened.
    #[serde(default)]
    pub status_detail: Option<String>,
}

/// A `telephoneNumberLongRunningOperation`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NumberOperation {
    /// `id`.
    pub id: OperationId,
    /// `status` of the whole operation.
    pub status: OperationStatus,
    /// `createdDateTime`, as Graph wrote it.
    #[serde(default)]
    pub created_date_time: Option<String>,
    /// `numbers`: per-number details.
    #[serde(default)]
    pub numbers: Vec<NumberOperationDetail>,
}

impl NumberOperation {
    /// Teams' words for the numbers that failed, joined (empty when none said anything).
    pub fn failure_detail(&self) -> String {
        self.numbers
            .iter()
            .filter(|n| n.status == OperationStatus::Failed)
            .filter_map(|n| n.status_detail.as_deref())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// How a poll of an operation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OperationOutcome {
    /// The number change is done.
    Succeeded(NumberOperation),
    /// Teams had nothing to do.
    Skipped(NumberOperation),
    /// Teams refused; the per-number details say why (see
    /// [`crate::GraphClient::number_failure`] for a typed reason).
    Failed(NumberOperation),
    /// Still running when the poll time was up: keep the id and poll again later.
    StillRunning(NumberOperation),
}

/// How long and how often to poll an operation: waits start at `first`, double up to
/// `max_step`, and stop once `total` would be exceeded. A `Retry-After` on a status answer
/// replaces the next wait (still within `total`). Throttled GETs are retried by the
/// client's one [`crate::RetryPolicy`], not here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PollSchedule {
    /// First wait after the first look.
    pub first: Duration,
    /// Longest single wait.
    pub max_step: Duration,
    /// Total waiting allowed before answering [`OperationOutcome::StillRunning`].
    pub total: Duration,
}

impl Default for PollSchedule {
    fn default() -> Self {
        Self {
            first: Duration::from_secs(1),
            max_step: Duration::from_secs(15),
            total: Duration::from_secs(120),
        }
    }
}

impl PollSchedule {
    /// A schedule with the given first wait, longest wait and total time.
    pub fn new(first: Duration, max_step: Duration, total: Duration) -> Self {
        Self {
            first,
            max_step,
            total,
        }
    }

    /// The wait after `step` looks (0-based), before the cap.
    pub(crate) fn step(&self, step: u32) -> Duration {
        self.first
            .saturating_mul(1u32 << step.min(16))
            .min(self.max_step)
    }
}

/// Why Teams did not assign a number to the user it was meant for, read from the tenant's
/// number inventory after an operation failed (branching on data, not on message text).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NumberFailure {
    /// The number belongs to someone else (`assignmentTargetId`).
    AssignedToOther {
        /// The number.
        number: String,
        /// Who has it.
        owner: String,
    },
    /// The number comes from on-premises AD (`numberSource: onPremises`): it is managed
    /// there and cannot be assigned online.
    OnPremises {
        /// The number.
        number: String,
    },
    /// Any other refusal, with Teams' own words.
    Failed {
        /// The number.
        number: String,
        /// `statusDetail` of the failed number(s), or the operation status.
        detail: String,
    },
}

impl std::fmt::Display for NumberFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NumberFailure::AssignedToOther { number, owner } => {
                write!(f, "number {number} is assigned to another user ({owner})")
            }
            NumberFailure::OnPremises { number } => write!(
                f,
                "number {number} comes from on-premises AD (numberSource onPremises) and cannot be assigned online"
            ),
            NumberFailure::Failed { number, detail } => {
                write!(f, "Teams did not change number {number}: {detail}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_doubles_to_its_cap() {
        let s = PollSchedule::new(
            Duration::from_millis(100),
            Duration::from_millis(350),
            Duration::from_secs(1),
        );
        assert_eq!(s.step(0), Duration::from_millis(100));
        assert_eq!(s.step(1), Duration::from_millis(200));
        assert_eq!(s.step(2), Duration::from_millis(350));
        assert_eq!(s.step(40), Duration::from_millis(350));
    }

    #[test]
    fn unknown_status_is_final_and_tolerated() {
        let s: OperationStatus = serde_json::from_str("\"unknownFutureValue\"").unwrap();
        assert_eq!(s, OperationStatus::Unknown);
        assert!(s.is_final());
        assert!(!OperationStatus::Running.is_final());
    }
}
