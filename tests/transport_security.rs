//! Transport security end to end: TLS between the real IP Office client and the emulator
//! served over HTTPS with its self-signed fixture certificate, and the login lockout and
//! wrong-secret paths through the whole sync (one clear error, no retry storm, nothing
//! locked, no secret in the message).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use graph_emulator::Route;
use ipo_client::{IpoClient, IpoConfig, IpoError, RetryPolicy, Secret, TlsMode};
use ipo_emulator::{
    EmulatorConfig, IpoEmulator, IpoEmulatorHandle, SERVER_CERT_PEM, SessionPolicy,
    UNRELATED_CERT_PEM,
};
use ipo_model::PortError;
use support::convergence::assert_nothing_left_to_do;
use support::log_capture::LogBuffer;
use support::*;
use sync_engine::{MemoryStateStore, RunOptions, SyncError};

async fn https_emulator() -> IpoEmulatorHandle {
    IpoEmulator::start(ipo_emulator_config().tls(true))
        .await
        .unwrap()
}

/// A client for `emu` with `tls`, a few fast retries (so a retried failure shows in the
/// counters without slowing the test down).
fn client(emu: &IpoEmulatorHandle, tls: TlsMode) -> IpoClient {
    let mut cfg = IpoConfig::new(emu.base_url(), IPO_USER, Secret::new(IPO_PASSWORD));
    cfg.tls = tls;
    cfg.retry = RetryPolicy::default()
        .with_max_attempts(4)
        .with_base_delay(std::time::Duration::from_millis(2))
        .with_max_delay(std::time::Duration::from_millis(50))
        .with_request_timeout(std::time::Duration::from_secs(10));
    IpoClient::new(cfg).unwrap()
}

/// A client for the IP Office at `base_url` logging in with `password`: default TLS mode
/// (fine for plain HTTP), no retry.
fn no_retry_client(base_url: &str, password: &str) -> IpoClient {
    let mut cfg = IpoConfig::new(base_url, IPO_USER, Secret::new(password));
    cfg.retry = RetryPolicy::default()
        .with_max_attempts(1)
        .with_base_delay(std::time::Duration::from_millis(2))
        .with_max_delay(std::time::Duration::from_millis(50))
        .with_request_timeout(std::time::Duration::from_secs(10));
    IpoClient::new(cfg).unwrap()
}

/// Lower-cased Display and Debug of an error, for searching.
fn text_of(e: &IpoError) -> String {
    format!("{e} {e:?}").to_lowercase()
}

