//! Stage 3 (numbers): extensions handed out to new users, in a stable order.

use std::collections::{HashMap, HashSet};

use ipo_model::{ExtensionNumber, HUNT_GROUP_RESERVED, TeamsNumber, UserType};

use super::context::Context;
use super::desired::Desired;
use super::line::Line;
use super::links::Pairing;
use super::person::Judged;
use crate::reason::Reason;

/// Gives each new user who brings no extension one from their provisioning rule's range
/// (or the one an interrupted run made for them); blocks those who get none.
pub(super) fn allocate(
    cx: &Context<'_>,
    people: &[Judged<'_>],
    pairing: &Pairing<'_>,
    desired: &mut [Option<Desired<'_>>],
    lines: &mut [Line],
) {
    // Who needs a number allocated (new users only; existing ones keep theirs).
    let needy: Vec<usize> = (desired.iter().zip(lines.iter()).enumerate())
        .filter(|(_, (d, line))| {
            !line.blocked
                && d.as_ref()
                    .is_some_and(|d| d.extension.is_none() && d.creates())
        })
        .map(|(i, _)| i)
        .collect();
    // Steady state: nobody needs a number, so the numbers in use are not even listed.
    if needy.is_empty() {
        return;
    }
    let mut free = FreeNumbers::new(cx, people, desired);
    for i in needy {
        let (Some(Some(d)), Some(line), Some(p)) =
            (desired.get_mut(i), lines.get_mut(i), people.get(i))
        else {
            continue;
        };
        // An extension record this person's earlier (interrupted) run created.
        if let Some(n) = pairing
            .link(i)
            .filter(|l| l.user.is_none() && l.extension.is_some())
            .and_then(|l| l.extension_number.clone())
            && !cx.ix.user_by_ext.contains_key(&n)
            && !cx.ix.hunt_by_ext.contains_key(&n)
        {
            d.extension = Some(n);
            continue;
        }
        // Both sides must ring the same extension, so a Teams + IP Office person brings
        // theirs (their verdict blocks them without one): none is allocated.
        if p.user_type == Some(UserType::TeamsAndIpOffice) {
            continue;
        }
        let Some(rule) = d.provisioning else {
            line.block(Reason::NoExtension);
            continue;
        };
        match free.take(rule) {
            Some(e) => {
                line.trace_with(|| {
                    format!(
                        "extension: {e} allocated from provisioning rule {:?}",
                        rule.name
                    )
                });
                d.extension = Some(e);
            }
            None => line.block(Reason::NoExtension),
        }
    }
}

/// The numbers nobody uses, handed out range by range.
struct FreeNumbers<'r> {
    used: HashSet<ExtensionNumber>,
    /// Where each provisioning rule's range is next searched from.
    cursors: HashMap<&'r str, u64>,
}

impl<'r> FreeNumbers<'r> {
    fn new(cx: &Context<'_>, people: &[Judged<'_>], desired: &[Option<Desired<'_>>]) -> Self {
        // Every number someone in scope wants stays free, even when that person is held
        // back: a Teams-only number clashing with a new user would ring twice.
        let wanted = people.iter().zip(desired).filter_map(|(p, d)| {
            (d.as_ref().and_then(|d| d.extension.as_ref()))
                .or_else(|| p.number.as_ref().and_then(TeamsNumber::extension))
        });
        let s = cx.snapshot;
        let used = (s.users.iter().filter_map(|u| u.extension.as_ref()))
            .chain(s.extensions.iter().map(|e| &e.number))
            .chain(s.hunt_groups.iter().filter_map(|h| h.extension.as_ref()))
            .chain(wanted)
            .cloned()
            .collect();
        FreeNumbers {
            used,
            cursors: HashMap::new(),
        }
    }

    /// The next free number of `rule`'s range, taken; None when the range is spent.
    fn take(&mut self, rule: &'r crate::config::ProvisioningRule) -> Option<ExtensionNumber> {
        let range = rule.range()?;
        let width = range.start.len();
        let (first, last) = (range.start.value(), range.end.value());
        let mut next = self
            .cursors
            .get(rule.name.as_str())
            .copied()
            .unwrap_or(first);
        while next <= last {
            if let Some(e) = ExtensionNumber::from_value(next, width)
                && !self.used.contains(&e)
                && !HUNT_GROUP_RESERVED.contains(&next)
            {
                self.used.insert(e.clone());
                self.cursors.insert(rule.name.as_str(), next + 1);
                return Some(e);
            }
            next += 1;
        }
        None
    }
}
