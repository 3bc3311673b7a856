//! `plan`: what a sync would change, writing nothing.

use sync_engine::RunOptions;

use crate::cli::PlanArgs;
use crate::context::Context;
use crate::error::CliError;
use crate::{exit, one_shot, output};

/// Runs `plan`; returns the exit code.
pub async fn run(args: &PlanArgs, ctx: &Context<'_>) -> Result<u8, CliError> {
    let options = one_shot::options(RunOptions::dry_run(), args.allow_deletes, args.incremental);
    let done = one_shot::sync(ctx, &options, None).await?;
    let text = one_shot::missing_notice(ctx, &done) + &one_shot::plan_text(ctx, &done)?;
    output::print(&text)?;
    Ok(exit::for_run(&done.run, args.alarm_on_skipped))
}
