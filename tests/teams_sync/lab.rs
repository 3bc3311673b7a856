//! The generated tenant with its Teams rules provisioned through Microsoft Graph: both
//! emulators, the real clients, a state file, and what Teams holds read back through the
//! Graph emulator.

use std::sync::Arc;
use std::time::Duration;

use graph_emulator::Route;
use ipo_model::{
    EffectivePolicy, ExtensionNumber, ObjectId, PolicyVia, TeamsNumber, TeamsPolicyType,
    TeamsVoice, TeamsVoiceAdmin, UserType,
};
use sync_engine::teams::TeamsApplyOptions;
use sync_engine::{FileStateStore, StateStore, SyncConfig, SyncEngine, SyncState};
use usertype_rules::TeamsSideRule;

use crate::support::{self, GROUP_TEAMS_IPO, GROUP_TEAMS_ONLY, Lab};

/// The voice routing policy both Teams rules name.
pub const VRP: &str = "UK Direct Routing";
/// The dial plan the Teams-only rule names too.
pub const DIAL_PLAN: &str = "UK National";
/// The Direct Routing number template both Teams rules use.
pub const TEMPLATE: &str = "+4420794{extension}";

/// A Graph-provisioned Teams half: the template's number, `policy`, and `extra` lines.
pub fn teams_rule(policy: &str, extra: &str) -> TeamsSideRule {
    let text =
        format!("provisioning = \"graph\"\nnumber = {{ template = \"{TEMPLATE}\" }}\n{extra}\n");
    let mut rule: TeamsSideRule = toml::from_str(&text).unwrap();
    rule.voice_routing_policy = Some(policy.to_owned());
    rule
}

/// The generated tenant's configuration with these Teams halves on its two Teams rules.
pub fn config_with(teams_ipo: TeamsSideRule, teams_only: TeamsSideRule) -> SyncConfig {
    let mut cfg = support::config();
    for rule in &mut cfg.rules {
        match rule.user_type {
            UserType::TeamsAndIpOffice => rule.teams = teams_ipo.clone(),
            UserType::TeamsOnly => rule.teams = teams_only.clone(),
            _ => {}
        }
    }
    cfg
}

/// Both Teams rules through Graph with [`VRP`]; the Teams-only one with [`DIAL_PLAN`] too.
pub fn graph_config() -> SyncConfig {
    let dial_plan = format!("dial_plan = {DIAL_PLAN:?}");
    config_with(teams_rule(VRP, ""), teams_rule(VRP, &dial_plan))
}

/// The generated people with a Teams half among the first `n`.
pub fn teams_people(n: u32) -> Vec<u32> {
    (0..n)
        .filter(|i| support::group_of(*i) != support::GROUP_IPO)
        .collect()
}

/// Whether generated person `i` is Teams only.
pub fn teams_only(i: u32) -> bool {
    support::group_of(i) == GROUP_TEAMS_ONLY
}

/// The extension generated Teams person `i` brings from Azure AD (both sides ring it).
pub fn extension(i: u32) -> ExtensionNumber {
    let lead = if support::group_of(i) == GROUP_TEAMS_IPO {
        4
    } else {
        7
    };
    format!("{lead}{i:05}").parse().unwrap()
}

/// The number the rules give person `i`: the template with the extension, carried as
/// Direct Routing stores extensions.
pub fn wanted_number(i: u32) -> TeamsNumber {
    let ext = extension(i);
    let number = TEMPLATE
        .replace("{extension}", ext.as_str())
        .parse()
        .unwrap();
    TeamsNumber::new(Some(number), Some(ext)).unwrap()
}

/// The lab, with the policies the rules name, a state file, and engines over both.
pub struct TeamsLab {
    /// Both emulators and the real clients.
    pub lab: Lab,
    /// The sync's state file.
    pub state: Arc<FileStateStore>,
}