/// Asserts a refused handshake: a typed TLS error (never retried), and the emulator never
/// saw an HTTP request (so never a login carrying the password).
fn assert_refused_before_any_request(
    emu: &IpoEmulatorHandle,
    result: Result<ipo_model::SystemInfo, IpoError>,
) -> IpoError {
    let err = result.expect_err("the handshake must fail");
    assert!(matches!(err, IpoError::TlsRefused { .. }), "{err:?}");
    let stats = emu.stats();
    assert_eq!(stats.total_requests(), 0, "{stats:?}");
    assert_eq!(stats.logins, 0);
    assert_eq!(stats.failed_logins, 0);
    assert!(!text_of(&err).contains(&IPO_PASSWORD.to_lowercase()));
    err
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_tls_mode_refuses_the_self_signed_emulator_before_any_request() {
    let emu = https_emulator().await;
    let mut cfg = IpoConfig::new(emu.base_url(), IPO_USER, Secret::new(IPO_PASSWORD));
    // The default is public roots: the emulator's self-signed certificate is not among them.
    assert_eq!(cfg.tls, TlsMode::PublicRoots);
    assert_eq!(cfg.tls, TlsMode::default());
    cfg.retry = RetryPolicy::default()
        .with_max_attempts(4)
        .with_base_delay(std::time::Duration::from_millis(2))
        .with_max_delay(std::time::Duration::from_millis(50))
        .with_request_timeout(std::time::Duration::from_secs(10));
    let c = IpoClient::new(cfg).unwrap();
    let err = assert_refused_before_any_request(&emu, c.system().await);
    assert_eq!(
        c.stats().logins,
        1,
        "one login was attempted (and failed in TLS)"
    );
    eprintln!(
        "default TLS mode: {err}; client retries {}",
        c.stats().retries
    );
}

/// The three ways a certificate is refused.
fn refusing_modes() -> [TlsMode; 3] {
    [
        TlsMode::PublicRoots,
        TlsMode::TrustCa(UNRELATED_CERT_PEM.into()),
        TlsMode::PinnedCertificate(UNRELATED_CERT_PEM.into()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_refusal_error_names_the_certificate_problem() {
    let emu = https_emulator().await;
    for tls in refusing_modes() {
        let c = client(&emu, tls.clone());
        let err = assert_refused_before_any_request(&emu, c.system().await);
        let text = text_of(&err);
        assert!(
            text.contains("invalid peer certificate"),
            "{tls:?}: the error does not say why: {err}"
        );
        assert!(
            text.contains("tlsmode::trustca"),
            "{tls:?}: the error does not say what to change: {err}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_refusal_is_not_retried() {
    let emu = https_emulator().await;
    for tls in refusing_modes() {
        let c = client(&emu, tls.clone());
        assert_refused_before_any_request(&emu, c.system().await);
        assert_eq!(
            c.stats().retries,
            0,
            "{tls:?}: a certificate refusal is permanent, retrying it only delays the error"
        );
    }
    // Through the engine: one clear authentication error, at once, nothing sent.
    let people = people(4);
    let lab = Lab::start(
        &people,
        ipo_emulator_config().tls(true),
        |g| g,
        |c| {
            c.retry = RetryPolicy::default()
                .with_max_attempts(4)
                .with_base_delay(std::time::Duration::from_millis(2))
                .with_max_delay(std::time::Duration::from_millis(50))
                .with_request_timeout(std::time::Duration::from_secs(10))
        },
    )
    .await;
    let engine = lab.engine(config(), Arc::new(MemoryStateStore::new()));
    let started = Instant::now();
    let err = engine.run(&RunOptions::apply()).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(&err, SyncError::Ipo(PortError::Auth(m)) if m.contains("UnknownIssuer")),
        "{err:?}"
    );
    assert_eq!(lab.ipo_client.stats().retries, 0);
    assert_eq!(lab.ipo.stats().total_requests(), 0);
    eprintln!("refused certificate through the engine: error after {elapsed:?}: {err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusting_the_emulator_ca_logs_in_over_https() {
    let emu = https_emulator().await;
    assert!(emu.base_url().starts_with("https://127.0.0.1:"));
    assert_eq!(emu.ca_pem(), SERVER_CERT_PEM);
    let c = client(&emu, TlsMode::TrustCa(emu.ca_pem().into()));
    let system = c.system().await.unwrap();
    assert!(!system.name.is_empty());
    assert!(!c.list_users().await.unwrap().is_empty(), "NoUser at least");
    let stats = emu.stats();
    assert_eq!(stats.logins, 1);
    assert_eq!(stats.failed_logins, 0);
    assert_eq!(c.stats().retries, 0);
    // The host name is checked with TrustCa: `localhost` is in the certificate too.
    let mut cfg = IpoConfig::new(
        emu.base_url().replace("127.0.0.1", "localhost"),
        IPO_USER,
        Secret::new(IPO_PASSWORD),
    );
    cfg.tls = TlsMode::TrustCa(SERVER_CERT_PEM.into());
    cfg.retry = RetryPolicy::default()
        .with_max_attempts(1)
        .with_base_delay(std::time::Duration::from_millis(2))
        .with_max_delay(std::time::Duration::from_millis(50))
        .with_request_timeout(std::time::Duration::from_secs(10));
    IpoClient::new(cfg).unwrap().system().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusting_an_unrelated_certificate_is_refused() {
    let emu = https_emulator().await;
    let c = client(&emu, TlsMode::TrustCa(UNRELATED_CERT_PEM.into()));
    assert_refused_before_any_request(&emu, c.system().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pinning_the_server_certificate_works_and_pinning_another_is_refused() {
    let emu = https_emulator().await;
    let other = client(&emu, TlsMode::PinnedCertificate(UNRELATED_CERT_PEM.into()));
    assert_refused_before_any_request(&emu, other.system().await);

    let pinned = client(&emu, TlsMode::PinnedCertificate(SERVER_CERT_PEM.into()));
    pinned.system().await.unwrap();
    assert_eq!(emu.stats().logins, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unusable_pem_is_a_clear_tls_configuration_error() {
    for tls in [
        TlsMode::TrustCa("not a certificate".into()),
        TlsMode::PinnedCertificate(String::new()),
    ] {
        let mut cfg = IpoConfig::new("https://127.0.0.1:1", IPO_USER, Secret::new(IPO_PASSWORD));
        cfg.tls = tls.clone();
        let err = IpoClient::new(cfg).unwrap_err();
        assert!(matches!(err, IpoError::Tls(_)), "{tls:?}: {err:?}");
        assert!(err.to_string().starts_with("TLS configuration"), "{err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepting_any_certificate_works_only_when_named_and_says_so() {
    let emu = https_emulator().await;
    let mut cfg = IpoConfig::new(emu.base_url(), IPO_USER, Secret::new(IPO_PASSWORD));
    cfg.retry = RetryPolicy::default()
        .with_max_attempts(1)
        .with_base_delay(std::time::Duration::from_millis(2))
        .with_max_delay(std::time::Duration::from_millis(50))
        .with_request_timeout(std::time::Duration::from_secs(10));
    // Not the default, and not what any other mode falls back to.
    assert_ne!(cfg.tls, TlsMode::InsecureAcceptAnyCertificate);
    cfg.tls = TlsMode::InsecureAcceptAnyCertificate;
    assert_eq!(
        format!("{:?}", cfg.tls),
        "InsecureAcceptAnyCertificate",
        "the dangerous choice is named in Debug"
    );
    assert!(format!("{cfg:?}").contains("tls: InsecureAcceptAnyCertificate"));
    // Building such a client logs a warning (captured on this thread: `new` is synchronous).
    let buf = LogBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(buf.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let c = tracing::subscriber::with_default(subscriber, || IpoClient::new(cfg).unwrap());
    let log = String::from_utf8(buf.bytes()).unwrap();
    assert!(log.contains("WARN"), "{log}");
    assert!(log.contains("verification is OFF"), "{log}");
    c.system().await.unwrap();
    assert_eq!(emu.stats().logins, 1);

    // Debug of the other modes names the mode but never dumps the PEM.
    for (mode, name) in [
        (TlsMode::PublicRoots, "PublicRoots"),
        (TlsMode::TrustCa(SERVER_CERT_PEM.into()), "TrustCa(..)"),
        (
            TlsMode::PinnedCertificate(SERVER_CERT_PEM.into()),
            "PinnedCertificate(..)",
        ),
    ] {
        assert_eq!(format!("{mode:?}"), name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_sync_runs_over_https_when_the_ca_is_trusted() {
    let people = people(12);
    let lab = Lab::start(
        &people,
        ipo_emulator_config().tls(true),
        |g| g,
        |c| {
            c.tls = TlsMode::TrustCa(SERVER_CERT_PEM.into());
            c.retry = RetryPolicy::default()
                .with_max_attempts(3)
                .with_base_delay(std::time::Duration::from_millis(2))
                .with_max_delay(std::time::Duration::from_millis(50))
                .with_request_timeout(std::time::Duration::from_secs(10));
        },
    )
    .await;
    assert!(lab.ipo.base_url().starts_with("https://"));
    let engine = lab.engine(config(), Arc::new(MemoryStateStore::new()));
    let run = engine.run(&RunOptions::apply()).await.unwrap();
    let report = run.report.unwrap();
    assert_eq!(report.failures().count(), 0);
    // 12 people: 10 are not Teams-only and get an IP Office user.
    let synced = lab
        .ipo
        .users()
        .iter()
        .filter(|u| u.name.as_str().starts_with("user"))
        .count();
    assert_eq!(synced, 10);
    assert_nothing_left_to_do(&engine, "sync over HTTPS").await;
    assert_eq!(lab.ipo.stats().failed_logins, 0);
}

/// An emulator that locks after 3 failed logins (Avaya's default, spelled out).
fn lockout_emulator_config() -> EmulatorConfig {
    ipo_emulator_config().sessions(SessionPolicy {
        max_failures: 3,
        ..SessionPolicy::default()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_locks_the_account_after_three_wrong_passwords() {
    // The control experiment: three refused logins do lock the account, so the test below
    // (one attempt, then the right password still works) proves something.
    let emu = IpoEmulator::start(lockout_emulator_config()).await.unwrap();
    for _ in 0..3 {
        let err = no_retry_client(&emu.base_url(), WRONG_PASSWORD)
            .system()
            .await
            .unwrap_err();
        assert!(matches!(err, IpoError::LoginFailed { .. }), "{err:?}");
    }
    let err = no_retry_client(&emu.base_url(), IPO_PASSWORD)
        .system()
        .await
        .unwrap_err();
    assert!(
        matches!(err, IpoError::LoginFailed { .. }),
        "locked: {err:?}"
    );
    assert_eq!(emu.stats().logins, 0);
    assert_eq!(emu.stats().failed_logins, 4);
}

/// Runs `engine` to the error it must end in: asserts the error is the expected kind
/// (`typed`) and that neither its Display nor its Debug shows any of `secrets`; returns how
/// long the run took and the error's Display.
async fn failed_run_hiding(
    engine: &sync_engine::SyncEngine,
    secrets: [&str; 2],
    typed: impl Fn(&SyncError) -> bool,
) -> (Duration, String) {
    let started = Instant::now();
    let err = engine.run(&RunOptions::apply()).await.unwrap_err();
    let elapsed = started.elapsed();
    let message = err.to_string();
    let debug = format!("{err:?}");
    assert!(typed(&err), "a typed authentication error: {debug}");
    for shown in [&message, &debug] {
        for secret in secrets {
            assert!(!shown.contains(secret));
        }
    }
    (elapsed, message)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_ipo_password_fails_once_clearly_without_locking_the_account() {
    let people = people(12);
    let lab = Lab::start(
        &people,
        lockout_emulator_config(),
        |g| g,
        |c| {
            c.password = Secret::new(WRONG_PASSWORD);
            c.retry = RetryPolicy::default()
                .with_max_attempts(4)
                .with_base_delay(std::time::Duration::from_millis(2))
                .with_max_delay(std::time::Duration::from_millis(50))
                .with_request_timeout(std::time::Duration::from_secs(10));
        },
    )
    .await;
    let engine = lab.engine(config(), Arc::new(MemoryStateStore::new()));
    let (elapsed, message) = failed_run_hiding(&engine, [WRONG_PASSWORD, IPO_PASSWORD], |e| {
        matches!(e, SyncError::Ipo(PortError::Auth(_)))
    })
    .await;
    assert!(message.contains("IP Office login refused"), "{message}");
    assert!(message.contains("not retried"), "{message}");
    // Exactly one login attempt reached IP Office.
    let stats = lab.ipo.stats();
    assert_eq!(stats.failed_logins, 1, "{stats:?}");
    assert_eq!(stats.logins, 0);
    assert_eq!(
        stats.requests_to("GET", ipo_emulator::AUTH_PATH),
        1,
        "{stats:?}"
    );
    assert_eq!(lab.ipo_client.stats().logins, 1);
    assert_eq!(lab.ipo_client.stats().retries, 0);
    assert_eq!(stats.write_requests, 0, "nothing written");

    // Running again with the same client does not try the refused password again.
    let again = engine.run(&RunOptions::apply()).await.unwrap_err();
    assert!(matches!(again, SyncError::Ipo(PortError::Auth(_))));
    assert_eq!(lab.ipo.stats().failed_logins, 1);

    // The account is not locked: the right password still logs in.
    no_retry_client(&lab.ipo.base_url(), IPO_PASSWORD)
        .system()
        .await
        .unwrap();
    assert_eq!(lab.ipo.stats().logins, 1);
    eprintln!("wrong IP Office password: one attempt, error after {elapsed:?}: {message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_graph_secret_fails_once_clearly_without_a_retry_storm() {
    let people = people(12);
    let lab = Lab::start(
        &people,
        ipo_emulator_config(),
        |mut g| {
            g.client_secret = graph_client::Secret::new(WRONG_SECRET);
            g.with_retry(
                graph_client::RetryPolicy::default()
                    .with_base_delay(Duration::from_millis(2))
                    .with_max_delay(Duration::from_millis(20)),
            )
        },
        |c| {
            c.retry = RetryPolicy::default()
                .with_max_attempts(3)
                .with_base_delay(std::time::Duration::from_millis(2))
                .with_max_delay(std::time::Duration::from_millis(50))
                .with_request_timeout(std::time::Duration::from_secs(10))
        },
    )
    .await;
    let engine = lab.engine(config(), Arc::new(MemoryStateStore::new()));
    let (elapsed, message) = failed_run_hiding(&engine, [WRONG_SECRET, CLIENT_SECRET], |e| {
        matches!(e, SyncError::Directory(PortError::Auth(_)))
    })
    .await;
    assert!(message.contains("invalid_client"), "{message}");
    assert!(message.contains("AADSTS7000215"), "{message}");
    let stats = lab.graph.stats();
    let token_requests = stats.get(Route::Token);
    eprintln!(
        "wrong Graph secret: {token_requests} token requests, {} Graph requests in all, client retries {}, error after {elapsed:?}",
        stats.total(),
        lab.graph_client.stats().retries
    );
    // One refused token request (taking the delta cursor), which ends the run.
    assert_eq!(
        token_requests, 1,
        "a refused secret is asked once per run: {stats:?}"
    );
    assert_eq!(lab.graph_client.stats().retries, 0);
    assert_eq!(lab.ipo.stats().write_requests, 0, "nothing written");
}

#[test]
fn example_configuration_keeps_certificate_checks_on_and_holds_no_secret() {
    let text = include_str!("../examples/sync.example.toml");
    let file: toml::Table = toml::from_str(text).unwrap();
    let ipo = file["ipo"].as_table().unwrap();
    assert!(
        ipo["base_url"].as_str().unwrap().starts_with("https://"),
        "the example talks HTTPS to IP Office"
    );
    // examples/sync.rs turns checks off only for `insecure_accept_any_certificate = true`.
    assert!(
        ipo.get("insecure_accept_any_certificate")
            .is_none_or(|v| v.as_bool() == Some(false)),
        "the example never turns certificate checks off"
    );
    // Secrets come from the environment, never the file.
    for key in ["password", "client_secret", "secret", "token"] {
        assert!(!ipo.contains_key(key), "[ipo] {key}");
        assert!(
            !file["graph"].as_table().unwrap().contains_key(key),
            "[graph] {key}"
        );
    }
    // The commented-out `ca_pem` is how the self-signed certificate is meant to be trusted.
    assert!(text.contains("# ca_pem = "));
}
