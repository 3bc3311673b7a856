//! Convergence: once a sync has applied, a dry run of the same engine plans nothing. A plan
//! that is not empty means the sync flaps (rewrites what it just wrote) or left work undone.

use sync_engine::{RunOptions, SyncEngine};

/// Asserts that a dry run of `engine` plans no action; `context` heads the failure message,
/// which lists the first planned actions.
pub async fn assert_nothing_left_to_do(engine: &SyncEngine, context: &str) {
    let again = engine.run(&RunOptions::dry_run()).await.unwrap();
    let actions = &again.plan.actions;
    assert!(
        again.plan.is_empty(),
        "{context}: a dry run after the sync still plans {} IP Office and {} Teams actions, \
         first: {:#?} {:#?}",
        actions.len(),
        again.plan.teams.actions.len(),
        &actions[..actions.len().min(10)],
        &again.plan.teams.actions[..again.plan.teams.actions.len().min(10)]
    );
}
