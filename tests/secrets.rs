//! No secret leaks, end to end: the whole demo-like flow through the real clients against
//! both emulators (dry run, apply, tenant changes, incremental apply, explain, expired Graph
//! tokens, throttling, outages and session expiry, a wrong client secret, a wrong IP Office
//! password) with tracing at TRACE for every target captured into a buffer, plus every plan,
//! report, the state file, the directory CSV, every error and the Debug of configs and
//! clients. None may contain the client secret, the IP Office password (plain or as the
//! Basic credentials), a bearer token the Graph emulator issued or an IP Office session
//! cookie value.
//!
//! `reqwest` and `rustls` log through the `log` crate: their records are bridged into the
//! same capture (`tracing-log`), so their lines are searched too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use graph_client::{GraphClient, GraphConfig};
use ipo_client::{IpoClient, IpoConfig, RetryPolicy};
use ipo_emulator::{AUTH_PATH, X_USER_AGENT, X_USER_CLIENT};
use support::log_capture::LogBuffer;
use support::*;
use sync_engine::{
    FileStateStore, RunOptions, RunResult, Style, SyncEngine, render_plan, render_report,
};
use tracing_subscriber::fmt::format::FmtSpan;

/// Every access token the Graph emulator issues starts with this (an unsigned JWT header);
/// checked against a token fetched by hand below.
const GRAPH_TOKEN_PREFIX: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.";
/// The emulator's default generator seed (`EmulatorConfig::rng_seed`) and the salt its
/// session generator mixes in (crates/ipo-emulator/src/session.rs).
const IPO_RNG_SEED: u64 = 0x1B0_0FF1CE;
const IPO_SESSION_SALT: u64 = 0x5E55;
/// Session cookies predicted (far more than a run logs in).
const PREDICTED_SESSIONS: usize = 64;

// ---------------------------------------------------------------------------------------
// The log capture: one global subscriber for this test binary (a thread-local default would
// not reach the runtime's worker threads).

fn log_buffer() -> &'static LogBuffer {
    static LOG: OnceLock<LogBuffer> = OnceLock::new();
    LOG.get_or_init(|| {
        let buf = LogBuffer::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(buf.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(FmtSpan::FULL)
            .with_target(true)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        // reqwest and rustls log through `log`: their records join the capture.
        tracing_log::LogTracer::init().unwrap();
        buf
    })
}

// ---------------------------------------------------------------------------------------
// Everything else the flow produces, labelled so a leak names its source.

#[derive(Default)]
struct Captured(Vec<(String, String)>);

impl Captured {
    fn add(&mut self, label: impl Into<String>, text: impl Into<String>) {
        self.0.push((label.into(), text.into()));
    }

    fn run(&mut self, label: &str, run: &RunResult) {
        let plain = Style { color: false };
        self.add(
            format!("{label}: plan json"),
            serde_json::to_string(&run.plan).unwrap(),
        );
        self.add(format!("{label}: plan text"), render_plan(&run.plan, plain));
        self.add(
            format!("{label}: plan text (colour)"),
            render_plan(&run.plan, Style { color: true }),
        );
        if let Some(r) = &run.report {
            self.add(
                format!("{label}: report json"),
                serde_json::to_string(r).unwrap(),
            );
            self.add(format!("{label}: report text"), render_report(r, plain));
        }
        self.add(format!("{label}: run debug"), format!("{run:?}"));
    }

    fn error(&mut self, label: &str, e: &dyn std::error::Error) {
        self.add(format!("{label}: error display"), e.to_string());
        self.add(format!("{label}: error debug"), format!("{e:?}"));
        let mut source = e.source();
        while let Some(s) = source {
            self.add(format!("{label}: error source"), s.to_string());
            source = s.source();
        }
    }

    fn file(&mut self, label: &str, path: &std::path::Path) {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("{label} {}: {e}", path.display()));
        assert!(!text.is_empty(), "{label} is empty");
        self.add(label, text);
    }
}

// ---------------------------------------------------------------------------------------
// What must never appear.

