//! Starting the emulator and scripting the tenant while it runs.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ipo_model::{AzureAdContact, AzureAdUser, RemovalReason, TeamsPhoneNumber};
use serde_json::{Map, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::{ExpiredDeltaMode, GraphEmulatorConfig};
use crate::error::EmulatorError;
use crate::faults::Faults;
use crate::state::Shared;
use crate::stats::Stats;
use crate::tenant::Tenant;

/// Entry point: starts an emulated tenant on `127.0.0.1` with an ephemeral port.
///
/// ```
/// use graph_emulator::{GraphEmulator, GraphEmulatorConfig, Seed};
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let emu = GraphEmulator::start(GraphEmulatorConfig::with_seed(Seed::contoso()).page_size(2))
///     .await
///     .unwrap();
/// assert!(emu.graph_base().starts_with("http://127.0.0.1:"));
/// assert!(emu.graph_base().ends_with("/v1.0"));
/// emu.expire_delta_tokens();
/// emu.shutdown().await;
/// # });
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct GraphEmulator;

impl GraphEmulator {
    /// Binds, seeds and serves on the current tokio runtime. The server stops when the
    /// returned handle is dropped or shut down.
    pub async fn start(config: GraphEmulatorConfig) -> Result<GraphEmulatorHandle, EmulatorError> {
        let tenant = Tenant::from_seed(&config.seed, &config.tenant_id)?;
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(format!("http://{addr}"), &config, tenant));
        let (stop_tx, stop_rx) = oneshot::channel();
        let task = tokio::spawn(crate::server::accept_loop(
            listener,
            shared.clone(),
            stop_rx,
        ));
        tracing::debug!(%addr, "graph emulator started");
        Ok(GraphEmulatorHandle {
            shared,
            addr,
            tenant_id: config.tenant_id,
            task: Some(task),
            stop: Some(stop_tx),
        })
    }
}

