//! Shared set-up for the end-to-end tests: both emulators on 127.0.0.1, the real HTTP clients,
//! a generated tenant and the sync configuration that matches it.
//!
//! Every test binary includes this module with `mod support;`; not every binary uses every
//! helper, hence the `dead_code` allowance (inherited by the submodules).
//!
//! Submodules, one concept each, used by path (`support::ipo_state::...`):
//! - [`ipo_state`]: the IP Office state field by field, its invariants, and differences;
//! - [`convergence`]: a converged sync plans nothing on a dry run;
//! - [`request_minimum`]: the fewest requests a sync of the generated tenant can make;
//! - [`request_tally`]: the requests the emulators received, next to that minimum;
//! - [`log_capture`]: an in-memory sink for `tracing` output.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod convergence;
pub mod ipo_state;
pub mod log_capture;
pub mod request_minimum;
pub mod request_tally;

use std::sync::Arc;

use graph_client::{GraphClient, GraphConfig};
use graph_emulator::{GraphEmulator, GraphEmulatorConfig, GraphEmulatorHandle};
use ipo_client::{IpoClient, IpoConfig};
use ipo_emulator::{EmulatorConfig, IpoEmulator, IpoEmulatorHandle};
use ipo_model::{
    AssignedLicense, AssignedPlan, AzureAdUser, CapabilityStatus, GroupId, License, LicensingMode,
    ObjectId, Profile, UserType,
};
use sync_engine::{GroupRule, ProvisioningRule, StateStore, SyncConfig, SyncEngine, UserTemplate};

/// Distinctive secrets: a test that greps output for them cannot match anything else.
pub const TENANT: &str = "0c000000-0000-4000-8000-0000000000aa";
/// The app registration's client id (not a secret).
pub const CLIENT_ID: &str = "0d000000-0000-4000-8000-0000000000bb";
/// The client secret the Graph emulator expects.
pub const CLIENT_SECRET: &str = "S3cr3t-CLIENT-zq7Xv9";
/// The IP Office service user.
pub const IPO_USER: &str = "ipo-teams-sync";
/// The IP Office service user's password.
pub const IPO_PASSWORD: &str = "P4ssw0rd-IPO-kw8Yt2";

/// A wrong client secret, distinctive (and itself a secret: it must not leak either).
pub const WRONG_SECRET: &str = "Wr0ng-CLIENT-secret-Hy6Tb1";
/// A wrong IP Office password, distinctive for the same reason.
pub const WRONG_PASSWORD: &str = "Wr0ng-IPO-pw-Qx5Lm3";

/// Group of IP Office only people.
pub const GROUP_IPO: &str = "0a000000-0000-4000-8000-000000000001";
/// Group of Teams + IP Office people.
pub const GROUP_TEAMS_IPO: &str = "0a000000-0000-4000-8000-000000000002";
/// Group of Teams only people.
pub const GROUP_TEAMS_ONLY: &str = "0a000000-0000-4000-8000-000000000003";

/// The display name of group `group` (one of the three above), in Graph and in the rules.
pub fn group_name(group: &str) -> &'static str {
    match group {
        GROUP_IPO => "IP Office users",
        GROUP_TEAMS_IPO => "Teams + IP Office users",
        GROUP_TEAMS_ONLY => "Teams only users",
        other => panic!("not a group of the generated tenant: {other}"),
    }
}

/// Microsoft 365 Business Voice (without Calling Plan).
pub const BUSINESS_VOICE: &str = "d52db95a-5ecb-46b6-beb0-190ab5cda4a8";
/// Service plan Phone System (MCOEV).
pub const MCOEV: &str = "4828c8ec-dc2e-4779-b502-87ac9ce28ab7";

/// Object id of generated person `i`.
pub fn person_id(i: u32) -> ObjectId {
    format!("0b000000-0000-4000-8000-{i:012}").parse().unwrap()
}

