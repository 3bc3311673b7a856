//! End-to-end sync of 10,000 people through the real clients against both emulators, with
//! 2 ms of injected latency on every request (issue #8, "Benchmarks and measurements"):
//!
//! - `full sync`: a fresh IP Office (built outside the timed part) and an apply;
//! - `no-change incremental sync`: after an apply, `RunOptions::apply().incremental()`.
//!
//! Each timed sync ends by logging out of IP Office, as the administrator's program does.
//! Before timing, one counted run of each prints the requests both emulators received
//! against the fewest the APIs allow (see `minimum`).
//!
//! `cargo bench --bench sync_e2e` (10 samples, a few minutes), or `-- --quick`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use ipo_client::{IpoClient, IpoConfig};
use ipo_emulator::{EmulatorConfig, IpoEmulator, IpoEmulatorHandle};
use ipo_model::Platform;
use support::*;
use sync_engine::{MemoryStateStore, RunOptions, SyncEngine};

const PEOPLE: u32 = 10_000;
const LATENCY: Duration = Duration::from_millis(2);
/// Largest page Graph serves for user listings and group members (`$top=999`).
const GRAPH_PAGE: u64 = 999;

type Counts = BTreeMap<String, u64>;

/// A Select system (no platform user limit) with room for everyone.
fn ipo_config() -> EmulatorConfig {
    ipo_emulator_config()
        .platform(Platform::Select)
        .max_users(50_000)
        .max_extensions(50_000)
}

fn members(n: u32, group: &str) -> u64 {
    (0..n).filter(|i| group_of(*i) == group).count() as u64
}

/// The fewest requests a sync of `n` generated people can make (same formula as
/// tests/request_counts.rs):
/// - full, Graph: 1 token, 1 `users/delta` and 1 `groups/delta` (the cursor, taken with
///   `$deltatoken=latest`), ceil(members / 999) `transitiveMembers` pages per group (3 groups),
///   1 page of `admin/teams/userConfigurations` (the generated tenant has no Teams
///   configuration);
/// - full, IP Office: login, one GET each of systems, licenses, users, extensions and
///   huntgroups, ceil(U / batch) `POST extensions`, ceil(U / batch) `POST users`, logout;
///   U = people in an IP Office group (Teams-only people go to the directory CSV: no request);
/// - no-change incremental: Graph one `users/delta` and one `groups/delta` round (one page
///   each, token still valid); IP Office login + the 5 reads + logout.
fn minimum(n: u32, batch: u64, full: bool) -> (Counts, Counts) {
    let mut graph = Counts::new();
    let mut ipo = Counts::new();
    let put = |m: &mut Counts, k: &str, v: u64| {
        m.insert(k.to_owned(), v);
    };
    put(&mut graph, "UsersDelta", 1);
    put(&mut graph, "GroupsDelta", 1);
    put(&mut ipo, "GET authenticate", 1);
    put(&mut ipo, "DELETE authenticate", 1);
    for r in ["systems", "licenses", "users", "extensions", "huntgroups"] {
        put(&mut ipo, &format!("GET {r}"), 1);
    }
    if full {
        put(&mut graph, "Token", 1);
        let pages = [GROUP_IPO, GROUP_TEAMS_IPO, GROUP_TEAMS_ONLY]
            .iter()
            .map(|g| members(n, g).div_ceil(GRAPH_PAGE))
            .sum();
        put(&mut graph, "TransitiveMembers", pages);
        put(&mut graph, "TeamsUserConfigurations", 1);
        let u = members(n, GROUP_IPO) + members(n, GROUP_TEAMS_IPO);
        put(&mut ipo, "POST extensions", u.div_ceil(batch));
        put(&mut ipo, "POST users", u.div_ceil(batch));
    }
    (graph, ipo)
}

fn graph_counts(lab: &Lab) -> Counts {
    lab.graph
        .stats()
        .requests
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(r, n)| (format!("{r:?}"), *n))
        .collect()
}

fn ipo_counts(ipo: &IpoEmulatorHandle) -> Counts {
    let mut out = Counts::new();
    for ((method, path), n) in &ipo.stats().requests {
        let last = path.rsplit('/').next().unwrap_or(path);
        *out.entry(format!("{method} {last}")).or_default() += n;
    }
    out
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
    let (a, m): (u64, u64) = (actual.values().sum(), min.values().sum());
    s.push_str(&format!(
        "  {:<26} {a:>5} / {m:>5}  ({:+.1}%)\n",
        "total",
        (a as f64 / m as f64 - 1.0) * 100.0
    ));
    s
}

fn latency() -> ipo_emulator::Latency {
    ipo_emulator::Latency::Fixed(LATENCY)
}

