//! The Teams half on the pages, parsed with an HTML5 parser: the demo run through the engine
//! with its Teams rules provisioned through Microsoft Graph (an in-memory Teams tenant), so
//! the plan has Graph writes and holds and the apply their outcomes and read-back. Every
//! Teams line on the page equals the plan's or the report's, and hostile Teams values stay
//! text.

mod support;

use ipo_teams_report::{Options, render_apply, render_classification, render_plan};
use scraper::{ElementRef, Html};
use support::dom::{sel, shape, text_of};
use sync_engine::teams::{ENTERPRISE_VOICE_OFF, TeamsResult, TeamsWrite};
use usertype_rules::TeamsProvisioning;

fn cells(row: &ElementRef<'_>) -> Vec<String> {
    row.select(&sel("td")).map(|c| c.text().collect()).collect()
}

fn rows<'a>(doc: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    doc.select(&sel(css)).collect()
}

/// What the page shows for a value the plan leaves empty.
fn shown(v: Option<&str>) -> String {
    v.unwrap_or("—").to_owned()
}

/// The value a write leaves.
fn new_value(w: &TeamsWrite) -> Option<String> {
    match w {
        TeamsWrite::AssignNumber { number } => Some(number.to_string()),
        TeamsWrite::AssignPolicy { name, .. } => Some(name.clone()),
        _ => None,
    }
}

#[test]
fn plan_page_lists_every_teams_write_and_hold_as_the_plan_has_them() {
    let demo = support::demo_with_teams();
    let teams = &demo.plan.teams;
    let graph = teams.actions_by(TeamsProvisioning::Graph).count();
    let script = teams.actions_by(TeamsProvisioning::Script).count();
    assert!(
        graph > 0 && script > 0,
        "the demo writes through Graph and the script"
    );
    assert!(!teams.held.is_empty(), "the demo holds Teams writes back");
    let doc = Html::parse_document(&render_plan(&demo.plan, &Options::new()));
    let writes = rows(&doc, "#teams-writes tbody tr");
    assert_eq!(writes.len(), teams.actions.len());
    for (row, a) in writes.iter().zip(&teams.actions) {
        let via = match a.provisioning {
            TeamsProvisioning::Graph => "graph",
            _ => "script",
        };
        assert_eq!(row.value().attr("data-via"), Some(via));
        assert_eq!(
            cells(row),
            [
                a.label.clone(),
                a.provisioning.to_string(),
                a.write.to_string(),
                shown(a.old.as_deref()),
                shown(new_value(&a.write).as_deref()),
            ]
        );
    }
    let held = rows(&doc, "#teams-held tbody tr");
    assert_eq!(held.len(), teams.held.len());
    for (row, h) in held.iter().zip(&teams.held) {
        assert_eq!(row.value().attr("data-problem"), Some(h.problem.code()));
        let c = cells(row);
        assert_eq!((&c[0], &c[2]), (&h.label, &h.problem.to_string()));
    }
    assert_eq!(
        text_of(&doc, "#count-teams_writes"),
        teams.actions.len().to_string()
    );
    assert_eq!(
        text_of(&doc, "#count-teams_held"),
        teams.held.len().to_string()
    );
    // The script block holds the script writes, as before; the Graph writes are the sync's.
    let block = text_of(&doc, "#teams-script");
    assert_eq!(Some(block.clone()), demo.plan.teams_script());
    for a in &teams.actions {
        let in_script = block.contains(&a.label);
        assert_eq!(
            in_script,
            a.provisioning == TeamsProvisioning::Script,
            "{}",
            a.label
        );
    }
}

