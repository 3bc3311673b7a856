//! `IpoConfigStore` for [`IpoClient`]: snapshot, and writes in batches with one outcome
//! per change.

use async_trait::async_trait;
use ipo_model::{
    ApiError, Applied, ChangeOutcome, Guid, IpoChange, IpoConfigStore, IpoSnapshot, PortError,
    RestartNotice, SystemDirectoryEntry, TransportStats,
};
use reqwest::Method;

use crate::client::IpoClient;
use crate::error::IpoError;
use crate::records;
use crate::system_directory;
use crate::wire::{self, Reboot, WireRecord, WsObject};

const SERVICE: &str = "IP Office";

fn at(what: &'static str) -> impl Fn(IpoError) -> PortError {
    move |e| port_error(e, what)
}

/// An [`IpoError`] as the port's error, naming `record` where it has none.
pub(crate) fn port_error(e: IpoError, record: &str) -> PortError {
    match e {
        // A refused certificate: the server failed to authenticate itself. Permanent, and
        // definite (nothing was sent), so the run stops with it instead of trying on.
        IpoError::LoginFailed { .. } | IpoError::TlsRefused { .. } => {
            PortError::Auth(e.to_string())
        }
        IpoError::Transport(detail) => PortError::Unavailable {
            service: SERVICE.into(),
            detail,
        },
        // Unavailable, as for Graph's: the sync keeps the create pending and reads back.
        IpoError::Unconfirmed { .. } => PortError::Unavailable {
            service: SERVICE.into(),
            detail: format!("{record}: {e}"),
        },
        IpoError::Http { status: 403, .. } => PortError::Permission(e.to_string()),
        IpoError::Http { .. } => PortError::Unavailable {
            service: SERVICE.into(),
            detail: e.to_string(),
        },
        IpoError::InvalidRecord {
            record,
            field,
            message,
        } => PortError::InvalidData {
            record,
            field,
            message,
        },
        IpoError::Api { errors, .. } => errors_to_port(record, errors),
        IpoError::UnknownNode {
            record,
            node,
            reason,
        } => PortError::InvalidData {
            record,
            field: "node".into(),
            message: format!("IP Office node {node:?} {reason}; nothing was sent"),
        },
        IpoError::DirectoryFile { .. } => PortError::Unavailable {
            service: "directory file".into(),
            detail: e.to_string(),
        },
        other => PortError::Other(format!("{record}: {other}")),
    }
}

/// Error codes the guide documents, and the conventions the emulator assumes where it is
/// silent (docs/ipo-wire.md, "Error codes").
pub(crate) mod codes {
    /// "A user or huntgroup with the specified Name Already Exist." (guide, USER/HUNTGROUP).
    pub const NAME_EXISTS: &str = "9020";
    /// "Extension conflicts with another user" (guide, USER).
    pub const EXTENSION_CONFLICT: &str = "18011";
    /// `SMAError` of a DELETE naming an unknown GUID (guide).
    pub const NOT_FOUND: &str = "404:NotFound";
}

/// The errors IP Office gave for one record, as the port's error.
///
/// Documented codes: `9020` (name exists) and `18011` (extension conflicts with another
/// user) are a [`PortError::Conflict`]; `404:NotFound` is [`PortError::NotFound`]. Codes the
/// guide shows without a meaning (`9042`, `10003`) and any other code stay a
/// [`PortError::Rejected`] with every error's code, text, cause data and node. The
/// emulator's assumed names for what the guide does not show (`CapacityExceeded`,
/// `ReadOnlyRecord`: Conflict; `Unauthorized`: Permission) are mapped too. The Conflict's
/// message carries every error's code and text.
pub(crate) fn errors_to_port(record: &str, errors: Vec<ApiError>) -> PortError {
    let code_is = |c: &str| errors.iter().any(|e| e.code.trim() == c);
    let has = |k: &str| errors.iter().any(|e| e.code.contains(k));
    let joined = || {
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    };
    if all_not_found(&errors) {
        PortError::NotFound(record.to_owned())
    } else if code_is(codes::NAME_EXISTS)
        || code_is(codes::EXTENSION_CONFLICT)
        || has("CapacityExceeded")
        || has("ReadOnlyRecord")
    {
        PortError::Conflict {
            record: record.to_owned(),
            message: joined(),
        }
    } else if has("Unauthorized") {
        PortError::Permission(format!("{record}: {}", joined()))
    } else {
        PortError::Rejected {
            record: record.to_owned(),
            errors,
        }
    }
}

