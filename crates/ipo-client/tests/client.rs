//! The client against a mock IP Office (mockito), with bodies in the documented shapes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use ipo_client::{IpoClient, IpoConfig, IpoError, RetryPolicy, Secret, WireFormat, wire};
use ipo_model::{
    ExtensionKind, IpoChange, IpoConfigStore, IpoUser, LicensingMode, PortError, Profile, RawValue,
};
use mockito::{Matcher, Mock, Server, ServerGuard};

const AUTH: &str = "/WebManagement/ws/sdk/security/authenticate";
const API: &str = "/WebManagement/ws/sdk/admin/v1";
const USERS_XML: &str = include_str!("fixtures/users.xml");
const USERS_JSON: &str = include_str!("fixtures/users.json");
const SYSTEMS_XML: &str = include_str!("fixtures/systems.xml");
const LICENSES_XML: &str = include_str!("fixtures/licenses.xml");
const EXTENSIONS_JSON: &str = include_str!("fixtures/extensions.json");
const HUNTGROUPS_XML: &str = include_str!("fixtures/huntgroups.xml");
const CREATE_ERRORS_XML: &str = include_str!("fixtures/create_errors.xml");
const TIMEOUT_XML: &str = include_str!("fixtures/timeout.xml");
const UNKNOWN_GUID_JSON: &str = include_str!("fixtures/unknown_guid.json");
const EMPTY_XML: &str = r#"<?xml version="1.0"?><response status="1"><data set="0" totalRecords="0"></data></response>"#;
const OK_XML: &str = r#"<?xml version="1.0"?><response status="1"><data></data></response>"#;

fn config(server: &ServerGuard, format: WireFormat) -> IpoConfig {
    let mut cfg = IpoConfig::new(server.url(), "sync", Secret::new("s3cret!"));
    cfg.format = format;
    cfg.retry = RetryPolicy::default()
        .with_max_attempts(4)
        .with_base_delay(std::time::Duration::from_millis(2))
        .with_max_delay(std::time::Duration::from_millis(50))
        .with_request_timeout(std::time::Duration::from_secs(10));
    // The guide documents no mapping of LicenseMode (the fixture says 4): stated here.
    cfg.licensing_mode = Some(LicensingMode::Plds);
    cfg
}

/// A login mock handing out both session cookies (`n` distinguishes sessions).
async fn login(server: &mut ServerGuard, n: u32, hits: usize) -> Mock {
    server
        .mock("GET", AUTH)
        // base64("sync:s3cret!")
        .match_header("authorization", "Basic c3luYzpzM2NyZXQh")
        .match_header("x-user-client", "Avaya-WebAdmin")
        .match_header("x-user-agent", "Avaya-SDKUser")
        .with_status(200)
        .with_header(
            "set-cookie",
            &format!("JSESSIONID=js{n}; Path=/WebManagement/; HttpOnly"),
        )
        .with_header("set-cookie", &format!("SDK-Token=tok{n}; Secure"))
        .with_body(OK_XML)
        .expect(hits)
        .create_async()
        .await
}

fn session(n: u32) -> Matcher {
    Matcher::AllOf(vec![
        Matcher::Regex(format!("JSESSIONID=js{n}(;|$)")),
        Matcher::Regex(format!("SDK-Token=tok{n}(;|$)")),
    ])
}

async fn get(server: &mut ServerGuard, resource: &str, body: &str, n: u32) -> Mock {
    server
        .mock("GET", format!("{API}/{resource}").as_str())
        .match_header("cookie", session(n))
        .match_header("x-user-client", "Avaya-WebAdmin")
        .with_status(200)
        .with_header("content-type", "application/xml")
        .with_body(body)
        .create_async()
        .await
}

/// `GET resource?ipaddress=node` (session 1).
async fn get_on(server: &mut ServerGuard, resource: &str, body: &str, node: &str) -> Mock {
    server
        .mock("GET", format!("{API}/{resource}").as_str())
        .match_query(Matcher::UrlEncoded("ipaddress".into(), node.into()))
        .match_header("cookie", session(1))
        .with_status(200)
        .with_body(body)
        .expect(1)
        .create_async()
        .await
}

