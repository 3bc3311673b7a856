//! One page of a Graph collection, and the decoding that keeps errors honest.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::GraphError;

/// One page of a collection: its items and where to go next.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Page<T> {
    /// `value` (can be empty even when more pages follow).
    pub items: Vec<T>,
    /// `@odata.nextLink`: follow it verbatim.
    pub next_link: Option<String>,
    /// `@odata.deltaLink` (last page of a delta round): store it.
    pub delta_link: Option<String>,
    /// `@odata.count` (first page, with `$count=true`).
    pub count: Option<u64>,
}

/// The wire shape; `value` missing reads as an empty page.
#[derive(Deserialize)]
pub(crate) struct WirePage<T> {
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    #[serde(default, rename = "@odata.nextLink")]
    pub next_link: Option<String>,
    #[serde(default, rename = "@odata.deltaLink")]
    pub delta_link: Option<String>,
    #[serde(default, rename = "@odata.count")]
    pub count: Option<u64>,
}

impl<T> WirePage<T> {
    pub(crate) fn into_page<U>(self, items: Vec<U>) -> Page<U> {
        Page {
            items,
            next_link: self.next_link,
            delta_link: self.delta_link,
            count: self.count,
        }
    }
}

/// Decodes a page of `T`. When that fails, finds out why: malformed JSON gives
/// [`GraphError::Decode`] (status, URL, body snippet); a well-formed item with a property of
/// the wrong type gives [`GraphError::InvalidField`] naming the record and the property.
pub(crate) fn decode_page<T: DeserializeOwned>(
    body: &[u8],
    status: u16,
    url: &str,
    label: fn(&serde_json::Value) -> String,
) -> Result<WirePage<T>, GraphError> {
    match serde_json::from_slice::<WirePage<T>>(body) {
        Ok(p) => Ok(p),
        Err(e) => Err(diagnose::<T>(body, label)
            .unwrap_or_else(|| GraphError::decode(status, url.to_owned(), body, e))),
    }
}

fn diagnose<T: DeserializeOwned>(
    body: &[u8],
    label: fn(&serde_json::Value) -> String,
) -> Option<GraphError> {
    let page: serde_json::Value = serde_json::from_slice(body).ok()?;
    let items = page.get("value")?.as_array()?;
    for item in items {
        if let Some(e) = diagnose_item::<T>(item, label) {
            return Some(e);
        }
    }
    None
}

/// The first property of `item` that `T` refuses, tried one property at a time.
pub(crate) fn diagnose_item<T: DeserializeOwned>(
    item: &serde_json::Value,
    label: fn(&serde_json::Value) -> String,
) -> Option<GraphError> {
    let Some(obj) = item.as_object() else {
        return Some(GraphError::InvalidField {
            record: "collection item".into(),
            field: "value".into(),
            message: format!("expected an object, got {}", kind(item)),
        });
    };
    serde_json::from_value::<T>(item.clone()).err()?;
    for (k, v) in obj {
        let mut single = serde_json::Map::new();
        single.insert(k.clone(), v.clone());
        if let Err(e) = serde_json::from_value::<T>(serde_json::Value::Object(single)) {
            return Some(GraphError::InvalidField {
                record: label(item),
                field: k.clone(),
                message: e.to_string(),
            });
        }
    }
    None
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}
