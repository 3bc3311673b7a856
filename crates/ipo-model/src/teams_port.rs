//! The Teams voice side as a port: what the sync needs to give people their Direct Routing
//! number and voice policies, whoever serves it (Microsoft Graph, or memory in tests).

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::azure_ad::TeamsVoice;
use crate::id::ObjectId;
use crate::phone::TeamsNumber;
use crate::port::PortError;
use crate::teams_number_holder::TeamsNumberHolders;
use crate::teams_policy::TeamsPolicyType;

/// A number operation Teams runs in the background (Graph's
/// `telephoneNumberLongRunningOperation` id). Saved in the sync's state while it runs, so
/// a run that stops early follows it up instead of starting the write again.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TeamsOperationId(pub String);

impl std::fmt::Display for TeamsOperationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a number operation stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "detail")]
#[non_exhaustive]
pub enum TeamsOperationStatus {
    /// Not started or still running: ask again later.
    Running,
    /// Done.
    Succeeded,
    /// Teams gave up, with what it said.
    Failed(String),
}

/// The Teams voice administration the sync writes through.
#[async_trait]
pub trait TeamsVoiceAdmin: Send + Sync {
    /// Starts giving `user` the Direct Routing `number` (with its extension, if any) as
    /// their primary number.
    async fn assign_number(
        &self,
        user: &ObjectId,
        number: &TeamsNumber,
    ) -> Result<TeamsOperationId, PortError>;

    /// Starts taking the Direct Routing `number` back from whoever holds it.
    async fn unassign_number(&self, number: &TeamsNumber) -> Result<TeamsOperationId, PortError>;

    /// Where a number operation stands.
    async fn number_operation(
        &self,
        id: &TeamsOperationId,
    ) -> Result<TeamsOperationStatus, PortError>;

    /// Follows number operations until each has ended or `within` has passed, polling with
    /// backoff (and honouring `Retry-After`): the wait lives with the transport that knows
    /// how the service paces it. Those still running at the end come back
    /// [`TeamsOperationStatus::Running`], to be followed up later by id.
    async fn follow_number_operations(
        &self,
        ids: &[TeamsOperationId],
        within: Duration,
    ) -> Result<Vec<(TeamsOperationId, TeamsOperationStatus)>, PortError>;

    /// The id of the policy of `policy_type` called `name`; `Ok(None)` when there is none.
    async fn policy_id(
        &self,
        policy_type: TeamsPolicyType,
        name: &str,
    ) -> Result<Option<String>, PortError>;

    /// Assigns one policy directly to each of `users` (the implementation batches).
    async fn assign_policy(
        &self,
        policy_type: TeamsPolicyType,
        policy_id: &str,
        users: &[ObjectId],
    ) -> Result<(), PortError>;

    /// Removes the direct assignment of `policy_type` from each of `users`.
    async fn unassign_policy(
        &self,
        policy_type: TeamsPolicyType,
        users: &[ObjectId],
    ) -> Result<(), PortError>;

    /// The tenant's numbers and who holds them.
    async fn number_holders(&self) -> Result<TeamsNumberHolders, PortError>;

    /// One user's Teams voice set-up as Teams holds it now (for the read-back after a
    /// write).
    async fn user_voice(&self, user: &ObjectId) -> Result<TeamsVoice, PortError>;
}
