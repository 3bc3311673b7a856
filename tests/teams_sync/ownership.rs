//! What the sync may touch in Teams: a number someone else holds or one from on-premises AD
//! is held (in the classification and the plan) and never written; a number or a direct
//! policy the sync did not assign is held, not replaced; a leaver gives back exactly what
//! the sync assigned, under the deletion threshold.

use graph_client::direct_routing_number_text;
use graph_emulator::{NumberSource, Route};
use ipo_model::{AssignmentCategory, TeamsPhoneNumber, TeamsPolicyType};
use sync_engine::teams::TeamsWrite;
use sync_engine::{RunOptions, RunResult, SyncEngine};
use usertype_rules::TeamsProblem;

use crate::lab::{
    DIAL_PLAN, TeamsLab, VRP, assign_by_hand, graph_config, id, teams_only, teams_people,
    wanted_number,
};
use crate::support::{GROUP_TEAMS_ONLY, person_id};

const VOICE: TeamsPolicyType = TeamsPolicyType::OnlineVoiceRouting;
const DIAL: TeamsPolicyType = TeamsPolicyType::TenantDialPlan;

/// Person `i`'s Teams problems in the classification the run acted on.
fn problems(run: &RunResult, i: u32) -> Vec<TeamsProblem> {
    let v = (run.classification.verdicts.iter())
        .find(|v| v.person.azure_ad.as_ref() == Some(&id(i)))
        .unwrap();
    v.teams
        .as_ref()
        .map(|s| s.problems.clone())
        .unwrap_or_default()
}

/// The plan's Teams writes for person `i`.
fn writes(run: &RunResult, i: u32) -> Vec<TeamsWrite> {
    (run.plan.teams.actions.iter())
        .filter(|a| a.person == id(i))
        .map(|a| a.write.clone())
        .collect()
}

/// Whether the plan holds `problem` for person `i`.
fn held(run: &RunResult, i: u32, problem: &TeamsProblem) -> bool {
    (run.plan.teams.held.iter()).any(|h| h.person == id(i) && &h.problem == problem)
}

fn has_number_write(writes: &[TeamsWrite]) -> bool {
    writes.iter().any(|w| {
        matches!(
            w,
            TeamsWrite::AssignNumber { .. } | TeamsWrite::UnassignNumber { .. }
        )
    })
}

/// The next dry run writes nothing to Teams.
async fn nothing_left_to_write(engine: &SyncEngine) {
    let again = engine.run(&RunOptions::dry_run()).await.unwrap();
    let teams = &again.plan.teams;
    assert!(teams.actions.is_empty(), "{teams:#?}");
}

fn sorted(mut writes: Vec<TeamsWrite>) -> Vec<TeamsWrite> {
    writes.sort_by_key(ToString::to_string);
    writes
}

/// What a Teams-only leaver `i` gives back: both policies the rule names, and the number
/// when the sync assigned it.
fn released(i: u32, number: bool) -> Vec<TeamsWrite> {
    let mut out = vec![
        TeamsWrite::UnassignPolicy {
            policy_type: VOICE,
            name: VRP.into(),
        },
        TeamsWrite::UnassignPolicy {
            policy_type: DIAL,
            name: DIAL_PLAN.into(),
        },
    ];
    if number {
        out.push(TeamsWrite::UnassignNumber {
            number: wanted_number(i),
        });
    }
    sorted(out)
}

