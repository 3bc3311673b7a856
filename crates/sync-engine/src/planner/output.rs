//! What the stages write into: actions filed by apply phase, field changes in one store.

use super::*;

/// Apply order: removals of users first (the licences they free are counted for the
/// creates and profile changes of the same plan), extensions before the users that need
/// them, extension records deleted last.
pub(super) fn phase(kind: ActionKind) -> u8 {
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

pub(super) fn make(
    kind: ActionKind,
    person: Option<&ObjectId>,
    record: RecordRef,
    changes: Changes,
    change: IpoChange,
    effect: Effect,
) -> (Action, Prepared) {
    (
        Action {
            kind,
            record,
            person: person.cloned(),
            changes,
        },
        Prepared { change, effect },
    )
}

/// Number of apply phases (see [`phase`]).
pub(super) const PHASES: usize = 9;

/// Actions filed by apply phase as they are planned, so the plan never sorts its (large)
/// items: a sort of 100k creates moved each one a dozen times. Each phase holds a list of
/// chunks, joined as whole chunks, never copied.
#[derive(Default)]
pub(super) struct Buckets {
    pub(super) actions: [Vec<Vec<Action>>; PHASES],
    pub(super) prepared: [Vec<Vec<Prepared>>; PHASES],
}

impl Buckets {
    pub(super) fn push(&mut self, (action, prepared): (Action, Prepared)) {
        let i = usize::from(phase(action.kind));
        open_chunk(&mut self.actions[i]).push(action);
        open_chunk(&mut self.prepared[i]).push(prepared);
    }

    pub(super) fn len(&self) -> usize {
        self.actions.iter().flatten().map(Vec::len).sum()
    }

    pub(super) fn reserve(&mut self, kind: ActionKind, n: usize) {
        let i = usize::from(phase(kind));
        last_chunk(&mut self.actions[i]).reserve(n);
        last_chunk(&mut self.prepared[i]).reserve(n);
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (&Action, &Prepared)> {
        let actions = self.actions.iter().flatten().flatten();
        actions.zip(self.prepared.iter().flatten().flatten())
    }

    /// Keeps the items `keep` says yes to, in order (actions and writes stay paired).
    pub(super) fn retain(&mut self, mut keep: impl FnMut(&Action, &Prepared) -> bool) {
        for (actions, prepared) in self.actions.iter_mut().zip(self.prepared.iter_mut()) {
            for (a, p) in actions.iter_mut().zip(prepared.iter_mut()) {
                let flags: Vec<bool> = a.iter().zip(p.iter()).map(|(a, p)| keep(a, p)).collect();
                let mut fa = flags.iter();
                a.retain(|_| fa.next().copied().unwrap_or(true));
                let mut fp = flags.iter();
                p.retain(|_| fp.next().copied().unwrap_or(true));
            }
        }
    }

    pub(super) fn clear(&mut self) {
        self.actions.iter_mut().for_each(Vec::clear);
        self.prepared.iter_mut().for_each(Vec::clear);
    }

    /// Appends `other`'s items after this one's, phase by phase.
    pub(super) fn absorb(&mut self, other: Buckets) {
        for (mine, theirs) in self.actions.iter_mut().zip(other.actions) {
            mine.extend(theirs.into_iter().filter(|c| !c.is_empty()));
        }
        for (mine, theirs) in self.prepared.iter_mut().zip(other.prepared) {
            mine.extend(theirs.into_iter().filter(|c| !c.is_empty()));
        }
    }

    pub(super) fn take(&mut self, phase: usize) -> (Vec<Vec<Action>>, Vec<Vec<Prepared>>) {
        (
            std::mem::take(&mut self.actions[phase]),
            std::mem::take(&mut self.prepared[phase]),
        )
    }
}

/// The chunk the next item goes to: the last one while it has room, else a new one twice
/// its size. A full chunk is never grown: growing moved every (large) item it held again,
/// and that was a twentieth of planning 10,000 directory entries.
fn open_chunk<T>(chunks: &mut Vec<Vec<T>>) -> &mut Vec<T> {
    let full = chunks
        .last()
        .map(|c| (c.len() == c.capacity()).then_some(c.capacity()));
    match full {
        None => chunks.push(Vec::with_capacity(16)),
        Some(Some(cap)) => chunks.push(Vec::with_capacity(cap.saturating_mul(2).max(16))),
        Some(None) => {}
    }
    last_chunk(chunks)
}

/// The chunk new items go to (a new one when there is none).
pub(super) fn last_chunk<T>(chunks: &mut Vec<Vec<T>>) -> &mut Vec<T> {
    if chunks.is_empty() {
        chunks.push(Vec::new());
    }
    let last = chunks.len() - 1;
    &mut chunks[last]
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
    pub(super) status: FastMap<ObjectId, PersonStatus>,
    pub(super) link_updates: BTreeMap<ObjectId, Option<Link>>,
    /// Contacts' links changed without a write (entries deleted by hand).
    pub(super) contact_updates: Vec<StateUpdate>,
    pub(super) kept: FastSet<ObjectId>,
    pub(super) notes: Vec<String>,
    /// The field changes of this output's actions, kept together.
    pub(super) store: ChangeStore,
    /// An emptied change list kept for its room (see [`Output::scratch`]).
    pub(super) scratch: Vec<FieldChange>,
}

impl Output {
    /// Appends what another part of the people produced, after this part's.
    pub(super) fn absorb(&mut self, other: Output) {
        self.main.absorb(other.main);
        self.later.absorb(other.later);
        self.removals.absorb(other.removals);
        self.status.extend(other.status);
        self.link_updates.extend(other.link_updates);
        self.kept.extend(other.kept);
        self.notes.extend(other.notes);
    }

    /// An empty change list to fill for the next action (reused: no allocation per action).
    pub(super) fn scratch(&mut self) -> Vec<FieldChange> {
        std::mem::take(&mut self.scratch)
    }

    /// Moves `changes` into the store; the emptied list is kept for the next action.
    pub(super) fn store(&mut self, mut changes: Vec<FieldChange>) -> Changes {
        let stored = self.store.take(&mut changes);
        if changes.capacity() > self.scratch.capacity() {
            self.scratch = changes;
        }
        stored
    }

    pub(super) fn push(
        &mut self,
        kind: ActionKind,
        person: Option<&ObjectId>,
        record: RecordRef,
        changes: Vec<FieldChange>,
        change: IpoChange,
        effect: Effect,
    ) {
        let changes = self.store(changes);
        self.main
            .push(make(kind, person, record, changes, change, effect));
    }

    /// An action with a single change, written straight into the store.
    pub(super) fn push_one(
        &mut self,
        kind: ActionKind,
        person: Option<&ObjectId>,
        record: RecordRef,
        one: FieldChange,
        change: IpoChange,
        effect: Effect,
    ) {
        let changes = self.store.one(one);
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
        let none = Changes::default();
        self.later
            .push(make(kind, person, record, none, change, effect));
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
        let changes = self.store(changes);
        self.removals
            .push(make(kind, Some(person), record, changes, change, effect));
    }
}
