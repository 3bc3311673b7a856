//! Applying the Teams stage through a [`TeamsVoiceAdmin`]: policies in batches, numbers
//! through Teams' background operations (recorded before they are followed, so a run that
//! stops early resumes them instead of starting them again), then the people written read
//! back.

use std::collections::BTreeMap;
use std::time::Duration;

use ipo_model::{
    ObjectId, TeamsOperationId, TeamsOperationStatus, TeamsPolicyType, TeamsVoice, TeamsVoiceAdmin,
};
use serde::{Deserialize, Serialize};
use usertype_rules::{TeamsAssigned, TeamsProvisioning};

use super::plan::{TeamsAction, TeamsWrite};

/// A number operation started and not yet seen to end: kept in the sync's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PendingTeamsOperation {
    /// Teams' operation id.
    pub id: TeamsOperationId,
    /// The person.
    pub person: ObjectId,
    /// Their UPN or display name.
    pub label: String,
    /// The write it carries.
    pub write: TeamsWrite,
}

/// Where the Teams stage records number operations while they run. The engine keeps them in
/// its state file and saves at once: a process stopped mid-wait must find them next run.
#[async_trait::async_trait]
pub trait TeamsJournal: Send {
    /// An operation was started. An error stops the stage (no further write is started).
    async fn started(&mut self, op: &PendingTeamsOperation) -> Result<(), String>;
    /// An operation ended (succeeded or failed).
    async fn ended(&mut self, id: &TeamsOperationId) -> Result<(), String>;
}

/// How long the stage waits for Teams' number operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TeamsApplyOptions {
    /// The longest the stage follows number operations, in all. Those still running then
    /// are followed up by the next run.
    pub wait: Duration,
}

impl TeamsApplyOptions {
    /// Following number operations for at most `wait` in all.
    pub fn waiting(wait: Duration) -> Self {
        Self { wait }
    }
}

impl Default for TeamsApplyOptions {
    fn default() -> Self {
        Self {
            wait: Duration::from_secs(120),
        }
    }
}

/// How one Teams write went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "result", content = "detail")]
#[non_exhaustive]
pub enum TeamsResult {
    /// Teams holds it.
    Done,
    /// Teams is still working on it; the next run follows the operation up.
    StillRunning(TeamsOperationId),
    /// It failed, with why.
    Failed(String),
}

/// One Teams write's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TeamsOutcome {
    /// The person.
    pub person: ObjectId,
    /// Their UPN or display name.
    pub label: String,
    /// The write.
    pub write: TeamsWrite,
    /// How it went.
    pub result: TeamsResult,
}

/// What applying the Teams stage did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TeamsApplied {
    /// One outcome per write attempted or followed up.
    pub outcomes: Vec<TeamsOutcome>,
    /// What Teams holds for each person written, read back after the writes.
    pub read_back: BTreeMap<ObjectId, TeamsVoice>,
    /// What the read-back shows needs an administrator, per person.
    pub warnings: Vec<(ObjectId, String)>,
}

impl TeamsApplied {
    /// Records in `owned` (the sync's state: what it assigned, per person) every write
    /// done, so later runs change and give back only what the sync made.
    pub fn record_owned(&self, owned: &mut BTreeMap<ObjectId, TeamsAssigned>) {
        for o in self
            .outcomes
            .iter()
            .filter(|o| o.result == TeamsResult::Done)
        {
            let mine = owned.entry(o.person.clone()).or_default();
            match &o.write {
                TeamsWrite::AssignNumber { number } => mine.number = Some(number.clone()),
                TeamsWrite::UnassignNumber { .. } => mine.number = None,
                TeamsWrite::AssignPolicy { policy_type, name } => {
                    mine.policies.insert(*policy_type, name.clone());
                }
                TeamsWrite::UnassignPolicy { policy_type, .. } => {
                    mine.policies.remove(policy_type);
                }
                // A flag of the person's, not something the sync assigned and gives back.
                TeamsWrite::EnableEnterpriseVoice => {}
            }
        }
        owned.retain(|_, a| !a.is_empty());
    }

    /// How many writes Teams holds now (neither failed nor still running).
    pub fn done(&self) -> usize {
        let done = |o: &&TeamsOutcome| o.result == TeamsResult::Done;
        self.outcomes.iter().filter(done).count()
    }

