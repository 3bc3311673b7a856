//! The document around the sections: the CSP meta tag first in `<head>` (so it governs
//! everything after it), the one style sheet, the one script at the end of `<body>`.

use crate::Options;
use crate::csp;
use crate::html::Html;
use crate::view::{Kind, View};
use crate::{summary, table, teams_section};

pub(crate) fn render(v: &View, options: &Options) -> String {
    let default_title = match v.kind {
        Kind::Classification => "IP Office and Teams: who is which user type",
        Kind::Plan => "IP Office sync: plan (nothing written yet)",
        Kind::Apply => "IP Office sync: what was applied",
    };
    let title = options.title.as_deref().unwrap_or(default_title);
    let mut h = Html::new();
    h.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.void(
        "meta",
        &[
            ("http-equiv", "Content-Security-Policy"),
            ("content", &csp::policy()),
        ],
    );
    h.raw(
        "<meta name=\"referrer\" content=\"no-referrer\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
    );
    h.el("title", &[], title);
    h.raw("<style>")
        .raw(csp::STYLE)
        .raw("</style></head><body>");

    h.open("header", &[]);
    h.el("h1", &[], title);
    h.open("p", &[("class", "meta")]);
    h.el(
        "span",
        &[("id", "report-kind")],
        match v.kind {
            Kind::Classification => "Classification",
            Kind::Plan => "Plan (dry run)",
            Kind::Apply => "Apply",
        },
    );
    if let Some(system) = &options.system {
        h.text(" · ");
        h.text(system);
    }
    if let Some(generated) = &options.generated {
        h.text(" · generated ");
        h.text(generated);
    }
    h.close("p");
    h.close("header");

    h.open("main", &[]);
    summary::write(&mut h, v);
    if !v.notes.is_empty() {
        h.open("section", &[("id", "notes"), ("class", "card")]);
        h.el("h2", &[], "Notes");
        h.open("ul", &[]);
        for n in &v.notes {
            h.el("li", &[], n);
        }
        h.close("ul");
        h.close("section");
    }
    if let Some(t) = &v.teams {
        teams_section::plan(&mut h, t);
    }
    if let Some(a) = &v.teams_applied {
        teams_section::applied(&mut h, a);
    }
    if let Some(script) = &v.teams_script {
        h.open("section", &[("id", "teams"), ("class", "card")]);
        h.el(
            "h2",
            &[],
            "Teams PowerShell (not applied: review, then run)",
        );
        h.el(
            "button",
            &[("type", "button"), ("id", "copy-script"), ("hidden", "")],
            "Copy",
        );
        h.open("pre", &[]);
        h.el("code", &[("id", "teams-script")], script);
        h.close("pre");
        h.close("section");
    }
    table::write(&mut h, &v.rows);
    h.close("main");
    h.raw(
        "<footer>Made by ipo-teams. Login and voicemail codes are never shown. \
         This file loads nothing: it works offline and as an attachment.</footer>",
    );
    h.raw("<script>")
        .raw(csp::SCRIPT)
        .raw("</script></body></html>\n");
    h.finish()
}
