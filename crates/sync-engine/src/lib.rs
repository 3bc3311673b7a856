//! Sync Azure AD (Entra ID) groups into Avaya IP Office users, by rules per group, with a
//! plan you can read before anything is written.
//!
//! One pass: read both sides -> desired IP Office state from the rules -> diff against the
//! snapshot -> a [`Plan`] (pure data) -> optionally [`apply`] it -> a [`Report`].
//! Planning is pure, synchronous and single-threaded (an IP Office solution's few thousand
//! users plan in milliseconds; a sync waits on the network); I/O lives behind the
//! `ipo_model` port traits.
//!
//! What it does that Avaya's built-in sync does not: dry runs, a deletion threshold that
//! holds removals, conflict reports per person, a licence forecast, adoption only when
//! allowed, provision-on-demand with a step trace, crash-safe resumption.
//!
//! Rules the planner follows:
//! - **Scope**: a person is in scope through the groups of the rules; the highest priority
//!   wins; equal priorities wanting different types are a conflict (nothing happens).
//! - **Ownership**: the sync changes only IP Office users it created (or adopted when the
//!   configuration allows); `NoUser` never.
//! - **Names** are derived from the mapped source, made unique case-insensitively (Voicemail
//!   Pro), and renamed only when the source value itself changes.
//! - **Extensions** come from Azure AD or are allocated ascending from the provisioning rule,
//!   skipping numbers used by users, extensions and hunt groups. Two people wanting one
//!   extension are both reported, never silently resolved. A new MS Teams + IP Office user
//!   must bring the extension Teams rings (both sides ring the same one): none is allocated.
//! - **Removal** per [`RemovalPolicy`]; more removals than the threshold hold every removal.
//! - **Freed licences and extensions**: removals are applied first, and the licences they
//!   free serve this plan's newcomers; a number a leaver frees still goes to a newcomer only
//!   on the next run (this plan counts it as in use).
//! - **Teams-only** people get a system directory entry, never a user record or hunt group.
//!
//! # Example
//!
//! A dry run, an apply and a second dry run against the in-memory stores of `ipo_model`
//! (the same engine runs over the Graph and IP Office clients):
//!
//! ```
//! use std::sync::Arc;
//!
//! use ipo_model::{
//!     AzureAdUser, GroupId, IpoSnapshot, LicensingMode, MemoryAzureAd, MemoryIpo, Platform,
//!     SystemInfo, UserType,
//! };
//! use sync_engine::{ActionKind, GroupRule, MemoryStateStore, RunOptions, SyncConfig, SyncEngine};
//!
//! # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//! let group: GroupId = "0a000000-0000-4000-8000-000000000001".parse()?;
//! let config = SyncConfig::new(vec![GroupRule::new(group.clone(), UserType::IpOfficeOnly)]);
//! let tenant = Arc::new(MemoryAzureAd::new());
//! let mut ann = AzureAdUser::new("87d349ed-44d7-43e1-9a83-5f2406dee5bd".parse()?);
//! ann.mail_nickname = Some("ann".into());
//! ann.business_phones = vec!["+441632768402 x402".into()];
//! tenant.upsert_user(ann.clone());
//! tenant.add_member(&group, &ann.id);
//! let system = SystemInfo::new("ipo1", "12.1", LicensingMode::Plds, Platform::Ip500V2);
//! let ipo = Arc::new(MemoryIpo::new(IpoSnapshot::new(system)));
//! let engine = SyncEngine::new(config, tenant, ipo.clone(), Arc::new(MemoryStateStore::new()));
//!
//! let dry = engine.run(&RunOptions::dry_run()).await?;
//! assert_eq!(dry.plan.count(ActionKind::CreateUser), 1);
//! assert_eq!(ipo.writes(), 0);
//! let applied = engine.run(&RunOptions::apply()).await?;
//! assert_eq!(applied.report.map(|r| r.failures().count()), Some(0));
//! assert!(engine.run(&RunOptions::dry_run()).await?.plan.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod apply;
mod cached_secrets;
mod changes;
mod config;
mod contact_read;
mod directory_people;
mod engine;
mod error;
mod leaver_names;
mod mapping;
mod plan;
mod planner;
mod progress;
mod reason;
mod record;
mod render;
mod report;
mod restarts;
mod rule_checks;
mod scope;
mod state;
mod state_io;
pub mod teams;
mod text;
mod verdicts;

pub use apply::{apply, apply_with_progress, is_destructive};
pub use changes::Changes;
pub use config::{
    AdoptPolicy, ApplyMode, FieldMap, FieldMapping, GroupRule, NodeSelector, ProvisioningRule,
    RemovalPolicy, Safety, SyncConfig, SystemDirectoryNumber, SystemDirectoryPeople,
    SystemDirectorySettings, UserTemplate,
};
pub use engine::{RunOptions, RunResult, SyncEngine};
pub use error::{ConfigError, StateError, SyncError};
pub use plan::{
    Action, ActionKind, FieldChange, HeldRemovals, LicenseNeed, PersonPlan, PersonStatus, Plan,
    SystemDirectoryRecords,
};
pub use planner::{PlanOptions, plan, plan_with_contacts};
pub use progress::{NoProgress, Phase, Progress};
pub use reason::{Cleaning, Reason};
pub use record::{RecordKind, RecordRef};
pub use render::{Style, render_plan, render_report};
pub use report::{ItemOutcome, Report, RunSummary, RunTransport, WriteCounts};
pub use state::{
    FileStateStore, Link, MemoryStateStore, PendingCreate, STATE_VERSION, StateStore, SyncState,
};
pub use text::Text;
pub use usertype_rules::{self, DefaultLicensePolicy, LicensePolicy};
pub use verdicts::classify_for_sync;
