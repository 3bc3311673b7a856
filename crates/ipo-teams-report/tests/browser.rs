//! The demo's report and a hostile-values twin, in a real browser: headless Chromium loads
//! them from a 127.0.0.1 server, with that server also set as Chromium's proxy, so any
//! request the page made, to any host, would be logged. Asserts on the DOM after scripts
//! ran (`--dump-dom`) and takes a `--screenshot`.
//!
//! They need Chromium, so a plain `cargo test` lists them as ignored with what to install;
//! `.ci/run` installs it and runs them with `--include-ignored`. Run by hand:
//! `cargo test -p ipo-teams-report --test browser -- --include-ignored`.

mod support;

use ipo_teams_report::{Options, render_apply};
use scraper::Html;
use support::browser::{Server, probe, run};
use support::dom::{sel, shape, text_of};
use sync_engine::PersonStatus;

#[test]
#[ignore = "needs chromium: apt-get install chromium"]
fn demo_and_hostile_reports_in_headless_chromium() {
    let _one = support::browser::one_at_a_time();
    let demo = support::demo();
    let server = Server::start();
    let proxy = format!("--proxy-server={}", server.base);
    let clean_report = support::with_notice(&demo.report, false);
    let hostile_report = support::with_notice(&demo.report, true);
    let clean = server.page(
        "/report.html",
        render_apply(&demo.applied, &clean_report, &Options::new()),
    );
    let hostile = server.page(
        "/hostile.html",
        render_apply(
            &support::hostile_plan(&demo.applied),
            &hostile_report,
            &Options::new(),
        ),
    );
    // The detector works: a page that does fetch is seen, even for another host.
    let control = server.page(
        "/control.html",
        "<!DOCTYPE html><img src=\"http://example.invalid/probe.png\">".into(),
    );
    run(&control, &["--dump-dom", &proxy]);
    let seen = server.requests();
    assert!(
        seen.iter()
            .any(|r| r.ends_with("example.invalid/probe.png")),
        "the request detector missed the control page's image: {seen:?}"
    );
    let before = seen.len();
    assert!(!support::browser::is_browser_service(
        "http://example.invalid/probe.png"
    ));
    assert!(support::browser::is_browser_service(
        "update.googleapis.com:443"
    ));

    let dom = Html::parse_document(&run(&clean, &["--dump-dom", &proxy]));
    let bad = Html::parse_document(&run(&hostile, &["--dump-dom", &proxy]));

    // Summary counts equal the plan's.
    let plan = &demo.applied;
    let status = |s: PersonStatus| plan.people.iter().filter(|p| p.status == s).count();
    for (id, n) in [
        ("count-people", plan.people.len()),
        ("count-create", status(PersonStatus::Create)),
        ("count-skipped", status(PersonStatus::Skipped)),
        ("count-writes", plan.actions.len()),
        ("count-succeeded", demo.report.summary.succeeded),
    ] {
        assert_eq!(text_of(&dom, &format!("#{id}")), n.to_string(), "{id}");
    }
    assert_eq!(
        dom.select(&sel("#people tbody tr")).count(),
        plan.people.len()
    );
    // The filter controls are there and were shown by the script: the browser ran it,
    // so the CSP hash matched the script.
    let form = dom
        .select(&sel("form#filters"))
        .next()
        .expect("the filter form");
    assert!(
        form.value().attr("hidden").is_none(),
        "the filter script did not run (CSP hash mismatch?)"
    );
    for control in [
        "select[name=type]",
        "select[name=action]",
        "select[name=problem]",
        "input[name=q]",
    ] {
        assert_eq!(dom.select(&sel(control)).count(), 1, "{control}");
    }
    assert_eq!(text_of(&dom, "#shown"), plan.people.len().to_string());
    assert_eq!(
        dom.select(&sel("svg.chart")).count(),
        2,
        "types and licence charts"
    );

    // The filters work: a link's fragment sets them, and the script hides the other rows.
    let visible = |doc: &Html| {
        doc.select(&sel("#people tbody tr"))
            .filter(|r| r.value().attr("hidden").is_none())
            .count()
    };
    let skipped = status(PersonStatus::Skipped);
    assert!(skipped > 0);
    let filtered = Html::parse_document(&run(
        &format!("{clean}#action=skipped"),
        &["--dump-dom", &proxy],
    ));
    assert_eq!(visible(&filtered), skipped);
    assert_eq!(text_of(&filtered, "#shown"), skipped.to_string());
    let name = plan.people[0].label.to_string();
    let query = format!("{clean}#q={}", name.split('@').next().unwrap_or(&name));
    let searched = Html::parse_document(&run(&query, &["--dump-dom", &proxy]));
    assert_eq!(visible(&searched), 1, "searching {name}");
    // With scripts off the page is complete: every line shown, the inert controls hidden.
    // (`--dump-dom` needs scripts on, so the page's script is blocked by a second CSP.)
    let no_script = server.page_with_header(
        "/noscript.html",
        render_apply(&demo.applied, &clean_report, &Options::new()),
        Some("Content-Security-Policy: script-src 'none'"),
    );
    let plain = Html::parse_document(&run(&no_script, &["--dump-dom", &proxy]));
    assert_eq!(visible(&plain), plan.people.len());
    let form = plain
        .select(&sel("form#filters"))
        .next()
        .expect("the filter form");
    assert!(form.value().attr("hidden").is_some());

    // The hostile twin: the same elements and attributes, the payloads as text.
    assert_eq!(
        shape(&dom),
        shape(&bad),
        "a directory value made an element or attribute"
    );
    let text: String = bad.root_element().text().collect();
    for p in support::PAYLOADS {
        assert!(text.contains(p), "{p} is not shown as text");
    }
    assert_eq!(bad.select(&sel("script")).count(), 1);
    assert_eq!(bad.select(&sel("img, iframe, link, a")).count(), 0);

    // A screenshot renders.
    let shots = tempfile::tempdir().expect("a temporary directory");
    let png = shots.path().join("report.png");
    run(
        &clean,
        &[
            "--window-size=1280,1900",
            &format!("--screenshot={}", png.display()),
            &proxy,
        ],
    );
    let bytes = std::fs::read(&png).expect("Chromium wrote the screenshot");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(
        bytes.len() > 20_000,
        "a blank screenshot ({} bytes)",
        bytes.len()
    );

    // No request left the pages: apart from Chromium's own background services, the
    // server (also the proxy for every other host) saw the three page loads, nothing else.
    let from_pages: Vec<String> = server.requests()[before..]
        .iter()
        .filter(|r| !support::browser::is_browser_service(r))
        .cloned()
        .collect();
    assert_eq!(
        from_pages,
        [
            "/report.html",
            "/hostile.html",
            "/report.html",
            "/report.html",
            "/noscript.html",
            "/report.html"
        ],
        "the pages made requests of their own"
    );
}

