//! The configuration file, parsed in one pass into one typed structure, so that every error
//! carries the line and column where it is and, for an unknown key, the keys valid there.
//!
//! Relative paths in it (`state_file`, `ipo.ca_pem`, `ipo.directory_csv`, the secret files)
//! are resolved against the configuration file's folder, never the current directory: a
//! scheduled run started from `$HOME` finds the same state as one started beside the file.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sync_engine::{ConfigError, SyncConfig};
use url::Url;

use crate::directory_config::{DEFAULT_DIRECTORY_CSV, DirectoryServiceSection};
use crate::error::CliError;
use crate::key_position;

/// The state file's name when `state_file` is not set.
pub const DEFAULT_STATE_FILE: &str = "ipo-teams-state.json";

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ProgramConfig {
    /// Where the sync keeps what it owns (relative: beside the configuration file).
    #[serde(default = "default_state_file")]
    pub state_file: PathBuf,
    /// Microsoft Graph (Azure AD / Entra ID).
    pub graph: GraphSection,
    /// IP Office Management API.
    pub ipo: IpoSection,
    /// The sync's rules and settings (sync-engine's `SyncConfig`).
    pub sync: SyncConfig,
    /// The LDAP directory service IP Office imports Teams-only people from (optional).
    #[serde(default)]
    pub directory_service: Option<DirectoryServiceSection>,
}

fn default_state_file() -> PathBuf {
    PathBuf::from(DEFAULT_STATE_FILE)
}

/// `[graph]`: the app registration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct GraphSection {
    /// Tenant id (GUID) or a verified domain.
    pub tenant: String,
    /// The app registration's application (client) id.
    pub client_id: String,
    /// Sign-in base; each base may be set alone (national clouds, test servers).
    #[serde(default)]
    pub login_base: Option<HttpUrl>,
    /// Graph base, with the version.
    #[serde(default)]
    pub graph_base: Option<HttpUrl>,
    /// A file holding the client secret (systemd credential, Kubernetes secret volume).
    /// Without it the secret comes from `IPO_TEAMS_CLIENT_SECRET`.
    #[serde(default)]
    pub client_secret_file: Option<PathBuf>,
    /// Seconds to wait for a connection to Graph or the sign-in service (default 5).
    #[serde(default)]
    pub connect_timeout_seconds: Option<u64>,
    /// Seconds one request to Graph may take, retries and throttling waits included
    /// (default 60).
    #[serde(default)]
    pub request_timeout_seconds: Option<u64>,
}

/// An `http://` or `https://` URL with a host, checked while the file is parsed (so a
/// mistake is reported at its line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl(Url);

impl HttpUrl {
    /// The URL.
    pub fn url(&self) -> &Url {
        &self.0
    }
}

impl<'de> Deserialize<'de> for HttpUrl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let text = String::deserialize(d)?;
        let url = Url::parse(&text)
            .map_err(|e| D::Error::custom(format!("{text:?} is not a URL: {e}")))?;
        if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
            return Err(D::Error::custom(format!(
                "{text:?}: write the whole URL, starting with https://"
            )));
        }
        Ok(HttpUrl(url))
    }
}

/// The IP Office wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WireFormatName {
    /// XML, the documented default.
    #[default]
    Xml,
    /// JSON.
    Json,
}

/// `[ipo]`: the IP Office Management API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct IpoSection {
    /// `https://host:7070` of the primary (Server Edition / Select) or the IP500 V2.
    pub base_url: HttpUrl,
    /// The service user (rights group "Management API Group").
    pub username: String,
    /// Body format.
    #[serde(default)]
    pub format: WireFormatName,
    /// A PEM file of the certificate authority IP Office's certificate is issued by.
    #[serde(default)]
    pub ca_pem: Option<PathBuf>,
    /// Where system directory entries for MS Teams only users are written (a CSV file for
    /// IP Office's directory import).
    #[serde(default)]
    pub directory_csv: Option<PathBuf>,
    /// Turns certificate checks off. Named loudly on purpose; never the default.
    #[serde(default)]
    pub insecure_accept_any_certificate: bool,
    /// A file holding the service user's password. Without it the password comes from
    /// `IPO_TEAMS_IPO_PASSWORD`.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// How the system is licensed. IP Office's answer does not say (Avaya documents no
    /// meaning for `PBXLicense/LicenseMode`); without it no profile is written.
    #[serde(default)]
    pub licensing_mode: Option<LicensingModeName>,
    /// The platform (capacity limits); the Management API does not name it.
    #[serde(default)]
    pub platform: Option<PlatformName>,
    /// Seconds to wait for a connection to IP Office (default 5).
    #[serde(default)]
    pub connect_timeout_seconds: Option<u64>,
    /// Seconds one request to IP Office may take, retries included (default 30).
    #[serde(default)]
    pub request_timeout_seconds: Option<u64>,
}

