//! The Teams half of the whole sync, end to end: rules with `provisioning = "graph"` over the
//! generated tenant, the real Graph and IP Office clients against both emulators on
//! 127.0.0.1, the engine with the Graph client as its Teams port. What Teams holds afterwards
//! is read back through the Graph emulator, not taken from the report.
//!
//! One module per concern: [`graph_mode`] (numbers and policies land, the next plan is
//! empty, request counts, the dry run), [`crash`] (operations still running when the
//! process stops), [`ownership`] (what the sync did not assign, numbers others hold,
//! leavers), [`failures`] (typed per-person failures, throttling, hostile values),
//! [`properties`] (generated tenants: convergence, ownership, giving back).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod crash;
mod failures;
mod graph_mode;
mod lab;
mod ownership;
mod properties;
