//! Counting the requests a sync makes, as the emulators received them (what reached the
//! server), keyed like [`super::request_minimum::minimum`], and printing them next to it.

use super::Lab;
use super::request_minimum::{Counts, total};

/// Zeroes both emulators' request counters.
pub fn reset_request_counts(lab: &Lab) {
    lab.graph.reset_stats();
    lab.ipo.stats_handle().reset();
}

/// The Graph emulator's counts since its last reset, by route.
pub fn graph_counts(lab: &Lab) -> Counts {
    lab.graph
        .stats()
        .requests
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(r, n)| (format!("{r:?}"), *n))
        .collect()
}

/// The IP Office emulator's counts since its last reset, by method and last path segment.
pub fn ipo_counts(lab: &Lab) -> Counts {
    let mut out = Counts::new();
    for ((method, path), n) in &lab.ipo.stats().requests {
        let last = path.rsplit('/').next().unwrap_or(path);
        *out.entry(format!("{method} {last}")).or_default() += n;
    }
    out
}

/// `actual` next to `min`, key by key, with the totals and how far above the minimum they are.
pub fn table(what: &str, actual: &Counts, min: &Counts) -> String {
    let mut keys: Vec<&String> = actual.keys().chain(min.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut s = format!("{what}: actual / minimum\n");
    for k in keys {
        let a = actual.get(k).copied().unwrap_or(0);
        let m = min.get(k).copied().unwrap_or(0);
        s.push_str(&format!("  {k:<26} {a:>5} / {m:>5}\n"));
    }
    let (a, m) = (total(actual), total(min));
    s.push_str(&format!("  {:<26} {a:>5} / {m:>5}", "total"));
    if m > 0 {
        s.push_str(&format!("  ({:+.1}%)", (a as f64 / m as f64 - 1.0) * 100.0));
    }
    s.push('\n');
    s
}
