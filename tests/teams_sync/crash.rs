//! A run that stops while Teams' number operations still run: they are in the state file,
//! and the next run (the same engine, or a fresh process over the same state) follows them
//! up by id, never starting them again, and ends clean.

use std::time::Duration;

use graph_emulator::{NumberOperationFault, Route};
use sync_engine::teams::{TeamsResult, TeamsWrite};
use sync_engine::{RunOptions, SyncEngine};

use crate::lab::{TeamsLab, graph_config, id, teams_people, wanted_number};

/// Runs with operations kept running by a fault and a short wait, then follows them up
/// with `next` (`None`: the same engine).
async fn stopped_then_followed_up(fresh_process: bool) {
    let t = TeamsLab::start(12).await;
    let people = teams_people(12);
    t.lab
        .graph
        .set_number_operation_fault(NumberOperationFault::StayRunning);
    let first_engine = t.engine_waiting(graph_config(), Duration::from_millis(1500));
    let run = first_engine.run(&RunOptions::apply()).await.unwrap();
    let report = run.report.unwrap();
    let teams = report.teams.clone().unwrap();
    // The summary counts only what ended: a write still running has not succeeded.
    let ipo_done = report.items.iter().filter(|i| i.ok()).count();
    let teams_done = (teams.outcomes.iter())
        .filter(|o| o.result == TeamsResult::Done)
        .count();
    assert_eq!(report.summary.succeeded, ipo_done + teams_done);
    let running: Vec<_> = (teams.outcomes.iter())
        .filter(|o| matches!(o.result, TeamsResult::StillRunning(_)))
        .collect();
    assert_eq!(running.len(), people.len(), "{teams:#?}");
    // Both halves planned alike: planned = succeeded + failed + still running.
    let s = &report.summary;
    assert_eq!(s.ipo.planned, run.plan.actions.len());
    assert_eq!(s.teams.planned, teams.outcomes.len());
    assert_eq!(s.teams.still_running(), running.len());
    assert_eq!(s.planned, s.ipo.planned + s.teams.planned);
    assert_eq!(s.planned, s.succeeded + s.failed + running.len(), "{s:#?}");
    assert!(
        running
            .iter()
            .all(|o| matches!(o.write, TeamsWrite::AssignNumber { .. }))
    );
    // The state file lists them, by Teams' operation id.
    let saved = t.saved();
    assert_eq!(saved.teams_operations.len(), people.len(), "{saved:#?}");
    for o in &running {
        let TeamsResult::StillRunning(op) = &o.result else {
            unreachable!()
        };
        assert!(
            saved
                .teams_operations
                .iter()
                .any(|p| &p.id == op && p.person == o.person),
            "{op} is in the state"
        );
    }
    let started = t.sent(Route::NumberActions);
    assert_eq!(started, people.len() as u64);

    // Teams finishes its work; the next run follows the operations up.
    t.lab
        .graph
        .set_number_operation_fault(NumberOperationFault::None);
    let next: SyncEngine = if fresh_process {
        drop(first_engine);
        t.engine(graph_config())
    } else {
        first_engine
    };
    let run = next.run(&RunOptions::apply()).await.unwrap();
    let teams = run.report.unwrap().teams.unwrap();
    assert_eq!(teams.failed(), 0, "{teams:#?}");
    assert!(teams.outcomes.iter().all(|o| o.result == TeamsResult::Done));
    assert_eq!(t.sent(Route::NumberActions), started, "none started again");
    let saved = t.saved();
    assert!(saved.teams_operations.is_empty(), "{saved:#?}");
    for i in people {
        assert_eq!(t.teams_of(i).await.numbers, vec![wanted_number(i)]);
        let owned = saved.teams[&id(i)].number.clone();
        assert_eq!(owned, Some(wanted_number(i)), "the sync owns it now");
    }
    let again = next.run(&RunOptions::dry_run()).await.unwrap();
    assert!(again.plan.is_empty(), "{:#?}", again.plan.teams);
}

#[tokio::test]
async fn operations_running_when_the_run_ends_are_followed_up_never_started_again() {
    stopped_then_followed_up(false).await;
}

#[tokio::test]
async fn a_fresh_process_follows_up_the_operations_in_the_state_file() {
    stopped_then_followed_up(true).await;
}
