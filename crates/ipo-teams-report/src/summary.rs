//! The top of the page, the way an administrator scans it: the three user types, who is
//! blocked and by what, licences, the deletion threshold, restarts, and an apply's results.

use sync_engine::WriteCounts;

use crate::chart::{self, Bar};
use crate::html::Html;
use crate::view::{self, Applied, Directory, Group, Licence, Restart, Threshold, View, type_code};

pub(crate) fn write(h: &mut Html, v: &View) {
    h.open("section", &[("class", "cards"), ("id", "summary")]);
    types(h, v);
    // What needs attention, by level: who is kept out, then who is synced with a warning.
    groups(
        h,
        ("blocked", "Blocked, and what fixes it"),
        "Nobody is blocked.",
        &v.blocked,
    );
    groups(
        h,
        ("warnings", "Warnings (synced, but needing attention)"),
        "No warnings.",
        &v.warnings,
    );
    if let Some(l) = &v.licences {
        licences(h, l);
    }
    if let Some(t) = &v.threshold {
        threshold(h, t);
    }
    if let Some(r) = &v.restart {
        restart(h, r);
    }
    if let Some(d) = &v.directory {
        directory(h, d);
    }
    if let Some(a) = &v.applied {
        applied(h, a);
    }
    h.close("section");
}

fn card(h: &mut Html, id: &'static str, title: &str) {
    // The apply card holds the transport table: it gets the page's width.
    let class = if id == "applied" { "card wide" } else { "card" };
    h.open("div", &[("class", class), ("id", id)]);
    h.el("h2", &[], title);
}

fn types(h: &mut Html, v: &View) {
    card(h, "types", "User types");
    h.el("p", &[("class", "caption")], v.per_type_caption);
    h.open("ul", &[("class", "counts")]);
    for (i, (t, n)) in v.per_type.iter().enumerate() {
        let code = type_code(Some(*t));
        h.open("li", &[]);
        h.el("b", &[("id", &format!("count-{code}"))], &n.to_string());
        h.text(&t.to_string());
        if let Some((_, now)) = v.per_type_now.as_ref().and_then(|now| now.get(i)) {
            h.raw("<br>");
            h.el(
                "small",
                &[("id", &format!("now-{code}"))],
                &format!("now {now}"),
            );
        }
        h.close("li");
    }
    h.close("ul");
    h.open("ul", &[("class", "counts")]);
    for (id, label, n) in &v.counts {
        let id = format!("count-{id}");
        h.open("li", &[]);
        h.el("b", &[("id", &id)], &n.to_string());
        h.text(label);
        h.close("li");
    }
    h.close("ul");
    let bars: Vec<Bar> = v
        .per_type
        .iter()
        .map(|(t, n)| Bar {
            label: t.to_string(),
            value: *n as u64,
            class: match type_code(Some(*t)) {
                "ip_office_only" => "t-ip_office_only",
                "teams_only" => "t-teams_only",
                "teams_and_ip_office" => "t-teams_and_ip_office",
                _ => "t-none",
            },
        })
        .collect();
    chart::bars(h, "types-chart", "People per user type", &bars, 0);
    h.close("div");
}