#[tokio::test]
async fn a_number_someone_else_holds_or_from_on_premises_is_held_and_never_written() {
    let t = TeamsLab::start(12).await;
    // Person 5's number (with its extension: the whole number) belongs to person 0;
    // person 11's comes from on-premises AD.
    let taken = wanted_number(5);
    let taken_text = direct_routing_number_text(&taken).unwrap();
    t.lab
        .graph
        .set_teams_numbers(
            person_id(0),
            vec![TeamsPhoneNumber::new(
                taken_text.clone(),
                AssignmentCategory::Primary,
            )],
        )
        .unwrap();
    let on_premises = wanted_number(11);
    let on_premises_text = direct_routing_number_text(&on_premises).unwrap();
    t.lab
        .graph
        .add_number(&on_premises_text, NumberSource::OnPremises);
    let engine = t.engine(graph_config());
    let run = engine.run(&RunOptions::apply()).await.unwrap();

    let taken_problem = TeamsProblem::NumberTaken {
        number: taken.clone(),
        holder: person_id(0),
    };
    let on_prem_problem = TeamsProblem::NumberOnPremises {
        number: on_premises.clone(),
    };
    assert_eq!(problems(&run, 5), vec![taken_problem.clone()]);
    assert_eq!(problems(&run, 11), vec![on_prem_problem.clone()]);
    assert!(held(&run, 5, &taken_problem), "{:#?}", run.plan.teams);
    assert!(held(&run, 11, &on_prem_problem), "{:#?}", run.plan.teams);
    assert!(taken_problem.to_string().contains(person_id(0).as_str()));
    for i in [5, 11] {
        let w = writes(&run, i);
        assert!(!has_number_write(&w), "person {i}: {w:?}");
        assert_eq!(w.len(), 2, "their policies still go: {w:?}");
    }
    // Nothing written for those numbers: the other two people's numbers only.
    assert_eq!(t.sent(Route::NumberActions), 2);
    assert_eq!(
        t.lab.graph.number_owner(&taken_text),
        Some(person_id(0).to_string())
    );
    assert!(t.teams_of(5).await.numbers.is_empty());
    assert!(t.teams_of(11).await.numbers.is_empty());
    assert!(t.teams_of(5).await.has_direct(VOICE, VRP));
}

#[tokio::test]
async fn what_the_sync_did_not_assign_is_held_and_a_leaver_gives_back_only_what_it_assigned() {
    let t = TeamsLab::start(12).await;
    // By hand, before the sync: a number for person 5, a direct voice routing policy for
    // person 4. The rules do not allow adoption.
    // (Another DID with the person's extension: the extension the rule's template takes.)
    let by_hand = ipo_model::TeamsNumber::parse_any("+442079499905;ext=700005").unwrap();
    t.lab
        .graph
        .set_teams_numbers(
            person_id(5),
            vec![TeamsPhoneNumber::new(
                "+442079499905;ext=700005",
                AssignmentCategory::Primary,
            )],
        )
        .unwrap();
    t.lab
        .graph
        .add_teams_policy("OnlineVoiceRoutingPolicy", "Manual Route");
    assign_by_hand(&t, 4, VOICE, "Manual Route").await;
    let engine = t.engine(graph_config());
    let run = engine.run(&RunOptions::apply()).await.unwrap();
    assert!(
        matches!(&problems(&run, 5)[..], [TeamsProblem::NumberNotOurs { current, .. }] if *current == by_hand),
        "{:?}",
        problems(&run, 5)
    );
    assert!(
        matches!(&problems(&run, 4)[..], [TeamsProblem::PolicyNotOurs { current, .. }] if current.name == "Manual Route"),
        "{:?}",
        problems(&run, 4)
    );
    assert_eq!(
        t.teams_of(5).await.numbers,
        vec![by_hand.clone()],
        "not replaced"
    );
    assert!(
        t.teams_of(4).await.has_direct(VOICE, "Manual Route"),
        "not replaced"
    );
    assert_eq!(t.teams_of(4).await.numbers, vec![wanted_number(4)]);
    assert!(t.teams_of(5).await.has_direct(VOICE, VRP));

    // Persons 5 and 11 leave the Teams-only group.
    for i in [5, 11] {
        t.lab
            .graph
            .remove_member(GROUP_TEAMS_ONLY, person_id(i))
            .unwrap();
    }
    let run = engine.run(&RunOptions::apply()).await.unwrap();
    // Person 5 keeps the hand-assigned number; person 11 gives back everything.
    assert_eq!(sorted(writes(&run, 5)), released(5, false));
    assert_eq!(sorted(writes(&run, 11)), released(11, true));
    let teams = run.report.unwrap().teams.unwrap();
    assert_eq!(teams.failed(), 0, "{teams:#?}");

    let five = t.teams_of(5).await;
    assert_eq!(five.numbers, vec![by_hand], "kept");
    assert!(
        five.policy(VOICE).is_none() && five.policy(DIAL).is_none(),
        "{five:#?}"
    );
    let eleven = t.teams_of(11).await;
    assert!(eleven.numbers.is_empty(), "{eleven:#?}");
    assert!(eleven.policy(VOICE).is_none() && eleven.policy(DIAL).is_none());
    assert!(!t.saved().teams.contains_key(&id(5)) && !t.saved().teams.contains_key(&id(11)));
    // Nobody else lost anything.
    assert!(t.teams_of(4).await.has_direct(VOICE, "Manual Route"));
    assert_eq!(t.teams_of(10).await.numbers, vec![wanted_number(10)]);
    nothing_left_to_write(&engine).await;
}