/// The demo's apply report, served.
fn demo_page(server: &Server) -> (support::Demo, String) {
    let demo = support::demo();
    let html = render_apply(&demo.applied, &demo.report, &Options::new());
    let url = server.page("/report.html", html);
    (demo, url)
}

#[test]
#[ignore = "needs chromium: apt-get install chromium"]
fn with_scripts_off_a_person_sees_every_line_and_no_dead_controls() {
    let _one = support::browser::one_at_a_time();
    let server = Server::start();
    let (demo, _) = demo_page(&server);
    // A frame sandboxed without allow-scripts runs as a browser with scripts turned off.
    let seen = probe(
        &server,
        "/report.html",
        "allow-same-origin",
        1280,
        r##"
        var shown = function (e) { return !!e && e.getClientRects().length > 0; };
        var rows = d.querySelectorAll("#people tbody tr"), n = 0;
        for (var i = 0; i < rows.length; i++) { if (shown(rows[i])) { n++; } }
        var form = d.getElementById("filters"), copy = d.getElementById("copy-script");
        var note = d.querySelector("#people-section noscript p");
        return {
          form_display: w.getComputedStyle(form).display,
          form_shown: shown(form),
          copy_shown: shown(copy),
          rows: rows.length,
          rows_shown: n,
          note_shown: shown(note),
        };
        "##,
    );
    let people = demo.applied.people.len();
    assert_eq!(seen["form_display"], "none", "{seen}");
    assert_eq!(seen["form_shown"], false, "{seen}");
    assert_eq!(seen["copy_shown"], false, "{seen}");
    assert_eq!(seen["rows"], people, "{seen}");
    assert_eq!(seen["rows_shown"], people, "{seen}");
    assert_eq!(seen["note_shown"], true, "the no-script note: {seen}");
    // The same page with scripts on shows the controls (the probe itself is not blind).
    let on = probe(
        &server,
        "/report.html",
        "allow-same-origin allow-scripts",
        1280,
        r#"return { form_display: w.getComputedStyle(d.getElementById("filters")).display };"#,
    );
    assert_eq!(on["form_display"], "flex", "{on}");
}

