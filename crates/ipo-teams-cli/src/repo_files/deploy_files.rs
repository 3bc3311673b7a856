//! The command lines and configurations in `deploy/` are checked with the program's own
//! definitions: every `ipo-teams` invocation there parses with its clap definition, and
//! every configuration there parses and validates. A renamed flag or key breaks this test,
//! not a customer's scheduled sync.

use std::path::{Path, PathBuf};

use crate::cli::{Cli, Command};
use crate::file_config::ProgramConfig;
use clap::Parser;

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

fn read(rel: &str) -> String {
    let path = deploy().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A CronJob's rule that a run refused by the lock (exit 4, another run is working) is no
/// failure: the pod is replaced after the back-off instead of failing the Job.
const LOCKED_IS_NO_FAILURE: &str = "          - action: Ignore
            onExitCodes:
              containerName: ipo-teams
              operator: In
              values: [4]";

/// Parses one command line whose program is the installed `ipo-teams`.
fn parse(file: &str, words: Vec<String>) -> Cli {
    assert!(
        words.first().is_some_and(|w| w.ends_with("/ipo-teams")),
        "{file}: not an ipo-teams command line: {words:?}"
    );
    Cli::try_parse_from(&words).unwrap_or_else(|e| panic!("{file}: {words:?}:\n{e}"))
}

/// The unit's one `ExecStart=` command line, parsed.
fn exec_start(unit: &str, text: &str) -> Cli {
    let lines: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("ExecStart="))
        .collect();
    assert_eq!(lines.len(), 1, "{unit}");
    parse(
        unit,
        lines[0].split_whitespace().map(String::from).collect(),
    )
}

#[test]
fn systemd_units_run_valid_command_lines() {
    for (unit, incremental) in [
        ("systemd/ipo-teams.service", true),
        ("systemd/ipo-teams-full.service", false),
    ] {
        let text = read(unit);
        let cli = exec_start(unit, &text);
        assert_eq!(cli.config, Path::new("/etc/ipo-teams/sync.toml"), "{unit}");
        match cli.command {
            Command::Apply(a) => {
                assert_eq!(a.incremental, incremental, "{unit}");
                assert!(
                    !a.allow_deletes && !a.first_run,
                    "{unit}: no standing override"
                );
            }
            other => panic!("{unit}: runs {other:?}, not apply"),
        }
        for line in [
            "DynamicUser=yes",
            "StateDirectory=ipo-teams",
            "LoadCredential=client-secret:",
            "LoadCredential=ipo-password:",
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "SuccessExitStatus=4",
        ] {
            assert!(text.lines().any(|l| l.starts_with(line)), "{unit}: {line}");
        }
        assert!(
            !text.lines().any(|l| l.starts_with("Environment")),
            "{unit}: secrets never in the environment"
        );
    }
}

#[test]
fn the_directory_unit_serves_as_the_sync_units_user_with_its_own_credential() {
    let unit = "systemd/ipo-teams-directory.service";
    let text = read(unit);
    let cli = exec_start(unit, &text);
    assert!(matches!(cli.command, Command::ServeDirectory), "{unit}");
    for line in [
        "Type=simple",
        "DynamicUser=yes",
        "StateDirectory=ipo-teams",
        "LoadCredential=ldap-password:",
        "AmbientCapabilities=CAP_NET_BIND_SERVICE",
        "ProtectSystem=strict",
    ] {
        assert!(text.lines().any(|l| l.starts_with(line)), "{unit}: {line}");
    }
    assert!(!text.contains("client-secret") && !text.contains("ipo-password"));
    // Every unit runs as one user, so the service reads the set the sync units save.
    for u in [
        "systemd/ipo-teams.service",
        "systemd/ipo-teams-full.service",
        unit,
    ] {
        assert!(read(u).lines().any(|l| l == "User=ipo-teams"), "{u}");
    }
    let cfg = ProgramConfig::parse(Path::new("sync.toml"), &read("systemd/sync.toml")).unwrap();
    let service = cfg
        .directory_service
        .expect("[directory_service] in systemd/sync.toml");
    assert_eq!(service.listen.port(), 389);
    assert!(
        service.password_file.is_none(),
        "the password is a credential"
    );
}

#[test]
fn the_cron_table_runs_valid_command_lines() {
    let text = read("cron/ipo-teams.cron");
    let mut seen = 0;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.contains('=') {
            continue;
        }
        // minute hour day month weekday user command...
        let words: Vec<String> = line
            .split_whitespace()
            .skip(6)
            .take_while(|w| !w.starts_with("2>") && *w != "|")
            .map(String::from)
            .collect();
        let cli = parse("cron/ipo-teams.cron", words);
        assert!(matches!(cli.command, Command::Apply(_)), "{line}");
        seen += 1;
    }
    assert_eq!(seen, 2, "an incremental and a nightly full sync");
}

#[test]
fn the_kubernetes_cronjobs_run_incremental_and_full_one_at_a_time_on_one_state() {
    let text = read("kubernetes/ipo-teams.yaml");
    // Each CronJob, from its `kind:` line to the next object.
    let jobs: Vec<&str> = text
        .split("\n---\n")
        .filter(|doc| doc.contains("kind: CronJob"))
        .collect();
    assert_eq!(jobs.len(), 2, "an incremental and a nightly full CronJob");
    let mut incremental = Vec::new();
    for job in jobs {
        let commands: Vec<Vec<String>> = job
            .lines()
            .filter_map(|l| l.trim().strip_prefix("command: "))
            .map(|flow| serde_json::from_str(flow).expect("a one-line list"))
            .collect();
        assert_eq!(commands.len(), 1, "{job}");
        let cli = parse("kubernetes/ipo-teams.yaml", commands[0].clone());
        match cli.command {
            Command::Apply(a) => incremental.push(a.incremental),
            other => panic!("runs {other:?}, not apply"),
        }
        for needle in [
            "concurrencyPolicy: Forbid",
            "claimName: ipo-teams-state",
            "secretKeyRef:",
            "mountPath: /var/lib/ipo-teams",
            LOCKED_IS_NO_FAILURE,
        ] {
            assert!(job.contains(needle), "{needle}:\n{job}");
        }
    }
    incremental.sort();
    assert_eq!(incremental, [false, true]);
    assert_eq!(text.matches("kind: PersistentVolumeClaim").count(), 1);
}

