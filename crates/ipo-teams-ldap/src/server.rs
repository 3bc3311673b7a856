//! The listener: accepts connections (plain or LDAPS), enforces the connection limit, and
//! runs each connection on its own task so no client can hold another up.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::BytesMut;
use ldap3_proto::LdapCodec;
use ldap3_proto::proto::{LdapMsg, LdapResultCode};
use ldap3_proto::simple::DisconnectionNotice;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_util::codec::{Decoder, Encoder};
use tracing::{debug, info, warn};

use crate::config::DirectoryConfig;
use crate::dn::NormDn;
use crate::error::{ConfigError, ServeError};
use crate::session::{After, Session};
use crate::set::EntrySetHandle;
use crate::tls::load_acceptor;

/// What every connection reads: the settings, the parsed base DN and the served set.
pub(crate) struct Shared {
    pub(crate) config: DirectoryConfig,
    pub(crate) base: NormDn,
    pub(crate) set: EntrySetHandle,
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
            shared: Arc::new(Shared { config, base, set }),
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
        let slots = Arc::new(Semaphore::new(self.shared.config.max_connections));
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
            let Ok(permit) = slots.clone().try_acquire_owned() else {
                warn!(%peer, limit = self.shared.config.max_connections, "connection limit reached; refusing");
                tokio::spawn(refuse_busy(stream, self.shared.config.idle_timeout));
                continue;
            };
            let shared = self.shared.clone();
            let tls = self.tls.clone();
            let mut stop = stop_rx.clone();
            tokio::spawn(async move {
                let _permit = permit;
                tokio::select! {
                    _ = stop.wait_for(|s| *s) => {}
                    _ = accept_one(stream, peer, tls, shared) => {}
                }
            });
        }
        let _ = stop_tx.send(true);
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

async fn refuse_busy(mut stream: TcpStream, timeout: std::time::Duration) {
    let notice = DisconnectionNotice::gen_response(LdapResultCode::Busy, "too many connections");
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
    match tls {
        None => serve_connection(stream, peer, &shared).await,
        Some(acceptor) => {
            // The handshake counts against the idle timeout: a client that opens a socket and
            // says nothing is dropped like any idle one.
            match tokio::time::timeout(shared.config.idle_timeout, acceptor.accept(stream)).await {
                Ok(Ok(s)) => serve_connection(s, peer, &shared).await,
                Ok(Err(e)) => debug!(%peer, error = %e, "TLS handshake failed"),
                Err(_) => debug!(%peer, "TLS handshake timed out"),
            }
        }
    }
}

/// Reads requests, answers them, until the client leaves, idles, or sends something that is
/// not a valid LDAP message (which closes this connection and no other).
pub(crate) async fn serve_connection<S>(stream: S, peer: SocketAddr, shared: &Shared)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut rd, mut wr) = tokio::io::split(stream);
    let idle = shared.config.idle_timeout;
    let mut codec = LdapCodec::new(Some(shared.config.max_message_bytes), None);
    let mut inbuf = BytesMut::with_capacity(4096);
    let mut outbuf = BytesMut::new();
    let mut session = Session::new(peer.to_string());
    let mut replies: Vec<LdapMsg> = Vec::new();
    debug!(%peer, "connection opened");
    loop {
        // Every LDAPMessage is a SEQUENCE (tag 0x30): anything else is not LDAP, whatever
        // length its first bytes seem to announce, so do not wait for the rest of it.
        let decoded = match inbuf.first() {
            Some(&tag) if tag != 0x30 => Err(std::io::Error::other(
                "not an LDAP message (first byte is not a SEQUENCE tag)",
            )),
            _ => codec.decode(&mut inbuf),
        };
        let msg = match decoded {
            Ok(Some(m)) => m,
            Ok(None) => match tokio::time::timeout(idle, rd.read_buf(&mut inbuf)).await {
                Ok(Ok(0)) => break,
                Ok(Ok(_)) => continue,
                Ok(Err(e)) => {
                    debug!(%peer, error = %e, "read failed");
                    break;
                }
                Err(_) => {
                    debug!(%peer, ?idle, "idle timeout; closing the connection");
                    break;
                }
            },
            Err(e) => {
                warn!(%peer, error = %e, "malformed or oversized LDAP message; closing this connection");
                let notice = DisconnectionNotice::gen_response(
                    LdapResultCode::ProtocolError,
                    "malformed or oversized message",
                );
                let mut b = BytesMut::new();
                if codec.encode(notice, &mut b).is_ok() {
                    let _ = tokio::time::timeout(idle, wr.write_all(&b)).await;
                }
                break;
            }
        };
        replies.clear();
        let after = session.handle(msg, shared, &mut replies);
        outbuf.clear();
        for r in replies.drain(..) {
            if let Err(e) = codec.encode(r, &mut outbuf) {
                warn!(%peer, error = %e, "could not encode a response");
                return;
            }
        }
        if !outbuf.is_empty() {
            // A client that does not read its answers is as idle as one that sends nothing.
            match tokio::time::timeout(idle, wr.write_all(&outbuf)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    debug!(%peer, error = %e, "write failed");
                    break;
                }
                Err(_) => {
                    debug!(%peer, "client stopped reading; closing the connection");
                    break;
                }
            }
        }
        if after == After::Close {
            break;
        }
    }
    let _ = wr.shutdown().await;
    debug!(%peer, "connection closed");
}
