//! The emulated tenant: users, groups, other directory objects, Teams configurations, and
//! the change log every mutation feeds (delta queries read it).

use std::collections::{BTreeMap, BTreeSet};

use ipo_model::{AzureAdUser, RemovalReason};
use serde_json::{Map, Value, json};

use crate::error::EmulatorError;
use crate::seed::{Seed, SeedUser};
use crate::user_json::{user_from_graph, user_to_graph};

pub(crate) const USER_TYPE: &str = "#microsoft.graph.user";
pub(crate) const GROUP_TYPE: &str = "#microsoft.graph.group";
pub(crate) const CONTACT_TYPE: &str = "#microsoft.graph.orgContact";

/// One entry of the change log.
#[derive(Debug, Clone)]
pub(crate) enum Change {
    /// A user was added, updated or removed.
    User(String),
    /// A group's own properties changed (or it was created).
    Group(String),
    /// A direct member joined or left a group.
    Member {
        group: String,
        member: String,
        odata_type: String,
    },
    /// An organisational contact was added, changed or removed.
    Contact(String),
}

#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub(crate) json: Map<String, Value>,
    /// Direct members of any type, by id.
    pub(crate) members: BTreeSet<String>,
}

#[derive(Debug, Default)]
pub(crate) struct Tenant {
    pub(crate) users: BTreeMap<String, Map<String, Value>>,
    pub(crate) groups: BTreeMap<String, Group>,
    pub(crate) objects: BTreeMap<String, Map<String, Value>>,
    pub(crate) teams: BTreeMap<String, Map<String, Value>>,
    /// Organisational contacts (`orgContact` JSON), by lower-case id.
    pub(crate) contacts: BTreeMap<String, Map<String, Value>>,
    pub(crate) removed: BTreeMap<String, RemovalReason>,
    /// Contacts removed, by lower-case id (what `/contacts/delta` reports as `@removed`).
    pub(crate) removed_contacts: BTreeMap<String, RemovalReason>,
    /// Change `i` has sequence number `i + 1`; a delta token holds the last number it saw.
    pub(crate) log: Vec<Change>,
    /// Bumped to expire every delta token handed out so far.
    pub(crate) delta_epoch: u64,
    pub(crate) tenant_id: String,
    /// Teams voice writes: numbers, operations, policies.
    pub(crate) voice: crate::tenant_voice::Voice,
}

pub(crate) fn norm(id: &str) -> String {
    id.to_ascii_lowercase()
}

pub(crate) fn not_found(kind: &'static str, id: &str) -> EmulatorError {
    EmulatorError::NotFound {
        kind,
        id: id.to_owned(),
    }
}

