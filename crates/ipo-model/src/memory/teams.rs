//! The Teams voice side in memory: numbers, policies and background operations that finish
//! when polled, for tests and examples of the sync's Teams half.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;

use super::lock;
use crate::azure_ad::{AssignmentCategory, TeamsPhoneNumber, TeamsVoice};
use crate::id::ObjectId;
use crate::phone::{NumberFormat, TeamsNumber};
use crate::port::PortError;
use crate::teams_number_holder::{NumberSource, TeamsNumberHolder, TeamsNumberHolders};
use crate::teams_policy::{EffectivePolicy, PolicyVia, TeamsPolicyType};
use crate::teams_port::{TeamsOperationId, TeamsOperationStatus, TeamsVoiceAdmin};

/// How often [`MemoryTeams`] polls an operation when following it, at most: an operation set
/// to take more polls (see [`MemoryTeams::set_polls_to_finish`]) is still running after.
pub const MEMORY_FOLLOW_POLLS: u32 = 10;

/// Requests served so far, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct MemoryTeamsCalls {
    /// Number assignments started.
    pub assign_number: usize,
    /// Number unassignments started.
    pub unassign_number: usize,
    /// Operation polls.
    pub polls: usize,
    /// Policy name look-ups.
    pub policy_lookups: usize,
    /// Policy assignment and unassignment requests (each may carry many users).
    pub policy_requests: usize,
}

#[derive(Debug)]
enum Effect {
    Assign(ObjectId, TeamsNumber),
    Unassign(TeamsNumber),
}

#[derive(Debug)]
struct Operation {
    polls_left: u32,
    effect: Effect,
    outcome: Option<TeamsOperationStatus>,
}

#[derive(Debug)]
struct State {
    voices: BTreeMap<ObjectId, TeamsVoice>,
    holders: TeamsNumberHolders,
    /// By type and lower-cased name: (id, name as created).
    policies: BTreeMap<(TeamsPolicyType, String), (String, String)>,
    operations: BTreeMap<TeamsOperationId, Operation>,
    polls_to_finish: u32,
    assignment_enables_voice: bool,
    calls: MemoryTeamsCalls,
}

impl Default for State {
    fn default() -> Self {
        Self {
            voices: BTreeMap::new(),
            holders: TeamsNumberHolders::default(),
            policies: BTreeMap::new(),
            operations: BTreeMap::new(),
            polls_to_finish: 1,
            assignment_enables_voice: true,
            calls: MemoryTeamsCalls::default(),
        }
    }
}

/// Teams voice administration in memory.
///
/// Number operations finish when polled (after one poll that says "running", by default:
/// see [`MemoryTeams::set_polls_to_finish`]); a number another user holds, or one from
/// on-premises AD, makes the operation fail, as Teams does.
///
/// ```
/// use ipo_model::*;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let teams = MemoryTeams::new();
/// let ann: ObjectId = "22222222-2222-2222-2222-222222222222".parse().unwrap();
/// let uk = teams.create_policy(TeamsPolicyType::OnlineVoiceRouting, "UK");
/// let id = teams.policy_id(TeamsPolicyType::OnlineVoiceRouting, "uk").await.unwrap();
/// assert_eq!(id.as_deref(), Some(uk.as_str()));
/// let op = teams.assign_number(&ann, &"+441632768402".parse().unwrap()).await.unwrap();
/// assert_eq!(teams.number_operation(&op).await.unwrap(), TeamsOperationStatus::Running);
/// assert_eq!(teams.number_operation(&op).await.unwrap(), TeamsOperationStatus::Succeeded);
/// let voice = teams.user_voice(&ann).await.unwrap();
/// assert_eq!(voice.telephone_numbers[0].number, "tel:+441632768402");
/// # });
/// ```
#[derive(Debug, Default)]
pub struct MemoryTeams {
    state: Mutex<State>,
}

impl MemoryTeams {
    /// An empty tenant: no numbers, no policies.
    pub fn new() -> Self {
        Self::default()
    }

    /// Creates a policy; returns its id.
    pub fn create_policy(&self, policy_type: TeamsPolicyType, name: &str) -> String {
        let mut s = lock(&self.state);
        let id = format!("{}:{}", policy_type.graph_name(), s.policies.len() + 1);
        let key = (policy_type, name.to_lowercase());
        s.policies.insert(key, (id.clone(), name.to_owned()));
        id
    }

