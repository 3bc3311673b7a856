//! Failures are typed and per person: a missing write permission is named, an unknown
//! policy fails only its own people, naming it, and throttling is waited out with the writes
//! landing; Enterprise Voice left off is a warning with the remedy. Hostile names travel intact through Teams, the JSON and the report text.

use std::time::Duration;

use graph_emulator::{FaultRule, Route};
use ipo_model::TeamsPolicyType;
use sync_engine::teams::{ENTERPRISE_VOICE_OFF, TeamsApplied, TeamsResult, TeamsWrite};
use sync_engine::{Plan, Report, RunOptions, Style, render_report};

use crate::lab::{
    DIAL_PLAN, TeamsLab, VRP, config_with, graph_config, id, teams_people, teams_rule,
    wanted_number,
};
use crate::support;

const VOICE: TeamsPolicyType = TeamsPolicyType::OnlineVoiceRouting;

/// The Teams outcomes of an applied run.
async fn apply(t: &TeamsLab, config: sync_engine::SyncConfig) -> (Plan, Report, TeamsApplied) {
    let run = t.engine(config).run(&RunOptions::apply()).await.unwrap();
    let report = run.report.unwrap();
    let teams = report.teams.clone().expect("the Teams stage ran");
    (run.plan, report, teams)
}

/// The failures' texts of the outcomes whose write `matches`.
fn failures(teams: &TeamsApplied, matches: impl Fn(&TeamsWrite) -> bool) -> Vec<&str> {
    (teams.outcomes.iter())
        .filter(|o| matches(&o.write))
        .filter_map(|o| match &o.result {
            TeamsResult::Failed(why) => Some(why.as_str()),
            _ => None,
        })
        .collect()
}

fn is_policy(w: &TeamsWrite) -> bool {
    matches!(w, TeamsWrite::AssignPolicy { .. })
}

fn is_number(w: &TeamsWrite) -> bool {
    matches!(w, TeamsWrite::AssignNumber { .. })
}

#[tokio::test]
async fn a_missing_policy_permission_fails_the_policies_naming_it_and_numbers_still_land() {
    let t = TeamsLab::start(12).await;
    t.lab
        .graph
        .revoke_permission("TeamsPolicyUserAssign.ReadWrite.All");
    let (_, report, teams) = apply(&t, graph_config()).await;
    let policies = failures(&teams, is_policy);
    assert_eq!(
        policies.len(),
        6,
        "four voice routing, two dial plan: {teams:#?}"
    );
    for why in policies {
        assert!(why.contains("TeamsPolicyUserAssign.ReadWrite.All"), "{why}");
    }
    assert!(failures(&teams, is_number).is_empty(), "{teams:#?}");
    assert_eq!(report.summary.failed, 6);
    for i in teams_people(12) {
        let held = t.teams_of(i).await;
        assert_eq!(held.numbers, vec![wanted_number(i)]);
        assert!(held.policy(VOICE).is_none());
    }
}

#[tokio::test]
async fn a_missing_number_permission_fails_the_numbers_naming_it_and_policies_still_land() {
    let t = TeamsLab::start(12).await;
    t.lab
        .graph
        .revoke_permission("TeamsTelephoneNumber.ReadWrite.All");
    let (_, _, teams) = apply(&t, graph_config()).await;
    let numbers = failures(&teams, is_number);
    assert_eq!(numbers.len(), 4, "{teams:#?}");
    for why in numbers {
        assert!(why.contains("TeamsTelephoneNumber.ReadWrite.All"), "{why}");
    }
    assert!(failures(&teams, is_policy).is_empty(), "{teams:#?}");
    assert!(t.saved().teams_operations.is_empty());
    for i in teams_people(12) {
        let held = t.teams_of(i).await;
        assert!(
            held.numbers.is_empty() && held.has_direct(VOICE, VRP),
            "{held:#?}"
        );
    }
}

#[tokio::test]
async fn an_unknown_policy_fails_only_its_people_naming_the_policy() {
    let t = TeamsLab::start(12).await;
    // Teams has no such dial plan: getPolicyId answers 404.
    let config = config_with(
        teams_rule(VRP, ""),
        teams_rule(VRP, "dial_plan = \"No Such Plan\""),
    );
    let (_, _, teams) = apply(&t, config).await;
    let dial = failures(
        &teams,
        |w| matches!(w, TeamsWrite::AssignPolicy { policy_type, .. } if *policy_type == TeamsPolicyType::TenantDialPlan),
    );
    assert_eq!(dial.len(), 2, "the two Teams-only people: {teams:#?}");
    assert!(
        dial.iter().all(|why| why.contains("No Such Plan")),
        "{dial:?}"
    );
    assert_eq!(teams.failed(), 2, "nothing else failed: {teams:#?}");
    for i in teams_people(12) {
        assert!(t.teams_of(i).await.has_direct(VOICE, VRP), "person {i}");
    }
}

