//! The client: one reused session, retries, re-login on session timeout.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use ipo_model::{LicensingMode, Platform, SystemInfo};
use reqwest::header::{ACCEPT, CONTENT_TYPE, COOKIE, HeaderMap, RETRY_AFTER};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use tokio::sync::Mutex;

use crate::config::{IpoConfig, TlsMode, WireFormat};
use crate::error::IpoError;
use crate::records::NodeInfo;
use crate::replay::Replay;
use crate::session::{Session, SessionState};
use crate::stats::{ClientStats, Counters};
use crate::tls;
use crate::wire::{self, Envelope};

const AUTH_PATH: &str = "/WebManagement/ws/sdk/security/authenticate";
const API_PATH: &str = "/WebManagement/ws/sdk/admin/v1/";
/// Broad on purpose: some systems answer 406 to a narrow `Accept`.
const ACCEPT_ANY: &str = "application/xml, application/json;q=0.9, text/xml;q=0.8, */*;q=0.5";

/// A client of the IP Office Management API.
///
/// One session is opened on first use, shared by concurrent callers (one login), reused
/// for the whole run and closed by [`IpoClient::close`] (or, best effort, when the client is
/// dropped inside a Tokio runtime). See the crate docs for the behaviour on faults.
///
/// ```no_run
/// use ipo_client::{IpoClient, IpoConfig, Secret, TlsMode};
/// use ipo_model::IpoConfigStore;
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let mut cfg = IpoConfig::new("https://10.0.0.5:7070", "sync", Secret::new("secret"));
/// cfg.tls = TlsMode::TrustCa(std::fs::read_to_string("ipoffice-root-ca.pem")?);
/// let client = IpoClient::new(cfg)?;
/// let snapshot = client.snapshot().await?;
/// println!("{} users", snapshot.users.len());
/// client.close().await;
/// # Ok(()) }
/// ```
pub struct IpoClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub http: reqwest::Client,
    pub cfg: IpoConfig,
    pub base: String,
    /// `host:port` of the base URL, for messages.
    pub address: String,
    pub session: Mutex<SessionState>,
    pub counters: Counters,
    pub mode: RwLock<Option<LicensingMode>>,
    /// The solution's nodes from the last `GET systems` (`None`: not read in this session).
    /// Held across the read so concurrent callers share one listing.
    pub nodes: Mutex<Option<Vec<NodeInfo>>>,
}

/// What came back for a request (after retries and re-login).
pub(crate) struct Reply {
    pub status: StatusCode,
    /// `None` for an empty body.
    pub envelope: Option<Envelope>,
    /// The request was resent after an attempt that may have been carried out (a dropped
    /// connection, a 502, a 504): an answer such as a delete's `404:NotFound` may be the
    /// first attempt's doing.
    pub replayed: bool,
}

impl std::fmt::Debug for IpoClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IpoClient")
            .field("base_url", &self.inner.base)
            .field("username", &self.inner.cfg.username)
            .finish_non_exhaustive()
    }
}

