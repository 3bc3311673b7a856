//! The answers as Avaya's Management API guide prints them (issue 16): record-named error
//! nodes with numeric codes, restart notices, `LANS/LAN id="LAN1"`, licensing mode and
//! platform that the answer does not settle. XML and JSON where both exist.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ipo_client::{IpoClient, IpoConfig, RetryPolicy, Secret, WireFormat};
use ipo_model::{
    ExtensionKind, IpoChange, IpoConfigStore, IpoUser, LicensingMode, Platform, PortError, Profile,
    RestartNotice,
};
use mockito::{Matcher, Mock, Server, ServerGuard};

const EMPTY_XML: &str = r#"<?xml version="1.0"?><response status="1"><data set="0" totalRecords="0"></data></response>"#;
/// One system, the guide's example values: `Configuration` 11, `LicenseMode` 4.
const ONE_SYSTEM_JSON: &str = r#"{"response":{"@status":"1","data":{"ws_object":{"System":{"@GUID":"AA","Name":"Solo","MajorVersion":"12","MinorVersion":"2","BuildVersion":"0.1","Configuration":11,"LANS":{"LAN":[{"@id":"LAN1","IPAddress":"192.168.42.1"},{"@id":"LAN2","IPAddress":"10.1.1.1"}]},"PBXLicense":{"LicenseMode":4}}}}}}"#;

fn config(server: &ServerGuard, format: WireFormat) -> IpoConfig {
    let mut cfg = IpoConfig::new(server.url(), "sync", Secret::new("pw"));
    cfg.format = format;
    cfg.retry = RetryPolicy::default()
        .with_max_attempts(2)
        .with_base_delay(std::time::Duration::from_millis(2))
        .with_max_delay(std::time::Duration::from_millis(50))
        .with_request_timeout(std::time::Duration::from_secs(10));
    cfg
}

async fn get(server: &mut ServerGuard, resource: &str, body: &str) -> Mock {
    server
        .mock("GET", format!("{API}/{resource}").as_str())
        .match_query(Matcher::Any)
        .with_status(200)
        .with_body(body)
        .create_async()
        .await
}

async fn answer(server: &mut ServerGuard, method: &str, resource: &str, body: &str) -> Mock {
    server
        .mock(method, format!("{API}/{resource}").as_str())
        .match_query(Matcher::Any)
        .with_status(200)
        .with_body(body)
        .expect(1)
        .create_async()
        .await
}

async fn snapshot_of(systems: &str, cfg: impl FnOnce(&mut IpoConfig)) -> ipo_model::IpoSnapshot {
    let mut server = Server::new_async().await;
    let _l = login(&mut server).await;
    let _s = get(&mut server, "systems", systems).await;
    let mut mocks = Vec::new();
    for r in ["licenses", "users", "extensions", "huntgroups"] {
        mocks.push(get(&mut server, r, EMPTY_XML).await);
    }
    let mut c = config(&server, WireFormat::Xml);
    cfg(&mut c);
    let client = IpoClient::new(c).unwrap();
    let snap = client.snapshot().await.unwrap();
    client.close().await;
    snap
}

#[tokio::test]
async fn node_address_is_read_from_lans_lan1_in_xml_and_json() {
    let xml = snapshot_of(SYSTEMS_XML, |_| {}).await;
    // LAN2 comes first in the fixture: the id decides, not the order.
    assert_eq!(xml.system.node_address.as_deref(), Some("10.0.0.5"));
    assert_eq!(xml.system.nodes, ["10.0.1.5"]);
    let json = snapshot_of(ONE_SYSTEM_JSON, |_| {}).await;
    assert_eq!(json.system.node_address.as_deref(), Some("192.168.42.1"));
    assert_eq!(json.system.name, "Solo");
}

#[tokio::test]
async fn unmapped_license_mode_and_configuration_stay_unknown_until_configured() {
    // LicenseMode 4 and Configuration 11 (the guide's example) settle nothing.
    for body in [SYSTEMS_XML, ONE_SYSTEM_JSON] {
        let snap = snapshot_of(body, |_| {}).await;
        assert_eq!(snap.system.licensing_mode, LicensingMode::Unknown, "{body}");
        assert_eq!(snap.system.platform, Platform::Unknown, "{body}");
        assert_eq!(snap.system.platform.max_users(), None);
    }
    let snap = snapshot_of(SYSTEMS_XML, |c| {
        c.licensing_mode = Some(LicensingMode::Subscription);
        c.platform = Some(Platform::Ip500V2);
    })
    .await;
    assert_eq!(snap.system.licensing_mode, LicensingMode::Subscription);
    assert_eq!(snap.system.platform, Platform::Ip500V2);
}

