//! The Teams half of a plan and an apply, as the page shows it: each Teams write with what
//! Teams holds now and after (through Microsoft Graph or the PowerShell script), what is
//! held back and why, and after an apply how each write went and what Teams holds then.
//! Like [`crate::view`], the only place that reads the engine's Teams types.

use std::collections::BTreeMap;

use ipo_model::{ObjectId, TeamsVoice};
use sync_engine::teams::{
    TeamsAction, TeamsApplied, TeamsHeld, TeamsPlan, TeamsResult, TeamsWrite,
};

use crate::view::{Level, Note, code};

/// One Teams write, old -> new.
#[derive(Clone)]
pub(crate) struct TeamsWriteLine {
    pub person: ObjectId,
    pub label: String,
    /// `graph` or `script` (filter value).
    pub via: String,
    /// "Microsoft Graph" or "PowerShell script".
    pub via_label: String,
    /// The write as the terminal says it (`assign number +44...`).
    pub write: String,
    /// What it changes: `number`, or the policy type.
    pub what: String,
    pub old: Option<String>,
    /// `None`: taken away.
    pub new: Option<String>,
}

/// A Teams write held back: who, and the problem (its code and the sentence with the fix).
pub(crate) struct TeamsHoldLine {
    pub person: ObjectId,
    pub label: String,
    pub note: Note,
}

/// The Teams half of a plan.
pub(crate) struct TeamsPlanView {
    pub writes: Vec<TeamsWriteLine>,
    pub held: Vec<TeamsHoldLine>,
}

/// One person's Teams writes and holds, for their line.
#[derive(Default)]
pub(crate) struct PersonTeams {
    pub writes: Vec<TeamsWriteLine>,
    pub holds: Vec<Note>,
}

impl TeamsPlanView {
    /// The writes and holds per person: each line takes its own in one look-up (a
    /// 3,000-person plan has thousands of Teams writes).
    pub fn by_person(&self) -> BTreeMap<&ObjectId, PersonTeams> {
        let mut out: BTreeMap<&ObjectId, PersonTeams> = BTreeMap::new();
        for w in &self.writes {
            out.entry(&w.person).or_default().writes.push(w.clone());
        }
        for h in &self.held {
            out.entry(&h.person).or_default().holds.push(h.note.clone());
        }
        out
    }
}

/// How one Teams write went.
pub(crate) struct TeamsOutcomeLine {
    pub label: String,
    pub write: String,
    /// `done`, `failed` or `still_running`.
    pub result: &'static str,
    /// The result in words: why it failed, or which operation the next run follows up.
    pub text: String,
}

/// What Teams holds for one person after the apply.
pub(crate) struct TeamsReadBack {
    pub label: String,
    pub numbers: Vec<String>,
    /// `on`, `off` or `unknown`.
    pub enterprise_voice: &'static str,
    pub policies: Vec<String>,
}

/// The Teams half of an apply.
pub(crate) struct TeamsAppliedView {
    pub outcomes: Vec<TeamsOutcomeLine>,
    pub read_back: Vec<TeamsReadBack>,
    /// (person, warning with its remedy)
    pub warnings: Vec<(String, String)>,
}

impl TeamsAppliedView {
    /// How many outcomes have `result`.
    pub fn count(&self, result: &str) -> usize {
        self.outcomes.iter().filter(|o| o.result == result).count()
    }
}

/// What a write changes, and the value it leaves.
fn what_and_new(write: &TeamsWrite) -> (String, Option<String>) {
    match write {
        TeamsWrite::AssignNumber { number } => ("number".into(), Some(number.to_string())),
        TeamsWrite::UnassignNumber { .. } => ("number".into(), None),
        TeamsWrite::AssignPolicy { policy_type, name } => {
            (policy_type.to_string(), Some(name.clone()))
        }
        TeamsWrite::UnassignPolicy { policy_type, .. } => (policy_type.to_string(), None),
        TeamsWrite::EnableEnterpriseVoice => ("Enterprise Voice".into(), Some("on".into())),
        other => (other.to_string(), None),
    }
}