impl IpoClient {
    /// A client for `cfg` (nothing is sent until the first call).
    pub fn new(cfg: IpoConfig) -> Result<Self, IpoError> {
        let base = cfg.base_url.trim_end_matches('/').to_owned();
        let parsed = url::Url::parse(&base)
            .map_err(|e| IpoError::Config(format!("base URL {base:?}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(IpoError::Config(format!(
                "base URL {base:?}: scheme must be https (or http)"
            )));
        }
        if cfg.batch_size == 0 {
            return Err(IpoError::Config("batch_size must be at least 1".into()));
        }
        let tls = tls::client_config(&cfg.tls)?;
        let address = format!(
            "{}:{}",
            parsed.host_str().unwrap_or_default(),
            parsed.port_or_known_default().unwrap_or(7070)
        );
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(cfg.retry.connect_timeout)
            .timeout(cfg.retry.request_timeout)
            .build()
            .map_err(|e| IpoError::Config(format!("HTTP client: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                cfg,
                base,
                address,
                session: Mutex::new(SessionState::LoggedOut),
                counters: Counters::default(),
                mode: RwLock::new(None),
                nodes: Mutex::new(None),
            }),
        })
    }

    /// What the client did so far.
    pub fn stats(&self) -> ClientStats {
        self.inner.counters.read()
    }

    /// The settings.
    pub fn config(&self) -> &IpoConfig {
        &self.inner.cfg
    }

    /// Logs out (one attempt, errors only logged). A later call logs in again (and reads
    /// the node listing again when it needs it).
    pub async fn close(&self) {
        *self.inner.nodes.lock().await = None;
        let mut state = self.inner.session.lock().await;
        if let SessionState::Active(s) = std::mem::take(&mut *state) {
            self.inner.logout(&s).await;
        }
    }

    /// Sends a request to `resource` (`users`, `users?guid=` as `query`...) with
    /// `ipaddress=node` (`None`: no selector, i.e. the whole solution for a read, the primary
    /// for a write) and returns the parsed answer; logs in first if needed, logs in again and
    /// repeats once on `461:SessionTimeout` (the request was refused, not carried out). A
    /// failure is resent as the method's [`Replay`] allows; a create that may have been
    /// carried out is an [`IpoError::Unconfirmed`].
    pub(crate) async fn call_on(
        &self,
        node: Option<&str>,
        method: Method,
        resource: &str,
        query: &[(&str, &str)],
        body: Option<String>,
    ) -> Result<Reply, IpoError> {
        let inner = &self.inner;
        let what = format!("{method} {resource}");
        let url = format!("{}{API_PATH}{resource}", inner.base);
        let mut query: Vec<(&str, &str)> = query.to_vec();
        if let Some(node) = node {
            query.push(("ipaddress", node));
        }
        let replay = Replay::of_method(&method);
        let mut relogged = false;
        let mut replayed = false;
        loop {
            let session = inner.current_session().await?;
            let cookie = session.header();
            let make = || {
                let mut rb = inner
                    .http
                    .request(method.clone(), &url)
                    .headers(inner.common_headers())
                    .query(&query);
                if let Some(c) = &cookie {
                    rb = rb.header(COOKIE, c.clone());
                }
                if let Some(b) = &body {
                    rb = rb
                        .header(CONTENT_TYPE, content_type(inner.cfg.format))
                        .body(b.clone());
                }
                rb
            };
            let (resp, resent) = inner.execute(make, &what, replay).await?;
            replayed |= resent;
            let status = resp.status();
            inner
                .absorb_cookies(resp.headers(), session.generation)
                .await;
            let text = resp.text().await.map_err(|e| {
                let e = IpoError::Transport(format!(
                    "{what}: reading the answer: {}",
                    cause_chain(&e.without_url())
                ));
                unconfirmed_if(replay, &what, e)
            })?;
            let envelope = envelope_of(status, &text, &what)?;
            let timed_out = status.as_u16() == 461
                || status == StatusCode::UNAUTHORIZED
                || envelope.as_ref().is_some_and(Envelope::session_timed_out);
            if timed_out {
                if relogged {
                    tracing::warn!(what, "session timed out again right after logging in");
                    if envelope.is_none() {
                        return Err(IpoError::Http {
                            status: status.as_u16(),
                            what,
                        });
                    }
                } else {
                    tracing::info!(what, "IP Office session timed out; logging in again");
                    inner.relogin(session.generation).await?;
                    relogged = true;
                    continue;
                }
            }
            if envelope.is_none() && !status.is_success() {
                let e = IpoError::Http {
                    status: status.as_u16(),
                    what: what.clone(),
                };
                // A 5xx without IP Office's envelope may come after the write was done.
                return Err(if status.is_server_error() {
                    unconfirmed_if(replay, &what, e)
                } else {
                    e
                });
            }
            return Ok(Reply {
                status,
                envelope,
                replayed,
            });
        }
    }

    /// `GET resource`: the records, or the errors of a `status="0"` answer.
    pub(crate) async fn list(&self, resource: &str) -> Result<Vec<wire::WireRecord>, IpoError> {
        self.list_on(self.inner.cfg.node.as_deref(), resource).await
    }

    /// [`list`](Self::list) with `ipaddress=node` (`None`: the whole solution).
    pub(crate) async fn list_on(
        &self,
        node: Option<&str>,
        resource: &str,
    ) -> Result<Vec<wire::WireRecord>, IpoError> {
        let reply = self.call_on(node, Method::GET, resource, &[], None).await?;
        let Some(env) = reply.envelope else {
            return Ok(Vec::new());
        };
        if env.failed() {
            return Err(IpoError::Api {
                what: format!("GET {resource}"),
                errors: env.errors(),
            });
        }
        Ok(env.into_records().collect())
    }

    /// The licensing mode: from the last snapshot, else read from `systems`.
    pub(crate) async fn licensing_mode(&self) -> Result<LicensingMode, IpoError> {
        if let Ok(g) = self.inner.mode.read()
            && let Some(m) = *g
        {
            return Ok(m);
        }
        let recs = self.list("systems").await?;
        let system =
            crate::records::solution_from_records(&recs).ok_or_else(|| IpoError::Malformed {
                what: "GET systems".into(),
                detail: "no System record".into(),
            })?;
        let system = self.settle_system(system, &recs)?;
        self.remember_mode(system.licensing_mode);
        // The same listing names the nodes: a write to a node needs no second read.
        if let Ok(mut nodes) = self.inner.nodes.try_lock()
            && nodes.is_none()
        {
            *nodes = Some(crate::records::nodes_from_records(&recs));
        }
        Ok(system.licensing_mode)
    }

    /// The system as read, with the licensing mode and platform the configuration states
    /// where the answer does not settle them. A configured value that contradicts a settled
    /// answer is an [`IpoError::Config`]; a value neither settles stays unknown, with a
    /// warning naming the setting.
    pub(crate) fn settle_system(
        &self,
        mut system: SystemInfo,
        recs: &[wire::WireRecord],
    ) -> Result<SystemInfo, IpoError> {
        let cfg = &self.inner.cfg;
        let raw = recs
            .first()
            .and_then(crate::records::license_mode_wire)
            .unwrap_or_else(|| "(none)".into());
        match (system.licensing_mode, cfg.licensing_mode) {
            (LicensingMode::Unknown, Some(m)) => system.licensing_mode = m,
            (LicensingMode::Unknown, None) => tracing::warn!(
                license_mode = %raw,
                "IP Office's PBXLicense/LicenseMode {raw:?} has no documented meaning, so the licensing mode is unknown: set licensing_mode = \"plds\" or \"subscription\" in the IP Office settings (IpoConfig::licensing_mode)"
            ),
            (read, Some(m)) if read != m => {
                return Err(IpoError::Config(format!(
                    "licensing_mode is set to {m}, but IP Office's answer (PBXLicense/LicenseMode {raw:?}) says {read}: correct the setting"
                )));
            }
            _ => {}
        }
        match (&system.platform, &cfg.platform) {
            (Platform::Unknown, Some(p)) => system.platform = p.clone(),
            (Platform::Unknown, None) => tracing::info!(
                "the Management API does not name the platform (System/Configuration is an operating mode): capacity limits are unknown; set platform = \"ip500v2\", \"server_edition\" or \"select\" in the IP Office settings (IpoConfig::platform) to check them"
            ),
            (read, Some(p)) if read != p => {
                return Err(IpoError::Config(format!(
                    "platform is set to {p:?}, but IP Office's answer says {read:?}: correct the setting"
                )));
            }
            _ => {}
        }
        Ok(system)
    }

    pub(crate) fn remember_mode(&self, mode: LicensingMode) {
        if let Ok(mut g) = self.inner.mode.write() {
            *g = Some(mode);
        }
    }
}

