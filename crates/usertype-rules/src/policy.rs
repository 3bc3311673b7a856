//! Which licences make a Teams voice user, and which IP Office profiles each user type may
//! have: the [`LicensePolicy`] trait and its configurable default.

use std::collections::BTreeSet;

use ipo_model::{AzureAdUser, CapabilityStatus, LicensingMode, Profile, UserType};
use serde::{Deserialize, Serialize};

use crate::skus;
use crate::voice::TeamsVoiceStatus;

/// The licence rules classification and licence accounting follow.
///
/// [`DefaultLicensePolicy`] implements the documented rules ([licences](https://github.com/ipo-teams/ipo-teams/blob/main/docs/domain.md#microsoft-licences), [profiles](https://github.com/ipo-teams/ipo-teams/blob/main/docs/domain.md#ip-office-profiles-and-licensing)) and is
/// configurable through serde; implement this trait for rules that a list cannot express.
pub trait LicensePolicy: Send + Sync {
    /// The Teams voice state of `user`, from their SKUs and service plans.
    fn teams_voice(&self, user: &AzureAdUser) -> TeamsVoiceStatus;

    /// Whether `user` is a Teams resource account (auto attendant, call queue), not a person.
    fn is_resource_account(&self, user: &AzureAdUser) -> bool;

    /// The profiles a person of `user_type` may have on a system in `mode`; `None` when any
    /// profile valid in the mode will do (IP Office only users). Teams-only users have no
    /// IP Office record, so no profile: `Some(vec![])`.
    fn allowed_profiles(&self, user_type: UserType, mode: LicensingMode) -> Option<Vec<Profile>>;

    /// Whether assigning `profile` uses up one licence (or subscription) of that profile.
    fn consumes_license(&self, profile: Profile) -> bool;

    /// Whether a person of `user_type` may have `profile` on a system in `mode`.
    fn profile_allowed_for(
        &self,
        user_type: UserType,
        profile: Profile,
        mode: LicensingMode,
    ) -> bool {
        if !profile.is_valid_in(mode) {
            return false;
        }
        match self.allowed_profiles(user_type, mode) {
            None => true,
            Some(list) => list.contains(&profile),
        }
    }

    /// The profile to give someone who becomes `user_type` and has `current` (if any): the
    /// current one when allowed, else the first allowed; `None` for Teams-only users.
    fn profile_for(
        &self,
        user_type: UserType,
        current: Option<Profile>,
        mode: LicensingMode,
    ) -> Option<Profile> {
        if !user_type.has_ipo_record() {
            return None;
        }
        if let Some(p) = current
            && self.profile_allowed_for(user_type, p, mode)
        {
            return Some(p);
        }
        match self.allowed_profiles(user_type, mode) {
            None => Some(Profile::default_for(mode)),
            Some(list) => list.into_iter().find(|p| p.is_valid_in(mode)),
        }
    }
}

/// Profiles per licensing mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ModeProfiles {
    /// Profiles on PLDS systems.
    pub plds: Vec<Profile>,
    /// Profiles on subscription systems.
    pub subscription: Vec<Profile>,
}

impl ModeProfiles {
    /// Lists for both modes.
    pub fn new(plds: Vec<Profile>, subscription: Vec<Profile>) -> Self {
        Self { plds, subscription }
    }

    /// The list for `mode`.
    pub fn for_mode(&self, mode: LicensingMode) -> &[Profile] {
        match mode {
            LicensingMode::Subscription => &self.subscription,
            _ => &self.plds,
        }
    }
}

