//! One sync pass: read both sides, plan, optionally apply, save state.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::Utc;
use ipo_model::{
    AzureAdSource, AzureAdUser, DeltaOutcome, GroupId, IpoConfigStore, IpoSnapshot, ObjectId,
    PortError, TeamsVoiceAdmin,
};
use tracing::{info, warn};

use crate::apply::apply_saving_through;
use crate::config::SyncConfig;
use crate::error::SyncError;
use crate::plan::Plan;
use crate::planner::{PlanOptions, plan_with_classification};
use crate::progress::{FinishGuard, NoProgress, Phase, Progress};
use crate::report::{Report, RunSummary, RunTransport, WriteCounts};
use crate::state::{StateStore, SyncState};
use crate::state_io::StateIo;
use crate::teams::TeamsApplyOptions;

/// How to run.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RunOptions {
    /// Write to IP Office. Without it the run is a dry run: nothing is written, state included.
    pub apply: bool,
    /// Let removals through even above the deletion threshold.
    pub allow_removals: bool,
    /// Read only directory changes since the saved cursor when there is one.
    pub incremental: bool,
    /// Plan for one person only, with a step trace (provision on demand).
    pub explain: Option<ObjectId>,
    /// The plan an administrator reviewed (typically `plan --json`, read back): an apply
    /// plans again and writes only when that plan is this one, else fails with
    /// [`SyncError::PlanChanged`] and writes nothing.
    pub reviewed: Option<Plan>,
}

impl RunOptions {
    /// A dry run reading the whole directory.
    pub fn dry_run() -> Self {
        Self::default()
    }

    /// An apply.
    pub fn apply() -> Self {
        Self {
            apply: true,
            ..Self::default()
        }
    }

    /// Use the saved delta cursor.
    pub fn incremental(mut self) -> Self {
        self.incremental = true;
        self
    }

    /// Allow removals above the deletion threshold.
    pub fn allow_removals(mut self) -> Self {
        self.allow_removals = true;
        self
    }

    /// Plan for one person only.
    pub fn explain(mut self, person: ObjectId) -> Self {
        self.explain = Some(person);
        self
    }

    /// What planning takes of these options.
    fn plan_options(&self) -> PlanOptions {
        PlanOptions {
            allow_removals: self.allow_removals,
            explain: self.explain.clone(),
            ..PlanOptions::default()
        }
    }

    /// Apply only if planning again gives `plan` (see [`RunOptions::reviewed`]).
    pub fn reviewed(mut self, plan: Plan) -> Self {
        self.reviewed = Some(plan);
        self
    }
}

/// Whether `fresh` is the plan `reviewed` shows (as its JSON form: a plan read back holds
/// no writes); an error naming what differs otherwise.
fn check_reviewed(reviewed: &Plan, fresh: &Plan) -> Result<(), SyncError> {
    let as_json = |p: &Plan| serde_json::to_value(p).map_err(|e| e.to_string());
    let (old, new) = match (as_json(reviewed), as_json(fresh)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(e), _) | (_, Err(e)) => return Err(SyncError::PlanChanged(e)),
    };
    if old == new {
        return Ok(());
    }
    let parts = [
        "actions",
        "people",
        "licenses",
        "held_removals",
        "teams",
        "system_directory",
        "notes",
    ];
    let changed: Vec<&str> = parts
        .into_iter()
        .filter(|k| old.get(k) != new.get(k))
        .collect();
    Err(SyncError::PlanChanged(format!(
        "Azure AD, IP Office or the sync state changed since it was made ({} differ{}); plan \
         again and review the new plan",
        changed.join(", "),
        if changed.len() == 1 { "s" } else { "" }
    )))
}

