//! Writes go to the node their record names (`ipaddress=` LAN1 address, resolved from a
//! system name through `GET systems`), against a mock two-node Server Edition (mockito).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use ipo_client::{IpoClient, IpoConfig, IpoError, NodeInfo, RetryPolicy, Secret};
use ipo_model::{
    Extension, ExtensionKind, IpoChange, IpoConfigStore, IpoUser, LicensingMode, PortError,
};
use mockito::{Matcher, Mock, Server, ServerGuard};

/// HQ 10.0.0.5 (primary), Branch 10.0.1.5.
const HQ: &str = "10.0.0.5";
const BRANCH: &str = "10.0.1.5";

/// One write as the mock saw it: its `ipaddress=` (if any) and the record names, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    node: Option<String>,
    names: Vec<String>,
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// The GUID the mock gives record `name` (`u3` -> `...0003`), so outcomes can be checked
/// against names whatever request carried them.
fn guid_for(name: &str) -> String {
    let n: u32 = name
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .unwrap_or(0);
    format!("{:032X}", 0xA000_0000u32 + n)
}

/// The `ipaddress=` of a request path.
fn ipaddress(path_and_query: &str) -> Option<String> {
    let query = path_and_query.split_once('?')?.1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("ipaddress="))
        .map(str::to_owned)
}

/// Text of every `<tag>` in `body`, in order.
fn texts(body: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    body.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split_once(&close).map(|(t, _)| t.to_owned()))
        .collect()
}

/// POST `resource` on any node: logs the node and the records, answers one success per
/// record with a GUID derived from its name (`key` is `Name` for users, `Extension` for
/// extensions).
async fn post(server: &mut ServerGuard, resource: &str, key: &'static str) -> (Mock, Log) {
    let log: Log = Arc::default();
    let l = log.clone();
    let element = if resource == "users" {
        "User"
    } else {
        "Extension"
    };
    let m = server
        .mock("POST", format!("{API}/{resource}").as_str())
        .match_query(Matcher::Any)
        .match_header("cookie", Matcher::Regex("JSESSIONID=js1".into()))
        .with_status(200)
        .with_body_from_request(move |req| {
            let body = String::from_utf8(req.body().unwrap().clone()).unwrap();
            let names = texts(&body, key);
            l.lock().unwrap().push(Seen {
                node: ipaddress(req.path_and_query()),
                names: names.clone(),
            });
            let objects: String = names
                .iter()
                .map(|n| {
                    format!(
                        r#"<ws_object><{element} GUID="{}"/></ws_object>"#,
                        guid_for(n)
                    )
                })
                .collect();
            format!(
                r#"<?xml version="1.0"?><response status="1"><data>{objects}</data></response>"#
            )
            .into_bytes()
        })
        .create_async()
        .await;
    (m, log)
}

fn client(server: &ServerGuard, batch_size: usize) -> IpoClient {
    let mut cfg = IpoConfig::new(server.url(), "sync", Secret::new("s3cret!"));
    cfg.retry = RetryPolicy::default()
        .with_max_attempts(2)
        .with_base_delay(std::time::Duration::from_millis(2))
        .with_max_delay(std::time::Duration::from_millis(50))
        .with_request_timeout(std::time::Duration::from_secs(10));
    cfg.batch_size = batch_size;
    cfg.licensing_mode = Some(ipo_model::LicensingMode::Plds);
    IpoClient::new(cfg).unwrap()
}

fn create(name: &str, node: Option<&str>) -> IpoChange {
    let mut u = IpoUser::new(name.parse().unwrap(), LicensingMode::Plds);
    u.node = node.map(str::to_owned);
    IpoChange::CreateUser(u)
}

fn seen(log: &Log) -> Vec<Seen> {
    log.lock().unwrap().clone()
}

fn at(node: Option<&str>, names: &[&str]) -> Seen {
    Seen {
        node: node.map(str::to_owned),
        names: names.iter().map(|n| (*n).to_owned()).collect(),
    }
}

