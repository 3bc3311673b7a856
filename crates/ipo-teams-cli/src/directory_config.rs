//! `[directory_service]`: the read-only LDAP service IP Office imports Teams-only people
//! from (`ipo-teams serve-directory`, and inside `run --every`). Its password, like the
//! other secrets, never comes from an argument: the configured file, the systemd credential
//! `ldap-password`, or `IPO_TEAMS_LDAP_PASSWORD`.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use ipo_teams_ldap::{BindUser, ConfigError, DirectoryConfig, Secret, TlsFiles};
use serde::Deserialize;

use crate::error::CliError;

/// The environment variable holding the directory service's bind password.
pub const LDAP_PASSWORD_ENV: &str = "IPO_TEAMS_LDAP_PASSWORD";
/// The systemd credential name of the directory service's bind password.
pub const LDAP_PASSWORD_CREDENTIAL: &str = "ldap-password";
/// The directory entries' CSV when `[directory_service]` is set and `ipo.directory_csv` is
/// not: the sync keeps its entries there, beside the state.
pub const DEFAULT_DIRECTORY_CSV: &str = "ipo-teams-directory.csv";

/// `[directory_service]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DirectoryServiceSection {
    /// Where to listen, e.g. `0.0.0.0:389` (LDAP) or `0.0.0.0:636` (LDAPS).
    pub listen: SocketAddr,
    /// The DN the entries live under, e.g. `ou=teams,dc=example,dc=com`.
    pub base_dn: String,
    /// The name IP Office binds with: a DN or a plain user name.
    #[serde(default)]
    pub bind_user: Option<String>,
    /// A file holding the bind password (its trailing line break ignored). Without it: the
    /// systemd credential `ldap-password`, else `IPO_TEAMS_LDAP_PASSWORD`.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// Let clients search without binding.
    #[serde(default)]
    pub allow_anonymous: bool,
    /// Entries per search or per page (default 10,000, as IP Office's directory).
    #[serde(default)]
    pub size_limit: Option<usize>,
    /// Seconds a connection may stay idle (default 60).
    #[serde(default)]
    pub idle_timeout_seconds: Option<u64>,
    /// Seconds a request may take to arrive whole, from its first byte (default 10).
    #[serde(default)]
    pub request_timeout_seconds: Option<u64>,
    /// Connections served at once from addresses other than IP Office's (default 64).
    #[serde(default)]
    pub max_connections: Option<usize>,
    /// Connections served at once from any one address (default 8).
    #[serde(default)]
    pub max_connections_per_address: Option<usize>,
    /// IP Office's addresses: their connections never wait behind other clients'.
    #[serde(default)]
    pub ip_office_addresses: Vec<IpAddr>,
    /// PEM certificate chain, leaf first: LDAPS when set (with `tls_private_key`).
    #[serde(default)]
    pub tls_certificate_chain: Option<PathBuf>,
    /// PEM private key of that certificate.
    #[serde(default)]
    pub tls_private_key: Option<PathBuf>,
    /// Whether `run --every` serves the directory in the same process (default true).
    /// Turn it off when `serve-directory` runs as its own service.
    #[serde(default = "yes")]
    pub serve_in_run: bool,
}

fn yes() -> bool {
    true
}

impl DirectoryServiceSection {
    /// The service's settings, with `password` for the bind user.
    pub fn service_config(&self, password: Option<Secret>) -> DirectoryConfig {
        let mut c = DirectoryConfig::new(self.listen, self.base_dn.clone())
            .with_anonymous(self.allow_anonymous);
        if let Some(user) = &self.bind_user {
            c = c.with_bind_user(BindUser::new(
                user.clone(),
                password.unwrap_or_else(|| Secret::new("")),
            ));
        }
        if let Some(n) = self.size_limit {
            c.size_limit = n;
        }
        if let Some(s) = self.idle_timeout_seconds {
            c.idle_timeout = Duration::from_secs(s);
        }
        if let Some(s) = self.request_timeout_seconds {
            c.request_timeout = Duration::from_secs(s);
        }
        if let Some(n) = self.max_connections {
            c.max_connections = n;
        }
        if let Some(n) = self.max_connections_per_address {
            c.max_connections_per_address = n;
        }
        c.ip_office_addresses = self.ip_office_addresses.clone();
        if let (Some(chain), Some(key)) = (&self.tls_certificate_chain, &self.tls_private_key) {
            c = c.with_tls(TlsFiles::new(chain, key));
        }
        c
    }