/// A write mock that records the body it received.
async fn capture(
    server: &mut ServerGuard,
    method: &str,
    resource: &str,
    answer: &'static str,
) -> (Mock, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let m = server
        .mock(method, format!("{API}/{resource}").as_str())
        .match_header("cookie", session(1))
        .with_status(200)
        .with_body_from_request(move |req| {
            s.lock()
                .unwrap()
                .push(String::from_utf8(req.body().unwrap().clone()).unwrap());
            answer.as_bytes().to_vec()
        })
        .create_async()
        .await;
    (m, seen)
}

/// `systems`, whatever the session (read for the licensing mode).
async fn systems(server: &mut ServerGuard) -> Mock {
    server
        .mock("GET", format!("{API}/systems").as_str())
        .with_body(SYSTEMS_XML)
        .create_async()
        .await
}

fn user(users: &[IpoUser], name: &str) -> IpoUser {
    users
        .iter()
        .find(|u| u.name.as_str() == name)
        .unwrap()
        .clone()
}

#[tokio::test]
async fn login_keeps_both_cookies_and_snapshot_reads_everything() {
    let mut server = Server::new_async().await;
    let l = login(&mut server, 1, 1).await;
    let mocks = vec![
        get(&mut server, "systems", SYSTEMS_XML, 1).await,
        get(&mut server, "licenses", LICENSES_XML, 1).await,
        // Two nodes listed: users and extensions are read per node (LAN1 address), so
        // each record knows its node; the branch has none of them.
        get_on(&mut server, "users", USERS_XML, "10.0.0.5").await,
        get_on(&mut server, "users", EMPTY_XML, "10.0.1.5").await,
        get_on(&mut server, "extensions", EXTENSIONS_JSON, "10.0.0.5").await,
        get_on(&mut server, "extensions", EMPTY_XML, "10.0.1.5").await,
        get(&mut server, "huntgroups", HUNTGROUPS_XML, 1).await,
    ];
    let logout = server
        .mock("DELETE", AUTH)
        .match_header("cookie", session(1))
        .with_status(200)
        .create_async()
        .await;
    let client = IpoClient::new(config(&server, WireFormat::Xml)).unwrap();
    let snap = client.snapshot().await.unwrap();
    l.assert_async().await;
    for m in mocks {
        m.assert_async().await;
    }
    assert_eq!(snap.system.name, "HQ");
    assert_eq!(snap.system.version, "12.1.0.80");
    assert_eq!(snap.system.licensing_mode, LicensingMode::Plds);
    assert_eq!(snap.system.node_address.as_deref(), Some("10.0.0.5"));
    assert_eq!(snap.system.nodes, ["10.0.1.5"]);
    assert_eq!(snap.free_licenses(Profile::PowerUser), 7);
    assert_eq!(snap.users.len(), 3);
    assert!(
        snap.users
            .iter()
            .all(|u| u.node.as_deref() == Some("10.0.0.5"))
    );
    assert!(
        snap.extensions
            .iter()
            .all(|e| e.node.as_deref() == Some("10.0.0.5"))
    );
    let no_user = user(&snap.users, "NoUser");
    assert!(no_user.is_no_user());
    assert_eq!(no_user.extension, None);
    assert_eq!(no_user.profile, Profile::NonLicensed);
    let ann = user(&snap.users, "Ann");
    assert_eq!(ann.profile, Profile::PowerUser);
    assert_eq!(ann.teams_client, Some(false));
    assert_eq!(ann.mobile_twinning_number.as_deref(), Some("07700900123"));
    // 1234 breaks the voicemail code rules: read as unset, kept on the wire.
    assert_eq!(ann.voicemail_code, None);
    assert_eq!(ann.raw.text("VoicemailCode").unwrap(), "1234");
    assert!(ann.login_code.is_some());
    assert!(matches!(ann.raw.get("DSSKeys"), Some(RawValue::Element(_))));
    assert!(ann.raw.get("GUID").is_none(), "attributes are not fields");
    let sean = user(&snap.users, "Sean");
    assert_eq!(sean.full_name.unwrap().as_str(), "Seán \"Bob\" Ó Briain");
    assert_eq!(sean.login_code, None, "12 is too short: unset");
    assert_eq!(snap.extensions.len(), 2);
    assert_eq!(snap.extensions[0].kind, ExtensionKind::Sip);
    assert_eq!(snap.extensions[0].id, Some(17));
    assert_eq!(snap.extensions[1].number.as_str(), "202");
    assert_eq!(snap.extensions[1].kind, ExtensionKind::H323);
    assert_eq!(snap.hunt_groups[0].members.len(), 2);
    // Secrets stay out of Debug.
    let dbg = format!("{snap:?} {client:?}");
    assert!(!dbg.contains("pa$$w0rd") && !dbg.contains("480117") && !dbg.contains("s3cret"));
    client.close().await;
    logout.assert_async().await;
    let st = client.stats();
    assert_eq!(st.logins, 1);
    // login, systems, licenses, 2 x users, 2 x extensions, huntgroups, logout.
    assert_eq!(st.requests, 9);
    assert_eq!(st.retries, 0);
}

