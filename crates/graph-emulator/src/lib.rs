//! Stateful emulator of the Microsoft Graph endpoints a directory sync uses, on loopback, with
//! fault injection, for tests and demos.
//!
//! It speaks the real wire protocol on `http://127.0.0.1:<ephemeral port>`: the Entra ID token
//! endpoint (client credentials), `/v1.0/users`, groups and (transitive) members,
//! organisational contacts (`/contacts`, `/contacts/{id}`), users, groups and contacts delta
//! queries with expiring tokens, `$batch`, the Teams telephone number endpoints, and the
//! Teams voice writes (number assignment through asynchronous operations, `getPolicyId`,
//! policy user assignments) with their faults. The tenant is seeded from a [`Seed`] and scripted through
//! [`GraphEmulatorHandle`]; every mutation feeds the delta change log.
//!
//! ```
//! use graph_emulator::{FaultRule, GraphEmulator, GraphEmulatorConfig, Route, Seed};
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let emu = GraphEmulator::start(GraphEmulatorConfig::with_seed(Seed::contoso())).await.unwrap();
//! emu.faults().add(FaultRule::new("/v1.0/users").throttle(1.0, None).times(1));
//! emu.remove_user("87d349ed-44d7-43e1-9a83-5f2406dee5bd", ipo_model::RemovalReason::Deleted).unwrap();
//! assert_eq!(emu.stats().get(Route::Users), 0);
//! # });
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod config;
mod error;
mod faults;
mod handle;
mod handle_voice;
mod routes;
mod seed;
mod server;
mod state;
mod stats;
mod tenant;
mod tenant_teams;
mod tenant_voice;
mod user_json;
mod wire;

pub use config::{ExpiredDeltaMode, GraphEmulatorConfig, Secret};
pub use error::EmulatorError;
pub use faults::{FaultRule, Faults, Latency};
pub use handle::{GraphEmulator, GraphEmulatorHandle};
pub use seed::{Seed, SeedGroup, SeedPolicy, SeedUser};
pub use stats::{Route, Stats};
pub use tenant_voice::{NumberOperationFault, NumberSource};
pub use user_json::{DEFAULT_USER_PROPERTIES, user_from_graph, user_to_graph};

/// Largest `$top` Graph accepts for users and members (Graph docs: "$top ... 1 to 999").
pub const MAX_PAGE_SIZE: usize = 999;

/// Page size when `$top` is absent (Graph docs: users default page size 100).
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// Most requests in one JSON batch (Graph docs, "Combine multiple requests": 20).
pub const MAX_BATCH_REQUESTS: usize = 20;

/// Most users in one Teams policy `userAssignments/assign` or `/unassign` request: the
/// Teams policy service's documented limit for one synchronous call (Teams PowerShell,
/// `Grant-CsUserPolicyPackage`: 20 users at a time); Graph's pages for these actions state
/// none. More is refused with `400`, so a client that does not batch is caught.
pub const MAX_POLICY_ASSIGNMENTS: usize = 20;

/// Path prefix of Graph v1.0 below the server root.
pub const GRAPH_VERSION_PATH: &str = "/v1.0";
