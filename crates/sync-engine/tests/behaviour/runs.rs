//! Whole runs: dry runs, convergence, incremental reads, crash safety.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use ipo_model::{
    AzureAdSource, AzureAdUser, DeltaCursor, DeltaOutcome, GroupId, HuntGroup, IpoSnapshot,
    MemoryAzureAd, ObjectId, PortError, Profile, UserType,
};
use sync_engine::{
    ActionKind, FieldMap, GroupRule, MemoryStateStore, Phase, Progress, ProvisioningRule,
    RunOptions, StateError, StateStore, SyncConfig, SyncEngine, SyncState, UserTemplate,
};

use crate::common::*;

/// Every user type, allocated and Azure AD extensions, hunt groups, a voice routing policy,
/// an unowned user whose name a person also wants.
fn rich_world_parts() -> (SyncConfig, IpoSnapshot, Vec<(GroupId, AzureAdUser)>) {
    let (phones, teams, both) = (gid(1), gid(2), gid(3));
    let mut r_phones = GroupRule::new(phones.clone(), UserType::IpOfficeOnly);
    r_phones.provisioning_rule = Some("desk".into());
    let mut r_both = GroupRule::new(both.clone(), UserType::TeamsAndIpOffice);
    r_both.provisioning_rule = Some("teams".into());
    r_both.teams.voice_routing_policy = Some("UK".into());
    let mut cfg = SyncConfig::new(vec![
        r_phones,
        GroupRule::new(teams.clone(), UserType::TeamsOnly),
        r_both,
    ]);
    cfg.fields.hunt_groups = Some(FieldMap::always("extensionAttribute1"));
    let mut desk = ProvisioningRule::new("desk");
    desk.start_extension = Some(ext("200"));
    desk.end_extension = Some(ext("249"));
    let mut teams_rule = ProvisioningRule::new("teams");
    teams_rule.start_extension = Some(ext("250"));
    teams_rule.end_extension = Some(ext("299"));
    teams_rule.user_template = Some("teams-user".into());
    cfg.provisioning_rules = vec![desk, teams_rule];
    let mut tpl = UserTemplate::default();
    tpl.profile = Some(Profile::OfficeWorker);
    tpl.teams_client = Some(true);
    cfg.user_templates.insert("teams-user".into(), tpl);

    let mut s = server();
    s.users.push(ipo_user("legacy", Some("300")));
    let mut sales = HuntGroup::new("Sales".parse().unwrap(), Some(ext("600")));
    sales.members = vec![ext("300")];
    s.hunt_groups.push(sales);

    let sales_member = |mut u: AzureAdUser| {
        u.extension_attributes.set(1, Some("Sales".into()));
        u
    };
    let mut gus = with_voice(person(8, "gus"));
    gus.business_phones = vec!["+441632760008".into()];
    let people = vec![
        (
            phones.clone(),
            sales_member(with_ext(person(1, "ann"), "401")),
        ),
        (phones.clone(), person(2, "bob")),
        (phones.clone(), sales_member(person(3, "carl"))),
        (
            teams.clone(),
            with_voice(with_ext(person(4, "dora"), "501")),
        ),
        (
            both.clone(),
            sales_member(with_voice(with_ext(person(5, "eve"), "403"))),
        ),
        (both.clone(), with_voice(with_ext(person(6, "fay"), "402"))),
        (phones.clone(), person(7, "legacy")),
        (teams.clone(), gus),
    ];
    (cfg, s, people)
}

fn rich_world() -> World {
    let (cfg, s, people) = rich_world_parts();
    let w = World::new(cfg, s);
    for (g, p) in &people {
        w.join(g, p);
    }
    w
}

/// What must be equal between two end states.
#[derive(Debug, PartialEq)]
struct EndState {
    users: BTreeSet<(String, Option<String>)>,
    extensions: BTreeSet<String>,
    directory: BTreeSet<String>,
    hunt_members: BTreeSet<(String, String)>,
}

fn end_state(s: &IpoSnapshot) -> EndState {
    EndState {
        users: users_by_name(s),
        extensions: s.extensions.iter().map(|e| e.number.to_string()).collect(),
        directory: s
            .system_directory
            .iter()
            .map(|d| d.name.to_string())
            .collect(),
        hunt_members: s
            .hunt_groups
            .iter()
            .flat_map(|h| {
                h.members
                    .iter()
                    .map(|m| (h.name.to_string(), m.to_string()))
            })
            .collect(),
    }
}

