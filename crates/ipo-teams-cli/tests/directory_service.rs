//! The directory service in the real binary, read with Debian's `ldapsearch`: `serve-directory`
//! (no Graph or IP Office secret needed) serves nothing before the first apply and the
//! Teams-only people after it; `run --every` serves the set of its own sync; a wrong or
//! missing bind password is refused with a message naming where the password comes from.
//!
//! The tests that run `ldapsearch` are ignored by a plain `cargo test` (the reason says what
//! to install); `.ci/run` installs ldap-utils and runs them with `--include-ignored`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/support/mod.rs"]
mod support;

mod common;

use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use support::*;

/// What one `ldapsearch` printed: its exit code and each entry's `cn` with its attributes.
struct Found {
    code: i32,
    entries: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    stderr: String,
}

/// `ldapsearch -x` (v3 unless `-P 2` is passed in `extra`) bound as `BIND_DN` with
/// `password`, a subtree search of the base for every entry.
async fn ldapsearch(port: u16, password: &str, extra: &[&str]) -> Found {
    let mut c = Command::new("ldapsearch");
    c.args(["-x", "-LLL", "-o", "ldif-wrap=no", "-o", "nettimeout=10"])
        .arg("-H")
        .arg(format!("ldap://127.0.0.1:{port}"))
        .args(["-D", BIND_DN, "-w", password, "-b", BASE, "-s", "sub"])
        .args(extra)
        .arg("(objectClass=*)");
    let out = tokio::task::spawn_blocking(move || c.output())
        .await
        .unwrap()
        .expect("ldapsearch (Debian's ldap-utils) is installed: .ci/run installs it");
    let mut entries = BTreeMap::new();
    for block in String::from_utf8_lossy(&out.stdout).split("\n\n") {
        let mut attrs: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for line in block.lines() {
            let (name, value) = line.split_once(": ").expect("plain LDIF lines");
            attrs
                .entry(name.to_owned())
                .or_default()
                .push(value.to_owned());
        }
        if let Some(cn) = attrs.get("cn").and_then(|v| v.first()).cloned() {
            entries.insert(cn, attrs);
        }
    }
    Found {
        code: out.status.code().unwrap_or(-1),
        entries,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Searches until the service holds `n` entries (a new set arrives on its own schedule).
async fn until_entries(port: u16, n: usize) -> Found {
    let start = Instant::now();
    loop {
        let found = ldapsearch(port, LDAP_PW, &[]).await;
        if found.code == 0 && found.entries.len() == n {
            return found;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the service did not serve {n} entries within 30 s: code {}, {:?}, {}",
            found.code,
            found.entries.keys(),
            found.stderr
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The Teams-only people of `people(n)`: name -> their number in IP Office's notation
/// (`+4416327NNNNN x7NNNNN` in Azure AD: the full number, a hyphen, the extension).
fn teams_only(n: u32) -> BTreeMap<String, String> {
    (0..n)
        .filter(|&i| group_of(i) == GROUP_TEAMS_ONLY)
        .map(|i| (format!("User {i:05}"), format!("4416327{i:05}-7{i:05}")))
        .collect()
}

fn assert_served(found: &Found, expected: &BTreeMap<String, String>) {
    let names: Vec<&String> = found.entries.keys().collect();
    assert_eq!(names, expected.keys().collect::<Vec<_>>());
    for (name, number) in expected {
        let attrs = &found.entries[name];
        assert_eq!(attrs["telephoneNumber"], vec![number.clone()], "{name}");
        assert!(attrs["dn"][0].ends_with(BASE), "{:?}", attrs["dn"]);
    }
}

fn stop(service: Running) -> String {
    service.terminate();
    let (status, stderr) = service.wait();
    assert!(status.success(), "stopped with {status}: {stderr}");
    stderr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ldapsearch: apt-get install ldap-utils"]
async fn serve_directory_serves_what_the_last_apply_published() {
    let lab = Lab::simple(&people(18)).await;
    let port = free_port();
    let cfg = write_service_config(&lab, port, true);
    let expected = teams_only(18);
    assert_eq!(expected.len(), 3);

    // Before any sync: it listens, needs neither the Graph secret nor the IP Office
    // password, and serves nothing (saying why in its log).
    let service = Running::start(command(
        lab.workdir.path(),
        &cfg,
        &["serve-directory"],
        "",
        "",
    ));
    wait_listening(port).await;
    let empty = ldapsearch(port, LDAP_PW, &[]).await;
    assert!(empty.entries.is_empty(), "{:?}", empty.entries.keys());
    assert_eq!(empty.code, 52, "unavailable until a sync: {}", empty.stderr);

    // A dry run publishes nothing; an apply publishes the Teams-only people, which the
    // running service picks up by itself.
    let plan = run_ok(&cfg, &["plan"]).await;
    assert_eq!(plan.code, EXIT_OK, "{}", plan.stderr);
    let set_file = lab.workdir.path().join(ipo_teams_ldap::FILE_NAME);
    assert!(!set_file.exists(), "a dry run publishes no directory set");
    let apply = run_ok(&cfg, &["apply", "--first-run"]).await;
    assert_eq!(apply.code, EXIT_OK, "{}\n{}", apply.stdout, apply.stderr);
    assert!(set_file.exists());
    assert_no_secret(&apply, &[CLIENT_SECRET, IPO_PASSWORD, LDAP_PW]);

    let found = until_entries(port, expected.len()).await;
    assert_served(&found, &expected);
    // `check` finds the password and the set, without opening the (taken) port.
    let check = run_ok(&cfg, &["check", "--json"]).await;
    assert_eq!(check.code, EXIT_OK, "{}\n{}", check.stdout, check.stderr);
    let doc = check.json();
    let line = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "directory service")
        .expect("a directory service line");
    assert_eq!(line["ok"], true, "{line}");
    let detail = line["detail"].as_str().unwrap();
    assert!(
        detail.contains("3 entries (3 IP Office records)"),
        "{detail}"
    );
    assert!(!check.stdout.contains(LDAP_PW));
    // IP Office's own LDAP client binds with version 2.
    let v2 = ldapsearch(port, LDAP_PW, &["-P", "2"]).await;
    assert_eq!(v2.code, 0, "{}", v2.stderr);
    assert_served(&v2, &expected);
    // A wrong password: invalidCredentials (49), nothing served.
    let wrong = ldapsearch(port, "not-the-password", &[]).await;
    assert_eq!(wrong.code, 49, "{}", wrong.stderr);
    assert!(wrong.entries.is_empty());

    let log = stop(service);
    assert!(log.contains("directory service listening"), "{log}");
    assert!(
        !log.contains(LDAP_PW),
        "the bind password appears in the log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs ldapsearch: apt-get install ldap-utils"]
async fn run_every_serves_the_set_of_its_own_sync() {
    let lab = Lab::simple(&people(12)).await;
    let port = free_port();
    let cfg = write_service_config(&lab, port, false);
    let expected = teams_only(12);
    assert_eq!(expected.len(), 2);

    // The password comes from the environment here.
    let mut cmd = command(
        lab.workdir.path(),
        &cfg,
        &["run", "--every", "1h", "--first-run"],
        CLIENT_SECRET,
        IPO_PASSWORD,
    );
    cmd.env("IPO_TEAMS_LDAP_PASSWORD", LDAP_PW);
    let run = Running::start(cmd);
    // No set file is read here: what it serves comes from its own sync, in the process.
    let found = {
        wait_listening(port).await;
        until_entries(port, expected.len()).await
    };
    assert_served(&found, &expected);
    let log = stop(run);
    assert!(
        !log.contains(LDAP_PW),
        "the bind password appears in the log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_bind_password_or_section_is_named_before_anything_listens() {
    let lab = Lab::simple(&people(6)).await;
    let port = free_port();
    let cfg = write_service_config(&lab, port, false);
    let o = run(&cfg, &["serve-directory"], "", "").await;
    assert_eq!(o.code, EXIT_FAILURE, "{}", o.stderr);
    assert!(o.stderr.contains("IPO_TEAMS_LDAP_PASSWORD"), "{}", o.stderr);
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    // `check` names it too, as one failed line among the others.
    let check = run_ok(&cfg, &["check"]).await;
    assert_eq!(check.code, EXIT_FAILURE, "{}", check.stdout);
    let line = check
        .stdout
        .lines()
        .find(|l| l.contains("directory service"))
        .expect("a directory service line");
    assert!(line.starts_with("FAILED"), "{line}");
    assert!(line.contains("IPO_TEAMS_LDAP_PASSWORD"), "{line}");

    let plain = write_config(&lab);
    let o = run(&plain, &["serve-directory"], "", "").await;
    assert_eq!(o.code, EXIT_FAILURE, "{}", o.stderr);
    assert!(o.stderr.contains("[directory_service]"), "{}", o.stderr);
    assert!(
        o.stderr.contains(&plain.display().to_string()),
        "{}",
        o.stderr
    );
}
