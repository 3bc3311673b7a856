//! Avaya IP Office Management API client: session, XML and JSON envelopes, lossless
//! updates, retries; implements [`ipo_model::IpoConfigStore`].
//!
//! # What it does
//!
//! - **Session**: logs in as the service user (Basic auth on
//!   `GET /WebManagement/ws/sdk/security/authenticate` with the `X-User-Client` /
//!   `X-User-Agent` headers), keeps every cookie the server sets (`JSESSIONID`,
//!   `SDK-Token`...), reuses that one session for the whole run (concurrent callers share one
//!   login) and logs out on [`IpoClient::close`]. On `461:SessionTimeout` (in a status-0 body
//!   or as raw HTTP 461) it logs in again and repeats the request once. A refused login is
//!   never retried (IP Office locks the account after 3 failures in 10 minutes): it is an
//!   [`IpoError::LoginFailed`], and every later call fails fast with it.
//! - **Formats**: XML (default) or JSON requests ([`WireFormat`]); answers are sniffed by
//!   their first byte, whatever the `Content-Type` says. Both JSON shapes of a listed
//!   extension are accepted. The listing parsers are public in [`wire`].
//! - **Lossless updates**: a record is read with every field kept in `raw` (ordered; XML
//!   scalars as text, JSON scalars with their type; nested elements such as DSS keys kept
//!   whole). An update sends `raw` back with only the modelled fields whose value changed
//!   replaced in place, so fields the client does not model are never cleared (IP Office
//!   may clear fields a PUT leaves out).
//! - **Lenient reading**: a field that breaks our rules (an old voicemail code such as
//!   `1234`, a full name with a `.`) is read as `None` and stays untouched on the wire; only
//!   an unusable `Name` or `GUID` (or an extension record's number) fails the listing, with
//!   an [`IpoError::InvalidRecord`] naming the record and field.
//! - **Faults**: 503 (honouring `Retry-After`), 502/504 and connection errors are retried
//!   with bounded backoff ([`RetryPolicy`]) where a second copy is harmless: reads, updates
//!   (the whole record, by GUID) and deletes by GUID (a resent delete answered `404:NotFound`
//!   is success). A create is resent only after a 503 or when no connection was made; after a
//!   dropped connection, a timeout or a 502/504 it is sent once and fails as
//!   [`IpoError::Unconfirmed`]. The HTTP status is never trusted alone (a 200 can carry
//!   `status="0"`). [`IpoClient::stats`] counts requests, retries, logins, waits.
//! - **Writes** ([`ipo_model::IpoConfigStore::apply`]): consecutive creates/updates of one
//!   kind go in one request ([`IpoConfig::batch_size`] records, one `ws_object` each); the
//!   answer's `ws_object`s are matched to the records by position. Error codes map to
//!   `PortError` (Conflict: DuplicateName, DuplicateExtension, CapacityExceeded,
//!   ReadOnlyRecord; NotFound: UnknownGUID; Permission: Unauthorized; Rejected otherwise,
//!   with every error). `REBOOT` nodes become notices. A batch lost at transport level
//!   gives each of its items `Unavailable`; later batches are still tried, unless the login
//!   or the TLS handshake was refused (then `NotAttempted`). Transport errors carry their
//!   whole cause chain (never a URL).
//! - **Nodes** (Server Edition / Select): a create or update of a record whose `node` is
//!   set goes to that node (`ipaddress=` its LAN1 address; a system `Name` is resolved
//!   through the `GET systems` listing, read once per session, see [`IpoClient::nodes`]).
//!   Batches are grouped per node; a node the solution does not list fails only its records
//!   with [`IpoError::UnknownNode`] (nothing sent, never another node). Without
//!   [`IpoConfig::node`], a multi-node snapshot reads users and extensions per node and tags
//!   each record with its node. Details: docs/ipo-wire.md, "Nodes".
//! - **TLS**: rustls with the ring provider, verification on by default; trust IP Office's
//!   CA or pin its certificate with [`TlsMode`]. A failed handshake (a refused certificate,
//!   plain HTTP on the port) is never retried: it is an [`IpoError::TlsRefused`] naming the
//!   problem (`invalid peer certificate: UnknownIssuer`...) and the setting to change, and
//!   `PortError::Auth` for the engine, which stops the run. Turning verification off is only possible
//!   with [`TlsMode::InsecureAcceptAnyCertificate`], which logs a warning.
//! - **Secrets**: the password and cookies are [`Secret`]s; records are logged through
//!   `RawFields`' `Debug`, which redacts passwords, login codes and voicemail codes.
//!
//! # Gap: the system directory
//!
//! The Management API has no system directory resource, so Teams-only users cannot be put
//! into IP Office's directory through it. The client writes them to a CSV file in IP
//! Office's directory import layout instead ([`IpoConfig::directory_csv`], see
//! [`system_directory`]); an administrator imports that file. Without a path, directory changes
//! fail with a "not configured" error per item.
//!
//! # Public API
//!
//! On purpose, and nothing else:
//!
//! - [`IpoClient`] (implements [`ipo_model::IpoConfigStore`]), built from an [`IpoConfig`]
//!   with its [`TlsMode`], [`WireFormat`], [`WireNames`] and [`RetryPolicy`] (shared with
//!   `graph-client`, from `ipo-model`); [`Secret`] for the password; [`IpoError`];
//!   [`ClientStats`]; [`NodeInfo`] from [`IpoClient::nodes`].
//! - [`wire`]: parsing documented IP Office listings from bytes (`parse_users`,
//!   `parse_extensions`, `parse_hunt_groups`, `parse_licenses`, `parse_system`), writing
//!   user request bodies (`write_users`), and the raw envelope codec underneath
//!   (`parse_envelope`, `write_request`, `WireRecord`) for records the model does not cover.
//! - [`system_directory`]: the system directory CSV file (`read_directory`, `write_directory`).
//!
//! The `test-support` feature adds what this crate's own tests and benchmarks use
//! (`wire::write_listing`); it is not part of the supported API.
//!
//! # Examples
//!
//! The codec works without a server: a documented user listing, parsed.
//!
//! ```
//! use ipo_client::{wire, IpoClient, IpoConfig, Secret};
//! use ipo_model::{LicensingMode, Profile};
//!
//! let listing = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
//! <response status="1"><data set="75" totalRecords="1"><ws_object>
//!   <User GUID="0B67A4002C7C11E08678000C29F56F71"><Name>Ann</Name><FullName>Ann Lee</FullName>
//!   <Extension>402</Extension><AssignedPackage>4</AssignedPackage></User>
//! </ws_object></data></response>"#;
//! let users = wire::parse_users(listing, LicensingMode::Plds)?;
//! assert_eq!(users[0].name.as_str(), "Ann");
//! assert_eq!(users[0].profile, Profile::PowerUser);
//!
//! // A client sends nothing until its first call, and never shows its password.
//! let client = IpoClient::new(IpoConfig::new("https://ipoffice.example:7070", "sync", Secret::new("s3cr3t")))?;
//! assert!(!format!("{client:?}").contains("s3cr3t"));
//! # Ok::<(), ipo_client::IpoError>(())
//! ```
//!
//! Reading a real system and updating one user:
//!
//! ```no_run
//! use ipo_client::{IpoClient, IpoConfig, Secret, TlsMode};
//! use ipo_model::{IpoChange, IpoConfigStore};
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let mut cfg = IpoConfig::new("https://10.0.0.5:7070", "sync", Secret::new("secret"));
//! cfg.tls = TlsMode::PinnedCertificate(std::fs::read_to_string("ipoffice.pem")?);
//! let client = IpoClient::new(cfg)?;
//! let snap = client.snapshot().await?;
//! let mut ann = snap.users.into_iter().find(|u| u.name.as_str() == "Ann").unwrap();
//! ann.full_name = Some("Ann Lee".parse()?);
//! for outcome in client.apply(vec![IpoChange::UpdateUser(ann)]).await {
//!     println!("{outcome:?}");
//! }
//! client.close().await;
//! # Ok(()) }
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod client;
mod config;
mod error;
mod nodes;
mod records;
mod replay;
mod resources;
mod session;
mod stats;
mod store;
pub mod system_directory;
mod tls;
pub mod wire;

pub use client::IpoClient;
pub use config::{IpoConfig, TlsMode, WireFormat, WireNames};
pub use error::IpoError;
pub use ipo_model::{RetryPolicy, Secret};
pub use records::NodeInfo;
pub use stats::ClientStats;
