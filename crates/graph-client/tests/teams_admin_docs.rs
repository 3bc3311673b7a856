//! The Teams administration client against Microsoft's own examples: each request body is
//! matched as JSON against the docs' example request, each answer is the docs' example
//! answer (slips included), served by mockito on 127.0.0.1. Sources: `fixtures/
//! teams_admin/SOURCES.md` (microsoftgraph/microsoft-graph-docs-contrib,
//! `api-reference/v1.0/api/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use graph_client::{
    AssignNumber, GraphError, OperationId, OperationOutcome, OperationStatus, PolicyAssignment,
    PolicyType, TeamsUserConfig, UpdateNumber,
};
use ipo_model::{AssignmentCategory, PolicyVia, TeamsPolicyType};
use mockito::Matcher;

const NUMBERS: &str = "/v1.0/admin/teams/telephoneNumberManagement";
const DOC_OPERATION: &str = "QXNzaWdubWVudHw2Y2E4Yjc0Ni00YzgxLTRhY2EtOTUyNi1jZmNjNGRiYWYyMmI";

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

/// A POST to `path` whose body must equal, as JSON, the docs' example `request`.
fn documented_post(server: &mut mockito::ServerGuard, path: &str, request: &str) -> mockito::Mock {
    server
        .mock("POST", path)
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(json(request)))
}

#[tokio::test]
async fn assign_number_sends_the_documented_body_and_reads_the_location() {
    let mut server = mockito::Server::new_async().await;
    // teamsadministration-numberassignment-assignnumber.md
    let path = format!("{NUMBERS}/numberAssignments/assignNumber");
    let request = include_str!("fixtures/teams_admin/assign_number.request.json");
    let location = format!(
        "https://graph.microsoft.com/v1.0/admin/teams/telephoneNumberManagement/operations('{DOC_OPERATION}')"
    );
    let m = documented_post(&mut server, &path, request)
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .with_status(202)
        .with_header("Location", &location)
        .expect(1)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let req =
        AssignNumber::direct_routing("12061234567", oid("94ec379d-30a2-4cdb-a377-75e42f7a61e5"));
    let id = client.assign_number(&req).await.unwrap();
    assert_eq!(id.as_str(), DOC_OPERATION);
    m.assert_async().await;
}

#[tokio::test]
async fn unassign_number_sends_the_documented_body() {
    let mut server = mockito::Server::new_async().await;
    // teamsadministration-numberassignment-unassignnumber.md
    let m = documented_post(
        &mut server,
        format!("{NUMBERS}/numberAssignments/unassignNumber").as_str(),
        include_str!("fixtures/teams_admin/unassign_number.request.json"),
    )
        .with_status(202)
        .with_header(
            "Location",
            "https://graph.microsoft.com/v1.0/admin/teams/telephoneNumberManagement/operations('VW5hc3NpZ25tZW50fDNmNmJmMWZkLTlhMzgtNDJkNi04ZDY0LTg0ZmNmZjlmYzdmNA')",
        )
        .create_async()
        .await;
    let client = static_client(&server, false);
    let id = client
        .unassign_number("12061234567", graph_client::NumberType::DirectRouting)
        .await
        .unwrap();
    assert_eq!(
        id.as_str(),
        "VW5hc3NpZ25tZW50fDNmNmJmMWZkLTlhMzgtNDJkNi04ZDY0LTg0ZmNmZjlmYzdmNA"
    );
    m.assert_async().await;
}

#[tokio::test]
async fn update_number_answered_200_is_done_at_once() {
    let mut server = mockito::Server::new_async().await;
    // teamsadministration-numberassignment-updatenumber.md, example 1 (its trailing comma
    // is not JSON and was dropped from the fixture).
    let m = documented_post(
        &mut server,
        format!("{NUMBERS}/numberAssignments/updateNumber").as_str(),
        include_str!("fixtures/teams_admin/update_number.request.json"),
    )
    .with_status(200)
    .create_async()
    .await;
    let client = static_client(&server, false);
    let mut req = UpdateNumber::new("+12061234567");
    req.location_id = Some("93cb8a70-b4af-41df-9928-d07607e21776".into());
    assert_eq!(client.update_number(&req).await.unwrap(), None);
    m.assert_async().await;
}

