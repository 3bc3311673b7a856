//! Client-credentials token flow against a mock Azure AD.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use graph_client::{ClientCredentials, GraphClient, GraphError, TokenProvider};
use mockito::Matcher;

const TOKEN_PATH: &str = "/contoso.onmicrosoft.com/oauth2/v2.0/token";

#[tokio::test]
async fn token_is_fetched_once_and_sent_as_bearer() {
    let mut server = mockito::Server::new_async().await;
    let scope = format!("{}/.default", server.url());
    let token = server
        .mock("POST", TOKEN_PATH)
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_body(Matcher::AllOf(vec![
            Matcher::UrlEncoded("grant_type".into(), "client_credentials".into()),
            Matcher::UrlEncoded(
                "client_id".into(),
                "11111111-2222-3333-4444-555555555555".into(),
            ),
            Matcher::UrlEncoded("client_secret".into(), "super-secret-value".into()),
            Matcher::UrlEncoded("scope".into(), scope),
        ]))
        .with_header("content-type", "application/json")
        .with_body(include_str!("fixtures/token.json"))
        .expect(1)
        .create_async()
        .await;
    let users = server
        .mock("GET", "/v1.0/users")
        .match_query(Matcher::Any)
        .match_header(
            "authorization",
            "Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6InRlc3QifQ.tok-1",
        )
        .with_body(fixture(include_str!("fixtures/users_page3.json"), &server))
        .expect(2)
        .create_async()
        .await;
    let client = GraphClient::new(credentials_config(&server)).unwrap();
    assert_eq!(client.list_users().await.unwrap().len(), 1);
    assert_eq!(client.list_users().await.unwrap().len(), 1);
    token.assert_async().await;
    users.assert_async().await;
    assert!(!format!("{client:?}").contains("super-secret-value"));
}

#[tokio::test]
async fn many_waiters_share_one_refresh_and_expiry_triggers_another() {
    let mut server = mockito::Server::new_async().await;
    let token = server
        .mock("POST", TOKEN_PATH)
        .with_body(r#"{"token_type":"Bearer","expires_in":1,"access_token":"short-lived"}"#)
        .expect(2)
        .create_async()
        .await;
    let provider = Arc::new(ClientCredentials::new(&credentials_config(&server)).unwrap());
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let p = provider.clone();
        tasks.push(tokio::spawn(async move { p.token().await.unwrap() }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().secret().expose(), "short-lived");
    }
    // expires_in=1 s: refreshed once half of it is gone.
    tokio::time::sleep(Duration::from_millis(600)).await;
    provider.token().await.unwrap();
    provider.token().await.unwrap();
    token.assert_async().await;
}

#[tokio::test]
async fn invalid_client_is_a_typed_error_with_the_aadsts_code() {
    let mut server = mockito::Server::new_async().await;
    server
        .mock("POST", TOKEN_PATH)
        .with_status(401)
        .with_body(include_str!("fixtures/token_error.json"))
        .create_async()
        .await;
    let client = GraphClient::new(credentials_config(&server)).unwrap();
    let err = client.list_users().await.unwrap_err();
    match &err {
        GraphError::Auth {
            error,
            aadsts,
            description,
        } => {
            assert_eq!(error, "invalid_client");
            assert_eq!(*aadsts, Some(7_000_215));
            assert!(description.starts_with("AADSTS7000215"));
            assert!(!description.contains("Trace ID"));
        }
        other => panic!("unexpected {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("AADSTS7000215"), "{text}");
    assert!(!text.contains("super-secret-value"));
    let port: ipo_model::PortError = err.into();
    assert!(matches!(port, ipo_model::PortError::Auth(_)));
}

#[tokio::test]
async fn graph_401_gets_one_fresh_token() {
    let mut server = mockito::Server::new_async().await;
    let token = server
        .mock("POST", TOKEN_PATH)
        .with_body(include_str!("fixtures/token.json"))
        .expect(2)
        .create_async()
        .await;
    server
        .mock("GET", "/v1.0/users")
        .match_query(Matcher::Any)
        .with_status(401)
        .with_body(r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid."}}"#)
        .expect(1)
        .create_async()
        .await;
    server
        .mock("GET", "/v1.0/users")
        .match_query(Matcher::Any)
        .with_body(fixture(include_str!("fixtures/users_page3.json"), &server))
        .create_async()
        .await;
    let client = GraphClient::new(credentials_config(&server)).unwrap();
    assert_eq!(client.list_users().await.unwrap().len(), 1);
    token.assert_async().await;
}

#[test]
fn bad_configuration_is_refused() {
    let mut cfg = graph_client::GraphConfig::new("contoso.com", "id", "".into());
    assert!(matches!(
        GraphClient::new(cfg.clone()),
        Err(GraphError::Config(_))
    ));
    cfg.client_secret = "x".into();
    cfg.tenant = "contoso.com/../evil".into();
    assert!(matches!(GraphClient::new(cfg), Err(GraphError::Config(_))));
}
