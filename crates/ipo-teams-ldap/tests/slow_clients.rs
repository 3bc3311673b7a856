//! Clients that try to hold the service, on raw sockets: a request trickled a byte at a
//! time, a flood of connections from one address or from many, and a message claiming a
//! multi-gigabyte length. IP Office (its configured address, or any other well-behaved
//! client) must still get its directory.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use common::raw::{RawClient, bind_request_bytes, connect_from};
use common::*;
use ldap3_proto::proto::{LdapResultCode, LdapSearchScope};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn lo(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
}

/// The notice of disconnection's resultCode (ENUMERATED, 0x0a 0x01 code) is in `bytes`.
fn has_result_code(bytes: &[u8], code: u8) -> bool {
    bytes.windows(3).any(|w| w == [0x0a, 0x01, code])
}

/// IP Office's bind and whole search from `source`: the number of people it got.
async fn ip_office_import(source: IpAddr, svc: &ipo_teams_ldap::RunningService) -> usize {
    let mut c = RawClient::connect_from(source, svc.local_addr())
        .await
        .unwrap();
    let r = c.bind(2, BIND_DN, PW).await.unwrap();
    assert_eq!(r.code, LdapResultCode::Success, "{r:?}");
    let (found, done) = c
        .search(
            BASE,
            LdapSearchScope::Subtree,
            "(objectClass=person)",
            &["cn", "telephoneNumber"],
        )
        .await
        .unwrap();
    assert_eq!(done.code, LdapResultCode::Success, "{done:?}");
    found.len()
}

/// A bind request sent one byte every 200 ms never goes idle, but it is closed once the
/// whole request has not arrived within `request_timeout`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_trickled_a_byte_at_a_time_is_closed_at_the_request_timeout() {
    let mut cfg = config();
    cfg.idle_timeout = Duration::from_secs(2);
    cfg.request_timeout = Duration::from_millis(800);
    let (svc, _h) = start(cfg, Some(people())).await;
    // A whole bind request (about 50 bytes: 10 s at this pace).
    let bind = bind_request_bytes(3, BIND_DN, PW);
    assert!(bind.len() > 40);
    let s = TcpStream::connect(svc.local_addr()).await.unwrap();
    let (mut rd, mut wr) = s.into_split();
    let t0 = Instant::now();
    let trickle = tokio::spawn(async move {
        for b in bind {
            if wr.write_all(&[b]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let mut buf = [0u8; 256];
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match rd.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    let waited = t0.elapsed();
    trickle.abort();
    assert!(
        closed.is_ok(),
        "still open after 5 s of a byte every 200 ms"
    );
    assert!(
        waited >= Duration::from_millis(700) && waited < Duration::from_millis(2_000),
        "closed after {waited:?}, not at the 800 ms request timeout"
    );
    svc.shutdown().await;
}

/// One address opening connections until refused takes its own share only: a client from
/// another address is still served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_address_leaves_room_for_the_others() {
    let mut cfg = config();
    cfg.max_connections = 4;
    cfg.max_connections_per_address = 2;
    let (svc, _h) = start(cfg, Some(people())).await;
    let mut held = Vec::new();
    for _ in 0..2 {
        held.push(connect_from(lo(1), svc.local_addr()).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = connect_from(lo(1), svc.local_addr()).await.unwrap();
    let notice = read_until_closed(&mut third, Duration::from_secs(3))
        .await
        .expect("the third connection from one address is closed at once");
    assert!(has_result_code(&notice, 51), "busy: {notice:02x?}");
    assert_eq!(ip_office_import(lo(2), &svc).await, 10);
    drop(held);
    svc.shutdown().await;
}

/// Every slot taken by others: IP Office's configured address still gets in, and nobody
/// else does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ip_office_addresses_keep_their_room_when_every_slot_is_taken() {
    let mut cfg = config();
    cfg.max_connections = 3;
    cfg.max_connections_per_address = 2;
    cfg.ip_office_addresses = vec![lo(9)];
    let (svc, _h) = start(cfg, Some(people())).await;
    let mut held = Vec::new();
    for source in [lo(1), lo(1), lo(2)] {
        held.push(connect_from(source, svc.local_addr()).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut other = connect_from(lo(3), svc.local_addr()).await.unwrap();
    let notice = read_until_closed(&mut other, Duration::from_secs(3))
        .await
        .expect("a fourth client is refused");
    assert!(has_result_code(&notice, 51), "busy: {notice:02x?}");
    // IP Office, twice at once (two systems behind one address, or a resync overlapping).
    let (a, b) = tokio::join!(ip_office_import(lo(9), &svc), ip_office_import(lo(9), &svc));
    assert_eq!((a, b), (10, 10));
    drop(held);
    svc.shutdown().await;
}

/// A message header claiming gigabytes (or more than `max_message_bytes`) closes the
/// connection as soon as the length is read, not when a buffer fills or the idle timeout
/// runs out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_length_over_the_message_limit_is_refused_as_soon_as_it_is_read() {
    let (svc, _h) = start(config(), Some(people())).await; // idle timeout 60 s
    let headers: [&[u8]; 4] = [
        &[0x30, 0x84, 0xff, 0xff, 0xff, 0xf0], // 4 GiB
        &[0x30, 0x88, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // 8 EiB
        &[0x30, 0x83, 0x00, 0x80, 0x01],       // 32 KiB + 1
        &[0x30, 0x80],                         // indefinite: not LDAP
    ];
    for header in headers {
        let mut s = TcpStream::connect(svc.local_addr()).await.unwrap();
        s.write_all(header).await.unwrap();
        let t0 = Instant::now();
        let notice = read_until_closed(&mut s, Duration::from_secs(3)).await;
        let notice = notice.unwrap_or_else(|| panic!("{header:02x?}: still open after 3 s"));
        assert!(t0.elapsed() < Duration::from_secs(1), "{header:02x?}");
        assert!(has_result_code(&notice, 2), "protocolError: {notice:02x?}");
    }
    assert_eq!(ip_office_import(lo(1), &svc).await, 10);
    svc.shutdown().await;
}
