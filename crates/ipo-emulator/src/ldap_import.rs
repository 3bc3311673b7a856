//! IP Office importing its system directory over LDAP, as *System > Directory Services >
//! LDAP* does: every *Resync Interval* it binds, searches the base with the filter, and
//! replaces its **temporary** directory records with what it found, one record per value
//! of each number attribute, at most 10,000 records.
//!
//! Imported records are not part of the configuration (IP Office neither saves nor shows
//! them through the Management API), so they live here, beside the emulated configuration,
//! and are read with [`DirectoryImport::records`].
//!
//! Assumptions where Avaya's documentation is silent: a resync that fails (server down,
//! bind refused) keeps the records of the last good one; records past the 10,000th are
//! dropped in the order the server sent them; an entry without the name attribute is
//! skipped. The client speaks LDAP v3 (the `ldap3` crate); IP Office's own v2 bind is
//! exercised against the directory service with `ldapsearch -P 2` in its tests.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use ldap3::{LdapConnAsync, LdapConnSettings, Scope, SearchEntry};
use tokio::task::JoinHandle;
use tracing::{debug, warn};

/// IP Office's external directory limit, across all sources.
pub const MAX_DIRECTORY_RECORDS: usize = 10_000;

/// The LDAP settings IP Office is given, field by field (Manager: System > Directory
/// Services > LDAP).
#[derive(Clone)]
#[non_exhaustive]
pub struct LdapImportConfig {
    /// `ldap://host:port` (Server IP Address and Server Port).
    pub url: String,
    /// User Name.
    pub user_name: String,
    /// Password (never printed).
    pub password: String,
    /// Search Base.
    pub search_base: String,
    /// Search Filter (RFC 2254).
    pub search_filter: String,
    /// Number Attributes, e.g. `["telephoneNumber", "mobile"]`.
    pub number_attributes: Vec<String>,
    /// The attribute read as the record's name (`cn`).
    pub name_attribute: String,
    /// Resync Interval.
    pub resync_interval: Duration,
}

impl std::fmt::Debug for LdapImportConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LdapImportConfig")
            .field("url", &self.url)
            .field("user_name", &self.user_name)
            .field("password", &ipo_model::REDACTED)
            .field("search_base", &self.search_base)
            .field("search_filter", &self.search_filter)
            .field("number_attributes", &self.number_attributes)
            .field("name_attribute", &self.name_attribute)
            .field("resync_interval", &self.resync_interval)
            .finish()
    }
}

impl LdapImportConfig {
    /// Settings with IP Office's usual choices: filter `(objectClass=person)`, number
    /// attributes `telephoneNumber` and `mobile`, name `cn`, resync every 3600 s.
    pub fn new(
        url: impl Into<String>,
        user_name: impl Into<String>,
        password: impl Into<String>,
        search_base: impl Into<String>,
    ) -> Self {
        Self {
            url: url.into(),
            user_name: user_name.into(),
            password: password.into(),
            search_base: search_base.into(),
            search_filter: "(objectClass=person)".into(),
            number_attributes: vec!["telephoneNumber".into(), "mobile".into()],
            name_attribute: "cn".into(),
            resync_interval: Duration::from_secs(3600),
        }
    }

    /// The same settings with another resync interval.
    pub fn resync_every(mut self, interval: Duration) -> Self {
        self.resync_interval = interval;
        self
    }
}

/// One temporary directory record: a name and a number, as IP Office shows it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub struct ImportedRecord {
    /// The name (the name attribute's value).
    pub name: String,
    /// The number (one number attribute's value).
    pub number: String,
}

#[derive(Debug, Default)]
struct Imported {
    records: Vec<ImportedRecord>,
    resyncs: u64,
    last_error: Option<String>,
}

/// A running import: the records of the last good resync.
#[derive(Debug)]
pub struct DirectoryImport {
    state: Arc<RwLock<Imported>>,
    task: JoinHandle<()>,
}

impl DirectoryImport {
    /// Starts resyncing now and then every `config.resync_interval`.
    pub fn start(config: LdapImportConfig) -> Self {
        let state = Arc::new(RwLock::new(Imported::default()));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let outcome = resync(&config).await;
                record_outcome(&shared, outcome);
                tokio::time::sleep(config.resync_interval).await;
            }
        });
        Self { state, task }
    }

    /// The temporary directory records, sorted by name then number.
    pub fn records(&self) -> Vec<ImportedRecord> {
        self.state
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .records
            .clone()
    }

    /// Successful resyncs so far.
    pub fn resyncs(&self) -> u64 {
        self.state.read().unwrap_or_else(|p| p.into_inner()).resyncs
    }

    /// Why the last resync failed, if it did.
    pub fn last_error(&self) -> Option<String> {
        self.state
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .last_error
            .clone()
    }

    /// Stops resyncing (the records stay readable).
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for DirectoryImport {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Keeps a good resync's records; a failed one keeps the previous records.
fn record_outcome(shared: &RwLock<Imported>, outcome: Result<Vec<ImportedRecord>, String>) {
    let mut s = shared.write().unwrap_or_else(|p| p.into_inner());
    match outcome {
        Ok(records) => {
            debug!(records = records.len(), "directory resync");
            s.records = records;
            s.resyncs += 1;
            s.last_error = None;
        }
        Err(e) => {
            warn!(error = %e, "directory resync failed; keeping the previous records");
            s.last_error = Some(e);
        }
    }
}

async fn resync(c: &LdapImportConfig) -> Result<Vec<ImportedRecord>, String> {
    let settings = LdapConnSettings::new().set_conn_timeout(Duration::from_secs(10));
    let (conn, mut ldap) = LdapConnAsync::with_settings(settings, &c.url)
        .await
        .map_err(|e| format!("connect {}: {e}", c.url))?;
    ldap3::drive!(conn);
    ldap.simple_bind(&c.user_name, &c.password)
        .await
        .and_then(|r| r.success())
        .map_err(|e| format!("bind as {}: {e}", c.user_name))?;
    let mut attrs = c.number_attributes.clone();
    attrs.push(c.name_attribute.clone());
    let (entries, _) = ldap
        .search(&c.search_base, Scope::Subtree, &c.search_filter, attrs)
        .await
        .and_then(|r| r.success())
        .map_err(|e| format!("search {}: {e}", c.search_base))?;
    let _ = ldap.unbind().await;
    let mut records = Vec::new();
    'entries: for e in entries {
        let e = SearchEntry::construct(e);
        let Some(name) = first_value(&e, &c.name_attribute) else {
            continue;
        };
        for attr in &c.number_attributes {
            for number in values(&e, attr) {
                if records.len() == MAX_DIRECTORY_RECORDS {
                    warn!(
                        limit = MAX_DIRECTORY_RECORDS,
                        "directory import limit reached; further records dropped"
                    );
                    break 'entries;
                }
                records.push(ImportedRecord {
                    name: name.clone(),
                    number: number.clone(),
                });
            }
        }
    }
    records.sort();
    Ok(records)
}

/// Values of `attr`, its name compared ignoring case as LDAP does.
fn values<'a>(e: &'a SearchEntry, attr: &str) -> impl Iterator<Item = &'a String> {
    e.attrs
        .iter()
        .filter(move |(k, _)| k.eq_ignore_ascii_case(attr))
        .flat_map(|(_, v)| v.iter())
}

fn first_value(e: &SearchEntry, attr: &str) -> Option<String> {
    values(e, attr).next().cloned()
}
