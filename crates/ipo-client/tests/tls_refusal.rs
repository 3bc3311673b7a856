//! TLS handshake failures against a small local TLS server (rustls, blocking, on a thread)
//! holding a self-signed certificate: a refused certificate is a typed error at once, naming
//! the problem and the setting to change, never retried and never reaching HTTP; the store
//! maps it to `PortError::Auth` and stops. A peer that merely hangs up is still retried.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ipo_client::{IpoClient, IpoConfig, IpoError, RetryPolicy, Secret, TlsMode};
use ipo_model::{IpoChange, IpoConfigStore, PortError};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls_pki_types::pem::PemObject;

/// The server's self-signed certificate (names `localhost` and `127.0.0.1`).
const SERVER_CERT_PEM: &str = include_str!("fixtures/tls-server-cert.pem");
const SERVER_KEY_PEM: &str = include_str!("fixtures/tls-server-key.pem");
/// Another self-signed certificate: trusting or pinning it must refuse the server.
const OTHER_CERT_PEM: &str = include_str!("fixtures/tls-other-cert.pem");
/// Distinctive, so a leak would be found.
const PASSWORD: &str = "Tls-test-pw-Kq8Zr2";

/// What the server does with each connection.
#[derive(Clone, Copy)]
enum Behaviour {
    /// TLS with the fixture certificate; answers any HTTP request with 401.
    Tls,
    /// Plain HTTP on the port: answers the ClientHello with an HTTP error page.
    PlainHttp,
    /// Reads the client's hello, then hangs up (a clean close: FIN, then EOF for the client).
    HangUp,
}

#[derive(Default)]
struct Seen {
    connections: AtomicUsize,
    http_requests: AtomicUsize,
}

/// Starts a server on 127.0.0.1 (the thread lives as long as the test binary).
fn serve(behaviour: Behaviour) -> (String, Arc<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Seen::default());
    let config = Arc::new(server_config());
    let s = seen.clone();
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(tcp) = tcp else { continue };
            s.connections.fetch_add(1, Ordering::SeqCst);
            tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            handle(tcp, behaviour, &config, &s);
        }
    });
    (format!("https://127.0.0.1:{port}"), seen)
}

fn server_config() -> rustls::ServerConfig {
    let certs = CertificateDer::pem_slice_iter(SERVER_CERT_PEM.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY_PEM.as_bytes()).unwrap();
    rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap()
}