#[tokio::test]
async fn dry_run_writes_nothing() {
    let w = rich_world();
    let before = w.ipo.current();
    let run = w.run(&RunOptions::dry_run()).await;
    assert!(!run.plan.actions.is_empty());
    assert!(run.report.is_none());
    let run = w.run(&RunOptions::dry_run().allow_removals()).await;
    assert!(!run.plan.actions.is_empty());
    assert_eq!(w.ipo.writes(), 0);
    assert_eq!(w.state.saves(), 0);
    assert_eq!(w.ipo.current(), before);
}

#[tokio::test]
async fn second_plan_after_apply_is_empty() {
    let w = rich_world();
    let first = w.apply_ok().await;
    assert!(first.plan.count(ActionKind::CreateUser) >= 5);
    assert_eq!(first.plan.teams.actions.len(), 2);
    w.run_teams_script(&first.plan);
    let second = w.dry().await;
    assert!(second.is_empty(), "{:#?}", second.actions);
    assert!(!second.has_state_updates());
    assert_no_duplicates(&w.ipo.current());
    // And applying the empty plan writes nothing.
    let writes = w.ipo.writes();
    w.apply_ok().await;
    assert_eq!(w.ipo.writes(), writes);
}

/// Counts which groups were read in full.
struct CountingDirectory {
    inner: Arc<MemoryAzureAd>,
    reads: Mutex<Vec<GroupId>>,
}

#[async_trait]
impl AzureAdSource for CountingDirectory {
    async fn group_members(&self, group: &GroupId) -> Result<Vec<AzureAdUser>, PortError> {
        self.reads.lock().unwrap().push(group.clone());
        self.inner.group_members(group).await
    }
    async fn all_users(&self) -> Result<Vec<AzureAdUser>, PortError> {
        self.inner.all_users().await
    }
    async fn user(&self, id: &ObjectId) -> Result<Option<AzureAdUser>, PortError> {
        self.inner.user(id).await
    }
    async fn latest_cursor(&self, groups: &[GroupId]) -> Result<DeltaCursor, PortError> {
        self.inner.latest_cursor(groups).await
    }
    async fn changes(
        &self,
        groups: &[GroupId],
        cursor: &DeltaCursor,
    ) -> Result<DeltaOutcome, PortError> {
        self.inner.changes(groups, cursor).await
    }
}

#[tokio::test]
async fn incremental_run_picks_up_only_changes() {
    let (g1, g2) = (gid(1), gid(2));
    let cfg = SyncConfig::new(vec![
        GroupRule::new(g1.clone(), UserType::IpOfficeOnly),
        GroupRule::new(g2.clone(), UserType::IpOfficeOnly),
    ]);
    let w = World::new(cfg.clone(), server());
    let ann = with_ext(person(1, "ann"), "401");
    let bob = with_ext(person(2, "bob"), "402");
    let carl = with_ext(person(3, "carl"), "403");
    w.join(&g1, &ann);
    w.join(&g1, &bob);
    w.join(&g2, &carl);
    let counting = Arc::new(CountingDirectory {
        inner: w.dir.clone(),
        reads: Mutex::new(Vec::new()),
    });
    let engine = SyncEngine::new(cfg, counting.clone(), w.ipo.clone(), w.state.clone());
    let first = engine
        .run(&RunOptions::apply().incremental())
        .await
        .unwrap();
    assert!(!first.incremental);
    assert_eq!(
        first.full_resync_reason.as_deref(),
        Some("no saved cursor yet")
    );
    counting.reads.lock().unwrap().clear();

    w.dir
        .modify_user(&ann.id, |u| u.mail = Some("ann.lee@contoso.com".into()));
    let dave = with_ext(person(4, "dave"), "404");
    w.join(&g1, &dave);
    w.leave(&g1, &bob.id);
    let run = engine
        .run(&RunOptions::apply().incremental())
        .await
        .unwrap();
    assert!(run.incremental);
    assert!(run.full_resync_reason.is_none());
    assert_eq!(run.report.as_ref().unwrap().summary.failed, 0);
    assert_eq!(
        *counting.reads.lock().unwrap(),
        vec![g1.clone()],
        "only the changed group"
    );
    let touched: BTreeSet<_> = run
        .plan
        .actions
        .iter()
        .filter_map(|a| a.person.clone())
        .collect();
    assert_eq!(
        touched,
        BTreeSet::from([ann.id.clone(), bob.id.clone(), dave.id.clone()])
    );
    assert_eq!(run.plan.count(ActionKind::UpdateUser), 1);
    assert_eq!(run.plan.count(ActionKind::CreateUser), 1);
    assert_eq!(run.plan.count(ActionKind::DisableUser), 1);
    assert_eq!(
        w.user("ann").unwrap().email.as_deref(),
        Some("ann.lee@contoso.com")
    );
    assert!(w.user("dave").is_some());
    assert_eq!(w.user("bob").unwrap().profile, Profile::NonLicensed);
    assert!(w.user("carl").is_some());

    // A nested group gaining a member is seen too.
    let inner = gid(9);
    w.dir.add_nested_group(&g2, &inner);
    let erin = with_ext(person(5, "erin"), "405");
    w.join(&inner, &erin);
    let run = engine
        .run(&RunOptions::apply().incremental())
        .await
        .unwrap();
    assert!(run.incremental);
    assert_eq!(run.plan.count(ActionKind::CreateUser), 1);
    assert!(w.user("erin").is_some());

    // Nothing left that a full read would find.
    let full = engine.run(&RunOptions::dry_run()).await.unwrap();
    assert!(full.plan.is_empty(), "{:#?}", full.plan.actions);
    let inc = engine
        .run(&RunOptions::dry_run().incremental())
        .await
        .unwrap();
    assert!(inc.incremental);
    assert!(inc.plan.is_empty());
}

