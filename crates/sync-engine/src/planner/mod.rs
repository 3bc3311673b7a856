//! Planning: desired IP Office state from the directory and the rules, diffed against the
//! snapshot. Pure and synchronous: same input, same plan.

mod contacts;
mod desired;
mod directory_limit;
mod finish;
mod hunt_groups;
mod index;
mod labels;
mod limits;
mod links;
mod output;
mod person;
mod removals;
mod system_directory;
mod teams;
mod update;
mod writes;

use self::finish::Limits;
use self::index::Index;
use self::labels::*;
use self::output::*;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use ipo_model::{
    AzureAdContact, AzureAdUser, Extension, ExtensionNumber, FullName, Guid, HUNT_GROUP_RESERVED,
    HuntGroup, IpoChange, IpoSnapshot, IpoUser, LicensingMode, LoginCode, NameRegistry, ObjectId,
    Profile, RawValue, SystemDirectoryEntry, TeamsNumber, UserName, UserType,
};

use crate::changes::Changes;
use crate::config::{
    AdoptPolicy, ApplyMode, FieldMap, GroupRule, NodeSelector, ProvisioningRule, RemovalPolicy,
    SyncConfig, UserTemplate,
};
use crate::mapping;
use crate::plan::{
    Action, ActionKind, Effect, FieldChange, HeldRemovals, LicenseNeed, PersonPlan, PersonStatus,
    Plan, StateUpdate, SystemDirectoryRecords, Write,
};
use crate::reason::Reason;
use crate::record::{RecordKind, RecordRef};
use crate::scope::{self, Ruled, Scope};
use crate::state::{Link, SyncState};
use crate::teams::TeamsFacts;
use crate::text::Text;
use crate::verdicts::{self, Judgement};
use usertype_rules::{
    Classification, LicensePolicy, LicensePool, MatchKey, ProfileChange, Shortfall,
    ShortfallReason, TeamsAssigned, Verdict,
};

/// Options of one planning pass.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct PlanOptions {
    /// Let removals through even above the deletion threshold.
    pub allow_removals: bool,
    /// Keep only this person's actions and fill their step trace (provision on demand).
    pub explain: Option<ObjectId>,
}

impl PlanOptions {
    /// Default options: removals held above the threshold, no explain.
    pub fn new() -> Self {
        Self::default()
    }
}

/// What a person wants from IP Office.
#[derive(Debug)]
enum Want<'a> {
    /// A user record: create one or keep `existing` in line.
    User {
        existing: Option<&'a IpoUser>,
        adopted: bool,
    },
    /// A system directory entry only.
    TeamsOnly,
}

#[derive(Debug)]
struct Person<'a> {
    user: &'a AzureAdUser,
    rule: Option<&'a GroupRule>,
    /// The rule's place in the configuration (its label is made once, for everyone).
    rule_index: u32,
    user_type: Option<UserType>,
    reasons: Vec<Reason>,
    /// The step trace, for the person being explained only (None for everyone else).
    trace: Option<Vec<String>>,
    blocked: bool,
    out_of_scope: bool,
    want: Option<Want<'a>>,
    extension: Option<ExtensionNumber>,
    teams_number: Option<ipo_model::E164Number>,
    name_source: Option<Text>,
    derived_name: Option<UserName>,
    profile: Option<Profile>,
    provisioning: Option<&'a ProvisioningRule>,
    template: Option<&'a UserTemplate>,
    hunt_groups: Box<[String]>,
    /// What the plan does for them, once known (None: in sync or skipped).
    status: Option<PersonStatus>,
    /// Their stored link says the sync disabled their user.
    link_disabled: bool,
    /// The IP Office user their verdict pairs them with, and by which key.
    matched: Option<(Guid, MatchKey)>,
    /// Their Teams number and/or extension, as their verdict read it.
    number: Option<TeamsNumber>,
    /// The IP Office user name their verdict derived.
    ipo_name: Option<UserName>,
    /// Where their verdict is in the classification.
    verdict: Option<usize>,
    /// Whether usertype-rules lets their IP Office user into hunt groups now (a user the
    /// plan creates joins the ones claimed once it exists).
    hunt_group_eligible: bool,
}

impl<'a> Person<'a> {
    /// Records a step of the trace; the text is only built for the person being explained.
    fn trace_with(&mut self, step: impl FnOnce() -> String) {
        if let Some(trace) = &mut self.trace {
            trace.push(step());
        }
    }

