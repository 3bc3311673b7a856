//! Scripting the tenant's Teams voice side while the emulator runs: policies, group policy
//! assignments, the number inventory, and faults of the number operations.

use crate::error::EmulatorError;
use crate::handle::GraphEmulatorHandle;
use crate::tenant::norm;
use crate::tenant_voice::{NumberOperationFault, NumberRecord, NumberSource, plus};

impl GraphEmulatorHandle {
    /// Adds a Teams policy (e.g. `"OnlineVoiceRoutingPolicy"`, `"UK Direct Routing"`) and
    /// returns its id, which `getPolicyId` then answers; adding it again returns the same id.
    pub fn add_teams_policy(&self, policy_type: &str, name: &str) -> String {
        let id = self.shared.rng().guid();
        self.shared.tenant().add_policy(policy_type, name, id)
    }

    /// Assigns a policy to a group: its direct members then have it as a `group`
    /// assignment, unless assigned one directly.
    pub fn assign_group_policy(
        &self,
        group: &str,
        policy_type: &str,
        name: &str,
    ) -> Result<(), EmulatorError> {
        let id = self.add_teams_policy(policy_type, name);
        let mut t = self.shared.tenant();
        let g = norm(group);
        if !t.groups.contains_key(&g) {
            return Err(EmulatorError::NotFound {
                kind: "group",
                id: g,
            });
        }
        t.voice.by_group.insert((g, norm(policy_type)), id);
        Ok(())
    }

    /// Puts an unassigned Direct Routing number into the tenant's inventory, from `source`
    /// (an `OnPremises` number is listed but refused by `assignNumber`).
    pub fn add_number(&self, number: &str, source: NumberSource) {
        let number = plus(number);
        self.shared.tenant().voice.numbers.insert(
            number.clone(),
            NumberRecord {
                number,
                target: None,
                category: None,
                number_type: "directRouting".into(),
                source,
                location_id: None,
                network_site_id: None,
            },
        );
    }

    /// Who has `number` now (`None` when nobody has). `number` is the whole number, with
    /// or without `+` or `tel:`, its extension as `;ext=` (`+441632768000;ext=401`): a bare
    /// base number (`+441632768000`) is a number of its own and finds only whoever has
    /// exactly it, never the people who have its extensions.
    pub fn number_owner(&self, number: &str) -> Option<String> {
        self.shared.tenant().number_owner(&plus(number))
    }

    /// What happens to the number operations started from now on.
    pub fn set_number_operation_fault(&self, fault: NumberOperationFault) {
        self.shared.tenant().voice.fault = fault;
    }

    /// Whether assigning a number leaves Enterprise Voice as it was (default: it turns it
    /// on, as Teams PowerShell's assignment does).
    pub fn set_number_assignment_keeps_voice_off(&self, keep_off: bool) {
        self.shared.tenant().voice.keeps_voice_off = keep_off;
    }

    /// Sets a user's Enterprise Voice flag in its Teams configuration.
    pub fn set_enterprise_voice(&self, user: &str, on: bool) -> Result<(), EmulatorError> {
        let mut t = self.shared.tenant();
        let id = norm(user);
        if !t.users.contains_key(&id) {
            return Err(EmulatorError::NotFound { kind: "user", id });
        }
        let base = t.default_teams(&id);
        t.teams
            .entry(id)
            .or_insert(base)
            .insert("isEnterpriseVoiceEnabled".into(), on.into());
        Ok(())
    }
}