#[test]
fn each_persons_line_carries_their_teams_writes_and_holds_for_the_filters() {
    let demo = support::demo_with_teams();
    let plan = &demo.plan;
    let doc = Html::parse_document(&render_plan(plan, &Options::new()));
    let lines = rows(&doc, "#people tbody tr");
    assert_eq!(lines.len(), plan.people.len());
    let (mut with_writes, mut with_holds) = (0, 0);
    for (line, p) in lines.iter().zip(&plan.people) {
        let writes: Vec<_> = plan
            .teams
            .actions
            .iter()
            .filter(|a| a.person == p.id)
            .collect();
        let items: Vec<String> = line
            .select(&sel("ul.teams-writes li"))
            .map(|li| li.text().collect())
            .collect();
        assert_eq!(items.len(), writes.len(), "{}", p.label);
        for (item, a) in items.iter().zip(&writes) {
            let new = shown(new_value(&a.write).as_deref());
            let old = shown(a.old.as_deref());
            assert!(
                item.starts_with(&format!("Teams ({}): ", a.provisioning))
                    && item.ends_with(&format!("{old} → {new}")),
                "{item}"
            );
        }
        let holds: Vec<_> = plan
            .teams
            .held
            .iter()
            .filter(|h| h.person == p.id)
            .collect();
        let problems = line.value().attr("data-problems").unwrap_or_default();
        for h in &holds {
            assert!(
                problems.split(' ').any(|c| c == h.problem.code()),
                "{problems}"
            );
            let note = line
                .select(&sel(&format!("li[data-code={}]", h.problem.code())))
                .next()
                .unwrap_or_else(|| panic!("{}: no note for the hold", p.label));
            assert_eq!(note.text().collect::<String>(), h.problem.to_string());
        }
        // The Teams filter's tokens: the kinds of write the line has, and whether one is held.
        let mut tokens: Vec<&str> = Vec::new();
        for (via, token) in [
            (TeamsProvisioning::Graph, "graph"),
            (TeamsProvisioning::Script, "script"),
        ] {
            if writes.iter().any(|a| a.provisioning == via) {
                tokens.push(token);
            }
        }
        if !holds.is_empty() {
            tokens.push("held");
        }
        assert_eq!(
            line.value().attr("data-teams"),
            Some(tokens.join(" ").as_str())
        );
        // The name search finds a line by what its Teams writes give, too.
        let search = line.value().attr("data-search").unwrap_or_default();
        for a in &writes {
            if let Some(new) = new_value(&a.write) {
                assert!(search.contains(&new.to_lowercase()), "{search}");
            }
        }
        with_writes += usize::from(!writes.is_empty());
        with_holds += usize::from(!holds.is_empty());
    }
    assert!(with_writes > 0 && with_holds > 0);
    // The filter offers the Teams choices.
    let options: Vec<&str> = doc
        .select(&sel("select[name=teams] option"))
        .filter_map(|o| o.value().attr("value"))
        .collect();
    assert_eq!(options, ["", "graph", "script", "held"]);
}