#[test]
#[ignore = "needs chromium: apt-get install chromium"]
fn searching_finds_people_by_name_as_a_person_types_it() {
    let _one = support::browser::one_at_a_time();
    let server = Server::start();
    let (demo, _) = demo_page(&server);
    let queries = [
        ("Ella Morgan", 1),
        ("Seán", 1),
        ("Zoë", 1),
        ("ZOË WARD", 1),
        ("Ni Bhriain", 1),
        ("john smith", 2),
        ("nobody-of-that-name", 0),
    ];
    let list = queries
        .iter()
        .map(|(q, _)| serde_json::Value::from(*q).to_string())
        .collect::<Vec<_>>()
        .join(",");
    // Typed into the search box, one input event each, as a person does.
    let seen = probe(
        &server,
        "/report.html",
        "allow-same-origin allow-scripts",
        1280,
        &format!(
            r##"
            var box = d.querySelector("#filters input[name=q]"), out = {{}};
            [{list}].forEach(function (q) {{
              box.value = q;
              box.dispatchEvent(new w.Event("input", {{ bubbles: true }}));
              var n = 0, rows = d.querySelectorAll("#people tbody tr");
              for (var i = 0; i < rows.length; i++) {{ if (rows[i].getClientRects().length) {{ n++; }} }}
              out[q] = [Number(d.getElementById("shown").textContent), n];
            }});
            return out;
            "##
        ),
    );
    for (q, n) in queries {
        assert_eq!(
            seen[q],
            serde_json::json!([n, n]),
            "searching {q:?}: {seen}"
        );
    }
    assert!(demo.applied.people.len() > 20);
}

#[test]
#[ignore = "needs chromium: apt-get install chromium"]
fn a_long_unbroken_value_wraps_inside_its_cell() {
    let _one = support::browser::one_at_a_time();
    let demo = support::demo();
    let mut plan = demo.applied.clone();
    let long = "x".repeat(400);
    plan.people[0].label = sync_engine::Text::from(format!("{long}@contoso.example"));
    if let Some(a) = plan.actions.iter_mut().find(|a| !a.changes.is_empty()) {
        a.record.name = sync_engine::Text::from(long.clone());
    }
    let server = Server::start();
    server.page(
        "/long.html",
        render_apply(&plan, &demo.report, &Options::new()),
    );
    for width in [1280, 800] {
        let seen = probe(
            &server,
            "/long.html",
            "allow-same-origin allow-scripts",
            width,
            r##"return {
              page: d.documentElement.scrollWidth,
              table: d.getElementById("people").getBoundingClientRect().width,
              view: w.innerWidth,
            };"##,
        );
        let view = seen["view"].as_f64().expect("a width");
        assert!(view > 0.0 && view <= f64::from(width), "{seen}");
        assert!(
            seen["page"].as_f64().expect("a width") <= view,
            "the page is wider than the window at {width} px: {seen}"
        );
        assert!(seen["table"].as_f64().expect("a width") <= view, "{seen}");
    }
}

