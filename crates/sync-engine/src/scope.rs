//! Scope: which rule, if any, decides what a person should be. The first stage of
//! planning, and the only thing the rules decide about a person; everything else about
//! them is `usertype-rules`' verdict.

use ipo_model::{AzureAdUser, GroupId};

use crate::config::{GroupRule, SyncConfig};
use std::collections::HashMap;

/// What the rules say about one person.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ruled<'a> {
    /// In none of the rules' groups.
    Nothing,
    /// Rules of equal (highest) priority want different user types.
    Conflict {
        /// Their priority.
        priority: i32,
    },
    /// The winning rule, with its index in the configuration.
    Rule(usize, &'a GroupRule),
}

/// The rules by group, for finding each person's rule in one pass over their groups.
pub(crate) struct Scope<'a> {
    config: &'a SyncConfig,
    rules_by_group: HashMap<&'a GroupId, Vec<usize>>,
}

impl<'a> Scope<'a> {
    pub(crate) fn new(config: &'a SyncConfig) -> Self {
        let mut rules_by_group: HashMap<&GroupId, Vec<usize>> = HashMap::new();
        for (i, r) in config.rules.iter().enumerate() {
            rules_by_group.entry(&r.group).or_default().push(i);
        }
        Self {
            config,
            rules_by_group,
        }
    }

    /// The rule of a person reached as `same` (one Azure AD user, read once per group it
    /// was found through): the first in configuration order among the highest priority,
    /// unless an equal one wants another type.
    pub(crate) fn rule_for(&self, same: &[&AzureAdUser]) -> Ruled<'a> {
        let groups = same.iter().flat_map(|u| u.groups.iter());
        let mut best: Option<(usize, &'a GroupRule)> = None;
        let mut conflict = false;
        for &i in groups.flat_map(|g| self.rules_by_group.get(g)).flatten() {
            let Some(r) = self.config.rules.get(i) else {
                continue;
            };
            match best {
                Some((j, b)) if r.priority == b.priority => {
                    conflict |= r.user_type != b.user_type;
                    if i < j {
                        best = Some((i, r));
                    }
                }
                Some((_, b)) if r.priority < b.priority => {}
                _ => {
                    best = Some((i, r));
                    conflict = false;
                }
            }
        }
        match best {
            None => Ruled::Nothing,
            Some((_, r)) if conflict => Ruled::Conflict {
                priority: r.priority,
            },
            Some((i, r)) => Ruled::Rule(i, r),
        }
    }

    /// The labels of the rules of `priority` that hold the person (for a conflict report).
    pub(crate) fn conflicting(&self, same: &[&AzureAdUser], priority: i32) -> Vec<String> {
        self.config
            .rules
            .iter()
            .filter(|r| r.priority == priority)
            .filter(|r| same.iter().any(|u| u.groups.contains(&r.group)))
            .map(GroupRule::label)
            .collect()
    }
}

/// The directory sorted by object id, so the plan does not depend on the directory's order
/// (see [`people_of`]).
pub(crate) fn sorted_by_id(directory: &[AzureAdUser]) -> Vec<&AzureAdUser> {
    let mut sorted: Vec<&AzureAdUser> = directory.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    sorted
}

/// The people of a [`sorted_by_id`] directory: the copies of one person (found through
/// several groups) side by side, as slices of it (not a vector per person).
pub(crate) fn people_of<'s, 'a>(sorted: &'s [&'a AzureAdUser]) -> Vec<&'s [&'a AzureAdUser]> {
    sorted.chunk_by(|a, b| a.id == b.id).collect()
}
