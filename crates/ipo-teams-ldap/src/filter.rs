//! Search filters (RFC 4511 section 4.5.1.7, string form RFC 2254/4515) evaluated on the
//! server, with LDAP's three-valued logic.
//!
//! Values reach us decoded from BER, never as filter text, so a directory name holding
//! `*()\` or NUL cannot change what a filter means: it is only ever compared.

use ldap3_proto::proto::{LdapFilter, LdapSubstringFilter};

use crate::dn::prep_case_ignore;
use crate::entry::prep_telephone;

/// The attributes this directory knows; any other attribute is unknown to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attr {
    ObjectClass,
    Cn,
    TelephoneNumber,
    Mobile,
    Ou,
    Dc,
}

impl Attr {
    /// All user attributes in the order entries list them.
    pub(crate) const ALL: [Attr; 6] = [
        Attr::ObjectClass,
        Attr::Ou,
        Attr::Dc,
        Attr::Cn,
        Attr::TelephoneNumber,
        Attr::Mobile,
    ];

    /// An attribute description (name, alias or OID; case-insensitive). A description
    /// with options (`cn;lang-en`) names nothing this directory holds.
    pub(crate) fn parse(name: &str) -> Option<Attr> {
        Some(match name.to_ascii_lowercase().as_str() {
            "objectclass" | "2.5.4.0" => Attr::ObjectClass,
            "cn" | "commonname" | "2.5.4.3" => Attr::Cn,
            "telephonenumber" | "2.5.4.20" => Attr::TelephoneNumber,
            "mobile" | "mobiletelephonenumber" | "0.9.2342.19200300.100.1.41" => Attr::Mobile,
            "ou" | "organizationalunitname" | "2.5.4.11" => Attr::Ou,
            "dc" | "domaincomponent" | "0.9.2342.19200300.100.1.25" => Attr::Dc,
            _ => return None,
        })
    }

    /// The name written in search results.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Attr::ObjectClass => "objectClass",
            Attr::Cn => "cn",
            Attr::TelephoneNumber => "telephoneNumber",
            Attr::Mobile => "mobile",
            Attr::Ou => "ou",
            Attr::Dc => "dc",
        }
    }

    /// Prepares a value as this attribute's equality and substring rules compare it.
    pub(crate) fn prep(self, v: &str) -> String {
        match self {
            Attr::TelephoneNumber | Attr::Mobile => prep_telephone(v),
            // objectIdentifierMatch on descriptors is case-insensitive; the rest are
            // caseIgnoreMatch / caseIgnoreIA5Match.
            _ => prep_case_ignore(v),
        }
    }
}

/// What an entry offers a filter: its values, already prepared by [`Attr::prep`].
pub(crate) trait View {
    /// Whether any prepared value of `a` satisfies `pred`; false when the entry lacks `a`.
    fn any_value(&self, a: Attr, pred: &mut dyn FnMut(&str) -> bool) -> bool;
}

/// A filter item's truth: LDAP filters are three-valued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Truth {
    True,
    False,
    Undefined,
}

impl Truth {
    fn from_bool(b: bool) -> Self {
        if b { Truth::True } else { Truth::False }
    }
}

/// A filter with its assertion values prepared once, to be evaluated on many entries.
#[derive(Debug, Clone)]
pub(crate) enum Compiled {
    And(Vec<Compiled>),
    Or(Vec<Compiled>),
    Not(Box<Compiled>),
    Equal(Attr, String),
    Substring {
        attr: Attr,
        initial: Option<String>,
        any: Vec<String>,
        last: Option<String>,
    },
    Present(Attr),
    /// `(unknown=*)`: no entry holds an attribute we do not know.
    Absent,
    /// An assertion the directory cannot decide (unknown attribute, or an ordering match
    /// on an attribute without an ordering rule: none of ours has one).
    Undefined,
}

/// Why a filter is refused outright.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused(pub(crate) &'static str);

