//! `ipo-teams check` with a rule that provisions the Teams half through Graph: the binary run
//! against both emulators names each Teams write permission the app lacks, and each policy a
//! rule names that Teams does not know, with the rule, the key and its place in the file.
//! And `apply` / `run --every` with that rule: what they print counts both halves alike.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/support/mod.rs"]
mod support;

mod common;

use std::path::PathBuf;

use common::*;
use graph_emulator::Route;
use support::*;

const ROUTING: &str = "UK Direct Routing";
const DIAL_PLAN: &str = "UK-Dial";

/// The lab with the two policies its rules name.
async fn lab() -> Lab {
    let lab = Lab::simple(&people(6)).await;
    lab.graph
        .add_teams_policy("OnlineVoiceRoutingPolicy", ROUTING);
    lab.graph.add_teams_policy("TenantDialPlan", DIAL_PLAN);
    lab
}

/// The lab's configuration file with a Teams table on the Teams-only rule (`provisioning`,
/// a number template, `routing` and the dial plan) and the Teams + IP Office rule by
/// script with the routing policy.
fn write_teams_config(lab: &Lab, provisioning: &str, routing: &str) -> PathBuf {
    let mut file = config_table(lab);
    let rules = file["sync"]["rules"].as_array_mut().unwrap();
    for rule in rules.iter_mut() {
        let rule = rule.as_table_mut().unwrap();
        let mut teams = toml::Table::new();
        match rule["user_type"].as_str().unwrap() {
            "teams_only" => {
                teams.insert("provisioning".into(), provisioning.into());
                let mut number = toml::Table::new();
                number.insert("template".into(), "+441632960{extension}".into());
                teams.insert("number".into(), number.into());
                teams.insert("voice_routing_policy".into(), routing.into());
                teams.insert("dial_plan".into(), DIAL_PLAN.into());
            }
            "teams_and_ip_office" => {
                teams.insert("provisioning".into(), "script".into());
                teams.insert("voice_routing_policy".into(), ROUTING.into());
            }
            _ => continue,
        }
        rule.insert("teams".into(), teams.into());
    }
    write_config_text(lab.workdir.path(), &toml::to_string(&file).unwrap())
}

