//! What the stages write: actions, each with its write, and the order apply runs them in.

use ipo_model::{IpoChange, ObjectId};

use crate::changes::Changes;
use crate::plan::{Action, ActionKind, Effect, FieldChange, Write};
use crate::record::RecordRef;

/// Apply order: removals of users first (the licences they free are counted for the
/// creates and profile changes of the same plan), extensions before the users that need
/// them, extension records deleted last.
fn phase(kind: ActionKind) -> usize {
    match kind {
        ActionKind::DisableUser => 0,
        ActionKind::DeleteUser => 1,
        ActionKind::CreateExtension => 2,
        ActionKind::CreateUser => 3,
        ActionKind::UpdateUser => 4,
        ActionKind::UpdateHuntGroup => 5,
        ActionKind::RemoveDirectoryEntry => 6,
        ActionKind::PutDirectoryEntry => 7,
        ActionKind::DeleteExtension => 8,
    }
}

/// An action with the write that performs it.
pub(super) fn make(
    kind: ActionKind,
    person: Option<&ObjectId>,
    record: RecordRef,
    changes: Vec<FieldChange>,
    change: IpoChange,
    effect: Effect,
) -> Action {
    Action {
        kind,
        record,
        person: person.cloned(),
        changes: Changes::from(changes),
        write: Some(Write { change, effect }),
    }
}

/// The actions planned so far, each list in planning order.
#[derive(Default)]
pub(super) struct Actions {
    /// Creates, updates and directory entries.
    pub(super) main: Vec<Action>,
    /// Extension records freed by a renumbering, deleted after the user moved.
    pub(super) later: Vec<Action>,
    /// Removals of people who left scope (held as a whole above the threshold).
    pub(super) removals: Vec<Action>,
}

impl Actions {
    /// Every action in apply order: phase by phase (see [`phase`]); within a phase the
    /// main work, then deferred deletes, then removals, each in planning order.
    pub(super) fn in_apply_order(self) -> Vec<Action> {
        let mut all = self.main;
        all.extend(self.later);
        all.extend(self.removals);
        // Stable: planning order is kept within a phase.
        all.sort_by_key(|a| phase(a.kind));
        all
    }
}
