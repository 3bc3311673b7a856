//! Applying a plan: ordered, batched writes; one outcome per action; state saved as it goes
//! so an interrupted run resumes without duplicates.

use std::collections::{BTreeSet, HashMap};

use ipo_model::{ExtensionNumber, IpoChange, IpoConfigStore, ObjectId, PortError, UserType};
use tracing::{info, warn};

use crate::error::StateError;
use crate::plan::{Action, ActionKind, Effect, Plan, Write};
use crate::progress::{NoProgress, Phase, Progress};
use crate::report::{ItemOutcome, Report, WriteCounts};
use crate::state::{Link, StateStore, SyncState};
use crate::state_io::StateIo;

/// Applies `plan` to `store`, updating `state` and saving it through `state_store` before
/// the first write (intents), after every phase and at the end.
///
/// Users are removed first (the licences they free serve the creates); extension records
/// are written before the users that need them, and a user whose extension could not be
/// created is not attempted; extension records are deleted last. A failing item never
/// stops the others. Each action carries its write: a plan read back from JSON has none
/// (see [`RunOptions::reviewed`](crate::RunOptions::reviewed)).
pub async fn apply(
    plan: &Plan,
    store: &dyn IpoConfigStore,
    state: &mut SyncState,
    state_store: &dyn StateStore,
) -> Result<Report, StateError> {
    apply_with_progress(plan, store, state, state_store, &NoProgress).await
}

/// [`apply`], telling `progress` about it: [`Phase::Apply`] with the number of actions,
/// then an advance as each batch of writes comes back (one unit per action, attempted or
/// not), so the advances add up to the plan's action count. `finish` is left to the caller.
pub async fn apply_with_progress(
    plan: &Plan,
    store: &dyn IpoConfigStore,
    state: &mut SyncState,
    state_store: &dyn StateStore,
    progress: &dyn Progress,
) -> Result<Report, StateError> {
    let io = StateIo::Borrowed(state_store);
    apply_saving_through(plan, store, state, io, progress).await
}

/// [`apply_with_progress`], saving through `io`.
pub(crate) async fn apply_saving_through(
    plan: &Plan,
    store: &dyn IpoConfigStore,
    state: &mut SyncState,
    io: StateIo<'_>,
    progress: &dyn Progress,
) -> Result<Report, StateError> {
    progress.phase(Phase::Apply, Some(plan.actions.len()));
    let intended = begin(plan, state);
    io.save(state).await?;
    let mut run = Applying {
        items: vec![None; plan.actions.len()],
        failed_extensions: BTreeSet::new(),
        restarts: Vec::new(),
    };
    let mut i = 0;
    while i < plan.actions.len() {
        let kind = plan.actions[i].kind;
        let j = (i..plan.actions.len())
            .find(|&k| plan.actions[k].kind != kind)
            .unwrap_or(plan.actions.len());
        if run.batch(plan, i..j, store, state).await {
            io.save(state).await?;
        }
        progress.advance(j - i);
        i = j;
    }
    settle_intents(plan, &run.items, &intended, state);
    io.save(state).await?;
    Ok(run.report(plan))
}

/// Takes the plan's state-only changes and its write-ahead intents into `state` (saved by
/// the caller before the first write); the people with an intent.
fn begin(plan: &Plan, state: &mut SyncState) -> Vec<ObjectId> {
    for u in &plan.state_updates {
        match &u.link {
            Some(l) => state.links.insert(u.person.clone(), l.clone()),
            None => state.links.remove(&u.person),
        };
    }
    for u in &plan.contact_updates {
        match &u.link {
            Some(l) => state.contacts.insert(u.person.clone(), l.clone()),
            None => state.contacts.remove(&u.person),
        };
    }
    // The plan consumed every intent of an earlier, interrupted run: the records it finds
    // became links above and the ones it does not find were never created. Keeping an old
    // intent would let a later run take over a user someone else creates under that name.
    state.pending = plan.intents();
    state.pending.keys().cloned().collect()
}

