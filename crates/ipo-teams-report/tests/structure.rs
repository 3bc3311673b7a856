//! The pages' HTML structure, parsed with an HTML5 parser: counts equal the plan's, the
//! filters and sections are there, hostile directory values stay text and change no
//! element or attribute, the CSP allows exactly the page's script and style, and no login
//! or voicemail code appears.

mod support;

use std::collections::BTreeSet;

use base64::Engine as _;
use ipo_teams_report::{Options, render_apply, render_classification, render_plan};
use scraper::Html;
use sha2::{Digest, Sha256};
use support::dom::{sel, shape, text_of};
use sync_engine::{ActionKind, PersonStatus};
use usertype_rules::Classification;

#[test]
fn plan_page_counts_equal_the_plans() {
    let demo = support::demo();
    let plan = &demo.plan;
    let doc = Html::parse_document(&render_plan(plan, &Options::new()));
    let status = |s: PersonStatus| plan.people.iter().filter(|p| p.status == s).count();
    for (id, n) in [
        ("count-people", plan.people.len()),
        ("count-create", status(PersonStatus::Create)),
        ("count-update", status(PersonStatus::Update)),
        ("count-remove", status(PersonStatus::Remove)),
        ("count-skipped", status(PersonStatus::Skipped)),
        ("count-in_sync", status(PersonStatus::InSync)),
        ("count-writes", plan.actions.len()),
    ] {
        assert_eq!(text_of(&doc, &format!("#{id}")), n.to_string(), "{id}");
    }
    // The type cards count one thing, and say which: the people the plan makes (or keeps)
    // each type, by their rule's type; skipped and removed people are not in them. Beside
    // each, the number that is that type now, as `classify` counts it.
    let mut skipped_with_a_type = 0;
    for (t, code) in [
        (ipo_model::UserType::IpOfficeOnly, "ip_office_only"),
        (ipo_model::UserType::TeamsOnly, "teams_only"),
        (ipo_model::UserType::TeamsAndIpOffice, "teams_and_ip_office"),
    ] {
        let of_type = |p: &&sync_engine::PersonPlan| p.user_type == Some(t);
        let after = plan
            .people
            .iter()
            .filter(of_type)
            .filter(|p| !matches!(p.status, PersonStatus::Skipped | PersonStatus::Remove))
            .count();
        skipped_with_a_type += plan.people.iter().filter(of_type).count() - after;
        assert!(after > 0, "the demo has {t} people");
        assert_eq!(
            text_of(&doc, &format!("#count-{code}")),
            after.to_string(),
            "{t}"
        );
        let now = plan
            .people
            .iter()
            .filter(|p| p.verdict.as_ref().and_then(|v| v.user_type) == Some(t))
            .count();
        assert_eq!(text_of(&doc, &format!("#now-{code}")), format!("now {now}"));
    }
    assert!(
        skipped_with_a_type > 0,
        "the demo skips people whose rule gives a type"
    );
    assert!(
        text_of(&doc, "#types .caption").contains("after the plan"),
        "{}",
        text_of(&doc, "#types .caption")
    );
    // One table row per person, carrying the person's status for the filter.
    let rows: Vec<_> = doc.select(&sel("#people tbody tr")).collect();
    assert_eq!(rows.len(), plan.people.len());
    let skipped = rows
        .iter()
        .filter(|r| r.value().attr("data-action") == Some("skipped"))
        .count();
    assert_eq!(skipped, status(PersonStatus::Skipped));
    assert!(skipped > 0, "the demo has blocked people");
    // The blocked card lists each skipped person under the problem that blocks them.
    let blocked_people = doc.select(&sel("#blocked details li")).count();
    assert!(
        blocked_people >= skipped,
        "{blocked_people} blocked entries for {skipped} skipped"
    );
    // Licences: one table line per profile the plan needs, with its numbers.
    let lic_rows: Vec<_> = doc.select(&sel("#licences tbody tr")).collect();
    assert_eq!(lic_rows.len(), plan.licenses.len());
    for (row, need) in lic_rows.iter().zip(&plan.licenses) {
        let cells: Vec<String> = row.select(&sel("td")).map(|c| c.text().collect()).collect();
        assert_eq!(cells[1], need.needed.to_string());
        assert_eq!(cells[2], need.free.to_string());
    }
    // The Teams script, whole, in its block.
    let script = plan
        .teams_script()
        .expect("the scenario's rules have script lines");
    assert_eq!(text_of(&doc, "#teams-script"), script);
    assert!(plan.count(ActionKind::CreateUser) > 0);
}

