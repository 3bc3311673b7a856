//! Users, groups, members, paging.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use graph_emulator::{GraphEmulatorConfig, Route, Seed};

#[tokio::test]
async fn users_default_properties_select_and_top() {
    let emu = contoso().await;
    let tok = token(&emu).await;
    let (s, _, v) = get(&emu, &tok, "/users", false).await;
    assert_eq!(s, 200);
    let first = v["value"][0].as_object().unwrap();
    assert_eq!(first.len(), 11, "{first:?}");
    assert!(!first.contains_key("accountEnabled"));
    let (_, _, v) = get(
        &emu,
        &tok,
        "/users?$select=id,displayName,onPremisesExtensionAttributes&$top=999",
        false,
    )
    .await;
    let u = v["value"][0].as_object().unwrap();
    assert_eq!(u.len(), 3);
    assert_eq!(v["value"].as_array().unwrap().len(), 6);
    let (s, _, v) = get(&emu, &tok, "/users?$top=1000", false).await;
    assert_eq!(s, 400);
    assert_eq!(v["error"]["code"], "Request_BadRequest");
    let (s, _, _) = get(&emu, &tok, "/users?$select=shoeSize", false).await;
    assert_eq!(s, 400);
    let (s, _, v) = get(
        &emu,
        &tok,
        &format!("/users/{ADELE}?$select=displayName,businessPhones"),
        false,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["displayName"], "Adele Vance");
    assert_eq!(v["businessPhones"][0], "+441632768402 x402");
    let (s, _, v) = get(
        &emu,
        &tok,
        "/users/00000000-0000-4000-8000-000000000999",
        false,
    )
    .await;
    assert_eq!(s, 404);
    assert_eq!(v["error"]["code"], "Request_ResourceNotFound");
    let (_, _, v) = get(
        &emu,
        &tok,
        "/users?$filter=displayName eq 'Se%C3%A1n O''Brien'",
        false,
    )
    .await;
    assert_eq!(v["value"].as_array().unwrap().len(), 1);
    assert_eq!(emu.stats().get(Route::Users), 5);
    assert_eq!(emu.stats().get(Route::User), 2);
}

#[tokio::test]
async fn paging_with_next_links_count_and_an_empty_page() {
    let emu = start(
        GraphEmulatorConfig::with_seed(Seed::contoso())
            .page_size(2)
            .inject_empty_page(true),
    )
    .await;
    let tok = token(&emu).await;
    let pages = all_pages(&emu, &tok, "/users?$select=id&$count=true", true).await;
    assert_eq!(pages[0]["@odata.count"], 6);
    assert!(pages[1].get("@odata.count").is_none());
    assert!(
        pages[1]["value"].as_array().unwrap().is_empty(),
        "{}",
        pages[1]
    );
    assert!(
        pages[1]["@odata.nextLink"]
            .as_str()
            .unwrap()
            .starts_with(&emu.graph_base())
    );
    assert_eq!(pages.len(), 4);
    let ids: Vec<_> = values(&pages).iter().map(|u| u["id"].clone()).collect();
    assert_eq!(ids.len(), 6);
    let (s, _, _) = get(&emu, &tok, "/users?$count=true", false).await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn members_and_transitive_members() {
    let emu = contoso().await;
    let tok = token(&emu).await;
    let (s, _, v) = get(&emu, &tok, &format!("/groups/{PHONES}/members"), false).await;
    assert_eq!(s, 200);
    let types: Vec<&str> = v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["@odata.type"].as_str().unwrap())
        .collect();
    assert_eq!(types.len(), 5);
    for t in [
        "#microsoft.graph.user",
        "#microsoft.graph.group",
        "#microsoft.graph.device",
        "#microsoft.graph.orgContact",
    ] {
        assert!(types.contains(&t), "{types:?}");
    }
    let (_, _, v) = get(
        &emu,
        &tok,
        &format!("/groups/{PHONES}/transitiveMembers"),
        false,
    )
    .await;
    let types: Vec<&str> = v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["@odata.type"].as_str().unwrap())
        .collect();
    assert!(types.contains(&"#microsoft.graph.servicePrincipal"));
    assert_eq!(types.len(), 8);

    let url = format!(
        "/groups/{PHONES}/transitiveMembers/microsoft.graph.user?$select=id,displayName&$count=true"
    );
    let (s, _, v) = get(&emu, &tok, &url, false).await;
    assert_eq!(s, 400);
    assert_eq!(v["error"]["code"], "Request_UnsupportedQuery");
    let (s, _, v) = get(&emu, &tok, &url, true).await;
    assert_eq!(s, 200);
    assert_eq!(v["@odata.count"], 4);
    assert!(
        v["value"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["@odata.type"] == "#microsoft.graph.user")
    );
    let (s, _, v) = get(
        &emu,
        &tok,
        "/groups/00000000-0000-4000-8000-000000000999/members",
        false,
    )
    .await;
    assert_eq!(s, 404);
    assert_eq!(v["error"]["code"], "Request_ResourceNotFound");

    // Scripted changes show at once.
    emu.remove_member(SALES, SEAN).unwrap();
    let (_, _, v) = get(&emu, &tok, &url, true).await;
    assert_eq!(v["@odata.count"], 3);
    assert!(emu.nest_group(SALES, PHONES).is_err());
    emu.nest_group(PHONES, VOICE).unwrap();
    let (_, _, v) = get(&emu, &tok, &url, true).await;
    assert_eq!(v["@odata.count"], 6);
    assert_eq!(emu.stats().get(Route::TransitiveMembers), 5);
    assert_eq!(emu.stats().get(Route::Members), 2);
}
