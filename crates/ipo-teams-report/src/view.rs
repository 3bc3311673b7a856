//! The one place that reads `sync_engine` and `usertype_rules` values: everything the page
//! shows is first turned into the plain view below. When the planner's public types change,
//! this module is what adapts.

use std::collections::BTreeMap;

use ipo_model::UserType;
use serde::Serialize;
use sync_engine::{ActionKind, ItemOutcome, PersonPlan, PersonStatus, Plan, Report, WriteCounts};
use usertype_rules::{Classification, Severity, Verdict};

use crate::teams::{self, TeamsAppliedView, TeamsPlanView, TeamsWriteLine};

/// What kind of page it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Classification,
    Plan,
    Apply,
}

/// One field change, old -> new, with the write it belongs to.
pub(crate) struct Change {
    pub write: String,
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// A reason or problem on a person's line.
#[derive(Clone)]
pub(crate) struct Note {
    /// Stable snake_case code (filter value, grouping key).
    pub code: String,
    /// The sentence, with the fix.
    pub text: String,
    /// How much it asks of the administrator.
    pub level: Level,
}

/// How much a note asks of the administrator: the summary lists what needs attention by
/// level; informational notes stay on the person's line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// Keeps the person from being synced (a plan) or a consistent type (a classification).
    Blocking,
    /// Synced or consistent, but needs attention (a licence in its grace period).
    Warning,
    /// For the record: what the sync did or will do on its own (a name derived, a user to
    /// create).
    Info,
}

/// One person's line.
pub(crate) struct Row {
    /// The UPN (or what else names the person).
    pub name: String,
    /// The Azure AD display name, when the plan has it.
    pub display_name: Option<String>,
    pub ipo_name: Option<String>,
    pub extension: Option<String>,
    pub current: Option<UserType>,
    pub target: Option<UserType>,
    /// Code (`create`, `skipped`, `blocked`...) and label.
    pub action: String,
    pub changes: Vec<Change>,
    /// The person's Teams writes (their Teams holds are among the notes).
    pub teams: Vec<TeamsWriteLine>,
    /// Whether a Teams write of theirs is held back.
    pub teams_held: bool,
    pub notes: Vec<Note>,
}

/// People with one problem.
pub(crate) struct Group {
    pub code: String,
    pub people: Vec<(String, String)>,
}

/// Licences of one profile.
pub(crate) struct Licence {
    pub profile: String,
    pub needed: u32,
    pub free: u32,
    pub dropped: u32,
}

impl Licence {
    pub fn short(&self) -> bool {
        self.needed > self.free
    }
}

/// Deletion-threshold state.
pub(crate) enum Threshold {
    /// Removals planned, none held.
    Within { removals: usize },
    /// Every removal held.
    Held {
        count: usize,
        threshold: usize,
        managed: usize,
        message: String,
    },
}

/// What the page knows about IP Office restarts.
pub(crate) enum Restart {
    /// Not known before writing: IP Office tells with each write.
    Unknown,
    /// After an apply: what IP Office said (empty: no restart).
    Known { notices: Vec<String> },
}

/// Apply results.
pub(crate) struct Applied {
    /// Both halves' writes added up.
    pub total: WriteCounts,
    /// (half, its writes), when Teams had writes through Microsoft Graph.
    pub halves: Vec<(&'static str, WriteCounts)>,
    pub held: usize,
    pub incremental: bool,
    pub full_resync_reason: Option<String>,
    /// Why the Azure AD contacts were read in full on an incremental run.
    pub contacts_full_resync_reason: Option<String>,
    /// (edge, requests, retries, throttled, re-logins, waited seconds)
    pub transport: Vec<(&'static str, u64, u64, u64, u64, f64)>,
    /// (record, error)
    pub failures: Vec<(String, String)>,
}

/// The system directory after a plan: its record count against IP Office's limit, and the
/// directory writes that belong to no person's line (the organisation's contacts).
pub(crate) struct Directory {
    pub records: usize,
    pub wanted: usize,
    pub limit: usize,
    /// Set when the plan's new entries are held for the limit.
    pub held: Option<String>,
    /// Writes without a person's line, each with its changes.
    pub other_writes: Vec<Change>,
}

/// Everything a page shows.
pub(crate) struct View {
    pub kind: Kind,
    /// People per type: for a classification their consistent type (as `classify` counts
    /// them), for a plan the type the plan leaves them (skipped and removed people aside).
    pub per_type: Vec<(UserType, usize)>,
    /// What `per_type` counts, in words.
    pub per_type_caption: &'static str,
    /// For a plan: people per type now, as `classify` counts them (their verdict's type).
    pub per_type_now: Option<Vec<(UserType, usize)>>,
    /// Further counts shown beside the types: (id, label, count).
    pub counts: Vec<(&'static str, &'static str, usize)>,
    /// People kept out, by problem.
    pub blocked: Vec<Group>,
    /// People synced (or consistent) with a warning, by problem.
    pub warnings: Vec<Group>,
    pub licences: Option<Vec<Licence>>,
    pub threshold: Option<Threshold>,
    pub restart: Option<Restart>,
    pub teams_script: Option<String>,
    /// A plan's Teams writes and holds (`None`: it has none).
    pub teams: Option<TeamsPlanView>,
    /// How an apply's Teams writes went (`None`: it made none).
    pub teams_applied: Option<TeamsAppliedView>,
    pub notes: Vec<String>,
    pub applied: Option<Applied>,
    pub directory: Option<Directory>,
    pub rows: Vec<Row>,
}

/// The serde name of a unit variant, or the tag of an internally tagged enum: the stable
/// code of a `#[non_exhaustive]` enum without matching on its variants.
pub(crate) fn code<T: Serialize>(value: &T, tag: &str) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Object(m)) => match m.get(tag) {
            Some(serde_json::Value::String(s)) => s.clone(),
            _ => "other".into(),
        },
        _ => "other".into(),
    }
}

