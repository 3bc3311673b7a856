//! What a run tells its observers: progress phases and advances, and the transport figures
//! (requests, retries, throttling, re-logins, waits) the report carries.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use ipo_model::{
    AzureAdSource, AzureAdUser, ChangeOutcome, DeltaCursor, DeltaOutcome, GroupId, IpoChange,
    IpoConfigStore, IpoSnapshot, MemoryAzureAd, MemoryIpo, ObjectId, PortError, TransportStats,
    UserType,
};
use sync_engine::{
    ActionKind, GroupRule, MemoryStateStore, Phase, Progress, ProvisioningRule, Report, RunOptions,
    RunSummary, RunTransport, StateStore, Style, SyncConfig, SyncEngine, render_report,
};

use crate::common::*;

/// One call the engine made on its observer.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    Phase(Phase, Option<usize>),
    Advance(usize),
    Finish,
}

/// Records every call.
#[derive(Default)]
struct Recorder(Mutex<Vec<Event>>);

impl Progress for Recorder {
    fn phase(&self, phase: Phase, total: Option<usize>) {
        self.0.lock().unwrap().push(Event::Phase(phase, total));
    }
    fn advance(&self, n: usize) {
        self.0.lock().unwrap().push(Event::Advance(n));
    }
    fn finish(&self) {
        self.0.lock().unwrap().push(Event::Finish);
    }
}

impl Recorder {
    fn take(&self) -> Vec<Event> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// The phases announced, in order.
fn phases(events: &[Event]) -> Vec<(Phase, Option<usize>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Phase(p, t) => Some((*p, *t)),
            _ => None,
        })
        .collect()
}

/// The sum of the advances made while `phase` was the current one.
fn advanced_in(events: &[Event], phase: Phase) -> usize {
    let mut current = None;
    let mut sum = 0;
    for e in events {
        match e {
            Event::Phase(p, _) => current = Some(*p),
            Event::Advance(n) if current == Some(phase) => sum += n,
            _ => {}
        }
    }
    sum
}

/// Two groups, people with and without an Azure AD extension, extension records created
/// from a provisioning rule.
fn world() -> (World, SyncConfig, Vec<(GroupId, AzureAdUser)>) {
    let (g1, g2) = (gid(1), gid(2));
    let mut r1 = GroupRule::new(g1.clone(), UserType::IpOfficeOnly);
    r1.provisioning_rule = Some("desk".into());
    let mut cfg = SyncConfig::new(vec![r1, GroupRule::new(g2.clone(), UserType::IpOfficeOnly)]);
    let mut desk = ProvisioningRule::new("desk");
    desk.start_extension = Some(ext("200"));
    desk.end_extension = Some(ext("299"));
    cfg.provisioning_rules = vec![desk];
    let w = World::new(cfg.clone(), server());
    let people: Vec<(GroupId, AzureAdUser)> = (1..=6)
        .map(|n| {
            let p = person(n, &format!("p{n}"));
            if n % 2 == 0 {
                (g1.clone(), p)
            } else {
                (g2.clone(), with_ext(p, &format!("4{n:02}")))
            }
        })
        .collect();
    for (g, p) in &people {
        w.join(g, p);
    }
    (w, cfg, people)
}

