//! Stage 4 (numbers and limits): extensions handed out in a stable order, licences and capacity.

use super::*;

impl<'a> Planner<'a> {
    pub(super) fn allocate_extensions(&self, people: &mut [Person<'a>], link_of: &[Option<&Link>]) {
        // The numbers people bring and who needs one allocated (new users only; existing
        // ones keep theirs).
        let needy: Vec<usize> = (people.iter().enumerate())
            .filter(|(_, p)| {
                !p.blocked
                    && p.extension.is_none()
                    && matches!(p.want, Some(Want::User { existing: None, .. }))
            })
            .map(|(i, _)| i)
            .collect();
        // Steady state: nobody needs a number, so the numbers in use are not even listed.
        if needy.is_empty() {
            return;
        }
        // Every number someone in scope wants stays free, even when that person is held
        // back: a Teams-only number clashing with a new user would ring twice.
        let taken = people.iter().filter_map(|p| {
            p.extension
                .as_ref()
                .or_else(|| p.number.as_ref().and_then(TeamsNumber::extension))
        });
        // Numbers as integer keys: the search walks a range number by number, and building
        // an `ExtensionNumber` per candidate cost an allocation each.
        let key = ext_map::key;
        let s = self.snapshot;
        // Room for every number in use and every one handed out: no rehash while it grows.
        let room = s.users.len() + s.extensions.len() + s.hunt_groups.len() + people.len();
        let mut used: FastSet<u64> = FastSet::with_capacity_and_hasher(room, Default::default());
        {
            let numbers = s.users.iter().filter_map(|u| u.extension.as_ref());
            let numbers = numbers.chain(s.extensions.iter().map(|e| &e.number));
            let numbers = numbers.chain(s.hunt_groups.iter().filter_map(|h| h.extension.as_ref()));
            used.extend(numbers.map(key));
            used.extend(taken.map(key));
        }
        let mut cursors: FastMap<&str, u64> = FastMap::default();
        for i in needy {
            let (p, link) = (&mut people[i], link_of[i]);
            // An extension record this person's earlier (interrupted) run created.
            if let Some(n) = link
                .filter(|l| l.user.is_none() && l.extension.is_some())
                .and_then(|l| l.extension_number.clone())
                && !self.ix.user_by_ext.contains_key(&n)
                && !self.ix.hunt_by_ext.contains_key(&n)
            {
                p.extension = Some(n);
                continue;
            }
            // Both sides must ring the same extension, so a Teams + IP Office person brings
            // theirs (their verdict blocks them without one): none is allocated.
            if p.user_type == Some(UserType::TeamsAndIpOffice) {
                continue;
            }
            let Some(rule) = p.provisioning else {
                p.block(Reason::NoExtension);
                continue;
            };
            let Some(range) = rule.range() else {
                p.block(Reason::NoExtension);
                continue;
            };
            let width = range.start.len();
            let (first, last) = (range.start.value(), range.end.value());
            let mut next = cursors.get(rule.name.as_str()).copied().unwrap_or(first);
            let found = loop {
                if next > last {
                    break None;
                }
                if !used.contains(&ext_map::key_of(next, width))
                    && !HUNT_GROUP_RESERVED.contains(&next)
                {
                    break ExtensionNumber::from_value(next, width);
                }
                next += 1;
            };
            match found {
                Some(e) => {
                    used.insert(key(&e));
                    cursors.insert(rule.name.as_str(), next + 1);
                    p.trace_with(|| {
                        format!(
                            "extension: {e} allocated from provisioning rule {:?}",
                            rule.name
                        )
                    });
                    p.extension = Some(e);
                }
                None => p.block(Reason::NoExtension),
            }
        }
    }

    /// Licence and capacity limits: what does not fit is dropped, in person order.
    pub(super) fn apply_limits(&self, people: &mut [Person<'a>]) {
        let mut free: BTreeMap<Profile, u32> = BTreeMap::new();
        let mut needs: BTreeMap<Profile, (u32, u32)> = BTreeMap::new();
        for p in people.iter_mut() {
            if p.blocked || p.out_of_scope {
                continue;
            }
            let Some(Want::User { existing, .. }) = &p.want else {
                continue;
            };
            let Some(want) = self.profile_needed(p, *existing) else {
                continue;
            };
            if !self.config.licensing.consumes_license(want) {
                continue;
            }
            let avail = free
                .entry(want)
                .or_insert_with(|| self.snapshot.free_licenses(want));
            let need = needs.entry(want).or_insert((0, 0));
            need.0 += 1;
            if *avail > 0 {
                *avail -= 1;
            } else {
                need.1 += 1;
                p.blocked = true;
                p.license_dropped = true;
            }
        }
        for p in people.iter_mut() {
            if p.license_dropped
                && let Some(Want::User { existing, .. }) = &p.want
                && let Some(want) = self.profile_needed(p, *existing)
                && let Some((needed, _)) = needs.get(&want)
            {
                p.reasons.push(Reason::LicenseShortfall {
                    profile: want,
                    needed: *needed,
                    free: self.snapshot.free_licenses(want),
                });
            }
        }
        if let Some(max) = self.snapshot.system.platform.max_users() {
            let mut count = self.snapshot.users.len();
            for p in people.iter_mut() {
                if !p.blocked && matches!(p.want, Some(Want::User { existing: None, .. })) {
                    if count >= max {
                        p.block(Reason::Capacity { max });
                    } else {
                        count += 1;
                    }
                }
            }
        }
    }

    /// The profile the person's user must be given, when it changes (None = keep).
    pub(super) fn profile_needed(
        &self,
        p: &Person<'a>,
        existing: Option<&IpoUser>,
    ) -> Option<Profile> {
        let want = p.profile?;
        match existing {
            None => Some(want),
            Some(u) => {
                let disabled = p.link_disabled;
                // A profile this library does not know was IP Office's choice: kept.
                let ok = matches!(u.profile, Profile::Unknown(_))
                    || p.user_type.is_none_or(|t| {
                        self.config
                            .licensing
                            .profile_allowed_for(t, u.profile, self.mode)
                    });
                if !ok || (disabled && u.profile == Profile::NonLicensed) {
                    Some(want)
                } else {
                    None
                }
            }
        }
    }
}
