//! Classify people into IP Office only, Teams only and Teams + IP Office users; eligibility and licence accounting.
//!
//! For a tenant plus an IP Office system this crate answers who is which of the three user
//! types ([the domain notes](https://github.com/ipo-teams/ipo-teams/blob/main/docs/domain.md#the-three-user-types)), who could become which and what
//! stops them, with reasons a person can act on. No I/O.
//!
//! - [`classify`]: one [`Verdict`] per person, with [`Problem`]s and a [`Summary`].
//! - [`LicensePolicy`] / [`DefaultLicensePolicy`]: which Microsoft licences make a Teams
//!   voice user, which IP Office profiles each type may have ([`profile_allowed_for`]).
//! - [`LicensePool`]: IP Office licence accounting and forecasts ([`Shortfall`]).
//! - [`hunt_group_eligibility`] / [`eligibility`]: who can be in hunt groups, park, page.
//! - [`conversion_steps`]: what it takes to turn a person into another type.
//! - [`judge_teams_side`] / [`teams_release`]: the Teams half of a rule (Direct Routing
//!   number, voice routing policy, dial plan) against what Teams holds.
//!
//! ```
//! use ipo_model::*;
//! use usertype_rules::{classify, skus, ClassifyInput, DefaultLicensePolicy};
//!
//! let mut ann = AzureAdUser::new("87d349ed-44d7-43e1-9a83-5f2406dee5bd".parse()?);
//! ann.user_principal_name = Some("ann@contoso.com".into());
//! ann.display_name = Some("Ann Lee".into());
//! ann.business_phones = vec!["+441632768402 x402".into()];
//! ann.assigned_licenses = vec![AssignedLicense::new(skus::BUSINESS_VOICE_DIRECT_ROUTING_SKU)];
//!
//! let mut ipo = IpoSnapshot::new(SystemInfo::new("ipo1", "12.1", LicensingMode::Plds, Platform::Ip500V2));
//! let mut user = IpoUser::new("Ann Lee".parse()?, LicensingMode::Plds);
//! user.extension = Some("402".parse()?);
//! user.profile = Profile::PowerUser;
//! user.teams_client = Some(true);
//! user.email = Some("ann@contoso.com".into()); // identity: e-mail/UPN or a stored link
//! ipo.users.push(user);
//!
//! let directory = [ann];
//! let result = classify(&ClassifyInput::new(&directory, &ipo), &DefaultLicensePolicy::default());
//! for v in &result.verdicts {
//!     println!("{}: {:?} {:?}", v.person, v.user_type, v.problems);
//! }
//! assert_eq!(result.verdicts[0].user_type, Some(UserType::TeamsAndIpOffice));
//! println!("{}", result.summary());
//! # Ok::<(), InvalidValue>(())
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod classify;
mod config;
mod conversion;
mod directory_users;
mod eligibility;
mod error;
mod ipo_side;
mod judge;
mod listing;
mod matching;
mod policy;
mod pool;
mod problem;
pub mod skus;
mod teams_side;
mod verdict;
mod voice;

pub use classify::{ClaimedMembership, ClassifyInput, classify};
pub use config::{ClassifyConfig, ExtensionSource, MatchKey};
pub use conversion::{ConversionStep, conversion_steps};
pub use directory_users::AzureAdUsers;
pub use eligibility::{IpoFeature, eligibility, hunt_group_eligibility};
pub use error::{Ineligible, RulesError, Shortfall, ShortfallReason};
pub use listing::{NotListed, directory_listing};
pub use policy::{DefaultLicensePolicy, LicensePolicy, ModeProfiles, profile_allowed_for};
pub use pool::{Forecast, ForecastLine, LicensePool, ProfileChange};
pub use problem::{Occupant, Problem, Severity};
pub use teams_side::{
    Change, EXTENSION_PLACEHOLDER, EnterpriseVoice, NumberTemplate, NumberTemplateError,
    TeamsAssigned, TeamsContext, TeamsNumberRule, TeamsNumberVerdict, TeamsPolicyVerdict,
    TeamsProblem, TeamsProvisioning, TeamsRelease, TeamsSide, TeamsSideInput, TeamsSideRule,
    Unbuildable, judge_teams_side, teams_release,
};
pub use verdict::{Classification, Facts, PersonRef, Summary, Verdict};
pub use voice::TeamsVoiceStatus;
