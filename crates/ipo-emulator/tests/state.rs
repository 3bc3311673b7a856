//! Seeding, licences, nodes and the Rust API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ipo_emulator::{EmulatorConfig, IpoEmulator, Node, RecordKind, Seed, codes};
use ipo_model::{HuntGroup, IpoUser, LicensingMode, Profile, RawValue};
use reqwest::Method;

const FIXTURE: &str = include_str!("../fixtures/seed-small.json");

fn seeded() -> EmulatorConfig {
    config().seed(Seed::from_json_str(FIXTURE).unwrap())
}

#[tokio::test]
async fn fixture_seed_loads_with_guids_and_nested_fields() {
    let emu = start(seeded()).await;
    let users = emu.users();
    assert_eq!(users.len(), 3);
    let ann = &users[1];
    assert_eq!(
        ann.guid.as_ref().unwrap().as_str(),
        "A0000000000000000000000000000201"
    );
    assert_eq!(ann.profile, Profile::PowerUser);
    assert_eq!(ann.teams_client, Some(true));
    assert!(matches!(ann.raw.get("DSSKeys"), Some(RawValue::Element(_))));
    assert_eq!(emu.hunt_groups()[0].members.len(), 2);
    assert_eq!(emu.extensions()[0].id, Some(1));

    let c = client();
    let base = emu.base_url();
    let s = login(&c, &base).await;
    let xml = get(&c, &s, &base, "users", XML).await;
    assert!(
        xml.contains(r#"<DSSKeys><DSSKey Key="1"><KeyType>0</KeyType>"#),
        "{xml}"
    );
}

#[test]
fn bad_seeds_are_refused() {
    assert!(Seed::from_json_str("{\"users\":[1]}").is_err());
    assert!(Seed::from_json_str("{\"people\":[]}").is_err());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dup = Seed::from_json_str(
        r#"{"users":[{"Name":"A","Extension":"20"},{"Name":"B","Extension":"20"}]}"#,
    )
    .unwrap();
    let err = rt
        .block_on(IpoEmulator::start(config().seed(dup)))
        .unwrap_err();
    assert!(err.to_string().contains("18011"), "{err}");
}

#[tokio::test]
async fn free_instances_follow_assigned_profiles() {
    let emu = start(seeded()).await;
    let c = client();
    let base = emu.base_url();
    let s = login(&c, &base).await;
    let free = |v: &serde_json::Value, key: &str| -> String {
        ws_objects(v)
            .iter()
            .find(|o| o["License"]["LicenseKey"] == key)
            .map(|o| o["License"]["FreeInstances"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let lic = json(&get(&c, &s, &base, "licenses", JSON).await);
    assert_eq!(free(&lic, "Power User"), "1");
    assert_eq!(
        free(&lic, "SIP Trunk Channels"),
        "8",
        "non-profile licences as seeded"
    );

    // Bob takes the last Power User licence; Cy cannot.
    let bob = emu
        .state()
        .record("A0000000000000000000000000000202")
        .unwrap();
    let body = |guid: &str, name: &str, ext: &str| {
        format!(
            "<data><ws_object><User GUID=\"{guid}\"><Name>{name}</Name><Extension>{ext}</Extension><AssignedPackage>4</AssignedPackage></User></ws_object></data>"
        )
    };
    let (_, a) = send(
        &c,
        &s,
        Method::PUT,
        &base,
        "users",
        XML,
        &body(&bob.guid, "Bob", "202"),
    )
    .await;
    assert!(a.contains(r#"status="1""#), "{a}");
    let lic = json(&get(&c, &s, &base, "licenses", JSON).await);
    assert_eq!(free(&lic, "Power User"), "0");
    let (_, a) = send(&c, &s, Method::POST, &base, "users", XML,
        "<data><ws_object><User><Name>Cy</Name><AssignedPackage>4</AssignedPackage></User></ws_object></data>").await;
    assert!(a.contains("NoLicense"), "{a}");
    // Basic (1) and Non-licensed (8) are free.
    let (_, a) = send(&c, &s, Method::POST, &base, "users", XML,
        "<data><ws_object><User><Name>Cy</Name><AssignedPackage>8</AssignedPackage></User></ws_object></data>").await;
    assert!(a.contains(r#"status="1""#), "{a}");
    // Deleting Ann releases hers.
    emu.state()
        .remove("A0000000000000000000000000000201")
        .unwrap();
    assert_eq!(emu.state().free_licenses(Profile::PowerUser), 1);
    // Raising the count through the Rust API.
    emu.state().set_license(Profile::PowerUser, 5);
    assert_eq!(emu.state().free_licenses(Profile::PowerUser), 4);
    let lic = emu.licenses();
    let pu = lic
        .iter()
        .find(|l| l.profile() == Some(Profile::PowerUser))
        .unwrap();
    assert_eq!((pu.quantity, pu.free), (5, 4));
    // A PLDS-only code is no profile in subscription mode.
    let sub = start(config().licensing_mode(LicensingMode::Subscription)).await;
    let err = sub
        .state()
        .add_raw(RecordKind::User, fields_with_package("Dan", "2"), None)
        .unwrap_err();
    assert_eq!(err.codes(), [codes::INVALID_VALUE]);
}

fn fields_with_package(name: &str, code: &str) -> ipo_model::RawFields {
    ipo_model::RawFields(vec![
        ("Name".into(), RawValue::Text(name.into())),
        ("AssignedPackage".into(), RawValue::Text(code.into())),
    ])
}

#[tokio::test]
async fn rust_api_scripts_life_through_the_same_rules() {
    let emu = start(config()).await;
    let st = emu.state();
    let mut ann = IpoUser::new("Ann".parse().unwrap(), LicensingMode::Plds);
    ann.extension = Some("201".parse().unwrap());
    let guid = st.add_user(&ann).unwrap();
    let err = st.add_user(&ann).unwrap_err();
    assert_eq!(err.codes(), ["9020", "18011"]);
    assert!(err.to_string().contains("Name Already Exist"));

    let mut stored = emu.users()[1].clone();
    stored.full_name = Some("Ann Lee".parse().unwrap());
    st.update_user(&stored).unwrap();
    assert_eq!(
        emu.users()[1].full_name.as_ref().unwrap().as_str(),
        "Ann Lee"
    );
    assert!(
        stored.raw.get("DSSKeys").is_some(),
        "updates start from raw"
    );

    st.edit_raw(guid.as_str(), |f| {
        f.set("Extension", RawValue::Text("x1".into()))
    })
    .unwrap_err();
    let mut group = HuntGroup::new("Sales".parse().unwrap(), Some("300".parse().unwrap()));
    group.members = vec!["201".parse().unwrap()];
    st.add_hunt_group(&group).unwrap();
    // Renumbering a user follows into the group.
    st.edit_raw(guid.as_str(), |f| {
        f.set("Extension", RawValue::Text("211".into()))
    })
    .unwrap();
    assert_eq!(emu.hunt_groups()[0].members[0].as_str(), "211");
    let snap = st.snapshot();
    assert_eq!(snap.users.len(), 2);
    assert_eq!(snap.system.licensing_mode, LicensingMode::Plds);
}

#[tokio::test]
async fn nodes_list_systems_filter_and_target_writes() {
    let emu = start(config().nodes(vec![
        Node::new("10.0.0.5", "Primary"),
        Node::new("10.0.0.6", "Expansion"),
    ]))
    .await;
    let c = client();
    let base = emu.base_url();
    let s = login(&c, &base).await;
    let sys = get(&c, &s, &base, "systems", XML).await;
    assert!(sys.contains(r#"totalRecords="2""#), "{sys}");
    // The guide's forms: LANS/LAN id="LAN1", LicenseMode 4 and Configuration 11 (no
    // documented meaning: the client's configuration settles mode and platform).
    assert!(
        sys.contains(r#"<LANS><LAN id="LAN1"><IPAddress>10.0.0.6</IPAddress></LAN>"#),
        "{sys}"
    );
    assert!(
        sys.contains("<PBXLicense><LicenseMode>4</LicenseMode></PBXLicense>"),
        "{sys}"
    );
    assert!(sys.contains("<Configuration>11</Configuration>"), "{sys}");

    let (_, a) = send(&c, &s, Method::POST, &base, "users?ipaddress=10.0.0.6", XML,
        "<data><ws_object><User><Name>Far</Name><Extension>601</Extension></User></ws_object></data>").await;
    assert!(a.contains(r#"status="1""#), "{a}");
    send(&c, &s, Method::POST, &base, "users", XML,
        "<data><ws_object><User><Name>Near</Name><Extension>501</Extension></User></ws_object></data>").await;
    let far = get(&c, &s, &base, "users?ipaddress=10.0.0.6", XML).await;
    assert!(
        far.contains("<Name>Far</Name>") && !far.contains("<Name>Near</Name>"),
        "{far}"
    );
    let near = get(&c, &s, &base, "users?ipaddress=10.0.0.5", XML).await;
    assert!(
        near.contains("<Name>Near</Name>") && !near.contains("<Name>Far</Name>"),
        "{near}"
    );
    let all = get(&c, &s, &base, "users", XML).await;
    assert!(all.contains("<Name>Far</Name>") && all.contains("<Name>Near</Name>"));
    let one_sys = get(&c, &s, &base, "systems?ipaddress=10.0.0.6", XML).await;
    assert!(one_sys.contains(r#"totalRecords="1""#), "{one_sys}");
    assert_eq!(emu.users()[1].node.as_deref(), Some("10.0.0.6"));
    assert_eq!(emu.state().system().nodes, ["10.0.0.6"]);
    // Names stay unique across the solution.
    let (_, a) = send(
        &c,
        &s,
        Method::POST,
        &base,
        "users?ipaddress=10.0.0.5",
        XML,
        "<data><ws_object><User><Name>Far</Name></User></ws_object></data>",
    )
    .await;
    assert!(
        a.contains("<error_code>9020</error_code>")
            && a.contains("<errorLocation>10.0.0.5</errorLocation>"),
        "{a}"
    );
    // Which node received each record written (the refused one is not counted).
    let st = emu.stats();
    assert_eq!(st.written_on("POST", "10.0.0.6"), 1);
    assert_eq!(st.written_on("POST", ""), 1);
    assert_eq!(st.written_on("POST", "10.0.0.5"), 0);
    assert_eq!(st.records_written, 2);
    let (_, a) = send(
        &c,
        &s,
        Method::GET,
        &base,
        "users?ipaddress=10.9.9.9",
        XML,
        "",
    )
    .await;
    assert!(
        a.contains(r#"status="0""#) && a.contains("InvalidValue"),
        "{a}"
    );
}