/// What a run produced.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RunResult {
    /// The plan.
    pub plan: Plan,
    /// The apply's report, when applied.
    pub report: Option<Report>,
    /// Whether the directory was read incrementally.
    pub incremental: bool,
    /// Why a full read happened although an incremental one was asked for.
    pub full_resync_reason: Option<String>,
    /// Whether the Azure AD contacts were read by their changes only (`[sync.system_directory]
    /// contacts`, incremental run, a stored contacts cursor).
    pub contacts_incremental: bool,
    /// Why every contact was read although an incremental run was asked for (no stored
    /// contacts cursor yet, or it expired); `None` when contacts are off.
    pub contacts_full_resync_reason: Option<String>,
    /// Azure AD users in scope.
    pub people: usize,
    /// The IP Office snapshot the plan was made against.
    pub snapshot: IpoSnapshot,
    /// The Azure AD users the plan was made from.
    pub azure_ad: Vec<AzureAdUser>,
    /// Every person's classification, made from the same configuration, directory, IP
    /// Office snapshot and state as the plan (see [`classify_for_sync`](crate::classify_for_sync)): the
    /// three-type report of this run.
    pub classification: usertype_rules::Classification,
    /// What the run cost in transport, dry runs included (for an apply, the same as the
    /// report's `summary.transport`).
    pub transport: RunTransport,
    /// Malformed directory records the source skipped in an incremental read (with their
    /// raw value) instead of failing the run.
    pub skipped: Vec<ipo_model::SkippedRecord>,
}

/// The sync engine: configuration plus the two edges and a state store.
///
/// ```
/// use std::sync::Arc;
/// use ipo_model::*;
/// use sync_engine::*;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let group: GroupId = "11111111-1111-1111-1111-111111111111".parse().unwrap();
/// let dir = Arc::new(MemoryAzureAd::new());
/// let mut ann = AzureAdUser::new("22222222-2222-2222-2222-222222222222".parse().unwrap());
/// ann.mail_nickname = Some("ann".into());
/// ann.business_phones = vec!["+441632768401 x401".into()];
/// dir.upsert_user(ann.clone());
/// dir.add_member(&group, &ann.id);
/// let ipo = Arc::new(MemoryIpo::new(IpoSnapshot::new(SystemInfo::new(
///     "ipo", "12.1", LicensingMode::Plds, Platform::Ip500V2))));
/// let engine = SyncEngine::new(
///     SyncConfig::new(vec![GroupRule::new(group, UserType::IpOfficeOnly)]),
///     dir, ipo.clone(), Arc::new(MemoryStateStore::new()));
/// let run = engine.run(&RunOptions::apply()).await.unwrap();
/// assert_eq!(run.report.unwrap().summary.failed, 0);
/// assert!(ipo.current().users.iter().any(|u| u.name.as_str() == "ann"));
/// // Running again finds nothing to do.
/// assert!(engine.run(&RunOptions::dry_run()).await.unwrap().plan.is_empty());
/// # });
/// ```
pub struct SyncEngine {
    config: SyncConfig,
    directory: Arc<dyn AzureAdSource>,
    ipo: Arc<dyn IpoConfigStore>,
    state: Arc<dyn StateStore>,
    progress: Arc<dyn Progress>,
    /// Where rules with `provisioning = "graph"` write Teams numbers and policies.
    teams: Option<Arc<dyn TeamsVoiceAdmin>>,
    teams_options: TeamsApplyOptions,
}

impl std::fmt::Debug for SyncEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncEngine")
            .field("rules", &self.config.rules.len())
            .finish_non_exhaustive()
    }
}

impl SyncEngine {
    /// An engine.
    pub fn new(
        config: SyncConfig,
        directory: Arc<dyn AzureAdSource>,
        ipo: Arc<dyn IpoConfigStore>,
        state: Arc<dyn StateStore>,
    ) -> Self {
        Self {
            config,
            directory,
            ipo,
            state,
            progress: Arc::new(NoProgress),
            teams: None,
            teams_options: TeamsApplyOptions::default(),
        }
    }

    /// The same engine, provisioning the Teams half of rules with `provisioning = "graph"`
    /// through `admin` (typically the same `GraphClient` that reads Azure AD), following
    /// Teams' number operations as `options` says. Without it, such writes fail, each named
    /// in the report, and nothing is read from Teams but what the directory gives.
    pub fn with_teams(
        mut self,
        admin: Arc<dyn TeamsVoiceAdmin>,
        options: TeamsApplyOptions,
    ) -> Self {
        self.teams = Some(admin);
        self.teams_options = options;
        self
    }

