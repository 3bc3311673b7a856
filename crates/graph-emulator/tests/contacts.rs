//! Organisational contacts, in Microsoft's documented `orgContact` form.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use graph_emulator::Route;
use ipo_model::DirectoryContact;

const FABRIKAM: &str = "25caf940-7b3d-4ab6-8a7c-6b2f1e9c4a11";

#[tokio::test]
async fn contacts_are_listed_with_phones_paged_and_selected() {
    let emu = contoso().await;
    let tok = token(&emu).await;
    let mut c = DirectoryContact::new(FABRIKAM.parse().unwrap());
    c.display_name = Some("Fabrikam Support".into());
    c.business_phones = vec!["+1 425 555 0100".into()];
    c.mobile_phone = Some("+1 425 555 0199".into());
    emu.add_contact(&c);
    for n in 1..=4 {
        let mut other = DirectoryContact::new(
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
