//! Run Avaya IP Office together with Microsoft Teams (Direct Routing): classify every person
//! into the three user types, and sync Azure AD (Entra ID) groups into IP Office users with a
//! plan you can read before anything is written.
//!
//! This crate re-exports the toolkit's crates under short names, as `kube` does over its
//! parts; depend on it, or only on the crates you need.
//!
//! | module | crate | holds |
//! |---|---|---|
//! | [`model`] | `ipo-model` | validated names and numbers, IP Office records, the Azure AD user, the port traits and their in-memory implementations |
//! | [`rules`] | `usertype-rules` | classification into the three user types, eligibility, licences (no I/O) |
//! | [`graph`] | `graph-client` | Microsoft Graph client (client credentials, paging, delta, `$batch`, throttling) |
//! | [`ipo`] | `ipo-client` | IP Office Management API client (session, XML/JSON, lossless updates, retries) |
//! | [`sync`] | `ipo-sync-engine` | rules per group, plan, apply, state, incremental runs |
//!
//! The three user types, the licences and the limits they depend on are described in
//! [docs/domain.md](https://github.com/ipo-teams/ipo-teams/blob/main/docs/domain.md); the
//! administrator program is the `ipo-teams-cli` crate (binary `ipo-teams`).
//!
//! # Classify people
//!
//! Who is IP Office only, MS Teams only or MS Teams + IP Office, and what stops the rest.
//! Classification is pure: the same values, read from Graph and IP Office by the clients or
//! built by hand as here, give the same verdicts.
//!
//! ```
//! use ipo_teams::model::{
//!     AssignedLicense, AzureAdUser, IpoSnapshot, IpoUser, LicensingMode, Platform, Profile,
//!     SystemInfo, UserType,
//! };
//! use ipo_teams::rules::{classify, skus, ClassifyInput, DefaultLicensePolicy};
//!
//! // Ann has a Teams voice licence and extension 402 in Azure AD...
//! let mut ann = AzureAdUser::new("87d349ed-44d7-43e1-9a83-5f2406dee5bd".parse()?);
//! ann.display_name = Some("Ann Lee".into());
//! ann.business_phones = vec!["+441632768402 x402".into()];
//! ann.assigned_licenses = vec![AssignedLicense::new(skus::BUSINESS_VOICE_DIRECT_ROUTING_SKU)];
//! // ...and nothing in IP Office: she is a Teams only user.
//! let mut bob = AzureAdUser::new("c51f1c6e-8d43-4c5e-a2f2-0d7a4b6e9f10".parse()?);
//! bob.display_name = Some("Bob Stone".into());
//! bob.user_principal_name = Some("bob.stone@contoso.com".into());
//! bob.business_phones = vec!["+441632768403 x403".into()];
//! bob.assigned_licenses = ann.assigned_licenses.clone();
//!
//! // Bob is also a Power User on 403 with the Teams client on: MS Teams + IP Office.
//! let system = SystemInfo::new("ipo1", "12.1", LicensingMode::Plds, Platform::Ip500V2);
//! let mut ipo = IpoSnapshot::new(system);
//! let mut user = IpoUser::new("Bob Stone".parse()?, LicensingMode::Plds);
//! user.extension = Some("403".parse()?);
//! user.profile = Profile::PowerUser;
//! user.teams_client = Some(true);
//! // The same person on both sides: the e-mail (or a stored sync link) says so; an equal
//! // extension alone never does.
//! user.email = Some("bob.stone@contoso.com".into());
//! ipo.users.push(user);
//!
//! let people = [ann, bob];
//! let result = classify(&ClassifyInput::new(&people, &ipo), &DefaultLicensePolicy::default());
//! let types: Vec<_> = result.verdicts.iter().map(|v| v.user_type).collect();
//! assert_eq!(types, [Some(UserType::TeamsOnly), Some(UserType::TeamsAndIpOffice)]);
//! println!("{}", result.summary());
//! # Ok::<(), ipo_teams::model::InvalidValue>(())
//! ```
//!
//! # Plan a sync without writing
//!
//! A dry run of the sync engine against the in-memory directory and IP Office of
//! [`model`]: the same engine runs over [`graph::GraphClient`] and [`ipo::IpoClient`] against
//! a real tenant and system.
//!
//! ```
//! use std::sync::Arc;
//!
//! use ipo_teams::model::{
//!     AzureAdUser, GroupId, IpoSnapshot, LicensingMode, MemoryAzureAd, MemoryIpo, Platform,
//!     SystemInfo, UserType,
//! };
//! use ipo_teams::sync::{
//!     render_plan, ActionKind, GroupRule, MemoryStateStore, RunOptions, Style, SyncConfig,
//!     SyncEngine,
//! };
//!
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! // Everyone in this group should be an IP Office only user.
//! let group: GroupId = "0a000000-0000-4000-8000-000000000001".parse()?;
//! let config = SyncConfig::new(vec![GroupRule::new(group.clone(), UserType::IpOfficeOnly)]);
//!
//! let tenant = Arc::new(MemoryAzureAd::new());
//! let mut ann = AzureAdUser::new("87d349ed-44d7-43e1-9a83-5f2406dee5bd".parse()?);
//! ann.mail_nickname = Some("ann".into());
//! ann.display_name = Some("Ann Lee".into());
//! ann.business_phones = vec!["+441632768402 x402".into()];
//! tenant.upsert_user(ann.clone());
//! tenant.add_member(&group, &ann.id);
//! let system = SystemInfo::new("ipo1", "12.1", LicensingMode::Plds, Platform::Ip500V2);
//! let ipo = Arc::new(MemoryIpo::new(IpoSnapshot::new(system)));
//!
//! let engine = SyncEngine::new(config, tenant, ipo.clone(), Arc::new(MemoryStateStore::new()));
//! let run = engine.run(&RunOptions::dry_run()).await?;
//! print!("{}", render_plan(&run.plan, Style::default()));
//! assert_eq!(run.plan.count(ActionKind::CreateUser), 1);
//! assert_eq!(run.plan.count(ActionKind::CreateExtension), 1);
//! assert_eq!(ipo.writes(), 0, "a dry run writes nothing");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Each crate's front page has more; the repository's
//! [README](https://github.com/ipo-teams/ipo-teams#readme) shows the demo and the program.

pub use graph_client as graph;
pub use ipo_client as ipo;
pub use ipo_model as model;
pub use sync_engine as sync;
pub use usertype_rules as rules;

// The README's and every crate README's Rust snippets run as doctests of this crate, so
// what a reader copies compiles (the facade's dev-dependencies reach every crate).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[cfg(doctest)]
#[doc = include_str!("../crates/ipo-model/README.md")]
struct IpoModelReadme;

#[cfg(doctest)]
#[doc = include_str!("../crates/usertype-rules/README.md")]
struct UsertypeRulesReadme;

#[cfg(doctest)]
#[doc = include_str!("../crates/graph-client/README.md")]
struct GraphClientReadme;

#[cfg(doctest)]
#[doc = include_str!("../crates/ipo-client/README.md")]
struct IpoClientReadme;

#[cfg(doctest)]
#[doc = include_str!("../crates/sync-engine/README.md")]
struct SyncEngineReadme;

#[cfg(doctest)]
#[doc = include_str!("../crates/ipo-emulator/README.md")]
struct IpoEmulatorReadme;

#[cfg(doctest)]
#[doc = include_str!("../crates/graph-emulator/README.md")]
struct GraphEmulatorReadme;

#[cfg(doctest)]
#[doc = include_str!("../crates/emulator-kit/README.md")]
struct EmulatorKitReadme;
