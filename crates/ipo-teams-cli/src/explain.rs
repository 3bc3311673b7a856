//! `explain <OBJECT_ID>`: one person, step by step, and what the plan does for them alone.
//! Its exit code is that person's ([`crate::exit::for_person`]), whatever happens to others.

use std::fmt::Write;

use ipo_model::ObjectId;
use sync_engine::{RunOptions, RunResult, Style, render_plan};

use crate::cli::ExplainArgs;
use crate::context::Context;
use crate::error::CliError;
use crate::{exit, one_shot, output};

/// Runs `explain`; returns that person's exit code.
pub async fn run(args: &ExplainArgs, ctx: &Context<'_>) -> Result<u8, CliError> {
    let id: ObjectId = args.person.parse().map_err(|err| {
        CliError::Setup(format!(
            "explain: {:?} is not an Azure AD object id: {err}",
            args.person
        ))
    })?;
    let options = RunOptions::dry_run().explain(id.clone());
    let done = one_shot::sync(ctx, &options, None).await?;
    let (text, code) = render(
        &done.run,
        &id,
        ctx.cli.json,
        ctx.style(),
        args.alarm_on_skipped,
    )?;
    output::print(&(one_shot::missing_notice(ctx, &done) + &text))?;
    Ok(code)
}

/// The person's trace and plan (text or JSON) and their exit code.
fn render(
    run: &RunResult,
    id: &ObjectId,
    json: bool,
    style: Style,
    alarm_on_skipped: bool,
) -> Result<(String, u8), CliError> {
    let person = run.plan.person(id).ok_or_else(|| {
        CliError::Setup(format!(
            "explain: {id} is not among the people the sync considers (in no rule's group, \
             or not in Azure AD)"
        ))
    })?;
    let code = exit::for_person(person, alarm_on_skipped);
    // The plan cut down to this person: their line, their writes, their Teams action.
    let mut one = run.plan.clone();
    one.people.retain(|p| &p.id == id);
    one.actions.retain(|a| a.person.as_ref() == Some(id));
    one.teams.actions.retain(|t| &t.person == id);
    one.teams.held.retain(|t| &t.person == id);
    one.held_removals = one.held_removals.filter(|h| h.people.contains(id));
    // Whole-run figures say nothing about one person (their own shortfall is a remark).
    one.licenses.clear();
    one.system_directory = None;
    one.notes.clear();
    if json {
        let doc = serde_json::json!({
            "person": person,
            "actions": one.actions,
            "teams": one.teams,
            "exit_code": code,
        });
        let text =
            serde_json::to_string_pretty(&doc).map_err(|e| CliError::Output(e.to_string()))?;
        return Ok((text + "\n", code));
    }
    let mut out = String::new();
    let _ = writeln!(out, "Explain  {} ({id})", person.label);
    for step in &person.trace {
        let _ = writeln!(out, "{step}");
    }
    out.push_str(&render_plan(&one, style));
    Ok((out, code))
}