#[tokio::test]
async fn many_leavers_above_the_deletion_threshold_are_held_until_removals_are_allowed() {
    let t = TeamsLab::start(30).await;
    let mut config = graph_config();
    // At most two people's removals at once.
    config.safety.deletion_threshold_percent = 5.0;
    config.safety.deletion_threshold_min = 2;
    let engine = t.engine(config);
    engine.run(&RunOptions::apply()).await.unwrap();
    let leavers: Vec<u32> = teams_people(30)
        .into_iter()
        .filter(|i| teams_only(*i))
        .collect();
    assert_eq!(
        leavers.len(),
        5,
        "three releases each, five people: above the threshold"
    );
    for i in &leavers {
        t.lab
            .graph
            .remove_member(GROUP_TEAMS_ONLY, person_id(*i))
            .unwrap();
    }
    t.lab.graph.reset_stats();
    let held = engine.run(&RunOptions::apply()).await.unwrap();
    assert!(
        held.plan.held_removals.is_some(),
        "{:#?}",
        held.plan.held_removals
    );
    assert!(held.plan.teams.removals() == 0, "{:#?}", held.plan.teams);
    assert_eq!(t.sent(Route::NumberActions), 0);
    assert_eq!(t.sent(Route::PolicyAssignments), 0);
    for i in &leavers {
        assert_eq!(
            t.teams_of(*i).await.numbers,
            vec![wanted_number(*i)],
            "kept"
        );
    }

    let allowed = engine
        .run(&RunOptions::apply().allow_removals())
        .await
        .unwrap();
    assert_eq!(
        allowed.plan.teams.removals(),
        15,
        "{:#?}",
        allowed.plan.teams
    );
    assert_eq!(allowed.report.unwrap().teams.unwrap().failed(), 0);
    for i in &leavers {
        let now = t.teams_of(*i).await;
        assert!(
            now.numbers.is_empty() && now.policy(VOICE).is_none(),
            "{now:#?}"
        );
    }
}

#[tokio::test]
async fn a_disabled_account_gives_back_what_the_sync_assigned() {
    let t = TeamsLab::start(12).await;
    let engine = t.engine(graph_config());
    engine.run(&RunOptions::apply()).await.unwrap();
    t.lab
        .graph
        .update_user(person_id(11), |u| u.account_enabled = Some(false))
        .unwrap();
    let run = engine.run(&RunOptions::apply()).await.unwrap();
    assert_eq!(
        sorted(writes(&run, 11)),
        released(11, true),
        "{:#?}",
        run.plan.teams
    );
    assert_eq!(run.report.unwrap().teams.unwrap().failed(), 0);
    let now = t.teams_of(11).await;
    assert!(
        now.numbers.is_empty() && now.policy(VOICE).is_none(),
        "{now:#?}"
    );
    nothing_left_to_write(&engine).await;
}

#[tokio::test]
async fn a_deleted_account_is_forgotten_once_teams_holds_nothing_the_sync_assigned() {
    let t = TeamsLab::start(12).await;
    let engine = t.engine(graph_config());
    engine.run(&RunOptions::apply()).await.unwrap();
    assert!(t.saved().teams.contains_key(&id(11)));
    // Deleting the account frees its number and policies in Teams.
    let deleted = ipo_model::RemovalReason::Deleted;
    t.lab.graph.remove_user(person_id(11), deleted).unwrap();
    let run = engine.run(&RunOptions::apply()).await.unwrap();
    assert!(run.plan.teams.is_empty(), "{:#?}", run.plan.teams);
    let saved = t.saved();
    assert!(!saved.teams.contains_key(&id(11)), "{:#?}", saved.teams);
    assert_eq!(saved.teams.len(), 3, "the others stay the sync's");
}
