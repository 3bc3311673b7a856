//! The bind password: a value that never prints.

use std::fmt;
use std::path::Path;

use crate::error::ConfigError;

/// The password IP Office binds with.
///
/// `Debug` prints a redaction marker and there is no `Display`, so the value cannot slip into
/// a log line, an error or a saved file; [`BindPassword::expose`] is the only way to read it.
///
/// ```
/// use ipo_teams_ldap::BindPassword;
/// let p = BindPassword::new("s3cret");
/// assert_eq!(format!("{p:?}"), "BindPassword(***)");
/// assert!(p.matches("s3cret"));
/// assert!(!p.matches("s3cre"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct BindPassword(String);

impl BindPassword {
    /// Wraps a password.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// Reads the password from environment variable `var`.
    pub fn from_env(var: &str) -> Result<Self, ConfigError> {
        match std::env::var(var) {
            Ok(v) if !v.is_empty() => Ok(Self(v)),
            _ => Err(ConfigError::PasswordMissing {
                source_name: format!("environment variable {var}"),
            }),
        }
    }

    /// Reads the password from a credentials file: its first line, without the line end.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::PasswordFile {
            path: path.to_owned(),
            source,
        })?;
        let first = text.lines().next().unwrap_or_default();
        if first.is_empty() {
            return Err(ConfigError::PasswordMissing {
                source_name: format!("file {}", path.display()),
            });
        }
        Ok(Self(first.to_owned()))
    }

    /// The password itself. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `candidate` is this password, compared in time that does not depend on where
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

impl fmt::Debug for BindPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BindPassword({})", ipo_model::REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_password_matches_only_empty() {
        let p = BindPassword::new("");
        assert!(p.matches(""));
        assert!(!p.matches("x"));
    }

    #[test]
    fn file_takes_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "line one\nline two\n").unwrap();
        let p = BindPassword::from_file(&path).unwrap();
        assert_eq!(p.expose(), "line one");
        std::fs::write(&path, "\n").unwrap();
        let e = BindPassword::from_file(&path).unwrap_err().to_string();
        assert!(e.contains("pw"), "{e}");
        assert!(!e.contains("line one"), "{e}");
    }
}