    /// The same engine, telling `progress` how each run advances (see [`Progress`] for the
    /// calls it gets). Without it, nothing is reported.
    pub fn with_progress(mut self, progress: Arc<dyn Progress>) -> Self {
        self.progress = progress;
        self
    }

    /// The configuration.
    pub fn config(&self) -> &SyncConfig {
        &self.config
    }

    /// One pass. A dry run writes nothing, not even state.
    pub async fn run(&self, options: &RunOptions) -> Result<RunResult, SyncError> {
        let started = Utc::now();
        let progress = self.progress.as_ref();
        let _finish = FinishGuard(progress);
        let before = (self.directory.transport(), self.ipo.transport());
        let mut state = StateIo::Shared(&self.state).load().await?;
        let groups = self.config.groups();
        let mut skipped = Vec::new();
        let DirectoryRead {
            users: directory,
            cursor,
            incremental,
            full_resync_reason: resync_reason,
        } = (self.read_directory(&groups, &state, options.incremental, &mut skipped)).await?;
        progress.phase(Phase::ReadIpo, Some(1));
        let snapshot = self.ipo.snapshot().await.map_err(SyncError::Ipo)?;
        progress.advance(1);
        let (admin, source) = (self.teams.as_deref(), self.directory.as_ref());
        let teams =
            crate::teams::read_facts(admin, source, &self.config, &mut state, &directory).await?;
        progress.phase(Phase::Plan, None);
        self.config.validate(Some(snapshot.system.licensing_mode))?;
        let users: Vec<AzureAdUser> = directory.values().cloned().collect();
        if let Some(id) = &options.explain
            && !directory.contains_key(id)
            && !state.links.contains_key(id)
        {
            return Err(SyncError::UnknownPerson(id.to_string()));
        }
        let (read, contacts) = self
            .read_contacts(&users, &snapshot, &state, options.incremental, &mut skipped)
            .await?;
        // The classification report is the one the plan acted on, not a second pass.
        let (mut plan, classification) = plan_with_classification(
            &self.config,
            &users,
            &contacts,
            &snapshot,
            &state,
            &options.plan_options(),
            &teams,
        );
        crate::leaver_names::name_leavers(&mut plan, &directory, &state.azure_ad);
        info!(
            actions = plan.actions.len(),
            people = users.len(),
            incremental,
            "planned"
        );
        let summary = RunSummary {
            started: Some(started),
            incremental,
            full_resync_reason: resync_reason.clone(),
            contacts_incremental: read.incremental,
            contacts_full_resync_reason: read.full_resync_reason.clone(),
            people: users.len(),
            ..RunSummary::default()
        };
        if options.apply
            && let Some(reviewed) = &options.reviewed
        {
            check_reviewed(reviewed, &plan)?;
        }
        let report = if options.apply && options.explain.is_none() {
            state.cursor = cursor;
            state.azure_ad = directory;
            // With contacts off both are cleared: turned on again, they are read in full.
            state.contacts_cursor = read.cursor;
            state.azure_ad_contacts = read.contacts;
            Some(self.apply(&plan, state, summary, before).await?)
        } else {
            None
        };
        let transport = match &report {
            Some(r) => r.summary.transport,
            None => self.transport_since(before),
        };
        log_transport(&transport);
        Ok(RunResult {
            plan,
            report,
            incremental,
            full_resync_reason: resync_reason,
            contacts_incremental: read.incremental,
            contacts_full_resync_reason: read.full_resync_reason,
            people: users.len(),
            snapshot,
            azure_ad: users,
            classification,
            transport,
            skipped,
        })
    }

    /// The Azure AD contacts (with what their read left for the next run) and the people no
    /// rule holds that the system directory lists like contacts.
    async fn read_contacts(
        &self,
        users: &[AzureAdUser],
        snapshot: &IpoSnapshot,
        state: &SyncState,
        incremental: bool,
        skipped: &mut Vec<ipo_model::SkippedRecord>,
    ) -> Result<
        (
            crate::contact_read::ContactsRead,
            Vec<ipo_model::AzureAdContact>,
        ),
        SyncError,
    > {
        let source = self.directory.as_ref();
        let read = crate::contact_read::read_contacts(
            source,
            &self.config.system_directory,
            state,
            incremental,
            skipped,
        )
        .await?;
        let mut contacts: Vec<ipo_model::AzureAdContact> =
            read.contacts.values().cloned().collect();
        let outside =
            crate::directory_people::outside_rules(&self.config, source, users, snapshot, state);
        contacts.extend(outside.await?);
        Ok((read, contacts))
    }