fn write_line(a: &TeamsAction) -> TeamsWriteLine {
    let (what, new) = what_and_new(&a.write);
    TeamsWriteLine {
        person: a.person.clone(),
        label: a.label.clone(),
        via: code(&a.provisioning, ""),
        via_label: a.provisioning.to_string(),
        write: a.write.to_string(),
        what,
        old: a.old.clone(),
        new,
    }
}

fn hold_line(h: &TeamsHeld) -> TeamsHoldLine {
    TeamsHoldLine {
        person: h.person.clone(),
        label: h.label.clone(),
        // Held back is the Teams write only, never the person: a warning, not a block.
        note: Note {
            code: h.problem.code().to_owned(),
            text: h.problem.to_string(),
            level: Level::Warning,
        },
    }
}

/// The Teams half of a plan (`None`: no write and nothing held).
pub(crate) fn plan(teams: &TeamsPlan) -> Option<TeamsPlanView> {
    (!teams.is_empty()).then(|| TeamsPlanView {
        writes: teams.actions.iter().map(write_line).collect(),
        held: teams.held.iter().map(hold_line).collect(),
    })
}

fn outcome_text(result: &TeamsResult) -> (&'static str, String) {
    match result {
        TeamsResult::Done => ("done", "done".into()),
        TeamsResult::StillRunning(id) => (
            "still_running",
            format!("still running (operation {id}; the next run follows it up)"),
        ),
        TeamsResult::Failed(why) => ("failed", format!("failed: {why}")),
        other => ("other", code(other, "result")),
    }
}

fn read_back(label: String, voice: &TeamsVoice) -> TeamsReadBack {
    TeamsReadBack {
        label,
        // As the plan and the terminal write them, whatever notation Teams answered in.
        numbers: voice
            .telephone_numbers
            .iter()
            .map(ipo_model::TeamsPhoneNumber::shown)
            .collect(),
        enterprise_voice: match voice.enterprise_voice_enabled {
            Some(true) => "on",
            Some(false) => "off",
            None => "unknown",
        },
        policies: voice
            .effective_policies
            .iter()
            .map(ToString::to_string)
            .collect(),
    }
}

/// The Teams half of an apply. The read-back and the warnings know people by id: they are
/// named as the outcomes or the plan's Teams writes name them.
pub(crate) fn applied(a: &TeamsApplied, plan: &TeamsPlan) -> TeamsAppliedView {
    let mut labels: BTreeMap<&ObjectId, &str> = BTreeMap::new();
    for (person, label) in (plan.actions.iter().map(|w| (&w.person, &w.label)))
        .chain(a.outcomes.iter().map(|o| (&o.person, &o.label)))
    {
        labels.insert(person, label);
    }
    let label = |id: &ObjectId| {
        labels
            .get(id)
            .map_or_else(|| id.to_string(), |l| l.to_string())
    };
    TeamsAppliedView {
        outcomes: a
            .outcomes
            .iter()
            .map(|o| {
                let (result, text) = outcome_text(&o.result);
                TeamsOutcomeLine {
                    label: o.label.clone(),
                    write: o.write.to_string(),
                    result,
                    text,
                }
            })
            .collect(),
        read_back: a
            .read_back
            .iter()
            .map(|(id, voice)| read_back(label(id), voice))
            .collect(),
        warnings: a
            .warnings
            .iter()
            .map(|(id, w)| (label(id), w.clone()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turning_enterprise_voice_on_reads_as_off_to_on() {
        let (what, new) = what_and_new(&TeamsWrite::EnableEnterpriseVoice);
        assert_eq!(
            (what.as_str(), new.as_deref()),
            ("Enterprise Voice", Some("on"))
        );
    }
}
