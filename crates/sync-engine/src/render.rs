//! Human renderings of plans and reports for a terminal.

use std::fmt::Write;

use crate::plan::{ActionKind, PersonPlan, PersonStatus, Plan};
use crate::reason::Reason;
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
    pub(crate) fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    pub(crate) fn green(&self, t: &str) -> String {
        self.paint("32", t)
    }
    pub(crate) fn yellow(&self, t: &str) -> String {
        self.paint("33", t)
    }
    pub(crate) fn red(&self, t: &str) -> String {
        self.paint("31", t)
    }
}

fn kind_label(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::CreateExtension => "create extension",
        ActionKind::CreateUser => "create user",
        ActionKind::UpdateUser => "update user",
        ActionKind::UpdateHuntGroup => "update hunt group",
        ActionKind::PutDirectoryEntry => "write directory entry",
        ActionKind::RemoveDirectoryEntry => "remove directory entry",
        ActionKind::DisableUser => "disable user",
        ActionKind::DeleteUser => "delete user",
        ActionKind::DeleteExtension => "delete extension",
    }
}

/// Pads to `w` characters (by chars, not bytes, so accents line up). Never cuts: a longer
/// value (a long UPN) is shown whole, the columns are sized to the longest value instead.
pub(crate) fn pad(s: &str, w: usize) -> String {
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(w.saturating_sub(n)))
}

/// The width of the widest of `values`, in characters.
pub(crate) fn width<'a>(values: impl Iterator<Item = &'a str>) -> usize {
    values.map(|v| v.chars().count()).max().unwrap_or(0)
}

/// Whether a remark is routine (a name made from the mapped value by IP Office's rules, as
/// for most people): shown only when the person is explained, where the trace asks for it.
fn is_routine(reason: &Reason) -> bool {
    matches!(reason, Reason::NameDerived { .. })
}

/// The remarks worth a line in the plan for `p`.
fn remarks(p: &PersonPlan) -> impl Iterator<Item = &Reason> {
    let explained = !p.trace.is_empty();
    p.reasons
        .iter()
        .filter(move |r| explained || !is_routine(r))
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
    render_actions(&mut out, plan, style);
    let skipped: Vec<_> = plan
        .people
        .iter()
        .filter(|p| remarks(p).next().is_some())
        .collect();
    render_remarks(&mut out, &skipped, style);
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
    if let Some(d) = plan.system_directory.as_ref().filter(|d| d.wanted > 0) {
        let _ = writeln!(
            out,
            "\n{}  {} records after the plan, of IP Office's {}",
            style.bold("System directory"),
            d.records,
            d.limit
        );
    }
    let directory_held = plan.system_directory.as_ref().filter(|d| d.is_held());
    if let Some(d) = directory_held {
        let _ = writeln!(out, "{} {}", style.red("HELD"), d.message());
    }
    if let Some(h) = &plan.held_removals {
        let _ = writeln!(out, "\n{} {}", style.red("HELD"), h.message());
    }
    for n in &plan.notes {
        if plan
            .held_removals
            .as_ref()
            .is_some_and(|h| &h.message() == n)
            || directory_held.is_some_and(|d| &d.message() == n)
        {
            continue;
        }
        let _ = writeln!(out, "note: {n}");
    }
    crate::teams::render_teams_plan(&mut out, &plan.teams, style);
    if let Some(script) = plan.teams_script() {
        let _ = writeln!(
            out,
            "\n{} (not applied by the sync: its rules say `provisioning = \"script\"`)\n{script}",
            style.bold("Teams PowerShell for the administrator"),
        );
    }
    out
}

