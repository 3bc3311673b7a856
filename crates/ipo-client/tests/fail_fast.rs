//! An IP Office that cannot be reached fails within the configured time, with a message
//! naming `host:port` and what to check (issue 16, point 10). Only 127.0.0.1 is used.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use ipo_client::{IpoClient, IpoConfig, IpoError, RetryPolicy, Secret};
use ipo_model::IpoConfigStore;

fn client(addr: std::net::SocketAddr, retry: RetryPolicy) -> IpoClient {
    let mut cfg = IpoConfig::new(format!("http://{addr}"), "sync", Secret::new("pw"));
    cfg.retry = retry;
    IpoClient::new(cfg).unwrap()
}

/// Quick retries for tests.
fn fast(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(attempts)
        .with_base_delay(Duration::from_millis(2))
        .with_max_delay(Duration::from_millis(50))
}

#[test]
fn defaults_are_seconds_not_minutes() {
    let p = RetryPolicy::default();
    assert_eq!(p.connect_timeout, Duration::from_secs(5));
    assert_eq!(p.request_timeout, Duration::from_secs(30));
    assert_eq!(p.max_attempts, 5);
}

/// Issue 25, item 5: the request timeout bounds the wait the administrator sees, retries
/// included, and the message names the setting they edit, not a Rust API.
#[tokio::test]
async fn a_server_that_accepts_and_never_answers_fails_within_the_request_timeout() {
    // Accepts every connection and holds it open, silent.
    let silent = emulator_kit::SilentPort::start().unwrap();
    let addr = silent.addr();
    let retry = fast(5)
        .with_request_timeout(Duration::from_millis(1500))
        .with_request_timeout_setting("ipo.request_timeout_seconds");
    let c = client(addr, retry);
    let started = Instant::now();
    let err = c.snapshot().await.unwrap_err();
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(1400), "{took:?}");
    assert!(took < Duration::from_millis(2000), "{took:?}");
    let text = err.to_string();
    assert!(text.contains(&addr.to_string()), "{text}");
    assert!(
        text.contains("sent no answer within 1.5 s, retries included"),
        "{text}"
    );
    assert!(text.contains("ipo.request_timeout_seconds"), "{text}");
    assert!(!text.contains("RetryPolicy"), "{text}");
    assert!(
        text.contains("check that the port is IP Office's Management API"),
        "{text}"
    );
}

#[tokio::test]
async fn a_closed_port_fails_within_the_backoff_and_names_the_address() {
    // Bind, learn the port, close it: nothing listens there now.
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let c = client(addr, fast(4));
    let started = Instant::now();
    let err = c.snapshot().await.unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "{took:?}");
    let text = err.to_string();
    assert!(
        text.contains(&format!("cannot connect to {addr}")),
        "{text}"
    );
    assert!(
        text.contains("check that the base URL's host and port"),
        "{text}"
    );
    assert!(text.contains("gave up after 4 attempts"), "{text}");
}

#[tokio::test]
async fn the_total_retry_time_bounds_a_refused_connection() {
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let retry = fast(50)
        .with_base_delay(Duration::from_millis(200))
        .with_max_delay(Duration::from_millis(200))
        .with_request_timeout(Duration::from_millis(900));
    let c = client(addr, retry);
    let started = Instant::now();
    let err = c.nodes().await.unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(4), "{took:?}");
    match &err {
        IpoError::Transport(t) => {
            assert!(t.contains(&addr.to_string()), "{t}");
            // 50 retries allowed, but the total time stops them after a few.
            assert!(!t.contains("after 50 attempts"), "{t}");
        }
        other => panic!("{other:?}"),
    }
}
