//! Extension numbers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{InvalidValue, Rule};

/// Shortest extension number, in digits.
pub const MIN_EXTENSION_DIGITS: usize = 2;
/// Longest extension number, in digits.
pub const MAX_EXTENSION_DIGITS: usize = 15;
/// Extensions IP Office reserves and refuses for hunt groups (domain notes: [names, numbers and limits](https://github.com/ipo-teams/ipo-teams/blob/main/docs/domain.md#names-numbers-and-limits)).
pub const HUNT_GROUP_RESERVED: std::ops::RangeInclusive<u64> = 8897..=9999;

/// An IP Office extension number: 2 to 15 decimal digits.
///
/// Leading zeros are significant (`"0201"` and `"201"` are different extensions), so the value
/// is kept as text; [`ExtensionNumber::value`] gives the number for range checks.
///
/// ```
/// use ipo_model::ExtensionNumber;
/// let ext: ExtensionNumber = "402".parse()?;
/// assert!(!ext.is_hunt_group_reserved());
/// assert!("9000".parse::<ExtensionNumber>()?.is_hunt_group_reserved());
/// assert!("4".parse::<ExtensionNumber>().is_err());
/// # Ok::<(), ipo_model::InvalidValue>(())
/// ```
// Held in place (at most 15 ASCII digits, zero-padded; 16 bytes, as small as a shared
// pointer): a plan of 100k creates holds each number four times over, and a heap block per
// number cost a cache miss at every copy and every drop. Zero padding sorts below every
// digit, so the derived order is the order of the text.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExtensionNumber {
    digits: [u8; MAX_EXTENSION_DIGITS],
    len: u8,
}

impl FromStr for ExtensionNumber {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const KIND: &str = "extension number";
        if s.is_empty() {
            return Err(InvalidValue::new(KIND, s, Rule::Empty));
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidValue::new(KIND, s, Rule::NotDigits));
        }
        if s.len() < MIN_EXTENSION_DIGITS {
            return Err(InvalidValue::new(
                KIND,
                s,
                Rule::TooShort {
                    min: MIN_EXTENSION_DIGITS,
                },
            ));
        }
        if s.len() > MAX_EXTENSION_DIGITS {
            return Err(InvalidValue::new(
                KIND,
                s,
                Rule::TooLong {
                    max: MAX_EXTENSION_DIGITS,
                },
            ));
        }
        let mut digits = [0u8; MAX_EXTENSION_DIGITS];
        digits[..s.len()].copy_from_slice(s.as_bytes());
        Ok(Self {
            digits,
            // At most 15, checked above.
            len: s.len() as u8,
        })
    }
}

impl ExtensionNumber {
    /// The extension with numeric value `value` written with `width` digits (leading zeros
    /// kept), if that is a valid extension: `from_value(42, 4)` is `"0042"`.
    ///
    /// ```
    /// use ipo_model::ExtensionNumber;
    /// assert_eq!(ExtensionNumber::from_value(42, 4).unwrap().as_str(), "0042");
    /// assert!(ExtensionNumber::from_value(1000, 3).is_none());
    /// assert!(ExtensionNumber::from_value(7, 1).is_none());
    /// ```
    pub fn from_value(value: u64, width: usize) -> Option<Self> {
        if !(MIN_EXTENSION_DIGITS..=MAX_EXTENSION_DIGITS).contains(&width) {
            return None;
        }
        let mut digits = [0u8; MAX_EXTENSION_DIGITS];
        let mut rest = value;
        for d in digits[..width].iter_mut().rev() {
            *d = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        (rest == 0).then_some(Self {
            digits,
            len: width as u8,
        })
    }

    /// The value as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored, so this never falls back.
        std::str::from_utf8(&self.digits[..usize::from(self.len)]).unwrap_or_default()
    }

    /// The numeric value (at most 15 digits always fits in a `u64`).
    pub fn value(&self) -> u64 {
        self.digits[..usize::from(self.len)]
            .iter()
            .fold(0u64, |acc, b| acc * 10 + u64::from(b - b'0'))
    }

    /// Number of digits.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Always `false`: an extension has at least two digits. Present for API symmetry.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Whether IP Office reserves this number and refuses it for a hunt group (8897-9999).
    pub fn is_hunt_group_reserved(&self) -> bool {
        HUNT_GROUP_RESERVED.contains(&self.value())
    }

