//! Connection-level behaviour through a second, independent client (the `ldap3` crate) and
//! raw sockets: paging across a set swap, malformed and oversized messages, idle timeout,
//! connection limit, LDAPS with a self-signed certificate, following the set's file.

mod common;

use std::time::Duration;

use common::*;
use ipo_teams_ldap::{
    ConfigError, DirectoryService, EntrySet, EntrySetHandle, ServeError, ServedEntry, TlsFiles,
    watch_file,
};
use ldap3::controls::PagedResults;
use ldap3::{Scope, SearchEntry};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn cns(ldap: &mut ldap3::Ldap, filter: &str) -> Vec<String> {
    let (rs, _) = ldap
        .search(BASE, Scope::OneLevel, filter, vec!["cn"])
        .await
        .unwrap()
        .success()
        .unwrap();
    let mut v: Vec<String> = rs
        .into_iter()
        .map(|e| SearchEntry::construct(e).attrs["cn"][0].clone())
        .collect();
    v.sort();
    v
}

/// Whether the server closed the connection within `within`.
async fn closed_by_server(s: &mut TcpStream, within: Duration) -> bool {
    read_until_closed(s, within).await.is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ldap3_client_binds_searches_and_compares() {
    let (svc, _h) = start(config(), Some(people())).await;
    let mut ldap = ldap3_bound(&url(&svc)).await;
    assert_eq!(
        cns(&mut ldap, "(|(cn=Ann Lee)(telephoneNumber=*-409))").await,
        vec!["Ann Lee", "Jo Park"]
    );
    let dn = format!("cn=Ann Lee,{BASE}");
    assert!(
        ldap.compare(&dn, "telephoneNumber", "441632768400-400")
            .await
            .unwrap()
            .equal()
            .unwrap()
    );
    assert!(
        !ldap
            .compare(&dn, "telephoneNumber", "1")
            .await
            .unwrap()
            .equal()
            .unwrap()
    );
    let r = ldap.delete(&dn).await.unwrap();
    assert_eq!(r.rc, 53);
    let r = ldap.simple_bind(BIND_DN, "nope").await.unwrap();
    assert_eq!(r.rc, 49);
    // A failed bind leaves the connection unauthenticated: no more searching.
    let r = ldap
        .search(BASE, Scope::OneLevel, "(objectClass=*)", vec!["cn"])
        .await
        .unwrap();
    assert_eq!((r.0.len(), r.1.rc), (0, 50));
    svc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_come_from_one_set_even_when_a_new_one_is_swapped_in() {
    let (svc, h) = start(config(), Some(people())).await;
    let mut ldap = ldap3_bound(&url(&svc)).await;
    let mut cookie = Vec::new();
    let mut got = Vec::new();
    let mut pages = 0;
    loop {
        let ctrl = PagedResults {
            size: 3,
            cookie: cookie.clone(),
        };
        let (rs, res) = ldap
            .with_controls(ctrl)
            .search(BASE, Scope::OneLevel, "(objectClass=person)", vec!["cn"])
            .await
            .unwrap()
            .success()
            .unwrap();
        pages += 1;
        assert!(rs.len() <= 3);
        got.extend(
            rs.into_iter()
                .map(|e| SearchEntry::construct(e).attrs["cn"][0].clone()),
        );
        if pages == 1 {
            // The next sync run replaces the set between two pages.
            h.replace(EntrySet::from_served(vec![ServedEntry::new("Zed New", "499")]).unwrap());
        }
        let paged = paged_response(&res);
        assert_eq!(paged.size, 10, "estimate of the whole result");
        if paged.cookie.is_empty() {
            break;
        }
        cookie = paged.cookie;
    }
    assert_eq!(pages, 4);
    got.sort();
    let mut want: Vec<String> = people().into_iter().map(|p| p.cn).collect();
    want.sort();
    assert_eq!(got, want, "all pages from the set the search started on");
    // A new search sees the new set.
    assert_eq!(cns(&mut ldap, "(objectClass=*)").await, vec!["Zed New"]);
    // A cookie we never gave is refused.
    let r = ldap
        .with_controls(PagedResults {
            size: 3,
            cookie: vec![9; 8],
        })
        .search(BASE, Scope::OneLevel, "(objectClass=*)", vec!["cn"])
        .await
        .unwrap();
    assert_eq!(r.1.rc, 53);
    svc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_or_oversized_message_closes_only_that_connection() {
    let (svc, _h) = start(config(), Some(people())).await;
    let mut good = ldap3_bound(&url(&svc)).await;
    // A valid BER sequence that is not an LDAP message.
    let mut bad = TcpStream::connect(svc.local_addr()).await.unwrap();
    bad.write_all(&[0x30, 0x03, 0x02, 0x01, 0x05])
        .await
        .unwrap();
    assert!(
        closed_by_server(&mut bad, Duration::from_secs(5)).await,
        "malformed message must close the connection"
    );
    // Not BER at all.
    let mut junk = TcpStream::connect(svc.local_addr()).await.unwrap();
    junk.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert!(closed_by_server(&mut junk, Duration::from_secs(5)).await);
    // A message announcing 1 MiB, over the 32 KiB limit: closed before it is all sent.
    let mut big = TcpStream::connect(svc.local_addr()).await.unwrap();
    let mut msg = vec![0x30, 0x84, 0x00, 0x10, 0x00, 0x00];
    msg.extend(std::iter::repeat_n(0u8, 200 * 1024));
    let _ = big.write_all(&msg).await; // may fail once the server has closed
    assert!(
        closed_by_server(&mut big, Duration::from_secs(5)).await,
        "oversized message must close the connection"
    );
    // The connection that behaved is still served.
    assert_eq!(cns(&mut good, "(cn=Bo Chan)").await, vec!["Bo Chan"]);
    svc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed() {
    let mut cfg = config();
    cfg.idle_timeout = Duration::from_millis(300);
    let (svc, _h) = start(cfg, Some(people())).await;
    let mut silent = TcpStream::connect(svc.local_addr()).await.unwrap();
    let t0 = std::time::Instant::now();
    assert!(closed_by_server(&mut silent, Duration::from_secs(5)).await);
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    // Half a message, then nothing: the same.
    let mut half = TcpStream::connect(svc.local_addr()).await.unwrap();
    half.write_all(&[0x30, 0x0c, 0x02]).await.unwrap();
    assert!(closed_by_server(&mut half, Duration::from_secs(5)).await);
    svc.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_limit_refuses_the_extra_client_and_frees_slots() {
    let mut cfg = config();
    cfg.max_connections = 2;
    let (svc, _h) = start(cfg, Some(people())).await;
    let mut a = ldap3_bound(&url(&svc)).await;
    let b = TcpStream::connect(svc.local_addr()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut c = TcpStream::connect(svc.local_addr()).await.unwrap();
    let mut notice = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), c.read_to_end(&mut notice)).await;
    assert!(
        matches!(read, Ok(Ok(_))),
        "third connection closed by the server"
    );
    // The notice of disconnection carries resultCode busy (51).
    assert!(
        notice.windows(3).any(|w| w == [0x0a, 0x01, 51]),
        "{notice:02x?}"
    );
    assert_eq!(cns(&mut a, "(cn=Ann Lee)").await, vec!["Ann Lee"]);
    drop(b);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut d = ldap3_bound(&url(&svc)).await;
    assert_eq!(cns(&mut d, "(cn=Eve Ng)").await, vec!["Eve Ng"]);
    svc.shutdown().await;
}

/// A self-signed certificate for localhost and 127.0.0.1, as `openssl req -x509` makes one
/// (marked CA:TRUE), the kind an administrator makes for a private LDAPS listener.
fn self_signed() -> (String, String) {
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), key.serialize_pem())
}

/// `ldapsearch` reading its TLS settings from the environment (LDAPNOINIT would make it
/// ignore them), with no configuration file of the machine or the user taking part.
fn tls_tool(dir: &std::path::Path) -> std::process::Command {
    let empty = dir.join("ldap.conf");
    std::fs::write(&empty, "").unwrap();
    let mut c = tool("ldapsearch");
    c.env_remove("LDAPNOINIT")
        .env("LDAPCONF", &empty)
        .env("HOME", dir)
        .env("LDAPRC", "no-such-ldaprc");
    c.env("LDAPTLS_REQCERT", "demand");
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ldapsearch: apt-get install ldap-utils"]
async fn ldaps_with_a_self_signed_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert_pem, key_pem) = self_signed();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, cert_pem).unwrap();
    std::fs::write(&key, key_pem).unwrap();
    let (svc, _h) = start(
        config().with_tls(TlsFiles::new(&cert, &key)),
        Some(people()),
    )
    .await;
    let ldaps = format!("ldaps://{}", svc.local_addr());
    let mut c = tls_tool(dir.path());
    c.env("LDAPTLS_CACERT", &cert);
    c.args([
        "-x",
        "-LLL",
        "-o",
        "nettimeout=10",
        "-H",
        &ldaps,
        "-D",
        BIND_DN,
        "-w",
        PW,
        "-b",
        BASE,
        "(cn=Ann Lee)",
        "cn",
    ]);
    let f = run_ldif(c).await;
    assert_eq!(f.code, 0, "{}", f.stderr);
    assert_eq!(f.cn_strings(), vec!["Ann Lee"]);
    // Without trusting the certificate the client refuses: it really is TLS with our cert.
    let other = dir.path().join("other.pem");
    std::fs::write(&other, self_signed().0).unwrap();
    let mut c = tls_tool(dir.path());
    c.env("LDAPTLS_CACERT", &other);
    c.args([
        "-x",
        "-LLL",
        "-o",
        "nettimeout=10",
        "-H",
        &ldaps,
        "-D",
        BIND_DN,
        "-w",
        PW,
        "-b",
        BASE,
        "(cn=Ann Lee)",
    ]);
    let f = run_ldif(c).await;
    assert_ne!(f.code, 0);
    assert!(f.entries.is_empty());
    // Plain LDAP to the LDAPS port gets nothing.
    let f = search(
        &format!("ldap://{}", svc.local_addr()),
        BASE,
        "one",
        "(objectClass=*)",
        &[],
    )
    .await;
    assert_ne!(f.code, 0);
    assert!(f.entries.is_empty());
    svc.shutdown().await;

    // A missing key file is named in the error.
    let missing = dir.path().join("missing-key.pem");
    let e = DirectoryService::bind(
        config().with_tls(TlsFiles::new(&cert, &missing)),
        EntrySetHandle::new(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            e,
            ServeError::Config(ConfigError::Tls {
                what: "private key",
                ..
            })
        ),
        "{e}"
    );
    assert!(e.to_string().contains("missing-key.pem"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_follows_the_set_file_the_sync_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = EntrySet::path_beside(&dir.path().join("state.json"));
    let (svc, h) = start(config(), None).await;
    let watcher = watch_file(h.clone(), path.clone(), Duration::from_millis(50));
    EntrySet::from_served(people())
        .unwrap()
        .save(&path)
        .unwrap();
    let mut ldap = ldap3_bound(&url(&svc)).await;
    let mut n = 0;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        n = h.current().map_or(0, |s| s.len());
        if n == 10 {
            break;
        }
    }
    assert_eq!(n, 10);
    assert_eq!(cns(&mut ldap, "(cn=Ann Lee)").await, vec!["Ann Lee"]);
    // Over 10,000 records: refused, the previous set stays served.
    let too_many = format!(
        "{{\"format\":1,\"entries\":[{}]}}",
        (0..10_001)
            .map(|i| format!("{{\"cn\":\"p{i}\",\"telephoneNumber\":\"{i}\"}}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    std::fs::write(&path, too_many).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(h.current().map(|s| s.len()), Some(10));
    // The next good file replaces it.
    EntrySet::from_served(vec![ServedEntry::new("Only One", "400")])
        .unwrap()
        .save(&path)
        .unwrap();
    let mut n = 0;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        n = h.current().map_or(0, |s| s.len());
        if n == 1 {
            break;
        }
    }
    assert_eq!(n, 1);
    assert_eq!(cns(&mut ldap, "(objectClass=*)").await, vec!["Only One"]);
    watcher.abort();
    svc.shutdown().await;
}
