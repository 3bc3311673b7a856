//! JSON `$batch`: up to 20 requests per round trip, each inner answer checked on its own,
//! throttled inner requests retried alone after their own `Retry-After`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use ipo_model::{AzureAdUser, ObjectId};
use serde::{Deserialize, Serialize};

use crate::client::GraphClient;
use crate::error::GraphError;
use crate::odata::{encode_path_segment, query};
use crate::transport::{Body, Replay, Req, status_error};
use crate::user::{RawUser, label_of};
use ipo_model::parse_retry_after;

/// Requests per `$batch` (Graph's JSON batching limit).
pub const MAX_BATCH_SIZE: usize = 20;

/// One request inside a `$batch`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct BatchRequest {
    /// Unique within the batch.
    pub id: String,
    /// `GET`, `POST`...
    pub method: String,
    /// Relative URL without the version, e.g. `/users/{id}?$select=id`.
    pub url: String,
    /// Headers, e.g. `ConsistencyLevel`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// JSON body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
}

impl BatchRequest {
    /// A GET of `url` (relative, e.g. `/users/{id}`).
    pub fn get(id: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            method: "GET".into(),
            url: url.into(),
            headers: BTreeMap::new(),
            body: None,
        }
    }
}

/// One inner answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct BatchResponse {
    /// The request's id.
    pub id: String,
    /// The inner status: check it, the outer 200 only means the batch parsed.
    pub status: u16,
    /// Inner headers.
    #[serde(default)]
    pub headers: BTreeMap<String, serde_json::Value>,
    /// Inner body.
    #[serde(default)]
    pub body: Option<serde_json::Value>,
}

impl BatchResponse {
    /// Whether the inner status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The inner `Retry-After`, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
            .and_then(|(_, v)| match v {
                serde_json::Value::String(s) => parse_retry_after(s, chrono::Utc::now()),
                serde_json::Value::Number(n) => n.as_u64().map(Duration::from_secs),
                _ => None,
            })
    }

    /// The error this inner answer stands for (`url` names the request in the message).
    pub fn error(&self, url: &str, what: &str) -> GraphError {
        let body = self
            .body
            .as_ref()
            .map(|b| serde_json::to_vec(b).unwrap_or_default())
            .unwrap_or_default();
        status_error(self.status, &body, url, what)
    }
}

#[derive(Serialize)]
struct BatchBody<'a> {
    requests: &'a [BatchRequest],
}

#[derive(Deserialize)]
struct BatchAnswer {
    #[serde(default)]
    responses: Vec<BatchResponse>,
}

/// Users fetched by id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct FetchedUsers {
    /// Users found, complete records.
    pub users: Vec<AzureAdUser>,
    /// Ids Graph does not know (any more).
    pub missing: Vec<ObjectId>,
}

/// Which collection [`GraphClient::objects_by_ids`] reads, and how its objects are named.
pub(crate) struct ByIds<'a> {
    /// The collection's path segment, e.g. `users`.
    pub collection: &'static str,
    /// The object kind in messages, e.g. `user`.
    pub kind: &'static str,
    /// The `$select` list.
    pub select: &'a str,
    /// Names an object of a malformed answer.
    pub label: fn(&serde_json::Value) -> String,
}

impl GraphClient {
    /// Sends `requests` as `$batch` calls of at most [`MAX_BATCH_SIZE`], and returns one
    /// answer per request, in request order. Inner 429/503/504 answers are retried (only
    /// those) after their own `Retry-After`, within the retry policy; when the policy gives
    /// up, the last inner answer is returned as is.
    pub async fn batch(
        &self,
        requests: Vec<BatchRequest>,
    ) -> Result<Vec<BatchResponse>, GraphError> {
        // JSON batching: request ids are matched without regard to case.
        let mut ids = BTreeSet::new();
        for r in &requests {
            if !ids.insert(r.id.to_ascii_lowercase()) {
                return Err(GraphError::Batch(format!(
                    "duplicate request id {:?}",
                    r.id
                )));
            }
        }
        let mut answers: BTreeMap<String, BatchResponse> = BTreeMap::new();
        for chunk in requests.chunks(MAX_BATCH_SIZE) {
            self.batch_chunk(chunk, &mut answers).await?;
        }
        requests
            .iter()
            .map(|r| {
                answers.remove(&r.id.to_ascii_lowercase()).ok_or_else(|| {
                    GraphError::Batch(format!("no answer for request id {:?}", r.id))
                })
            })
            .collect()
    }

