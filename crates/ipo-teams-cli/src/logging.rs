//! Log lines on standard error through `tracing`. On a terminal the progress bar shows the
//! progress, so only warnings are logged by default; elsewhere (cron, systemd, Kubernetes)
//! the progress itself is logged as plain lines at `info`. `-q`, `-v`, `-vv` and `RUST_LOG`
//! change the level.
//!
//! A log line never holds the program up: lines go through a bounded queue to a thread of
//! their own that writes them. When nobody reads standard error (a full pipe), the queue
//! fills and further lines are dropped instead of blocking a sync or a signal; when standard
//! error is closed, the writes fail quietly instead of panicking.

use std::io::{IsTerminal, Write};
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Duration;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::cli::Cli;

/// Lines waiting for the writer thread, at most.
const QUEUE: usize = 4096;

/// What the writer thread is sent: a line, or a request to say when it got this far.
enum Message {
    Line(Vec<u8>),
    Flushed(SyncSender<()>),
}

/// The queue's sending end, shared by every event's writer (and [`flush`]).
static SINK: OnceLock<SyncSender<Message>> = OnceLock::new();

/// Installs the subscriber once, for the whole process.
pub fn init(cli: &Cli) {
    let terminal = std::io::stderr().is_terminal();
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "warn",
        (false, 0) if terminal => "warn",
        (false, 0) => "info",
        (false, 1) => "debug",
        (false, _) => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Queue)
        .with_ansi(terminal)
        .with_target(false)
        .try_init();
}

/// Waits at most `limit` for the lines logged so far to be written: the last lines of a
/// run reach the log, and a standard error nobody reads delays the exit by `limit` at most.
pub fn flush(limit: Duration) {
    let Some(sink) = SINK.get() else { return };
    let (tx, rx) = sync_channel(1);
    if sink.try_send(Message::Flushed(tx)).is_ok() {
        let _ = rx.recv_timeout(limit);
    }
}

/// The sending end, starting the writer thread the first time.
fn sink() -> &'static SyncSender<Message> {
    SINK.get_or_init(|| {
        let (tx, rx) = sync_channel(QUEUE);
        // If the thread cannot be started the receiver is dropped and lines are lost:
        // the program goes on without its log rather than stopping.
        let _ = std::thread::Builder::new()
            .name("log-writer".into())
            .spawn(move || write_lines(&rx));
        tx
    })
}

/// The writer thread: each line to standard error, errors ignored (closed or gone).
fn write_lines(rx: &Receiver<Message>) {
    let mut stderr = std::io::stderr();
    for message in rx {
        match message {
            Message::Line(line) => {
                let _ = stderr.write_all(&line);
            }
            Message::Flushed(done) => {
                let _ = done.try_send(());
            }
        }
    }
}

/// `tracing`'s writer factory: one [`Line`] per event.
struct Queue;

impl<'a> MakeWriter<'a> for Queue {
    type Writer = Line;

    fn make_writer(&'a self) -> Line {
        Line(Vec::with_capacity(160))
    }
}

/// One event's text, queued whole when the event is written (on drop).
struct Line(Vec<u8>);

impl Write for Line {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        if self.0.is_empty() {
            return;
        }
        // A full queue means nobody reads standard error: the line is dropped, never
        // waited on (and a closed queue is a log thread that could not start).
        let _ = sink().try_send(Message::Line(std::mem::take(&mut self.0)));
    }
}
