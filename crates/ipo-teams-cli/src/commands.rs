//! The one-shot commands (`plan`, `apply`, `classify`, `explain`) and the dispatch to
//! `check` and `run`.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use ipo_model::ObjectId;
use sync_engine::{
    FileStateStore, PersonStatus, RunOptions, RunResult, Style, SyncEngine, render_plan,
    render_report,
};

use crate::cli::{Cli, Command};
use crate::connect::{Clients, clients};
use crate::error::CliError;
use crate::exit;
use crate::file_config::{Loaded, ProgramConfig};
use crate::state_file::{self, StateStatus};
use crate::{check, lock, progress, schedule, secrets, serve};

/// Runs the parsed command line; returns the exit code.
pub async fn dispatch(cli: &Cli) -> Result<u8, CliError> {
    // Everything that needs no network is checked first, in this order: the file, the
    // secrets, the lock, the state.
    let loaded = ProgramConfig::load(&cli.config)?;
    // The directory service reads only the saved set: no Graph or IP Office secret.
    if let Command::ServeDirectory = cli.command {
        return serve::serve_directory(&loaded).await;
    }
    let secrets = secrets::read(&loaded.config)?;
    match &cli.command {
        Command::Check => check::run(cli, &loaded, secrets).await,
        Command::Run(args) => schedule::run(cli, &loaded, secrets, args).await,
        _ => once(cli, &loaded, secrets).await,
    }
}

/// The engine over both clients and the state file, with progress for this process.
pub fn engine(loaded: &Loaded, c: &Clients, quiet: bool) -> SyncEngine {
    SyncEngine::new(
        loaded.config.sync.clone(),
        c.graph.clone(),
        c.ipo.clone(),
        Arc::new(FileStateStore::new(loaded.config.state_file.clone())),
    )
    .with_progress(progress::for_this_process(quiet))
}

/// The exit code a finished run earns: failure, held back, IP Office needs a restart, or
/// done (the first that applies).
pub fn exit_code(run: &RunResult) -> u8 {
    let failed = run.report.as_ref().is_some_and(|r| r.summary.failed > 0);
    let restart = run.report.as_ref().is_some_and(|r| r.needs_restart());
    let held = run.plan.held_removals.is_some()
        || run.plan.people.iter().any(|p| {
            p.status == PersonStatus::Skipped && p.reasons.iter().any(|r| !r.is_warning())
        });
    if failed {
        exit::FAILURE
    } else if held {
        exit::HELD
    } else if restart {
        exit::RESTART_NEEDED
    } else {
        exit::OK
    }
}

/// A plan kept from `plan --json` (the whole output, or its `plan`).
fn read_reviewed(path: &std::path::Path) -> Result<sync_engine::Plan, CliError> {
    let bad = |e: String| CliError::Setup(format!("the plan {}: {e}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let mut doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if let Some(plan) = doc.get_mut("plan") {
        doc = plan.take();
    }
    serde_json::from_value(doc).map_err(|e| bad(e.to_string()))
}

async fn once(cli: &Cli, loaded: &Loaded, secrets: secrets::Secrets) -> Result<u8, CliError> {
    let state_path = &loaded.config.state_file;
    let lock = lock::acquire(state_path)?;
    tracing::debug!(lock = %lock.path().display(), "lock held");
    let state = state_file::status(state_path);
    let mut options = match &cli.command {
        Command::Apply(a) => {
            state_file::check_apply(state_path, a.first_run)?;
            let mut o = RunOptions::apply();
            if a.allow_deletes {
                o = o.allow_removals();
            }
            if a.incremental {
                o = o.incremental();
            }
            if let Some(path) = &a.plan {
                o = o.reviewed(read_reviewed(path)?);
            }
            o
        }
        Command::Plan(p) => {
            let mut o = RunOptions::dry_run();
            if p.allow_deletes {
                o = o.allow_removals();
            }
            if p.incremental {
                o = o.incremental();
            }
            o
        }
        _ => RunOptions::dry_run(),
    };
    if let Command::Explain(e) = &cli.command {
        let id: ObjectId = e.person.parse().map_err(|err| {
            CliError::Setup(format!(
                "explain: {:?} is not an Azure AD object id: {err}",
                e.person
            ))
        })?;
        options = options.explain(id);
    }
    if state == StateStatus::Missing && !matches!(cli.command, Command::Apply(_)) {
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
    let mut out = std::io::stdout().lock();
    let w = |e: std::io::Error| CliError::Output(e.to_string());
    if let Command::Classify = cli.command {
        print_classification(&mut out, cli.json, &run)?;
        return Ok(exit::OK);
    }
    if cli.json {
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
        let text =
            serde_json::to_string_pretty(&doc).map_err(|e| CliError::Output(e.to_string()))?;
        writeln!(out, "{text}").map_err(w)?;
    } else {
        let style = Style {
            color: std::io::stdout().is_terminal(),
        };
        if state == StateStatus::Missing && !matches!(cli.command, Command::Apply(_)) {
            writeln!(out, "{}", state_file::missing_notice(state_path)).map_err(w)?;
        }
        if let Some(id) = &options.explain
            && let Some(p) = run.plan.person(id)
        {
            for step in &p.trace {
                writeln!(out, "{step}").map_err(w)?;
            }
        }
        write!(out, "{}", render_plan(&run.plan, style)).map_err(w)?;
        if let Some(r) = &run.report {
            write!(out, "{}", render_report(r, style)).map_err(w)?;
        }
    }
    published?;
    Ok(exit_code(&run))
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

/// `classify`: each person's user type and problems, as aligned text or JSON.
fn print_classification(out: &mut impl Write, json: bool, run: &RunResult) -> Result<(), CliError> {
    let w = |e: std::io::Error| CliError::Output(e.to_string());
    // The very classification the plan acted on (same rules, licence policy, sources, links).
    let c = &run.classification;
    if json {
        let text = serde_json::to_string_pretty(c).map_err(|e| CliError::Output(e.to_string()))?;
        writeln!(out, "{text}").map_err(w)?;
        return Ok(());
    }
    let width = c
        .verdicts
        .iter()
        .map(|v| v.person.label.chars().count())
        .max()
        .unwrap_or(0);
    for v in &c.verdicts {
        let t = v
            .user_type
            .map(|t| t.to_string())
            .unwrap_or_else(|| "not classified".into());
        writeln!(out, "{:<width$}  {t}", v.person.label).map_err(w)?;
        for p in &v.problems {
            writeln!(out, "    {p}").map_err(w)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reviewed_plan_is_read_from_plan_json_output_or_alone() {
        let dir = tempfile::tempdir().unwrap();
        let plan = serde_json::json!({
            "actions": [], "people": [], "licenses": [], "held_removals": null,
            "teams_actions": [], "notes": ["kept"]
        });
        for (name, doc) in [
            (
                "whole.json",
                serde_json::json!({ "state": {}, "plan": plan }),
            ),
            ("alone.json", plan.clone()),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, doc.to_string()).unwrap();
            assert_eq!(read_reviewed(&path).unwrap().notes, ["kept"]);
        }
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "{}").unwrap();
        let err = read_reviewed(&bad).unwrap_err().to_string();
        assert!(err.contains("bad.json"), "{err}");
    }
}
