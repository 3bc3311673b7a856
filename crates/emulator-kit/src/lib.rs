//! Shared pieces of the loopback emulators (`graph-emulator`, `ipo-emulator`).
//!
//! - [`SplitMix64`]: a tiny seeded generator, so that a failing run can be replayed.
//! - [`Latency`]: an added wait, fixed or uniform between two bounds.
//! - [`RuleScope`] and [`ScopedRule`]: which requests a fault rule applies to (path prefix,
//!   method), what latency it adds and how many faults it has left.
//! - [`RuleSet`]: the shared, seeded, changeable list of rules an emulator consults once per
//!   request; the emulator only says how one rule rolls its own faults.
//! - [`SilentPort`]: a port that accepts connections and never answers (a hung service).
//! - [`fault_rule!`]: an emulator's `FaultRule`: the fields, constructor and builders every
//!   emulator's rules share (scope, latency, `Retry-After`, dropped connections, cut bodies,
//!   fault budget), plus the emulator's own fault fractions.
//!
//! ```
//! use std::time::Duration;
//! use emulator_kit::{Latency, RuleScope, RuleSet, ScopedRule};
//!
//! #[derive(Debug)]
//! struct Rule { prefix: String, times: Option<u32> }
//! impl ScopedRule for Rule {
//!     fn scope(&self) -> RuleScope<'_> {
//!         RuleScope { path_prefix: &self.prefix, method: None, latency: Some(Latency::Fixed(Duration::from_millis(5))) }
//!     }
//!     fn times_left(&mut self) -> &mut Option<u32> { &mut self.times }
//! }
//!
//! let rules = RuleSet::new(7);
//! rules.add(Rule { prefix: "/a".into(), times: Some(1) });
//! let first = rules.evaluate("GET", "/a/b", |_, _, _| Some("fault"));
//! assert_eq!(first.latency, Some(Duration::from_millis(5)));
//! assert_eq!(first.action, Some("fault"));
//! assert_eq!(rules.evaluate("GET", "/a/b", |_, _, _| Some("fault")).action, None);
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod fault_rule_macro;
mod latency;
mod rng;
mod rule_set;
mod scope;
mod silent_port;

pub use latency::Latency;
pub use rng::SplitMix64;
pub use rule_set::{RuleSet, Verdict};
pub use scope::{RuleScope, ScopedRule};
pub use silent_port::SilentPort;
