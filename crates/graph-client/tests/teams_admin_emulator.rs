//! The Teams administration client end to end against the Graph emulator on 127.0.0.1:
//! numbers assigned through operations, polled and read back; policies found by name and
//! assigned in batches (proven by the emulator's request counts); the faults (an operation
//! that stays running, one that fails, 429 with `Retry-After`); refusals (a revoked write
//! permission, an unknown policy, a number someone else has, an on-premises number); and
//! hostile values in policy names and numbers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{fast_retry, oid, quick_poll};
use graph_client::{
    AssignNumber, GraphClient, GraphConfig, GraphError, NumberFailure, OperationOutcome,
    OperationStatus, PolicyAssignment, PolicyType, PollSchedule, TEAMS_WRITE_PERMISSIONS,
    UpdateNumber,
};
use graph_emulator::{
    FaultRule, GraphEmulator, GraphEmulatorConfig, GraphEmulatorHandle, NumberOperationFault,
    NumberSource, Route, Seed,
};
use ipo_model::{AzureAdUser, ObjectId, PolicyVia, TeamsPolicyType};

const ADELE: &str = "87d349ed-44d7-43e1-9a83-5f2406dee5bd";
const SEAN: &str = "000000a2-0000-4000-8000-0000000000a2";
const PHONES: &str = "02bd9fd6-8f93-4758-87c3-1fb73740a315";
const ROUTE: &str = "UK Direct Routing";

async fn emulator() -> GraphEmulatorHandle {
    GraphEmulator::start(GraphEmulatorConfig::with_seed(Seed::contoso()))
        .await
        .unwrap()
}

fn client(emu: &GraphEmulatorHandle) -> GraphClient {
    let mut cfg = GraphConfig::new(emu.tenant_id(), emu.client_id(), emu.client_secret().into())
        .with_bases(
            emu.login_base().parse().unwrap(),
            emu.graph_base().parse().unwrap(),
        )
        .with_retry(fast_retry());
    cfg.teams_numbers = false;
    GraphClient::new(cfg).unwrap()
}

#[tokio::test]
async fn a_number_is_assigned_polled_and_read_back() {
    let emu = emulator().await;
    let c = client(&emu);
    let id = c
        .assign_number(&AssignNumber::direct_routing("441632960401", oid(SEAN)))
        .await
        .unwrap();
    // First look: running; the poll then sees it end.
    assert_eq!(
        c.operation(&id).await.unwrap().status,
        OperationStatus::Running
    );
    let outcome = c.poll_operation(&id, quick_poll()).await.unwrap();
    assert!(
        matches!(outcome, OperationOutcome::Succeeded(_)),
        "{outcome:?}"
    );

    let cfg = c.user_configuration(&oid(SEAN)).await.unwrap().unwrap();
    let numbers: Vec<&str> = cfg
        .voice
        .telephone_numbers
        .iter()
        .map(|n| n.number.as_str())
        .collect();
    assert_eq!(numbers, ["+441632960401"]);
    assert_eq!(cfg.voice.enterprise_voice_enabled, Some(true));
    let listed = c
        .find_number_assignment("+441632960401")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(listed.assignment_target_id.as_deref(), Some(SEAN));
    assert_eq!(listed.number_type.as_deref(), Some("directRouting"));
    assert_eq!(listed.number_source.as_deref(), Some("online"));
    assert_eq!(listed.activation_state.as_deref(), Some("activated"));
    assert!(
        c.list_number_assignments()
            .await
            .unwrap()
            .iter()
            .any(|a| a.telephone_number == "+441632960401")
    );

    // updateNumber is done at once; unassignNumber goes through an operation again.
    let mut upd = UpdateNumber::new("+441632960401");
    upd.location_id = Some("93cb8a70-b4af-41df-9928-d07607e21776".into());
    assert_eq!(c.update_number(&upd).await.unwrap(), None);
    let id = c
        .unassign_number("+441632960401", graph_client::NumberType::DirectRouting)
        .await
        .unwrap();
    assert!(matches!(
        c.poll_operation(&id, quick_poll()).await.unwrap(),
        OperationOutcome::Succeeded(_)
    ));
    assert_eq!(emu.number_owner("+441632960401"), None);
    let stats = emu.stats();
    assert_eq!(stats.get(Route::NumberActions), 3);
    assert_eq!(stats.get(Route::NumberOperations), 4);
}

