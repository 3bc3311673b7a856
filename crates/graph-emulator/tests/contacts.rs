//! Organisational contacts, in Microsoft's documented `orgContact` form.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use graph_emulator::Route;
use ipo_model::AzureAdContact;

const FABRIKAM: &str = "25caf940-7b3d-4ab6-8a7c-6b2f1e9c4a11";

#[tokio::test]
async fn contacts_are_listed_with_phones_paged_and_selected() {
    let emu = contoso().await;
    let tok = token(&emu).await;
    let mut c = AzureAdContact::new(FABRIKAM.parse().unwrap());
    c.display_name = Some("Fabrikam Support".into());
    c.business_phones = vec!["+1 425 555 0100".into()];
    c.mobile_phone = Some("+1 425 555 0199".into());
    emu.add_contact(&c);
    for n in 1..=4 {
        let mut other = AzureAdContact::new(
            format!("25caf940-0000-4000-8000-00000000000{n}")
                .parse()
                .unwrap(),
        );
        other.display_name = Some(format!("Contact {n}"));
        emu.add_contact(&other);
    }

    let pages = all_pages(
        &emu,
        &tok,
        "/contacts?$select=id,displayName,phones&$top=2",
        false,
    )
    .await;
    assert_eq!(pages.len(), 3, "five contacts, two a page");
    let all = values(&pages);
    assert_eq!(all.len(), 5);
    let f = all
        .iter()
        .find(|v| v["id"] == FABRIKAM)
        .unwrap()
        .as_object()
        .unwrap();
    let mut keys: Vec<&str> = f.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["displayName", "id", "phones"]);
    assert_eq!(f["phones"][0]["type"], "business");
    assert_eq!(f["phones"][0]["number"], "+1 425 555 0100");
    assert_eq!(f["phones"][1]["type"], "mobile");
    assert!(
        pages[0]["@odata.nextLink"]
            .as_str()
            .unwrap()
            .contains("$skiptoken")
    );
    assert_eq!(emu.stats().get(Route::Contacts), 3);

    // A contact has no businessPhones or mobilePhone in Graph: asking for one is refused.
    let (s, _, v) = get(&emu, &tok, "/contacts?$select=businessPhones", false).await;
    assert_eq!(s, 400);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("microsoft.graph.orgContact")
    );

    assert!(emu.remove_contact(FABRIKAM.to_uppercase()));
    let (_, _, v) = get(&emu, &tok, "/contacts", false).await;
    assert_eq!(v["value"].as_array().unwrap().len(), 4);
}

fn numbered(n: u32, name: &str) -> AzureAdContact {
    let mut c = AzureAdContact::new(format!("25caf940-0000-4000-8000-{n:012}").parse().unwrap());
    c.display_name = Some(name.into());
    c.business_phones = vec![format!("+1 425 555 01{n:02}")];
    c
}

#[tokio::test]
async fn contacts_delta_pages_then_tells_only_changes_with_removed_entries_and_expires() {
    let emu = contoso().await;
    emu.set_page_size(2);
    let tok = token(&emu).await;
    for n in 1..=3 {
        emu.add_contact(&numbered(n, &format!("Contact {n}")));
    }

    // The first round: every contact, paged by nextLink, ending with a deltaLink.
    let pages = all_pages(
        &emu,
        &tok,
        "/contacts/delta?$select=id,displayName,phones",
        false,
    )
    .await;
    assert_eq!(pages.len(), 2);
    assert!(pages[0]["@odata.deltaLink"].is_null());
    assert!(
        pages[0]["@odata.nextLink"]
            .as_str()
            .unwrap()
            .contains("/contacts/delta?$skiptoken=")
    );
    let last = pages.last().unwrap();
    let delta_link = last["@odata.deltaLink"].as_str().unwrap().to_owned();
    assert!(delta_link.contains("/contacts/delta?$deltatoken="));
    assert!(last["@odata.nextLink"].is_null());
    let all = values(&pages);
    assert_eq!(all.len(), 3);
    assert_eq!(all[0]["@odata.type"], "#microsoft.graph.orgContact");
    assert_eq!(all[0]["phones"][0]["type"], "business");
    assert!(all[0].get("mail").is_none(), "only what $select names");

    // Nothing changed: an empty page with a deltaLink.
    let (s, _, v) = get(&emu, &tok, &delta_link, false).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["value"].as_array().unwrap().len(), 0);
    let delta_link = v["@odata.deltaLink"].as_str().unwrap().to_owned();

    // One changes its number, one is deleted: exactly those two, the deleted one in
    // Microsoft's removed form; the $select of the first round still applies.
    let mut changed = numbered(2, "Contact 2");
    changed.business_phones = vec!["+1 425 555 0222".into()];
    emu.add_contact(&changed);
    assert!(emu.remove_contact(numbered(3, "").id.as_str()));
    let (_, _, v) = get(&emu, &tok, &delta_link, false).await;
    let entries = v["value"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{v}");
    assert_eq!(entries[0]["id"], numbered(2, "").id.as_str());
    assert_eq!(entries[0]["phones"][0]["number"], "+1 425 555 0222");
    assert_eq!(
        entries[1],
        serde_json::json!({"id": numbered(3, "").id.as_str(), "@removed": {"reason": "deleted"}})
    );

    // "From now on", then one contact read by id.
    let (_, _, v) = get(&emu, &tok, "/contacts/delta?$deltatoken=latest", false).await;
    assert_eq!(v["value"].as_array().unwrap().len(), 0);
    assert!(v["@odata.deltaLink"].is_string());
    let (s, _, one) = get(
        &emu,
        &tok,
        &format!("/contacts/{}?$select=id,phones", numbered(2, "").id),
        false,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(one["phones"][0]["number"], "+1 425 555 0222");
    let (s, _, gone) = get(
        &emu,
        &tok,
        &format!("/contacts/{}", numbered(3, "").id),
        false,
    )
    .await;
    assert_eq!(
        (s, gone["error"]["code"].as_str()),
        (404, Some("Request_ResourceNotFound"))
    );

    // An expired token: 410 Gone, as for users.
    emu.expire_delta_tokens();
    let (s, _, v) = get(&emu, &tok, &delta_link, false).await;
    assert_eq!(s, 410, "{v}");
    assert_eq!(v["error"]["code"], "resyncRequired");
    assert_eq!(emu.stats().get(Route::ContactsDelta), 6);
    assert_eq!(emu.stats().get(Route::Contact), 2);
}