/// The group generated person `i` belongs to: two in three IP Office only, then Teams +
/// IP Office, then Teams only.
pub fn group_of(i: u32) -> &'static str {
    match i % 6 {
        0..=3 => GROUP_IPO,
        4 => GROUP_TEAMS_IPO,
        _ => GROUP_TEAMS_ONLY,
    }
}

/// Generated person `i`: Teams people are Business Voice licensed and bring their extension
/// from Azure AD (`x4NNNNN` Teams + IP Office, `x7NNNNN` Teams only); IP Office only people
/// get one from the rule's range.
pub fn person(i: u32) -> AzureAdUser {
    let mut u = AzureAdUser::new(person_id(i));
    let nick = format!("user{i:05}");
    u.display_name = Some(format!("User {i:05}"));
    u.mail_nickname = Some(nick.clone());
    u.user_principal_name = Some(format!("{nick}@contoso.example"));
    u.mail = u.user_principal_name.clone();
    u.account_enabled = Some(true);
    let group = group_of(i);
    if group != GROUP_IPO {
        u.assigned_licenses = vec![AssignedLicense::new(BUSINESS_VOICE)];
        u.assigned_plans = vec![AssignedPlan::new(MCOEV, CapabilityStatus::Enabled)];
    }
    // Teams people bring their extension from Azure AD (both sides ring the same one).
    if group == GROUP_TEAMS_ONLY {
        u.business_phones = vec![format!("+4416327{:05} x7{:05}", i, i)];
    } else if group == GROUP_TEAMS_IPO {
        u.business_phones = vec![format!("+4416324{:05} x4{:05}", i, i)];
    }
    u
}

/// `n` generated people with their group.
pub fn people(n: u32) -> Vec<(AzureAdUser, &'static str)> {
    (0..n).map(|i| (person(i), group_of(i))).collect()
}

/// The sync configuration for the generated tenant: one rule per group, big extension ranges,
/// removal by disabling, threshold at its defaults.
pub fn config() -> SyncConfig {
    let rule = |group: &str, user_type, priority, provisioning_rule: Option<&str>| {
        let mut r = GroupRule::new(group.parse::<GroupId>().unwrap(), user_type);
        r.name = Some(group_name(group).into());
        r.priority = priority;
        r.provisioning_rule = provisioning_rule.map(Into::into);
        r
    };
    let mut cfg = SyncConfig::new(vec![
        rule(GROUP_IPO, UserType::IpOfficeOnly, 0, Some("desk")),
        rule(
            GROUP_TEAMS_IPO,
            UserType::TeamsAndIpOffice,
            10,
            Some("teams"),
        ),
        rule(GROUP_TEAMS_ONLY, UserType::TeamsOnly, 5, None),
    ]);
    let range = |name: &str, start: &str, end: &str, template: &str| {
        let mut r = ProvisioningRule::new(name);
        r.start_extension = Some(start.parse().unwrap());
        r.end_extension = Some(end.parse().unwrap());
        r.user_template = Some(template.into());
        r
    };
    cfg.provisioning_rules = vec![
        range("desk", "200000", "299999", "desk-user"),
        range("teams", "400000", "499999", "teams-user"),
    ];
    let mut desk_user = UserTemplate::default();
    desk_user.profile = Some(Profile::BasicUser);
    let mut teams_user = UserTemplate::default();
    teams_user.profile = Some(Profile::PowerUser);
    teams_user.teams_client = Some(true);
    cfg.user_templates.insert("desk-user".into(), desk_user);
    cfg.user_templates.insert("teams-user".into(), teams_user);
    cfg
}

/// An IP Office emulator configuration for the generated tenant: PLDS, enough Power User
/// licences for everyone, no seeded users.
pub fn ipo_emulator_config() -> EmulatorConfig {
    EmulatorConfig::new(IPO_USER, IPO_PASSWORD)
        .licensing_mode(LicensingMode::Plds)
        .seed(ipo_emulator::Seed::new().license(License::new("Power User", 100_000, 100_000)))
}