/// The actions table, with each action's field changes.
fn render_actions(out: &mut String, plan: &Plan, style: Style) {
    if plan.actions.is_empty() {
        let _ = writeln!(
            out,
            "  {}",
            style.green("nothing to write: IP Office is in sync")
        );
    } else {
        let records: Vec<String> = plan.actions.iter().map(|a| a.record.to_string()).collect();
        let kw = width(
            plan.actions
                .iter()
                .map(|a| kind_label(a.kind))
                .chain(["ACTION"]),
        );
        let rw = width(records.iter().map(String::as_str).chain(["RECORD"]));
        let _ = writeln!(out, "  {} {} CHANGES", pad("ACTION", kw), pad("RECORD", rw));
        for (a, record) in plan.actions.iter().zip(&records) {
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
                style.red(&pad(label, kw))
            } else {
                style.green(&pad(label, kw))
            };
            let line = format!("  {label} {} {changes}", pad(record, rw));
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
}

/// The people with remarks, one line per remark.
fn render_remarks(out: &mut String, skipped: &[&crate::plan::PersonPlan], style: Style) {
    if !skipped.is_empty() {
        let _ = writeln!(out, "\n{}", style.bold("People with remarks"));
        let lw = width(skipped.iter().map(|p| p.label.as_str()));
        for p in skipped.iter().copied() {
            for r in remarks(p) {
                // The remark's weight, then what happens to the person: a leaver whose
                // records go is not "skipped".
                let tag = match p.status {
                    _ if r.is_warning() => "warning",
                    PersonStatus::Skipped => "skipped",
                    PersonStatus::Remove => "leaving",
                    _ => "note",
                };
                let tag = style.yellow(&format!("{tag:<7}"));
                let _ = writeln!(out, "  {tag} {} {r}", pad(&p.label, lw));
            }
        }
    }
}

/// One line of transport figures: requests (per edge), retries, throttled answers,
/// re-logins and time waited, e.g.
/// `Transport: 168 requests (Azure AD 123, IP Office 45), 3 retries, 1 throttled, 0 re-logins, waited 1.25 s`.
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
        "Transport: {} (Azure AD {}, IP Office {}), {}, {} throttled, {}, waited {:.2} s",
        plural(total.requests, "request", "requests"),
        t.azure_ad.requests,
        t.ipo.requests,
        plural(total.retries, "retry", "retries"),
        total.throttled,
        plural(total.relogins, "re-login", "re-logins"),
        total.waited.as_secs_f64()
    )
}

impl crate::report::RunSummary {
    /// The run's writes in one line, as [`render_report`] and the program's scheduled runs
    /// print them: planned (per half when Teams had writes through Graph), succeeded, failed,
    /// still running (with Teams writes; planned = succeeded + failed + still running) and
    /// the removals held.
    ///
    /// ```
    /// let summary = sync_engine::RunSummary::default();
    /// assert_eq!(
    ///     summary.writes_line(),
    ///     "0 writes planned, 0 succeeded, 0 failed, 0 removals held"
    /// );
    /// ```
    pub fn writes_line(&self) -> String {
        let (halves, running) = match self.teams.planned {
            0 => (String::new(), String::new()),
            teams => (
                format!(" (IP Office {}, Teams {teams})", self.ipo.planned),
                format!(", {} still running", self.teams.still_running()),
            ),
        };
        let writes = if self.planned == 1 { "write" } else { "writes" };
        format!(
            "{} {writes} planned{halves}, {} succeeded, {} failed{running}, {} removals held",
            self.planned, self.succeeded, self.failed, self.held_removals
        )
    }
}

