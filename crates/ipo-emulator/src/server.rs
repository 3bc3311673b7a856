//! The HTTP(S) front: the accept loop, TLS, and the routes of the Management API.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::config::Credentials;
use crate::faults::{FaultAction, Faults};
use crate::record::{RecordKind, WireError, codes};
use crate::session::{Check, Login, Sessions};
use crate::stats::Stats;
use crate::store::Store;
use crate::wire::{self, Restart, WireFormat, WsOut};

/// Login and logout.
pub const AUTH_PATH: &str = "/WebManagement/ws/sdk/security/authenticate";
/// Below this come `systems`, `licenses`, `users`, `extensions`, `huntgroups`.
pub const ADMIN_PREFIX: &str = "/WebManagement/ws/sdk/admin/v1/";
/// The header values the Management API expects on every request.
pub const X_USER_CLIENT: (&str, &str) = ("X-User-Client", "Avaya-WebAdmin");
/// See [`X_USER_CLIENT`].
pub const X_USER_AGENT: (&str, &str) = ("X-User-Agent", "Avaya-SDKUser");

/// Everything a request handler needs.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) store: Arc<Mutex<Store>>,
    pub(crate) sessions: Arc<Mutex<Sessions>>,
    pub(crate) faults: Faults,
    pub(crate) stats: Stats,
    pub(crate) credentials: Credentials,
    pub(crate) default_format: WireFormat,
    pub(crate) require_client_headers: bool,
    pub(crate) tls: bool,
}

/// Marks a response whose connection must be closed without sending it.
#[derive(Debug, Clone, Copy)]
struct DropConnection;

#[derive(Debug)]
struct Dropped;
impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by a fault rule")
    }
}
impl std::error::Error for Dropped {}

pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new().fallback(handle).with_state(app)
}

/// Accepts connections until `shutdown` changes or its sender is dropped.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let router = router.clone();
                let tls = tls.clone();
                let mut stop = shutdown.clone();
                tokio::spawn(async move {
                    tokio::select! {
                        _ = connection(stream, router, tls) => {}
                        _ = stop.changed() => {}
                    }
                });
            }
        }
    }
}

async fn connection(stream: TcpStream, router: Router, tls: Option<TlsAcceptor>) {
    let svc = TowerToHyperService::new(router);
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let fut = hyper::service::Service::call(&svc, req);
        async move {
            let resp = match fut.await {
                Ok(r) => r,
                Err(never) => match never {},
            };
            if resp.extensions().get::<DropConnection>().is_some() {
                // A service error makes hyper close the connection without an answer.
                return Err(Dropped);
            }
            Ok(resp)
        }
    });
    let http = hyper::server::conn::http1::Builder::new();
    let result = match tls {
        Some(acceptor) => match acceptor.accept(stream).await {
            Ok(s) => http.serve_connection(TokioIo::new(s), service).await,
            Err(e) => {
                tracing::debug!(error = %e, "TLS handshake failed");
                return;
            }
        },
        None => http.serve_connection(TokioIo::new(stream), service).await,
    };
    if let Err(e) = result {
        tracing::debug!(error = %e, "connection ended");
    }
}

fn answer(format: WireFormat, status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    r
}

fn envelope(format: WireFormat, status: StatusCode, ok: bool, objects: &[WsOut]) -> Response {
    answer(format, status, wire::render(format, ok, &[], objects))
}

fn error_answer(format: WireFormat, status: StatusCode, e: WireError) -> Response {
    envelope(format, status, false, &[WsOut::error(vec![e])])
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
}

