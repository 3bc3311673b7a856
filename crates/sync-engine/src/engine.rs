//! One sync pass: read both sides, plan, optionally apply, save state.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::Utc;
use ipo_model::{
    DeltaOutcome, DirectorySource, DirectoryUser, GroupId, IpoConfigStore, IpoSnapshot, ObjectId,
    PortError,
};
use tracing::{info, warn};

use crate::apply::apply_with_progress;
use crate::config::SyncConfig;
use crate::error::SyncError;
use crate::plan::Plan;
use crate::planner::{PlanOptions, plan_with_classification};
use crate::progress::{FinishGuard, NoProgress, Phase, Progress};
use crate::report::{Report, RunSummary, RunTransport};
use crate::state::{StateStore, SyncState};

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
    /// Whether the Azure AD contacts were read by their changes only (`[sync.directory]
    /// contacts`, incremental run, a stored contacts cursor).
    pub contacts_incremental: bool,
    /// Why every contact was read although an incremental run was asked for (no stored
    /// contacts cursor yet, or it expired); `None` when contacts are off.
    pub contacts_full_resync_reason: Option<String>,
    /// Directory users in scope.
    pub directory_users: usize,
    /// The IP Office snapshot the plan was made against.
    pub snapshot: IpoSnapshot,
    /// The directory users the plan was made from.
    pub directory: Vec<DirectoryUser>,
    /// Every person's classification, made from the same configuration, directory, IP
    /// Office snapshot and state as the plan (see [`classify`](crate::classify)): the
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
/// let dir = Arc::new(MemoryDirectory::new());
/// let mut ann = DirectoryUser::new("22222222-2222-2222-2222-222222222222".parse().unwrap());
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
    directory: Arc<dyn DirectorySource>,
    ipo: Arc<dyn IpoConfigStore>,
    state: Arc<dyn StateStore>,
    progress: Arc<dyn Progress>,
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
        directory: Arc<dyn DirectorySource>,
        ipo: Arc<dyn IpoConfigStore>,
        state: Arc<dyn StateStore>,
    ) -> Self {
        Self {
            config,
            directory,
            ipo,
            state,
            progress: Arc::new(NoProgress),
        }
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
        let mut state = self.state.load()?;
        let groups = self.config.groups();
        let mut skipped = Vec::new();
        let (directory, cursor, incremental, resync_reason) = self
            .read_directory(&groups, &state, options.incremental, &mut skipped)
            .await?;
        progress.phase(Phase::ReadIpo, Some(1));
        let snapshot = self.ipo.snapshot().await.map_err(SyncError::Ipo)?;
        progress.advance(1);
        progress.phase(Phase::Plan, None);
        self.config.validate(Some(snapshot.system.licensing_mode))?;
        let users: Vec<DirectoryUser> = directory.values().cloned().collect();
        let plan_options = PlanOptions {
            allow_removals: options.allow_removals,
            explain: options.explain.clone(),
            ..PlanOptions::default()
        };
        if let Some(id) = &options.explain
            && !directory.contains_key(id)
            && !state.links.contains_key(id)
        {
            return Err(SyncError::UnknownPerson(id.to_string()));
        }
        let read = crate::contact_read::read_contacts(
            self.directory.as_ref(),
            &self.config.directory,
            &state,
            options.incremental,
            &mut skipped,
        )
        .await?;
        let mut contacts: Vec<ipo_model::DirectoryContact> =
            read.contacts.values().cloned().collect();
        // People no rule holds, listed in the directory like contacts (tenant / groups).
        contacts.extend(
            crate::directory_people::outside_rules(
                &self.config,
                self.directory.as_ref(),
                &users,
                &snapshot,
                &state,
            )
            .await?,
        );
        // The classification report is the one the plan acted on, not a second pass.
        let (mut plan, classification) = plan_with_classification(
            &self.config,
            &users,
            &contacts,
            &snapshot,
            &state,
            &plan_options,
        );
        crate::leaver_names::name_leavers(&mut plan, &directory, &state.directory);
        info!(
            actions = plan.actions.len(),
            people = users.len(),
            incremental,
            "planned"
        );
        let mut summary = RunSummary {
            started: Some(started),
            incremental,
            full_resync_reason: resync_reason.clone(),
            contacts_incremental: read.incremental,
            contacts_full_resync_reason: read.full_resync_reason.clone(),
            people: users.len(),
            planned: plan.actions.len(),
            ..RunSummary::default()
        };
        let report = if options.apply && options.explain.is_none() {
            state.cursor = cursor;
            state.directory = directory;
            // With contacts off both are cleared: turned on again, they are read in full.
            state.contacts_cursor = read.cursor;
            state.contact_directory = read.contacts;
            // Codes mapped from directory properties are secrets: the cache never keeps them.
            let secret_sources: Vec<String> = [
                &self.config.fields.login_code,
                &self.config.fields.voicemail_code,
            ]
            .into_iter()
            .flatten()
            .map(|m| m.source.clone())
            .collect();
            for u in state.directory.values_mut() {
                for src in &secret_sources {
                    forget_property(u, src);
                }
            }
            let mut report = apply_with_progress(
                &plan,
                self.ipo.as_ref(),
                &mut state,
                self.state.as_ref(),
                progress,
            )
            .await?;
            summary.succeeded = report.summary.succeeded;
            summary.failed = report.summary.failed;
            summary.held_removals = report.summary.held_removals;
            summary.transport = self.transport_since(before);
            report.summary = summary.clone();
            state.last_run = Some(summary);
            self.state.save(&state)?;
            Some(report)
        } else {
            None
        };
        let transport = match &report {
            Some(r) => r.summary.transport,
            None => self.transport_since(before),
        };
        info!(
            directory_requests = transport.directory.requests,
            ipo_requests = transport.ipo.requests,
            retries = transport.total().retries,
            waited_ms = u64::try_from(transport.total().waited.as_millis()).unwrap_or(u64::MAX),
            "transport"
        );
        Ok(RunResult {
            plan,
            report,
            incremental,
            full_resync_reason: resync_reason,
            contacts_incremental: read.incremental,
            contacts_full_resync_reason: read.full_resync_reason,
            directory_users: users.len(),
            snapshot,
            directory: users,
            classification,
            transport,
            skipped,
        })
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
    ) -> Result<
        (
            BTreeMap<ObjectId, DirectoryUser>,
            Option<ipo_model::DeltaCursor>,
            bool,
            Option<String>,
        ),
        SyncError,
    > {
        let progress = self.progress.as_ref();
        let mut reason = None;
        if incremental {
            match &state.cursor {
                Some(cursor) if !state.directory.is_empty() => {
                    progress.phase(Phase::ReadDirectory, None);
                    match self
                        .directory
                        .changes(groups, cursor)
                        .await
                        .map_err(SyncError::Directory)?
                    {
                        DeltaOutcome::Changes(mut changes) => {
                            progress.advance(1);
                            for s in &changes.skipped {
                                warn!(skipped = %s, "malformed directory record skipped");
                            }
                            skipped.append(&mut changes.skipped);
                            let mut dir = state.directory.clone();
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
                            // All the changed groups in one read: what the source shares
                            // between groups (Graph's Teams numbers) is read once.
                            let changed: Vec<GroupId> =
                                changes.groups_changed.iter().cloned().collect();
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
                            return Ok((dir, Some(changes.cursor), true, None));
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
        let mut dir: BTreeMap<ObjectId, DirectoryUser> = BTreeMap::new();
        // One read for all the groups: what the source shares between groups (Graph's
        // tenant-wide Teams numbers) is read once per sync, not once per group.
        let read = self
            .directory
            .members_of_groups(groups, &|_| progress.advance(1))
            .await
            .map_err(SyncError::Directory)?;
        for (g, members) in read {
            for m in members {
                match dir.get_mut(&m.id) {
                    Some(u) => {
                        u.groups.insert(g.clone());
                    }
                    None => {
                        let mut m = m;
                        m.groups = std::collections::BTreeSet::from([g.clone()]);
                        dir.insert(m.id.clone(), m);
                    }
                }
            }
        }
        Ok((dir, cursor, false, reason))
    }
}

/// Clears one property of a cached directory user.
fn forget_property(u: &mut DirectoryUser, name: &str) {
    match name {
        "employeeId" => u.employee_id = None,
        "department" => u.department = None,
        "officeLocation" => u.office_location = None,
        "mobilePhone" => u.mobile_phone = None,
        "businessPhones" => u.business_phones.clear(),
        other => {
            if let Some(n) = other
                .strip_prefix("extensionAttribute")
                .and_then(|n| n.parse::<usize>().ok())
            {
                u.extension_attributes.set(n, None);
            }
        }
    }
}