/// The documented licence rules, every list overridable (e.g. from TOML or JSON; missing
/// fields take the defaults).
///
/// Defaults ([the domain notes](https://github.com/ipo-teams/ipo-teams/blob/main/docs/domain.md#ip-office-profiles-and-licensing)):
/// - Teams voice: service plan MCOEV ([`skus::MCOEV_PLAN`]) in `assignedPlans`, or one of the
///   SKUs Business Voice without Calling Plan (and its US variant) and Teams Phone Standard
///   ([`skus::DEFAULT_VOICE_SKUS`]). A plan listed in a licence's `disabledPlans` does not
///   count.
/// - Resource accounts: plan MCOEV_VIRTUALUSER, SKU Teams Phone Resource Account, or Teams
///   `accountType` `resourceAccount`.
/// - Teams + IP Office profiles: Power User, Office Worker, Teleworker (PLDS); UC User
///   (subscription). An administrator whose system gives the Teams client only to Power
///   Users sets `teams_profiles.plds` to `["power_user"]`.
/// - IP Office only: any profile. Every profile but Basic User and Non-licensed User
///   consumes a licence (unknown profiles too, so accounting errs on the safe side).
///
/// ```
/// use usertype_rules::{DefaultLicensePolicy, LicensePolicy};
/// use ipo_model::{LicensingMode, Profile, UserType};
/// let policy: DefaultLicensePolicy =
///     serde_json::from_str(r#"{"teams_profiles": {"plds": ["power_user"], "subscription": ["uc_user"]}}"#)?;
/// assert!(policy.profile_allowed_for(UserType::TeamsAndIpOffice, Profile::PowerUser, LicensingMode::Plds));
/// assert!(!policy.profile_allowed_for(UserType::TeamsAndIpOffice, Profile::OfficeWorker, LicensingMode::Plds));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct DefaultLicensePolicy {
    /// Service plans that count as Teams voice.
    pub voice_service_plans: BTreeSet<String>,
    /// SKUs that count as Teams voice.
    pub voice_skus: BTreeSet<String>,
    /// Whether a voice service plan counts on its own, whatever SKU carries it (E5 and
    /// other bundles). `false` accepts the listed SKUs only.
    pub count_service_plans: bool,
    /// Service plans that mark a resource account.
    pub resource_service_plans: BTreeSet<String>,
    /// SKUs that mark a resource account.
    pub resource_skus: BTreeSet<String>,
    /// Profiles a Teams + IP Office user may have; the first valid one of the mode is
    /// given to a new user whose template names none.
    pub teams_profiles: ModeProfiles,
    /// Profiles an IP Office only user may have; `None`: any.
    pub ipo_only_profiles: Option<ModeProfiles>,
    /// Profiles that use no licence.
    pub licence_free_profiles: BTreeSet<Profile>,
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_ascii_lowercase()).collect()
}

impl Default for DefaultLicensePolicy {
    fn default() -> Self {
        Self {
            voice_service_plans: set(&skus::DEFAULT_VOICE_PLANS),
            voice_skus: set(&skus::DEFAULT_VOICE_SKUS),
            count_service_plans: true,
            resource_service_plans: set(&[skus::MCOEV_VIRTUALUSER_PLAN]),
            resource_skus: set(&[skus::TEAMS_PHONE_RESOURCE_ACCOUNT_SKU]),
            teams_profiles: ModeProfiles::new(
                // Power User first: the one profile every Avaya source agrees can run the
                // Teams client, so it is what a new user gets without a template.
                vec![
                    Profile::PowerUser,
                    Profile::OfficeWorker,
                    Profile::Teleworker,
                ],
                vec![Profile::UcUser],
            ),
            ipo_only_profiles: None,
            licence_free_profiles: [Profile::BasicUser, Profile::NonLicensed].into(),
        }
    }
}

/// Case-insensitive membership: ids from Graph are lower-case, ids typed into a config may
/// not be, and the lists are short enough that a scan beats allocating a lowered copy.
fn contains_id(set: &BTreeSet<String>, id: &str) -> bool {
    set.iter().any(|s| s.eq_ignore_ascii_case(id))
}

fn rank(status: CapabilityStatus) -> Option<TeamsVoiceStatus> {
    match status {
        CapabilityStatus::Enabled => Some(TeamsVoiceStatus::Enabled),
        CapabilityStatus::Warning => Some(TeamsVoiceStatus::Grace),
        CapabilityStatus::Suspended | CapabilityStatus::LockedOut => {
            Some(TeamsVoiceStatus::Suspended)
        }
        _ => None,
    }
}

