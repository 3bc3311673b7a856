//! Which failures a request is sent again after. Reads are resent after any transient
//! failure; a write (`assignNumber`, a `$batch` holding a write) only where Graph documents
//! that it was not processed (429, 503) or where it never left (no connection). After a
//! dropped connection, a timeout or another 5xx it goes up as `GraphError::Unconfirmed`
//! naming the request, sent exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::*;
use graph_client::{AssignNumber, BatchRequest, GraphClient, GraphError, StaticToken};
use ipo_model::PortError;

const ASSIGN: &str = "/v1.0/admin/teams/telephoneNumberManagement/numberAssignments/assignNumber";
const LOCATION: &str =
    "https://graph.microsoft.com/v1.0/admin/teams/telephoneNumberManagement/operations('b2a8c3d4')";

/// A server on 127.0.0.1 that reads each request completely, keeps silent for `hold`, and
/// hangs up without an answer: the request reached the server, the client cannot know what
/// became of it. Stopped and joined when dropped.
struct HangUpServer {
    port: u16,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HangUpServer {
    fn start() -> Self {
        Self::holding(Duration::ZERO)
    }

    fn holding(hold: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen, stopped) = (connections.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for tcp in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(tcp) = tcp else { continue };
                seen.fetch_add(1, Ordering::SeqCst);
                read_request(&tcp);
                std::thread::sleep(hold);
            }
        });
        Self {
            port,
            connections,
            stop,
            thread: Some(thread),
        }
    }

    fn client(&self) -> GraphClient {
        self.client_with(fast_retry())
    }

    fn client_with(&self, retry: graph_client::RetryPolicy) -> GraphClient {
        client_at(self.port, retry)
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for HangUpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A client of the Graph base `http://127.0.0.1:{port}/v1.0`.
fn client_at(port: u16, retry: graph_client::RetryPolicy) -> GraphClient {
    GraphClient::with_token_provider(
        format!("http://127.0.0.1:{port}/v1.0").parse().unwrap(),
        Arc::new(StaticToken::new(TOKEN.into())),
        graph_client::ClientOptions::default()
            .with_retry(retry)
            .with_teams_numbers(false),
    )
    .unwrap()
}

/// Reads the head and the `Content-Length` body, then closes (a clean FIN: nothing unread).
fn read_request(mut tcp: &TcpStream) {
    tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let Ok(n) = tcp.read(&mut buf) else { return };
        if n == 0 {
            return;
        }
        data.extend_from_slice(&buf[..n]);
        let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse().unwrap());
        if data.len() >= end + 4 + length {
            return;
        }
    }
}

fn assign() -> AssignNumber {
    AssignNumber::direct_routing("12061234567", oid("94ec379d-30a2-4cdb-a377-75e42f7a61e5"))
}

/// The error is `Unconfirmed`, names the POST and keeps its cause.
fn assert_unconfirmed<'e>(err: &'e GraphError, path: &str) -> &'e GraphError {
    let GraphError::Unconfirmed { request, cause } = err else {
        panic!("expected Unconfirmed, got {err:?}");
    };
    assert!(
        request.starts_with("POST http://127.0.0.1:") && request.ends_with(path),
        "{request}"
    );
    let text = err.to_string();
    assert!(text.contains(request.as_str()), "{text}");
    assert!(text.contains("not resent"), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
    assert!(!err.is_transient(), "a blind retry could do it twice");
    cause
}

#[tokio::test]
async fn a_write_whose_connection_drops_after_sending_is_sent_exactly_once() {
    let server = HangUpServer::start();
    let client = server.client();
    let err = client.assign_number(&assign()).await.unwrap_err();
    assert_eq!(server.connections(), 1, "{err}");
    let cause = assert_unconfirmed(&err, "/numberAssignments/assignNumber");
    assert!(matches!(cause, GraphError::Transport { .. }), "{cause:?}");
    assert_eq!(client.stats().retries, 0);
    let port = PortError::from(err);
    assert!(matches!(port, PortError::Unavailable { .. }), "{port:?}");
}

#[tokio::test]
async fn a_write_whose_answer_times_out_is_sent_exactly_once() {
    let server = HangUpServer::holding(Duration::from_millis(800));
    let client = server.client_with(fast_retry().with_request_timeout(Duration::from_millis(300)));
    let err = client.assign_number(&assign()).await.unwrap_err();
    assert_eq!(server.connections(), 1, "{err}");
    let cause = assert_unconfirmed(&err, "/numberAssignments/assignNumber");
    assert!(
        matches!(cause, GraphError::Transport { timeout: true, .. }),
        "{cause:?}"
    );
    assert!(err.to_string().contains("no answer within 0.3 s"), "{err}");
}