/// Standard base64 (the Basic credentials' encoding), so the header value can be searched.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The emulator's splitmix64, to predict the session cookies it hands out: login `k` (from 0)
/// gets `JSESSIONID` = draws `4k, 4k+1` upper-case hex and `SDK-Token` = draws `4k+2, 4k+3`.
fn predicted_ipo_sessions(n: usize) -> Vec<(String, String)> {
    let mut state = IPO_RNG_SEED ^ IPO_SESSION_SALT;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    (0..n)
        .map(|_| {
            let id = format!("{:016x}{:016x}", next(), next()).to_ascii_uppercase();
            let token = format!("{:016x}{:016x}", next(), next());
            (id, token)
        })
        .collect()
}

/// One HTTP/1.1 exchange on a fresh connection (blocking; run it off the runtime).
async fn raw_http(addr: SocketAddr, request: String) -> String {
    tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    })
    .await
    .unwrap()
}

/// Asks the Graph emulator for a token by hand, to learn what issued tokens look like.
async fn fetch_graph_token(lab: &Lab) -> String {
    let path = lab
        .graph
        .token_url()
        .strip_prefix(&lab.graph.login_base())
        .unwrap()
        .to_owned();
    let body = format!(
        "client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&grant_type=client_credentials"
    );
    let answer = raw_http(
        lab.graph.addr(),
        format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .await;
    let json_start = answer.find('{').expect("a JSON token answer");
    let json: serde_json::Value = serde_json::from_str(answer[json_start..].trim()).unwrap();
    json["access_token"].as_str().unwrap().to_owned()
}

/// Logs in to the IP Office emulator by hand and returns the two cookie values.
async fn ipo_login_cookies(lab: &Lab) -> (String, String) {
    let credentials = base64(format!("{IPO_USER}:{IPO_PASSWORD}").as_bytes());
    let answer = raw_http(
        lab.ipo.addr(),
        format!(
            "GET {AUTH_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic {credentials}\r\n{}: {}\r\n{}: {}\r\nConnection: close\r\n\r\n",
            X_USER_CLIENT.0, X_USER_CLIENT.1, X_USER_AGENT.0, X_USER_AGENT.1
        ),
    )
    .await;
    let cookie = |name: &str| {
        answer
            .lines()
            .filter(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
            .find_map(|l| {
                let v = l.split_once(':').unwrap().1.trim();
                v.strip_prefix(&format!("{name}="))
                    .map(|rest| rest.split(';').next().unwrap().to_owned())
            })
            .unwrap_or_else(|| panic!("no {name} cookie in the login answer"))
    };
    (cookie("JSESSIONID"), cookie("SDK-Token"))
}

/// Every (needle, source) pair found, described without the needle itself.
fn find_leaks(sources: &[(String, String)], needles: &[(String, String)]) -> Vec<String> {
    let mut leaks = Vec::new();
    for (label, text) in sources {
        for (what, needle) in needles {
            if text.contains(needle.as_str()) {
                let at = text.find(needle.as_str()).unwrap();
                let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
                leaks.push(format!(
                    "{what} in {label} (byte {at}, line starting {:?})",
                    &text[line_start..at.min(line_start + 80)]
                ));
            }
        }
        // A bearer token in any spelling: "Bearer " followed by a long token-like word (a
        // challenge such as `Bearer realm=""` is not one).
        let lower = text.to_ascii_lowercase();
        for (at, _) in lower.match_indices("bearer ") {
            let word: String = lower[at + 7..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | ',' | '\'' | ';'))
                .collect();
            if word.len() >= 16 && !word.contains('=') {
                leaks.push(format!("a `Bearer <token>` in {label} (byte {at})"));
            }
        }
    }
    leaks
}

/// Fails naming every leak found, without printing the secret.
fn assert_no_leak(sources: &[(String, String)], needles: &[(String, String)]) {
    let leaks = find_leaks(sources, needles);
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
}

fn fast_graph(g: GraphConfig) -> GraphConfig {
    g.with_retry(
        graph_client::RetryPolicy::default()
            .with_max_attempts(8)
            .with_base_delay(Duration::from_millis(2))
            .with_max_delay(Duration::from_millis(20))
            .with_request_timeout(Duration::from_secs(5)),
    )
}

fn fast_ipo(c: &mut IpoConfig) {
    c.retry = RetryPolicy::default()
        .with_max_attempts(7)
        .with_base_delay(std::time::Duration::from_millis(2))
        .with_max_delay(std::time::Duration::from_millis(50))
        .with_request_timeout(std::time::Duration::from_secs(10));
}

fn plain_needles() -> Vec<(String, String)> {
    let mut n = vec![
        ("the client secret".to_owned(), CLIENT_SECRET.to_owned()),
        ("the IP Office password".to_owned(), IPO_PASSWORD.to_owned()),
        (
            "the wrong client secret".to_owned(),
            WRONG_SECRET.to_owned(),
        ),
        (
            "the wrong IP Office password".to_owned(),
            WRONG_PASSWORD.to_owned(),
        ),
        (
            "a Graph access token".to_owned(),
            GRAPH_TOKEN_PREFIX.to_owned(),
        ),
        ("a JSESSIONID cookie".to_owned(), "JSESSIONID=".to_owned()),
        ("an SDK-Token cookie".to_owned(), "SDK-Token=".to_owned()),
        (
            "a client_secret form field".to_owned(),
            "client_secret=".to_owned(),
        ),
    ];
    for (what, pw) in [("right", IPO_PASSWORD), ("wrong", WRONG_PASSWORD)] {
        n.push((
            format!("the Basic credentials with the {what} password"),
            base64(format!("{IPO_USER}:{pw}").as_bytes()),
        ));
    }
    n
}

// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_flow_at_trace_level_leaks_no_secret() {
    let log = log_buffer();
    let started = Instant::now();
    let lab = Lab::start(&people(60), ipo_emulator_config(), fast_graph, fast_ipo).await;
    let state_path = lab.workdir.path().join("state.json");
    let csv_path = lab.workdir.path().join("ipo-directory.csv");
    let engine = lab.engine(config(), Arc::new(FileStateStore::new(&state_path)));
    let mut captured = Captured::default();

    // 1. Dry run, 2. apply, 3. plan again.
    let dry = engine.run(&RunOptions::dry_run()).await.unwrap();
    assert!(!dry.plan.is_empty());
    captured.run("dry run", &dry);
    let applied = engine.run(&RunOptions::apply()).await.unwrap();
    assert_eq!(applied.report.as_ref().unwrap().failures().count(), 0);
    captured.run("apply", &applied);
    captured.file("state file after apply", &state_path);
    captured.file("directory CSV after apply", &csv_path);
    let again = engine.run(&RunOptions::dry_run()).await.unwrap();
    assert!(again.plan.is_empty());
    captured.run("plan again", &again);

    // 4. Life goes on in the tenant; Graph's tokens expire meanwhile (a 401 and a new token).
    lab.graph.remove_member(GROUP_IPO, person_id(0)).unwrap();
    lab.graph
        .set_business_phone(person_id(5), "+441632799005 x799005")
        .unwrap();
    lab.graph
        .update_user(person_id(4), |u| {
            u.display_name = Some("User Renamed".into())
        })
        .unwrap();
    let newcomer = person(1000);
    lab.graph.add_user(newcomer.clone()).unwrap();
    lab.graph.add_member(group_of(1000), &newcomer.id).unwrap();
    lab.graph.expire_access_tokens();

    // 5. Incremental apply, 6. explain one person.
    let inc = engine
        .run(&RunOptions::apply().incremental())
        .await
        .unwrap();
    assert!(!inc.plan.is_empty());
    captured.run("incremental apply", &inc);
    captured.file("state file after incremental apply", &state_path);
    let explain = engine
        .run(&RunOptions::dry_run().explain(person_id(4)))
        .await
        .unwrap();
    captured.run("explain", &explain);

    // 7. A full apply under faults, so retry, re-login and throttling lines are logged.
    for i in 1001..1009 {
        let p = person(i);
        lab.graph.add_user(p.clone()).unwrap();
        lab.graph.add_member(group_of(i), &p.id).unwrap();
    }
    lab.graph.faults().add(
        graph_emulator::FaultRule::new("/v1.0")
            .throttle(1.0, Some(Duration::ZERO))
            .times(3),
    );
    lab.graph.faults().add(
        graph_emulator::FaultRule::new("/v1.0")
            .unavailable(1.0)
            .times(2),
    );
    lab.ipo.faults().add(
        ipo_emulator::FaultRule::new("/WebManagement/ws/sdk/admin")
            .unavailable(1.0, Some(Duration::ZERO))
            .times(3),
    );
    lab.ipo.faults().expire_sessions_every(Some(10));
    let graph_before = lab.graph_client.stats();
    let ipo_before = lab.ipo_client.stats();
    let faulted = engine.run(&RunOptions::apply()).await.unwrap();
    captured.run("apply under faults", &faulted);
    captured.file("state file after faults", &state_path);
    captured.file("directory CSV after faults", &csv_path);
    lab.graph.faults().clear();
    lab.ipo.faults().clear();
    lab.ipo.faults().expire_sessions_every(None);
    let graph_retries = lab.graph_client.stats().retries - graph_before.retries;
    let ipo_retries = lab.ipo_client.stats().retries - ipo_before.retries;
    let ipo_relogins = lab.ipo_client.stats().relogins - ipo_before.relogins;
    assert!(graph_retries > 0, "the Graph faults were retried");
    assert!(ipo_retries > 0, "the IP Office faults were retried");
    assert!(ipo_relogins > 0, "expired sessions were logged in again");

    // 8. Error paths: a wrong client secret, a wrong IP Office password.
    let wrong_graph = Arc::new(
        GraphClient::new(fast_graph(
            GraphConfig::new(TENANT, CLIENT_ID, graph_client::Secret::new(WRONG_SECRET))
                .with_bases(
                    lab.graph.login_base().parse().unwrap(),
                    lab.graph.graph_base().parse().unwrap(),
                ),
        ))
        .unwrap(),
    );
    let e = SyncEngine::new(
        config(),
        wrong_graph.clone(),
        lab.ipo_client.clone(),
        Arc::new(FileStateStore::new(lab.workdir.path().join("state-2.json"))),
    )
    .run(&RunOptions::apply())
    .await
    .unwrap_err();
    captured.error("wrong client secret", &e);
    let mut wrong_cfg = IpoConfig::new(
        lab.ipo.base_url(),
        IPO_USER,
        ipo_client::Secret::new(WRONG_PASSWORD),
    );
    wrong_cfg.retry = RetryPolicy::default()
        .with_max_attempts(3)
        .with_base_delay(std::time::Duration::from_millis(2))
        .with_max_delay(std::time::Duration::from_millis(50))
        .with_request_timeout(std::time::Duration::from_secs(10));
    let wrong_ipo = Arc::new(IpoClient::new(wrong_cfg).unwrap());
    let e = SyncEngine::new(
        config(),
        lab.graph_client.clone(),
        wrong_ipo.clone(),
        Arc::new(FileStateStore::new(lab.workdir.path().join("state-3.json"))),
    )
    .run(&RunOptions::apply())
    .await
    .unwrap_err();
    captured.error("wrong IP Office password", &e);
    // The client-level errors too, typed.
    captured.error(
        "IpoClient::system with the wrong password",
        &wrong_ipo.system().await.unwrap_err(),
    );

    // 9. Debug of configs, clients, secrets and the engine.
    let graph_cfg = GraphConfig::new(TENANT, CLIENT_ID, graph_client::Secret::new(CLIENT_SECRET));
    captured.add("GraphConfig debug", format!("{graph_cfg:?}"));
    captured.add("IpoConfig debug", format!("{:?}", lab.ipo_client.config()));
    captured.add("GraphClient debug", format!("{:?}", lab.graph_client));
    captured.add("GraphClient debug (wrong)", format!("{wrong_graph:?}"));
    captured.add("IpoClient debug", format!("{:?}", lab.ipo_client));
    captured.add("IpoClient debug (wrong)", format!("{wrong_ipo:?}"));
    captured.add(
        "Secret debug",
        format!(
            "{:?} {:?}",
            ipo_model::Secret::new(CLIENT_SECRET),
            ipo_model::Secret::new(IPO_PASSWORD)
        ),
    );
    captured.add("SyncEngine debug", format!("{engine:?}"));
    captured.add(
        "client stats",
        format!(
            "{:?} {:?}",
            lab.graph_client.stats(),
            lab.ipo_client.stats()
        ),
    );
    lab.ipo_client.close().await;
    wrong_ipo.close().await;

    // What issued secrets look like, learned first-hand: a token fetched by hand has the
    // prefix searched for, and a hand-made login gets exactly the cookie values predicted
    // for it, so the predicted values of every earlier login are the ones the client held.
    let token = fetch_graph_token(&lab).await;
    assert!(token.starts_with(GRAPH_TOKEN_PREFIX), "token shape changed");
    let logins_before = usize::try_from(lab.ipo.stats().logins).unwrap();
    assert!(
        logins_before >= 2,
        "the flow logged in (and again after expiry)"
    );
    assert!(logins_before < PREDICTED_SESSIONS);
    let predicted = predicted_ipo_sessions(PREDICTED_SESSIONS);
    let (jsessionid, sdk_token) = ipo_login_cookies(&lab).await;
    assert_eq!(
        (&jsessionid, &sdk_token),
        (&predicted[logins_before].0, &predicted[logins_before].1),
        "the session cookie prediction matches the emulator"
    );

    let mut needles = plain_needles();
    needles.push(("the hand-fetched Graph token".into(), token));
    for (k, (id, tok)) in predicted.iter().take(logins_before).enumerate() {
        needles.push((format!("JSESSIONID of login {k}"), id.clone()));
        needles.push((format!("SDK-Token of login {k}"), tok.clone()));
    }

    // The log capture works and covers the flow.
    let log_text = log.text();
    for expected in [
        "logged in to IP Office",
        "IP Office session timed out; logging in again",
        "got a Graph access token",
        "graph request",
        "retrying Graph request",
        "retrying",
        "IP Office login refused; not retrying",
        "applying",
        "/v1.0/groups/",
        // A `log` record of reqwest's, bridged into the capture.
        " reqwest::",
        "TRACE",
        "DEBUG",
    ] {
        assert!(
            log_text.contains(expected),
            "the captured log lacks {expected:?} ({} bytes)",
            log_text.len()
        );
    }
    assert!(
        log_text.lines().count() > 200,
        "{} lines",
        log_text.lines().count()
    );
    // The search itself works: a sentinel holding each needle is caught.
    let bearer = vec![(
        "sentinel".to_owned(),
        "authorization: Bearer 0123456789abcdef0123".to_owned(),
    )];
    assert_eq!(find_leaks(&bearer, &[]).len(), 1, "the bearer search works");
    for (what, needle) in &needles {
        let sentinel = vec![("sentinel".to_owned(), format!("x{needle}x"))];
        let found = find_leaks(&sentinel, &[(what.clone(), needle.clone())]);
        assert_eq!(found.len(), 1, "the search misses {what}");
    }

    let mut sources = captured.0;
    sources.push(("the TRACE log".into(), log_text.clone()));
    assert_no_leak(&sources, &needles);

    let targets: Vec<String> = [
        "graph_client",
        "ipo_client",
        "sync_engine",
        "graph_emulator",
        "ipo_emulator",
        "hyper_util",
        "hyper",
        "h2",
        "reqwest",
        "rustls",
    ]
    .iter()
    .map(|t| {
        let (a, b) = (format!(" {t}::"), format!(" {t}: "));
        let n = log_text
            .lines()
            .filter(|l| l.contains(&a) || l.contains(&b))
            .count();
        format!("{t} {n}")
    })
    .collect();
    eprintln!("log lines by target: {}", targets.join(", "));
    eprintln!(
        "searched {} sources ({} log lines, {} bytes) for {} secret values in {:?}; fault run: {} Graph retries, {} IP Office retries, {} re-logins, {} IP Office logins in all",
        sources.len(),
        log_text.lines().count(),
        sources.iter().map(|(_, t)| t.len()).sum::<usize>(),
        needles.len(),
        started.elapsed(),
        graph_retries,
        ipo_retries,
        ipo_relogins,
        logins_before,
    );
}

#[test]
fn base64_and_the_session_prediction_are_right() {
    assert_eq!(
        base64(b"Aladdin:open sesame"),
        "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
    );
    assert_eq!(base64(b"ab"), "YWI=");
    assert_eq!(base64(b"abc"), "YWJj");
    let p = predicted_ipo_sessions(3);
    assert_eq!(p.len(), 3);
    for (id, tok) in &p {
        assert_eq!(id.len(), 32);
        assert_eq!(tok.len(), 32);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
        );
        assert!(
            tok.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }
    assert_ne!(p[0], p[1]);
}
