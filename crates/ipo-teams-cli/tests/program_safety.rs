//! What makes the binary safe to schedule, tested on the real process: the state is found
//! beside the configuration from any working directory; one run at a time (the second exits
//! 4 naming the holder); a SIGKILL in the middle of an apply, then a rerun, reaches the
//! fault-free state without duplicates; `run --every` stopped with SIGTERM leaves a
//! consistent state; every configuration mistake is reported before any network request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/support/mod.rs"]
mod support;

mod common;

use std::time::Duration;

use common::*;
use support::ipo_state::{Orphans, ipo_state, reference_run};
use support::*;

/// Every IP Office write answered after `delay`: applies become slow enough to interrupt.
fn slow_writes(lab: &Lab, delay: Duration) {
    lab.ipo.faults().add(
        ipo_emulator::FaultRule::new("/WebManagement/ws/sdk/admin/v1/")
            .method("POST")
            .latency(ipo_emulator::Latency::Fixed(delay)),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_from_another_working_directory_finds_the_state() {
    let lab = Lab::simple(&people(12)).await;
    let conf_dir = lab.workdir.path().join("conf");
    let cfg = write_config_text(&conf_dir, &toml::to_string(&config_table(&lab)).unwrap());
    let apply = run_in(
        &conf_dir,
        &cfg,
        &["apply", "--first-run"],
        CLIENT_SECRET,
        IPO_PASSWORD,
    )
    .await;
    assert_eq!(apply.code, EXIT_OK, "{}\n{}", apply.stdout, apply.stderr);
    assert!(
        conf_dir.join("program-state.json").exists(),
        "state beside the configuration"
    );
    let before = synced(&lab);
    assert_eq!(before.len(), 10);

    // From the parent folder, and from a folder that has nothing to do with it.
    let elsewhere = tempfile::tempdir().unwrap();
    for cwd in [lab.workdir.path(), elsewhere.path()] {
        let plan = run_in(cwd, &cfg, &["plan", "--json"], CLIENT_SECRET, IPO_PASSWORD).await;
        assert_eq!(plan.code, EXIT_OK, "{}", plan.stderr);
        let plan = plan.json();
        assert_eq!(plan["state"]["found"], true, "from {}", cwd.display());
        assert_eq!(
            count(&plan["plan"], "create_user"),
            0,
            "from {}",
            cwd.display()
        );
        let apply = run_in(cwd, &cfg, &["apply"], CLIENT_SECRET, IPO_PASSWORD).await;
        assert_eq!(apply.code, EXIT_OK, "{}", apply.stderr);
    }
    assert_eq!(synced(&lab), before, "no second user for anyone");
    assert!(!elsewhere.path().join("program-state.json").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_run_is_refused_with_exit_4_naming_the_holder() {
    let lab = Lab::simple(&people(30)).await;
    let cfg = write_config(&lab);
    slow_writes(&lab, Duration::from_millis(700));
    let first = Running::start(command(
        lab.workdir.path(),
        &cfg,
        &["apply", "--first-run"],
        CLIENT_SECRET,
        IPO_PASSWORD,
    ));
    let pid = first.child.id();
    // The first run holds the lock once it is writing.
    wait_for(Duration::from_secs(30), "the first apply to write", || {
        lab.ipo.stats().write_requests > 0
    })
    .await;
    let before = requests(&lab);
    for args in [&["plan"][..], &["apply"], &["run", "--every", "1m"]] {
        let second = run_ok(&cfg, args).await;
        assert_eq!(
            second.code, EXIT_LOCKED,
            "{args:?}: {}\n{}",
            second.stdout, second.stderr
        );
        assert!(
            second.stderr.contains(&format!("pid {pid}")),
            "{args:?}: {}",
            second.stderr
        );
        assert!(
            second.stderr.contains("program-state.json.lock"),
            "{}",
            second.stderr
        );
    }
    let after = requests(&lab);
    // Only the first run's own requests arrived meanwhile: it is still writing.
    assert!(after.0 == before.0, "a refused run sent nothing to Graph");
    let (status, stderr) = tokio::task::spawn_blocking(move || first.wait())
        .await
        .unwrap();
    assert_eq!(status.code(), Some(EXIT_OK), "{stderr}");
    assert_eq!(synced(&lab).len(), 25);
    // Released with the process: the next run goes ahead.
    let next = run_ok(&cfg, &["plan"]).await;
    assert_eq!(next.code, EXIT_OK, "{}", next.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_in_the_middle_of_an_apply_then_a_rerun_converges_without_duplicates() {
    let reference_lab = Lab::simple(&people(120)).await;
    let (_, reference) = reference_run(&reference_lab, Orphans::Forbidden).await;

    let lab = Lab::simple(&people(120)).await;
    let cfg = write_config(&lab);
    slow_writes(&lab, Duration::from_millis(400));
    let mut victim = Running::start(command(
        lab.workdir.path(),
        &cfg,
        &["apply", "--first-run"],
        CLIENT_SECRET,
        IPO_PASSWORD,
    ));
    wait_for(Duration::from_secs(30), "some records written", || {
        lab.ipo.stats().records_written > 0
    })
    .await;
    victim.child.child().kill().unwrap(); // SIGKILL
    let status = victim.child.child().wait().unwrap();
    assert_eq!(status.code(), None, "killed by a signal");
    let written = lab.ipo.stats().records_written;
    let total = reference.users.len() + reference.extensions.len();
    assert!(
        written < total as u64,
        "the kill came in the middle ({written} of about {total} records)"
    );
    assert!(
        state_path(&lab).exists(),
        "the state was saved before the first write"
    );

    lab.ipo.faults().clear();
    let rerun = run_ok(&cfg, &["apply"]).await;
    assert_eq!(rerun.code, EXIT_OK, "{}\n{}", rerun.stdout, rerun.stderr);
    ipo_state(&lab, Orphans::Forbidden).assert_same_as(&reference, "after SIGKILL and a rerun");
    let plan = run_ok(&cfg, &["plan", "--json"]).await;
    assert_eq!(plan.code, EXIT_OK, "{}", plan.stderr);
    assert!(
        plan.json()["plan"]["actions"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_every_syncs_changes_and_stops_cleanly_on_sigterm() {
    let lab = Lab::simple(&people(12)).await;
    let cfg = write_config(&lab);
    let (run, first) = start_run_every(&lab, &cfg, "1s").await;
    assert!(first.contains(" sync 1: full read, 12 people"), "{first}");
    assert!(first.contains("0 failed"), "{first}");
    assert_eq!(synced(&lab).len(), 10);

    // A newcomer joins the IP Office users group: a later sync (changes only) creates them.
    let newcomer = person(1000);
    lab.graph.add_user(newcomer.clone()).unwrap();
    lab.graph.add_member(GROUP_IPO, &newcomer.id).unwrap();
    let (run, second) = tokio::task::spawn_blocking(move || {
        let mut l = run.next_line(Duration::from_secs(30));
        while !l.contains("1 write planned") && !l.contains("13 people") {
            l = run.next_line(Duration::from_secs(30));
        }
        (run, l)
    })
    .await
    .unwrap();
    assert!(second.contains("changes only"), "{second}");
    assert_eq!(synced(&lab).len(), 11);

    // SIGTERM during a slow sync: it finishes that sync, saves, and exits 0.
    slow_writes(&lab, Duration::from_millis(500));
    let later = person(1001);
    lab.graph.add_user(later.clone()).unwrap();
    lab.graph.add_member(GROUP_IPO, &later.id).unwrap();
    let writes = lab.ipo.stats().write_requests;
    wait_for(Duration::from_secs(30), "the next sync to write", || {
        lab.ipo.stats().write_requests > writes
    })
    .await;
    run.terminate();
    let (status, stderr) = tokio::task::spawn_blocking(move || run.wait())
        .await
        .unwrap();
    assert_eq!(status.code(), Some(EXIT_OK), "{stderr}");
    assert!(stderr.contains("stop requested"), "{stderr}");
    lab.ipo.faults().clear();
    assert_eq!(synced(&lab).len(), 12, "the sync in progress was finished");
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state_path(&lab)).unwrap()).unwrap();
    assert!(
        state["pending"].as_object().is_none_or(|p| p.is_empty()),
        "{state:#}"
    );
    let plan = run_ok(&cfg, &["plan", "--json"]).await;
    assert_eq!(plan.code, EXIT_OK, "{}", plan.stderr);
    assert!(
        plan.json()["plan"]["actions"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

/// A configuration mistake: its name, the file's text, the arguments, the secrets given,
/// and what the message must contain.
type Mistake<'a> = (
    &'a str,
    String,
    Vec<&'a str>,
    (&'a str, &'a str),
    Vec<String>,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_mistakes_are_reported_before_any_request() {
    let lab = Lab::simple(&people(6)).await;
    let good = config_table(&lab);
    let text = toml::to_string(&good).unwrap();
    let dir = lab.workdir.path();

    let typo = text.replacen("priority = ", "priorty = ", 1);
    let typo_line = typo.lines().position(|l| l.starts_with("priorty")).unwrap() + 1;
    let mut dup = good.clone();
    let rules = dup["sync"]["rules"].as_array_mut().unwrap();
    let mut copy = rules[0].clone();
    copy["priority"] = 99.into();
    rules.push(copy);
    let mut equal = good.clone();
    let rules = equal["sync"]["rules"].as_array_mut().unwrap();
    let p0 = rules[0]["priority"].clone();
    rules[1]["priority"] = p0;
    let unknown_top = format!("stat_file = \"x.json\"\n{text}");
    let bad_url = text.replacen(&lab.ipo.base_url(), "ipo.example:7070", 1);
    let cases: Vec<Mistake> = vec![
        (
            "typo in [sync]",
            typo,
            vec!["plan"],
            (CLIENT_SECRET, IPO_PASSWORD),
            vec![
                format!("line {typo_line}"),
                "priorty".into(),
                "`priority`".into(),
            ],
        ),
        (
            "same group twice",
            toml::to_string(&dup).unwrap(),
            vec!["apply"],
            (CLIENT_SECRET, IPO_PASSWORD),
            vec!["sync.rules[3].group".into(), "one rule per group".into()],
        ),
        (
            "equal priorities, different types",
            toml::to_string(&equal).unwrap(),
            vec!["plan"],
            (CLIENT_SECRET, IPO_PASSWORD),
            vec!["sync.rules[1].priority".into()],
        ),
        (
            "unknown top-level key",
            unknown_top,
            vec!["check"],
            (CLIENT_SECRET, IPO_PASSWORD),
            vec![
                "line 1".into(),
                "stat_file".into(),
                "`state_file`".into(),
                "`sync`".into(),
            ],
        ),
        (
            "not a URL",
            bad_url,
            vec!["plan"],
            (CLIENT_SECRET, IPO_PASSWORD),
            vec!["base_url".into(), "line ".into()],
        ),
        (
            "both secrets missing",
            text.clone(),
            vec!["run", "--every", "5m"],
            ("", ""),
            vec![
                "IPO_TEAMS_CLIENT_SECRET".into(),
                "IPO_TEAMS_IPO_PASSWORD".into(),
            ],
        ),
        (
            "apply without state",
            text.clone(),
            vec!["apply"],
            (CLIENT_SECRET, IPO_PASSWORD),
            vec!["no sync state at".into(), "--first-run".into()],
        ),
    ];
    for (what, content, args, (secret, password), expected) in cases {
        let cfg = write_config_text(&dir.join(what.replace(' ', "-")), &content);
        let o = run(&cfg, &args, secret, password).await;
        assert_eq!(o.code, EXIT_FAILURE, "{what}: {}\n{}", o.stdout, o.stderr);
        for e in &expected {
            assert!(
                o.stderr.contains(e.as_str()),
                "{what}: {e:?} not in\n{}",
                o.stderr
            );
        }
        assert!(o.stdout.is_empty(), "{what}: {}", o.stdout);
        assert_eq!(requests(&lab), (0, 0), "{what}: a request was sent");
    }
    // A missing file is named too.
    let o = run(
        &dir.join("nowhere.toml"),
        &["plan"],
        CLIENT_SECRET,
        IPO_PASSWORD,
    )
    .await;
    assert_eq!(o.code, EXIT_FAILURE);
    assert!(o.stderr.contains("nowhere.toml"), "{}", o.stderr);
    assert_eq!(requests(&lab), (0, 0));
}