impl Compiled {
    /// Prepares `f`; extensible match is refused (IP Office never sends it and we do not
    /// implement matching rules by OID).
    pub(crate) fn compile(f: &LdapFilter) -> Result<Compiled, Refused> {
        Ok(match f {
            LdapFilter::And(v) => {
                Compiled::And(v.iter().map(Self::compile).collect::<Result<_, _>>()?)
            }
            LdapFilter::Or(v) => {
                Compiled::Or(v.iter().map(Self::compile).collect::<Result<_, _>>()?)
            }
            LdapFilter::Not(inner) => Compiled::Not(Box::new(Self::compile(inner)?)),
            // No approximate rule: RFC 4511 lets the server treat it as equality.
            LdapFilter::Equality(a, v) | LdapFilter::Approx(a, v) => match Attr::parse(a) {
                Some(attr) => Compiled::Equal(attr, attr.prep(v)),
                None => Compiled::Undefined,
            },
            LdapFilter::Substring(a, s) => match Attr::parse(a) {
                Some(attr) => substring(attr, s),
                None => Compiled::Undefined,
            },
            LdapFilter::Present(a) => match Attr::parse(a) {
                Some(attr) => Compiled::Present(attr),
                None => Compiled::Absent,
            },
            LdapFilter::GreaterOrEqual(..) | LdapFilter::LessOrEqual(..) => Compiled::Undefined,
            LdapFilter::Extensible(_) => {
                return Err(Refused("extensible match filters are not supported"));
            }
        })
    }

    /// The filter's truth for one entry.
    pub(crate) fn eval(&self, e: &dyn View) -> Truth {
        match self {
            Compiled::And(v) => {
                let mut out = Truth::True;
                for f in v {
                    match f.eval(e) {
                        Truth::False => return Truth::False,
                        Truth::Undefined => out = Truth::Undefined,
                        Truth::True => {}
                    }
                }
                out
            }
            Compiled::Or(v) => {
                let mut out = Truth::False;
                for f in v {
                    match f.eval(e) {
                        Truth::True => return Truth::True,
                        Truth::Undefined => out = Truth::Undefined,
                        Truth::False => {}
                    }
                }
                out
            }
            Compiled::Not(f) => match f.eval(e) {
                Truth::True => Truth::False,
                Truth::False => Truth::True,
                Truth::Undefined => Truth::Undefined,
            },
            Compiled::Equal(a, want) => Truth::from_bool(e.any_value(*a, &mut |v| v == want)),
            Compiled::Substring {
                attr,
                initial,
                any,
                last,
            } => Truth::from_bool(e.any_value(*attr, &mut |v| {
                substring_matches(v, initial.as_deref(), any, last.as_deref())
            })),
            Compiled::Present(a) => Truth::from_bool(e.any_value(*a, &mut |_| true)),
            Compiled::Absent => Truth::False,
            Compiled::Undefined => Truth::Undefined,
        }
    }
}

fn substring(attr: Attr, s: &LdapSubstringFilter) -> Compiled {
    Compiled::Substring {
        attr,
        initial: s.initial.as_deref().map(|v| attr.prep(v)),
        any: s.any.iter().map(|v| attr.prep(v)).collect(),
        last: s.final_.as_deref().map(|v| attr.prep(v)),
    }
}

