//! What the plan shows: Teams actions, explain traces, determinism, no secrets.

use std::sync::Arc;

use ipo_model::{HuntGroup, UserType};
use sync_engine::{
    ActionKind, FieldMap, FileStateStore, GroupRule, PlanOptions, RunOptions, StateStore,
    SyncConfig, SyncError, SyncState, plan,
};

use crate::common::*;

#[tokio::test]
async fn voice_routing_policy_scripted_until_teams_holds_it() {
    let g = gid(1);
    let mut rule = GroupRule::new(g.clone(), UserType::TeamsAndIpOffice);
    rule.teams.voice_routing_policy = Some("UK 'Direct'".into());
    let w = World::new(SyncConfig::new(vec![rule]), server());
    // The group nests another: Teams' group assignment would miss its members, so the
    // script grants the policy person by person.
    w.dir.add_nested_group(&g, &gid(9));
    let mut ann = with_voice(with_ext(person(1, "ann"), "401"));
    ann.user_principal_name = Some("ann.o'brien@contoso.com".into());
    w.join(&g, &ann);
    let run = w.apply_ok().await;
    assert_eq!(run.plan.teams.actions.len(), 1);
    let script = run.plan.teams_script().unwrap();
    assert!(
        script.contains(
            "Grant-CsOnlineVoiceRoutingPolicy -Identity 'ann.o''brien@contoso.com' -PolicyName 'UK ''Direct'''"
        ),
        "{script}"
    );
    assert!(script.starts_with('#'), "a header says it was not applied");
    // Until an administrator runs it, Teams does not hold the policy: the line stays.
    let again = w.dry().await;
    assert_eq!(again.teams_script(), Some(script));
    w.run_teams_script(&again);
    let after = w.dry().await;
    assert!(after.teams.is_empty(), "{:#?}", after.teams);
    assert!(after.is_empty());
}

#[tokio::test]
async fn every_character_powershell_takes_as_a_single_quote_is_doubled() {
    // PowerShell ends a single-quoted string at ' and at each of the typographic quotes.
    for quote in ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'] {
        let g = gid(1);
        let mut rule = GroupRule::new(g.clone(), UserType::TeamsAndIpOffice);
        rule.teams.voice_routing_policy = Some(format!("UK{quote}; Remove-CsOnlineUser"));
        let w = World::new(SyncConfig::new(vec![rule]), server());
        let ann = with_voice(with_ext(person(1, "ann"), "401"));
        w.join(&g, &ann);
        let run = w.apply_ok().await;
        let script = run.plan.teams_script().unwrap();
        assert!(
            script.contains(&format!(
                "-PolicyName 'UK{quote}{quote}; Remove-CsOnlineUser'"
            )),
            "{quote:?} not doubled: {script}"
        );
    }
}

#[tokio::test]
async fn explain_traces_scope_match_action_for_one_person() {
    let g = gid(1);
    let w = World::new(
        SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::IpOfficeOnly)]),
        server(),
    );
    let ann = with_ext(person(1, "ann"), "401");
    let bob = with_ext(person(2, "bob"), "402");
    w.join(&g, &ann);
    w.join(&g, &bob);
    let run = w.run(&RunOptions::apply().explain(ann.id.clone())).await;
    assert!(run.report.is_none(), "explain never writes");
    assert_eq!(w.ipo.writes(), 0);
    let trace = &run.plan.person(&ann.id).unwrap().trace;
    for step in ["scope:", "match:", "action:"] {
        assert!(
            trace.iter().any(|t| t.starts_with(step)),
            "{step} missing in {trace:?}"
        );
    }
    let pos = |step: &str| trace.iter().position(|t| t.starts_with(step)).unwrap();
    assert!(pos("scope:") < pos("match:") && pos("match:") < pos("action:"));
    assert!(run.plan.person(&bob.id).unwrap().trace.is_empty());
    assert!(!run.plan.actions.is_empty());
    assert!(
        run.plan
            .actions
            .iter()
            .all(|a| a.person.as_ref() == Some(&ann.id))
    );

    let err = w
        .engine
        .run(&RunOptions::dry_run().explain(oid(77)))
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::UnknownPerson(_)), "{err}");
}

