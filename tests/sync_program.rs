//! The administrator's program, `examples/sync.rs`, run as a separate process against both
//! emulators: its configuration file, the secrets from the environment, every command,
//! `--json`, the deletion threshold and its exit codes (0 done, 5 done but IP Office must
//! restart, 3 held back, 1 failure).
//!
//! `cargo test` builds the examples before it runs the tests; the binary is found next to
//! this test's executable (`target/<profile>/examples/sync`). With `cargo test --test
//! sync_program` alone, build it first: `cargo build --example sync`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ipo_model::Profile;
use support::*;

/// The exit codes `examples/sync.rs` documents.
const EXIT_OK: i32 = 0;
const EXIT_FAILURE: i32 = 1;
const EXIT_HELD: i32 = 3;
const EXIT_RESTART: i32 = 5;

/// No run of the program may take longer than this.
const CHILD_TIMEOUT: Duration = Duration::from_secs(45);

/// `target/<profile>/examples/sync`, found from this test's executable
/// (`target/<profile>/deps/sync_program-<hash>`).
fn program() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test runs from target/<profile>/deps");
    let bin = profile_dir
        .join("examples")
        .join(format!("sync{}", std::env::consts::EXE_SUFFIX));
    if !bin.is_file() {
        panic!(
            "the example program is not built: {} does not exist. Run `cargo test` (which \
             builds examples) or `cargo build --example sync` before `cargo test --test \
             sync_program`.",
            bin.display()
        );
    }
    bin
}

/// What one run of the program produced.
#[derive(Debug)]
struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
}

impl Outcome {
    /// Stdout parsed as JSON.
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// Runs the program with `args` and the given secrets in its environment (others cleared),
/// killing it after [`CHILD_TIMEOUT`]. Runs on a blocking thread so the emulators, served
/// by this test's runtime, keep answering.
async fn run(config: &Path, args: &[&str], secret: &str, password: &str) -> Outcome {
    let mut cmd = Command::new(program());
    cmd.arg("--config")
        .arg(config)
        .args(args)
        .env_remove("IPO_TEAMS_CLIENT_SECRET")
        .env_remove("IPO_TEAMS_IPO_PASSWORD")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if !secret.is_empty() {
        cmd.env("IPO_TEAMS_CLIENT_SECRET", secret);
    }
    if !password.is_empty() {
        cmd.env("IPO_TEAMS_IPO_PASSWORD", password);
    }
    let what = args.join(" ");
    tokio::task::spawn_blocking(move || {
        let start = Instant::now();
        let mut child = cmd.spawn().expect("the program starts");
        let mut out = child.stdout.take().unwrap();
        let mut err = child.stderr.take().unwrap();
        let out = std::thread::spawn(move || {
            let mut s = String::new();
            out.read_to_string(&mut s).map(|_| s)
        });
        let err = std::thread::spawn(move || {
            let mut s = String::new();
            err.read_to_string(&mut s).map(|_| s)
        });
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > CHILD_TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                panic!("`sync {what}` did not finish within {CHILD_TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        Outcome {
            code: status
                .code()
                .unwrap_or_else(|| panic!("`sync {what}` was killed by a signal")),
            stdout: out.join().unwrap().unwrap(),
            stderr: err.join().unwrap().unwrap(),
            took: start.elapsed(),
        }
    })
    .await
    .unwrap()
}

/// The program's configuration file for this lab: both emulators, the generated tenant's
/// sync configuration (`support::config()`), state and directory CSV in the lab's workdir.
fn write_config(lab: &Lab) -> PathBuf {
    let dir = lab.workdir.path();
    let mut graph = toml::Table::new();
    graph.insert("tenant".into(), TENANT.into());
    graph.insert("client_id".into(), CLIENT_ID.into());
    graph.insert("login_base".into(), lab.graph.login_base().into());
    graph.insert("graph_base".into(), lab.graph.graph_base().into());
    let mut ipo = toml::Table::new();
    ipo.insert("base_url".into(), lab.ipo.base_url().into());
    ipo.insert("username".into(), IPO_USER.into());
    // IP Office's answer does not settle these (docs/ipo-wire.md, "Systems").
    ipo.insert("licensing_mode".into(), "plds".into());
    ipo.insert("platform".into(), "ip500v2".into());
    ipo.insert(
        "directory_csv".into(),
        dir.join("program-directory.csv")
            .display()
            .to_string()
            .into(),
    );
    let mut file = toml::Table::new();
    file.insert(
        "state_file".into(),
        dir.join("program-state.json").display().to_string().into(),
    );
    file.insert("graph".into(), graph.into());
    file.insert("ipo".into(), ipo.into());
    file.insert("sync".into(), toml::Value::try_from(config()).unwrap());
    let path = dir.join("sync.toml");
    std::fs::write(&path, toml::to_string(&file).unwrap()).unwrap();
    path
}

/// The users the sync made (named after the generated people).
fn synced(lab: &Lab) -> Vec<ipo_model::IpoUser> {
    lab.ipo
        .users()
        .into_iter()
        .filter(|u| u.name.as_str().starts_with("user"))
        .collect()
}

/// How many plan actions of `kind` (`"create_user"`...) a JSON plan has.
fn count(plan: &serde_json::Value, kind: &str) -> usize {
    plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == kind)
        .count()
}

