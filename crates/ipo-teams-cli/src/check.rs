//! `ipo-teams check`: like Avaya's "Test Connection". Checks the configuration, signs in to
//! Graph, reads each rule's group (not its members) and one object per application
//! permission the configuration needs (with a rule provisioning Teams through Graph: the
//! Teams write permissions granted, and each policy the rules name found by name), logs in
//! to IP Office and reads the
//! system and its licences (no users), and with `[directory_service]` finds the bind password
//! and the set to serve. Every check runs even when an earlier one fails, so
//! one `check` lists every problem.

use graph_client::{PolicyType, Probe, TEAMS_WRITE_PERMISSIONS};
use ipo_model::TeamsPolicyType;
use ipo_teams_ldap::EntrySet;
use usertype_rules::{TeamsProvisioning, TeamsSideRule};

use crate::connect::{Clients, clients};
use crate::context::Context;
use crate::directory_config::DirectoryServiceSection;
use crate::error::CliError;
use crate::file_config::{Loaded, ProgramConfig};
use crate::key_position;
use crate::state_file::{self, StateStatus};
use crate::words::count;
use crate::{exit, output};

/// One line of the check.
struct Line {
    what: String,
    ok: bool,
    detail: String,
}

/// `[directory_service]`: its bind password is found, and the set it would serve loads (or
/// the next apply writes it). The port is not opened: a running service may hold it.
fn directory_service(section: &DirectoryServiceSection, state_file: &std::path::Path) -> Line {
    let what = "directory service".to_owned();
    if let Err(e) = section.password() {
        return Line {
            what,
            ok: false,
            detail: e.to_string(),
        };
    }
    let file = EntrySet::path_beside(state_file);
    let set = if file.exists() {
        match EntrySet::load(&file) {
            Ok(set) => format!(
                "{} entries ({} IP Office records) in {}",
                set.len(),
                set.ip_office_records(),
                file.display()
            ),
            Err(e) => {
                return Line {
                    what,
                    ok: false,
                    detail: format!("{}: {e}", file.display()),
                };
            }
        }
    } else {
        format!("no entries yet: the next apply writes {}", file.display())
    };
    Line {
        what,
        ok: true,
        detail: format!(
            "ldap{}://{} base {}; bind password found; {set}",
            if section.tls_certificate_chain.is_some() {
                "s"
            } else {
                ""
            },
            section.listen,
            section.base_dn
        ),
    }
}

impl Line {
    /// A passed check with `detail`, or a failed one with the error.
    fn of<E: std::fmt::Display>(what: impl Into<String>, result: Result<String, E>) -> Self {
        let (ok, detail) = match result {
            Ok(detail) => (true, detail),
            Err(e) => (false, e.to_string()),
        };
        Self {
            what: what.into(),
            ok,
            detail,
        }
    }
}

/// Runs every check; exit 0 when all pass, 1 otherwise.
pub async fn run(ctx: &Context<'_>) -> Result<u8, CliError> {
    let (cli, loaded) = (ctx.cli, &ctx.loaded);
    let secrets = ctx.secrets()?;
    let cfg = &loaded.config;
    let state = match state_file::status(&cfg.state_file) {
        StateStatus::Found => "found",
        StateStatus::Missing => "not yet created: the first apply needs --first-run",
    };
    let mut lines = vec![Line::of(
        "configuration",
        Ok::<_, CliError>(format!(
            "{} is valid: {}; state {} ({state})",
            loaded.path.display(),
            count(cfg.sync.rules.len(), "group rule", "group rules"),
            cfg.state_file.display(),
        )),
    )];
    let c = clients(cfg, secrets)?;
    graph_lines(cfg, &c, &mut lines).await;
    teams_lines(loaded, &c, &mut lines).await;
    ipo_lines(cfg, &c, &mut lines).await;
    c.ipo.close().await;
    if let Some(section) = &cfg.directory_service {
        lines.push(directory_service(section, &cfg.state_file));
    }

    let all_ok = lines.iter().all(|l| l.ok);
    output::print(&render(&lines, all_ok, cli.json))?;
    Ok(if all_ok { exit::OK } else { exit::FAILURE })
}

/// Each rule's group, then each application permission the configuration needs, by one
/// small read: a missing one is named here rather than in the middle of a sync.
async fn graph_lines(cfg: &ProgramConfig, c: &Clients, lines: &mut Vec<Line>) {
    for rule in &cfg.sync.rules {
        let read = c.graph.nested_groups(&rule.group).await.map(|nested| {
            format!(
                "signed in to tenant {}; group {} readable ({})",
                cfg.graph.tenant,
                rule.group,
                count(nested.len(), "nested group", "nested groups")
            )
        });
        lines.push(Line::of(format!("Graph group {}", rule.label()), read));
    }
    let mut probes = vec![Probe::Users];
    if c.graph.options().teams_numbers {
        probes.push(Probe::TeamsUserConfigurations);
    }
    if cfg.sync.system_directory.enabled && cfg.sync.system_directory.contacts {
        probes.push(Probe::Contacts);
    }
    for probe in probes {
        let what = format!("Graph permission {}", probe.permission());
        let granted = c.graph.probe(probe).await.map(|()| "granted".to_owned());
        lines.push(Line::of(what, granted));
    }
}

