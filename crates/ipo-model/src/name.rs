//! IP Office user, hunt-group and full names.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{InvalidValue, Rule};

/// Characters IP Office refuses in user, hunt-group and full names (domain notes: [names, numbers and limits](https://github.com/ipo-teams/ipo-teams/blob/main/docs/domain.md#names-numbers-and-limits)).
pub const FORBIDDEN_NAME_CHARS: [char; 7] = ['#', '?', '/', '^', '>', ',', '.'];

/// Longest user or hunt-group `Name`, in characters.
pub const MAX_USER_NAME_LEN: usize = 15;

/// Longest `FullName`, in characters.
///
/// **Assumption** (domain notes: [names, numbers and limits](https://github.com/ipo-teams/ipo-teams/blob/main/docs/domain.md#names-numbers-and-limits)): 31 comes from the R11 Manager UI; the API documents no limit.
pub const MAX_FULL_NAME_LEN: usize = 31;

fn check_name_chars(kind: &'static str, s: &str) -> Result<(), InvalidValue> {
    if s.starts_with(' ') {
        return Err(InvalidValue::new(kind, s, Rule::LeadingSpace));
    }
    if let Some(c) = s
        .chars()
        .find(|c| FORBIDDEN_NAME_CHARS.contains(c) || c.is_control())
    {
        return Err(InvalidValue::new(kind, s, Rule::ForbiddenChar(c)));
    }
    Ok(())
}

/// `text` as IP Office accepts it in a name: at most `max` characters, none forbidden,
/// control or invisible, single spaces, none leading or trailing. Borrowed when `text`
/// already is (the usual case): this runs for every person of every plan.
fn clean_free_text(text: &str, max: usize) -> Cow<'_, str> {
    let b = text.as_bytes();
    let plain = b.len() <= max
        && b.first() != Some(&b' ')
        && b.last() != Some(&b' ')
        && !b.windows(2).any(|w| w == b"  ")
        && b.iter().all(|&c| {
            (c == b' ' || c.is_ascii_graphic()) && !FORBIDDEN_NAME_CHARS.contains(&char::from(c))
        });
    if plain {
        return Cow::Borrowed(text);
    }
    // Keep what IP Office accepts, collapse runs of whitespace so "Ann  Lee" and
    // "Ann Lee" derive the same name, then cut at the limit without a trailing space.
    let mut out = String::with_capacity(text.len().min(max * 4));
    let mut kept = 0;
    let mut pending_space = false;
    for c in text.chars() {
        if kept == max {
            break;
        }
        if c.is_whitespace() || c.is_control() {
            pending_space = !out.is_empty();
            continue;
        }
        if FORBIDDEN_NAME_CHARS.contains(&c) || is_invisible(c) {
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
            kept += 1;
            if kept == max {
                break;
            }
        }
        out.push(c);
        kept += 1;
    }
    out.truncate(out.trim_end().len());
    Cow::Owned(out)
}

/// Whether `c` is an invisible format character (zero-width spaces and joiners, bidi marks
/// and isolates, the byte-order mark): text holding one can look like other text. Names drop
/// them; the sync engine refuses e-mail addresses with them.
///
/// ```
/// assert!(ipo_model::is_invisible('\u{200B}'));
/// assert!(!ipo_model::is_invisible('a'));
/// ```
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

