//! The engine's [`TeamsJournal`]: number operations kept in the sync state, saved as each
//! starts and ends, so a process stopped while Teams works finds them at the next run.

use ipo_model::TeamsOperationId;

use super::apply::{PendingTeamsOperation, TeamsJournal};
use crate::state::SyncState;
use crate::state_io::StateIo;

/// The state, and where it is saved.
pub(crate) struct StateJournal<'s> {
    pub(crate) state: &'s mut SyncState,
    pub(crate) io: StateIo<'s>,
}

#[async_trait::async_trait]
impl TeamsJournal for StateJournal<'_> {
    async fn started(&mut self, op: &PendingTeamsOperation) -> Result<(), String> {
        self.state.teams_operations.push(op.clone());
        self.io.save(self.state).await.map_err(|e| e.to_string())
    }

    async fn ended(&mut self, id: &TeamsOperationId) -> Result<(), String> {
        self.state.teams_operations.retain(|p| &p.id != id);
        self.io.save(self.state).await.map_err(|e| e.to_string())
    }
}
