//! The Teams voice writes in the forms Microsoft documents, seen with a plain HTTP client:
//! `202` with a `Location` naming `operations('{id}')`, operations that move from
//! `running` to an end, `204` for policy assignments (at most 20 users a request),
//! `getPolicyId` in the docs' answer form, 404 for an unknown policy, the missing write
//! permission named, and tokens whose `roles` claim follows what is granted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine as _;
use common::*;
use graph_emulator::{NumberOperationFault, Route};
use serde_json::{Value, json};

const NUMBERS: &str = "/admin/teams/telephoneNumberManagement";

/// `assignNumber` of `number` to Sean.
async fn assign(
    emu: &graph_emulator::GraphEmulatorHandle,
    tok: &str,
    number: &str,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let body = json!({"telephoneNumber": number, "assignmentTargetId": SEAN, "numberType": "directRouting"});
    post(
        emu,
        tok,
        &format!("{NUMBERS}/numberAssignments/assignNumber"),
        body,
    )
    .await
}

async fn sean_configuration(emu: &graph_emulator::GraphEmulatorHandle, tok: &str) -> Value {
    let (s, _, cfg) = get(
        emu,
        tok,
        &format!("/admin/teams/userConfigurations/{SEAN}"),
        false,
    )
    .await;
    assert_eq!(s, 200, "{cfg}");
    cfg
}

