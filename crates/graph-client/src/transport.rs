//! One request, with retries: the only place that sends HTTP, counts, waits and gives up.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::de::DeserializeOwned;
use url::Url;

use ipo_model::{RetryPolicy, parse_retry_after};

use crate::auth::TokenProvider;
use crate::error::{GraphError, GraphErrorBody, permission_for};
use crate::odata::redact_url;
use crate::stats::Counters;

/// A request to send (rebuilt for each attempt).
#[derive(Debug, Clone)]
pub(crate) struct Req {
    pub method: Method,
    pub url: Url,
    pub headers: Vec<(&'static str, &'static str)>,
    pub body: Body,
    /// Whether it may be sent again after a failure that may have reached Microsoft.
    pub replay: Replay,
}

/// When a request may be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Replay {
    /// A read (or a token request): sending it twice changes nothing, so it is resent after
    /// any transient failure (429, 503, 504, a dropped connection, a timeout).
    Always,
    /// A write: resent only where it is known not to have been processed: no connection was
    /// made, or Graph answered 429 (the request failed, retry after `Retry-After`,
    /// <https://learn.microsoft.com/graph/throttling>) or 503 (you may repeat the request
    /// after a delay, <https://learn.microsoft.com/graph/errors>). After anything else, a
    /// 504 included (the upstream service may have done it), it is not resent, and the
    /// error is [`GraphError::Unconfirmed`].
    IfUnprocessed,
}

impl Replay {
    /// The replay of an HTTP method: only reads are [`Replay::Always`].
    pub(crate) fn of_method(method: &str) -> Self {
        if method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD") {
            Replay::Always
        } else {
            Replay::IfUnprocessed
        }
    }

    /// Whether an answer of `status` is resent.
    pub(crate) fn resends_status(self, status: u16) -> bool {
        match self {
            Replay::Always => matches!(status, 429 | 503 | 504),
            Replay::IfUnprocessed => matches!(status, 429 | 503),
        }
    }
}

/// A request body.
#[derive(Clone)]
pub(crate) enum Body {
    None,
    Json(Vec<u8>),
    /// Form fields; may hold the client secret, hence the redacting `Debug`.
    Form(Vec<(&'static str, String)>),
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::None => f.write_str("None"),
            Body::Json(b) => write!(f, "Json({} bytes)", b.len()),
            Body::Form(_) => write!(f, "Form({})", ipo_model::REDACTED),
        }
    }
}

impl Req {
    pub(crate) fn get(url: Url) -> Self {
        Self {
            method: Method::GET,
            url,
            headers: Vec::new(),
            body: Body::None,
            replay: Replay::Always,
        }
    }

    pub(crate) fn post(url: Url, body: Body, replay: Replay) -> Self {
        Self {
            method: Method::POST,
            url,
            headers: Vec::new(),
            body,
            replay,
        }
    }

    pub(crate) fn header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }
}

/// An answer, read completely.
#[derive(Debug)]
pub(crate) struct Resp {
    pub status: u16,
    /// The answer's headers (`Location` of a 202, `Retry-After` of a status answer).
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The URL, redacted, for messages.
    pub url: String,
}

impl Resp {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as `T`, or a decode error keeping status, URL and a snippet.
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, GraphError> {
        serde_json::from_slice(&self.body)
            .map_err(|e| GraphError::decode(self.status, self.url.clone(), &self.body, e))
    }

    /// The error this (non-success) answer stands for; `what` names the object asked for.
    pub(crate) fn error(&self, what: &str) -> GraphError {
        status_error(self.status, &self.body, &self.url, what)
    }
}

/// Maps an error status and body to the error type (also used for `$batch` inner answers).
pub(crate) fn status_error(status: u16, body: &[u8], url: &str, what: &str) -> GraphError {
    let parsed = GraphErrorBody::parse(body).unwrap_or_default();
    if status == 403 || parsed.has_code("Authorization_RequestDenied") {
        return GraphError::PermissionDenied {
            url: url.to_owned(),
            code: parsed.code,
            message: parsed.message,
            permission: permission_for(url),
            request_id: parsed.request_id,
        };
    }
    if status == 404 {
        return GraphError::NotFound {
            what: what.to_owned(),
            code: parsed.code,
            request_id: parsed.request_id,
        };
    }
    GraphError::Api {
        status,
        url: url.to_owned(),
        body: Box::new(parsed),
    }
}