#[tokio::test]
async fn apply_reports_phases_in_order_and_advances_add_up_to_the_plan() {
    let (w, cfg, _) = world();
    let rec = Arc::new(Recorder::default());
    let engine = SyncEngine::new(cfg, w.dir.clone(), w.ipo.clone(), w.state.clone())
        .with_progress(rec.clone());

    let run = engine.run(&RunOptions::apply()).await.unwrap();
    let events = rec.take();
    let n = run.plan.actions.len();
    assert!(n >= 6, "{:#?}", run.plan.actions);
    assert_eq!(
        phases(&events),
        vec![
            (Phase::ReadDirectory, Some(2)),
            (Phase::ReadIpo, Some(1)),
            (Phase::Plan, None),
            (Phase::Apply, Some(n)),
        ]
    );
    assert_eq!(advanced_in(&events, Phase::ReadDirectory), 2);
    assert_eq!(advanced_in(&events, Phase::ReadIpo), 1);
    assert_eq!(advanced_in(&events, Phase::Plan), 0);
    assert_eq!(advanced_in(&events, Phase::Apply), n);
    // Advances come per batch of writes, so a bar moves more than once.
    let apply_advances = events
        .iter()
        .skip_while(|e| !matches!(e, Event::Phase(Phase::Apply, _)))
        .filter(|e| matches!(e, Event::Advance(_)))
        .count();
    assert!(apply_advances >= 2, "{events:?}");
    assert_eq!(events.last(), Some(&Event::Finish));
    assert_eq!(events.iter().filter(|e| **e == Event::Finish).count(), 1);
    assert_eq!(run.report.unwrap().summary.failed, 0);

    // An empty plan still announces its (empty) apply.
    let again = engine.run(&RunOptions::apply()).await.unwrap();
    assert!(again.plan.is_empty());
    let events = rec.take();
    assert!(events.contains(&Event::Phase(Phase::Apply, Some(0))));
    assert_eq!(advanced_in(&events, Phase::Apply), 0);
}

#[tokio::test]
async fn failed_and_skipped_writes_still_advance_the_bar_to_its_total() {
    let (w, cfg, _) = world();
    // One write goes through, then IP Office stops answering: the second extension fails,
    // so the user waiting for it is not attempted at all.
    w.ipo.set_write_budget(Some(1));
    let rec = Arc::new(Recorder::default());
    let engine = SyncEngine::new(cfg, w.dir.clone(), w.ipo.clone(), w.state.clone())
        .with_progress(rec.clone());
    let run = engine.run(&RunOptions::apply()).await.unwrap();
    let report = run.report.as_ref().unwrap();
    assert!(run.plan.count(ActionKind::CreateExtension) >= 2);
    assert!(report.summary.failed > 0);
    assert!(
        report
            .failures()
            .any(|f| matches!(f.error, Some(PortError::NotAttempted { .. }))),
        "{:#?}",
        report.items
    );
    let events = rec.take();
    assert_eq!(
        advanced_in(&events, Phase::Apply),
        run.plan.actions.len(),
        "{events:?}"
    );
    assert_eq!(events.last(), Some(&Event::Finish));
}

#[tokio::test]
async fn dry_run_has_no_apply_phase_and_a_failed_run_still_finishes() {
    let (w, cfg, _) = world();
    let rec = Arc::new(Recorder::default());
    let engine = SyncEngine::new(cfg.clone(), w.dir.clone(), w.ipo.clone(), w.state.clone())
        .with_progress(rec.clone());
    let run = engine.run(&RunOptions::dry_run()).await.unwrap();
    assert!(!run.plan.actions.is_empty());
    let events = rec.take();
    assert_eq!(
        phases(&events),
        vec![
            (Phase::ReadDirectory, Some(2)),
            (Phase::ReadIpo, Some(1)),
            (Phase::Plan, None),
        ]
    );
    assert_eq!(events.last(), Some(&Event::Finish));

    // A tenant without the rule groups: the read fails, the bar is still cleared.
    let broken = SyncEngine::new(
        cfg,
        Arc::new(MemoryAzureAd::new()),
        w.ipo.clone(),
        Arc::new(MemoryStateStore::new()),
    )
    .with_progress(rec.clone());
    assert!(broken.run(&RunOptions::apply()).await.is_err());
    let events = rec.take();
    assert_eq!(phases(&events), vec![(Phase::ReadDirectory, Some(2))]);
    assert_eq!(events.last(), Some(&Event::Finish));
    assert_eq!(events.iter().filter(|e| **e == Event::Finish).count(), 1);
}

