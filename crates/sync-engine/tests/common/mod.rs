//! Builders shared by the behaviour tests and the property tests: people, IP Office
//! configurations and a `World` wiring the engine to the in-memory stores.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::sync::Arc;

use ipo_model::{
    AssignedPlan, AzureAdUser, CapabilityStatus, ExtensionNumber, GroupId, IpoSnapshot, IpoUser,
    License, LicensingMode, MemoryAzureAd, MemoryIpo, ObjectId, Platform, SystemInfo,
};
use sync_engine::{
    Link, MemoryStateStore, Plan, RunOptions, RunResult, StateStore, SyncConfig, SyncEngine,
};

/// A person's object id, readable in failures: `00000000-0000-4000-8000-000000000042`.
pub fn oid(n: u32) -> ObjectId {
    format!("00000000-0000-4000-8000-{n:012}").parse().unwrap()
}

/// A group id.
pub fn gid(n: u32) -> GroupId {
    format!("99999999-0000-4000-8000-{n:012}").parse().unwrap()
}

/// A person with a mail nickname (the default name source) and matching display name,
/// UPN and mail, account enabled.
pub fn person(n: u32, nick: &str) -> AzureAdUser {
    let mut u = AzureAdUser::new(oid(n));
    u.mail_nickname = Some(nick.into());
    u.display_name = Some(format!("{nick} Person"));
    let local: String = nick.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    u.user_principal_name = Some(format!("{local}{n}@contoso.com"));
    u.mail = Some(format!("{local}{n}@contoso.com"));
    u.account_enabled = Some(true);
    u
}

/// Gives the person a business phone with an extension (`+4416327<ext> x<ext>`).
pub fn with_ext(mut u: AzureAdUser, ext: &str) -> AzureAdUser {
    u.business_phones = vec![format!("+4416327{ext} x{ext}")];
    u
}

/// Gives the person Teams voice (Phone System enabled).
pub fn with_voice(mut u: AzureAdUser) -> AzureAdUser {
    u.assigned_plans.push(AssignedPlan::new(
        sync_engine::usertype_rules::skus::MCOEV_PLAN,
        CapabilityStatus::Enabled,
    ));
    u
}

/// An extension number.
pub fn ext(s: &str) -> ExtensionNumber {
    s.parse().unwrap()
}

/// A PLDS system on `platform` with 50 free licences of every Teams-capable profile.
pub fn snapshot(platform: Platform) -> IpoSnapshot {
    let mut s = IpoSnapshot::new(SystemInfo::new(
        "ipo",
        "12.1",
        LicensingMode::Plds,
        platform,
    ));
    s.licenses = vec![
        License::new("Power User", 50, 50),
        License::new("Office Worker", 50, 50),
        License::new("Teleworker", 50, 50),
        License::new("Mobile Worker", 50, 50),
    ];
    s
}

/// A PLDS Server Edition system (2000 users).
pub fn server() -> IpoSnapshot {
    snapshot(Platform::ServerEdition)
}

/// An IP Office user the sync did not create.
pub fn ipo_user(name: &str, extension: Option<&str>) -> IpoUser {
    let mut u = IpoUser::new(name.parse().unwrap(), LicensingMode::Plds);
    u.extension = extension.map(ext);
    u
}

/// The engine wired to a memory tenant, a memory IP Office and a memory state store.
pub struct World {
    pub dir: Arc<MemoryAzureAd>,
    pub ipo: Arc<MemoryIpo>,
    pub state: Arc<MemoryStateStore>,
    pub engine: SyncEngine,
}

impl World {
    pub fn new(config: SyncConfig, snapshot: IpoSnapshot) -> Self {
        let state = Arc::new(MemoryStateStore::new());
        Self::with_store(config, snapshot, state.clone(), state)
    }

    /// A world whose engine saves through `store` (which ends in `state`).
    pub fn with_store(
        config: SyncConfig,
        snapshot: IpoSnapshot,
        store: Arc<dyn StateStore>,
        state: Arc<MemoryStateStore>,
    ) -> Self {
        let dir = Arc::new(MemoryAzureAd::new());
        for g in config.groups() {
            ensure_group(&dir, &g);
        }
        let ipo = Arc::new(MemoryIpo::new(snapshot));
        let engine = SyncEngine::new(config, dir.clone(), ipo.clone(), store);
        Self {
            dir,
            ipo,
            state,
            engine,
        }
    }

    /// Puts the person in the tenant and in `group`.
    pub fn join(&self, group: &GroupId, u: &AzureAdUser) {
        self.dir.upsert_user(u.clone());
        self.dir.add_member(group, &u.id);
    }

