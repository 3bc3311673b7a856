//! Stage 6 (names): unique IP Office user names for new users and renames, handed out in
//! person order.

use ipo_model::{IpoSnapshot, NameRegistry};

use super::context::Context;
use super::desired::{Desired, Want};
use super::line::Line;
use super::links::Pairing;
use crate::config::ApplyMode;
use crate::reason::Reason;
use crate::state::Link;

/// Names for new users and for renames, in person order: each must be unique among the
/// names IP Office has and the ones given before it, so this pass cannot be split. The
/// name is settled in [`Desired::name`].
pub(super) fn assign(
    cx: &Context<'_>,
    pairing: &Pairing<'_>,
    desired: &mut [Option<Desired<'_>>],
    lines: &mut [Line],
) {
    let mut names = TakenNames::new(cx.snapshot);
    for (i, (d, line)) in desired.iter_mut().zip(lines).enumerate() {
        let Some(d) = d.as_mut().filter(|_| !line.blocked) else {
            continue;
        };
        let Want::User { existing, adopted } = d.want else {
            continue;
        };
        let link = pairing.link(i);
        let Some(base) = &d.name else {
            continue;
        };
        match existing {
            None => {
                let name = base.make_unique(names.get());
                if let Some(src) = &d.name_source
                    && src.as_str() != name.as_str()
                {
                    line.warn(Reason::NameDerived {
                        from: src.to_string(),
                        name: name.clone(),
                    });
                }
                d.name = Some(name);
            }
            Some(actual) if renames(cx, d, adopted, link) && *base != actual.name => {
                // The user's own name does not stand in its way (a change of case keeps
                // it), but stays taken for everyone else: creates are written before
                // updates, so IP Office still has it when they are made.
                let names = names.get();
                names.remove(&actual.name);
                let name = base.make_unique(names);
                names.insert(&actual.name);
                d.name = Some(name);
            }
            Some(_) => {}
        }
    }
}

/// Whether a linked user is renamed: only when the mapped source value itself changed
/// (renames move voicemail boxes), never for one just adopted.
pub(super) fn renames(
    cx: &Context<'_>,
    d: &Desired<'_>,
    adopted: bool,
    link: Option<&Link>,
) -> bool {
    let link_source = link.and_then(|l| l.name_source.as_deref());
    !adopted
        && cx.config.fields.name.apply == ApplyMode::Always
        && d.name_source.is_some()
        && d.name_source.as_deref() != link_source
        && d.name.is_some()
}

/// The names taken in IP Office (users and hunt groups), listed on first use: a plan with
/// no create and no rename never needs them.
struct TakenNames<'s> {
    snapshot: &'s IpoSnapshot,
    registry: Option<NameRegistry>,
}

impl<'s> TakenNames<'s> {
    fn new(snapshot: &'s IpoSnapshot) -> Self {
        TakenNames {
            snapshot,
            registry: None,
        }
    }

    fn get(&mut self) -> &mut NameRegistry {
        let s = self.snapshot;
        self.registry.get_or_insert_with(|| {
            let mut r = NameRegistry::new();
            for n in (s.users.iter().map(|u| &u.name)).chain(s.hunt_groups.iter().map(|h| &h.name))
            {
                r.insert(n);
            }
            r
        })
    }
}
