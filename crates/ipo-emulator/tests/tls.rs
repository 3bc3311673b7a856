//! HTTPS with the fixture certificate, and a start-up/shutdown check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use ipo_emulator::{IpoEmulator, UNRELATED_CERT_PEM};

#[tokio::test]
async fn https_works_when_trusting_the_emulator_certificate() {
    let emu = start(config().tls(true)).await;
    let base = emu.base_url();
    assert!(base.starts_with("https://127.0.0.1:"));
    let c = client_trusting(emu.ca_pem());
    let resp = login_request(&c, &base, USER, PASS).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(cookies_of(&resp).iter().all(|c| c.contains("Secure")));
    // localhost is in the certificate too.
    let local = base.replace("127.0.0.1", "localhost");
    let s = login(&c, &local).await;
    assert!(get(&c, &s, &local, "users", XML).await.contains("NoUser"));
}

#[tokio::test]
async fn https_is_refused_when_trusting_another_certificate() {
    let emu = start(config().tls(true)).await;
    let c = client_trusting(UNRELATED_CERT_PEM);
    let err = login_request(&c, &emu.base_url(), USER, PASS)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_connect() || err.is_request(), "{err}");
    assert_eq!(emu.stats().total_requests(), 0);
}

#[tokio::test]
async fn starts_fast_and_stops_on_drop_and_shutdown() {
    let t = Instant::now();
    let emu = IpoEmulator::start(config().tls(true)).await.unwrap();
    assert!(
        t.elapsed() < Duration::from_millis(500),
        "{:?}",
        t.elapsed()
    );
    let addr = emu.addr();
    emu.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());

    let emu = IpoEmulator::start(config()).await.unwrap();
    let addr = emu.addr();
    drop(emu);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
