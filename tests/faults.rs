//! Faults against the emulators, through the real clients: throttling, outages, expiring
//! sessions, dropped connections, malformed bodies, an emptied group and expired delta tokens.
//! Every run must end in the state the same sync reaches without faults, field for field,
//! with nothing created twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ipo_model::PortError;
use support::convergence::assert_nothing_left_to_do;
use support::ipo_state::{IpoState, Orphans, reference_run};
use support::*;
use sync_engine::{
    ActionKind, FileStateStore, MemoryStateStore, RemovalPolicy, RunOptions, SyncError,
};
use tokio::sync::OnceCell;

/// The IP Office state of `lab`, checked for names and numbers present twice (an extension
/// record without a user is not an error here: the crash test checks for orphans).
fn ipo_state(lab: &Lab) -> IpoState {
    support::ipo_state::ipo_state(lab, Orphans::Allowed)
}

const BIG: u32 = 2000;

/// An IP Office big enough for `BIG` people (Server Edition: 2,000 users).
fn big_ipo() -> ipo_emulator::EmulatorConfig {
    ipo_emulator_config().platform(ipo_model::Platform::ServerEdition)
}

/// The state a fault-free full sync of `people(BIG)` reaches (computed once).
async fn big_reference() -> &'static IpoState {
    static REF: OnceCell<IpoState> = OnceCell::const_new();
    REF.get_or_init(|| async {
        let t = Instant::now();
        let lab = Lab::start(&people(BIG), big_ipo(), |g| g, |_| {}).await;
        let (_, state) = reference_run(&lab, Orphans::Allowed).await;
        eprintln!(
            "[faults/reference] {BIG} people, fault-free full sync in {:.2?}",
            t.elapsed()
        );
        state
    })
    .await
}

