//! What the administrator reads, from the real binary: `classify` shows what each person is
//! and will be, with a summary; `--html` where no report is written is an error; the default
//! configuration name and the missing-file hint; missing sections named, not misplaced;
//! counts in the singular; `check` names the systemd credential; `serve-directory` starts
//! with the saved set without warning that there is none.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/support/mod.rs"]
mod support;

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::*;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn classify_shows_the_type_now_and_after_the_sync_with_a_summary() {
    let lab = Lab::simple(&people(12)).await;
    let cfg = write_config(&lab);

    let before = run_ok(&cfg, &["classify"]).await;
    assert_eq!(before.code, EXIT_OK, "{}", before.stderr);
    let out = &before.stdout;
    assert!(!out.contains("not classified"), "{out}");
    assert!(!out.contains("a IP Office"), "{out}");
    let line_of = |out: &str, who: &str| {
        out.lines()
            .find(|l| l.starts_with(who))
            .unwrap_or_else(|| panic!("no line for {who}:\n{out}"))
            .to_owned()
    };
    // Person 0 (IP Office only) has no IP Office user yet: none now, IP Office only after.
    let line = line_of(out, "user00000@");
    assert!(
        line.contains(" -  ") && line.ends_with("IP Office only"),
        "{line}"
    );
    // Person 5 (Teams only) already is what the rules want.
    let line = line_of(out, "user00005@");
    assert!(
        line.contains("MS Teams only") && line.ends_with("MS Teams only"),
        "{line}"
    );
    let header = out.lines().next().unwrap();
    assert!(
        header.contains("NOW") && header.contains("AFTER THE SYNC"),
        "{header}"
    );
    let summary = out.lines().last().unwrap();
    assert_eq!(
        summary,
        "12 people: 2 MS Teams only now; the sync makes 8 IP Office only and \
         2 MS Teams + IP Office",
        "{out}"
    );

    let apply = run_ok(&cfg, &["apply", "--first-run"]).await;
    assert_eq!(apply.code, EXIT_OK, "{}", apply.stderr);
    let after = run_ok(&cfg, &["classify"]).await;
    let line = line_of(&after.stdout, "user00000@");
    assert!(
        line.matches("IP Office only").count() == 2,
        "now and after: {line}"
    );
    assert_eq!(
        after.stdout.lines().last().unwrap(),
        "12 people: 8 IP Office only, 2 MS Teams only and 2 MS Teams + IP Office now",
        "{}",
        after.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_on_a_command_that_writes_no_report_is_a_usage_error() {
    let lab = Lab::simple(&people(6)).await;
    let cfg = write_config(&lab);
    let page = lab.workdir.path().join("check.html");
    let o = run_ok(&cfg, &["check", "--html", page.to_str().unwrap()]).await;
    assert_eq!(o.code, EXIT_USAGE, "{}\n{}", o.stdout, o.stderr);
    assert!(
        o.stderr.contains("--html") && o.stderr.contains("check"),
        "{}",
        o.stderr
    );
    assert!(!page.exists());
    assert_eq!(requests(&lab), (0, 0), "refused before any request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_configuration_is_sync_toml_and_a_missing_one_names_config() {
    let lab = Lab::simple(&people(6)).await;
    write_config(&lab); // <workdir>/sync.toml
    let in_dir = |dir: &std::path::Path| {
        let mut cmd = std::process::Command::new(program());
        cmd.current_dir(dir)
            .arg("check")
            .env("IPO_TEAMS_CLIENT_SECRET", CLIENT_SECRET)
            .env("IPO_TEAMS_IPO_PASSWORD", IPO_PASSWORD)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    };
    let mut cmd = in_dir(lab.workdir.path());
    let found = tokio::task::spawn_blocking(move || finish(Started::spawn(&mut cmd), "check"))
        .await
        .unwrap();
    assert_eq!(found.code, EXIT_OK, "{}\n{}", found.stdout, found.stderr);

    let empty = tempfile::tempdir().unwrap();
    let mut cmd = in_dir(empty.path());
    let missing = tokio::task::spawn_blocking(move || finish(Started::spawn(&mut cmd), "check"))
        .await
        .unwrap();
    assert_eq!(missing.code, EXIT_FAILURE);
    assert!(
        missing.stderr.contains("sync.toml") && missing.stderr.contains("--config"),
        "{}",
        missing.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_section_is_named_against_the_file_not_a_wrong_line() {
    let lab = Lab::simple(&people(6)).await;
    let good = config_table(&lab);
    let dir = lab.workdir.path();
    let without = |path: &[&str]| {
        let mut t = good.clone();
        match path {
            [top] => {
                t.remove(*top);
            }
            [top, key] => {
                t[*top].as_table_mut().unwrap().remove(*key);
            }
            _ => unreachable!(),
        }
        // A comment first, as the samples have: line 1 is not where anything is missing.
        format!("# ipo-teams\n{}", toml::to_string(&t).unwrap())
    };
    for (path, expected) in [
        (&["ipo"][..], "[ipo]"),
        (&["graph"], "[graph]"),
        (&["sync", "rules"], "[[sync.rules]]"),
    ] {
        let text = without(path);
        let cfg = write_config_text(&dir.join(path.join("-")), &text);
        let o = run_ok(&cfg, &["plan"]).await;
        assert_eq!(o.code, EXIT_FAILURE, "{path:?}: {}", o.stdout);
        assert!(o.stderr.contains(expected), "{path:?}: {}", o.stderr);
        assert!(
            o.stderr.contains(&cfg.display().to_string()),
            "{path:?}: {}",
            o.stderr
        );
        assert!(!o.stderr.contains("line "), "{path:?}: {}", o.stderr);
        assert!(
            !o.stderr.contains("sync.licensing"),
            "{path:?}: {}",
            o.stderr
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_counts_in_the_singular_and_names_the_systemd_credential() {
    let lab = Lab::simple(&people(6)).await;
    // One nested group in the IP Office users group.
    let nested = "0a000000-0000-4000-8000-000000000009";
    lab.graph.add_group(nested, "Desk phones, annex").unwrap();
    lab.graph.nest_group(GROUP_IPO, nested).unwrap();
    let port = free_port();
    // [directory_service] with a bind user and no password anywhere.
    let cfg = write_service_config(&lab, port, false);
    let check = run_ok(&cfg, &["check"]).await;
    assert_eq!(check.code, EXIT_FAILURE, "{}", check.stdout);
    let out = &check.stdout;
    assert!(out.contains("(1 nested group)"), "{out}");
    assert!(out.contains("1 node)"), "{out}");
    assert!(out.contains("(1 licence)"), "{out}");
    for plural in ["1 nested groups", "1 nodes", "1 licences", "1 group rules"] {
        assert!(!out.contains(plural), "{plural}: {out}");
    }
    let line = out
        .lines()
        .find(|l| l.contains("directory service"))
        .expect("a directory service line");
    assert!(line.starts_with("FAILED"), "{line}");
    assert!(
        line.contains("systemd credential ldap-password") && line.contains("LoadCredential="),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_directory_starts_with_the_saved_set_without_saying_there_is_none() {
    let lab = Lab::simple(&people(12)).await;
    let port = free_port();
    let cfg = write_service_config(&lab, port, true);
    let apply = run_ok(&cfg, &["apply", "--first-run"]).await;
    assert_eq!(apply.code, EXIT_OK, "{}", apply.stderr);
    assert!(lab.workdir.path().join(ipo_teams_ldap::FILE_NAME).exists());

    let service = Running::start(command(
        lab.workdir.path(),
        &cfg,
        &["serve-directory"],
        "",
        "",
    ));
    wait_listening(port).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    service.terminate();
    let (status, log) = tokio::task::spawn_blocking(move || service.wait())
        .await
        .unwrap();
    assert!(status.success(), "{status}: {log}");
    assert!(!log.contains("no directory entry set"), "{log}");
    assert!(log.contains("serving directory entry set"), "{log}");
}
