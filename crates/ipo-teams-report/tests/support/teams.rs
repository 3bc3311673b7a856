//! The demo's Teams half provisioned through Microsoft Graph: the rules' Teams halves as an
//! administrator writes them in `sync.toml`, the tenant's Teams side in memory, and hostile
//! twins of the Teams texts a plan and a report carry.

use std::sync::Arc;

use ipo_model::{
    AzureAdUser, EffectivePolicy, MemoryTeams, PolicyVia, TeamsOperationId, TeamsPolicyType,
    TeamsVoiceAdmin, UserType,
};
use sync_engine::teams::{TeamsApplied, TeamsPlan, TeamsResult, TeamsWrite};
use sync_engine::{SyncConfig, WriteCounts};
use usertype_rules::{TeamsProblem, TeamsSideRule};

use super::tenant;

/// The online voice routing policy the rules assign (created in the tenant).
pub const VOICE_ROUTING_POLICY: &str = "IPO-DirectRouting";

/// A policy someone assigned by hand to one Teams-only person (the sync holds it back).
pub const HAND_ASSIGNED_POLICY: &str = "Legacy-Routing";

/// The Teams + IP Office rule: the number built from the extension (with the extension, as
/// Direct Routing stores it), the voice routing policy, and the numbers the tenant already
/// has taken over (`adopt`).
const TEAMS_AND_IPO_RULE: &str = r#"
provisioning = "graph"
number = { template = "+441632768{extension}" }
voice_routing_policy = "IPO-DirectRouting"
adopt = true
"#;

/// The Teams-only rule: the same through the administrator's PowerShell script, without
/// adoption (numbers the sync did not assign are held back).
const TEAMS_ONLY_RULE: &str = r#"
provisioning = "script"
number = { template = "+441632768{extension}" }
voice_routing_policy = "IPO-DirectRouting"
"#;

/// Gives the example configuration's Teams rules their Teams half: Teams + IP Office
/// through Graph, Teams only through the script.
pub fn graph_rules(config: &mut SyncConfig) {
    for rule in &mut config.rules {
        let text = match rule.user_type {
            UserType::TeamsAndIpOffice => TEAMS_AND_IPO_RULE,
            UserType::TeamsOnly => TEAMS_ONLY_RULE,
            _ => continue,
        };
        rule.teams = toml::from_str::<TeamsSideRule>(text).expect("a valid [rules.teams]");
    }
}

/// Max Cooper (Teams only) has a voice routing policy assigned directly by an
/// administrator: the sync does not replace it.
pub fn direct_policy_of_someone_else(people: &mut [tenant::Person]) {
    let max = people
        .iter_mut()
        .find(|p| p.user.display_name.as_deref() == Some("Max Cooper"))
        .expect("the demo has Max Cooper");
    let voice = max.user.teams.as_mut().expect("Max Cooper has Teams voice");
    voice.effective_policies = vec![EffectivePolicy::new(
        TeamsPolicyType::OnlineVoiceRouting,
        HAND_ASSIGNED_POLICY,
        PolicyVia::Direct,
    )];
}

/// The tenant's Teams side: the voice routing policy, and each person's numbers and
/// policies as the directory reads them; a finished number assignment leaves Enterprise
/// Voice as it was, and Sophia Hall's is off (the apply then warns, with the remedy).
pub fn tenant<'a>(people: impl Iterator<Item = &'a AzureAdUser>) -> Arc<dyn TeamsVoiceAdmin> {
    let teams = MemoryTeams::new();
    teams.create_policy(TeamsPolicyType::OnlineVoiceRouting, VOICE_ROUTING_POLICY);
    teams.set_assignment_enables_voice(false);
    for u in people {
        let Some(mut voice) = u.teams.clone() else {
            continue;
        };
        if u.display_name.as_deref() == Some("Sophia Hall") {
            voice.enterprise_voice_enabled = Some(false);
        }
        teams.set_voice(&u.id, voice);
    }
    Arc::new(teams)
}

/// The report with the first policy assignment failed (a missing permission) and the first
/// number assignment still running when the apply stopped following it; the other
/// outcomes as they went.
pub fn with_failed_and_running(report: &sync_engine::Report) -> sync_engine::Report {
    let mut r = report.clone();
    let applied = r.teams.as_mut().expect("the apply wrote to Teams");
    let first = |number: bool| {
        (applied.outcomes.iter())
            .position(|o| matches!(o.write, TeamsWrite::AssignNumber { .. }) == number)
            .expect("the demo assigns numbers and policies")
    };
    let (policy, number) = (first(false), first(true));
    applied.outcomes[policy].result = TeamsResult::Failed(
        "403 Authorization_RequestDenied: the application lacks \
         TeamsPolicyUserAssign.ReadWrite.All"
            .into(),
    );
    let running = TeamsOperationId("8d0e4b52-3f1a-4c8e-9d3b-0c6f2a7e1b44".into());
    applied.outcomes[number].result = TeamsResult::StillRunning(running);
    // The summary as the engine counts such an apply.
    let (done, failed) = (applied.done(), applied.failed());
    let s = &mut r.summary;
    s.teams = WriteCounts::new(applied.outcomes.len(), done, failed);
    (s.succeeded, s.failed) = (s.ipo.succeeded + done, s.ipo.failed + failed);
    r
}

fn taint(text: &str, i: usize) -> String {
    super::taint(text, i)
}

fn taint_write(w: &mut TeamsWrite, i: usize) {
    if let TeamsWrite::AssignPolicy { name, .. } | TeamsWrite::UnassignPolicy { name, .. } = w {
        *name = taint(name, i);
    }
}

fn taint_problem(p: &mut TeamsProblem, i: usize) {
    if let TeamsProblem::PolicyNotOurs { current, wanted } = p {
        current.name = taint(&current.name, i);
        *wanted = taint(wanted, i + 1);
    }
}

/// A hostile value added to every Teams text of a plan: people's labels, policy names,
/// what Teams holds now, and the problems that hold writes back.
pub fn taint_plan(plan: &mut TeamsPlan) {
    for (i, a) in plan.actions.iter_mut().enumerate() {
        a.label = taint(&a.label, i);
        a.old = a.old.as_ref().map(|o| taint(o, i + 1));
        taint_write(&mut a.write, i + 5);
    }
    for (i, h) in plan.held.iter_mut().enumerate() {
        h.label = taint(&h.label, i);
        taint_problem(&mut h.problem, i + 2);
    }
}

/// A hostile value added to every Teams text of an apply: labels, policy names, why a
/// write failed, what was read back and the warnings.
pub fn taint_applied(applied: &mut TeamsApplied) {
    for (i, o) in applied.outcomes.iter_mut().enumerate() {
        o.label = taint(&o.label, i);
        taint_write(&mut o.write, i + 5);
        if let TeamsResult::Failed(why) = &mut o.result {
            *why = taint(why, i + 3);
        }
    }
    for (i, voice) in applied.read_back.values_mut().enumerate() {
        for p in &mut voice.effective_policies {
            p.name = taint(&p.name, i);
        }
    }
    for (i, (_, w)) in applied.warnings.iter_mut().enumerate() {
        *w = taint(w, i);
    }
}
