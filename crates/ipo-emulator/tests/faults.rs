//! Fault injection and counters.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use ipo_emulator::{FaultRule, IpoEmulatorHandle, Latency};
use reqwest::Method;

const USERS: &str = "/WebManagement/ws/sdk/admin/v1/users";

async fn setup() -> (IpoEmulatorHandle, reqwest::Client, Session, String) {
    let emu = start(config()).await;
    let c = client();
    let base = emu.base_url();
    let s = login(&c, &base).await;
    (emu, c, s, base)
}

#[tokio::test]
async fn latency_fixed_and_random() {
    let (emu, c, s, base) = setup().await;
    emu.faults().add(
        FaultRule::new(USERS)
            .method("GET")
            .latency(Latency::Fixed(Duration::from_millis(120))),
    );
    let t = Instant::now();
    get(&c, &s, &base, "users", XML).await;
    assert!(t.elapsed() >= Duration::from_millis(120));
    let t = Instant::now();
    get(&c, &s, &base, "licenses", XML).await;
    assert!(
        t.elapsed() < Duration::from_millis(120),
        "other routes unaffected"
    );
    emu.faults().clear();
    emu.faults()
        .add(FaultRule::new(USERS).latency(Latency::Random {
            min: Duration::from_millis(30),
            max: Duration::from_millis(60),
        }));
    let t = Instant::now();
    get(&c, &s, &base, "users", XML).await;
    assert!(t.elapsed() >= Duration::from_millis(30));
}

#[tokio::test]
async fn unavailable_with_retry_after_then_recovers() {
    let (emu, c, s, base) = setup().await;
    emu.faults().add(
        FaultRule::new(USERS)
            .unavailable(1.0, Some(Duration::from_millis(500)))
            .times(1),
    );
    let r = admin(&c, &s, Method::GET, &base, "users", XML)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "1");
    let r = admin(&c, &s, Method::GET, &base, "users", XML)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(emu.stats().faults_injected, 1);
}

#[tokio::test]
async fn raw_461_ends_the_session() {
    let (emu, c, s, base) = setup().await;
    emu.faults()
        .add(FaultRule::new(USERS).session_timeout_http(1.0).times(1));
    let r = admin(&c, &s, Method::GET, &base, "users", XML)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 461);
    let (_, a) = send(&c, &s, Method::GET, &base, "users", XML, "").await;
    assert!(
        a.contains("461:SessionTimeout"),
        "the old session is gone: {a}"
    );
    let s2 = login(&c, &base).await;
    get(&c, &s2, &base, "users", XML).await;
}

#[tokio::test]
async fn body_461_is_a_status_0_answer() {
    let (emu, c, s, base) = setup().await;
    emu.faults().add(
        FaultRule::new(USERS)
            .method("POST")
            .session_timeout_body(1.0)
            .times(1),
    );
    let (status, a) = send(
        &c,
        &s,
        Method::POST,
        &base,
        "users",
        JSON,
        r#"{"data":{"ws_object":{"User":{"Name":"Ann"}}}}"#,
    )
    .await;
    assert_eq!(status, 200);
    let v = json(&a);
    assert_eq!(v["response"]["@status"], "0");
    assert_eq!(
        v["response"]["data"]["ws_object"]["SMAError"]["error"]["error_code"],
        "461:SessionTimeout"
    );
    assert_eq!(emu.users().len(), 1, "nothing was written");
}

