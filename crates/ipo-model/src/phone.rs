//! Telephone numbers: E.164 numbers and Teams "number and/or extension" values in every
//! notation listed in the domain notes' [number notations](https://github.com/ipo-teams/ipo-teams/blob/main/docs/domain.md#number-notations).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{InvalidValue, Rule};
use crate::extension::ExtensionNumber;

/// Most digits in an E.164 number.
pub const MAX_E164_DIGITS: usize = 15;

/// A full international number: `+`, then 1-15 digits, the first not `0`.
///
/// ```
/// use ipo_model::E164Number;
/// let n: E164Number = "+441632768402".parse()?;
/// assert_eq!(n.digits(), "441632768402");
/// // People type spaces, dashes and parentheses; `parse_lenient` accepts them.
/// assert_eq!(E164Number::parse_lenient("+1 (425) 555-0109")?.to_string(), "+14255550109");
/// assert!("01632768402".parse::<E164Number>().is_err());
/// # Ok::<(), ipo_model::InvalidValue>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct E164Number(String);

const E164: &str = "E.164 number";

impl FromStr for E164Number {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Some(digits) = s.strip_prefix('+') else {
            return Err(InvalidValue::new(E164, s, Rule::MissingPlus));
        };
        Self::from_digits(digits).map_err(|mut e| {
            e.input = s.to_owned();
            e
        })
    }
}

impl E164Number {
    /// From the digits after the `+`.
    pub fn from_digits(digits: &str) -> Result<Self, InvalidValue> {
        Self::check_digits(digits)?;
        Ok(Self(digits.to_owned()))
    }

    /// [`E164Number::from_digits`] keeping the string it was given.
    fn from_digit_string(digits: String) -> Result<Self, InvalidValue> {
        Self::check_digits(&digits)?;
        Ok(Self(digits))
    }

    fn check_digits(digits: &str) -> Result<(), InvalidValue> {
        if digits.is_empty() {
            return Err(InvalidValue::new(E164, digits, Rule::Empty));
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidValue::new(E164, digits, Rule::NotDigits));
        }
        if digits.starts_with('0') {
            return Err(InvalidValue::new(E164, digits, Rule::LeadingZero));
        }
        if digits.len() > MAX_E164_DIGITS {
            return Err(InvalidValue::new(
                E164,
                digits,
                Rule::TooLong {
                    max: MAX_E164_DIGITS,
                },
            ));
        }
        Ok(())
    }

    /// Accepts the separators people type: spaces, `-`, `.`, `(`, `)`; still requires the `+`.
    pub fn parse_lenient(s: &str) -> Result<Self, InvalidValue> {
        let t = s.trim();
        let Some(rest) = t.strip_prefix('+') else {
            return Err(InvalidValue::new(E164, s, Rule::MissingPlus));
        };
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
                other => return Err(InvalidValue::new(E164, s, Rule::ForbiddenChar(other))),
            }
        }
        Self::from_digit_string(digits).map_err(|mut e| {
            e.input = s.to_owned();
            e
        })
    }

    /// The digits without the `+`.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for E164Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "+{}", self.0)
    }
}

