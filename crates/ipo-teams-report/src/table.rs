//! Every person's line, with the filters (by type, action, problem, Teams writes and name) the
//! script drives. The controls start hidden: without scripts the table is simply complete.

use std::collections::BTreeSet;

use ipo_model::UserType;

use crate::html::Html;
use crate::teams_section;
use crate::view::{self, Change, Level, Row, type_code};

pub(crate) fn write(h: &mut Html, rows: &[Row]) {
    h.open("section", &[("id", "people-section")]);
    h.el("h2", &[], "Every person");
    filters(h, rows);
    h.raw("<noscript><p>Filters need scripts; every line is shown.</p></noscript>");
    h.open("p", &[("class", "meta")]);
    h.text("Showing ");
    h.el("span", &[("id", "shown")], &rows.len().to_string());
    h.text(&format!(" of {} people.", rows.len()));
    h.close("p");
    h.open("table", &[("id", "people")]);
    h.raw(
        "<thead><tr><th>Person</th><th>Current type</th><th>Target type</th><th>Action</th>\
         <th>Changes (old → new)</th><th>Reasons</th></tr></thead><tbody>",
    );
    for r in rows {
        row(h, r);
    }
    h.raw("</tbody></table>");
    h.close("section");
}

fn filters(h: &mut Html, rows: &[Row]) {
    h.open(
        "form",
        &[("id", "filters"), ("hidden", ""), ("autocomplete", "off")],
    );
    h.open("label", &[]).text("Type");
    h.open("select", &[("name", "type")]);
    h.el("option", &[("value", "")], "All");
    for t in UserType::ALL {
        h.el("option", &[("value", type_code(Some(t)))], &t.to_string());
    }
    h.el("option", &[("value", "none")], "No type");
    h.close("select").close("label");

    let actions: BTreeSet<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    h.open("label", &[]).text("Action");
    h.open("select", &[("name", "action")]);
    h.el("option", &[("value", "")], "All");
    for a in actions {
        h.el("option", &[("value", a)], &view::label(a));
    }
    h.close("select").close("label");

    let problems: BTreeSet<&str> = rows
        .iter()
        .flat_map(|r| r.notes.iter().map(|n| n.code.as_str()))
        .collect();
    h.open("label", &[]).text("Problem");
    h.open("select", &[("name", "problem")]);
    h.el("option", &[("value", "")], "All");
    for p in problems {
        h.el("option", &[("value", p)], &view::label(p));
    }
    h.close("select").close("label");

    teams_filter(h, rows);

    h.open("label", &[]).text("Name");
    h.void(
        "input",
        &[
            ("type", "search"),
            ("name", "q"),
            ("placeholder", "name, user or extension"),
        ],
    );
    h.close("label");
    h.close("form");
}

/// The Teams filter, when a line has a Teams write or hold: lines with writes through
/// Microsoft Graph, through the script, or held back.
fn teams_filter(h: &mut Html, rows: &[Row]) {
    if rows.iter().all(|r| r.teams.is_empty() && !r.teams_held) {
        return;
    }
    h.open("label", &[]).text("Teams");
    h.open("select", &[("name", "teams")]);
    h.el("option", &[("value", "")], "All");
    for (value, label) in [
        ("graph", "Writes through Microsoft Graph"),
        ("script", "Writes in the PowerShell script"),
        ("held", "Held back"),
    ] {
        h.el("option", &[("value", value)], label);
    }
    h.close("select").close("label");
}

fn type_cell(h: &mut Html, t: Option<UserType>) {
    match t {
        Some(t) => h.el("td", &[], &t.to_string()),
        None => h.el("td", &[], "—"),
    };
}

fn row(h: &mut Html, r: &Row) {
    let problems = r
        .notes
        .iter()
        .map(|n| n.code.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let mut search = r.name.to_lowercase();
    // Teams writes are found by what they give (a number, a policy's name) too.
    let teams_new = r.teams.iter().filter_map(|w| w.new.as_ref());
    for extra in [&r.display_name, &r.ipo_name, &r.extension]
        .into_iter()
        .flatten()
        .chain(teams_new)
    {
        search.push(' ');
        search.push_str(&extra.to_lowercase());
    }
    h.open(
        "tr",
        &[
            ("data-current", type_code(r.current)),
            ("data-target", type_code(r.target)),
            ("data-action", &r.action),
            ("data-problems", &problems),
            ("data-teams", &teams_section::tokens(r)),
            ("data-search", &search),
        ],
    );
    h.open("td", &[]);
    // The name a person knows first, then the UPN, IP Office name and extension.
    let shown_first = r.display_name.as_ref().unwrap_or(&r.name);
    h.el("b", &[], shown_first);
    let upn = r.display_name.as_ref().map(|_| &r.name);
    let detail: Vec<&str> = [upn, r.ipo_name.as_ref(), r.extension.as_ref()]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    if !detail.is_empty() {
        h.raw("<br>");
        h.el("small", &[], &detail.join(" · "));
    }
    h.close("td");
    type_cell(h, r.current);
    type_cell(h, r.target);
    let class = match r.action.as_str() {
        "skipped" | "blocked" => "a-skipped",
        "create" => "a-create",
        "remove" => "a-remove",
        _ => "",
    };
    h.el("td", &[("class", class)], &view::label(&r.action));
    h.open("td", &[]);
    changes(h, &r.changes);
    teams_section::row_writes(h, &r.teams);
    h.close("td");
    h.open("td", &[]);
    if !r.notes.is_empty() {
        h.open("ul", &[]);
        for n in &r.notes {
            let class = match n.level {
                Level::Blocking => "error",
                Level::Warning => "warning",
                Level::Info => "info",
            };
            h.el("li", &[("class", class), ("data-code", &n.code)], &n.text);
        }
        h.close("ul");
    }
    h.close("td");
    h.close("tr");
}

/// A line's writes, one item each with its field changes: a field set from nothing shows
/// its value alone (a first sync is all such), a changed one old -> new. Kept lean: a
/// 10,000-person page carries tens of thousands of them.
fn changes(h: &mut Html, changes: &[Change]) {
    if changes.is_empty() {
        return;
    }
    h.open("ul", &[]);
    let mut write: Option<&str> = None;
    for c in changes {
        if write == Some(c.write.as_str()) {
            h.text(", ");
        } else {
            if write.is_some() {
                h.close("li");
            }
            h.open("li", &[]).text(&c.write);
            write = Some(&c.write);
            if !c.field.is_empty() {
                h.text(": ");
            }
        }
        if c.field.is_empty() {
            continue;
        }
        h.el("b", &[], &c.field).text(" ");
        let new = c.new.as_deref().unwrap_or("(empty)");
        match &c.old {
            None => h.text(new),
            Some(old) => h.el("span", &[("class", "old")], old).text(" → ").el(
                "span",
                &[("class", "new")],
                new,
            ),
        };
    }
    h.close("li").close("ul");
}