fn lines_starting<'a>(out: &'a Outcome, mark: &str) -> Vec<&'a str> {
    out.stdout.lines().filter(|l| l.starts_with(mark)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_with_graph_provisioning_passes_when_permissions_and_policies_are_there() {
    let lab = lab().await;
    let cfg = write_teams_config(&lab, "graph", ROUTING);
    let check = run_ok(&cfg, &["check"]).await;
    assert_eq!(check.code, EXIT_OK, "{}\n{}", check.stdout, check.stderr);
    let ok = lines_starting(&check, "ok");
    for what in [
        "Graph permission TeamsTelephoneNumber.ReadWrite.All",
        "Graph permission TeamsPolicyUserAssign.ReadWrite.All",
        "Teams online voice routing policy of Teams only users",
        "Teams dial plan of Teams only users",
        "Teams online voice routing policy of Teams + IP Office users",
    ] {
        assert!(
            ok.iter().any(|l| l.contains(what)),
            "{what}:\n{}",
            check.stdout
        );
    }
    // One getPolicyId per policy named; nothing written.
    let stats = lab.graph.stats();
    assert_eq!(stats.get(Route::PolicyIds), 3);
    assert_eq!(stats.get(Route::PolicyAssignments), 0);
    assert_eq!(stats.get(Route::NumberActions), 0);

    // Script provisioning only: no write permission is needed, none is probed.
    let cfg = write_teams_config(&lab, "script", ROUTING);
    let check = run_ok(&cfg, &["check"]).await;
    assert_eq!(check.code, EXIT_OK, "{}", check.stdout);
    assert!(!check.stdout.contains("ReadWrite.All"), "{}", check.stdout);
    assert!(
        !check.stdout.contains("Teams online voice routing"),
        "{}",
        check.stdout
    );
    assert_eq!(lab.graph.stats().get(Route::PolicyIds), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_names_each_missing_teams_write_permission_and_admin_consent() {
    let lab = lab().await;
    let cfg = write_teams_config(&lab, "graph", ROUTING);
    lab.graph
        .revoke_permission("TeamsTelephoneNumber.ReadWrite.All");
    let check = run_ok(&cfg, &["check"]).await;
    assert_eq!(check.code, EXIT_FAILURE, "{}", check.stdout);
    let failed = lines_starting(&check, "FAILED");
    assert_eq!(failed.len(), 1, "{}", check.stdout);
    let line = failed[0];
    for what in [
        "Graph permission TeamsTelephoneNumber.ReadWrite.All",
        "admin consent",
        "Entra ID",
        "API permissions",
    ] {
        assert!(line.contains(what), "{what}: {line}");
    }

    // Without the policy permission getPolicyId answers 403: each policy line names it.
    lab.graph
        .grant_permission("TeamsTelephoneNumber.ReadWrite.All");
    lab.graph
        .revoke_permission("TeamsPolicyUserAssign.ReadWrite.All");
    let check = run_ok(&cfg, &["check"]).await;
    assert_eq!(check.code, EXIT_FAILURE, "{}", check.stdout);
    let failed = lines_starting(&check, "FAILED");
    assert_eq!(failed.len(), 4, "{}", check.stdout);
    assert!(
        failed
            .iter()
            .all(|l| l.contains("TeamsPolicyUserAssign.ReadWrite.All")),
        "{}",
        check.stdout
    );
    let policy_lines = failed.iter().filter(|l| {
        l.contains("Teams online voice routing policy of") || l.contains("Teams dial plan of")
    });
    assert_eq!(policy_lines.count(), 3, "{}", check.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_names_an_unknown_policy_with_its_rule_key_and_line() {
    let lab = lab().await;
    let cfg = write_teams_config(&lab, "graph", "No Such Routing");
    let text = std::fs::read_to_string(&cfg).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("No Such Routing"))
        .unwrap()
        + 1;
    let check = run_ok(&cfg, &["check"]).await;
    assert_eq!(check.code, EXIT_FAILURE, "{}", check.stdout);
    let failed = lines_starting(&check, "FAILED");
    assert_eq!(failed.len(), 1, "{}", check.stdout);
    let failed = failed[0];
    for what in [
        "Teams online voice routing policy of Teams only users",
        "No Such Routing",
        "sync.rules[2].teams.voice_routing_policy",
        &format!("line {line}, column "),
    ] {
        assert!(failed.contains(what), "{what}: {failed}");
    }
}

/// The Graph writes of a `--json` plan.
fn graph_writes(plan: &serde_json::Value) -> usize {
    let writes = plan["teams"]["actions"].as_array().unwrap();
    (writes.iter())
        .filter(|a| a["provisioning"] == "graph")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_and_run_every_count_the_teams_writes_with_ip_offices() {
    let lab = lab().await;
    let cfg = write_teams_config(&lab, "graph", ROUTING);
    let apply = run_ok(&cfg, &["apply", "--first-run", "--json"]).await;
    assert_eq!(apply.code, EXIT_OK, "{}\n{}", apply.stdout, apply.stderr);
    let out = apply.json();
    let s = &out["report"]["summary"];
    let n = |v: &serde_json::Value| v.as_u64().unwrap() as usize;
    let (ipo, teams) = (&s["ipo"], &s["teams"]);
    assert_eq!(
        n(&ipo["planned"]),
        out["plan"]["actions"].as_array().unwrap().len()
    );
    let graph = graph_writes(&out["plan"]);
    assert!(graph > 0, "{:#}", out["plan"]["teams"]);
    assert_eq!(n(&teams["planned"]), graph);
    for key in ["planned", "succeeded", "failed"] {
        assert_eq!(n(&s[key]), n(&ipo[key]) + n(&teams[key]), "{key}: {s:#}");
    }
    assert_eq!(n(&s["planned"]), n(&s["succeeded"]), "{s:#}");

    // The scheduled line, on a fresh lab: changes = succeeded, and the halves.
    let lab = self::lab().await;
    let cfg = write_teams_config(&lab, "graph", ROUTING);
    let (run, first) = start_run_every(&lab, &cfg, "1h").await;
    run.terminate();
    let (status, stderr) = tokio::task::spawn_blocking(move || run.wait())
        .await
        .unwrap();
    assert_eq!(status.code(), Some(EXIT_OK), "{stderr}");
    let (ipo, total) = (n(&ipo["planned"]), n(&s["planned"]));
    let expected = format!(
        "{total} writes planned (IP Office {ipo}, Teams {graph}), {total} succeeded, 0 failed, \
         0 still running, 0 removals held"
    );
    assert!(first.contains(&expected), "{expected}\n{first}");
}
