//! The Teams half of the sync: one more stage after the IP Office one. The verdicts'
//! Teams halves become [`TeamsAction`]s ([`plan_teams`]); rules provisioned through Graph are
//! applied with [`apply_teams`], script rules become [`teams_script`].

mod apply;
mod facts;
mod journal;
mod plan;
mod render;
mod run;
mod script;

pub use apply::{
    ENTERPRISE_VOICE_OFF, PendingTeamsOperation, TeamsApplied, TeamsApplyOptions, TeamsJournal,
    TeamsOutcome, TeamsResult, apply_teams,
};
pub use facts::TeamsFacts;
pub use plan::{
    TeamsAction, TeamsHeld, TeamsLeaver, TeamsPerson, TeamsPlan, TeamsWrite, plan_teams,
};
pub(crate) use render::{render_teams_applied, render_teams_plan};
pub(crate) use run::{apply_stage, read_facts};
pub use script::{GroupGrant, powershell_quote, teams_script};
