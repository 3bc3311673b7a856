//! The Teams stage in a sync run: what is read from Teams before planning, and the apply of
//! the plan's Teams writes after IP Office's.

use std::collections::{BTreeMap, BTreeSet};

use ipo_model::{AzureAdSource, AzureAdUser, GroupId, ObjectId, TeamsPolicyType, TeamsVoiceAdmin};
use usertype_rules::{TeamsAssigned, TeamsProvisioning, teams_release};

use super::apply::{TeamsApplied, TeamsApplyOptions, TeamsOutcome, TeamsResult, apply_teams};
use super::facts::TeamsFacts;
use super::journal::StateJournal;
use super::plan::TeamsPlan;
use crate::config::SyncConfig;
use crate::error::SyncError;
use crate::state::SyncState;
use crate::state_io::StateIo;

/// Reads who holds the tenant's numbers and the set-up of former members the sync assigned
/// something to: only when a rule provisions Teams through Graph (or the sync assigned
/// something before) and a Teams connection is there. What a former member's Teams no
/// longer holds of what the sync assigned (freed with a deleted account, changed by hand)
/// is dropped from `state.teams`: it is not the sync's to give back, and a person with
/// nothing left is not read again run after run (saved only by an apply).
async fn read_teams(
    admin: Option<&dyn TeamsVoiceAdmin>,
    config: &SyncConfig,
    state: &mut SyncState,
    directory: &BTreeMap<ObjectId, AzureAdUser>,
) -> Result<TeamsFacts, SyncError> {
    let Some(admin) = admin else {
        return Ok(TeamsFacts::default());
    };
    // Only Graph rules need Teams read beyond what the directory gives (and the permission
    // to read number assignments): a script-only sync runs as before.
    let graph = |r: &&crate::config::GroupRule| {
        r.teams.provisioning == TeamsProvisioning::Graph && r.teams.provisions_anything()
    };
    if !config.rules.iter().any(|r| graph(&r)) && state.teams.is_empty() {
        return Ok(TeamsFacts::default());
    }
    let holders = admin.number_holders().await.map_err(SyncError::Teams)?;
    let mut facts = TeamsFacts::new(holders);
    let former: Vec<ObjectId> = (state.teams.keys())
        .filter(|id| !directory.contains_key(*id))
        .cloned()
        .collect();
    for id in former {
        let voice = admin.user_voice(&id).await.map_err(SyncError::Teams)?;
        // Named as the directory was last read (the plan shows who it is).
        let mut former =
            (state.azure_ad.get(&id).cloned()).unwrap_or_else(|| AzureAdUser::new(id.clone()));
        former.teams = Some(voice);
        still_held(&mut state.teams, &former);
        facts.leavers.insert(id, former);
    }
    Ok(facts)
}

/// Narrows what the sync owns of `former` to what Teams still holds of it (what a release
/// would give back); forgets them when nothing is left.
fn still_held(owned: &mut BTreeMap<ObjectId, TeamsAssigned>, former: &AzureAdUser) {
    let Some(assigned) = owned.get_mut(&former.id) else {
        return;
    };
    let release = teams_release(Some(former), assigned);
    assigned.number = release.number;
    assigned.policies = release.policies.into_iter().collect();
    if assigned.is_empty() {
        owned.remove(&former.id);
    }
}

/// What the plan needs from Teams ([`read_teams`]) and, for script rules' group grants,
/// which of the rules' groups nest no other ([`direct_groups`], from Azure AD).
pub(crate) async fn read_facts(
    admin: Option<&dyn TeamsVoiceAdmin>,
    source: &dyn AzureAdSource,
    config: &SyncConfig,
    state: &mut SyncState,
    directory: &BTreeMap<ObjectId, AzureAdUser>,
) -> Result<TeamsFacts, SyncError> {
    let mut facts = read_teams(admin, config, state, directory).await?;
    facts.direct_groups = direct_groups(source, config).await;
    Ok(facts)
}

/// The groups of script rules naming a policy that nest no other group (see
/// [`TeamsFacts::direct_groups`]). A group the source cannot tell about is taken as nested:
/// its members keep their own grant lines.
async fn direct_groups(source: &dyn AzureAdSource, config: &SyncConfig) -> BTreeSet<GroupId> {
    let scripted = config.rules.iter().filter(|r| {
        r.teams.provisioning == TeamsProvisioning::Script
            && TeamsPolicyType::ALL
                .iter()
                .any(|t| r.teams.policy(*t).is_some())
    });
    let mut direct = BTreeSet::new();
    for rule in scripted {
        match source.has_nested_groups(&rule.group).await {
            Ok(false) => {
                direct.insert(rule.group.clone());
            }
            Ok(true) => {}
            Err(e) => {
                tracing::warn!(group = %rule.group, "whether the group nests others is unknown, so its members' policies are granted one by one: {e}")
            }
        }
    }
    direct
}

/// Applies the plan's Graph writes (and follows up the operations an earlier run left),
/// recording operations in `state` as they start and end and, at the end, what the sync
/// now owns. `None` when there was nothing to do.
pub(crate) async fn apply_stage(
    admin: Option<&dyn TeamsVoiceAdmin>,
    plan: &TeamsPlan,
    state: &mut SyncState,
    io: StateIo<'_>,
    options: TeamsApplyOptions,
) -> Option<TeamsApplied> {
    let graph_writes = plan.actions_by(TeamsProvisioning::Graph).count();
    if graph_writes == 0 && state.teams_operations.is_empty() {
        return None;
    }
    let Some(admin) = admin else {
        return Some(unconnected(plan));
    };
    let pending = state.teams_operations.clone();
    let mut journal = StateJournal {
        state: &mut *state,
        io,
    };
    let applied = apply_teams(&plan.actions, &pending, admin, &mut journal, options).await;
    applied.record_owned(&mut state.teams);
    // The directory cache serves incremental runs, whose changes say nothing of Teams: it
    // holds what Teams holds now for the people written.
    for (id, voice) in &applied.read_back {
        if let Some(user) = state.azure_ad.get_mut(id) {
            user.teams = Some(voice.clone());
        }
    }
    Some(applied)
}

/// Every Graph write failed for want of a Teams connection.
fn unconnected(plan: &TeamsPlan) -> TeamsApplied {
    let why = "no Microsoft Graph connection for Teams is configured, so the rules' \
               `provisioning = \"graph\"` writes cannot be made";
    let outcomes = plan
        .actions_by(TeamsProvisioning::Graph)
        .map(|a| TeamsOutcome {
            person: a.person.clone(),
            label: a.label.clone(),
            write: a.write.clone(),
            result: TeamsResult::Failed(why.to_owned()),
        })
        .collect();
    TeamsApplied {
        outcomes,
        ..TeamsApplied::default()
    }
}
