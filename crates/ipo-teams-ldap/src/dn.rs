//! Distinguished names (RFC 4514): writing an entry's name with its value escaped, and
//! reading a client's base DN back into a form that compares as LDAP compares names.
//!
//! Only what a directory of leaf entries under one base needs: no multi-valued RDNs beyond
//! comparing them as written, no `#hex` BER values (such a DN simply names nothing here).

/// Escapes `value` for use as an attribute value in a DN string (RFC 4514 section 2.4).
///
/// ```
/// use ipo_teams_ldap::dn::escape_value;
/// assert_eq!(escape_value("Lee, Ann"), "Lee\\, Ann");
/// assert_eq!(escape_value(" a "), "\\ a\\ ");
/// assert_eq!(escape_value("#a#"), "\\#a#");
/// assert_eq!(escape_value("a\0b"), "a\\00b");
/// ```
pub fn escape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 4);
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' | '=' => {
                out.push('\\');
                out.push(c);
            }
            '\0' => out.push_str("\\00"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            '#' if i == 0 => out.push_str("\\#"),
            _ => out.push(c),
        }
    }
    out
}

/// One RDN: its attribute type (lower-cased), its value unescaped, and the value prepared
/// for comparison. Two RDNs are equal when type and prepared value are.
#[derive(Debug, Clone)]
pub(crate) struct Rdn {
    pub(crate) ty: String,
    pub(crate) value: String,
    pub(crate) prep: String,
}

impl PartialEq for Rdn {
    fn eq(&self, other: &Self) -> bool {
        self.ty == other.ty && self.prep == other.prep
    }
}

impl Eq for Rdn {}

/// A DN read into comparable form: RDNs in order (most specific first), each with its
/// attribute type lower-cased and its value unescaped and prepared as case-ignore matching
/// prepares strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormDn(pub(crate) Vec<Rdn>);

impl NormDn {
    /// Reads a DN string; `None` when it is not a valid DN.
    ///
    /// ```
    /// use ipo_teams_ldap::dn::NormDn;
    /// let a = NormDn::parse("CN=Lee\\, Ann , ou=Teams").unwrap();
    /// let b = NormDn::parse("cn=lee\\2c ann,OU=teams").unwrap();
    /// assert_eq!(a, b);
    /// assert!(NormDn::parse("cn=a,,").is_none());
    /// assert!(NormDn::parse("").unwrap().is_root());
    /// ```
    pub fn parse(dn: &str) -> Option<Self> {
        let mut rdns = Vec::new();
        if dn.trim().is_empty() {
            return Some(Self(rdns));
        }
        let mut chars = dn.chars().peekable();
        loop {
            // attribute type
            let mut ty = String::new();
            let mut has_eq = false;
            for c in chars.by_ref() {
                if c == '=' {
                    has_eq = true;
                    break;
                }
                ty.push(c);
            }
            let ty = ty.trim().to_lowercase();
            if !has_eq
                || ty.is_empty()
                || !ty
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            {
                return None;
            }
            // value, up to an unescaped ',' (or ';', the old separator)
            let mut bytes: Vec<u8> = Vec::new();
            // Length of `bytes` up to the last character that was escaped or not a space:
            // trailing unescaped spaces are not part of the value.
            let mut keep = 0usize;
            let mut started = false;
            let mut ended_by_sep = false;
            while let Some(c) = chars.next() {
                match c {
                    ',' | ';' => {
                        ended_by_sep = true;
                        break;
                    }
                    '\\' => {
                        let a = chars.next()?;
                        if a.is_ascii_hexdigit() {
                            let b = chars.next()?;
                            let hex = [a, b].iter().collect::<String>();
                            bytes.push(u8::from_str_radix(&hex, 16).ok()?);
                        } else if "\"+,;<>\\=# ".contains(a) {
                            let mut buf = [0u8; 4];
                            bytes.extend_from_slice(a.encode_utf8(&mut buf).as_bytes());
                        } else {
                            // RFC 4514 escapes only special characters and hex pairs.
                            return None;
                        }
                        started = true;
                        keep = bytes.len();
                    }
                    ' ' if !started => {}
                    _ => {
                        let mut buf = [0u8; 4];
                        bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        started = true;
                        if c != ' ' {
                            keep = bytes.len();
                        }
                    }
                }
            }
            bytes.truncate(keep);
            let value = String::from_utf8(bytes).ok()?;
            rdns.push(Rdn {
                prep: prep_case_ignore(&value),
                ty,
                value,
            });
            if !ended_by_sep {
                break;
            }
            // A trailing separator leaves an empty RDN: not a DN.
            chars.peek()?;
        }
        Some(Self(rdns))
    }

    /// The root DSE's empty name.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `self` lies under `ancestor` (or is it).
    pub fn is_within(&self, ancestor: &NormDn) -> bool {
        self.0.len() >= ancestor.0.len() && self.0.ends_with(&ancestor.0)
    }

    /// How many RDNs the name has.
    pub fn depth(&self) -> usize {
        self.0.len()
    }

    /// The first (most specific) RDN, type and prepared value.
    pub fn first(&self) -> Option<(&str, &str)> {
        self.0.first().map(|r| (r.ty.as_str(), r.prep.as_str()))
    }

    /// The first RDN's type and its value as written (unescaped, not prepared).
    pub fn first_raw(&self) -> Option<(&str, &str)> {
        self.0.first().map(|r| (r.ty.as_str(), r.value.as_str()))
    }

    /// The name without its first RDN.
    pub fn parent(&self) -> NormDn {
        NormDn(self.0.iter().skip(1).cloned().collect())
    }
}

/// Prepares a string for case-ignore matching (a simplified RFC 4518): folds case and
/// collapses runs of white space to one space, dropping it at both ends.
pub fn prep_case_ignore(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_values_read_back_to_the_same_value() {
        for v in [
            "*()\\",
            "a\0b",
            "Zoë Ó Briain",
            "#x",
            " lead",
            "trail ",
            "a,b+c=d;e<f>\"g",
        ] {
            let dn = format!("cn={},ou=teams", escape_value(v));
            let parsed = NormDn::parse(&dn).unwrap_or_else(|| panic!("{dn}"));
            assert_eq!(
                parsed.first(),
                Some(("cn", prep_case_ignore(v).as_str())),
                "{dn}"
            );
            assert_eq!(parsed.depth(), 2);
        }
    }

    #[test]
    fn hex_escapes_decode_utf8() {
        let d = NormDn::parse("cn=Zo\\C3\\AB,dc=x").unwrap();
        assert_eq!(d.first(), Some(("cn", "zoë")));
        assert!(NormDn::parse("cn=\\ZZ").is_none());
        assert!(NormDn::parse("=x").is_none());
        assert!(NormDn::parse("ipoffice").is_none());
    }

    #[test]
    fn within_and_parent() {
        let base = NormDn::parse("ou=Teams,dc=example,dc=com").unwrap();
        let e = NormDn::parse("cn=Ann,ou=teams,dc=Example,dc=com").unwrap();
        assert!(e.is_within(&base));
        assert!(base.is_within(&base));
        assert!(!base.is_within(&e));
        assert_eq!(e.parent(), base);
        assert!(base.is_within(&NormDn::parse("dc=com").unwrap()));
    }
}
