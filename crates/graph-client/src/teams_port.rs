//! [`GraphClient`] as the sync's Teams voice port ([`TeamsVoiceAdmin`]): the typed Teams
//! administration calls, in the domain's terms.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use ipo_model::{
    NumberSource, ObjectId, PortError, TeamsNumber, TeamsNumberHolder, TeamsNumberHolders,
    TeamsOperationId, TeamsOperationStatus, TeamsPolicyType, TeamsVoice, TeamsVoiceAdmin,
};

use crate::client::GraphClient;
use crate::error::GraphError;
use crate::number_model::{
    AssignNumber, NumberOperation, NumberType, OperationId, OperationOutcome, OperationStatus,
    PollSchedule,
};
use crate::policy_model::{PolicyAssignment, PolicyType};

/// The text Graph's `assignNumber` is sent for a Direct Routing number: E.164 with a `+`,
/// and `;ext=` and the extension when the number carries one.
///
/// An **assumption**: Teams PowerShell takes Direct Routing extensions this way
/// (`Set-CsPhoneNumberAssignment -PhoneNumber "+14255551234;ext=1234"`); Graph's page shows
/// bare numbers only. A tenant that refuses it fails the operation, which the sync reports
/// per person. This is the one place the form is chosen.
pub fn direct_routing_number_text(number: &TeamsNumber) -> Option<String> {
    let e164 = number.number()?;
    Some(match number.extension() {
        Some(ext) => format!("{e164};ext={}", ext.as_str()),
        None => e164.to_string(),
    })
}

fn no_number(number: &TeamsNumber) -> PortError {
    PortError::InvalidData {
        record: format!("Teams number {number}"),
        field: "telephoneNumber".into(),
        message: "a Direct Routing number needs an E.164 number, not only an extension".into(),
    }
}

/// The first wait and the longest single wait between looks at an operation; the total is
/// the caller's.
const FIRST_POLL: Duration = Duration::from_secs(1);
const LONGEST_POLL: Duration = Duration::from_secs(15);

fn status_of(op: &NumberOperation) -> TeamsOperationStatus {
    match op.status {
        OperationStatus::Succeeded | OperationStatus::Skipped => TeamsOperationStatus::Succeeded,
        OperationStatus::NotStarted | OperationStatus::Running => TeamsOperationStatus::Running,
        _ => TeamsOperationStatus::Failed(failure_text(op)),
    }
}

fn failure_text(op: &NumberOperation) -> String {
    let detail = op.failure_detail();
    if detail.is_empty() {
        format!("Teams ended number operation {} as failed", op.id)
    } else {
        detail
    }
}

fn operation_id(id: &TeamsOperationId) -> OperationId {
    OperationId::new(id.0.clone())
}

fn holder_of(a: crate::teams::NumberAssignment) -> Option<TeamsNumberHolder> {
    // A Direct Routing number may carry its extension (`+441632768000;ext=401`): the holder
    // is recorded for the whole number, as other extensions of the same base number are
    // other numbers that other people hold.
    let number = match TeamsNumber::parse_any(&a.telephone_number) {
        Ok(n) if n.number().is_some() => n,
        Ok(_) => {
            tracing::warn!(number = %a.telephone_number, "a Teams number without an E.164 number is left out");
            return None;
        }
        Err(e) => {
            tracing::warn!(number = %a.telephone_number, "a Teams number that is no E.164 number is left out: {e}");
            return None;
        }
    };
    let source = match a.number_source.as_deref() {
        Some(s) if s.eq_ignore_ascii_case("onPremises") => Some(NumberSource::OnPremises),
        Some(s) if s.eq_ignore_ascii_case("online") => Some(NumberSource::Online),
        _ => None,
    };
    let holder = a.assignment_target_id.and_then(|t| t.parse().ok());
    Some(TeamsNumberHolder::new(number, holder, source))
}

#[async_trait]
impl TeamsVoiceAdmin for GraphClient {
    async fn assign_number(
        &self,
        user: &ObjectId,
        number: &TeamsNumber,
    ) -> Result<TeamsOperationId, PortError> {
        let text = direct_routing_number_text(number).ok_or_else(|| no_number(number))?;
        let req = AssignNumber::direct_routing(text, user.clone());
        let id = GraphClient::assign_number(self, &req).await?;
        Ok(TeamsOperationId(id.as_str().to_owned()))
    }

    async fn unassign_number(&self, number: &TeamsNumber) -> Result<TeamsOperationId, PortError> {
        // As assigned: a Direct Routing number with its extension is named with it.
        let text = direct_routing_number_text(number).ok_or_else(|| no_number(number))?;
        let id = GraphClient::unassign_number(self, &text, NumberType::DirectRouting).await?;
        Ok(TeamsOperationId(id.as_str().to_owned()))
    }

