//! Throughput of the emulator: a full users listing of a 2,000-user tenant (999 per page) and a
//! full users delta round, over loopback HTTP with reqwest.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use graph_emulator::{GraphEmulator, GraphEmulatorConfig, Seed};
use serde_json::Value;

async fn follow(client: &reqwest::Client, tok: &str, mut url: String) -> usize {
    let mut n = 0;
    loop {
        let v: Value = client
            .get(&url)
            .bearer_auth(tok)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        n += v["value"].as_array().map_or(0, Vec::len);
        match v["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_owned(),
            None => return n,
        }
    }
}

fn bench(c: &mut Criterion) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (emu, client, tok) = rt.block_on(async {
        let emu = GraphEmulator::start(GraphEmulatorConfig::with_seed(Seed::generated(2000, 4, 1)))
            .await
            .unwrap();
        let client = reqwest::Client::new();
        let form = [
            ("client_id", emu.client_id()),
            ("client_secret", emu.client_secret()),
            ("scope", "https://graph.microsoft.com/.default"),
            ("grant_type", "client_credentials"),
        ];
        let v: Value = client
            .post(emu.token_url())
            .form(&form)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let tok = v["access_token"].as_str().unwrap().to_owned();
        (emu, client, tok)
    });
    let users = format!(
        "{}/users?$select=id,displayName,businessPhones&$top=999",
        emu.graph_base()
    );
    c.bench_function("list 2000 users (3 pages)", |b| {
        b.iter(|| assert_eq!(rt.block_on(follow(&client, &tok, users.clone())), 2000))
    });
    let delta = format!(
        "{}/users/delta?$select=id,displayName,businessPhones",
        emu.graph_base()
    );
    c.bench_function("users delta full round 2000 users (20 pages)", |b| {
        b.iter(|| assert_eq!(rt.block_on(follow(&client, &tok, delta.clone())), 2000))
    });
    c.bench_function("start and stop an emulator", |b| {
        b.iter(|| {
            rt.block_on(async {
                GraphEmulator::start(GraphEmulatorConfig::default())
                    .await
                    .unwrap()
                    .shutdown()
                    .await
            })
        })
    });
    drop(emu);
}

criterion_group!(benches, bench);
criterion_main!(benches);
