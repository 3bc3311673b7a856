//! Organisational contacts by delta (`GET /contacts/delta`), in Microsoft's documented wire
//! form, and the `AzureAdSource::contact_changes` built on it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use graph_client::test_support::CURSOR_CONTACTS;
use graph_client::{Delta, DeltaStart};
use ipo_model::{AzureAdSource, ContactDeltaOutcome, DeltaCursor, ObjectId};
use mockito::Matcher;

const KEPT: &str = "25caf940-7b3d-4ab6-8a7c-6b2f1e9c4a11";
const CHANGED: &str = "25caf940-7b3d-4ab6-8a7c-6b2f1e9c4a12";
const DELETED: &str = "25caf940-7b3d-4ab6-8a7c-6b2f1e9c4a13";
const VANISHED: &str = "25caf940-7b3d-4ab6-8a7c-6b2f1e9c4a14";

fn cursor(link: String) -> DeltaCursor {
    let mut c = DeltaCursor::default();
    c.0.insert(CURSOR_CONTACTS.into(), link);
    c
}

#[tokio::test]
async fn a_round_merges_pages_and_changed_contacts_are_read_again_by_id() {
    let mut server = mockito::Server::new_async().await;
    let base = server.url();
    // Page 1: a change, a removal (`changed`: out of view), a malformed id, another type.
    server
        .mock("GET", "/v1.0/contacts/delta")
        .match_query(Matcher::UrlEncoded("$deltatoken".into(), "contacts-1".into()))
        .with_body(format!(
            r##"{{"@odata.context":"{base}/v1.0/$metadata#contacts",
            "@odata.nextLink":"{base}/v1.0/contacts/delta?$skiptoken=page2",
            "value":[
              {{"@odata.type":"#microsoft.graph.orgContact","id":"{CHANGED}","phones":[{{"type":"business","number":"+1 425 555 0122"}}]}},
              {{"id":"{VANISHED}","displayName":"Soon Gone"}},
              {{"id":"{DELETED}","@removed":{{"reason":"changed"}}}},
              {{"id":"not-a-guid","displayName":"Broken"}},
              {{"@odata.type":"#microsoft.graph.user","id":"{KEPT}"}}
            ]}}"##
        ))
        .expect(1)
        .create_async()
        .await;
    // Page 2: the removal confirmed as deleted, and the delta link.
    server
        .mock("GET", "/v1.0/contacts/delta")
        .match_query(Matcher::UrlEncoded("$skiptoken".into(), "page2".into()))
        .with_body(format!(
            r#"{{"@odata.context":"{base}/v1.0/$metadata#contacts",
            "@odata.deltaLink":"{base}/v1.0/contacts/delta?$deltatoken=contacts-2",
            "value":[{{"id":"{DELETED}","@removed":{{"reason":"deleted"}}}}]}}"#
        ))
        .expect(1)
        .create_async()
        .await;
    // Complete records by id: one found, one gone in between.
    server
        .mock("POST", "/v1.0/$batch")
        .match_body(Matcher::Regex(format!("/contacts/{CHANGED}\\?\\$select=")))
        .with_body(format!(
            r#"{{"responses":[
              {{"id":"0","status":200,"body":{{"id":"{CHANGED}","displayName":"Tailspin Desk","mail":null,
                "phones":[{{"type":"business","number":"+1 425 555 0122"}},{{"type":"mobile","number":"+1 425 555 0123"}}]}}}},
              {{"id":"1","status":404,"body":{{"error":{{"code":"Request_ResourceNotFound","message":"gone"}}}}}}
            ]}}"#
        ))
        .expect(1)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let link = format!("{base}/v1.0/contacts/delta?$deltatoken=contacts-1");
    let outcome = client.contact_changes(&cursor(link)).await.unwrap();
    let ContactDeltaOutcome::Changes(ch) = outcome else {
        panic!("changes expected, got {outcome:?}");
    };
    assert_eq!(ch.updated.len(), 1);
    let c = &ch.updated[0];
    assert_eq!(c.id, CHANGED.parse::<ObjectId>().unwrap());
    assert_eq!(c.display_name.as_deref(), Some("Tailspin Desk"));
    assert_eq!(c.mobile_phone.as_deref(), Some("+1 425 555 0123"));
    let removed: Vec<&str> = ch.removed.iter().map(|id| id.as_str()).collect();
    assert_eq!(removed, [DELETED, VANISHED]);
    assert_eq!(ch.skipped.len(), 1);
    assert_eq!(ch.skipped[0].raw, "not-a-guid");
    assert!(ch.cursor.0[CURSOR_CONTACTS].ends_with("$deltatoken=contacts-2"));
}

#[tokio::test]
async fn an_expired_contacts_token_is_a_full_resync_and_latest_asks_for_latest() {
    let mut server = mockito::Server::new_async().await;
    let base = server.url();
    server
        .mock("GET", "/v1.0/contacts/delta")
        .match_query(Matcher::UrlEncoded("$deltatoken".into(), "old".into()))
        .with_status(400)
        .with_body(r#"{"error":{"code":"syncStateNotFound","message":"full resync"}}"#)
        .create_async()
        .await;
    server
        .mock("GET", "/v1.0/contacts/delta")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("$deltatoken".into(), "latest".into()),
            Matcher::UrlEncoded("$select".into(), "id,displayName,mail,phones".into()),
        ]))
        .with_body(format!(
            r#"{{"@odata.deltaLink":"{base}/v1.0/contacts/delta?$deltatoken=fresh","value":[]}}"#
        ))
        .expect(1)
        .create_async()
        .await;
    let client = static_client(&server, false);
    let old = cursor(format!("{base}/v1.0/contacts/delta?$deltatoken=old"));
    assert!(matches!(
        client.contact_changes(&old).await.unwrap(),
        ContactDeltaOutcome::FullResyncNeeded { ref reason } if reason == "syncStateNotFound"
    ));
    match client
        .contacts_delta(DeltaStart::Link(old.0[CURSOR_CONTACTS].clone()))
        .await
        .unwrap()
    {
        Delta::FullResyncNeeded { reason } => assert_eq!(reason, "syncStateNotFound"),
        other => panic!("{other:?}"),
    }
    let fresh = client.latest_contacts_cursor().await.unwrap().unwrap();
    assert!(fresh.0[CURSOR_CONTACTS].ends_with("$deltatoken=fresh"));
    // A cursor without a contacts link is a full read, not an error.
    assert!(matches!(
        client
            .contact_changes(&DeltaCursor::default())
            .await
            .unwrap(),
        ContactDeltaOutcome::FullResyncNeeded { .. }
    ));
}
