//! What a sync costs in requests, against the fewest the APIs allow (issue #8, "Benchmarks
//! and measurements"): a no-change incremental sync makes one delta round per delta link,
//! one IP Office read of each needed resource and no write; a full sync stays within 10% of
//! the minimum request count.
//!
//! Requests are counted by the emulators (what reached the server), per route / path.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;

use ipo_emulator::EmulatorConfig;
use ipo_model::Platform;
use support::*;
use sync_engine::{MemoryStateStore, RunOptions, RunResult, SyncEngine};

/// Big enough for two pages of the largest group, small enough for a debug build.
const PEOPLE: u32 = 2_000;
/// Largest page Graph serves for user listings and group members (`$top=999`).
const GRAPH_PAGE: u64 = 999;

/// Requests per key: Graph by route (`UsersDelta`...), IP Office by method and last path
/// segment (`POST users`, `GET authenticate` is the login, `DELETE authenticate` the logout).
type Counts = BTreeMap<String, u64>;

/// IP Office with room for everyone: a Select system (no platform user limit the planner
/// would hold creates back for) and emulator limits far above the tenant.
fn ipo_config() -> EmulatorConfig {
    ipo_emulator_config()
        .platform(Platform::Select)
        .max_users(50_000)
        .max_extensions(50_000)
}

fn div_ceil(a: u64, b: u64) -> u64 {
    a.div_ceil(b)
}

/// Members of `group` among the first `n` generated people.
fn members(n: u32, group: &str) -> u64 {
    (0..n).filter(|i| group_of(*i) == group).count() as u64
}

/// The fewest requests a sync of the generated tenant of `n` people can make, per key.
///
/// Full sync, Graph (`fresh_token`: the client holds no token yet):
///   1 token
/// + 1 `users/delta?$deltatoken=latest` + 1 `groups/delta?$deltatoken=latest` (the cursor
///   taken before reading: one round each, no objects, one page)
/// + sum over the 3 watched groups of ceil(members / 999) `transitiveMembers` pages
/// + ceil(max(1, T) / 999) pages of `admin/teams/userConfigurations`, read once for the whole
///   tenant (T = Teams configurations in the tenant; the generated tenant has none, so 1 page);
/// + 0 `$batch` (a full read needs no per-user fetch; a batch would carry 20 reads).
///
/// Full sync, IP Office (a fresh system, `b` = the client's `batch_size`, U = people in an
/// IP Office group = everyone but the Teams-only sixth):
///   1 login + 1 GET each of systems, licenses, users, extensions, huntgroups
/// + ceil(U / b) `POST extensions` (each IP Office person gets an extension record)
/// + ceil(U / b) `POST users` + 1 logout. (Teams-only people go to the directory CSV: no
///   request.)
///
/// No-change incremental sync: Graph 1 `users/delta` + 1 `groups/delta` round from the saved
/// links (one page each when nothing changed), no token (still valid), nothing else; IP
/// Office 1 login + the 5 reads + 1 logout, no write.
fn minimum(n: u32, batch: u64, full: bool) -> (Counts, Counts) {
    let mut graph = Counts::new();
    let mut ipo = Counts::new();
    let put = |m: &mut Counts, k: &str, v: u64| {
        if v > 0 {
            m.insert(k.to_owned(), v);
        }
    };
    put(&mut graph, "UsersDelta", 1);
    put(&mut graph, "GroupsDelta", 1);
    for r in ["GET authenticate", "DELETE authenticate"] {
        put(&mut ipo, r, 1);
    }
    for r in ["systems", "licenses", "users", "extensions", "huntgroups"] {
        put(&mut ipo, &format!("GET {r}"), 1);
    }
    if full {
        put(&mut graph, "Token", 1);
        let pages: u64 = [GROUP_IPO, GROUP_TEAMS_IPO, GROUP_TEAMS_ONLY]
            .iter()
            .map(|g| div_ceil(members(n, g), GRAPH_PAGE))
            .sum();
        put(&mut graph, "TransitiveMembers", pages);
        let teams_configs = 0;
        put(
            &mut graph,
            "TeamsUserConfigurations",
            div_ceil(u64::max(1, teams_configs), GRAPH_PAGE),
        );
        let ipo_people = members(n, GROUP_IPO) + members(n, GROUP_TEAMS_IPO);
        put(&mut ipo, "POST extensions", div_ceil(ipo_people, batch));
        put(&mut ipo, "POST users", div_ceil(ipo_people, batch));
    }
    (graph, ipo)
}