#[tokio::test]
async fn json_listing_keeps_types_and_round_trips() {
    let users = wire::parse_users(USERS_JSON, LicensingMode::Plds).unwrap();
    assert_eq!(users.len(), 3);
    let ann = user(&users, "Ann");
    assert_eq!(ann.raw.get("Priority"), Some(&RawValue::Number("5".into())));
    assert_eq!(ann.raw.get("XDirectory"), Some(&RawValue::Bool(false)));
    assert_eq!(ann.raw.get("Extra"), Some(&RawValue::Null));
    assert_eq!(ann.extension.as_ref().unwrap().as_str(), "201");
    assert_eq!(ann.twinning, ipo_model::TwinningType::Mobile);
    assert!(!user(&users, "Sean").exclude_from_directory);
}

async fn lossless_update(format: WireFormat, listing: &str) {
    let mut server = Server::new_async().await;
    let _l = login(&mut server, 1, 1).await;
    let _s = get(&mut server, "systems", SYSTEMS_XML, 1).await;
    let (put, seen) = capture(&mut server, "PUT", "users", OK_XML).await;
    let client = IpoClient::new(config(&server, format)).unwrap();
    let users = wire::parse_users(listing, LicensingMode::Plds).unwrap();
    let before = user(&users, "Ann");
    let mut ann = before.clone();
    ann.full_name = Some("Ann Lee Smith".parse().unwrap());
    let out = client.apply(vec![IpoChange::UpdateUser(ann)]).await;
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].as_ref().unwrap().guid, before.guid);
    put.assert_async().await;
    let body = seen.lock().unwrap()[0].clone();
    assert!(if format == WireFormat::Xml {
        body.starts_with('<')
    } else {
        body.starts_with('{')
    });
    let sent: Vec<_> = wire::parse_envelope(&body)
        .unwrap()
        .into_records()
        .collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].guid().as_deref(),
        Some("0B67A4002C7C11E08678000C29F56F71")
    );
    let (a, b) = (&before.raw.0, &sent[0].fields.0);
    assert_eq!(a.len(), b.len(), "same fields, nothing added or dropped");
    for ((na, va), (nb, vb)) in a.iter().zip(b) {
        assert_eq!(na, nb, "same order");
        if na == "FullName" {
            assert_eq!(vb, &RawValue::Text("Ann Lee Smith".into()));
        } else {
            assert_eq!(va, vb, "field {na} unchanged");
        }
    }
    client.close().await;
}

#[tokio::test]
async fn update_changes_only_the_full_name_xml() {
    lossless_update(WireFormat::Xml, USERS_XML).await;
}

#[tokio::test]
async fn update_changes_only_the_full_name_json() {
    lossless_update(WireFormat::Json, USERS_JSON).await;
}