impl DefaultLicensePolicy {
    /// The documented defaults (same as `Default`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a voice plan is switched off in some licence's `disabledPlans`.
    ///
    /// **Assumption**: without `subscribedSkus` we cannot tell which bundle carries a plan,
    /// so a voice plan listed as disabled in any licence counts as disabled, unless an
    /// accepted voice SKU carries it enabled.
    fn plan_disabled(&self, user: &AzureAdUser, plan: &str) -> bool {
        user.assigned_licenses.iter().any(|l| {
            l.disabled_plans
                .iter()
                .any(|p| p.eq_ignore_ascii_case(plan))
        })
    }
}

impl LicensePolicy for DefaultLicensePolicy {
    fn teams_voice(&self, user: &AzureAdUser) -> TeamsVoiceStatus {
        let sku_ok = user.assigned_licenses.iter().any(|l| {
            contains_id(&self.voice_skus, &l.sku_id)
                && !l
                    .disabled_plans
                    .iter()
                    .any(|p| contains_id(&self.voice_service_plans, p))
        });
        let plan_best = user
            .assigned_plans
            .iter()
            .filter(|p| contains_id(&self.voice_service_plans, &p.service_plan_id))
            .filter(|p| {
                sku_ok
                    || (self.count_service_plans && !self.plan_disabled(user, &p.service_plan_id))
            })
            .filter_map(|p| rank(p.capability_status))
            .max();
        match (plan_best, sku_ok) {
            (Some(status), _) => status,
            // `assignedPlans` not read (or not yet propagated): trust the SKU.
            (None, true) => TeamsVoiceStatus::Enabled,
            (None, false) => TeamsVoiceStatus::Missing,
        }
    }

    fn is_resource_account(&self, user: &AzureAdUser) -> bool {
        let by_type = user
            .teams
            .as_ref()
            .and_then(|t| t.account_type.as_deref())
            .is_some_and(|t| t.eq_ignore_ascii_case(skus::RESOURCE_ACCOUNT_TYPE));
        let by_plan = user.assigned_plans.iter().any(|p| {
            contains_id(&self.resource_service_plans, &p.service_plan_id)
                && rank(p.capability_status).is_some()
        });
        let by_sku = user
            .assigned_licenses
            .iter()
            .any(|l| contains_id(&self.resource_skus, &l.sku_id));
        by_type || by_plan || by_sku
    }

    fn allowed_profiles(&self, user_type: UserType, mode: LicensingMode) -> Option<Vec<Profile>> {
        match user_type {
            UserType::TeamsOnly => Some(Vec::new()),
            UserType::TeamsAndIpOffice => Some(self.teams_profiles.for_mode(mode).to_vec()),
            _ => self
                .ipo_only_profiles
                .as_ref()
                .map(|m| m.for_mode(mode).to_vec()),
        }
    }

    fn consumes_license(&self, profile: Profile) -> bool {
        !self.licence_free_profiles.contains(&profile)
    }
}

/// Whether a person of `user_type` may have `profile` in `mode` under the documented default
/// rules ([`DefaultLicensePolicy::default`]). Callers with a configured policy use
/// [`LicensePolicy::profile_allowed_for`].
///
/// ```
/// use ipo_model::{LicensingMode, Profile, UserType};
/// use usertype_rules::profile_allowed_for;
/// assert!(profile_allowed_for(UserType::TeamsAndIpOffice, Profile::Teleworker, LicensingMode::Plds));
/// assert!(!profile_allowed_for(UserType::TeamsAndIpOffice, Profile::BasicUser, LicensingMode::Plds));
/// assert!(profile_allowed_for(UserType::TeamsAndIpOffice, Profile::UcUser, LicensingMode::Subscription));
/// assert!(profile_allowed_for(UserType::IpOfficeOnly, Profile::BasicUser, LicensingMode::Plds));
/// ```
pub fn profile_allowed_for(user_type: UserType, profile: Profile, mode: LicensingMode) -> bool {
    DefaultLicensePolicy::default().profile_allowed_for(user_type, profile, mode)
}
