//! Delta rounds, the `AzureAdSource::changes` built on them, and expired tokens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use graph_client::{Delta, DeltaStart, MemberKind};
use ipo_model::{
    AzureAdSource, DeltaCursor, DeltaOutcome, GroupId, MembershipChangeKind, RemovalReason,
};
use mockito::{Matcher, ServerGuard};

const WATCHED_2: &str = "11111111-2222-4333-8444-555555555555";

async fn delta_mocks(server: &mut ServerGuard) {
    server
        .mock("GET", "/v1.0/users/delta")
        .match_query(Matcher::UrlEncoded("$deltatoken".into(), "users-1".into()))
        .with_body(fixture(
            include_str!("fixtures/delta_users_p1.json"),
            server,
        ))
        .expect(1)
        .create_async()
        .await;
    server
        .mock("GET", "/v1.0/users/delta")
        .match_query(Matcher::Regex("skiptoken=pqwS".into()))
        .with_body(fixture(
            include_str!("fixtures/delta_users_p2.json"),
            server,
        ))
        .expect(1)
        .create_async()
        .await;
    server
        .mock("GET", "/v1.0/groups/delta")
        .match_query(Matcher::UrlEncoded("$deltatoken".into(), "groups-1".into()))
        .with_body(fixture(
            include_str!("fixtures/delta_groups_p1.json"),
            server,
        ))
        .expect(1)
        .create_async()
        .await;
    server
        .mock("GET", "/v1.0/groups/delta")
        .match_query(Matcher::UrlEncoded(
            "$skiptoken".into(),
            "ZGVsdGFncm91cHMy".into(),
        ))
        .with_body(fixture(
            include_str!("fixtures/delta_groups_p2.json"),
            server,
        ))
        .expect(1)
        .create_async()
        .await;
}

fn cursor(server: &ServerGuard) -> DeltaCursor {
    let mut c = DeltaCursor::default();
    c.0.insert(
        "users".into(),
        format!("{}/v1.0/users/delta?$deltatoken=users-1", server.url()),
    );
    c.0.insert(
        "groups".into(),
        format!("{}/v1.0/groups/delta?$deltatoken=groups-1", server.url()),
    );
    c
}

#[tokio::test]
async fn users_delta_merges_pages_and_keeps_removals() {
    let mut server = mockito::Server::new_async().await;
    delta_mocks(&mut server).await;
    let client = static_client(&server, false);
    let link = format!("{}/v1.0/users/delta?$deltatoken=users-1", server.url());
    let Delta::Changes(d) = client.users_delta(DeltaStart::Link(link)).await.unwrap() else {
        panic!("expected changes");
    };
    assert!(
        d.delta_link.ends_with(
            "$deltatoken=oEcOySpF_hWYmTIUZBOIfPzcwisr_rPe8o9M54L45qEXQGmvQC6T2dbL-9O7nSU"
        )
    );
    let changed: Vec<&str> = d.changed.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(
        changed,
        [
            "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
            "6e7b768e-07e2-4810-8459-485f84f8f204"
        ]
    );
    // Later pages win: the second entry of Adele carries the phone.
    assert_eq!(
        d.changed[0].mobile_phone.as_deref(),
        Some("+1 425 555 0110")
    );
    let removed: Vec<(&str, RemovalReason)> = d
        .removed
        .iter()
        .map(|r| (r.id.as_str(), r.reason))
        .collect();
    assert_eq!(
        removed,
        [
            (
                "5bde3e51-d13b-4db1-9948-fe4b109d11a7",
                RemovalReason::Changed
            ),
            (
                "4782e723-f4f4-4af3-a76e-25e3bab0d896",
                RemovalReason::Deleted
            )
        ]
    );
}

#[tokio::test]
async fn groups_delta_merges_split_pages_and_duplicates() {
    let mut server = mockito::Server::new_async().await;
    delta_mocks(&mut server).await;
    let client = static_client(&server, false);
    let link = format!("{}/v1.0/groups/delta?$deltatoken=groups-1", server.url());
    let Delta::Changes(d) = client.groups_delta(DeltaStart::Link(link)).await.unwrap() else {
        panic!("expected changes");
    };
    let watched = d.groups.iter().find(|g| g.id.as_str() == GROUP).unwrap();
    assert_eq!(
        watched.members_added.len(),
        2,
        "user once (duplicate merged) + nested group"
    );
    assert!(
        watched
            .members_added
            .iter()
            .any(|m| m.kind == MemberKind::Group)
    );
    assert_eq!(watched.members_removed.len(), 1);
    assert_eq!(d.groups.len(), 3);
}

