//! The client: construction, shared plumbing (GET with paging), and user reads.

use std::sync::Arc;

use futures_util::stream::{self, Stream, TryStreamExt};
use ipo_model::{AzureAdUser, GroupId, ObjectId};
use url::Url;

use crate::auth::{ClientCredentials, TokenProvider};
use crate::config::{ClientOptions, GraphConfig, check_base, join};
use crate::error::GraphError;
use crate::odata::{encode_path_segment, odata_string_literal, query, redact_url_str, select_list};
use crate::page::Page;
use crate::stats::{Counters, RequestStats};
use crate::tls::build_http_client;
use crate::transport::{Http, Req, Resp};
use crate::user::decode_users_page;

/// Largest page Graph serves for users and members (`$top` maximum).
pub const MAX_PAGE_SIZE: u32 = 999;

/// Pages followed at most in one listing: a server that keeps sending next links (a loop)
/// must not keep the client busy forever. 100,000 pages of 999 is far beyond any tenant.
pub const MAX_PAGES: usize = 100_000;

/// Header value Graph's advanced queries (type casts, `$count`) need.
pub(crate) const EVENTUAL: (&str, &str) = ("ConsistencyLevel", "eventual");

/// A Microsoft Graph client for directory sync. Cheap to clone (shared state inside).
///
/// ```no_run
/// use graph_client::{GraphClient, GraphConfig};
/// # async fn run() -> Result<(), graph_client::GraphError> {
/// let cfg = GraphConfig::new("contoso.onmicrosoft.com", "app-id", "secret".into());
/// let client = GraphClient::new(cfg)?;
/// let group = "02bd9fd6-8f93-4758-87c3-1fb73740a315".parse().unwrap();
/// let members = client.group_member_users(&group).await?;
/// println!("{} users, {:?}", members.len(), client.stats());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct GraphClient {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub http: Http,
    pub graph_base: Url,
    pub tokens: Arc<dyn TokenProvider>,
    pub options: ClientOptions,
    pub select: String,
}

impl GraphClient {
    /// A client using the client-credentials flow of `config`.
    pub fn new(config: GraphConfig) -> Result<Self, GraphError> {
        config.validate()?;
        let http = Http {
            client: build_http_client(&config.retry)?,
            retry: config.retry.clone(),
            counters: Arc::new(Counters::default()),
        };
        let tokens = Arc::new(ClientCredentials::with_http(&config, http.clone())?);
        Ok(Self::assemble(
            http,
            config.graph_base.clone(),
            tokens,
            ClientOptions::from(&config),
        ))
    }

    /// A client that gets its tokens from `tokens` (a [`crate::StaticToken`], or your own).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use graph_client::{ClientOptions, GraphClient, StaticToken};
    /// let client = GraphClient::with_token_provider(
    ///     "http://127.0.0.1:9/v1.0".parse().unwrap(),
    ///     Arc::new(StaticToken::new("token".into())),
    ///     ClientOptions::default().with_teams_numbers(false),
    /// ).unwrap();
    /// assert_eq!(client.stats().requests, 0);
    /// ```
    pub fn with_token_provider(
        graph_base: Url,
        tokens: Arc<dyn TokenProvider>,
        options: ClientOptions,
    ) -> Result<Self, GraphError> {
        check_base(&graph_base, "Graph base")?;
        let http = Http {
            client: build_http_client(&options.retry)?,
            retry: options.retry.clone(),
            counters: Arc::new(Counters::default()),
        };
        Ok(Self::assemble(http, graph_base, tokens, options))
    }

    fn assemble(
        http: Http,
        graph_base: Url,
        tokens: Arc<dyn TokenProvider>,
        options: ClientOptions,
    ) -> Self {
        let select = select_list(&options.extra_user_properties);
        Self {
            inner: Arc::new(Inner {
                http,
                graph_base,
                tokens,
                options,
                select,
            }),
        }
    }

    /// Requests, retries, throttled answers and time waited so far.
    pub fn stats(&self) -> RequestStats {
        self.inner.http.counters.snapshot()
    }

    /// The options in force.
    pub fn options(&self) -> &ClientOptions {
        &self.inner.options
    }

    /// The `$select` list used for users.
    pub fn user_select(&self) -> &str {
        &self.inner.select
    }

    pub(crate) fn url(&self, path: &str, params: &[(&str, &str)]) -> Result<Url, GraphError> {
        let q = if params.is_empty() {
            String::new()
        } else {
            format!("?{}", query(params))
        };
        join(&self.inner.graph_base, &format!("{path}{q}"))
    }

