//! The tenant's initial content, from fixture files or built in code.

use std::path::Path;

use ipo_model::AzureAdUser;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::EmulatorError;
use emulator_kit::SplitMix64;

/// A user in a seed: either Graph's JSON shape (`{"id":..,"displayName":..}`) or the
/// domain model (`ipo_model::AzureAdUser`, whose `teams` becomes a Teams configuration).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum SeedUser {
    /// The domain model.
    Model(Box<AzureAdUser>),
    /// Graph's JSON shape (must hold `id`).
    Graph(Map<String, Value>),
}

/// A group: its direct user or other members, and its directly nested groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SeedGroup {
    /// Object id.
    pub id: String,
    /// `displayName`.
    pub display_name: String,
    /// Direct members that are users or other objects (devices, contacts...), by id.
    #[serde(default)]
    pub members: Vec<String>,
    /// Directly nested groups, by id.
    #[serde(default)]
    pub groups: Vec<String>,
}

impl SeedGroup {
    /// A group without members.
    pub fn new(id: impl Into<String>, display_name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            display_name: display_name.into(),
            members: Vec::new(),
            groups: Vec::new(),
        }
    }

    /// Adds direct members.
    pub fn members<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.members.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Adds nested groups.
    pub fn nested<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.groups.extend(ids.into_iter().map(Into::into));
        self
    }
}

/// A tenant's initial content.
///
/// ```
/// let seed = graph_emulator::Seed::from_json(r#"{
///   "users": [{"id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd", "displayName": "Adele Vance"}],
///   "groups": [{"id": "02bd9fd6-8f93-4758-87c3-1fb73740a315", "displayName": "Phones",
///               "members": ["87d349ed-44d7-43e1-9a83-5f2406dee5bd"]}]
/// }"#)?;
/// assert_eq!(seed.users.len(), 1);
/// # Ok::<(), graph_emulator::EmulatorError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Seed {
    /// Users.
    #[serde(default)]
    pub users: Vec<SeedUser>,
    /// Groups.
    #[serde(default)]
    pub groups: Vec<SeedGroup>,
    /// Other directory objects that can be group members (devices, contacts, service
    /// principals), in Graph JSON with `@odata.type` and `id`.
    #[serde(default)]
    pub objects: Vec<Map<String, Value>>,
    /// Teams user configurations in Graph JSON (`id`, `telephoneNumbers`...).
    #[serde(default)]
    pub teams: Vec<Map<String, Value>>,
    /// Teams policies `getPolicyId` knows, e.g. an `OnlineVoiceRoutingPolicy`.
    #[serde(default)]
    pub teams_policies: Vec<SeedPolicy>,
}

/// A Teams policy in a seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SeedPolicy {
    /// The policy type, e.g. `OnlineVoiceRoutingPolicy`.
    pub policy_type: String,
    /// The policy's name, e.g. `UK Direct Routing`.
    pub name: String,
    /// Its id; one is made up when absent.
    #[serde(default)]
    pub id: Option<String>,
}

impl SeedPolicy {
    /// A policy of `policy_type` named `name`, its id made up at start.
    pub fn new(policy_type: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            policy_type: policy_type.into(),
            name: name.into(),
            id: None,
        }
    }
}

const CONTOSO: &str = include_str!("../fixtures/contoso.json");

impl Seed {
    /// An empty tenant.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a seed from JSON text.
    pub fn from_json(text: &str) -> Result<Self, EmulatorError> {
        serde_json::from_str(text).map_err(|e| EmulatorError::Seed {
            source_name: "json".into(),
            message: e.to_string(),
        })
    }

