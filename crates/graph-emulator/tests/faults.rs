//! Fault injection and lifecycle.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use std::time::{Duration, Instant};

use common::*;
use graph_emulator::{FaultRule, Latency};

#[tokio::test]
async fn throttle_unavailable_drop_malformed_latency() {
    let emu = contoso().await;
    let tok = token(&emu).await;
    emu.faults().add(
        FaultRule::new("/v1.0/users")
            .method("GET")
            .throttle(1.0, Some(Duration::ZERO))
            .times(1),
    );
    let (s, h, v) = get(&emu, &tok, "/users", false).await;
    assert_eq!(s, 429);
    assert_eq!(h["retry-after"], "0");
    assert_eq!(v["error"]["code"], "activityLimitReached");
    assert_eq!(get(&emu, &tok, "/users", false).await.0, 200);

    emu.faults()
        .add(FaultRule::new("/v1.0/groups").throttle(1.0, None).times(1));
    let (s, h, _) = get(&emu, &tok, "/groups", false).await;
    assert_eq!(s, 429);
    assert!(!h.contains_key("retry-after"));

    emu.faults()
        .add(FaultRule::new("/v1.0/groups").unavailable(1.0).times(1));
    assert_eq!(get(&emu, &tok, "/groups", false).await.0, 503);

    emu.faults()
        .add(FaultRule::new("/v1.0/groups").drop_connection(1.0).times(1));
    let r = client()
        .get(format!("{}/groups", emu.graph_base()))
        .bearer_auth(&tok)
        .send()
        .await;
    assert!(r.is_err(), "connection dropped without an answer");

    emu.faults()
        .add(FaultRule::new("/v1.0/groups").malformed(1.0).times(1));
    let r = client()
        .get(format!("{}/groups", emu.graph_base()))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(serde_json::from_str::<serde_json::Value>(&r.text().await.unwrap()).is_err());
    assert_eq!(get(&emu, &tok, "/groups", false).await.0, 200);

    emu.faults()
        .add(FaultRule::new("/v1.0/admin").latency(Latency::Fixed(Duration::from_millis(120))));
    let t0 = Instant::now();
    assert_eq!(
        get(&emu, &tok, "/admin/teams/userConfigurations", false)
            .await
            .0,
        200
    );
    assert!(t0.elapsed() >= Duration::from_millis(120));

    let st = emu.stats();
    assert_eq!(
        (st.throttled, st.unavailable, st.dropped, st.malformed),
        (2, 1, 1, 1)
    );
    emu.faults().clear();
    emu.reset_stats();
    assert_eq!(emu.stats().total(), 0);
}

#[tokio::test]
async fn seeded_faults_replay_identically() {
    async fn run(seed: u64) -> Vec<u16> {
        let emu = start(
            graph_emulator::GraphEmulatorConfig::with_seed(graph_emulator::Seed::contoso())
                .rng_seed(seed),
        )
        .await;
        let tok = token(&emu).await;
        emu.faults()
            .add(FaultRule::new("/v1.0/users").throttle(0.5, Some(Duration::ZERO)));
        let mut out = Vec::new();
        for _ in 0..20 {
            out.push(get(&emu, &tok, "/users?$select=id", false).await.0);
        }
        out
    }
    let a = run(7).await;
    assert_eq!(a, run(7).await);
    assert!(a.contains(&429) && a.contains(&200));
}

#[tokio::test]
async fn stops_when_dropped_or_shut_down() {
    let emu = contoso().await;
    let addr = emu.addr();
    let t0 = Instant::now();
    emu.shutdown().await;
    assert!(t0.elapsed() < Duration::from_secs(1));
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());

    let emu = contoso().await;
    let addr = emu.addr();
    drop(emu);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