    async fn number_operation(
        &self,
        id: &TeamsOperationId,
    ) -> Result<TeamsOperationStatus, PortError> {
        let op = self.operation(&operation_id(id)).await?;
        Ok(status_of(&op))
    }

    async fn follow_number_operations(
        &self,
        ids: &[TeamsOperationId],
        within: Duration,
    ) -> Result<Vec<(TeamsOperationId, TeamsOperationStatus)>, PortError> {
        let started = Instant::now();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let left = within.saturating_sub(started.elapsed());
            let schedule = PollSchedule::new(FIRST_POLL.min(left), LONGEST_POLL, left);
            let status = match self.poll_operation(&operation_id(id), schedule).await? {
                OperationOutcome::Succeeded(_) | OperationOutcome::Skipped(_) => {
                    TeamsOperationStatus::Succeeded
                }
                OperationOutcome::Failed(op) => TeamsOperationStatus::Failed(failure_text(&op)),
                OperationOutcome::StillRunning(_) => TeamsOperationStatus::Running,
            };
            out.push((id.clone(), status));
        }
        Ok(out)
    }

    async fn policy_id(
        &self,
        policy_type: TeamsPolicyType,
        name: &str,
    ) -> Result<Option<String>, PortError> {
        match GraphClient::policy_id(self, &PolicyType::from(policy_type), name).await {
            Ok(id) => Ok(Some(id)),
            Err(GraphError::UnknownPolicy { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn assign_policy(
        &self,
        policy_type: TeamsPolicyType,
        policy_id: &str,
        users: &[ObjectId],
    ) -> Result<(), PortError> {
        let batch: Vec<PolicyAssignment> = users
            .iter()
            .map(|u| PolicyAssignment::assign(u.clone(), policy_type.into(), policy_id))
            .collect();
        Ok(self.assign_policies(&batch).await?)
    }

    async fn unassign_policy(
        &self,
        policy_type: TeamsPolicyType,
        users: &[ObjectId],
    ) -> Result<(), PortError> {
        let batch: Vec<PolicyAssignment> = users
            .iter()
            .map(|u| PolicyAssignment::unassign(u.clone(), policy_type.into()))
            .collect();
        Ok(self.unassign_policies(&batch).await?)
    }

    async fn number_holders(&self) -> Result<TeamsNumberHolders, PortError> {
        let listed = self.list_number_assignments().await?;
        Ok(listed.into_iter().filter_map(holder_of).collect())
    }

    async fn user_voice(&self, user: &ObjectId) -> Result<TeamsVoice, PortError> {
        Ok(self
            .user_configuration(user)
            .await?
            .map(|c| c.voice)
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assignment(number: &str, target: &str) -> crate::teams::NumberAssignment {
        serde_json::from_value(serde_json::json!({
            "telephoneNumber": number,
            "assignmentTargetId": target,
            "numberSource": "online",
        }))
        .unwrap()
    }

    #[test]
    fn holders_are_recorded_by_the_number_with_its_extension() {
        let ann = "87d349ed-44d7-43e1-9a83-5f2406dee5bd";
        let bob = "5b8c1d4e-0000-4000-8000-000000000002";
        let holders: TeamsNumberHolders = [
            assignment("+441632768000;ext=401", ann),
            assignment("+441632768000;ext=402", bob),
            assignment("x403", bob),
        ]
        .into_iter()
        .filter_map(holder_of)
        .collect();
        assert_eq!(
            holders.len(),
            2,
            "the extension alone is no number: {holders:?}"
        );
        let who = |n: &str| {
            let n: TeamsNumber = n.parse().unwrap();
            holders
                .get(&n)
                .and_then(|h| h.holder.clone())
                .map(|h| h.to_string())
        };
        assert_eq!(who("tel:+441632768000;ext=401").as_deref(), Some(ann));
        assert_eq!(who("+441632768000 x402").as_deref(), Some(bob));
        assert_eq!(who("+441632768000"), None);
    }

    #[test]
    fn the_extension_rides_on_the_number_as_teams_powershell_writes_it() {
        let n: TeamsNumber = "tel:+441632768402;ext=402".parse().unwrap();
        assert_eq!(
            direct_routing_number_text(&n).as_deref(),
            Some("+441632768402;ext=402")
        );
        let bare: TeamsNumber = "+441632768402".parse().unwrap();
        assert_eq!(
            direct_routing_number_text(&bare).as_deref(),
            Some("+441632768402")
        );
        let ext_only: TeamsNumber = "x402".parse().unwrap();
        assert_eq!(direct_routing_number_text(&ext_only), None);
    }
}
