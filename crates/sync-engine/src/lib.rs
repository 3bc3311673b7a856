//! Sync Azure AD groups into IP Office: rules per group, a readable plan, a safe apply, state and incremental runs.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
