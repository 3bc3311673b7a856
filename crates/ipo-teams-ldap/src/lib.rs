//! A read-only LDAP directory service for Avaya IP Office's system directory.
//!
//! Teams-only people have no IP Office user record, yet IP Office users must find and call
//! them from the system directory. IP Office imports directory records over LDAP by itself
//! (*System > Directory Services > LDAP*, or the v3 *Directory Services* application) and
//! re-reads them every *Resync Interval*; so the sync serves the entries it planned, and
//! IP Office keeps its directory current with no manual import and no configuration write.
//!
//! * [`EntrySet`]: one run's entries (`cn`, `telephoneNumber` in IP Office directory
//!   notation, optional `mobile`), checked (unique names, at most [`MAX_RECORDS`]
//!   IP Office records), saved beside the sync state and loaded back.
//! * [`EntrySetHandle`]: the slot the service reads; a new set replaces the old whole.
//! * [`DirectoryService`]: the LDAP (or LDAPS) listener: simple bind (v2 and v3), search
//!   with base/one/sub scopes and server-side filters, size limit and paged results,
//!   every write refused with `unwillingToPerform`; requests bounded in size and time,
//!   connections per address, room kept for IP Office's addresses, refusals logged in
//!   short rate-limited lines.
//!
//! What it serves: `docs/directory.md`; how to point IP Office at it: `docs/deployment.md`.
//!
//! # Public API
//!
//! On purpose, and nothing else: [`DirectoryService`] and its [`RunningService`], configured
//! by [`DirectoryConfig`] ([`BindUser`] with a [`Secret`] password, [`TlsFiles`]); the entries
//! ([`EntrySet`], [`EntrySetHandle`], [`ServedEntry`], [`watch_file`]); errors
//! ([`ConfigError`], [`ServeError`], [`SetError`]); limits and names ([`MAX_RECORDS`],
//! [`DEFAULT_SIZE_LIMIT`], [`FILE_NAME`]); and [`dn::escape_value`] for writing DNs. The
//! `test-support` feature adds `bench_support` for the benchmarks; it is not part of the
//! supported API.
//!
//! ```
//! use ipo_teams_ldap::{Secret, BindUser, DirectoryConfig, DirectoryService, EntrySet, EntrySetHandle, ServedEntry};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let set = EntrySetHandle::with(EntrySet::from_served(vec![
//!     ServedEntry::new("Ann Lee", "441632768402-402"),
//! ])?);
//! let cfg = DirectoryConfig::new("127.0.0.1:0".parse()?, "ou=teams,dc=example,dc=com")
//!     .with_bind_user(BindUser::new("cn=ipoffice,dc=example,dc=com", Secret::new("pw")));
//! let running = DirectoryService::bind(cfg, set.clone()).await?.spawn();
//! println!("ldap://{}", running.local_addr());
//! // after the next sync run: set.replace(new_set);
//! running.shutdown().await;
//! # Ok(()) }
//! ```

pub mod dn;

mod admission;
mod config;
mod connection;
mod entry;
mod error;
mod filter;
mod frame;
mod refusal;
mod search;
mod server;
mod session;
mod set;
mod tls;
mod watch;

pub use config::{BindUser, DEFAULT_SIZE_LIMIT, DirectoryConfig, TlsFiles};
pub use entry::ServedEntry;
pub use error::{ConfigError, ServeError, SetError};
pub use ipo_model::Secret;
pub use server::{DirectoryService, RunningService};
pub use set::{EntrySet, EntrySetHandle, FILE_NAME, MAX_RECORDS};
pub use watch::watch_file;

/// The search path without sockets, for the criterion benches; only with the `test-support`
/// feature, not part of the supported API.
#[cfg(feature = "test-support")]
#[doc(hidden)]
pub mod bench_support;
