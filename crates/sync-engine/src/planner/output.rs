//! What the stages write into: actions (each with its write) filed by apply phase.

use super::*;

/// Apply order: removals of users first (the licences they free are counted for the
/// creates and profile changes of the same plan), extensions before the users that need
/// them, extension records deleted last.
pub(super) fn phase(kind: ActionKind) -> usize {
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

/// Number of apply phases (see [`phase`]).
pub(super) const PHASES: usize = 9;

/// Actions filed by apply phase as they are planned, each phase in planning order.
#[derive(Default)]
pub(super) struct Buckets([Vec<Action>; PHASES]);

impl Buckets {
    pub(super) fn push(&mut self, action: Action) {
        if let Some(b) = self.0.get_mut(phase(action.kind)) {
            b.push(action);
        }
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &Action> {
        self.0.iter().flatten()
    }

    /// Keeps the actions `keep` says yes to, in order.
    pub(super) fn retain(&mut self, mut keep: impl FnMut(&Action) -> bool) {
        for b in &mut self.0 {
            b.retain(&mut keep);
        }
    }

    pub(super) fn clear(&mut self) {
        self.0.iter_mut().for_each(Vec::clear);
    }

    /// The actions of one phase, taken out.
    pub(super) fn take(&mut self, phase: usize) -> Vec<Action> {
        self.0
            .get_mut(phase)
            .map(std::mem::take)
            .unwrap_or_default()
    }
}

#[derive(Default)]
pub(super) struct Output {
    /// Creates and updates.
    pub(super) main: Buckets,
    /// Extension records freed by a renumbering, deleted after the user moved.
    pub(super) later: Buckets,
    /// Removals of people who left scope (held as a whole above the threshold).
    pub(super) removals: Buckets,
    /// Status of linked people who are no longer in the directory (the others carry theirs).
    pub(super) status: BTreeMap<ObjectId, PersonStatus>,
    pub(super) link_updates: BTreeMap<ObjectId, Option<Link>>,
    /// Contacts' links changed without a write (entries deleted by hand).
    pub(super) contact_updates: Vec<StateUpdate>,
    pub(super) kept: BTreeSet<ObjectId>,
    pub(super) notes: Vec<String>,
}

impl Output {
    pub(super) fn push(
        &mut self,
        kind: ActionKind,
        person: Option<&ObjectId>,
        record: RecordRef,
        changes: Vec<FieldChange>,
        change: IpoChange,
        effect: Effect,
    ) {
        self.main
            .push(make(kind, person, record, changes, change, effect));
    }

    /// A write deferred until after the main ones (an extension freed by a renumbering).
    pub(super) fn push_later(
        &mut self,
        kind: ActionKind,
        person: Option<&ObjectId>,
        record: RecordRef,
        change: IpoChange,
        effect: Effect,
    ) {
        self.later
            .push(make(kind, person, record, Vec::new(), change, effect));
    }

    pub(super) fn removal(
        &mut self,
        kind: ActionKind,
        person: &ObjectId,
        record: RecordRef,
        changes: Vec<FieldChange>,
        change: IpoChange,
        effect: Effect,
    ) {
        self.removals
            .push(make(kind, Some(person), record, changes, change, effect));
    }
}
