//! What a sync costs in requests, against the fewest the APIs allow (issue #8, "Benchmarks
//! and measurements"): a no-change incremental sync makes one delta round per delta link,
//! one IP Office read of each needed resource and no write; a full sync stays within 10% of
//! the minimum request count.
//!
//! Requests are counted by the emulators (what reached the server), per route / path.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use support::request_minimum::{
    Counts, ip_office_people, minimum, roomy_ipo_emulator_config, total,
};
use support::request_tally::{graph_counts, ipo_counts, reset_request_counts, table};
use support::*;
use sync_engine::{MemoryStateStore, RunOptions, RunResult, SyncEngine};

/// Big enough for two pages of the largest group, small enough for a debug build.
const PEOPLE: u32 = 2_000;

/// Runs one sync as the administrator's program would (and then logs out of IP Office),
/// returning what it did and the requests each side received.
async fn counted(
    lab: &Lab,
    engine: &SyncEngine,
    options: &RunOptions,
) -> (RunResult, Counts, Counts) {
    reset_request_counts(lab);
    let run = engine.run(options).await.unwrap();
    lab.ipo_client.close().await;
    if let Some(report) = &run.report {
        assert_eq!(
            report.failures().count(),
            0,
            "{:#?}",
            report.failures().take(3).collect::<Vec<_>>()
        );
    }
    (run, graph_counts(lab), ipo_counts(lab))
}

/// Within 10% of the minimum: `actual <= 1.1 * minimum`.
fn within_ten_percent(actual: u64, min: u64) -> bool {
    actual * 10 <= min * 11
}

/// Asserts that the requests in `actual` add up to within 10% of those in `min`.
fn assert_within_ten_percent(actual: &Counts, min: &Counts) {
    assert!(
        within_ten_percent(total(actual), total(min)),
        "{} requests, minimum {}: {actual:?}",
        total(actual),
        total(min)
    );
}

async fn applied_lab() -> (Lab, SyncEngine, RunResult, Counts, Counts) {
    let people = people(PEOPLE);
    let lab = Lab::start(&people, roomy_ipo_emulator_config(), |g| g, |_| {}).await;
    let engine = lab.engine(config(), Arc::new(MemoryStateStore::new()));
    let (run, graph, ipo) = counted(&lab, &engine, &RunOptions::apply()).await;
    let ipo_people = ip_office_people(PEOPLE);
    assert_eq!(
        lab.ipo.users().len() as u64,
        ipo_people + 1,
        "everyone in an IP Office group was created (plus NoUser)"
    );
    (lab, engine, run, graph, ipo)
}

/// A full sync of a fresh lab: the run, the Graph requests and their minimum (printed side
/// by side).
async fn full_sync_graph_requests() -> (RunResult, Counts, Counts) {
    let (_, _, run, graph, _) = applied_lab().await;
    let (min_graph, _) = minimum(PEOPLE, 50, true);
    eprintln!("{}", table("Graph, full sync", &graph, &min_graph));
    (run, graph, min_graph)
}

