//! `$batch` and Teams endpoints.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use std::time::Duration;

use common::*;
use graph_emulator::{FaultRule, Route};
use ipo_model::{AssignmentCategory, TeamsPhoneNumber};
use serde_json::{Value, json};

async fn post_batch(
    emu: &graph_emulator::GraphEmulatorHandle,
    tok: &str,
    body: Value,
) -> (u16, Value) {
    let r = client()
        .post(format!("{}/$batch", emu.graph_base()))
        .bearer_auth(tok)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn batch_runs_inner_requests_with_their_own_faults() {
    let emu = contoso().await;
    let tok = token(&emu).await;
    emu.faults().add(
        FaultRule::new(format!("/v1.0/users/{SEAN}")).throttle(1.0, Some(Duration::from_secs(1))),
    );
    let requests: Vec<Value> = [ADELE, SEAN, MEGAN, "00000000-0000-4000-8000-000000000999"]
        .iter()
        .enumerate()
        .map(|(i, id)| json!({"id": format!("{}", i + 1), "method": "GET", "url": format!("/users/{id}?$select=displayName")}))
        .chain([json!({"id": "5", "method": "GET", "url": format!("groups/{PHONES}/transitiveMembers/microsoft.graph.user"), "headers": {"ConsistencyLevel": "eventual"}})])
        .collect();
    let (s, v) = post_batch(&emu, &tok, json!({"requests": requests})).await;
    assert_eq!(s, 200);
    let rs = v["responses"].as_array().unwrap();
    assert_eq!(rs.len(), 5);
    let ids: Vec<&str> = rs.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_ne!(ids, ["1", "2", "3", "4", "5"], "answers come shuffled");
    let by = |id: &str| rs.iter().find(|r| r["id"] == id).unwrap();
    assert_eq!(by("1")["status"], 200);
    assert_eq!(by("1")["body"]["displayName"], "Adele Vance");
    assert_eq!(by("2")["status"], 429);
    assert_eq!(by("2")["headers"]["Retry-After"], "1");
    assert_eq!(by("4")["status"], 404);
    assert_eq!(by("5")["status"], 200);
    assert_eq!(by("5")["body"]["value"].as_array().unwrap().len(), 4);
    let st = emu.stats();
    assert_eq!(st.get(Route::Batch), 1);
    assert_eq!(st.get(Route::User), 4);
    assert_eq!(st.throttled, 1);

    let too_many: Vec<Value> = (0..21)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/users"}))
        .collect();
    let (s, v) = post_batch(&emu, &tok, json!({"requests": too_many})).await;
    assert_eq!(s, 400);
    assert!(v["error"]["message"].as_str().unwrap().contains("20"));
    let dup = json!({"requests": [{"id": "1", "method": "GET", "url": "/users"}, {"id": "1", "method": "GET", "url": "/users"}]});
    assert_eq!(post_batch(&emu, &tok, dup).await.0, 400);
    let abs = json!({"requests": [{"id": "1", "method": "GET", "url": "https://graph.microsoft.com/v1.0/users"}]});
    assert_eq!(post_batch(&emu, &tok, abs).await.0, 400);
    let dep = json!({"requests": [{"id": "1", "method": "GET", "url": format!("/users/{SEAN}")}, {"id": "2", "method": "GET", "url": "/users", "dependsOn": ["1"]}]});
    let (_, v) = post_batch(&emu, &tok, dep).await;
    let r2 = v["responses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "2")
        .unwrap()
        .clone();
    assert_eq!(r2["status"], 424);
}

#[tokio::test]
async fn teams_configurations_and_number_assignments() {
    let emu = contoso().await;
    let tok = token(&emu).await;
    let pages = all_pages(&emu, &tok, "/admin/teams/userConfigurations?$top=1", false).await;
    let cfgs = values(&pages);
    assert_eq!(cfgs.len(), 3);
    assert!(pages.len() >= 3);
    let megan = cfgs.iter().find(|c| c["id"] == MEGAN).unwrap();
    assert_eq!(
        megan["telephoneNumbers"][0]["telephoneNumber"],
        "+14255550111"
    );
    assert_eq!(
        megan["telephoneNumbers"][0]["assignmentCategory"],
        "primary"
    );
    assert_eq!(megan["isEnterpriseVoiceEnabled"], true);
    assert_eq!(megan["userPrincipalName"], "MeganB@contoso.com");
    assert!(
        megan["featureTypes"]
            .as_array()
            .unwrap()
            .contains(&json!("CallingPlan"))
    );
    assert_eq!(megan["accountType"], "user");

    emu.set_teams_numbers(
        ADELE,
        vec![TeamsPhoneNumber::new(
            "+441632768555",
            AssignmentCategory::Primary,
        )],
    )
    .unwrap();
    let (s, _, v) = get(
        &emu,
        &tok,
        &format!("/admin/teams/userConfigurations/{ADELE}"),
        false,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["telephoneNumbers"][0]["telephoneNumber"], "+441632768555");
    let (s, _, _) = get(
        &emu,
        &tok,
        "/admin/teams/userConfigurations/00000000-0000-4000-8000-000000000999",
        false,
    )
    .await;
    assert_eq!(s, 404);

    let (_, _, v) = get(
        &emu,
        &tok,
        "/admin/teams/telephoneNumberManagement/numberAssignments",
        false,
    )
    .await;
    let a = v["value"].as_array().unwrap();
    let adele = a.iter().find(|x| x["assignmentTargetId"] == ADELE).unwrap();
    assert_eq!(adele["telephoneNumber"], "+441632768555");
    assert_eq!(adele["assignmentStatus"], "userAssigned");
    assert_eq!(adele["numberType"], "directRouting");
    assert_eq!(adele["isoCountryCode"], "GB");
    assert!(a.iter().any(|x| x["numberType"] == "callingPlan"));
    let st = emu.stats();
    assert_eq!(
        st.get(Route::TeamsUserConfigurations),
        pages.len() as u64 + 2
    );
    assert_eq!(st.get(Route::NumberAssignments), 1);
}
