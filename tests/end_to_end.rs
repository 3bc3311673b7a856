//! The whole sync through the real clients against both emulators, fault-free: the baseline
//! the fault and crash tests compare against.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use support::*;
use sync_engine::{MemoryStateStore, RunOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_sync_creates_every_ip_office_person_once_and_then_plans_nothing() {
    let people = people(60);
    let lab = Lab::simple(&people).await;
    let engine = lab.engine(config(), Arc::new(MemoryStateStore::new()));

    let applied = engine.run(&RunOptions::apply()).await.unwrap();
    let report = applied.report.unwrap();
    assert_eq!(
        report.failures().count(),
        0,
        "{:#?}",
        report.failures().collect::<Vec<_>>()
    );

    // Teams-only people (one in six) get no IP Office user; the other 50 do, once each.
    let users = lab.ipo.users();
    let synced: Vec<_> = users
        .iter()
        .filter(|u| u.name.as_str().starts_with("user"))
        .collect();
    assert_eq!(synced.len(), 50);
    let names: BTreeSet<_> = synced.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names.len(), 50);
    let exts: BTreeSet<_> = synced.iter().filter_map(|u| u.extension.clone()).collect();
    assert_eq!(exts.len(), 50);

    let again = engine.run(&RunOptions::dry_run()).await.unwrap();
    assert!(again.plan.is_empty(), "{:#?}", again.plan.actions);
}