#[test]
fn apply_page_shows_how_each_teams_write_went_what_teams_holds_and_the_warnings() {
    let demo = support::demo_with_teams();
    let applied = demo
        .report
        .teams
        .as_ref()
        .expect("the apply wrote to Teams");
    // As the engine ran it: every write done, Sophia Hall's Enterprise Voice still off.
    assert!(
        applied
            .outcomes
            .iter()
            .all(|o| o.result == TeamsResult::Done)
    );
    assert!(
        applied
            .warnings
            .iter()
            .any(|(_, w)| w == ENTERPRISE_VOICE_OFF),
        "{:?}",
        applied.warnings
    );
    let report = support::teams::with_failed_and_running(&demo.report);
    let applied = report.teams.as_ref().expect("Teams outcomes");
    let doc = Html::parse_document(&render_apply(&demo.applied, &report, &Options::new()));
    let outcomes = rows(&doc, "#teams-outcomes tbody tr");
    assert_eq!(outcomes.len(), applied.outcomes.len());
    for (row, o) in outcomes.iter().zip(&applied.outcomes) {
        let (result, text) = match &o.result {
            TeamsResult::Done => ("done", "done".to_owned()),
            TeamsResult::Failed(why) => ("failed", format!("failed: {why}")),
            TeamsResult::StillRunning(id) => (
                "still_running",
                format!("still running (operation {id}; the next run follows it up)"),
            ),
            other => panic!("{other:?}"),
        };
        assert_eq!(row.value().attr("data-result"), Some(result));
        assert_eq!(cells(row), [o.label.clone(), o.write.to_string(), text]);
    }
    for (id, n) in [
        ("done", applied.outcomes.len() - 2),
        ("failed", 1),
        ("still_running", 1),
    ] {
        assert_eq!(text_of(&doc, &format!("#count-teams_{id}")), n.to_string());
    }
    let read = rows(&doc, "#teams-read-back tbody tr");
    assert_eq!(read.len(), applied.read_back.len());
    assert!(!read.is_empty());
    for (row, voice) in read.iter().zip(applied.read_back.values()) {
        let c = cells(row);
        // Written as the plan and the terminal write numbers (`+441632768401 x401`), not in
        // the notation Teams answered in (`tel:+441632768401;ext=401`).
        let shown: Vec<&str> = c[1].split(", ").filter(|n| !n.is_empty()).collect();
        assert_eq!(shown.len(), voice.telephone_numbers.len(), "{}", c[1]);
        for (cell, n) in shown.iter().zip(&voice.telephone_numbers) {
            let raw = n.number.to_ascii_lowercase();
            let digits = raw.trim_start_matches("tel:");
            let (base, ext) = digits.split_once(";ext=").unwrap_or((digits, ""));
            let want = match ext {
                "" => base.to_owned(),
                e => format!("{base} x{e}"),
            };
            assert_eq!(*cell, want, "read back {:?}", n.number);
        }
        let ev = match voice.enterprise_voice_enabled {
            Some(true) => "on",
            Some(false) => "off",
            None => "unknown",
        };
        assert_eq!(c[2], ev);
        let policies: Vec<String> = voice
            .effective_policies
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(c[3], policies.join("; "));
    }
    // The number written is what Teams now rings, with the policy the rule names.
    let page = doc.root_element().text().collect::<String>();
    assert!(page.contains(support::teams::VOICE_ROUTING_POLICY));
    let warnings = rows(&doc, "#teams-warnings li");
    assert_eq!(warnings.len(), applied.warnings.len());
    let sophia = warnings
        .iter()
        .map(|w| w.text().collect::<String>())
        .find(|w| w.contains("Sophia") || w.contains("sophia"))
        .expect("Sophia Hall's warning");
    assert!(sophia.ends_with(ENTERPRISE_VOICE_OFF), "{sophia}");
    assert!(
        sophia.contains("-EnterpriseVoiceEnabled $true"),
        "the remedy: {sophia}"
    );
}

#[test]
fn the_apply_counts_both_halves_alike_and_the_page_adds_them_up() {
    let demo = support::demo_with_teams();
    let s = &demo.report.summary;
    let graph = (demo.applied.teams)
        .actions_by(TeamsProvisioning::Graph)
        .count();
    assert!(graph > 0 && !demo.applied.actions.is_empty());
    let items = &demo.report.items;
    let ipo_ok = items.iter().filter(|i| i.ok()).count();
    assert_eq!(
        (s.ipo.planned, s.ipo.succeeded, s.ipo.failed),
        (demo.applied.actions.len(), ipo_ok, items.len() - ipo_ok)
    );
    assert_eq!(
        (s.teams.planned, s.teams.succeeded, s.teams.failed),
        (graph, graph, 0)
    );
    assert_eq!(
        (s.planned, s.succeeded, s.failed),
        (s.ipo.planned + graph, s.ipo.succeeded + graph, s.ipo.failed)
    );
    // With a Teams write failed and one still running, the card and its halves add up.
    for report in [
        demo.report.clone(),
        support::teams::with_failed_and_running(&demo.report),
    ] {
        let doc = Html::parse_document(&render_apply(&demo.applied, &report, &Options::new()));
        let n = |id: &str| -> usize { text_of(&doc, &format!("#count-{id}")).parse().unwrap() };
        let s = &report.summary;
        assert_eq!(n("planned"), s.ipo.planned + s.teams.planned);
        assert_eq!(n("succeeded"), s.succeeded);
        assert_eq!(n("failed"), s.failed);
        assert_eq!(n("still_running"), s.teams.still_running());
        assert_eq!(
            n("planned"),
            n("succeeded") + n("failed") + n("still_running")
        );
        let halves: Vec<Vec<String>> = rows(&doc, "#apply-halves tbody tr")
            .iter()
            .map(cells)
            .collect();
        let row = |name: &str, c: &sync_engine::WriteCounts| {
            let mut r = vec![name.to_owned()];
            r.extend([c.planned, c.succeeded, c.failed, c.still_running()].map(|n| n.to_string()));
            r
        };
        assert_eq!(
            halves,
            [
                row("IP Office", &s.ipo),
                row("Teams (Microsoft Graph)", &s.teams)
            ]
        );
    }
    let running = support::teams::with_failed_and_running(&demo.report);
    assert_eq!(running.summary.teams.still_running(), 1);
    assert_eq!(running.summary.teams.failed, 1);
}