fn mixed_tenant() -> (
    SyncConfig,
    Vec<ipo_model::AzureAdUser>,
    ipo_model::IpoSnapshot,
) {
    let (phones, teams, both) = (gid(1), gid(2), gid(3));
    let mut cfg = SyncConfig::new(vec![
        GroupRule::new(phones.clone(), UserType::IpOfficeOnly),
        GroupRule::new(teams.clone(), UserType::TeamsOnly),
        GroupRule::new(both.clone(), UserType::TeamsAndIpOffice),
    ]);
    cfg.fields.hunt_groups = Some(FieldMap::always("extensionAttribute1"));
    let mut s = server();
    s.users.push(ipo_user("ann", Some("300")));
    s.hunt_groups
        .push(HuntGroup::new("Sales".parse().unwrap(), Some(ext("600"))));
    let mut people = Vec::new();
    for n in 1..=30u32 {
        let mut p = with_voice(with_ext(
            person(n, ["ann", "Ann", "bob", "Zoë"][n as usize % 4]),
            &format!("{}", 400 + n % 27),
        ));
        p.extension_attributes.set(1, Some("Sales".into()));
        p.groups
            .insert([&phones, &teams, &both][n as usize % 3].clone());
        if n % 7 == 0 {
            p.groups.insert(phones.clone());
        }
        people.push(p);
    }
    (cfg, people, s)
}

#[test]
fn plan_is_deterministic() {
    let (cfg, people, s) = mixed_tenant();
    let state = SyncState::default();
    let a = plan(&cfg, &people, &s, &state, &PlanOptions::new());
    let b = plan(&cfg, &people, &s, &state, &PlanOptions::new());
    let ja = serde_json::to_string(&a).unwrap();
    assert_eq!(ja, serde_json::to_string(&b).unwrap());
    assert!(!a.actions.is_empty());
    // The order people arrive in does not matter either.
    let mut reversed = people.clone();
    reversed.reverse();
    let c = plan(&cfg, &reversed, &s, &state, &PlanOptions::new());
    assert_eq!(ja, serde_json::to_string(&c).unwrap());
}

const LOGIN: &str = "7391548";
const VOICEMAIL: &str = "5820461";

fn secret_config(g: &ipo_model::GroupId) -> SyncConfig {
    let mut cfg = SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::IpOfficeOnly)]);
    cfg.fields.login_code = Some(FieldMap::always("extensionAttribute2"));
    cfg.fields.voicemail_code = Some(FieldMap::always("extensionAttribute3"));
    cfg
}

fn with_codes(mut u: ipo_model::AzureAdUser) -> ipo_model::AzureAdUser {
    u.extension_attributes.set(2, Some(LOGIN.into()));
    u.extension_attributes.set(3, Some(VOICEMAIL.into()));
    u
}

#[tokio::test]
async fn plan_serialises_without_secrets() {
    let g = gid(1);
    let w = World::new(secret_config(&g), server());
    let ann = with_codes(with_ext(person(1, "ann"), "401"));
    w.join(&g, &ann);
    let run = w.apply_ok().await;
    // The codes are really written...
    let u = w.user("ann").unwrap();
    assert_eq!(u.login_code.as_ref().unwrap().expose(), LOGIN);
    assert_eq!(u.voicemail_code.as_ref().unwrap().expose(), VOICEMAIL);
    // ...and shown nowhere.
    let create = run
        .plan
        .actions
        .iter()
        .find(|a| a.kind == ActionKind::CreateUser)
        .unwrap();
    assert!(create.changes.iter().any(|c| c.field == "Login Code"));
    // The extension record's type, as Manager names it.
    let extension = run
        .plan
        .actions
        .iter()
        .find(|a| a.kind == ActionKind::CreateExtension)
        .unwrap();
    let kind = extension
        .changes
        .iter()
        .find(|c| c.field == "Type")
        .unwrap();
    assert!(
        ["SIP", "H.323", "IP DECT", "SIP DECT"].contains(&kind.new.as_deref().unwrap()),
        "{kind:?}"
    );
    let report = run.report.as_ref().unwrap();
    for text in [
        serde_json::to_string(&run.plan).unwrap(),
        format!("{:?}", run.plan),
        format!("{:#?}", run.plan),
        serde_json::to_string(report).unwrap(),
        format!("{report:?}"),
        sync_engine::render_plan(&run.plan, sync_engine::Style::default()),
    ] {
        assert!(!text.contains(LOGIN), "login code leaked: {text}");
        assert!(!text.contains(VOICEMAIL), "voicemail code leaked: {text}");
    }
    // A changed code shows as *** -> ***.
    w.dir.modify_user(&ann.id, |u| {
        u.extension_attributes.set(2, Some("8462719".into()))
    });
    let plan = w.dry().await;
    let change = plan.actions[0]
        .changes
        .iter()
        .find(|c| c.field == "Login Code")
        .unwrap();
    assert_eq!(change.old.as_deref(), Some("***"));
    assert_eq!(change.new.as_deref(), Some("***"));
    assert!(!serde_json::to_string(&plan).unwrap().contains("8462719"));
}