/// The `Retry-After` of an answer, if any and readable.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, chrono::Utc::now()))
}

/// The HTTP stack, the retry policy and the counters, shared by the client and the token
/// provider it made.
#[derive(Debug, Clone)]
pub(crate) struct Http {
    pub client: reqwest::Client,
    /// Timeouts (`client` was built with them; named in errors) and retries.
    pub retry: RetryPolicy,
    pub counters: Arc<Counters>,
}

impl Http {
    /// Sends `req`, retrying 429/503/504 and transport failures as the policy and the
    /// request's [`Replay`] allow, and once after a 401 with a fresh token. Any other answer
    /// is returned as is, but for a 5xx answer to a write, which is
    /// [`GraphError::Unconfirmed`]. Each attempt gets what is left of the policy's deadline,
    /// so the whole call ends within it.
    pub(crate) async fn send(
        &self,
        req: &Req,
        auth: Option<&dyn TokenProvider>,
    ) -> Result<Resp, GraphError> {
        let shown = redact_url(&req.url);
        let mut attempt: u32 = 0;
        let mut waited = Duration::ZERO;
        let mut reauthenticated = false;
        let started = std::time::Instant::now();
        // Why the last attempt failed: the error when the deadline passes during its wait.
        let mut last: Option<GraphError> = None;
        loop {
            let Some(left) = self.retry.remaining(started.elapsed()) else {
                return Err(last.unwrap_or_else(|| GraphError::Transport {
                    url: shown,
                    timeout: true,
                    message: self.deadline_passed(&req.url, attempt),
                }));
            };
            attempt += 1;
            self.counters.request();
            let outcome = self.attempt(req, auth, left).await?;
            let (retry_after, last_status) = match outcome {
                Ok((status, headers, body)) => {
                    tracing::debug!(method = %req.method, url = %shown, status, attempt, "graph request");
                    if status == 401
                        && !reauthenticated
                        && let Some(p) = auth
                    {
                        // A token revoked or expired early: one fresh try, then report.
                        reauthenticated = true;
                        p.invalidate().await;
                        self.counters.retry(Duration::ZERO);
                        attempt -= 1;
                        continue;
                    }
                    if !req.replay.resends_status(status) {
                        return answer(req, shown, status, headers, body);
                    }
                    if status == 429 {
                        self.counters.throttled();
                    }
                    (retry_after(&headers), Ok(status))
                }
                Err(e) => {
                    tracing::debug!(method = %req.method, url = %shown, error = %e, attempt, "graph request failed");
                    if req.replay == Replay::IfUnprocessed && !e.is_connect() {
                        // Sent, perhaps carried out: the caller's journal decides, not a resend.
                        let cause = self.lost(&req.url, &shown, e);
                        return Err(unconfirmed(req, &shown, cause));
                    }
                    (None, Err(e))
                }
            };
            // An answer that timed out had the whole rest of the deadline: nothing is left.
            let timed_out = matches!(&last_status, Err(e) if e.is_timeout() && !e.is_connect());
            let next = self
                .retry
                .next_wait(attempt, started.elapsed(), retry_after)
                .filter(|_| !timed_out);
            let error = match last_status {
                Ok(status) => GraphError::Throttled {
                    status,
                    url: shown.clone(),
                    attempts: attempt,
                    waited,
                },
                Err(e) => self.gave_up(&req.url, &shown, e, attempt, started.elapsed()),
            };
            let Some(wait) = next else {
                return Err(error);
            };
            last = Some(error);
            tracing::info!(url = %shown, attempt, wait_ms = wait.as_millis() as u64, "retrying Graph request");
            tokio::time::sleep(wait).await;
            waited += wait;
            self.counters.retry(wait);
        }
    }

