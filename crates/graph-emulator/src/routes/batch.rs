//! `POST /$batch`: up to 20 requests run against the same routes, answered in a shuffled
//! (seeded) order, each with its own faults.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::server::{Faulted, apply_fault, finish};
use crate::state::Shared;
use crate::stats::Route;
use crate::wire::{Req, Resp, graph_error};

fn bad(msg: &str) -> Resp {
    graph_error(400, "BadRequest", msg)
}

pub(crate) async fn batch(sh: &Shared, outer: &Req) -> Resp {
    if let Err(denied) = super::auth::check_bearer(sh, outer) {
        return denied;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&outer.body) else {
        return bad("Unable to deserialize content.");
    };
    let Some(requests) = body.get("requests").and_then(Value::as_array) else {
        return bad("The batch request must contain a 'requests' array.");
    };
    if requests.len() > crate::MAX_BATCH_REQUESTS {
        return bad(&format!(
            "Number of included requests in the request must not exceed {}.",
            crate::MAX_BATCH_REQUESTS
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for r in requests {
        let (Some(id), Some(_), Some(url)) = (
            r.get("id").and_then(Value::as_str),
            r.get("method").and_then(Value::as_str),
            r.get("url").and_then(Value::as_str),
        ) else {
            return bad("Every request needs a string id, method and url.");
        };
        if !seen.insert(id.to_owned()) {
            return bad(&format!("Request id '{id}' is not unique."));
        }
        if url.contains("://") {
            return bad(&format!("Request url '{url}' must be relative."));
        }
    }
    let mut statuses: BTreeMap<String, u16> = BTreeMap::new();
    let mut responses = Vec::new();
    for r in requests {
        let id = r
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let deps: Vec<String> = r
            .get("dependsOn")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|d| d.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let resp = if deps
            .iter()
            .any(|d| statuses.get(d).is_none_or(|s| *s >= 400))
        {
            graph_error(
                424,
                "FailedDependency",
                "A request this one depends on failed or was not run first.",
            )
        } else {
            run_inner(sh, outer, r).await
        };
        statuses.insert(id.clone(), resp.status);
        responses.push(inner_json(&id, resp));
    }
    sh.rng().shuffle(&mut responses);
    Resp::ok(json!({ "responses": responses }))
}

async fn run_inner(sh: &Shared, outer: &Req, r: &Value) -> Resp {
    let method = r
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or("GET")
        .to_ascii_uppercase();
    let url = r.get("url").and_then(Value::as_str).unwrap_or("");
    let mut req = Req {
        method,
        ..Req::default()
    };
    let url = if url.starts_with('/') {
        url.to_owned()
    } else {
        format!("/{url}")
    };
    req.set_target(&format!("{}{url}", crate::GRAPH_VERSION_PATH));
    if let Some(h) = r.get("headers").and_then(Value::as_object) {
        for (k, v) in h {
            if let Some(v) = v.as_str() {
                req.headers.push((k.to_ascii_lowercase(), v.to_owned()));
            }
        }
    }
    // Inner requests run with the batch's credentials.
    for k in ["authorization", "client-request-id"] {
        if req.header(k).is_none()
            && let Some(v) = outer.header(k)
        {
            req.headers.push((k.to_owned(), v.to_owned()));
        }
    }
    if let Some(b) = r.get("body") {
        req.body = serde_json::to_vec(b).unwrap_or_default();
    }
    sh.counters.count(Route::classify(&req.method, &req.path));
    let resp = match apply_fault(sh, &req).await {
        Faulted::Answer(faulted) => faulted,
        // An inner request cannot drop the connection: the gateway reports a timeout instead.
        Faulted::Drop => graph_error(504, "GatewayTimeout", "The inner request timed out."),
        // Inner bodies are embedded JSON: a cut body only makes sense for the outer answer.
        Faulted::Proceed { .. } => crate::routes::route(sh, &req),
    };
    finish(sh, &req, resp)
}

fn inner_json(id: &str, resp: Resp) -> Value {
    let mut headers = Map::new();
    for (k, v) in &resp.headers {
        headers.insert(k.clone(), Value::from(v.clone()));
    }
    if !resp.body.is_null() {
        headers.insert("Content-Type".into(), Value::from("application/json"));
    }
    let mut m = Map::new();
    m.insert("id".into(), Value::from(id));
    m.insert("status".into(), Value::from(resp.status));
    m.insert("headers".into(), Value::Object(headers));
    if !resp.body.is_null() {
        m.insert("body".into(), resp.body);
    }
    Value::Object(m)
}
