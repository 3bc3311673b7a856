//! The program's exit codes, for cron, systemd and Kubernetes.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | done |
//! | 1 | failure (configuration, connection, a write that failed) |
//! | 2 | usage error (unknown argument or subcommand; clap's) |
//! | 3 | held back: removals above the deletion threshold, missing licences, conflicts |
//! | 4 | another run holds the lock on this state; nothing was done |
//! | 5 | done, but IP Office needs a restart for some changes (reserved) |

/// Done.
pub const OK: u8 = 0;
/// Failure: nothing or only part was done; the message says what.
pub const FAILURE: u8 = 1;
/// Usage error (clap's own code).
pub const USAGE: u8 = 2;
/// Changes held back (deletion threshold, licences, conflicts).
pub const HELD: u8 = 3;
/// Another run holds the lock on the state.
pub const LOCKED: u8 = 4;
/// Done, but IP Office needs a restart for some changes. Reserved: returned once the engine
/// reports restart notices.
pub const RESTART_NEEDED: u8 = 5;