/// A source that shares work between groups (as Graph shares its Teams numbers listing):
/// records every `members_of_groups` call, every single-group read, and the progress the
/// engine reports while reading.
struct SharingDirectory {
    inner: Arc<MemoryAzureAd>,
    batches: Mutex<Vec<Vec<GroupId>>>,
    single_reads: Mutex<Vec<GroupId>>,
}

#[async_trait]
impl AzureAdSource for SharingDirectory {
    async fn group_members(&self, group: &GroupId) -> Result<Vec<AzureAdUser>, PortError> {
        self.single_reads.lock().unwrap().push(group.clone());
        self.inner.group_members(group).await
    }
    async fn members_of_groups(
        &self,
        groups: &[GroupId],
        on_group_read: &(dyn for<'g> Fn(&'g GroupId) + Send + Sync),
    ) -> Result<Vec<(GroupId, Vec<AzureAdUser>)>, PortError> {
        self.batches.lock().unwrap().push(groups.to_vec());
        let mut out = Vec::new();
        for g in groups {
            out.push((g.clone(), self.inner.group_members(g).await?));
            on_group_read(g);
        }
        Ok(out)
    }
    async fn all_users(&self) -> Result<Vec<AzureAdUser>, PortError> {
        self.inner.all_users().await
    }
    async fn user(&self, id: &ObjectId) -> Result<Option<AzureAdUser>, PortError> {
        self.inner.user(id).await
    }
    async fn latest_cursor(&self, groups: &[GroupId]) -> Result<DeltaCursor, PortError> {
        self.inner.latest_cursor(groups).await
    }
    async fn changes(
        &self,
        groups: &[GroupId],
        cursor: &DeltaCursor,
    ) -> Result<DeltaOutcome, PortError> {
        self.inner.changes(groups, cursor).await
    }
}

/// Counts the units advanced in the directory-reading phase.
#[derive(Default)]
struct ReadProgress(Mutex<(Option<Phase>, Option<usize>, usize)>);

impl Progress for ReadProgress {
    fn phase(&self, phase: Phase, total: Option<usize>) {
        if phase == Phase::ReadDirectory {
            *self.0.lock().unwrap() = (Some(phase), total, 0);
        } else {
            self.0.lock().unwrap().0 = Some(phase);
        }
    }
    fn advance(&self, n: usize) {
        let mut p = self.0.lock().unwrap();
        if p.0 == Some(Phase::ReadDirectory) {
            p.2 += n;
        }
    }
}