fn batch_size(lab: &Lab) -> u64 {
    lab.ipo_client.config().batch_size as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_change_incremental_sync_makes_one_delta_round_per_link_and_no_ip_office_write() {
    let (lab, engine, _, _, _) = applied_lab().await;
    let (run, graph, ipo) = counted(&lab, &engine, &RunOptions::apply().incremental()).await;
    let (min_graph, min_ipo) = minimum(PEOPLE, batch_size(&lab), false);
    eprintln!(
        "{}",
        table("Graph, no-change incremental", &graph, &min_graph)
    );
    eprintln!(
        "{}",
        table("IP Office, no-change incremental", &ipo, &min_ipo)
    );

    assert!(run.incremental, "{:?}", run.full_resync_reason);
    assert!(run.plan.is_empty(), "{:#?}", run.plan.actions);
    // Exactly one delta round per delta link, and no other Graph request at all.
    assert_eq!(graph.get("UsersDelta"), Some(&1), "{graph:?}");
    assert_eq!(graph.get("GroupsDelta"), Some(&1), "{graph:?}");
    assert_eq!(total(&graph), 2, "{graph:?}");
    // One read of each resource the snapshot needs, the session, and nothing written.
    assert_eq!(ipo, min_ipo);
    assert_eq!(lab.ipo.stats().write_requests, 0);
    assert_eq!(lab.ipo.stats().records_written, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_sync_ip_office_requests_stay_within_ten_percent_of_the_minimum() {
    let (lab, _, run, _, ipo) = applied_lab().await;
    let (_, min_ipo) = minimum(PEOPLE, batch_size(&lab), true);
    eprintln!("{}", table("IP Office, full sync", &ipo, &min_ipo));

    let ipo_people = ip_office_people(PEOPLE);
    assert_eq!(
        lab.ipo.stats().records_written,
        2 * ipo_people,
        "one user and one extension record per IP Office person"
    );
    assert!(
        !run.plan.is_empty() && run.report.is_some(),
        "the full sync applied its plan"
    );
    for r in ["systems", "licenses", "users", "extensions", "huntgroups"] {
        assert_eq!(
            ipo.get(&format!("GET {r}")),
            Some(&1),
            "{r} read once: {ipo:?}"
        );
    }
    assert_within_ten_percent(&ipo, &min_ipo);
}

/// What holds of the full sync's Graph requests: every listing at full page size, one
/// delta round per link for the cursor, one token, no per-user reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_sync_reads_group_members_in_pages_of_999_and_takes_the_cursor_once() {
    let (run, graph, min_graph) = full_sync_graph_requests().await;
    assert!(!run.incremental);
    for k in ["Token", "UsersDelta", "GroupsDelta", "TransitiveMembers"] {
        assert_eq!(graph.get(k), min_graph.get(k), "{k}: {graph:?}");
    }
    for k in ["Batch", "User", "Users", "Members", "Groups", "Other"] {
        assert_eq!(graph.get(k), None, "{k}: {graph:?}");
    }
}

/// The whole goal for Graph: the tenant-wide `admin/teams/userConfigurations` listing is
/// read once per sync (the engine reads all its groups through
/// `AzureAdSource::members_of_groups`, which `GraphClient` answers with one Teams
/// listing), not once per group.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_sync_graph_requests_stay_within_ten_percent_of_the_minimum() {
    let (_, graph, min_graph) = full_sync_graph_requests().await;
    assert_eq!(
        graph.get("TeamsUserConfigurations"),
        min_graph.get("TeamsUserConfigurations"),
        "{graph:?}"
    );
    assert_within_ten_percent(&graph, &min_graph);
}

#[test]
fn minimum_follows_page_and_batch_sizes() {
    // 2,000 people: 1,334 IP Office only (2 pages), 333 + 333 in the Teams groups (1 each);
    // 1,667 IP Office people in batches of 50 = 34 POSTs per resource.
    let (g, i) = minimum(2_000, 50, true);
    assert_eq!(g.get("TransitiveMembers"), Some(&4));
    assert_eq!(total(&g), 1 + 2 + 4 + 1);
    assert_eq!(i.get("POST users"), Some(&34));
    assert_eq!(total(&i), 1 + 5 + 34 + 34 + 1);
    // 10,000 people: 6,667 (7 pages) + 1,667 (2) + 1,666 (2); 8,334 / 50 = 167.
    let (g, i) = minimum(10_000, 50, true);
    assert_eq!(g.get("TransitiveMembers"), Some(&11));
    assert_eq!(i.get("POST extensions"), Some(&167));
    let (g, i) = minimum(10_000, 50, false);
    assert_eq!(total(&g), 2);
    assert_eq!(total(&i), 7);
    assert!(within_ten_percent(110, 100) && !within_ten_percent(111, 100));
}
