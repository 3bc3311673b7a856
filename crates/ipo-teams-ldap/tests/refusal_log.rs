//! What refused connections cost the log: one short line each (what, from where, a short
//! hex prefix at most), a bounded number per minute, and never the message itself. The
//! log is captured at `info`, the level the program logs at as a service.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::raw::presence_search_bytes;
use common::*;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// Everything logged, as text.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures what this thread logs at `info` and above until the guard is dropped. The
/// tests run on one thread, so the service's tasks log through it too.
fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    (log, tracing::subscriber::set_default(subscriber))
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

/// A message of about 30 KiB (under the 32 KiB limit) that BER cannot parse: sequences
/// nested deeper than the parser allows, around a 30,000-byte value. The LDAP codec logged
/// such a message whole, as decimals.
fn too_deep() -> Vec<u8> {
    let mut m = vec![0x04, 0x82, 0x75, 0x30];
    m.extend(std::iter::repeat_n(0x41u8, 30_000));
    for _ in 0..200 {
        let len = u16::try_from(m.len()).unwrap().to_be_bytes();
        let mut outer = vec![0x30, 0x82, len[0], len[1]];
        outer.extend_from_slice(&m);
        m = outer;
    }
    m
}

async fn send_and_wait_for_close(svc: &ipo_teams_ldap::RunningService, bytes: &[u8]) {
    let mut s = TcpStream::connect(svc.local_addr()).await.unwrap();
    let _ = s.write_all(bytes).await; // the server may close before it has read it all
    let closed = read_until_closed(&mut s, Duration::from_secs(5)).await;
    assert!(
        closed.is_some(),
        "the server did not close the connection after {:02x?}",
        &bytes[..bytes.len().min(8)]
    );
}

#[tokio::test(flavor = "current_thread")]
async fn refused_connections_log_one_short_line_each_and_a_bounded_number() {
    let (log, _guard) = capture();
    let (svc, _h) = start(config(), Some(people())).await;
    let deep = too_deep();
    assert!(deep.len() < 32 * 1024 && deep.len() > 30_000);
    // A search whose filter is tagged as no filter is (a universal OCTET STRING where the
    // presence filter's context tag 7 belongs).
    let mut bad_filter = presence_search_bytes(BASE);
    let at = bad_filter
        .windows(2)
        .position(|w| w == [0x87, 0x0b])
        .expect("the presence filter");
    bad_filter[at] = 0x04;
    let malformed: [&[u8]; 5] = [
        &deep,
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        &[0x30, 0x03, 0x02, 0x01, 0x05],
        &[0x30, 0x84, 0x7f, 0xff, 0xff, 0xff],
        &bad_filter,
    ];
    for round in 0..60 {
        for m in malformed {
            send_and_wait_for_close(&svc, m).await;
        }
        if round == 0 {
            // The first refusals are each told, with where from and what it began with.
            let text = log.text();
            let lines: Vec<&str> = text.lines().filter(|l| l.contains("refused")).collect();
            assert_eq!(lines.len(), 5, "{text}");
            assert!(lines.iter().all(|l| l.contains("127.0.0.1:")), "{text}");
            assert!(lines[1].contains("47 45 54 20"), "hex prefix: {}", lines[1]);
            assert!(
                lines[2].contains("30 03 02 01 05"),
                "hex prefix: {}",
                lines[2]
            );
        }
    }
    svc.shutdown().await;
    let text = log.text();
    let longest = text.lines().map(str::len).max().unwrap_or(0);
    assert!(longest <= 300, "a line of {longest} characters");
    let refused = text.lines().filter(|l| l.contains("refused")).count();
    assert!(
        (10..=12).contains(&refused),
        "300 refused connections logged in {refused} lines:\n{text}"
    );
    assert!(
        text.contains("more refused") && text.contains("290 more"),
        "the rest are counted: {text}"
    );
    // Besides them, only the service's start and stop: nothing per message from the codec.
    assert!(text.lines().count() <= 15, "{text}");
    assert!(!text.contains("ERROR"), "{text}");
    assert!(
        text.len() < 8 * 1024,
        "{} bytes of log:\n{text}",
        text.len()
    );
}

/// Controls the service does not know are ignored when not critical (RFC 4511 section
/// 4.1.11) and never written to the log, whatever their OID: a client sending requests
/// with a 20,000-character OID does not grow the log by one byte.
#[tokio::test(flavor = "current_thread")]
async fn unknown_controls_are_ignored_and_never_logged() {
    let (log, _guard) = capture();
    let (svc, _h) = start(config(), Some(people())).await;
    let before = log.text().len();
    let mut ldap = ldap3_bound(&url(&svc)).await;
    let oid = format!("1.2.{}", "3".repeat(20_000));
    for _ in 0..20 {
        let control = ldap3::controls::RawControl {
            ctype: oid.clone(),
            crit: false,
            val: None,
        };
        let (rs, r) = ldap
            .with_controls(control)
            .search(BASE, ldap3::Scope::OneLevel, "(cn=Ann Lee)", vec!["cn"])
            .await
            .unwrap()
            .success()
            .unwrap();
        assert_eq!((rs.len(), r.rc), (1, 0));
    }
    // A critical one refuses the search, naming the OID shortly, and logs nothing.
    for _ in 0..20 {
        let control = ldap3::controls::RawControl {
            ctype: oid.clone(),
            crit: true,
            val: None,
        };
        let ldap3::SearchResult(rs, r) = ldap
            .with_controls(control)
            .search(BASE, ldap3::Scope::OneLevel, "(cn=Ann Lee)", vec!["cn"])
            .await
            .unwrap();
        assert_eq!((rs.len(), r.rc), (0, 12), "unavailableCriticalExtension");
        assert!(
            r.text.contains("1.2.333") && r.text.len() < 120,
            "{}",
            r.text
        );
    }
    let _ = ldap.unbind().await;
    svc.shutdown().await;
    let text = log.text();
    let longest = text.lines().map(str::len).max().unwrap_or(0);
    assert!(longest <= 300, "a line of {longest} characters");
    assert!(
        text.len() - before < 2_000,
        "{} bytes logged",
        text.len() - before
    );
}
