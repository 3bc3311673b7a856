//! Stateful emulator of the Avaya IP Office Management API on loopback, with fault
//! injection, for tests and demos.
//!
//! It speaks the real wire protocol (Avaya's *Management API* guide, as the repository's
//! `docs/ipo-wire.md` records it): Basic-auth login with the lockout rule, `JSESSIONID` +
//! `SDK-Token` session cookies, XML and JSON envelopes, `status="0"` error nodes, PUT that
//! **replaces** the record with exactly the fields sent (so a client that drops fields is
//! caught), licences whose `FreeInstances` follow the profiles assigned, capacity limits
//! and multi-node solutions. Records are kept generically, so fields the emulator does not
//! know (DSS keys...) round-trip verbatim.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use ipo_emulator::{EmulatorConfig, FaultRule, IpoEmulator, Seed};
//! use ipo_model::{IpoUser, License, LicensingMode, Profile};
//!
//! let mut ann = IpoUser::new("Ann".parse().unwrap(), LicensingMode::Plds);
//! ann.extension = Some("201".parse().unwrap());
//! ann.profile = Profile::PowerUser;
//! let seed = Seed::new().license(License::new("Power User", 2, 2)).user(ann);
//! let emu = IpoEmulator::start(EmulatorConfig::new("api", "secret").seed(seed)).await?;
//!
//! assert_eq!(emu.state().free_licenses(Profile::PowerUser), 1);
//! emu.faults().add(FaultRule::new("/WebManagement").unavailable(0.1, None));
//! assert_eq!(emu.stats().total_requests(), 0);
//! # Ok::<(), ipo_emulator::EmulatorError>(())
//! # }).unwrap();
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod config;
mod convert;
mod emulator;
mod error;
mod faults;
mod json;
mod ldap_import;
mod record;
mod seed;
mod server;
mod session;
mod state;
mod stats;
mod store;
mod wire;
mod xml;

pub use config::{Credentials, EmulatorConfig, Node, SessionPolicy};
pub use convert::{EMAIL_FIELD, MOBILE_TWINNING_FIELD, TEAMS_CLIENT_FIELD};
pub use emulator::{IpoEmulator, IpoEmulatorHandle, SERVER_CERT_PEM, UNRELATED_CERT_PEM};
pub use error::EmulatorError;
pub use faults::{FaultRule, Faults, Latency};
pub use ldap_import::{DirectoryImport, ImportedRecord, LdapImportConfig, MAX_DIRECTORY_RECORDS};
pub use record::{RawRecord, RecordKind, WireError, codes};
pub use seed::{Seed, SeedRecord};
pub use server::{ADMIN_PREFIX, AUTH_PATH, X_USER_AGENT, X_USER_CLIENT};
pub use state::EmulatorState;
pub use stats::{Stats, StatsSnapshot};
pub use wire::WireFormat;