impl TryFrom<&str> for E164Number {
    type Error = InvalidValue;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl Serialize for E164Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for E164Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The notations the same Teams number is written in (domain notes: [number notations](https://github.com/ipo-teams/ipo-teams/blob/main/docs/domain.md#number-notations)), using the
/// number +44 1632 768402 with extension 402 as the example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NumberFormat {
    /// Azure AD portal `businessPhones`: `+441632768402 x402`, `+441632768402`, `x402`.
    AzurePortal,
    /// Teams admin LineURI: `tel:+441632768402;ext=402`, `tel:+441632768402`, `402`.
    /// Parsing also accepts the form without `+` and any case of `tel:`/`ext=`.
    LineUri,
    /// IP Office "MS Teams URI": `441632768402;ext=402`, `+402`; number only written as
    /// `441632768402` (**assumption**: the table leaves it blank).
    IpoTeamsUri,
    /// IP Office system directory: `441632768402-402`, `+402`; number only written as
    /// `441632768402` (**assumption**, as above).
    IpoDirectory,
    /// IP Office SIP URI: `+441632768402;ext=402`, `+441632768402`; cannot hold an
    /// extension alone.
    IpoSipUri,
}

impl NumberFormat {
    /// Every format.
    pub const ALL: [NumberFormat; 5] = [
        NumberFormat::AzurePortal,
        NumberFormat::LineUri,
        NumberFormat::IpoTeamsUri,
        NumberFormat::IpoDirectory,
        NumberFormat::IpoSipUri,
    ];

    fn describe(self) -> &'static str {
        match self {
            NumberFormat::AzurePortal => "Azure AD portal notation (+441632768402 x402)",
            NumberFormat::LineUri => "a Teams LineURI (tel:+441632768402;ext=402)",
            NumberFormat::IpoTeamsUri => "an IP Office MS Teams URI (441632768402;ext=402)",
            NumberFormat::IpoDirectory => "an IP Office directory number (441632768402-402)",
            NumberFormat::IpoSipUri => "an IP Office SIP URI (+441632768402;ext=402)",
        }
    }
}

/// A Teams / Direct Routing number: an E.164 number, an extension, or both.
///
/// ```
/// use ipo_model::{NumberFormat, TeamsNumber};
/// let n = TeamsNumber::parse_as("tel:+441632768402;ext=402", NumberFormat::LineUri)?;
/// assert_eq!(n.format(NumberFormat::AzurePortal)?, "+441632768402 x402");
/// assert_eq!(n.format(NumberFormat::IpoDirectory)?, "441632768402-402");
/// assert_eq!(n.format(NumberFormat::IpoTeamsUri)?, "441632768402;ext=402");
/// let ext_only = TeamsNumber::parse_as("x402", NumberFormat::AzurePortal)?;
/// assert_eq!(ext_only.format(NumberFormat::IpoTeamsUri)?, "+402");
/// # Ok::<(), ipo_model::InvalidValue>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "TeamsNumberRepr", into = "TeamsNumberRepr")]
pub struct TeamsNumber {
    number: Option<E164Number>,
    extension: Option<ExtensionNumber>,
}

#[derive(Serialize, Deserialize)]
struct TeamsNumberRepr {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    number: Option<E164Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    extension: Option<ExtensionNumber>,
}

impl TryFrom<TeamsNumberRepr> for TeamsNumber {
    type Error = InvalidValue;
    fn try_from(r: TeamsNumberRepr) -> Result<Self, Self::Error> {
        TeamsNumber::new(r.number, r.extension)
    }
}

impl From<TeamsNumber> for TeamsNumberRepr {
    fn from(t: TeamsNumber) -> Self {
        TeamsNumberRepr {
            number: t.number,
            extension: t.extension,
        }
    }
}

const TEAMS: &str = "Teams number";

fn digits(kind: &'static str, s: &str, whole: &str) -> Result<(), InvalidValue> {
    if s.is_empty() {
        return Err(InvalidValue::new(kind, whole, Rule::Empty));
    }
    if let Some(c) = s.chars().find(|c| !c.is_ascii_digit()) {
        return Err(InvalidValue::new(kind, whole, Rule::ForbiddenChar(c)));
    }
    Ok(())
}

fn ext(s: &str, whole: &str) -> Result<ExtensionNumber, InvalidValue> {
    s.parse::<ExtensionNumber>().map_err(|mut e| {
        e.input = whole.to_owned();
        e
    })
}

fn plain_number(s: &str, whole: &str) -> Result<E164Number, InvalidValue> {
    digits(TEAMS, s, whole)?;
    E164Number::from_digits(s).map_err(|mut e| {
        e.input = whole.to_owned();
        e
    })
}

/// Splits `s` at a case-insensitive `;ext=`.
fn split_ext_param(s: &str) -> Option<(&str, &str)> {
    let lower = s.to_ascii_lowercase();
    let at = lower.find(";ext=")?;
    Some((&s[..at], &s[at + 5..]))
}

impl TeamsNumber {
    /// A value with a number, an extension, or both (at least one).
    pub fn new(
        number: Option<E164Number>,
        extension: Option<ExtensionNumber>,
    ) -> Result<Self, InvalidValue> {
        if number.is_none() && extension.is_none() {
            return Err(InvalidValue::new(TEAMS, "", Rule::Empty));
        }
        Ok(Self { number, extension })
    }