impl TeamsLab {
    /// The first `n` generated people, the policies [`VRP`] and [`DIAL_PLAN`] in Teams.
    pub async fn start(n: u32) -> TeamsLab {
        TeamsLab::with_people(&support::people(n)).await
    }

    /// These people (generated ones, perhaps changed), the policies in Teams.
    pub async fn with_people(people: &[(ipo_model::AzureAdUser, &str)]) -> TeamsLab {
        let lab = Lab::simple(people).await;
        lab.graph.add_teams_policy("OnlineVoiceRoutingPolicy", VRP);
        lab.graph.add_teams_policy("TenantDialPlan", DIAL_PLAN);
        let state = Arc::new(FileStateStore::new(lab.workdir.path().join("state.json")));
        TeamsLab { lab, state }
    }

    /// An engine (a fresh process, as far as the sync knows) over the state file, following
    /// number operations for up to 20 s.
    pub fn engine(&self, config: SyncConfig) -> SyncEngine {
        self.engine_waiting(config, Duration::from_secs(20))
    }

    /// An engine following number operations for at most `wait`.
    pub fn engine_waiting(&self, config: SyncConfig, wait: Duration) -> SyncEngine {
        self.lab.engine(config, self.state.clone()).with_teams(
            self.lab.graph_client.clone(),
            TeamsApplyOptions::waiting(wait),
        )
    }

    /// The state file as saved.
    pub fn saved(&self) -> SyncState {
        self.state.load().unwrap()
    }

    /// Requests the Graph emulator received on `route` since its last reset.
    pub fn sent(&self, route: Route) -> u64 {
        self.lab.graph.stats().get(route)
    }

    /// What Teams holds for person `i`: numbers from the emulator's own records, policies as
    /// its `userConfigurations` answer gives them.
    pub async fn teams_of(&self, i: u32) -> Held {
        let id = support::person_id(i);
        let numbers = self.lab.graph.user(&id).unwrap().teams.unwrap_or_default();
        let voice = self.lab.graph_client.user_voice(&id).await.unwrap();
        Held {
            numbers: numbers
                .telephone_numbers
                .iter()
                .map(|n| TeamsNumber::parse_any(&n.number).unwrap())
                .collect(),
            enterprise_voice: numbers.enterprise_voice_enabled,
            voice,
        }
    }
}

/// What Teams holds for one person.
#[derive(Debug)]
pub struct Held {
    /// Their numbers, as the emulator keeps them.
    pub numbers: Vec<TeamsNumber>,
    /// Enterprise Voice, as the emulator keeps it.
    pub enterprise_voice: Option<bool>,
    /// Their Teams configuration as `userConfigurations` answers.
    pub voice: TeamsVoice,
}

impl Held {
    /// The policy of `t` in effect, if any.
    pub fn policy(&self, t: TeamsPolicyType) -> Option<&EffectivePolicy> {
        policy(&self.voice, t)
    }

    /// Whether the policy `name` of `t` is assigned directly.
    pub fn has_direct(&self, t: TeamsPolicyType, name: &str) -> bool {
        self.policy(t)
            .is_some_and(|p| p.name == name && p.via == PolicyVia::Direct)
    }
}

/// The policy of `t` in effect in `voice`.
pub fn policy(voice: &TeamsVoice, t: TeamsPolicyType) -> Option<&EffectivePolicy> {
    voice.effective_policies.iter().find(|p| p.policy_type == t)
}

/// Assigns `name` of `t` to person `i` directly, as an administrator would by hand.
pub async fn assign_by_hand(t: &TeamsLab, i: u32, policy_type: TeamsPolicyType, name: &str) {
    let c: &dyn TeamsVoiceAdmin = t.lab.graph_client.as_ref();
    let id = c.policy_id(policy_type, name).await.unwrap().unwrap();
    c.assign_policy(policy_type, &id, &[support::person_id(i)])
        .await
        .unwrap();
}

/// Person `i`'s object id.
pub fn id(i: u32) -> ObjectId {
    support::person_id(i)
}
