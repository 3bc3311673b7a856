//! Stateful emulator of the Microsoft Graph endpoints a directory sync uses, on loopback, with fault injection, for tests and demos.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