    /// Reads a seed from a fixture file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, EmulatorError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| EmulatorError::Seed {
            source_name: path.display().to_string(),
            message: e.to_string(),
        })?;
        serde_json::from_str(&text).map_err(|e| EmulatorError::Seed {
            source_name: path.display().to_string(),
            message: e.to_string(),
        })
    }

    /// A small Contoso tenant shipped with the crate (`fixtures/contoso.json`): users with
    /// extensions in different places, nested groups, a device, a contact and a service
    /// principal among the members, Teams numbers.
    pub fn contoso() -> Self {
        // The fixture is part of the crate and checked by a test: an empty seed is the
        // harmless fallback rather than a panic.
        serde_json::from_str(CONTOSO).unwrap_or_default()
    }

    /// A generated tenant of `users` users spread over `groups` groups (group 0 nests group 1,
    /// every other user has a Teams number), for benchmarks and load tests.
    pub fn generated(users: usize, groups: usize, seed: u64) -> Self {
        let mut rng = SplitMix64::new(seed);
        let mut s = Seed::new();
        let group_ids: Vec<String> = (0..groups.max(1)).map(|_| rng.guid()).collect();
        let mut gs: Vec<SeedGroup> = group_ids
            .iter()
            .enumerate()
            .map(|(i, id)| SeedGroup::new(id, format!("Group {i}")))
            .collect();
        if gs.len() > 1 {
            let child = gs[1].id.clone();
            gs[0].groups.push(child);
        }
        for i in 0..users {
            let id = rng.guid();
            let ext = 1000 + i;
            let mut m = Map::new();
            m.insert("id".into(), Value::from(id.clone()));
            m.insert("displayName".into(), Value::from(format!("User {i}")));
            m.insert("givenName".into(), Value::from("User"));
            m.insert("surname".into(), Value::from(format!("{i}")));
            m.insert(
                "userPrincipalName".into(),
                Value::from(format!("user{i}@contoso.com")),
            );
            m.insert("mail".into(), Value::from(format!("user{i}@contoso.com")));
            m.insert(
                "businessPhones".into(),
                Value::from(vec![format!("+1425555{ext:04} x{ext}")]),
            );
            m.insert("accountEnabled".into(), Value::from(true));
            s.users.push(SeedUser::Graph(m));
            let g = (i % gs.len().max(1)).min(gs.len().saturating_sub(1));
            if let Some(grp) = gs.get_mut(g) {
                grp.members.push(id.clone());
            }
            if i % 2 == 0 {
                let mut t = Map::new();
                t.insert("id".into(), Value::from(id));
                t.insert(
                    "telephoneNumbers".into(),
                    serde_json::json!([{"telephoneNumber": format!("+1425555{ext:04}"), "assignmentCategory": "primary"}]),
                );
                s.teams.push(t);
            }
        }
        s.groups = gs;
        s
    }

    /// Adds a user from the domain model.
    pub fn with_user(mut self, user: AzureAdUser) -> Self {
        self.users.push(SeedUser::Model(Box::new(user)));
        self
    }

    /// Adds a user in Graph JSON.
    pub fn with_graph_user(mut self, user: Map<String, Value>) -> Self {
        self.users.push(SeedUser::Graph(user));
        self
    }

    /// Adds a group.
    pub fn with_group(mut self, group: SeedGroup) -> Self {
        self.groups.push(group);
        self
    }

    /// Adds a non-user directory object (`@odata.type` and `id` required).
    pub fn with_object(mut self, object: Map<String, Value>) -> Self {
        self.objects.push(object);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_fixture_parses() {
        let s: Seed = serde_json::from_str(CONTOSO).unwrap();
        assert!(s.users.len() >= 5);
        assert!(s.users.iter().any(|u| matches!(u, SeedUser::Model(_))));
        assert!(s.users.iter().any(|u| matches!(u, SeedUser::Graph(_))));
        assert!(!s.objects.is_empty());
        let g = Seed::generated(10, 3, 1);
        assert_eq!(g.users.len(), 10);
        assert_eq!(g.groups.len(), 3);
    }

    #[test]
    fn generated_ids_parse_as_object_ids() {
        let mut rng = SplitMix64::new(7);
        for _ in 0..20 {
            let g = rng.guid();
            assert!(g.parse::<ipo_model::ObjectId>().is_ok(), "{g}");
        }
    }
}
