//! Users, extensions and hunt groups over the wire: envelopes, validation, PUT semantics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use ipo_emulator::{IpoEmulatorHandle, RecordKind, WireFormat};
use reqwest::Method;

async fn session(emu: &IpoEmulatorHandle) -> (reqwest::Client, Session, String) {
    let c = client();
    let base = emu.base_url();
    let s = login(&c, &base).await;
    (c, s, base)
}

const ANN_XML: &str = "<data><ws_object><User><Name>Ann</Name><FullName>Ann Lee</FullName>\
<Extension>201</Extension><Custom>kept</Custom></User></ws_object></data>";

#[tokio::test]
async fn post_then_get_in_xml_keeps_every_field_and_adds_defaults() {
    let emu = start(config()).await;
    let (c, s, base) = session(&emu).await;
    let (status, body) = send(&c, &s, Method::POST, &base, "users", XML, ANN_XML).await;
    assert_eq!(status, 200);
    assert!(body.contains(r#"<response status="1">"#), "{body}");
    let guid = first_guid(&body);
    assert!(
        body.contains(&format!(r#"<ws_object><User GUID="{guid}"/></ws_object>"#)),
        "{body}"
    );

    let list = get(&c, &s, &base, "users", XML).await;
    assert!(list.contains(r#"totalRecords="2""#), "{list}");
    assert!(
        list.contains("<Custom>kept</Custom>"),
        "unknown fields round-trip: {list}"
    );
    assert!(
        list.contains(r#"<DSSKey Key="1">"#),
        "defaults added on create: {list}"
    );
    let users = emu.users();
    assert_eq!(users[0].name.as_str(), "NoUser");
    assert_eq!(users[1].guid.as_ref().unwrap().as_str(), guid);
    assert_eq!(users[1].extension.as_ref().unwrap().as_str(), "201");
}

#[tokio::test]
async fn json_request_and_answer_with_attributes_as_at_names() {
    let emu = start(config()).await;
    let (c, s, base) = session(&emu).await;
    let body = r#"{"data":{"ws_object":[{"User":{"Name":"Bob","Extension":"202","Priority":3,"XDirectory":true}},
        {"User":{"Name":"Cy","Extension":"203"}}]}}"#;
    let (_, answer) = send(&c, &s, Method::POST, &base, "users", JSON, body).await;
    let v = json(&answer);
    assert_eq!(v["response"]["@status"], "1");
    let objs = ws_objects(&v);
    assert_eq!(objs.len(), 2);
    assert_eq!(objs[0]["User"]["@GUID"].as_str().unwrap().len(), 32);

    let list = json(&get(&c, &s, &base, "users", JSON).await);
    let users = ws_objects(&list);
    assert_eq!(users.len(), 3);
    let bob = &users[1]["User"];
    assert_eq!(bob["Name"], "Bob");
    assert_eq!(bob["Priority"], 3, "a JSON number stays a number");
    assert_eq!(bob["XDirectory"], true);
    assert!(bob["DSSKeys"]["DSSKey"].is_array());

    // A JSON body labelled XML is sniffed; the answer follows the Content-Type.
    let (_, answer) = send(
        &c,
        &s,
        Method::POST,
        &base,
        "users",
        XML,
        r#"{"data":{"ws_object":{"User":{"Name":"Dee"}}}}"#,
    )
    .await;
    assert!(answer.starts_with("<?xml"), "{answer}");
    assert!(answer.contains(r#"status="1""#), "{answer}");
}

#[tokio::test]
async fn default_format_applies_without_content_type() {
    let emu = start(config().default_format(WireFormat::Json)).await;
    let (c, s, base) = session(&emu).await;
    let r = c
        .get(format!("{base}/WebManagement/ws/sdk/admin/v1/users"))
        .header("X-User-Client", "Avaya-WebAdmin")
        .header("X-User-Agent", "Avaya-SDKUser")
        .header("Cookie", &s.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/json");
    let v = json(&r.text().await.unwrap());
    // One record comes as an object, not an array.
    assert_eq!(v["response"]["data"]["ws_object"]["User"]["Name"], "NoUser");
}

#[tokio::test]
async fn put_replaces_the_record_and_clears_fields_not_sent() {
    let emu = start(config()).await;
    let (c, s, base) = session(&emu).await;
    let (_, body) = send(&c, &s, Method::POST, &base, "users", XML, ANN_XML).await;
    let guid = first_guid(&body);
    let put = format!(
        "<data><ws_object><User GUID=\"{guid}\"><Name>Ann</Name><Extension>201</Extension></User></ws_object></data>"
    );
    let (_, answer) = send(&c, &s, Method::PUT, &base, "users", XML, &put).await;
    assert!(answer.contains(r#"status="1""#), "{answer}");
    let rec = emu.state().record(&guid).unwrap();
    let names: Vec<&str> = rec.fields.names().collect();
    assert_eq!(
        names,
        ["Name", "Extension"],
        "a PUT keeps exactly the fields sent"
    );
    assert!(emu.users()[1].full_name.is_none());
    assert_eq!(emu.stats().records_written, 2);
}

#[tokio::test]
async fn put_needs_a_known_guid_of_the_right_kind() {
    let emu = start(config()).await;
    let (c, s, base) = session(&emu).await;
    let (_, a) = send(
        &c,
        &s,
        Method::PUT,
        &base,
        "users",
        XML,
        "<data><ws_object><User><Name>X</Name></User></ws_object></data>",
    )
    .await;
    assert!(
        a.contains(r#"status="0""#) && a.contains("MissingGUID"),
        "{a}"
    );
    let (_, a) = send(
        &c,
        &s,
        Method::PUT,
        &base,
        "users",
        XML,
        "<data><ws_object><User GUID=\"00FF\"><Name>X</Name></User></ws_object></data>",
    )
    .await;
    assert!(
        a.contains("<USER><error><error_code>404:NotFound</error_code>"),
        "{a}"
    );
    // A hunt group's GUID is no user.
    let (_, hg) = send(&c, &s, Method::POST, &base, "huntgroups", XML,
        "<data><ws_object><HuntGroup><Name>Sales</Name><Extension>300</Extension></HuntGroup></ws_object></data>").await;
    let hg_guid = first_guid(&hg);
    let (_, a) = send(
        &c,
        &s,
        Method::PUT,
        &base,
        "users",
        XML,
        &format!(
            "<data><ws_object><User GUID=\"{hg_guid}\"><Name>X</Name></User></ws_object></data>"
        ),
    )
    .await;
    assert!(a.contains("404:NotFound"), "{a}");
}

#[tokio::test]
async fn duplicates_are_refused_with_every_error_in_batch_order() {
    let emu = start(config()).await;
    let (c, s, base) = session(&emu).await;
    send(&c, &s, Method::POST, &base, "users", XML, ANN_XML).await;
    let body = "<data>\
        <ws_object><User><Name>Ann</Name><Extension>201</Extension></User></ws_object>\
        <ws_object><User><Name>Eve</Name><Extension>205</Extension></User></ws_object>\
        <ws_object><User><Name>Bad.Name</Name><Extension>2</Extension></User></ws_object>\
        </data>";
    let (status, a) = send(&c, &s, Method::POST, &base, "users", JSON, body).await;
    assert_eq!(status, 200, "errors travel in the body");
    let v = json(&a);
    assert_eq!(v["response"]["@status"], "0");
    let objs = ws_objects(&v);
    assert_eq!(objs.len(), 3);
    let codes = |o: &serde_json::Value| -> Vec<String> {
        let e = &o["USER"]["error"];
        let list = if e.is_array() {
            e.as_array().unwrap().clone()
        } else {
            vec![e.clone()]
        };
        list.iter()
            .map(|e| e["error_code"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(objs[0]["@error_node"], "true");
    // The guide's codes, in the record-named node, text quoted, the record's name as
    // cause data.
    assert_eq!(codes(&objs[0]), ["9020", "18011"]);
    assert_eq!(
        objs[0]["USER"]["error"][0]["error_desc"],
        "\"A user or huntgroup with the specified Name Already Exist.\""
    );
    assert_eq!(
        objs[0]["USER"]["error"][1]["error_desc"],
        "\"Extension conflicts with another user\""
    );
    assert!(objs[0]["USER"]["error"][0]["cause_data"].is_string());
    assert!(
        objs[1]["User"]["@GUID"].is_string(),
        "the good record in between is created"
    );
    assert_eq!(codes(&objs[2]), ["InvalidValue", "InvalidValue"]);
    assert_eq!(emu.users().len(), 3);

    // Hunt group names and numbers clash with users' too.
    let (_, a) = send(&c, &s, Method::POST, &base, "huntgroups", XML,
        "<data><ws_object><HuntGroup><Name>Eve</Name><Extension>205</Extension></HuntGroup></ws_object></data>").await;
    assert!(
        a.contains("<HUNTGROUP><error><error_code>9020</error_code>")
            && a.contains("<error_code>10003</error_code>"),
        "{a}"
    );
}

#[tokio::test]
async fn no_user_is_listed_and_read_only() {
    let emu = start(config()).await;
    let (c, s, base) = session(&emu).await;
    let no_user = emu.state().raw(RecordKind::User)[0].clone();
    assert_eq!(no_user.text("AssignedPackage"), "8");
    assert_eq!(no_user.text("Extension"), "");
    let put = format!(
        "<data><ws_object><User GUID=\"{}\"><Name>NoUser</Name><Extension>299</Extension></User></ws_object></data>",
        no_user.guid
    );
    let (_, a) = send(&c, &s, Method::PUT, &base, "users", XML, &put).await;
    assert!(a.contains("ReadOnlyRecord"), "{a}");
    let (_, a) = send(
        &c,
        &s,
        Method::DELETE,
        &base,
        &format!("users?guid={}", no_user.guid),
        XML,
        "",
    )
    .await;
    assert!(a.contains("ReadOnlyRecord"), "{a}");
    assert_eq!(emu.users().len(), 1);
}

#[tokio::test]
async fn delete_by_guid() {
    let emu = start(config()).await;
    let (c, s, base) = session(&emu).await;
    let (_, body) = send(&c, &s, Method::POST, &base, "users", XML, ANN_XML).await;
    let guid = first_guid(&body);
    let (status, a) = send(
        &c,
        &s,
        Method::DELETE,
        &base,
        &format!("users?guid={guid}"),
        XML,
        "",
    )
    .await;
    assert_eq!(status, 200);
    assert!(a.contains(r#"status="1""#), "{a}");
    assert_eq!(emu.users().len(), 1);
    let (_, a) = send(
        &c,
        &s,
        Method::DELETE,
        &base,
        &format!("users?guid={guid}"),
        XML,
        "",
    )
    .await;
    // The guide: a DELETE of an unknown GUID is an SMAError 404:NotFound.
    assert!(
        a.contains(r#"status="0""#)
            && a.contains("<SMAError><error><error_code>404:NotFound</error_code>"),
        "{a}"
    );
    let (_, a) = send(&c, &s, Method::DELETE, &base, "users", XML, "").await;
    assert!(a.contains("MissingGUID"), "{a}");
}

#[tokio::test]
async fn extensions_get_an_id_that_survives_updates() {
    let emu = start(config()).await;
    let (c, s, base) = session(&emu).await;
    let (_, a) = send(&c, &s, Method::POST, &base, "extensions", XML,
        "<data><ws_object><Extension><Extension>201</Extension><TypeInfo>3</TypeInfo></Extension></ws_object></data>").await;
    assert!(a.contains("<Id>1</Id></Extension>"), "{a}");
    let guid = first_guid(&a);
    let (_, a) = send(&c, &s, Method::PUT, &base, "extensions", XML,
        &format!("<data><ws_object><Extension GUID=\"{guid}\"><Id>99</Id><Extension>202</Extension></Extension></ws_object></data>")).await;
    assert!(a.contains(r#"status="1""#), "{a}");
    let ext = &emu.extensions()[0];
    assert_eq!(ext.id, Some(1));
    assert_eq!(ext.number.as_str(), "202");
    let (_, a) = send(
        &c,
        &s,
        Method::POST,
        &base,
        "extensions",
        XML,
        "<data><ws_object><Extension><Extension>202</Extension></Extension></ws_object></data>",
    )
    .await;
    assert!(
        a.contains("<EXTENSION><error><error_code>9042</error_code>"),
        "{a}"
    );
    let (_, a) = send(&c, &s, Method::POST, &base, "extensions", XML,
        "<data><ws_object><Extension><Extension>1234567890123456</Extension></Extension></ws_object></data>").await;
    assert!(a.contains("InvalidValue"), "16 digits: {a}");
}

#[tokio::test]
async fn hunt_group_members_must_be_users_extensions() {
    let emu = start(config()).await;
    let (c, s, base) = session(&emu).await;
    send(&c, &s, Method::POST, &base, "users", XML, ANN_XML).await;
    let (_, a) = send(&c, &s, Method::POST, &base, "huntgroups", XML,
        "<data><ws_object><HuntGroup><Name>Sales</Name><Extension>300</Extension><MembersList>201|209</MembersList></HuntGroup></ws_object></data>").await;
    assert!(a.contains("InvalidValue") && a.contains("209"), "{a}");
    let (_, a) = send(&c, &s, Method::POST, &base, "huntgroups", XML,
        "<data><ws_object><HuntGroup><Name>Sales</Name><Extension>9000</Extension></HuntGroup></ws_object></data>").await;
    assert!(a.contains("reserved"), "{a}");
    let (_, a) = send(&c, &s, Method::POST, &base, "huntgroups", XML,
        "<data><ws_object><HuntGroup><Name>Sales</Name><Extension>300</Extension><MembersList>201</MembersList></HuntGroup></ws_object></data>").await;
    assert!(a.contains(r#"status="1""#), "{a}");
    let hg = &emu.hunt_groups()[0];
    assert_eq!(hg.members.len(), 1);
    // Deleting the user takes it out of the group.
    let ann = emu.users()[1].guid.clone().unwrap();
    emu.state().remove(ann.as_str()).unwrap();
    assert!(emu.hunt_groups()[0].members.is_empty());
}

#[tokio::test]
async fn capacity_limit_refuses_the_next_user() {
    let emu = start(config().max_users(2)).await;
    let (c, s, base) = session(&emu).await;
    let body = "<data><ws_object><User><Name>A1</Name></User></ws_object>\
        <ws_object><User><Name>A2</Name></User></ws_object>\
        <ws_object><User><Name>A3</Name></User></ws_object></data>";
    let (_, a) = send(&c, &s, Method::POST, &base, "users", XML, body).await;
    assert!(a.contains("CapacityExceeded"), "{a}");
    assert_eq!(emu.users().len(), 3, "NoUser does not count");
}

#[tokio::test]
async fn unreadable_bodies_and_unknown_routes() {
    let emu = start(config()).await;
    let (c, s, base) = session(&emu).await;
    let (status, a) = send(
        &c,
        &s,
        Method::POST,
        &base,
        "users",
        XML,
        "<data><ws_object>",
    )
    .await;
    assert_eq!(status, 400);
    assert!(a.contains("InvalidValue"), "{a}");
    let (status, _) = send(&c, &s, Method::POST, &base, "licenses", XML, "<data/>").await;
    assert_eq!(status, 405);
    let (status, _) = send(&c, &s, Method::GET, &base, "siplines", XML, "").await;
    assert_eq!(status, 404);
}
