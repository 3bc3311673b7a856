//! Reading users: paging, transitive members, single users, odd data, Teams numbers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use futures_util::TryStreamExt;
use graph_client::GraphError;
use ipo_model::{AssignmentCategory, AzureAdSource, GroupId, ObjectId, PortError};
use mockito::{Matcher, ServerGuard};

fn oid(s: &str) -> ObjectId {
    s.parse().unwrap()
}

async fn three_user_pages(server: &mut ServerGuard) -> Vec<mockito::Mock> {
    let first = server
        .mock("GET", "/v1.0/users")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("$top".into(), "999".into()),
            Matcher::Regex(r"\$select=id,userPrincipalName,displayName,.*assignedPlans".into()),
        ]))
        .with_body(fixture(include_str!("fixtures/users_page1.json"), server))
        .expect(1)
        .create_async()
        .await;
    let empty = server
        .mock("GET", "/v1.0/users")
        .match_query(Matcher::UrlEncoded(
            "$skiptoken".into(),
            "RFNwdAIAAQAAAD8xOlBhZ2Uy".into(),
        ))
        .with_body(fixture(
            include_str!("fixtures/users_page2_empty.json"),
            server,
        ))
        .expect(1)
        .create_async()
        .await;
    let last = server
        .mock("GET", "/v1.0/users")
        .match_query(Matcher::UrlEncoded(
            "$skiptoken".into(),
            "RFNwdAIAAQAAAD8xOlBhZ2Uz".into(),
        ))
        .with_body(fixture(include_str!("fixtures/users_page3.json"), server))
        .expect(1)
        .create_async()
        .await;
    vec![first, empty, last]
}

#[tokio::test]
async fn all_users_follows_next_links_across_an_empty_page() {
    let mut server = mockito::Server::new_async().await;
    let mocks = three_user_pages(&mut server).await;
    let client = static_client(&server, false);
    let users = client.all_users().await.unwrap();
    for m in &mocks {
        m.assert_async().await;
    }
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
            "5bde3e51-d13b-4db1-9948-fe4b109d11a7",
            "4782e723-f4f4-4af3-a76e-25e3bab0d896"
        ]
    );
    let adele = &users[0];
    assert_eq!(adele.extension_attributes.get(7), Some("402"));
    assert_eq!(adele.assigned_licenses.len(), 2);
    assert_eq!(adele.assigned_plans.len(), 2);
    assert_eq!(adele.account_enabled, Some(true));
    assert_eq!(adele.teams, None, "Teams enrichment was off");
    assert_eq!(users[2].account_enabled, Some(false));
    assert_eq!(client.stats().requests, 3);
}

#[tokio::test]
async fn users_stream_yields_items_without_page_handling() {
    let mut server = mockito::Server::new_async().await;
    let _mocks = three_user_pages(&mut server).await;
    let client = static_client(&server, false);
    let names: Vec<Option<String>> = client
        .users_stream()
        .map_ok(|u| u.display_name)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names.len(), 3);
    assert_eq!(names[1].as_deref(), Some("Alex Wilber"));
}

#[tokio::test]
async fn transitive_members_skip_non_users_and_send_consistency_level_on_every_page() {
    let mut server = mockito::Server::new_async().await;
    let path = format!("/v1.0/groups/{GROUP}/transitiveMembers/microsoft.graph.user");
    let p1 = server
        .mock("GET", path.as_str())
        .match_header("consistencylevel", "eventual")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("$count".into(), "true".into()),
            Matcher::UrlEncoded("$top".into(), "999".into()),
        ]))
        .with_body(fixture(
            include_str!("fixtures/transitive_p1.json"),
            &server,
        ))
        .expect(1)
        .create_async()
        .await;
    let p2 = server
        .mock("GET", path.as_str())
        .match_header("consistencylevel", "eventual")
        .match_query(Matcher::UrlEncoded("$skiptoken".into(), "X2ZpcnN0".into()))
        .with_body(fixture(
            include_str!("fixtures/transitive_p2.json"),
            &server,
        ))
        .expect(1)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let group: GroupId = GROUP.parse().unwrap();
    let users = client.group_members(&group).await.unwrap();
    p1.assert_async().await;
    p2.assert_async().await;
    assert_eq!(users.len(), 2);
    assert!(users.iter().all(|u| u.groups.contains(&group)));
    assert_eq!(
        users[1].user_principal_name.as_deref(),
        Some("AlexW@contoso.com")
    );
}