#[tokio::test]
async fn update_body_is_byte_for_byte_except_the_change() {
    let users = wire::parse_users(USERS_XML, LicensingMode::Plds).unwrap();
    let ann = user(&users, "Ann");
    let names = ipo_client::WireNames::default();
    let same = wire::write_users(
        WireFormat::Xml,
        std::slice::from_ref(&ann),
        LicensingMode::Plds,
        &names,
        false,
    )
    .unwrap();
    let mut changed = ann.clone();
    changed.full_name = Some("Ann Lee Smith".parse().unwrap());
    let new = wire::write_users(
        WireFormat::Xml,
        &[changed],
        LicensingMode::Plds,
        &names,
        false,
    )
    .unwrap();
    assert_eq!(
        same.replace(
            "<FullName>Ann Lee</FullName>",
            "<FullName>Ann Lee Smith</FullName>"
        ),
        new
    );
    assert!(new.contains(r#"<DSSKeys><DSSKey Key="1"><KeyType>0</KeyType><Label></Label><ActionObject>39</ActionObject><Data>a=</Data></DSSKey><DSSKey Key="2"><KeyType>0</KeyType><Label>Park &lt;1&gt;</Label>"#));
    assert!(new.contains("<VoicemailCode>1234</VoicemailCode>"));
    assert!(new.contains("<UserRights>Sales &amp; Support</UserRights>"));
}

#[tokio::test]
async fn create_batch_with_two_errors_maps_each_record() {
    let mut server = Server::new_async().await;
    let _l = login(&mut server, 1, 1).await;
    let _s = get(&mut server, "systems", SYSTEMS_XML, 1).await;
    let (post, seen) = capture(&mut server, "POST", "users", CREATE_ERRORS_XML).await;
    let client = IpoClient::new(config(&server, WireFormat::Xml)).unwrap();
    let mk = |n: &str, e: &str| {
        let mut u = IpoUser::new(n.parse().unwrap(), LicensingMode::Plds);
        u.extension = Some(e.parse().unwrap());
        u.full_name = Some(format!("{n} & <Co \"Ltd\" 'Zoë'").parse().unwrap());
        IpoChange::CreateUser(u)
    };
    let out = client
        .apply(vec![mk("Ann", "201"), mk("Bob", "202"), mk("Cy", "203")])
        .await;
    post.assert_async().await;
    let body = seen.lock().unwrap()[0].clone();
    assert_eq!(
        body.matches("<ws_object>").count(),
        3,
        "one request, three records"
    );
    assert!(body.contains("<FullName>Ann &amp; &lt;Co &quot;Ltd&quot; &apos;Zoë&apos;</FullName>"));
    match &out[0] {
        Err(PortError::Conflict { record, message }) => {
            assert_eq!(record, "user Ann");
            assert!(message.contains("9020") && message.contains("10.0.0.5"));
            assert!(message.contains("Name Already Exist") && message.contains("[Ann]"));
        }
        other => panic!("{other:?}"),
    }
    match &out[1] {
        Err(PortError::Conflict { record, message }) => {
            assert_eq!(record, "user Bob");
            assert!(message.contains("18011") && message.contains("InvalidValue"));
            assert!(message.contains("Extension conflicts with another user"));
        }
        other => panic!("{other:?}"),
    }
    let ok = out[2].as_ref().unwrap();
    assert_eq!(
        ok.guid.as_ref().unwrap().as_str(),
        "CC00000000000000000000000000000C"
    );
    assert_eq!(ok.notices.len(), 1);
    assert!(ok.notices[0].contains("10.0.0.5"));
    assert_eq!(
        ok.restarts,
        [ipo_model::RestartNotice::new("10.0.0.5", None)]
    );
    // The guide's request bodies start with its XML declaration.
    assert!(
        body.starts_with("<?xml version='1.0' encoding='UTF-8'?>"),
        "{body}"
    );
}

#[tokio::test]
async fn update_without_guid_and_no_user_are_refused_locally() {
    let mut server = Server::new_async().await;
    let _l = login(&mut server, 1, 1).await;
    let _s = get(&mut server, "systems", SYSTEMS_XML, 1).await;
    let put = server
        .mock("PUT", format!("{API}/users").as_str())
        .expect(0)
        .create_async()
        .await;
    let client = IpoClient::new(config(&server, WireFormat::Xml)).unwrap();
    let users = wire::parse_users(USERS_XML, LicensingMode::Plds).unwrap();
    let mut no_guid = user(&users, "Sean");
    no_guid.guid = None;
    let out = client
        .apply(vec![
            IpoChange::UpdateUser(no_guid),
            IpoChange::UpdateUser(user(&users, "NoUser")),
        ])
        .await;
    assert!(
        matches!(&out[0], Err(PortError::InvalidData { field, record, .. }) if field == "GUID" && record == "user Sean")
    );
    assert!(matches!(&out[1], Err(PortError::Conflict { .. })));
    put.assert_async().await;
}

#[tokio::test]
async fn delete_not_found() {
    let mut server = Server::new_async().await;
    let _l = login(&mut server, 1, 1).await;
    let del = server
        .mock("DELETE", format!("{API}/users").as_str())
        .match_query(Matcher::UrlEncoded("guid".into(), "DEAD0000".into()))
        .match_header("cookie", session(1))
        .with_status(200)
        .with_header("content-type", "application/xml")
        .with_body(UNKNOWN_GUID_JSON)
        .create_async()
        .await;
    let client = IpoClient::new(config(&server, WireFormat::Xml)).unwrap();
    let out = client
        .apply(vec![IpoChange::DeleteUser {
            guid: "DEAD0000".parse().unwrap(),
            name: "Gone".parse().unwrap(),
            node: None,
        }])
        .await;
    del.assert_async().await;
    assert_eq!(
        out[0],
        Err(PortError::NotFound("user Gone (DEAD0000)".into()))
    );
}

#[tokio::test]
async fn session_timeout_in_body_logs_in_again_once() {
    let mut server = Server::new_async().await;
    let _sys = systems(&mut server).await;
    let l1 = login(&mut server, 1, 1).await;
    let timed_out = server
        .mock("GET", format!("{API}/users").as_str())
        .match_header("cookie", session(1))
        .with_status(200)
        .with_body(TIMEOUT_XML)
        .create_async()
        .await;
    let l2 = login(&mut server, 2, 1).await;
    let ok = get(&mut server, "users", USERS_XML, 2).await;
    let client = IpoClient::new(config(&server, WireFormat::Xml)).unwrap();
    assert_eq!(client.list_users().await.unwrap().len(), 3);
    for m in [l1, timed_out, l2, ok] {
        m.assert_async().await;
    }
    assert_eq!(client.stats().relogins, 1);
    assert_eq!(client.stats().logins, 2);
}

#[tokio::test]
async fn raw_461_status_logs_in_again() {
    let mut server = Server::new_async().await;
    let _sys = systems(&mut server).await;
    let _l1 = login(&mut server, 1, 1).await;
    let raw = server
        .mock("GET", format!("{API}/users").as_str())
        .match_header("cookie", session(1))
        .with_status(461)
        .create_async()
        .await;
    let _l2 = login(&mut server, 2, 1).await;
    let ok = get(&mut server, "users", USERS_XML, 2).await;
    let client = IpoClient::new(config(&server, WireFormat::Xml)).unwrap();
    assert_eq!(client.list_users().await.unwrap().len(), 3);
    raw.assert_async().await;
    ok.assert_async().await;
    assert_eq!(client.stats().relogins, 1);
}

#[tokio::test]
async fn retries_503_then_succeeds() {
    let mut server = Server::new_async().await;
    let _sys = systems(&mut server).await;
    let _l = login(&mut server, 1, 1).await;
    let busy = server
        .mock("GET", format!("{API}/users").as_str())
        .with_status(503)
        .with_header("retry-after", "0")
        .expect(2)
        .create_async()
        .await;
    let ok = get(&mut server, "users", USERS_XML, 1).await;
    let client = IpoClient::new(config(&server, WireFormat::Xml)).unwrap();
    assert_eq!(client.list_users().await.unwrap().len(), 3);
    busy.assert_async().await;
    ok.assert_async().await;
    let st = client.stats();
    assert_eq!(st.retries, 2);
    assert_eq!(st.requests, 5);
}

#[tokio::test]
async fn unreachable_server_gives_unavailable_per_item() {
    // A port nobody listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cfg = IpoConfig::new(format!("http://127.0.0.1:{port}"), "sync", Secret::new("x"));
    cfg.retry = RetryPolicy::default()
        .with_max_attempts(3)
        .with_base_delay(std::time::Duration::from_millis(2))
        .with_max_delay(std::time::Duration::from_millis(50))
        .with_request_timeout(std::time::Duration::from_secs(10));
    let client = IpoClient::new(cfg).unwrap();
    let out = client
        .apply(vec![IpoChange::DeleteUser {
            guid: "AB".parse().unwrap(),
            name: "Ann".parse().unwrap(),
            node: None,
        }])
        .await;
    assert!(
        matches!(&out[0], Err(PortError::Unavailable { .. })),
        "{out:?}"
    );
    assert_eq!(client.stats().retries, 2);
}

#[tokio::test]
async fn json_labelled_as_xml_is_sniffed() {
    let mut server = Server::new_async().await;
    let _sys = systems(&mut server).await;
    let _l = login(&mut server, 1, 1).await;
    let _u = get(&mut server, "users", USERS_JSON, 1).await; // content-type says XML
    let client = IpoClient::new(config(&server, WireFormat::Xml)).unwrap();
    assert_eq!(client.list_users().await.unwrap().len(), 3);
}

#[tokio::test]
async fn malformed_body_is_a_typed_error() {
    let mut server = Server::new_async().await;
    let _l = login(&mut server, 1, 1).await;
    let _u = get(
        &mut server,
        "users",
        "<response status=\"1\"><data><ws_object><User>",
        1,
    )
    .await;
    let client = IpoClient::new(config(&server, WireFormat::Xml)).unwrap();
    let err = client.list_users().await.unwrap_err();
    assert!(
        matches!(&err, IpoError::Malformed { what, .. } if what == "GET users"),
        "{err}"
    );
    let mut server2 = Server::new_async().await;
    let _l = login(&mut server2, 1, 1).await;
    let _u = get(&mut server2, "users", "Service temporarily down", 1).await;
    let client2 = IpoClient::new(config(&server2, WireFormat::Xml)).unwrap();
    assert!(matches!(
        client2.list_users().await,
        Err(IpoError::Malformed { .. })
    ));
}

#[tokio::test]
async fn wrong_password_is_one_attempt_and_a_typed_error() {
    let mut server = Server::new_async().await;
    let refused = server
        .mock("GET", AUTH)
        .with_status(401)
        .expect(1)
        .create_async()
        .await;
    let client = IpoClient::new(config(&server, WireFormat::Xml)).unwrap();
    let err = client.list_users().await.unwrap_err();
    assert!(matches!(err, IpoError::LoginFailed { .. }));
    assert!(err.to_string().contains("3 failed logins"));
    assert!(!err.to_string().contains("s3cret"));
    // Later calls fail fast without another attempt; writes are not attempted.
    let out = client
        .apply(vec![
            IpoChange::DeleteUser {
                guid: "AB".parse().unwrap(),
                name: "Ann".parse().unwrap(),
                node: None,
            },
            IpoChange::DeleteUser {
                guid: "AC".parse().unwrap(),
                name: "Bob".parse().unwrap(),
                node: None,
            },
        ])
        .await;
    assert!(matches!(&out[0], Err(PortError::Auth(_))), "{out:?}");
    assert!(
        matches!(&out[1], Err(PortError::NotAttempted { .. })),
        "{out:?}"
    );
    assert!(client.snapshot().await.is_err());
    refused.assert_async().await;
    assert_eq!(client.stats().logins, 1);
}

#[tokio::test]
async fn concurrent_callers_share_one_login() {
    let mut server = Server::new_async().await;
    let _sys = systems(&mut server).await;
    let l = login(&mut server, 1, 1).await;
    let users = server
        .mock("GET", format!("{API}/users").as_str())
        .match_header("cookie", session(1))
        .with_body(USERS_XML)
        .expect(4)
        .create_async()
        .await;
    let client = Arc::new(IpoClient::new(config(&server, WireFormat::Xml)).unwrap());
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.list_users().await.map(|u| u.len()) })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), 3);
    }
    l.assert_async().await;
    users.assert_async().await;
}