    /// Applies `plan`, saving `state` (the directory read in it, minus every code source) as
    /// it goes and with the run's summary at the end.
    async fn apply(
        &self,
        plan: &Plan,
        mut state: SyncState,
        mut summary: RunSummary,
        before: (ipo_model::TransportStats, ipo_model::TransportStats),
    ) -> Result<Report, SyncError> {
        // Codes mapped from directory properties are secrets: the cache never keeps them.
        crate::cached_secrets::forget_code_sources(&self.config, state.azure_ad.values_mut());
        let io = StateIo::Shared(&self.state);
        let progress = self.progress.as_ref();
        let mut report =
            apply_saving_through(plan, self.ipo.as_ref(), &mut state, io, progress).await?;
        let (admin, options) = (self.teams.as_deref(), self.teams_options);
        report.teams = crate::teams::apply_stage(admin, &plan.teams, &mut state, io, options).await;
        // Teams writes count with IP Office's; one still running has neither succeeded nor
        // failed (the next run follows it up).
        summary.count(report.summary.ipo, teams_counts(report.teams.as_ref()));
        summary.held_removals = report.summary.held_removals;
        summary.transport = self.transport_since(before);
        report.summary = summary.clone();
        state.last_run = Some(summary);
        io.save(&state).await?;
        Ok(report)
    }

    /// The edges' transport counters now, minus the readings `before`.
    fn transport_since(
        &self,
        before: (ipo_model::TransportStats, ipo_model::TransportStats),
    ) -> RunTransport {
        RunTransport::new(
            self.directory.transport().since(&before.0),
            self.ipo.transport().since(&before.1),
        )
    }

    /// The in-scope directory, from the saved cache plus changes, or read in full.
    async fn read_directory(
        &self,
        groups: &[GroupId],
        state: &SyncState,
        incremental: bool,
        skipped: &mut Vec<ipo_model::SkippedRecord>,
    ) -> Result<DirectoryRead, SyncError> {
        let progress = self.progress.as_ref();
        let mut reason = None;
        if incremental {
            match &state.cursor {
                Some(cursor) if !state.azure_ad.is_empty() => {
                    progress.phase(Phase::ReadDirectory, None);
                    let outcome = self.directory.changes(groups, cursor).await;
                    match outcome.map_err(SyncError::Directory)? {
                        DeltaOutcome::Changes(changes) => {
                            progress.advance(1);
                            return self.with_changes(state, changes, skipped).await;
                        }
                        DeltaOutcome::FullResyncNeeded { reason: r } => {
                            info!(reason = %r, "directory asks for a full resync");
                            reason = Some(r);
                        }
                        _ => reason = Some("unknown delta outcome".into()),
                    }
                }
                _ => reason = Some("no saved cursor yet".into()),
            }
        }
        let (users, cursor) = self.read_in_full(groups).await?;
        Ok(DirectoryRead {
            users,
            cursor,
            incremental: false,
            full_resync_reason: reason,
        })
    }