#[tokio::test]
async fn create_on_node_named_branch_goes_to_branch_lan1_address() {
    let mut server = Server::new_async().await;
    let _l = login(&mut server).await;
    let _s = systems(&mut server).await;
    let (_u, users) = post(&mut server, "users", "Name").await;
    let (_e, exts) = post(&mut server, "extensions", "Extension").await;
    let c = client(&server, 50);

    let mut ext = Extension::new("207".parse().unwrap(), ExtensionKind::Sip);
    ext.node = Some(BRANCH.into()); // an address is taken as it is listed
    let out = c
        .apply(vec![
            IpoChange::CreateExtension(ext),
            create("u7", Some("Branch")),
        ])
        .await;

    assert_eq!(
        out[0].as_ref().unwrap().guid.as_ref().unwrap().as_str(),
        guid_for("207")
    );
    assert_eq!(
        out[1].as_ref().unwrap().guid.as_ref().unwrap().as_str(),
        guid_for("u7")
    );
    assert_eq!(seen(&exts), vec![at(Some(BRANCH), &["207"])]);
    assert_eq!(seen(&users), vec![at(Some(BRANCH), &["u7"])]);
    // The name was resolved through the listing, read once.
    assert_eq!(
        c.nodes().await.unwrap(),
        vec![
            NodeInfo::new("HQ", Some(HQ.into())),
            NodeInfo::new("Branch", Some(BRANCH.into()))
        ]
    );
}

#[tokio::test]
async fn mixed_batch_is_split_per_node_in_batch_sized_requests_with_outcomes_in_order() {
    let mut server = Server::new_async().await;
    let _l = login(&mut server).await;
    let sys = systems(&mut server).await.expect(1);
    let (_u, users) = post(&mut server, "users", "Name").await;
    let c = client(&server, 2);

    let changes = vec![
        create("u1", Some("HQ")),
        create("u2", Some("Branch")),
        create("u3", None),
        create("u4", Some(BRANCH)),
        create("u5", Some("branch")),
        create("u6", Some("Branch")),
    ];
    let out = c.apply(changes).await;

    // Each outcome carries the GUID the server gave that very record.
    let guids: Vec<String> = out
        .iter()
        .map(|o| {
            o.as_ref()
                .unwrap()
                .guid
                .as_ref()
                .unwrap()
                .as_str()
                .to_owned()
        })
        .collect();
    let want: Vec<String> = (1..=6).map(|i| guid_for(&format!("u{i}"))).collect();
    assert_eq!(guids, want);
    // One listing for the names; nodes in order of first appearance, batches of 2.
    sys.assert_async().await;
    assert_eq!(
        seen(&users),
        vec![
            at(Some(HQ), &["u1"]),
            at(Some(BRANCH), &["u2", "u4"]),
            at(Some(BRANCH), &["u5", "u6"]),
            at(None, &["u3"]),
        ]
    );
}

#[tokio::test]
async fn unknown_node_fails_only_its_records_with_a_typed_error_and_sends_nothing_for_them() {
    let mut server = Server::new_async().await;
    let _l = login(&mut server).await;
    let _s = systems(&mut server).await;
    let (_u, users) = post(&mut server, "users", "Name").await;
    let c = client(&server, 50);

    let out = c
        .apply(vec![
            create("u1", Some("Branch")),
            create("u2", Some("Nowhere")),
            create("u3", None),
            create("u4", Some("10.9.9.9")),
        ])
        .await;

    for (i, node) in [(1, "Nowhere"), (3, "10.9.9.9")] {
        match &out[i] {
            Err(PortError::InvalidData {
                record,
                field,
                message,
            }) => {
                assert_eq!(record, &format!("user u{}", i + 1));
                assert_eq!(field, "node");
                assert!(message.contains(&format!("{node:?}")), "{message}");
                assert!(message.contains("Branch (10.0.1.5)"), "{message}");
                assert!(message.contains("nothing was sent"), "{message}");
            }
            other => panic!("u{}: {other:?}", i + 1),
        }
    }
    assert!(out[0].is_ok() && out[2].is_ok(), "{out:?}");
    // The refused records went nowhere: not to the primary, not to another node.
    assert_eq!(
        seen(&users),
        vec![at(Some(BRANCH), &["u1"]), at(None, &["u3"])]
    );
}

#[tokio::test]
async fn configured_node_stays_the_default_and_a_record_node_overrides_it() {
    let mut server = Server::new_async().await;
    let _l = login(&mut server).await;
    let _s = systems(&mut server).await;
    let (_u, users) = post(&mut server, "users", "Name").await;
    let mut cfg = IpoConfig::new(server.url(), "sync", Secret::new("s3cret!"));
    cfg.retry = RetryPolicy::default()
        .with_max_attempts(2)
        .with_base_delay(std::time::Duration::from_millis(2))
        .with_max_delay(std::time::Duration::from_millis(50))
        .with_request_timeout(std::time::Duration::from_secs(10));
    cfg.node = Some(HQ.into());
    cfg.licensing_mode = Some(ipo_model::LicensingMode::Plds);
    let c = IpoClient::new(cfg).unwrap();

    let out = c
        .apply(vec![
            create("u1", None),
            create("u2", Some("Branch")),
            create("u3", Some(HQ)),
        ])
        .await;

    assert!(out.iter().all(Result::is_ok), "{out:?}");
    assert_eq!(
        seen(&users),
        vec![at(Some(HQ), &["u1", "u3"]), at(Some(BRANCH), &["u2"])]
    );
}

