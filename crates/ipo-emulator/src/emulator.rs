//! Starting and stopping an emulator instance.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use ipo_model::{Extension, HuntGroup, IpoUser, License};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::config::EmulatorConfig;
use crate::error::EmulatorError;
use crate::faults::Faults;
use crate::server::{self, App};
use crate::session::Sessions;
use crate::state::EmulatorState;
use crate::stats::{Stats, StatsSnapshot};
use crate::store::Store;

/// The emulator's certificate for 127.0.0.1 and localhost (self-signed, valid until 2126):
/// trust it to talk HTTPS to an emulator started with `tls: true`.
pub const SERVER_CERT_PEM: &str = include_str!("../fixtures/server-cert.pem");
const SERVER_KEY_PEM: &str = include_str!("../fixtures/server-key.pem");
/// A different self-signed certificate for the same names: trusting it instead of
/// [`SERVER_CERT_PEM`] must make a verifying client refuse the emulator.
pub const UNRELATED_CERT_PEM: &str = include_str!("../fixtures/other-cert.pem");

/// The IP Office Management API emulator.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use ipo_emulator::{EmulatorConfig, IpoEmulator};
/// let emu = IpoEmulator::start(EmulatorConfig::new("api", "secret")).await?;
/// assert!(emu.base_url().starts_with("http://127.0.0.1:"));
/// assert_eq!(emu.users()[0].name.as_str(), "NoUser");
/// emu.shutdown().await;
/// # Ok::<(), ipo_emulator::EmulatorError>(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct IpoEmulator;

impl IpoEmulator {
    /// Seeds the configuration, binds 127.0.0.1 on an ephemeral port and serves on the
    /// current tokio runtime until the handle is dropped or shut down.
    pub async fn start(config: EmulatorConfig) -> Result<IpoEmulatorHandle, EmulatorError> {
        let store = Arc::new(Mutex::new(Store::new(&config)?));
        let sessions = Arc::new(Mutex::new(Sessions::new(
            config.sessions.clone(),
            config.rng_seed,
        )));
        let faults = Faults::new(config.rng_seed);
        let stats = Stats::default();
        let tls = if config.tls {
            Some(tls_acceptor()?)
        } else {
            None
        };
        let app = Arc::new(App {
            store: store.clone(),
            sessions: sessions.clone(),
            faults: faults.clone(),
            stats: stats.clone(),
            credentials: config.credentials.clone(),
            default_format: config.default_format,
            require_client_headers: config.require_client_headers,
            tls: config.tls,
        });
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(EmulatorError::Bind)?;
        let addr = listener.local_addr().map_err(EmulatorError::Bind)?;
        let (tx, rx) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, server::router(app), tls, rx));
        tracing::debug!(%addr, tls = config.tls, "IP Office emulator listening");
        Ok(IpoEmulatorHandle {
            addr,
            tls: config.tls,
            state: EmulatorState { store, sessions },
            faults,
            stats,
            shutdown: tx,
            task: Some(task),
        })
    }
}

fn tls_acceptor() -> Result<TlsAcceptor, EmulatorError> {
    let tls_err = |e: &dyn std::fmt::Display| EmulatorError::Tls(e.to_string());
    let certs = CertificateDer::pem_slice_iter(SERVER_CERT_PEM.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls_err(&e))?;
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY_PEM.as_bytes()).map_err(|e| tls_err(&e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err(&e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| tls_err(&e))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A running emulator. Dropping it stops the server.
#[derive(Debug)]
pub struct IpoEmulatorHandle {
    addr: SocketAddr,
    tls: bool,
    state: EmulatorState,
    faults: Faults,
    stats: Stats,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl IpoEmulatorHandle {
    /// `http://127.0.0.1:PORT` (or `https://...`), no trailing slash.
    pub fn base_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The socket address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The PEM certificate to trust for HTTPS ([`SERVER_CERT_PEM`]).
    pub fn ca_pem(&self) -> &'static str {
        SERVER_CERT_PEM
    }

    /// The configuration, to read and script.
    pub fn state(&self) -> &EmulatorState {
        &self.state
    }

    /// Fault rules, changeable at any time.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The counters now.
    pub fn stats(&self) -> StatsSnapshot {
        self.stats.snapshot()
    }

    /// The live counters (to reset them).
    pub fn stats_handle(&self) -> &Stats {
        &self.stats
    }

    /// Users as `ipo_model` types (`NoUser` included).
    pub fn users(&self) -> Vec<IpoUser> {
        self.state.users()
    }

    /// Extension records.
    pub fn extensions(&self) -> Vec<Extension> {
        self.state.extensions()
    }

    /// Hunt groups.
    pub fn hunt_groups(&self) -> Vec<HuntGroup> {
        self.state.hunt_groups()
    }

    /// Licences with their current free counts.
    pub fn licenses(&self) -> Vec<License> {
        self.state.licenses()
    }

    /// Stops the server and waits for its accept loop to end.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for IpoEmulatorHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