#[tokio::test]
async fn every_directory_read_asks_for_all_its_groups_at_once() {
    let (g1, g2, g3) = (gid(1), gid(2), gid(3));
    let cfg = SyncConfig::new(vec![
        GroupRule::new(g1.clone(), UserType::IpOfficeOnly),
        GroupRule::new(g2.clone(), UserType::IpOfficeOnly),
        GroupRule::new(g3.clone(), UserType::TeamsOnly),
    ]);
    let w = World::new(cfg.clone(), server());
    let ann = with_ext(person(1, "ann"), "401");
    let bob = with_ext(person(2, "bob"), "402");
    let carl = with_voice(with_ext(person(3, "carl"), "403"));
    w.join(&g1, &ann);
    w.join(&g2, &bob);
    w.join(&g3, &carl);
    let dir = Arc::new(SharingDirectory {
        inner: w.dir.clone(),
        batches: Mutex::new(Vec::new()),
        single_reads: Mutex::new(Vec::new()),
    });
    let progress = Arc::new(ReadProgress::default());
    let engine = SyncEngine::new(cfg, dir.clone(), w.ipo.clone(), w.state.clone())
        .with_progress(progress.clone());

    // Full read: one call for the three groups, one progress unit per group.
    let full = engine.run(&RunOptions::apply()).await.unwrap();
    assert!(!full.incremental);
    assert_eq!(full.report.as_ref().unwrap().summary.failed, 0);
    assert!(w.user("ann").is_some() && w.user("bob").is_some());
    assert_eq!(
        *dir.batches.lock().unwrap(),
        vec![vec![g1.clone(), g2.clone(), g3.clone()]]
    );
    let read = *progress.0.lock().unwrap();
    assert_eq!((read.1, read.2), (Some(3), 3), "total and advances");

    // No change: no group read at all.
    dir.batches.lock().unwrap().clear();
    let quiet = engine
        .run(&RunOptions::apply().incremental())
        .await
        .unwrap();
    assert!(quiet.incremental && quiet.plan.is_empty());
    assert!(dir.batches.lock().unwrap().is_empty());

    // Two groups changed: both re-read in one call; the change set and each group advance.
    let dave = with_ext(person(4, "dave"), "404");
    w.join(&g1, &dave);
    w.leave(&g2, &bob.id);
    let inc = engine
        .run(&RunOptions::apply().incremental())
        .await
        .unwrap();
    assert!(inc.incremental, "{:?}", inc.full_resync_reason);
    assert_eq!(inc.report.as_ref().unwrap().summary.failed, 0);
    assert_eq!(
        *dir.batches.lock().unwrap(),
        vec![vec![g1.clone(), g2.clone()]]
    );
    let read = *progress.0.lock().unwrap();
    assert_eq!((read.1, read.2), (None, 1 + 2), "change set + two groups");
    assert!(w.user("dave").is_some());
    assert_eq!(w.user("bob").unwrap().profile, Profile::NonLicensed);
    assert!(
        dir.single_reads.lock().unwrap().is_empty(),
        "the engine never reads a group on its own"
    );
}

#[tokio::test]
async fn expired_cursor_falls_back_to_full_resync() {
    let g = gid(1);
    let w = World::new(
        SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::IpOfficeOnly)]),
        server(),
    );
    let ann = with_ext(person(1, "ann"), "401");
    w.join(&g, &ann);
    w.run(&RunOptions::apply()).await;
    let bob = with_ext(person(2, "bob"), "402");
    w.join(&g, &bob);
    w.dir
        .modify_user(&ann.id, |u| u.display_name = Some("Ann Lee".into()));
    w.dir.expire_cursors();
    let run = w.run(&RunOptions::apply().incremental()).await;
    assert!(!run.incremental);
    assert!(run.full_resync_reason.is_some());
    assert_eq!(run.report.unwrap().summary.failed, 0);
    assert!(w.user("bob").is_some());
    assert_eq!(
        w.user("ann").unwrap().full_name.unwrap().as_str(),
        "Ann Lee"
    );
    // The fresh cursor works again.
    let next = w.run(&RunOptions::dry_run().incremental()).await;
    assert!(next.incremental);
    assert!(next.plan.is_empty());
}

/// A state store that stops saving after `keep` saves, as if the process died right after
/// writing its intents while IP Office went on.
struct ForgetfulStore {
    inner: Arc<MemoryStateStore>,
    saves_left: Mutex<Option<usize>>,
}

impl StateStore for ForgetfulStore {
    fn load(&self) -> Result<SyncState, StateError> {
        self.inner.load()
    }
    fn save(&self, state: &SyncState) -> Result<(), StateError> {
        let mut left = self.saves_left.lock().unwrap();
        match left.as_mut() {
            Some(0) => Ok(()),
            Some(n) => {
                *n -= 1;
                self.inner.save(state)
            }
            None => self.inner.save(state),
        }
    }
}