    /// Sets a user's voice set-up as Teams holds it (numbers, Enterprise Voice, policies).
    pub fn set_voice(&self, user: &ObjectId, voice: TeamsVoice) {
        lock(&self.state).voices.insert(user.clone(), voice);
    }

    /// Records who holds a number and where it comes from.
    pub fn set_holder(&self, holder: TeamsNumberHolder) {
        lock(&self.state).holders.insert(holder);
    }

    /// How many polls an operation answers "running" before it ends (0: ends at once).
    pub fn set_polls_to_finish(&self, polls: u32) {
        lock(&self.state).polls_to_finish = polls;
    }

    /// Whether a finished number assignment turns Enterprise Voice on (default on, as Teams
    /// PowerShell's does; Graph's is read back, not assumed).
    pub fn set_assignment_enables_voice(&self, on: bool) {
        lock(&self.state).assignment_enables_voice = on;
    }

    /// Requests served so far.
    pub fn calls(&self) -> MemoryTeamsCalls {
        lock(&self.state).calls
    }

    fn start(&self, effect: Effect) -> TeamsOperationId {
        let mut s = lock(&self.state);
        let id = TeamsOperationId(format!("op-{}", s.operations.len() + 1));
        let polls_left = s.polls_to_finish;
        let op = Operation {
            polls_left,
            effect,
            outcome: None,
        };
        s.operations.insert(id.clone(), op);
        id
    }
}

impl State {
    fn finish(&mut self, effect: &Effect) -> TeamsOperationStatus {
        let result = match effect {
            Effect::Assign(user, number) => self.assign(user, number),
            Effect::Unassign(number) => self.unassign(number),
        };
        result.map_or_else(TeamsOperationStatus::Failed, |()| {
            TeamsOperationStatus::Succeeded
        })
    }

    fn assign(&mut self, user: &ObjectId, number: &TeamsNumber) -> Result<(), String> {
        if number.number().is_none() {
            return Err("a Direct Routing number needs a number".into());
        }
        // The whole number, extension included: other extensions of the same base number
        // are other numbers.
        if let Some(h) = self.holders.get(number) {
            if h.source == Some(NumberSource::OnPremises) {
                return Err(format!("{number} is managed on premises"));
            }
            if h.holder.as_ref().is_some_and(|u| u != user) {
                return Err(format!("{number} is assigned to another user"));
            }
        }
        let text = number
            .format(NumberFormat::LineUri)
            .map_err(|e| e.to_string())?;
        let enable = self.assignment_enables_voice;
        let voice = self.voices.entry(user.clone()).or_default();
        voice.telephone_numbers = vec![TeamsPhoneNumber::new(text, AssignmentCategory::Primary)];
        // Teams always answers the flag; a user it never saw has it off.
        voice.enterprise_voice_enabled =
            Some(enable || voice.enterprise_voice_enabled == Some(true));
        let holder = TeamsNumberHolder::new(
            number.clone(),
            Some(user.clone()),
            Some(NumberSource::Online),
        );
        self.holders.insert(holder);
        Ok(())
    }

    fn unassign(&mut self, number: &TeamsNumber) -> Result<(), String> {
        let Some(holder) = self.holders.get(number).cloned() else {
            return Err(format!("{number} is not a number of this tenant"));
        };
        if holder.source == Some(NumberSource::OnPremises) {
            return Err(format!("{number} is managed on premises"));
        }
        if let Some(voice) = holder.holder.as_ref().and_then(|u| self.voices.get_mut(u)) {
            voice.telephone_numbers.retain(|n| {
                TeamsNumber::parse_any(&n.number)
                    .ok()
                    .is_none_or(|t| t != *number)
            });
        }
        self.holders
            .insert(TeamsNumberHolder::new(number.clone(), None, holder.source));
        Ok(())
    }
}

#[async_trait]
impl TeamsVoiceAdmin for MemoryTeams {
    async fn assign_number(
        &self,
        user: &ObjectId,
        number: &TeamsNumber,
    ) -> Result<TeamsOperationId, PortError> {
        lock(&self.state).calls.assign_number += 1;
        Ok(self.start(Effect::Assign(user.clone(), number.clone())))
    }

