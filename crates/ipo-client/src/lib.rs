//! Avaya IP Office Management API client: session, XML and JSON envelopes, lossless updates, retries; implements IpoConfigStore.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