/// The state a fault-free full sync of `people` reaches.
async fn reference_of(people: &[(ipo_model::AzureAdUser, &str)]) -> IpoState {
    reference_run(&Lab::simple(people).await, Orphans::Allowed)
        .await
        .1
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Graph retries: many attempts, a backoff of a few milliseconds.
fn quick_graph_retry() -> graph_client::RetryPolicy {
    graph_client::RetryPolicy::default()
        .with_max_attempts(12)
        .with_base_delay(ms(2))
        .with_max_delay(ms(20))
        .with_request_timeout(Duration::from_secs(20))
}

/// IP Office retries: many, with tiny delays.
fn quick_ipo_retry(max_retries: u32) -> ipo_client::RetryPolicy {
    ipo_client::RetryPolicy::default()
        .with_max_attempts(max_retries + 1)
        .with_base_delay(std::time::Duration::from_millis(2))
        .with_max_delay(std::time::Duration::from_millis(50))
        .with_request_timeout(std::time::Duration::from_secs(10))
}

fn users_path() -> String {
    format!("{}users", ipo_emulator::ADMIN_PREFIX)
}

fn extensions_path() -> String {
    format!("{}extensions", ipo_emulator::ADMIN_PREFIX)
}

/// The heavy-weather full sync: `graph_retry_after` is what Graph's 429/503 say.
async fn full_sync_under_faults(variant: &str, graph_retry_after: Option<Duration>) {
    let reference = big_reference().await;
    let people = people(BIG);
    let lab = Lab::start(
        &people,
        big_ipo(),
        |g| g.with_retry(quick_graph_retry()),
        |c| {
            c.retry = quick_ipo_retry(10);
            // Smaller batches than the default 50: more writes, more chances to fault.
            c.batch_size = 25;
        },
    )
    .await;
    // Small pages: more Graph requests, more chances to fault.
    lab.graph.set_page_size(50);
    lab.graph.faults().reseed(7);
    if graph_retry_after.is_some() {
        // Once, a real one-second Retry-After, to show it is honoured.
        lab.graph.faults().add(
            graph_emulator::FaultRule::new("/v1.0/groups")
                .throttle(1.0, Some(Duration::from_secs(1)))
                .times(1),
        );
    }
    lab.graph.faults().add(
        graph_emulator::FaultRule::new("/v1.0")
            .throttle(0.20, graph_retry_after)
            .unavailable(0.05),
    );
    lab.ipo.faults().reseed(11);
    lab.ipo.faults().expire_sessions_every(Some(7));
    lab.ipo.faults().add(
        ipo_emulator::FaultRule::new(ipo_emulator::ADMIN_PREFIX)
            .method("POST")
            .unavailable(0.15, graph_retry_after),
    );
    lab.ipo.faults().add(
        ipo_emulator::FaultRule::new(ipo_emulator::ADMIN_PREFIX)
            .method("PUT")
            .unavailable(0.15, None),
    );
    let state = Arc::new(FileStateStore::new(lab.workdir.path().join("state.json")));
    let engine = lab.engine(config(), state);

    let started = Instant::now();
    let run = engine.run(&RunOptions::apply()).await.unwrap();
    let elapsed = started.elapsed();
    let report = run.report.unwrap();
    assert_eq!(
        report.summary.failed,
        0,
        "{:#?}",
        report.failures().take(5).collect::<Vec<_>>()
    );

    let g = lab.graph_client.stats();
    let i = lab.ipo_client.stats();
    let ge = lab.graph.stats();
    let ie = lab.ipo.stats();
    eprintln!(
        "[faults/{variant}] {} people, {} actions applied in {:.2?}",
        BIG,
        report.items.len(),
        elapsed
    );
    eprintln!(
        "[faults/{variant}] Graph: {} requests, {} throttled (429), {} unavailable (503) \
         injected; client: {} retries, {} throttled seen, waited {:.2?}",
        g.requests, ge.throttled, ge.unavailable, g.retries, g.throttled, g.waited
    );
    eprintln!(
        "[faults/{variant}] IP Office: {} requests, {} faults injected (503) + session \
         expiry every 7 requests, {} logins; client: {} retries, {} relogins, waited {:.2?}; \
         {} records written",
        i.requests,
        ie.faults_injected,
        ie.logins,
        i.retries,
        i.relogins,
        i.waited,
        ie.records_written
    );
    assert!(ge.throttled > 0 && ge.unavailable > 0, "{ge:?}");
    assert!(
        g.retries >= ge.throttled + ge.unavailable,
        "{g:?} vs {ge:?}"
    );
    assert!(g.throttled >= ge.throttled, "{g:?} vs {ge:?}");
    assert!(ie.faults_injected > 0, "{ie:?}");
    assert!(i.retries > 0 && i.relogins > 0, "{i:?}");
    // The engine's report counts the same retries and waits.
    let t = report.summary.transport;
    eprintln!("[faults/{variant}] report.summary.transport: {t:?}");
    assert!(
        t.azure_ad.retries > 0 && t.azure_ad.retries <= g.retries,
        "{t:?}"
    );
    assert!(t.azure_ad.throttled > 0, "{t:?}");
    assert!(t.ipo.retries > 0 && t.ipo.relogins > 0, "{t:?}");
    assert_eq!(t.azure_ad.waited, g.waited, "{t:?}");
    if graph_retry_after.is_some() {
        assert!(
            g.waited >= Duration::from_secs(1),
            "Retry-After: 1 honoured: {g:?}"
        );
    } else {
        assert!(
            g.waited > Duration::ZERO,
            "backoff without Retry-After waits: {g:?}"
        );
        assert!(
            i.waited > Duration::ZERO,
            "503 without Retry-After waits: {i:?}"
        );
    }

    // Field for field what the fault-free sync reaches; nothing created twice.
    lab.graph.faults().clear();
    lab.ipo.faults().clear();
    let actual = ipo_state(&lab);
    actual.assert_same_as(reference, &format!("faults/{variant}"));
    let creates = report
        .items
        .iter()
        .filter(|i| matches!(i.kind, ActionKind::CreateUser | ActionKind::CreateExtension))
        .count();
    assert_eq!(
        creates,
        actual.users.len() - 1 + actual.extensions.len(),
        "one create per user (NoUser aside) and extension"
    );
    assert_eq!(
        ie.records_written as usize, creates,
        "IP Office wrote each record once, retries included"
    );
    assert_nothing_left_to_do(&engine, &format!("faults/{variant}")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_graph_with_retry_after_and_expiring_ipo_sessions_reach_the_fault_free_state() {
    full_sync_under_faults("retry-after-0", Some(Duration::ZERO)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_graph_without_retry_after_backs_off_and_reaches_the_fault_free_state() {
    full_sync_under_faults("backoff", None).await;
}

/// Report items that failed, by kind.
fn failures_by_kind(report: &sync_engine::Report) -> BTreeMap<ActionKind, usize> {
    let mut m = BTreeMap::new();
    for f in report.failures() {
        *m.entry(f.kind).or_insert(0) += 1;
    }
    m
}

const SMALL: u32 = 120;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_and_malformed_ip_office_writes_fail_only_their_items_and_the_next_run_finishes() {
    let people = people(SMALL);
    let reference = reference_of(&people).await;
    let lab = Lab::start(
        &people,
        ipo_emulator_config(),
        |g| g,
        |c| {
            c.retry = quick_ipo_retry(1);
            c.batch_size = 10;
        },
    )
    .await;
    // The first extensions batch: its connection drops (the emulator drops before writing),
    // and a create that may have been carried out is not resent. The first users batch:
    // written, but its answer is cut in half, so the client cannot tell what happened.
    lab.ipo.faults().add(
        ipo_emulator::FaultRule::new(extensions_path())
            .method("POST")
            .drop_connection(1.0)
            .times(1),
    );
    lab.ipo.faults().add(
        ipo_emulator::FaultRule::new(users_path())
            .method("POST")
            .malformed(1.0)
            .times(1),
    );
    let state = Arc::new(FileStateStore::new(lab.workdir.path().join("state.json")));
    let engine = lab.engine(config(), state.clone());

    let first = engine.run(&RunOptions::apply()).await.unwrap();
    let report = first.report.unwrap();
    let failed = failures_by_kind(&report);
    eprintln!(
        "[faults/write-drops] {} actions, failures by kind: {failed:?}",
        report.items.len()
    );
    assert_eq!(
        failed,
        BTreeMap::from([
            (ActionKind::CreateExtension, 10),
            (ActionKind::CreateUser, 20)
        ]),
        "{:#?}",
        report.failures().collect::<Vec<_>>()
    );
    for f in report.failures() {
        let e = f.error.as_ref().unwrap();
        let msg = e.to_string();
        match (f.kind, e) {
            (ActionKind::CreateExtension, PortError::Unavailable { .. }) => {
                assert!(
                    msg.contains("may or may not have been carried out"),
                    "{msg}"
                );
            }
            (ActionKind::CreateUser, PortError::NotAttempted { reason, .. }) => {
                assert!(reason.contains("could not be created"), "{msg}");
            }
            (ActionKind::CreateUser, PortError::Other(_)) => {
                assert!(
                    msg.to_lowercase().contains("malformed") || msg.contains("parse"),
                    "{msg}"
                );
            }
            other => panic!("unexpected failure {other:?}: {msg}"),
        }
        assert!(!f.record.name.is_empty() && f.person.is_some(), "{f:?}");
    }
    assert_eq!(report.summary.succeeded, report.items.len() - 30);
    // The rendered report names every failed record with its error.
    let rendered = sync_engine::render_report(&report, sync_engine::Style::default());
    eprintln!("[faults/write-drops] report:\n{rendered}");
    for f in report.failures() {
        assert!(
            rendered.contains(&f.record.to_string()),
            "{} missing from the report",
            f.record
        );
    }
    // The malformed answer hid ten users that do exist: nothing more, nothing less.
    let ipo_users = lab.ipo.users().len() - 1;
    let created_ok = report
        .items
        .iter()
        .filter(|i| i.kind == ActionKind::CreateUser && i.ok())
        .count();
    assert_eq!(ipo_users, created_ok + 10);

    // A second run without faults finishes the job, adopting the ten hidden users.
    let second = engine.run(&RunOptions::apply()).await.unwrap();
    let report2 = second.report.unwrap();
    assert_eq!(
        report2.summary.failed,
        0,
        "{:#?}",
        report2.failures().collect::<Vec<_>>()
    );
    assert_eq!(second.plan.count(ActionKind::CreateExtension), 10);
    assert_eq!(second.plan.count(ActionKind::CreateUser), 10);
    ipo_state(&lab).assert_same_as(&reference, "faults/write-drops, second run");
    assert_nothing_left_to_do(&engine, "faults/write-drops, after the second run").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_and_malformed_graph_reads_fail_the_run_cleanly_and_the_next_run_finishes() {
    let people = people(SMALL);
    let reference = reference_of(&people).await;
    let lab = Lab::start(
        &people,
        ipo_emulator_config(),
        |g| {
            g.with_retry(
                graph_client::RetryPolicy::default()
                    .with_max_attempts(3)
                    .with_base_delay(ms(2)),
            )
        },
        |c| c.retry = quick_ipo_retry(2),
    )
    .await;
    lab.graph.set_page_size(20);
    let state_path = lab.workdir.path().join("state.json");
    let engine = lab.engine(config(), Arc::new(FileStateStore::new(&state_path)));
    // The second group's member list, mid-read: every attempt dropped.
    let second_group = format!("/v1.0/groups/{GROUP_TEAMS_IPO}");
    lab.graph.faults().add(
        graph_emulator::FaultRule::new(second_group.clone())
            .drop_connection(1.0)
            .times(3),
    );
    let err = engine.run(&RunOptions::apply()).await.unwrap_err();
    eprintln!("[faults/graph-drop] {err}");
    match &err {
        SyncError::Directory(PortError::Unavailable { service, .. }) => {
            assert_eq!(service, "Microsoft Graph");
        }
        other => panic!("expected the directory to be unavailable, got {other:?}"),
    }
    // A page of members cut in half: a decode error naming the answer, not a panic.
    lab.graph.faults().clear();
    lab.graph.faults().add(
        graph_emulator::FaultRule::new(second_group)
            .method("GET")
            .malformed(1.0)
            .times(1),
    );
    let err = engine.run(&RunOptions::apply()).await.unwrap_err();
    eprintln!("[faults/graph-malformed] {err}");
    match &err {
        SyncError::Directory(PortError::InvalidData { field, message, .. }) => {
            assert_eq!(field, "body");
            assert!(message.contains("cannot decode"), "{message}");
        }
        other => panic!("expected undecodable directory data, got {other:?}"),
    }
    let e = lab.graph.stats();
    assert_eq!((e.dropped, e.malformed), (3, 1), "{e:?}");
    // Nothing was written to IP Office and no state saved by the failed runs.
    assert_eq!(lab.ipo.stats().write_requests, 0);
    assert!(!state_path.exists());

    lab.graph.faults().clear();
    let run = engine.run(&RunOptions::apply()).await.unwrap();
    assert_eq!(run.report.unwrap().summary.failed, 0);
    ipo_state(&lab).assert_same_as(&reference, "faults/graph-reads, run after the faults");
    assert_nothing_left_to_do(&engine, "faults/graph-reads, after the faults").await;
}

async fn emptied_group_holds_removals(removal: RemovalPolicy) {
    let people = people(SMALL);
    let lab = Lab::simple(&people).await;
    let mut cfg = config();
    cfg.safety.removal = removal;
    let engine = lab.engine(cfg, Arc::new(MemoryStateStore::new()));
    let first = engine.run(&RunOptions::apply()).await.unwrap();
    assert_eq!(first.report.unwrap().summary.failed, 0);
    let before = ipo_state(&lab);

    // By mistake, the IP Office group loses every member.
    let emptied: Vec<_> = people.iter().filter(|(_, g)| *g == GROUP_IPO).collect();
    for (u, g) in &emptied {
        lab.graph.remove_member(*g, u.id.as_str()).unwrap();
    }
    let held = engine.run(&RunOptions::apply()).await.unwrap();
    let h = held.plan.held_removals.clone().expect("removals held");
    assert_eq!(h.count, emptied.len());
    assert!(h.count > h.threshold);
    let message = h.message();
    eprintln!("[faults/threshold {removal:?}] {message}");
    assert!(message.contains("deletion threshold"), "{message}");
    assert!(message.contains("removals allowed"), "{message}");
    assert!(held.plan.notes.contains(&message));
    let rendered = sync_engine::render_plan(&held.plan, sync_engine::Style::default());
    assert!(rendered.contains("threshold"), "{rendered}");
    assert!(
        held.plan
            .actions
            .iter()
            .all(|a| !sync_engine::is_destructive(a.kind) && !a.kind.is_removal())
    );
    let report = held.report.unwrap();
    assert_eq!(report.summary.held_removals, emptied.len());
    assert_eq!(ipo_state(&lab), before, "nothing removed or changed");

    // Allowed explicitly, the removals happen.
    let allowed = engine
        .run(&RunOptions::apply().allow_removals())
        .await
        .unwrap();
    assert!(allowed.plan.held_removals.is_none());
    assert_eq!(allowed.report.unwrap().summary.failed, 0);
    let after = ipo_state(&lab);
    for (u, _) in &emptied {
        let name = u.mail_nickname.clone().unwrap();
        match removal {
            RemovalPolicy::Delete => {
                assert!(!after.users.contains_key(&name), "{name} still there");
            }
            RemovalPolicy::Disable => {
                let v = &after.users[&name];
                assert!(v.contains("profile=NonLicensed"), "{name}: {v}");
            }
            _ => unreachable!(),
        }
    }
    let remaining = people.len() - emptied.len();
    let kept = after.users.keys().filter(|n| n.starts_with("user")).count();
    match removal {
        RemovalPolicy::Delete => {
            // Teams-only people have no IP Office user.
            assert_eq!(
                kept,
                remaining
                    - people
                        .iter()
                        .filter(|(_, g)| *g == GROUP_TEAMS_ONLY)
                        .count()
            );
            assert_eq!(after.extensions.len(), kept);
        }
        _ => assert_eq!(after.users, {
            let mut b = before.users.clone();
            for (u, _) in &emptied {
                let n = u.mail_nickname.clone().unwrap();
                b.insert(n.clone(), after.users[&n].clone());
            }
            b
        }),
    }
    assert_nothing_left_to_do(&engine, &format!("faults/threshold {removal:?}")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emptied_group_trips_the_deletion_threshold_with_delete_policy() {
    emptied_group_holds_removals(RemovalPolicy::Delete).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emptied_group_trips_the_deletion_threshold_with_disable_policy() {
    emptied_group_holds_removals(RemovalPolicy::Disable).await;
}

/// Applies, changes the tenant, optionally expires the delta tokens, runs incrementally.
async fn incremental_after_changes(expire: bool) -> (Lab, sync_engine::RunResult) {
    let people = people(60);
    let lab = Lab::simple(&people).await;
    let engine = lab.engine(
        config(),
        Arc::new(FileStateStore::new(lab.workdir.path().join("state.json"))),
    );
    let first = engine
        .run(&RunOptions::apply().incremental())
        .await
        .unwrap();
    assert_eq!(first.report.unwrap().summary.failed, 0);
    // Tenant changes: a newcomer, a rename, a leaver.
    let newcomer = person(60);
    lab.graph.add_user(newcomer.clone()).unwrap();
    lab.graph
        .add_member(GROUP_IPO, newcomer.id.as_str())
        .unwrap();
    lab.graph
        .update_user(person_id(0).as_str(), |u| {
            u.display_name = Some("Renamed Person".into());
        })
        .unwrap();
    lab.graph
        .remove_member(GROUP_IPO, person_id(1).as_str())
        .unwrap();
    if expire {
        lab.graph.expire_delta_tokens();
    }
    let run = engine
        .run(&RunOptions::apply().incremental())
        .await
        .unwrap();
    assert_eq!(run.report.as_ref().unwrap().summary.failed, 0);
    assert_nothing_left_to_do(&engine, &format!("faults/delta (expired tokens: {expire})")).await;
    (lab, run)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_delta_token_makes_the_next_run_resync_in_full_and_reach_the_right_state() {
    let (expired, run) = incremental_after_changes(true).await;
    let reason = run
        .full_resync_reason
        .clone()
        .expect("a full resync reason");
    eprintln!("[faults/delta-expiry] full resync because: {reason}");
    assert!(!run.incremental);
    assert_eq!(
        run.report
            .as_ref()
            .unwrap()
            .summary
            .full_resync_reason
            .as_deref(),
        Some(reason.as_str())
    );
    // The same changes read through a live delta token give the same IP Office state.
    let (live, live_run) = incremental_after_changes(false).await;
    assert!(live_run.incremental && live_run.full_resync_reason.is_none());
    let state = ipo_state(&expired);
    state.assert_same_as(
        &ipo_state(&live),
        "faults/delta-expiry, against the live token",
    );
    assert!(state.users.contains_key("user00060"));
    assert!(
        state.users["user00000"].contains("Renamed Person"),
        "{}",
        state.users["user00000"]
    );
    assert!(
        state.users["user00001"].contains("profile=NonLicensed"),
        "{}",
        state.users["user00001"]
    );
}
