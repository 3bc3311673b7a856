//! Sync Azure AD (Entra ID) groups into Avaya IP Office users, by rules per group, with a
//! plan you can read before anything is written.
//!
//! One pass: read both sides -> desired IP Office state from the rules -> diff against the
//! snapshot -> a [`Plan`] (pure data) -> optionally [`apply`] it -> a [`Report`].
//! Planning is pure and synchronous (a large directory is planned on every core, on threads
//! that end before [`plan`] returns; see [`PlanOptions::threads`]); I/O lives behind the
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
//! - **Freed extensions**: removals run last, so a number a leaver frees goes to a newcomer
//!   on the next run.
//! - **Teams-only** people get a system directory entry, never a user record or hunt group.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod apply;
mod changes;
mod config;
mod eligibility;
mod engine;
mod error;
mod ext_map;
mod fast_hash;
mod leaver_names;
mod mapping;
mod parts;
mod plan;
mod planner;
mod progress;
mod reason;
mod record;
mod render;
mod report;
mod rule_checks;
mod state;
mod text;

pub use apply::{apply, apply_with_progress, is_destructive};
pub use changes::Changes;
pub use config::{
    AdoptPolicy, ApplyMode, DirectorySettings, FieldMap, FieldMapping, GroupRule, NodeSelector,
    ProvisioningRule, RemovalPolicy, Safety, SyncConfig, TeamsLicensing, UserTemplate,
};
pub use eligibility::{
    DEFAULT_VOICE_SKUS, MCOEV_PLAN, Voice, consumes_license, default_teams_profile,
    is_resource_account, profile_allows_teams, teams_voice,
};
pub use engine::{RunOptions, RunResult, SyncEngine};
pub use error::{ConfigError, StateError, SyncError};
pub use plan::{
    Action, ActionKind, FieldChange, HeldRemovals, LicenseNeed, PersonPlan, PersonStatus, Plan,
    TeamsAction,
};
pub use planner::{PlanOptions, plan};
pub use progress::{NoProgress, Phase, Progress};
pub use reason::Reason;
pub use record::{RecordKind, RecordRef};
pub use render::{Style, render_plan, render_report};
pub use report::{ItemOutcome, Report, RunSummary, RunTransport};
pub use state::{
    FileStateStore, Link, MemoryStateStore, PendingCreate, STATE_VERSION, StateStore, SyncState,
};
pub use text::Text;
