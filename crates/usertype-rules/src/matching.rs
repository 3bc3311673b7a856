//! Pairing Azure AD users with IP Office users through hash indices (no O(n*m) scans).

use std::collections::{BTreeMap, HashMap};

use ipo_model::{AzureAdUser, ExtensionNumber, Guid, IpoUser, ObjectId};

use crate::config::MatchKey;

/// What matching found for one Azure AD user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    /// No candidate with any key.
    Nothing,
    /// Exactly one candidate (index into the IP Office users) by the key.
    One(usize, MatchKey),
    /// Several candidates by the first key that found any.
    Many(MatchKey, Vec<usize>),
}

/// Indices over the IP Office users (without `NoUser`).
pub(crate) struct IpoIndex<'a> {
    by_guid: HashMap<&'a Guid, Vec<usize>>,
    by_ext: HashMap<&'a ExtensionNumber, Vec<usize>>,
    by_email: HashMap<String, Vec<usize>>,
    /// IP Office users that a stored link gives to some Azure AD user: not up for grabs by
    /// weaker keys.
    linked: HashMap<&'a Guid, Vec<&'a ObjectId>>,
}

fn push<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Vec<usize>>, k: K, i: usize) {
    let v = map.entry(k).or_default();
    // Both e-mail fields may hold the same address: count the user once.
    if v.last() != Some(&i) {
        v.push(i);
    }
}

impl<'a> IpoIndex<'a> {
    pub(crate) fn new(users: &[&'a IpoUser], links: Option<&'a BTreeMap<ObjectId, Guid>>) -> Self {
        let mut by_guid = HashMap::with_capacity(users.len());
        let mut by_ext = HashMap::with_capacity(users.len());
        let mut by_email = HashMap::with_capacity(users.len());
        for (i, u) in users.iter().enumerate() {
            if let Some(g) = &u.guid {
                push(&mut by_guid, g, i);
            }
            if let Some(e) = &u.extension {
                push(&mut by_ext, e, i);
            }
            for mail in [&u.email, &u.voicemail_email].into_iter().flatten() {
                let m = mail.trim();
                if !m.is_empty() {
                    push(&mut by_email, m.to_lowercase(), i);
                }
            }
        }
        let mut linked: HashMap<&Guid, Vec<&ObjectId>> = HashMap::new();
        for (id, g) in links.into_iter().flatten() {
            linked.entry(g).or_default().push(id);
        }
        Self {
            by_guid,
            by_ext,
            by_email,
            linked,
        }
    }

    /// Candidates by each key in `order`; the first key with any candidate decides.
    /// `link` is the user's stored link, `stale` is set when it points nowhere.
    pub(crate) fn find(
        &self,
        user: &AzureAdUser,
        ext: Option<&ExtensionNumber>,
        link: Option<&Guid>,
        order: &[MatchKey],
        users: &[&IpoUser],
        stale: &mut bool,
    ) -> Found {
        // An IP Office user linked to someone else is theirs, whatever the weaker keys say.
        let free = |i: &usize| {
            users
                .get(*i)
                .and_then(|u| u.guid.as_ref())
                .and_then(|g| self.linked.get(g))
                .is_none_or(|owners| owners.contains(&&user.id))
        };
        for key in order {
            let mut cands: Vec<usize> = match key {
                MatchKey::SyncLink => match link {
                    Some(g) => {
                        let found = self.by_guid.get(g).cloned().unwrap_or_default();
                        *stale = found.is_empty();
                        found
                    }
                    None => Vec::new(),
                },
                MatchKey::Extension => ext
                    .and_then(|e| self.by_ext.get(e))
                    .map(|v| v.iter().copied().filter(free).collect())
                    .unwrap_or_default(),
                MatchKey::Email if self.by_email.is_empty() => Vec::new(),
                MatchKey::Email => {
                    let mut v = Vec::new();
                    // One buffer for both addresses instead of a fresh lower-cased copy each.
                    let mut key = String::new();
                    for m in [&user.mail, &user.user_principal_name]
                        .into_iter()
                        .flatten()
                    {
                        key.clear();
                        let m = m.trim();
                        // Addresses are almost always ASCII: lower-casing bytes in place is
                        // the same there, and was most of the matching time char by char.
                        if m.is_ascii() {
                            key.push_str(m);
                            key.make_ascii_lowercase();
                        } else {
                            key.extend(m.chars().flat_map(char::to_lowercase));
                        }
                        if let Some(c) = self.by_email.get(key.as_str()) {
                            v.extend(c.iter().copied().filter(free));
                        }
                    }
                    v
                }
            };
            cands.sort_unstable();
            cands.dedup();
            match cands.len() {
                0 => continue,
                1 => {
                    return cands
                        .first()
                        .map_or(Found::Nothing, |&i| Found::One(i, *key));
                }
                _ => return Found::Many(*key, cands),
            }
        }
        Found::Nothing
    }
}
