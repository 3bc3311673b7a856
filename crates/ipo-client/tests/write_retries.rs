//! Which failures a request is sent again after. Reads, updates (a PUT sends the whole
//! record, so a second one sets the same values) and deletes by GUID are resent after any
//! transient failure; a create (`POST users`, `POST extensions`) only where IP Office did not
//! process it: no connection was made, or it answered 503. After a dropped connection, a
//! timeout, a 502 or a 504 a create is sent exactly once and fails as
//! `IpoError::Unconfirmed`, `PortError::Unavailable` naming the record for the sync. (A
//! delete answered `404:NotFound` at once stays `NotFound`: `client.rs`, `delete_not_found`.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use ipo_client::{IpoClient, IpoConfig, RetryPolicy, Secret};
use ipo_emulator::{EmulatorConfig, FaultRule, IpoEmulatorHandle, Latency, Seed};
use ipo_model::{
    ChangeOutcome, IpoChange, IpoConfigStore, IpoUser, LicensingMode, PortError, Profile,
};
use mockito::{Matcher, Mock, Server, ServerGuard};

const USERS: &str = "/WebManagement/ws/sdk/admin/v1/users";
const CREATED_XML: &str = r#"<?xml version="1.0"?><response status="1"><data><ws_object><User GUID="0B67A4002C7C11E08678000C29F56F71"/></ws_object></data></response>"#;
const UNKNOWN_GUID_JSON: &str = include_str!("fixtures/unknown_guid.json");
/// The words both clients use for a write that was not resent.
const UNCONFIRMED: &str = "may or may not have been carried out, so it was not resent";

fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(4)
        .with_base_delay(Duration::from_millis(2))
        .with_max_delay(Duration::from_millis(20))
        .with_request_timeout(Duration::from_secs(10))
}

fn client_of(base: String) -> IpoClient {
    client_with(base, fast_retry())
}

fn client_with(base: String, retry: RetryPolicy) -> IpoClient {
    let mut cfg = IpoConfig::new(base, "sync", Secret::new("s3cret!"));
    cfg.retry = retry;
    // The guide documents no mapping of LicenseMode: stated here.
    cfg.licensing_mode = Some(LicensingMode::Plds);
    IpoClient::new(cfg).unwrap()
}

fn ann() -> IpoUser {
    let mut u = IpoUser::new("Ann".parse().unwrap(), LicensingMode::Plds);
    u.extension = Some("201".parse().unwrap());
    u.profile = Profile::BasicUser;
    u
}

/// The outcome is `Unavailable`, names the record and says the create was not resent.
fn assert_unconfirmed(out: &ChangeOutcome, record: &str, request: &str) {
    let Err(PortError::Unavailable { detail, .. }) = out else {
        panic!("expected Unavailable, got {out:?}");
    };
    assert!(detail.starts_with(&format!("{record}: ")), "{detail}");
    assert!(detail.contains(request), "{detail}");
    assert!(detail.contains(UNCONFIRMED), "{detail}");
}

// --- Against the emulator: real sessions, writes that reach it or not. ---

async fn emulator(seed: Seed) -> IpoEmulatorHandle {
    let cfg = EmulatorConfig::new("sync", "s3cret!")
        .licensing_mode(LicensingMode::Plds)
        .seed(seed);
    ipo_emulator::IpoEmulator::start(cfg).await.unwrap()
}

#[tokio::test]
async fn a_create_whose_connection_drops_is_sent_once_and_fails_naming_the_record() {
    let emu = emulator(Seed::new()).await;
    emu.faults()
        .add(FaultRule::new(USERS).method("POST").drop_connection(1.0));
    let client = client_of(emu.base_url());
    let out = client.apply(vec![IpoChange::CreateUser(ann())]).await;
    assert_unconfirmed(&out[0], "user Ann", "POST users");
    assert_eq!(emu.stats().requests_to("POST", "/users"), 1, "sent once");
    assert_eq!(client.stats().retries, 0);
    client.close().await;
}

#[tokio::test]
async fn a_create_whose_answer_times_out_is_sent_once_and_may_have_been_done() {
    let emu = emulator(Seed::new()).await;
    emu.faults().add(
        FaultRule::new(USERS)
            .method("POST")
            .latency(Latency::Fixed(Duration::from_millis(1500))),
    );
    let retry = fast_retry().with_request_timeout(Duration::from_millis(700));
    let client = client_with(emu.base_url(), retry);
    let out = client.apply(vec![IpoChange::CreateUser(ann())]).await;
    assert_unconfirmed(&out[0], "user Ann", "POST users");
    assert_eq!(emu.stats().requests_to("POST", "/users"), 1, "sent once");
    client.close().await;
}

#[tokio::test]
async fn a_create_answered_503_was_not_processed_so_it_is_resent_and_made_once() {
    let emu = emulator(Seed::new()).await;
    emu.faults().add(
        FaultRule::new(USERS)
            .method("POST")
            .unavailable(1.0, Some(Duration::ZERO))
            .times(2),
    );
    let client = client_of(emu.base_url());
    let out = client.apply(vec![IpoChange::CreateUser(ann())]).await;
    assert!(out[0].is_ok(), "{out:?}");
    assert_eq!(emu.stats().requests_to("POST", "/users"), 3);
    assert_eq!(client.stats().retries, 2);
    let anns = emu.users().into_iter().filter(|u| u.name.as_str() == "Ann");
    assert_eq!(anns.count(), 1);
    client.close().await;
}