#[tokio::test]
async fn directory_entries_go_to_a_csv_file() {
    let mut server = Server::new_async().await;
    let _l = login(&mut server, 1, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("directory.csv");
    let mut cfg = config(&server, WireFormat::Xml);
    cfg.directory_csv = Some(path.clone());
    let client = IpoClient::new(cfg).unwrap();
    let entry = |n: &str, num: &str| {
        IpoChange::PutDirectoryEntry(ipo_model::SystemDirectoryEntry::new(
            n.parse().unwrap(),
            ipo_model::TeamsNumber::parse_any(num).unwrap(),
            None,
        ))
    };
    let out = client
        .apply(vec![
            entry("Zoë Teams", "+441632768402 x402"),
            entry("Bob Teams", "x403"),
            IpoChange::RemoveDirectoryEntry {
                name: "Nobody".parse().unwrap(),
            },
        ])
        .await;
    assert!(out[0].is_ok() && out[1].is_ok());
    assert!(matches!(out[2], Err(PortError::NotFound(_))));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "Zoë Teams,441632768402-402\r\nBob Teams,+403\r\n"
    );
    let read = ipo_client::system_directory::read_directory(&path).unwrap();
    assert_eq!(read.len(), 2);
    assert_eq!(read[1].number.extension().unwrap().as_str(), "403");

    // Not configured: a clear error per item, nothing sent.
    let unconfigured = IpoClient::new(config(&server, WireFormat::Xml)).unwrap();
    let out = unconfigured.apply(vec![entry("A", "x401")]).await;
    assert!(matches!(&out[0], Err(PortError::Other(m)) if m.contains("not configured")));
}