#[tokio::test]
async fn incremental_read_announces_no_total_and_advances_per_change_set_and_group() {
    let (w, cfg, _) = world();
    let rec = Arc::new(Recorder::default());
    let engine = SyncEngine::new(cfg, w.dir.clone(), w.ipo.clone(), w.state.clone())
        .with_progress(rec.clone());
    engine.run(&RunOptions::apply()).await.unwrap();
    rec.take();
    w.join(&gid(1), &person(40, "newbie"));
    let run = engine
        .run(&RunOptions::apply().incremental())
        .await
        .unwrap();
    assert!(run.incremental);
    let events = rec.take();
    assert_eq!(phases(&events)[0], (Phase::ReadDirectory, None));
    // The change set, then group 1 read again.
    assert_eq!(advanced_in(&events, Phase::ReadDirectory), 2, "{events:?}");
    assert_eq!(advanced_in(&events, Phase::Apply), run.plan.actions.len());
    assert_eq!(run.plan.count(ActionKind::CreateUser), 1);
}

/// A reading with the given figures.
fn stats(requests: u64, retries: u64, throttled: u64, relogins: u64, ms: u64) -> TransportStats {
    let mut s = TransportStats::default();
    s.requests = requests;
    s.retries = retries;
    s.throttled = throttled;
    s.relogins = relogins;
    s.waited = Duration::from_millis(ms);
    s
}

/// A directory whose transport counts: each group read costs 2 requests, one of them a
/// retry after a 429 and a 250 ms wait; a cursor costs 1 request.
struct MeteredDirectory {
    inner: Arc<MemoryAzureAd>,
    counters: Mutex<TransportStats>,
}

impl MeteredDirectory {
    fn add(&self, s: TransportStats) {
        let mut c = self.counters.lock().unwrap();
        *c = *c + s;
    }
}

#[async_trait]
impl AzureAdSource for MeteredDirectory {
    async fn group_members(&self, group: &GroupId) -> Result<Vec<AzureAdUser>, PortError> {
        self.add(stats(2, 1, 1, 0, 250));
        self.inner.group_members(group).await
    }
    async fn all_users(&self) -> Result<Vec<AzureAdUser>, PortError> {
        self.inner.all_users().await
    }
    async fn user(&self, id: &ObjectId) -> Result<Option<AzureAdUser>, PortError> {
        self.inner.user(id).await
    }
    async fn latest_cursor(&self, groups: &[GroupId]) -> Result<DeltaCursor, PortError> {
        self.add(stats(1, 0, 0, 0, 0));
        self.inner.latest_cursor(groups).await
    }
    async fn changes(
        &self,
        groups: &[GroupId],
        cursor: &DeltaCursor,
    ) -> Result<DeltaOutcome, PortError> {
        self.inner.changes(groups, cursor).await
    }
    fn transport(&self) -> TransportStats {
        *self.counters.lock().unwrap()
    }
}

/// An IP Office whose transport counts: a snapshot costs 5 requests; each apply call one
/// request per change plus a re-login (and its request) after 100 ms of waiting.
struct MeteredIpo {
    inner: Arc<MemoryIpo>,
    counters: Mutex<TransportStats>,
    apply_calls: Mutex<u64>,
}

#[async_trait]
impl IpoConfigStore for MeteredIpo {
    async fn snapshot(&self) -> Result<IpoSnapshot, PortError> {
        {
            let mut c = self.counters.lock().unwrap();
            *c = *c + stats(5, 0, 0, 0, 0);
        }
        self.inner.snapshot().await
    }
    async fn apply(&self, changes: Vec<IpoChange>) -> Vec<ChangeOutcome> {
        {
            let mut c = self.counters.lock().unwrap();
            *c = *c + stats(changes.len() as u64 + 1, 1, 0, 1, 100);
            *self.apply_calls.lock().unwrap() += 1;
        }
        self.inner.apply(changes).await
    }
    fn transport(&self) -> TransportStats {
        *self.counters.lock().unwrap()
    }
}

