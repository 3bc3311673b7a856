//! Cost of the emulator itself: start-up, a GET of 300 users over loopback HTTP, and the
//! store at the size of a large site (10,000 users with their extensions: seeded, and
//! created one by one through the Rust API), which must stay roughly linear.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use criterion::{Criterion, criterion_group, criterion_main};
use ipo_emulator::{ADMIN_PREFIX, AUTH_PATH, EmulatorConfig, IpoEmulator, Seed};
use ipo_model::{Extension, ExtensionKind, IpoUser, LicensingMode, Platform};

fn seed(n: usize) -> Seed {
    (0..n).fold(Seed::new(), |s, i| {
        let mut u = IpoUser::new(format!("User{i}").parse().unwrap(), LicensingMode::Plds);
        u.extension = Some(format!("{}", 2000 + i).parse().unwrap());
        s.user(u)
    })
}

/// `n` users, each with its own extension record.
fn site(n: usize) -> Vec<(IpoUser, Extension)> {
    (0..n)
        .map(|i| {
            let number = format!("{}", 200_000 + i).parse().unwrap();
            let mut u = IpoUser::new(format!("user{i:05}").parse().unwrap(), LicensingMode::Plds);
            u.extension = Some(number);
            let e = Extension::new(u.extension.clone().unwrap(), ExtensionKind::Sip);
            (u, e)
        })
        .collect()
}

fn big() -> EmulatorConfig {
    EmulatorConfig::new("a", "b")
        .platform(Platform::Select)
        .max_users(20_000)
        .max_extensions(20_000)
}

fn scale(c: &mut Criterion, rt: &tokio::runtime::Runtime) {
    let mut group = c.benchmark_group("10,000 users + extensions");
    group.sample_size(10);
    let records = site(10_000);
    group.bench_function("seeded at start", |b| {
        b.iter(|| {
            let seed = records.iter().fold(Seed::new(), |s, (u, e)| {
                s.extension(e.clone()).user(u.clone())
            });
            rt.block_on(async {
                let emu = IpoEmulator::start(big().seed(seed)).await.unwrap();
                assert_eq!(emu.users().len(), 10_001);
                emu.shutdown().await;
            })
        })
    });
    group.bench_function("created through the Rust API", |b| {
        b.iter(|| {
            rt.block_on(async {
                let emu = IpoEmulator::start(big()).await.unwrap();
                for (u, e) in &records {
                    emu.state().add_extension(e).unwrap();
                    emu.state().add_user(u).unwrap();
                }
                emu.shutdown().await;
            })
        })
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    c.bench_function("start+stop (300 users seeded)", |b| {
        b.iter(|| {
            rt.block_on(async {
                let emu = IpoEmulator::start(EmulatorConfig::new("a", "b").seed(seed(300)))
                    .await
                    .unwrap();
                emu.shutdown().await;
            })
        })
    });

    scale(c, &rt);

    let emu = rt
        .block_on(IpoEmulator::start(
            EmulatorConfig::new("a", "b").seed(seed(300)),
        ))
        .unwrap();
    let base = emu.base_url();
    let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(rustls::RootCertStore::empty())
    .with_no_client_auth();
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()
        .unwrap();
    let cookie = rt.block_on(async {
        let r = client
            .get(format!("{base}{AUTH_PATH}"))
            .header("X-User-Client", "Avaya-WebAdmin")
            .header("X-User-Agent", "Avaya-SDKUser")
            .header(
                "Authorization",
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode("a:b")
                ),
            )
            .send()
            .await
            .unwrap();
        r.headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join("; ")
    });
    for (label, ct) in [("XML", "application/xml"), ("JSON", "application/json")] {
        c.bench_function(&format!("GET 300 users ({label})"), |b| {
            b.iter(|| {
                rt.block_on(async {
                    let body = client
                        .get(format!("{base}{ADMIN_PREFIX}users"))
                        .header("X-User-Client", "Avaya-WebAdmin")
                        .header("X-User-Agent", "Avaya-SDKUser")
                        .header("Content-Type", ct)
                        .header("Cookie", &cookie)
                        .send()
                        .await
                        .unwrap()
                        .text()
                        .await
                        .unwrap();
                    assert!(body.len() > 10_000);
                })
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
