//! Helpers shared by the integration tests: a plain reqwest client against the emulator.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use graph_emulator::{GraphEmulator, GraphEmulatorConfig, GraphEmulatorHandle, Seed};
use serde_json::Value;

pub const ADELE: &str = "87d349ed-44d7-43e1-9a83-5f2406dee5bd";
pub const PHONES: &str = "02bd9fd6-8f93-4758-87c3-1fb73740a315";
pub const SALES: &str = "000000b2-0000-4000-8000-0000000000b2";
pub const VOICE: &str = "000000b3-0000-4000-8000-0000000000b3";
pub const SEAN: &str = "000000a2-0000-4000-8000-0000000000a2";
pub const MEGAN: &str = "000000a3-0000-4000-8000-0000000000a3";

pub async fn start(cfg: GraphEmulatorConfig) -> GraphEmulatorHandle {
    GraphEmulator::start(cfg).await.unwrap()
}

pub async fn contoso() -> GraphEmulatorHandle {
    start(GraphEmulatorConfig::with_seed(Seed::contoso())).await
}

pub fn client() -> reqwest::Client {
    // Plain http to 127.0.0.1 needs no TLS, but reqwest wants a provider chosen: ring, as
    // everywhere in the workspace.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().unwrap()
}

pub async fn token(emu: &GraphEmulatorHandle) -> String {
    let form = [
        ("client_id", emu.client_id().to_owned()),
        ("client_secret", emu.client_secret().to_owned()),
        ("scope", "https://graph.microsoft.com/.default".to_owned()),
        ("grant_type", "client_credentials".to_owned()),
    ];
    let r = client()
        .post(emu.token_url())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

/// GET with a bearer token (url absolute, or relative to graph_base).
pub async fn get(
    emu: &GraphEmulatorHandle,
    tok: &str,
    url: &str,
    eventual: bool,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let url = if url.starts_with("http") {
        url.to_owned()
    } else {
        format!("{}{url}", emu.graph_base())
    };
    let mut rb = client().get(url).bearer_auth(tok);
    if eventual {
        rb = rb.header("ConsistencyLevel", "eventual");
    }
    answer(rb).await
}

/// POST of a JSON body with a bearer token (path relative to graph_base).
pub async fn post(
    emu: &GraphEmulatorHandle,
    tok: &str,
    path: &str,
    body: Value,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let rb = client()
        .post(format!("{}{path}", emu.graph_base()))
        .bearer_auth(tok)
        .json(&body);
    answer(rb).await
}

/// Status, headers and body (JSON, `Null` when empty, the text when not JSON).
async fn answer(rb: reqwest::RequestBuilder) -> (u16, reqwest::header::HeaderMap, Value) {
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    let v = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, headers, v)
}

/// Follows nextLinks; returns every page.
pub async fn all_pages(
    emu: &GraphEmulatorHandle,
    tok: &str,
    url: &str,
    eventual: bool,
) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut next = Some(url.to_owned());
    while let Some(u) = next.take() {
        let (s, _, v) = get(emu, tok, &u, eventual).await;
        assert_eq!(s, 200, "{v}");
        next = v["@odata.nextLink"].as_str().map(str::to_owned);
        pages.push(v);
        assert!(pages.len() < 200, "runaway paging");
    }
    pages
}

pub fn values(pages: &[Value]) -> Vec<Value> {
    pages
        .iter()
        .flat_map(|p| p["value"].as_array().unwrap().clone())
        .collect()
}