#[tokio::test]
async fn throttled_writes_wait_as_retry_after_says_and_land() {
    let t = TeamsLab::start(12).await;
    let retry_after = Some(Duration::from_secs(1));
    let graph = &t.lab.graph;
    for path in [
        "/v1.0/admin/teams/policy/userAssignments/assign",
        "/v1.0/admin/teams/telephoneNumberManagement/numberAssignments/assignNumber",
    ] {
        let rule = FaultRule::new(path).method("POST");
        graph.faults().add(rule.throttle(1.0, retry_after).times(1));
    }
    let before = t.lab.graph_client.stats();
    graph.reset_stats();
    let (_, _, teams) = apply(&t, graph_config()).await;
    assert_eq!(teams.failed(), 0, "{teams:#?}");
    let after = t.lab.graph_client.stats();
    assert_eq!(after.throttled - before.throttled, 2, "{after:?}");
    assert!(
        after.waited - before.waited >= Duration::from_secs(2),
        "{after:?}"
    );
    assert_eq!(
        t.sent(Route::PolicyAssignments),
        3,
        "two policies, one throttled once"
    );
    assert_eq!(
        t.sent(Route::NumberActions),
        5,
        "four numbers, one throttled once"
    );
    for i in teams_people(12) {
        let held = t.teams_of(i).await;
        assert_eq!(held.numbers, vec![wanted_number(i)], "person {i}");
        assert!(held.has_direct(VOICE, VRP), "person {i}");
    }
}

/// A policy name and a person's names with quotes, markup, a newline and U+2028.
const HOSTILE_POLICY: &str = "UK \"Direct\" <b>Routing</b>\nGrant-CsX 'x'\u{2028}end";

#[tokio::test]
async fn hostile_names_travel_intact_through_teams_json_and_the_report() {
    let mut people = support::people(12);
    let (five, _) = &mut people[5];
    five.display_name = Some("Zoë \"Z\" <i>O'Hara</i>\nline\u{2028}two".into());
    five.user_principal_name = Some("zoe.o'hara@contoso.example".into());
    let t = TeamsLab::with_people(&people).await;
    t.lab
        .graph
        .add_teams_policy("OnlineVoiceRoutingPolicy", HOSTILE_POLICY);
    let config = config_with(
        teams_rule(HOSTILE_POLICY, ""),
        teams_rule(HOSTILE_POLICY, &format!("dial_plan = {DIAL_PLAN:?}")),
    );
    let (plan, report, teams) = apply(&t, config).await;
    assert_eq!(teams.failed(), 0, "{teams:#?}");
    for i in teams_people(12) {
        assert!(
            t.teams_of(i).await.has_direct(VOICE, HOSTILE_POLICY),
            "person {i}"
        );
    }
    let label = (plan.teams.actions.iter())
        .find(|a| a.person == id(5))
        .map(|a| a.label.clone());
    assert_eq!(label.as_deref(), Some("zoe.o'hara@contoso.example"));

    // JSON: the plan and the report come back as they went.
    let json = serde_json::to_string(&plan).unwrap();
    assert_eq!(
        serde_json::from_str::<Plan>(&json).unwrap().teams,
        plan.teams
    );
    let json = serde_json::to_string(&report).unwrap();
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back.teams, report.teams);
    assert!(json.contains(&serde_json::to_string(HOSTILE_POLICY).unwrap()));

    // The report text names the policy whole, escaped so it cannot start a line of its own.
    let text = render_report(&report, Style { color: false });
    assert!(text.contains(&format!("{HOSTILE_POLICY:?}")), "{text}");
    assert!(!text.contains(HOSTILE_POLICY), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("Grant-CsX")), "{text}");
    assert!(text.contains("zoe.o'hara@contoso.example"), "{text}");
}

#[tokio::test]
async fn enterprise_voice_left_off_after_a_number_is_a_warning_with_the_remedy() {
    let t = TeamsLab::start(12).await;
    t.lab.graph.set_number_assignment_keeps_voice_off(true);
    for i in teams_people(12) {
        t.lab
            .graph
            .set_enterprise_voice(id(i).as_str(), false)
            .unwrap();
    }
    let (_, report, teams) = apply(&t, graph_config()).await;
    assert_eq!(teams.failed(), 0, "{teams:#?}");
    let warned: Vec<_> = teams.warnings.iter().map(|(p, _)| p.clone()).collect();
    let people: Vec<_> = teams_people(12).into_iter().map(id).collect();
    assert_eq!(warned, people, "{:#?}", teams.warnings);
    assert!(
        teams
            .warnings
            .iter()
            .all(|(_, w)| w == ENTERPRISE_VOICE_OFF)
    );
    let text = render_report(&report, Style { color: false });
    assert!(text.contains("-EnterpriseVoiceEnabled $true"), "{text}");
}