    async fn batch_chunk(
        &self,
        chunk: &[BatchRequest],
        answers: &mut BTreeMap<String, BatchResponse>,
    ) -> Result<(), GraphError> {
        let url = self.url("/$batch", &[])?;
        let policy = &self.inner.http.retry;
        let counters = &self.inner.http.counters;
        let mut pending: Vec<BatchRequest> = chunk.to_vec();
        let mut attempt = 0u32;
        let started = std::time::Instant::now();
        while !pending.is_empty() {
            attempt += 1;
            let body = serde_json::to_vec(&BatchBody { requests: &pending })
                .map_err(|e| GraphError::Batch(e.to_string()))?;
            // A batch of reads is a read; one write in it makes it a write.
            let replay = if pending
                .iter()
                .all(|p| Replay::of_method(&p.method) == Replay::Always)
            {
                Replay::Always
            } else {
                Replay::IfUnprocessed
            };
            let req = Req::post(url.clone(), Body::Json(body), replay);
            let resp = self
                .inner
                .http
                .send(&req, Some(self.inner.tokens.as_ref()))
                .await?;
            if !resp.is_success() {
                return Err(resp.error("$batch"));
            }
            let answer: BatchAnswer = resp.json()?;
            let mut retry = Vec::new();
            let mut longest: Option<Duration> = None;
            for mut r in answer.responses {
                let Some(sent) = pending.iter().find(|p| p.id.eq_ignore_ascii_case(&r.id)) else {
                    continue; // an id we did not send: ignore rather than trust it
                };
                // The caller finds its answer under the id it sent.
                r.id = sent.id.clone();
                let key = r.id.to_ascii_lowercase();
                if r.status == 429 {
                    counters.throttled();
                }
                if Replay::of_method(&sent.method).resends_status(r.status) {
                    if let Some(ra) = r.retry_after() {
                        longest = Some(longest.map_or(ra, |l| l.max(ra)));
                    }
                    retry.push(key.clone());
                }
                answers.insert(key, r);
            }
            pending.retain(|p| retry.contains(&p.id.to_ascii_lowercase()));
            if pending.is_empty() {
                break;
            }
            match policy.next_wait(attempt, started.elapsed(), longest) {
                Some(wait) => {
                    tracing::info!(
                        requests = pending.len(),
                        wait_ms = wait.as_millis() as u64,
                        "retrying throttled batch requests"
                    );
                    tokio::time::sleep(wait).await;
                    for _ in &pending {
                        counters.retry(Duration::ZERO);
                    }
                    counters.retry_wait(wait);
                }
                None => break,
            }
        }
        Ok(())
    }

    /// Complete user records by id, 20 per `$batch`.
    pub async fn users_by_ids(&self, ids: &[ObjectId]) -> Result<FetchedUsers, GraphError> {
        let (users, missing) = self
            .objects_by_ids(
                ByIds {
                    collection: "users",
                    kind: "user",
                    select: self.user_select(),
                    label: label_of,
                },
                ids,
                RawUser::into_user,
            )
            .await?;
        // An id that is no user (any more) is simply not among the users.
        let users = users.into_iter().filter_map(|(_, u)| u).collect();
        Ok(FetchedUsers { users, missing })
    }

    /// Complete records of one collection's objects by id (`GET /{collection}/{id}`), 20 per
    /// `$batch`, each decoded as `R` and made a `T` by `into` (`None`: no longer that kind of
    /// object, for the caller to judge). Returns each id found with its object, and the ids
    /// Graph does not know (any more). An inner answer still throttled after the batch's
    /// retries ends the read.
    pub(crate) async fn objects_by_ids<R, T>(
        &self,
        what: ByIds<'_>,
        ids: &[ObjectId],
        into: impl Fn(R) -> Result<Option<T>, GraphError>,
    ) -> Result<(Vec<(ObjectId, Option<T>)>, Vec<ObjectId>), GraphError>
    where
        R: serde::de::DeserializeOwned,
    {
        let select = query(&[("$select", what.select)]);
        let requests: Vec<BatchRequest> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                BatchRequest::get(
                    i.to_string(),
                    format!(
                        "/{}/{}?{select}",
                        what.collection,
                        encode_path_segment(id.as_str())
                    ),
                )
            })
            .collect();
        let answers = self.batch(requests).await?;
        let (mut found, mut missing) = (Vec::new(), Vec::new());
        for (id, a) in ids.iter().zip(answers) {
            let url = format!("$batch GET /{}/{id}", what.collection);
            match a.status {
                404 => missing.push(id.clone()),
                s if (200..300).contains(&s) => {
                    let body = a.body.unwrap_or_default();
                    let raw: R = serde_json::from_value(body.clone()).map_err(|e| {
                        crate::page::diagnose_item::<R>(&body, what.label).unwrap_or_else(|| {
                            GraphError::decode(s, url.clone(), body.to_string().as_bytes(), e)
                        })
                    })?;
                    found.push((id.clone(), into(raw)?));
                }
                s if Replay::Always.resends_status(s) => {
                    return Err(GraphError::Throttled {
                        status: s,
                        url,
                        attempts: self.inner.http.retry.max_attempts,
                        waited: Duration::ZERO,
                    });
                }
                _ => return Err(a.error(&url, &format!("{} {id}", what.kind))),
            }
        }
        Ok((found, missing))
    }

    /// Teams voice set-ups by user id, 20 per `$batch`; users without a Teams
    /// configuration get an empty one.
    pub(crate) async fn teams_voices_by_ids(
        &self,
        ids: &[ObjectId],
    ) -> Result<BTreeMap<ObjectId, ipo_model::TeamsVoice>, GraphError> {
        let requests: Vec<BatchRequest> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                BatchRequest::get(
                    i.to_string(),
                    format!(
                        "/admin/teams/userConfigurations/{}",
                        encode_path_segment(id.as_str())
                    ),
                )
            })
            .collect();
        let answers = self.batch(requests).await?;
        let mut out = BTreeMap::new();
        for (id, a) in ids.iter().zip(answers) {
            let url = format!("$batch GET /admin/teams/userConfigurations/{id}");
            let voice = match a.status {
                404 => ipo_model::TeamsVoice::default(),
                s if (200..300).contains(&s) => {
                    let body = a.body.unwrap_or_default();
                    let page = serde_json::json!({ "value": [body] });
                    let bytes = serde_json::to_vec(&page).unwrap_or_default();
                    crate::teams::decode_config_page(&bytes, s, &url)?
                        .items
                        .into_iter()
                        .next()
                        .map(|c| c.voice)
                        .unwrap_or_default()
                }
                _ => return Err(a.error(&url, &format!("Teams configuration of {id}"))),
            };
            out.insert(id.clone(), voice);
        }
        Ok(out)
    }
}
