//! A person's plan line as the stages write it: why, what it does, and (for the person
//! being explained) each step. Stages only add to it.

use crate::plan::PersonStatus;
use crate::reason::Reason;

#[derive(Debug, Default)]
pub(super) struct Line {
    /// Skips, conflicts, warnings, in the order the stages found them.
    pub(super) reasons: Vec<Reason>,
    /// The step trace, for the person being explained only (None for everyone else).
    pub(super) trace: Option<Vec<String>>,
    /// A stage stopped the sync acting for them.
    pub(super) blocked: bool,
    /// What the plan does for them, once known (None: in sync or skipped).
    pub(super) status: Option<PersonStatus>,
}

impl Line {
    /// A line; `explained` fills its trace.
    pub(super) fn new(explained: bool) -> Self {
        Line {
            trace: explained.then(Vec::new),
            ..Line::default()
        }
    }

    /// Records a step of the trace; the text is only built for the person being explained.
    pub(super) fn trace_with(&mut self, step: impl FnOnce() -> String) {
        if let Some(trace) = &mut self.trace {
            trace.push(step());
        }
    }

    /// Stops the sync acting for them, for `r`.
    pub(super) fn block(&mut self, r: Reason) {
        self.blocked = true;
        self.reasons.push(r);
    }

    /// Says `r` without stopping anything.
    pub(super) fn warn(&mut self, r: Reason) {
        self.reasons.push(r);
    }
}