#[tokio::test]
async fn policies_are_found_by_name_and_assigned_in_batches() {
    let emu = emulator().await;
    let route_id = emu.add_teams_policy("OnlineVoiceRoutingPolicy", ROUTE);
    emu.assign_group_policy(PHONES, "OnlineVoiceRoutingPolicy", "Group Route")
        .unwrap();
    let users: Vec<ObjectId> = (0..45)
        .map(|i| oid(&format!("00000000-0000-4000-8000-{i:012}")))
        .collect();
    for u in &users {
        emu.add_user(AzureAdUser::new(u.clone())).unwrap();
    }
    emu.add_member(PHONES, users[0].as_str()).unwrap();
    let c = client(&emu);
    // Type in another case: the same type.
    let ovrp = PolicyType::new("onlineVoiceRoutingPolicy");
    let id = c.policy_id(&ovrp, ROUTE).await.unwrap();
    assert_eq!(id, route_id);
    let assignments: Vec<PolicyAssignment> = users
        .iter()
        .map(|u| PolicyAssignment::assign(u.clone(), ovrp.clone(), id.clone()))
        .collect();
    c.assign_policies(&assignments).await.unwrap();
    assert_eq!(
        emu.stats().get(Route::PolicyAssignments),
        3,
        "45 users in requests of 20"
    );

    let cfg = c.user_configuration(&users[44]).await.unwrap().unwrap();
    let e = &cfg.voice.effective_policies[0];
    assert_eq!(e.policy_type, TeamsPolicyType::OnlineVoiceRouting);
    assert_eq!(e.via, PolicyVia::Direct);
    assert_eq!(e.name, ROUTE);
    assert_eq!(e.policy_id.as_deref(), Some(route_id.as_str()));

    let back: Vec<PolicyAssignment> = users
        .iter()
        .map(|u| PolicyAssignment::unassign(u.clone(), ovrp.clone()))
        .collect();
    c.unassign_policies(&back).await.unwrap();
    assert_eq!(emu.stats().get(Route::PolicyAssignments), 6);
    // The group member falls back to the group's policy; the others to none.
    let member = c.user_configuration(&users[0]).await.unwrap().unwrap();
    let e = &member.voice.effective_policies[0];
    assert_eq!(e.via, PolicyVia::Group(Some(PHONES.parse().unwrap())));
    assert_eq!(e.name, "Group Route");
    let other = c.user_configuration(&users[1]).await.unwrap().unwrap();
    assert!(other.voice.effective_policies.is_empty());
}

#[tokio::test]
async fn a_running_operation_is_resumed_by_id_and_a_stuck_one_is_reported_running() {
    let emu = emulator().await;
    let c = client(&emu);
    let id = c
        .assign_number(&AssignNumber::direct_routing("+441632960402", oid(SEAN)))
        .await
        .unwrap();
    // No time to wait: still running, not an error.
    let none = PollSchedule::new(
        Duration::from_millis(5),
        Duration::from_millis(5),
        Duration::ZERO,
    );
    let first = c.poll_operation(&id, none).await.unwrap();
    assert!(
        matches!(first, OperationOutcome::StillRunning(ref op) if op.status == OperationStatus::Running)
    );
    // A later run resumes by id (a fresh client, as after a restart).
    let later = client(&emu);
    assert!(matches!(
        later.poll_operation(&id, quick_poll()).await.unwrap(),
        OperationOutcome::Succeeded(_)
    ));

    emu.set_number_operation_fault(NumberOperationFault::StayRunning);
    let stuck = c
        .assign_number(&AssignNumber::direct_routing("+441632960403", oid(SEAN)))
        .await
        .unwrap();
    let outcome = c.poll_operation(&stuck, quick_poll()).await.unwrap();
    assert!(
        matches!(outcome, OperationOutcome::StillRunning(_)),
        "{outcome:?}"
    );
    assert!(
        emu.stats().get(Route::NumberOperations) >= 4,
        "it was looked at more than once"
    );
    assert_eq!(emu.number_owner("+441632960403"), None);
}

/// A schedule with no time left (what the Teams stage hands the last operations it
/// follows once its wait is spent) looks once and answers: it never spins.
#[tokio::test]
async fn a_schedule_with_no_time_left_looks_once_and_answers() {
    let emu = emulator().await;
    let c = client(&emu);
    emu.set_number_operation_fault(NumberOperationFault::StayRunning);
    let id = c
        .assign_number(&AssignNumber::direct_routing("+441632960406", oid(SEAN)))
        .await
        .unwrap();
    let spent = PollSchedule::new(Duration::ZERO, Duration::from_secs(15), Duration::ZERO);
    let outcome = tokio::time::timeout(Duration::from_secs(5), c.poll_operation(&id, spent))
        .await
        .expect("answers at once, never looks again and again");
    assert!(matches!(
        outcome.unwrap(),
        OperationOutcome::StillRunning(_)
    ));
    assert_eq!(emu.stats().get(Route::NumberOperations), 1, "one look");
}

