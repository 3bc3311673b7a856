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
//!   every write refused with `unwillingToPerform`.
//!
//! What it serves: `docs/directory.md`; how to point IP Office at it: `docs/deployment.md`.
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

mod config;
mod entry;
mod error;
mod filter;
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

#[doc(hidden)]
pub mod bench_support {
    //! Entry points for the criterion benches: the search path without sockets.
    use ldap3_proto::parse_ldap_filter_str;
    use ldap3_proto::proto::LdapSearchScope;

    use crate::dn::NormDn;
    use crate::filter::Compiled;
    use crate::search::{Selection, Tree};
    use crate::set::EntrySet;

    /// Finds and renders a subtree search of `filter` under `base_dn`; returns the number
    /// of entries written.
    pub fn search_subtree(set: &EntrySet, base_dn: &str, filter: &str) -> usize {
        let Some(base) = NormDn::parse(base_dn) else {
            return 0;
        };
        let Ok(f) = parse_ldap_filter_str(filter) else {
            return 0;
        };
        let Ok(c) = Compiled::compile(&f) else {
            return 0;
        };
        let tree = Tree {
            base_dn,
            base: &base,
            set,
        };
        let sel = Selection::new(&[]);
        match tree.find(base_dn, &LdapSearchScope::Subtree, &c) {
            Ok(hits) => hits
                .iter()
                .map(|h| tree.render(*h, &sel, false))
                .filter(|e| !e.dn.is_empty())
                .count(),
            Err(_) => 0,
        }
    }
}
