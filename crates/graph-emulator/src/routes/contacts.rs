//! Organisational contacts: `GET /contacts`, as Microsoft documents `orgContact` (v1.0):
//! `phones` is a collection of `{type, number}`; there is no `businessPhones` or
//! `mobilePhone` on a contact.

use serde_json::{Map, Value};

use super::paging::page;
use crate::state::Shared;
use crate::wire::{Req, Resp, bad_request, graph_error, select_list};

/// The properties of `microsoft.graph.orgContact` the emulator knows (v1.0, the ones a
/// `$select` may name).
pub(crate) const CONTACT_PROPERTIES: [&str; 15] = [
    "id",
    "addresses",
    "companyName",
    "deletedDateTime",
    "department",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mailNickname",
    "onPremisesLastSyncDateTime",
    "onPremisesSyncEnabled",
    "phones",
    "proxyAddresses",
    "surname",
];

/// `$select` checked against the type, as Graph does.
pub(super) fn contact_select(req: &Req) -> Result<Option<Vec<String>>, Resp> {
    let sel = select_list(req.param("$select"));
    if let Some(bad) = sel
        .iter()
        .flatten()
        .find(|p| !CONTACT_PROPERTIES.contains(&p.as_str()))
    {
        return Err(bad_request(&format!(
            "Could not find a property named '{bad}' on type 'microsoft.graph.orgContact'."
        )));
    }
    Ok(sel)
}

/// `GET /contacts`: every contact, paged; `$select` checked against the type.
pub(super) fn list_contacts(sh: &Shared, req: &Req) -> Resp {
    let sel = match contact_select(req) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let items: Vec<Value> = {
        let t = sh.tenant();
        t.contacts
            .values()
            .map(|c| Value::Object(project(c, sel.as_deref())))
            .collect()
    };
    let context = match &sel {
        Some(p) => format!("contacts({})", p.join(",")),
        None => "contacts".to_owned(),
    };
    page(sh, req, &context, items)
}

/// `GET /contacts/{id}`: one contact (`$select` as for the list), or Graph's 404.
pub(super) fn get_contact(sh: &Shared, req: &Req, id: &str) -> Resp {
    let sel = match contact_select(req) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let t = sh.tenant();
    let Some(c) = t.contacts.get(&id.to_ascii_lowercase()) else {
        return graph_error(
            404,
            "Request_ResourceNotFound",
            &format!(
                "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
            ),
        );
    };
    let context = match &sel {
        Some(p) => format!("contacts({})", p.join(",")),
        None => "contacts".to_owned(),
    };
    let mut m = Map::new();
    m.insert(
        "@odata.context".into(),
        Value::from(format!("{}/$metadata#{context}/$entity", sh.graph_base())),
    );
    m.insert(
        "@odata.type".into(),
        Value::from(crate::tenant::CONTACT_TYPE),
    );
    m.extend(project(c, sel.as_deref()));
    Resp::ok(Value::Object(m))
}

/// The contact with only the selected properties (`id` always, as Graph does).
pub(super) fn project(c: &Map<String, Value>, sel: Option<&[String]>) -> Map<String, Value> {
    match sel {
        None => c.clone(),
        Some(props) => {
            let mut m = Map::new();
            for p in std::iter::once("id").chain(props.iter().map(String::as_str)) {
                m.insert(p.to_owned(), c.get(p).cloned().unwrap_or(Value::Null));
            }
            m
        }
    }
}
