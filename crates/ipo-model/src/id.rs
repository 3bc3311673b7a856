//! Identifiers: IP Office GUIDs and Azure AD object ids.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{InvalidValue, Rule};
use crate::name::string_newtype_serde;

/// An IP Office record GUID as the Management API prints it (hex digits, e.g.
/// `2DF9B1002C7C11E08687000C29F56F71`). Kept verbatim; compared case-insensitively is not
/// needed because IP Office always echoes the same text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Guid(std::sync::Arc<str>);

impl FromStr for Guid {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const KIND: &str = "IP Office GUID";
        if s.is_empty() {
            return Err(InvalidValue::new(KIND, s, Rule::Empty));
        }
        if s.len() > 64 {
            return Err(InvalidValue::new(KIND, s, Rule::TooLong { max: 64 }));
        }
        if let Some(c) = s.chars().find(|c| !(c.is_ascii_hexdigit() || *c == '-')) {
            return Err(InvalidValue::new(KIND, s, Rule::ForbiddenChar(c)));
        }
        Ok(Self(s.into()))
    }
}
string_newtype_serde!(Guid);

/// The text of an Azure AD id (a GUID, 36 ASCII characters, lower-case), held in place.
///
/// Object ids are the planner's keys: sorted, merged against the stored links, copied into
/// every action and plan line. Behind a pointer each copy was a reference-count update and
/// each comparison two cache misses, at 100k people; 36 bytes in place are compared and
/// copied directly.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct IdText([u8; 36]);

impl std::ops::Deref for IdText {
    type Target = str;
    fn deref(&self) -> &str {
        // Only ever made from a checked ASCII GUID, so always valid; the fallback is never
        // taken.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

// Hashes as its text, like the shared strings the ids used to be.
impl std::hash::Hash for IdText {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl fmt::Debug for IdText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

fn parse_object_id(kind: &'static str, s: &str) -> Result<IdText, InvalidValue> {
    let ok = s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    if !ok {
        return Err(InvalidValue::new(
            kind,
            s,
            Rule::Format("a GUID like 87d349ed-44d7-43e1-9a83-5f2406dee5bd".into()),
        ));
    }
    let mut text = [0u8; 36];
    for (t, b) in text.iter_mut().zip(s.bytes()) {
        *t = b.to_ascii_lowercase();
    }
    Ok(IdText(text))
}

/// An Azure AD (Entra ID) object id of a user: a GUID, stored lower-case.
///
/// Validated so that an id can be put into a Graph URL path without escaping surprises.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId(IdText);

impl FromStr for ObjectId {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_object_id("object id", s).map(Self)
    }
}
string_newtype_serde!(ObjectId);

/// An Azure AD group object id (a GUID, stored lower-case).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupId(IdText);

impl FromStr for GroupId {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_object_id("group id", s).map(Self)
    }
}
string_newtype_serde!(GroupId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        let id: ObjectId = "87D349ED-44d7-43e1-9a83-5f2406dee5bd".parse().unwrap();
        assert_eq!(id.as_str(), "87d349ed-44d7-43e1-9a83-5f2406dee5bd");
        assert!(
            "87d349ed44d743e19a835f2406dee5bd"
                .parse::<ObjectId>()
                .is_err()
        );
        assert!(
            "87d349ed-44d7-43e1-9a83-5f2406dee5b'"
                .parse::<GroupId>()
                .is_err()
        );
        assert!("2DF9B1002C7C11E08687000C29F56F71".parse::<Guid>().is_ok());
        assert!("2DF9'".parse::<Guid>().is_err());
    }
}