async fn baseline() -> (EndState, usize) {
    let w = rich_world();
    w.apply_ok().await;
    (end_state(&w.ipo.current()), w.ipo.writes())
}

#[tokio::test]
async fn crash_after_k_writes_then_rerun_converges_without_duplicates() {
    let (want, writes) = baseline().await;
    assert!(writes >= 10, "a meaningful number of writes: {writes}");
    let mut diverged = Vec::new();
    for k in 0..=writes {
        let w = rich_world();
        w.ipo.set_write_budget(Some(k));
        w.run(&RunOptions::apply()).await;
        w.ipo.set_write_budget(None);
        w.run(&RunOptions::apply()).await;
        let now = w.ipo.current();
        assert_no_duplicates(&now);
        let got = end_state(&now);
        let plan = w.dry().await;
        // The script's Teams lines stay until an administrator runs them.
        if got != want || !plan.actions.is_empty() {
            diverged.push((k, got, plan.actions));
        }
    }
    assert!(
        diverged.is_empty(),
        "want {want:#?}\ndiverged: {diverged:#?}"
    );
}

#[tokio::test]
async fn crash_after_intents_saved_then_rerun_links_instead_of_duplicating() {
    let (want, writes) = baseline().await;
    let mut diverged = Vec::new();
    for k in 0..=writes {
        let (cfg, s, people) = rich_world_parts();
        let mem = Arc::new(MemoryStateStore::new());
        let store = Arc::new(ForgetfulStore {
            inner: mem.clone(),
            saves_left: Mutex::new(Some(1)),
        });
        let w = World::with_store(cfg, s, store.clone(), mem);
        for (g, p) in &people {
            w.join(g, p);
        }
        w.ipo.set_write_budget(Some(k));
        w.run(&RunOptions::apply()).await;
        let saved = w.state.load().unwrap();
        assert!(
            saved.links.values().all(|l| l.user.is_none()),
            "only the intents were saved"
        );
        assert!(!saved.pending.is_empty());
        w.ipo.set_write_budget(None);
        *store.saves_left.lock().unwrap() = None;
        w.run(&RunOptions::apply()).await;
        let now = w.ipo.current();
        assert_no_duplicates(&now);
        let got = end_state(&now);
        let plan = w.dry().await;
        // Everything the sync made is owned again, so nothing is left orphaned.
        let state = w.state.load().unwrap();
        let owned = state.links.values().filter(|l| l.user.is_some()).count();
        if got != want || !plan.actions.is_empty() || owned != 6 {
            diverged.push((k, owned, got, plan.actions));
        }
    }
    assert!(
        diverged.is_empty(),
        "want {want:#?}\ndiverged: {diverged:#?}"
    );
}

/// A state store that notes the thread of every load and save.
struct ThreadNoting {
    inner: Arc<MemoryStateStore>,
    threads: Mutex<Vec<std::thread::ThreadId>>,
}

impl StateStore for ThreadNoting {
    fn load(&self) -> Result<SyncState, StateError> {
        self.threads
            .lock()
            .unwrap()
            .push(std::thread::current().id());
        self.inner.load()
    }
    fn save(&self, state: &SyncState) -> Result<(), StateError> {
        self.threads
            .lock()
            .unwrap()
            .push(std::thread::current().id());
        self.inner.save(state)
    }
}

/// State I/O blocks: the engine does it off the async runtime's thread, so a directory
/// service sharing the process keeps answering while the state is written.
#[tokio::test]
async fn state_loads_and_saves_run_off_the_runtime_thread() {
    let g = gid(1);
    let mem = Arc::new(MemoryStateStore::new());
    let store = Arc::new(ThreadNoting {
        inner: mem.clone(),
        threads: Mutex::new(Vec::new()),
    });
    let w = World::with_store(
        SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::IpOfficeOnly)]),
        server(),
        store.clone(),
        mem,
    );
    w.join(&g, &with_ext(person(1, "ann"), "401"));
    w.apply_ok().await;
    let threads = store.threads.lock().unwrap();
    assert!(
        threads.len() >= 3,
        "a load and the apply's saves: {threads:?}"
    );
    let runtime = std::thread::current().id();
    assert!(threads.iter().all(|t| *t != runtime), "{threads:?}");
    assert!(w.user_of(&oid(1)).is_some());
}
