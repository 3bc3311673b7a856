//! The Teams stage end to end against the in-memory Teams: plan from the rules' verdicts,
//! apply through the port, read back, and a second plan that finds nothing to do.

use std::collections::BTreeMap;

use ipo_model::{
    AzureAdUser, MemoryTeams, NumberSource, ObjectId, TeamsNumberHolder, TeamsNumberHolders,
    TeamsOperationId, TeamsPolicyType, TeamsVoice, TeamsVoiceAdmin, UserType,
};
use sync_engine::teams::{
    PendingTeamsOperation, TeamsApplied, TeamsApplyOptions, TeamsJournal, TeamsPerson, TeamsPlan,
    TeamsResult, TeamsWrite, apply_teams, plan_teams,
};
use usertype_rules::{TeamsAssigned, TeamsSide, TeamsSideInput, TeamsSideRule, judge_teams_side};

fn rule() -> TeamsSideRule {
    toml::from_str(
        r#"provisioning = "graph"
number = { template = "+441632768{extension}" }
voice_routing_policy = "UK-DirectRouting"
dial_plan = "UK""#,
    )
    .unwrap()
}

struct Person {
    user: AzureAdUser,
    ext: ipo_model::ExtensionNumber,
}

fn people(n: usize) -> Vec<Person> {
    (0..n)
        .map(|i| {
            let id: ObjectId = format!("00000000-0000-4000-8000-{:012}", i + 1)
                .parse()
                .unwrap();
            let mut user = AzureAdUser::new(id);
            user.user_principal_name = Some(format!("p{i}@contoso.com"));
            user.teams = Some(TeamsVoice::default());
            Person {
                user,
                ext: format!("{}", 400 + i).parse().unwrap(),
            }
        })
        .collect()
}

fn sides(
    rule: &TeamsSideRule,
    people: &[Person],
    holders: &TeamsNumberHolders,
    assigned: &BTreeMap<ObjectId, TeamsAssigned>,
) -> Vec<TeamsSide> {
    people
        .iter()
        .map(|p| {
            let input =
                TeamsSideInput::new(rule, &p.user, UserType::TeamsOnly, Some(&p.ext), holders)
                    .assigned(assigned.get(&p.user.id));
            judge_teams_side(&input).unwrap()
        })
        .collect()
}

fn plan(people: &[Person], sides: &[TeamsSide]) -> TeamsPlan {
    let persons: Vec<TeamsPerson<'_>> = people
        .iter()
        .zip(sides)
        .map(|(p, s)| TeamsPerson {
            id: &p.user.id,
            label: p.user.user_principal_name.as_deref().unwrap(),
            side: Some(s),
        })
        .collect();
    plan_teams(&persons, &[])
}

/// A journal like the engine's state: what is running, saved as it changes.
#[derive(Default)]
struct Journal {
    running: Vec<PendingTeamsOperation>,
    refuse: bool,
}

