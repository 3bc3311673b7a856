//! `$batch` inner statuses, and retries on 429 / 503 / transport failures.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use graph_client::{BatchRequest, GraphError, RetryPolicy};
use ipo_model::PortError;
use mockito::Matcher;

#[tokio::test]
async fn batch_checks_inner_statuses_and_retries_only_the_throttled_one() {
    let mut server = mockito::Server::new_async().await;
    let first = server
        .mock("POST", "/v1.0/$batch")
        .match_body(Matcher::Regex(r#""id":"a".*"id":"b".*"id":"c""#.into()))
        .with_body(include_str!("fixtures/batch_mixed_429.json"))
        .expect(1)
        .create_async()
        .await;
    let retry = server
        .mock("POST", "/v1.0/$batch")
        .match_body(Matcher::Regex(r#"^\{"requests":\[\{"id":"b","method":"GET","url":"/users/5bde3e51-d13b-4db1-9948-fe4b109d11a7"\}\]\}$"#.into()))
        .with_body(include_str!("fixtures/batch_retry_ok.json"))
        .expect(1)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let answers = client
        .batch(vec![
            BatchRequest::get("a", "/users/87d349ed-44d7-43e1-9a83-5f2406dee5bd"),
            BatchRequest::get("b", "/users/5bde3e51-d13b-4db1-9948-fe4b109d11a7"),
            BatchRequest::get("c", "/admin/teams/userConfigurations"),
        ])
        .await
        .unwrap();
    first.assert_async().await;
    retry.assert_async().await;
    let statuses: Vec<(&str, u16)> = answers.iter().map(|a| (a.id.as_str(), a.status)).collect();
    assert_eq!(statuses, [("a", 200), ("b", 200), ("c", 403)]);
    let denied = answers[2].error("/admin/teams/userConfigurations", "Teams configurations");
    assert!(
        denied
            .to_string()
            .contains("TeamsUserConfiguration.Read.All"),
        "{denied}"
    );
    let s = client.stats();
    assert_eq!((s.requests, s.throttled, s.retries), (2, 1, 1));
}

#[tokio::test]
async fn batch_refuses_duplicate_ids_and_splits_into_twenties() {
    let mut server = mockito::Server::new_async().await;
    let client = static_client(&server, false);
    let dup = client
        .batch(vec![
            BatchRequest::get("1", "/users"),
            BatchRequest::get("1", "/users"),
        ])
        .await;
    assert!(matches!(dup, Err(GraphError::Batch(_))));
    // 45 ids -> 3 batches; each answers 404 for its ids.
    let m = server
        .mock("POST", "/v1.0/$batch")
        .with_body_from_request(|req| {
            let body: serde_json::Value = serde_json::from_slice(req.body().unwrap()).unwrap();
            let reqs = body["requests"].as_array().unwrap();
            assert!(reqs.len() <= 20);
            let responses: Vec<serde_json::Value> = reqs
                .iter()
                .map(|r| serde_json::json!({"id": r["id"], "status": 404, "body": {"error": {"code": "Request_ResourceNotFound", "message": "gone"}}}))
                .collect();
            serde_json::to_vec(&serde_json::json!({ "responses": responses })).unwrap()
        })
        .expect(3)
        .create_async()
        .await;
    let ids: Vec<ipo_model::ObjectId> = (0..45)
        .map(|i| format!("00000000-0000-0000-0000-{i:012}").parse().unwrap())
        .collect();
    let fetched = client.users_by_ids(&ids).await.unwrap();
    m.assert_async().await;
    assert_eq!(fetched.missing.len(), 45);
    assert!(fetched.users.is_empty());
}

#[tokio::test]
async fn throttled_with_retry_after_then_ok() {
    let mut server = mockito::Server::new_async().await;
    server
        .mock("GET", "/v1.0/users")
        .match_query(Matcher::Any)
        .with_status(429)
        .with_header("retry-after", "1")
        .with_body(include_str!("fixtures/error_throttled.json"))
        .expect(1)
        .create_async()
        .await;
    server
        .mock("GET", "/v1.0/users")
        .match_query(Matcher::Any)
        .with_body(fixture(include_str!("fixtures/users_page3.json"), &server))
        .expect(1)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let started = std::time::Instant::now();
    assert_eq!(client.list_users().await.unwrap().len(), 1);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    let s = client.stats();
    assert_eq!((s.requests, s.retries, s.throttled), (2, 1, 1));
    assert_eq!(s.waited, Duration::from_secs(1));
}

#[tokio::test]
async fn throttled_without_retry_after_backs_off_and_gives_up_honestly() {
    let mut server = mockito::Server::new_async().await;
    let m = server
        .mock("GET", "/v1.0/users")
        .match_query(Matcher::Any)
        .with_status(429)
        .with_body(include_str!("fixtures/error_throttled.json"))
        .expect(4)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let err = client.list_users().await.unwrap_err();
    m.assert_async().await;
    match &err {
        GraphError::Throttled {
            status,
            attempts,
            waited,
            ..
        } => {
            assert_eq!((*status, *attempts), (429, 4));
            assert!(*waited >= Duration::from_millis(2 + 5 + 10), "{waited:?}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.is_transient());
    assert!(matches!(
        PortError::from(err),
        PortError::Unavailable { .. }
    ));
    assert_eq!(client.stats().retries, 3);
}

#[tokio::test]
async fn service_unavailable_then_ok_and_other_4xx_not_retried() {
    let mut server = mockito::Server::new_async().await;
    server
        .mock("GET", "/v1.0/users")
        .match_query(Matcher::Any)
        .with_status(503)
        .with_body("<html>Service Unavailable</html>")
        .expect(1)
        .create_async()
        .await;
    server
        .mock("GET", "/v1.0/users")
        .match_query(Matcher::Any)
        .with_body(fixture(include_str!("fixtures/users_page3.json"), &server))
        .create_async()
        .await;
    let bad = server
        .mock("GET", "/v1.0/users/00000000-0000-0000-0000-000000000001")
        .match_query(Matcher::Any)
        .with_status(400)
        .with_body(r#"{"error":{"code":"Request_BadRequest","message":"Invalid select.","innerError":{"request-id":"rq-1"}}}"#)
        .expect(1)
        .create_async()
        .await;
    let client = static_client(&server, false);
    assert_eq!(client.list_users().await.unwrap().len(), 1);
    assert_eq!(client.stats().retries, 1);
    let err = client
        .get_user(&"00000000-0000-0000-0000-000000000001".parse().unwrap())
        .await
        .unwrap_err();
    bad.assert_async().await;
    match err {
        GraphError::Api { status, body, .. } => {
            assert_eq!(status, 400);
            assert_eq!(body.code, "Request_BadRequest");
            assert_eq!(body.request_id.as_deref(), Some("rq-1"));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    // Bind and drop a listener so the port is (very likely) closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = graph_client::GraphClient::with_token_provider(
        format!("http://127.0.0.1:{port}/v1.0").parse().unwrap(),
        std::sync::Arc::new(graph_client::StaticToken::new(TOKEN.into())),
        graph_client::ClientOptions::default()
            .with_retry(
                RetryPolicy::default()
                    .with_max_attempts(3)
                    .with_base_delay(Duration::from_millis(2)),
            )
            .with_teams_numbers(false),
    )
    .unwrap();
    let err = client.list_users().await.unwrap_err();
    assert!(matches!(err, GraphError::Transport { .. }), "{err:?}");
    assert!(!err.to_string().contains(TOKEN));
    assert_eq!(client.stats().requests, 3);
}
