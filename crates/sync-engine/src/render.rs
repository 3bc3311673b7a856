//! Human renderings of plans and reports for a terminal.

use std::fmt::Write;

use crate::plan::{ActionKind, PersonStatus, Plan};
use crate::report::{Report, RunTransport};

/// Colour on or off (on only when writing to a terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// Use ANSI colours.
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    fn green(&self, t: &str) -> String {
        self.paint("32", t)
    }
    fn yellow(&self, t: &str) -> String {
        self.paint("33", t)
    }
    fn red(&self, t: &str) -> String {
        self.paint("31", t)
    }
}

fn kind_label(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::CreateExtension => "create extension",
        ActionKind::CreateUser => "create user",
        ActionKind::UpdateUser => "update user",
        ActionKind::UpdateHuntGroup => "update hunt group",
        ActionKind::PutDirectoryEntry => "directory entry",
        ActionKind::RemoveDirectoryEntry => "remove dir. entry",
        ActionKind::DisableUser => "disable user",
        ActionKind::DeleteUser => "delete user",
        ActionKind::DeleteExtension => "delete extension",
    }
}

/// Pads to `w` characters (by chars, not bytes, so accents line up).
fn pad(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n >= w {
        s.chars().take(w).collect()
    } else {
        format!("{s}{}", " ".repeat(w - n))
    }
}

/// The plan as tables: actions with their field changes, skipped people with reasons,
/// licences, held removals and the Teams script.
pub fn render_plan(plan: &Plan, style: Style) -> String {
    let mut out = String::new();
    let by = |s: PersonStatus| plan.people.iter().filter(|p| p.status == s).count();
    let _ = writeln!(
        out,
        "{}  {} to create, {} to update, {} to remove, {} in sync, {} skipped; {} writes",
        style.bold("Plan"),
        by(PersonStatus::Create),
        by(PersonStatus::Update),
        by(PersonStatus::Remove),
        by(PersonStatus::InSync),
        by(PersonStatus::Skipped),
        plan.actions.len()
    );
    if plan.actions.is_empty() {
        let _ = writeln!(
            out,
            "  {}",
            style.green("nothing to write: IP Office is in sync")
        );
    } else {
        let _ = writeln!(out, "  {} {} CHANGES", pad("ACTION", 18), pad("RECORD", 34));
        for a in &plan.actions {
            let changes = a
                .changes
                .iter()
                .map(|c| {
                    format!(
                        "{}: {} -> {}",
                        c.field,
                        c.old.as_deref().unwrap_or("-"),
                        c.new.as_deref().unwrap_or("-")
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            let label = kind_label(a.kind);
            let label = if a.kind.is_removal() || a.kind == ActionKind::DeleteExtension {
                style.red(&pad(label, 18))
            } else {
                style.green(&pad(label, 18))
            };
            let _ = writeln!(
                out,
                "  {label} {} {changes}",
                pad(&a.record.to_string(), 34)
            );
        }
    }
    let skipped: Vec<_> = plan
        .people
        .iter()
        .filter(|p| !p.reasons.is_empty())
        .collect();
    if !skipped.is_empty() {
        let _ = writeln!(out, "\n{}", style.bold("People with remarks"));
        for p in skipped {
            for r in &p.reasons {
                let tag = if r.is_warning() {
                    style.yellow("warning")
                } else {
                    style.yellow("skipped")
                };
                let _ = writeln!(out, "  {tag} {} {r}", pad(&p.label, 34));
            }
        }
    }
    if !plan.licenses.is_empty() {
        let _ = writeln!(out, "\n{}", style.bold("Licences"));
        for l in &plan.licenses {
            let verdict = if l.fits() {
                style.green("fits")
            } else {
                style.red(&format!("{} do not fit", l.dropped))
            };
            let _ = writeln!(
                out,
                "  {} needed {:>4}, free {:>4}: {verdict}",
                pad(&l.profile.to_string(), 20),
                l.needed,
                l.free
            );
        }
    }
    if let Some(h) = &plan.held_removals {
        let _ = writeln!(out, "\n{} {}", style.red("HELD"), h.message());
    }
    for n in &plan.notes {
        if plan
            .held_removals
            .as_ref()
            .is_some_and(|h| &h.message() == n)
        {
            continue;
        }
        let _ = writeln!(out, "note: {n}");
    }
    if !plan.teams_actions.is_empty() {
        let _ = writeln!(
            out,
            "\n{} (not applied: Graph has no API for it)\n{}",
            style.bold("Teams PowerShell for the administrator"),
            plan.teams_script()
        );
    }
    out
}

/// One line of transport figures: requests (per edge), retries, throttled answers,
/// re-logins and time waited, e.g.
/// `Transport: 168 requests (directory 123, IP Office 45), 3 retries, 1 throttled, 0 re-logins, waited 1.25 s`.
fn transport_line(t: &RunTransport) -> String {
    let total = t.total();
    let plural = |n: u64, one: &str, many: &str| {
        if n == 1 {
            format!("{n} {one}")
        } else {
            format!("{n} {many}")
        }
    };
    format!(
        "Transport: {} (directory {}, IP Office {}), {}, {} throttled, {}, waited {:.2} s",
        plural(total.requests, "request", "requests"),
        t.directory.requests,
        t.ipo.requests,
        plural(total.retries, "retry", "retries"),
        total.throttled,
        plural(total.relogins, "re-login", "re-logins"),
        total.waited.as_secs_f64()
    )
}

/// A report as a short table of failures, a summary line and a line of transport figures
/// (requests, retries, throttled answers, re-logins, time waited).
pub fn render_report(report: &Report, style: Style) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let line = format!(
        "Applied: {} succeeded, {} failed, {} removals held",
        s.succeeded, s.failed, s.held_removals
    );
    let _ = writeln!(
        out,
        "{}",
        if s.failed == 0 {
            style.green(&line)
        } else {
            style.red(&line)
        }
    );
    let _ = writeln!(out, "{}", transport_line(&s.transport));
    if let Some(l) = crate::restarts::line(&report.restarts) {
        let _ = writeln!(out, "{}", style.yellow(&l));
    }
    for i in report.failures() {
        if let Some(e) = &i.error {
            let _ = writeln!(
                out,
                "  {} {} {e}",
                style.red("failed"),
                pad(&i.record.to_string(), 34)
            );
        }
    }
    for i in &report.items {
        for n in &i.notices {
            let _ = writeln!(out, "  notice {} {n}", pad(&i.record.to_string(), 34));
        }
    }
    out
}