#[tokio::test]
async fn refused_login_stops_every_node_batch_without_sending() {
    let mut server = Server::new_async().await;
    let login = server
        .mock("GET", AUTH)
        .with_status(401)
        .expect(1)
        .create_async()
        .await;
    let (_u, users) = post(&mut server, "users", "Name").await;
    let c = client(&server, 1);

    let out = c
        .apply(vec![
            create("u1", Some("Branch")),
            create("u2", None),
            create("u3", Some("HQ")),
        ])
        .await;

    login.assert_async().await;
    assert!(seen(&users).is_empty());
    assert!(matches!(&out[0], Err(PortError::Auth(_))), "{:?}", out[0]);
    for o in &out[1..] {
        assert!(matches!(o, Err(PortError::NotAttempted { .. })), "{o:?}");
    }
}

#[tokio::test]
async fn unknown_node_is_a_typed_client_error_naming_record_and_node() {
    let e = IpoError::UnknownNode {
        record: "user Ann".into(),
        node: "Nowhere".into(),
        reason: "is neither the LAN1 address nor the system name of a node".into(),
    };
    let text = e.to_string();
    assert!(
        text.starts_with("user Ann: IP Office node \"Nowhere\""),
        "{text}"
    );
    // Its port error (InvalidData naming record and node) is checked in store.rs.
}

const USERS_XML: &str = include_str!("fixtures/users.xml");
const EMPTY_XML: &str = r#"<?xml version="1.0"?><response status="1"><data set="0" totalRecords="0"></data></response>"#;

/// `GET resource?ipaddress=node` answering `body`.
async fn get_on(server: &mut ServerGuard, resource: &str, node: &str, body: &str) -> Mock {
    server
        .mock("GET", format!("{API}/{resource}").as_str())
        .match_query(Matcher::UrlEncoded("ipaddress".into(), node.into()))
        .with_body(body)
        .expect(1)
        .create_async()
        .await
}

#[tokio::test]
async fn snapshot_reads_each_node_and_an_update_goes_back_to_the_node_holding_the_user() {
    let mut server = Server::new_async().await;
    let _l = login(&mut server).await;
    let _s = systems(&mut server).await;
    let _lic = server
        .mock("GET", format!("{API}/licenses").as_str())
        .with_body(EMPTY_XML)
        .create_async()
        .await;
    let _hg = server
        .mock("GET", format!("{API}/huntgroups").as_str())
        .with_body(EMPTY_XML)
        .create_async()
        .await;
    // Ann and Sean live on the branch; the primary holds no users.
    let reads = vec![
        get_on(&mut server, "users", HQ, EMPTY_XML).await,
        get_on(&mut server, "users", BRANCH, USERS_XML).await,
        get_on(&mut server, "extensions", HQ, EMPTY_XML).await,
        get_on(&mut server, "extensions", BRANCH, EMPTY_XML).await,
    ];
    let log: Log = Arc::default();
    let l = log.clone();
    let put = server
        .mock("PUT", format!("{API}/users").as_str())
        .match_query(Matcher::Any)
        .with_body_from_request(move |req| {
            let body = String::from_utf8(req.body().unwrap().clone()).unwrap();
            l.lock().unwrap().push(Seen {
                node: ipaddress(req.path_and_query()),
                names: texts(&body, "Name"),
            });
            br#"<?xml version="1.0"?><response status="1"><data><ws_object><User GUID="0B67A4002C7C11E08678000C29F56F71"/></ws_object></data></response>"#.to_vec()
        })
        .expect(1)
        .create_async()
        .await;
    let c = client(&server, 50);

    let snap = c.snapshot().await.unwrap();
    for m in reads {
        m.assert_async().await;
    }
    let mut ann = snap
        .users
        .iter()
        .find(|u| u.name.as_str() == "Ann")
        .unwrap()
        .clone();
    assert_eq!(ann.node.as_deref(), Some(BRANCH));
    ann.full_name = Some("Ann Branch".parse().unwrap());
    let out = c.apply(vec![IpoChange::UpdateUser(ann)]).await;

    assert!(out[0].is_ok(), "{out:?}");
    put.assert_async().await;
    assert_eq!(seen(&log), vec![at(Some(BRANCH), &["Ann"])]);
}