/// Whether every error says "no record with that GUID" (there is at least one).
fn all_not_found(errors: &[ApiError]) -> bool {
    !errors.is_empty()
        && errors
            .iter()
            .all(|e| e.code.trim() == codes::NOT_FOUND || e.code.trim().starts_with("404"))
}

fn applied(o: Option<&WsObject>, fallback: Option<&Guid>, restarts: &[RestartNotice]) -> Applied {
    let guid = o
        .and_then(|o| o.record.as_ref())
        .and_then(WireRecord::guid)
        .and_then(|g| g.parse::<Guid>().ok())
        .or_else(|| fallback.cloned());
    let mut a = Applied::new(guid);
    a.restarts = restarts.to_vec();
    a.notices = restarts.iter().map(ToString::to_string).collect();
    a
}

/// The restart notices of an answer, each naming a node: the address the answer gives,
/// else the node the request went to (`node`).
fn restarts_of(reboots: &[Reboot], node: &str) -> Vec<RestartNotice> {
    let mut out: Vec<RestartNotice> = Vec::new();
    for r in reboots {
        let n = RestartNotice::new(
            r.location.clone().unwrap_or_else(|| node.to_owned()),
            r.kind.clone(),
        );
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// A batchable write.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Batch {
    CreateUsers,
    UpdateUsers,
    CreateExtensions,
    UpdateHuntGroups,
}

impl Batch {
    fn of(c: &IpoChange) -> Option<Batch> {
        Some(match c {
            IpoChange::CreateUser(_) => Batch::CreateUsers,
            IpoChange::UpdateUser(_) => Batch::UpdateUsers,
            IpoChange::CreateExtension(_) => Batch::CreateExtensions,
            IpoChange::UpdateHuntGroup(_) => Batch::UpdateHuntGroups,
            _ => return None,
        })
    }
    fn method(self) -> Method {
        match self {
            Batch::CreateUsers | Batch::CreateExtensions => Method::POST,
            Batch::UpdateUsers | Batch::UpdateHuntGroups => Method::PUT,
        }
    }
    fn resource(self) -> &'static str {
        match self {
            Batch::CreateUsers | Batch::UpdateUsers => "users",
            Batch::CreateExtensions => "extensions",
            Batch::UpdateHuntGroups => "huntgroups",
        }
    }
}

/// A prepared write: its position in the changes, the change, its record.
type Item<'a> = (usize, &'a IpoChange, WireRecord);

/// The node a change's record carries (users and extensions; hunt groups carry none).
fn node_of(c: &IpoChange) -> Option<&str> {
    match c {
        IpoChange::CreateUser(u) | IpoChange::UpdateUser(u) => u.node.as_deref(),
        IpoChange::CreateExtension(e) => e.node.as_deref(),
        IpoChange::DeleteUser { node, .. } | IpoChange::DeleteExtension { node, .. } => {
            node.as_deref()
        }
        _ => None,
    }
}

/// State of one `apply` run.
struct Run {
    out: Vec<Option<ChangeOutcome>>,
    /// Set when the session is unusable (login refused): later writes are not attempted.
    stop: Option<String>,
    directory: Option<Vec<SystemDirectoryEntry>>,
    directory_items: Vec<usize>,
}

impl Run {
    /// Records change `k` as not attempted when the run has stopped; whether it had.
    fn skipped(&mut self, k: usize, c: &IpoChange) -> bool {
        let Some(reason) = &self.stop else {
            return false;
        };
        self.out[k] = Some(Err(PortError::NotAttempted {
            record: c.label(),
            reason: reason.clone(),
        }));
        true
    }