#[tokio::test]
async fn changes_fetch_complete_users_by_batch_and_find_nested_group_changes() {
    let mut server = mockito::Server::new_async().await;
    delta_mocks(&mut server).await;
    let batch = server
        .mock("POST", "/v1.0/$batch")
        .match_header("content-type", "application/json")
        .match_body(Matcher::Regex(
            r#""url":"/users/87d349ed-44d7-43e1-9a83-5f2406dee5bd\?\$select=id,userPrincipalName"#
                .into(),
        ))
        .with_body(include_str!("fixtures/batch_users.json"))
        .expect(1)
        .create_async()
        .await;
    let nested = server
        .mock(
            "GET",
            format!("/v1.0/groups/{WATCHED_2}/transitiveMembers/microsoft.graph.group").as_str(),
        )
        .match_header("consistencylevel", "eventual")
        .match_query(Matcher::Any)
        .with_body(include_str!("fixtures/nested_groups.json"))
        .expect(1)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let watched: Vec<GroupId> = vec![GROUP.parse().unwrap(), WATCHED_2.parse().unwrap()];
    let DeltaOutcome::Changes(c) = client.changes(&watched, &cursor(&server)).await.unwrap() else {
        panic!("expected changes");
    };
    batch.assert_async().await;
    nested.assert_async().await;
    assert_eq!(c.updated.len(), 1);
    let adele = &c.updated[0];
    assert_eq!(
        adele.user_principal_name.as_deref(),
        Some("AdeleV@contoso.com"),
        "complete record"
    );
    assert_eq!(adele.display_name.as_deref(), Some("Adele Vance (Sales)"));
    // Megan changed then vanished before the batch read: reported as removed (changed).
    assert_eq!(c.removed.len(), 3);
    assert!(
        c.removed
            .iter()
            .any(|r| r.id.as_str() == "6e7b768e-07e2-4810-8459-485f84f8f204"
                && r.reason == RemovalReason::Changed)
    );
    let m: Vec<(&str, MembershipChangeKind)> = c
        .membership
        .iter()
        .map(|m| (m.user.as_str(), m.kind))
        .collect();
    assert_eq!(
        m,
        [
            (
                "4782e723-f4f4-4af3-a76e-25e3bab0d896",
                MembershipChangeKind::Removed
            ),
            (
                "6e7b768e-07e2-4810-8459-485f84f8f204",
                MembershipChangeKind::Added
            )
        ]
    );
    assert!(c.membership.iter().all(|m| m.group.as_str() == GROUP));
    assert_eq!(
        c.groups_changed.len(),
        2,
        "direct change + change in a nested group"
    );
    assert!(c.cursor.0["users"].contains("oEcOySpF"));
    assert!(c.cursor.0["groups"].contains("Z3JvdXBzZGVsdGEy"));
}

#[tokio::test]
async fn expired_tokens_are_a_full_resync_not_an_error() {
    let mut server = mockito::Server::new_async().await;
    server
        .mock("GET", "/v1.0/users/delta")
        .match_query(Matcher::UrlEncoded("$deltatoken".into(), "users-1".into()))
        .with_status(400)
        .with_body(include_str!("fixtures/error_sync_state.json"))
        .create_async()
        .await;
    server
        .mock("GET", "/v1.0/groups/delta")
        .match_query(Matcher::Any)
        .with_status(410)
        .with_header("location", &format!("{}/v1.0/groups/delta", server.url()))
        .with_body(r#"{"error":{"code":"resyncRequired","message":"Resync required."}}"#)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let outcome = client.changes(&[], &cursor(&server)).await.unwrap();
    assert!(
        matches!(outcome, DeltaOutcome::FullResyncNeeded { ref reason } if reason == "syncStateNotFound"),
        "{outcome:?}"
    );
    let link = format!("{}/v1.0/groups/delta?$deltatoken=groups-1", server.url());
    match client.groups_delta(DeltaStart::Link(link)).await.unwrap() {
        Delta::FullResyncNeeded { reason } => assert!(reason.contains("410"), "{reason}"),
        other => panic!("unexpected {other:?}"),
    }
    let empty = client.changes(&[], &DeltaCursor::default()).await.unwrap();
    assert!(matches!(empty, DeltaOutcome::FullResyncNeeded { .. }));
}

#[tokio::test]
async fn latest_cursor_asks_for_deltatoken_latest() {
    let mut server = mockito::Server::new_async().await;
    let users = server
        .mock("GET", "/v1.0/users/delta")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("$deltatoken".into(), "latest".into()),
            Matcher::Regex(r"\$select=id,".into()),
        ]))
        .with_body(fixture(
            r#"{"value":[],"@odata.deltaLink":"{BASE}/v1.0/users/delta?$deltatoken=u-now"}"#,
            &server,
        ))
        .expect(1)
        .create_async()
        .await;
    let groups = server
        .mock("GET", "/v1.0/groups/delta")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("$deltatoken".into(), "latest".into()),
            Matcher::UrlEncoded("$select".into(), "displayName,members".into()),
        ]))
        .with_body(fixture(
            r#"{"value":[],"@odata.deltaLink":"{BASE}/v1.0/groups/delta?$deltatoken=g-now"}"#,
            &server,
        ))
        .expect(1)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let c = client
        .latest_cursor(&[GROUP.parse().unwrap()])
        .await
        .unwrap();
    users.assert_async().await;
    groups.assert_async().await;
    assert!(c.0["users"].ends_with("u-now"));
    assert!(c.0["groups"].ends_with("g-now"));
}
