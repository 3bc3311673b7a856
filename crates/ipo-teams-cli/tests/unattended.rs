//! What a scheduler sees of the real binary: exit codes it can trust (people left out for
//! their own data are reported, not an alarm, unless asked for; a safety guard is 3), signals
//! that stop it even when nobody reads its logs, closed pipes that neither panic nor change
//! the exit code, and tests that leave no process behind.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/support/mod.rs"]
mod support;

mod common;

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use ipo_model::{AzureAdUser, License, LicensingMode};
use support::*;

/// Person 1 (IP Office only) has a disabled account: left out for their own data.
const DISABLED: u32 = 1;

/// `people(12)` with person [`DISABLED`]'s account disabled.
fn people_with_a_disabled_account() -> Vec<(AzureAdUser, &'static str)> {
    let mut all = people(12);
    all[DISABLED as usize].0.account_enabled = Some(false);
    all
}

/// The generated tenant against an IP Office with `power_users` free Power User licences
/// (the MS Teams + IP Office people's profile; people 4 and 10 of `people(12)` need one).
async fn lab_with_power_users(people: &[(AzureAdUser, &str)], power_users: u32) -> Lab {
    let ipo = ipo_emulator::EmulatorConfig::new(IPO_USER, IPO_PASSWORD)
        .licensing_mode(LicensingMode::Plds)
        .seed(ipo_emulator::Seed::new().license(License::new(
            "Power User",
            power_users,
            power_users,
        )));
    Lab::start(people, ipo, |g| g, |_| {}).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_left_out_for_their_own_data_exit_0_unless_the_administrator_asks() {
    let lab = Lab::simple(&people_with_a_disabled_account()).await;
    let cfg = write_config(&lab);

    let plan = run_ok(&cfg, &["plan"]).await;
    assert_eq!(plan.code, EXIT_OK, "{}\n{}", plan.stdout, plan.stderr);
    assert!(
        plan.stdout.contains("account disabled"),
        "reported in the plan:\n{}",
        plan.stdout
    );
    let strict = run_ok(&cfg, &["plan", "--alarm-on-skipped"]).await;
    assert_eq!(strict.code, EXIT_HELD, "{}", strict.stderr);

    let apply = run_ok(&cfg, &["apply", "--first-run"]).await;
    assert_eq!(apply.code, EXIT_OK, "{}\n{}", apply.stdout, apply.stderr);
    assert_eq!(synced(&lab).len(), 9, "everyone but the disabled account");
    // In sync, the disabled account still left out: nothing to alarm about.
    let again = run_ok(&cfg, &["apply"]).await;
    assert_eq!(again.code, EXIT_OK, "{}\n{}", again.stdout, again.stderr);
    assert!(
        again
            .stdout
            .contains("nothing to write: IP Office is in sync"),
        "{}",
        again.stdout
    );
    let strict = run_ok(&cfg, &["apply", "--alarm-on-skipped"]).await;
    assert_eq!(strict.code, EXIT_HELD, "{}", strict.stderr);

    // explain answers for the one person asked about.
    let fine = run_ok(&cfg, &["explain", person_id(0).as_ref()]).await;
    assert_eq!(fine.code, EXIT_OK, "{}\n{}", fine.stdout, fine.stderr);
    let disabled = run_ok(&cfg, &["explain", person_id(DISABLED).as_ref()]).await;
    assert_eq!(disabled.code, EXIT_OK, "{}", disabled.stderr);
    assert!(
        disabled.stdout.contains("account disabled"),
        "{}",
        disabled.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_licence_shortfall_is_a_safety_guard_exit_3_and_explain_answers_per_person() {
    let lab = lab_with_power_users(&people_with_a_disabled_account(), 1).await;
    let cfg = write_config(&lab);

    let plan = run_ok(&cfg, &["plan"]).await;
    assert_eq!(plan.code, EXIT_HELD, "{}\n{}", plan.stdout, plan.stderr);
    assert!(plan.stdout.contains("do not fit"), "{}", plan.stdout);
    let apply = run_ok(&cfg, &["apply", "--first-run"]).await;
    assert_eq!(apply.code, EXIT_HELD, "{}\n{}", apply.stdout, apply.stderr);
    assert!(
        apply.stdout.contains(" 0 failed"),
        "nothing failed: {}",
        apply.stdout
    );
    assert_eq!(
        synced(&lab).len(),
        8,
        "all but the disabled and the unlicensed"
    );

    // explain: one person, one answer; the others' remarks are not shown.
    let mut codes = Vec::new();
    for i in [4, 10] {
        let id = person_id(i).to_string();
        let o = run_ok(&cfg, &["explain", &id]).await;
        assert!(o.stdout.contains(&format!("user{i:05}@")), "{}", o.stdout);
        for other in [0, DISABLED, 2, 3, 5] {
            assert!(
                !o.stdout.contains(&format!("user{other:05}@")),
                "explain {i} shows person {other}:\n{}",
                o.stdout
            );
        }
        codes.push(o.code);
    }
    codes.sort();
    assert_eq!(
        codes,
        [EXIT_OK, EXIT_HELD],
        "one of the two got the licence, the other is held"
    );
    let fine = run_ok(&cfg, &["explain", person_id(0).as_ref()]).await;
    assert_eq!(fine.code, EXIT_OK, "{}\n{}", fine.stdout, fine.stderr);
}

/// Waits at most `limit` for the program to end; `None` if it is still running.
fn wait_at_most(child: &mut Started, limit: Duration) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.child().try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_run_every_even_when_nobody_reads_its_log() {
    let lab = Lab::simple(&people(60)).await;
    let cfg = write_config(&lab);
    // Standard error is a pipe whose reader is alive but never reads, and whose buffer is
    // already full: a blocking log write would wait forever.
    let (unread, stderr) = std::io::pipe().unwrap();
    let mut filler = stderr.try_clone().unwrap();
    std::thread::spawn(move || {
        // Blocks once the pipe is full; ends with an error when `unread` is dropped.
        let _ = filler.write_all(&vec![b'x'; 1 << 20]);
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut cmd = command(
        lab.workdir.path(),
        &cfg,
        &["-vv", "run", "--every", "1h", "--first-run"],
        CLIENT_SECRET,
        IPO_PASSWORD,
    );
    cmd.stderr(stderr).stdout(Stdio::null());
    let mut run = Started::spawn(&mut cmd);
    drop(cmd);
    wait_for(Duration::from_secs(30), "the first sync to start", || {
        lab.ipo.stats().total_requests() > 0
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let pid = run.id();
    terminate(pid);
    tokio::time::sleep(Duration::from_millis(300)).await;
    terminate(pid);
    let status = tokio::task::spawn_blocking(move || {
        let status = wait_at_most(&mut run, Duration::from_secs(15));
        drop(run);
        status
    })
    .await
    .unwrap();
    drop(unread);
    let status = status.expect("two SIGTERMs stop the program within 15 s");
    assert!(
        matches!(status.code(), Some(EXIT_OK | EXIT_FAILURE)),
        "{status}"
    );
}

/// Runs the program with standard output, standard error or both connected to a pipe
/// whose reader is already gone; returns its exit code.
async fn run_with_closed(cfg: &std::path::Path, args: &[&str], closed: &str) -> i32 {
    let closed_pipe = || {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        writer
    };
    let mut cmd = command(
        cfg.parent().unwrap(),
        cfg,
        args,
        CLIENT_SECRET,
        IPO_PASSWORD,
    );
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    if closed != "stderr" {
        cmd.stdout(closed_pipe());
    }
    if closed != "stdout" {
        cmd.stderr(closed_pipe());
    }
    let what = format!("{args:?} with {closed} closed");
    let status = tokio::task::spawn_blocking(move || {
        let mut child = Started::spawn(&mut cmd);
        wait_at_most(&mut child, CHILD_TIMEOUT)
    })
    .await
    .unwrap()
    .unwrap_or_else(|| panic!("{what}: did not finish"));
    status
        .code()
        .unwrap_or_else(|| panic!("{what}: killed by a signal"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_stdout_or_stderr_neither_panics_nor_changes_the_exit_code() {
    let lab = Lab::simple(&people(12)).await;
    let cfg = write_config(&lab);
    for closed in ["stdout", "stderr", "both"] {
        for args in [&["plan"][..], &["classify"], &["plan", "--json"]] {
            let code = run_with_closed(&cfg, args, closed).await;
            assert_eq!(code, EXIT_OK, "{args:?} with {closed} closed");
        }
    }
    // The work is done whatever happens to the output.
    let code = run_with_closed(&cfg, &["apply", "--first-run"], "both").await;
    assert_eq!(code, EXIT_OK);
    assert_eq!(synced(&lab).len(), 10, "the apply wrote everyone");
    // And a failure is still a failure (a state exists now).
    let code = run_with_closed(&cfg, &["apply", "--first-run"], "stderr").await;
    assert_eq!(code, EXIT_FAILURE);
    let code = run_with_closed(&cfg, &["apply"], "stdout").await;
    assert_eq!(code, EXIT_OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_run_every_says_it_stops_now() {
    let lab = Lab::simple(&people(6)).await;
    let cfg = write_config(&lab);
    let (run, first) = start_run_every(&lab, &cfg, "1h").await;
    assert!(first.contains(" sync 1: "), "{first}");
    run.terminate();
    let (status, stderr) = tokio::task::spawn_blocking(move || run.wait())
        .await
        .unwrap();
    assert_eq!(status.code(), Some(EXIT_OK), "{stderr}");
    assert!(
        stderr.contains("stop requested while waiting for the next sync: stopping now"),
        "{stderr}"
    );
    assert!(!stderr.contains("after the sync in progress"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_started_program_is_killed_and_reaped_when_its_test_panics() {
    let lab = Lab::simple(&people(6)).await;
    let port = free_port();
    let cfg = write_service_config(&lab, port, true);
    let mut cmd = command(lab.workdir.path(), &cfg, &["serve-directory"], "", "");
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let (tx, rx) = std::sync::mpsc::channel();
    // A test body that panics while the program runs, as a failing assertion would.
    let outcome = tokio::task::spawn_blocking(move || {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let service = Started::spawn(&mut cmd);
            tx.send(service.id()).unwrap();
            let start = Instant::now();
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(start.elapsed() < Duration::from_secs(30), "never listened");
                std::thread::sleep(Duration::from_millis(20));
            }
            panic!("a failing assertion while serve-directory runs");
        }))
    })
    .await
    .unwrap();
    assert!(outcome.is_err(), "the body panicked");
    let pid = rx.recv().unwrap();
    assert!(
        !process_exists(pid),
        "pid {pid} is still there (running or not reaped)"
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "nothing listens on the port any more"
    );
}