    /// Checks what needs no network and no secret; the error names the key.
    pub fn validate(&self, path: &Path) -> Result<(), CliError> {
        let invalid = |field: &str, message: String| CliError::ConfigInvalid {
            path: path.to_owned(),
            field: format!("directory_service.{field}"),
            message,
        };
        if self.tls_certificate_chain.is_some() != self.tls_private_key.is_some() {
            return Err(invalid(
                "tls_certificate_chain",
                "set both tls_certificate_chain and tls_private_key for LDAPS, or neither".into(),
            ));
        }
        self.service_config(None).validate().map_err(|e| match &e {
            ConfigError::BaseDn(_) => invalid("base_dn", e.to_string()),
            ConfigError::BindDn(_) | ConfigError::NoAccess => invalid("bind_user", e.to_string()),
            ConfigError::Zero { field } => {
                let key = match *field {
                    "idle_timeout" => "idle_timeout_seconds",
                    "request_timeout" => "request_timeout_seconds",
                    f => f,
                };
                invalid(key, e.to_string())
            }
            _ => invalid("listen", e.to_string()),
        })
    }

    /// Resolves relative paths against the configuration file's folder.
    pub(crate) fn resolve(&mut self, folder: &Path) {
        for p in [
            self.password_file.as_mut(),
            self.tls_certificate_chain.as_mut(),
            self.tls_private_key.as_mut(),
        ]
        .into_iter()
        .flatten()
        {
            if p.is_relative() {
                *p = folder.join(&*p);
            }
        }
    }

    /// The bind password when a bind user is configured, looked for as the program's other
    /// secrets are (`secrets::one`): the configured file, else the systemd credential, else
    /// the environment. The error names every place looked in.
    pub fn password(&self) -> Result<Option<Secret>, CliError> {
        if self.bind_user.is_none() {
            return Ok(None);
        }
        let mut missing = Vec::new();
        match crate::secrets::one(
            self.password_file.as_deref(),
            LDAP_PASSWORD_CREDENTIAL,
            LDAP_PASSWORD_ENV,
            "directory_service.password_file",
            "the directory service's bind password",
            &mut missing,
        ) {
            Some(p) => Ok(Some(Secret::new(p))),
            None => Err(CliError::MissingSecrets(missing)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(text: &str) -> DirectoryServiceSection {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn defaults_are_those_of_the_service() {
        let s = section(
            "listen = \"127.0.0.1:3389\"\nbase_dn = \"ou=teams,dc=example,dc=com\"\nbind_user = \"ipoffice\"\n",
        );
        assert!(s.serve_in_run && !s.allow_anonymous);
        let c = s.service_config(Some(Secret::new("pw")));
        assert_eq!(c.size_limit, 10_000);
        assert_eq!(c.idle_timeout, Duration::from_secs(60));
        assert!(c.tls.is_none());
        assert!(s.validate(Path::new("x.toml")).is_ok());
    }

    #[test]
    fn slow_client_limits_and_ip_office_addresses_reach_the_service() {
        let s = section(
            "listen = \"0.0.0.0:389\"\nbase_dn = \"ou=teams\"\nallow_anonymous = true\nrequest_timeout_seconds = 5\nmax_connections_per_address = 2\nip_office_addresses = [\"192.0.2.10\", \"2001:db8::10\"]\n",
        );
        let c = s.service_config(None);
        assert_eq!(c.request_timeout, Duration::from_secs(5));
        assert_eq!(c.max_connections_per_address, 2);
        assert_eq!(c.ip_office_addresses.len(), 2);
        let e = section(
            "listen = \"0.0.0.0:389\"\nbase_dn = \"ou=teams\"\nallow_anonymous = true\nrequest_timeout_seconds = 0\n",
        )
        .validate(Path::new("x.toml"))
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("directory_service.request_timeout_seconds"),
            "{e}"
        );
    }

    #[test]
    fn mistakes_name_their_key() {
        let cases = [
            (
                "base_dn = \"not a dn\"\nbind_user = \"ipoffice\"",
                "directory_service.base_dn",
            ),
            ("base_dn = \"ou=teams\"", "directory_service.bind_user"),
            (
                "base_dn = \"ou=teams\"\nallow_anonymous = true\nsize_limit = 0",
                "directory_service.size_limit",
            ),
            (
                "base_dn = \"ou=teams\"\nallow_anonymous = true\nidle_timeout_seconds = 0",
                "directory_service.idle_timeout_seconds",
            ),
            (
                "base_dn = \"ou=teams\"\nallow_anonymous = true\ntls_private_key = \"k.pem\"",
                "directory_service.tls_certificate_chain",
            ),
        ];
        for (body, key) in cases {
            let s = section(&format!("listen = \"127.0.0.1:3389\"\n{body}\n"));
            let e = s.validate(Path::new("x.toml")).unwrap_err().to_string();
            assert!(e.contains(key), "{body}: {e}");
        }
    }
}