fn assert_message_names(error: &Value, what: &str) {
    let message = error["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(what), "{error}");
}

fn roles(token: &str) -> Vec<String> {
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    let claims: Value = serde_json::from_slice(&bytes).unwrap();
    serde_json::from_value(claims["roles"].clone()).unwrap()
}

#[tokio::test]
async fn assign_number_answers_202_and_the_operation_moves_to_its_end() {
    let emu = contoso().await;
    let tok = token(&emu).await;
    let (s, h, body) = assign(&emu, &tok, "441632960501").await;
    assert_eq!(s, 202);
    assert_eq!(body, Value::Null);
    let location = h["location"].to_str().unwrap().to_owned();
    let prefix = format!("{}{NUMBERS}/operations('", emu.graph_base());
    assert!(
        location.starts_with(&prefix) && location.ends_with("')"),
        "{location}"
    );
    // The Location as given (key in parentheses), then the template form with the bare id.
    let (s, _, op) = get(&emu, &tok, &location, false).await;
    assert_eq!(s, 200);
    assert_eq!(op["status"], "running");
    assert!(
        op.get("value").is_none(),
        "the standard OData shape, not the docs' wrapper"
    );
    let id = op["id"].as_str().unwrap().to_owned();
    let (_, _, op) = get(&emu, &tok, &format!("{NUMBERS}/operations/{id}"), false).await;
    assert_eq!(op["status"], "succeeded");
    assert_eq!(op["numbers"][0]["status"], "succeeded");
    // The number's assignment, where the resource location says it is.
    let at = op["numbers"][0]["resourceLocation"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, _, found) = get(&emu, &tok, &at, false).await;
    assert_eq!(s, 200, "{at}");
    assert_eq!(found["value"][0]["assignmentTargetId"], SEAN);
    let cfg = sean_configuration(&emu, &tok).await;
    assert_eq!(
        cfg["telephoneNumbers"][0]["telephoneNumber"],
        "+441632960501"
    );
    assert_eq!(cfg["telephoneNumbers"][0]["assignmentCategory"], "primary");
    let stats = emu.stats();
    assert_eq!(stats.get(Route::NumberActions), 1);
    assert_eq!(stats.get(Route::NumberOperations), 2);

    let (s, _, e) = post(
        &emu,
        &tok,
        &format!("{NUMBERS}/numberAssignments/assignNumber"),
        json!({"telephoneNumber": "441632960502", "numberType": "directRouting"}),
    )
    .await;
    assert_eq!(s, 400);
    assert_message_names(&e, "assignmentTargetId");
}

#[tokio::test]
async fn a_faulted_operation_fails_with_a_detail_and_changes_nothing() {
    let emu = contoso().await;
    let tok = token(&emu).await;
    emu.set_number_operation_fault(NumberOperationFault::Fail);
    let (_, h, _) = assign(&emu, &tok, "+441632960503").await;
    let location = h["location"].to_str().unwrap().to_owned();
    get(&emu, &tok, &location, false).await;
    let (_, _, op) = get(&emu, &tok, &location, false).await;
    assert_eq!(op["status"], "failed");
    assert!(op["numbers"][0]["statusDetail"].as_str().is_some());
    assert_eq!(emu.number_owner("+441632960503"), None);
}

#[tokio::test]
async fn policies_by_name_and_assignments_answer_as_documented() {
    let emu = contoso().await;
    let tok = token(&emu).await;
    let id = emu.add_teams_policy("OnlineVoiceRoutingPolicy", "UK Direct Routing");
    let path = "/admin/teams/policy/getPolicyId(type='OnlineVoiceRoutingPolicy',name='UK%20Direct%20Routing')";
    let (s, _, v) = get(&emu, &tok, path, false).await;
    assert_eq!(s, 200);
    assert_eq!(v["value"][0]["policyId"], id.as_str());
    assert_eq!(v["value"][0]["name"], "Tag:UK Direct Routing");
    let unknown = "/admin/teams/policy/getPolicyId(type='OnlineVoiceRoutingPolicy',name='Nope')";
    assert_eq!(get(&emu, &tok, unknown, false).await.0, 404);

    let one = |policy: &str| {
        json!({"@odata.type": "#microsoft.graph.teamsAdministration.teamsPolicyUserAssignment",
               "userId": SEAN, "policyType": "OnlineVoiceRoutingPolicy", "policyId": policy})
    };
    let (s, _, body) = post(
        &emu,
        &tok,
        "/admin/teams/policy/userAssignments/assign",
        json!({"value": [one(&id)]}),
    )
    .await;
    assert_eq!((s, body), (204, Value::Null));
    let cfg = sean_configuration(&emu, &tok).await;
    let e = &cfg["effectivePolicyAssignments"][0];
    assert_eq!(e["policyType"], "OnlineVoiceRoutingPolicy");
    assert_eq!(e["policyAssignment"]["assignmentType"], "direct");
    assert_eq!(e["policyAssignment"]["displayName"], "UK Direct Routing");

    let (s, _, _) = post(
        &emu,
        &tok,
        "/admin/teams/policy/userAssignments/assign",
        json!({"value": [one("no-such-id")]}),
    )
    .await;
    assert_eq!(s, 404);
    let many: Vec<Value> = (0..21).map(|_| one(&id)).collect();
    let (s, _, _) = post(
        &emu,
        &tok,
        "/admin/teams/policy/userAssignments/assign",
        json!({"value": many}),
    )
    .await;
    assert_eq!(s, 400, "more than MAX_POLICY_ASSIGNMENTS is refused");
    assert_eq!(graph_emulator::MAX_POLICY_ASSIGNMENTS, 20);
}

#[tokio::test]
async fn tokens_carry_the_granted_roles_and_refusals_name_the_missing_one() {
    let emu = contoso().await;
    let before = roles(&token(&emu).await);
    assert!(
        before
            .iter()
            .any(|r| r == "TeamsPolicyUserAssign.ReadWrite.All"),
        "{before:?}"
    );
    emu.revoke_permission("TeamsPolicyUserAssign.ReadWrite.All");
    let tok = token(&emu).await;
    let after = roles(&tok);
    assert!(
        !after
            .iter()
            .any(|r| r == "TeamsPolicyUserAssign.ReadWrite.All"),
        "{after:?}"
    );
    assert_eq!(after.len() + 1, before.len());
    let (s, _, e) = post(
        &emu,
        &tok,
        "/admin/teams/policy/userAssignments/assign",
        json!({"value": []}),
    )
    .await;
    assert_eq!(s, 403);
    assert_eq!(e["error"]["code"], "Authorization_RequestDenied");
    assert_message_names(&e, "TeamsPolicyUserAssign.ReadWrite.All");
}

#[tokio::test]
async fn the_sdk_full_action_names_and_the_unassign_answer_the_same_way() {
    let emu = contoso().await;
    let tok = token(&emu).await;
    let full =
        format!("{NUMBERS}/numberAssignments/microsoft.graph.teamsAdministration.assignNumber");
    let body = json!({"telephoneNumber": "+441632960504", "assignmentTargetId": SEAN, "numberType": "DirectRouting"});
    let (s, h, _) = post(&emu, &tok, &full, body).await;
    assert_eq!(s, 202);
    let location = h["location"].to_str().unwrap().to_owned();
    get(&emu, &tok, &location, false).await;
    assert_eq!(
        get(&emu, &tok, &location, false).await.2["status"],
        "succeeded"
    );
    assert_eq!(emu.number_owner("441632960504").as_deref(), Some(SEAN));

    let body = json!({"telephoneNumber": "441632960504", "numberType": "directRouting"});
    let (s, h, _) = post(
        &emu,
        &tok,
        &format!("{NUMBERS}/numberAssignments/unassignNumber"),
        body,
    )
    .await;
    assert_eq!(s, 202);
    let location = h["location"].to_str().unwrap().to_owned();
    get(&emu, &tok, &location, false).await;
    assert_eq!(
        get(&emu, &tok, &location, false).await.2["status"],
        "succeeded"
    );
    assert_eq!(emu.number_owner("441632960504"), None);
    assert!(
        sean_configuration(&emu, &tok).await["telephoneNumbers"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let unknown = format!("{NUMBERS}/operations('nope')");
    assert_eq!(get(&emu, &tok, &unknown, false).await.0, 404);
}

#[tokio::test]
async fn a_seed_names_its_policies() {
    let seed = graph_emulator::Seed::from_json(
        r#"{"teamsPolicies": [
              {"policyType": "OnlineVoiceRoutingPolicy", "name": "UK Direct Routing", "id": "ovrp-uk"},
              {"policyType": "TenantDialPlan", "name": "UK"}]}"#,
    )
    .unwrap();
    let emu = start(graph_emulator::GraphEmulatorConfig::with_seed(seed)).await;
    let tok = token(&emu).await;
    let ask = |ty: &str, name: &str| {
        format!("/admin/teams/policy/getPolicyId(type='{ty}',name='{name}')")
    };
    let (s, _, v) = get(
        &emu,
        &tok,
        &ask("onlineVoiceRoutingPolicy", "UK%20Direct%20Routing"),
        false,
    )
    .await;
    assert_eq!(
        (s, v["value"][0]["policyId"].as_str()),
        (200, Some("ovrp-uk"))
    );
    let (s, _, v) = get(&emu, &tok, &ask("TenantDialPlan", "UK"), false).await;
    assert_eq!(s, 200);
    assert!(!v["value"][0]["policyId"].as_str().unwrap().is_empty());
    // The handle finds the seeded one rather than making a second.
    assert_eq!(
        emu.add_teams_policy("OnlineVoiceRoutingPolicy", "uk direct routing"),
        "ovrp-uk"
    );
}

#[tokio::test]
async fn number_owner_finds_a_number_with_its_extension_and_a_bare_base_number_only_itself() {
    let emu = contoso().await;
    let tok = token(&emu).await;
    // Two people on one DDI: Sean's extension 601 assigned through Graph...
    let (s, h, _) = assign(&emu, &tok, "+441632960600;ext=601").await;
    assert_eq!(s, 202);
    let location = h["location"].to_str().unwrap().to_owned();
    get(&emu, &tok, &location, false).await;
    let (_, _, op) = get(&emu, &tok, &location, false).await;
    assert_eq!(op["status"], "succeeded", "{op}");
    // ...Megan's 602 set in Teams admin, written as a LineURI.
    let line = ipo_model::TeamsPhoneNumber::new(
        "tel:+441632960600;ext=602",
        ipo_model::AssignmentCategory::Primary,
    );
    emu.set_teams_numbers(MEGAN, vec![line]).unwrap();

    for (asked, owner) in [
        ("+441632960600;ext=601", SEAN),
        ("tel:+441632960600;EXT=601", SEAN),
        ("+441632960600;ext=602", MEGAN),
        ("441632960600;ext=602", MEGAN),
    ] {
        assert_eq!(emu.number_owner(asked).as_deref(), Some(owner), "{asked}");
    }
    // The bare base number is a number of its own, which nobody has here.
    assert_eq!(emu.number_owner("+441632960600"), None);

    // The listing names each with its extension, in Graph's form.
    let (s, _, listed) = get(&emu, &tok, &format!("{NUMBERS}/numberAssignments"), false).await;
    assert_eq!(s, 200);
    let megan = listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["assignmentTargetId"] == MEGAN)
        .unwrap();
    assert_eq!(megan["telephoneNumber"], "+441632960600;ext=602");
}