/// Nothing in the output carries either secret. The message never quotes the output, so
/// a failure cannot print a secret either.
fn assert_no_secret(o: &Outcome, secrets: &[&str]) {
    for s in secrets {
        assert!(
            !o.stdout.contains(s) && !o.stderr.contains(s),
            "a secret ({} characters) appears in the program's output",
            s.len()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn program_plans_applies_converges_and_explains_with_exit_codes() {
    program(); // fails early, and clearly, when the example is not built
    let lab = Lab::simple(&people(60)).await;
    let cfg = write_config(&lab);
    let started = Instant::now();

    // A dry run: the plan, nothing written, no state file.
    let plan = run(&cfg, &["plan"], CLIENT_SECRET, IPO_PASSWORD).await;
    assert_eq!(plan.code, EXIT_OK, "{}\n{}", plan.stdout, plan.stderr);
    assert!(plan.stdout.starts_with("Plan  "), "{}", plan.stdout);
    assert!(plan.stdout.contains("create user"), "{}", plan.stdout);
    assert!(synced(&lab).is_empty(), "a dry run writes nothing");
    assert!(!lab.workdir.path().join("program-state.json").exists());
    // Not a terminal: no progress bar, nothing at all on stderr.
    assert_eq!(
        plan.stderr, "",
        "nothing is drawn when stderr is not a terminal"
    );
    assert_no_secret(&plan, &[CLIENT_SECRET, IPO_PASSWORD]);

    let dry = run(&cfg, &["plan", "--json"], CLIENT_SECRET, IPO_PASSWORD).await;
    assert_eq!(dry.code, EXIT_OK, "{}", dry.stderr);
    let dry = dry.json();
    assert_eq!(count(&dry["plan"], "create_user"), 50);
    assert!(dry["report"].is_null());
    assert!(dry["transport"]["directory"]["requests"].as_u64().unwrap() > 0);
    let dry_ipo_requests = dry["transport"]["ipo"]["requests"].as_u64().unwrap();
    assert!(dry_ipo_requests > 0);

    // One throttled Graph answer on the next run: the report counts it and the wait.
    lab.graph.faults().add(
        graph_emulator::FaultRule::new("/v1.0/groups")
            .throttle(1.0, Some(Duration::from_secs(1)))
            .times(1),
    );
    // And one expired IP Office session: the client logs in again, the report counts it.
    lab.ipo.faults().add(
        ipo_emulator::FaultRule::new("/WebManagement/ws/sdk/admin/v1/users")
            .session_timeout_http(1.0)
            .times(1),
    );
    let apply = run(&cfg, &["apply", "--json"], CLIENT_SECRET, IPO_PASSWORD).await;
    assert_eq!(apply.code, EXIT_OK, "{}", apply.stderr);
    assert_no_secret(&apply, &[CLIENT_SECRET, IPO_PASSWORD]);
    let applied = apply.json();
    let summary = &applied["report"]["summary"];
    assert_eq!(summary["failed"], 0, "{:#}", applied["report"]);
    assert_eq!(
        summary["succeeded"].as_u64().unwrap() as usize,
        applied["plan"]["actions"].as_array().unwrap().len()
    );
    let graph_t = &summary["transport"]["directory"];
    let ipo_t = &summary["transport"]["ipo"];
    assert_eq!(graph_t["throttled"], 1, "{summary:#}");
    assert!(graph_t["retries"].as_u64().unwrap() >= 1, "{summary:#}");
    assert!(
        graph_t["waited"]["secs"].as_u64().unwrap() >= 1,
        "{summary:#}"
    );
    // The writes went over HTTP (batched): more IP Office requests than a dry run makes.
    assert!(
        ipo_t["requests"].as_u64().unwrap() > dry_ipo_requests,
        "{summary:#}"
    );
    assert_eq!(ipo_t["relogins"], 1, "{summary:#}");
    assert_eq!(applied["transport"], summary["transport"]);
    let users = synced(&lab);
    assert_eq!(users.len(), 50);
    assert!(lab.workdir.path().join("program-state.json").exists());
    eprintln!(
        "apply: {} Graph requests ({} throttled, {} retries, waited {}), {} IP Office requests ({} re-logins), {:?}",
        graph_t["requests"],
        graph_t["throttled"],
        graph_t["retries"],
        graph_t["waited"],
        ipo_t["requests"],
        ipo_t["relogins"],
        apply.took
    );

    // The next plan is empty; the human report's transport line shows on an apply.
    let again = run(&cfg, &["plan"], CLIENT_SECRET, IPO_PASSWORD).await;
    assert_eq!(again.code, EXIT_OK, "{}", again.stderr);
    assert!(
        again
            .stdout
            .contains("nothing to write: IP Office is in sync"),
        "{}",
        again.stdout
    );
    let noop = run(&cfg, &["apply"], CLIENT_SECRET, IPO_PASSWORD).await;
    assert_eq!(noop.code, EXIT_OK, "{}", noop.stderr);
    assert!(
        noop.stdout
            .contains("Applied: 0 succeeded, 0 failed, 0 removals held"),
        "{}",
        noop.stdout
    );
    let transport: Vec<&str> = noop
        .stdout
        .lines()
        .filter(|l| l.starts_with("Transport: "))
        .collect();
    assert_eq!(transport.len(), 1, "{}", noop.stdout);
    for part in [
        "requests (directory ",
        "retries",
        "throttled",
        "re-logins",
        "waited",
    ] {
        assert!(transport[0].contains(part), "{}", transport[0]);
    }
    assert_eq!(synced(&lab).len(), 50);

    // classify: the three-type report, as text and as JSON.
    let classify = run(&cfg, &["classify"], CLIENT_SECRET, IPO_PASSWORD).await;
    assert_eq!(classify.code, EXIT_OK, "{}", classify.stderr);
    let line_of = |who: &str| {
        classify
            .stdout
            .lines()
            .find(|l| l.starts_with(who))
            .unwrap_or_else(|| panic!("no line for {who}:\n{}", classify.stdout))
            .to_owned()
    };
    assert!(line_of("user00001@").ends_with("IP Office only"));
    assert!(line_of("user00005@").ends_with("MS Teams only"));
    let classified = run(&cfg, &["classify", "--json"], CLIENT_SECRET, IPO_PASSWORD).await;
    assert_eq!(classified.code, EXIT_OK, "{}", classified.stderr);
    let classified = classified.json();
    let verdicts = classified["verdicts"].as_array().unwrap();
    assert_eq!(verdicts.len(), 60, "{classified:#}");

    // explain: the step trace for one person, who is already in sync.
    let id = person_id(4).to_string();
    let explain = run(&cfg, &["explain", &id], CLIENT_SECRET, IPO_PASSWORD).await;
    assert_eq!(explain.code, EXIT_OK, "{}", explain.stderr);
    let (trace, rest) = explain
        .stdout
        .split_once("Plan  ")
        .expect("the trace, then the plan");
    assert!(!trace.trim().is_empty(), "{}", explain.stdout);
    assert!(rest.contains("nothing to write"), "{}", explain.stdout);
    let unknown = run(
        &cfg,
        &["explain", "0b000000-0000-4000-8000-999999999999"],
        CLIENT_SECRET,
        IPO_PASSWORD,
    )
    .await;
    assert_eq!(unknown.code, EXIT_FAILURE, "{}", unknown.stdout);
    assert!(unknown.stderr.starts_with("error: "), "{}", unknown.stderr);
    eprintln!("program runs took {:?} in all", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emptied_group_is_held_back_until_deletes_are_allowed() {
    let lab = Lab::simple(&people(60)).await;
    let cfg = write_config(&lab);
    let apply = run(&cfg, &["apply"], CLIENT_SECRET, IPO_PASSWORD).await;
    assert_eq!(apply.code, EXIT_OK, "{}\n{}", apply.stdout, apply.stderr);
    let before = synced(&lab);
    assert_eq!(before.len(), 50);
    let desk_users = before
        .iter()
        .filter(|u| u.profile == Profile::BasicUser)
        .count();
    assert_eq!(desk_users, 40);

    // Somebody empties the IP Office users group: 40 of 50 managed users would go.
    for (u, g) in people(60) {
        if g == GROUP_IPO {
            lab.graph.remove_member(GROUP_IPO, &u.id).unwrap();
        }
    }
    let plan = run(&cfg, &["plan", "--json"], CLIENT_SECRET, IPO_PASSWORD).await;
    assert_eq!(plan.code, EXIT_HELD, "{}", plan.stderr);
    let held = plan.json();
    assert_eq!(
        held["plan"]["held_removals"]["count"], 40,
        "{:#}",
        held["plan"]["held_removals"]
    );

    let apply = run(&cfg, &["apply"], CLIENT_SECRET, IPO_PASSWORD).await;
    assert_eq!(apply.code, EXIT_HELD, "{}\n{}", apply.stdout, apply.stderr);
    assert!(apply.stdout.contains("HELD"), "{}", apply.stdout);
    assert!(
        apply.stdout.contains("40 removals held"),
        "{}",
        apply.stdout
    );
    assert_eq!(synced(&lab), before, "a held apply removes nothing");

    let allowed = run(
        &cfg,
        &["apply", "--allow-deletes"],
        CLIENT_SECRET,
        IPO_PASSWORD,
    )
    .await;
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
    assert_eq!(
        after
            .iter()
            .filter(|u| u.profile == Profile::PowerUser)
            .count(),
        10,
        "the Teams + IP Office people are untouched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_credentials_fail_with_a_message_that_keeps_the_secret() {
    let lab = Lab::simple(&people(6)).await;
    let cfg = write_config(&lab);
    const WRONG_PASSWORD: &str = "Wr0ng-IPO-pass-Qx41";
    const WRONG_SECRET: &str = "Wr0ng-CLIENT-secret-Hv77";

    let ipo = run(&cfg, &["apply"], CLIENT_SECRET, WRONG_PASSWORD).await;
    assert_eq!(ipo.code, EXIT_FAILURE, "{}", ipo.stdout);
    assert!(ipo.stderr.starts_with("error: "), "{}", ipo.stderr);
    assert!(
        ipo.stderr.contains("IP Office login refused"),
        "{}",
        ipo.stderr
    );
    assert_no_secret(&ipo, &[WRONG_PASSWORD, IPO_PASSWORD, CLIENT_SECRET]);
    assert!(synced(&lab).is_empty());

    let graph = run(&cfg, &["plan"], WRONG_SECRET, IPO_PASSWORD).await;
    assert_eq!(graph.code, EXIT_FAILURE, "{}", graph.stdout);
    assert!(graph.stderr.starts_with("error: "), "{}", graph.stderr);
    assert_no_secret(&graph, &[WRONG_SECRET, CLIENT_SECRET, IPO_PASSWORD]);

    // Secrets come from the environment only: without one, the program says which.
    let missing = run(&cfg, &["plan"], CLIENT_SECRET, "").await;
    assert_eq!(missing.code, EXIT_FAILURE);
    assert!(
        missing.stderr.contains("IPO_TEAMS_IPO_PASSWORD"),
        "{}",
        missing.stderr
    );
    assert!(missing.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_notice_travels_from_ip_office_to_the_output_and_exit_status() {
    program();
    let lab = Lab::simple(&people(12)).await;
    let cfg = write_config(&lab);
    // Every user write is answered with the guide's restart notice
    // (`<ws_object><reboot type="normal"/></ws_object>`).
    lab.ipo.faults().add(
        ipo_emulator::FaultRule::new("/WebManagement/ws/sdk/admin/v1/users")
            .method("POST")
            .reboot(1.0),
    );
    let apply = run(&cfg, &["apply"], CLIENT_SECRET, IPO_PASSWORD).await;
    assert_eq!(
        apply.code, EXIT_RESTART,
        "{}\n{}",
        apply.stdout, apply.stderr
    );
    assert!(!synced(&lab).is_empty(), "the writes were done");
    assert!(
        apply
            .stdout
            .contains("IP Office needs a restart for these changes to take effect: node 127.0.0.1"),
        "{}",
        apply.stdout
    );
    assert!(
        apply
            .stderr
            .contains("note: IP Office node 127.0.0.1 must be restarted (normal)"),
        "{}",
        apply.stderr
    );
    assert_no_secret(&apply, &[CLIENT_SECRET, IPO_PASSWORD]);

    // The JSON report names the node once; nothing left to write: no notice, exit 0.
    lab.ipo.faults().clear();
    let again = run(&cfg, &["apply", "--json"], CLIENT_SECRET, IPO_PASSWORD).await;
    assert_eq!(again.code, EXIT_OK, "{}", again.stderr);
    assert_eq!(again.json()["report"]["restarts"], serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_notice_is_in_the_json_report_naming_the_node() {
    program();
    let lab = Lab::simple(&people(6)).await;
    let cfg = write_config(&lab);
    lab.ipo.faults().add(
        ipo_emulator::FaultRule::new("/WebManagement/ws/sdk/admin/v1/users")
            .method("POST")
            .reboot(1.0),
    );
    let apply = run(&cfg, &["apply", "--json"], CLIENT_SECRET, IPO_PASSWORD).await;
    assert_eq!(apply.code, EXIT_RESTART, "{}", apply.stderr);
    let restarts = &apply.json()["report"]["restarts"];
    assert_eq!(
        restarts,
        &serde_json::json!([{"node": "127.0.0.1", "kind": "normal"}]),
        "{restarts:#}"
    );
}
