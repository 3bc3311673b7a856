//! End-to-end sync of 10,000 people through the real clients against both emulators, with
//! 2 ms of injected latency on every request (issue #8, "Benchmarks and measurements"):
//!
//! - `full sync`: a fresh IP Office (built outside the timed part) and an apply;
//! - `no-change incremental sync`: after an apply, `RunOptions::apply().incremental()`.
//!
//! Each timed sync ends by logging out of IP Office, as the administrator's program does.
//! Before timing, one counted run of each prints the requests both emulators received
//! against the fewest the APIs allow (`support::request_minimum::minimum`, the formula
//! tests/request_counts.rs checks).
//!
//! `cargo bench --bench sync_e2e` (10 samples, a few minutes), or `-- --quick`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use ipo_client::{IpoClient, IpoConfig};
use ipo_emulator::{IpoEmulator, IpoEmulatorHandle};
use support::request_minimum::{minimum, roomy_ipo_emulator_config};
use support::request_tally::{graph_counts, ipo_counts, reset_request_counts, table};
use support::*;
use sync_engine::{MemoryStateStore, RunOptions, SyncEngine};

const PEOPLE: u32 = 10_000;
const LATENCY: Duration = Duration::from_millis(2);

fn latency() -> ipo_emulator::Latency {
    ipo_emulator::Latency::Fixed(LATENCY)
}

/// A fresh IP Office with 2 ms latency, a client for it (directory CSV in `dir`) and an
/// engine over the lab's Graph client: everything one full sync needs, nothing synced yet.
async fn fresh_ip_office(
    lab: &Lab,
    dir: &std::path::Path,
) -> (IpoEmulatorHandle, Arc<IpoClient>, SyncEngine) {
    let ipo = IpoEmulator::start(roomy_ipo_emulator_config())
        .await
        .unwrap();
    ipo.faults()
        .add(ipo_emulator::FaultRule::new("/").latency(latency()));
    let mut cfg = IpoConfig::new(
        ipo.base_url(),
        IPO_USER,
        ipo_client::Secret::new(IPO_PASSWORD),
    );
    cfg.directory_csv = Some(dir.join("ipo-directory.csv"));
    // The Management API's answer does not settle the licensing mode: stated, as an
    // administrator would.
    cfg.licensing_mode = Some(ipo_model::LicensingMode::Plds);
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
    let lab = rt.block_on(Lab::start(
        &people,
        roomy_ipo_emulator_config(),
        |g| g,
        |_| {},
    ));
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
    let counted = |options: &RunOptions| {
        reset_request_counts(&lab);
        let t = Instant::now();
        let actions = rt.block_on(sync(&engine, &lab.ipo_client, options));
        (actions, t.elapsed(), graph_counts(&lab), ipo_counts(&lab))
    };
    let (actions, full_took, full_graph, full_ipo) = counted(&RunOptions::apply());
    let (inc_actions, inc_took, inc_graph, inc_ipo) = counted(&RunOptions::apply().incremental());
    assert_eq!(inc_actions, 0, "nothing changed");
    let (min_full_graph, min_full_ipo) = minimum(PEOPLE, batch, true);
    let (min_inc_graph, min_inc_ipo) = minimum(PEOPLE, batch, false);
    eprintln!(
        "\nRequests per sync, {PEOPLE} people, IP Office batch_size {batch} \
         (counted run: full {full_took:?} with {actions} actions, incremental {inc_took:?})"
    );
    for (what, actual, min) in [
        ("Graph, full sync", &full_graph, &min_full_graph),
        ("IP Office, full sync", &full_ipo, &min_full_ipo),
        ("Graph, no-change incremental", &inc_graph, &min_inc_graph),
        ("IP Office, no-change incremental", &inc_ipo, &min_inc_ipo),
    ] {
        eprintln!("{}", table(what, actual, min));
    }

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
