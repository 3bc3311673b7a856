//! The emulated tenant's Teams voice writes: the telephone number inventory, the
//! asynchronous number operations, the Teams policies (names -> ids) and who has which
//! policy, directly or through a group.
//!
//! An operation is created `notStarted`, reads `running` at its first look and ends at its
//! second (succeeded or failed, checked against the tenant as it is then), unless a fault
//! keeps it running or makes it fail.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::tenant::{Tenant, norm};

/// What happens to the number operations started from now on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum NumberOperationFault {
    /// They end at their second look, as the tenant allows.
    #[default]
    None,
    /// They stay `running` however often they are looked at, as long as this fault is set
    /// (changed, they go on as the new setting says).
    StayRunning,
    /// They fail, with a per-number `statusDetail`.
    Fail,
}

/// Where a number comes from (`numberSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NumberSource {
    /// Managed in Teams (Direct Routing numbers assigned online).
    Online,
    /// Synchronised from on-premises AD: cannot be assigned online.
    OnPremises,
}

#[derive(Debug, Clone)]
pub(crate) struct NumberRecord {
    /// With a leading `+`.
    pub(crate) number: String,
    pub(crate) target: Option<String>,
    pub(crate) category: Option<String>,
    pub(crate) number_type: String,
    pub(crate) source: NumberSource,
    pub(crate) location_id: Option<String>,
    pub(crate) network_site_id: Option<String>,
}

