//! The Teams half of a user type: a Direct Routing number and the voice policies a rule
//! names, judged against what Teams holds. Part of the one brain: the sync plans Teams writes
//! from [`TeamsSide`] and [`TeamsRelease`] and decides nothing about them itself.

mod assigned;
mod context;
mod enterprise_voice;
mod judge;
mod problem;
mod release;
mod rule;

pub use assigned::TeamsAssigned;
pub use context::TeamsContext;
pub use enterprise_voice::EnterpriseVoice;
pub use judge::{
    Change, TeamsNumberVerdict, TeamsPolicyVerdict, TeamsSide, TeamsSideInput, judge_teams_side,
};
pub use problem::TeamsProblem;
pub use release::{TeamsRelease, teams_release};
pub use rule::{
    EXTENSION_PLACEHOLDER, NumberTemplate, NumberTemplateError, TeamsNumberRule, TeamsProvisioning,
    TeamsSideRule, Unbuildable,
};

#[cfg(test)]
mod tests;
