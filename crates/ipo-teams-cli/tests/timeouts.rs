//! Issue 25, item 5: `ipo.request_timeout_seconds` and `graph.request_timeout_seconds`
//! bound the wait the administrator sees, retries included, and the error names the
//! setting. Driven on the real binary, with a port on 127.0.0.1 that accepts connections
//! and never answers (`emulator_kit::SilentPort`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/support/mod.rs"]
mod support;

mod common;

use std::time::Duration;

use common::*;
use support::*;

/// Runs `plan` with `section.key = url` and `section.request_timeout_seconds = 2`; asserts
/// it fails within the setting plus start-up, naming the setting.
async fn assert_bounded(section: &str, key: &str, url: &str) {
    let lab = Lab::simple(&people(3)).await;
    let mut table = config_table(&lab);
    let s = table[section].as_table_mut().unwrap();
    s.insert(key.into(), url.into());
    s.insert("request_timeout_seconds".into(), 2.into());
    let config = write_config_text(lab.workdir.path(), &toml::to_string(&table).unwrap());
    let out = run_ok(&config, &["plan"]).await;
    let setting = format!("{section}.request_timeout_seconds");
    assert_eq!(out.code, EXIT_FAILURE, "{out:?}");
    assert!(out.took >= Duration::from_secs(2), "{out:?}");
    // Two seconds of deadline, plus the program's start and the other side's reads.
    assert!(out.took < Duration::from_millis(3500), "{out:?}");
    assert!(out.stderr.contains(&setting), "{}", out.stderr);
    assert!(!out.stderr.contains("RetryPolicy"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ipo_request_timeout_bounds_the_wait_and_is_named() {
    let silent = emulator_kit::SilentPort::start().unwrap();
    assert_bounded("ipo", "base_url", &silent.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graph_request_timeout_bounds_the_wait_and_is_named() {
    let silent = emulator_kit::SilentPort::start().unwrap();
    assert_bounded("graph", "login_base", &silent.url()).await;
}
