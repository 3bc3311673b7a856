//! Microsoft Graph client made for directory sync: client credentials, paging, transitive members, resumable delta, batch, throttling.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
