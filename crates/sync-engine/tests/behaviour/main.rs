//! Behaviour tests of the sync engine against the in-memory stores, one file per theme.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod config;
mod contacts;
mod directory;
mod extensions;
mod fields;
mod limits;
mod one_brain;
mod ownership;
mod plan_output;
mod progress;
mod removal;
mod runs;
mod scope;
