//! What the service listens on and whom it lets in.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::dn::NormDn;
use crate::error::ConfigError;
use ipo_model::Secret;

/// The largest search result IP Office imports: its external directory holds 10,000 records.
pub const DEFAULT_SIZE_LIMIT: usize = 10_000;

/// The user IP Office binds as.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BindUser {
    /// The name to bind with: a DN (`cn=ipoffice,ou=teams,dc=example,dc=com`), compared as
    /// LDAP compares names, or a plain user name (`ipoffice`), compared ignoring case.
    pub dn: String,
    /// Its password.
    pub password: Secret,
}

impl BindUser {
    /// A bind user.
    pub fn new(dn: impl Into<String>, password: Secret) -> Self {
        Self {
            dn: dn.into(),
            password,
        }
    }
}

/// PEM files for LDAPS.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TlsFiles {
    /// The certificate chain, leaf first.
    pub certificate_chain: PathBuf,
    /// The private key (PKCS#8, PKCS#1 or SEC1).
    pub private_key: PathBuf,
}

impl TlsFiles {
    /// Certificate chain and key files.
    pub fn new(certificate_chain: impl Into<PathBuf>, private_key: impl Into<PathBuf>) -> Self {
        Self {
            certificate_chain: certificate_chain.into(),
            private_key: private_key.into(),
        }
    }
}

/// The directory service's settings.
///
/// ```
/// use ipo_teams_ldap::{Secret, BindUser, DirectoryConfig};
/// let cfg = DirectoryConfig::new("127.0.0.1:3389".parse()?, "ou=teams,dc=example,dc=com")
///     .with_bind_user(BindUser::new("cn=ipoffice,dc=example,dc=com", Secret::new("pw")));
/// assert_eq!(cfg.size_limit, 10_000);
/// assert!(cfg.validate().is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DirectoryConfig {
    /// Where to listen (LDAP's port is 389, LDAPS 636; an unprivileged port works as well,
    /// IP Office lets you set the port).
    pub listen: SocketAddr,
    /// The DN entries live under: each is `cn=<name>,<base_dn>`.
    pub base_dn: String,
    /// The user IP Office binds as; `None` leaves only anonymous access.
    pub bind_user: Option<BindUser>,
    /// Whether a client may search without binding (or with an anonymous bind).
    pub allow_anonymous: bool,
    /// The most entries one search (or one page of a paged search) returns.
    pub size_limit: usize,
    /// A connection idle this long (no request, or a response it does not read) is closed.
    pub idle_timeout: Duration,
    /// The longest a request may take to arrive whole, from its first byte to its last (and
    /// an LDAPS handshake from the connection's start): a client that trickles a request a
    /// byte at a time is closed when this runs out, however often it sends.
    pub request_timeout: Duration,
    /// Connections served at once from addresses not in `ip_office_addresses`; one more is
    /// told "busy" and closed.
    pub max_connections: usize,
    /// Connections served at once from any one client address (IP Office's included).
    pub max_connections_per_address: usize,
    /// IP Office's addresses (each system or Collaboration service that imports the
    /// directory): their connections never count against `max_connections`, so a flood from
    /// elsewhere cannot keep IP Office from its directory.
    pub ip_office_addresses: Vec<IpAddr>,
    /// The largest LDAP message accepted, in bytes; one announcing a larger length closes its
    /// connection as soon as that length is read.
    pub max_message_bytes: usize,
    /// LDAPS when set: every connection starts with a TLS handshake.
    pub tls: Option<TlsFiles>,
}

impl DirectoryConfig {
    /// Settings with the defaults: no bind user, anonymous refused, size limit 10,000,
    /// idle timeout 60 s, request timeout 10 s, 64 connections (8 per client address, no
    /// IP Office address named), messages up to 32 KiB, plain LDAP.
    pub fn new(listen: SocketAddr, base_dn: impl Into<String>) -> Self {
        Self {
            listen,
            base_dn: base_dn.into(),
            bind_user: None,
            allow_anonymous: false,
            size_limit: DEFAULT_SIZE_LIMIT,
            idle_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(10),
            max_connections: 64,
            max_connections_per_address: 8,
            ip_office_addresses: Vec::new(),
            max_message_bytes: 32 * 1024,
            tls: None,
        }
    }

    /// The same settings with a bind user.
    pub fn with_bind_user(mut self, user: BindUser) -> Self {
        self.bind_user = Some(user);
        self
    }

    /// The same settings with anonymous access allowed or not.
    pub fn with_anonymous(mut self, allow: bool) -> Self {
        self.allow_anonymous = allow;
        self
    }

    /// The same settings serving LDAPS.
    pub fn with_tls(mut self, tls: TlsFiles) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Checks the settings can be served.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match NormDn::parse(&self.base_dn) {
            Some(dn) if !dn.is_root() => {}
            _ => return Err(ConfigError::BaseDn(self.base_dn.clone())),
        }
        if let Some(u) = &self.bind_user
            && u.dn.trim().is_empty()
        {
            return Err(ConfigError::BindDn(u.dn.clone()));
        }
        if self.bind_user.is_none() && !self.allow_anonymous {
            return Err(ConfigError::NoAccess);
        }
        for (field, v) in [
            ("size_limit", self.size_limit),
            ("max_connections", self.max_connections),
            (
                "max_connections_per_address",
                self.max_connections_per_address,
            ),
            ("max_message_bytes", self.max_message_bytes),
        ] {
            if v == 0 {
                return Err(ConfigError::Zero { field });
            }
        }
        for (field, d) in [
            ("idle_timeout", self.idle_timeout),
            ("request_timeout", self.request_timeout),
        ] {
            if d.is_zero() {
                return Err(ConfigError::Zero { field });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_the_field() {
        let base = DirectoryConfig::new("127.0.0.1:0".parse().unwrap(), "ou=teams");
        assert!(matches!(base.validate(), Err(ConfigError::NoAccess)));
        let ok = base.clone().with_anonymous(true);
        assert!(ok.validate().is_ok());
        let mut bad = ok.clone();
        bad.base_dn = "not a dn".into();
        assert!(matches!(bad.validate(), Err(ConfigError::BaseDn(_))));
        let mut zero = ok.clone();
        zero.size_limit = 0;
        assert_eq!(
            zero.validate().unwrap_err().to_string(),
            "size_limit must be at least 1"
        );
        let user = BindUser::new("cn=x", Secret::new("hunter2"));
        let dbg = format!("{:?}", ok.with_bind_user(user));
        assert!(!dbg.contains("hunter2"), "{dbg}");
    }
}