#[tokio::test]
async fn the_documented_operation_is_read_through_its_value_wrapper() {
    let mut server = mockito::Server::new_async().await;
    // teamsadministration-telephonenumberlongrunningoperation-get.md: the request template
    // `operations/{id}` is what is sent (the example's `operations{'id'}` is a typo).
    let m = server
        .mock(
            "GET",
            format!("{NUMBERS}/operations/{DOC_OPERATION}").as_str(),
        )
        .with_body(include_str!("fixtures/teams_admin/operation.response.json"))
        .expect(2)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let id = OperationId::new(DOC_OPERATION);
    let op = client.operation(&id).await.unwrap();
    assert_eq!(op.status, OperationStatus::Succeeded);
    assert_eq!(
        op.created_date_time.as_deref(),
        Some("2025-02-03T22:03:26Z")
    );
    assert_eq!(op.numbers.len(), 1);
    assert!(
        op.numbers[0]
            .resource_location
            .as_deref()
            .unwrap()
            .contains("/numberAssignments/")
    );
    let outcome = client.poll_operation(&id, quick_poll()).await.unwrap();
    assert!(
        matches!(outcome, OperationOutcome::Succeeded(ref o) if o.id == id),
        "{outcome:?}"
    );
    m.assert_async().await;
}

#[tokio::test]
async fn the_documented_listing_with_an_object_valued_value_is_read() {
    let mut server = mockito::Server::new_async().await;
    // teamsadministration-telephonenumbermanagementroot-list-numberassignments.md, example
    // 1: `value` is an object given twice; a JSON parser keeps the last.
    server
        .mock("GET", format!("{NUMBERS}/numberAssignments").as_str())
        .with_body(include_str!(
            "fixtures/teams_admin/number_assignments.response.json"
        ))
        .create_async()
        .await;
    let client = static_client(&server, false);
    let all = client.list_number_assignments().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].telephone_number, "+12052582895");
    assert_eq!(all[0].number_type.as_deref(), Some("callingPlan"));
    assert_eq!(all[0].number_source.as_deref(), Some("online"));
    assert!(!all[0].is_on_premises());
}

#[tokio::test]
async fn one_number_is_found_with_an_escaped_filter() {
    let mut server = mockito::Server::new_async().await;
    // Same page, example 4: `$filter=telephoneNumber eq '+12052582895'`.
    let m = server
        .mock("GET", format!("{NUMBERS}/numberAssignments").as_str())
        .match_query(Matcher::UrlEncoded(
            "$filter".into(),
            "telephoneNumber eq '+12052582895'".into(),
        ))
        .with_body(include_str!(
            "fixtures/teams_admin/number_assignment_filtered.response.json"
        ))
        .create_async()
        .await;
    let client = static_client(&server, false);
    // Asked without the `+`, found with it.
    let a = client
        .find_number_assignment("12052582895")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.assignment_status.as_deref(), Some("unassigned"));
    assert_eq!(a.assignment_target_id, None);
    m.assert_async().await;
}

#[tokio::test]
async fn policies_are_assigned_and_unassigned_with_the_documented_bodies() {
    let mut server = mockito::Server::new_async().await;
    // teamsadministration-teamspolicyuserassignment-assign.md and -unassign.md
    let assign = documented_post(
        &mut server,
        "/v1.0/admin/teams/policy/userAssignments/assign",
        include_str!("fixtures/teams_admin/policy_assign.request.json"),
    )
    .with_status(204)
    .create_async()
    .await;
    let unassign = documented_post(
        &mut server,
        "/v1.0/admin/teams/policy/userAssignments/unassign",
        include_str!("fixtures/teams_admin/policy_unassign.request.json"),
    )
    .with_status(204)
    .create_async()
    .await;
    let client = static_client(&server, false);
    let user = oid("5c802b19-3600-83f1-1767-7b9edc7f38ab");
    let meeting = PolicyType::new("TeamsMeetingPolicy");
    client
        .assign_policies(&[PolicyAssignment::assign(
            user.clone(),
            meeting.clone(),
            "VnMAaN3X2X1B9tEHx1CJWfC76PSaKEzA4NoUuqIMRUo",
        )])
        .await
        .unwrap();
    client
        .unassign_policies(&[PolicyAssignment::unassign(user, meeting)])
        .await
        .unwrap();
    assign.assert_async().await;
    unassign.assert_async().await;
}