/// The envelope of an answer: `None` for an empty body or, with a failure status, for a body
/// that is not IP Office's (an HTML or plain-text error page); a success whose body cannot
/// be read is [`IpoError::Malformed`].
fn envelope_of(status: StatusCode, text: &str, what: &str) -> Result<Option<Envelope>, IpoError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    match wire::parse_envelope(text) {
        // An HTML error page parses as XML, but says nothing IP Office said.
        Ok(env) if !status.is_success() && !is_answer(&env) => Ok(None),
        Ok(env) => Ok(Some(env)),
        Err(IpoError::Malformed { detail, .. }) if status.is_success() => {
            Err(IpoError::Malformed {
                what: what.to_owned(),
                detail,
            })
        }
        Err(e) if status.is_success() => Err(e),
        Err(_) => Ok(None),
    }
}

/// Whether a parsed body is IP Office's: it has a `status`, an object or a restart notice.
fn is_answer(env: &Envelope) -> bool {
    env.status.is_some() || !env.objects.is_empty() || !env.reboots.is_empty()
}

/// `e`, or for a request that is not resent ([`Replay::IfUnprocessed`]) the
/// [`IpoError::Unconfirmed`] it stands for: the request may have been carried out.
fn unconfirmed_if(replay: Replay, what: &str, e: IpoError) -> IpoError {
    match replay {
        Replay::Always => e,
        Replay::IfUnprocessed => IpoError::Unconfirmed {
            request: what.to_owned(),
            cause: Box::new(e),
        },
    }
}

