//! Organisational contacts (`orgContact`, `GET /contacts`) to [`AzureAdContact`]: their
//! `phones` (`{type, number}`) sorted into business numbers and a mobile.

use futures_util::{StreamExt, TryStreamExt, stream};
use ipo_model::{AzureAdContact, ObjectId};
use serde::Deserialize;

use crate::client::{GraphClient, MAX_PAGE_SIZE};
use crate::error::GraphError;
use crate::page::{Page, decode_page};

/// The properties read of each contact (`$select`).
pub const CONTACT_SELECT: &str = "id,displayName,mail,phones";

/// `@odata.type` of contacts.
const CONTACT_TYPE: &str = "#microsoft.graph.orgContact";

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawContact {
    #[serde(default, rename = "@odata.type")]
    odata_type: Option<String>,
    #[serde(default)]
    pub(crate) id: Option<String>,
    /// Set on a delta entry for a contact that left the directory.
    #[serde(default, rename = "@removed")]
    pub(crate) removed: Option<crate::delta::RawRemoved>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    mail: Option<String>,
    #[serde(default)]
    phones: Option<Vec<Option<RawPhone>>>,
}

/// Graph's `phone`: `type` is `home`, `business`, `mobile`, `other`, `assistant`,
/// `homeFax`, `businessFax`, `otherFax`, `pager` or `radio`.
#[derive(Deserialize, Default)]
struct RawPhone {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    number: Option<String>,
}

pub(crate) fn label_of(v: &serde_json::Value) -> String {
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
    match (s("displayName"), s("id")) {
        (Some(n), _) => format!("contact {n}"),
        (None, Some(id)) => format!("contact {id}"),
        _ => "contact (no name)".to_owned(),
    }
}

impl RawContact {
    /// Whether the entry is another kind of directory object (skipped, not an error).
    pub(crate) fn is_other_type(&self) -> bool {
        (self.odata_type.as_deref()).is_some_and(|t| !t.eq_ignore_ascii_case(CONTACT_TYPE))
    }

    pub(crate) fn into_contact(self) -> Result<Option<AzureAdContact>, GraphError> {
        if self.is_other_type() {
            return Ok(None);
        }
        let record = || match &self.display_name {
            Some(n) => format!("contact {n}"),
            None => "contact (no name)".to_owned(),
        };
        let Some(id) = self.id.as_deref() else {
            return Err(GraphError::InvalidField {
                record: record(),
                field: "id".into(),
                message: "missing".into(),
            });
        };
        let id: ObjectId =
            id.parse()
                .map_err(|e: ipo_model::InvalidValue| GraphError::InvalidField {
                    record: record(),
                    field: "id".into(),
                    message: e.to_string(),
                })?;
        let mut c = AzureAdContact::new(id);
        for phone in self.phones.unwrap_or_default().into_iter().flatten() {
            let Some(number) = phone.number.filter(|n| !n.trim().is_empty()) else {
                continue;
            };
            match phone.kind.as_deref() {
                Some(k) if k.eq_ignore_ascii_case("business") => c.business_phones.push(number),
                Some(k) if k.eq_ignore_ascii_case("mobile") => {
                    c.mobile_phone.get_or_insert(number);
                }
                // Fax, pager, home...: not numbers to call from a desk phone's directory.
                _ => {}
            }
        }
        c.display_name = self.display_name;
        c.mail = self.mail;
        Ok(Some(c))
    }
}

/// Parses a page of contacts (`{"value":[...],"@odata.nextLink":...}`); errors name the
/// contact and the property at fault.
///
/// ```
/// let page = graph_client::test_support::parse_contacts_page(br#"{"value":[{
///     "id":"25caf940-7b3d-4ab6-8a7c-6b2f1e9c4a11","displayName":"Fabrikam Support",
///     "phones":[{"type":"business","number":"+1 425 555 0100"},
///               {"type":"businessFax","number":"+1 425 555 0101"},
///               {"type":"mobile","number":"+1 425 555 0199"}]}]}"#).unwrap();
/// let c = &page.items[0];
/// assert_eq!(c.business_phones, ["+1 425 555 0100"]);
/// assert_eq!(c.mobile_phone.as_deref(), Some("+1 425 555 0199"));
/// ```
#[cfg(feature = "test-support")]
pub fn parse_contacts_page(body: &[u8]) -> Result<Page<AzureAdContact>, GraphError> {
    decode_contacts_page(body, 200, "contacts page")
}

fn decode_contacts_page(
    body: &[u8],
    status: u16,
    url: &str,
) -> Result<Page<AzureAdContact>, GraphError> {
    let mut wire = decode_page::<RawContact>(body, status, url, label_of)?;
    let raw = std::mem::take(&mut wire.value);
    let mut items = Vec::with_capacity(raw.len());
    for r in raw {
        if let Some(c) = r.into_contact()? {
            items.push(c);
        }
    }
    Ok(wire.into_page(items))
}

impl GraphClient {
    /// Every organisational contact of the tenant (`GET /contacts`, following
    /// `@odata.nextLink`). Needs `OrgContact.Read.All`.
    pub async fn list_contacts(&self) -> Result<Vec<AzureAdContact>, GraphError> {
        let top = MAX_PAGE_SIZE.to_string();
        let url = self.url("/contacts", &[("$select", CONTACT_SELECT), ("$top", &top)])?;
        let mut contacts: Vec<AzureAdContact> = self
            .pages(url, false, "contacts".into(), decode_contacts_page)
            .map_ok(|p| stream::iter(p.items.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
            .try_collect()
            .await?;
        // A contact seen twice across pages (it changed during the read) counts once.
        contacts.sort_by(|a, b| a.id.cmp(&b.id));
        contacts.dedup_by(|a, b| a.id == b.id);
        Ok(contacts)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_bad_id_names_the_contact_and_other_objects_are_skipped() {
        let err = parse_contacts_page(br#"{"value":[{"id":"nope","displayName":"Bo Shop"}]}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("contact Bo Shop") && err.contains("id"),
            "{err}"
        );
        let err = parse_contacts_page(
            br#"{"value":[{"id":"25caf940-7b3d-4ab6-8a7c-6b2f1e9c4a11","phones":"x"}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("phones"), "{err}");
        let page = parse_contacts_page(
            br##"{"value":[{"@odata.type":"#microsoft.graph.user","id":"25caf940-7b3d-4ab6-8a7c-6b2f1e9c4a11"},
            {"@odata.type":"#microsoft.graph.orgContact","id":"25caf940-7b3d-4ab6-8a7c-6b2f1e9c4a12",
             "phones":[null,{"type":"business","number":" "},{"type":"pager","number":"+1"},
                       {"type":"mobile","number":"+447700900001"},{"type":"mobile","number":"+447700900002"}]}]}"##,
        )
        .unwrap();
        assert_eq!(page.items.len(), 1);
        let c = &page.items[0];
        assert!(c.business_phones.is_empty(), "blank numbers are none");
        assert_eq!(
            c.mobile_phone.as_deref(),
            Some("+447700900001"),
            "the first mobile"
        );
        assert_eq!(
            crate::error::permission_for("/v1.0/contacts"),
            "OrgContact.Read.All"
        );
    }
}
