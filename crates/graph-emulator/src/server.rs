//! The loopback HTTP/1.1 server: accept loop, request decoding, faults, answers.

use std::sync::Arc;
use std::time::Duration;

use hyper::body::{Body as _, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use crate::faults::FaultAction;
use crate::state::Shared;
use crate::stats::Route;
use crate::wire::{Req, Resp, graph_error};

/// Largest request body read (a full batch is far smaller).
const MAX_BODY: usize = 4 * 1024 * 1024;

/// What the fault rules made of a request.
pub(crate) enum Faulted {
    /// Run it (and cut the body short if `malformed`).
    Proceed { malformed: bool },
    /// Answer this instead.
    Answer(Resp),
    /// Close the connection without an answer.
    Drop,
}

fn retry_after(resp: Resp, after: Option<Duration>) -> Resp {
    match after {
        Some(d) => resp.with_header("Retry-After", d.as_secs_f64().ceil().to_string()),
        None => resp,
    }
}

/// Applies latency and decides the fault for one request (outer or inner).
pub(crate) async fn apply_fault(sh: &Shared, req: &Req) -> Faulted {
    let d = sh
        .faults
        .evaluate(&req.method, &req.path, crate::faults::FaultRule::roll);
    if let Some(l) = d.latency {
        tokio::time::sleep(l).await;
    }
    match d.action {
        None => Faulted::Proceed { malformed: false },
        Some(FaultAction::Malformed) => {
            sh.counters.with(|s| s.malformed += 1);
            Faulted::Proceed { malformed: true }
        }
        Some(FaultAction::Drop) => {
            sh.counters.with(|s| s.dropped += 1);
            Faulted::Drop
        }
        Some(FaultAction::Throttle(after)) => {
            sh.counters.with(|s| s.throttled += 1);
            Faulted::Answer(retry_after(
                graph_error(
                    429,
                    "activityLimitReached",
                    "The request has been throttled.",
                ),
                after,
            ))
        }
        Some(FaultAction::Unavailable(after)) => {
            sh.counters.with(|s| s.unavailable += 1);
            Faulted::Answer(retry_after(
                graph_error(
                    503,
                    "serviceNotAvailable",
                    "The service is temporarily unavailable.",
                ),
                after,
            ))
        }
    }
}

/// Stamps request ids on the answer (headers and `innerError`).
pub(crate) fn finish(sh: &Shared, req: &Req, mut resp: Resp) -> Resp {
    let request_id = sh.rng().guid();
    let client_id = req
        .header("client-request-id")
        .map(str::to_owned)
        .unwrap_or_else(|| request_id.clone());
    if let Some(inner) = resp
        .body
        .pointer_mut("/error/innerError")
        .and_then(Value::as_object_mut)
    {
        inner.insert("request-id".into(), Value::from(request_id.clone()));
        inner.insert("client-request-id".into(), Value::from(client_id.clone()));
    }
    resp.headers.push(("request-id".into(), request_id));
    resp.headers.push(("client-request-id".into(), client_id));
    resp
}

#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

async fn read_body(mut body: Incoming) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        if let Ok(data) = frame.ok()?.into_data() {
            out.extend_from_slice(&data);
            if out.len() > MAX_BODY {
                return None;
            }
        }
    }
    Some(out)
}

async fn handle(sh: Arc<Shared>, http: Request<Incoming>) -> Result<Response<String>, Dropped> {
    let (parts, body) = http.into_parts();
    let mut req = Req {
        method: parts.method.as_str().to_owned(),
        headers: parts
            .headers
            .iter()
            .filter_map(|(k, v)| {
                Some((k.as_str().to_ascii_lowercase(), v.to_str().ok()?.to_owned()))
            })
            .collect(),
        ..Req::default()
    };
    req.set_target(
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/"),
    );
    let route = Route::classify(&req.method, &req.path);
    sh.counters.count(route);
    let (resp, malformed) = match read_body(body).await {
        None => (
            graph_error(
                413,
                "Request_BadRequest",
                "The request body is too large or broken.",
            ),
            false,
        ),
        Some(b) => {
            req.body = b;
            match apply_fault(&sh, &req).await {
                Faulted::Drop => return Err(Dropped),
                Faulted::Answer(r) => (r, false),
                Faulted::Proceed { malformed } => {
                    let r = if route == Route::Batch && req.method == "POST" {
                        crate::routes::batch(&sh, &req).await
                    } else {
                        crate::routes::route(&sh, &req)
                    };
                    (r, malformed)
                }
            }
        }
    };
    let resp = finish(&sh, &req, resp);
    tracing::debug!(method = %req.method, path = %req.path, status = resp.status, "graph emulator answered");
    let mut text = if resp.body.is_null() {
        String::new()
    } else {
        resp.body.to_string()
    };
    if malformed {
        let mut cut = text.len() / 2;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    let mut builder = Response::builder().status(resp.status);
    if !text.is_empty() {
        let ct = if route == Route::Token {
            "application/json; charset=utf-8"
        } else {
            "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
        };
        builder = builder.header("content-type", ct);
    }
    for (k, v) in &resp.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    // Only an invalid header built from our own constants could fail here.
    builder.body(text).map_err(|_| Dropped)
}

/// Serves until `stop` fires (or the task is aborted); every connection task dies with it.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    sh: Arc<Shared>,
    mut stop: oneshot::Receiver<()>,
) {
    let mut conns: JoinSet<()> = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stop => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let sh = sh.clone();
                    conns.spawn(async move {
                        let svc = service_fn(move |req| handle(sh.clone(), req));
                        if let Err(e) = http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await {
                            tracing::trace!(error = %e, "graph emulator connection ended");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "graph emulator accept failed");
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            },
        }
    }
    conns.abort_all();
}