/// A code as words, in the vendors' spelling: `no_teams_voice` -> `No Teams voice`,
/// `no_ipo_record` -> `No IP Office record`.
pub(crate) fn label(code: &str) -> String {
    let words: Vec<&str> = code
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| match w {
            "teams" => "Teams",
            "ipo" => "IP Office",
            "ip" => "IP",
            "office" => "Office",
            "ms" => "MS",
            "upn" => "UPN",
            w => w,
        })
        .collect();
    let words = words.join(" ");
    let mut c = words.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => words,
    }
}

/// The CSS / filter code of a type.
pub(crate) fn type_code(t: Option<UserType>) -> &'static str {
    match t {
        Some(UserType::IpOfficeOnly) => "ip_office_only",
        Some(UserType::TeamsOnly) => "teams_only",
        Some(UserType::TeamsAndIpOffice) => "teams_and_ip_office",
        None => "none",
    }
}

fn count_types(types: impl Iterator<Item = Option<UserType>>) -> Vec<(UserType, usize)> {
    let mut per: BTreeMap<UserType, usize> = BTreeMap::new();
    for t in types.flatten() {
        *per.entry(t).or_default() += 1;
    }
    UserType::ALL
        .into_iter()
        .map(|t| (t, per.get(&t).copied().unwrap_or(0)))
        .collect()
}

/// The people with notes of `level`, grouped by problem.
fn group(rows: &[Row], level: Level) -> Vec<Group> {
    let mut by: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
    for r in rows {
        for n in r.notes.iter().filter(|n| n.level == level) {
            by.entry(&n.code)
                .or_default()
                .push((r.name.clone(), n.text.clone()));
        }
    }
    let mut out: Vec<Group> = by
        .into_iter()
        .map(|(code, people)| Group {
            code: code.to_owned(),
            people,
        })
        .collect();
    // The problem of the most people first.
    out.sort_by(|a, b| {
        b.people
            .len()
            .cmp(&a.people.len())
            .then(a.code.cmp(&b.code))
    });
    out
}

// ---- classification ------------------------------------------------------------------

fn verdict_row(v: &Verdict) -> Row {
    // One rule, the verdict's: blocked is what `blocks_sync` says; an error the sync
    // fixes (a user to create, a flag to set) is pending, not blocked.
    let action = if v.blocks_sync() {
        "blocked"
    } else if v.has_errors() {
        "pending"
    } else if v.problems.is_empty() {
        if v.target.is_some() {
            "consistent"
        } else {
            "not_telephony"
        }
    } else {
        "warning"
    };
    Row {
        name: v.person.label.clone(),
        display_name: None,
        ipo_name: v.person.ipo_name.as_ref().map(|n| n.to_string()),
        extension: v
            .facts
            .ipo_extension
            .as_ref()
            .or(v.facts.teams_extension())
            .map(|e| e.to_string()),
        current: v.user_type,
        target: v.target,
        action: action.into(),
        changes: Vec::new(),
        teams: Vec::new(),
        teams_held: false,
        notes: v
            .problems
            .iter()
            .map(|p| Note {
                code: p.code().to_owned(),
                text: p.to_string(),
                level: match p.severity() {
                    Severity::Error if p.sync_can_fix() => Level::Info,
                    Severity::Error => Level::Blocking,
                    _ => Level::Warning,
                },
            })
            .collect(),
    }
}

