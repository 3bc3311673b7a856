//! Which entries a search names (base, scope, filter) and how each is written back
//! (requested attributes only). No I/O here: the connection code and the benches share it.

use ldap3_proto::proto::{
    LdapPartialAttribute, LdapResultCode, LdapSearchResultEntry, LdapSearchScope,
};

use crate::dn::NormDn;
use crate::entry::Prepared;
use crate::filter::{Attr, Compiled, Truth, View};
use crate::set::EntrySet;

/// The paged-results control's OID (RFC 2696).
pub(crate) const PAGED_RESULTS_OID: &str = "1.2.840.113556.1.4.319";

/// The served tree: the base entry and, one level below it, the set's entries.
pub(crate) struct Tree<'a> {
    pub(crate) base_dn: &'a str,
    pub(crate) base: &'a NormDn,
    pub(crate) set: &'a EntrySet,
}

/// One entry a search found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hit {
    /// The root DSE (base search of the empty DN).
    Root,
    /// The base entry itself.
    Base,
    /// The set's entry at this index.
    Person(usize),
}

/// A search refused or failed, with the code and a message for the client.
pub(crate) type Failure = (LdapResultCode, String);

struct PersonView<'a>(&'a Prepared);

impl View for PersonView<'_> {
    fn any_value(&self, a: Attr, pred: &mut dyn FnMut(&str) -> bool) -> bool {
        let p = self.0;
        match a {
            Attr::ObjectClass => ["top", "person", "organizationalperson"]
                .into_iter()
                .any(pred),
            Attr::Cn => pred(&p.cn_prep),
            Attr::TelephoneNumber => pred(&p.tel_prep),
            Attr::Mobile => p.mobile_prep.as_deref().is_some_and(pred),
            Attr::Ou | Attr::Dc => false,
        }
    }
}

struct BaseView<'a>(&'a NormDn);

impl BaseView<'_> {
    fn rdn_attr(&self) -> Option<Attr> {
        self.0.first().and_then(|(t, _)| Attr::parse(t))
    }
}

impl View for BaseView<'_> {
    fn any_value(&self, a: Attr, pred: &mut dyn FnMut(&str) -> bool) -> bool {
        if a == Attr::ObjectClass {
            return base_classes(self.rdn_attr())
                .iter()
                .any(|c| pred(&c.to_ascii_lowercase()));
        }
        match (self.rdn_attr(), self.0.first()) {
            (Some(r), Some((_, v))) if r == a => pred(&a.prep(v)),
            _ => false,
        }
    }
}

fn base_classes(rdn: Option<Attr>) -> &'static [&'static str] {
    match rdn {
        Some(Attr::Ou) => &["top", "organizationalUnit"],
        Some(Attr::Dc) => &["top", "dcObject"],
        _ => &["top"],
    }
}

struct RootView;

impl View for RootView {
    fn any_value(&self, a: Attr, pred: &mut dyn FnMut(&str) -> bool) -> bool {
        a == Attr::ObjectClass && pred("top")
    }
}

