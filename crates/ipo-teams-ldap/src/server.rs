//! The listener: accepts connections (plain or LDAPS), admits them within the connection
//! limits, and runs each on its own task so no client can hold another up.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::BytesMut;
use ldap3_proto::LdapCodec;
use ldap3_proto::proto::LdapResultCode;
use ldap3_proto::simple::DisconnectionNotice;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_util::codec::Encoder;
use tracing::{info, warn};

use crate::admission::{Admission, Full};
use crate::config::DirectoryConfig;
use crate::connection::serve_connection;
use crate::dn::NormDn;
use crate::error::{ConfigError, ServeError};
use crate::refusal::RefusalLog;
use crate::set::EntrySetHandle;
use crate::tls::load_acceptor;

/// What every connection reads: the settings, the parsed base DN, the served set, and the
/// log of refusals.
pub(crate) struct Shared {
    pub(crate) config: DirectoryConfig,
    pub(crate) base: NormDn,
    pub(crate) set: EntrySetHandle,
    pub(crate) refusals: RefusalLog,
}

/// The read-only LDAP directory service, bound to its address and ready to run.
///
/// ```no_run
/// use ipo_teams_ldap::{Secret, BindUser, DirectoryConfig, DirectoryService, EntrySet, EntrySetHandle};
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let cfg = DirectoryConfig::new("0.0.0.0:389".parse()?, "ou=teams,dc=example,dc=com")
///     .with_bind_user(BindUser::new("cn=ipoffice,dc=example,dc=com", Secret::new(std::env::var("IPO_LDAP_PASSWORD")?)));
/// let set = EntrySetHandle::new();
/// if let Ok(n) = set.reload_from(std::path::Path::new("/var/lib/ipo-teams/directory-entries.json")) {
///     println!("serving {n} entries");
/// }
/// DirectoryService::bind(cfg, set).await?.run().await;
/// # Ok(()) }
/// ```
pub struct DirectoryService {
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for DirectoryService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectoryService")
            .field("listen", &self.listener.local_addr().ok())
            .field("base_dn", &self.shared.config.base_dn)
            .field("ldaps", &self.tls.is_some())
            .finish()
    }
}

impl DirectoryService {
    /// Checks `config`, loads the TLS certificate if one is configured, and opens the
    /// listener. Serves from `set`, whose content can be replaced at any time.
    pub async fn bind(config: DirectoryConfig, set: EntrySetHandle) -> Result<Self, ServeError> {
        config.validate()?;
        let base = NormDn::parse(&config.base_dn)
            .ok_or_else(|| ConfigError::BaseDn(config.base_dn.clone()))?;
        let tls = config.tls.as_ref().map(load_acceptor).transpose()?;
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| ServeError::Listen {
                    addr: config.listen,
                    source,
                })?;
        match set.current() {
            None => warn!(
                base_dn = %config.base_dn,
                "no directory entry set yet: serving nothing until a sync run writes one"
            ),
            Some(s) => info!(
                entries = s.len(),
                records = s.ip_office_records(),
                "serving directory entry set"
            ),
        }
        Ok(Self {
            listener,
            tls,
            shared: Arc::new(Shared {
                config,
                base,
                set,
                refusals: RefusalLog::new(),
            }),
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or(self.shared.config.listen)
    }

    /// Serves until the process ends.
    pub async fn run(self) {
        self.run_until(std::future::pending()).await
    }

    /// Serves until `shutdown` completes; then stops accepting and closes every connection.
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) {
        let (stop_tx, stop_rx) = watch::channel(false);
        let admission = Admission::new(&self.shared.config);
        let scheme = if self.tls.is_some() { "ldaps" } else { "ldap" };
        info!(addr = %self.local_addr(), scheme, base_dn = %self.shared.config.base_dn, "directory service listening");
        tokio::pin!(shutdown);
        loop {
            let (stream, peer) = tokio::select! {
                _ = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok(v) => v,
                    Err(e) => {
                        // Out of file descriptors and the like: wait a moment, keep serving.
                        warn!(error = %e, "accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            let ticket = match admission.admit(peer.ip()) {
                Ok(t) => t,
                Err(full) => {
                    self.shared.refusals.refused(peer, full.what(), &[]);
                    tokio::spawn(refuse_busy(
                        stream,
                        full,
                        self.shared.config.request_timeout,
                    ));
                    continue;
                }
            };
            let shared = self.shared.clone();
            let tls = self.tls.clone();
            let mut stop = stop_rx.clone();
            tokio::spawn(async move {
                let _ticket = ticket;
                tokio::select! {
                    _ = stop.wait_for(|s| *s) => {}
                    _ = accept_one(stream, peer, tls, shared) => {}
                }
            });
        }
        let _ = stop_tx.send(true);
        self.shared.refusals.flush();
        info!("directory service stopped");
    }

    /// Runs the service on its own task; the handle stops it.
    pub fn spawn(self) -> RunningService {
        let addr = self.local_addr();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(self.run_until(async {
            let _ = rx.await;
        }));
        RunningService {
            addr,
            stop: Some(tx),
            task,
        }
    }
}

/// A service running on its own task.
#[derive(Debug)]
pub struct RunningService {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl RunningService {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops it and waits until it has.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

async fn refuse_busy(mut stream: TcpStream, full: Full, timeout: std::time::Duration) {
    let notice = DisconnectionNotice::gen_response(LdapResultCode::Busy, full.what());
    let mut buf = BytesMut::new();
    if LdapCodec::default().encode(notice, &mut buf).is_ok() {
        let _ = tokio::time::timeout(timeout, stream.write_all(&buf)).await;
    }
    let _ = stream.shutdown().await;
}

async fn accept_one(
    stream: TcpStream,
    peer: SocketAddr,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
) {
    let _ = stream.set_nodelay(true);
    let Some(acceptor) = tls else {
        return serve_connection(stream, peer, &shared).await;
    };
    // The handshake is the connection's first request: it must be done within
    // request_timeout, so a client that opens a socket and trickles (or says nothing) goes.
    let limit = shared.config.request_timeout;
    match tokio::time::timeout(limit, acceptor.accept(stream)).await {
        Ok(Ok(s)) => serve_connection(s, peer, &shared).await,
        Ok(Err(e)) => {
            let what = format!("TLS handshake failed: {e}");
            shared.refusals.refused(peer, &what, &[]);
        }
        Err(_) => {
            let what = format!("TLS handshake not done within request_timeout ({limit:?})");
            shared.refusals.refused(peer, &what, &[]);
        }
    }
}
