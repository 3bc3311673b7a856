//! Fields of an IP Office record kept verbatim, so an update can send back what it read.

use serde::{Deserialize, Serialize};

/// One field value of an IP Office record as it came off the wire.
///
/// XML gives every scalar as [`RawValue::Text`]; JSON keeps its scalar types so that a number
/// read as a number is written back as a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum RawValue {
    /// Text (all XML scalars; JSON strings).
    Text(String),
    /// A JSON number, kept as its exact text.
    Number(String),
    /// A JSON boolean.
    Bool(bool),
    /// A JSON null.
    Null,
    /// A nested element (XML element with attributes/children; JSON object).
    Element(RawElement),
    /// A JSON array.
    List(Vec<RawValue>),
}

impl RawValue {
    /// The scalar as text (`Text`, `Number`, `Bool`), `None` for structures and null.
    pub fn as_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            RawValue::Text(s) | RawValue::Number(s) => Some(std::borrow::Cow::Borrowed(s)),
            RawValue::Bool(b) => Some(std::borrow::Cow::Owned(b.to_string())),
            _ => None,
        }
    }
}

/// A nested element: attributes, child fields in order, and text content if any.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RawElement {
    /// Attributes in document order (`Key="1"` in XML, `"@Key"` in JSON, stored without `@`).
    pub attributes: Vec<(String, String)>,
    /// Child fields in document order (repeated names stay repeated).
    pub children: RawFields,
    /// Text content of a mixed element, if any.
    pub text: Option<String>,
}

/// The fields of a record, in wire order. Names may repeat (XML lists).
///
/// `Debug` redacts the fields named in [`SECRET_FIELDS`] so a logged record leaks no secret.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawFields(pub Vec<(String, RawValue)>);

/// IP Office record fields whose values are secrets: never shown by `Debug`.
pub const SECRET_FIELDS: [&str; 4] = ["Password", "LoginCode", "VoicemailCode", "PIN"];

impl std::fmt::Debug for RawFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut m = f.debug_map();
        for (name, value) in &self.0 {
            if SECRET_FIELDS.contains(&name.as_str()) {
                m.entry(name, &crate::REDACTED);
            } else {
                m.entry(name, value);
            }
        }
        m.finish()
    }
}

impl RawFields {
    /// No fields.
    pub fn new() -> Self {
        Self::default()
    }

    /// The first field called `name`.
    pub fn get(&self, name: &str) -> Option<&RawValue> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The first field called `name`, as text.
    pub fn text(&self, name: &str) -> Option<std::borrow::Cow<'_, str>> {
        self.get(name).and_then(RawValue::as_text)
    }

    /// Replaces the first field called `name` in place (keeping its position), or appends it.
    pub fn set(&mut self, name: &str, value: RawValue) {
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => *v = value,
            None => self.0.push((name.to_owned(), value)),
        }
    }

    /// Removes every field called `name`.
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(n, _)| n != name);
    }

    /// Field names in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(n, _)| n.as_str())
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
