//! The one-shot commands (`plan`, `apply`, `classify`, `explain`) and the dispatch to
//! `check`, `run` and `serve-directory`.

use std::io::IsTerminal;

use ipo_model::ObjectId;
use sync_engine::{RunOptions, RunResult, Style, render_plan, render_report};

use crate::cli::{Cli, Command};
use crate::connect::{clients, engine};
use crate::error::CliError;
use crate::file_config::{Loaded, ProgramConfig};
use crate::state_file::{self, StateStatus};
use crate::{check, classify, exit, explain, lock, output, schedule, secrets, serve};

/// Runs the parsed command line; returns the exit code.
pub async fn dispatch(cli: &Cli) -> Result<u8, CliError> {
    // Everything that needs no network is checked first, in this order: the arguments, the
    // file, the secrets, the lock, the state.
    if let Some(path) = &cli.html
        && !cli.command.writes_report()
    {
        return Err(CliError::Usage(format!(
            "--html {}: `{}` writes no report; --html goes with plan, apply or classify",
            path.display(),
            cli.command.name()
        )));
    }
    let loaded = ProgramConfig::load(&cli.config)?;
    // The directory service reads only the saved set: no Graph or IP Office secret.
    if let Command::ServeDirectory = cli.command {
        return serve::serve_directory(&loaded).await;
    }
    let secrets = secrets::read(
        loaded.config.graph.client_secret_file.as_deref(),
        loaded.config.ipo.password_file.as_deref(),
    )?;
    match &cli.command {
        Command::Check => check::run(cli, &loaded, secrets).await,
        Command::Run(args) => schedule::run(cli, &loaded, secrets, args).await,
        _ => once(cli, &loaded, secrets).await,
    }
}

/// The run options of a one-shot command, and whether people left out count as held back.
fn options(command: &Command) -> Result<(RunOptions, bool), CliError> {
    Ok(match command {
        Command::Apply(a) => {
            let mut o = RunOptions::apply();
            if a.allow_deletes {
                o = o.allow_removals();
            }
            if a.incremental {
                o = o.incremental();
            }
            (o, a.alarm_on_skipped)
        }
        Command::Plan(p) => {
            let mut o = RunOptions::dry_run();
            if p.allow_deletes {
                o = o.allow_removals();
            }
            if p.incremental {
                o = o.incremental();
            }
            (o, p.alarm_on_skipped)
        }
        Command::Explain(e) => {
            let id: ObjectId = e.person.parse().map_err(|err| {
                CliError::Setup(format!(
                    "explain: {:?} is not an Azure AD object id: {err}",
                    e.person
                ))
            })?;
            (RunOptions::dry_run().explain(id), e.alarm_on_skipped)
        }
        _ => (RunOptions::dry_run(), false),
    })
}

async fn once(cli: &Cli, loaded: &Loaded, secrets: secrets::Secrets) -> Result<u8, CliError> {
    let state_path = &loaded.config.state_file;
    let lock = lock::acquire(state_path)?;
    tracing::debug!(lock = %lock.path().display(), "lock held");
    let state = state_file::status(state_path);
    let (options, alarm_on_skipped) = options(&cli.command)?;
    let is_apply = matches!(cli.command, Command::Apply(_));
    if let Command::Apply(a) = &cli.command {
        state_file::check_apply(state_path, a.first_run)?;
    } else if state == StateStatus::Missing {
        tracing::warn!("{}", state_file::missing_notice(state_path));
    }

    let c = clients(&loaded.config, secrets)?;
    let engine = engine(loaded, &c, cli.quiet);
    let result = engine.run(&options).await;
    c.ipo.close().await;
    let run = result?;
    // Only an apply changes what IP Office's directory should hold (a dry run writes nothing).
    // A set that cannot be published is reported after the apply's own report, not instead.
    let published = match run.report {
        Some(_) => serve::publish(loaded, None),
        None => Ok(None),
    };
    if let Some(path) = &cli.html {
        write_html(path, &cli.command, &run)?;
    }
    let style = Style {
        color: std::io::stdout().is_terminal(),
    };
    let notice = if state == StateStatus::Missing && !is_apply && !cli.json {
        format!("{}\n", state_file::missing_notice(state_path))
    } else {
        String::new()
    };
    let code = match &cli.command {
        Command::Classify => {
            output::print(&classify::render(&run.classification, cli.json)?)?;
            exit::OK
        }
        Command::Explain(_) => {
            let id = options
                .explain
                .as_ref()
                .ok_or_else(|| CliError::Setup("explain: no person to explain".into()))?;
            let (text, code) = explain::render(&run, id, cli.json, style, alarm_on_skipped)?;
            output::print(&(notice + &text))?;
            code
        }
        _ => {
            let text = if cli.json {
                run_json(state_path, state, &run)?
            } else {
                let mut text = notice + &render_plan(&run.plan, style);
                if let Some(r) = &run.report {
                    text.push_str(&render_report(r, style));
                }
                text
            };
            output::print(&text)?;
            exit::for_run(&run, alarm_on_skipped)
        }
    };
    published?;
    Ok(code)
}

/// `plan --json` / `apply --json`: the plan, the report and how the run read its sources.
fn run_json(
    state_path: &std::path::Path,
    state: StateStatus,
    run: &RunResult,
) -> Result<String, CliError> {
    let doc = serde_json::json!({
        "state": {
            "path": state_path,
            "found": state == StateStatus::Found,
        },
        "plan": run.plan,
        "report": run.report,
        "incremental": run.incremental,
        "full_resync_reason": run.full_resync_reason,
        "contacts_incremental": run.contacts_incremental,
        "contacts_full_resync_reason": run.contacts_full_resync_reason,
        "transport": run.transport,
    });
    serde_json::to_string_pretty(&doc)
        .map(|text| text + "\n")
        .map_err(|e| CliError::Output(e.to_string()))
}

/// `--html FILE`: the same classification, plan or apply the text and JSON show, as one
/// self-contained page (written whole to a temporary file, then renamed into place).
fn write_html(path: &std::path::Path, command: &Command, run: &RunResult) -> Result<(), CliError> {
    let options = ipo_teams_report::Options::default();
    let page = match (command, &run.report) {
        (Command::Classify, _) => {
            ipo_teams_report::render_classification(&run.classification, &options)
        }
        (_, Some(report)) => ipo_teams_report::render_apply(&run.plan, report, &options),
        (_, None) => ipo_teams_report::render_plan(&run.plan, &options),
    };
    let tmp = path.with_extension("html.tmp");
    std::fs::write(&tmp, page)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| CliError::Output(format!("--html {}: {e}", path.display())))
}
