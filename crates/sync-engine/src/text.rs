//! Text a plan shows (field values, record names, labels): a fixed word or an owned copy.

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

use ipo_model::{ExtensionNumber, FullName, UserName};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Immutable text, cheap to clone; compares, hashes, prints and serialises as its `str`.
///
/// ```
/// use sync_engine::Text;
/// let name: ipo_model::UserName = "ann".parse()?;
/// let t = Text::from(name);
/// assert_eq!(t, "ann");
/// assert_eq!(t.len(), 3); // derefs to `str`
/// assert_eq!(serde_json::to_string(&t)?, "\"ann\"");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Text(Cow<'static, str>);

impl Text {
    /// A copy of `s`.
    pub fn copied(s: &str) -> Self {
        Text(Cow::Owned(s.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl From<&'static str> for Text {
    fn from(s: &'static str) -> Self {
        Text(Cow::Borrowed(s))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text(Cow::Owned(s))
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Self {
        Text::copied(s)
    }
}

impl From<&FullName> for Text {
    fn from(n: &FullName) -> Self {
        Text::copied(n.as_str())
    }
}

impl From<&UserName> for Text {
    fn from(n: &UserName) -> Self {
        Text::copied(n.as_str())
    }
}

impl From<&ExtensionNumber> for Text {
    fn from(e: &ExtensionNumber) -> Self {
        Text::copied(e.as_str())
    }
}

impl From<Arc<str>> for Text {
    fn from(s: Arc<str>) -> Self {
        Text::copied(&s)
    }
}

impl From<UserName> for Text {
    fn from(n: UserName) -> Self {
        Text::from(&n)
    }
}

impl From<FullName> for Text {
    fn from(n: FullName) -> Self {
        Text::from(&n)
    }
}

impl From<ExtensionNumber> for Text {
    fn from(e: ExtensionNumber) -> Self {
        Text::from(&e)
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Text::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_text_reads_compares_and_round_trips_as_its_str() {
        let texts = [
            Text::from("Sip"),
            Text::from(String::from("ann@contoso.com")),
            Text::from("ann".parse::<UserName>().unwrap()),
            Text::from("Ann Lee".parse::<FullName>().unwrap()),
            Text::from("402".parse::<ExtensionNumber>().unwrap()),
        ];
        let expected = ["Sip", "ann@contoso.com", "ann", "Ann Lee", "402"];
        for (t, e) in texts.iter().zip(expected) {
            assert_eq!(t.as_str(), e);
            assert_eq!(t, &Text::from(e.to_owned()));
            assert_eq!(t.to_string(), e);
            assert_eq!(format!("{t:?}"), format!("{e:?}"));
            let json = serde_json::to_string(t).unwrap();
            assert_eq!(json, serde_json::to_string(e).unwrap());
            assert_eq!(serde_json::from_str::<Text>(&json).unwrap(), *t);
        }
        let (a, b) = (
            Text::from("a"),
            Text::from("b".parse::<UserName>().unwrap()),
        );
        assert!(a < b);
    }
}
