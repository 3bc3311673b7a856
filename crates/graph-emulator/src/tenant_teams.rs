//! The emulated tenant's Teams side: each user's telephone numbers as a Teams user
//! configuration and as number assignments, as the Teams administration endpoints serve
//! them.

use ipo_model::{AssignmentCategory, TeamsPhoneNumber, TeamsVoice};
use serde_json::{Value, json};

use crate::error::EmulatorError;
use crate::tenant::{Change, Tenant, norm, not_found};

impl Tenant {
    pub(crate) fn set_teams_numbers(
        &mut self,
        id: &str,
        numbers: &[TeamsPhoneNumber],
    ) -> Result<(), EmulatorError> {
        let key = norm(id);
        if !self.users.contains_key(&key) {
            return Err(not_found("user", &key));
        }
        let list: Vec<Value> = numbers
            .iter()
            .map(|n| json!({"telephoneNumber": n.number, "assignmentCategory": category_text(n.category)}))
            .collect();
        let base = self.default_teams(&key);
        let cfg = self.teams.entry(key.clone()).or_insert(base);
        cfg.insert("telephoneNumbers".into(), Value::from(list));
        cfg.insert("modifiedDateTime".into(), Value::from(now_text()));
        // Not something Graph's user delta would show; logged so a scripted tenant's sync
        // notices that this user is worth a fresh look.
        self.log(Change::User(key));
        Ok(())
    }

    pub(crate) fn apply_teams_voice(&mut self, id: &str, t: &TeamsVoice) {
        let key = norm(id);
        let base = self.default_teams(&key);
        let cfg = self.teams.entry(key).or_insert(base);
        let list: Vec<Value> = t
            .telephone_numbers
            .iter()
            .map(|n| json!({"telephoneNumber": n.number, "assignmentCategory": category_text(n.category)}))
            .collect();
        cfg.insert("telephoneNumbers".into(), Value::from(list));
        if let Some(ev) = t.enterprise_voice_enabled {
            cfg.insert("isEnterpriseVoiceEnabled".into(), Value::from(ev));
        }
        if let Some(a) = &t.account_type {
            cfg.insert("accountType".into(), Value::from(a.clone()));
        }
    }

    pub(crate) fn teams_voice(&self, id: &str) -> Option<TeamsVoice> {
        let cfg = self.teams.get(id)?;
        let mut t = TeamsVoice::default();
        for n in cfg
            .get("telephoneNumbers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(num) = n.get("telephoneNumber").and_then(Value::as_str) {
                let cat = match n.get("assignmentCategory").and_then(Value::as_str) {
                    Some("primary") => AssignmentCategory::Primary,
                    Some("private") => AssignmentCategory::Private,
                    Some("alternate") => AssignmentCategory::Alternate,
                    _ => AssignmentCategory::Other,
                };
                t.telephone_numbers.push(TeamsPhoneNumber::new(num, cat));
            }
        }
        t.enterprise_voice_enabled = cfg.get("isEnterpriseVoiceEnabled").and_then(Value::as_bool);
        t.account_type = cfg
            .get("accountType")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Some(t)
    }

    /// `numberAssignments` derived from the Teams configurations.
    pub(crate) fn number_assignments(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for (id, cfg) in &self.teams {
            let calling_plan = cfg
                .get("featureTypes")
                .and_then(Value::as_array)
                .is_some_and(|f| f.iter().any(|x| x == "CallingPlan"));
            for n in cfg
                .get("telephoneNumbers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(num) = n.get("telephoneNumber").and_then(Value::as_str) else {
                    continue;
                };
                let num = crate::tenant_voice::plus(num);
                if self.voice.numbers.contains_key(&num) {
                    // Written through Graph: the inventory's entry below says it all.
                    continue;
                }
                out.push(json!({
                    "telephoneNumber": num,
                    "assignmentTargetId": id,
                    "assignmentCategory": n.get("assignmentCategory").cloned().unwrap_or(Value::Null),
                    "assignmentStatus": "userAssigned",
                    "numberType": if calling_plan { "callingPlan" } else { "directRouting" },
                    "activationState": "activated",
                    // Numbers assigned in Teams (Direct Routing ones included) are `online`;
                    // only numbers synced from on-premises AD are `onPremises`, and those are
                    // seeded explicitly (`add_number` with `NumberSource::OnPremises`).
                    "numberSource": "online",
                    "isoCountryCode": iso_country(&num),
                    "capabilities": ["userAssignment"],
                    "city": null,
                    "locationId": null,
                    "networkSiteId": null,
                    "operatorId": null,
                    "portInStatus": "completed",
                    "reverseNumberLookup": [],
                    "supportedCustomerActions": [],
                }));
            }
        }
        out.extend(self.voice.numbers.values().map(|r| self.number_json(r)));
        out
    }
}

fn category_text(c: AssignmentCategory) -> &'static str {
    match c {
        AssignmentCategory::Primary => "primary",
        AssignmentCategory::Private => "private",
        AssignmentCategory::Alternate => "alternate",
        _ => "unknownFutureValue",
    }
}

fn iso_country(num: &str) -> Value {
    let table = [
        ("+1", "US"),
        ("+44", "GB"),
        ("+353", "IE"),
        ("+49", "DE"),
        ("+33", "FR"),
    ];
    table
        .iter()
        .find(|(p, _)| num.starts_with(p))
        .map(|(_, c)| Value::from(*c))
        .unwrap_or(Value::Null)
}

pub(crate) fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