/// Both emulators and the real clients pointed at them.
pub struct Lab {
    /// The Microsoft Graph emulator.
    pub graph: GraphEmulatorHandle,
    /// The IP Office emulator.
    pub ipo: IpoEmulatorHandle,
    /// The real Graph client, over HTTP on 127.0.0.1.
    pub graph_client: Arc<GraphClient>,
    /// The real IP Office client, over HTTP on 127.0.0.1.
    pub ipo_client: Arc<IpoClient>,
    /// A scratch directory (directory CSV, state files), removed on drop.
    pub workdir: tempfile::TempDir,
}

impl Lab {
    /// Starts both emulators, seeds the tenant with `people`, and builds the clients with
    /// their default settings except what `tune_graph` / `tune_ipo` change.
    pub async fn start(
        people: &[(AzureAdUser, &str)],
        ipo: EmulatorConfig,
        tune_graph: impl FnOnce(GraphConfig) -> GraphConfig,
        tune_ipo: impl FnOnce(&mut IpoConfig),
    ) -> Lab {
        let graph = GraphEmulator::start(
            GraphEmulatorConfig::default()
                .tenant(TENANT)
                .credentials(CLIENT_ID, CLIENT_SECRET),
        )
        .await
        .unwrap();
        for group in [GROUP_IPO, GROUP_TEAMS_IPO, GROUP_TEAMS_ONLY] {
            graph.add_group(group, group_name(group)).unwrap();
        }
        for (u, g) in people {
            graph.add_user(u.clone()).unwrap();
            graph.add_member(*g, &u.id).unwrap();
        }
        // What the administrator states in the settings: the Management API's answer does
        // not settle licensing mode or platform (docs/ipo-wire.md, "Systems").
        let (mode, platform) = (ipo.licensing_mode, ipo.platform.clone());
        let ipo = IpoEmulator::start(ipo).await.unwrap();
        let workdir = tempfile::tempdir().unwrap();
        let graph_client = Arc::new(
            GraphClient::new(tune_graph(
                GraphConfig::new(TENANT, CLIENT_ID, graph_client::Secret::new(CLIENT_SECRET))
                    .with_bases(
                        graph.login_base().parse().unwrap(),
                        graph.graph_base().parse().unwrap(),
                    ),
            ))
            .unwrap(),
        );
        let mut ipo_cfg = IpoConfig::new(
            ipo.base_url(),
            IPO_USER,
            ipo_client::Secret::new(IPO_PASSWORD),
        );
        ipo_cfg.directory_csv = Some(workdir.path().join("ipo-directory.csv"));
        ipo_cfg.licensing_mode = Some(mode);
        ipo_cfg.platform = Some(platform);
        tune_ipo(&mut ipo_cfg);
        let ipo_client = Arc::new(IpoClient::new(ipo_cfg).unwrap());
        Lab {
            graph,
            ipo,
            graph_client,
            ipo_client,
            workdir,
        }
    }

    /// Starts the lab with default clients and an unseeded IP Office.
    pub async fn simple(people: &[(AzureAdUser, &str)]) -> Lab {
        Lab::start(people, ipo_emulator_config(), |g| g, |_| {}).await
    }

    /// The system directory entries the sync keeps (its directory CSV), as sorted
    /// `name = number` lines with the number in IP Office's directory notation.
    pub fn directory_csv_entries(&self) -> Vec<String> {
        let csv = self.workdir.path().join("ipo-directory.csv");
        let mut entries: Vec<String> = ipo_client::system_directory::read_directory(&csv)
            .unwrap()
            .iter()
            .map(|e| {
                format!(
                    "{} = {}",
                    e.name,
                    e.number
                        .format(ipo_model::NumberFormat::IpoDirectory)
                        .unwrap()
                )
            })
            .collect();
        entries.sort();
        entries
    }

    /// A sync engine over this lab's clients.
    pub fn engine(&self, config: SyncConfig, state: Arc<dyn StateStore>) -> SyncEngine {
        SyncEngine::new(
            config,
            self.graph_client.clone(),
            self.ipo_client.clone(),
            state,
        )
    }
}
