//! `apply`: write the planned changes to IP Office and save the state.

use sync_engine::RunOptions;

use crate::cli::ApplyArgs;
use crate::context::Context;
use crate::error::CliError;
use crate::{exit, one_shot, output, reviewed};

/// Runs `apply`; returns the exit code.
pub async fn run(args: &ApplyArgs, ctx: &Context<'_>) -> Result<u8, CliError> {
    let mut options = one_shot::options(RunOptions::apply(), args.allow_deletes, args.incremental);
    if let Some(path) = &args.plan {
        options = options.reviewed(reviewed::read_reviewed(path)?);
    }
    let done = one_shot::sync(ctx, &options, Some(args.first_run)).await?;
    output::print(&one_shot::plan_text(ctx, &done)?)?;
    // A set that cannot be published is reported after the apply's own report, not instead.
    done.published?;
    Ok(exit::for_run(&done.run, args.alarm_on_skipped))
}