#[tokio::test]
async fn a_read_whose_connection_drops_is_resent() {
    let emu = emulator(Seed::new().user(ann())).await;
    emu.faults().add(
        FaultRule::new(USERS)
            .method("GET")
            .drop_connection(1.0)
            .times(2),
    );
    let client = client_of(emu.base_url());
    let users = client.list_users().await.unwrap();
    assert!(users.iter().any(|u| u.name.as_str() == "Ann"), "{users:?}");
    assert_eq!(emu.stats().requests_to("GET", "/users"), 3);
    assert_eq!(client.stats().retries, 2);
    client.close().await;
}

#[tokio::test]
async fn an_update_whose_connection_drops_is_resent_it_sets_the_whole_record() {
    let emu = emulator(Seed::new().user(ann())).await;
    let client = client_of(emu.base_url());
    let mut read = client.list_users().await.unwrap();
    let mut ann = read.remove(read.iter().position(|u| u.name.as_str() == "Ann").unwrap());
    ann.full_name = Some("Ann Lee".parse().unwrap());
    emu.faults().add(
        FaultRule::new(USERS)
            .method("PUT")
            .drop_connection(1.0)
            .times(1),
    );
    let out = client.apply(vec![IpoChange::UpdateUser(ann)]).await;
    assert!(out[0].is_ok(), "{out:?}");
    assert_eq!(emu.stats().requests_to("PUT", "/users"), 2);
    let stored = emu.users().into_iter().find(|u| u.name.as_str() == "Ann");
    assert_eq!(
        stored.and_then(|u| u.full_name).map(|n| n.to_string()),
        Some("Ann Lee".into())
    );
    client.close().await;
}

// --- Against mockito: gateway answers the emulator does not give. ---

/// `method resource` answered `status` with a gateway's HTML page, `hits` times.
async fn gateway(server: &mut ServerGuard, method: &str, status: usize, hits: usize) -> Mock {
    server
        .mock(method, format!("{API}/users").as_str())
        .match_query(Matcher::Any)
        .with_status(status)
        .with_header("content-type", "text/html")
        .with_body("<html><body>Bad Gateway</body></html>")
        .expect(hits)
        .create_async()
        .await
}

#[tokio::test]
async fn a_create_answered_502_or_504_is_sent_once_and_fails_naming_the_record() {
    for status in [502, 504] {
        let mut server = Server::new_async().await;
        let _l = login(&mut server).await;
        let _s = systems(&mut server).await;
        let post = gateway(&mut server, "POST", status, 1).await;
        let client = client_of(server.url());
        let out = client.apply(vec![IpoChange::CreateUser(ann())]).await;
        post.assert_async().await;
        assert_unconfirmed(&out[0], "user Ann", "POST users");
        let Err(PortError::Unavailable { detail, .. }) = &out[0] else {
            unreachable!()
        };
        assert!(detail.contains(&format!("HTTP {status}")), "{detail}");
        assert_eq!(client.stats().retries, 0, "HTTP {status}");
    }
}

#[tokio::test]
async fn an_update_answered_502_is_resent() {
    let mut server = Server::new_async().await;
    let _l = login(&mut server).await;
    let _s = systems(&mut server).await;
    let bad = gateway(&mut server, "PUT", 502, 1).await;
    let ok = server
        .mock("PUT", format!("{API}/users").as_str())
        .with_body(CREATED_XML)
        .expect(1)
        .create_async()
        .await;
    let mut ann = ann();
    ann.guid = Some("0B67A4002C7C11E08678000C29F56F71".parse().unwrap());
    let client = client_of(server.url());
    let out = client.apply(vec![IpoChange::UpdateUser(ann)]).await;
    assert!(out[0].is_ok(), "{out:?}");
    bad.assert_async().await;
    ok.assert_async().await;
}

fn delete_gone() -> IpoChange {
    IpoChange::DeleteUser {
        guid: "DEAD0000".parse().unwrap(),
        name: "Gone".parse().unwrap(),
        node: None,
    }
}

/// `DELETE users?guid=DEAD0000` answered `404:NotFound`.
async fn not_found(server: &mut ServerGuard) -> Mock {
    server
        .mock("DELETE", format!("{API}/users").as_str())
        .match_query(Matcher::UrlEncoded("guid".into(), "DEAD0000".into()))
        .with_body(UNKNOWN_GUID_JSON)
        .expect(1)
        .create_async()
        .await
}

#[tokio::test]
async fn a_delete_resent_after_a_504_that_finds_nothing_was_done_by_the_first_attempt() {
    let mut server = Server::new_async().await;
    let _l = login(&mut server).await;
    let lost = gateway(&mut server, "DELETE", 504, 1).await;
    let gone = not_found(&mut server).await;
    let client = client_of(server.url());
    let out = client.apply(vec![delete_gone()]).await;
    lost.assert_async().await;
    gone.assert_async().await;
    let applied = out[0].as_ref().expect("done");
    assert!(
        applied.notices.iter().any(|n| n.contains("404:NotFound")),
        "{applied:?}"
    );
}

#[tokio::test]
async fn an_update_answered_500_with_an_error_page_is_not_taken_as_done() {
    let mut server = Server::new_async().await;
    let _l = login(&mut server).await;
    let _s = systems(&mut server).await;
    let failed = gateway(&mut server, "PUT", 500, 1).await;
    let mut ann = ann();
    ann.guid = Some("0B67A4002C7C11E08678000C29F56F71".parse().unwrap());
    let client = client_of(server.url());
    let out = client.apply(vec![IpoChange::UpdateUser(ann)]).await;
    failed.assert_async().await;
    let Err(PortError::Unavailable { detail, .. }) = &out[0] else {
        panic!("expected Unavailable, got {out:?}");
    };
    assert!(detail.contains("HTTP 500"), "{detail}");
}