#[async_trait::async_trait]
impl TeamsJournal for Journal {
    async fn started(&mut self, op: &PendingTeamsOperation) -> Result<(), String> {
        if self.refuse {
            return Err("disk full".into());
        }
        self.running.push(op.clone());
        Ok(())
    }
    async fn ended(&mut self, id: &TeamsOperationId) -> Result<(), String> {
        self.running.retain(|p| &p.id != id);
        Ok(())
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

fn teams() -> MemoryTeams {
    let t = MemoryTeams::new();
    t.create_policy(TeamsPolicyType::OnlineVoiceRouting, "UK-DirectRouting");
    t.create_policy(TeamsPolicyType::TenantDialPlan, "UK");
    t
}

async fn apply(plan: &TeamsPlan, t: &MemoryTeams, journal: &mut Journal) -> TeamsApplied {
    let pending = journal.running.clone();
    apply_teams(
        &plan.actions,
        &pending,
        t,
        journal,
        TeamsApplyOptions::default(),
    )
    .await
}

#[test]
fn applied_through_the_port_then_read_back_and_the_second_plan_is_empty() {
    block_on(async {
        let t = teams();
        let mut ps = people(5);
        let none = BTreeMap::new();
        let first = plan(&ps, &sides(&rule(), &ps, &Default::default(), &none));
        assert_eq!(first.actions.len(), 15, "a number and two policies each");
        let mut journal = Journal::default();
        let applied = apply(&first, &t, &mut journal).await;
        assert_eq!(applied.failed(), 0, "{applied:#?}");
        assert!(
            applied
                .outcomes
                .iter()
                .all(|o| o.result == TeamsResult::Done)
        );
        // Policies go in one request per policy, not one per person.
        assert_eq!(t.calls().policy_requests, 2);
        assert_eq!(t.calls().policy_lookups, 2);
        assert_eq!(t.calls().assign_number, 5);
        assert!(journal.running.is_empty());
        assert_eq!(applied.read_back.len(), 5);

        // Teams as read back, and what the sync now owns: the next plan is empty.
        let mut assigned = BTreeMap::new();
        applied.record_owned(&mut assigned);
        assert_eq!(assigned.len(), 5);
        for p in &mut ps {
            p.user.teams = Some(t.user_voice(&p.user.id).await.unwrap());
            let mine = applied.read_back[&p.user.id].clone();
            assert_eq!(Some(&mine), p.user.teams.as_ref());
            let owned = &assigned[&p.user.id];
            assert_eq!(owned.policies.len(), 2);
            assert_eq!(
                owned.number,
                sides(
                    &rule(),
                    std::slice::from_ref(p),
                    &Default::default(),
                    &BTreeMap::new()
                )[0]
                .number
                .wanted
            );
        }
        let holders = t.number_holders().await.unwrap();
        let second = plan(&ps, &sides(&rule(), &ps, &holders, &assigned));
        assert!(second.is_empty(), "{second:#?}");
    });
}

#[test]
fn people_on_one_ddi_with_their_own_extensions_all_get_their_numbers() {
    block_on(async {
        let t = teams();
        let ddi: TeamsSideRule = toml::from_str(
            r#"provisioning = "graph"
number = { property = "extensionAttribute3" }"#,
        )
        .unwrap();
        let mut ps = people(3);
        for p in &mut ps {
            let line = format!("+441632768000;ext={}", p.ext.as_str());
            p.user.extension_attributes.set(3, Some(line));
        }
        let none = BTreeMap::new();
        let first = plan(&ps, &sides(&ddi, &ps, &Default::default(), &none));
        assert_eq!(first.actions.len(), 3, "{first:#?}");
        let applied = apply(&first, &t, &mut Journal::default()).await;
        assert_eq!(applied.failed(), 0, "{applied:#?}");

        let mut assigned = BTreeMap::new();
        applied.record_owned(&mut assigned);
        for p in &mut ps {
            p.user.teams = Some(t.user_voice(&p.user.id).await.unwrap());
        }
        let holders = t.number_holders().await.unwrap();
        assert_eq!(holders.len(), 3);
        let second = plan(&ps, &sides(&ddi, &ps, &holders, &assigned));
        assert!(
            second.is_empty(),
            "neither blocked nor reassigned: {second:#?}"
        );

        // Someone new asking for an extension another person holds is held back.
        let mut late = people(4).remove(3);
        late.user
            .extension_attributes
            .set(3, Some("+441632768000;ext=401".into()));
        let late = [late];
        let held = plan(&late, &sides(&ddi, &late, &holders, &none));
        assert!(held.actions.is_empty(), "{held:#?}");
        assert_eq!(held.held.len(), 1);
        assert_eq!(held.held[0].problem.code(), "teams_number_taken");
    });
}

#[test]
fn operations_still_running_are_resumed_next_run_never_started_again() {
    block_on(async {
        let t = teams();
        // Each operation answers "running" for 15 polls: more than one run follows.
        t.set_polls_to_finish(15);
        let ps = people(2);
        let p1 = plan(
            &ps,
            &sides(&rule(), &ps, &Default::default(), &BTreeMap::new()),
        );
        let mut journal = Journal::default();
        let first = apply(&p1, &t, &mut journal).await;
        let running: Vec<_> = first
            .outcomes
            .iter()
            .filter(|o| matches!(o.result, TeamsResult::StillRunning(_)))
            .collect();
        assert_eq!(running.len(), 2);
        assert_eq!(journal.running.len(), 2, "recorded for the next run");
        assert_eq!(t.calls().assign_number, 2);

        // The process stopped; the next run plans the same writes (Teams has no number yet).
        let p2 = plan(
            &ps,
            &sides(&rule(), &ps, &Default::default(), &BTreeMap::new()),
        );
        let second = apply(&p2, &t, &mut journal).await;
        assert_eq!(t.calls().assign_number, 2, "no operation started twice");
        let numbers: Vec<_> = second
            .outcomes
            .iter()
            .filter(|o| matches!(o.write, TeamsWrite::AssignNumber { .. }))
            .collect();
        assert_eq!(numbers.len(), 2);
        assert!(
            numbers.iter().all(|o| o.result == TeamsResult::Done),
            "{numbers:#?}"
        );
        assert!(journal.running.is_empty());
        for p in &ps {
            let v = t.user_voice(&p.user.id).await.unwrap();
            assert_eq!(v.telephone_numbers.len(), 1);
        }
    });
}

#[test]
fn a_journal_that_cannot_record_stops_further_number_writes() {
    block_on(async {
        let t = teams();
        let ps = people(3);
        let p = plan(
            &ps,
            &sides(&rule(), &ps, &Default::default(), &BTreeMap::new()),
        );
        let mut journal = Journal {
            refuse: true,
            ..Journal::default()
        };
        let applied = apply(&p, &t, &mut journal).await;
        assert_eq!(
            t.calls().assign_number,
            1,
            "the first started, then the stage stopped"
        );
        let failed: Vec<_> = applied
            .outcomes
            .iter()
            .filter_map(|o| match &o.result {
                TeamsResult::Failed(why) => Some(why.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(failed.len(), 2);
        assert!(
            failed.iter().all(|w| w.contains("could not record")),
            "{failed:?}"
        );
    });
}

#[test]
fn a_number_taken_meanwhile_an_unknown_policy_and_enterprise_voice_off_are_reported_per_person() {
    block_on(async {
        let t = MemoryTeams::new();
        t.create_policy(TeamsPolicyType::TenantDialPlan, "UK");
        t.set_assignment_enables_voice(false);
        let ps = people(2);
        let p = plan(
            &ps,
            &sides(&rule(), &ps, &Default::default(), &BTreeMap::new()),
        );
        // Between the plan and the apply, someone else took the first person's number.
        let other: ObjectId = "00000000-0000-4000-8000-0000000000ff".parse().unwrap();
        t.set_holder(TeamsNumberHolder::new(
            "tel:+441632768400;ext=400".parse().unwrap(),
            Some(other),
            Some(NumberSource::Online),
        ));
        let mut journal = Journal::default();
        let applied = apply(&p, &t, &mut journal).await;
        let result_of = |i: usize, pred: &dyn Fn(&TeamsWrite) -> bool| {
            applied
                .outcomes
                .iter()
                .find(|o| o.person == ps[i].user.id && pred(&o.write))
                .map(|o| o.result.clone())
                .unwrap()
        };
        let is_number = |w: &TeamsWrite| matches!(w, TeamsWrite::AssignNumber { .. });
        let is_routing = |w: &TeamsWrite| {
            matches!(w, TeamsWrite::AssignPolicy { policy_type, .. }
                if *policy_type == TeamsPolicyType::OnlineVoiceRouting)
        };
        assert!(
            matches!(result_of(0, &is_number), TeamsResult::Failed(w) if w.contains("another user"))
        );
        assert_eq!(result_of(1, &is_number), TeamsResult::Done);
        for i in 0..2 {
            assert!(
                matches!(result_of(i, &is_routing), TeamsResult::Failed(w) if w.contains("\"UK-DirectRouting\"")),
                "an unknown policy is named"
            );
        }
        // The second person got the number, but Enterprise Voice stayed off: the remedy.
        assert_eq!(applied.warnings.len(), 1);
        assert_eq!(applied.warnings[0].0, ps[1].user.id);
        assert!(
            applied.warnings[0]
                .1
                .contains("-EnterpriseVoiceEnabled $true")
        );
    });
}

#[test]
fn script_rules_become_powershell_with_every_single_quote_doubled() {
    let mut script_rule = rule();
    script_rule.provisioning = usertype_rules::TeamsProvisioning::Script;
    script_rule.voice_routing_policy = Some("UK \u{2018}Direct\u{2019}".into());
    let mut ps = people(2);
    ps[0].user.user_principal_name = Some("o'brien\u{201A}\u{201B}@contoso.com".into());
    let p = plan(
        &ps,
        &sides(&script_rule, &ps, &Default::default(), &BTreeMap::new()),
    );
    let group: ipo_model::GroupId = "0a1b2c3d-0000-4000-8000-000000000009".parse().unwrap();
    let grants = [sync_engine::teams::GroupGrant::new(
        group,
        TeamsPolicyType::TenantDialPlan,
        "UK".into(),
        1,
    )];
    let script = sync_engine::teams::teams_script(&p, &grants);
    assert!(script.contains(
        "Set-CsPhoneNumberAssignment -Identity 'o''brien\u{201A}\u{201A}\u{201B}\u{201B}@contoso.com' \
         -PhoneNumber '+441632768400;ext=400' -PhoneNumberType DirectRouting"
    ), "{script}");
    assert!(script.contains(
        "Grant-CsOnlineVoiceRoutingPolicy -Identity 'p1@contoso.com' -PolicyName 'UK \u{2018}\u{2018}Direct\u{2019}\u{2019}'"
    ), "{script}");
    // The dial plan goes once, to the group, not per person.
    assert!(script.contains(
        "Grant-CsTenantDialPlan -Group '0a1b2c3d-0000-4000-8000-000000000009' -PolicyName 'UK' -Rank 1"
    ));
    assert!(
        !script.contains("Grant-CsTenantDialPlan -Identity"),
        "{script}"
    );
    // Nothing of a script rule is written through Graph.
    let t = teams();
    let mut journal = Journal::default();
    let applied = block_on(apply(&p, &t, &mut journal));
    assert!(applied.outcomes.is_empty());
    assert_eq!(t.calls().assign_number + t.calls().policy_requests, 0);
}

#[test]
fn enterprise_voice_off_with_the_number_in_line_is_turned_on_by_the_script_only() {
    let mut script_rule = rule();
    script_rule.provisioning = usertype_rules::TeamsProvisioning::Script;
    script_rule.voice_routing_policy = None;
    script_rule.dial_plan = None;
    let mut ps = people(3);
    // p0 and p1 have their numbers with Enterprise Voice off; p2 has no number yet.
    for (p, on) in ps.iter_mut().zip([Some(false), Some(true), Some(false)]) {
        let mut voice = TeamsVoice::default();
        voice.enterprise_voice_enabled = on;
        p.user.teams = Some(voice);
    }
    for p in &mut ps[..2] {
        let line = format!("tel:+441632768{0};ext={0}", p.ext.as_str());
        let number = ipo_model::TeamsPhoneNumber::new(line, ipo_model::AssignmentCategory::Primary);
        if let Some(t) = p.user.teams.as_mut() {
            t.telephone_numbers = vec![number];
        }
    }
    let assigned: BTreeMap<ObjectId, TeamsAssigned> = BTreeMap::new();
    let p = plan(
        &ps,
        &sides(&script_rule, &ps, &Default::default(), &assigned),
    );
    let writes: Vec<(usize, &TeamsWrite)> = p
        .actions
        .iter()
        .map(|a| {
            (
                ps.iter().position(|x| x.user.id == a.person).unwrap(),
                &a.write,
            )
        })
        .collect();
    assert_eq!(
        writes,
        [
            (0, &TeamsWrite::EnableEnterpriseVoice),
            (
                2,
                &TeamsWrite::AssignNumber {
                    number: "tel:+441632768402;ext=402".parse().unwrap()
                }
            ),
        ],
        "p2's number assignment turns it on: no second line"
    );
    let script = sync_engine::teams::teams_script(&p, &[]);
    assert!(
        script.contains(
            "Set-CsPhoneNumberAssignment -Identity 'p0@contoso.com' -EnterpriseVoiceEnabled $true"
        ),
        "{script}"
    );
    assert_eq!(
        script.matches("-EnterpriseVoiceEnabled").count(),
        1,
        "{script}"
    );

    // Through Graph, nothing can turn it on: no write, the verdict says what to run.
    let graph_sides = sides(&rule(), &ps[..1], &Default::default(), &assigned);
    let p = plan(&ps[..1], &graph_sides);
    assert!(
        p.actions
            .iter()
            .all(|a| a.write != TeamsWrite::EnableEnterpriseVoice),
        "{p:#?}"
    );
    assert!(
        graph_sides[0]
            .describe()
            .iter()
            .any(|l| l.contains("-EnterpriseVoiceEnabled $true"))
    );
}

#[test]
fn a_leaver_gives_back_what_the_sync_assigned_counted_as_removals() {
    let ps = people(1);
    let mut release = usertype_rules::TeamsRelease::default();
    release.number = Some("tel:+441632768400;ext=400".parse().unwrap());
    release.policies.push((
        TeamsPolicyType::OnlineVoiceRouting,
        "UK-DirectRouting".into(),
    ));
    let leaver = sync_engine::teams::TeamsLeaver {
        id: &ps[0].user.id,
        label: "p0@contoso.com",
        provisioning: usertype_rules::TeamsProvisioning::Graph,
        release: &release,
    };
    let p = plan_teams(&[], &[leaver]);
    assert_eq!(p.removals(), 2);
    assert!(matches!(
        &p.actions[0].write,
        TeamsWrite::UnassignNumber { .. }
    ));
    assert_eq!(p.actions[1].old.as_deref(), Some("UK-DirectRouting"));
}
