//! The program's exit codes, for cron, systemd and Kubernetes. What each means to an
//! administrator, and what to do about it, is described in one place: `docs/deployment.md`,
//! "Exit codes". The rule that matters to a scheduler: people left out for their own data
//! are reported, not an alarm (0); a safety guard holding writes back is 3.

use sync_engine::{PersonPlan, PersonStatus, Reason, RunResult};

/// Done.
pub const OK: u8 = 0;
/// Failure: nothing or only part was done; the message says what.
pub const FAILURE: u8 = 1;
/// Usage error (clap's own code).
pub const USAGE: u8 = 2;
/// Writes held back by a safety guard (or, when asked, people left out).
pub const HELD: u8 = 3;
/// Another run holds the lock on the state.
pub const LOCKED: u8 = 4;
/// Done, but IP Office needs a restart for some changes.
pub const RESTART_NEEDED: u8 = 5;

/// The exit code a finished run earns: failure, held back, IP Office needs a restart, or
/// done (the first that applies). `alarm_on_skipped`: people left out for their own data
/// count as held back too.
pub(crate) fn for_run(run: &RunResult, alarm_on_skipped: bool) -> u8 {
    let failed = run.report.as_ref().is_some_and(|r| r.summary.failed > 0);
    let restart = run.report.as_ref().is_some_and(|r| r.needs_restart());
    let plan = &run.plan;
    let guard = plan.held_removals.is_some()
        || plan.licenses.iter().any(|l| l.dropped > 0)
        || plan.system_directory.as_ref().is_some_and(|d| d.is_held())
        || plan.people.iter().any(held_by_a_guard);
    let skipped = alarm_on_skipped && plan.people.iter().any(left_out);
    if failed {
        FAILURE
    } else if guard || skipped {
        HELD
    } else if restart {
        RESTART_NEEDED
    } else {
        OK
    }
}

/// The exit code of `explain`: about that one person alone.
pub(crate) fn for_person(person: &PersonPlan, alarm_on_skipped: bool) -> u8 {
    if held_by_a_guard(person) || (alarm_on_skipped && left_out(person)) {
        HELD
    } else {
        OK
    }
}

/// Whether a safety guard holds back a write for this person (the sync would make it
/// otherwise): not their own data, but a limit someone must look at.
fn held_by_a_guard(person: &PersonPlan) -> bool {
    person.reasons.iter().any(|r| {
        matches!(
            r,
            Reason::RemovalHeld
                | Reason::LicenseShortfall { .. }
                | Reason::DirectoryFull { .. }
                | Reason::Capacity { .. }
        )
    })
}

/// Whether the person is left out for a reason of their own (not only warned about).
fn left_out(person: &PersonPlan) -> bool {
    person.status == PersonStatus::Skipped && person.reasons.iter().any(|r| !r.is_warning())
}