#[tokio::test]
async fn get_policy_id_reads_the_documented_tag_name() {
    let mut server = mockito::Server::new_async().await;
    // teamsadministration-teamspolicyassignment-getpolicyid.md
    let m = server
        .mock(
            "GET",
            "/v1.0/admin/teams/policy/getPolicyId(type='TeamsMeetingPolicy',name='AllOn')",
        )
        .with_body(include_str!(
            "fixtures/teams_admin/get_policy_id.response.json"
        ))
        .create_async()
        .await;
    let client = static_client(&server, false);
    let id = client
        .policy_id(&PolicyType::new("TeamsMeetingPolicy"), "AllOn")
        .await
        .unwrap();
    assert_eq!(id, "VnMAaN3X2X1B9tEHx1CJWfC76PSaKEzA4NoUuqIMRUo");
    m.assert_async().await;
}

#[tokio::test]
async fn the_documented_user_configuration_is_read_through_its_value_wrapper() {
    // teamsadministration-teamsuserconfiguration-get.md
    let doc = include_str!("fixtures/teams_admin/user_configuration.response.json");
    let cfg = read_configuration(doc).await;
    assert_eq!(
        cfg.user_principal_name.as_deref(),
        Some("AdeleV@contoso.com")
    );
    assert_eq!(cfg.voice.enterprise_voice_enabled, Some(false));
    assert_eq!(cfg.voice.telephone_numbers[0].number, "+13235533696");
    assert_eq!(
        cfg.voice.telephone_numbers[0].category,
        AssignmentCategory::Primary
    );
    assert_eq!(cfg.feature_types, ["Teams", "CallingPlan"]);
    // The example's calling and meeting policies are not the voice policies the sync knows.
    assert!(cfg.voice.effective_policies.is_empty(), "{cfg:?}");

    // The same answer with the voice policy types: read as the domain's effective policies.
    let voice = doc
        .replace("TeamsCallingPolicy", "onlineVoiceRoutingPolicy")
        .replace("TeamsMeetingPolicy", "TenantDialPlan");
    let cfg = read_configuration(&voice).await;
    let [routing, dial] = &cfg.voice.effective_policies[..] else {
        panic!("{cfg:?}");
    };
    assert_eq!(routing.policy_type, TeamsPolicyType::OnlineVoiceRouting);
    assert_eq!(routing.name, "AllOn");
    assert_eq!(
        routing.via,
        PolicyVia::Group(Some(
            "75ae6229-35fe-4b01-ae7f-7c50439d239c".parse().unwrap()
        ))
    );
    assert_eq!(
        routing.policy_id.as_deref(),
        Some("f7593e81-772a-4455-88a3-fc9e5ebc1e4a")
    );
    assert_eq!(dial.policy_type, TeamsPolicyType::TenantDialPlan);
    assert_eq!(dial.name, "CustomPolicy");
    assert_eq!(dial.via, PolicyVia::Direct);
}

/// The configuration of the docs' example user, answered with `body`.
async fn read_configuration(body: &str) -> TeamsUserConfig {
    let mut server = mockito::Server::new_async().await;
    let user = "5c802b19-3600-83f1-1767-7b9edc7f38ab";
    let m = server
        .mock(
            "GET",
            format!("/v1.0/admin/teams/userConfigurations/{user}").as_str(),
        )
        .with_body(body)
        .expect(1)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let cfg = client
        .user_configuration(&oid(user))
        .await
        .unwrap()
        .unwrap();
    m.assert_async().await;
    cfg
}