#[tokio::test]
async fn state_file_holds_no_secrets() {
    let g = gid(1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let store = Arc::new(FileStateStore::new(&path));
    let mem = Arc::new(sync_engine::MemoryStateStore::new());
    let w = World::with_store(secret_config(&g), server(), store, mem);
    let ann = with_codes(with_ext(person(1, "ann"), "401"));
    w.join(&g, &ann);
    w.apply_ok().await;
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("ann"), "the state was written");
    assert!(!text.contains(LOGIN), "login code in the state file");
    assert!(
        !text.contains(VOICEMAIL),
        "voicemail code in the state file"
    );
}

#[tokio::test]
async fn a_plan_read_back_from_json_writes_nothing_and_says_why() {
    let g = gid(1);
    let w = World::new(
        SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::IpOfficeOnly)]),
        server(),
    );
    w.join(&g, &with_ext(person(1, "ann"), "401"));
    let planned = w.dry().await;
    assert_eq!(planned.actions.len(), 2, "{:?}", planned.actions);
    let json = serde_json::to_string(&planned).unwrap();
    let read_back: sync_engine::Plan = serde_json::from_str(&json).unwrap();
    assert_eq!(serde_json::to_string(&read_back).unwrap(), json);

    let store = sync_engine::MemoryStateStore::new();
    let mut state = SyncState::default();
    let report = sync_engine::apply(&read_back, w.ipo.as_ref(), &mut state, &store)
        .await
        .unwrap();
    assert_eq!(report.summary.failed, 2);
    for item in &report.items {
        let err = item.error.as_ref().unwrap().to_string();
        assert!(err.contains("read back from JSON"), "{err}");
    }
    assert!(w.user("ann").is_none(), "nothing was written");
    assert!(state.links.is_empty() && state.pending.is_empty());
}

/// A plan reviewed as JSON, kept and applied later does exactly what the original would:
/// the same writes, the same state; the file holds no code.
#[tokio::test]
async fn a_reviewed_plan_read_back_from_json_applies_the_same_writes() {
    let g = gid(1);
    let people = [
        with_codes(with_ext(person(1, "ann"), "401")),
        with_ext(person(2, "bob"), "402"),
    ];
    let world = || {
        let w = World::new(secret_config(&g), server());
        for p in &people {
            w.join(&g, p);
        }
        w
    };
    let (original, reviewed) = (world(), world());
    let planned = reviewed.dry().await;
    let json = serde_json::to_string_pretty(&planned).unwrap();
    assert!(
        !json.contains(LOGIN) && !json.contains(VOICEMAIL),
        "a code in the plan"
    );
    let read_back: sync_engine::Plan = serde_json::from_str(&json).unwrap();

    original.apply_ok().await;
    let run = reviewed.run(&RunOptions::apply().reviewed(read_back)).await;
    assert_eq!(run.report.unwrap().summary.failed, 0);
    assert_eq!(reviewed.ipo.current(), original.ipo.current());
    assert_eq!(reviewed.ipo.writes(), original.ipo.writes());
    let (a, b) = (
        reviewed.state.load().unwrap(),
        original.state.load().unwrap(),
    );
    assert_eq!(a.links, b.links);
    let ann = reviewed.user("ann").unwrap();
    assert_eq!(ann.login_code.as_ref().map(|c| c.expose()), Some(LOGIN));
}

/// A reviewed plan whose inputs changed since is refused whole: nothing is written.
#[tokio::test]
async fn a_reviewed_plan_is_refused_when_the_inputs_changed() {
    let g = gid(1);
    let w = World::new(
        SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::IpOfficeOnly)]),
        server(),
    );
    w.join(&g, &with_ext(person(1, "ann"), "401"));
    let json = serde_json::to_string(&w.dry().await).unwrap();
    w.join(&g, &with_ext(person(2, "bob"), "402"));
    let read_back: sync_engine::Plan = serde_json::from_str(&json).unwrap();
    let err = w
        .engine
        .run(&RunOptions::apply().reviewed(read_back))
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::PlanChanged(_)), "{err}");
    assert!(err.to_string().contains("actions"), "{err}");
    assert_eq!(w.ipo.writes(), 0);
    assert!(w.state.load().unwrap().links.is_empty());
}

