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
        let s = self.snapshot;
        // Numbers handed out in this plan are in `given`.
        let used: HashSet<ExtensionNumber> = s
            .users
            .iter()
            .filter_map(|u| u.extension.as_ref())
            .chain(s.extensions.iter().map(|e| &e.number))
            .chain(s.hunt_groups.iter().filter_map(|h| h.extension.as_ref()))
            .chain(taken)
            .cloned()
            .collect();
        let mut given: HashSet<ExtensionNumber> = HashSet::new();
        let mut cursors: HashMap<&str, u64> = HashMap::new();
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
                if let Some(e) = ExtensionNumber::from_value(next, width)
                    && !used.contains(&e)
                    && !given.contains(&e)
                    && !HUNT_GROUP_RESERVED.contains(&next)
                {
                    break Some(e);
                }
                next += 1;
            };
            match found {
                Some(e) => {
                    given.insert(e.clone());
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

    /// Licence and capacity limits: what does not fit is dropped, in person order. Licences
    /// are usertype-rules' [`LicensePool`] forecast of every profile change the plan makes,
    /// the ones its removals free (`out`, planned already) counted first; the forecast
    /// lines are the plan's licence forecast.
    pub(super) fn apply_limits(&self, people: &mut [Person<'a>], out: &Output) -> Vec<LicenseNeed> {
        let pool = LicensePool::from_snapshot_with(self.snapshot, &self.config.licensing);
        let mut changes = self.released_by_removals(out);
        let first = changes.len();
        let mut who = Vec::new();
        for (i, p) in people.iter().enumerate() {
            if p.blocked || p.out_of_scope {
                continue;
            }
            let Some(Want::User { existing, .. }) = &p.want else {
                continue;
            };
            if let Some(want) = self.profile_needed(p, *existing) {
                changes.push(ProfileChange::new(existing.map(|u| u.profile), Some(want)));
                who.push(i);
            }
        }
        let forecast = pool.forecast_changes(&changes);
        let mut dropped: BTreeMap<Profile, u32> = BTreeMap::new();
        for &r in &forecast.rejected {
            let (Some(change), Some(p)) = (
                changes.get(r),
                r.checked_sub(first)
                    .and_then(|k| who.get(k))
                    .and_then(|&i| people.get_mut(i)),
            ) else {
                continue;
            };
            let Some(profile) = change.to else { continue };
            *dropped.entry(profile).or_default() += 1;
            let line = forecast.lines.iter().find(|l| l.profile == profile);
            p.block(shortfall_reason(
                line.and_then(|l| l.shortfall.as_ref()),
                profile,
            ));
        }
        self.capacity_limit(people);
        forecast
            .lines
            .iter()
            .filter_map(|l| {
                Some(LicenseNeed {
                    profile: l.profile,
                    needed: l.needed,
                    free: l.free?,
                    dropped: dropped.get(&l.profile).copied().unwrap_or(0),
                })
            })
            .collect()
    }

    /// The licences the plan's removals give back: a deleted user's profile, a disabled
    /// one's for Non-licensed. (Held removals were taken out already: they free nothing.)
    fn released_by_removals(&self, out: &Output) -> Vec<ProfileChange> {
        out.removals
            .iter()
            .filter_map(|a| {
                let (guid, to) = match (&a.write.as_ref()?.change, a.kind) {
                    (IpoChange::DeleteUser { guid, .. }, _) => (guid, None),
                    (IpoChange::UpdateUser(u), ActionKind::DisableUser) => {
                        (u.guid.as_ref()?, Some(u.profile))
                    }
                    _ => return None,
                };
                let before = self.ix.user_by_guid.get(guid)?;
                Some(ProfileChange::new(Some(before.profile), to))
            })
            .collect()
    }

    /// The platform's user capacity: creates beyond it are dropped, in person order.
    fn capacity_limit(&self, people: &mut [Person<'a>]) {
        let Some(max) = self.snapshot.system.platform.max_users() else {
            return;
        };
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

/// Why a profile change does not fit, in the plan's words.
fn shortfall_reason(shortfall: Option<&Shortfall>, profile: Profile) -> Reason {
    match shortfall {
        Some(Shortfall {
            reason: ShortfallReason::ProfileNotInMode(mode),
            ..
        }) => Reason::ProfileNotInMode {
            profile,
            mode: *mode,
        },
        Some(s) => Reason::LicenseShortfall {
            profile,
            needed: s.needed,
            free: s.free,
        },
        None => Reason::LicenseShortfall {
            profile,
            needed: 0,
            free: 0,
        },
    }
}