    fn block(&mut self, r: Reason) {
        self.blocked = true;
        self.reasons.push(r);
    }
}

/// Builds the plan. See the crate docs for the rules it follows.
///
/// ```
/// use ipo_model::*;
/// use sync_engine::{plan, GroupRule, PlanOptions, SyncConfig, SyncState};
///
/// let group: GroupId = "11111111-1111-1111-1111-111111111111".parse().unwrap();
/// let config = SyncConfig::new(vec![GroupRule::new(group.clone(), UserType::IpOfficeOnly)]);
/// let mut ann = AzureAdUser::new("22222222-2222-2222-2222-222222222222".parse().unwrap());
/// ann.mail_nickname = Some("ann".into());
/// ann.display_name = Some("Ann Lee".into());
/// ann.business_phones = vec!["+441632768401 x401".into()];
/// ann.groups.insert(group);
/// let ipo = IpoSnapshot::new(SystemInfo::new("ipo", "12.1", LicensingMode::Plds, Platform::Ip500V2));
///
/// let p = plan(&config, &[ann], &ipo, &SyncState::default(), &PlanOptions::new());
/// assert_eq!(p.count(sync_engine::ActionKind::CreateUser), 1);
/// assert_eq!(p.count(sync_engine::ActionKind::CreateExtension), 1);
/// ```
pub fn plan(
    config: &SyncConfig,
    directory: &[AzureAdUser],
    snapshot: &IpoSnapshot,
    state: &SyncState,
    options: &PlanOptions,
) -> Plan {
    plan_with_contacts(config, directory, &[], snapshot, state, options)
}

/// [`plan`] with the organisation's Azure AD contacts, which get system directory entries
/// when `[sync.system_directory] contacts` is on (with it off, the entries the sync kept for
/// contacts are removed).
pub fn plan_with_contacts(
    config: &SyncConfig,
    directory: &[AzureAdUser],
    contacts: &[AzureAdContact],
    snapshot: &IpoSnapshot,
    state: &SyncState,
    options: &PlanOptions,
) -> Plan {
    let no_teams = TeamsFacts::default();
    Planner::new(config, snapshot, state, options, &no_teams)
        .run(directory, contacts, false)
        .0
}

/// [`plan_with_contacts`] and [`classify_for_sync`](crate::classify_for_sync) of the same input in one pass:
/// the classification the planner acted on, when it is the one `classify_for_sync` gives (the
/// planner's links are the state's); else (an interrupted run's creates recovered, a linked
/// record gone) `classify_for_sync` runs on its own, so either way the pair is what the two functions
/// give.
pub(crate) fn plan_with_classification(
    config: &SyncConfig,
    directory: &[AzureAdUser],
    contacts: &[AzureAdContact],
    snapshot: &IpoSnapshot,
    state: &SyncState,
    options: &PlanOptions,
    teams: &TeamsFacts,
) -> (Plan, Classification) {
    let (plan, classification) =
        Planner::new(config, snapshot, state, options, teams).run(directory, contacts, true);
    let classification = classification
        .unwrap_or_else(|| verdicts::classify_for_sync(config, directory, snapshot, state, teams));
    (plan, classification)
}

struct Planner<'a> {
    config: &'a SyncConfig,
    snapshot: &'a IpoSnapshot,
    options: &'a PlanOptions,
    mode: LicensingMode,
    ix: Index<'a>,
    /// The stored links, copied only when reconciling changes one (rare).
    links: Cow<'a, BTreeMap<ObjectId, Link>>,
    /// The entries kept for Azure AD contacts, by contact.
    contact_links: &'a BTreeMap<ObjectId, Link>,
    /// The creates an interrupted run had in flight (a contact's are recovered with them).
    pending: &'a BTreeMap<ObjectId, crate::state::PendingCreate>,
    link_updates: BTreeMap<ObjectId, Option<Link>>,
    owned_users: HashSet<Guid>,
    owned_exts: HashSet<Guid>,
    notes: Vec<String>,
    /// Each rule's label, made once for every plan line that names it.
    rule_labels: Vec<Text>,
    /// What Teams holds (number holders, former members' set-up).
    teams: &'a TeamsFacts,
    /// What the sync assigned in Teams before, per person.
    teams_assigned: &'a BTreeMap<ObjectId, TeamsAssigned>,
}