    /// A next or delta link, checked to point at the configured Graph host: the bearer
    /// token must never travel elsewhere.
    pub(crate) fn link(&self, link: &str) -> Result<Url, GraphError> {
        let url = Url::parse(link).map_err(|e| GraphError::Decode {
            status: 200,
            url: redact_url_str(link),
            message: format!("link is not a URL: {e}"),
            snippet: String::new(),
        })?;
        if url.origin() != self.inner.graph_base.origin() {
            return Err(GraphError::Decode {
                status: 200,
                url: redact_url_str(link),
                message: format!(
                    "link leaves the configured Graph host {}",
                    self.inner.graph_base.origin().ascii_serialization()
                ),
                snippet: String::new(),
            });
        }
        Ok(url)
    }

    /// One authenticated GET, retried as the policy says.
    pub(crate) async fn get(&self, url: Url, eventual: bool) -> Result<Resp, GraphError> {
        let mut req = Req::get(url);
        if eventual {
            req = req.header(EVENTUAL.0, EVENTUAL.1);
        }
        self.inner
            .http
            .send(&req, Some(self.inner.tokens.as_ref()))
            .await
    }

    /// Pages of a collection from `first`, following `@odata.nextLink` verbatim; nothing is
    /// sent until the stream is polled. `eventual` sends `ConsistencyLevel: eventual` on
    /// every page (Graph does not carry it over).
    pub fn pages<T, F>(
        &self,
        first: Url,
        eventual: bool,
        what: String,
        decode: F,
    ) -> impl Stream<Item = Result<Page<T>, GraphError>> + Send + 'static + use<T, F>
    where
        T: Send + 'static,
        F: Fn(&[u8], u16, &str) -> Result<Page<T>, GraphError> + Send + Sync + 'static,
    {
        let client = self.clone();
        let decode = Arc::new(decode);
        stream::try_unfold((Some(first), 0usize), move |(next, n)| {
            let client = client.clone();
            let decode = decode.clone();
            let what = what.clone();
            async move {
                let Some(url) = next else {
                    return Ok(None);
                };
                if n >= MAX_PAGES {
                    return Err(GraphError::Decode {
                        status: 200,
                        url: crate::odata::redact_url(&url),
                        message: format!("more than {MAX_PAGES} pages: next links loop"),
                        snippet: String::new(),
                    });
                }
                let resp = client.get(url.clone(), eventual).await?;
                if !resp.is_success() {
                    return Err(resp.error(&what));
                }
                let page = decode(&resp.body, resp.status, &resp.url)?;
                let next = match page.next_link.as_deref() {
                    Some(l) => {
                        let next = client.link(l)?;
                        (next != url).then_some(next)
                    }
                    None => None,
                };
                Ok(Some((page, (next, n + 1))))
            }
        })
    }

