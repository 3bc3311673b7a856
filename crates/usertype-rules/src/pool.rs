//! IP Office licence accounting: what is free, reserving and releasing, and a forecast of a
//! set of assignments before anything is written.

use std::collections::{BTreeMap, BTreeSet};

use ipo_model::{IpoSnapshot, LicenseStatus, LicensingMode, Profile};
use serde::{Deserialize, Serialize};

use crate::error::{Shortfall, ShortfallReason};
use crate::policy::{DefaultLicensePolicy, LicensePolicy};

/// Free licences per profile, built from the IP Office licence counts.
///
/// Only valid licences count. Profiles that use no licence under the policy (Basic User,
/// Non-licensed User by default) can always be assigned.
///
/// ```
/// use ipo_model::*;
/// use usertype_rules::LicensePool;
/// let mut ipo = IpoSnapshot::new(SystemInfo::new("s", "12.1", LicensingMode::Plds, Platform::Ip500V2));
/// ipo.licenses.push(License::new("Power User", 10, 4));
/// let mut pool = LicensePool::from_snapshot(&ipo);
/// let forecast = pool.forecast(&[Profile::PowerUser; 7]);
/// assert!(!forecast.fits());
/// assert_eq!(forecast.rejected, vec![4, 5, 6]);
/// assert!(forecast.shortfalls().any(|s| s.to_string().starts_with("7 Power User needed, 4 free")));
/// pool.reserve(Profile::PowerUser)?;
/// assert_eq!(pool.free(Profile::PowerUser), Some(3));
/// # Ok::<(), usertype_rules::Shortfall>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LicensePool {
    /// The system's licensing mode.
    pub mode: LicensingMode,
    /// Free instances per profile now.
    pub free: BTreeMap<Profile, u32>,
    /// Profiles that use no licence.
    pub licence_free: BTreeSet<Profile>,
}

/// One profile change to account for: a user moving from `from` (none for a new user) to
/// `to` (none for a removed user).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProfileChange {
    /// The profile given back, if any.
    pub from: Option<Profile>,
    /// The profile wanted, if any.
    pub to: Option<Profile>,
}

impl ProfileChange {
    /// A change.
    pub fn new(from: Option<Profile>, to: Option<Profile>) -> Self {
        Self { from, to }
    }
}

/// Needs and availability of one profile in a [`Forecast`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ForecastLine {
    /// The profile.
    pub profile: Profile,
    /// How many assignments want it.
    pub needed: u32,
    /// How many are free (after releases in the same forecast); `None`: needs no licence.
    pub free: Option<u32>,
    /// Why not all fit, when they do not.
    pub shortfall: Option<Shortfall>,
}

/// What a set of assignments would do to the pool.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Forecast {
    /// One line per profile asked for, in profile order.
    pub lines: Vec<ForecastLine>,
    /// Indices (into the input) of the assignments that do not fit; earlier ones are served
    /// first.
    pub rejected: Vec<usize>,
}

impl Forecast {
    /// Whether every assignment fits.
    pub fn fits(&self) -> bool {
        self.rejected.is_empty()
    }

    /// The shortfalls, one per profile that does not fit.
    pub fn shortfalls(&self) -> impl Iterator<Item = &Shortfall> {
        self.lines.iter().filter_map(|l| l.shortfall.as_ref())
    }
}

impl LicensePool {
    /// The pool of `snapshot` under the documented default policy.
    pub fn from_snapshot(snapshot: &IpoSnapshot) -> Self {
        Self::from_snapshot_with(snapshot, &DefaultLicensePolicy::default())
    }

    /// The pool of `snapshot` under `policy` (which decides what uses a licence).
    pub fn from_snapshot_with(snapshot: &IpoSnapshot, policy: &dyn LicensePolicy) -> Self {
        let mut free = BTreeMap::new();
        for l in &snapshot.licenses {
            if l.status == LicenseStatus::Valid
                && let Some(p) = l.profile()
            {
                let e: &mut u32 = free.entry(p).or_default();
                *e = e.saturating_add(l.free);
            }
        }
        let licence_free = Profile::ALL
            .into_iter()
            .filter(|p| !policy.consumes_license(*p))
            .collect();
        Self {
            mode: snapshot.system.licensing_mode,
            free,
            licence_free,
        }
    }

    /// Free instances of `profile`; `None` when it needs no licence.
    pub fn free(&self, profile: Profile) -> Option<u32> {
        if self.licence_free.contains(&profile) {
            None
        } else {
            Some(self.free.get(&profile).copied().unwrap_or(0))
        }
    }

    fn check(&self, profile: Profile, needed: u32, free: u32) -> Option<Shortfall> {
        let reason = if !profile.is_valid_in(self.mode) {
            ShortfallReason::ProfileNotInMode(self.mode)
        } else if needed > free {
            ShortfallReason::NotEnoughLicences
        } else {
            return None;
        };
        Some(Shortfall {
            profile,
            needed,
            free,
            reason,
        })
    }

    /// Takes one licence of `profile`; an error (and nothing taken) when none is free or the
    /// profile does not exist in the licensing mode.
    pub fn reserve(&mut self, profile: Profile) -> Result<(), Shortfall> {
        let free = self.free(profile);
        if let Some(s) = self.check(profile, 1, free.unwrap_or(u32::MAX)) {
            return Err(Shortfall {
                free: free.unwrap_or(0),
                ..s
            });
        }
        if free.is_some() {
            let e = self.free.entry(profile).or_default();
            *e = e.saturating_sub(1);
        }
        Ok(())
    }

    /// Gives back one licence of `profile` (a user moved off it or was removed).
    pub fn release(&mut self, profile: Profile) {
        if self.licence_free.contains(&profile) {
            return;
        }
        let e = self.free.entry(profile).or_default();
        *e = e.saturating_add(1);
    }

    /// What assigning `profiles` (one per new assignment) would do, without changing the pool.
    pub fn forecast(&self, profiles: &[Profile]) -> Forecast {
        let changes: Vec<ProfileChange> = profiles
            .iter()
            .map(|p| ProfileChange::new(None, Some(*p)))
            .collect();
        self.forecast_changes(&changes)
    }

    /// What the profile changes would do, without changing the pool: every release is
    /// counted first, then the wants are served in input order. A change that keeps its
    /// profile (`from == to`) takes and gives nothing.
    pub fn forecast_changes(&self, changes: &[ProfileChange]) -> Forecast {
        let mut pool = self.clone();
        for c in changes.iter().filter(|c| c.from != c.to) {
            if let Some(p) = c.from {
                pool.release(p);
            }
        }
        let mut needed: BTreeMap<Profile, u32> = BTreeMap::new();
        let mut rejected = Vec::new();
        for (i, c) in changes.iter().enumerate() {
            let Some(p) = c.to else { continue };
            if c.from == Some(p) {
                continue;
            }
            let n = needed.entry(p).or_default();
            *n = n.saturating_add(1);
            let free = pool.free(p);
            let fits = p.is_valid_in(pool.mode) && free.is_none_or(|f| f >= *n);
            if !fits {
                rejected.push(i);
            }
        }
        let lines = needed
            .into_iter()
            .map(|(profile, needed)| {
                let free = pool.free(profile);
                let shortfall = pool
                    .check(profile, needed, free.unwrap_or(u32::MAX))
                    .map(|s| Shortfall {
                        free: free.unwrap_or(0),
                        ..s
                    });
                ForecastLine {
                    profile,
                    needed,
                    free,
                    shortfall,
                }
            })
            .collect();
        Forecast { lines, rejected }
    }
}
