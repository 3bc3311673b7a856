//! Users and groups delta queries, token expiry.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use graph_emulator::{ExpiredDeltaMode, GraphEmulatorConfig, Route, Seed};
use ipo_model::{AzureAdUser, RemovalReason};
use serde_json::Value;

fn delta_link(pages: &[Value]) -> String {
    let last = pages.last().unwrap();
    assert!(
        pages[..pages.len() - 1]
            .iter()
            .all(|p| p.get("@odata.deltaLink").is_none())
    );
    last["@odata.deltaLink"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn users_delta_full_round_then_changes() {
    let emu = start(GraphEmulatorConfig::with_seed(Seed::contoso()).page_size(4)).await;
    let tok = token(&emu).await;
    let pages = all_pages(
        &emu,
        &tok,
        "/users/delta?$select=displayName,businessPhones",
        false,
    )
    .await;
    assert_eq!(pages.len(), 2);
    assert_eq!(values(&pages).len(), 6);
    let link = delta_link(&pages);
    assert!(link.starts_with(&emu.graph_base()));

    // Nothing changed: an empty round.
    let pages = all_pages(&emu, &tok, &link, false).await;
    assert!(values(&pages).is_empty());
    let link = delta_link(&pages);

    emu.set_business_phone(ADELE, "+441632768499 x499").unwrap();
    emu.remove_user(SEAN, RemovalReason::Changed).unwrap();
    emu.remove_user(MEGAN, RemovalReason::Deleted).unwrap();
    let newbie = AzureAdUser::new("000000f1-0000-4000-8000-0000000000f1".parse().unwrap());
    emu.add_user(newbie).unwrap();
    let pages = all_pages(&emu, &tok, &link, false).await;
    let vals = values(&pages);
    assert_eq!(vals.len(), 4, "{vals:?}");
    let by_id = |id: &str| vals.iter().find(|v| v["id"] == id).unwrap().clone();
    assert_eq!(by_id(ADELE)["businessPhones"][0], "+441632768499 x499");
    assert_eq!(by_id(ADELE).get("displayName").unwrap(), "Adele Vance");
    assert_eq!(by_id(SEAN)["@removed"]["reason"], "changed");
    assert_eq!(by_id(MEGAN)["@removed"]["reason"], "deleted");
    assert!(
        by_id("000000f1-0000-4000-8000-0000000000f1")
            .get("@removed")
            .is_none()
    );
    assert!(emu.stats().get(Route::UsersDelta) == 4);
}

#[tokio::test]
async fn latest_token_and_expiry_in_both_modes() {
    let emu = contoso().await;
    let tok = token(&emu).await;
    let (s, _, v) = get(
        &emu,
        &tok,
        "/users/delta?$select=displayName&$deltatoken=latest",
        false,
    )
    .await;
    assert_eq!(s, 200);
    assert!(v["value"].as_array().unwrap().is_empty());
    let link = v["@odata.deltaLink"].as_str().unwrap().to_owned();
    emu.set_user_property(ADELE, "displayName", "Adele V.".into())
        .unwrap();
    let (_, _, v) = get(&emu, &tok, &link, false).await;
    assert_eq!(v["value"].as_array().unwrap().len(), 1);
    assert_eq!(v["value"][0]["displayName"], "Adele V.");

    emu.expire_delta_tokens();
    let (s, h, v) = get(&emu, &tok, &link, false).await;
    assert_eq!(s, 410);
    assert!(h["location"].to_str().unwrap().contains("/users/delta"));
    assert_eq!(v["error"]["code"], "resyncRequired");
    emu.set_expired_delta_mode(ExpiredDeltaMode::SyncStateNotFound);
    let (s, _, v) = get(&emu, &tok, &link, false).await;
    assert_eq!(s, 400);
    assert_eq!(v["error"]["code"], "syncStateNotFound");
    let (s, _, _) = get(&emu, &tok, "/users/delta?$deltatoken=garbage", false).await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn groups_delta_splits_members_and_reports_changes() {
    let emu = start(GraphEmulatorConfig::with_seed(Seed::generated(30, 2, 9)).page_size(7)).await;
    let tok = token(&emu).await;
    let (_, _, groups) = get(
        &emu,
        &tok,
        "/groups?$filter=displayName eq 'Group 0'",
        false,
    )
    .await;
    let g0 = groups["value"][0]["id"].as_str().unwrap().to_owned();
    let filter = format!("/groups/delta?$select=displayName,members&$filter=id eq '{g0}'");
    let pages = all_pages(&emu, &tok, &filter, false).await;
    assert!(pages.len() >= 2, "a big group spreads over pages");
    let mut members = Vec::new();
    for item in values(&pages) {
        assert_eq!(item["id"], g0.as_str());
        assert!(item["displayName"].is_string());
        members.extend(item["members@delta"].as_array().unwrap().clone());
    }
    // 15 users and the nested group.
    assert_eq!(members.len(), 16);
    assert!(
        members
            .iter()
            .any(|m| m["@odata.type"] == "#microsoft.graph.group")
    );
    let link = delta_link(&pages);

    let user = members
        .iter()
        .find(|m| m["@odata.type"] == "#microsoft.graph.user")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other: Vec<String> = emu_users_not_in(&emu, &tok, &g0).await;
    emu.remove_member(&g0, &user).unwrap();
    emu.add_member(&g0, &other[0]).unwrap();
    let pages = all_pages(&emu, &tok, &link, false).await;
    let vals = values(&pages);
    assert_eq!(vals.len(), 1, "{vals:?}");
    let md = vals[0]["members@delta"].as_array().unwrap();
    assert_eq!(md.len(), 2);
    let removed = md.iter().find(|m| m["id"] == user.as_str()).unwrap();
    assert_eq!(removed["@removed"]["reason"], "deleted");
    let added = md.iter().find(|m| m["id"] == other[0].as_str()).unwrap();
    assert_eq!(added["@odata.type"], "#microsoft.graph.user");
    assert!(added.get("@removed").is_none());
    assert!(emu.stats().get(Route::GroupsDelta) >= 3);
}

async fn emu_users_not_in(
    emu: &graph_emulator::GraphEmulatorHandle,
    tok: &str,
    group: &str,
) -> Vec<String> {
    let members = values(
        &all_pages(
            emu,
            tok,
            &format!("/groups/{group}/members?$select=id"),
            false,
        )
        .await,
    );
    let users = values(&all_pages(emu, tok, "/users?$select=id&$top=999", false).await);
    users
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .filter(|id| !members.iter().any(|m| m["id"] == id.as_str()))
        .collect()
}
