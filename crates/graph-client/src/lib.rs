//! Microsoft Graph client made for directory sync: client credentials, paging, transitive
//! members, resumable delta, batch, throttling.
//!
//! - [`GraphClient`] reads users (all, one, members of a group with nested groups) with a
//!   `$select` of what classification needs, as collected vectors or as streams of items
//!   (next links followed verbatim, no page handling for callers), and merges Teams telephone
//!   numbers onto them ([`GraphConfig::teams_numbers`], on by default).
//! - Delta: [`GraphClient::users_delta`] and [`GraphClient::groups_delta`] start, resume from
//!   a saved link, and report an expired token as [`Delta::FullResyncNeeded`], a normal
//!   outcome. [`ipo_model::AzureAdSource`] is implemented on top of them, with complete
//!   user records fetched by id through `$batch` ([`GraphClient::batch`]). Organisational
//!   contacts the same way: [`GraphClient::contacts_delta`] and
//!   [`GraphClient::contacts_by_ids`].
//! - Teams voice writes (global cloud only): [`GraphClient::assign_number`],
//!   [`GraphClient::unassign_number`] and [`GraphClient::update_number`] start Teams'
//!   asynchronous operations, [`GraphClient::poll_operation`] follows one to a bounded end
//!   ([`OperationOutcome::StillRunning`] keeps its id for later), and
//!   [`GraphClient::number_failure`] says why one failed; [`GraphClient::policy_id`] finds a
//!   policy by name and [`GraphClient::assign_policies`] assigns many users per request;
//!   [`GraphClient::user_configuration`] reads the result back with the effective policies;
//!   [`GraphClient::missing_roles`] names a missing write permission without writing. Where
//!   Microsoft's examples slip, reading is tolerant, each decision in one place
//!   (`teams_slips.rs`); the one assumption about policy types is
//!   [`ASSUMED_VOICE_POLICY_TYPES`].
//! - Throttling as Microsoft asks: 429/503/504 and transport failures retried after
//!   `Retry-After` (seconds or HTTP date) or exponential backoff with jitter, bounded by a
//!   [`RetryPolicy`]; [`GraphClient::stats`] says what it cost. A write (number actions,
//!   policy assignments, a `$batch` holding one) is resent only where Graph documents that
//!   it was not processed (429, 503) or no connection was made; after a dropped connection,
//!   a timeout or another 5xx it is [`GraphError::Unconfirmed`], never sent twice.
//! - Honest errors: one [`GraphError`], Graph error bodies kept (code, message,
//!   request-id), the likely missing permission named, undecodable bodies kept as a snippet
//!   with the URL (token-like query values redacted). Secrets never show in `Debug`,
//!   `Display`, logs or errors.
//! - TLS through rustls with the ring provider and the webpki roots, verification always on.
//!
//! # Public API
//!
//! On purpose, and nothing else: [`GraphClient`] with its [`GraphConfig`] or
//! [`ClientOptions`], [`RetryPolicy`] and [`Secret`] (shared with `ipo-client`, from
//! `ipo-model`); tokens ([`TokenProvider`], [`ClientCredentials`], [`StaticToken`],
//! [`AccessToken`]); what the reads return ([`Page`], [`Delta`], [`DeltaStart`],
//! [`UsersDelta`], [`GroupsDelta`], [`GroupChange`], [`MemberRef`], [`MemberKind`],
//! [`ContactsDelta`], [`FetchedContacts`], [`FetchedUsers`], [`TeamsUserConfig`],
//! [`NumberAssignment`], [`Probe`], [`RequestStats`]); `$batch` ([`BatchRequest`],
//! [`BatchResponse`]); errors ([`GraphError`], [`GraphErrorBody`]); parsing one Graph user
//! object from bytes ([`parse_user`]); OData helpers for your own queries
//! ([`odata_string_literal`], [`encode_query_value`]); and the documented limits.
//!
//! The `test-support` feature adds what this crate's own tests and benchmarks use (page
//! parsers, the Teams merge, the delta cursor keys); it is not part of the supported API.
//!
//! ```
//! use std::sync::Arc;
//! use graph_client::{ClientOptions, GraphClient, GraphConfig, StaticToken, odata_string_literal};
//!
//! // Client credentials (the usual case): nothing is sent until the first call.
//! let cfg = GraphConfig::new("contoso.onmicrosoft.com", "app-id", "s3cr3t-value".into());
//! let client = GraphClient::new(cfg)?;
//! assert!(!format!("{client:?}").contains("s3cr3t-value"));
//!
//! // Or bring your own token.
//! let own = GraphClient::with_token_provider(
//!     "https://graph.microsoft.com/v1.0".parse().unwrap(),
//!     Arc::new(StaticToken::new("eyJ0...".into())),
//!     ClientOptions::default(),
//! )?;
//! assert_eq!(own.stats().requests, 0);
//! assert_eq!(odata_string_literal("O'Brien"), "'O''Brien'");
//! # Ok::<(), graph_client::GraphError>(())
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod auth;
mod batch;
mod client;
mod config;
mod contact;
mod contact_delta;
mod delta;
mod error;
mod number_model;
mod number_ops;
mod odata;
mod page;
mod policy_model;
mod policy_ops;
mod probe;
mod roles;
mod source;
mod stats;
mod teams;
mod teams_port;
mod teams_slips;
mod tls;
mod transport;
mod user;

pub use auth::{AccessToken, ClientCredentials, REFRESH_MARGIN, StaticToken, TokenProvider};
pub use batch::{BatchRequest, BatchResponse, FetchedUsers, MAX_BATCH_SIZE};
pub use client::{GraphClient, MAX_PAGE_SIZE, MAX_PAGES};
pub use config::{ClientOptions, DEFAULT_GRAPH_BASE, DEFAULT_LOGIN_BASE, GraphConfig};
pub use contact_delta::{ContactsDelta, FetchedContacts};
pub use delta::{Delta, DeltaStart, GroupChange, GroupsDelta, MemberKind, MemberRef, UsersDelta};
pub use error::{BODY_SNIPPET_LEN, GraphError, GraphErrorBody};
pub use ipo_model::{RetryPolicy, Secret};
pub use number_model::{
    AssignNumber, NumberFailure, NumberOperation, NumberOperationDetail, NumberType, OperationId,
    OperationOutcome, OperationStatus, PollSchedule, UpdateNumber,
};
pub use number_ops::NUMBER_WRITE_PERMISSION;
pub use odata::{encode_query_value, odata_string_literal};
pub use page::Page;
pub use policy_model::{
    ASSUMED_VOICE_POLICY_TYPES, ONLINE_VOICE_ROUTING_POLICY, PolicyAssignment, PolicyType,
    TENANT_DIAL_PLAN,
};
pub use policy_ops::{MAX_POLICY_ASSIGNMENTS_PER_REQUEST, POLICY_WRITE_PERMISSION};
pub use probe::Probe;
pub use roles::TEAMS_WRITE_PERMISSIONS;
pub use stats::RequestStats;
pub use teams::{NumberAssignment, TeamsUserConfig};
pub use teams_port::direct_routing_number_text;
pub use teams_slips::same_number;
pub use user::parse_user;

/// What this crate's own tests and benches reach into; not part of the supported API, and
/// only there with the `test-support` feature.
#[cfg(feature = "test-support")]
#[doc(hidden)]
pub mod test_support {
    pub use crate::contact::parse_contacts_page;
    pub use crate::contact_delta::CURSOR_CONTACTS;
    pub use crate::source::{CURSOR_GROUPS, CURSOR_USERS};
    pub use crate::teams::merge_teams;
    pub use crate::user::parse_users_page;
}
