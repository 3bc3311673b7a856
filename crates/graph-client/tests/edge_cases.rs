//! Microsoft Graph edge cases (issue 16, points 7-10): `requestId` as well as `request-id`,
//! a malformed member id skipped and reported instead of failing the round, `$batch` ids
//! matched without regard to case, and an unreachable Graph failing fast with a message
//! naming `host:port`. Only 127.0.0.1 is used.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use graph_client::{
    BatchRequest, ClientOptions, GraphClient, GraphError, GraphErrorBody, RetryPolicy, StaticToken,
};
use ipo_model::{AzureAdSource, DeltaCursor, DeltaOutcome, GroupId};
use mockito::Matcher;

#[test]
fn request_id_is_read_in_both_spellings() {
    // Microsoft's general error example: innerError.requestId / clientRequestId.
    let camel = br#"{"error":{"code":"badRequest","message":"Uploaded fragment overlaps with existing data.","innerError":{"code":"invalidRange","requestId":"request-id","clientRequestId":"client-request-id","date":"date-time"}}}"#;
    let e = GraphErrorBody::parse(camel).unwrap();
    assert_eq!(e.request_id.as_deref(), Some("request-id"));
    assert_eq!(e.client_request_id.as_deref(), Some("client-request-id"));
    assert_eq!(e.inner_codes, ["invalidRange"]);
    let dashed = br#"{"error":{"code":"x","message":"y","innerError":{"request-id":"r1","client-request-id":"c1"}}}"#;
    let e = GraphErrorBody::parse(dashed).unwrap();
    assert_eq!(e.request_id.as_deref(), Some("r1"));
    assert_eq!(e.client_request_id.as_deref(), Some("c1"));
}

#[tokio::test]
async fn request_id_in_camel_case_reaches_the_error_message() {
    let mut server = mockito::Server::new_async().await;
    let _m = server
        .mock("GET", Matcher::Regex("^/v1.0/users/".into()))
        .match_query(Matcher::Any)
        .with_status(400)
        .with_body(r#"{"error":{"code":"badRequest","message":"nope","innerError":{"requestId":"abc-123","date":"2024-01-01T00:00:00"}}}"#)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let err = client
        .user(&"87d349ed-44d7-43e1-9a83-5f2406dee5bd".parse().unwrap())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("request-id abc-123"), "{err}");
}

