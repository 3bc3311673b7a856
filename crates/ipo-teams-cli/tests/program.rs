//! The `ipo-teams` binary run as a separate process against both emulators: help and
//! version, every command, `--json`, the deletion threshold and the exit codes (0 done,
//! 3 held back, 1 failure), refused credentials.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/support/mod.rs"]
mod support;

mod common;

use std::time::{Duration, Instant};

use common::*;
use ipo_model::Profile;
use support::*;

#[test]
fn help_and_version_answer_on_every_level() {
    let run = |args: &[&str]| {
        let mut cmd = std::process::Command::new(program());
        cmd.args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let o = finish(Started::spawn(&mut cmd), &args.join(" "));
        (o.code, o.stdout)
    };
    for args in [
        &["--help"][..],
        &["-h"],
        &["help"],
        &["plan", "--help"],
        &["apply", "--help"],
        &["explain", "--help"],
        &["run", "--help"],
        &["check", "--help"],
        &["help", "classify"],
    ] {
        let (code, out) = run(args);
        assert_eq!(code, EXIT_OK, "{args:?}");
        assert!(out.contains("Usage: ipo-teams"), "{args:?}: {out}");
    }
    let (code, out) = run(&["--version"]);
    assert_eq!(code, EXIT_OK);
    assert_eq!(
        out.trim(),
        format!("ipo-teams {}", env!("CARGO_PKG_VERSION"))
    );
    let (code, out) = run(&["plan", "--version"]);
    assert_eq!((code, out.trim()), (EXIT_OK, out.trim()));
    assert!(out.starts_with("ipo-teams"), "{out}");
    let (code, _) = run(&["plan", "--no-such-flag"]);
    assert_eq!(code, EXIT_USAGE);
    let (code, _) = run(&[]);
    assert_eq!(code, EXIT_USAGE, "a subcommand is required");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn program_plans_applies_converges_and_explains_with_exit_codes() {
    let lab = Lab::simple(&people(60)).await;
    let cfg = write_config(&lab);
    let started = Instant::now();

    // A dry run without state: it says so first, then the plan; nothing written.
    let plan = run_ok(&cfg, &["plan"]).await;
    assert_eq!(plan.code, EXIT_OK, "{}\n{}", plan.stdout, plan.stderr);
    let (first, rest) = plan.stdout.split_once('\n').unwrap();
    assert!(first.starts_with("No sync state at "), "{}", plan.stdout);
    assert!(
        first.contains(&state_path(&lab).display().to_string()),
        "{first}"
    );
    assert!(rest.starts_with("Plan  "), "{}", plan.stdout);
    assert!(rest.contains("create user"), "{}", plan.stdout);
    assert!(synced(&lab).is_empty(), "a dry run writes nothing");
    assert!(!state_path(&lab).exists());
    // Not a terminal: no progress bar, plain log lines instead.
    assert!(!plan.stderr.contains('\r'), "{}", plan.stderr);
    assert!(
        plan.stderr.contains("reading the directory"),
        "{}",
        plan.stderr
    );
    assert_no_secret(&plan, &[CLIENT_SECRET, IPO_PASSWORD]);

    let dry = run_ok(&cfg, &["plan", "--json"]).await;
    assert_eq!(dry.code, EXIT_OK, "{}", dry.stderr);
    let dry = dry.json();
    assert_eq!(dry["state"]["found"], false);
    assert_eq!(count(&dry["plan"], "create_user"), 50);
    assert!(dry["report"].is_null());
    assert!(dry["transport"]["azure_ad"]["requests"].as_u64().unwrap() > 0);
    let dry_ipo_requests = dry["transport"]["ipo"]["requests"].as_u64().unwrap();
    assert!(dry_ipo_requests > 0);

    // One throttled Graph answer and one expired IP Office session on the first apply.
    lab.graph.faults().add(
        graph_emulator::FaultRule::new("/v1.0/groups")
            .throttle(1.0, Some(Duration::from_secs(1)))
            .times(1),
    );
    lab.ipo.faults().add(
        ipo_emulator::FaultRule::new("/WebManagement/ws/sdk/admin/v1/users")
            .session_timeout_http(1.0)
            .times(1),
    );
    let apply = run_ok(&cfg, &["apply", "--first-run", "--json"]).await;
    assert_eq!(apply.code, EXIT_OK, "{}", apply.stderr);
    assert_no_secret(&apply, &[CLIENT_SECRET, IPO_PASSWORD]);
    let applied = apply.json();
    let summary = &applied["report"]["summary"];
    assert_eq!(summary["failed"], 0, "{:#}", applied["report"]);
    assert_eq!(
        summary["succeeded"].as_u64().unwrap() as usize,
        applied["plan"]["actions"].as_array().unwrap().len()
    );
    let graph_t = &summary["transport"]["azure_ad"];
    let ipo_t = &summary["transport"]["ipo"];
    assert_eq!(graph_t["throttled"], 1, "{summary:#}");
    assert!(graph_t["retries"].as_u64().unwrap() >= 1, "{summary:#}");
    assert!(
        ipo_t["requests"].as_u64().unwrap() > dry_ipo_requests,
        "{summary:#}"
    );
    assert_eq!(ipo_t["relogins"], 1, "{summary:#}");
    assert_eq!(synced(&lab).len(), 50);
    assert!(
        state_path(&lab).exists(),
        "the state is written beside the configuration"
    );

    // The next plan is empty and says nothing about a missing state.
    let again = run_ok(&cfg, &["plan"]).await;
    assert_eq!(again.code, EXIT_OK, "{}", again.stderr);
    assert!(again.stdout.starts_with("Plan  "), "{}", again.stdout);
    assert!(
        again
            .stdout
            .contains("nothing to write: IP Office is in sync"),
        "{}",
        again.stdout
    );
    // --first-run once a state exists is refused: it would hide a lost state next time.
    let twice = run_ok(&cfg, &["apply", "--first-run"]).await;
    assert_eq!(twice.code, EXIT_FAILURE, "{}", twice.stdout);
    assert!(twice.stderr.contains("--first-run"), "{}", twice.stderr);
    let noop = run_ok(&cfg, &["apply"]).await;
    assert_eq!(noop.code, EXIT_OK, "{}", noop.stderr);
    assert!(
        noop.stdout
            .contains("Applied: 0 writes planned, 0 succeeded, 0 failed, 0 removals held"),
        "{}",
        noop.stdout
    );
    let transport: Vec<&str> = noop
        .stdout
        .lines()
        .filter(|l| l.starts_with("Transport: "))
        .collect();
    assert_eq!(transport.len(), 1, "{}", noop.stdout);
    assert_eq!(synced(&lab).len(), 50);

    // classify: the three user types, aligned, as text and as JSON.
    let classify = run_ok(&cfg, &["classify"]).await;
    assert_eq!(classify.code, EXIT_OK, "{}", classify.stderr);
    let line_of = |who: &str| {
        classify
            .stdout
            .lines()
            .find(|l| l.starts_with(who))
            .unwrap_or_else(|| panic!("no line for {who}:\n{}", classify.stdout))
            .to_owned()
    };
    let ipo_only = line_of("user00001@");
    let teams_only = line_of("user00005@");
    assert!(ipo_only.ends_with("IP Office only"), "{ipo_only}");
    assert!(teams_only.ends_with("MS Teams only"), "{teams_only}");
    assert_eq!(
        ipo_only.find("IP Office only"),
        teams_only.find("MS Teams only"),
        "the user type column is aligned:\n{}",
        classify.stdout
    );
    let classified = run_ok(&cfg, &["classify", "--json"]).await;
    assert_eq!(classified.code, EXIT_OK, "{}", classified.stderr);
    let classified = classified.json();
    assert_eq!(classified["verdicts"].as_array().unwrap().len(), 60);

    // explain: the step trace for one person, who is already in sync.
    let id = person_id(4).to_string();
    let explain = run_ok(&cfg, &["explain", &id]).await;
    assert_eq!(explain.code, EXIT_OK, "{}", explain.stderr);
    let (trace, rest) = explain
        .stdout
        .split_once("Plan  ")
        .expect("the trace, then the plan");
    assert!(!trace.trim().is_empty(), "{}", explain.stdout);
    assert!(rest.contains("nothing to write"), "{}", explain.stdout);
    let unknown = run_ok(&cfg, &["explain", "0b000000-0000-4000-8000-999999999999"]).await;
    assert_eq!(unknown.code, EXIT_FAILURE, "{}", unknown.stdout);
    assert!(unknown.stderr.contains("error: "), "{}", unknown.stderr);
    let garbage = run_ok(&cfg, &["explain", "not-an-id"]).await;
    assert_eq!(garbage.code, EXIT_FAILURE, "{}", garbage.stdout);
    assert!(
        garbage.stderr.contains("not an Azure AD object id"),
        "{}",
        garbage.stderr
    );
    eprintln!("program runs took {:?} in all", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emptied_group_is_held_back_until_deletes_are_allowed() {
    let lab = Lab::simple(&people(60)).await;
    let cfg = write_config(&lab);
    let apply = run_ok(&cfg, &["apply", "--first-run"]).await;
    assert_eq!(apply.code, EXIT_OK, "{}\n{}", apply.stdout, apply.stderr);
    let before = synced(&lab);
    assert_eq!(before.len(), 50);

    // Somebody empties the IP Office users group: 40 of 50 managed users would go.
    for (u, g) in people(60) {
        if g == GROUP_IPO {
            lab.graph.remove_member(GROUP_IPO, &u.id).unwrap();
        }
    }
    let plan = run_ok(&cfg, &["plan", "--json"]).await;
    assert_eq!(plan.code, EXIT_HELD, "{}", plan.stderr);
    assert_eq!(plan.json()["plan"]["held_removals"]["count"], 40);

    let apply = run_ok(&cfg, &["apply"]).await;
    assert_eq!(apply.code, EXIT_HELD, "{}\n{}", apply.stdout, apply.stderr);
    assert!(
        apply.stdout.contains("40 removals held"),
        "{}",
        apply.stdout
    );
    assert_eq!(synced(&lab), before, "a held apply removes nothing");

    let allowed = run_ok(&cfg, &["apply", "--allow-deletes"]).await;
    assert_eq!(
        allowed.code, EXIT_OK,
        "{}\n{}",
        allowed.stdout, allowed.stderr
    );
    let after = synced(&lab);
    let disabled = after
        .iter()
        .filter(|u| u.profile == Profile::NonLicensed)
        .count();
    assert_eq!(
        disabled, 40,
        "every member of the emptied group is disabled"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_credentials_fail_with_a_message_that_keeps_the_secret() {
    let lab = Lab::simple(&people(6)).await;
    let cfg = write_config(&lab);

    let ipo = run(
        &cfg,
        &["apply", "--first-run"],
        CLIENT_SECRET,
        WRONG_PASSWORD,
    )
    .await;
    assert_eq!(ipo.code, EXIT_FAILURE, "{}", ipo.stdout);
    assert!(ipo.stderr.contains("error: "), "{}", ipo.stderr);
    assert!(
        ipo.stderr.contains("IP Office login refused"),
        "{}",
        ipo.stderr
    );
    assert_no_secret(&ipo, &[WRONG_PASSWORD, IPO_PASSWORD, CLIENT_SECRET]);
    assert!(synced(&lab).is_empty());

    let graph = run(&cfg, &["plan"], WRONG_SECRET, IPO_PASSWORD).await;
    assert_eq!(graph.code, EXIT_FAILURE, "{}", graph.stdout);
    assert!(graph.stderr.contains("error: "), "{}", graph.stderr);
    assert_no_secret(&graph, &[WRONG_SECRET, CLIENT_SECRET, IPO_PASSWORD]);

    // `check` names the failing side and still checks the other one.
    let check = run(&cfg, &["check"], CLIENT_SECRET, WRONG_PASSWORD).await;
    assert_eq!(check.code, EXIT_FAILURE, "{}", check.stdout);
    assert!(
        check.stdout.contains("FAILED IP Office login"),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains("ok     Graph group"),
        "{}",
        check.stdout
    );
    assert_no_secret(&check, &[WRONG_PASSWORD, IPO_PASSWORD, CLIENT_SECRET]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_tests_both_connections_without_reading_people() {
    let lab = Lab::simple(&people(12)).await;
    let cfg = write_config(&lab);
    let check = run_ok(&cfg, &["check"]).await;
    assert_eq!(check.code, EXIT_OK, "{}\n{}", check.stdout, check.stderr);
    for what in [
        "configuration",
        "Graph group IP Office users",
        "IP Office login",
        "IP Office rights",
    ] {
        assert!(
            check
                .stdout
                .lines()
                .any(|l| l.starts_with("ok") && l.contains(what)),
            "{what}:\n{}",
            check.stdout
        );
    }
    let graph = lab.graph.stats();
    use graph_emulator::Route;
    assert!(graph.get(Route::Token) >= 1, "signed in");
    for route in [Route::User, Route::Members, Route::UsersDelta, Route::Batch] {
        assert_eq!(graph.get(route), 0, "{route:?}: check reads no people");
    }
    // One probe per permission: at most one user's id, one Teams configuration.
    assert_eq!(graph.get(Route::Users), 1, "the User.Read.All probe");
    assert!(
        check
            .stdout
            .lines()
            .any(|l| l.starts_with("ok") && l.contains("Graph permission User.Read.All")),
        "{}",
        check.stdout
    );

    // A permission taken away is named on its own line; every other check still runs.
    lab.graph
        .revoke_permission("TeamsUserConfiguration.Read.All");
    let check = run_ok(&cfg, &["check"]).await;
    assert_eq!(check.code, EXIT_FAILURE, "{}", check.stdout);
    let failed: Vec<&str> = check
        .stdout
        .lines()
        .filter(|l| l.starts_with("FAILED"))
        .collect();
    assert_eq!(failed.len(), 1, "{}", check.stdout);
    assert!(
        failed[0].contains("Graph permission TeamsUserConfiguration.Read.All")
            && failed[0].contains("Authorization_RequestDenied"),
        "{}",
        failed[0]
    );
    assert!(
        check.stdout.contains("IP Office rights"),
        "{}",
        check.stdout
    );
    lab.graph
        .grant_permission("TeamsUserConfiguration.Read.All");
    let ipo = lab.ipo.stats();
    assert_eq!(
        ipo.requests_to("GET", "/users"),
        0,
        "check reads no IP Office users"
    );
    assert!(ipo.logins >= 1);
    assert_eq!(ipo.write_requests, 0, "check writes nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_come_from_configured_files_or_systemd_credentials() {
    let lab = Lab::simple(&people(6)).await;
    let dir = lab.workdir.path();

    // Files named in the configuration (relative: beside it), no environment at all.
    std::fs::write(dir.join("client-secret"), format!("{CLIENT_SECRET}\n")).unwrap();
    std::fs::write(dir.join("ipo-password"), IPO_PASSWORD).unwrap();
    let mut table = config_table(&lab);
    table["graph"]
        .as_table_mut()
        .unwrap()
        .insert("client_secret_file".into(), "client-secret".into());
    table["ipo"]
        .as_table_mut()
        .unwrap()
        .insert("password_file".into(), "ipo-password".into());
    let cfg = write_config_text(&dir.join("files"), &toml::to_string(&table).unwrap());
    std::fs::rename(dir.join("client-secret"), dir.join("files/client-secret")).unwrap();
    std::fs::rename(dir.join("ipo-password"), dir.join("files/ipo-password")).unwrap();
    let check = run(&cfg, &["check"], "", "").await;
    assert_eq!(check.code, EXIT_OK, "{}\n{}", check.stdout, check.stderr);
    assert_no_secret(&check, &[CLIENT_SECRET, IPO_PASSWORD]);

    // systemd's LoadCredential: $CREDENTIALS_DIRECTORY/client-secret and ipo-password.
    let creds = dir.join("credentials");
    std::fs::create_dir_all(&creds).unwrap();
    std::fs::write(creds.join("client-secret"), CLIENT_SECRET).unwrap();
    std::fs::write(creds.join("ipo-password"), IPO_PASSWORD).unwrap();
    let plain = write_config(&lab);
    let mut cmd = command(dir, &plain, &["check"], "", "");
    cmd.env("CREDENTIALS_DIRECTORY", &creds);
    let check = tokio::task::spawn_blocking(move || finish(Started::spawn(&mut cmd), "check"))
        .await
        .unwrap();
    assert_eq!(check.code, EXIT_OK, "{}\n{}", check.stdout, check.stderr);

    // A configured file that is missing is named, with the other missing secret.
    std::fs::remove_file(dir.join("files/client-secret")).unwrap();
    let missing = run(&cfg, &["plan"], "", "").await;
    assert_eq!(missing.code, EXIT_FAILURE);
    assert!(
        missing.stderr.contains("graph.client_secret_file"),
        "{}",
        missing.stderr
    );
    assert!(
        missing.stderr.contains("files/client-secret"),
        "{}",
        missing.stderr
    );
}

/// IP Office's restart notice (`<ws_object><reboot type="normal"/></ws_object>`, as the
/// guide prints it) travels from the emulator through the client and the report to the
/// program's text, JSON and exit status 5, naming the node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_notice_travels_from_ip_office_to_the_output_and_exit_status() {
    let lab = Lab::simple(&people(12)).await;
    let cfg = write_config(&lab);
    lab.ipo.faults().add(
        ipo_emulator::FaultRule::new("/WebManagement/ws/sdk/admin/v1/users")
            .method("POST")
            .reboot(1.0),
    );
    let apply = run_ok(&cfg, &["apply", "--first-run", "--json"]).await;
    assert_eq!(
        apply.code, EXIT_RESTART,
        "{}\n{}",
        apply.stdout, apply.stderr
    );
    assert!(!synced(&lab).is_empty(), "the writes were done");
    assert_eq!(
        apply.json()["report"]["restarts"],
        serde_json::json!([{"node": "127.0.0.1", "kind": "normal"}])
    );

    // The text report says it too; with nothing left to write there is no notice: exit 0.
    lab.ipo.faults().clear();
    let again = run_ok(&cfg, &["apply"]).await;
    assert_eq!(again.code, EXIT_OK, "{}\n{}", again.stdout, again.stderr);
    assert!(
        !again.stdout.contains("needs a restart"),
        "{}",
        again.stdout
    );
}

/// `--html FILE` writes one self-contained page from the same plan, apply report and
/// classification the text shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_reports_are_written_for_plan_apply_and_classify() {
    let lab = Lab::simple(&people(6)).await;
    let cfg = write_config(&lab);
    let dir = lab.workdir.path();
    for (args, file) in [
        (vec!["plan"], "plan.html"),
        (vec!["apply", "--first-run"], "apply.html"),
        (vec!["classify"], "classify.html"),
    ] {
        let path = dir.join(file);
        let path_text = path.to_str().unwrap().to_owned();
        let mut all = args.clone();
        all.extend(["--html", path_text.as_str()]);
        let run = run_ok(&cfg, &all).await;
        assert_eq!(run.code, EXIT_OK, "{args:?}: {}", run.stderr);
        let page = std::fs::read_to_string(&path).unwrap();
        assert!(page.starts_with("<!DOCTYPE html>"), "{file}");
        assert!(page.contains("Content-Security-Policy"), "{file}");
        assert!(
            !page.contains("<script src") && !page.contains("<link"),
            "{file}"
        );
    }
}
