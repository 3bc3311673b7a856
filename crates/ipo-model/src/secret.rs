//! A string that must never be shown: passwords, client secrets, tokens, session cookies.

use std::fmt;

use crate::REDACTED;

/// A secret string: IP Office's service password and session cookies, the Azure AD client
/// secret and access tokens, the LDAP bind password.
///
/// `Debug` prints a redaction marker and `Display` is deliberately not implemented, so the
/// value cannot slip into a log line, an error or a saved file; [`Secret::expose`] is the
/// only way to read it.
///
/// ```
/// use ipo_model::Secret;
/// let s = Secret::new("hunter2");
/// assert_eq!(format!("{s:?}"), "Secret(***)");
/// assert_eq!(s.expose(), "hunter2");
/// assert!(s.matches("hunter2") && !s.matches("hunter"));
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that must send or compare it. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty (a configuration mistake worth reporting early).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `candidate` is this secret, compared in time that does not depend on where
    /// the first difference is (a network peer must not learn a prefix by timing).
    pub fn matches(&self, candidate: &str) -> bool {
        let a = self.0.as_bytes();
        let b = candidate.as_bytes();
        let mut diff = a.len() ^ b.len();
        for (i, x) in a.iter().enumerate() {
            let y = b.get(i).copied().unwrap_or(0);
            diff |= usize::from(x ^ y);
        }
        diff == 0
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({REDACTED})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_shown_in_debug() {
        let s = Secret::new("hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(!format!("{:?}", Some(s.clone())).contains("hunter2"));
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn empty_matches_only_empty() {
        let p = Secret::new("");
        assert!(p.matches(""));
        assert!(!p.matches("x"));
        assert!(!Secret::new("ab").matches("abc"));
    }
}
