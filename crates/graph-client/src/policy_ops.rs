//! Teams policy assignment (`/admin/teams/policy`): a policy's id from its name
//! (`getPolicyId`), and direct assignments to many users per request
//! (`userAssignments/assign` and `/unassign`).

use serde::Deserialize;
use serde_json::{Value, json};

use crate::client::GraphClient;
use crate::error::GraphError;
use crate::number_ops::write_error;
use crate::odata::encode_path_segment;
use crate::policy_model::{PolicyAssignment, PolicyType};
use crate::teams_slips::{collection_items, policy_name_matches};

/// The application permission every `/admin/teams/policy` call needs, `getPolicyId`
/// included: although it only reads, Graph lists no read permission for it
/// ([getPolicyId](https://learn.microsoft.com/graph/api/teamsadministration-teamspolicyassignment-getpolicyid):
/// least privileged `TeamsPolicyUserAssign.ReadWrite.All`, no alternative), so looking a
/// policy up (as `ipo-teams check` does) needs the write permission too.
pub const POLICY_WRITE_PERMISSION: &str = "TeamsPolicyUserAssign.ReadWrite.All";

/// Users per `userAssignments/assign` or `/unassign` request.
///
/// Graph's pages for these actions (`teamsadministration-teamspolicyuserassignment-
/// assign.md`, `-unassign.md`) take a `value` collection and state no limit. The Teams
/// policy service's documented limit for assigning to several users in one synchronous call
/// is 20 (Teams PowerShell, `Grant-CsUserPolicyPackage`: "a limit of 20 users you can apply
/// the package to at a time"; only its asynchronous batch operation goes higher). 20 is
/// used, which is also Graph's JSON `$batch` limit ([`crate::MAX_BATCH_SIZE`]).
pub const MAX_POLICY_ASSIGNMENTS_PER_REQUEST: usize = 20;

const ASSIGNMENT_TYPE: &str = "#microsoft.graph.teamsAdministration.teamsPolicyUserAssignment";

