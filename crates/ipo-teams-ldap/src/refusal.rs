//! The log of what the service refuses (connections, malformed or slow requests, failed
//! binds): one short line each, at most [`LINES_PER_MINUTE`] a minute, the rest counted
//! and told as one line. A client cannot grow the log by more than that, however many
//! connections it opens or whatever it sends: a line holds what was refused, from where,
//! and at most the first [`HEX_PREFIX`] bytes in hex, never the message.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;
use tracing::warn;

/// Refusals logged one by one per minute.
pub(crate) const LINES_PER_MINUTE: u32 = 10;
/// Bytes of a refused message shown, in hex.
pub(crate) const HEX_PREFIX: usize = 8;
/// Characters of a client-given name (a bind DN) shown.
const NAME_PREFIX: usize = 64;
const WINDOW: Duration = Duration::from_secs(60);

#[derive(Debug)]
struct Window {
    started: Instant,
    logged: u32,
    unlogged: u64,
}

/// Rate-limited refusal lines; one per service.
#[derive(Debug)]
pub(crate) struct RefusalLog {
    window: Mutex<Window>,
}

impl RefusalLog {
    pub(crate) fn new() -> Self {
        Self {
            window: Mutex::new(Window {
                started: Instant::now(),
                logged: 0,
                unlogged: 0,
            }),
        }
    }

    /// Logs (or counts) one refusal: `what` in a few words, `first_bytes` of what the
    /// client sent, if anything (only the first [`HEX_PREFIX`] are shown).
    pub(crate) fn refused(&self, peer: SocketAddr, what: &str, first_bytes: &[u8]) {
        let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
        if w.started.elapsed() >= WINDOW {
            report_unlogged(w.unlogged);
            *w = Window {
                started: Instant::now(),
                logged: 0,
                unlogged: 0,
            };
        }
        if w.logged >= LINES_PER_MINUTE {
            w.unlogged += 1;
            return;
        }
        w.logged += 1;
        drop(w);
        if first_bytes.is_empty() {
            warn!(%peer, what, "refused");
        } else {
            warn!(%peer, what, first_bytes = %hex_prefix(first_bytes), "refused");
        }
    }

    /// Tells the refusals counted but not logged yet (when the service stops).
    pub(crate) fn flush(&self) {
        let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
        report_unlogged(std::mem::take(&mut w.unlogged));
    }
}

fn report_unlogged(n: u64) {
    if n > 0 {
        warn!(
            count = n,
            "{n} more refused connections, requests or binds within a minute, not logged one by one"
        );
    }
}

/// The first bytes as hex pairs separated by spaces.
pub(crate) fn hex_prefix(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(HEX_PREFIX * 3);
    for (i, b) in bytes.iter().take(HEX_PREFIX).enumerate() {
        if i > 0 {
            s.push(' ');
        }
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A client-given name cut to a length fit for a log line.
pub(crate) fn short_name(name: &str) -> String {
    match name.char_indices().nth(NAME_PREFIX) {
        Some((at, _)) => format!("{:?}...", &name[..at]),
        None => format!("{name:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_short() {
        assert_eq!(hex_prefix(b"GET / HTTP/1.1"), "47 45 54 20 2f 20 48 54");
        assert_eq!(hex_prefix(&[0x30]), "30");
        assert_eq!(short_name("cn=a"), "\"cn=a\"");
        let long = "é".repeat(10_000);
        assert_eq!(short_name(&long).chars().count(), NAME_PREFIX + 5);
    }
}
