//! Who may be which user type: Teams voice licensing and Teams-capable profiles.

use ipo_model::{CapabilityStatus, DirectoryUser, LicensingMode, Profile};

use crate::config::TeamsLicensing;

/// Service plan "Microsoft 365 Phone System" (MCOEV): the Teams voice capability.
pub const MCOEV_PLAN: &str = "4828c8ec-dc2e-4779-b502-87ac9ce28ab7";

/// SKUs that carry Teams voice by default: Business Voice without Calling Plan (and its US
/// variant) and Teams Phone Standard (domain.md section 1).
pub const DEFAULT_VOICE_SKUS: [&str; 3] = [
    "d52db95a-5ecb-46b6-beb0-190ab5cda4a8",
    "8330dae3-d349-44f7-9cad-1b23c64baabe",
    "e43b5b99-8dfb-405f-9987-dc307f34bcbd",
];

/// Teams voice of a person, as far as licensing tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Voice {
    /// Licensed and enabled.
    Enabled,
    /// Licensed but in the grace period (`Warning`): works, and a warning is reported.
    Grace,
    /// Licensed but suspended, locked out or deleted.
    Suspended,
    /// No licence carrying Teams voice.
    None,
}

/// Decides Teams voice from `assignedPlans` (preferred, finds plans inside bundles such as
/// E5) or, when no plans were read, from `assignedLicenses`.
pub fn teams_voice(user: &DirectoryUser, lic: &TeamsLicensing) -> Voice {
    let plan_matches = |id: &str| lic.service_plans.iter().any(|p| p.eq_ignore_ascii_case(id));
    let mut best = Voice::None;
    for p in user
        .assigned_plans
        .iter()
        .filter(|p| plan_matches(&p.service_plan_id))
    {
        let v = match p.capability_status {
            CapabilityStatus::Enabled => Voice::Enabled,
            CapabilityStatus::Warning => Voice::Grace,
            _ => Voice::Suspended,
        };
        best = rank_max(best, v);
    }
    if best != Voice::None || !user.assigned_plans.is_empty() {
        return best;
    }
    let sku_ok = user.assigned_licenses.iter().any(|l| {
        lic.skus.iter().any(|s| s.eq_ignore_ascii_case(&l.sku_id))
            && !l
                .disabled_plans
                .iter()
                .any(|d| lic.service_plans.iter().any(|p| p.eq_ignore_ascii_case(d)))
    });
    if sku_ok { Voice::Enabled } else { Voice::None }
}

fn rank_max(a: Voice, b: Voice) -> Voice {
    let rank = |v: Voice| match v {
        Voice::Enabled => 3,
        Voice::Grace => 2,
        Voice::Suspended => 1,
        Voice::None => 0,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// Whether a profile can use the Teams client in `mode`: Office Worker, Teleworker, Power
/// User on PLDS; UC User on subscription (domain.md section 2).
pub fn profile_allows_teams(profile: Profile, mode: LicensingMode) -> bool {
    match mode {
        LicensingMode::Plds => matches!(
            profile,
            Profile::OfficeWorker | Profile::Teleworker | Profile::PowerUser
        ),
        _ => matches!(profile, Profile::UcUser),
    }
}

/// The profile a Teams + IP Office user gets when no template names one.
pub fn default_teams_profile(mode: LicensingMode) -> Profile {
    match mode {
        LicensingMode::Plds => Profile::PowerUser,
        _ => Profile::UcUser,
    }
}

/// Whether a profile consumes a licence (everything but Basic and Non-licensed on PLDS;
/// every subscription profile but Non-licensed).
pub fn consumes_license(profile: Profile) -> bool {
    !matches!(
        profile,
        Profile::BasicUser | Profile::NonLicensed | Profile::Unknown(_)
    )
}

/// Whether an account looks like a Teams resource account (auto attendant, call queue).
pub fn is_resource_account(user: &DirectoryUser) -> bool {
    const VIRTUAL_USER_PLAN: &str = "f47330e9-c134-43b3-9993-e7f004506889";
    const RESOURCE_SKU: &str = "440eaaa8-b3e0-484b-a8be-62870b9ba70a";
    user.assigned_plans
        .iter()
        .any(|p| p.service_plan_id.eq_ignore_ascii_case(VIRTUAL_USER_PLAN))
        || user
            .assigned_licenses
            .iter()
            .any(|l| l.sku_id.eq_ignore_ascii_case(RESOURCE_SKU))
        || user
            .teams
            .as_ref()
            .and_then(|t| t.account_type.as_deref())
            .is_some_and(|t| t.eq_ignore_ascii_case("resourceAccount"))
}