/// How long the page takes, in a real browser on this machine, to show and to filter.
fn timings(server: &Server, page: &str) -> serde_json::Value {
    probe(
        server,
        page,
        "allow-same-origin allow-scripts",
        1280,
        r##"
        var nav = w.performance.getEntriesByType("navigation")[0];
        var paint = w.performance.getEntriesByType("paint")
          .filter(function (p) { return p.name === "first-contentful-paint"; })[0];
        var box = d.querySelector("#filters input[name=q]");
        var type = function (q) {
          var t0 = w.performance.now();
          box.value = q;
          box.dispatchEvent(new w.Event("input", { bubbles: true }));
          void d.body.offsetHeight; // the layout the keystroke causes, not only the script
          return w.performance.now() - t0;
        };
        var narrow = type("u9");
        var shown = Number(d.getElementById("shown").textContent);
        var back = type("");
        return {
          rows: d.querySelectorAll("#people tbody tr").length,
          load_ms: nav ? nav.loadEventEnd : null,
          first_paint_ms: paint ? paint.startTime : null,
          narrow_ms: narrow,
          shown: shown,
          all_again_ms: back,
        };
        "##,
    )
}

#[test]
#[ignore = "needs chromium: apt-get install chromium"]
fn ten_thousand_people_open_and_filter_without_waiting() {
    let _one = support::browser::one_at_a_time();
    let server = Server::start();
    let plan = support::large::first_sync(10_000);
    let html = ipo_teams_report::render_plan(&plan, &Options::new());
    let bytes = html.len();
    let url = server.page("/large.html", html);
    let shots = tempfile::tempdir().expect("a temporary directory");
    let png = shots.path().join("large.png");
    let proxy = format!("--proxy-server={}", server.base);
    let started = std::time::Instant::now();
    support::browser::run_with(
        &url,
        &[],
        &[
            "--window-size=1280,900",
            &format!("--screenshot={}", png.display()),
            &proxy,
        ],
    );
    let screenshot = started.elapsed();
    let t = timings(&server, "/large.html");
    eprintln!(
        "10,000-person plan page: {bytes} bytes; Chromium start to screenshot {:.1} s; {t}",
        screenshot.as_secs_f64()
    );
    assert_eq!(t["rows"], 10_000);
    assert_eq!(t["shown"], 1_111, "u9, u90..u99, u900..u999, u9000..u9999");
    // Bounds a shared 2-core machine keeps with room; before the fix they were 11 to 33 s
    // to the screenshot, 18 s to load, 1.2 s to narrow and 10 s to show all again.
    let ms = |k: &str| t[k].as_f64().unwrap_or(f64::MAX);
    assert!(
        screenshot.as_secs_f64() < 12.0,
        "screenshot after {screenshot:?}"
    );
    assert!(ms("load_ms") < 6_000.0, "{t}");
    assert!(ms("narrow_ms") < 600.0, "{t}");
    assert!(ms("all_again_ms") < 2_000.0, "{t}");
}