impl<'a> Planner<'a> {
    fn new(
        config: &'a SyncConfig,
        snapshot: &'a IpoSnapshot,
        state: &'a SyncState,
        options: &'a PlanOptions,
        teams: &'a TeamsFacts,
    ) -> Self {
        let ix = Index::new(snapshot, !state.pending.is_empty());
        let mut p = Planner {
            config,
            snapshot,
            options,
            mode: snapshot.system.licensing_mode,
            ix,
            links: Cow::Borrowed(&state.links),
            contact_links: &state.contacts,
            pending: &state.pending,
            link_updates: BTreeMap::new(),
            owned_users: HashSet::new(),
            owned_exts: HashSet::new(),
            notes: Vec::new(),
            rule_labels: config.rules.iter().map(|r| Text::from(r.label())).collect(),
            teams,
            teams_assigned: &state.teams,
        };
        p.reconcile_links(state);
        p
    }

    /// The plan, and with `keep_classification` the classification it acted on when that
    /// is the one [`classify_for_sync`](crate::classify_for_sync) gives (see [`plan_with_classification`]).
    fn run(
        self,
        directory: &'a [AzureAdUser],
        contacts: &[AzureAdContact],
        keep_classification: bool,
    ) -> (Plan, Option<Classification>) {
        // Merge duplicates (a person reached through several groups) and sort by id, so the
        // plan (and extension allocation) does not depend on the directory's order.
        let sorted = scope::sorted_by_id(directory);
        let same_id = scope::people_of(&sorted);
        // Stage 1, scope: which rule holds each person.
        let rules = Scope::new(self.config);
        let ruled: Vec<Ruled<'a>> = same_id.iter().map(|same| rules.rule_for(same)).collect();
        // Stage 2, verdicts: what each person is, may become and what blocks them, decided
        // by usertype-rules from the same configuration a classification report uses.
        let classification = verdicts::Context::new(
            self.config,
            self.snapshot,
            self.links.as_ref(),
            (self.teams, self.teams_assigned),
        )
        .classify(&same_id, &ruled, &rules);
        // The links it was made with are the state's unless reconciling changed one.
        let kept = (keep_classification && matches!(self.links, Cow::Borrowed(_)))
            .then(|| classification.clone());
        // Each person with their verdict (the plan line takes it at the end).
        let mut people: Vec<Person<'a>> = Vec::with_capacity(same_id.len());
        for (same, r) in same_id.iter().zip(&ruled) {
            let Some(&first) = same.first() else { continue };
            let at = (classification.verdicts)
                .binary_search_by(|v| v.person.azure_ad.as_ref().cmp(&Some(&first.id)))
                .ok();
            let verdict = at.and_then(|i| classification.verdicts.get(i));
            let mut p = self.person(first, same, *r, &rules, verdict);
            p.verdict = at;
            people.push(p);
        }
        drop(same_id);
        drop(sorted);

        // Each person's stored link (see `pair_links`); `at` (the person of each link)
        // serves the removals and the plan lines too.
        let (at, link_of) = self.pair_links(&people);
        // Stage 3, desired state: what each person's IP Office records should hold.
        for (p, &link) in people.iter_mut().zip(&link_of) {
            p.link_disabled = link.is_some_and(|l| l.disabled);
            if !p.blocked && !p.out_of_scope {
                self.desired_values(p);
                self.match_person(p, link);
            }
        }
        self.allocate_extensions(&mut people, &link_of);
        let mut out = Output::default();
        let mut taken = self.directory_entries(&mut people, &link_of, &mut out);
        // Removals before limits: the licences they free serve this plan's creates.
        self.removals(&mut people, &at, &mut out);
        let mut teams_leavers = self.teams_leavers(&people);
        let held = self.hold_removals(&mut out, &mut teams_leavers);
        let licenses = self.apply_limits(&mut people, &out);
        self.assign_names_and_build(&mut people, &link_of, &mut out);
        self.hunt_groups(&people, &mut out);
        self.contact_entries(contacts, &mut taken, &mut out);
        let directory = self.directory_limit(&mut people, &mut out);
        // Each plan line takes its person's verdict.
        let verdicts: Vec<Option<Verdict>> =
            classification.verdicts.into_iter().map(Some).collect();
        let limits = Limits {
            held,
            licenses,
            directory,
            teams_leavers,
        };
        (self.finish(people, verdicts, &at, out, limits), kept)
    }
}
