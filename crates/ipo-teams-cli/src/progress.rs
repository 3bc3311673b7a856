//! How a run's progress is shown: a bar (`indicatif`) for a person at a terminal, plain
//! `tracing` lines for logs (one per phase, and every tenth of the writes).

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sync_engine::{Phase, Progress};

/// The observer for this process: a bar when standard error is a terminal, log lines
/// otherwise.
pub fn for_this_process(quiet: bool) -> Arc<dyn Progress> {
    if std::io::stderr().is_terminal() && !quiet {
        Arc::new(Bar::default())
    } else {
        Arc::new(LogLines::default())
    }
}

/// An `indicatif` bar on standard error, cleared when the run ends.
#[derive(Default)]
struct Bar(Mutex<Option<ProgressBar>>);

impl Progress for Bar {
    fn phase(&self, phase: Phase, total: Option<usize>) {
        if let Ok(mut slot) = self.0.lock() {
            if let Some(old) = slot.take() {
                old.finish_and_clear();
            }
            let bar = match total {
                Some(n) => {
                    ProgressBar::with_draw_target(Some(n as u64), ProgressDrawTarget::stderr())
                        .with_style(
                            ProgressStyle::with_template(
                                "{msg:<22} [{bar:30}] {pos}/{len} {elapsed}",
                            )
                            .unwrap_or_else(|_| ProgressStyle::default_bar())
                            .progress_chars("#>-"),
                        )
                }
                None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
                    .with_style(
                        ProgressStyle::with_template("{msg:<22} {spinner} {pos} {elapsed}")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    ),
            };
            bar.set_message(phase.label());
            *slot = Some(bar);
        }
    }

    fn advance(&self, n: usize) {
        if let Ok(slot) = self.0.lock()
            && let Some(bar) = slot.as_ref()
        {
            bar.inc(n as u64);
        }
    }

    fn finish(&self) {
        if let Ok(mut slot) = self.0.lock()
            && let Some(bar) = slot.take()
        {
            bar.finish_and_clear();
        }
    }
}

/// Plain log lines: the phases, and the writes by tenths so a large apply shows it moves.
#[derive(Default)]
struct LogLines(Mutex<LogState>);

#[derive(Default)]
struct LogState {
    phase: Option<Phase>,
    total: Option<usize>,
    done: usize,
    /// Tenths already logged.
    logged: usize,
}

impl Progress for LogLines {
    fn phase(&self, phase: Phase, total: Option<usize>) {
        if let Ok(mut st) = self.0.lock() {
            *st = LogState {
                phase: Some(phase),
                total,
                ..LogState::default()
            };
        }
        match total {
            Some(n) => tracing::info!(total = n, "{}", phase.label()),
            None => tracing::info!("{}", phase.label()),
        }
    }

    fn advance(&self, n: usize) {
        let Ok(mut st) = self.0.lock() else { return };
        st.done += n;
        if let (Some(Phase::Apply), Some(total)) = (st.phase, st.total)
            && total > 0
        {
            let tenths = st.done.min(total) * 10 / total;
            if tenths > st.logged {
                st.logged = tenths;
                tracing::info!(done = st.done, total, "writing to IP Office");
            }
        }
    }
}