    /// What an administrator running the plan's Teams PowerShell script does: each
    /// script-mode policy grant and number assignment lands on the person in Teams (as
    /// the directory then reads it).
    pub fn run_teams_script(&self, plan: &Plan) {
        use ipo_model::{AssignmentCategory, EffectivePolicy, PolicyVia, TeamsPhoneNumber};
        use sync_engine::teams::TeamsWrite;
        let script = sync_engine::usertype_rules::TeamsProvisioning::Script;
        for a in plan.teams.actions_by(script) {
            self.dir.modify_user(&a.person, |u| {
                let voice = u.teams.get_or_insert_with(Default::default);
                match &a.write {
                    TeamsWrite::AssignPolicy { policy_type, name } => {
                        voice
                            .effective_policies
                            .retain(|p| p.policy_type != *policy_type);
                        voice.effective_policies.push(EffectivePolicy::new(
                            *policy_type,
                            name.clone(),
                            PolicyVia::Direct,
                        ));
                    }
                    TeamsWrite::AssignNumber { number } => {
                        let line = number
                            .format(ipo_model::NumberFormat::LineUri)
                            .unwrap_or_else(|_| number.to_string());
                        voice.telephone_numbers =
                            vec![TeamsPhoneNumber::new(line, AssignmentCategory::Primary)];
                    }
                    _ => {}
                }
            });
        }
    }

    pub fn leave(&self, group: &GroupId, id: &ObjectId) {
        self.dir.remove_member(group, id);
    }

    pub async fn run(&self, options: &RunOptions) -> RunResult {
        self.engine.run(options).await.unwrap()
    }

    /// An apply that must not fail any item.
    pub async fn apply_ok(&self) -> RunResult {
        let run = self.run(&RunOptions::apply()).await;
        let report = run.report.as_ref().unwrap();
        let failures: Vec<String> = report
            .failures()
            .map(|f| format!("{}: {:?}", f.record, f.error))
            .collect();
        assert!(failures.is_empty(), "apply failed items: {failures:#?}");
        run
    }

    pub async fn dry(&self) -> Plan {
        self.run(&RunOptions::dry_run()).await.plan
    }

    pub fn user(&self, name: &str) -> Option<IpoUser> {
        self.ipo
            .current()
            .users
            .into_iter()
            .find(|u| u.name.as_str() == name)
    }

    pub fn link(&self, id: &ObjectId) -> Option<Link> {
        self.state.load().unwrap().links.get(id).cloned()
    }

    /// The IP Office user the sync links to this person.
    pub fn user_of(&self, id: &ObjectId) -> Option<IpoUser> {
        let guid = self.link(id)?.user?;
        self.ipo
            .current()
            .users
            .into_iter()
            .find(|u| u.guid.as_ref() == Some(&guid))
    }
}

/// Creates `group` (empty) so reading its members succeeds.
pub fn ensure_group(dir: &MemoryAzureAd, group: &GroupId) {
    let probe = oid(999_999_999);
    dir.add_member(group, &probe);
    dir.remove_member(group, &probe);
}

/// Users as (name, extension), for comparing end states.
pub fn users_by_name(s: &IpoSnapshot) -> BTreeSet<(String, Option<String>)> {
    s.users
        .iter()
        .map(|u| {
            (
                u.name.to_string(),
                u.extension.as_ref().map(|e| e.to_string()),
            )
        })
        .collect()
}

/// Panics when two users share a name (case-insensitively) or an extension.
pub fn assert_no_duplicates(s: &IpoSnapshot) {
    let mut names = BTreeSet::new();
    let mut exts = BTreeSet::new();
    for u in &s.users {
        assert!(
            names.insert(u.name.as_str().to_lowercase()),
            "duplicate user name {}",
            u.name
        );
        if let Some(e) = &u.extension {
            assert!(exts.insert(e.clone()), "duplicate extension {e}");
        }
    }
    let mut numbers = BTreeSet::new();
    for e in &s.extensions {
        assert!(
            numbers.insert(e.number.clone()),
            "duplicate extension record {}",
            e.number
        );
    }
}

/// Asserts that a plan line carries a reason matching a pattern (with an optional guard),
/// showing the line's reasons when it does not. (Not every test crate uses it.)
#[allow(unused_macros)]
macro_rules! assert_reason {
    ($line:expr, $pat:pat $(if $guard:expr)? $(,)?) => {{
        let line: &sync_engine::PersonPlan = $line;
        assert!(
            line.reasons.iter().any(|r| matches!(r, $pat $(if $guard)?)),
            "{} has no such reason: {:?}",
            line.label,
            line.reasons
        );
    }};
}
#[allow(unused_imports)]
pub(crate) use assert_reason;