/// An OData string literal for a function parameter in a URL path: quotes doubled, and
/// everything but unreserved characters percent-encoded between the literal's own quotes,
/// so a name can neither end the literal nor change the path.
fn path_literal(value: &str) -> String {
    let inner: Vec<String> = value.split('\'').map(encode_path_segment).collect();
    format!("'{}'", inner.join("''"))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PolicyIdentifier {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    policy_id: Option<String>,
}

impl GraphClient {
    /// The id of the policy of `policy_type` named `name` (`getPolicyId`); an unknown name
    /// is [`GraphError::UnknownPolicy`]. Needs [`POLICY_WRITE_PERMISSION`] (Graph lists no
    /// read permission for it).
    pub async fn policy_id(
        &self,
        policy_type: &PolicyType,
        name: &str,
    ) -> Result<String, GraphError> {
        let path = format!(
            "/admin/teams/policy/getPolicyId(type={},name={})",
            path_literal(policy_type.as_str()),
            path_literal(name)
        );
        let resp = self.get(self.url(&path, &[])?, false).await?;
        let unknown = || GraphError::UnknownPolicy {
            policy_type: policy_type.to_string(),
            name: name.to_owned(),
        };
        if resp.status == 404 {
            return Err(unknown());
        }
        if !resp.is_success() {
            let what = format!("{policy_type} {name:?}");
            return Err(write_error(&resp, &what, POLICY_WRITE_PERMISSION));
        }
        let body: Value = resp.json()?;
        let found: Vec<PolicyIdentifier> = collection_items(body.get("value").cloned())
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect();
        let by_name = found.iter().find(|p| {
            p.name
                .as_deref()
                .is_some_and(|n| policy_name_matches(n, name))
        });
        by_name
            .or(found.first())
            .and_then(|p| p.policy_id.clone())
            .filter(|id| !id.is_empty())
            .ok_or_else(unknown)
    }

    /// Assigns each policy directly to its user, up to
    /// [`MAX_POLICY_ASSIGNMENTS_PER_REQUEST`] per request (Teams answers `204`). Stops at
    /// the first refused request: [`GraphError::PolicyBatch`] says how many were applied
    /// (the first ones, in order).
    ///
    /// ```
    /// use graph_client::{GraphClient, GraphConfig, PolicyAssignment, PolicyType};
    /// use graph_emulator::{GraphEmulator, GraphEmulatorConfig, Seed};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let emu = GraphEmulator::start(GraphEmulatorConfig::with_seed(Seed::contoso())).await.unwrap();
    /// emu.add_teams_policy("OnlineVoiceRoutingPolicy", "UK Direct Routing");
    /// let mut cfg = GraphConfig::new(emu.tenant_id(), emu.client_id(), emu.client_secret().into())
    ///     .with_bases(emu.login_base().parse().unwrap(), emu.graph_base().parse().unwrap());
    /// cfg.teams_numbers = false;
    /// let client = GraphClient::new(cfg)?;
    ///
    /// let route = PolicyType::online_voice_routing();
    /// let id = client.policy_id(&route, "UK Direct Routing").await?;
    /// let adele = "87d349ed-44d7-43e1-9a83-5f2406dee5bd".parse().unwrap();
    /// client.assign_policies(&[PolicyAssignment::assign(adele, route, id)]).await?;
    /// # Ok::<(), graph_client::GraphError>(())
    /// # }).unwrap();
    /// ```
    pub async fn assign_policies(
        &self,
        assignments: &[PolicyAssignment],
    ) -> Result<(), GraphError> {
        if let Some(a) = assignments.iter().find(|a| a.policy_id.is_none()) {
            return Err(GraphError::Config(format!(
                "policy assignment of {} to user {}: no policy id",
                a.policy_type, a.user_id
            )));
        }
        self.policy_requests("assign", assignments).await
    }

    /// Takes each user's direct assignment of the policy type away, batched as
    /// [`GraphClient::assign_policies`]; a group or default policy then applies again.
    pub async fn unassign_policies(
        &self,
        assignments: &[PolicyAssignment],
    ) -> Result<(), GraphError> {
        self.policy_requests("unassign", assignments).await
    }

    async fn policy_requests(
        &self,
        action: &str,
        assignments: &[PolicyAssignment],
    ) -> Result<(), GraphError> {
        let url = self.url(
            &format!("/admin/teams/policy/userAssignments/{action}"),
            &[],
        )?;
        let mut applied = 0;
        for chunk in assignments.chunks(MAX_POLICY_ASSIGNMENTS_PER_REQUEST) {
            let value: Vec<Value> = chunk.iter().map(assignment_json).collect();
            let refused = match self
                .post_json(url.clone(), &json!({ "value": value }))
                .await
            {
                Ok(resp) if resp.is_success() => None,
                Ok(resp) => {
                    let what = format!("policy {action} for {} users", chunk.len());
                    Some(write_error(&resp, &what, POLICY_WRITE_PERMISSION))
                }
                Err(e) => Some(e),
            };
            if let Some(source) = refused {
                return Err(GraphError::PolicyBatch {
                    applied,
                    source: Box::new(source),
                });
            }
            applied += chunk.len();
        }
        Ok(())
    }
}

fn assignment_json(a: &PolicyAssignment) -> Value {
    let mut v = json!({
        "@odata.type": ASSIGNMENT_TYPE,
        "userId": a.user_id.as_str(),
        "policyType": a.policy_type.as_str(),
    });
    if let (Some(id), Some(m)) = (&a.policy_id, v.as_object_mut()) {
        m.insert("policyId".into(), Value::from(id.clone()));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_double_quotes_and_encode_the_rest() {
        assert_eq!(path_literal("AllOn"), "'AllOn'");
        assert_eq!(path_literal("O'Brien"), "'O''Brien'");
        assert_eq!(
            path_literal("a/b?c') or ('"),
            "'a%2Fb%3Fc''%29%20or%20%28'''"
        );
    }
}