/// A running emulator. Dropping it stops the server and every open connection.
#[derive(Debug)]
pub struct GraphEmulatorHandle {
    pub(crate) shared: Arc<Shared>,
    addr: SocketAddr,
    tenant_id: String,
    task: Option<JoinHandle<()>>,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for GraphEmulatorHandle {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

impl GraphEmulatorHandle {
    /// Stops serving and waits until the server task has ended.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// The socket address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Base of the login host, e.g. `http://127.0.0.1:PORT` (token at
    /// `{login_base}/{tenant}/oauth2/v2.0/token`).
    pub fn login_base(&self) -> String {
        self.shared.base.clone()
    }

    /// Base of Graph, e.g. `http://127.0.0.1:PORT/v1.0`.
    pub fn graph_base(&self) -> String {
        self.shared.graph_base()
    }

    /// The full token URL for the configured tenant.
    pub fn token_url(&self) -> String {
        format!("{}/{}/oauth2/v2.0/token", self.shared.base, self.tenant_id)
    }

    /// The configured tenant id.
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// The configured client id.
    pub fn client_id(&self) -> &str {
        &self.shared.client_id
    }

    /// The configured client secret (to hand to a client under test).
    pub fn client_secret(&self) -> &str {
        self.shared.client_secret.expose()
    }

    /// The fault rules, changeable at any time.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// Request counters so far.
    pub fn stats(&self) -> Stats {
        self.shared.counters.snapshot()
    }

    /// Sets every counter back to zero.
    pub fn reset_stats(&self) {
        self.shared.counters.reset();
    }

    /// Changes the largest page size.
    pub fn set_page_size(&self, n: usize) {
        self.shared.settings_mut().page_size = n.clamp(1, crate::MAX_PAGE_SIZE);
    }

    /// Turns the injected empty page on or off.
    pub fn set_inject_empty_page(&self, on: bool) {
        self.shared.settings_mut().inject_empty_page = on;
    }

    /// Chooses how expired delta tokens are answered.
    pub fn set_expired_delta_mode(&self, mode: ExpiredDeltaMode) {
        self.shared.settings_mut().expired_delta = mode;
    }

    /// Takes an application permission away (e.g. `"TeamsUserConfiguration.Read.All"`): the
    /// resources that need it answer `403 Authorization_RequestDenied` until it is granted
    /// again. Every permission is granted at start.
    pub fn revoke_permission(&self, permission: &str) {
        self.shared
            .settings_mut()
            .revoked_permissions
            .insert(permission.to_owned());
    }

    /// Grants a permission [`revoke_permission`](Self::revoke_permission) took away.
    pub fn grant_permission(&self, permission: &str) {
        self.shared
            .settings_mut()
            .revoked_permissions
            .remove(permission);
    }

    /// Changes the lifetime of tokens issued from now on.
    pub fn set_token_lifetime(&self, d: Duration) {
        self.shared.settings_mut().token_lifetime = d;
    }

    /// Makes every delta and delta-skip token handed out so far expired.
    pub fn expire_delta_tokens(&self) {
        self.shared.tenant().delta_epoch += 1;
    }

    /// Makes every access token handed out so far expired.
    pub fn expire_access_tokens(&self) {
        let past = std::time::Instant::now();
        for exp in self.shared.tokens().values_mut() {
            *exp = past;
        }
    }

    /// A user as the domain model sees it (Teams voice included), if it exists.
    pub fn user(&self, id: impl AsRef<str>) -> Option<AzureAdUser> {
        self.shared.tenant().directory_user(id.as_ref())
    }

    /// Number of users in the tenant.
    pub fn user_count(&self) -> usize {
        self.shared.tenant().users.len()
    }

    /// Adds a user (its `teams`, if any, becomes its Teams configuration).
    pub fn add_user(&self, user: AzureAdUser) -> Result<(), EmulatorError> {
        self.shared.tenant().add_directory_user(&user)
    }

    /// Adds a user given in Graph JSON (`id` required).
    pub fn add_graph_user(&self, user: Map<String, Value>) -> Result<(), EmulatorError> {
        self.shared.tenant().add_user_json(user)
    }

    /// Removes a user: soft-deleted (`Changed`) or gone for good (`Deleted`); it also leaves
    /// every group, as in Graph.
    pub fn remove_user(
        &self,
        id: impl AsRef<str>,
        reason: RemovalReason,
    ) -> Result<(), EmulatorError> {
        self.shared.tenant().remove_user(id.as_ref(), reason)
    }

    /// Changes a user through the domain model.
    pub fn update_user(
        &self,
        id: impl AsRef<str>,
        f: impl FnOnce(&mut AzureAdUser),
    ) -> Result<(), EmulatorError> {
        self.shared.tenant().update_directory_user(id.as_ref(), f)
    }

    /// Changes a user's Graph JSON directly (any property).
    pub fn update_graph_user(
        &self,
        id: impl AsRef<str>,
        f: impl FnOnce(&mut Map<String, Value>),
    ) -> Result<(), EmulatorError> {
        self.shared.tenant().update_user_json(id.as_ref(), f)
    }

    /// Sets one property of a user by its Graph name.
    pub fn set_user_property(
        &self,
        id: impl AsRef<str>,
        name: &str,
        value: Value,
    ) -> Result<(), EmulatorError> {
        self.update_graph_user(id, |m| {
            m.insert(name.to_owned(), value);
        })
    }

    /// Sets a user's first business phone.
    pub fn set_business_phone(
        &self,
        id: impl AsRef<str>,
        phone: &str,
    ) -> Result<(), EmulatorError> {
        self.set_user_property(id, "businessPhones", Value::from(vec![phone.to_owned()]))
    }

    /// Creates an empty group.
    pub fn add_group(&self, id: impl AsRef<str>, display_name: &str) -> Result<(), EmulatorError> {
        self.shared.tenant().add_group(id.as_ref(), display_name)
    }

    /// Adds a direct member (user, group or other object) to a group.
    pub fn add_member(
        &self,
        group: impl AsRef<str>,
        member: impl AsRef<str>,
    ) -> Result<(), EmulatorError> {
        self.shared
            .tenant()
            .add_member(group.as_ref(), member.as_ref())
    }

    /// Removes a direct member from a group.
    pub fn remove_member(
        &self,
        group: impl AsRef<str>,
        member: impl AsRef<str>,
    ) -> Result<(), EmulatorError> {
        self.shared
            .tenant()
            .remove_member(group.as_ref(), member.as_ref())
    }

    /// Nests `child` in `parent` (refused when it would make a cycle).
    pub fn nest_group(
        &self,
        parent: impl AsRef<str>,
        child: impl AsRef<str>,
    ) -> Result<(), EmulatorError> {
        let mut t = self.shared.tenant();
        if !t.groups.contains_key(&child.as_ref().to_ascii_lowercase()) {
            return Err(EmulatorError::NotFound {
                kind: "group",
                id: child.as_ref().to_owned(),
            });
        }
        t.add_member(parent.as_ref(), child.as_ref())
    }

    /// Adds a non-user directory object (`@odata.type` and `id` required).
    pub fn add_object(&self, object: Map<String, Value>) -> Result<(), EmulatorError> {
        self.shared.tenant().add_object(object)
    }

    /// Adds or replaces an organisational contact, served by `GET /contacts` in Graph's
    /// form: its business numbers and mobile as `phones` of type `business` / `mobile`.
    pub fn add_contact(&self, contact: &AzureAdContact) {
        let mut phones: Vec<Value> = contact
            .business_phones
            .iter()
            .map(|n| serde_json::json!({"type": "business", "number": n}))
            .collect();
        if let Some(m) = &contact.mobile_phone {
            phones.push(serde_json::json!({"type": "mobile", "number": m}));
        }
        let json = serde_json::json!({
            "id": contact.id.as_str(),
            "displayName": contact.display_name,
            "mail": contact.mail,
            "givenName": null,
            "surname": null,
            "mailNickname": null,
            "companyName": null,
            "department": null,
            "jobTitle": null,
            "onPremisesSyncEnabled": null,
            "proxyAddresses": [],
            "addresses": [],
            "phones": phones,
        });
        if let Value::Object(m) = json {
            self.add_graph_contact(m);
        }
    }

    /// Adds or replaces a contact given in Graph JSON (its `id` names it; one without an id
    /// is ignored).
    pub fn add_graph_contact(&self, contact: Map<String, Value>) {
        let Some(id) = contact.get("id").and_then(Value::as_str) else {
            return;
        };
        let id = id.to_ascii_lowercase();
        self.shared.tenant().put_contact(id, contact);
    }

    /// Removes a contact for good; whether there was one. `/contacts/delta` then reports
    /// it as `{"id":..., "@removed": {"reason": "deleted"}}`.
    pub fn remove_contact(&self, id: impl AsRef<str>) -> bool {
        self.remove_contact_with(id, RemovalReason::Deleted)
    }

    /// Removes a contact, reported by `/contacts/delta` with `reason` (`changed`: out of
    /// view, `deleted`: gone for good); whether there was one.
    pub fn remove_contact_with(&self, id: impl AsRef<str>, reason: RemovalReason) -> bool {
        let id = id.as_ref().to_ascii_lowercase();
        self.shared.tenant().remove_contact(id, reason)
    }

    /// Sets a user's Teams telephone numbers (creating its Teams configuration if needed).
    pub fn set_teams_numbers(
        &self,
        id: impl AsRef<str>,
        numbers: Vec<TeamsPhoneNumber>,
    ) -> Result<(), EmulatorError> {
        self.shared
            .tenant()
            .set_teams_numbers(id.as_ref(), &numbers)
    }
}
