//! The sync's Teams stage end to end: the rules' verdicts on the Teams half
//! (`usertype-rules`), the stage's plan and apply (`sync_engine::teams`), the real Graph
//! client as the port, against the Graph emulator on 127.0.0.1. Policies go in batches
//! (request counts), numbers through operations, Teams is read back, and a second judgement
//! of what Teams now holds plans nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use graph_client::{GraphClient, GraphConfig};
use graph_emulator::{GraphEmulator, GraphEmulatorConfig, GraphEmulatorHandle, Route, Seed};
use ipo_model::{AzureAdUser, ExtensionNumber, TeamsOperationId, TeamsVoiceAdmin, UserType};
use sync_engine::teams::{
    PendingTeamsOperation, TeamsApplyOptions, TeamsJournal, TeamsPerson, TeamsPlan, TeamsResult,
    apply_teams, plan_teams,
};
use usertype_rules::{TeamsAssigned, TeamsSideInput, TeamsSideRule, judge_teams_side};

const RULE: &str = r#"provisioning = "graph"
number = { template = "+441632960{extension}" }
voice_routing_policy = "UK Direct Routing""#;

async fn emulator() -> GraphEmulatorHandle {
    let emu = GraphEmulator::start(GraphEmulatorConfig::with_seed(Seed::contoso()))
        .await
        .unwrap();
    emu.add_teams_policy("OnlineVoiceRoutingPolicy", "UK Direct Routing");
    emu
}

fn client(emu: &GraphEmulatorHandle) -> GraphClient {
    let cfg = GraphConfig::new(emu.tenant_id(), emu.client_id(), emu.client_secret().into())
        .with_bases(
            emu.login_base().parse().unwrap(),
            emu.graph_base().parse().unwrap(),
        );
    GraphClient::new(cfg).unwrap()
}

#[derive(Default)]
struct Journal(Vec<PendingTeamsOperation>);

#[async_trait::async_trait]
impl TeamsJournal for Journal {
    async fn started(&mut self, op: &PendingTeamsOperation) -> Result<(), String> {
        self.0.push(op.clone());
        Ok(())
    }
    async fn ended(&mut self, id: &TeamsOperationId) -> Result<(), String> {
        self.0.retain(|p| &p.id != id);
        Ok(())
    }
}

/// People of the demo tenant, as Teams holds them now, with an extension each: those
/// without a Teams number yet (`numbered == false`) or those with one.
async fn people(c: &GraphClient, n: usize, numbered: bool) -> Vec<(AzureAdUser, ExtensionNumber)> {
    let mut out = Vec::new();
    for mut u in c.list_users().await.unwrap() {
        let voice = c.user_voice(&u.id).await.unwrap();
        if voice.telephone_numbers.is_empty() == numbered || out.len() == n {
            continue;
        }
        u.teams = Some(voice);
        let ext = format!("{}", 500 + out.len()).parse().unwrap();
        out.push((u, ext));
    }
    out
}

async fn plan(
    c: &GraphClient,
    rule: &TeamsSideRule,
    people: &[(AzureAdUser, ExtensionNumber)],
    owned: &BTreeMap<ipo_model::ObjectId, TeamsAssigned>,
) -> TeamsPlan {
    let holders = c.number_holders().await.unwrap();
    let sides: Vec<_> = people
        .iter()
        .map(|(u, ext)| {
            let input = TeamsSideInput::new(rule, u, UserType::TeamsOnly, Some(ext), &holders)
                .assigned(owned.get(&u.id));
            judge_teams_side(&input).unwrap()
        })
        .collect();
    let persons: Vec<TeamsPerson<'_>> = people
        .iter()
        .zip(&sides)
        .map(|((u, _), s)| TeamsPerson {
            id: &u.id,
            label: u.user_principal_name.as_deref().unwrap_or("?"),
            side: Some(s),
        })
        .collect();
    plan_teams(&persons, &[])
}

#[tokio::test]
async fn the_teams_half_is_applied_through_graph_read_back_and_then_in_line() {
    let emu = emulator().await;
    let c = client(&emu);
    let rule: TeamsSideRule = toml::from_str(RULE).unwrap();
    let mut ps = people(&c, 3, false).await;
    assert_eq!(ps.len(), 3);
    let owned = BTreeMap::new();
    let first = plan(&c, &rule, &ps, &owned).await;
    assert_eq!(first.actions.len(), 6, "{first:#?}");
    assert!(first.held.is_empty(), "{first:#?}");

    let before = emu.stats();
    let mut journal = Journal::default();
    let options = TeamsApplyOptions::waiting(Duration::from_secs(20));
    let applied = apply_teams(&first.actions, &[], &c, &mut journal, options).await;
    assert_eq!(applied.failed(), 0, "{applied:#?}");
    assert!(
        applied
            .outcomes
            .iter()
            .all(|o| o.result == TeamsResult::Done)
    );
    assert!(journal.0.is_empty());
    let after = emu.stats();
    let sent = |r: Route| after.get(r) - before.get(r);
    assert_eq!(
        sent(Route::PolicyAssignments),
        1,
        "three people, one request"
    );
    assert_eq!(sent(Route::PolicyIds), 1);
    assert_eq!(sent(Route::NumberActions), 3);

    // Read back: each holds the templated number (with its extension) and the policy,
    // assigned directly.
    for (u, ext) in &ps {
        let voice = &applied.read_back[&u.id];
        let number = &voice.telephone_numbers[0].number;
        assert!(
            number.contains(&format!("441632960{}", ext.as_str())),
            "{number}"
        );
        let policy = &voice.effective_policies[0];
        assert_eq!(policy.name, "UK Direct Routing");
        assert_eq!(policy.via, ipo_model::PolicyVia::Direct);
    }

    // What Teams holds now, judged again: nothing to do.
    let mut owned = BTreeMap::new();
    applied.record_owned(&mut owned);
    for (u, _) in &mut ps {
        u.teams = Some(c.user_voice(&u.id).await.unwrap());
    }
    let second = plan(&c, &rule, &ps, &owned).await;
    assert!(second.is_empty(), "{second:#?}");
}

#[tokio::test]
async fn numbers_teams_already_rings_are_held_never_written() {
    let emu = emulator().await;
    let c = client(&emu);
    let rule: TeamsSideRule = toml::from_str(RULE).unwrap();
    let ps = people(&c, 10, true).await;
    assert!(
        !ps.is_empty(),
        "the demo tenant has people with Teams numbers"
    );
    let p = plan(&c, &rule, &ps, &BTreeMap::new()).await;
    assert!(
        p.actions
            .iter()
            .all(|a| !matches!(a.write, sync_engine::teams::TeamsWrite::AssignNumber { .. })),
        "{p:#?}"
    );
    assert_eq!(p.held.len(), ps.len(), "one hold each, naming why: {p:#?}");
    let before = emu.stats().get(Route::NumberActions);
    let mut journal = Journal::default();
    let options = TeamsApplyOptions::waiting(Duration::from_secs(5));
    apply_teams(&p.actions, &[], &c, &mut journal, options).await;
    assert_eq!(emu.stats().get(Route::NumberActions), before);
}