/// The view of a classification.
pub(crate) fn classification(c: &Classification) -> View {
    let s = c.summary();
    let rows: Vec<Row> = c.verdicts.iter().map(verdict_row).collect();
    View {
        kind: Kind::Classification,
        per_type: UserType::ALL
            .into_iter()
            .map(|t| (t, s.per_type.get(&t).copied().unwrap_or(0)))
            .collect(),
        per_type_caption: "People who are consistently each type now, as ipo-teams classify \
                           counts them; blocked, pending and non-telephony people are counted below.",
        per_type_now: None,
        counts: vec![
            ("people", "People", s.people),
            (
                "blocked",
                "Blocked",
                rows.iter().filter(|r| r.action == "blocked").count(),
            ),
            ("not_telephony", "Not telephony users", s.not_telephony),
        ],
        blocked: group(&rows, Level::Blocking),
        warnings: group(&rows, Level::Warning),
        licences: None,
        threshold: None,
        restart: None,
        teams_script: None,
        teams: None,
        teams_applied: None,
        notes: Vec::new(),
        applied: None,
        directory: None,
        rows,
    }
}

// ---- plan ----------------------------------------------------------------------------

/// The type the person is now: their classification's, which the plan acted on.
fn current_type(p: &PersonPlan) -> Option<UserType> {
    p.verdict.as_ref().and_then(|v| v.user_type)
}

fn person_row(p: &PersonPlan, changes: Vec<Change>) -> Row {
    let skipped = p.status == PersonStatus::Skipped;
    Row {
        name: p.label.to_string(),
        display_name: p.display_name.as_ref().map(ToString::to_string),
        ipo_name: p.ipo_name.as_ref().map(|n| n.to_string()),
        extension: p.extension.as_ref().map(|e| e.to_string()),
        current: current_type(p),
        target: p.user_type,
        action: code(&p.status, "status"),
        changes,
        teams: Vec::new(),
        teams_held: false,
        notes: p
            .reasons
            .iter()
            .map(|r| Note {
                code: code(r, "reason"),
                text: r.to_string(),
                level: reason_level(r, skipped),
            })
            .collect(),
    }
}

/// A plan reason's level: a skipped person's non-warning reasons are what keeps them out;
/// what the sync does on its own (a name derived, a user kept by the removal policy) is
/// for the record.
fn reason_level(r: &sync_engine::Reason, skipped: bool) -> Level {
    match code(r, "reason").as_str() {
        "name_derived" | "kept_by_policy" | "out_of_scope" => Level::Info,
        _ if skipped && !r.is_warning() => Level::Blocking,
        _ => Level::Warning,
    }
}

fn write_label(kind: ActionKind) -> String {
    label(&code(&kind, "kind"))
}

/// One action's lines: each field change, or the write alone when it changes no field.
fn action_changes(a: &sync_engine::Action) -> Vec<Change> {
    let write = format!("{} {}", write_label(a.kind), a.record.name);
    if a.changes.is_empty() {
        return vec![Change {
            write,
            field: String::new(),
            old: None,
            new: None,
        }];
    }
    a.changes
        .iter()
        .map(|c| Change {
            write: write.clone(),
            field: c.field.to_string(),
            old: c.old.as_ref().map(|v| v.to_string()),
            new: c.new.as_ref().map(|v| v.to_string()),
        })
        .collect()
}