#[tokio::test]
async fn sessions_expire_every_n_requests() {
    let (emu, c, s, base) = setup().await;
    emu.faults().expire_sessions_every(Some(2));
    get(&c, &s, &base, "users", XML).await;
    get(&c, &s, &base, "users", XML).await;
    let (_, a) = send(&c, &s, Method::GET, &base, "users", XML, "").await;
    assert!(a.contains("461:SessionTimeout"), "{a}");
    let s2 = login(&c, &base).await;
    let a = get(&c, &s2, &base, "users", XML).await;
    assert!(a.contains(r#"status="1""#));
}

#[tokio::test]
async fn dropped_connection_has_no_answer() {
    let (emu, c, s, base) = setup().await;
    emu.faults()
        .add(FaultRule::new(USERS).drop_connection(1.0).times(1));
    let err = admin(&c, &s, Method::GET, &base, "users", XML)
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_timeout(), "closed, not hung: {err}");
    get(&c, &s, &base, "users", XML).await;
}

#[tokio::test]
async fn malformed_bodies_are_cut_short() {
    let (emu, c, s, base) = setup().await;
    emu.faults()
        .add(FaultRule::new(USERS).malformed(1.0).times(1));
    let r = admin(&c, &s, Method::GET, &base, "users", JSON)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    assert!(
        serde_json::from_str::<serde_json::Value>(&body).is_err(),
        "{body}"
    );
}

#[tokio::test]
async fn reboot_notice_on_writes() {
    let (emu, c, s, base) = setup().await;
    emu.faults()
        .add(FaultRule::new(USERS).method("POST").reboot(1.0));
    let (_, a) = send(
        &c,
        &s,
        Method::POST,
        &base,
        "users",
        XML,
        "<data><ws_object><User><Name>Ann</Name></User></ws_object></data>",
    )
    .await;
    // The guide's form in a successful answer: an extra ws_object after the records.
    assert!(
        a.contains(r#"status="1""#)
            && a.contains(r#"</ws_object><ws_object><reboot type="normal"/></ws_object></data>"#),
        "{a}"
    );
    // In an error answer (one record refused, one stored): the REBOOT error node.
    let (_, a) = send(
        &c,
        &s,
        Method::POST,
        &base,
        "users",
        XML,
        "<data><ws_object><User><Name>Ann</Name></User></ws_object><ws_object><User><Name>Bea</Name></User></ws_object></data>",
    )
    .await;
    assert!(
        a.contains(r#"status="0""#)
            && a.contains("<error_code>9020</error_code>")
            && a.contains(r#"<ws_object error_node="true"><REBOOT><error><errorLocation>127.0.0.1</errorLocation></error></REBOOT></ws_object>"#),
        "{a}"
    );
    // JSON mirrors it.
    let (_, a) = send(
        &c,
        &s,
        Method::POST,
        &base,
        "users",
        JSON,
        r#"{"data":{"ws_object":{"User":{"Name":"Cy"}}}}"#,
    )
    .await;
    assert!(a.contains(r#"{"reboot":{"@type":"normal"}}"#), "{a}");
}

#[tokio::test]
async fn fractions_replay_with_the_same_seed() {
    async fn run(seed: u64) -> Vec<u16> {
        let emu = start(config().rng_seed(seed)).await;
        emu.faults()
            .add(FaultRule::new(USERS).unavailable(0.5, None));
        let c = client();
        let base = emu.base_url();
        let s = login(&c, &base).await;
        let mut out = Vec::new();
        for _ in 0..20 {
            let r = admin(&c, &s, Method::GET, &base, "users", XML)
                .send()
                .await
                .unwrap();
            out.push(r.status().as_u16());
        }
        out
    }
    let a = run(42).await;
    assert_eq!(a, run(42).await);
    assert!(a.contains(&503) && a.contains(&200), "{a:?}");
}

#[tokio::test]
async fn counters_per_route_and_method() {
    let (emu, c, s, base) = setup().await;
    get(&c, &s, &base, "users", XML).await;
    get(&c, &s, &base, "users", XML).await;
    send(&c, &s, Method::POST, &base, "users", XML,
        "<data><ws_object><User><Name>Ann</Name></User></ws_object><ws_object><User><Name>Ann</Name></User></ws_object></data>").await;
    let st = emu.stats();
    assert_eq!(st.requests_to("GET", "/users"), 2);
    assert_eq!(st.requests_to("POST", "/users"), 1);
    assert_eq!(st.requests_to("GET", "/authenticate"), 1);
    assert_eq!(st.total_requests(), 4);
    assert_eq!(
        (
            st.logins,
            st.write_requests,
            st.records_written,
            st.records_refused
        ),
        (1, 1, 1, 1)
    );
    emu.stats_handle().reset();
    assert_eq!(emu.stats().total_requests(), 0);
}