/// An apply under way: one outcome per action once known.
struct Applying {
    items: Vec<Option<ItemOutcome>>,
    failed_extensions: BTreeSet<ExtensionNumber>,
    restarts: Vec<ipo_model::RestartNotice>,
}

impl Applying {
    /// Writes the actions in `range` (one kind) as one batch; whether any was attempted.
    async fn batch(
        &mut self,
        plan: &Plan,
        range: std::ops::Range<usize>,
        store: &dyn IpoConfigStore,
        state: &mut SyncState,
    ) -> bool {
        let mut batch = Vec::new();
        let mut batch_idx = Vec::new();
        for k in range {
            let action = &plan.actions[k];
            match self.refusal(action) {
                Some(reason) => {
                    let record = action.record.to_string();
                    let err = PortError::NotAttempted { record, reason };
                    self.items[k] = Some(outcome(action, Err(err)));
                }
                None => {
                    if let Some(w) = &action.write {
                        batch.push(w.change.clone());
                        batch_idx.push(k);
                    }
                }
            }
        }
        if batch.is_empty() {
            return false;
        }
        info!(phase = ?plan.actions[batch_idx[0]].kind, count = batch.len(), "applying");
        let results = store.apply(batch).await;
        for (n, &k) in batch_idx.iter().enumerate() {
            let action = &plan.actions[k];
            let result = results.get(n).cloned().unwrap_or_else(|| {
                Err(PortError::Other(format!(
                    "{}: the store returned no outcome",
                    action.record
                )))
            });
            match (&result, &action.write) {
                (Ok(applied), Some(w)) => {
                    crate::restarts::merge(&mut self.restarts, &applied.restarts);
                    record_effect(state, action.person.as_ref(), w, applied)
                }
                (Err(e), Some(w)) => {
                    warn!(record = %action.record, error = %e, "write failed");
                    if let IpoChange::CreateExtension(x) = &w.change {
                        self.failed_extensions.insert(x.number.clone());
                    }
                }
                _ => {}
            }
            self.items[k] = Some(outcome(action, result.map(|a| a.notices)));
        }
        true
    }

    /// Why `action` is not attempted, if it is not.
    fn refusal(&self, action: &Action) -> Option<String> {
        let Some(w) = &action.write else {
            return Some(
                "the plan holds no write for it: a plan read back from JSON carries none \
                 (codes are never stored in it); apply it with RunOptions::reviewed, which \
                 plans again and applies only the plan reviewed"
                    .into(),
            );
        };
        match &w.change {
            IpoChange::CreateUser(u) => u
                .extension
                .as_ref()
                .filter(|e| self.failed_extensions.contains(*e))
                .map(|e| format!("extension {e} could not be created")),
            _ => None,
        }
    }

    fn report(self, plan: &Plan) -> Report {
        let items: Vec<ItemOutcome> = self.items.into_iter().flatten().collect();
        let failed = items.iter().filter(|i| !i.ok()).count();
        let mut report = Report::default();
        let ipo = WriteCounts::new(plan.actions.len(), items.len() - failed, failed);
        report.summary.count(ipo, WriteCounts::default());
        report.summary.held_removals = plan.held_removals.as_ref().map_or(0, |h| h.count);
        report.items = items;
        report.restarts = self.restarts;
        report
    }
}

/// A create whose answer was definite (done, or refused) is no longer in flight. One that
/// failed in transport may have happened anyway: it stays pending so the next run finds the
/// record by name and extension instead of creating a duplicate.
fn settle_intents(
    plan: &Plan,
    items: &[Option<ItemOutcome>],
    intended: &[ObjectId],
    state: &mut SyncState,
) {
    let mut creates_of: HashMap<&ObjectId, Vec<usize>> = HashMap::new();
    for (k, a) in plan.actions.iter().enumerate() {
        if let Some(p) = &a.person
            && matches!(
                a.kind,
                ActionKind::CreateUser
                    | ActionKind::CreateExtension
                    | ActionKind::PutDirectoryEntry
            )
        {
            creates_of.entry(p).or_default().push(k);
        }
    }
    for id in intended {
        let ambiguous = creates_of.get(id).into_iter().flatten().any(|&k| {
            let (a, o) = (&plan.actions[k], items.get(k).and_then(Option::as_ref));
            match o.and_then(|o| o.error.as_ref()) {
                Some(PortError::Unavailable { .. } | PortError::Other(_)) => true,
                Some(_) => false,
                // Created, but no GUID came back: only the name can find it again.
                None if a.kind == ActionKind::CreateUser => {
                    state.links.get(id).is_none_or(|l| l.user.is_none())
                }
                None => o.is_none(),
            }
        });
        if !ambiguous {
            state.pending.remove(id);
        }
    }
}