/// RFC 4517 substrings matching: `initial` at the start, each `any` in order after it,
/// `last` at the end, none overlapping.
fn substring_matches(v: &str, initial: Option<&str>, any: &[String], last: Option<&str>) -> bool {
    let mut rest = v;
    if let Some(i) = initial {
        match rest.strip_prefix(i) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    // Keep `last` out of reach of the `any` parts so they cannot overlap it.
    let tail_len = last.map_or(0, str::len);
    if rest.len() < tail_len {
        return false;
    }
    let (mut middle, tail) = rest
        .split_at_checked(rest.len() - tail_len)
        .unwrap_or((rest, ""));
    for a in any {
        match middle.find(a.as_str()) {
            Some(at) => middle = &middle[at + a.len()..],
            None => return false,
        }
    }
    last.is_none_or(|l| tail == l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ldap3_proto::parse_ldap_filter_str;

    struct E(Vec<(Attr, Vec<&'static str>)>);
    impl View for E {
        fn any_value(&self, a: Attr, pred: &mut dyn FnMut(&str) -> bool) -> bool {
            self.0
                .iter()
                .filter(|(x, _)| *x == a)
                .flat_map(|(_, v)| v.iter())
                .any(|v| pred(&a.prep(v)))
        }
    }

    fn ann() -> E {
        E(vec![
            (Attr::ObjectClass, vec!["top", "person"]),
            (Attr::Cn, vec!["Ann  Lee"]),
            (Attr::TelephoneNumber, vec!["441632768402-402"]),
        ])
    }

    fn truth(f: &str) -> Truth {
        // The codec's filter parser takes no spaces in values: write them as `_` here.
        let f = parse_ldap_filter_str(f).unwrap();
        Compiled::compile(&spaces(f)).unwrap().eval(&ann())
    }

    fn spaces(f: LdapFilter) -> LdapFilter {
        match f {
            LdapFilter::And(v) => LdapFilter::And(v.into_iter().map(spaces).collect()),
            LdapFilter::Or(v) => LdapFilter::Or(v.into_iter().map(spaces).collect()),
            LdapFilter::Not(b) => LdapFilter::Not(Box::new(spaces(*b))),
            LdapFilter::Equality(a, v) => LdapFilter::Equality(a, v.replace('_', " ")),
            LdapFilter::Approx(a, v) => LdapFilter::Approx(a, v.replace('_', " ")),
            other => other,
        }
    }

    #[test]
    fn three_valued_logic() {
        assert_eq!(truth("(cn=ann_lee)"), Truth::True);
        assert_eq!(truth("(CN=ANN_LEE)"), Truth::True);
        assert_eq!(truth("(cn=ann)"), Truth::False);
        assert_eq!(truth("(nosuch=1)"), Truth::Undefined);
        assert_eq!(truth("(!(nosuch=1))"), Truth::Undefined);
        assert_eq!(truth("(|(nosuch=1)(cn=ann_lee))"), Truth::True);
        assert_eq!(truth("(&(nosuch=1)(cn=x))"), Truth::False);
        assert_eq!(truth("(&(nosuch=1)(cn=ann_lee))"), Truth::Undefined);
        assert_eq!(truth("(!(mobile=1))"), Truth::True);
        assert_eq!(truth("(mobile=*)"), Truth::False);
        assert_eq!(truth("(nosuch=*)"), Truth::False);
        assert_eq!(truth("(cn>=a)"), Truth::Undefined);
        assert_eq!(truth("(cn~=ann_lee)"), Truth::True);
    }

    #[test]
    fn telephone_match_ignores_spaces_and_hyphens() {
        assert_eq!(truth("(telephoneNumber=441632768402402)"), Truth::True);
        assert_eq!(truth("(telephoneNumber=*-402)"), Truth::True);
        assert_eq!(truth("(telephoneNumber=4416*)"), Truth::True);
        assert_eq!(truth("(telephoneNumber=+402)"), Truth::False);
    }

    #[test]
    fn substrings_do_not_overlap() {
        assert!(!substring_matches("abc", Some("ab"), &[], Some("bc")));
        assert!(substring_matches("abcbc", Some("ab"), &[], Some("bc")));
        assert!(substring_matches(
            "abcd",
            None,
            &["b".into(), "c".into()],
            None
        ));
        assert!(!substring_matches(
            "acbd",
            None,
            &["b".into(), "c".into()],
            None
        ));
        assert!(!substring_matches("ab", None, &["b".into()], Some("b")));
        assert!(substring_matches("abb", None, &["b".into()], Some("b")));
    }

    #[test]
    fn extensible_is_refused() {
        let f = parse_ldap_filter_str("(cn:caseExactMatch:=Ann)").unwrap();
        assert!(Compiled::compile(&f).is_err());
    }
}
