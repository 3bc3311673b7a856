//! The error every validated value gives when its input breaks a rule.

use std::fmt;

/// A value that IP Office, Teams or Azure AD would refuse, with the input and the rule it broke.
///
/// The input is kept so that a report can name it; values that are secrets (login and
/// voicemail codes) are never echoed: their `input` is replaced by a redaction marker.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} {input:?}: {rule}")]
pub struct InvalidValue {
    /// Which kind of value was being read, e.g. `"user name"`.
    pub kind: &'static str,
    /// The offending input (redacted for secrets).
    pub input: String,
    /// The rule it broke.
    pub rule: Rule,
}

impl InvalidValue {
    /// Builds an error for `kind` with the given input and rule.
    pub fn new(kind: &'static str, input: impl Into<String>, rule: Rule) -> Self {
        Self {
            kind,
            input: input.into(),
            rule,
        }
    }

    /// Builds an error whose input must not be shown (a secret such as a voicemail code).
    pub fn redacted(kind: &'static str, rule: Rule) -> Self {
        Self {
            kind,
            input: crate::REDACTED.to_owned(),
            rule,
        }
    }
}

/// The rule a value broke.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// The value is empty but must not be.
    Empty,
    /// Longer than allowed (counted in characters).
    TooLong {
        /// The maximum.
        max: usize,
    },
    /// Shorter than allowed.
    TooShort {
        /// The minimum.
        min: usize,
    },
    /// Starts with a space.
    LeadingSpace,
    /// Contains a character that is not allowed.
    ForbiddenChar(char),
    /// Contains something other than decimal digits.
    NotDigits,
    /// A `+` was required at the start.
    MissingPlus,
    /// A leading zero where the format forbids it (E.164 country code).
    LeadingZero,
    /// The same digit repeated throughout (e.g. `222222`).
    RepeatedDigit,
    /// An ascending or descending run (e.g. `1234`).
    Sequence,
    /// Equal to the user's extension.
    EqualsExtension,
    /// Not in the expected shape; the text says which shape was expected.
    Format(String),
    /// The value cannot be written in the requested format.
    NotRepresentable(String),
    /// Out of the allowed range.
    OutOfRange(String),
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Empty => f.write_str("must not be empty"),
            Rule::TooLong { max } => write!(f, "longer than {max} characters"),
            Rule::TooShort { min } => write!(f, "shorter than {min} characters"),
            Rule::LeadingSpace => f.write_str("must not start with a space"),
            Rule::ForbiddenChar(c) => write!(f, "character {c:?} is not allowed"),
            Rule::NotDigits => f.write_str("only digits 0-9 are allowed"),
            Rule::MissingPlus => f.write_str("must start with '+' and the country code"),
            Rule::LeadingZero => f.write_str("the country code cannot start with 0"),
            Rule::RepeatedDigit => f.write_str("must not be one digit repeated"),
            Rule::Sequence => f.write_str("must not be an ascending or descending run"),
            Rule::EqualsExtension => f.write_str("must differ from the extension number"),
            Rule::Format(s) => write!(f, "expected {s}"),
            Rule::NotRepresentable(s) => write!(f, "cannot be written as {s}"),
            Rule::OutOfRange(s) => write!(f, "out of range: {s}"),
        }
    }
}