#[tokio::test]
async fn failures_are_typed_per_number() {
    let emu = emulator().await;
    let c = client(&emu);
    let wait = |n: &str, u: &str| AssignNumber::direct_routing(n, oid(u));
    c.assign_number_and_wait(&wait("+441632960404", ADELE), quick_poll())
        .await
        .unwrap();

    let e = c
        .assign_number_and_wait(&wait("441632960404", SEAN), quick_poll())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GraphError::Number(f) if **f == NumberFailure::AssignedToOther { number: "441632960404".into(), owner: ADELE.into() }),
        "{e}"
    );
    assert_eq!(
        emu.number_owner("+441632960404").as_deref(),
        Some(ADELE),
        "nothing taken"
    );

    emu.add_number("+441632960405", NumberSource::OnPremises);
    let e = c
        .assign_number_and_wait(&wait("+441632960405", SEAN), quick_poll())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GraphError::Number(f) if matches!(**f, NumberFailure::OnPremises { .. })),
        "{e}"
    );

    emu.set_number_operation_fault(NumberOperationFault::Fail);
    let e = c
        .assign_number_and_wait(&wait("+441632960406", SEAN), quick_poll())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GraphError::Number(f) if matches!(&**f, NumberFailure::Failed { detail, .. } if detail.contains("emulated fault"))),
        "{e}"
    );
}

#[tokio::test]
async fn a_throttled_poll_waits_as_told() {
    let emu = emulator().await;
    let c = client(&emu);
    emu.faults().add(
        FaultRule::new("/v1.0/admin/teams/telephoneNumberManagement/operations")
            .method("GET")
            .throttle(1.0, Some(Duration::from_secs(1)))
            .times(1),
    );
    let id = c
        .assign_number(&AssignNumber::direct_routing("+441632960407", oid(SEAN)))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let outcome = c.poll_operation(&id, quick_poll()).await.unwrap();
    assert!(
        matches!(outcome, OperationOutcome::Succeeded(_)),
        "{outcome:?}"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    assert_eq!(emu.stats().throttled, 1);
    assert_eq!(c.stats().throttled, 1);
}

#[tokio::test]
async fn missing_write_permissions_are_named_before_and_when_writing() {
    let emu = emulator().await;
    emu.revoke_permission("TeamsTelephoneNumber.ReadWrite.All");
    let c = client(&emu);
    let roles = c.granted_roles().await.unwrap();
    assert!(
        roles
            .iter()
            .any(|r| r == "TeamsPolicyUserAssign.ReadWrite.All"),
        "{roles:?}"
    );
    assert_eq!(
        c.missing_roles(&TEAMS_WRITE_PERMISSIONS).await.unwrap(),
        ["TeamsTelephoneNumber.ReadWrite.All"]
    );
    let e = c
        .assign_number(&AssignNumber::direct_routing("+441632960408", oid(SEAN)))
        .await
        .unwrap_err();
    match e {
        GraphError::PermissionDenied {
            permission,
            message,
            ..
        } => {
            assert_eq!(permission, "TeamsTelephoneNumber.ReadWrite.All");
            assert!(
                message.contains("TeamsTelephoneNumber.ReadWrite.All"),
                "{message}"
            );
        }
        other => panic!("{other}"),
    }
    assert_eq!(emu.stats().get(Route::NumberActions), 1);
    let e = c
        .policy_id(&PolicyType::tenant_dial_plan(), "No Such Plan")
        .await
        .unwrap_err();
    assert!(matches!(e, GraphError::UnknownPolicy { .. }), "{e}");
}

#[tokio::test]
async fn hostile_names_and_numbers_stay_inside_their_literals() {
    let emu = emulator().await;
    let hostile = "O'Brien / 50% & Co?#(x)',name='AllOn";
    let hostile_id = emu.add_teams_policy("OnlineVoiceRoutingPolicy", hostile);
    let plain_id = emu.add_teams_policy("OnlineVoiceRoutingPolicy", "AllOn");
    let c = client(&emu);
    let ovrp = PolicyType::online_voice_routing();
    assert_eq!(c.policy_id(&ovrp, hostile).await.unwrap(), hostile_id);
    assert_eq!(c.policy_id(&ovrp, "AllOn").await.unwrap(), plain_id);
    assert!(matches!(
        c.policy_id(&ovrp, "O'Brien").await.unwrap_err(),
        GraphError::UnknownPolicy { .. }
    ));
    assert_eq!(emu.stats().get(Route::PolicyIds), 3);

    c.assign_number_and_wait(
        &AssignNumber::direct_routing("+441632960409", oid(SEAN)),
        quick_poll(),
    )
    .await
    .unwrap();
    // An injected `or` in the number cannot widen the filter to every number.
    assert_eq!(
        c.find_number_assignment("+44' or telephoneNumber eq '+441632960409")
            .await
            .unwrap(),
        None
    );
}