fn content_type(f: WireFormat) -> &'static str {
    match f {
        WireFormat::Xml => "application/xml",
        WireFormat::Json => "application/json",
    }
}

/// The `Retry-After` of an answer (seconds or an HTTP date), if any and readable.
fn retry_after(h: &HeaderMap) -> Option<Duration> {
    let v = h.get(RETRY_AFTER)?.to_str().ok()?;
    ipo_model::parse_retry_after(v, chrono::Utc::now())
}

/// A failed send, read once: its message and what decides the retry.
struct TransportFailure {
    /// The error and every cause under it, each message once (the URL left out).
    text: String,
    /// The TLS error in the chain, if the handshake failed.
    tls: Option<rustls::Error>,
    /// The connection could not be opened (refused, unreachable, connect timeout): nothing
    /// was sent.
    connect: bool,
    /// A timeout (of the connection or of the answer).
    timeout: bool,
    /// A connection error, a timeout or a request that could not be sent.
    transient: bool,
}

impl TransportFailure {
    fn of(e: reqwest::Error) -> Self {
        let transient = e.is_connect() || e.is_timeout() || e.is_request();
        let (connect, timeout) = (e.is_connect(), e.is_timeout());
        let e = e.without_url();
        Self {
            text: cause_chain(&e),
            tls: tls_cause(&e),
            connect,
            timeout,
            transient,
        }
    }
}

/// The Display of `e` and of every error in its `source()` chain, joined with `: `; a
/// message already said (alone or inside an earlier one) is left out.
pub(crate) fn cause_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(e);
    while let Some(err) = next {
        let text = err.to_string();
        let text = text.trim();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(text)) {
            parts.push(text.to_owned());
        }
        next = err.source();
    }
    parts.join(": ")
}

/// The rustls error in `e`'s chain: itself, a cause, or the payload of an
/// `std::io::Error` (whose `source()` skips its payload, hence `get_ref`).
pub(crate) fn tls_cause(e: &(dyn std::error::Error + 'static)) -> Option<rustls::Error> {
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls.clone());
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && let Some(tls) = tls_cause(inner)
        {
            return Some(tls);
        }
        next = err.source();
    }
    None
}

/// What to change for a handshake refused with `e` under `mode`.
pub(crate) fn tls_hint(e: &rustls::Error, mode: &TlsMode) -> &'static str {
    let certificate = matches!(
        e,
        rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented
    );
    match mode {
        _ if !certificate => {
            "check that the base URL's port serves HTTPS (TLS 1.2 or 1.3), not plain HTTP"
        }
        TlsMode::PublicRoots => {
            "the certificate is not from a public CA (IP Office's own is self-signed): set TlsMode::TrustCa with the IP Office certificate (PEM), or its CA's"
        }
        TlsMode::TrustCa(_) => {
            "the certificate is not issued by the trusted CA or does not name the host of the base URL: set TlsMode::TrustCa with the IP Office certificate (PEM), or its CA's, and use a host name the certificate names"
        }
        TlsMode::PinnedCertificate(_) => {
            "the certificate is not the pinned one: pin the IP Office certificate (PEM) now installed, or set TlsMode::TrustCa with it"
        }
        TlsMode::InsecureAcceptAnyCertificate => "the certificate was refused",
    }
}

