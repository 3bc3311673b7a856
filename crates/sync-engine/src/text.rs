//! Text a plan shows (field values, record names, labels), without a `String` each.
//!
//! A first sync of 100,000 people plans half a million field values; copying each into its
//! own `String` was a third of the plan's allocations. [`Text`] holds short text (names,
//! numbers, most labels) in place, a fixed word, or a string shared by its copies.

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
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    Static(&'static str),
    Shared(Arc<str>),
    /// Short text held in place: user names (15 characters at most), extension numbers and
    /// most full names. Sharing them instead cost a reference-count update on a far-away
    /// cache line for every copy made and every copy freed, which was most of the time
    /// spent freeing a large plan.
    Inline(Inline),
    FullName(FullName),
}

/// Up to [`Inline::CAP`] bytes of UTF-8, in place.
#[derive(Clone, Copy)]
struct Inline {
    len: u8,
    bytes: [u8; Inline::CAP],
}

impl Inline {
    /// As much as fits beside the length and the enum's tag in the size of a shared string.
    const CAP: usize = 22;

    fn new(s: &str) -> Option<Self> {
        let len = u8::try_from(s.len())
            .ok()
            .filter(|&n| usize::from(n) <= Self::CAP)?;
        let mut bytes = [0; Self::CAP];
        bytes[..s.len()].copy_from_slice(s.as_bytes());
        Some(Inline { len, bytes })
    }

    fn as_str(&self) -> &str {
        // Made from a whole `str` only, so always valid; the fallback is never taken.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl Text {
    /// A copy of `s`: in place when short, else shared by every clone.
    pub fn copied(s: &str) -> Self {
        match Inline::new(s) {
            Some(i) => Text(Repr::Inline(i)),
            None => Text(Repr::Shared(s.into())),
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(s) => s,
            Repr::Shared(s) => s,
            Repr::Inline(i) => i.as_str(),
            Repr::FullName(n) => n.as_str(),
        }
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
        Text(Repr::Static(s))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text::copied(&s)
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Self {
        Text::copied(s)
    }
}

// By reference, the model values are copied when short, without touching their shared
// counts (the planner's hot path); only a long full name is shared.
impl From<&FullName> for Text {
    fn from(n: &FullName) -> Self {
        match Inline::new(n.as_str()) {
            Some(i) => Text(Repr::Inline(i)),
            None => Text(Repr::FullName(n.clone())),
        }
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
        Text(Repr::Shared(s))
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

    #[test]
    fn short_values_are_held_in_place_and_long_ones_shared_without_growing_text() {
        assert_eq!(std::mem::size_of::<Text>(), 24);
        let fits = "Ann Lee-Smithson 1234567"[..Inline::CAP].to_owned();
        let long = "Annabelle Leighton-Smithson III";
        for s in [fits.as_str(), long, "Åsa Ødegård Ærø"] {
            let t = Text::from(s.parse::<FullName>().unwrap());
            assert_eq!(t.as_str(), s);
            assert_eq!(
                matches!(t.0, Repr::Inline(_)),
                s.len() <= Inline::CAP,
                "{s}"
            );
        }
        let e = Text::from("123456789012345".parse::<ExtensionNumber>().unwrap());
        assert!(matches!(e.0, Repr::Inline(_)));
        assert_eq!(e, "123456789012345");
    }
}