/// With a rule provisioning its Teams half through Graph: the write permissions granted to
/// the app, and each policy a provisioning rule names, found by name. Nothing is written.
async fn teams_lines(loaded: &Loaded, c: &Clients, lines: &mut Vec<Line>) {
    let rules = &loaded.config.sync.rules;
    let graph = |r: &sync_engine::GroupRule| r.teams.provisioning == TeamsProvisioning::Graph;
    if !rules.iter().any(graph) {
        return;
    }
    teams_permission_lines(c, lines).await;
    for (index, rule) in rules.iter().enumerate() {
        if rule.teams.provisioning == TeamsProvisioning::Off {
            continue;
        }
        for t in TeamsPolicyType::ALL {
            if let Some(name) = rule.teams.policy(t) {
                lines.push(policy_line(loaded, c, index, t, name).await);
            }
        }
    }
}

/// One line per Teams write permission, from the access token's `roles`: a missing one
/// needs an administrator's consent, which no setting of ours can give.
async fn teams_permission_lines(c: &Clients, lines: &mut Vec<Line>) {
    let missing = match c.graph.missing_roles(&TEAMS_WRITE_PERMISSIONS).await {
        Ok(missing) => missing,
        Err(e) => return lines.push(Line::of("Graph Teams write permissions", Err(e))),
    };
    for p in TEAMS_WRITE_PERMISSIONS {
        let granted = if missing.iter().any(|m| m == p) {
            Err(format!(
                "not granted to the app: an administrator must grant admin consent for {p} \
                 in Entra ID (App registrations > the app > API permissions > Add a \
                 permission > Microsoft Graph > Application permissions, then Grant admin \
                 consent)"
            ))
        } else {
            Ok("granted (in the access token's roles)".to_owned())
        };
        lines.push(Line::of(format!("Graph permission {p}"), granted));
    }
}

/// The policy of type `t` named `name` by rule `index`, looked up by name (`getPolicyId`);
/// a failure names the key and where the file sets it.
async fn policy_line(
    loaded: &Loaded,
    c: &Clients,
    index: usize,
    t: TeamsPolicyType,
    name: &str,
) -> Line {
    let what = format!("Teams {t} of {}", loaded.config.sync.rules[index].label());
    let found = c.graph.policy_id(&PolicyType::from(t), name).await;
    let found = found
        .map(|id| format!("{name:?} found (policy id {id})"))
        .map_err(|e| {
            let key = format!("teams.{}", TeamsSideRule::policy_key(t));
            let at = key_position::rule_key(&loaded.text, index, &key);
            let (key, at) = at.map_or((key, String::new()), |(k, p)| (k, format!(", {p}")));
            format!("{e} (sync.rules[{index}].{key}{at})")
        });
    Line::of(what, found)
}

/// The IP Office login, the templates' profiles against its licensing mode, and the
/// service user's rights.
async fn ipo_lines(cfg: &ProgramConfig, c: &Clients, lines: &mut Vec<Line>) {
    let system = match c.ipo.system().await {
        Ok(system) => system,
        Err(e) => return lines.push(Line::of("IP Office login", Err(e))),
    };
    lines.push(Line::of(
        "IP Office login",
        Ok::<_, CliError>(format!(
            "logged in as {} to {} (release {}, {} licensing, {})",
            cfg.ipo.username,
            system.name,
            system.version,
            system.licensing_mode,
            count(system.nodes.len().max(1), "node", "nodes")
        )),
    ));
    let mode = system.licensing_mode;
    let templates = cfg
        .sync
        .validate(Some(mode))
        .map(|()| format!("every profile exists on a {mode} system"));
    lines.push(Line::of("user templates", templates));
    let rights = c.ipo.list_licenses().await.map(|l| {
        format!(
            "the service user reads the configuration ({})",
            count(l.len(), "licence", "licences")
        )
    });
    lines.push(Line::of("IP Office rights", rights));
}

/// The lines as aligned text, or as JSON.
fn render(lines: &[Line], all_ok: bool, json: bool) -> String {
    if json {
        let doc = serde_json::json!({
            "ok": all_ok,
            "checks": lines.iter().map(|l| serde_json::json!({
                "check": l.what, "ok": l.ok, "detail": l.detail,
            })).collect::<Vec<_>>(),
        });
        format!("{doc:#}\n")
    } else {
        let width = lines
            .iter()
            .map(|l| l.what.chars().count())
            .max()
            .unwrap_or(0);
        lines
            .iter()
            .map(|l| {
                let mark = if l.ok { "ok    " } else { "FAILED" };
                format!("{mark} {:<width$}  {}\n", l.what, l.detail)
            })
            .collect()
    }
}