    /// One attempt with `timeout`: the answer read completely, or the transport error. A
    /// token that cannot be had ends the request.
    async fn attempt(
        &self,
        req: &Req,
        auth: Option<&dyn TokenProvider>,
        timeout: Duration,
    ) -> Result<Result<(u16, HeaderMap, Vec<u8>), reqwest::Error>, GraphError> {
        let mut builder = self
            .client
            .request(req.method.clone(), req.url.clone())
            .timeout(timeout);
        for (k, v) in &req.headers {
            builder = builder.header(*k, *v);
        }
        if let Some(p) = auth {
            let token = p.token().await?;
            builder = builder.bearer_auth(token.secret().expose());
        }
        builder = match &req.body {
            Body::None => builder,
            Body::Json(b) => builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(b.clone()),
            Body::Form(f) => builder.form(f),
        };
        let r = match builder.send().await {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        Ok(r.bytes().await.map(|b| (status, headers, b.to_vec())))
    }
}

/// A non-retried answer: the answer, or for a 5xx to a write, [`GraphError::Unconfirmed`].
fn answer(
    req: &Req,
    url: String,
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
) -> Result<Resp, GraphError> {
    if req.replay == Replay::IfUnprocessed && status >= 500 {
        let cause = status_error(status, &body, &url, &url);
        return Err(unconfirmed(req, &url, cause));
    }
    Ok(Resp {
        status,
        headers,
        body,
        url,
    })
}

/// The error of a write that may have been carried out; `shown` is the redacted URL.
fn unconfirmed(req: &Req, shown: &str, cause: GraphError) -> GraphError {
    GraphError::Unconfirmed {
        request: format!("{} {shown}", req.method),
        cause: Box::new(cause),
    }
}

/// `host:port` of a URL, for messages.
fn host_port(url: &url::Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or(443)
    )
}

impl Http {
    /// The transport error after the last attempt, explained.
    fn gave_up(
        &self,
        url: &url::Url,
        shown: &str,
        e: reqwest::Error,
        attempts: u32,
        took: Duration,
    ) -> GraphError {
        GraphError::Transport {
            url: shown.to_owned(),
            timeout: e.is_timeout(),
            message: self.explain(url, e, attempts, took),
        }
    }

    /// A write's request that was sent but got no answer (not retried, so no advice on
    /// reaching the host: it was reached).
    fn lost(&self, url: &url::Url, shown: &str, e: reqwest::Error) -> GraphError {
        let addr = host_port(url);
        let timeout = e.is_timeout();
        let what = if timeout {
            self.no_answer(&addr, "")
        } else {
            format!("the connection to {addr} ended before an answer")
        };
        GraphError::Transport {
            url: shown.to_owned(),
            timeout,
            message: format!("{what} ({})", transport_message(e)),
        }
    }

    /// `addr` kept silent for the whole deadline (`note` after its length).
    fn no_answer(&self, addr: &str, note: &str) -> String {
        format!(
            "{addr} sent no answer within {} s{note} ({} sets this wait)",
            self.retry.request_timeout.as_secs_f64(),
            self.retry.request_timeout_setting
        )
    }

    /// A transport failure in words: what happened at which `host:port`, after how many
    /// attempts, and what to check.
    fn explain(&self, url: &url::Url, e: reqwest::Error, attempts: u32, took: Duration) -> String {
        let addr = host_port(url);
        let (connect, timeout) = (e.is_connect(), e.is_timeout());
        let cause = transport_message(e);
        let what = if connect && timeout {
            format!(
                "no connection to {addr} within {} s",
                self.retry.connect_timeout.as_secs_f64()
            )
        } else if connect {
            format!("cannot connect to {addr}")
        } else if timeout {
            self.no_answer(&addr, ", retries included")
        } else {
            format!("the request to {addr} failed")
        };
        format!(
            "{what} ({cause}); gave up after {attempts} attempts in {:.1} s; check that this machine reaches {addr} over HTTPS (DNS, proxy, firewall) and that the login and Graph base URLs are right",
            took.as_secs_f64()
        )
    }
}

impl Http {
    /// The deadline passed before an attempt could start (a long wait, a slow token).
    fn deadline_passed(&self, url: &url::Url, attempts: u32) -> String {
        format!(
            "no answer from {} within {} s, retries included, after {attempts} attempts; {} sets this wait",
            url.host_str().unwrap_or_default(),
            self.retry.request_timeout.as_secs_f64(),
            self.retry.request_timeout_setting
        )
    }
}

/// The error text without the URL (reqwest puts the full URL, query included, in its
/// `Display`); the chain of sources says what actually failed.
fn transport_message(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}