    /// Just a number.
    pub fn number_only(number: E164Number) -> Self {
        Self {
            number: Some(number),
            extension: None,
        }
    }

    /// Just an extension.
    pub fn extension_only(extension: ExtensionNumber) -> Self {
        Self {
            number: None,
            extension: Some(extension),
        }
    }

    /// The E.164 number, if any.
    pub fn number(&self) -> Option<&E164Number> {
        self.number.as_ref()
    }

    /// The extension, if any.
    pub fn extension(&self) -> Option<&ExtensionNumber> {
        self.extension.as_ref()
    }

    /// Parses text written in `format`. Surrounding whitespace is ignored.
    pub fn parse_as(s: &str, format: NumberFormat) -> Result<Self, InvalidValue> {
        let t = s.trim();
        if t.is_empty() {
            return Err(InvalidValue::new(TEAMS, s, Rule::Empty));
        }
        let bad = || InvalidValue::new(TEAMS, s, Rule::Format(format.describe().to_owned()));
        match format {
            NumberFormat::AzurePortal => {
                // "+441632768402 x402", "+1 (425) 555-0109", "x402", "+44... ext. 402"
                // Matched case-insensitively without a lower-cased copy: this runs for
                // every person of every plan.
                let (num_part, ext_part) = match t.rfind(['x', 'X']) {
                    Some(at) => {
                        let mut rest = &t[at + 1..];
                        // "ext" / "ext." spelled out: the 'x' is inside "ext".
                        let head = &t[..at];
                        let num_end = if head.ends_with(['e', 'E']) {
                            // `rest` is the original text, not `lower`: accept "EXT"/"Ext"
                            // too, as the 'e' and 'x' were matched case-insensitively.
                            rest = rest.strip_prefix(['t', 'T']).unwrap_or(rest);
                            rest = rest.strip_prefix('.').unwrap_or(rest);
                            at - 1
                        } else {
                            at
                        };
                        (t[..num_end].trim(), Some(rest.trim()))
                    }
                    None => (t, None),
                };
                let number = if num_part.is_empty() {
                    None
                } else {
                    Some(E164Number::parse_lenient(num_part).map_err(|mut e| {
                        e.input = s.to_owned();
                        e
                    })?)
                };
                let extension = match ext_part {
                    Some(e) => Some(ext(e, s)?),
                    None => None,
                };
                Self::new(number, extension).map_err(|_| bad())
            }
            NumberFormat::LineUri => {
                let lower = t.to_ascii_lowercase();
                if let Some(rest) = lower.strip_prefix("tel:").map(|_| &t[4..]) {
                    let (num, e) = match split_ext_param(rest) {
                        Some((n, e)) => (n, Some(e)),
                        None => (rest, None),
                    };
                    let num = num.strip_prefix('+').unwrap_or(num);
                    let number = plain_number(num, s)?;
                    let extension = e.map(|e| ext(e, s)).transpose()?;
                    Ok(Self {
                        number: Some(number),
                        extension,
                    })
                } else {
                    // Extension only; Teams may show a '+' in front of it.
                    let e = t.strip_prefix('+').unwrap_or(t);
                    Ok(Self::extension_only(ext(e, s)?))
                }
            }
            NumberFormat::IpoTeamsUri | NumberFormat::IpoSipUri | NumberFormat::IpoDirectory => {
                let split = if format == NumberFormat::IpoDirectory {
                    t.split_once('-')
                } else {
                    split_ext_param(t)
                };
                if let Some((num, e)) = split {
                    let num = match format {
                        NumberFormat::IpoSipUri => num.strip_prefix('+').ok_or_else(bad)?,
                        _ => num,
                    };
                    let number = plain_number(num, s)?;
                    return Ok(Self {
                        number: Some(number),
                        extension: Some(ext(e, s)?),
                    });
                }
                match (format, t.strip_prefix('+')) {
                    (NumberFormat::IpoSipUri, Some(num)) => {
                        Ok(Self::number_only(plain_number(num, s)?))
                    }
                    (NumberFormat::IpoSipUri, None) => Err(bad()),
                    (_, Some(e)) => Ok(Self::extension_only(ext(e, s)?)),
                    (_, None) => Ok(Self::number_only(plain_number(t, s)?)),
                }
            }
        }
    }

