//! The command line, defined once with clap's derive: the program and the tests that check
//! `deploy/`'s command lines use this same definition.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

/// The configuration file when `--config` is not given, as in every example and sample.
pub const DEFAULT_CONFIG: &str = "sync.toml";

/// Sync Azure AD groups into Avaya IP Office users, for MS Teams Direct Routing.
///
/// Secrets come from the environment (IPO_TEAMS_CLIENT_SECRET, IPO_TEAMS_IPO_PASSWORD) or
/// from files named in the configuration, never from arguments.
#[derive(Debug, Parser)]
#[command(name = "ipo-teams", version, propagate_version = true)]
#[non_exhaustive]
pub struct Cli {
    /// The configuration file (default: `sync.toml` in the current folder). A relative
    /// `state_file` in it is resolved against this file's folder, whatever the current
    /// directory.
    #[arg(
        long,
        short = 'c',
        global = true,
        value_name = "FILE",
        default_value = DEFAULT_CONFIG
    )]
    pub config: PathBuf,
    /// Print machine-readable JSON on standard output instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Also write the result as one self-contained HTML report to FILE (`classify`, `plan`,
    /// `apply`): no external resources, opens offline, prints well.
    #[arg(long, global = true, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Only warnings and errors on standard error.
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More detail on standard error (-v: debug, -vv: trace).
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
#[non_exhaustive]
pub enum Command {
    /// Show what a sync would change, writing nothing (a dry run).
    Plan(PlanArgs),
    /// Sync: write the planned changes to IP Office and save the state.
    Apply(ApplyArgs),
    /// Classify everyone in the rules' groups: IP Office only, MS Teams only or
    /// MS Teams + IP Office user.
    Classify,
    /// Explain, step by step, what the sync would do for one person.
    Explain(ExplainArgs),
    /// Check the configuration and both connections (Graph sign-in and group access,
    /// IP Office login and rights) without reading anyone's details.
    Check,
    /// Scheduled mode: sync on an interval until stopped (SIGTERM or Ctrl-C). With a
    /// `[directory_service]` section it also serves the directory (unless `serve_in_run`
    /// is off).
    Run(RunArgs),
    /// Serve the Teams-only directory entries the last apply saved, over LDAP, for IP
    /// Office to import, until stopped (SIGTERM or Ctrl-C). Needs `[directory_service]`;
    /// follows each new set the syncs save.
    ServeDirectory,
}

impl Command {
    /// The subcommand's name, as typed.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Command::Plan(_) => "plan",
            Command::Apply(_) => "apply",
            Command::Classify => "classify",
            Command::Explain(_) => "explain",
            Command::Check => "check",
            Command::Run(_) => "run",
            Command::ServeDirectory => "serve-directory",
        }
    }

    /// Whether the command writes a report `--html` can take.
    pub(crate) fn writes_report(&self) -> bool {
        matches!(
            self,
            Command::Plan(_) | Command::Apply(_) | Command::Classify
        )
    }
}

/// Options of `plan`.
#[derive(Debug, Args, Default)]
#[non_exhaustive]
pub struct PlanArgs {
    /// Plan removals even above the deletion threshold.
    #[arg(long)]
    pub allow_deletes: bool,
    /// Read only the directory changes since the last sync.
    #[arg(long)]
    pub incremental: bool,
    /// Exit 3 also when people are left out for their own data (a disabled account, a
    /// missing Teams licence, an extension clash): they alarm like a held-back write.
    #[arg(long)]
    pub alarm_on_skipped: bool,
}

/// Options of `apply`.
#[derive(Debug, Args, Default)]
#[non_exhaustive]
pub struct ApplyArgs {
    /// Apply removals even above the deletion threshold.
    #[arg(long)]
    pub allow_deletes: bool,
    /// Read only the directory changes since the last sync.
    #[arg(long)]
    pub incremental: bool,
    /// There is no state yet because this is the first sync to this IP Office. Without it,
    /// a missing state file stops the apply (it would create every user again).
    #[arg(long)]
    pub first_run: bool,
    /// Exit 3 also when people are left out for their own data (a disabled account, a
    /// missing Teams licence, an extension clash): they alarm like a held-back write.
    #[arg(long)]
    pub alarm_on_skipped: bool,
    /// Apply only the plan in this file (`plan --json`, reviewed): planning again must give
    /// the same plan, else nothing is written.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<std::path::PathBuf>,
}

/// Options of `explain`.
#[derive(Debug, Args)]
#[non_exhaustive]
pub struct ExplainArgs {
    /// The person's Azure AD object id.
    #[arg(value_name = "OBJECT_ID")]
    pub person: String,
    /// Exit 3 also when people are left out for their own data (a disabled account, a
    /// missing Teams licence, an extension clash): they alarm like a held-back write.
    #[arg(long)]
    pub alarm_on_skipped: bool,
}

/// Options of `run`.
#[derive(Debug, Args)]
#[non_exhaustive]
pub struct RunArgs {
    /// Time between the start of two syncs, e.g. `40m`, `1h`, `90s`, `1h30m`.
    #[arg(long, value_name = "INTERVAL", value_parser = crate::interval::parse_interval)]
    pub every: Duration,
    /// Read everything again (not only the changes) at least this often.
    #[arg(long, value_name = "INTERVAL", default_value = "24h",
          value_parser = crate::interval::parse_interval)]
    pub full_every: Duration,
    /// Apply removals even above the deletion threshold.
    #[arg(long)]
    pub allow_deletes: bool,
    /// There is no state yet because this is the first sync to this IP Office.
    #[arg(long)]
    pub first_run: bool,
    /// Exit 3 also when people are left out for their own data (a disabled account, a
    /// missing Teams licence, an extension clash): they alarm like a held-back write.
    #[arg(long)]
    pub alarm_on_skipped: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn flags_go_before_or_after_the_subcommand() {
        let a = Cli::try_parse_from(["ipo-teams", "--json", "-c", "a.toml", "plan"]).unwrap();
        let b = Cli::try_parse_from(["ipo-teams", "plan", "--json", "--config", "a.toml"]).unwrap();
        assert!(a.json && b.json);
        assert_eq!(a.config, b.config);
        let run = Cli::try_parse_from(["ipo-teams", "run", "--every", "1h30m"]).unwrap();
        match run.command {
            Command::Run(r) => {
                assert_eq!(r.every, Duration::from_secs(5400));
                assert_eq!(r.full_every, Duration::from_secs(86_400));
            }
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn secrets_are_not_arguments() {
        for flag in ["--client-secret", "--password", "--secret"] {
            assert!(Cli::try_parse_from(["ipo-teams", flag, "x", "plan"]).is_err());
        }
    }
}
