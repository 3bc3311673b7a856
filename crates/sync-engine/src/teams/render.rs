//! The Teams stage for a terminal: the writes with old -> new, what is held back, and after
//! an apply how each write went and what Teams holds now.

use std::fmt::Write;

use super::apply::{TeamsApplied, TeamsResult};
use super::plan::TeamsPlan;
use crate::render::{Style, pad, width};

/// The Teams writes (old -> new) and the holds, under a heading; nothing when both are
/// empty.
pub(crate) fn render_teams_plan(out: &mut String, plan: &TeamsPlan, style: Style) {
    if plan.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{}  {} writes",
        style.bold("Teams"),
        plan.actions.len()
    );
    let lw = width(
        (plan.actions.iter().map(|a| a.label.as_str()))
            .chain(plan.held.iter().map(|h| h.label.as_str())),
    );
    for a in &plan.actions {
        let how = match a.provisioning {
            usertype_rules::TeamsProvisioning::Graph => "graph ",
            _ => "script",
        };
        let _ = writeln!(
            out,
            "  {} {how} {} (now: {})",
            pad(&a.label, lw),
            style.green(&a.write.to_string()),
            a.old.as_deref().unwrap_or("nothing")
        );
    }
    for h in &plan.held {
        let _ = writeln!(
            out,
            "  {} {} {}",
            pad(&h.label, lw),
            style.yellow("held  "),
            h.problem
        );
    }
}

/// How each Teams write went, the warnings the read-back raised, and what Teams now holds
/// for the people written.
pub(crate) fn render_teams_applied(out: &mut String, applied: &TeamsApplied, style: Style) {
    if applied.outcomes.is_empty() && applied.warnings.is_empty() {
        return;
    }
    let done = applied.done();
    let line = format!(
        "Teams: {done} done, {} failed, {} still running",
        applied.failed(),
        applied.outcomes.len() - done - applied.failed()
    );
    let painted = match applied.failed() {
        0 => style.green(&line),
        _ => style.red(&line),
    };
    let _ = writeln!(out, "{painted}");
    let lw = width(applied.outcomes.iter().map(|o| o.label.as_str()));
    for o in &applied.outcomes {
        let result = match &o.result {
            TeamsResult::Done => style.green("done"),
            TeamsResult::StillRunning(id) => style.yellow(&format!(
                "still running (operation {id}; the next run follows it up)"
            )),
            TeamsResult::Failed(why) => style.red(&format!("failed: {why}")),
        };
        let _ = writeln!(out, "  {} {}: {result}", pad(&o.label, lw), o.write);
    }
    for (person, voice) in &applied.read_back {
        let label = (applied.outcomes.iter().find(|o| &o.person == person))
            .map_or_else(|| person.to_string(), |o| o.label.clone());
        // As the plan writes them, whatever notation Teams answered in.
        let numbers: Vec<String> = voice
            .telephone_numbers
            .iter()
            .map(ipo_model::TeamsPhoneNumber::shown)
            .collect();
        let policies: Vec<String> = voice
            .effective_policies
            .iter()
            .map(ToString::to_string)
            .collect();
        let ev = match voice.enterprise_voice_enabled {
            Some(true) => "on",
            Some(false) => "off",
            None => "unknown",
        };
        let _ = writeln!(
            out,
            "  read back {label}: numbers [{}], Enterprise Voice {ev}, policies [{}]",
            numbers.join(", "),
            policies.join("; ")
        );
    }
    for (person, warning) in &applied.warnings {
        let _ = writeln!(out, "  {} {person}: {warning}", style.yellow("warning"));
    }
}