#[test]
#[ignore = "needs chromium: apt-get install chromium"]
fn the_summary_reads_as_the_vendors_write_and_counts_one_thing() {
    let _one = support::browser::one_at_a_time();
    let server = Server::start();
    let (demo, _) = demo_page(&server);
    // What a person reads (innerText: rendered text only), not the markup.
    let seen = probe(
        &server,
        "/report.html",
        "allow-same-origin allow-scripts",
        1280,
        r##"
        var text = function (css) { var e = d.querySelector(css); return e ? e.innerText : null; };
        var problems = [];
        d.querySelectorAll("select[name=problem] option").forEach(function (o) { problems.push(o.innerText); });
        return {
          caption: text("#types .caption"),
          teams_only: text("#count-teams_only"),
          warnings: text("#warnings"),
          problems: problems,
        };
        "##,
    );
    let plan = &demo.applied;
    let teams_only = plan
        .people
        .iter()
        .filter(|p| p.user_type == Some(ipo_model::UserType::TeamsOnly))
        .filter(|p| !matches!(p.status, PersonStatus::Skipped | PersonStatus::Remove))
        .count();
    assert_eq!(seen["teams_only"], teams_only.to_string(), "{seen}");
    let caption = seen["caption"].as_str().unwrap_or("");
    assert!(caption.contains("after the plan"), "{seen}");
    let warnings = seen["warnings"].as_str().unwrap_or("");
    assert!(
        warnings.contains("leo.hill@contoso.example") && warnings.contains("grace period"),
        "{seen}"
    );
    assert!(!warnings.contains("derived from"), "{seen}");
    let problems: Vec<&str> = seen["problems"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    assert!(problems.contains(&"No Teams voice"), "{problems:?}");
    for p in &problems {
        assert!(
            !p.contains("teams") && !p.contains("ipo") && !p.contains("Ip "),
            "{p} is not in the vendors' words"
        );
    }
}

#[test]
#[ignore = "needs chromium: apt-get install chromium"]
fn a_person_sees_the_teams_writes_how_they_went_and_finds_their_people() {
    let _one = support::browser::one_at_a_time();
    let server = Server::start();
    let demo = support::demo_with_teams();
    let report = support::teams::with_failed_and_running(&demo.report);
    let html = render_apply(&demo.applied, &report, &Options::new());
    server.page("/teams.html", html);
    // What a person reads (innerText: rendered text only), then the Teams filter as they
    // choose it.
    let seen = probe(
        &server,
        "/teams.html",
        "allow-same-origin allow-scripts",
        1280,
        r##"
        var shown = function (e) { return !!e && e.getClientRects().length > 0; };
        var count = function (css) {
          var n = 0;
          d.querySelectorAll(css).forEach(function (e) { if (shown(e)) { n++; } });
          return n;
        };
        var text = function (css) { var e = d.querySelector(css); return e ? e.innerText : null; };
        var pick = function (v) {
          var s = d.querySelector("#filters select[name=teams]");
          s.value = v;
          s.dispatchEvent(new w.Event("input", { bubbles: true }));
          return [Number(d.getElementById("shown").textContent), count("#people tbody tr")];
        };
        return {
          writes: count("#teams-writes tbody tr"),
          held: count("#teams-held tbody tr"),
          failed: text("#teams-outcomes tr[data-result=failed]"),
          running: text("#teams-outcomes tr[data-result=still_running]"),
          warnings: text("#teams-warnings"),
          read_back: count("#teams-read-back tbody tr"),
          graph: pick("graph"),
          script: pick("script"),
          with_holds: pick("held"),
          all: pick(""),
        };
        "##,
    );
    let plan = &demo.applied;
    let applied = report.teams.as_ref().expect("Teams outcomes");
    assert_eq!(seen["writes"], plan.teams.actions.len(), "{seen}");
    assert_eq!(seen["held"], plan.teams.held.len(), "{seen}");
    assert_eq!(seen["read_back"], applied.read_back.len(), "{seen}");
    let failed = seen["failed"].as_str().unwrap_or("");
    assert!(
        failed.contains("failed: 403") && failed.contains("TeamsPolicyUserAssign"),
        "{seen}"
    );
    let running = seen["running"].as_str().unwrap_or("");
    assert!(
        running.contains("8d0e4b52-3f1a-4c8e-9d3b-0c6f2a7e1b44")
            && running.contains("the next run follows it up"),
        "{seen}"
    );
    let warnings = seen["warnings"].as_str().unwrap_or("");
    assert!(
        warnings.contains("sophia.hall@contoso.example")
            && warnings.contains("Enterprise Voice is still off")
            && warnings.contains("-EnterpriseVoiceEnabled $true"),
        "{seen}"
    );
    // The filter finds the people with Graph writes, with script writes, and those with a
    // write held back.
    let via = usertype_rules::TeamsProvisioning::Graph;
    let people_with = |ids: Vec<&ipo_model::ObjectId>| {
        plan.people.iter().filter(|p| ids.contains(&&p.id)).count()
    };
    let graph = people_with(plan.teams.actions_by(via).map(|a| &a.person).collect());
    let via = usertype_rules::TeamsProvisioning::Script;
    let script = people_with(plan.teams.actions_by(via).map(|a| &a.person).collect());
    let held = people_with(plan.teams.held.iter().map(|h| &h.person).collect());
    assert!(graph > 0 && script > 0 && held > 0);
    assert_eq!(seen["graph"], serde_json::json!([graph, graph]), "{seen}");
    assert_eq!(
        seen["script"],
        serde_json::json!([script, script]),
        "{seen}"
    );
    assert_eq!(
        seen["with_holds"],
        serde_json::json!([held, held]),
        "{seen}"
    );
    let all = plan.people.len();
    assert_eq!(seen["all"], serde_json::json!([all, all]), "{seen}");
}