/// A report as a short table of failures, a summary line and a line of transport figures
/// (requests, retries, throttled answers, re-logins, time waited).
pub fn render_report(report: &Report, style: Style) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let line = format!("Applied: {}", s.writes_line());
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
    let shown: Vec<String> = report
        .items
        .iter()
        .filter(|i| i.error.is_some() || !i.notices.is_empty())
        .map(|i| i.record.to_string())
        .collect();
    let rw = width(shown.iter().map(String::as_str));
    for i in report.failures() {
        if let Some(e) = &i.error {
            let _ = writeln!(
                out,
                "  {} {} {e}",
                style.red("failed"),
                pad(&i.record.to_string(), rw)
            );
        }
    }
    for i in &report.items {
        for n in &i.notices {
            let _ = writeln!(out, "  notice {} {n}", pad(&i.record.to_string(), rw));
        }
    }
    if let Some(teams) = &report.teams {
        crate::teams::render_teams_applied(&mut out, teams, style);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::Changes;
    use crate::plan::Action;
    use crate::record::{RecordKind, RecordRef};

    fn person(id: u32, label: &str, reasons: Vec<Reason>, trace: Vec<String>) -> PersonPlan {
        PersonPlan {
            id: format!("0b000000-0000-4000-8000-{id:012}").parse().unwrap(),
            label: label.to_owned().into(),
            display_name: None,
            user_type: None,
            rule: None,
            ipo_name: None,
            extension: None,
            status: PersonStatus::Skipped,
            reasons,
            trace,
            verdict: None,
        }
    }

    fn plan(actions: Vec<Action>, people: Vec<PersonPlan>) -> Plan {
        Plan {
            actions,
            people,
            licenses: Vec::new(),
            held_removals: None,
            teams: Default::default(),
            system_directory: None,
            notes: Vec::new(),
            state_updates: Vec::new(),
            contact_updates: Vec::new(),
        }
    }

    fn derived() -> Reason {
        Reason::NameDerived {
            from: "ann.lee".into(),
            name: "annlee".parse().unwrap(),
        }
    }

    #[test]
    fn long_labels_are_shown_whole_and_columns_line_up() {
        let long = "someone.with.a.very.long.name@subsidiary.contoso.example";
        let p = plan(
            vec![
                Action {
                    kind: ActionKind::RemoveDirectoryEntry,
                    record: RecordRef::new(RecordKind::SystemDirectoryEntry, "Max Cooper"),
                    person: None,
                    changes: Changes::default(),
                    write: None,
                },
                Action {
                    kind: ActionKind::CreateUser,
                    record: RecordRef::new(RecordKind::User, "ann"),
                    person: None,
                    changes: Changes::default(),
                    write: None,
                },
            ],
            vec![
                person(1, long, vec![Reason::AccountDisabled], vec![]),
                PersonPlan {
                    status: PersonStatus::Remove,
                    ..person(2, "ann@contoso.example", vec![Reason::OutOfScope], vec![])
                },
            ],
        );
        let text = render_plan(&p, Style::default());
        // A leaver whose records go is "leaving", not "skipped".
        let remark = |needle: &str| text.lines().find(|l| l.contains(needle)).unwrap().trim();
        assert!(remark("account disabled").starts_with("skipped"), "{text}");
        assert!(
            remark("in no synced group").starts_with("leaving"),
            "{text}"
        );
        assert!(text.contains(long), "{text}");
        assert!(text.contains("remove directory entry"), "{text}");
        assert!(!text.contains("dir."), "no abbreviations: {text}");
        let col = |needle: &str| {
            let line = text.lines().find(|l| l.contains(needle)).unwrap();
            line.find(needle).unwrap()
        };
        assert_eq!(col("account disabled"), col("in no synced group"), "{text}");
        let action_line = |prefix: &str| text.lines().find(|l| l.contains(prefix)).unwrap();
        let rec_col = |l: &str, rec: &str| l.find(rec).unwrap();
        assert_eq!(
            rec_col(action_line("remove directory entry"), "directory entry Max"),
            rec_col(action_line("create user"), "user ann"),
            "{text}"
        );
    }

    #[test]
    fn routine_name_derivations_show_only_when_explained() {
        let quiet = plan(
            vec![],
            vec![person(
                1,
                "ann.lee@contoso.example",
                vec![derived()],
                vec![],
            )],
        );
        let text = render_plan(&quiet, Style::default());
        assert!(!text.contains("derived from"), "{text}");
        assert!(!text.contains("People with remarks"), "{text}");
        let explained = plan(
            vec![],
            vec![person(
                1,
                "ann.lee@contoso.example",
                vec![derived()],
                vec!["scope: in group IP Office users".into()],
            )],
        );
        let text = render_plan(&explained, Style::default());
        assert!(
            text.contains("name derived from ann.lee -> annlee"),
            "{text}"
        );
    }

    #[test]
    fn the_applied_line_counts_both_halves_alike() {
        use crate::report::WriteCounts;
        let mut report = Report::default();
        report
            .summary
            .count(WriteCounts::new(3, 3, 0), WriteCounts::default());
        let text = render_report(&report, Style::default());
        assert!(
            text.starts_with("Applied: 3 writes planned, 3 succeeded, 0 failed, 0 removals held\n"),
            "{text}"
        );
        // Teams: 2 done, 1 failed, 1 still running of 4.
        report
            .summary
            .count(WriteCounts::new(3, 2, 1), WriteCounts::new(4, 2, 1));
        let text = render_report(&report, Style::default());
        assert!(
            text.starts_with(
                "Applied: 7 writes planned (IP Office 3, Teams 4), 4 succeeded, 2 failed, \
                 1 still running, 0 removals held\n"
            ),
            "{text}"
        );
    }
}