#[test]
fn plan_page_shows_the_directory_count_and_the_contacts_entries() {
    let demo = support::demo_with_contacts();
    let plan = &demo.plan;
    let d = plan
        .system_directory
        .as_ref()
        .expect("the demo keeps directory entries");
    let doc = Html::parse_document(&render_plan(plan, &Options::new()));
    assert!(
        text_of(&doc, "#directory").contains(&format!(
            "{} records after the plan, of IP Office's {}.",
            d.records, d.limit
        )),
        "{}",
        text_of(&doc, "#directory")
    );
    // Each contact's entry, which no person's line holds, is listed in the card.
    let items: Vec<String> = doc
        .select(&sel("#directory-writes li"))
        .map(|li| li.text().collect())
        .collect();
    assert_eq!(items.len(), support::CONTACTS.len(), "{items:?}");
    for (_, name, phone) in support::CONTACTS {
        let digits = phone.trim_start_matches('+');
        assert!(
            items.iter().any(|i| i.contains(name) && i.contains(digits)),
            "{name} {digits} not in {items:?}"
        );
    }
    // Without contacts there is nothing to list there, and the count is still shown.
    let plain = support::demo();
    let doc = Html::parse_document(&render_plan(&plain.plan, &Options::new()));
    assert_eq!(doc.select(&sel("#directory-writes li")).count(), 0);
    assert!(text_of(&doc, "#directory").contains("records after the plan"));
}

