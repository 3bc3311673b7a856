//! The Teams half on the page: a plan's Teams writes (old -> new, through Microsoft Graph or
//! the PowerShell script) and holds, on each person's line and in their own section; an
//! apply's outcomes, what Teams holds afterwards and the warnings with their remedies.

use crate::html::Html;
use crate::teams::{TeamsAppliedView, TeamsPlanView, TeamsWriteLine};
use crate::view::Row;

/// What a line's Teams filter matches: `graph` / `script` for its writes, `held` for a
/// hold (space-separated, each once).
pub(crate) fn tokens(r: &Row) -> String {
    let mut out: Vec<&str> = Vec::new();
    for via in r.teams.iter().map(|w| w.via.as_str()) {
        if !out.contains(&via) {
            out.push(via);
        }
    }
    if r.teams_held {
        out.push("held");
    }
    out.join(" ")
}

/// A value or a dash for nothing.
fn or_nothing(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("—")
}

/// A person's Teams writes on their line, one item each: "Teams (Microsoft Graph): number
/// old → new".
pub(crate) fn row_writes(h: &mut Html, writes: &[TeamsWriteLine]) {
    if writes.is_empty() {
        return;
    }
    h.open("ul", &[("class", "teams-writes")]);
    for w in writes {
        h.open("li", &[("data-via", &w.via)]);
        h.text(&format!("Teams ({}): ", w.via_label));
        h.el("b", &[], &w.what).text(" ");
        h.el("span", &[("class", "old")], or_nothing(&w.old))
            .text(" → ")
            .el("span", &[("class", "new")], or_nothing(&w.new));
        h.close("li");
    }
    h.close("ul");
}

/// The plan's Teams section: every write and every hold.
pub(crate) fn plan(h: &mut Html, t: &TeamsPlanView) {
    h.open("section", &[("id", "teams-plan"), ("class", "card")]);
    h.el("h2", &[], "Teams: Direct Routing numbers and policies");
    h.el(
        "p",
        &[("class", "caption")],
        "Writes through Microsoft Graph are made by the sync; PowerShell script writes are \
         for an administrator to run (the script is below).",
    );
    h.open("table", &[("id", "teams-writes")]);
    h.raw(
        "<thead><tr><th>Person</th><th>Through</th><th>Write</th><th>Teams now</th>\
         <th>After</th></tr></thead><tbody>",
    );
    for w in &t.writes {
        h.open("tr", &[("data-via", &w.via)]);
        h.el("td", &[], &w.label);
        h.el("td", &[], &w.via_label);
        h.el("td", &[], &w.write);
        h.el("td", &[("class", "old")], or_nothing(&w.old));
        h.el("td", &[("class", "new")], or_nothing(&w.new));
        h.close("tr");
    }
    h.raw("</tbody></table>");
    if !t.held.is_empty() {
        h.el("h3", &[], "Held back, and what fixes it");
        h.open("table", &[("id", "teams-held")]);
        h.raw("<thead><tr><th>Person</th><th>Problem</th><th>What to do</th></tr></thead><tbody>");
        for held in &t.held {
            h.open("tr", &[("data-problem", &held.note.code)]);
            h.el("td", &[], &held.label);
            h.el("td", &[], &crate::view::label(&held.note.code));
            h.el("td", &[("class", "fix")], &held.note.text);
            h.close("tr");
        }
        h.raw("</tbody></table>");
    }
    h.close("section");
}

/// The apply's Teams section: how each write went, what Teams holds now, the warnings.
pub(crate) fn applied(h: &mut Html, a: &TeamsAppliedView) {
    h.open("section", &[("id", "teams-applied"), ("class", "card")]);
    h.el("h2", &[], "Teams: how the writes went");
    h.open("ul", &[("class", "counts")]);
    for (id, label, result) in [
        ("count-teams_done", "Done", "done"),
        ("count-teams_failed", "Failed", "failed"),
        (
            "count-teams_still_running",
            "Still running",
            "still_running",
        ),
    ] {
        h.open("li", &[]);
        h.el("b", &[("id", id)], &a.count(result).to_string());
        h.text(label);
        h.close("li");
    }
    h.close("ul");
    outcomes(h, a);
    read_back(h, a);
    if !a.warnings.is_empty() {
        h.el("h3", &[("class", "state-warn")], "Needs an administrator");
        h.open("ul", &[("id", "teams-warnings")]);
        for (label, warning) in &a.warnings {
            h.open("li", &[]);
            h.el("b", &[], label).text(": ");
            h.el("span", &[("class", "fix")], warning);
            h.close("li");
        }
        h.close("ul");
    }
    h.close("section");
}

fn outcomes(h: &mut Html, a: &TeamsAppliedView) {
    h.open("table", &[("id", "teams-outcomes")]);
    h.raw("<thead><tr><th>Person</th><th>Write</th><th>Result</th></tr></thead><tbody>");
    for o in &a.outcomes {
        let class = match o.result {
            "done" => "state-ok",
            "failed" => "state-bad",
            _ => "state-warn",
        };
        h.open("tr", &[("data-result", o.result)]);
        h.el("td", &[], &o.label);
        h.el("td", &[], &o.write);
        h.el("td", &[("class", class)], &o.text);
        h.close("tr");
    }
    h.raw("</tbody></table>");
}

fn read_back(h: &mut Html, a: &TeamsAppliedView) {
    h.el("h3", &[], "What Teams holds now (read back)");
    h.open("table", &[("id", "teams-read-back")]);
    h.raw(
        "<thead><tr><th>Person</th><th>Numbers</th><th>Enterprise Voice</th>\
         <th>Policies in effect</th></tr></thead><tbody>",
    );
    for r in &a.read_back {
        h.open("tr", &[]);
        h.el("td", &[], &r.label);
        h.el("td", &[], &r.numbers.join(", "));
        let class = if r.enterprise_voice == "on" {
            "state-ok"
        } else {
            "state-bad"
        };
        h.el("td", &[("class", class)], r.enterprise_voice);
        h.el("td", &[], &r.policies.join("; "));
        h.close("tr");
    }
    h.raw("</tbody></table>");
}