#[tokio::test]
async fn group_members_merge_teams_numbers_and_assignments() {
    let mut server = mockito::Server::new_async().await;
    let path = format!("/v1.0/groups/{GROUP}/transitiveMembers/microsoft.graph.user");
    server
        .mock("GET", path.as_str())
        .match_query(Matcher::Regex("count=true".into()))
        .with_body(fixture(
            include_str!("fixtures/transitive_p2.json"),
            &server,
        ))
        .create_async()
        .await;
    server
        .mock("GET", "/v1.0/admin/teams/userConfigurations")
        .with_body(include_str!("fixtures/teams_configs.json"))
        .expect(1)
        .create_async()
        .await;
    server
        .mock(
            "GET",
            "/v1.0/admin/teams/telephoneNumberManagement/numberAssignments",
        )
        .with_body(include_str!("fixtures/number_assignments.json"))
        .expect(1)
        .create_async()
        .await;
    // Adele comes from page 1 of the other fixture: serve both users through one page here.
    let client = {
        let mut opts = graph_client::ClientOptions::default().with_retry(fast_retry());
        opts.teams_number_assignments = true;
        graph_client::GraphClient::with_token_provider(
            graph_base(&server),
            std::sync::Arc::new(graph_client::StaticToken::new(TOKEN.into())),
            opts,
        )
        .unwrap()
    };
    let mut users = client
        .group_member_users(&GROUP.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(users.len(), 1);
    let alex = users.remove(0);
    let teams = alex.teams.expect("enrichment on");
    assert_eq!(teams.telephone_numbers.len(), 1);
    assert_eq!(teams.telephone_numbers[0].number, "+14255550177");
    assert_eq!(
        teams.telephone_numbers[0].category,
        AssignmentCategory::Primary
    );

    // The configuration list merges onto the right user by id.
    let mut adele = ipo_model::AzureAdUser::new(oid("87d349ed-44d7-43e1-9a83-5f2406dee5bd"));
    let configs = client.teams_user_configurations().await.unwrap();
    graph_client::test_support::merge_teams(std::slice::from_mut(&mut adele), configs, &[]);
    let t = adele.teams.clone().unwrap();
    assert_eq!(t.enterprise_voice_enabled, Some(true));
    assert_eq!(t.account_type.as_deref(), Some("user"));
    assert_eq!(
        adele.property("teamsTelephoneNumber").as_deref(),
        Some("+14255550109")
    );
}

const SALES: &str = "b2c3d4e5-0000-4000-8000-000000000002";
const EMPTY: &str = "b2c3d4e5-0000-4000-8000-000000000003";

/// Three groups on the mock server: the fixture group (Adele, then Alex on a second page),
/// Sales (Adele again) and an empty group.
async fn three_groups(server: &mut ServerGuard) -> Vec<mockito::Mock> {
    let path = |g: &str| format!("/v1.0/groups/{g}/transitiveMembers/microsoft.graph.user");
    let mut mocks = Vec::new();
    for (group, query, body) in [
        (
            GROUP,
            Matcher::UrlEncoded("$count".into(), "true".into()),
            include_str!("fixtures/transitive_p1.json"),
        ),
        (
            GROUP,
            Matcher::UrlEncoded("$skiptoken".into(), "X2ZpcnN0".into()),
            include_str!("fixtures/transitive_p2.json"),
        ),
        (
            SALES,
            Matcher::Any,
            r##"{"value":[{"@odata.type":"#microsoft.graph.user","id":"87d349ed-44d7-43e1-9a83-5f2406dee5bd","displayName":"Adele Vance"}]}"##,
        ),
        (EMPTY, Matcher::Any, r#"{"value":[]}"#),
    ] {
        mocks.push(
            server
                .mock("GET", path(group).as_str())
                .match_query(query)
                .with_body(fixture(body, server))
                .expect(1)
                .create_async()
                .await,
        );
    }
    mocks
}

#[tokio::test]
async fn members_of_several_groups_read_the_teams_listing_once() {
    let mut server = mockito::Server::new_async().await;
    let groups_read = three_groups(&mut server).await;
    let configs = server
        .mock("GET", "/v1.0/admin/teams/userConfigurations")
        .match_query(Matcher::Any)
        .with_body(include_str!("fixtures/teams_configs.json"))
        .expect(1)
        .create_async()
        .await;
    let assignments = server
        .mock(
            "GET",
            "/v1.0/admin/teams/telephoneNumberManagement/numberAssignments",
        )
        .match_query(Matcher::Any)
        .with_body(include_str!("fixtures/number_assignments.json"))
        .expect(1)
        .create_async()
        .await;
    let client = {
        let mut opts = graph_client::ClientOptions::default().with_retry(fast_retry());
        opts.teams_number_assignments = true;
        graph_client::GraphClient::with_token_provider(
            graph_base(&server),
            std::sync::Arc::new(graph_client::StaticToken::new(TOKEN.into())),
            opts,
        )
        .unwrap()
    };
    let groups: Vec<GroupId> = [GROUP, SALES, EMPTY]
        .iter()
        .map(|g| g.parse().unwrap())
        .collect();
    // Requests sent by the time each group is reported read.
    let reported = std::sync::Mutex::new(Vec::new());
    let read = client
        .members_of_groups(&groups, &|g| {
            reported
                .lock()
                .unwrap()
                .push((g.clone(), client.stats().requests));
        })
        .await
        .unwrap();

    for m in groups_read.iter().chain([&configs, &assignments]) {
        m.assert_async().await;
    }
    assert_eq!(
        client.stats().requests,
        4 + 2,
        "4 member pages, 1 listing each"
    );
    assert_eq!(
        reported.into_inner().unwrap(),
        vec![
            (groups[0].clone(), 2),
            (groups[1].clone(), 3),
            // The last group counts as read once the Teams numbers are merged.
            (groups[2].clone(), 6),
        ]
    );
    let got: Vec<(&GroupId, Vec<&str>)> = read
        .iter()
        .map(|(g, users)| (g, users.iter().map(|u| u.id.as_str()).collect()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                &groups[0],
                vec![
                    "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
                    "5bde3e51-d13b-4db1-9948-fe4b109d11a7"
                ]
            ),
            (&groups[1], vec!["87d349ed-44d7-43e1-9a83-5f2406dee5bd"]),
            (&groups[2], vec![]),
        ]
    );
    // Every member of every group has its numbers, Adele in both her groups.
    for (g, users) in &read {
        for u in users {
            assert_eq!(u.groups, std::collections::BTreeSet::from([g.clone()]));
            let numbers: Vec<&str> = u
                .teams
                .as_ref()
                .expect("Teams numbers merged")
                .telephone_numbers
                .iter()
                .map(|n| n.number.as_str())
                .collect();
            let want = match u.id.as_str() {
                "87d349ed-44d7-43e1-9a83-5f2406dee5bd" => vec!["+14255550109", "+14255550199"],
                _ => vec!["+14255550177"],
            };
            assert_eq!(numbers, want, "{} in {g}", u.id);
        }
    }
}

#[tokio::test]
async fn members_of_groups_without_teams_numbers_never_list_them() {
    let mut server = mockito::Server::new_async().await;
    let groups_read = three_groups(&mut server).await;
    let configs = server
        .mock("GET", "/v1.0/admin/teams/userConfigurations")
        .match_query(Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let groups: Vec<GroupId> = [GROUP, SALES, EMPTY]
        .iter()
        .map(|g| g.parse().unwrap())
        .collect();
    let reported = std::sync::Mutex::new(Vec::new());
    let read = client
        .members_of_groups(&groups, &|g| {
            reported
                .lock()
                .unwrap()
                .push((g.clone(), client.stats().requests));
        })
        .await
        .unwrap();
    for m in groups_read.iter().chain([&configs]) {
        m.assert_async().await;
    }
    assert_eq!(
        reported.into_inner().unwrap(),
        vec![
            (groups[0].clone(), 2),
            (groups[1].clone(), 3),
            (groups[2].clone(), 4)
        ]
    );
    let sizes: Vec<usize> = read.iter().map(|(_, u)| u.len()).collect();
    assert_eq!(sizes, [2, 1, 0]);
    assert!(read.iter().flat_map(|(_, u)| u).all(|u| u.teams.is_none()));
    // No group, no request.
    let none = client.members_of_groups(&[], &|_| {}).await.unwrap();
    assert!(none.is_empty());
    assert_eq!(client.stats().requests, 4);
}

#[tokio::test]
async fn user_with_null_and_missing_fields_and_unknown_user() {
    let mut server = mockito::Server::new_async().await;
    server
        .mock("GET", "/v1.0/users/4782e723-f4f4-4af3-a76e-25e3bab0d896")
        .match_query(Matcher::Regex(r"^\$select=id,".into()))
        .with_body(include_str!("fixtures/user_nulls.json"))
        .create_async()
        .await;
    server
        .mock("GET", "/v1.0/users/00000000-0000-0000-0000-000000000000")
        .match_query(Matcher::Any)
        .with_status(404)
        .with_body(r#"{"error":{"code":"Request_ResourceNotFound","message":"Resource does not exist.","innerError":{"request-id":"x"}}}"#)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let u = client
        .user(&oid("4782e723-f4f4-4af3-a76e-25e3bab0d896"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.display_name, None);
    assert!(u.business_phones.is_empty());
    assert!(u.assigned_plans.is_empty());
    assert_eq!(u.account_enabled, None);
    assert_eq!(u.surname, None);
    assert!(
        client
            .user(&oid("00000000-0000-0000-0000-000000000000"))
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn quotes_unicode_and_emoji_go_into_the_filter_escaped() {
    let mut server = mockito::Server::new_async().await;
    let name = "Seán O'Brien \"Ó Briain\" 🎧";
    let m = server
        .mock("GET", "/v1.0/users")
        .match_query(Matcher::UrlEncoded(
            "$filter".into(),
            "displayName eq 'Seán O''Brien \"Ó Briain\" 🎧'".into(),
        ))
        .with_body(include_str!("fixtures/user_unicode.json"))
        .expect(1)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let found = client.find_users("displayName", name).await.unwrap();
    m.assert_async().await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].display_name.as_deref(), Some(name));
    assert_eq!(found[0].surname.as_deref(), Some("O'Brien"));
    assert!(
        client
            .find_users("displayName eq 'x' or id", "y")
            .await
            .is_err()
    );
}

#[tokio::test]
async fn malformed_json_keeps_status_snippet_and_url_without_tokens() {
    let mut server = mockito::Server::new_async().await;
    server
        .mock("GET", "/v1.0/users")
        .match_query(Matcher::Regex("top=999".into()))
        .with_body(fixture(
            include_str!("fixtures/users_page2_empty.json"),
            &server,
        ))
        .create_async()
        .await;
    server
        .mock("GET", "/v1.0/users")
        .match_query(Matcher::Regex("skiptoken".into()))
        .with_body(r#"{"value":[{"id":"87d349ed-44d7-43e1-9a83-5f2406dee5bd","displayName":"Ad"#)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let err = client.list_users().await.unwrap_err();
    match &err {
        GraphError::Decode {
            status,
            url,
            snippet,
            ..
        } => {
            assert_eq!(*status, 200);
            assert!(url.contains("/v1.0/users"));
            assert!(!url.contains("RFNwdAIAAQAAAD8xOlBhZ2Uz"), "{url}");
            assert!(snippet.contains("displayName"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(matches!(
        PortError::from(err),
        PortError::InvalidData { .. }
    ));
}

#[tokio::test]
async fn invalid_id_and_wrong_type_name_the_field() {
    let mut server = mockito::Server::new_async().await;
    let m = server
        .mock("GET", "/v1.0/users")
        .match_query(Matcher::Any)
        .with_body(r#"{"value":[{"id":"not-a-guid","userPrincipalName":"x@contoso.com"}]}"#)
        .create_async()
        .await;
    let client = static_client(&server, false);
    match client.list_users().await.unwrap_err() {
        GraphError::InvalidField { record, field, .. } => {
            assert_eq!(field, "id");
            assert_eq!(record, "user x@contoso.com");
        }
        other => panic!("unexpected {other:?}"),
    }
    m.remove_async().await;
    server
        .mock("GET", "/v1.0/users")
        .match_query(Matcher::Any)
        .with_body(r#"{"value":[{"id":"87d349ed-44d7-43e1-9a83-5f2406dee5bd","displayName":"A","businessPhones":"+1 555"}]}"#)
        .create_async()
        .await;
    match client.list_users().await.unwrap_err() {
        GraphError::InvalidField { record, field, .. } => {
            assert_eq!(field, "businessPhones");
            assert_eq!(record, "user A");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn permission_denied_names_the_missing_permission() {
    let mut server = mockito::Server::new_async().await;
    server
        .mock(
            "GET",
            format!("/v1.0/groups/{GROUP}/transitiveMembers/microsoft.graph.user").as_str(),
        )
        .match_query(Matcher::Any)
        .with_status(403)
        .with_body(include_str!("fixtures/error_denied.json"))
        .expect(1)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let err = client
        .group_member_users(&GROUP.parse().unwrap())
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("GroupMember.Read.All"), "{text}");
    assert!(
        text.contains("0a1b2c3d-1111-2222-3333-444455556666"),
        "{text}"
    );
    assert!(!text.contains(TOKEN));
    assert!(matches!(PortError::from(err), PortError::Permission(_)));
    assert_eq!(client.stats().retries, 0, "403 is not retried");
}

#[tokio::test]
async fn unknown_group_is_not_found_and_foreign_next_links_are_refused() {
    let mut server = mockito::Server::new_async().await;
    server
        .mock("GET", format!("/v1.0/groups/{GROUP}/transitiveMembers/microsoft.graph.user").as_str())
        .match_query(Matcher::Any)
        .with_status(404)
        .with_body(r#"{"error":{"code":"Request_ResourceNotFound","message":"Resource '02bd9fd6' does not exist."}}"#)
        .create_async()
        .await;
    server
        .mock("GET", "/v1.0/users")
        .match_query(Matcher::Any)
        .with_body(
            r#"{"value":[],"@odata.nextLink":"https://evil.example/v1.0/users?$skiptoken=x"}"#,
        )
        .create_async()
        .await;
    let client = static_client(&server, false);
    let err = client
        .group_members(&GROUP.parse().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(err, PortError::NotFound(ref w) if w.contains(GROUP)),
        "{err:?}"
    );
    let err = client.list_users().await.unwrap_err();
    assert!(
        err.to_string().contains("leaves the configured Graph host"),
        "{err}"
    );
}

#[tokio::test]
async fn a_group_nests_others_when_its_transitive_members_hold_a_group() {
    let mut server = mockito::Server::new_async().await;
    let parent: GroupId = "0a000000-0000-4000-8000-000000000003".parse().unwrap();
    let child: GroupId = "0a000000-0000-4000-8000-000000000004".parse().unwrap();
    let path = |g: &GroupId| format!("/v1.0/groups/{g}/transitiveMembers/microsoft.graph.group");
    let nests = server
        .mock("GET", path(&parent).as_str())
        .match_query(Matcher::UrlEncoded("$select".into(), "id".into()))
        .with_body(format!(
            r#"{{"@odata.context":"{}/v1.0/$metadata#groups(id)","value":[{{"id":"{child}"}}]}}"#,
            server.url()
        ))
        .expect(1)
        .create_async()
        .await;
    let flat = server
        .mock("GET", path(&child).as_str())
        .match_query(Matcher::Any)
        .with_body(r#"{"value":[]}"#)
        .expect(1)
        .create_async()
        .await;
    let client = static_client(&server, false);
    assert!(client.has_nested_groups(&parent).await.unwrap());
    assert!(!client.has_nested_groups(&child).await.unwrap());
    nests.assert_async().await;
    flat.assert_async().await;
}
