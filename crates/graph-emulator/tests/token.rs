//! The token endpoint and bearer checks, driven with plain reqwest.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use std::time::Duration;

use common::*;
use graph_emulator::{GraphEmulatorConfig, Route, Seed};
use serde_json::Value;

async fn post_token(url: &str, id: &str, secret: &str, scope: &str) -> (u16, Value) {
    let form = [
        ("client_id", id),
        ("client_secret", secret),
        ("scope", scope),
        ("grant_type", "client_credentials"),
    ];
    let r = client().post(url).form(&form).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn issues_tokens_and_refuses_bad_credentials() {
    let emu = contoso().await;
    let scope = "https://graph.microsoft.com/.default";
    let (s, v) = post_token(
        &emu.token_url(),
        emu.client_id(),
        emu.client_secret(),
        scope,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 3599);
    assert_eq!(v["ext_expires_in"], 3599);
    assert!(v["access_token"].as_str().unwrap().len() > 20);
    let local_scope = format!("{}/.default", emu.login_base());
    assert_eq!(
        post_token(
            &emu.token_url(),
            emu.client_id(),
            emu.client_secret(),
            &local_scope
        )
        .await
        .0,
        200
    );

    let (s, v) = post_token(&emu.token_url(), emu.client_id(), "wrong", scope).await;
    assert_eq!(s, 401);
    assert_eq!(v["error"], "invalid_client");
    assert_eq!(v["error_codes"][0], 7000215);
    assert!(
        v["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS7000215")
    );

    let other = format!("{}/nope.example/oauth2/v2.0/token", emu.login_base());
    let (s, v) = post_token(&other, emu.client_id(), emu.client_secret(), scope).await;
    assert_eq!(s, 400);
    assert_eq!(v["error_codes"][0], 90002);

    let (s, v) = post_token(
        &emu.token_url(),
        emu.client_id(),
        emu.client_secret(),
        "User.Read",
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(v["error"], "invalid_scope");
    assert_eq!(emu.stats().get(Route::Token), 5);
}

#[tokio::test]
async fn expired_or_unknown_bearer_is_401() {
    let emu = start(
        // Long enough that a loaded machine still uses the token before it expires.
        GraphEmulatorConfig::with_seed(Seed::contoso()).token_lifetime(Duration::from_secs(2)),
    )
    .await;
    let tok = token(&emu).await;
    assert_eq!(get(&emu, &tok, "/users", false).await.0, 200);
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let (s, h, v) = get(&emu, &tok, "/users", false).await;
    assert_eq!(s, 401);
    assert_eq!(v["error"]["code"], "InvalidAuthenticationToken");
    assert!(v["error"]["innerError"]["request-id"].is_string());
    assert!(h.contains_key("www-authenticate"));
    assert_eq!(get(&emu, "bogus", "/users", false).await.0, 401);
    let r = client()
        .get(format!("{}/users", emu.graph_base()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    emu.set_token_lifetime(Duration::from_secs(60));
    let tok = token(&emu).await;
    assert_eq!(get(&emu, &tok, "/users", false).await.0, 200);
    emu.expire_access_tokens();
    assert_eq!(get(&emu, &tok, "/users", false).await.0, 401);
}