/// A number operation's request, kept until it ends.
#[derive(Debug, Clone)]
pub(crate) enum NumberAction {
    Assign {
        number: String,
        target: String,
        category: String,
        number_type: String,
    },
    Unassign {
        number: String,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Operation {
    pub(crate) action: NumberAction,
    pub(crate) fault: NumberOperationFault,
    pub(crate) looks: u32,
    pub(crate) status: &'static str,
    pub(crate) detail: Option<String>,
    pub(crate) created: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Policy {
    pub(crate) policy_type: String,
    pub(crate) name: String,
    pub(crate) id: String,
}

/// The Teams voice state of the tenant.
#[derive(Debug, Default)]
pub(crate) struct Voice {
    /// By number with its `+`.
    pub(crate) numbers: BTreeMap<String, NumberRecord>,
    /// By lower-case policy type and lower-case name.
    pub(crate) policies: BTreeMap<(String, String), Policy>,
    /// (user, lower-case policy type) -> policy id.
    pub(crate) direct: BTreeMap<(String, String), String>,
    /// (group, lower-case policy type) -> policy id.
    pub(crate) by_group: BTreeMap<(String, String), String>,
    pub(crate) operations: BTreeMap<String, Operation>,
    pub(crate) next_operation: u64,
    pub(crate) fault: NumberOperationFault,
    /// Whether an assigned number turns Enterprise Voice on (Teams PowerShell's does;
    /// whether Graph's does is what a client must read back).
    pub(crate) keeps_voice_off: bool,
}

/// A number as the tenant keys and lists it: a leading `+` (Graph lists numbers so; the docs
/// assign them without), and a Direct Routing extension kept as `;ext=` in lower case. A
/// LineURI's `tel:` is dropped, as Teams admin writes numbers that way.
pub(crate) fn plus(number: &str) -> String {
    let t = number.trim();
    let t = match t.get(..4) {
        Some(scheme) if scheme.eq_ignore_ascii_case("tel:") => &t[4..],
        _ => t,
    };
    let lower = t.to_ascii_lowercase();
    let (base, ext) = match lower.find(";ext=") {
        Some(at) => (&t[..at], Some(&t[at + 5..])),
        None => (t, None),
    };
    let base = base.trim_start_matches('+');
    match ext {
        Some(ext) => format!("+{base};ext={ext}"),
        None => format!("+{base}"),
    }
}

impl Tenant {
    /// Adds a policy unless one of that type and name exists; returns the id in force.
    pub(crate) fn add_policy(&mut self, policy_type: &str, name: &str, id: String) -> String {
        let policy = Policy {
            policy_type: policy_type.to_owned(),
            name: name.to_owned(),
            id,
        };
        let key = (norm(policy_type), norm(name));
        self.voice.policies.entry(key).or_insert(policy).id.clone()
    }

    /// Who has `number` now: the inventory, else a Teams configuration listing it.
    pub(crate) fn number_owner(&self, number: &str) -> Option<String> {
        if let Some(r) = self.voice.numbers.get(number) {
            return r.target.clone();
        }
        self.teams
            .iter()
            .find(|(_, cfg)| config_numbers(cfg).any(|n| plus(n) == number))
            .map(|(id, _)| id.clone())
    }

    pub(crate) fn start_operation(&mut self, action: NumberAction) -> String {
        self.voice.next_operation += 1;
        let kind = match action {
            NumberAction::Assign { .. } => "Assignment",
            NumberAction::Unassign { .. } => "Unassignment",
        };
        let id = format!("{kind}{:08}", self.voice.next_operation);
        let op = Operation {
            action,
            fault: self.voice.fault,
            looks: 0,
            status: "notStarted",
            detail: None,
            created: crate::tenant_teams::now_text(),
        };
        self.voice.operations.insert(id.clone(), op);
        id
    }

    /// One look at an operation: it moves on, and its JSON is returned.
    pub(crate) fn look_at_operation(&mut self, id: &str) -> Option<Value> {
        let mut op = self.voice.operations.get(id)?.clone();
        op.looks += 1;
        // An operation is kept running only while that fault is set: cleared, Teams gets
        // through its backlog, as a later run finds.
        if op.fault == NumberOperationFault::StayRunning {
            op.fault = self.voice.fault;
        }
        if op.status == "notStarted" || op.status == "running" {
            op.status = "running";
            if op.looks >= 2 {
                match op.fault {
                    NumberOperationFault::StayRunning => {}
                    NumberOperationFault::Fail => {
                        op.status = "failed";
                        op.detail = Some("The operation failed (emulated fault).".into());
                    }
                    NumberOperationFault::None => {
                        let result = self.finish(&op.action);
                        op.status = if result.is_ok() {
                            "succeeded"
                        } else {
                            "failed"
                        };
                        op.detail = result.err();
                    }
                }
            }
        }
        let number = match &op.action {
            NumberAction::Assign { number, .. } | NumberAction::Unassign { number } => number,
        };
        let body = json!({
            "@odata.type": "#microsoft.graph.teamsAdministration.telephoneNumberLongRunningOperation",
            "id": id,
            "createdDateTime": op.created,
            "status": op.status,
            "numbers": [{
                // Relative here; the route makes it absolute.
                "resourceLocation": format!("admin/teams/telephoneNumberManagement/numberAssignments?$filter=telephoneNumber%20eq%20'{}'", number.replace('+', "%2B")),
                "status": op.status,
                "statusDetail": op.detail,
            }],
        });
        self.voice.operations.insert(id.to_owned(), op);
        Some(body)
    }

    /// Carries an action out against the tenant as it is now; `Err` is Teams' words.
    fn finish(&mut self, action: &NumberAction) -> Result<(), String> {
        match action.clone() {
            NumberAction::Assign {
                number,
                target,
                category,
                number_type,
            } => self.assign(number, target, category, number_type),
            NumberAction::Unassign { number } => self.unassign(&number),
        }
    }

    fn assign(
        &mut self,
        number: String,
        target: String,
        category: String,
        number_type: String,
    ) -> Result<(), String> {
        if !self.users.contains_key(&target) {
            return Err(format!("The user '{target}' was not found."));
        }
        if let Some(owner) = self.number_owner(&number).filter(|o| *o != target) {
            return Err(format!(
                "The telephone number {number} is already assigned to another user ({owner})."
            ));
        }
        let record = self.voice.numbers.get(&number).cloned();
        if record
            .as_ref()
            .is_some_and(|r| r.source == NumberSource::OnPremises)
        {
            return Err(format!(
                "The telephone number {number} is managed on-premises and cannot be assigned online."
            ));
        }
        // One number per category: the user's previous one of this category is let go.
        let previous: Vec<String> = self
            .teams
            .get(&target)
            .map(|cfg| config_entries(cfg, &category))
            .unwrap_or_default();
        for old in previous.iter().filter(|o| plus(o) != number) {
            self.release(&plus(old));
        }
        let (location_id, network_site_id) = record
            .map(|r| (r.location_id.clone(), r.network_site_id.clone()))
            .unwrap_or_default();
        self.voice.numbers.insert(
            number.clone(),
            NumberRecord {
                number: number.clone(),
                target: Some(target.clone()),
                category: Some(category.clone()),
                number_type,
                source: NumberSource::Online,
                location_id,
                network_site_id,
            },
        );
        let keep_off = self.voice.keeps_voice_off;
        let base = self.default_teams(&target);
        let cfg = self.teams.entry(target).or_insert(base);
        let mut list = cfg
            .get("telephoneNumbers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        list.retain(|n| n.get("assignmentCategory").and_then(Value::as_str) != Some(&category));
        list.push(json!({"telephoneNumber": number, "assignmentCategory": category}));
        cfg.insert("telephoneNumbers".into(), Value::from(list));
        if !keep_off {
            cfg.insert("isEnterpriseVoiceEnabled".into(), Value::from(true));
        }
        Ok(())
    }

    fn unassign(&mut self, number: &str) -> Result<(), String> {
        if self.number_owner(number).is_none() {
            return Err(format!("The telephone number {number} is not assigned."));
        }
        self.release(number);
        Ok(())
    }

    /// Takes `number` from whoever has it (inventory and configuration).
    fn release(&mut self, number: &str) {
        if let Some(owner) = self.number_owner(number)
            && let Some(cfg) = self.teams.get_mut(&owner)
            && let Some(list) = cfg
                .get_mut("telephoneNumbers")
                .and_then(Value::as_array_mut)
        {
            list.retain(|n| {
                n.get("telephoneNumber")
                    .and_then(Value::as_str)
                    .is_none_or(|t| plus(t) != number)
            });
        }
        if let Some(r) = self.voice.numbers.get_mut(number) {
            r.target = None;
            r.category = None;
        }
    }

    /// The `numberAssignments` entry of an inventory record.
    pub(crate) fn number_json(&self, r: &NumberRecord) -> Value {
        json!({
            "telephoneNumber": r.number,
            "assignmentTargetId": r.target,
            "assignmentCategory": r.category,
            "assignmentStatus": if r.target.is_some() { "userAssigned" } else { "unassigned" },
            "numberType": r.number_type,
            "activationState": "activated",
            "numberSource": match r.source {
                NumberSource::Online => "online",
                NumberSource::OnPremises => "onPremises",
            },
            "capabilities": ["userAssignment"],
            "locationId": r.location_id,
            "networkSiteId": r.network_site_id,
            "city": null,
            "operatorId": null,
            "portInStatus": null,
            "reverseNumberLookupOptions": [],
            "supportedCustomerActions": [],
        })
    }

    /// `effectivePolicyAssignments` of a user: its direct policies, else those of a group
    /// it is a direct member of (Teams ignores nested groups for policy assignment).
    pub(crate) fn effective_policies(&self, user: &str) -> Vec<Value> {
        let mut out: BTreeMap<String, Value> = BTreeMap::new();
        for ((g, ty), id) in &self.voice.by_group {
            let member = self
                .groups
                .get(g)
                .is_some_and(|grp| grp.members.contains(user));
            if member && !out.contains_key(ty) {
                out.insert(ty.clone(), self.policy_json(ty, id, Some(g)));
            }
        }
        for ((u, ty), id) in &self.voice.direct {
            if u == user {
                out.insert(ty.clone(), self.policy_json(ty, id, None));
            }
        }
        out.into_values().collect()
    }

    fn policy_json(&self, ty: &str, id: &str, group: Option<&str>) -> Value {
        let p = self
            .voice
            .policies
            .values()
            .find(|p| p.id == id && norm(&p.policy_type) == ty);
        let mut a = json!({
            "displayName": p.map(|p| p.name.clone()),
            "assignmentType": if group.is_some() { "group" } else { "direct" },
            "policyId": id,
        });
        if let (Some(g), Some(m)) = (group, a.as_object_mut()) {
            m.insert("groupId".into(), Value::from(g));
        }
        json!({
            "policyType": p.map_or(ty.to_owned(), |p| p.policy_type.clone()),
            "policyAssignment": a,
        })
    }
}

/// The numbers a Teams configuration lists.
pub(crate) fn config_numbers(cfg: &Map<String, Value>) -> impl Iterator<Item = &str> {
    cfg.get("telephoneNumbers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|n| n.get("telephoneNumber").and_then(Value::as_str))
}

fn config_entries(cfg: &Map<String, Value>, category: &str) -> Vec<String> {
    cfg.get("telephoneNumbers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|n| n.get("assignmentCategory").and_then(Value::as_str) == Some(category))
        .filter_map(|n| n.get("telephoneNumber").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}
