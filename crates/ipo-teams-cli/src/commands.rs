//! From the parsed command line to the subcommand's `run(args, &context)`.

use crate::cli::{Cli, Command};
use crate::context::Context;
use crate::error::CliError;
use crate::file_config::ProgramConfig;
use crate::{apply, check, classify, explain, plan, schedule, serve};

/// Runs the parsed command line; returns the exit code.
pub async fn dispatch(cli: &Cli) -> Result<u8, CliError> {
    // Everything that needs no network is checked first, in this order: the arguments, the
    // file, the secrets (by the commands that need them), the lock, the state.
    if let Some(path) = &cli.html
        && !cli.command.writes_report()
    {
        return Err(CliError::Usage(format!(
            "--html {}: `{}` writes no report; --html goes with plan, apply or classify",
            path.display(),
            cli.command.name()
        )));
    }
    let ctx = Context {
        cli,
        loaded: ProgramConfig::load(&cli.config)?,
    };
    match &cli.command {
        Command::Plan(args) => plan::run(args, &ctx).await,
        Command::Apply(args) => apply::run(args, &ctx).await,
        Command::Classify => classify::run(&ctx).await,
        Command::Explain(args) => explain::run(args, &ctx).await,
        Command::Check => check::run(&ctx).await,
        Command::Run(args) => schedule::run(args, &ctx).await,
        Command::ServeDirectory => serve::serve_directory(&ctx).await,
    }
}