    /// How many writes failed.
    pub fn failed(&self) -> usize {
        let failed = |o: &&TeamsOutcome| matches!(o.result, TeamsResult::Failed(_));
        self.outcomes.iter().filter(failed).count()
    }
}

/// Applies the Graph-provisioned writes of `actions` (script-mode writes are for the
/// administrator), after following up the operations an earlier run left `pending`.
pub async fn apply_teams(
    actions: &[TeamsAction],
    pending: &[PendingTeamsOperation],
    admin: &dyn TeamsVoiceAdmin,
    journal: &mut dyn TeamsJournal,
    options: TeamsApplyOptions,
) -> TeamsApplied {
    let graph: Vec<&TeamsAction> = actions
        .iter()
        .filter(|a| a.provisioning == TeamsProvisioning::Graph)
        .collect();
    let mut applied = TeamsApplied::default();
    apply_policies(&graph, admin, &mut applied).await;
    let mut running = pending.to_vec();
    start_numbers(&graph, admin, journal, &mut running, &mut applied).await;
    follow(running, admin, journal, options.wait, &mut applied).await;
    read_back(admin, &mut applied).await;
    applied
}

fn outcome(a: &TeamsAction, result: TeamsResult) -> TeamsOutcome {
    TeamsOutcome {
        person: a.person.clone(),
        label: a.label.clone(),
        write: a.write.clone(),
        result,
    }
}

/// Policies, one request per policy (the transport splits large batches): assignments by
/// `(type, name)`, unassignments by type.
async fn apply_policies(
    graph: &[&TeamsAction],
    admin: &dyn TeamsVoiceAdmin,
    applied: &mut TeamsApplied,
) {
    let mut assign: BTreeMap<(TeamsPolicyType, &str), Vec<&TeamsAction>> = BTreeMap::new();
    let mut unassign: BTreeMap<TeamsPolicyType, Vec<&TeamsAction>> = BTreeMap::new();
    for a in graph {
        match &a.write {
            TeamsWrite::AssignPolicy { policy_type, name } => {
                assign.entry((*policy_type, name)).or_default().push(a)
            }
            TeamsWrite::UnassignPolicy { policy_type, .. } => {
                unassign.entry(*policy_type).or_default().push(a)
            }
            _ => {}
        }
    }
    for ((policy_type, name), batch) in assign {
        let result = match admin.policy_id(policy_type, name).await {
            Ok(Some(id)) => {
                let users = people(&batch);
                admin.assign_policy(policy_type, &id, &users).await
            }
            Ok(None) => Err(ipo_model::PortError::NotFound(format!(
                "the {policy_type} {name:?} in Teams (check the rule's policy name)"
            ))),
            Err(e) => Err(e),
        };
        record_batch(&batch, result, applied);
    }
    for (policy_type, batch) in unassign {
        let result = admin.unassign_policy(policy_type, &people(&batch)).await;
        record_batch(&batch, result, applied);
    }
}

fn people(batch: &[&TeamsAction]) -> Vec<ObjectId> {
    batch.iter().map(|a| a.person.clone()).collect()
}

fn record_batch(
    batch: &[&TeamsAction],
    result: Result<(), ipo_model::PortError>,
    applied: &mut TeamsApplied,
) {
    let r = match result {
        Ok(()) => TeamsResult::Done,
        Err(e) => TeamsResult::Failed(e.to_string()),
    };
    applied
        .outcomes
        .extend(batch.iter().map(|a| outcome(a, r.clone())));
}