    /// The saved directory with `changes` applied; the changed groups read again.
    async fn with_changes(
        &self,
        state: &SyncState,
        mut changes: ipo_model::AzureAdChanges,
        skipped: &mut Vec<ipo_model::SkippedRecord>,
    ) -> Result<DirectoryRead, SyncError> {
        let progress = self.progress.as_ref();
        for s in &changes.skipped {
            warn!(skipped = %s, "malformed directory record skipped");
        }
        skipped.append(&mut changes.skipped);
        let mut dir = state.azure_ad.clone();
        for r in &changes.removed {
            dir.remove(&r.id);
        }
        for u in changes.updated {
            if let Some(old) = dir.get_mut(&u.id) {
                let groups = std::mem::take(&mut old.groups);
                *old = u;
                old.groups = groups;
            }
        }
        // All the changed groups in one read: what the source shares between groups
        // (Graph's Teams numbers) is read once.
        let changed: Vec<GroupId> = changes.groups_changed.iter().cloned().collect();
        let reread = if changed.is_empty() {
            Vec::new()
        } else {
            self.directory
                .members_of_groups(&changed, &|_| progress.advance(1))
                .await
                .map_err(SyncError::Directory)?
        };
        for (g, members) in reread {
            for u in dir.values_mut() {
                u.groups.remove(&g);
            }
            for m in members {
                let entry = dir.entry(m.id.clone()).or_insert_with(|| {
                    let mut fresh = m.clone();
                    fresh.groups.clear();
                    fresh
                });
                entry.groups.insert(g.clone());
            }
            dir.retain(|_, u| !u.groups.is_empty());
        }
        Ok(DirectoryRead {
            users: dir,
            cursor: Some(changes.cursor),
            incremental: true,
            full_resync_reason: None,
        })
    }

    /// Every member of the groups, and the cursor to read changes from next time.
    async fn read_in_full(
        &self,
        groups: &[GroupId],
    ) -> Result<
        (
            BTreeMap<ObjectId, AzureAdUser>,
            Option<ipo_model::DeltaCursor>,
        ),
        SyncError,
    > {
        let progress = self.progress.as_ref();
        progress.phase(Phase::ReadDirectory, Some(groups.len()));
        // Take the cursor before reading so nothing that happens during the read is lost.
        // A refused credential or permission ends the run here, at the first request, rather
        // than once more per group; so does an unreachable directory, whose read would wait
        // out the same request timeout again. Other failures only cost the next run its delta.
        let cursor = match self.directory.latest_cursor(groups).await {
            Ok(c) => Some(c),
            Err(
                e @ (PortError::Auth(_) | PortError::Permission(_) | PortError::Unavailable { .. }),
            ) => {
                return Err(SyncError::Directory(e));
            }
            Err(e) => {
                warn!(error = %e, "no delta cursor: the next run reads the groups in full");
                None
            }
        };
        let mut dir: BTreeMap<ObjectId, AzureAdUser> = BTreeMap::new();
        // One read for all the groups: what the source shares between groups (Graph's
        // tenant-wide Teams numbers) is read once per sync, not once per group.
        let read = self
            .directory
            .members_of_groups(groups, &|_| progress.advance(1))
            .await
            .map_err(SyncError::Directory)?;
        for (g, members) in read {
            for mut m in members {
                match dir.get_mut(&m.id) {
                    Some(u) => {
                        u.groups.insert(g.clone());
                    }
                    None => {
                        m.groups = std::collections::BTreeSet::from([g.clone()]);
                        dir.insert(m.id.clone(), m);
                    }
                }
            }
        }
        Ok((dir, cursor))
    }
}

/// The directory as one run read it.
struct DirectoryRead {
    /// The people in the rules' groups, by id.
    users: BTreeMap<ObjectId, AzureAdUser>,
    /// Where to read changes from next time.
    cursor: Option<ipo_model::DeltaCursor>,
    /// Whether only the changes since the saved cursor were read.
    incremental: bool,
    /// Why the whole directory was read although changes were asked for.
    full_resync_reason: Option<String>,
}

/// The Teams half of a run: one write per outcome (each Graph write of the plan has one,
/// and so has each operation an earlier run left running that this one followed up).
fn teams_counts(applied: Option<&crate::teams::TeamsApplied>) -> WriteCounts {
    applied.map_or_else(WriteCounts::default, |t| {
        WriteCounts::new(t.outcomes.len(), t.done(), t.failed())
    })
}

/// What the run cost in requests, for the log.
fn log_transport(transport: &RunTransport) {
    info!(
        azure_ad_requests = transport.azure_ad.requests,
        ipo_requests = transport.ipo.requests,
        retries = transport.total().retries,
        waited_ms = u64::try_from(transport.total().waited.as_millis()).unwrap_or(u64::MAX),
        "transport"
    );
}