    /// A batch that got no answer: every record fails with the error, or is not attempted
    /// when the error makes the session unusable.
    fn refused(&mut self, items: &[Item<'_>], e: IpoError) {
        if matches!(
            e,
            IpoError::LoginFailed { .. } | IpoError::TlsRefused { .. }
        ) {
            self.stop = Some(e.to_string());
        }
        for (i, c, _) in items {
            if !self.skipped(*i, c) {
                self.out[*i] = Some(Err(port_error(e.clone(), &c.label())));
            }
        }
    }
}

impl IpoClient {
    /// Turns one batchable change into its record, or its outcome when it cannot be sent.
    async fn prepare(&self, c: &IpoChange) -> Result<WireRecord, PortError> {
        let rec = self.to_record(c).await?;
        let label = c.label();
        wire::check_values(&rec, &label).map_err(|e| port_error(e, &label))?;
        Ok(rec)
    }

    /// The record a batchable change sends, or its outcome when it cannot be sent.
    async fn to_record(&self, c: &IpoChange) -> Result<WireRecord, PortError> {
        let label = c.label();
        let names = &self.inner.cfg.wire_names;
        match c {
            IpoChange::CreateUser(u) | IpoChange::UpdateUser(u) => {
                let creating = matches!(c, IpoChange::CreateUser(_));
                if u.is_no_user() {
                    return Err(PortError::Conflict {
                        record: label,
                        message: "NoUser is built into IP Office and is never changed".into(),
                    });
                }
                if !creating && u.guid.is_none() {
                    return Err(PortError::InvalidData {
                        record: label,
                        field: "GUID".into(),
                        message:
                            "an update needs the record's GUID (IP Office answers MissingGUID)"
                                .into(),
                    });
                }
                let mode = self
                    .licensing_mode()
                    .await
                    .map_err(|e| port_error(e, &label))?;
                records::user_to_record(u, mode, names, creating).map_err(|e| port_error(e, &label))
            }
            IpoChange::CreateExtension(e) => Ok(records::extension_to_record(e)),
            IpoChange::UpdateHuntGroup(h) => {
                if h.guid.is_none() {
                    return Err(PortError::InvalidData {
                        record: label,
                        field: "GUID".into(),
                        message: "an update needs the record's GUID".into(),
                    });
                }
                Ok(records::hunt_group_to_record(h))
            }
            _ => Err(PortError::Other(format!("{label}: not a batchable change"))),
        }
    }

    /// [`prepare`](Self::prepare), and the node the record goes to (`ipaddress=`).
    async fn prepare_for_node(
        &self,
        c: &IpoChange,
    ) -> Result<(Option<String>, WireRecord), PortError> {
        let rec = self.prepare(c).await?;
        let label = c.label();
        let target = self
            .target(&label, node_of(c))
            .await
            .map_err(|e| port_error(e, &label))?;
        Ok((target, rec))
    }

