//! The Teams half of the sync: one more stage after the IP Office one. The verdicts'
//! Teams halves become [`TeamsAction`]s ([`plan_teams`]); rules provisioned through Graph are
//! applied with [`apply_teams`], script rules become [`teams_script`].

mod apply;
mod plan;
mod script;

pub use apply::{
    ENTERPRISE_VOICE_OFF, PendingTeamsOperation, TeamsApplied, TeamsApplyOptions, TeamsJournal,
    TeamsOutcome, TeamsResult, apply_teams,
};
pub use plan::{
    TeamsAction, TeamsHeld, TeamsLeaver, TeamsPerson, TeamsPlan, TeamsWrite, plan_teams,
};
pub use script::{GroupGrant, powershell_quote, teams_script};