impl Inner {
    fn common_headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            "X-User-Client",
            reqwest::header::HeaderValue::from_static("Avaya-WebAdmin"),
        );
        h.insert(
            "X-User-Agent",
            reqwest::header::HeaderValue::from_static("Avaya-SDKUser"),
        );
        h.insert(
            ACCEPT,
            reqwest::header::HeaderValue::from_static(ACCEPT_ANY),
        );
        h
    }

    /// Sends with retries of 503 (honouring `Retry-After`), 502/504 and connection errors as
    /// `replay` allows, within the policy's deadline: each attempt gets what is left of
    /// [`RetryPolicy::request_timeout`], so the whole call ends within it. Returns the answer
    /// and whether an earlier attempt may have been carried out. A failed TLS handshake is
    /// never retried: it is an [`IpoError::TlsRefused`]. A 502/504 that is not resent is
    /// returned as the answer (the caller makes it [`IpoError::Unconfirmed`]).
    async fn execute(
        &self,
        make: impl Fn() -> RequestBuilder,
        what: &str,
        replay: Replay,
    ) -> Result<(Response, bool), IpoError> {
        let policy = &self.cfg.retry;
        let started = std::time::Instant::now();
        let mut attempts = 0u32;
        let mut replayed = false;
        // Why the last attempt failed: the error when the deadline passes during its wait.
        let mut last: Option<IpoError> = None;
        loop {
            let Some(left) = policy.remaining(started.elapsed()) else {
                return Err(last.unwrap_or_else(|| {
                    IpoError::Transport(format!("{what}: {}", self.deadline_passed()))
                }));
            };
            attempts += 1;
            Counters::bump(&self.counters.requests);
            let (retry_after, why, maybe_done) = match make().timeout(left).send().await {
                Ok(resp) => {
                    let s = resp.status().as_u16();
                    if !replay.resends_status(s) {
                        return Ok((resp, replayed));
                    }
                    let why = format!("{} answered HTTP {s}", self.address);
                    // A 503 was refused unprocessed; a gateway's 502/504 may follow the write.
                    match s {
                        503 => (retry_after(resp.headers()), why, false),
                        _ => (None, why, true),
                    }
                }
                Err(e) => {
                    let (why, maybe_done) = self.failed_send(e, what, replay)?;
                    (None, why, maybe_done)
                }
            };
            replayed |= maybe_done;
            let spent = started.elapsed();
            let error = IpoError::Transport(format!(
                "{what}: {why} (gave up after {attempts} attempts in {:.1} s)",
                spent.as_secs_f64()
            ));
            let Some(wait) = policy.next_wait(attempts, spent, retry_after) else {
                return Err(error);
            };
            last = Some(error);
            Counters::bump(&self.counters.retries);
            self.counters.add_wait(wait);
            tracing::debug!(what, %why, wait_ms = wait.as_millis() as u64, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    /// A send that failed in transport: the words for it when it may be resent, with whether
    /// it may have been carried out (it may, unless no connection was made); the error when
    /// it must not be resent: a refused TLS handshake, a create that may have reached IP
    /// Office ([`IpoError::Unconfirmed`]), an answer that timed out (it had the rest of the
    /// deadline: nothing is left to retry in).
    fn failed_send(
        &self,
        e: reqwest::Error,
        what: &str,
        replay: Replay,
    ) -> Result<(String, bool), IpoError> {
        let failure = TransportFailure::of(e);
        if let Some(tls) = &failure.tls {
            let hint = tls_hint(tls, &self.cfg.tls);
            tracing::error!(what, error = %failure.text, "TLS handshake with IP Office failed; not retrying");
            return Err(IpoError::TlsRefused {
                detail: format!("{what}: {}; {hint}", failure.text),
            });
        }
        if failure.connect {
            return Ok((self.explain(&failure), false));
        }
        if replay == Replay::IfUnprocessed {
            // Sent, perhaps carried out: the caller's journal decides, not a resend.
            let cause = IpoError::Transport(format!("{what}: {}", self.lost(&failure)));
            return Err(unconfirmed_if(replay, what, cause));
        }
        let why = self.explain(&failure);
        if failure.timeout || !failure.transient {
            return Err(IpoError::Transport(format!("{what}: {why}")));
        }
        Ok((why, true))
    }

    /// A request that was sent but got no answer, in words (no advice on reaching the
    /// address: it was reached).
    fn lost(&self, f: &TransportFailure) -> String {
        let retry = &self.cfg.retry;
        if f.timeout {
            format!(
                "{} sent no answer within {} s ({} sets this wait)",
                self.address,
                retry.request_timeout.as_secs_f64(),
                retry.request_timeout_setting
            )
        } else {
            format!(
                "the connection to {} ended before an answer ({})",
                self.address, f.text
            )
        }
    }

    /// The deadline passed before an attempt could start (a long wait, a slow connect).
    fn deadline_passed(&self) -> String {
        let retry = &self.cfg.retry;
        format!(
            "no answer from {} within {} s, retries included; {} sets this wait",
            self.address,
            retry.request_timeout.as_secs_f64(),
            retry.request_timeout_setting
        )
    }

    /// A transport failure in words: what happened at which `host:port`, and what to check.
    fn explain(&self, f: &TransportFailure) -> String {
        let addr = &self.address;
        let retry = &self.cfg.retry;
        if f.connect && f.timeout {
            format!(
                "no connection to {addr} within {} s ({}); check that the base URL names the IP Office system (host and port, normally 7070), that it is running and reachable from here, and that no firewall drops the port",
                retry.connect_timeout.as_secs_f64(),
                f.text
            )
        } else if f.connect {
            format!(
                "cannot connect to {addr} ({}); check that the base URL's host and port are IP Office's Management API (HTTPS, normally port 7070) and that IP Office is running",
                f.text
            )
        } else if f.timeout {
            format!(
                "{addr} accepted the connection but sent no answer within {} s, retries included ({} sets this wait); check that the port is IP Office's Management API (HTTPS, normally 7070) and not another service, and whether IP Office is overloaded",
                retry.request_timeout.as_secs_f64(),
                retry.request_timeout_setting
            )
        } else {
            format!("{addr}: {}", f.text)
        }
    }

    /// The current session, logging in when there is none. Holding the lock while logging
    /// in makes concurrent callers share one login.
    async fn current_session(&self) -> Result<Session, IpoError> {
        let mut state = self.session.lock().await;
        match &*state {
            SessionState::Active(s) => Ok(s.clone()),
            SessionState::Refused(detail) => Err(IpoError::LoginFailed {
                detail: format!("an earlier login was refused: {detail}"),
            }),
            SessionState::LoggedOut => {
                let s = self.login(1).await;
                self.settle(&mut state, s)
            }
        }
    }

    fn settle(
        &self,
        state: &mut SessionState,
        s: Result<Session, IpoError>,
    ) -> Result<Session, IpoError> {
        match s {
            Ok(s) => {
                *state = SessionState::Active(s.clone());
                Ok(s)
            }
            Err(IpoError::LoginFailed { detail }) => {
                *state = SessionState::Refused(detail.clone());
                Err(IpoError::LoginFailed { detail })
            }
            Err(e) => Err(e),
        }
    }

    /// Logs in again unless another caller already did since `generation`.
    async fn relogin(&self, generation: u64) -> Result<(), IpoError> {
        let mut state = self.session.lock().await;
        let next = match &*state {
            SessionState::Active(s) if s.generation != generation => return Ok(()),
            SessionState::Active(s) => s.generation + 1,
            SessionState::Refused(detail) => {
                return Err(IpoError::LoginFailed {
                    detail: format!("an earlier login was refused: {detail}"),
                });
            }
            SessionState::LoggedOut => generation + 1,
        };
        Counters::bump(&self.counters.relogins);
        let s = self.login(next).await;
        self.settle(&mut state, s).map(|_| ())
    }

    /// Cookies set on any answer join the session.
    async fn absorb_cookies(&self, headers: &HeaderMap, generation: u64) {
        if !headers.contains_key(reqwest::header::SET_COOKIE) {
            return;
        }
        let mut state = self.session.lock().await;
        if let SessionState::Active(s) = &mut *state
            && s.generation == generation
        {
            s.absorb(headers);
        }
    }

    /// One login: transport failures are retried by the policy; a refusal never is.
    async fn login(&self, generation: u64) -> Result<Session, IpoError> {
        Counters::bump(&self.counters.logins);
        let url = format!("{}{AUTH_PATH}", self.base);
        let make = || {
            self.http
                .get(&url)
                .headers(self.common_headers())
                .header(CONTENT_TYPE, content_type(self.cfg.format))
                .basic_auth(&self.cfg.username, Some(self.cfg.password.expose()))
        };
        let (resp, _) = self.execute(make, "login", Replay::Always).await?;
        let status = resp.status();
        let mut session = Session::new(generation);
        session.absorb(resp.headers());
        let body = resp.text().await.unwrap_or_default();
        let env = wire::parse_envelope(&body).ok();
        let refused = |detail: String| {
            tracing::error!(user = %self.cfg.username, %detail, "IP Office login refused; not retrying");
            Err(IpoError::LoginFailed { detail })
        };
        if matches!(status.as_u16(), 401 | 403) {
            let codes = env.map(|e| {
                e.errors()
                    .into_iter()
                    .map(|e| e.code)
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            return refused(match codes {
                Some(c) if !c.is_empty() => format!("HTTP {}, {c}", status.as_u16()),
                _ => format!("HTTP {}", status.as_u16()),
            });
        }
        if !status.is_success() {
            return Err(IpoError::Http {
                status: status.as_u16(),
                what: "login".into(),
            });
        }
        if let Some(env) = env
            && env.failed()
        {
            let codes: Vec<String> = env.errors().into_iter().map(|e| e.code).collect();
            return refused(format!("status 0: {}", codes.join(", ")));
        }
        if session.is_empty() {
            return refused("no session cookie in the answer".into());
        }
        tracing::info!(user = %self.cfg.username, cookies = ?session.names(), "logged in to IP Office");
        Ok(session)
    }

    async fn logout(&self, s: &Session) {
        let url = format!("{}{AUTH_PATH}", self.base);
        let mut rb = self.http.delete(&url).headers(self.common_headers());
        if let Some(c) = s.header() {
            rb = rb.header(COOKIE, c);
        }
        Counters::bump(&self.counters.requests);
        match rb.send().await {
            Ok(r) if r.status().is_success() => tracing::info!("logged out of IP Office"),
            Ok(r) => tracing::warn!(
                status = r.status().as_u16(),
                "IP Office logout answered an error"
            ),
            Err(e) => tracing::warn!(error = %e.without_url(), "IP Office logout failed"),
        }
    }
}

impl Drop for IpoClient {
    fn drop(&mut self) {
        // Best effort: the session counts against the account's 5 concurrent sessions.
        let Ok(mut state) = self.inner.session.try_lock() else {
            return;
        };
        let SessionState::Active(s) = std::mem::take(&mut *state) else {
            return;
        };
        drop(state);
        match tokio::runtime::Handle::try_current() {
            Ok(h) => {
                let inner = self.inner.clone();
                h.spawn(async move { inner.logout(&s).await });
            }
            Err(_) => tracing::warn!(
                "IpoClient dropped outside a runtime without close(): session left open"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error with a fixed message and an optional cause.
    #[derive(Debug)]
    struct Layer(
        &'static str,
        Option<Box<dyn std::error::Error + Send + Sync>>,
    );

    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    fn unknown_issuer() -> rustls::Error {
        rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)
    }

    #[test]
    fn rustls_error_inside_an_io_error_is_found_and_named() {
        // How tokio-rustls reports it: an io::Error carrying the rustls error, whose
        // `source()` skips that payload.
        let io = std::io::Error::other(unknown_issuer());
        let e = Layer(
            "error sending request",
            Some(Box::new(Layer(
                "client error (Connect)",
                Some(Box::new(io)),
            ))),
        );
        assert_eq!(tls_cause(&e), Some(unknown_issuer()));
        assert_eq!(
            cause_chain(&e),
            "error sending request: client error (Connect): invalid peer certificate: UnknownIssuer"
        );
    }

    #[test]
    fn rustls_error_directly_in_the_chain_is_found() {
        let e = Layer("handshake", Some(Box::new(unknown_issuer())));
        assert_eq!(tls_cause(&e), Some(unknown_issuer()));
    }

    #[test]
    fn other_causes_are_not_tls_and_repeated_messages_are_said_once() {
        let io = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "tls handshake eof");
        let e = Layer(
            "error sending request: tls handshake eof",
            Some(Box::new(Layer("tls handshake eof", Some(Box::new(io))))),
        );
        assert_eq!(tls_cause(&e), None);
        assert_eq!(cause_chain(&e), "error sending request: tls handshake eof");
    }

    #[test]
    fn hint_names_the_setting_to_change() {
        let pem = || "PEM".to_owned();
        assert!(tls_hint(&unknown_issuer(), &TlsMode::PublicRoots).contains("TlsMode::TrustCa"));
        assert!(tls_hint(&unknown_issuer(), &TlsMode::TrustCa(pem())).contains("trusted CA"));
        assert!(tls_hint(&unknown_issuer(), &TlsMode::PinnedCertificate(pem())).contains("pinned"));
        let protocol = rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType);
        assert!(tls_hint(&protocol, &TlsMode::PublicRoots).contains("serves HTTPS"));
    }
}