#[test]
fn filters_cover_every_type_action_and_problem_present() {
    let demo = support::demo();
    let doc = Html::parse_document(&render_plan(&demo.plan, &Options::new()));
    let form = doc
        .select(&sel("form#filters"))
        .next()
        .expect("the filter form");
    assert!(
        form.value().attr("hidden").is_some(),
        "hidden until the script runs"
    );
    let options = |name: &str| -> BTreeSet<String> {
        doc.select(&sel(&format!("select[name={name}] option")))
            .filter_map(|o| o.value().attr("value").map(str::to_owned))
            .filter(|v| !v.is_empty())
            .collect()
    };
    let rows: Vec<_> = doc.select(&sel("#people tbody tr")).collect();
    let actions: BTreeSet<String> = rows
        .iter()
        .filter_map(|r| r.value().attr("data-action").map(str::to_owned))
        .collect();
    assert_eq!(options("action"), actions);
    let problems: BTreeSet<String> = rows
        .iter()
        .flat_map(|r| {
            r.value()
                .attr("data-problems")
                .unwrap_or("")
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(!problems.is_empty());
    assert_eq!(options("problem"), problems);
    assert_eq!(
        options("type"),
        [
            "ip_office_only",
            "none",
            "teams_and_ip_office",
            "teams_only"
        ]
        .map(String::from)
        .into()
    );
    assert_eq!(doc.select(&sel("input[type=search][name=q]")).count(), 1);
    // Searching by name: every row carries its person's label, lowercased.
    for (row, p) in rows.iter().zip(&demo.plan.people) {
        let search = row.value().attr("data-search").expect("data-search");
        assert!(search.contains(&p.label.to_lowercase()), "{search}");
    }
}

#[test]
fn csp_allows_exactly_the_pages_one_script_and_one_style() {
    let demo = support::demo();
    for html in [
        render_plan(&demo.plan, &Options::new()),
        render_apply(&demo.applied, &demo.report, &Options::new()),
        render_classification(&demo.classification, &Options::new()),
    ] {
        let doc = Html::parse_document(&html);
        let metas: Vec<_> = doc
            .select(&sel("head > meta[http-equiv=Content-Security-Policy]"))
            .collect();
        assert_eq!(metas.len(), 1);
        // First in <head> after the charset, so it governs the style and script.
        let first = doc.select(&sel("head > *")).nth(1).expect("head elements");
        assert_eq!(
            first.value().attr("http-equiv"),
            Some("Content-Security-Policy")
        );
        let policy = metas[0].value().attr("content").expect("content");
        let hash = |s: &str| {
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
            )
        };
        let scripts: Vec<String> = doc
            .select(&sel("script"))
            .map(|s| s.text().collect())
            .collect();
        let styles: Vec<String> = doc
            .select(&sel("style"))
            .map(|s| s.text().collect())
            .collect();
        assert_eq!((scripts.len(), styles.len()), (1, 1));
        let directives: Vec<&str> = policy.split(';').map(str::trim).collect();
        assert!(directives.contains(&"default-src 'none'"), "{policy}");
        assert!(
            directives.contains(&format!("script-src {}", hash(&scripts[0])).as_str()),
            "{policy}"
        );
        assert!(
            directives.contains(&format!("style-src {}", hash(&styles[0])).as_str()),
            "{policy}"
        );
        assert!(!policy.contains("unsafe") && !policy.contains('*') && !policy.contains("http"));
        // Nothing that could fetch or navigate: no URL-bearing attribute (xlink:href is
        // `href` by local name), no style attribute, no inline event handler.
        let forbidden = [
            "src",
            "href",
            "action",
            "formaction",
            "srcset",
            "style",
            "background",
            "poster",
            "data",
            "ping",
        ];
        for e in doc.select(&sel("*")) {
            for (name, _) in e.value().attrs() {
                assert!(
                    !forbidden.contains(&name),
                    "<{}> has {name}",
                    e.value().name()
                );
                assert!(!name.starts_with("on"), "<{}> has {name}", e.value().name());
            }
        }
        for tag in [
            "img", "iframe", "link", "object", "embed", "base", "a", "audio", "video", "source",
        ] {
            assert_eq!(doc.select(&sel(tag)).count(), 0, "a <{tag}>");
        }
    }
}

#[test]
fn hostile_values_stay_text_and_leave_the_structure_as_it_was() {
    let demo = support::demo();
    let clean_report = support::with_notice(&demo.report, false);
    let bad_report = support::with_notice(&demo.report, true);
    let pages = [
        (
            render_plan(&demo.plan, &Options::new()),
            render_plan(&support::hostile_plan(&demo.plan), &Options::new()),
        ),
        (
            render_apply(&demo.applied, &clean_report, &Options::new()),
            render_apply(
                &support::hostile_plan(&demo.applied),
                &bad_report,
                &Options::new(),
            ),
        ),
        (
            render_classification(&demo.classification, &Options::new()),
            render_classification(
                &support::hostile_classification(&demo.classification),
                &Options::new(),
            ),
        ),
        (
            render_plan(&demo.plan, &Options::new().title("Contoso").system("IPO")),
            render_plan(
                &demo.plan,
                &Options::new()
                    .title(support::PAYLOADS[0])
                    .system(support::PAYLOADS[1])
                    .generated(support::PAYLOADS[2]),
            ),
        ),
    ];
    for (clean, hostile) in &pages {
        let (c, h) = (Html::parse_document(clean), Html::parse_document(hostile));
        assert_eq!(shape(&c), shape(&h), "the hostile page's elements differ");
        let text: String = h.root_element().text().collect();
        let used = support::PAYLOADS
            .iter()
            .filter(|p| text.contains(*p))
            .count();
        assert!(used >= 3, "the payloads show as text ({used} found)");
    }
    // Every payload reached some page, as text.
    let all: String = pages
        .iter()
        .map(|(_, h)| {
            Html::parse_document(h)
                .root_element()
                .text()
                .collect::<String>()
        })
        .collect();
    for p in support::PAYLOADS {
        assert!(all.contains(p), "{p} is not shown as text");
    }
}

#[test]
fn login_and_voicemail_codes_never_appear() {
    let demo = support::demo_with_codes();
    let code_fields: Vec<_> = demo
        .plan
        .actions
        .iter()
        .flat_map(|a| a.changes.iter())
        .filter(|c| c.field.to_lowercase().contains("code"))
        .collect();
    assert!(
        !code_fields.is_empty(),
        "the codes were mapped, so creates set them"
    );
    let pages = [
        render_plan(&demo.plan, &Options::new()),
        render_apply(&demo.applied, &demo.report, &Options::new()),
        render_classification(&demo.classification, &Options::new()),
    ];
    for html in &pages {
        for n in 0..60 {
            for code in [support::login_code(n), support::voicemail_code(n)] {
                assert!(!html.contains(&code), "code {code} is on the page");
            }
        }
    }
    assert!(pages[0].contains("***"), "codes show masked");
}

#[test]
fn apply_page_shows_results_transport_and_restart_notices() {
    let demo = support::demo();
    let report = support::with_notice(&demo.report, false);
    let doc = Html::parse_document(&render_apply(&demo.applied, &report, &Options::new()));
    let s = &report.summary;
    assert_eq!(text_of(&doc, "#count-planned"), s.planned.to_string());
    assert_eq!(text_of(&doc, "#count-succeeded"), s.succeeded.to_string());
    assert_eq!(text_of(&doc, "#count-failed"), s.failed.to_string());
    assert_eq!(text_of(&doc, "#report-kind"), "Apply");
    assert_eq!(doc.select(&sel("#transport tbody tr")).count(), 2);
    let restart = text_of(&doc, "#restart");
    assert!(
        restart.contains("needs a restart") && restart.contains("REBOOT"),
        "{restart}"
    );
    // Without notices: no restart.
    let doc = Html::parse_document(&render_apply(&demo.applied, &demo.report, &Options::new()));
    assert!(text_of(&doc, "#restart").contains("No restart needed"));
}

#[test]
fn classification_page_counts_equal_the_summary_and_group_problems() {
    let demo = support::demo();
    let c: &Classification = &demo.classification;
    let s = c.summary();
    let doc = Html::parse_document(&render_classification(c, &Options::new()));
    for (t, code) in [
        (ipo_model::UserType::IpOfficeOnly, "ip_office_only"),
        (ipo_model::UserType::TeamsOnly, "teams_only"),
        (ipo_model::UserType::TeamsAndIpOffice, "teams_and_ip_office"),
    ] {
        let n = s.per_type.get(&t).copied().unwrap_or(0);
        assert_eq!(text_of(&doc, &format!("#count-{code}")), n.to_string());
    }
    assert_eq!(text_of(&doc, "#count-people"), s.people.to_string());
    assert_eq!(
        doc.select(&sel("#people tbody tr")).count(),
        c.verdicts.len()
    );
    // One rule, the verdict's: a line says "blocked" exactly when `blocks_sync` does, the
    // count counts those lines, and the card lists their blocking problems (an error the
    // sync fixes, such as a user still to create, is pending, not blocked).
    let rows: Vec<_> = doc.select(&sel("#people tbody tr")).collect();
    for (row, v) in rows.iter().zip(&c.verdicts) {
        let action = row.value().attr("data-action").expect("data-action");
        assert_eq!(
            action == "blocked",
            v.blocks_sync(),
            "{}: {action}",
            v.person
        );
    }
    let blocked = c.verdicts.iter().filter(|v| v.blocks_sync()).count();
    assert!(blocked > 0);
    assert_eq!(text_of(&doc, "#count-blocked"), blocked.to_string());
    let pending = c
        .verdicts
        .iter()
        .filter(|v| v.has_errors() && !v.blocks_sync())
        .count();
    assert!(pending > 0, "the demo has people the sync fixes");
    let blocking: usize = c.verdicts.iter().map(|v| v.blocking().count()).sum();
    assert_eq!(doc.select(&sel("#blocked details li")).count(), blocking);
    // A classification has no licence, threshold or restart card.
    for id in ["#licences", "#threshold", "#restart", "#teams"] {
        assert_eq!(doc.select(&sel(id)).count(), 0, "{id}");
    }
}

#[test]
fn without_scripts_the_page_is_complete_and_its_controls_hidden() {
    let demo = support::demo();
    let html = render_apply(&demo.applied, &demo.report, &Options::new());
    let doc = Html::parse_document(&html);
    // The controls the script drives start hidden, and the style sheet lets `hidden` win
    // over its display rules (a browser shows what it renders: tests/browser.rs).
    for id in ["form#filters", "button#copy-script"] {
        let e = doc
            .select(&sel(id))
            .next()
            .unwrap_or_else(|| panic!("no {id}"));
        assert!(e.value().attr("hidden").is_some(), "{id} is not hidden");
    }
    let style: String = text_of(&doc, "style");
    assert!(
        style.contains("[hidden] { display: none !important; }"),
        "the style sheet does not keep hidden controls hidden"
    );
    // Every line is there and none hidden; a note says the filters need scripts.
    let rows: Vec<_> = doc.select(&sel("#people tbody tr")).collect();
    assert_eq!(rows.len(), demo.applied.people.len());
    assert!(rows.iter().all(|r| r.value().attr("hidden").is_none()));
    assert_eq!(
        text_of(&doc, "#people-section noscript"),
        "<p>Filters need scripts; every line is shown.</p>",
        "an HTML parser with scripting on reads noscript as text"
    );
}

#[test]
fn a_first_sync_shows_each_write_once_with_its_values() {
    let plan = support::large::first_sync(30);
    let doc = Html::parse_document(&render_plan(&plan, &Options::new()));
    let rows: Vec<_> = doc.select(&sel("#people tbody tr")).collect();
    assert_eq!(rows.len(), 30);
    for (row, p) in rows.iter().zip(&plan.people) {
        let writes = plan
            .actions
            .iter()
            .filter(|a| a.person.as_ref() == Some(&p.id))
            .count();
        let items: Vec<String> = row
            .select(&sel("td:nth-child(5) li"))
            .map(|li| li.text().collect())
            .collect();
        assert_eq!(items.len(), writes, "{}: {items:?}", p.label);
        // Every field a create sets is there with its value; nothing was there before.
        for a in plan
            .actions
            .iter()
            .filter(|a| a.person.as_ref() == Some(&p.id))
        {
            for c in a.changes.iter() {
                let new = c.new.as_ref().map(|v| v.to_string()).unwrap_or_default();
                let shown = format!("{} {new}", c.field);
                assert!(
                    items.iter().any(|i| i.contains(&shown)),
                    "{shown} not in {items:?}"
                );
            }
        }
        assert!(items.iter().all(|i| !i.contains("(empty)")), "{items:?}");
    }
}

#[test]
fn an_update_shows_old_and_new() {
    // A first sync's plan with one write turned into a change of values that were there.
    let mut plan = support::large::first_sync(3);
    let at = (0..plan.actions.len())
        .max_by_key(|&i| plan.actions[i].changes.len())
        .expect("writes");
    let action = &mut plan.actions[at];
    let changes: Vec<sync_engine::FieldChange> = action
        .changes
        .iter()
        .map(|c| {
            let mut c = c.clone();
            c.old = Some(sync_engine::Text::from(format!("was-{}", c.field)));
            c
        })
        .collect();
    let fields = changes.len();
    assert!(fields > 1);
    action.changes = sync_engine::Changes::from(changes);
    let doc = Html::parse_document(&render_plan(&plan, &Options::new()));
    let olds: Vec<String> = doc
        .select(&sel("#people .old"))
        .map(|e| e.text().collect())
        .collect();
    let news = doc.select(&sel("#people .new")).count();
    assert_eq!((olds.len(), news), (fields, fields), "{olds:?}");
    for c in plan.actions[at].changes.iter() {
        let shown = format!(
            "{} was-{} → {}",
            c.field,
            c.field,
            c.new.as_deref().unwrap_or("")
        );
        let text: String = doc.root_element().text().collect();
        assert!(text.contains(&shown), "{shown}");
    }
}

#[test]
fn the_ten_thousand_person_page_stays_light() {
    // The realistic largest first sync: page weight is what a browser parses and lays out
    // (docs/performance.md has the figures, in Chromium and in the render bench).
    let html = render_plan(&support::large::first_sync(10_000), &Options::new());
    assert!(html.len() < 5_500_000, "{} bytes", html.len());
}

#[test]
fn the_summary_lists_warnings_and_leaves_notes_for_the_record_on_the_line() {
    let demo = support::demo();
    let doc = Html::parse_document(&render_plan(&demo.plan, &Options::new()));
    // Leo Hill's licence is in its grace period: synced, and it needs attention.
    let leo = demo
        .plan
        .people
        .iter()
        .find(|p| p.label.starts_with("leo.hill@"))
        .expect("the demo's Leo Hill");
    let grace: Vec<String> = leo
        .reasons
        .iter()
        .filter(|r| r.to_string().contains("grace period"))
        .map(ToString::to_string)
        .collect();
    assert_eq!(grace.len(), 1, "{:?}", leo.reasons);
    let cards: Vec<String> = doc
        .select(&sel("#summary > .card"))
        .map(|c| c.value().attr("id").unwrap_or("").to_owned())
        .collect();
    let at = |id: &str| cards.iter().position(|c| c == id);
    assert_eq!(at("blocked").map(|b| b + 1), at("warnings"), "{cards:?}");
    let warnings = text_of(&doc, "#warnings");
    assert!(
        warnings.contains(&format!("{}: {}", leo.label, grace[0])),
        "{warnings}"
    );
    // "Name derived from" notes are for the record: on the line, muted, not in the summary.
    let derived: Vec<_> = doc
        .select(&sel("#people td li"))
        .filter(|li| li.text().collect::<String>().contains("derived from"))
        .collect();
    assert!(derived.len() > 5, "the demo derives names");
    for li in derived {
        assert_eq!(li.value().attr("class"), Some("info"));
    }
    let summary = text_of(&doc, "#summary");
    assert!(!summary.contains("derived from"), "{summary}");
}

#[test]
fn a_cleaned_value_shows_its_original_and_result_once_as_text() {
    let hostile = r#""<img src=x> C:\temp\ 'q'"#;
    let mut plan = support::demo().plan;
    let person = plan
        .people
        .iter_mut()
        .find(|p| p.status == PersonStatus::Create)
        .expect("the demo creates people");
    let reason = sync_engine::Reason::ValueCleaned {
        field: "Full Name".into(),
        source: "displayName".into(),
        original: hostile.into(),
        result: r#""<img src=x C:\temp\ 'q'"#.into(),
        cleaning: sync_engine::Cleaning::CharactersRemoved,
    };
    let said = reason.to_string();
    person.reasons.push(reason);
    let label = person.label.to_string();
    let doc = Html::parse_document(&render_plan(&plan, &Options::new()));
    assert_eq!(doc.select(&sel("img")).count(), 0);
    let row = doc
        .select(&sel("#people tr"))
        .find(|tr| tr.text().collect::<String>().contains(&label))
        .expect("the person's line");
    let note: Vec<String> = row
        .select(&sel("li[data-code=value_cleaned]"))
        .map(|li| li.text().collect())
        .collect();
    assert_eq!(note, std::slice::from_ref(&said));
    assert_eq!(note[0].matches(hostile).count(), 1, "{}", note[0]);
    assert!(
        !note[0].contains(r#"\""#) && !note[0].contains(r"\\"),
        "{}",
        note[0]
    );
    // Wherever the page shows the reason (the line, the warnings card), once each.
    let body: String = doc.select(&sel("body")).flat_map(|b| b.text()).collect();
    let shown = body.matches("Full Name from displayName had").count();
    assert!(shown >= 1, "{body}");
    assert_eq!(body.matches(hostile).count(), shown, "{body}");
}

#[test]
fn each_line_shows_the_display_name_and_searches_it() {
    let demo = support::demo();
    let doc = Html::parse_document(&render_plan(&demo.plan, &Options::new()));
    let rows: Vec<_> = doc
        .select(&sel("#people tbody tr"))
        .filter(|tr| tr.text().any(|t| t == "Ella Morgan"))
        .collect();
    assert_eq!(rows.len(), 1, "one line shows Ella Morgan");
    let ella = rows[0];
    let first = ella.select(&sel("td b")).next().expect("the name cell");
    assert_eq!(first.text().collect::<String>(), "Ella Morgan");
    let detail: String = ella
        .select(&sel("td small"))
        .flat_map(|s| s.text())
        .collect();
    assert!(detail.starts_with("ella.morgan@"), "{detail}");
    let search = ella.value().attr("data-search").expect("data-search");
    assert!(search.contains("ella morgan"), "{search}");
    // A name the UPN does not hold is found by its display name alone.
    let found = doc
        .select(&sel("#people tbody tr"))
        .filter(|tr| {
            tr.value()
                .attr("data-search")
                .is_some_and(|s| s.contains("ní bhriain"))
        })
        .count();
    assert_eq!(found, 1);
}