/// A card of people grouped by problem, each with the sentence that says what to do.
fn groups(h: &mut Html, (id, title): (&'static str, &str), none: &str, groups: &[Group]) {
    card(h, id, title);
    if groups.is_empty() {
        h.el("p", &[("class", "state-ok")], none);
    }
    for g in groups {
        h.open("details", &[("open", ""), ("data-problem", &g.code)]);
        h.open("summary", &[]);
        h.el("b", &[], &view::label(&g.code));
        h.text(&format!(" — {} ", g.people.len()));
        h.text(if g.people.len() == 1 {
            "person"
        } else {
            "people"
        });
        h.close("summary");
        h.open("ul", &[]);
        for (name, text) in &g.people {
            h.open("li", &[]);
            h.el("b", &[], name);
            h.text(": ");
            h.el("span", &[("class", "fix")], text);
            h.close("li");
        }
        h.close("ul");
        h.close("details");
    }
    h.close("div");
}

fn licences(h: &mut Html, lines: &[Licence]) {
    card(h, "licences", "Licence forecast per profile");
    if lines.is_empty() {
        h.el(
            "p",
            &[("class", "state-ok")],
            "The plan assigns no licensed profile.",
        );
        h.close("div");
        return;
    }
    let mut bars = Vec::new();
    for l in lines {
        bars.push(Bar {
            label: format!("{} needed", l.profile),
            value: l.needed.into(),
            class: if l.short() { "need short" } else { "need" },
        });
        bars.push(Bar {
            label: format!("{} free", l.profile),
            value: l.free.into(),
            class: "free",
        });
    }
    chart::bars(
        h,
        "licence-chart",
        "Licences needed against free, per profile",
        &bars,
        2,
    );
    h.open("table", &[]);
    h.raw("<thead><tr><th>Profile</th><th>Needed</th><th>Free</th><th>Not assigned</th></tr></thead><tbody>");
    for l in lines {
        h.open(
            "tr",
            &[("class", if l.short() { "short-text" } else { "" })],
        );
        h.el("td", &[], &l.profile);
        h.el("td", &[], &l.needed.to_string());
        h.el("td", &[], &l.free.to_string());
        h.el("td", &[], &l.dropped.to_string());
        h.close("tr");
    }
    h.raw("</tbody></table>");
    h.close("div");
}

/// The system directory's records against IP Office's limit, and the directory writes no
/// person's line shows (the organisation's contacts).
fn directory(h: &mut Html, d: &Directory) {
    card(h, "directory", "System directory");
    match &d.held {
        None => h.el(
            "p",
            &[("class", "state-ok")],
            &format!(
                "{} records after the plan, of IP Office's {}.",
                d.records, d.limit
            ),
        ),
        Some(message) => {
            h.el(
                "p",
                &[("class", "state-bad")],
                &format!(
                    "Held: {} records wanted, IP Office holds {}.",
                    d.wanted, d.limit
                ),
            );
            h.el("p", &[], message)
        }
    };
    if !d.other_writes.is_empty() {
        h.el(
            "h3",
            &[],
            "Entries of contacts and people outside the rules",
        );
        h.open("ul", &[("id", "directory-writes")]);
        for c in &d.other_writes {
            let text = match (&c.old, &c.new) {
                _ if c.field.is_empty() => c.write.clone(),
                (old, new) => format!(
                    "{}: {} {} → {}",
                    c.write,
                    c.field,
                    old.as_deref().unwrap_or("-"),
                    new.as_deref().unwrap_or("-")
                ),
            };
            h.el("li", &[], &text);
        }
        h.close("ul");
    }
    h.close("div");
}

fn threshold(h: &mut Html, t: &Threshold) {
    card(h, "threshold", "Deletion threshold");
    match t {
        Threshold::Within { removals } => {
            h.el(
                "p",
                &[("class", "state-ok")],
                "Within the threshold: nothing is held.",
            );
            h.el(
                "p",
                &[],
                &format!("{removals} removals (delete or disable) planned."),
            );
        }
        Threshold::Held {
            count,
            threshold,
            managed,
            message,
        } => {
            h.el(
                "p",
                &[("class", "state-bad")],
                &format!(
                    "Held: {count} removals, threshold {threshold} of {managed} managed users."
                ),
            );
            h.el("p", &[], message);
        }
    }
    h.close("div");
}

fn restart(h: &mut Html, r: &Restart) {
    card(h, "restart", "IP Office restart");
    match r {
        Restart::Unknown => {
            h.el(
                "p",
                &[("class", "state-warn")],
                "Known after apply: IP Office says with each write whether it needs a restart.",
            );
        }
        Restart::Known { notices } if notices.is_empty() => {
            h.el(
                "p",
                &[("class", "state-ok")],
                "No restart needed: IP Office asked for none.",
            );
        }
        Restart::Known { notices } => {
            h.el("p", &[("class", "state-bad")], "IP Office needs a restart:");
            h.open("ul", &[]);
            for n in notices {
                h.el("li", &[], n);
            }
            h.close("ul");
        }
    }
    h.close("div");
}

/// The counts per half (IP Office, Teams), which add up to the card's.
fn halves(h: &mut Html, halves: &[(&'static str, WriteCounts)]) {
    if halves.is_empty() {
        return;
    }
    h.open("table", &[("id", "apply-halves")]);
    h.raw("<thead><tr><th>Writes</th><th>Planned</th><th>Succeeded</th><th>Failed</th><th>Still running</th></tr></thead><tbody>");
    for (half, c) in halves {
        h.open("tr", &[]);
        h.el("td", &[], half);
        for n in [c.planned, c.succeeded, c.failed, c.still_running()] {
            h.el("td", &[], &n.to_string());
        }
        h.close("tr");
    }
    h.raw("</tbody></table>");
}

fn applied(h: &mut Html, a: &Applied) {
    card(h, "applied", "Apply");
    h.open("ul", &[("class", "counts")]);
    let t = &a.total;
    // Still running only with a Teams half: IP Office's writes all end within the run.
    let running = (!a.halves.is_empty()).then_some((
        "count-still_running",
        "Still running",
        t.still_running(),
    ));
    let counts = [
        Some(("count-planned", "Planned", t.planned)),
        Some(("count-succeeded", "Succeeded", t.succeeded)),
        Some(("count-failed", "Failed", t.failed)),
        running,
        Some(("count-held", "Held removals", a.held)),
    ];
    for (id, label, n) in counts.into_iter().flatten() {
        h.open("li", &[]);
        h.el("b", &[("id", id)], &n.to_string());
        h.text(label);
        h.close("li");
    }
    h.close("ul");
    halves(h, &a.halves);
    h.el(
        "p",
        &[],
        if a.incremental {
            "Incremental run (directory changes only)."
        } else {
            "Full run."
        },
    );
    if let Some(r) = &a.full_resync_reason {
        h.el(
            "p",
            &[("class", "state-warn")],
            &format!("Full resync: {r}"),
        );
    }
    if let Some(r) = &a.contacts_full_resync_reason {
        h.el(
            "p",
            &[("class", "state-warn")],
            &format!("Contacts read in full: {r}"),
        );
    }
    h.open("table", &[("id", "transport")]);
    h.raw("<thead><tr><th>Edge</th><th>Requests</th><th>Retries</th><th>Throttled</th><th>Re-logins</th><th>Waited (s)</th></tr></thead><tbody>");
    for (edge, req, retries, throttled, relogins, waited) in &a.transport {
        h.open("tr", &[]);
        h.el("td", &[], edge);
        for n in [req, retries, throttled, relogins] {
            h.el("td", &[], &n.to_string());
        }
        h.el("td", &[], &format!("{waited:.1}"));
        h.close("tr");
    }
    h.raw("</tbody></table>");
    if !a.failures.is_empty() {
        h.el("h2", &[("class", "state-bad")], "Failed writes");
        h.open("ul", &[("id", "failures")]);
        for (record, error) in &a.failures {
            h.open("li", &[]);
            h.el("b", &[], record);
            h.text(": ");
            h.text(error);
            h.close("li");
        }
        h.close("ul");
    }
    h.close("div");
}
