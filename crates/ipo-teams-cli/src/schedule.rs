//! Scheduled mode, `ipo-teams run --every 40m`: one process, one lock, a sync per interval.
//! Syncs read only the directory changes, except the first, one a day (`--full-every`) and
//! whenever Graph says its change link is no longer valid. SIGTERM or Ctrl-C stops it
//! after the sync in progress (its state saved), or at once while it waits; a second signal
//! stops it at once (what was written is in the state: the next run resumes).

use std::sync::Arc;
use std::time::Instant;

use sync_engine::{RunOptions, RunResult, RunSummary};

use crate::cli::RunArgs;
use crate::connect::{clients, engine};
use crate::context::Context;
use crate::error::CliError;
use crate::shutdown::{Stop, listen};
use crate::words::count;
use crate::{exit, lock, output, serve, state_file};

/// Runs syncs every `args.every` until stopped. Returns 0 after a clean stop.
pub async fn run(args: &RunArgs, ctx: &Context<'_>) -> Result<u8, CliError> {
    let (cli, loaded) = (ctx.cli, &ctx.loaded);
    let secrets = ctx.secrets()?;
    let state_path = &loaded.config.state_file;
    let lock = lock::acquire(state_path)?;
    tracing::debug!(lock = %lock.path().display(), "lock held");
    state_file::check_apply(state_path, args.first_run)?;
    let c = clients(&loaded.config, secrets)?;
    let engine = engine(loaded, &c, cli.quiet);
    // Listening before the first sync: a taken port stops the program at once.
    let directory = serve::start_in_run(loaded).await?;
    let stop = Arc::new(Stop::default());
    listen(stop.clone());

    let mut last_full: Option<Instant> = None;
    let mut number: u64 = 0;
    loop {
        number += 1;
        let started = Instant::now();
        let full_due = last_full.is_none_or(|t| t.elapsed() >= args.full_every);
        let mut options = RunOptions::apply();
        if !full_due {
            options = options.incremental();
        }
        if args.allow_deletes {
            options = options.allow_removals();
        }
        stop.set_syncing(true);
        let result = engine.run(&options).await;
        stop.set_syncing(false);
        let line = match result {
            Ok(r) => {
                if !r.incremental {
                    last_full = Some(started);
                }
                if let Err(e) = serve::publish(loaded, directory.as_ref().map(|(_, h)| h)) {
                    tracing::error!(error = %e, "sync {number}");
                }
                Summary::of_run(number, &r, args.alarm_on_skipped)
            }
            Err(e) => {
                tracing::error!(error = %e, "sync {number} failed; trying again at the next interval");
                Summary::of_failure(number, full_due, &e)
            }
        };
        let text = if cli.json { line.json() } else { line.text() };
        if let Err(e) = output::print(&format!("{text}\n")) {
            tracing::warn!(error = %e, "sync {number}: the summary line could not be written");
        }
        if stop.requested() {
            break;
        }
        let wait = args.every.saturating_sub(started.elapsed());
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.notified() => break,
        }
    }
    c.ipo.close().await;
    if let Some((service, _)) = directory {
        service.shutdown().await;
    }
    tracing::info!("stopped");
    Ok(exit::OK)
}

/// One line per sync.
#[derive(Debug, Default)]
struct Summary {
    number: u64,
    mode: String,
    people: usize,
    /// The apply's writes, both halves ([`RunSummary`]: totals and per half).
    writes: RunSummary,
    exit: u8,
    error: Option<String>,
}

impl Summary {
    /// The line of a sync that ran.
    fn of_run(number: u64, r: &RunResult, alarm_on_skipped: bool) -> Self {
        let mut mode = match (&r.full_resync_reason, r.incremental) {
            (_, true) => "changes only".to_owned(),
            (Some(why), false) => format!("full read ({why})"),
            (None, false) => "full read".to_owned(),
        };
        // Contacts have their own delta link: say when it could not be used.
        if let Some(why) = &r.contacts_full_resync_reason {
            mode.push_str(&format!("; contacts read in full ({why})"));
        }
        Summary {
            number,
            mode,
            people: r.people,
            writes: r
                .report
                .as_ref()
                .map(|rep| rep.summary.clone())
                .unwrap_or_default(),
            exit: exit::for_run(r, alarm_on_skipped),
            error: None,
        }
    }

    /// The line of a sync that could not complete.
    fn of_failure(number: u64, full_due: bool, e: &impl std::fmt::Display) -> Self {
        let mode = if full_due {
            "full read"
        } else {
            "changes only"
        };
        Summary {
            number,
            mode: mode.into(),
            exit: exit::FAILURE,
            error: Some(e.to_string()),
            ..Summary::default()
        }
    }
}

impl Summary {
    fn text(&self) -> String {
        let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
        match &self.error {
            Some(e) => format!("{now} sync {}: {}, failed: {e}", self.number, self.mode),
            None => format!(
                "{now} sync {}: {}, {}, {} (exit code {})",
                self.number,
                self.mode,
                count(self.people, "person", "people"),
                self.writes.writes_line(),
                self.exit
            ),
        }
    }

    fn json(&self) -> String {
        serde_json::json!({
            "time": chrono::Utc::now().to_rfc3339(),
            "sync": self.number,
            "mode": self.mode,
            "people": self.people,
            "changes": self.writes.planned,
            "succeeded": self.writes.succeeded,
            "failed": self.writes.failed,
            "ipo": self.writes.ipo,
            "teams": self.writes.teams,
            "removals_held": self.writes.held_removals,
            "exit_code": self.exit,
            "error": self.error,
        })
        .to_string()
    }
}