    fn user_pages(
        &self,
        first: Url,
        eventual: bool,
        what: String,
    ) -> impl Stream<Item = Result<AzureAdUser, GraphError>> + Send + 'static + use<> {
        self.pages(first, eventual, what, decode_users_page)
            .map_ok(|p| stream::iter(p.items.into_iter().map(Ok)))
            .try_flatten()
    }

    /// Users of `group`, nested groups included (`transitiveMembers/microsoft.graph.user`),
    /// as a stream of users; non-user members are skipped. Teams numbers are not merged here
    /// (see [`GraphClient::enrich_with_teams`]).
    pub fn group_members_stream(
        &self,
        group: &GroupId,
    ) -> impl Stream<Item = Result<AzureAdUser, GraphError>> + Send + 'static + use<> {
        let path = format!(
            "/groups/{}/transitiveMembers/microsoft.graph.user",
            encode_path_segment(group.as_str())
        );
        let top = MAX_PAGE_SIZE.to_string();
        let url = self.url(
            &path,
            &[
                ("$select", &self.inner.select),
                ("$top", &top),
                ("$count", "true"),
            ],
        );
        let what = format!("group {group}");
        let first = stream::once(async move { url });
        let client = self.clone();
        first
            .map_ok(move |url| client.user_pages(url, true, what.clone()))
            .try_flatten()
    }

    /// Every user of `group` (nested groups included), collected; each has `group` in its
    /// `groups`. Teams numbers are merged when enabled (one tenant-wide listing: for several
    /// groups use [`GraphClient::member_users_of_groups`], which lists them once for all).
    pub async fn group_member_users(
        &self,
        group: &GroupId,
    ) -> Result<Vec<AzureAdUser>, GraphError> {
        let mut read = self
            .member_users_of_groups(std::slice::from_ref(group), |_| {})
            .await?;
        Ok(read.pop().map(|(_, users)| users).unwrap_or_default())
    }

    /// The users of each of `groups` (nested groups included), one entry per group in the
    /// order given; each user has its group in `groups`. Teams numbers, when enabled, are
    /// read once for all the groups (the configurations listing covers the whole tenant)
    /// and merged onto every member.
    ///
    /// `on_group_read` is called once per group as its members are in; with Teams numbers
    /// on, the last call comes after they are merged, so the calls end when the read does.
    pub async fn member_users_of_groups<F>(
        &self,
        groups: &[GroupId],
        on_group_read: F,
    ) -> Result<Vec<(GroupId, Vec<AzureAdUser>)>, GraphError>
    where
        F: Fn(&GroupId) + Send + Sync,
    {
        let teams = self.inner.options.teams_numbers;
        let mut out = Vec::with_capacity(groups.len());
        for (i, group) in groups.iter().enumerate() {
            let mut users: Vec<AzureAdUser> =
                self.group_members_stream(group).try_collect().await?;
            dedupe(&mut users);
            for u in &mut users {
                u.groups.insert(group.clone());
            }
            out.push((group.clone(), users));
            if !(teams && i + 1 == groups.len()) {
                on_group_read(group);
            }
        }
        if teams && let Some(last) = groups.last() {
            let numbers = self.teams_numbers().await?;
            for (_, users) in &mut out {
                numbers.apply(users);
            }
            on_group_read(last);
        }
        Ok(out)
    }

    /// Every user of the tenant, as a stream.
    pub fn users_stream(
        &self,
    ) -> impl Stream<Item = Result<AzureAdUser, GraphError>> + Send + 'static + use<> {
        let top = MAX_PAGE_SIZE.to_string();
        let url = self.url("/users", &[("$select", &self.inner.select), ("$top", &top)]);
        let client = self.clone();
        stream::once(async move { url })
            .map_ok(move |url| client.user_pages(url, false, "users".into()))
            .try_flatten()
    }

    /// Every user of the tenant, collected; Teams numbers merged when enabled.
    pub async fn list_users(&self) -> Result<Vec<AzureAdUser>, GraphError> {
        let mut users: Vec<AzureAdUser> = self.users_stream().try_collect().await?;
        dedupe(&mut users);
        if self.inner.options.teams_numbers {
            self.enrich_with_teams(&mut users).await?;
        }
        Ok(users)
    }

    /// Users whose `property` equals `value` (`$filter=property eq 'value'`, the value an
    /// escaped OData literal, so quotes in names are safe). `property` must be a plain
    /// property name such as `displayName` or `userPrincipalName`.
    pub async fn find_users(
        &self,
        property: &str,
        value: &str,
    ) -> Result<Vec<AzureAdUser>, GraphError> {
        if property.is_empty()
            || !property
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '/')
        {
            return Err(GraphError::Config(format!(
                "{property:?} is not a property name"
            )));
        }
        let filter = format!("{property} eq {}", odata_string_literal(value));
        let top = MAX_PAGE_SIZE.to_string();
        let url = self.url(
            "/users",
            &[
                ("$filter", &filter),
                ("$select", &self.inner.select),
                ("$top", &top),
            ],
        )?;
        self.user_pages(url, false, format!("users with {property} {value:?}"))
            .try_collect()
            .await
    }

    /// One user by id, `None` when it does not exist; Teams numbers merged when enabled.
    pub async fn get_user(&self, id: &ObjectId) -> Result<Option<AzureAdUser>, GraphError> {
        let url = self.url(
            &format!("/users/{}", encode_path_segment(id.as_str())),
            &[("$select", &self.inner.select)],
        )?;
        let resp = self.get(url, false).await?;
        if resp.status == 404 {
            return Ok(None);
        }
        if !resp.is_success() {
            return Err(resp.error(&format!("user {id}")));
        }
        let Some(mut user) = crate::user::parse_user(&resp.body).map_err(|e| match e {
            GraphError::Decode {
                status,
                message,
                snippet,
                ..
            } => GraphError::Decode {
                status,
                url: resp.url.clone(),
                message,
                snippet,
            },
            other => other,
        })?
        else {
            return Ok(None);
        };
        if self.inner.options.teams_numbers {
            user.teams = Some(self.teams_voice_of(id).await?);
        }
        Ok(Some(user))
    }
}

/// Graph can repeat an object across pages while a listing runs; keep the first.
fn dedupe(users: &mut Vec<AzureAdUser>) {
    let mut seen = std::collections::HashSet::with_capacity(users.len());
    users.retain(|u| seen.insert(u.id.clone()));
}
