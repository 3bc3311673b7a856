//! Multi-node provisioning end to end: a provisioning rule picks the node of each new user
//! (`NodeSelector::Fixed` / `FromProperty`), and the real IP Office client writes the user
//! and its extension to that node (`ipaddress=` LAN1 address, resolved from the system
//! name) of a two-node Server Edition emulator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::Instant;

use ipo_emulator::Node;
use ipo_model::{Platform, PortError};
use support::*;
use sync_engine::{MemoryStateStore, NodeSelector, RunOptions, SyncConfig};

const HQ: &str = "10.0.0.5";
const BRANCH: &str = "10.0.1.5";

fn two_nodes() -> ipo_emulator::EmulatorConfig {
    ipo_emulator_config()
        .platform(Platform::ServerEdition)
        .nodes(vec![Node::new(HQ, "HQ"), Node::new(BRANCH, "Branch")])
}

/// `config()` with the "desk" rule's node set to `node`.
fn config_with_desk_node(node: NodeSelector) -> SyncConfig {
    let mut cfg = config();
    let desk = cfg
        .provisioning_rules
        .iter_mut()
        .find(|r| r.name == "desk")
        .unwrap();
    desk.node = node;
    cfg
}

/// Applies a run that must write exactly `writes` records, none failing.
async fn apply_all(engine: &sync_engine::SyncEngine, options: &RunOptions, writes: usize) {
    let run = engine.run(options).await.unwrap();
    let report = run.report.unwrap();
    assert_eq!(report.summary.failed, 0, "{:#?}", report.items);
    assert_eq!(report.summary.succeeded, writes, "{:#?}", report.items);
}

/// Asserts how many records `method` requests wrote with `ipaddress=node` ("": none).
fn assert_written(emu: &ipo_emulator::StatsSnapshot, method: &str, node: &str, n: u64) {
    assert_eq!(
        emu.written_on(method, node),
        n,
        "{method} on {node:?}: {:?}",
        emu.records_written_on
    );
}