fn total(c: &Counts) -> u64 {
    c.values().sum()
}

/// The Graph emulator's counts since its last reset.
fn graph_counts(lab: &Lab) -> Counts {
    lab.graph
        .stats()
        .requests
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(r, n)| (format!("{r:?}"), *n))
        .collect()
}

/// The IP Office emulator's counts since its last reset.
fn ipo_counts(lab: &Lab) -> Counts {
    let mut out = Counts::new();
    for ((method, path), n) in &lab.ipo.stats().requests {
        let last = path.rsplit('/').next().unwrap_or(path);
        *out.entry(format!("{method} {last}")).or_default() += n;
    }
    out
}

/// Runs one sync as the administrator's program would (and then logs out of IP Office),
/// returning what it did and the requests each side received.
async fn counted(
    lab: &Lab,
    engine: &SyncEngine,
    options: &RunOptions,
) -> (RunResult, Counts, Counts) {
    lab.graph.reset_stats();
    lab.ipo.stats_handle().reset();
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

fn table(what: &str, actual: &Counts, min: &Counts) -> String {
    let mut keys: Vec<&String> = actual.keys().chain(min.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut s = format!("{what}: actual / minimum\n");
    for k in keys {
        let a = actual.get(k).copied().unwrap_or(0);
        let m = min.get(k).copied().unwrap_or(0);
        s.push_str(&format!("  {k:<26} {a:>5} / {m:>5}\n"));
    }
    s.push_str(&format!(
        "  {:<26} {:>5} / {:>5}\n",
        "total",
        total(actual),
        total(min)
    ));
    s
}

/// Within 10% of the minimum: `actual <= 1.1 * minimum`.
fn within_ten_percent(actual: u64, min: u64) -> bool {
    actual * 10 <= min * 11
}

async fn applied_lab() -> (Lab, SyncEngine, RunResult, Counts, Counts) {
    let people = people(PEOPLE);
    let lab = Lab::start(&people, ipo_config(), |g| g, |_| {}).await;
    let engine = lab.engine(config(), Arc::new(MemoryStateStore::new()));
    let (run, graph, ipo) = counted(&lab, &engine, &RunOptions::apply()).await;
    let ipo_people = members(PEOPLE, GROUP_IPO) + members(PEOPLE, GROUP_TEAMS_IPO);
    assert_eq!(
        lab.ipo.users().len() as u64,
        ipo_people + 1,
        "everyone in an IP Office group was created (plus NoUser)"
    );
    (lab, engine, run, graph, ipo)
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

    let ipo_people = members(PEOPLE, GROUP_IPO) + members(PEOPLE, GROUP_TEAMS_IPO);
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
    assert!(
        within_ten_percent(total(&ipo), total(&min_ipo)),
        "{} requests, minimum {}: {ipo:?}",
        total(&ipo),
        total(&min_ipo)
    );
}

/// What holds of the full sync's Graph requests: every listing at full page size, one
/// delta round per link for the cursor, one token, no per-user reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_sync_reads_group_members_in_pages_of_999_and_takes_the_cursor_once() {
    let (_, _, run, graph, _) = applied_lab().await;
    let (min_graph, _) = minimum(PEOPLE, 50, true);
    eprintln!("{}", table("Graph, full sync", &graph, &min_graph));

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
/// `DirectorySource::members_of_groups`, which `GraphClient` answers with one Teams
/// listing), not once per group.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_sync_graph_requests_stay_within_ten_percent_of_the_minimum() {
    let (_, _, _, graph, _) = applied_lab().await;
    let (min_graph, _) = minimum(PEOPLE, 50, true);
    eprintln!("{}", table("Graph, full sync", &graph, &min_graph));
    assert_eq!(
        graph.get("TeamsUserConfigurations"),
        min_graph.get("TeamsUserConfigurations"),
        "{graph:?}"
    );
    assert!(
        within_ten_percent(total(&graph), total(&min_graph)),
        "{} requests, minimum {}: {graph:?}",
        total(&graph),
        total(&min_graph)
    );
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
