//! Directory service benches: 10,000 entries to one search (IP Office's import, and the
//! whole-tree check of docs/deployment.md), and 100 concurrent searches, over real LDAP on
//! 127.0.0.1 (the `ldap3` client), plus the search path without sockets.
//!
//! Run: `cargo bench -p ipo-teams-ldap --bench directory`

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use ipo_teams_ldap::{
    BindUser, DirectoryConfig, DirectoryService, EntrySet, EntrySetHandle, Secret, ServedEntry,
    bench_support,
};
use ldap3::{LdapConnAsync, Scope, SearchEntry};

const BASE: &str = "ou=teams,dc=example,dc=com";
const BIND_DN: &str = "cn=ipoffice,dc=example,dc=com";
const PW: &str = "bench-password";

fn set_of(n: usize) -> EntrySet {
    let entries = (0..n)
        .map(|i| {
            ServedEntry::new(
                format!("Person {i:05}"),
                format!("4416327{i:05}-{}", 1000 + i % 9000),
            )
        })
        .collect();
    match EntrySet::from_served(entries) {
        Ok(s) => s,
        Err(e) => panic!("bench set: {e}"),
    }
}

/// Connect, bind, one search of `filter` under the base at `scope` for `attrs` (none: all),
/// unbind; the number of entries.
async fn search_all(url: &str, scope: Scope, filter: &str, attrs: Vec<&str>) -> usize {
    let (conn, mut ldap) = LdapConnAsync::new(url).await.expect("connect");
    ldap3::drive!(conn);
    ldap.simple_bind(BIND_DN, PW)
        .await
        .expect("bind")
        .success()
        .expect("bind ok");
    let (rs, _res) = ldap
        .search(BASE, scope, filter, attrs)
        .await
        .expect("search")
        .success()
        .expect("search ok");
    let n = rs.into_iter().map(SearchEntry::construct).count();
    let _ = ldap.unbind().await;
    n
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let set = set_of(10_000);
    let cfg = DirectoryConfig::new("127.0.0.1:0".parse().expect("addr"), BASE)
        .with_bind_user(BindUser::new(BIND_DN, Secret::new(PW)));
    let mut cfg = cfg;
    cfg.max_connections = 200;
    let running = rt.block_on(async {
        DirectoryService::bind(cfg, EntrySetHandle::with(set.clone()))
            .await
            .expect("bind")
            .spawn()
    });
    let url = format!("ldap://{}", running.local_addr());

    let mut g = c.benchmark_group("directory");
    g.measurement_time(Duration::from_secs(10));
    g.sample_size(20);
    g.bench_function("find_and_render_10k_no_socket", |b| {
        b.iter(|| {
            assert_eq!(
                bench_support::search_subtree(&set, BASE, "(objectClass=person)"),
                10_000
            )
        })
    });
    g.bench_function("one_search_10k_entries_over_ldap", |b| {
        b.iter(|| {
            assert_eq!(
                rt.block_on(search_all(
                    &url,
                    Scope::OneLevel,
                    "(objectClass=person)",
                    vec!["cn", "telephoneNumber"]
                )),
                10_000
            )
        })
    });
    // `ldapsearch -b <base>`: the whole tree, every attribute, the base entry and everyone.
    g.bench_function("whole_tree_search_10k_over_ldap", |b| {
        b.iter(|| {
            assert_eq!(
                rt.block_on(search_all(&url, Scope::Subtree, "(objectClass=*)", vec![])),
                10_001
            )
        })
    });
    g.bench_function("100_concurrent_searches_over_ldap", |b| {
        b.iter(|| {
            rt.block_on(async {
                let tasks: Vec<_> = (0..100)
                    .map(|i| {
                        let url = url.clone();
                        tokio::spawn(async move {
                            let filter = format!("(cn=Person {:05})", i * 97);
                            search_all(
                                &url,
                                Scope::OneLevel,
                                &filter,
                                vec!["cn", "telephoneNumber"],
                            )
                            .await
                        })
                    })
                    .collect();
                for t in tasks {
                    assert_eq!(t.await.expect("task"), 1);
                }
            })
        })
    });
    g.finish();
    rt.block_on(running.shutdown());
}

criterion_group!(directory, benches);
criterion_main!(directory);
