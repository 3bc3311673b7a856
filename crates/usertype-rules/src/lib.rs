//! Classify people into IP Office only, Teams only and Teams + IP Office users; eligibility and licence accounting.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