#[test]
fn a_page_without_a_teams_write_has_no_teams_section_or_filter() {
    let demo = support::demo_with_teams();
    let mut plan = demo.plan.clone();
    plan.teams = Default::default();
    for html in [
        render_plan(&plan, &Options::new()),
        render_apply(&plan, &sync_engine::Report::default(), &Options::new()),
        render_classification(&demo.classification, &Options::new()),
    ] {
        let doc = Html::parse_document(&html);
        for css in [
            "#teams-plan",
            "#teams-applied",
            "select[name=teams]",
            "ul.teams-writes",
            "#apply-halves",
            "#count-still_running",
        ] {
            assert_eq!(doc.select(&sel(css)).count(), 0, "{css}");
        }
    }
}

#[test]
fn hostile_teams_values_stay_text_and_leave_the_structure_as_it_was() {
    let demo = support::demo_with_teams();
    let pages = [
        (
            render_plan(&demo.plan, &Options::new()),
            render_plan(&support::hostile_plan(&demo.plan), &Options::new()),
        ),
        (
            render_apply(
                &demo.applied,
                &support::teams::with_failed_and_running(&support::with_notice(
                    &demo.report,
                    false,
                )),
                &Options::new(),
            ),
            render_apply(
                &support::hostile_plan(&demo.applied),
                &support::hostile_report(&support::teams::with_failed_and_running(&demo.report)),
                &Options::new(),
            ),
        ),
    ];
    for (clean, hostile) in &pages {
        let (c, h) = (Html::parse_document(clean), Html::parse_document(hostile));
        assert_eq!(shape(&c), shape(&h), "the hostile page's elements differ");
        let teams_text: String = h
            .select(&sel("#teams-plan, #teams-applied, ul.teams-writes"))
            .flat_map(|e| e.text())
            .collect();
        for p in support::PAYLOADS {
            assert!(teams_text.contains(p), "{p:?} is not shown as text");
        }
    }
    // Each kind of Teams text carries a payload: labels, policy names (planned and in a
    // hold), what Teams holds now, why a write failed, the read-back and the warnings.
    let plan = support::hostile_plan(&demo.plan);
    let report = support::hostile_report(&support::teams::with_failed_and_running(&demo.report));
    let tainted = |s: &str| support::PAYLOADS.iter().any(|p| s.contains(p));
    assert!(plan.teams.actions.iter().all(|a| tainted(&a.label)));
    assert!(plan.teams.held.iter().all(|h| tainted(&h.label)));
    assert!(plan.teams.held.iter().any(|h| {
        tainted(&h.problem.to_string())
            && h.problem
                .to_string()
                .contains(support::teams::HAND_ASSIGNED_POLICY)
    }));
    let applied = report.teams.as_ref().expect("Teams outcomes");
    assert!(
        applied
            .outcomes
            .iter()
            .any(|o| matches!(&o.result, TeamsResult::Failed(w) if tainted(w)))
    );
    assert!(applied.warnings.iter().all(|(_, w)| tainted(w)));
    assert!(
        applied
            .read_back
            .values()
            .flat_map(|v| &v.effective_policies)
            .all(|p| tainted(&p.name))
    );
}