#[tokio::test]
async fn report_counts_only_this_runs_requests_retries_throttling_relogins_and_waits() {
    let (w, cfg, _) = world();
    // Counters that already ran before this engine saw them: only the difference counts.
    let dir = Arc::new(MeteredDirectory {
        inner: w.dir.clone(),
        counters: Mutex::new(stats(1000, 40, 30, 0, 60_000)),
    });
    let ipo = Arc::new(MeteredIpo {
        inner: w.ipo.clone(),
        counters: Mutex::new(stats(500, 7, 0, 3, 9_000)),
        apply_calls: Mutex::new(0),
    });
    let engine = SyncEngine::new(cfg, dir.clone(), ipo.clone(), w.state.clone());

    let dry = engine.run(&RunOptions::dry_run()).await.unwrap();
    assert_eq!(dry.transport.azure_ad, stats(5, 2, 2, 0, 500));
    assert_eq!(dry.transport.ipo, stats(5, 0, 0, 0, 0));

    let run = engine.run(&RunOptions::apply()).await.unwrap();
    let report = run.report.as_ref().unwrap();
    let calls = *ipo.apply_calls.lock().unwrap();
    assert!(calls >= 2, "one apply call per kind of write");
    let writes = run.plan.actions.len() as u64;
    assert_eq!(report.summary.failed, 0);
    let t = report.transport();
    assert_eq!(t.azure_ad, stats(5, 2, 2, 0, 500));
    assert_eq!(
        t.ipo,
        stats(5 + writes + calls, calls, 0, calls, 100 * calls)
    );
    assert_eq!(run.transport, *t);
    assert_eq!(t.total().requests, 10 + writes + calls);
    assert_eq!(t.total().waited, Duration::from_millis(500 + 100 * calls));
    // The state keeps the figures with the last run.
    let saved = w.state.load().unwrap().last_run.unwrap();
    assert_eq!(saved.transport, *t);

    // The rendered report has one line with every figure.
    let text = render_report(report, Style::default());
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("Transport:"))
        .collect();
    assert_eq!(lines.len(), 1, "{text}");
    let expected = format!(
        "Transport: {} requests (Azure AD 5, IP Office {}), {} retries, 2 throttled, {} re-logins, waited {:.2} s",
        10 + writes + calls,
        5 + writes + calls,
        2 + calls,
        calls,
        (500 + 100 * calls) as f64 / 1000.0
    );
    assert_eq!(lines[0], expected);
}

#[tokio::test]
async fn edges_without_a_transport_report_zeros() {
    let (w, _, _) = world();
    let run = w.run(&RunOptions::apply()).await;
    let report = run.report.unwrap();
    assert_eq!(*report.transport(), RunTransport::default());
    assert!(report.transport().total().is_zero());
    assert!(
        render_report(&report, Style::default()).contains(
            "Transport: 0 requests (Azure AD 0, IP Office 0), 0 retries, 0 throttled, 0 re-logins, waited 0.00 s"
        )
    );
}

#[test]
fn transport_figures_round_trip_and_old_state_files_still_load() {
    let mut report = Report::default();
    report.summary.transport = RunTransport::new(stats(3, 1, 1, 0, 1500), stats(9, 2, 0, 1, 20));
    let json = serde_json::to_string(&report).unwrap();
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["summary"]["transport"]["azure_ad"]["throttled"], 1);
    assert_eq!(v["summary"]["transport"]["ipo"]["relogins"], 1);
    // Figures saved when Azure AD's were called the directory's still load.
    let older = json.replace("\"azure_ad\"", "\"directory\"");
    let back: Report = serde_json::from_str(&older).unwrap();
    assert_eq!(back, report);

    // A summary saved before the figures existed.
    let old = r#"{"started":null,"incremental":false,"full_resync_reason":null,
        "people":4,"planned":2,"succeeded":2,"failed":0,"held_removals":0}"#;
    let s: RunSummary = serde_json::from_str(old).unwrap();
    assert_eq!(s.people, 4);
    assert_eq!((s.planned, s.succeeded, s.failed), (2, 2, 0));
    assert_eq!(s.transport, RunTransport::default());
    // ... and before the halves were counted apart.
    assert_eq!((s.ipo, s.teams), Default::default());
}
