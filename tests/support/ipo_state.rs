//! The IP Office state a sync leaves behind, field by field and without GUIDs (they differ
//! between labs), so the state of a faulted or crashed run can be compared with the state a
//! fault-free run reaches in another lab.
//!
//! Reading the state checks its invariants on the way: no user name, user extension,
//! extension record or directory entry twice, and (when asked) no orphaned extension record.

use std::collections::{BTreeMap, BTreeSet};

use std::sync::Arc;

use ipo_model::IpoUser;
use sync_engine::{MemoryStateStore, RunOptions, RunResult};

use super::{Lab, config};

/// Everything a sync writes to IP Office, without GUIDs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpoState {
    /// Users by name: every modelled field (see [`user_view`]).
    pub users: BTreeMap<String, String>,
    /// Extension records by number: their kind.
    pub extensions: BTreeMap<String, String>,
    /// Licences by key: (quantity, free).
    pub licenses: BTreeMap<String, (u32, u32)>,
    /// System directory entries by name: number and source.
    pub directory: BTreeMap<String, String>,
}

/// Whether an extension record no user uses is acceptable when reading the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orphans {
    /// Extension records without a user are not checked.
    Allowed,
    /// Every extension record must be some user's extension: panics on an orphan.
    Forbidden,
}

/// Every modelled field of `u` as comparable text (codes only as present / absent).
pub fn user_view(u: &IpoUser) -> String {
    format!(
        "full_name={:?} extension={:?} profile={:?} teams={:?} vm_email={:?} email={:?} \
         twinning={:?} mobile={:?} xdir={:?} login_code={} vm_code={}",
        u.full_name.as_ref().map(|n| n.as_str().to_owned()),
        u.extension.as_ref().map(|e| e.as_str().to_owned()),
        u.profile,
        u.teams_client,
        u.voicemail_email,
        u.email,
        u.twinning,
        u.mobile_twinning_number,
        u.exclude_from_directory,
        u.login_code.is_some(),
        u.voicemail_code.is_some(),
    )
}

/// Reads the IP Office state of `lab` (emulator records and the lab's directory CSV),
/// asserting on the way that no user name, user extension, extension record or directory
/// entry appears twice, and with [`Orphans::Forbidden`] that no extension record is orphaned.
pub fn ipo_state(lab: &Lab, orphans: Orphans) -> IpoState {
    let mut users = BTreeMap::new();
    let mut used = BTreeSet::new();
    for u in lab.ipo.users() {
        let prev = users.insert(u.name.as_str().to_owned(), user_view(&u));
        assert!(prev.is_none(), "user {} exists twice", u.name);
        if let Some(e) = &u.extension {
            assert!(
                used.insert(e.as_str().to_owned()),
                "extension {e} is used by two users"
            );
        }
    }
    let mut extensions = BTreeMap::new();
    for e in lab.ipo.extensions() {
        let n = e.number.as_str().to_owned();
        if orphans == Orphans::Forbidden {
            assert!(used.contains(&n), "extension record {n} is orphaned");
        }
        let prev = extensions.insert(n, format!("{:?}", e.kind));
        assert!(prev.is_none(), "extension record {} exists twice", e.number);
    }
    let licenses = lab
        .ipo
        .licenses()
        .into_iter()
        .map(|l| (l.key.clone(), (l.quantity, l.free)))
        .collect();
    let csv = lab.workdir.path().join("ipo-directory.csv");
    let mut directory = BTreeMap::new();
    if csv.exists() {
        for d in ipo_client::system_directory::read_directory(&csv).unwrap() {
            let prev = directory.insert(
                d.name.as_str().to_owned(),
                format!("{:?} {:?}", d.number, d.source),
            );
            assert!(prev.is_none(), "directory entry {} exists twice", d.name);
        }
    }
    IpoState {
        users,
        extensions,
        licenses,
        directory,
    }
}

/// The fault-free reference: applies a full sync of [`config`] to `lab` with a fresh
/// in-memory state, asserts that no item failed, and returns the run and the state reached.
pub async fn reference_run(lab: &Lab, orphans: Orphans) -> (RunResult, IpoState) {
    let run = lab
        .engine(config(), Arc::new(MemoryStateStore::new()))
        .run(&RunOptions::apply())
        .await
        .unwrap();
    let failed = run.report.as_ref().unwrap().summary.failed;
    assert_eq!(failed, 0, "the fault-free reference sync failed items");
    (run, ipo_state(lab, orphans))
}

impl IpoState {
    /// The differences between `self` and `reference`, one readable line each: missing,
    /// different and extra users, extension records, licences and directory entries.
    pub fn differences(&self, reference: &IpoState) -> Vec<String> {
        let mut out = Vec::new();
        diff("user", &self.users, &reference.users, &mut out);
        diff(
            "extension",
            &self.extensions,
            &reference.extensions,
            &mut out,
        );
        diff("licence", &self.licenses, &reference.licenses, &mut out);
        diff(
            "directory entry",
            &self.directory,
            &reference.directory,
            &mut out,
        );
        out
    }

    /// Asserts `self == reference`, naming the first differences; `context` heads the
    /// message (which run, which crash point).
    pub fn assert_same_as(&self, reference: &IpoState, context: &str) {
        let out = self.differences(reference);
        assert!(
            out.is_empty(),
            "{context}: {} differences from the fault-free reference, first: {:#?}",
            out.len(),
            &out[..out.len().min(15)]
        );
    }
}

/// Appends to `out` what differs between map `a` and the reference map `r`.
fn diff<V: PartialEq + std::fmt::Debug>(
    what: &str,
    a: &BTreeMap<String, V>,
    r: &BTreeMap<String, V>,
    out: &mut Vec<String>,
) {
    for (k, v) in r {
        match a.get(k) {
            None => out.push(format!("{what} {k}: missing")),
            Some(x) if x != v => out.push(format!("{what} {k}: {x:?} != reference {v:?}")),
            Some(_) => {}
        }
    }
    for k in a.keys().filter(|k| !r.contains_key(*k)) {
        out.push(format!("{what} {k}: extra (not in the reference)"));
    }
}