#[tokio::test]
async fn a_read_whose_connection_drops_is_still_retried() {
    let server = HangUpServer::start();
    let client = server.client();
    let err = client.list_users().await.unwrap_err();
    assert!(matches!(err, GraphError::Transport { .. }), "{err:?}");
    assert_eq!(server.connections(), 4, "every attempt of the policy");
    assert_eq!(client.stats().retries, 3);
}

#[tokio::test]
async fn a_batch_of_reads_is_retried_and_a_batch_holding_a_write_is_not() {
    let server = HangUpServer::start();
    let client = server.client();
    let reads = vec![
        BatchRequest::get("1", "/users/a"),
        BatchRequest::get("2", "/users/b"),
    ];
    let err = client.batch(reads).await.unwrap_err();
    assert!(matches!(err, GraphError::Transport { .. }), "{err:?}");
    assert_eq!(server.connections(), 4);

    let mut write = BatchRequest::get("2", "/admin/teams/policy/userAssignments/assign");
    write.method = "POST".into();
    write.body = Some(serde_json::json!({ "value": [] }));
    let err = client
        .batch(vec![BatchRequest::get("1", "/users/a"), write])
        .await
        .unwrap_err();
    assert_unconfirmed(&err, "/v1.0/$batch");
    assert_eq!(server.connections(), 5, "the write batch went once");
}

#[tokio::test]
async fn a_write_answered_500_or_504_is_sent_exactly_once() {
    for status in [500, 502, 504] {
        let mut server = mockito::Server::new_async().await;
        let m = server
            .mock("POST", ASSIGN)
            .with_status(status)
            .with_body(r#"{"error":{"code":"InternalServerError","message":"boom","innerError":{"request-id":"rq-9"}}}"#)
            .expect(1)
            .create_async()
            .await;
        let client = static_client(&server, false);
        let err = client.assign_number(&assign()).await.unwrap_err();
        m.assert_async().await;
        let cause = assert_unconfirmed(&err, "/numberAssignments/assignNumber");
        assert!(
            matches!(cause, GraphError::Api { status: s, body, .. } if usize::from(*s) == status && body.request_id.as_deref() == Some("rq-9")),
            "{cause:?}"
        );
        assert_eq!(client.stats().retries, 0);
    }
}

/// `assignNumber` answered `refusal` once, then accepted: the operation id, the time it
/// took and the client's stats; both answers given exactly once.
async fn refused_then_accepted(
    refusal: usize,
    retry_after: Option<&str>,
) -> (String, Duration, graph_client::RequestStats) {
    let mut server = mockito::Server::new_async().await;
    let mut refused = server
        .mock("POST", ASSIGN)
        .with_status(refusal)
        .with_body(r#"{"error":{"code":"TooManyRequests","message":"Please retry again later."}}"#);
    if let Some(after) = retry_after {
        refused = refused.with_header("Retry-After", after);
    }
    let refused = refused.expect(1).create_async().await;
    let accepted = server
        .mock("POST", ASSIGN)
        .with_status(202)
        .with_header("Location", LOCATION)
        .expect(1)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let started = Instant::now();
    let id = client.assign_number(&assign()).await.unwrap();
    let took = started.elapsed();
    refused.assert_async().await;
    accepted.assert_async().await;
    (id.as_str().to_owned(), took, client.stats())
}

#[tokio::test]
async fn a_write_answered_429_is_resent_after_its_retry_after() {
    let (id, took, s) = refused_then_accepted(429, Some("1")).await;
    assert!(took >= Duration::from_secs(1), "Retry-After kept: {took:?}");
    assert_eq!(id, "b2a8c3d4");
    assert_eq!((s.requests, s.throttled, s.retries), (2, 1, 1));
}

#[tokio::test]
async fn a_write_answered_503_is_resent() {
    let (id, _, s) = refused_then_accepted(503, None).await;
    assert_eq!(id, "b2a8c3d4");
    assert_eq!((s.requests, s.throttled, s.retries), (2, 0, 1));
}

#[tokio::test]
async fn a_write_that_cannot_connect_is_retried_as_nothing_was_sent() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = client_at(port, fast_retry());
    let err = client.assign_number(&assign()).await.unwrap_err();
    assert!(matches!(err, GraphError::Transport { .. }), "{err:?}");
    assert_eq!(client.stats().requests, 4);
}
