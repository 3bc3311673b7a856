//! Placeholder replaced by the end-to-end benchmark.
fn main() {}