/// A fresh IP Office with 2 ms latency, a client for it (directory CSV in `dir`) and an
/// engine over the lab's Graph client: everything one full sync needs, nothing synced yet.
async fn fresh_ip_office(
    lab: &Lab,
    dir: &std::path::Path,
) -> (IpoEmulatorHandle, Arc<IpoClient>, SyncEngine) {
    let ipo = IpoEmulator::start(ipo_config()).await.unwrap();
    ipo.faults()
        .add(ipo_emulator::FaultRule::new("/").latency(latency()));
    let mut cfg = IpoConfig::new(
        ipo.base_url(),
        IPO_USER,
        ipo_client::Secret::new(IPO_PASSWORD),
    );
    cfg.directory_csv = Some(dir.join("ipo-directory.csv"));
    let client = Arc::new(IpoClient::new(cfg).unwrap());
    let engine = SyncEngine::new(
        config(),
        lab.graph_client.clone(),
        client.clone(),
        Arc::new(MemoryStateStore::new()),
    );
    (ipo, client, engine)
}

async fn sync(engine: &SyncEngine, client: &IpoClient, options: &RunOptions) -> usize {
    let run = engine.run(options).await.unwrap();
    client.close().await;
    let report = run.report.expect("applied");
    assert_eq!(report.failures().count(), 0);
    run.plan.actions.len()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let people = people(PEOPLE);
    let started = Instant::now();
    let lab = rt.block_on(Lab::start(&people, ipo_config(), |g| g, |_| {}));
    eprintln!("lab: {PEOPLE} people seeded in {:?}", started.elapsed());
    lab.graph
        .faults()
        .add(graph_emulator::FaultRule::new("/").latency(graph_emulator::Latency::Fixed(LATENCY)));
    lab.ipo
        .faults()
        .add(ipo_emulator::FaultRule::new("/").latency(latency()));
    let batch = lab.ipo_client.config().batch_size as u64;

    // One counted run of each kind, printed as a table.
    let engine = lab.engine(config(), Arc::new(MemoryStateStore::new()));
    lab.graph.reset_stats();
    lab.ipo.stats_handle().reset();
    let t = Instant::now();
    let actions = rt.block_on(sync(&engine, &lab.ipo_client, &RunOptions::apply()));
    let full_took = t.elapsed();
    let (full_graph, full_ipo) = (graph_counts(&lab), ipo_counts(&lab.ipo));
    lab.graph.reset_stats();
    lab.ipo.stats_handle().reset();
    let t = Instant::now();
    let inc_actions = rt.block_on(sync(
        &engine,
        &lab.ipo_client,
        &RunOptions::apply().incremental(),
    ));
    let inc_took = t.elapsed();
    assert_eq!(inc_actions, 0, "nothing changed");
    let (inc_graph, inc_ipo) = (graph_counts(&lab), ipo_counts(&lab.ipo));
    let (min_full_graph, min_full_ipo) = minimum(PEOPLE, batch, true);
    let (min_inc_graph, min_inc_ipo) = minimum(PEOPLE, batch, false);
    eprintln!(
        "\nRequests per sync, {PEOPLE} people, IP Office batch_size {batch} \
         (counted run: full {full_took:?} with {actions} actions, incremental {inc_took:?})"
    );
    eprintln!(
        "{}",
        table("Graph, full sync", &full_graph, &min_full_graph)
    );
    eprintln!(
        "{}",
        table("IP Office, full sync", &full_ipo, &min_full_ipo)
    );
    eprintln!(
        "{}",
        table("Graph, no-change incremental", &inc_graph, &min_inc_graph)
    );
    eprintln!(
        "{}",
        table("IP Office, no-change incremental", &inc_ipo, &min_inc_ipo)
    );

    let mut group = c.benchmark_group(format!("sync {PEOPLE} people, 2 ms latency"));
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(30));

    group.bench_function("full sync (fresh IP Office, apply)", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                let dir = tempfile::tempdir().unwrap();
                let (ipo, client, engine) = rt.block_on(fresh_ip_office(&lab, dir.path()));
                let t = Instant::now();
                let n = rt.block_on(sync(&engine, &client, &RunOptions::apply()));
                timed += t.elapsed();
                assert_eq!(n, actions);
                drop(engine);
                rt.block_on(ipo.shutdown());
            }
            timed
        })
    });

    group.bench_function("no-change incremental sync", |b| {
        b.iter(|| {
            let n = rt.block_on(sync(
                &engine,
                &lab.ipo_client,
                &RunOptions::apply().incremental(),
            ));
            assert_eq!(n, 0);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
