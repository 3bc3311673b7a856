//! Entry points for the criterion benches: the search path without sockets.
use ldap3_proto::parse_ldap_filter_str;
use ldap3_proto::proto::LdapSearchScope;

use crate::dn::NormDn;
use crate::filter::Compiled;
use crate::search::{Selection, Tree};
use crate::set::EntrySet;

/// Finds and renders a subtree search of `filter` under `base_dn`; returns the number
/// of entries written.
pub fn search_subtree(set: &EntrySet, base_dn: &str, filter: &str) -> usize {
    let Some(base) = NormDn::parse(base_dn) else {
        return 0;
    };
    let Ok(f) = parse_ldap_filter_str(filter) else {
        return 0;
    };
    let Ok(c) = Compiled::compile(&f) else {
        return 0;
    };
    let tree = Tree {
        base_dn,
        base: &base,
        set,
    };
    let sel = Selection::new(&[]);
    match tree.find(base_dn, &LdapSearchScope::Subtree, &c) {
        Ok(hits) => hits
            .iter()
            .map(|h| tree.render(*h, &sel, false))
            .filter(|e| !e.dn.is_empty())
            .count(),
        Err(_) => 0,
    }
}