    /// Writes the value in `format`; an error when the format cannot hold it (an extension
    /// alone as an IP Office SIP URI).
    pub fn format(&self, format: NumberFormat) -> Result<String, InvalidValue> {
        let n = self.number.as_ref().map(E164Number::digits);
        let e = self.extension.as_ref().map(ExtensionNumber::as_str);
        Ok(match (format, n, e) {
            (NumberFormat::AzurePortal, Some(n), Some(e)) => format!("+{n} x{e}"),
            (NumberFormat::AzurePortal, Some(n), None) => format!("+{n}"),
            (NumberFormat::AzurePortal, None, Some(e)) => format!("x{e}"),
            (NumberFormat::LineUri, Some(n), Some(e)) => format!("tel:+{n};ext={e}"),
            (NumberFormat::LineUri, Some(n), None) => format!("tel:+{n}"),
            (NumberFormat::LineUri, None, Some(e)) => e.to_owned(),
            (NumberFormat::IpoTeamsUri, Some(n), Some(e)) => format!("{n};ext={e}"),
            (NumberFormat::IpoDirectory, Some(n), Some(e)) => format!("{n}-{e}"),
            (NumberFormat::IpoTeamsUri | NumberFormat::IpoDirectory, Some(n), None) => n.to_owned(),
            (NumberFormat::IpoTeamsUri | NumberFormat::IpoDirectory, None, Some(e)) => {
                format!("+{e}")
            }
            (NumberFormat::IpoSipUri, Some(n), Some(e)) => format!("+{n};ext={e}"),
            (NumberFormat::IpoSipUri, Some(n), None) => format!("+{n}"),
            (NumberFormat::IpoSipUri, None, Some(e)) => {
                return Err(InvalidValue::new(
                    TEAMS,
                    e,
                    Rule::NotRepresentable(format.describe().to_owned()),
                ));
            }
            (_, None, None) => return Err(InvalidValue::new(TEAMS, "", Rule::Empty)),
        })
    }

    /// Parses text whose notation is not known, trying the notations in a documented order:
    /// `tel:` -> LineURI; `;ext=` -> SIP URI (with `+`) or MS Teams URI (without);
    /// an `x`/`ext` part -> Azure AD portal; `digits-digits` -> IP Office directory;
    /// `+` and digits with separators -> Azure AD portal number; plain digits -> extension.
    /// A bare `+402` is read as the E.164 number +402: callers who know the source is IP
    /// Office (where `+402` means extension 402) use [`TeamsNumber::parse_as`].
    pub fn parse_any(s: &str) -> Result<Self, InvalidValue> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        if lower.starts_with("tel:") {
            return Self::parse_as(t, NumberFormat::LineUri);
        }
        if lower.contains(";ext=") {
            let f = if t.starts_with('+') {
                NumberFormat::IpoSipUri
            } else {
                NumberFormat::IpoTeamsUri
            };
            return Self::parse_as(t, f);
        }
        if lower.contains('x') || t.starts_with('+') {
            return Self::parse_as(t, NumberFormat::AzurePortal);
        }
        if let Some((a, b)) = t.split_once('-')
            && !a.is_empty()
            && !b.is_empty()
            && a.bytes().all(|c| c.is_ascii_digit())
            && b.bytes().all(|c| c.is_ascii_digit())
        {
            return Self::parse_as(t, NumberFormat::IpoDirectory);
        }
        if !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit()) {
            return Ok(Self::extension_only(ext(t, s)?));
        }
        Err(InvalidValue::new(
            TEAMS,
            s,
            Rule::Format("a phone number or extension in a known notation".into()),
        ))
    }
}