/// `[ipo] licensing_mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LicensingModeName {
    /// Perpetual licences (PLDS).
    Plds,
    /// Subscription.
    Subscription,
}

/// `[ipo] platform`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PlatformName {
    /// IP500 V2 (384 users).
    #[serde(rename = "ip500v2")]
    Ip500V2,
    /// Server Edition.
    ServerEdition,
    /// Select.
    Select,
}

/// A configuration file read and checked, with its relative paths resolved.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The file it came from.
    pub path: PathBuf,
    /// Its content, paths resolved.
    pub config: ProgramConfig,
    /// Its text, as read: for the place of a key a later check finds wrong.
    pub text: String,
}

impl ProgramConfig {
    /// Parses `text` (from `path`, for messages) and checks everything that needs no
    /// network: the sync rules, duplicate groups, conflicting equal priorities.
    pub fn parse(path: &Path, text: &str) -> Result<Self, CliError> {
        let config: ProgramConfig =
            toml::from_str(text).map_err(|e| match missing_section(&e) {
                // The parser places a missing table at the first line of the whole file or
                // of a sibling table: neither is where anything is wrong.
                Some(section) => CliError::ConfigSectionMissing {
                    path: path.to_owned(),
                    section,
                },
                None => CliError::ConfigParse {
                    path: path.to_owned(),
                    message: e.to_string().trim_end().to_owned(),
                },
            })?;
        let invalid = |e: ConfigError| match e {
            ConfigError::Invalid { field, message } => CliError::ConfigInvalid {
                path: path.to_owned(),
                field: format!("sync.{field}"),
                message,
            },
            ConfigError::InvalidRule {
                index,
                rule,
                key,
                message,
            } => {
                let at = key_position::rule_key(text, index, &key);
                CliError::ConfigRuleInvalid {
                    path: path.to_owned(),
                    field: format!("sync.rules[{index}].{}", at.as_ref().map_or(&key, |a| &a.0)),
                    at: at.map(|a| a.1),
                    rule,
                    message,
                }
            }
            other => CliError::ConfigParse {
                path: path.to_owned(),
                message: other.to_string(),
            },
        };
        config.sync.validate(None).map_err(invalid)?;
        config.sync.validate_rules().map_err(invalid)?;
        if config.ipo.insecure_accept_any_certificate && config.ipo.ca_pem.is_some() {
            return Err(CliError::ConfigInvalid {
                path: path.to_owned(),
                field: "ipo.insecure_accept_any_certificate".into(),
                message: "set either ca_pem or insecure_accept_any_certificate, not both".into(),
            });
        }
        if let Some(d) = &config.directory_service {
            d.validate(path)?;
        }
        Ok(config)
    }

    /// Reads, parses and checks the file, and resolves its relative paths against its folder.
    pub fn load(path: &Path) -> Result<Loaded, CliError> {
        let text = std::fs::read_to_string(path).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => CliError::ConfigMissing {
                path: path.to_owned(),
            },
            _ => CliError::ConfigRead {
                path: path.to_owned(),
                source,
            },
        })?;
        let mut config = Self::parse(path, &text)?;
        let folder = config_folder(path).map_err(|source| CliError::ConfigRead {
            path: path.to_owned(),
            source,
        })?;
        let resolve = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = folder.join(&*p);
            }
        };
        resolve(&mut config.state_file);
        for p in [
            config.ipo.ca_pem.as_mut(),
            config.ipo.directory_csv.as_mut(),
            config.ipo.password_file.as_mut(),
            config.graph.client_secret_file.as_mut(),
        ]
        .into_iter()
        .flatten()
        {
            resolve(p);
        }
        if let Some(d) = config.directory_service.as_mut() {
            d.resolve(&folder);
            // The served set is built from the entries the sync keeps; without a CSV of
            // the administrator's choosing they are kept beside the state.
            if config.ipo.directory_csv.is_none() {
                let beside = config.state_file.parent().unwrap_or(&folder);
                config.ipo.directory_csv = Some(beside.join(DEFAULT_DIRECTORY_CSV));
            }
        }
        Ok(Loaded {
            path: path.to_owned(),
            config,
            text,
        })
    }
}