    /// The extension that follows this one with the same number of digits, if any
    /// (`"0299"` -> `"0300"`, `"99"` -> `None`).
    pub fn next(&self) -> Option<ExtensionNumber> {
        Self::from_value(self.value().checked_add(1)?, self.len())
    }
}

impl fmt::Debug for ExtensionNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ExtensionNumber")
            .field(&self.as_str())
            .finish()
    }
}

impl fmt::Display for ExtensionNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for ExtensionNumber {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl TryFrom<&str> for ExtensionNumber {
    type Error = InvalidValue;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl Serialize for ExtensionNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ExtensionNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// An inclusive range of extension numbers of one width, e.g. `200-299`.
// Deserialising goes through `ExtensionRange::new` (via `ExtensionRangeRepr`) so a stored
// range like `{"start":"300","end":"200"}` is refused, as it would be when built in code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ExtensionRangeRepr")]
pub struct ExtensionRange {
    /// First number in the range.
    pub start: ExtensionNumber,
    /// Last number in the range.
    pub end: ExtensionNumber,
}

/// The unchecked wire shape of an [`ExtensionRange`], validated by `TryFrom`.
#[derive(Deserialize)]
struct ExtensionRangeRepr {
    start: ExtensionNumber,
    end: ExtensionNumber,
}

impl TryFrom<ExtensionRangeRepr> for ExtensionRange {
    type Error = InvalidValue;
    fn try_from(r: ExtensionRangeRepr) -> Result<Self, Self::Error> {
        ExtensionRange::new(r.start, r.end)
    }
}

impl ExtensionRange {
    /// Builds a range; both ends must have the same number of digits and `start <= end`.
    pub fn new(start: ExtensionNumber, end: ExtensionNumber) -> Result<Self, InvalidValue> {
        if start.len() != end.len() || start.value() > end.value() {
            return Err(InvalidValue::new(
                "extension range",
                format!("{start}-{end}"),
                Rule::Format("two numbers of equal width, the first not above the second".into()),
            ));
        }
        Ok(Self { start, end })
    }

    /// Whether `ext` lies within the range (same width and between the ends).
    pub fn contains(&self, ext: &ExtensionNumber) -> bool {
        ext.len() == self.start.len()
            && (self.start.value()..=self.end.value()).contains(&ext.value())
    }

    /// Whether two ranges share a number.
    pub fn overlaps(&self, other: &ExtensionRange) -> bool {
        self.start.len() == other.start.len()
            && self.start.value() <= other.end.value()
            && other.start.value() <= self.end.value()
    }
}

impl fmt::Display for ExtensionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_rules() {
        assert!("20".parse::<ExtensionNumber>().is_ok());
        assert!("123456789012345".parse::<ExtensionNumber>().is_ok());
        assert_eq!(
            "1".parse::<ExtensionNumber>().unwrap_err().rule,
            Rule::TooShort { min: 2 }
        );
        assert_eq!(
            "1234567890123456"
                .parse::<ExtensionNumber>()
                .unwrap_err()
                .rule,
            Rule::TooLong { max: 15 }
        );
        assert_eq!(
            "12a".parse::<ExtensionNumber>().unwrap_err().rule,
            Rule::NotDigits
        );
        assert_eq!(
            "٣٤".parse::<ExtensionNumber>().unwrap_err().rule,
            Rule::NotDigits
        );
    }

    #[test]
    fn reserved_range_edges() {
        let r = |s: &str| {
            s.parse::<ExtensionNumber>()
                .unwrap()
                .is_hunt_group_reserved()
        };
        assert!(!r("8896"));
        assert!(r("8897"));
        assert!(r("9999"));
        assert!(!r("10000"));
        assert!(!r("200"));
    }

    #[test]
    fn next_keeps_width() {
        let e: ExtensionNumber = "0299".parse().unwrap();
        assert_eq!(e.next().unwrap().as_str(), "0300");
        assert!("99".parse::<ExtensionNumber>().unwrap().next().is_none());
    }

    #[test]
    fn ranges() {
        let r =
            |a: &str, b: &str| ExtensionRange::new(a.parse().unwrap(), b.parse().unwrap()).unwrap();
        assert!(r("200", "299").overlaps(&r("250", "350")));
        assert!(!r("200", "299").overlaps(&r("300", "399")));
        assert!(!r("200", "299").overlaps(&r("2000", "2999")));
        assert!(r("200", "299").contains(&"250".parse().unwrap()));
        assert!(ExtensionRange::new("300".parse().unwrap(), "200".parse().unwrap()).is_err());
    }
}
