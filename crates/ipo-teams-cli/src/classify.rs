//! `classify`: what each person is now and will be after the sync, with the problems in
//! the way, and a summary line; or the classification as JSON.

use std::fmt::Write;

use ipo_model::UserType;
use sync_engine::RunOptions;
use usertype_rules::{Classification, Summary, Verdict};

use crate::context::Context;
use crate::error::CliError;
use crate::words::{and_list, count};
use crate::{exit, one_shot, output};

/// Runs `classify` (a dry run: the classification the plan would act on); exits 0.
pub async fn run(ctx: &Context<'_>) -> Result<u8, CliError> {
    let done = one_shot::sync(ctx, &RunOptions::dry_run(), None).await?;
    output::print(&render(&done.run.classification, ctx.cli.json)?)?;
    Ok(exit::OK)
}

/// The classification as aligned text (or JSON), ready to print.
fn render(c: &Classification, json: bool) -> Result<String, CliError> {
    if json {
        let text = serde_json::to_string_pretty(c).map_err(|e| CliError::Output(e.to_string()))?;
        return Ok(text + "\n");
    }
    let rows: Vec<[String; 3]> = c
        .verdicts
        .iter()
        .map(|v| [v.person.label.clone(), now(v), after(v)])
        .collect();
    let header = ["PERSON", "NOW", "AFTER THE SYNC"].map(String::from);
    let width = |i: usize| {
        rows.iter()
            .chain([&header])
            .map(|r| r[i].chars().count())
            .max()
            .unwrap_or(0)
    };
    let (w0, w1) = (width(0), width(1));
    let mut out = String::new();
    let line = |r: &[String; 3]| format!("{:<w0$}  {:<w1$}  {}", r[0], r[1], r[2]);
    let _ = writeln!(out, "{}", line(&header));
    for (r, v) in rows.iter().zip(&c.verdicts) {
        let _ = writeln!(out, "{}", line(r).trim_end());
        for p in &v.problems {
            let _ = writeln!(out, "    {p}");
        }
        // The Teams half: what the rule asks of Teams that Teams does not hold yet.
        for t in v.teams.iter().flat_map(|t| t.describe()) {
            let _ = writeln!(out, "    Teams: {t}");
        }
    }
    let _ = writeln!(out, "{}", summary_line(&c.summary()));
    Ok(out)
}

/// The type the person is now, `-` for none.
fn now(v: &Verdict) -> String {
    v.user_type.map_or_else(|| "-".into(), |t| t.to_string())
}

/// The type the person will be once the sync has run.
fn after(v: &Verdict) -> String {
    match (v.user_type, v.target) {
        (_, Some(t)) if v.blocks_sync() => format!("{t}, blocked (see below)"),
        (_, Some(t)) | (Some(t), None) => t.to_string(),
        (None, None) if v.problems.is_empty() => "no telephony user".into(),
        (None, None) => "blocked (see below)".into(),
    }
}

/// E.g. `12 people: 2 MS Teams only now; the sync makes 8 IP Office only and 2 MS Teams +
/// IP Office; 1 blocked by a problem`.
fn summary_line(s: &Summary) -> String {
    let per_type = |m: &std::collections::BTreeMap<UserType, usize>| -> Vec<String> {
        UserType::ALL
            .iter()
            .filter_map(|t| m.get(t).filter(|n| **n > 0).map(|n| format!("{n} {t}")))
            .collect()
    };
    let mut parts = Vec::new();
    let now = per_type(&s.per_type);
    if !now.is_empty() {
        parts.push(format!("{} now", and_list(&now)));
    }
    let pending = per_type(&s.pending_per_target);
    if !pending.is_empty() {
        parts.push(format!("the sync makes {}", and_list(&pending)));
    }
    let blocked = s.blocked_per_target.values().sum::<usize>() + s.blocked_without_target;
    if blocked > 0 {
        parts.push(format!("{blocked} blocked by a problem"));
    }
    if s.not_telephony > 0 {
        parts.push(format!("{} without telephony", s.not_telephony));
    }
    format!(
        "{}: {}",
        count(s.people, "person", "people"),
        if parts.is_empty() {
            "nobody to classify".into()
        } else {
            parts.join("; ")
        }
    )
}
