//! The two secrets, from a file named in the configuration (systemd `LoadCredential`,
//! a Kubernetes secret volume) or from the environment. Never from arguments, so they stay
//! out of `ps` and shell history. Every missing one is named at once.

use std::path::Path;

use crate::error::CliError;
use crate::file_config::ProgramConfig;

/// The environment variable holding the app registration's client secret.
pub const CLIENT_SECRET_ENV: &str = "IPO_TEAMS_CLIENT_SECRET";
/// The environment variable holding the IP Office service user's password.
pub const IPO_PASSWORD_ENV: &str = "IPO_TEAMS_IPO_PASSWORD";

/// Both secrets, read.
pub struct Secrets {
    /// The client secret.
    pub client_secret: graph_client::Secret,
    /// The IP Office password.
    pub ipo_password: ipo_client::Secret,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets { .. }")
    }
}

/// Reads both secrets; when any is missing, the error names every missing one.
pub fn read(config: &ProgramConfig) -> Result<Secrets, CliError> {
    let mut missing = Vec::new();
    let client_secret = one(
        config.graph.client_secret_file.as_deref(),
        CLIENT_SECRET_ENV,
        "graph.client_secret_file",
        "the app registration's client secret",
        &mut missing,
    );
    let ipo_password = one(
        config.ipo.password_file.as_deref(),
        IPO_PASSWORD_ENV,
        "ipo.password_file",
        "the IP Office service user's password",
        &mut missing,
    );
    match (client_secret, ipo_password) {
        (Some(c), Some(p)) if missing.is_empty() => Ok(Secrets {
            client_secret: graph_client::Secret::new(c),
            ipo_password: ipo_client::Secret::new(p),
        }),
        _ => Err(CliError::MissingSecrets(missing)),
    }
}

/// One secret: the file when the configuration names one, else the variable.
fn one(
    file: Option<&Path>,
    var: &str,
    key: &str,
    what: &str,
    missing: &mut Vec<String>,
) -> Option<String> {
    if let Some(path) = file {
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
            missing.push(format!("set {var} in the environment ({what}) or {key}"));
            None
        }
    }
}