impl FromStr for TeamsNumber {
    type Err = InvalidValue;
    /// Same as [`TeamsNumber::parse_any`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_any(s)
    }
}

impl fmt::Display for TeamsNumber {
    /// The Azure AD portal notation, which holds every combination.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.format(NumberFormat::AzurePortal) {
            Ok(s) => f.write_str(&s),
            Err(_) => Err(fmt::Error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both() -> TeamsNumber {
        TeamsNumber::new(
            Some("+441632768402".parse().unwrap()),
            Some("402".parse().unwrap()),
        )
        .unwrap()
    }

    #[test]
    fn every_row_of_the_format_table() {
        use NumberFormat::*;
        let num = TeamsNumber::number_only("+441632768402".parse().unwrap());
        let ext = TeamsNumber::extension_only("402".parse().unwrap());
        let rows: [(&str, NumberFormat, TeamsNumber); 13] = [
            ("+441632768402 x402", AzurePortal, both()),
            ("+441632768402", AzurePortal, num.clone()),
            ("x402", AzurePortal, ext.clone()),
            ("tel:+441632768402;ext=402", LineUri, both()),
            ("tel:441632768402;ext=402", LineUri, both()),
            ("TEL:+441632768402;EXT=402", LineUri, both()),
            ("tel:+441632768402", LineUri, num.clone()),
            ("402", LineUri, ext.clone()),
            ("441632768402;ext=402", IpoTeamsUri, both()),
            ("+402", IpoTeamsUri, ext.clone()),
            ("441632768402-402", IpoDirectory, both()),
            ("+402", IpoDirectory, ext.clone()),
            ("+441632768402;ext=402", IpoSipUri, both()),
        ];
        for (text, f, want) in rows {
            assert_eq!(
                TeamsNumber::parse_as(text, f).unwrap(),
                want,
                "{text} as {f:?}"
            );
        }
    }

    #[test]
    fn typed_business_phones() {
        let n = TeamsNumber::parse_as("+1 (425) 555-0109", NumberFormat::AzurePortal).unwrap();
        assert_eq!(n.number().unwrap().to_string(), "+14255550109");
        let n =
            TeamsNumber::parse_as("+44 1632 768402 ext. 402", NumberFormat::AzurePortal).unwrap();
        assert_eq!(n, both());
        let e = TeamsNumber::parse_as("425 555 0109", NumberFormat::AzurePortal).unwrap_err();
        assert_eq!(e.rule, Rule::MissingPlus);
    }

    #[test]
    fn formats_and_round_trips() {
        for f in NumberFormat::ALL {
            let text = both().format(f).unwrap();
            assert_eq!(TeamsNumber::parse_as(&text, f).unwrap(), both(), "{f:?}");
        }
        let ext = TeamsNumber::extension_only("402".parse().unwrap());
        assert!(ext.format(NumberFormat::IpoSipUri).is_err());
    }

    #[test]
    fn parse_any_guesses() {
        for s in [
            "tel:+441632768402;ext=402",
            "441632768402;ext=402",
            "+441632768402;ext=402",
            "+441632768402 x402",
            "441632768402-402",
        ] {
            assert_eq!(s.parse::<TeamsNumber>().unwrap(), both(), "{s}");
        }
        assert_eq!(
            "402"
                .parse::<TeamsNumber>()
                .unwrap()
                .extension()
                .unwrap()
                .as_str(),
            "402"
        );
        assert!("hello".parse::<TeamsNumber>().is_err());
    }

    #[test]
    fn e164_rules() {
        assert!("+1".parse::<E164Number>().is_ok());
        assert_eq!(
            "+0441".parse::<E164Number>().unwrap_err().rule,
            Rule::LeadingZero
        );
        assert_eq!(
            "+1234567890123456".parse::<E164Number>().unwrap_err().rule,
            Rule::TooLong { max: 15 }
        );
        assert_eq!(
            "441".parse::<E164Number>().unwrap_err().rule,
            Rule::MissingPlus
        );
        assert_eq!("+".parse::<E164Number>().unwrap_err().rule, Rule::Empty);
    }
}