#[tokio::test]
async fn batch_answer_ids_match_without_regard_to_case() {
    let mut server = mockito::Server::new_async().await;
    // The answer spells the ids in another case than the request did.
    let _b = server
        .mock("POST", "/v1.0/$batch")
        .with_body(r#"{"responses":[{"id":"USER-B","status":404,"body":{"error":{"code":"Request_ResourceNotFound","message":"gone"}}},{"id":"User-A","status":200,"body":{"id":"a"}}]}"#)
        .expect(1)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let out = client
        .batch(vec![
            BatchRequest::get("user-a", "/users/a"),
            BatchRequest::get("user-b", "/users/b"),
        ])
        .await
        .unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!((out[0].id.as_str(), out[0].status), ("user-a", 200));
    assert_eq!((out[1].id.as_str(), out[1].status), ("user-b", 404));
    // Ids that differ only in case are one id: refused before sending.
    let err = client
        .batch(vec![
            BatchRequest::get("x", "/users/a"),
            BatchRequest::get("X", "/users/b"),
        ])
        .await
        .unwrap_err();
    assert!(matches!(err, GraphError::Batch(_)), "{err:?}");
}

#[tokio::test]
async fn a_malformed_member_id_is_skipped_reported_and_the_round_goes_on() {
    let mut server = mockito::Server::new_async().await;
    let base = server.url();
    let _u = server
        .mock("GET", "/v1.0/users/delta")
        .match_query(Matcher::Any)
        .with_body(format!(
            r#"{{"value":[{{"id":"not-a-guid","displayName":"Broken"}}],"@odata.deltaLink":"{base}/v1.0/users/delta?$deltatoken=u2"}}"#
        ))
        .create_async()
        .await;
    let _g = server
        .mock("GET", "/v1.0/groups/delta")
        .match_query(Matcher::Any)
        .with_body(format!(
            r##"{{"value":[{{"id":"{GROUP}","members@delta":[{{"@odata.type":"#microsoft.graph.user","id":"XYZ-not-a-guid"}},{{"@odata.type":"#microsoft.graph.user","id":"4782E723-F4F4-4AF3-A76E-25E3BAB0D896"}}]}},{{"id":"bad group id","members@delta":[]}}],"@odata.deltaLink":"{base}/v1.0/groups/delta?$deltatoken=g2"}}"##
        ))
        .create_async()
        .await;
    let client = static_client(&server, false);
    let mut cursor = DeltaCursor::default();
    cursor.0.insert(
        "users".into(),
        format!("{base}/v1.0/users/delta?$deltatoken=u1"),
    );
    cursor.0.insert(
        "groups".into(),
        format!("{base}/v1.0/groups/delta?$deltatoken=g1"),
    );
    let watched: Vec<GroupId> = vec![GROUP.parse().unwrap()];
    let DeltaOutcome::Changes(c) = client.changes(&watched, &cursor).await.unwrap() else {
        panic!("expected changes");
    };
    // The round finished: a new cursor, the good member kept, the group to re-read.
    assert!(c.cursor.0["users"].ends_with("u2"));
    assert!(c.cursor.0["groups"].ends_with("g2"));
    assert_eq!(c.membership.len(), 1);
    assert_eq!(
        c.membership[0].user.as_str(),
        "4782e723-f4f4-4af3-a76e-25e3bab0d896"
    );
    assert!(c.groups_changed.contains(&watched[0]));
    // Every bad record is reported with its raw value.
    let raws: Vec<(&str, &str)> = c
        .skipped
        .iter()
        .map(|s| (s.field.as_str(), s.raw.as_str()))
        .collect();
    assert_eq!(
        raws,
        [
            ("id", "not-a-guid"),
            ("id", "bad group id"),
            ("members@delta.id", "XYZ-not-a-guid")
        ],
        "{:?}",
        c.skipped
    );
    assert!(c.skipped[2].record.contains(GROUP), "{}", c.skipped[2]);
}

fn unreachable_client(base: &str, retry: RetryPolicy) -> GraphClient {
    GraphClient::with_token_provider(
        format!("{base}/v1.0").parse().unwrap(),
        Arc::new(StaticToken::new(TOKEN.into())),
        ClientOptions::default()
            .with_retry(retry)
            .with_teams_numbers(false),
    )
    .unwrap()
}

#[test]
fn defaults_are_seconds_not_minutes() {
    let t = ClientOptions::default().retry;
    assert_eq!(
        (t.connect_timeout, t.request_timeout),
        (Duration::from_secs(5), Duration::from_secs(60))
    );
}

#[tokio::test]
async fn a_closed_port_fails_within_the_transport_budget_naming_the_address() {
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let retry = RetryPolicy::default()
        .with_max_attempts(50)
        .with_base_delay(Duration::from_millis(100))
        .with_max_delay(Duration::from_millis(200))
        .with_request_timeout(Duration::from_secs(1));
    let client = unreachable_client(&format!("http://{addr}"), retry);
    let started = Instant::now();
    let err = client.all_users().await.unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "{took:?}");
    let text = err.to_string();
    assert!(
        text.contains(&format!("cannot connect to {addr}")),
        "{text}"
    );
    assert!(text.contains("check that this machine reaches"), "{text}");
    assert!(!text.contains("after 50 attempts"), "{text}");
}

/// Issue 25, item 5: the request timeout bounds the wait, retries included, and the
/// message names the setting the administrator edits.
#[tokio::test]
async fn a_silent_server_fails_within_the_request_timeout_naming_the_setting() {
    // Accepts every connection and holds it open, silent.
    let silent = emulator_kit::SilentPort::start().unwrap();
    let addr = silent.addr();
    let retry = RetryPolicy::default()
        .with_base_delay(Duration::from_millis(50))
        .with_request_timeout(Duration::from_millis(1500))
        .with_request_timeout_setting("graph.request_timeout_seconds");
    let client = unreachable_client(&format!("http://{addr}"), retry);
    let started = Instant::now();
    let err = client.all_users().await.unwrap_err();
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(1400), "{took:?}");
    assert!(took < Duration::from_millis(2000), "{took:?}");
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "{addr} sent no answer within 1.5 s, retries included"
        )),
        "{text}"
    );
    assert!(text.contains("graph.request_timeout_seconds"), "{text}");
    assert!(!text.contains("RetryPolicy"), "{text}");
    assert!(
        matches!(err, ipo_model::PortError::Unavailable { .. }),
        "{err:?}"
    );
}