fn handle(
    mut tcp: TcpStream,
    behaviour: Behaviour,
    config: &Arc<rustls::ServerConfig>,
    seen: &Seen,
) {
    let mut buf = [0u8; 4096];
    match behaviour {
        Behaviour::HangUp => {
            // Read the whole ClientHello record before closing: a socket closed with unread
            // bytes sends RST instead of FIN, and the client then sees "connection reset"
            // instead of the handshake EOF, depending on whether its hello arrived first.
            let mut header = [0u8; 5];
            if tcp.read_exact(&mut header).is_ok() {
                let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
                let mut record = vec![0u8; len];
                let _ = tcp.read_exact(&mut record);
            }
            drop(tcp)
        }
        Behaviour::PlainHttp => {
            let _ = tcp.read(&mut buf);
            let _ = tcp.write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
        Behaviour::Tls => {
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            // The handshake runs inside the first read; a refusing client ends it here.
            if let Ok(n) = tls.read(&mut buf)
                && n > 0
            {
                seen.http_requests.fetch_add(1, Ordering::SeqCst);
                let _ = tls.write_all(
                    b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }
        }
    }
}

/// A client with 3 fast retries, so a retried failure would show in the counters.
fn client(base: &str, tls: TlsMode) -> IpoClient {
    let mut cfg = IpoConfig::new(base, "sync", Secret::new(PASSWORD));
    cfg.tls = tls;
    cfg.retry = RetryPolicy::default()
        .with_max_attempts(4)
        .with_base_delay(std::time::Duration::from_millis(2))
        .with_max_delay(std::time::Duration::from_millis(50))
        .with_request_timeout(std::time::Duration::from_secs(10));
    IpoClient::new(cfg).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusting_the_server_certificate_gets_past_tls() {
    // The control experiment: with the right trust the same server is reached over HTTPS
    // (and refuses the login with 401), so the refusals below are the certificate's doing.
    let (base, seen) = serve(Behaviour::Tls);
    for tls in [
        TlsMode::TrustCa(SERVER_CERT_PEM.into()),
        TlsMode::PinnedCertificate(SERVER_CERT_PEM.into()),
    ] {
        let err = client(&base, tls).system().await.unwrap_err();
        assert!(matches!(err, IpoError::LoginFailed { .. }), "{err:?}");
    }
    assert_eq!(seen.http_requests.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_certificate_is_a_typed_error_at_once_naming_the_problem_and_the_fix() {
    let (base, seen) = serve(Behaviour::Tls);
    let cases = [
        (TlsMode::PublicRoots, "not from a public CA"),
        (
            TlsMode::TrustCa(OTHER_CERT_PEM.into()),
            "not issued by the trusted CA",
        ),
        (
            TlsMode::PinnedCertificate(OTHER_CERT_PEM.into()),
            "not the pinned one",
        ),
    ];
    for (n, (tls, hint)) in cases.into_iter().enumerate() {
        let c = client(&base, tls.clone());
        let err = c.system().await.unwrap_err();
        let text = err.to_string();
        let IpoError::TlsRefused { detail } = &err else {
            panic!("{tls:?}: {err:?}");
        };
        assert!(detail.starts_with("login: "), "{detail}");
        assert!(
            text.contains("invalid peer certificate: UnknownIssuer"),
            "{tls:?}: the rustls cause is kept: {text}"
        );
        assert!(text.contains(hint), "{tls:?}: {text}");
        assert!(text.contains("TlsMode::TrustCa"), "{text}");
        assert!(text.contains("not retried"), "{text}");
        assert!(!text.contains("gave up after"), "{text}");
        assert!(!format!("{text} {err:?}").contains(PASSWORD));
        // One handshake, no retry, no wait, and nothing reached HTTP.
        let stats = c.stats();
        assert_eq!(
            (stats.requests, stats.retries, stats.logins),
            (1, 0, 1),
            "{stats:?}"
        );
        assert_eq!(seen.connections.load(Ordering::SeqCst), n + 1);
        assert_eq!(seen.http_requests.load(Ordering::SeqCst), 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_certificate_is_an_auth_error_for_the_engine_and_stops_the_writes() {
    let (base, seen) = serve(Behaviour::Tls);
    let c = client(&base, TlsMode::PublicRoots);
    let err = c.snapshot().await.unwrap_err();
    assert!(
        matches!(&err, PortError::Auth(m) if m.contains("UnknownIssuer")),
        "{err:?}"
    );

    let delete = |guid: &str, name: &str| IpoChange::DeleteUser {
        guid: guid.parse().unwrap(),
        name: name.parse().unwrap(),
        node: None,
    };
    let out = c
        .apply(vec![
            delete("AB", "Ann"),
            delete("CD", "Bob"),
            delete("EF", "Cy"),
        ])
        .await;
    assert!(matches!(&out[0], Err(PortError::Auth(_))), "{out:?}");
    for o in &out[1..] {
        assert!(matches!(o, Err(PortError::NotAttempted { .. })), "{o:?}");
    }
    // One handshake for the snapshot, one for the first delete; never a retry.
    assert_eq!(seen.connections.load(Ordering::SeqCst), 2);
    assert_eq!(c.stats().retries, 0);
    assert_eq!(seen.http_requests.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_on_the_https_port_is_not_retried() {
    let (base, seen) = serve(Behaviour::PlainHttp);
    let c = client(&base, TlsMode::PublicRoots);
    let err = c.system().await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, IpoError::TlsRefused { .. }), "{err:?}");
    assert!(text.contains("serves HTTPS"), "{text}");
    assert_eq!(c.stats().retries, 0);
    assert_eq!(seen.connections.load(Ordering::SeqCst), 1);
    eprintln!("plain HTTP on the port: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peer_hanging_up_during_the_handshake_is_retried_with_its_cause() {
    // Not a TLS refusal (no rustls error): a restarting server, retried like any
    // connection error, and the message says more than "error sending request".
    let (base, seen) = serve(Behaviour::HangUp);
    let c = client(&base, TlsMode::PublicRoots);
    let err = c.system().await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, IpoError::Transport(_)), "{err:?}");
    assert!(text.contains("gave up after 4 attempts"), "{text}");
    let cause = text
        .strip_prefix("IP Office unreachable: login: cannot connect to ")
        .and_then(|t| t.split_once(" (error sending request: "))
        .map(|(addr, cause)| {
            assert!(base.ends_with(addr), "the address {addr} is named: {text}");
            cause
        })
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        cause.contains("tls handshake eof"),
        "the cause is kept: {text}"
    );
    assert_eq!(c.stats().retries, 3);
    assert_eq!(seen.connections.load(Ordering::SeqCst), 4);
    eprintln!("hang-up during the handshake: {text}");
}
