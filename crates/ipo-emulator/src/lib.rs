//! Stateful emulator of the Avaya IP Office Management API on loopback, with fault injection, for tests and demos.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
