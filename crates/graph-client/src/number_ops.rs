//! Teams telephone number writes (`numberAssignments/assignNumber`, `unassignNumber`,
//! `updateNumber`) and their asynchronous operations (`telephoneNumberManagement/
//! operations/{id}`): start, look, poll until done within a bounded time, explain a failure.

use std::time::Duration;

use ipo_model::{AssignmentCategory, ObjectId};
use reqwest::header::LOCATION;
use serde_json::{Map, Value, json};
use url::Url;

use crate::client::GraphClient;
use crate::error::GraphError;
use crate::number_model::{
    AssignNumber, NumberFailure, NumberOperation, NumberType, OperationId, OperationOutcome,
    OperationStatus, PollSchedule, UpdateNumber,
};
use crate::odata::encode_path_segment;
use crate::page::diagnose_item;
use crate::teams_slips::{operation_id_from_location, single_object};
use crate::transport::{Body, Replay, Req, Resp, retry_after};

/// The application permission the number writes need.
pub const NUMBER_WRITE_PERMISSION: &str = "TeamsTelephoneNumber.ReadWrite.All";

const NUMBERS: &str = "/admin/teams/telephoneNumberManagement";

/// The shortest wait between two looks at an operation.
const SHORTEST_POLL: Duration = Duration::from_millis(10);

fn category_text(c: AssignmentCategory) -> &'static str {
    match c {
        AssignmentCategory::Private => "private",
        AssignmentCategory::Alternate => "alternate",
        // Teams' default; `Other` has no wire form of its own.
        _ => "primary",
    }
}

fn number_type_value(t: NumberType) -> Value {
    serde_json::to_value(t).unwrap_or(Value::Null)
}

/// The error for a refused write; a 403 names the write permission (the path alone would
/// suggest the read one).
pub(crate) fn write_error(resp: &Resp, what: &str, permission: &'static str) -> GraphError {
    match resp.error(what) {
        GraphError::PermissionDenied {
            url,
            code,
            message,
            request_id,
            ..
        } => GraphError::PermissionDenied {
            url,
            code,
            message,
            permission,
            request_id,
        },
        other => other,
    }
}

impl GraphClient {
    /// One authenticated POST of a JSON body (a write: resent only where Graph says it was
    /// not processed, see [`Replay::IfUnprocessed`]).
    pub(crate) async fn post_json(&self, url: Url, body: &Value) -> Result<Resp, GraphError> {
        let bytes = serde_json::to_vec(body).map_err(|e| GraphError::Config(e.to_string()))?;
        let req = Req::post(url, Body::Json(bytes), Replay::IfUnprocessed);
        self.inner
            .http
            .send(&req, Some(self.inner.tokens.as_ref()))
            .await
    }

    /// Posts a number action; a refusal is the error.
    async fn post_number_action(
        &self,
        action: &str,
        body: &Value,
        number: &str,
    ) -> Result<Resp, GraphError> {
        let url = self.url(&format!("{NUMBERS}/numberAssignments/{action}"), &[])?;
        let resp = self.post_json(url, body).await?;
        if !resp.is_success() {
            let what = format!("{action} of {number}");
            return Err(write_error(&resp, &what, NUMBER_WRITE_PERMISSION));
        }
        Ok(resp)
    }

    /// Starts assigning a number (`assignNumber`); Teams answers `202` with the operation
    /// to poll ([`GraphClient::poll_operation`]). Needs `TeamsTelephoneNumber.ReadWrite.All`.
    pub async fn assign_number(&self, req: &AssignNumber) -> Result<OperationId, GraphError> {
        let mut body = json!({
            "telephoneNumber": req.telephone_number,
            "assignmentTargetId": req.assignment_target_id.as_str(),
            "numberType": number_type_value(req.number_type),
            "assignmentCategory": category_text(req.assignment_category),
        });
        if let (Some(loc), Some(m)) = (&req.location_id, body.as_object_mut()) {
            m.insert("locationId".into(), Value::from(loc.clone()));
        }
        let resp = self
            .post_number_action("assignNumber", &body, &req.telephone_number)
            .await?;
        operation_of(&resp, "assignNumber")
    }