macro_rules! string_newtype_serde {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
        impl TryFrom<&str> for $t {
            type Error = InvalidValue;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                s.parse()
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl $t {
            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}
pub(crate) use string_newtype_serde;

/// An IP Office user (or hunt-group) `Name`: 1-15 characters, not starting with a space,
/// none of `# ? / ^ > , .` and no control characters.
///
/// ```
/// use ipo_model::UserName;
/// let name: UserName = "Ann Lee".parse()?;
/// assert_eq!(name.as_str(), "Ann Lee");
/// assert!("Ann.Lee".parse::<UserName>().is_err());
/// // Free text (a display name) becomes a valid name:
/// assert_eq!(UserName::derive("Dr. Seán O'Brien-Smythe").unwrap().as_str(), "Dr Seán O'Brien");
/// # Ok::<(), ipo_model::InvalidValue>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UserName(std::sync::Arc<str>);

impl FromStr for UserName {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const KIND: &str = "user name";
        if s.is_empty() {
            return Err(InvalidValue::new(KIND, s, Rule::Empty));
        }
        if s.chars().count() > MAX_USER_NAME_LEN {
            return Err(InvalidValue::new(
                KIND,
                s,
                Rule::TooLong {
                    max: MAX_USER_NAME_LEN,
                },
            ));
        }
        check_name_chars(KIND, s)?;
        Ok(Self(s.into()))
    }
}
string_newtype_serde!(UserName);

impl UserName {
    /// Derives a valid name from free text (a display name, a mail nickname): drops
    /// forbidden, control and invisible characters, collapses spaces, cuts at 15 characters.
    /// Returns `None` when nothing usable is left.
    pub fn derive(text: &str) -> Option<Self> {
        // Cleaning leaves only what `from_str` accepts, but for emptiness.
        let cleaned = clean_free_text(text, MAX_USER_NAME_LEN);
        (!cleaned.is_empty()).then(|| Self(cleaned.as_ref().into()))
    }

    /// The key under which names are compared for uniqueness: lower-cased.
    ///
    /// IP Office itself compares names case-sensitively, but Voicemail Pro treats them
    /// case-insensitively, so "Ann" and "ann" would share one mailbox. We therefore treat
    /// names that differ only in case as taken (the stricter rule keeps voicemail safe).
    pub fn uniqueness_key(&self) -> String {
        self.0.to_lowercase()
    }

    /// Returns `self` if it is free in `taken`, else the first free variant made by appending
    /// `2`, `3`, ... (cutting the base so the whole stays within 15 characters). The chosen
    /// name is added to `taken`. Deterministic: the same inputs give the same name.
    pub fn make_unique(&self, taken: &mut NameRegistry) -> UserName {
        if taken.insert(self) {
            return self.clone();
        }
        for n in 2u32.. {
            let suffix = n.to_string();
            let room = MAX_USER_NAME_LEN.saturating_sub(suffix.len());
            let base: String = self.0.chars().take(room).collect();
            let candidate = format!("{}{}", base.trim_end(), suffix);
            if let Ok(name) = candidate.parse::<UserName>()
                && taken.insert(&name)
            {
                return name;
            }
        }
        unreachable!("an unbounded counter always finds a free name")
    }
}

/// A set of taken names compared by [`UserName::uniqueness_key`] (case-insensitive).
#[derive(Debug, Clone, Default)]
pub struct NameRegistry {
    keys: HashSet<String>,
}

impl NameRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes room for `additional` more names (a first sync registers one per person).
    pub fn reserve(&mut self, additional: usize) {
        self.keys.reserve(additional);
    }

    /// Whether a name (or one differing only in case) is taken.
    pub fn contains(&self, name: &UserName) -> bool {
        self.keys.contains(&name.uniqueness_key())
    }

    /// Marks a name taken; returns `false` if it (or a case variant) already was.
    pub fn insert(&mut self, name: &UserName) -> bool {
        self.keys.insert(name.uniqueness_key())
    }

    /// Frees a name.
    pub fn remove(&mut self, name: &UserName) {
        self.keys.remove(&name.uniqueness_key());
    }

    /// How many names are taken.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no name is taken.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl<'a> FromIterator<&'a UserName> for NameRegistry {
    fn from_iter<I: IntoIterator<Item = &'a UserName>>(iter: I) -> Self {
        let mut r = Self::new();
        for n in iter {
            r.insert(n);
        }
        r
    }
}

/// An IP Office `FullName`: at most 31 characters ([`MAX_FULL_NAME_LEN`], an assumption),
/// not starting with a space, none of `# ? / ^ > , .` and no control characters.
///
/// ```
/// use ipo_model::FullName;
/// assert!("Zoë Ó Briain".parse::<FullName>().is_ok());
/// assert_eq!(FullName::derive("Lee, Ann (Sales)").unwrap().as_str(), "Lee Ann (Sales)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FullName(std::sync::Arc<str>);

impl FromStr for FullName {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const KIND: &str = "full name";
        if s.is_empty() {
            return Err(InvalidValue::new(KIND, s, Rule::Empty));
        }
        if s.chars().count() > MAX_FULL_NAME_LEN {
            return Err(InvalidValue::new(
                KIND,
                s,
                Rule::TooLong {
                    max: MAX_FULL_NAME_LEN,
                },
            ));
        }
        check_name_chars(KIND, s)?;
        Ok(Self(s.into()))
    }
}
string_newtype_serde!(FullName);

