//! The two secrets, never from arguments (they would show in `ps` and shell history). Each
//! is looked for, in this order:
//! 1. the file the configuration names (`graph.client_secret_file`, `ipo.password_file`),
//!    e.g. a Kubernetes secret volume;
//! 2. systemd credentials: `$CREDENTIALS_DIRECTORY/client-secret` and
//!    `$CREDENTIALS_DIRECTORY/ipo-password` (`LoadCredential=client-secret:...`);
//! 3. the environment: `IPO_TEAMS_CLIENT_SECRET`, `IPO_TEAMS_IPO_PASSWORD`.
//!
//! Every missing one is named at once.

use std::path::Path;

use crate::error::CliError;

/// The environment variable holding the app registration's client secret.
pub const CLIENT_SECRET_ENV: &str = "IPO_TEAMS_CLIENT_SECRET";
/// The environment variable holding the IP Office service user's password.
pub const IPO_PASSWORD_ENV: &str = "IPO_TEAMS_IPO_PASSWORD";
/// The systemd credential name of the client secret.
pub const CLIENT_SECRET_CREDENTIAL: &str = "client-secret";
/// The systemd credential name of the IP Office password.
pub const IPO_PASSWORD_CREDENTIAL: &str = "ipo-password";

/// Both secrets, read.
pub struct Secrets {
    /// The client secret.
    pub client_secret: ipo_model::Secret,
    /// The IP Office password.
    pub ipo_password: ipo_model::Secret,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets { .. }")
    }
}

/// Reads both secrets, each from its configured file if any (`graph.client_secret_file`,
/// `ipo.password_file`); when any is missing, the error names every missing one.
pub fn read(
    client_secret_file: Option<&Path>,
    ipo_password_file: Option<&Path>,
) -> Result<Secrets, CliError> {
    let mut missing = Vec::new();
    let client_secret = one(
        client_secret_file,
        CLIENT_SECRET_CREDENTIAL,
        CLIENT_SECRET_ENV,
        "graph.client_secret_file",
        "the app registration's client secret",
        &mut missing,
    );
    let ipo_password = one(
        ipo_password_file,
        IPO_PASSWORD_CREDENTIAL,
        IPO_PASSWORD_ENV,
        "ipo.password_file",
        "the IP Office service user's password",
        &mut missing,
    );
    match (client_secret, ipo_password) {
        (Some(c), Some(p)) if missing.is_empty() => Ok(Secrets {
            client_secret: ipo_model::Secret::new(c),
            ipo_password: ipo_model::Secret::new(p),
        }),
        _ => Err(CliError::MissingSecrets(missing)),
    }
}

/// One secret: the configured file, else the systemd credential, else the variable. What
/// is missing (or unreadable) goes to `missing`, naming `key` and every place looked in.
pub(crate) fn one(
    file: Option<&Path>,
    credential: &str,
    var: &str,
    key: &str,
    what: &str,
    missing: &mut Vec<String>,
) -> Option<String> {
    let from_systemd = std::env::var_os("CREDENTIALS_DIRECTORY")
        .map(|dir| Path::new(&dir).join(credential))
        .filter(|p| p.is_file());
    if let Some(path) = file.map(Path::to_path_buf).or(from_systemd) {
        let path = path.as_path();
        // The file's content is never quoted: only its path and the I/O error.
        return match std::fs::read_to_string(path) {
            Ok(s) if !s.trim().is_empty() => Some(s.trim_end_matches(['\r', '\n']).to_owned()),
            Ok(_) => {
                missing.push(format!("{key} {} is empty ({what})", path.display()));
                None
            }
            Err(e) => {
                missing.push(format!(
                    "{key} {} cannot be read: {e} ({what})",
                    path.display()
                ));
                None
            }
        };
    }
    match std::env::var(var) {
        Ok(s) if !s.is_empty() => Some(s),
        _ => {
            missing.push(format!(
                "{what} not found: set {key}, the systemd credential {credential} \
                 (LoadCredential={credential}:FILE in the unit), or {var} in the environment"
            ));
            None
        }
    }
}