impl Tree<'_> {
    /// The entries `base` and `scope` name, in order, that `filter` holds true for.
    pub(crate) fn find(
        &self,
        base: &str,
        scope: &LdapSearchScope,
        filter: &Compiled,
    ) -> Result<Vec<Hit>, Failure> {
        let Some(req) = NormDn::parse(base) else {
            return Err((
                LdapResultCode::InvalidDNSyntax,
                format!("{base:?} is not a valid DN"),
            ));
        };
        let all_people = || (0..self.set.entries.len()).map(Hit::Person);
        let candidates: Vec<Hit> = if req == *self.base {
            match scope {
                LdapSearchScope::Base => vec![Hit::Base],
                LdapSearchScope::OneLevel | LdapSearchScope::Children => all_people().collect(),
                LdapSearchScope::Subtree => {
                    std::iter::once(Hit::Base).chain(all_people()).collect()
                }
            }
        } else if let Some(i) = self.person_at(&req) {
            match scope {
                LdapSearchScope::Base | LdapSearchScope::Subtree => vec![Hit::Person(i)],
                LdapSearchScope::OneLevel | LdapSearchScope::Children => Vec::new(),
            }
        } else if self.base.is_within(&req) {
            // An ancestor of the base (or the root): the base's parents are not entries of
            // ours, but a subtree search from them still reaches everything we hold.
            match scope {
                LdapSearchScope::Base if req.is_root() => vec![Hit::Root],
                LdapSearchScope::Base => return Err(no_such_object(base)),
                LdapSearchScope::OneLevel | LdapSearchScope::Children => {
                    if self.base.depth() == req.depth() + 1 {
                        vec![Hit::Base]
                    } else {
                        Vec::new()
                    }
                }
                LdapSearchScope::Subtree => {
                    std::iter::once(Hit::Base).chain(all_people()).collect()
                }
            }
        } else {
            return Err(no_such_object(base));
        };
        Ok(candidates
            .into_iter()
            .filter(|h| filter.eval(self.view(*h).as_ref()) == Truth::True)
            .collect())
    }

    fn person_at(&self, dn: &NormDn) -> Option<usize> {
        match dn.first() {
            Some(("cn" | "commonname" | "2.5.4.3", v)) if dn.parent() == *self.base => {
                self.set.by_cn.get(v).copied()
            }
            _ => None,
        }
    }

    fn view(&self, h: Hit) -> Box<dyn View + '_> {
        match h {
            Hit::Root => Box::new(RootView),
            Hit::Base => Box::new(BaseView(self.base)),
            Hit::Person(i) => Box::new(PersonView(&self.set.entries[i])),
        }
    }

    /// A hit written as a search result entry with the selected attributes.
    pub(crate) fn render(
        &self,
        h: Hit,
        sel: &Selection,
        types_only: bool,
    ) -> LdapSearchResultEntry {
        let mut attrs: Vec<LdapPartialAttribute> = Vec::new();
        let mut put = |a: &str, vals: Vec<Vec<u8>>| {
            attrs.push(LdapPartialAttribute {
                atype: a.to_owned(),
                vals: if types_only { Vec::new() } else { vals },
            })
        };
        let dn = match h {
            Hit::Root => {
                if sel.wants(Attr::ObjectClass) {
                    put("objectClass", vec![b"top".to_vec()]);
                }
                // Root DSE attributes are operational: listed for "+", "*" or by name.
                let root: [(&str, Vec<Vec<u8>>); 4] = [
                    ("namingContexts", vec![self.base_dn.as_bytes().to_vec()]),
                    ("supportedLDAPVersion", vec![b"2".to_vec(), b"3".to_vec()]),
                    (
                        "supportedControl",
                        vec![PAGED_RESULTS_OID.as_bytes().to_vec()],
                    ),
                    ("vendorName", vec![b"ipo-teams".to_vec()]),
                ];
                for (name, vals) in root {
                    if sel.wants_operational(name) {
                        put(name, vals);
                    }
                }
                String::new()
            }
            Hit::Base => {
                let rdn = BaseView(self.base).rdn_attr();
                for a in Attr::ALL {
                    if !sel.wants(a) {
                        continue;
                    }
                    if a == Attr::ObjectClass {
                        let classes = base_classes(rdn).iter().map(|c| c.as_bytes().to_vec());
                        put(a.name(), classes.collect());
                    } else if Some(a) == rdn
                        && let Some((_, v)) = self.base.first_raw()
                    {
                        put(a.name(), vec![v.as_bytes().to_vec()]);
                    }
                }
                self.base_dn.to_owned()
            }
            Hit::Person(i) => {
                let p = &self.set.entries[i];
                for a in Attr::ALL {
                    if !sel.wants(a) {
                        continue;
                    }
                    let vals = match a {
                        Attr::ObjectClass => vec![
                            b"top".to_vec(),
                            b"person".to_vec(),
                            b"organizationalPerson".to_vec(),
                        ],
                        Attr::Cn => vec![p.entry.cn.as_bytes().to_vec()],
                        Attr::TelephoneNumber => vec![p.entry.telephone_number.as_bytes().to_vec()],
                        Attr::Mobile => match &p.entry.mobile {
                            Some(m) => vec![m.as_bytes().to_vec()],
                            None => continue,
                        },
                        Attr::Ou | Attr::Dc => continue,
                    };
                    put(a.name(), vals);
                }
                format!("{},{}", p.rdn, self.base_dn)
            }
        };
        LdapSearchResultEntry {
            dn,
            attributes: attrs,
        }
    }
}

fn no_such_object(base: &str) -> Failure {
    (
        LdapResultCode::NoSuchObject,
        format!("no entry {base:?} in this directory"),
    )
}

/// Which attributes a search asked for (RFC 4511 section 4.5.1.8).
#[derive(Debug, Clone)]
pub(crate) struct Selection {
    all_user: bool,
    operational: bool,
    named: Vec<String>,
}

impl Selection {
    /// From the request's list: empty or `*` means every user attribute, `+` every
    /// operational one, `1.1` none; names compare ignoring case, unknown names are ignored.
    pub(crate) fn new(attrs: &[String]) -> Self {
        let named: Vec<String> = attrs.iter().map(|a| a.to_ascii_lowercase()).collect();
        let all_user = attrs.is_empty() || named.iter().any(|a| a == "*");
        let operational = named.iter().any(|a| a == "+");
        Self {
            all_user,
            operational,
            named,
        }
    }

    fn wants(&self, a: Attr) -> bool {
        self.all_user || self.named.iter().any(|n| Attr::parse(n) == Some(a))
    }

    fn wants_operational(&self, name: &str) -> bool {
        self.all_user || self.operational || self.named.iter().any(|n| n.eq_ignore_ascii_case(name))
    }
}