    /// Starts taking a number back from whoever has it (`unassignNumber`).
    pub async fn unassign_number(
        &self,
        telephone_number: &str,
        number_type: NumberType,
    ) -> Result<OperationId, GraphError> {
        let body = json!({
            "telephoneNumber": telephone_number,
            "numberType": number_type_value(number_type),
        });
        let resp = self
            .post_number_action("unassignNumber", &body, telephone_number)
            .await?;
        operation_of(&resp, "unassignNumber")
    }

    /// Changes a number's optional attributes (`updateNumber`): `None` when Teams applied
    /// it at once (`200`, as the docs show), else the operation to poll.
    pub async fn update_number(
        &self,
        req: &UpdateNumber,
    ) -> Result<Option<OperationId>, GraphError> {
        let mut m = Map::new();
        m.insert(
            "telephoneNumber".into(),
            req.telephone_number.clone().into(),
        );
        if let Some(v) = &req.location_id {
            m.insert("locationId".into(), v.clone().into());
        }
        if let Some(v) = &req.network_site_id {
            m.insert("networkSiteId".into(), v.clone().into());
        }
        if let Some(v) = &req.reverse_number_lookup_options {
            m.insert("reverseNumberLookupOptions".into(), v.clone().into());
        }
        let resp = self
            .post_number_action("updateNumber", &Value::Object(m), &req.telephone_number)
            .await?;
        // Done at once when not `202` (the docs show `updateNumber` answering `200`).
        (resp.status == 202)
            .then(|| operation_of(&resp, "updateNumber"))
            .transpose()
    }

    async fn fetch_operation(
        &self,
        id: &OperationId,
    ) -> Result<(NumberOperation, Option<Duration>), GraphError> {
        let path = format!("{NUMBERS}/operations/{}", encode_path_segment(id.as_str()));
        let resp = self.get(self.url(&path, &[])?, false).await?;
        if !resp.is_success() {
            return Err(resp.error(&format!("Teams number operation {id}")));
        }
        let body = single_object(resp.json::<Value>()?);
        let op = serde_json::from_value::<NumberOperation>(body.clone()).map_err(|e| {
            diagnose_item::<NumberOperation>(&body, |_| "Teams number operation".into())
                .unwrap_or_else(|| GraphError::decode(resp.status, resp.url.clone(), &resp.body, e))
        })?;
        Ok((op, retry_after(&resp.headers)))
    }

    /// The operation as Teams has it now.
    pub async fn operation(&self, id: &OperationId) -> Result<NumberOperation, GraphError> {
        Ok(self.fetch_operation(id).await?.0)
    }

    /// Looks at the operation until it ends or `schedule.total` is spent, waiting longer
    /// each time (or as long as a `Retry-After` asks). An operation still running at the
    /// end is [`OperationOutcome::StillRunning`], not an error: keep its id and resume. A
    /// status this client does not know is taken as final and reported as
    /// [`OperationOutcome::Failed`] (with the status as read), never as done.
    pub async fn poll_operation(
        &self,
        id: &OperationId,
        schedule: PollSchedule,
    ) -> Result<OperationOutcome, GraphError> {
        let mut waited = Duration::ZERO;
        let mut step = 0;
        loop {
            let (op, asked) = self.fetch_operation(id).await?;
            match op.status {
                OperationStatus::Succeeded => return Ok(OperationOutcome::Succeeded(op)),
                OperationStatus::Skipped => return Ok(OperationOutcome::Skipped(op)),
                OperationStatus::Failed | OperationStatus::Unknown => {
                    return Ok(OperationOutcome::Failed(op));
                }
                OperationStatus::NotStarted | OperationStatus::Running => {}
            }
            // A zero wait (a schedule with no time left, `Retry-After: 0`) would look again
            // at once and never spend the budget: every wait takes at least a moment.
            let wait = asked
                .unwrap_or_else(|| schedule.step(step))
                .max(SHORTEST_POLL);
            if waited + wait > schedule.total {
                return Ok(OperationOutcome::StillRunning(op));
            }
            tokio::time::sleep(wait).await;
            waited += wait;
            step += 1;
        }
    }