/// Each person's line carries their Azure AD display name beside the UPN; a plan written
/// before the field existed still reads, without it.
#[tokio::test]
async fn a_persons_line_carries_the_display_name_and_old_plans_still_read() {
    let g = gid(1);
    let w = World::new(
        SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::IpOfficeOnly)]),
        server(),
    );
    let mut ann = with_ext(person(1, "ann"), "401");
    ann.display_name = Some("Ann Ní Bhriain".into());
    w.join(&g, &ann);
    let planned = w.dry().await;
    let line = planned.person(&ann.id).unwrap();
    assert_eq!(line.display_name.as_deref(), Some("Ann Ní Bhriain"));
    assert_ne!(
        line.label.as_ref(),
        "Ann Ní Bhriain",
        "the label is the UPN"
    );

    let mut old = serde_json::to_value(&planned).unwrap();
    for p in old["people"].as_array_mut().unwrap() {
        assert!(p.as_object_mut().unwrap().remove("display_name").is_some());
    }
    let read_back: sync_engine::Plan = serde_json::from_value(old).unwrap();
    assert_eq!(read_back.people.len(), planned.people.len());
    assert!(read_back.people.iter().all(|p| p.display_name.is_none()));
}

/// A script rule for UK voice routing over group `g`, with Ann and Bob in `member_groups`.
fn scripted_world(g: &ipo_model::GroupId, member_groups: [&ipo_model::GroupId; 2]) -> World {
    let mut rule = GroupRule::new(g.clone(), UserType::TeamsAndIpOffice);
    rule.teams.voice_routing_policy = Some("UK".into());
    let w = World::new(SyncConfig::new(vec![rule]), server());
    let ann = with_voice(with_ext(person(1, "ann"), "401"));
    let bob = with_voice(with_ext(person(2, "bob"), "402"));
    w.join(member_groups[0], &ann);
    w.join(member_groups[1], &bob);
    w
}

#[tokio::test]
async fn a_script_rule_whose_group_nests_none_grants_its_policy_to_the_group() {
    let g = gid(1);
    let w = scripted_world(&g, [&g, &g]);
    let plan = w.dry().await;
    let script = plan.teams_script().unwrap();
    let grant = format!("Grant-CsOnlineVoiceRoutingPolicy -Group '{g}' -PolicyName 'UK' -Rank 1");
    assert!(script.contains(&grant), "{script}");
    assert!(
        !script.contains("-Identity"),
        "the group covers its members: {script}"
    );
    assert_eq!(plan.teams.group_grants.len(), 1);
    // Once the administrator ran it, Teams gives the members the policy through the group.
    for id in [oid(1), oid(2)] {
        w.dir.modify_user(&id, |u| {
            let voice = u.teams.get_or_insert_with(Default::default);
            voice.effective_policies = vec![ipo_model::EffectivePolicy::new(
                ipo_model::TeamsPolicyType::OnlineVoiceRouting,
                "UK",
                ipo_model::PolicyVia::Group(Some(g.clone())),
            )];
        });
    }
    let after = w.dry().await;
    assert_eq!(after.teams_script(), None, "{:#?}", after.teams);
    assert!(after.teams.is_empty());
}

#[tokio::test]
async fn a_script_rule_whose_group_nests_another_grants_per_person() {
    // Teams' group policy assignment reaches direct members only.
    let (g, nested) = (gid(1), gid(2));
    let w = scripted_world(&g, [&g, &nested]);
    w.dir.add_nested_group(&g, &nested);
    let plan = w.dry().await;
    let script = plan.teams_script().unwrap();
    assert!(!script.contains("-Group"), "{script}");
    assert_eq!(script.matches("-Identity").count(), 2, "{script}");
    assert!(plan.teams.group_grants.is_empty());
}

#[tokio::test]
async fn explain_traces_the_teams_half() {
    let g = gid(1);
    let w = scripted_world(&g, [&g, &g]);
    let options = RunOptions::dry_run().explain(oid(1));
    let trace = |run: sync_engine::RunResult| run.plan.person(&oid(1)).unwrap().trace.clone();
    let before = trace(w.run(&options).await);
    let wanted = "teams: online voice routing policy none -> \"UK\"";
    assert!(before.iter().any(|s| s == wanted), "{before:#?}");
    let plan = w.dry().await;
    w.run_teams_script(&plan);
    let after = trace(w.run(&options).await);
    let in_line = "teams: Teams holds what the rule asks";
    assert!(after.iter().any(|s| s == in_line), "{after:#?}");
}