/// Starts each number write not already running from an earlier run, recording each before
/// the next.
async fn start_numbers(
    graph: &[&TeamsAction],
    admin: &dyn TeamsVoiceAdmin,
    journal: &mut dyn TeamsJournal,
    running: &mut Vec<PendingTeamsOperation>,
    applied: &mut TeamsApplied,
) {
    let numbers = graph.iter().filter(|a| {
        matches!(
            a.write,
            TeamsWrite::AssignNumber { .. } | TeamsWrite::UnassignNumber { .. }
        )
    });
    let mut stopped: Option<String> = None;
    for a in numbers {
        if running
            .iter()
            .any(|p| p.person == a.person && p.write == a.write)
        {
            continue; // an earlier run started it: follow that one, never start it again
        }
        if let Some(why) = &stopped {
            applied
                .outcomes
                .push(outcome(a, TeamsResult::Failed(why.clone())));
            continue;
        }
        let started = match &a.write {
            TeamsWrite::AssignNumber { number } => admin.assign_number(&a.person, number).await,
            TeamsWrite::UnassignNumber { number } => admin.unassign_number(number).await,
            _ => continue,
        };
        let id = match started {
            Ok(id) => id,
            Err(e) => {
                applied
                    .outcomes
                    .push(outcome(a, TeamsResult::Failed(e.to_string())));
                continue;
            }
        };
        let op = PendingTeamsOperation {
            id,
            person: a.person.clone(),
            label: a.label.clone(),
            write: a.write.clone(),
        };
        if let Err(e) = journal.started(&op).await {
            stopped = Some(format!(
                "not started: the sync state could not record operation {}: {e}",
                op.id
            ));
        }
        running.push(op);
    }
}

/// Follows the running operations for at most `wait`.
async fn follow(
    running: Vec<PendingTeamsOperation>,
    admin: &dyn TeamsVoiceAdmin,
    journal: &mut dyn TeamsJournal,
    wait: Duration,
    applied: &mut TeamsApplied,
) {
    if running.is_empty() {
        return;
    }
    let ids: Vec<TeamsOperationId> = running.iter().map(|p| p.id.clone()).collect();
    let statuses: BTreeMap<TeamsOperationId, TeamsOperationStatus> =
        match admin.follow_number_operations(&ids, wait).await {
            Ok(s) => s.into_iter().collect(),
            Err(e) => {
                // Nothing is known: the operations stay recorded for the next run.
                let why = format!("could not follow Teams' number operations: {e}");
                for p in running {
                    applied
                        .outcomes
                        .push(pending_outcome(&p, TeamsResult::Failed(why.clone())));
                }
                return;
            }
        };
    for p in running {
        let result = match statuses.get(&p.id) {
            Some(TeamsOperationStatus::Succeeded) => TeamsResult::Done,
            Some(TeamsOperationStatus::Failed(why)) => TeamsResult::Failed(why.clone()),
            _ => TeamsResult::StillRunning(p.id.clone()),
        };
        if !matches!(result, TeamsResult::StillRunning(_))
            && let Err(e) = journal.ended(&p.id).await
        {
            tracing::warn!(operation = %p.id, "the sync state could not forget a finished operation: {e}");
        }
        applied.outcomes.push(pending_outcome(&p, result));
    }
}

fn pending_outcome(p: &PendingTeamsOperation, result: TeamsResult) -> TeamsOutcome {
    TeamsOutcome {
        person: p.person.clone(),
        label: p.label.clone(),
        write: p.write.clone(),
        result,
    }
}

/// Reads back every person with a write done, and says what still needs an administrator.
async fn read_back(admin: &dyn TeamsVoiceAdmin, applied: &mut TeamsApplied) {
    let done: BTreeMap<&ObjectId, bool> = applied
        .outcomes
        .iter()
        .filter(|o| o.result == TeamsResult::Done)
        .fold(BTreeMap::new(), |mut m, o| {
            let number = matches!(o.write, TeamsWrite::AssignNumber { .. });
            *m.entry(&o.person).or_default() |= number;
            m
        });
    let mut read = BTreeMap::new();
    let mut warnings = Vec::new();
    for (person, got_number) in done {
        match admin.user_voice(person).await {
            Ok(voice) => {
                if got_number && voice.enterprise_voice_enabled == Some(false) {
                    warnings.push((person.clone(), ENTERPRISE_VOICE_OFF.to_owned()));
                }
                read.insert(person.clone(), voice);
            }
            Err(e) => warnings.push((person.clone(), format!("could not read Teams back: {e}"))),
        }
    }
    applied.read_back = read;
    applied.warnings = warnings;
}

/// What to do when Teams has the number but Enterprise Voice stayed off.
pub const ENTERPRISE_VOICE_OFF: &str = "the number is assigned but Enterprise Voice is still \
    off, so Teams will not ring it: run Set-CsPhoneNumberAssignment -Identity <upn> \
    -EnterpriseVoiceEnabled $true";