#[tokio::test]
async fn a_profile_is_not_written_while_the_licensing_mode_is_unknown() {
    let mut server = Server::new_async().await;
    let _l = login(&mut server).await;
    let _s = get(&mut server, "systems", SYSTEMS_XML).await;
    let post = server
        .mock("POST", format!("{API}/users").as_str())
        .match_query(Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let client = IpoClient::new(config(&server, WireFormat::Xml)).unwrap();
    let mut u = IpoUser::new("Ann".parse().unwrap(), LicensingMode::Plds);
    u.profile = Profile::PowerUser;
    let out = client.apply(vec![IpoChange::CreateUser(u)]).await;
    match &out[0] {
        Err(PortError::InvalidData {
            record,
            field,
            message,
        }) => {
            assert_eq!(
                (record.as_str(), field.as_str()),
                ("user Ann", "AssignedPackage")
            );
            assert!(message.contains("licensing mode is unknown"), "{message}");
            assert!(message.contains("licensing_mode"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    post.assert_async().await;
    client.close().await;
}

#[tokio::test]
async fn restart_notice_of_a_successful_write_names_the_node_in_xml_and_json() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><response status="1"><data><ws_object><User GUID="AB000000000000000000000000000001"/></ws_object><ws_object><reboot type="normal"/></ws_object></data></response>"#;
    let json = r#"{"response":{"@status":"1","data":{"ws_object":[{"User":{"@GUID":"AB000000000000000000000000000001"}},{"reboot":{"@type":"normal"}}]}}}"#;
    for (format, body) in [(WireFormat::Xml, xml), (WireFormat::Json, json)] {
        let mut server = Server::new_async().await;
        let _l = login(&mut server).await;
        let _s = get(&mut server, "systems", SYSTEMS_XML).await;
        let post = answer(&mut server, "POST", "users", body).await;
        let mut cfg = config(&server, format);
        cfg.licensing_mode = Some(LicensingMode::Plds);
        let client = IpoClient::new(cfg).unwrap();
        let u = IpoUser::new("Ann".parse().unwrap(), LicensingMode::Plds);
        let out = client.apply(vec![IpoChange::CreateUser(u)]).await;
        post.assert_async().await;
        let ok = out[0].as_ref().unwrap();
        assert_eq!(
            ok.guid.as_ref().unwrap().as_str(),
            "AB000000000000000000000000000001"
        );
        // No address in the notice: the node the write went to (the primary's LAN1).
        assert_eq!(
            ok.restarts,
            [RestartNotice::new("10.0.0.5", Some("normal".into()))]
        );
        assert!(
            ok.notices[0].contains("must be restarted"),
            "{:?}",
            ok.notices
        );
        client.close().await;
    }
}

#[tokio::test]
async fn extension_and_huntgroup_codes_keep_code_and_text() {
    let ext_xml = r#"<response status="0"><data><ws_object error_node="true"><EXTENSION><error><error_code>9042</error_code><error_desc>"Extension number in use"</error_desc><cause>0</cause><cause_data>207</cause_data><errorLocation>10.0.0.5</errorLocation></error></EXTENSION></ws_object></data></response>"#;
    let ext_json = r#"{"response":{"@status":"0","data":{"ws_object":{"@error_node":"true","EXTENSION":{"error":{"error_code":9042,"error_desc":"\"Extension number in use\"","cause":0,"cause_data":"207","errorLocation":"10.0.0.5"}}}}}}"#;
    for (format, body) in [(WireFormat::Xml, ext_xml), (WireFormat::Json, ext_json)] {
        let mut server = Server::new_async().await;
        let _l = login(&mut server).await;
        let post = answer(&mut server, "POST", "extensions", body).await;
        let client = IpoClient::new(config(&server, format)).unwrap();
        let e = ipo_model::Extension::new("207".parse().unwrap(), ExtensionKind::Sip);
        let out = client.apply(vec![IpoChange::CreateExtension(e)]).await;
        post.assert_async().await;
        match &out[0] {
            Err(PortError::Rejected { record, errors }) => {
                assert_eq!(record, "extension 207");
                assert_eq!(errors[0].code, "9042");
                assert_eq!(errors[0].message, "Extension number in use");
                assert_eq!(errors[0].node.as_deref(), Some("EXTENSION"));
                assert_eq!(errors[0].cause_data.as_deref(), Some("207"));
            }
            other => panic!("{other:?}"),
        }
        client.close().await;
    }
    let hg = r#"<response status="0"><data><ws_object error_node="true"><HUNTGROUP><error><error_code>10003</error_code><error_desc>"Invalid member"</error_desc><errorLocation>10.0.0.5</errorLocation></error></HUNTGROUP></ws_object></data></response>"#;
    let mut server = Server::new_async().await;
    let _l = login(&mut server).await;
    let put = answer(&mut server, "PUT", "huntgroups", hg).await;
    let client = IpoClient::new(config(&server, WireFormat::Xml)).unwrap();
    let mut h = ipo_model::HuntGroup::new("Sales".parse().unwrap(), None);
    h.guid = Some("AB000000000000000000000000000002".parse().unwrap());
    let out = client.apply(vec![IpoChange::UpdateHuntGroup(h)]).await;
    put.assert_async().await;
    let err = out[0].as_ref().unwrap_err();
    assert!(matches!(err, PortError::Rejected { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("HUNTGROUP 10003: Invalid member"), "{text}");
    client.close().await;
}

#[tokio::test]
async fn name_exists_in_json_is_a_conflict_carrying_code_and_text() {
    let body = r#"{"response":{"@status":"0","data":{"ws_object":{"@error_node":"true","USER":{"error":[{"error_code":"9020","error_desc":"\"A user or huntgroup with the specified Name Already Exist.\"","cause":"0","cause_data":"ethel","errorLocation":"10.240.0.5"},{"error_code":"18011","error_desc":"\"Extension conflicts with another user\"","cause":"0","cause_data":"ethel","errorLocation":"10.240.0.5"}]}}}}}"#;
    let mut server = Server::new_async().await;
    let _l = login(&mut server).await;
    let _s = get(&mut server, "systems", SYSTEMS_XML).await;
    let post = answer(&mut server, "POST", "users", body).await;
    let mut cfg = config(&server, WireFormat::Json);
    cfg.licensing_mode = Some(LicensingMode::Plds);
    let client = IpoClient::new(cfg).unwrap();
    let u = IpoUser::new("ethel".parse().unwrap(), LicensingMode::Plds);
    let out = client.apply(vec![IpoChange::CreateUser(u)]).await;
    post.assert_async().await;
    match &out[0] {
        Err(PortError::Conflict { record, message }) => {
            assert_eq!(record, "user ethel");
            for part in [
                "USER 9020: A user or huntgroup with the specified Name Already Exist.",
                "18011: Extension conflicts with another user",
                "[ethel]",
                "(at 10.240.0.5)",
            ] {
                assert!(message.contains(part), "{part} in {message}");
            }
        }
        other => panic!("{other:?}"),
    }
    client.close().await;
}

#[tokio::test]
async fn configured_mode_contradicting_nothing_is_used_and_profiles_read_in_it() {
    let users = r#"<response status="1"><data><ws_object><User GUID="AB000000000000000000000000000003"><Name>Ann</Name><Extension>201</Extension><AssignedPackage>4</AssignedPackage></User></ws_object></data></response>"#;
    let mut server = Server::new_async().await;
    let _l = login(&mut server).await;
    let _s = get(&mut server, "systems", ONE_SYSTEM_JSON).await;
    let _u = get(&mut server, "users", users).await;
    for r in ["licenses", "extensions", "huntgroups"] {
        let _ = get(&mut server, r, EMPTY_XML).await;
    }
    // Without the setting, the code is kept but has no name.
    let client = IpoClient::new(config(&server, WireFormat::Xml)).unwrap();
    let snap = client.snapshot().await.unwrap();
    assert_eq!(snap.users[0].profile, Profile::Unknown(4));
    client.close().await;
    let mut cfg = config(&server, WireFormat::Xml);
    cfg.licensing_mode = Some(LicensingMode::Subscription);
    let client = IpoClient::new(cfg).unwrap();
    let snap = client.snapshot().await.unwrap();
    assert_eq!(snap.users[0].profile, Profile::UcUser);
    client.close().await;
}
