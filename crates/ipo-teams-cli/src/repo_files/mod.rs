//! The repository's files the program reads, checked with the program's own definitions:
//! the command lines and configurations in `deploy/`, the annotated example configuration,
//! and `docs/configuration.md`'s list of keys. (Unit tests: the program is a binary, not a
//! library, so only its own tests see its command-line and configuration types.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod configuration_doc;
mod deploy_files;
mod example_config;
