//! Login and voicemail codes: digit strings that are secrets.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::REDACTED;
use crate::error::{InvalidValue, Rule};
use crate::extension::ExtensionNumber;

fn digits_only(kind: &'static str, s: &str) -> Result<(), InvalidValue> {
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InvalidValue::redacted(kind, Rule::NotDigits));
    }
    Ok(())
}

macro_rules! secret_digits {
    ($t:ident) => {
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($t), "({})"), REDACTED)
            }
        }
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
        impl $t {
            /// The digits. This is a secret: do not log it.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }
    };
}

/// Shortest login code (digits).
pub const MIN_LOGIN_CODE: usize = 4;
/// Longest login code IP Office accepts (digits). IP phones take at most 13 and Avaya's
/// sync UI limits it to 15; [`LoginCode::fits_ip_phones`] and [`LoginCode::fits_sync_ui`] tell.
pub const MAX_LOGIN_CODE: usize = 31;

/// A user's `LoginCode`: 4 to 31 digits. `Debug` never shows the digits.
///
/// `Display` is deliberately not implemented so the code cannot end up in a formatted message.
///
/// ```
/// use ipo_model::LoginCode;
/// let code: LoginCode = "4711".parse()?;
/// assert_eq!(format!("{code:?}"), "LoginCode(***)");
/// assert!("12a4".parse::<LoginCode>().is_err());
/// # Ok::<(), ipo_model::InvalidValue>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LoginCode(String);

impl FromStr for LoginCode {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const KIND: &str = "login code";
        digits_only(KIND, s)?;
        if s.len() < MIN_LOGIN_CODE {
            return Err(InvalidValue::redacted(
                KIND,
                Rule::TooShort {
                    min: MIN_LOGIN_CODE,
                },
            ));
        }
        if s.len() > MAX_LOGIN_CODE {
            return Err(InvalidValue::redacted(
                KIND,
                Rule::TooLong {
                    max: MAX_LOGIN_CODE,
                },
            ));
        }
        Ok(Self(s.to_owned()))
    }
}
secret_digits!(LoginCode);

impl LoginCode {
    /// At most 13 digits: usable on IP phones.
    pub fn fits_ip_phones(&self) -> bool {
        self.0.len() <= 13
    }
    /// At most 15 digits: what Avaya's own sync accepts.
    pub fn fits_sync_ui(&self) -> bool {
        self.0.len() <= 15
    }
}

/// Longest voicemail code (digits).
pub const MAX_VOICEMAIL_CODE: usize = 15;

/// A user's `VoicemailCode`: up to 15 digits, not one digit repeated (`222222`), not an
/// ascending or descending run (`1234`, `4321`). Whether it equals the user's extension
/// is checked with [`VoicemailCode::check_against`]. An empty code is expressed as `None`
/// wherever a code is optional. `Debug` never shows the digits.
///
/// ```
/// use ipo_model::{ExtensionNumber, VoicemailCode};
/// let code: VoicemailCode = "80417".parse()?;
/// let ext: ExtensionNumber = "80417".parse()?;
/// assert!(code.check_against(&ext).is_err());
/// assert!("1234".parse::<VoicemailCode>().is_err());
/// # Ok::<(), ipo_model::InvalidValue>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VoicemailCode(String);

impl FromStr for VoicemailCode {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const KIND: &str = "voicemail code";
        if s.is_empty() {
            return Err(InvalidValue::redacted(KIND, Rule::Empty));
        }
        digits_only(KIND, s)?;
        if s.len() > MAX_VOICEMAIL_CODE {
            return Err(InvalidValue::redacted(
                KIND,
                Rule::TooLong {
                    max: MAX_VOICEMAIL_CODE,
                },
            ));
        }
        let b = s.as_bytes();
        if b.len() > 1 {
            if b.iter().all(|&d| d == b[0]) {
                return Err(InvalidValue::redacted(KIND, Rule::RepeatedDigit));
            }
            let up = b.windows(2).all(|w| w[1] == w[0] + 1);
            let down = b.windows(2).all(|w| w[0] == w[1] + 1);
            if up || down {
                return Err(InvalidValue::redacted(KIND, Rule::Sequence));
            }
        }
        Ok(Self(s.to_owned()))
    }
}
secret_digits!(VoicemailCode);

impl VoicemailCode {
    /// Refuses a code equal to the user's own extension number.
    pub fn check_against(&self, extension: &ExtensionNumber) -> Result<(), InvalidValue> {
        if self.0 == extension.as_str() {
            return Err(InvalidValue::redacted(
                "voicemail code",
                Rule::EqualsExtension,
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_code_rules() {
        assert!("1234".parse::<LoginCode>().is_ok());
        assert_eq!(
            "123".parse::<LoginCode>().unwrap_err().rule,
            Rule::TooShort { min: 4 }
        );
        assert!("1".repeat(31).parse::<LoginCode>().is_ok());
        assert!("1".repeat(32).parse::<LoginCode>().is_err());
        let c: LoginCode = "12345678901234".parse().unwrap();
        assert!(!c.fits_ip_phones());
        assert!(c.fits_sync_ui());
    }

    #[test]
    fn voicemail_code_rules() {
        assert!("80417".parse::<VoicemailCode>().is_ok());
        assert!("7".parse::<VoicemailCode>().is_ok());
        assert_eq!(
            "222222".parse::<VoicemailCode>().unwrap_err().rule,
            Rule::RepeatedDigit
        );
        assert_eq!(
            "1234".parse::<VoicemailCode>().unwrap_err().rule,
            Rule::Sequence
        );
        assert_eq!(
            "9876".parse::<VoicemailCode>().unwrap_err().rule,
            Rule::Sequence
        );
        assert_eq!(
            "1".repeat(16).parse::<VoicemailCode>().unwrap_err().rule,
            Rule::TooLong { max: 15 }
        );
        assert!("12a".parse::<VoicemailCode>().is_err());
        let ext: ExtensionNumber = "4711".parse().unwrap();
        let code: VoicemailCode = "4711".parse().unwrap();
        assert_eq!(
            code.check_against(&ext).unwrap_err().rule,
            Rule::EqualsExtension
        );
    }

    #[test]
    fn secrets_never_echoed() {
        let e = "99a99".parse::<VoicemailCode>().unwrap_err();
        assert!(!e.to_string().contains("99a99"));
        let c: VoicemailCode = "80417".parse().unwrap();
        assert!(!format!("{c:?}").contains("80417"));
    }
}