fn outcome(action: &Action, result: Result<Vec<String>, PortError>) -> ItemOutcome {
    let (error, notices) = match result {
        Ok(n) => (None, n),
        Err(e) => (Some(e), Vec::new()),
    };
    ItemOutcome {
        kind: action.kind,
        record: action.record.clone(),
        person: action.person.clone(),
        error,
        notices,
    }
}

/// The name a user write gives the user.
fn written_name(change: &IpoChange) -> Option<ipo_model::UserName> {
    match change {
        IpoChange::CreateUser(u) | IpoChange::UpdateUser(u) => Some(u.name.clone()),
        _ => None,
    }
}

fn record_effect(
    state: &mut SyncState,
    person: Option<&ObjectId>,
    prep: &Write,
    applied: &ipo_model::Applied,
) {
    let Some(person) = person else { return };
    // A contact's entries are kept apart from people's links.
    match &prep.effect {
        Effect::DirectoryPut {
            name,
            number,
            contact: true,
        } => {
            let link = (state.contacts.entry(person.clone()))
                .or_insert_with(|| Link::new(UserType::TeamsOnly));
            link.own_entry(*number, name.clone());
            return;
        }
        Effect::DirectoryRemoved {
            name,
            contact: true,
        } => {
            if let Some(link) = state.contacts.get_mut(person) {
                link.forget_entry(name);
                if link.is_empty() {
                    state.contacts.remove(person);
                }
            }
            return;
        }
        _ => {}
    }
    let default_type = state
        .pending
        .get(person)
        .map(|p| p.user_type)
        .unwrap_or(UserType::IpOfficeOnly);
    let link = state
        .links
        .entry(person.clone())
        .or_insert_with(|| Link::new(default_type));
    match &prep.effect {
        Effect::UserCreated {
            name_source,
            user_type,
        } => {
            if applied.guid.is_some() {
                link.user = applied.guid.clone();
                link.name = written_name(&prep.change);
                link.name_source = name_source.as_ref().map(|s| s.to_string());
                link.user_type = *user_type;
                link.disabled = false;
            }
        }
        Effect::UserUpdated {
            name_source,
            user_type,
            enabled,
        } => {
            link.name = written_name(&prep.change);
            link.name_source = name_source.as_ref().map(|s| s.to_string());
            link.user_type = *user_type;
            if *enabled {
                link.disabled = false;
            }
        }
        Effect::UserDisabled => link.disabled = true,
        Effect::UserDeleted => {
            link.user = None;
            link.name = None;
            link.disabled = false;
        }
        Effect::ExtensionCreated { number } => {
            if applied.guid.is_some() {
                link.extension = applied.guid.clone();
                link.extension_number = Some(number.clone());
            }
        }
        Effect::ExtensionDeleted { guid } => {
            if link.extension.as_ref() == Some(guid) {
                link.extension = None;
                link.extension_number = None;
            }
        }
        Effect::DirectoryPut { name, number, .. } => {
            link.own_entry(*number, name.clone());
            if link.user.is_none() {
                link.user_type = UserType::TeamsOnly;
            }
        }
        Effect::DirectoryRemoved { name, .. } => link.forget_entry(name),
        Effect::None => {}
    }
    if link.is_empty() {
        state.links.remove(person);
    }
}

/// Whether an action kind removes a record (used by reports).
pub fn is_destructive(kind: ActionKind) -> bool {
    matches!(
        kind,
        ActionKind::DeleteUser | ActionKind::DeleteExtension | ActionKind::RemoveDirectoryEntry
    )
}