/// The view of a plan.
pub(crate) fn plan(plan: &Plan) -> View {
    let mut changes: BTreeMap<&ipo_model::ObjectId, Vec<Change>> = BTreeMap::new();
    for a in &plan.actions {
        let Some(person) = &a.person else { continue };
        changes.entry(person).or_default().extend(action_changes(a));
    }
    let mut other_writes: Vec<Change> = Vec::new();
    for a in plan.actions.iter().filter(|a| a.person.is_none()) {
        other_writes.extend(action_changes(a));
    }
    let teams = teams::plan(&plan.teams);
    let mut teams_of = teams
        .as_ref()
        .map(TeamsPlanView::by_person)
        .unwrap_or_default();
    let rows: Vec<Row> = plan
        .people
        .iter()
        .map(|p| {
            let mut row = person_row(p, changes.remove(&p.id).unwrap_or_default());
            if let Some(mine) = teams_of.remove(&p.id) {
                row.teams = mine.writes;
                row.teams_held = !mine.holds.is_empty();
                row.notes.extend(mine.holds);
            }
            row
        })
        .collect();
    // Writes for ids with no person's line (contacts' directory entries) are shown too.
    other_writes.extend(changes.into_values().flatten());
    let directory = plan.system_directory.as_ref().map(|d| Directory {
        records: d.records,
        wanted: d.wanted,
        limit: d.limit,
        held: d.is_held().then(|| d.message()),
        other_writes,
    });
    let status = |s: PersonStatus| plan.people.iter().filter(|p| p.status == s).count();
    let removals = plan.actions.iter().filter(|a| a.kind.is_removal()).count();
    View {
        kind: Kind::Plan,
        per_type: count_types(
            plan.people
                .iter()
                .filter(|p| !matches!(p.status, PersonStatus::Skipped | PersonStatus::Remove))
                .map(|p| p.user_type),
        ),
        per_type_caption: "Each type after the plan: the people it creates, updates or keeps in \
                           sync, by their rule's type (skipped and removed people are not \
                           counted); below each, how many are that type now, as \
                           ipo-teams classify counts them.",
        per_type_now: Some(count_types(plan.people.iter().map(current_type))),
        counts: vec![
            ("people", "People", plan.people.len()),
            ("create", "Create", status(PersonStatus::Create)),
            ("update", "Update", status(PersonStatus::Update)),
            ("remove", "Remove", status(PersonStatus::Remove)),
            ("skipped", "Skipped", status(PersonStatus::Skipped)),
            ("in_sync", "In sync", status(PersonStatus::InSync)),
            ("writes", "Writes", plan.actions.len()),
            ("teams_writes", "Teams writes", plan.teams.actions.len()),
            ("teams_held", "Teams held", plan.teams.held.len()),
        ],
        blocked: group(&rows, Level::Blocking),
        warnings: group(&rows, Level::Warning),
        licences: Some(
            plan.licenses
                .iter()
                .map(|l| Licence {
                    profile: l.profile.to_string(),
                    needed: l.needed,
                    free: l.free,
                    dropped: l.dropped,
                })
                .collect(),
        ),
        threshold: Some(match &plan.held_removals {
            Some(h) => Threshold::Held {
                count: h.count,
                threshold: h.threshold,
                managed: h.managed,
                message: h.message(),
            },
            None => Threshold::Within { removals },
        }),
        restart: Some(Restart::Unknown),
        teams_script: plan.teams_script(),
        teams,
        teams_applied: None,
        notes: plan.notes.clone(),
        applied: None,
        directory,
        rows,
    }
}

// ---- apply ---------------------------------------------------------------------------

/// What IP Office said about restarts: the nodes that must restart (the report's notices, one per node), then the per-item
/// notices as the detail.
fn restart_notices(report: &Report) -> Vec<String> {
    let mut out: Vec<String> = report.restarts.iter().map(ToString::to_string).collect();
    out.extend(
        report
            .items
            .iter()
            .flat_map(|i: &ItemOutcome| i.notices.iter().cloned()),
    );
    out.sort();
    out.dedup();
    out
}

/// The view of an apply: the plan's, with what happened.
pub(crate) fn apply(p: &Plan, report: &Report) -> View {
    let mut view = plan(p);
    view.kind = Kind::Apply;
    view.teams_applied = report.teams.as_ref().map(|a| teams::applied(a, &p.teams));
    view.restart = Some(Restart::Known {
        notices: restart_notices(report),
    });
    let s = &report.summary;
    let t = report.transport();
    let edge = |name: &'static str, e: &ipo_model::TransportStats| {
        (
            name,
            e.requests,
            e.retries,
            e.throttled,
            e.relogins,
            e.waited.as_secs_f64(),
        )
    };
    let halves = if s.teams.planned > 0 {
        vec![("IP Office", s.ipo), ("Teams (Microsoft Graph)", s.teams)]
    } else {
        Vec::new()
    };
    view.applied = Some(Applied {
        total: WriteCounts::new(s.planned, s.succeeded, s.failed),
        halves,
        held: s.held_removals,
        incremental: s.incremental,
        full_resync_reason: s.full_resync_reason.clone(),
        contacts_full_resync_reason: s.contacts_full_resync_reason.clone(),
        transport: vec![
            edge("Microsoft Graph", &t.azure_ad),
            edge("IP Office", &t.ipo),
        ],
        failures: report
            .failures()
            .map(|i| {
                (
                    format!("{} {}", write_label(i.kind), i.record),
                    i.error.as_ref().map(|e| e.to_string()).unwrap_or_default(),
                )
            })
            .collect(),
    });
    view
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn labels_use_the_vendors_words() {
        for (code, words) in [
            ("no_teams_voice", "No Teams voice"),
            ("teams_client_off", "Teams client off"),
            ("no_ipo_record", "No IP Office record"),
            ("ip_office_only", "IP Office only"),
            ("contested_ipo_user", "Contested IP Office user"),
            ("skipped", "Skipped"),
            ("update_user", "Update user"),
            ("", ""),
        ] {
            assert_eq!(label(code), words, "{code}");
        }
    }
}