/// Issue 28, item 6: a value IP Office cannot hold (a character XML 1.0 forbids, here one
/// read from a JSON listing into an unmodelled field) is refused before anything is sent,
/// naming the record and the field; no numeric character reference is ever written.
#[tokio::test]
async fn a_value_xml_cannot_hold_is_refused_before_any_write() {
    let mut server = Server::new_async().await;
    let _l = login(&mut server, 1, 1).await;
    let _s = get(&mut server, "systems", SYSTEMS_XML, 1).await;
    let (put, seen) = capture(&mut server, "PUT", "users", OK_XML).await;
    let client = IpoClient::new(config(&server, WireFormat::Xml)).unwrap();
    let users = wire::parse_users(USERS_JSON, LicensingMode::Plds).unwrap();
    let mut bad = user(&users, "Ann");
    bad.raw
        .set("Extra", RawValue::Text("bell\u{7}and\u{1b}escape".into()));
    let mut good = user(&users, "Sean");
    let kept = "tab\there\r\nline & <x> 'q\" é";
    good.raw.set("Note", RawValue::Text(kept.into()));
    let out = client
        .apply(vec![
            IpoChange::UpdateUser(bad),
            IpoChange::UpdateUser(good),
        ])
        .await;
    let Err(PortError::InvalidData {
        record,
        field,
        message,
    }) = &out[0]
    else {
        panic!("{:?}", out[0]);
    };
    assert_eq!(record, "user Ann (0B67A4002C7C11E08678000C29F56F71)");
    assert_eq!(field, "Extra");
    assert!(message.contains("U+0007"), "{message}");
    assert!(out[1].is_ok(), "{:?}", out[1]);
    put.assert_async().await;
    let bodies = seen.lock().unwrap().clone();
    assert_eq!(bodies.len(), 1, "only the valid record was sent");
    assert!(!bodies[0].contains("&#"), "{}", bodies[0]);
    assert!(!bodies[0].contains("user Ann") && !bodies[0].contains("bell"));
    let sent: Vec<_> = wire::parse_envelope(&bodies[0])
        .unwrap()
        .into_records()
        .collect();
    assert_eq!(sent[0].fields.text("Note").unwrap(), kept);
}