impl FullName {
    /// [`FullName::derive`], giving back `existing` (shared, not copied) when it is the name
    /// `text` derives: comparing a whole directory against IP Office then allocates nothing
    /// for the names already in line.
    ///
    /// ```
    /// use ipo_model::FullName;
    /// let current: FullName = "Ann Lee".parse()?;
    /// assert_eq!(FullName::derive_reusing("Ann  Lee", Some(&current)), Some(current));
    /// assert_eq!(FullName::derive_reusing("Ann Lea", None), "Ann Lea".parse().ok());
    /// # Ok::<(), ipo_model::InvalidValue>(())
    /// ```
    pub fn derive_reusing(text: &str, existing: Option<&FullName>) -> Option<Self> {
        let cleaned = clean_free_text(text, MAX_FULL_NAME_LEN);
        match existing {
            Some(e) if e.as_str() == cleaned => Some(e.clone()),
            _ => (!cleaned.is_empty()).then(|| Self(cleaned.as_ref().into())),
        }
    }

    /// Derives a valid full name from free text, as [`UserName::derive`] does, cut at 31.
    pub fn derive(text: &str) -> Option<Self> {
        // Cleaning leaves only what `from_str` accepts, but for emptiness.
        let cleaned = clean_free_text(text, MAX_FULL_NAME_LEN);
        (!cleaned.is_empty()).then(|| Self(cleaned.as_ref().into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_name_rules() {
        assert!("A".parse::<UserName>().is_ok());
        assert!("123456789012345".parse::<UserName>().is_ok());
        let e = "1234567890123456".parse::<UserName>().unwrap_err();
        assert_eq!(e.rule, Rule::TooLong { max: 15 });
        assert_eq!("".parse::<UserName>().unwrap_err().rule, Rule::Empty);
        assert_eq!(
            " Ann".parse::<UserName>().unwrap_err().rule,
            Rule::LeadingSpace
        );
        for c in FORBIDDEN_NAME_CHARS {
            let e = format!("Ann{c}Lee").parse::<UserName>().unwrap_err();
            assert_eq!(e.rule, Rule::ForbiddenChar(c));
            assert!(e.to_string().contains("user name"));
        }
        assert!("Ann\u{0}".parse::<UserName>().is_err());
    }

    #[test]
    fn derive_strips_and_cuts() {
        assert_eq!(
            UserName::derive("  Ann   Lee  ").unwrap().as_str(),
            "Ann Lee"
        );
        assert_eq!(
            UserName::derive("Maximilian Alexander").unwrap().as_str(),
            "Maximilian Alex"
        );
        assert_eq!(
            UserName::derive("Ann Lee-Marie X").unwrap().as_str(),
            "Ann Lee-Marie X"
        );
        // cut lands on a space: no trailing space
        assert_eq!(
            UserName::derive("Abcdefghijklmn opq").unwrap().as_str(),
            "Abcdefghijklmn"
        );
        assert!(UserName::derive("...").is_none());
        assert!(UserName::derive("\u{202E}Ann").unwrap().as_str() == "Ann");
    }

    #[test]
    fn unique_is_case_insensitive_and_deterministic() {
        let mut taken = NameRegistry::new();
        let ann: UserName = "Ann".parse().unwrap();
        assert_eq!(ann.make_unique(&mut taken).as_str(), "Ann");
        let ann_lower: UserName = "ann".parse().unwrap();
        assert_eq!(ann_lower.make_unique(&mut taken).as_str(), "ann2");
        assert_eq!(ann.make_unique(&mut taken).as_str(), "Ann3");
        let long: UserName = "Abcdefghijklmno".parse().unwrap();
        assert_eq!(long.make_unique(&mut taken).as_str(), "Abcdefghijklmno");
        assert_eq!(long.make_unique(&mut taken).as_str(), "Abcdefghijklmn2");
        assert_eq!(taken.len(), 5);
    }

    #[test]
    fn full_name_rules() {
        assert!("Ann Lee".parse::<FullName>().is_ok());
        assert_eq!(
            "a".repeat(32).parse::<FullName>().unwrap_err().rule,
            Rule::TooLong { max: 31 }
        );
        assert!("Ann, Lee".parse::<FullName>().is_err());
    }

    #[test]
    fn serde_validates() {
        assert!(serde_json::from_str::<UserName>("\"Ann\"").is_ok());
        assert!(serde_json::from_str::<UserName>("\"Ann.Lee\"").is_err());
        let n: UserName = "Ann".parse().unwrap();
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"Ann\"");
    }
}