/// The section a "missing field" error is about, when it is one every file needs.
fn missing_section(e: &toml::de::Error) -> Option<&'static str> {
    match e.message().strip_prefix("missing field ")? {
        "`graph`" => Some("the [graph] section"),
        "`ipo`" => Some("the [ipo] section"),
        "`sync`" => Some("the [sync] section with its [[sync.rules]]"),
        "`rules`" => Some("[[sync.rules]] (one rule per Azure AD group)"),
        _ => None,
    }
}

/// The absolute folder of the configuration file.
fn config_folder(path: &Path) -> std::io::Result<PathBuf> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::canonicalize(parent)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
state_file = "state.json"

[graph]
tenant = "contoso.onmicrosoft.com"
client_id = "00000000-0000-0000-0000-000000000000"

[ipo]
base_url = "https://ipo.example:7070"
username = "sync"

[[sync.rules]]
group = "0a000000-0000-4000-8000-000000000001"
user_type = "ip_office_only"
"#;

    fn parse(text: &str) -> Result<ProgramConfig, CliError> {
        ProgramConfig::parse(Path::new("sync.toml"), text)
    }

    #[test]
    fn a_minimal_file_parses_with_defaults() {
        let c = parse(GOOD).unwrap();
        assert_eq!(c.ipo.format, WireFormatName::Xml);
        assert!(c.graph.login_base.is_none() && c.graph.graph_base.is_none());
        assert_eq!(c.sync.rules.len(), 1);
    }

    #[test]
    fn a_typo_inside_sync_is_reported_at_its_own_line_with_the_valid_keys() {
        let text = GOOD.replace("user_type = ", "priorty = 3\nuser_type = ");
        let line = text.lines().position(|l| l.starts_with("priorty")).unwrap() + 1;
        let e = parse(&text).unwrap_err().to_string();
        assert!(e.contains(&format!("line {line}")), "{e}");
        assert!(e.contains("priorty") && e.contains("priority"), "{e}");
    }

    #[test]
    fn each_base_may_be_set_alone() {
        let text = GOOD.replace(
            "client_id = ",
            "graph_base = \"https://graph.microsoft.us/v1.0\"\nclient_id = ",
        );
        let c = parse(&text).unwrap();
        assert!(c.graph.login_base.is_none());
        assert_eq!(
            c.graph.graph_base.unwrap().url().as_str(),
            "https://graph.microsoft.us/v1.0"
        );
    }

    #[test]
    fn a_bad_url_is_reported_with_its_line() {
        for bad in ["not a url", "ipo.example:7070", "ftp://ipo.example"] {
            let text = GOOD.replace("https://ipo.example:7070", bad);
            let line = text.lines().position(|l| l.contains(bad)).unwrap() + 1;
            let e = parse(&text).unwrap_err().to_string();
            assert!(e.contains(&format!("line {line}")), "{e}");
        }
    }

    #[test]
    fn unknown_wire_format_lists_the_valid_ones() {
        let text = GOOD.replace(
            "username = \"sync\"",
            "username = \"sync\"\nformat = \"soap\"",
        );
        let e = parse(&text).unwrap_err().to_string();
        assert!(e.contains("xml") && e.contains("json"), "{e}");
    }

    #[test]
    fn a_duplicate_group_is_refused() {
        let text = format!(
            "{GOOD}\n[[sync.rules]]\ngroup = \"0a000000-0000-4000-8000-000000000001\"\nuser_type = \"teams_only\"\n"
        );
        let e = parse(&text).unwrap_err().to_string();
        assert!(e.contains("sync.rules[1].group"), "{e}");
    }

    #[test]
    fn equal_priorities_wanting_different_types_are_refused() {
        let text = format!(
            "{GOOD}\n[[sync.rules]]\ngroup = \"0a000000-0000-4000-8000-000000000002\"\nuser_type = \"teams_only\"\n"
        );
        let e = parse(&text).unwrap_err().to_string();
        assert!(e.contains("sync.rules[1].priority"), "{e}");
    }

    #[test]
    fn relative_paths_are_resolved_beside_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sync.toml");
        std::fs::write(&file, GOOD).unwrap();
        let loaded = ProgramConfig::load(&file).unwrap();
        assert_eq!(
            loaded.config.state_file,
            std::fs::canonicalize(dir.path())
                .unwrap()
                .join("state.json")
        );
    }

    /// GOOD with a Teams-only rule after its rule, and `teams` as that rule's Teams table.
    fn with_teams_rule(teams: &str) -> String {
        format!(
            "{GOOD}\n[[sync.rules]]\ngroup = \"0a000000-0000-4000-8000-000000000003\"\n\
             name = \"Teams only\"\nuser_type = \"teams_only\"\npriority = 5\n{teams}"
        )
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).unwrap() + 1
    }

    #[test]
    fn a_sync_rules_teams_table_is_the_rules_teams_half() {
        let text = with_teams_rule(
            "\n[sync.rules.teams]\nprovisioning = \"graph\"\n\
             number = { template = \"+441632768{extension}\", with_extension = false }\n\
             voice_routing_policy = \"UK\"\ndial_plan = \"UK-Dial\"\nadopt = true\n",
        );
        let teams = &parse(&text).unwrap().sync.rules[1].teams;
        assert_eq!(teams.provisioning, usertype_rules::TeamsProvisioning::Graph);
        assert!(matches!(
            &teams.number,
            Some(usertype_rules::TeamsNumberRule::Template { template, with_extension: false })
                if template.to_string() == "+441632768{extension}"
        ));
        assert_eq!(teams.voice_routing_policy.as_deref(), Some("UK"));
        assert_eq!(teams.dial_plan.as_deref(), Some("UK-Dial"));
        assert!(teams.adopt);
    }

    #[test]
    fn the_older_rule_level_policy_is_the_teams_one_by_script() {
        let c = parse(&with_teams_rule("voice_routing_policy = \"UK\"\n")).unwrap();
        let rule = &c.sync.rules[1];
        assert_eq!(rule.teams.voice_routing_policy.as_deref(), Some("UK"));
        assert_eq!(
            rule.teams.provisioning,
            usertype_rules::TeamsProvisioning::Script
        );
    }

    #[test]
    fn the_policy_in_both_places_is_refused_at_the_rule_naming_it() {
        let text = with_teams_rule(
            "voice_routing_policy = \"Old\"\n\n[sync.rules.teams]\nvoice_routing_policy = \"New\"\n",
        );
        let e = parse(&text).unwrap_err().to_string();
        assert!(
            e.contains("\"Teams only\"") && e.contains("voice_routing_policy"),
            "{e}"
        );
        assert!(e.contains("line "), "{e}");
    }

    #[test]
    fn a_bad_number_template_and_provisioning_are_reported_at_their_line() {
        for (bad, says) in [
            (
                "number = { template = \"441632768{extension}\" }",
                "must start with +",
            ),
            ("number = { template = \"+44163276800\" }", "{extension}"),
            (
                "number = { template = \"+441632768000000{extension}\" }",
                "more than 15 digits",
            ),
            ("provisioning = \"powershell\"", "graph"),
        ] {
            let text = with_teams_rule(&format!("\n[sync.rules.teams]\n{bad}\n"));
            let line = line_of(&text, bad);
            let e = parse(&text).unwrap_err().to_string();
            assert!(e.contains(&format!("line {line}")), "{bad}: {e}");
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn a_teams_half_on_an_ip_office_only_rule_is_refused_at_its_key() {
        let text = GOOD.replace(
            "user_type = \"ip_office_only\"\n",
            "user_type = \"ip_office_only\"\n\n[sync.rules.teams]\n\
             voice_routing_policy = \"UK\"\nprovisioning = \"graph\"\n",
        );
        let line = line_of(&text, "provisioning = ");
        let e = parse(&text).unwrap_err();
        assert!(
            matches!(&e, CliError::ConfigRuleInvalid { field, at: Some(at), .. }
                if field == "sync.rules[0].teams.provisioning" && at.line == line),
            "{e}"
        );
        assert!(
            e.to_string().contains(&format!("line {line}, column 16")),
            "{e}"
        );
        // Nothing to provision: the table's own line.
        let text = with_teams_rule("\n[sync.rules.teams]\nprovisioning = \"graph\"\n");
        let e = parse(&text).unwrap_err().to_string();
        assert!(
            e.contains("nothing to provision") && e.contains("sync.rules[1].teams"),
            "{e}"
        );
    }
}