/// The number reads (an operation's status, the number listing) take
/// `TeamsTelephoneNumber.Read.All` as their least privileged application permission
/// (`.ReadWrite.All` also serves): Graph's pages
/// teamsadministration-telephonenumberlongrunningoperation-get and
/// teamsadministration-telephonenumbermanagementroot-list-numberassignments. A 403 names it.
#[tokio::test]
async fn refused_number_reads_name_the_read_permission() {
    let mut server = mockito::Server::new_async().await;
    let denied = r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}"#;
    let mut mocks = Vec::new();
    for path in ["/operations/", "/numberAssignments"] {
        let m = server
            .mock("GET", Matcher::Regex(format!("^{NUMBERS}{path}")))
            .with_status(403)
            .with_body(denied)
            .expect(1)
            .create_async()
            .await;
        mocks.push(m);
    }
    let client = static_client(&server, false);
    let op = client
        .operation(&graph_client::OperationId::new("QXNzaWdubWVudHw2Y2E4"))
        .await
        .unwrap_err();
    let list = client.list_number_assignments().await.unwrap_err();
    for m in mocks {
        m.assert_async().await;
    }
    for e in [op, list] {
        assert!(
            matches!(&e, GraphError::PermissionDenied { permission, .. } if *permission == "TeamsTelephoneNumber.Read.All"),
            "{e:?}"
        );
        let text = e.to_string();
        assert!(
            text.contains("likely missing application permission: TeamsTelephoneNumber.Read.All;"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn refusals_are_typed() {
    let mut server = mockito::Server::new_async().await;
    let denied = r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"request-id":"r1"}}}"#;
    server
        .mock(
            "POST",
            format!("{NUMBERS}/numberAssignments/assignNumber").as_str(),
        )
        .with_status(403)
        .with_body(denied)
        .create_async()
        .await;
    server
        .mock("POST", "/v1.0/admin/teams/policy/userAssignments/assign")
        .with_status(403)
        .with_body(denied)
        .create_async()
        .await;
    server
        .mock("GET", Matcher::Regex("getPolicyId".into()))
        .with_status(404)
        .with_body(r#"{"error":{"code":"NotFound","message":"no such policy"}}"#)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let user = oid("5c802b19-3600-83f1-1767-7b9edc7f38ab");
    let e = client
        .assign_number(&AssignNumber::direct_routing("+12061234567", user.clone()))
        .await
        .unwrap_err();
    assert!(
        matches!(e, GraphError::PermissionDenied { permission, .. } if permission == "TeamsTelephoneNumber.ReadWrite.All"),
        "{e}"
    );
    let e = client
        .assign_policies(&[PolicyAssignment::assign(
            user,
            PolicyType::online_voice_routing(),
            "x",
        )])
        .await
        .unwrap_err();
    let GraphError::PolicyBatch { applied: 0, source } = e else {
        panic!("{e}")
    };
    assert!(
        matches!(*source, GraphError::PermissionDenied { permission, .. } if permission == "TeamsPolicyUserAssign.ReadWrite.All"),
        "{source}"
    );
    let e = client
        .policy_id(&PolicyType::online_voice_routing(), "No Such Route")
        .await
        .unwrap_err();
    assert!(
        matches!(e, GraphError::UnknownPolicy { ref name, .. } if name == "No Such Route"),
        "{e}"
    );
}

#[tokio::test]
async fn a_retry_after_on_a_status_answer_sets_the_next_wait() {
    let mut server = mockito::Server::new_async().await;
    let path = format!("{NUMBERS}/operations/op1");
    let running = server
        .mock("GET", path.as_str())
        .with_header("Retry-After", "1")
        .with_body(r#"{"id":"op1","status":"running","numbers":[]}"#)
        .expect(1)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let id = OperationId::new("op1");
    // Told to come back in 1 s with only 0.5 s to spend: still running, no second look.
    let outcome = client.poll_operation(&id, quick_poll()).await.unwrap();
    assert!(
        matches!(outcome, OperationOutcome::StillRunning(_)),
        "{outcome:?}"
    );
    running.assert_async().await;

    // A fresh server: running once (come back in 1 s), then done.
    let mut server = mockito::Server::new_async().await;
    let again = server
        .mock("GET", path.as_str())
        .with_header("Retry-After", "1")
        .with_body(r#"{"id":"op1","status":"running","numbers":[]}"#)
        .expect(1)
        .create_async()
        .await;
    let done = server
        .mock("GET", path.as_str())
        .with_body(r#"{"id":"op1","status":"succeeded","numbers":[]}"#)
        .expect(1)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let patient = graph_client::PollSchedule::new(
        std::time::Duration::from_millis(5),
        std::time::Duration::from_millis(5),
        std::time::Duration::from_secs(3),
    );
    let started = std::time::Instant::now();
    let outcome = client.poll_operation(&id, patient).await;
    again.assert_async().await;
    done.assert_async().await;
    let outcome = outcome.unwrap();
    assert!(
        matches!(outcome, OperationOutcome::Succeeded(_)),
        "{outcome:?}"
    );
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "waited as told, not the schedule's 5 ms"
    );
}

#[tokio::test]
async fn an_accepted_write_without_an_operation_is_an_error_not_a_guess() {
    let mut server = mockito::Server::new_async().await;
    server
        .mock(
            "POST",
            format!("{NUMBERS}/numberAssignments/assignNumber").as_str(),
        )
        .with_status(202)
        .with_header(
            "Location",
            "https://graph.microsoft.com/v1.0/somewhere/else",
        )
        .create_async()
        .await;
    let client = static_client(&server, false);
    let e = client
        .assign_number(&AssignNumber::direct_routing(
            "+12061234567",
            oid("94ec379d-30a2-4cdb-a377-75e42f7a61e5"),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(e, GraphError::Decode { ref message, .. } if message.contains("without an operation")),
        "{e}"
    );
}
