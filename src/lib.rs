//! Run Avaya IP Office together with Microsoft Teams (Direct Routing).
//!
//! This facade re-exports the toolkit's crates, like `kube` over its parts:
//!
//! | module | crate | holds |
//! |---|---|---|
//! | [`model`] | `ipo-model` | validated names and numbers, IP Office records, the Azure AD user, port traits |
//! | [`rules`] | `usertype-rules` | classification into the three user types, eligibility, licences |
//! | [`graph`] | `graph-client` | Microsoft Graph client |
//! | [`ipo`] | `ipo-client` | IP Office Management API client |
//! | [`sync`] | `sync-engine` | rules per group, plan, apply, state |

pub use graph_client as graph;
pub use ipo_client as ipo;
pub use ipo_model as model;
pub use sync_engine as sync;
pub use usertype_rules as rules;