    async fn unassign_number(&self, number: &TeamsNumber) -> Result<TeamsOperationId, PortError> {
        lock(&self.state).calls.unassign_number += 1;
        Ok(self.start(Effect::Unassign(number.clone())))
    }

    async fn number_operation(
        &self,
        id: &TeamsOperationId,
    ) -> Result<TeamsOperationStatus, PortError> {
        let mut s = lock(&self.state);
        s.calls.polls += 1;
        let Some(mut op) = s.operations.remove(id) else {
            return Err(PortError::NotFound(format!("Teams number operation {id}")));
        };
        let status = match &op.outcome {
            Some(done) => done.clone(),
            None if op.polls_left > 0 => {
                op.polls_left -= 1;
                TeamsOperationStatus::Running
            }
            None => {
                let done = s.finish(&op.effect);
                op.outcome = Some(done.clone());
                done
            }
        };
        s.operations.insert(id.clone(), op);
        Ok(status)
    }

    /// Polls each operation until it ends, at most [`MEMORY_FOLLOW_POLLS`] times (memory
    /// needs no pause between polls; `within` is not waited for).
    async fn follow_number_operations(
        &self,
        ids: &[TeamsOperationId],
        _within: Duration,
    ) -> Result<Vec<(TeamsOperationId, TeamsOperationStatus)>, PortError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let mut status = TeamsOperationStatus::Running;
            for _ in 0..MEMORY_FOLLOW_POLLS {
                status = self.number_operation(id).await?;
                if status != TeamsOperationStatus::Running {
                    break;
                }
            }
            out.push((id.clone(), status));
        }
        Ok(out)
    }

    async fn policy_id(
        &self,
        policy_type: TeamsPolicyType,
        name: &str,
    ) -> Result<Option<String>, PortError> {
        let mut s = lock(&self.state);
        s.calls.policy_lookups += 1;
        let key = (policy_type, name.to_lowercase());
        Ok(s.policies.get(&key).map(|(id, _)| id.clone()))
    }

    async fn assign_policy(
        &self,
        policy_type: TeamsPolicyType,
        policy_id: &str,
        users: &[ObjectId],
    ) -> Result<(), PortError> {
        let mut s = lock(&self.state);
        s.calls.policy_requests += 1;
        let Some(name) = s
            .policies
            .iter()
            .find(|((t, _), (id, _))| *t == policy_type && id == policy_id)
            .map(|(_, (_, name))| name.clone())
        else {
            return Err(PortError::NotFound(format!(
                "{} {policy_id}",
                policy_type.graph_name()
            )));
        };
        for user in users {
            let voice = s.voices.entry(user.clone()).or_default();
            voice
                .effective_policies
                .retain(|p| p.policy_type != policy_type);
            let mut p = EffectivePolicy::new(policy_type, name.clone(), PolicyVia::Direct);
            p.policy_id = Some(policy_id.to_owned());
            voice.effective_policies.push(p);
        }
        Ok(())
    }

    async fn unassign_policy(
        &self,
        policy_type: TeamsPolicyType,
        users: &[ObjectId],
    ) -> Result<(), PortError> {
        let mut s = lock(&self.state);
        s.calls.policy_requests += 1;
        for user in users {
            if let Some(voice) = s.voices.get_mut(user) {
                voice
                    .effective_policies
                    .retain(|p| !(p.policy_type == policy_type && p.via == PolicyVia::Direct));
            }
        }
        Ok(())
    }

    async fn number_holders(&self) -> Result<TeamsNumberHolders, PortError> {
        Ok(lock(&self.state).holders.clone())
    }

    async fn user_voice(&self, user: &ObjectId) -> Result<TeamsVoice, PortError> {
        Ok(lock(&self.state)
            .voices
            .get(user)
            .cloned()
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    fn id(n: u8) -> ObjectId {
        format!("00000000-0000-4000-8000-0000000000{n:02}")
            .parse()
            .unwrap()
    }

    #[test]
    fn a_number_someone_else_holds_fails_the_operation_and_changes_nothing() {
        block_on(async {
            let teams = MemoryTeams::new();
            teams.set_polls_to_finish(0);
            let n: TeamsNumber = "+441632768402".parse().unwrap();
            let op = teams.assign_number(&id(1), &n).await.unwrap();
            assert_eq!(
                teams.number_operation(&op).await.unwrap(),
                TeamsOperationStatus::Succeeded
            );
            let op = teams.assign_number(&id(2), &n).await.unwrap();
            let status = teams.number_operation(&op).await.unwrap();
            assert!(
                matches!(&status, TeamsOperationStatus::Failed(m) if m.contains("another user")),
                "{status:?}"
            );
            assert!(
                teams
                    .user_voice(&id(2))
                    .await
                    .unwrap()
                    .telephone_numbers
                    .is_empty()
            );
            // Asking again gives the same outcome; the write is not repeated.
            assert_eq!(teams.number_operation(&op).await.unwrap(), status);
            let holders = teams.number_holders().await.unwrap();
            assert_eq!(holders.get(&n).unwrap().holder, Some(id(1)));
        });
    }

    #[test]
    fn extensions_of_one_base_number_are_held_by_different_people() {
        block_on(async {
            let teams = MemoryTeams::new();
            teams.set_polls_to_finish(0);
            let n401: TeamsNumber = "+441632768000;ext=401".parse().unwrap();
            let n402: TeamsNumber = "+441632768000;ext=402".parse().unwrap();
            for (who, n) in [(id(1), &n401), (id(2), &n402)] {
                let op = teams.assign_number(&who, n).await.unwrap();
                let status = teams.number_operation(&op).await.unwrap();
                assert_eq!(status, TeamsOperationStatus::Succeeded, "{n}");
            }
            let holders = teams.number_holders().await.unwrap();
            assert_eq!(holders.get(&n401).unwrap().holder, Some(id(1)));
            assert_eq!(holders.get(&n402).unwrap().holder, Some(id(2)));
            // The exact number and extension someone holds is still theirs.
            let op = teams.assign_number(&id(3), &n402).await.unwrap();
            let status = teams.number_operation(&op).await.unwrap();
            assert!(
                matches!(status, TeamsOperationStatus::Failed(_)),
                "{status:?}"
            );
            // Giving one back leaves the other with its holder.
            let op = teams.unassign_number(&n401).await.unwrap();
            teams.number_operation(&op).await.unwrap();
            let holders = teams.number_holders().await.unwrap();
            assert_eq!(holders.get(&n401).unwrap().holder, None);
            assert_eq!(holders.get(&n402).unwrap().holder, Some(id(2)));
            let voice = teams.user_voice(&id(2)).await.unwrap();
            assert_eq!(voice.telephone_numbers.len(), 1);
        });
    }

    #[test]
    fn unassigning_frees_the_number_and_policies_come_and_go_in_batches() {
        block_on(async {
            let teams = MemoryTeams::new();
            teams.set_polls_to_finish(0);
            let n: TeamsNumber = "tel:+441632768402;ext=402".parse().unwrap();
            let op = teams.assign_number(&id(1), &n).await.unwrap();
            teams.number_operation(&op).await.unwrap();
            let op = teams.unassign_number(&n).await.unwrap();
            assert_eq!(
                teams.number_operation(&op).await.unwrap(),
                TeamsOperationStatus::Succeeded
            );
            assert!(
                teams
                    .user_voice(&id(1))
                    .await
                    .unwrap()
                    .telephone_numbers
                    .is_empty()
            );
            let t = TeamsPolicyType::OnlineVoiceRouting;
            let uk = teams.create_policy(t, "UK");
            teams.assign_policy(t, &uk, &[id(1), id(2)]).await.unwrap();
            let p = &teams.user_voice(&id(2)).await.unwrap().effective_policies[0];
            assert_eq!((p.name.as_str(), &p.via), ("UK", &PolicyVia::Direct));
            teams.unassign_policy(t, &[id(1), id(2)]).await.unwrap();
            assert!(
                teams
                    .user_voice(&id(2))
                    .await
                    .unwrap()
                    .effective_policies
                    .is_empty()
            );
            assert_eq!(teams.calls().policy_requests, 2);
            assert!(teams.assign_policy(t, "nope", &[id(1)]).await.is_err());
        });
    }
}
