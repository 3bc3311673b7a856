//! The two clients, built from the configuration and the secrets, and the engine over them.

use std::sync::Arc;
use std::time::Duration;

use graph_client::{GraphClient, GraphConfig};
use ipo_client::{IpoClient, IpoConfig, TlsMode, WireFormat};
use ipo_model::RetryPolicy;
use sync_engine::teams::TeamsApplyOptions;
use sync_engine::{FileStateStore, SyncEngine};

use crate::error::CliError;
use crate::file_config::{LicensingModeName, Loaded, PlatformName, ProgramConfig, WireFormatName};
use crate::progress;
use crate::secrets::Secrets;

/// Both clients.
pub struct Clients {
    /// Microsoft Graph.
    pub graph: Arc<GraphClient>,
    /// IP Office.
    pub ipo: Arc<IpoClient>,
}

/// Builds both clients; nothing is sent yet.
pub fn clients(config: &ProgramConfig, secrets: Secrets) -> Result<Clients, CliError> {
    let mut g = GraphConfig::new(
        config.graph.tenant.clone(),
        config.graph.client_id.clone(),
        secrets.client_secret,
    );
    // Each base on its own: a national cloud may need only one changed.
    if let Some(login) = &config.graph.login_base {
        g.login_base = login.url().clone();
    }
    if let Some(graph) = &config.graph.graph_base {
        g.graph_base = graph.url().clone();
    }
    g.retry = timeouts(
        g.retry,
        "graph",
        config.graph.connect_timeout_seconds,
        config.graph.request_timeout_seconds,
    );
    let graph = GraphClient::new(g).map_err(|e| CliError::Setup(format!("[graph]: {e}")))?;

    let base = config
        .ipo
        .base_url
        .url()
        .as_str()
        .trim_end_matches('/')
        .to_owned();
    let mut i = IpoConfig::new(base, config.ipo.username.clone(), secrets.ipo_password);
    i.format = match config.ipo.format {
        WireFormatName::Json => WireFormat::Json,
        _ => WireFormat::Xml,
    };
    i.tls = match (
        &config.ipo.ca_pem,
        config.ipo.insecure_accept_any_certificate,
    ) {
        (_, true) => TlsMode::InsecureAcceptAnyCertificate,
        (Some(p), false) => TlsMode::TrustCa(
            std::fs::read_to_string(p)
                .map_err(|e| CliError::Setup(format!("ipo.ca_pem {}: {e}", p.display())))?,
        ),
        (None, false) => TlsMode::PublicRoots,
    };
    i.directory_csv = config.ipo.directory_csv.clone();
    i.licensing_mode = config.ipo.licensing_mode.map(|m| match m {
        LicensingModeName::Subscription => ipo_model::LicensingMode::Subscription,
        _ => ipo_model::LicensingMode::Plds,
    });
    i.platform = config.ipo.platform.map(|p| match p {
        PlatformName::Ip500V2 => ipo_model::Platform::Ip500V2,
        PlatformName::Select => ipo_model::Platform::Select,
        _ => ipo_model::Platform::ServerEdition,
    });
    i.retry = timeouts(
        i.retry,
        "ipo",
        config.ipo.connect_timeout_seconds,
        config.ipo.request_timeout_seconds,
    );
    let ipo = IpoClient::new(i).map_err(|e| CliError::Setup(format!("[ipo]: {e}")))?;
    Ok(Clients {
        graph: Arc::new(graph),
        ipo: Arc::new(ipo),
    })
}

/// The engine over both clients and the state file, with progress for this process.
pub fn engine(loaded: &Loaded, c: &Clients, quiet: bool) -> SyncEngine {
    SyncEngine::new(
        loaded.config.sync.clone(),
        c.graph.clone(),
        c.ipo.clone(),
        Arc::new(FileStateStore::new(loaded.config.state_file.clone())),
    )
    .with_progress(progress::for_this_process(quiet))
    // Rules with `provisioning = "graph"` write Teams through the same client.
    .with_teams(c.graph.clone(), TeamsApplyOptions::default())
}

/// The `[section]`'s timeouts over a client's default policy; errors from its deadline name
/// the setting the administrator edits.
fn timeouts(
    policy: RetryPolicy,
    section: &str,
    connect: Option<u64>,
    request: Option<u64>,
) -> RetryPolicy {
    let mut p = policy.with_request_timeout_setting(format!("{section}.request_timeout_seconds"));
    if let Some(s) = connect {
        p = p.with_connect_timeout(Duration::from_secs(s));
    }
    if let Some(s) = request {
        p = p.with_request_timeout(Duration::from_secs(s));
    }
    p
}
