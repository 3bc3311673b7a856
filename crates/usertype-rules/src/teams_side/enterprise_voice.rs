//! Enterprise Voice in a person's Teams half: Teams rings a Direct Routing number only while
//! it is on, and what turns it on depends on what else the sync writes.

use ipo_model::AzureAdUser;
use serde::{Deserialize, Serialize};

use super::rule::TeamsProvisioning;

/// Enterprise Voice for a person with a Teams half, and what the sync does about it.
///
/// Decided here once: the plan writes the script line for [`EnterpriseVoice::Enable`] and
/// nothing else. Graph has no call that sets the flag; Teams turns it on with a number
/// assignment (Teams PowerShell's always; after a Graph assignment the sync reads it back
/// and warns when it stayed off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EnterpriseVoice {
    /// On.
    On,
    /// Teams did not say.
    #[default]
    Unknown,
    /// Off; the number assignment the sync makes turns it on.
    OffUntilNumberAssigned,
    /// Off, and the rule is provisioned by the script: the script turns it on.
    Enable,
    /// Off, and the rule is provisioned through Graph, which cannot turn it on: an
    /// administrator must.
    Off,
}

impl EnterpriseVoice {
    /// Judges the flag Teams gave (`isEnterpriseVoiceEnabled`) for a person whose number
    /// is assigned by the sync when `number_assigned`, under `provisioning`.
    pub(crate) fn judge(
        user: &AzureAdUser,
        number_assigned: bool,
        provisioning: TeamsProvisioning,
    ) -> Self {
        match user.teams.as_ref().and_then(|t| t.enterprise_voice_enabled) {
            None => EnterpriseVoice::Unknown,
            Some(true) => EnterpriseVoice::On,
            Some(false) if number_assigned => EnterpriseVoice::OffUntilNumberAssigned,
            Some(false) if provisioning == TeamsProvisioning::Script => EnterpriseVoice::Enable,
            Some(false) => EnterpriseVoice::Off,
        }
    }

    /// Whether Teams rings the person's number as far as the flag goes (on, or not said).
    pub fn is_in_line(self) -> bool {
        matches!(self, EnterpriseVoice::On | EnterpriseVoice::Unknown)
    }

    /// What a person reads in `classify` when it is off: that it is, and what the sync does
    /// about it; `None` when on or not said.
    pub fn describe(self) -> Option<&'static str> {
        match self {
            EnterpriseVoice::On | EnterpriseVoice::Unknown => None,
            EnterpriseVoice::OffUntilNumberAssigned => Some(
                "Enterprise Voice is off: Teams turns it on with the number the sync assigns \
                 (the sync reads it back and warns if it stays off)",
            ),
            EnterpriseVoice::Enable => Some(
                "Enterprise Voice is off, so Teams does not ring the number: the script turns \
                 it on",
            ),
            EnterpriseVoice::Off => Some(concat!(
                "Enterprise Voice is off, so Teams does not ring the number; Graph cannot turn \
                 it on: run ",
                "Set-CsPhoneNumberAssignment -Identity <upn> -EnterpriseVoiceEnabled $true"
            )),
        }
    }
}
