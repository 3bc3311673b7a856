//! Planning: desired IP Office state from the directory and the rules, diffed against the
//! snapshot. Pure and synchronous: same input, same plan.
//!
//! The plan is made in stages, each a function from what the stages before it made to
//! what it adds, so a reader sees in a signature what a stage may change:
//!
//! 0. [`links::reconcile`]: the stored links, as IP Office still has their records;
//! 1. and 2. [`person::judge`]: the rule that holds each person and their verdict
//!    ([`Judged`], never changed after), with the start of their plan line ([`Line`]);
//! 3. [`desired::desired`]: what each person the sync acts for wants from IP Office
//!    ([`Desired`]), and [`extensions::allocate`] the extensions new users need;
//! 4. [`system_directory::entries`] and [`removals::removals`]: Teams-only people's
//!    entries and what leavers give back, held above the deletion threshold
//!    ([`removals::hold`]), with the Teams leavers ([`teams::leavers`]);
//! 5. [`limits::licences`]: what does not fit the licences or the platform is held;
//! 6. [`writes::users`]: names, creates and updates; [`hunt_groups::members`];
//!    [`contacts::entries`]; [`directory_limit::hold`];
//! 7. [`finish::plan`]: the plan lines, the Teams plan and the actions in apply order.
//!
//! Every stage reads the same [`Context`] (configuration, snapshot, options) and never
//! changes it.

mod contacts;
mod context;
mod desired;
mod directory_limit;
mod entry_names;
mod entry_writes;
mod extensions;
mod fields;
mod finish;
mod hunt_groups;
mod index;
mod labels;
mod limits;
mod line;
mod links;
mod names;
mod output;
mod person;
mod removals;
mod system_directory;
mod teams;
mod update;
mod writes;

use ipo_model::{AzureAdContact, AzureAdUser, IpoSnapshot, ObjectId};
use usertype_rules::Classification;

use self::context::Context;
use self::output::Actions;
use crate::config::SyncConfig;
use crate::plan::Plan;
use crate::state::SyncState;
use crate::teams::TeamsFacts;
use crate::verdicts;

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
    let cx = Context::new(config, snapshot, state, options, &no_teams);
    run(&cx, state, directory, contacts, false).0
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
    let cx = Context::new(config, snapshot, state, options, teams);
    let (plan, classification) = run(&cx, state, directory, contacts, true);
    let classification = classification
        .unwrap_or_else(|| verdicts::classify_for_sync(config, directory, snapshot, state, teams));
    (plan, classification)
}

/// The stages in order (see the module docs). With `keep_classification`, also the
/// classification the plan acted on when it is the one
/// [`classify_for_sync`](crate::classify_for_sync) gives (see [`plan_with_classification`]).
fn run<'a>(
    cx: &Context<'a>,
    state: &'a SyncState,
    directory: &'a [AzureAdUser],
    contacts: &[AzureAdContact],
    keep_classification: bool,
) -> (Plan, Option<Classification>) {
    let links = links::reconcile(cx, state);
    let person::Judgements {
        people,
        mut lines,
        verdicts,
        classification,
    } = person::judge(cx, &links, directory, keep_classification);
    let pairing = links.pair(&people);
    let mut desired = desired::desired(cx, &people, &pairing, &mut lines);
    extensions::allocate(cx, &people, &pairing, &mut desired, &mut lines);
    let mut actions = Actions::default();
    let mut taken = system_directory::entries(
        cx,
        &people,
        &pairing,
        &desired,
        &mut lines,
        &mut actions.main,
    );
    // Removals before limits: the licences they free serve this plan's creates.
    let mut leavers = removals::removals(cx, &pairing, &people, &desired, &mut lines);
    actions.main.append(&mut leavers.entries);
    actions.removals.append(&mut leavers.actions);
    let mut teams_leavers = teams::leavers(cx, &people);
    let held = removals::hold(cx, &links, &mut actions, &mut teams_leavers);
    let licenses = limits::licences(cx, &people, &desired, &mut lines, &actions.removals);
    let links_written = writes::users(
        cx,
        &people,
        &pairing,
        &mut desired,
        &mut lines,
        &mut actions,
    );
    let notes = hunt_groups::members(cx, &people, &desired, &lines, &mut actions);
    let contact_updates = contacts::entries(cx, contacts, &mut taken, &mut actions.main);
    let directory = directory_limit::hold(cx, &links, &people, &mut lines, &mut actions);
    let stages = finish::Stages {
        people,
        desired,
        lines,
        verdicts,
        actions,
        leavers,
        held,
        licenses,
        directory,
        teams_leavers,
        links_written,
        contact_updates,
        notes,
    };
    let plan = finish::plan(cx, &links, &pairing, stages);
    (plan, classification)
}
