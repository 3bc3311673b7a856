//! One sync, as `plan`, `apply`, `classify` and `explain` run it: the lock, the state, both
//! clients, the engine, the directory set an apply publishes, and `--html`.

use std::path::Path;

use sync_engine::{RunOptions, RunResult, render_plan, render_report};

use crate::cli::Command;
use crate::connect::{clients, engine};
use crate::context::Context;
use crate::error::CliError;
use crate::state_file::{self, StateStatus};
use crate::{lock, serve};

/// A finished sync.
pub struct Done {
    /// What the engine did (or would do).
    pub run: RunResult,
    /// Whether the state existed before the run.
    pub state: StateStatus,
    /// The directory set an apply published (reported after the apply's own output).
    pub published: Result<Option<usize>, CliError>,
}

/// `base` with removals above the deletion threshold allowed, and reading only the changes,
/// as the command line asks.
pub fn options(base: RunOptions, allow_deletes: bool, incremental: bool) -> RunOptions {
    let options = if allow_deletes {
        base.allow_removals()
    } else {
        base
    };
    if incremental {
        options.incremental()
    } else {
        options
    }
}

/// Runs one sync with `options`. `first_run`: `Some` for an apply (whose `--first-run` must
/// match the state), `None` for a dry run (which says when there is no state).
pub async fn sync(
    ctx: &Context<'_>,
    options: &RunOptions,
    first_run: Option<bool>,
) -> Result<Done, CliError> {
    let secrets = ctx.secrets()?;
    let state_path = &ctx.loaded.config.state_file;
    let lock = lock::acquire(state_path)?;
    tracing::debug!(lock = %lock.path().display(), "lock held");
    let state = state_file::status(state_path);
    match first_run {
        Some(first_run) => state_file::check_apply(state_path, first_run)?,
        None if state == StateStatus::Missing => {
            tracing::warn!("{}", state_file::missing_notice(state_path));
        }
        None => {}
    }
    let c = clients(&ctx.loaded.config, secrets)?;
    let engine = engine(&ctx.loaded, &c, ctx.cli.quiet);
    let result = engine.run(options).await;
    c.ipo.close().await;
    let run = result?;
    // Only an apply changes what IP Office's directory should hold (a dry run writes nothing).
    let published = match run.report {
        Some(_) => serve::publish(&ctx.loaded, None),
        None => Ok(None),
    };
    if let Some(path) = &ctx.cli.html {
        write_html(path, &ctx.cli.command, &run)?;
    }
    Ok(Done {
        run,
        state,
        published,
    })
}

/// The first line of a dry run's text without state, else nothing.
pub fn missing_notice(ctx: &Context<'_>, done: &Done) -> String {
    if done.state == StateStatus::Missing && !ctx.cli.json {
        format!(
            "{}\n",
            state_file::missing_notice(&ctx.loaded.config.state_file)
        )
    } else {
        String::new()
    }
}

/// The plan (and the apply's report) as text, or as JSON with how the run read its sources.
pub fn plan_text(ctx: &Context<'_>, done: &Done) -> Result<String, CliError> {
    let run = &done.run;
    if !ctx.cli.json {
        let style = ctx.style();
        let mut text = render_plan(&run.plan, style);
        if let Some(r) = &run.report {
            text.push_str(&render_report(r, style));
        }
        return Ok(text);
    }
    let doc = serde_json::json!({
        "state": {
            "path": ctx.loaded.config.state_file,
            "found": done.state == StateStatus::Found,
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
fn write_html(path: &Path, command: &Command, run: &RunResult) -> Result<(), CliError> {
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
