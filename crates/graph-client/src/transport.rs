//! One request, with retries: the only place that sends HTTP, counts, waits and gives up.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::de::DeserializeOwned;
use url::Url;

use crate::auth::TokenProvider;
use crate::error::{GraphError, GraphErrorBody, permission_for};
use crate::odata::redact_url;
use crate::retry::{RetryPolicy, parse_retry_after};
use crate::stats::Counters;

/// A request to send (rebuilt for each attempt).
#[derive(Debug, Clone)]
pub(crate) struct Req {
    pub method: Method,
    pub url: Url,
    pub headers: Vec<(&'static str, &'static str)>,
    pub body: Body,
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

pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 503 | 504)
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
    /// The timeouts `client` was built with (named in errors).
    pub timeouts: crate::config::Timeouts,
    pub retry: RetryPolicy,
    pub counters: Arc<Counters>,
}

impl Http {
    /// Sends `req`, retrying 429/503/504 and transport failures as the policy allows, and
    /// once after a 401 with a fresh token. Any other answer is returned as is.
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
        loop {
            attempt += 1;
            let mut builder = self.client.request(req.method.clone(), req.url.clone());
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
            self.counters.request();
            let outcome = match builder.send().await {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let headers = r.headers().clone();
                    match r.bytes().await {
                        Ok(b) => Ok(Resp {
                            status,
                            headers,
                            body: b.to_vec(),
                            url: shown.clone(),
                        }),
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
            };
            let (retry_after, last_status) = match outcome {
                Ok(resp) => {
                    tracing::debug!(method = %req.method, url = %shown, status = resp.status, attempt, "graph request");
                    if resp.status == 401
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
                    if !is_retryable_status(resp.status) {
                        return Ok(resp);
                    }
                    if resp.status == 429 {
                        self.counters.throttled();
                    }
                    (retry_after(&resp.headers), Ok(resp.status))
                }
                Err(e) => {
                    tracing::debug!(method = %req.method, url = %shown, error = %e, attempt, "graph request failed");
                    (None, Err(e))
                }
            };
            let next = self
                .retry
                .next_wait(attempt, waited, retry_after)
                .filter(|wait| {
                    // Transport failures get their own, short, time budget.
                    last_status.is_ok()
                        || started.elapsed() + *wait <= self.retry.max_transport_time
                });
            match next {
                Some(wait) => {
                    tracing::info!(url = %shown, attempt, wait_ms = wait.as_millis() as u64, "retrying Graph request");
                    tokio::time::sleep(wait).await;
                    waited += wait;
                    self.counters.retry(wait);
                }
                None => {
                    return Err(match last_status {
                        Ok(status) => GraphError::Throttled {
                            status,
                            url: shown,
                            attempts: attempt,
                            waited,
                        },
                        Err(e) => GraphError::Transport {
                            url: shown,
                            timeout: e.is_timeout(),
                            message: self.explain(&req.url, e, attempt, started.elapsed()),
                        },
                    });
                }
            }
        }
    }
}

impl Http {
    /// A transport failure in words: what happened at which `host:port`, after how many
    /// attempts, and what to check.
    fn explain(&self, url: &url::Url, e: reqwest::Error, attempts: u32, took: Duration) -> String {
        let addr = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or(443)
        );
        let (connect, timeout) = (e.is_connect(), e.is_timeout());
        let cause = transport_message(e);
        let what = if connect && timeout {
            format!(
                "no connection to {addr} within {} s",
                self.timeouts.connect.as_secs_f64()
            )
        } else if connect {
            format!("cannot connect to {addr}")
        } else if timeout {
            format!(
                "{addr} sent no answer within {} s",
                self.timeouts.request.as_secs_f64()
            )
        } else {
            format!("the request to {addr} failed")
        };
        format!(
            "{what} ({cause}); gave up after {attempts} attempts in {:.1} s; check that this machine reaches {addr} over HTTPS (DNS, proxy, firewall) and that the login and Graph base URLs are right",
            took.as_secs_f64()
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