fn is_desk_person(name: &str) -> bool {
    let i: u32 = name.trim_start_matches("user").parse().unwrap();
    group_of(i) == GROUP_IPO
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixed_node_by_system_name_creates_desk_users_there_and_updates_go_back_to_their_node() {
    let started = Instant::now();
    let people = people(24);
    let lab = Lab::start(&people, two_nodes(), |g| g, |_| {}).await;
    let engine = lab.engine(
        config_with_desk_node(NodeSelector::Fixed("Branch".into())),
        Arc::new(MemoryStateStore::new()),
    );

    let applied = engine.run(&RunOptions::apply()).await.unwrap();
    let report = applied.report.unwrap();
    assert_eq!(
        report.failures().count(),
        0,
        "{:#?}",
        report.failures().collect::<Vec<_>>()
    );

    let users = lab.ipo.users();
    let synced: Vec<_> = users
        .iter()
        .filter(|u| u.name.as_str().starts_with("user"))
        .collect();
    // 16 desk people (IP Office only) + 4 Teams + IP Office people; Teams-only get none.
    assert_eq!(synced.len(), 20);
    let extensions = lab.ipo.extensions();
    for u in &synced {
        let want = is_desk_person(u.name.as_str()).then_some(BRANCH);
        // The "teams" rule keeps the primary: written without a selector.
        assert_eq!(u.node.as_deref(), want, "user {}", u.name);
        let number = u.extension.clone().unwrap();
        let ext = extensions.iter().find(|e| e.number == number).unwrap();
        assert_eq!(ext.node.as_deref(), want, "extension {number}");
    }
    assert_eq!(
        synced
            .iter()
            .filter(|u| u.node.as_deref() == Some(BRANCH))
            .count(),
        16
    );

    // The consolidated listing reads both nodes back: nothing left to do.
    let again = engine.run(&RunOptions::dry_run()).await.unwrap();
    assert!(again.plan.is_empty(), "{:#?}", again.plan.actions);

    // Which node received each write: 16 users + 16 extensions on the branch, the Teams
    // people's 4 + 4 on the primary without a selector.
    let emu = lab.ipo.stats();
    assert_written(&emu, "POST", BRANCH, 32);
    assert_written(&emu, "POST", "", 8);
    assert_written(&emu, "POST", HQ, 0);

    // Renames: the snapshot reads each node, so each update goes back to the node holding
    // the user (the emulator refuses a GUID sent to another node).
    for i in [0, 4] {
        lab.graph
            .update_user(person_id(i).as_str(), |u| {
                u.display_name = Some(format!("Renamed {i}"));
            })
            .unwrap();
    }
    apply_all(&engine, &RunOptions::apply(), 2).await;
    let emu = lab.ipo.stats();
    assert_written(&emu, "PUT", BRANCH, 1);
    assert_written(&emu, "PUT", HQ, 1);
    let users = lab.ipo.users();
    let ann = users
        .iter()
        .find(|u| u.name.as_str() == "user00000")
        .unwrap();
    assert_eq!(ann.full_name.as_ref().unwrap().as_str(), "Renamed 0");
    assert_eq!(ann.node.as_deref(), Some(BRANCH));

    let stats = lab.ipo_client.stats();
    eprintln!(
        "fixed node: {} IP Office requests, {} retries, {:?}",
        stats.requests,
        stats.retries,
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_from_property_places_each_user_and_an_unknown_node_fails_only_that_person() {
    let mut people = people(12);
    // Desk people (0-3, 6-9): even ones name the branch by system name, odd ones the
    // primary by LAN1 address; person 3 names a node the solution does not have.
    for (u, _) in &mut people {
        let i: u32 = u.mail_nickname.as_deref().unwrap()[4..].parse().unwrap();
        u.office_location = Some(match i {
            3 => "Atlantis".into(),
            _ if i.is_multiple_of(2) => "Branch".into(),
            _ => HQ.into(),
        });
    }
    let lab = Lab::start(&people, two_nodes(), |g| g, |_| {}).await;
    let engine = lab.engine(
        config_with_desk_node(NodeSelector::FromProperty("officeLocation".into())),
        Arc::new(MemoryStateStore::new()),
    );

    let applied = engine.run(&RunOptions::apply()).await.unwrap();
    let report = applied.report.unwrap();

    // Only person 3 fails, with the typed unknown-node error naming the record and node.
    let failures: Vec<_> = report.failures().collect();
    assert!(!failures.is_empty());
    assert!(
        failures.iter().all(|f| f.person == Some(person_id(3))),
        "{failures:#?}"
    );
    assert!(
        failures.iter().any(|f| matches!(
            &f.error,
            Some(PortError::InvalidData { record, field, message })
                if field == "node"
                    && message.contains("\"Atlantis\"")
                    && message.contains("Branch (10.0.1.5)")
                    && !record.is_empty()
        )),
        "{failures:#?}"
    );

    let users = lab.ipo.users();
    assert!(
        users.iter().all(|u| u.name.as_str() != "user00003"),
        "person 3 must not be written to any node"
    );
    let extensions = lab.ipo.extensions();
    let mut placed = 0;
    for u in users.iter().filter(|u| u.name.as_str().starts_with("user")) {
        let i: u32 = u.name.as_str()[4..].parse().unwrap();
        let want = match () {
            _ if group_of(i) != GROUP_IPO => None,
            _ if i.is_multiple_of(2) => Some(BRANCH),
            _ => Some(HQ),
        };
        assert_eq!(u.node.as_deref(), want, "user {}", u.name);
        let number = u.extension.clone().unwrap();
        let ext = extensions.iter().find(|e| e.number == number).unwrap();
        assert_eq!(ext.node.as_deref(), want, "extension {number}");
        placed += usize::from(want.is_some());
    }
    // Desk people 0, 1, 2, 6, 7, 8, 9 (3 failed).
    assert_eq!(placed, 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leavers_are_deleted_on_the_node_that_holds_them() {
    let people = people(24);
    let lab = Lab::start(&people, two_nodes(), |g| g, |_| {}).await;
    let mut cfg = config_with_desk_node(NodeSelector::Fixed("Branch".into()));
    cfg.safety.removal = sync_engine::RemovalPolicy::Delete;
    let engine = lab.engine(cfg, Arc::new(MemoryStateStore::new()));
    let first = engine.run(&RunOptions::apply()).await.unwrap();
    assert_eq!(first.report.unwrap().summary.failed, 0);

    // Two desk people (on the branch) and one Teams + IP Office person (on the primary)
    // leave their groups.
    for i in [0, 1, 4] {
        lab.graph
            .remove_member(group_of(i), person_id(i).as_str())
            .unwrap();
    }
    apply_all(&engine, &RunOptions::apply().allow_removals(), 6).await;

    // Each user and extension record is deleted where it lives, named by the node its
    // listing came from (the primary's records too): the emulator refuses a GUID sent to a
    // node that does not hold it.
    let emu = lab.ipo.stats();
    assert_written(&emu, "DELETE", BRANCH, 4);
    assert_written(&emu, "DELETE", HQ, 2);
    assert_written(&emu, "DELETE", "", 0);
    let users = lab.ipo.users();
    for gone in ["user00000", "user00001", "user00004"] {
        assert!(users.iter().all(|u| u.name.as_str() != gone), "{gone}");
    }
    assert!(users.iter().any(|u| u.name.as_str() == "user00002"));
}