#[test]
fn the_cron_sample_configuration_names_its_secret_files() {
    let cfg = ProgramConfig::parse(Path::new("cron/sync.toml"), &read("cron/sync.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(cfg.graph.client_secret_file.is_some() && cfg.ipo.password_file.is_some());
    assert_eq!(cfg.state_file, Path::new("/var/lib/ipo-teams/state.json"));
    assert!(read("cron/ipo-teams.cron").contains("deploy/cron/sync.toml"));
}

#[test]
fn the_samples_need_no_file_that_no_install_step_creates() {
    // The systemd sample trusts the public roots until the administrator adds IP Office's CA.
    let cfg = ProgramConfig::parse(Path::new("sync.toml"), &read("systemd/sync.toml")).unwrap();
    assert!(
        cfg.ipo.ca_pem.is_none(),
        "ca_pem names a file nobody installed"
    );
    // The container build context leaves build output and history out.
    let ignore = read("../.dockerignore");
    for line in ["target/", ".git/"] {
        assert!(ignore.lines().any(|l| l.trim() == line), "{line}");
    }
}

/// The `sync.toml: |` block of the ConfigMap, dedented.
fn configmap_toml(yaml: &str) -> String {
    let mut lines = yaml
        .lines()
        .skip_while(|l| l.trim() != "sync.toml: |")
        .skip(1);
    let first = lines.next().expect("a sync.toml block");
    let indent = first.len() - first.trim_start().len();
    std::iter::once(first)
        .chain(
            lines.take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() >= indent),
        )
        .map(|l| l.get(indent..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn deploy_configurations_parse_and_keep_the_state_on_persistent_storage() {
    let k8s = configmap_toml(&read("kubernetes/ipo-teams.yaml"));
    for (what, text) in [
        ("systemd/sync.toml", read("systemd/sync.toml")),
        ("ConfigMap", k8s),
    ] {
        let cfg = ProgramConfig::parse(Path::new(what), &text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            cfg.state_file,
            Path::new("/var/lib/ipo-teams/state.json"),
            "{what}: the state in the persistent state directory"
        );
        assert!(cfg.graph.client_secret_file.is_none() && cfg.ipo.password_file.is_none());
        assert!(!cfg.ipo.insecure_accept_any_certificate, "{what}");
    }
}

/// The one-line `command: [...]` lists of a manifest, parsed with the program's definition.
fn commands_in(file: &str) -> Vec<Cli> {
    read(file)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("command: "))
        .map(|flow| parse(file, serde_json::from_str(flow).expect("a one-line list")))
        .collect()
}

#[test]
fn the_msp_layout_stamps_out_valid_jobs_and_a_configuration_per_solution() {
    // The base: an incremental and a full CronJob, one at a time each.
    for (file, incremental) in [
        ("kubernetes/msp/base/incremental.yaml", true),
        ("kubernetes/msp/base/full.yaml", false),
    ] {
        let cli = commands_in(file);
        assert_eq!(cli.len(), 1, "{file}");
        assert!(
            matches!(&cli[0].command, Command::Apply(a) if a.incremental == incremental),
            "{file}"
        );
        let text = read(file);
        assert!(text.contains("concurrencyPolicy: Forbid"), "{file}");
        assert!(text.contains(LOCKED_IS_NO_FAILURE), "{file}");
        assert!(text.contains("claimName: ipo-teams-state"), "{file}");
    }
    let directory = commands_in("kubernetes/msp/components/directory/deployment.yaml");
    assert!(matches!(directory[0].command, Command::ServeDirectory));

    // Every solution folder is listed, and its configuration parses and keeps the state on
    // the volume; a solution with the directory component configures the service.
    let list = read("kubernetes/msp/solutions/kustomization.yaml");
    let folders = std::fs::read_dir(deploy().join("kubernetes/msp/solutions")).unwrap();
    let mut seen = 0;
    for entry in folders {
        let entry = entry.unwrap();
        if !entry.file_type().unwrap().is_dir() {
            continue;
        }
        let name = entry.file_name().into_string().unwrap();
        assert!(
            list.lines().any(|l| l.trim() == format!("- {name}")),
            "solution {name} is not listed"
        );
        let rel = format!("kubernetes/msp/solutions/{name}");
        let kustomization = read(&format!("{rel}/kustomization.yaml"));
        assert!(
            kustomization.contains(&format!("namespace: ipo-teams-{name}")),
            "{name}: its own namespace"
        );
        let cfg = ProgramConfig::parse(Path::new(&name), &read(&format!("{rel}/sync.toml")))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.state_file, Path::new("/var/lib/ipo-teams/state.json"));
        assert!(cfg.graph.client_secret_file.is_none() && cfg.ipo.password_file.is_none());
        let serves = kustomization.contains("components/directory");
        assert_eq!(serves, cfg.directory_service.is_some(), "{name}");
        if let Some(service) = cfg.directory_service {
            assert_eq!(service.listen.port(), 3389, "{name}: the container's port");
            assert!(!service.serve_in_run);
        }
        seen += 1;
    }
    assert!(seen >= 2, "the samples show at least two solutions");
}