    /// The run of changes of `kind` from `start`, grouped by target node (first seen first,
    /// original order inside a group), then sent in batches; returns where the run ends.
    async fn apply_batches(
        &self,
        changes: &[IpoChange],
        start: usize,
        kind: Batch,
        run: &mut Run,
    ) -> usize {
        let size = self.inner.cfg.batch_size.max(1);
        let mut groups: Vec<(Option<String>, Vec<Item<'_>>)> = Vec::new();
        let mut i = start;
        while i < changes.len() && Batch::of(&changes[i]) == Some(kind) {
            let c = &changes[i];
            if !run.skipped(i, c) {
                match self.prepare_for_node(c).await {
                    Ok((target, rec)) => match groups.iter_mut().find(|(t, _)| *t == target) {
                        Some((_, items)) => items.push((i, c, rec)),
                        None => groups.push((target, vec![(i, c, rec)])),
                    },
                    Err(e) => {
                        if matches!(e, PortError::Auth(_)) {
                            run.stop = Some(e.to_string());
                        }
                        run.out[i] = Some(Err(e));
                    }
                }
            }
            i += 1;
        }
        for (target, items) in &groups {
            for chunk in items.chunks(size) {
                if run.stop.is_some() {
                    for (k, c, _) in chunk {
                        run.skipped(*k, c);
                    }
                    continue;
                }
                self.send_batch(kind, target.as_deref(), chunk, run).await;
            }
        }
        i
    }

    async fn send_batch(
        &self,
        kind: Batch,
        target: Option<&str>,
        items: &[Item<'_>],
        run: &mut Run,
    ) {
        let recs: Vec<WireRecord> = items.iter().map(|(_, _, r)| r.clone()).collect();
        for r in &recs {
            tracing::debug!(kind = %r.kind, node = target, fields = ?r.fields, "sending record");
        }
        // Every record passed `check_values` in `prepare`: writing cannot fail here, and
        // would fail the whole batch, unsent, if it did.
        let result = match wire::write_request(self.inner.cfg.format, &recs) {
            Ok(body) => {
                self.call_on(target, kind.method(), kind.resource(), &[], Some(body))
                    .await
            }
            Err(e) => Err(e),
        };
        let what = format!("{} {}", kind.method(), kind.resource());
        let reply = match result {
            Ok(r) => r,
            Err(e) => return run.refused(items, e),
        };
        let (failed, objects, reboots) = reply
            .envelope
            .map(|e| (e.failed(), e.objects, e.reboots))
            .unwrap_or((false, Vec::new(), Vec::new()));
        let node = self.node_label(target);
        // A restart is of the node, not of one record: every record the batch stored
        // carries it (a record's own object may also hold one).
        let batch_restarts = restarts_of(&reboots, &node);
        let restarts_for = |o: Option<&WsObject>| {
            let mut all = batch_restarts.clone();
            if let Some(o) = o {
                for n in restarts_of(&o.reboots, &node) {
                    if !all.contains(&n) {
                        all.push(n);
                    }
                }
            }
            all
        };
        if !batch_restarts.is_empty() {
            tracing::warn!(what, node, "IP Office says the change needs a restart");
        }
        let guid_of = |c: &IpoChange| match c {
            IpoChange::UpdateUser(u) => u.guid.clone(),
            IpoChange::UpdateHuntGroup(h) => h.guid.clone(),
            _ => None,
        };
        if objects.len() == items.len() {
            for ((i, c, _), o) in items.iter().zip(&objects) {
                run.out[*i] = Some(if o.errors.is_empty() {
                    Ok(applied(
                        Some(o),
                        guid_of(c).as_ref(),
                        &restarts_for(Some(o)),
                    ))
                } else {
                    Err(errors_to_port(&c.label(), o.errors.clone()))
                });
            }
        } else if failed {
            // The answer does not say which record each error belongs to.
            let errors: Vec<ApiError> = objects
                .iter()
                .flat_map(|o| o.errors.iter().cloned())
                .collect();
            tracing::warn!(
                what,
                sent = items.len(),
                answered = objects.len(),
                "batch answer does not match the records sent"
            );
            for (i, c, _) in items {
                run.out[*i] = Some(Err(errors_to_port(&c.label(), errors.clone())));
            }
        } else {
            if !reply.status.is_success() {
                tracing::warn!(
                    what,
                    status = reply.status.as_u16(),
                    "write answered a failure status without errors"
                );
            }
            for (k, (i, c, _)) in items.iter().enumerate() {
                let o = objects.get(k);
                run.out[*i] = Some(Ok(applied(o, guid_of(c).as_ref(), &restarts_for(o))));
            }
        }
    }

    /// Deletes on the node holding the record (resolved as for writes; an unknown node
    /// fails only this record, nothing is sent).
    async fn delete(&self, resource: &str, guid: &Guid, c: &IpoChange) -> ChangeOutcome {
        let label = c.label();
        let target = self
            .target(&label, node_of(c))
            .await
            .map_err(|e| port_error(e, &label))?;
        let reply = self
            .call_on(
                target.as_deref(),
                Method::DELETE,
                resource,
                &[("guid", guid.as_str())],
                None,
            )
            .await
            .map_err(|e| port_error(e, &label))?;
        match reply.envelope {
            // The resent DELETE finds nothing: the attempt whose answer was lost deleted it.
            Some(env) if env.failed() && reply.replayed && all_not_found(&env.errors()) => {
                let mut a = Applied::new(None);
                a.notices.push(format!(
                    "{label}: the DELETE was resent after its answer was lost, and IP Office answered {} (no record with that GUID): taken as deleted by the first attempt",
                    codes::NOT_FOUND
                ));
                Ok(a)
            }
            Some(env) if env.failed() => Err(errors_to_port(&label, env.errors())),
            Some(env) => {
                let node = self.node_label(target.as_deref());
                let mut reboots = env.reboots.clone();
                if let Some(o) = env.objects.first() {
                    reboots.extend(o.reboots.iter().cloned());
                }
                Ok(applied(
                    env.objects.first(),
                    None,
                    &restarts_of(&reboots, &node),
                ))
            }
            None => Ok(Applied::new(None)),
        }
    }

    fn directory_change(&self, c: &IpoChange, run: &mut Run) -> ChangeOutcome {
        let label = c.label();
        let Some(path) = &self.inner.cfg.directory_csv else {
            return Err(PortError::Other(format!(
                "{label}: {}",
                IpoError::DirectoryNotConfigured
            )));
        };
        if run.directory.is_none() {
            run.directory =
                Some(system_directory::read_directory(path).map_err(|e| port_error(e, &label))?);
        }
        let entries = run.directory.get_or_insert_with(Vec::new);
        match c {
            IpoChange::PutDirectoryEntry(e) => {
                match entries.iter_mut().find(|x| x.name == e.name) {
                    Some(x) => *x = e.clone(),
                    None => entries.push(e.clone()),
                }
            }
            IpoChange::RemoveDirectoryEntry { name } => {
                let before = entries.len();
                entries.retain(|x| &x.name != name);
                if entries.len() == before {
                    return Err(PortError::NotFound(label));
                }
            }
            _ => {}
        }
        Ok(Applied::new(None))
    }
}

#[async_trait]
impl IpoConfigStore for IpoClient {
    async fn snapshot(&self) -> Result<IpoSnapshot, PortError> {
        let sys = self.list("systems").await.map_err(at("systems"))?;
        let system = records::solution_from_records(&sys)
            .ok_or_else(|| PortError::Other("GET systems: no System record".into()))?;
        let system = self
            .settle_system(system, &sys)
            .map_err(|e| port_error(e, "systems"))?;
        let mode = system.licensing_mode;
        self.remember_mode(mode);
        let mut snap = IpoSnapshot::new(system);
        snap.licenses = self
            .list("licenses")
            .await
            .map_err(at("licenses"))?
            .iter()
            .map(records::license_from_record)
            .collect();
        let names = &self.inner.cfg.wire_names;
        // Which listings to read users and extensions from, and the node they are on.
        let nodes = records::nodes_from_records(&sys);
        let sources: Vec<Option<String>> = match &self.inner.cfg.node {
            Some(node) => vec![Some(node.clone())],
            None if nodes.len() > 1 => nodes
                .iter()
                .map(|n| n.address.clone().map(Some))
                .collect::<Option<Vec<_>>>()
                .unwrap_or_else(|| vec![None]),
            None => vec![None],
        };
        self.remember_nodes(nodes).await;
        for source in &sources {
            let node = source.as_deref();
            let first = snap.users.len();
            let users = self.list_on(node, "users").await.map_err(at("users"))?;
            for (k, r) in users.into_iter().enumerate() {
                let mut u =
                    records::user_from_record(r, first + k, mode, names).map_err(at("users"))?;
                u.node = source.clone();
                snap.users.push(u);
            }
            let first = snap.extensions.len();
            let exts = self
                .list_on(node, "extensions")
                .await
                .map_err(at("extensions"))?;
            for (k, r) in exts.into_iter().enumerate() {
                let mut e =
                    records::extension_from_record(r, first + k).map_err(at("extensions"))?;
                e.node = source.clone();
                snap.extensions.push(e);
            }
        }
        snap.hunt_groups = self
            .list("huntgroups")
            .await
            .map_err(at("huntgroups"))?
            .into_iter()
            .enumerate()
            .map(|(i, r)| records::hunt_group_from_record(r, i))
            .collect::<Result<_, _>>()
            .map_err(at("huntgroups"))?;
        if let Some(path) = &self.inner.cfg.directory_csv {
            snap.system_directory =
                system_directory::read_directory(path).map_err(at("directory"))?;
        }
        Ok(snap)
    }

    async fn apply(&self, changes: Vec<IpoChange>) -> Vec<ChangeOutcome> {
        let mut run = Run {
            out: vec![None; changes.len()],
            stop: None,
            directory: None,
            directory_items: Vec::new(),
        };
        let mut i = 0;
        while i < changes.len() {
            let c = &changes[i];
            if let Some(kind) = Batch::of(c) {
                i = self.apply_batches(&changes, i, kind, &mut run).await;
                continue;
            }
            let outcome = match c {
                IpoChange::PutDirectoryEntry(_) | IpoChange::RemoveDirectoryEntry { .. } => {
                    let o = self.directory_change(c, &mut run);
                    if o.is_ok() {
                        run.directory_items.push(i);
                    }
                    o
                }
                _ if run.stop.is_some() => Err(PortError::NotAttempted {
                    record: c.label(),
                    reason: run.stop.clone().unwrap_or_default(),
                }),
                IpoChange::DeleteUser { name, .. } if name.as_str() == ipo_model::NO_USER => {
                    Err(PortError::Conflict {
                        record: c.label(),
                        message: "NoUser is built into IP Office and is never deleted".into(),
                    })
                }
                IpoChange::DeleteUser { guid, .. } => self.delete("users", guid, c).await,
                IpoChange::DeleteExtension { guid, .. } => self.delete("extensions", guid, c).await,
                other => Err(PortError::Other(format!(
                    "{}: change not supported by this client",
                    other.label()
                ))),
            };
            if let Err(PortError::Auth(reason)) = &outcome {
                run.stop = Some(reason.clone());
            }
            run.out[i] = Some(outcome);
            i += 1;
        }
        if let (Some(entries), Some(path)) = (&run.directory, &self.inner.cfg.directory_csv)
            && !run.directory_items.is_empty()
            && let Err(e) = system_directory::write_directory(path, entries)
        {
            for &k in &run.directory_items {
                run.out[k] = Some(Err(port_error(e.clone(), &changes[k].label())));
            }
        }
        run.out
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Err(PortError::Other("no outcome recorded".into()))))
            .collect()
    }

    /// The client's [`stats`](IpoClient::stats): requests, retries after a 503 or a
    /// transient connection error, logins made again after a session timeout, and time
    /// waited. IP Office does not throttle with 429, so `throttled` stays zero.
    fn transport(&self) -> TransportStats {
        let s = self.stats();
        let mut t = TransportStats::default();
        t.requests = s.requests;
        t.retries = s.retries;
        t.relogins = s.relogins;
        t.waited = s.waited;
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_node_is_invalid_data_naming_record_and_node() {
        let e = IpoError::UnknownNode {
            record: "user Ann".into(),
            node: "Nowhere".into(),
            reason: "is not a node".into(),
        };
        match port_error(e, "ignored") {
            PortError::InvalidData { record, field, .. } => {
                assert_eq!((record.as_str(), field.as_str()), ("user Ann", "node"));
            }
            other => panic!("{other:?}"),
        }
    }
}