    /// Why a failed operation did not give `number` to `target` (`None` for an unassign):
    /// reads the number's assignment and says whether it belongs to someone else or comes
    /// from on-premises AD, else keeps Teams' own words.
    pub async fn number_failure(
        &self,
        number: &str,
        target: Option<&ObjectId>,
        op: &NumberOperation,
    ) -> Result<NumberFailure, GraphError> {
        let found = self.find_number_assignment(number).await?;
        let owner = found
            .as_ref()
            .and_then(|a| a.assignment_target_id.clone())
            .filter(|o| target.is_some_and(|t| !t.as_str().eq_ignore_ascii_case(o)));
        if let Some(owner) = owner {
            return Ok(NumberFailure::AssignedToOther {
                number: number.to_owned(),
                owner,
            });
        }
        if found.as_ref().is_some_and(|a| a.is_on_premises()) {
            return Ok(NumberFailure::OnPremises {
                number: number.to_owned(),
            });
        }
        let detail = op.failure_detail();
        Ok(NumberFailure::Failed {
            number: number.to_owned(),
            detail: if detail.is_empty() {
                format!("operation {} ended {:?}", op.id, op.status)
            } else {
                detail
            },
        })
    }

    /// Assigns a number and polls it to the end: `Ok` with the outcome when it succeeded,
    /// was skipped or is still running; a failure is [`GraphError::Number`] with its typed
    /// reason.
    ///
    /// ```
    /// use graph_client::{AssignNumber, GraphClient, GraphConfig, OperationOutcome, PollSchedule};
    /// use graph_emulator::{GraphEmulator, GraphEmulatorConfig, Seed};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let emu = GraphEmulator::start(GraphEmulatorConfig::with_seed(Seed::contoso())).await.unwrap();
    /// let mut cfg = GraphConfig::new(emu.tenant_id(), emu.client_id(), emu.client_secret().into())
    ///     .with_bases(emu.login_base().parse().unwrap(), emu.graph_base().parse().unwrap());
    /// cfg.teams_numbers = false;
    /// let client = GraphClient::new(cfg)?;
    ///
    /// let adele = "87d349ed-44d7-43e1-9a83-5f2406dee5bd".parse().unwrap();
    /// let ask = AssignNumber::direct_routing("+441632960100", adele);
    /// let outcome = client.assign_number_and_wait(&ask, PollSchedule::default()).await?;
    /// assert!(matches!(outcome, OperationOutcome::Succeeded(_)));
    /// let adele_config = client.user_configuration(&ask.assignment_target_id).await?.unwrap();
    /// assert!(adele_config.voice.telephone_numbers.iter().any(|n| n.number == "+441632960100"));
    /// # Ok::<(), graph_client::GraphError>(())
    /// # }).unwrap();
    /// ```
    pub async fn assign_number_and_wait(
        &self,
        req: &AssignNumber,
        schedule: PollSchedule,
    ) -> Result<OperationOutcome, GraphError> {
        let id = self.assign_number(req).await?;
        match self.poll_operation(&id, schedule).await? {
            OperationOutcome::Failed(op) => {
                let why = self
                    .number_failure(&req.telephone_number, Some(&req.assignment_target_id), &op)
                    .await?;
                Err(GraphError::Number(Box::new(why)))
            }
            other => Ok(other),
        }
    }
}

/// The operation a `202 Accepted` names in its `Location` header; anything else is an error
/// (a write Teams says it started must be followable).
fn operation_of(resp: &Resp, action: &str) -> Result<OperationId, GraphError> {
    let location = resp
        .headers
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    operation_id_from_location(location)
        .filter(|_| resp.status == 202)
        .ok_or_else(|| {
            GraphError::decode(
                resp.status,
                resp.url.clone(),
                location.as_bytes(),
                format!(
                    "{action} answered {} without an operation in its Location header",
                    resp.status
                ),
            )
        })
}