fn query_param(uri: &Uri, name: &str) -> Option<String> {
    uri.query()?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn has_client_headers(headers: &HeaderMap) -> bool {
    [X_USER_CLIENT, X_USER_AGENT]
        .iter()
        .all(|(n, v)| headers.get(*n).and_then(|h| h.to_str().ok()) == Some(*v))
}

async fn handle(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let span = tracing::debug_span!("ipo-emulator", %method, %path);
    let entered = span.enter();
    app.stats.request(method.as_str(), &path);
    let format = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(WireFormat::from_content_type)
        .unwrap_or(app.default_format);
    let decision = app.faults.decide(method.as_str(), &path);
    drop(entered);
    if let Some(wait) = decision.latency {
        tokio::time::sleep(wait).await;
    }
    if decision.action != FaultAction::None {
        app.stats.update(|s| s.faults_injected += 1);
    }
    match decision.action {
        FaultAction::Unavailable(retry_after) => {
            let mut r = StatusCode::SERVICE_UNAVAILABLE.into_response();
            if let Some(ra) = retry_after {
                let secs = ra.as_secs() + u64::from(ra.subsec_nanos() > 0);
                if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                    r.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            return r;
        }
        FaultAction::Drop => {
            let mut r = StatusCode::INTERNAL_SERVER_ERROR.into_response();
            r.extensions_mut().insert(DropConnection);
            return r;
        }
        FaultAction::SessionTimeoutHttp | FaultAction::SessionTimeoutBody => {
            if let Some(id) = cookie(&headers, "JSESSIONID") {
                lock(&app.sessions).end(&id);
            }
            let primary = lock(&app.store).primary().to_owned();
            let err = WireError::new(codes::SESSION_TIMEOUT, "the session timed out", primary);
            let status = if decision.action == FaultAction::SessionTimeoutHttp {
                StatusCode::from_u16(461).unwrap_or(StatusCode::UNAUTHORIZED)
            } else {
                StatusCode::OK
            };
            return error_answer(format, status, err);
        }
        _ => {}
    }
    let mut resp = route(
        &app,
        &method,
        &uri,
        &headers,
        &body,
        format,
        decision.reboot,
    );
    if decision.action == FaultAction::Malformed {
        resp = malform(resp).await;
    }
    resp
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

async fn malform(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let cut = bytes.slice(..bytes.len() / 2);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(cut))
}

fn route(
    app: &App,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    format: WireFormat,
    reboot: bool,
) -> Response {
    let path = uri.path();
    if path == AUTH_PATH {
        return match *method {
            Method::GET => login(app, headers, format),
            Method::DELETE => logout(app, headers, format),
            _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
        };
    }
    let Some(resource) = path.strip_prefix(ADMIN_PREFIX) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(kind) = RecordKind::from_resource(resource.trim_end_matches('/')) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Some(r) = authorize(app, headers, format) {
        return r;
    }
    if !allowed(kind, method) {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let mut store = lock(&app.store);
    let node = match store.resolve_node(query_param(uri, "ipaddress").as_deref()) {
        Ok(n) => n,
        Err(e) => return error_answer(format, StatusCode::OK, e),
    };
    if *method == Method::GET {
        return list(&store, kind, node.as_deref(), format);
    }
    app.stats.update(|s| s.write_requests += 1);
    let call = Write {
        app,
        method,
        kind,
        location: node.clone().unwrap_or_else(|| store.primary().to_owned()),
        node,
        format,
        reboot,
    };
    if *method == Method::DELETE {
        return delete(&mut store, &call, query_param(uri, "guid"));
    }
    write(&mut store, &call, body)
}

/// The methods a resource takes: licences are read only, the system read and updated.
fn allowed(kind: RecordKind, method: &Method) -> bool {
    match kind {
        RecordKind::License => *method == Method::GET,
        RecordKind::System => matches!(*method, Method::GET | Method::PUT),
        _ => matches!(
            *method,
            Method::GET | Method::POST | Method::PUT | Method::DELETE
        ),
    }
}

/// A GET: every record of `kind` (on `node` when named).
fn list(store: &Store, kind: RecordKind, node: Option<&str>, format: WireFormat) -> Response {
    let objects = store.list(kind, node);
    let n = objects.len().to_string();
    let attrs = [
        ("set".to_owned(), n.clone()),
        ("totalRecords".to_owned(), n),
    ];
    answer(
        format,
        StatusCode::OK,
        wire::render(format, true, &attrs, &objects),
    )
}

/// One write request: what it is, where it goes and how it is answered.
struct Write<'a> {
    app: &'a App,
    method: &'a Method,
    kind: RecordKind,
    /// The node named with `?ipaddress=`, if any.
    node: Option<String>,
    /// The node errors name: the one named, else the primary.
    location: String,
    format: WireFormat,
    /// Answer with the guide's restart notice.
    reboot: bool,
}

/// A DELETE of the record `?guid=` names.
fn delete(store: &mut Store, call: &Write<'_>, guid: Option<String>) -> Response {
    let Write {
        app, kind, format, ..
    } = *call;
    let Some(guid) = guid.filter(|g| !g.is_empty()) else {
        app.stats.update(|s| s.records_refused += 1);
        let e = WireError::new(
            codes::MISSING_GUID,
            "DELETE needs ?guid=",
            call.location.clone(),
        );
        return error_answer(format, StatusCode::OK, e);
    };
    match store.delete(kind, &guid, call.node.as_deref()) {
        Ok(()) => {
            app.stats
                .written_on(call.method.as_str(), call.node.as_deref());
            let objects = match call.reboot {
                true => vec![WsOut::restart(Restart::Normal)],
                false => Vec::new(),
            };
            envelope(format, StatusCode::OK, true, &objects)
        }
        Err(errors) => {
            app.stats.update(|s| s.records_refused += 1);
            // The guide: an unknown GUID is an SMAError `404:NotFound`; a refusal of the
            // record itself is its record-named node.
            let out = if errors.iter().all(|e| e.code == codes::UNKNOWN_GUID) {
                WsOut::error(errors)
            } else {
                WsOut::record_error(kind, errors)
            };
            envelope(format, StatusCode::OK, false, &[out])
        }
    }
}

/// A POST (create) or PUT (update) of the body's records, each stored or refused on its
/// own.
fn write(store: &mut Store, call: &Write<'_>, body: &[u8]) -> Response {
    let Write {
        app, kind, format, ..
    } = *call;
    let records = match wire::parse_records(&String::from_utf8_lossy(body)) {
        Ok(r) if !r.is_empty() => r,
        Ok(_) => {
            let e = WireError::new(
                codes::INVALID_VALUE,
                "the body holds no ws_object",
                call.location.clone(),
            );
            return error_answer(format, StatusCode::BAD_REQUEST, e);
        }
        Err(reason) => {
            let e = WireError::new(
                codes::INVALID_VALUE,
                format!("unreadable body: {reason}"),
                call.location.clone(),
            );
            return error_answer(format, StatusCode::BAD_REQUEST, e);
        }
    };
    let mut all_ok = true;
    let mut stored = 0usize;
    let mut objects = Vec::with_capacity(records.len() + 1);
    for rec in records {
        let name = rec.fields.text("Name").map(|c| c.into_owned());
        let result = if *call.method == Method::POST {
            store.create(kind, rec, call.node.clone(), false)
        } else {
            store.update(kind, rec, call.node.clone())
        };
        match result {
            Ok(out) => {
                app.stats
                    .written_on(call.method.as_str(), call.node.as_deref());
                stored += 1;
                objects.push(out);
            }
            Err(mut errors) => {
                app.stats.update(|s| s.records_refused += 1);
                tracing::debug!(codes = ?errors.iter().map(|e| &e.code).collect::<Vec<_>>(), "record refused");
                all_ok = false;
                for e in &mut errors {
                    if e.cause_data.is_empty() {
                        e.cause_data = name.clone().unwrap_or_default();
                    }
                }
                objects.push(WsOut::record_error(kind, errors));
            }
        }
    }
    // The guide's restart notice: its own ws_object after the records, in the form of
    // the answer it is in.
    if call.reboot && stored > 0 {
        objects.push(WsOut::restart(if all_ok {
            Restart::Normal
        } else {
            Restart::InError(call.location.clone())
        }));
    }
    envelope(format, StatusCode::OK, all_ok, &objects)
}

/// Checks headers and cookies; `Some` is the refusal to send.
fn authorize(app: &App, headers: &HeaderMap, format: WireFormat) -> Option<Response> {
    let primary = lock(&app.store).primary().to_owned();
    if app.require_client_headers && !has_client_headers(headers) {
        let e = WireError::new(
            codes::UNAUTHORIZED,
            "X-User-Client and X-User-Agent headers are required",
            primary,
        );
        return Some(error_answer(format, StatusCode::UNAUTHORIZED, e));
    }
    let id = cookie(headers, "JSESSIONID");
    let token = cookie(headers, "SDK-Token");
    let check =
        lock(&app.sessions).check(id.as_deref(), token.as_deref(), app.faults.expire_every());
    match check {
        Check::Ok => None,
        Check::Missing => {
            let e = WireError::new(
                codes::UNAUTHORIZED,
                "no session: send the JSESSIONID and SDK-Token cookies",
                primary,
            );
            Some(error_answer(format, StatusCode::UNAUTHORIZED, e))
        }
        Check::Expired => {
            let e = WireError::new(codes::SESSION_TIMEOUT, "the session timed out", primary);
            Some(error_answer(format, StatusCode::OK, e))
        }
    }
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, b64) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (u, p) = text.split_once(':')?;
    Some((u.to_owned(), p.to_owned()))
}

fn login(app: &App, headers: &HeaderMap, format: WireFormat) -> Response {
    let primary = lock(&app.store).primary().to_owned();
    let refuse = |status: StatusCode, desc: &str| {
        app.stats.update(|s| s.failed_logins += 1);
        let mut r = error_answer(
            format,
            status,
            WireError::new(codes::UNAUTHORIZED, desc, primary.clone()),
        );
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"IP Office\""),
        );
        r
    };
    if !has_client_headers(headers) {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "X-User-Client and X-User-Agent headers are required",
        );
    }
    let ok = basic_credentials(headers).is_some_and(|(u, p)| app.credentials.matches(&u, &p));
    let outcome = lock(&app.sessions).login(ok);
    match outcome {
        Login::Ok { jsessionid, token } => {
            app.stats.update(|s| s.logins += 1);
            let secure = if app.tls { "; Secure" } else { "" };
            let mut r = envelope(format, StatusCode::OK, true, &[]);
            for c in [
                format!("JSESSIONID={jsessionid}; Path=/WebManagement/; HttpOnly{secure}"),
                format!("SDK-Token={token}; Path=/WebManagement/; HttpOnly{secure}"),
            ] {
                if let Ok(v) = HeaderValue::from_str(&c) {
                    r.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            r
        }
        Login::BadCredentials => refuse(StatusCode::UNAUTHORIZED, "wrong user name or password"),
        Login::Locked => refuse(
            StatusCode::UNAUTHORIZED,
            "the account is locked after repeated failed logins",
        ),
        Login::TooManySessions => refuse(
            StatusCode::FORBIDDEN,
            "the account already holds the most concurrent sessions",
        ),
    }
}

fn logout(app: &App, headers: &HeaderMap, format: WireFormat) -> Response {
    if let Some(r) = authorize(app, headers, format) {
        return r;
    }
    if let Some(id) = cookie(headers, "JSESSIONID") {
        lock(&app.sessions).end(&id);
    }
    app.stats.update(|s| s.logouts += 1);
    envelope(format, StatusCode::OK, true, &[])
}