impl Tenant {
    pub(crate) fn from_seed(seed: &Seed, tenant_id: &str) -> Result<Self, EmulatorError> {
        let mut t = Tenant {
            tenant_id: tenant_id.to_owned(),
            ..Tenant::default()
        };
        let bad = |m: String| EmulatorError::Seed {
            source_name: "seed".into(),
            message: m,
        };
        for u in &seed.users {
            match u {
                SeedUser::Model(u) => t.add_directory_user(u)?,
                SeedUser::Graph(m) => t.add_user_json(m.clone())?,
            }
        }
        for o in &seed.objects {
            let id = o
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("object without id".into()))?;
            if !o.contains_key("@odata.type") {
                return Err(bad(format!("object {id} without @odata.type")));
            }
            t.objects.insert(norm(id), o.clone());
        }
        for g in &seed.groups {
            t.add_group(&g.id, &g.display_name)?;
        }
        for g in &seed.groups {
            for m in g.members.iter().chain(&g.groups) {
                t.add_member(&g.id, m)?;
            }
        }
        for c in &seed.teams {
            let id = c
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("teams configuration without id".into()))?;
            let mut base = t.default_teams(id);
            base.extend(c.clone());
            t.teams.insert(norm(id), base);
        }
        for (i, p) in seed.teams_policies.iter().enumerate() {
            let id =
                p.id.clone()
                    .unwrap_or_else(|| format!("00000000-0000-4000-9000-{:012}", i + 1));
            t.add_policy(&p.policy_type, &p.name, id);
        }
        // The seed is the starting point: deltas start after it.
        Ok(t)
    }

    pub(crate) fn seq(&self) -> u64 {
        self.log.len() as u64
    }

    pub(crate) fn log(&mut self, c: Change) {
        self.log.push(c);
    }

    /// Adds or replaces a contact (Graph JSON, by lower-case id) and logs it for
    /// `/contacts/delta`.
    pub(crate) fn put_contact(&mut self, id: String, contact: Map<String, Value>) {
        self.removed_contacts.remove(&id);
        self.contacts.insert(id.clone(), contact);
        self.log(Change::Contact(id));
    }

    /// Removes a contact (logged for `/contacts/delta` with `reason`); whether there was one.
    pub(crate) fn remove_contact(&mut self, id: String, reason: RemovalReason) -> bool {
        if self.contacts.remove(&id).is_none() {
            return false;
        }
        self.removed_contacts.insert(id.clone(), reason);
        self.log(Change::Contact(id));
        true
    }

    pub(crate) fn odata_type(&self, id: &str) -> Option<String> {
        if self.users.contains_key(id) {
            Some(USER_TYPE.into())
        } else if self.groups.contains_key(id) {
            Some(GROUP_TYPE.into())
        } else {
            self.objects
                .get(id)
                .and_then(|o| o.get("@odata.type"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        }
    }

    /// The JSON of any directory object, with its `@odata.type`.
    pub(crate) fn object_json(&self, id: &str) -> Option<Map<String, Value>> {
        if let Some(u) = self.users.get(id) {
            let mut m = u.clone();
            m.insert("@odata.type".into(), USER_TYPE.into());
            Some(m)
        } else if let Some(g) = self.groups.get(id) {
            let mut m = g.json.clone();
            m.insert("@odata.type".into(), GROUP_TYPE.into());
            Some(m)
        } else {
            self.objects.get(id).cloned()
        }
    }

    pub(crate) fn user_by_key(&self, key: &str) -> Option<&Map<String, Value>> {
        self.users.get(&norm(key)).or_else(|| {
            self.users.values().find(|u| {
                u.get("userPrincipalName")
                    .and_then(Value::as_str)
                    .is_some_and(|upn| upn.eq_ignore_ascii_case(key))
            })
        })
    }

    pub(crate) fn add_user_json(&mut self, mut m: Map<String, Value>) -> Result<(), EmulatorError> {
        let id = m
            .get("id")
            .and_then(Value::as_str)
            .map(norm)
            .ok_or_else(|| not_found("user", "(no id)"))?;
        if self.users.contains_key(&id)
            || self.groups.contains_key(&id)
            || self.objects.contains_key(&id)
        {
            return Err(EmulatorError::Conflict {
                kind: "user",
                id,
                message: "an object with this id already exists".into(),
            });
        }
        m.insert("id".into(), Value::from(id.clone()));
        self.removed.remove(&id);
        self.users.insert(id.clone(), m);
        self.log(Change::User(id));
        Ok(())
    }

    pub(crate) fn add_directory_user(&mut self, u: &AzureAdUser) -> Result<(), EmulatorError> {
        self.add_user_json(user_to_graph(u))?;
        if let Some(t) = &u.teams {
            self.apply_teams_voice(u.id.as_str(), t);
        }
        Ok(())
    }

    pub(crate) fn remove_user(
        &mut self,
        id: &str,
        reason: RemovalReason,
    ) -> Result<(), EmulatorError> {
        let id = norm(id);
        if self.users.remove(&id).is_none() {
            return Err(not_found("user", &id));
        }
        // Graph drops a deleted user from every group it was in.
        let groups: Vec<String> = self
            .groups
            .iter()
            .filter(|(_, g)| g.members.contains(&id))
            .map(|(k, _)| k.clone())
            .collect();
        for g in groups {
            if let Some(grp) = self.groups.get_mut(&g) {
                grp.members.remove(&id);
            }
            self.log(Change::Member {
                group: g,
                member: id.clone(),
                odata_type: USER_TYPE.into(),
            });
        }
        self.teams.remove(&id);
        self.removed.insert(id.clone(), reason);
        self.log(Change::User(id));
        Ok(())
    }

    pub(crate) fn update_user_json(
        &mut self,
        id: &str,
        f: impl FnOnce(&mut Map<String, Value>),
    ) -> Result<(), EmulatorError> {
        let id = norm(id);
        let u = self
            .users
            .get_mut(&id)
            .ok_or_else(|| not_found("user", &id))?;
        f(u);
        u.insert("id".into(), Value::from(id.clone()));
        let upn = u.get("userPrincipalName").cloned();
        if let (Some(t), Some(upn)) = (self.teams.get_mut(&id), upn) {
            t.insert("userPrincipalName".into(), upn);
        }
        self.log(Change::User(id));
        Ok(())
    }

    pub(crate) fn directory_user(&self, id: &str) -> Option<AzureAdUser> {
        let id = norm(id);
        let m = self.users.get(&id)?;
        user_from_graph(m, self.teams_voice(&id))
    }

    pub(crate) fn update_directory_user(
        &mut self,
        id: &str,
        f: impl FnOnce(&mut AzureAdUser),
    ) -> Result<(), EmulatorError> {
        let mut u = self
            .directory_user(id)
            .ok_or_else(|| not_found("user", id))?;
        let before_teams = u.teams.clone();
        f(&mut u);
        let fresh = user_to_graph(&u);
        if u.teams != before_teams
            && let Some(t) = &u.teams
        {
            self.apply_teams_voice(id, t);
        }
        self.update_user_json(id, |m| m.extend(fresh))
    }

    pub(crate) fn add_group(&mut self, id: &str, name: &str) -> Result<(), EmulatorError> {
        let id = norm(id);
        if self.groups.contains_key(&id) || self.users.contains_key(&id) {
            return Err(EmulatorError::Conflict {
                kind: "group",
                id,
                message: "an object with this id already exists".into(),
            });
        }
        let json = json!({
            "id": id, "displayName": name, "description": null, "mailEnabled": false,
            "securityEnabled": true, "groupTypes": [], "mail": null,
        });
        let json = match json {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        self.groups.insert(
            id.clone(),
            Group {
                json,
                members: BTreeSet::new(),
            },
        );
        self.log(Change::Group(id));
        Ok(())
    }

    /// Every member reachable from `group`, nested groups included (the groups too).
    pub(crate) fn transitive(&self, group: &str) -> Vec<String> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        let mut stack = vec![group.to_owned()];
        let mut visited = BTreeSet::new();
        while let Some(g) = stack.pop() {
            if !visited.insert(g.clone()) {
                continue;
            }
            if let Some(grp) = self.groups.get(&g) {
                for m in &grp.members {
                    if seen.insert(m.clone()) {
                        out.push(m.clone());
                    }
                    if self.groups.contains_key(m) {
                        stack.push(m.clone());
                    }
                }
            }
        }
        out
    }

    pub(crate) fn add_member(&mut self, group: &str, member: &str) -> Result<(), EmulatorError> {
        let (group, member) = (norm(group), norm(member));
        if !self.groups.contains_key(&group) {
            return Err(not_found("group", &group));
        }
        let odata_type = self
            .odata_type(&member)
            .ok_or_else(|| not_found("directory object", &member))?;
        if odata_type == GROUP_TYPE
            && (member == group || self.transitive(&member).contains(&group))
        {
            return Err(EmulatorError::Conflict {
                kind: "group",
                id: member,
                message: format!("nesting it in {group} would make a cycle"),
            });
        }
        let added = self
            .groups
            .get_mut(&group)
            .is_some_and(|g| g.members.insert(member.clone()));
        if added {
            self.log(Change::Member {
                group,
                member,
                odata_type,
            });
        }
        Ok(())
    }

    pub(crate) fn remove_member(&mut self, group: &str, member: &str) -> Result<(), EmulatorError> {
        let (group, member) = (norm(group), norm(member));
        let grp = self
            .groups
            .get_mut(&group)
            .ok_or_else(|| not_found("group", &group))?;
        if !grp.members.remove(&member) {
            return Err(not_found("member", &member));
        }
        let odata_type = self.odata_type(&member).unwrap_or_else(|| USER_TYPE.into());
        self.log(Change::Member {
            group,
            member,
            odata_type,
        });
        Ok(())
    }

    pub(crate) fn add_object(&mut self, o: Map<String, Value>) -> Result<(), EmulatorError> {
        let id = o
            .get("id")
            .and_then(Value::as_str)
            .map(norm)
            .ok_or_else(|| not_found("directory object", "(no id)"))?;
        if !o.contains_key("@odata.type") {
            return Err(EmulatorError::Seed {
                source_name: "directory object".into(),
                message: format!("{id} has no @odata.type"),
            });
        }
        self.objects.insert(id, o);
        Ok(())
    }

    pub(crate) fn default_teams(&self, id: &str) -> Map<String, Value> {
        let id = norm(id);
        let upn = self
            .users
            .get(&id)
            .and_then(|u| u.get("userPrincipalName"))
            .cloned();
        let v = json!({
            "id": id,
            "tenantId": self.tenant_id,
            "userPrincipalName": upn,
            "accountType": "user",
            "isEnterpriseVoiceEnabled": true,
            "featureTypes": ["Teams", "PhoneSystem"],
            "telephoneNumbers": [],
            "effectivePolicyAssignments": [],
            "createdDateTime": "2024-01-15T10:00:00Z",
            "modifiedDateTime": "2024-01-15T10:00:00Z",
        });
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_and_refuses_cycles() {
        let mut t = Tenant::from_seed(&Seed::contoso(), "t").unwrap();
        let phones = "02bd9fd6-8f93-4758-87c3-1fb73740a315";
        let all = t.transitive(phones);
        assert!(all.len() >= 8, "{all:?}");
        let child = t
            .groups
            .keys()
            .find(|k| k.as_str() != phones && t.groups[phones].members.contains(*k))
            .cloned()
            .unwrap();
        assert!(matches!(
            t.add_member(&child, phones),
            Err(EmulatorError::Conflict { .. })
        ));
        let seq = t.seq();
        let adele = "87d349ed-44d7-43e1-9a83-5f2406dee5bd";
        t.remove_user(adele, RemovalReason::Deleted).unwrap();
        assert!(t.seq() > seq);
        assert!(!t.groups[phones].members.contains(adele));
        assert_eq!(
            t.number_assignments()
                .iter()
                .filter(|a| a["assignmentTargetId"] == adele)
                .count(),
            0
        );
    }
}
