//! Properties of the Teams half over generated tenants, end to end (both emulators, the real
//! clients): after an apply (and one more for number operations still running) nothing is
//! left to write, what is held is held with a reason, and the sync's own writes hold back
//! nobody it acted on; nobody without a Teams half is touched; what the sync did not assign
//! changes only where the rule adopts; no number is held twice; leavers end with what they
//! held before the sync ran.
//!
//! Each case: rules for all three user types, the Teams ones through Graph with a generated
//! template, policies and adoption; Teams people with or without an extension in Azure AD,
//! some holding a number (their template's, in the other form, another one) or a policy
//! given by hand, Enterprise Voice on, off or unsaid; strangers (in no group) and IP Office
//! only people holding some of the template's numbers. Number operations are followed for
//! no time (or a little) so that most end in the run after, as a busy tenant's would.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use graph_client::direct_routing_number_text;
use ipo_model::{
    AssignedLicense, AssignedPlan, AzureAdUser, CapabilityStatus, ObjectId, PolicyVia, TeamsNumber,
    TeamsPhoneNumber, TeamsPolicyType,
};
use proptest::prelude::*;
use sync_engine::{PersonStatus, RunOptions, RunResult, SyncEngine, SyncState};
use usertype_rules::{TeamsProblem, TeamsSideRule};

use crate::lab::{DIAL_PLAN, TeamsLab, VRP, assign_by_hand, config_with};
use crate::support::{
    self, BUSINESS_VOICE, GROUP_IPO, GROUP_TEAMS_IPO, GROUP_TEAMS_ONLY, MCOEV, person_id,
};

const VOICE: TeamsPolicyType = TeamsPolicyType::OnlineVoiceRouting;
const DIAL: TeamsPolicyType = TeamsPolicyType::TenantDialPlan;
/// Policies of each type an administrator assigns by hand, other than the rules' ones.
const MANUAL_ROUTE: &str = "Manual Route";
const MANUAL_DIAL: &str = "Manual Dial";
/// The number templates a rule may use (one with digits after the extension).
const TEMPLATES: [&str; 2] = ["+4420794{extension}", "+3120{extension}9"];

/// What a generated person is to the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// In no group.
    Stranger,
    IpOfficeOnly,
    TeamsAndIpOffice,
    TeamsOnly,
}

/// A number Teams holds for a person before the sync first runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HandNumber {
    None,
    /// Their rule's template number, as the rule carries it.
    Template,
    /// Their template number in the other form (with `;ext=` when the rule has none, or
    /// without it when the rule has it).
    OtherForm,
    /// A number of their own the template never makes, with or without `;ext=`.
    Another {
        with_extension: bool,
    },
    /// Person `index` (modulo the people)'s template number, in that person's rule's form
    /// when `same_form` (a stranger's or IP Office only person's choice).
    Takes {
        index: usize,
        same_form: bool,
    },
}

/// A policy of one type an administrator assigned directly before the sync first runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HandPolicy {
    None,
    /// The one the rules name.
    Same,
    /// Another one.
    Different,
}

#[derive(Debug, Clone)]
struct Person {
    role: Role,
    /// An extension in Azure AD (`x4NNNNN` / `x7NNNNN` in the business phone).
    extension: bool,
    number: HandNumber,
    voice: HandPolicy,
    dial: HandPolicy,
    enterprise_voice: Option<bool>,
}

/// One Teams rule's half.
#[derive(Debug, Clone)]
struct RuleGen {
    template: usize,
    with_extension: bool,
    voice: bool,
    dial: bool,
    adopt: bool,
}

#[derive(Debug, Clone)]
struct Case {
    people: Vec<Person>,
    teams_ipo: RuleGen,
    teams_only: RuleGen,
    /// Follow number operations a little (most end within the run) instead of not at all.
    wait: bool,
}

fn hand_policy() -> impl Strategy<Value = HandPolicy> {
    prop::sample::select(vec![
        HandPolicy::None,
        HandPolicy::None,
        HandPolicy::Same,
        HandPolicy::Different,
    ])
}

fn hand_number() -> impl Strategy<Value = HandNumber> {
    prop_oneof![
        3 => Just(HandNumber::None),
        2 => Just(HandNumber::Template),
        1 => Just(HandNumber::OtherForm),
        1 => any::<bool>().prop_map(|with_extension| HandNumber::Another { with_extension }),
        3 => (0..10usize, any::<bool>())
            .prop_map(|(index, same_form)| HandNumber::Takes { index, same_form }),
    ]
}

fn person() -> impl Strategy<Value = Person> {
    let role = prop::sample::select(vec![
        Role::Stranger,
        Role::IpOfficeOnly,
        Role::TeamsAndIpOffice,
        Role::TeamsAndIpOffice,
        Role::TeamsOnly,
        Role::TeamsOnly,
    ]);
    let voice = prop::sample::select(vec![Some(true), Some(false), None]);
    (
        role,
        prop::bool::weighted(0.8),
        hand_number(),
        hand_policy(),
        hand_policy(),
        voice,
    )
        .prop_map(
            |(role, extension, number, voice, dial, enterprise_voice)| Person {
                role,
                extension,
                number,
                voice,
                dial,
                enterprise_voice,
            },
        )
}

fn rule() -> impl Strategy<Value = RuleGen> {
    (
        0..TEMPLATES.len(),
        any::<bool>(),
        prop::bool::weighted(0.8),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(template, with_extension, voice, dial, adopt)| RuleGen {
            template,
            with_extension,
            voice,
            dial,
            adopt,
        })
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(person(), 3..=10),
        rule(),
        rule(),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(people, teams_ipo, teams_only, wait)| Case {
            people,
            teams_ipo,
            teams_only,
            wait,
        })
}

impl RuleGen {
    fn teams_side(&self) -> TeamsSideRule {
        let mut text = format!(
            "provisioning = \"graph\"\nadopt = {}\nnumber = {{ template = {:?}, with_extension = {} }}\n",
            self.adopt, TEMPLATES[self.template], self.with_extension
        );
        if self.voice {
            text.push_str(&format!("voice_routing_policy = {VRP:?}\n"));
        }
        if self.dial {
            text.push_str(&format!("dial_plan = {DIAL_PLAN:?}\n"));
        }
        toml::from_str(&text).unwrap()
    }

    /// The number this rule gives `extension`, in the rule's form or the other one.
    fn number(&self, extension: &str, same_form: bool) -> TeamsNumber {
        let base = TEMPLATES[self.template].replace("{extension}", extension);
        let text = if self.with_extension == same_form {
            format!("{base};ext={extension}")
        } else {
            base
        };
        TeamsNumber::parse_any(&text).unwrap()
    }
}

impl Case {
    /// The Teams rule of person `i`, if their role has one.
    fn rule_of(&self, i: usize) -> Option<&RuleGen> {
        match self.people[i].role {
            Role::TeamsAndIpOffice => Some(&self.teams_ipo),
            Role::TeamsOnly => Some(&self.teams_only),
            _ => None,
        }
    }

    fn has_teams_half(&self, i: usize) -> bool {
        self.rule_of(i).is_some()
    }

    /// The extension person `i` brings from Azure AD.
    fn extension(&self, i: usize) -> Option<String> {
        let p = &self.people[i];
        let lead = match p.role {
            Role::TeamsAndIpOffice => 4,
            Role::TeamsOnly => 7,
            _ => return None,
        };
        p.extension.then(|| format!("{lead}{i:05}"))
    }

    /// Person `i`'s template number (when known before the run: from their Azure AD
    /// extension), in their rule's form or the other.
    fn template_number(&self, i: usize, same_form: bool) -> Option<TeamsNumber> {
        Some(self.rule_of(i)?.number(&self.extension(i)?, same_form))
    }

    /// What each person holds by hand: at most one number each, no number twice.
    fn hand_numbers(&self) -> BTreeMap<usize, TeamsNumber> {
        let mut held = BTreeMap::new();
        let mut taken = BTreeSet::new();
        for i in 0..self.people.len() {
            let another = |with_extension: bool| {
                let ext = format!(";ext=9{i:05}");
                let ext = if with_extension { ext.as_str() } else { "" };
                TeamsNumber::parse_any(&format!("+4420799{i:05}{ext}")).unwrap()
            };
            let chosen = match self.people[i].number {
                HandNumber::None => None,
                HandNumber::Template => self.template_number(i, true),
                HandNumber::OtherForm => self.template_number(i, false),
                HandNumber::Another { with_extension } => Some(another(with_extension)),
                // Only people without a Teams half hold others' numbers: a member holding
                // another's would free it for them only on a later run.
                HandNumber::Takes { .. } if self.has_teams_half(i) => Some(another(false)),
                HandNumber::Takes { index, same_form } => {
                    self.template_number(index % self.people.len(), same_form)
                }
            };
            // A number already held (or one the person's own pick is) falls back to one
            // nobody else can hold.
            let number = chosen.map(|n| if taken.contains(&n) { another(true) } else { n });
            if let Some(n) = number {
                taken.insert(n.clone());
                held.insert(i, n);
            }
        }
        held
    }
}

/// Generated person `i` as Azure AD has them.
fn azure_ad_user(case: &Case, i: usize) -> AzureAdUser {
    let id = i as u32;
    let mut u = support::person(id);
    let p = &case.people[i];
    u.assigned_licenses = vec![AssignedLicense::new(BUSINESS_VOICE)];
    u.assigned_plans = vec![AssignedPlan::new(MCOEV, CapabilityStatus::Enabled)];
    u.business_phones = match case.extension(i) {
        Some(ext) => vec![format!("+441632{ext} x{ext}")],
        None if p.role == Role::Stranger => vec![],
        None => vec![format!("+4416320{id:05}")],
    };
    u
}

/// The group person `i`'s role puts them in.
fn group(role: Role) -> Option<&'static str> {
    match role {
        Role::Stranger => None,
        Role::IpOfficeOnly => Some(GROUP_IPO),
        Role::TeamsAndIpOffice => Some(GROUP_TEAMS_IPO),
        Role::TeamsOnly => Some(GROUP_TEAMS_ONLY),
    }
}

/// The lab with the case's people in their groups (strangers in none) and Teams as an
/// administrator left it before the sync first runs.
async fn start(case: &Case) -> TeamsLab {
    let members: Vec<(AzureAdUser, &str)> = (0..case.people.len())
        .filter_map(|i| Some((azure_ad_user(case, i), group(case.people[i].role)?)))
        .collect();
    let t = TeamsLab::with_people(&members).await;
    t.lab
        .graph
        .add_teams_policy("OnlineVoiceRoutingPolicy", MANUAL_ROUTE);
    t.lab.graph.add_teams_policy("TenantDialPlan", MANUAL_DIAL);
    for (i, p) in case.people.iter().enumerate() {
        if p.role == Role::Stranger {
            t.lab.graph.add_user(azure_ad_user(case, i)).unwrap();
        }
    }
    for (i, number) in case.hand_numbers() {
        let text = direct_routing_number_text(&number).unwrap();
        let primary = TeamsPhoneNumber::new(text, ipo_model::AssignmentCategory::Primary);
        t.lab.graph.set_teams_numbers(id(i), vec![primary]).unwrap();
    }
    for (i, p) in case.people.iter().enumerate() {
        for (policy_type, hand, same, other) in [
            (VOICE, p.voice, VRP, MANUAL_ROUTE),
            (DIAL, p.dial, DIAL_PLAN, MANUAL_DIAL),
        ] {
            let name = match hand {
                HandPolicy::None => continue,
                HandPolicy::Same => same,
                HandPolicy::Different => other,
            };
            assign_by_hand(&t, i as u32, policy_type, name).await;
        }
        if let Some(on) = p.enterprise_voice {
            let key = id(i).to_string();
            t.lab.graph.set_enterprise_voice(&key, on).unwrap();
        }
    }
    t
}

fn id(i: usize) -> ObjectId {
    person_id(i as u32)
}

/// What Teams holds for one person: their numbers, the policies assigned to them directly,
/// Enterprise Voice.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Teams {
    numbers: Vec<TeamsNumber>,
    direct: BTreeMap<TeamsPolicyType, String>,
    enterprise_voice: Option<bool>,
}

/// What Teams holds for everyone, read back through the emulator.
async fn snapshot(t: &TeamsLab, case: &Case) -> Vec<Teams> {
    let mut out = Vec::with_capacity(case.people.len());
    for i in 0..case.people.len() {
        let held = t.teams_of(i as u32).await;
        let direct = (held.voice.effective_policies.iter())
            .filter(|p| p.via == PolicyVia::Direct)
            .map(|p| (p.policy_type, p.name.clone()))
            .collect();
        out.push(Teams {
            numbers: held.numbers,
            direct,
            enterprise_voice: held.enterprise_voice,
        });
    }
    out
}

/// Properties (2) and (4): nobody without a Teams half (strangers, IP Office only people)
/// has anything changed; no number is held by two people.
fn untouched_and_unique(case: &Case, before: &[Teams], now: &[Teams]) -> Result<(), TestCaseError> {
    for i in (0..case.people.len()).filter(|i| !case.has_teams_half(*i)) {
        prop_assert_eq!(
            &now[i],
            &before[i],
            "person {} ({:?}) has no Teams half, yet Teams changed",
            i,
            case.people[i].role
        );
    }
    let mut seen: BTreeMap<&TeamsNumber, usize> = BTreeMap::new();
    for (i, teams) in now.iter().enumerate() {
        for n in &teams.numbers {
            let other = seen.insert(n, i);
            prop_assert!(
                other.is_none(),
                "{} is held by persons {:?} and {}",
                n,
                other,
                i
            );
        }
    }
    Ok(())
}

/// Property (3): a member's number or direct policy the sync did not assign (Teams held it
/// before the first run) is as it was, unless their rule adopts.
fn unassigned_kept(case: &Case, before: &[Teams], now: &[Teams]) -> Result<(), TestCaseError> {
    for i in 0..case.people.len() {
        // Strangers and IP Office only people: property (2); adopting rules: free.
        if case.rule_of(i).is_none_or(|r| r.adopt) {
            continue;
        }
        if !before[i].numbers.is_empty() {
            prop_assert_eq!(
                &now[i].numbers,
                &before[i].numbers,
                "person {}: a number the sync did not assign changed without adoption",
                i
            );
        }
        for (policy_type, name) in &before[i].direct {
            prop_assert_eq!(
                now[i].direct.get(policy_type),
                Some(name),
                "person {}: the {} assigned by hand changed without adoption",
                i,
                policy_type
            );
        }
    }
    Ok(())
}

/// An apply, and one more when number operations were still running at its end; no Teams
/// write fails, and properties (2)-(4) hold after each. The people the first run's plan did
/// not skip.
async fn apply(
    t: &TeamsLab,
    engine: &SyncEngine,
    case: &Case,
    before: &[Teams],
    options: &RunOptions,
) -> Result<BTreeSet<ObjectId>, TestCaseError> {
    let mut acted = None;
    for _ in 0..2 {
        let run = engine.run(options).await.unwrap();
        acted.get_or_insert_with(|| {
            (run.plan.people.iter())
                .filter(|l| l.status != PersonStatus::Skipped)
                .map(|l| l.id.clone())
                .collect()
        });
        let teams = run.report.as_ref().and_then(|r| r.teams.as_ref());
        if let Some(teams) = teams {
            prop_assert_eq!(
                teams.failed(),
                0,
                "Teams writes failed: {:#?}",
                teams.outcomes
            );
        }
        let now = snapshot(t, case).await;
        untouched_and_unique(case, before, &now)?;
        unassigned_kept(case, before, &now)?;
        if t.saved().teams_operations.is_empty() {
            break;
        }
    }
    let pending = t.saved().teams_operations;
    prop_assert!(
        pending.is_empty(),
        "still running after one more run: {:#?}",
        pending
    );
    Ok(acted.unwrap_or_default())
}

/// Property (1): a dry run plans no Teams write, and every member whose Teams differs from
/// what the rule asks is held with a reason (`NotOurs` ones only where the rule does not
/// adopt). What the sync wrote never holds back a person it acted on (`acted`): they are
/// not skipped now, and a number it assigned is the one the rule asks for.
async fn nothing_left(
    t: &TeamsLab,
    engine: &SyncEngine,
    case: &Case,
    acted: &BTreeSet<ObjectId>,
) -> Result<(), TestCaseError> {
    let dry = engine.run(&RunOptions::dry_run()).await.unwrap();
    let plan = &dry.plan.teams;
    prop_assert!(plan.actions.is_empty(), "Teams writes left: {:#?}", plan);
    for line in dry.plan.people.iter().filter(|l| acted.contains(&l.id)) {
        prop_assert!(
            line.status != PersonStatus::Skipped,
            "{} was acted on, and after the sync's own writes is skipped: {:?}",
            line.label,
            line.reasons
        );
    }
    let state = t.saved();
    for i in 0..case.people.len() {
        held_with_reason(case, &dry, i)?;
        own_number_in_line(&dry, &state, i)?;
    }
    let pending = t.saved().teams_operations;
    prop_assert!(pending.is_empty(), "operations left: {:#?}", pending);
    Ok(())
}

fn held_with_reason(case: &Case, dry: &RunResult, i: usize) -> Result<(), TestCaseError> {
    let problems: Vec<&TeamsProblem> = (dry.plan.teams.held.iter())
        .filter(|h| h.person == id(i))
        .map(|h| &h.problem)
        .collect();
    let Some(rule) = case.rule_of(i) else {
        prop_assert!(
            problems.is_empty(),
            "held for person {} without a Teams half",
            i
        );
        return Ok(());
    };
    // A person the plan skips (their IP Office half cannot be made, say) has no Teams
    // stage: their plan line says why.
    let line = dry.plan.people.iter().find(|l| l.id == id(i));
    prop_assert!(line.is_some(), "person {}: no plan line", i);
    let line = line.unwrap();
    if line.status == PersonStatus::Skipped {
        prop_assert!(
            !line.reasons.is_empty(),
            "person {} skipped without a reason",
            i
        );
        prop_assert!(
            problems.is_empty(),
            "person {} skipped, yet held in Teams",
            i
        );
        return Ok(());
    }
    let verdict = (dry.classification.verdicts.iter())
        .find(|v| v.person.azure_ad.as_ref() == Some(&id(i)))
        .and_then(|v| v.teams.as_ref());
    prop_assert!(
        verdict.is_some(),
        "person {}: no Teams half in the verdict",
        i
    );
    let side = verdict.unwrap();
    let number_held = problems.iter().any(|p| p.policy_type().is_none());
    let number_in_line = side.number.wanted.is_some() && side.number.current == side.number.wanted;
    prop_assert_eq!(
        number_held,
        !number_in_line,
        "person {}: number {:?}, the rule wants {:?}, held: {:?}",
        i,
        side.number.current,
        side.number.wanted,
        problems
    );
    for p in &side.policies {
        let in_line = p
            .current
            .as_ref()
            .is_some_and(|c| c.name.eq_ignore_ascii_case(&p.wanted));
        let held = problems
            .iter()
            .any(|h| h.policy_type() == Some(p.policy_type));
        prop_assert_eq!(
            held,
            !in_line,
            "person {}: {:?}, held: {:?}",
            i,
            p,
            problems
        );
    }
    let not_ours = |p: &&&TeamsProblem| {
        matches!(
            p,
            TeamsProblem::NumberNotOurs { .. } | TeamsProblem::PolicyNotOurs { .. }
        )
    };
    prop_assert!(
        !rule.adopt || !problems.iter().any(|p| not_ours(&p)),
        "person {}: the rule adopts, yet held as not the sync's: {:?}",
        i,
        problems
    );
    Ok(())
}

/// Part of property (1): a number the sync assigned (its state says so) and Teams still
/// holds is what the rule asks for on the next run, not held back as a problem.
fn own_number_in_line(dry: &RunResult, state: &SyncState, i: usize) -> Result<(), TestCaseError> {
    let side = (dry.classification.verdicts.iter())
        .find(|v| v.person.azure_ad.as_ref() == Some(&id(i)))
        .and_then(|v| v.teams.as_ref());
    let owned = state.teams.get(&id(i)).and_then(|a| a.number.as_ref());
    let (Some(side), Some(owned)) = (side, owned) else {
        return Ok(());
    };
    if side.number.current.as_ref() == Some(owned) {
        prop_assert_eq!(
            side.number.wanted.as_ref(),
            Some(owned),
            "person {}: Teams holds the number the sync assigned, yet the next run wants {:?} \
             (problems {:?})",
            i,
            side.number.wanted,
            side.problems
        );
    }
    Ok(())
}

/// Property (5): after every member left, each member holds what they held before the sync
/// first ran; what the sync replaced under adoption became the sync's and is given back, so
/// that part is empty. The sync owns nothing in Teams any more.
fn given_back(
    case: &Case,
    before: &[Teams],
    converged: &[Teams],
    now: &[Teams],
    state: &SyncState,
) -> Result<(), TestCaseError> {
    for i in (0..case.people.len()).filter(|i| case.has_teams_half(*i)) {
        let numbers = if converged[i].numbers == before[i].numbers {
            before[i].numbers.clone()
        } else {
            vec![]
        };
        prop_assert_eq!(
            &now[i].numbers,
            &numbers,
            "person {}'s numbers after leaving",
            i
        );
        let mut direct = before[i].direct.clone();
        direct.retain(|t, name| converged[i].direct.get(t) == Some(name));
        prop_assert_eq!(
            &now[i].direct,
            &direct,
            "person {}'s direct policies after leaving",
            i
        );
    }
    prop_assert!(
        state.teams.is_empty(),
        "still the sync's: {:#?}",
        state.teams
    );
    Ok(())
}

async fn check(case: Case, addrs: &Mutex<Vec<SocketAddr>>) -> Result<(), TestCaseError> {
    let t = start(&case).await;
    addrs
        .lock()
        .unwrap()
        .extend([t.lab.graph.addr(), t.lab.ipo.addr()]);
    let config = config_with(case.teams_ipo.teams_side(), case.teams_only.teams_side());
    let wait = Duration::from_millis(if case.wait { 1200 } else { 0 });
    let engine = t.engine_waiting(config, wait);
    let before = snapshot(&t, &case).await;
    untouched_and_unique(&case, &before, &before)?;

    let acted = apply(&t, &engine, &case, &before, &RunOptions::apply()).await?;
    nothing_left(&t, &engine, &case, &acted).await?;
    let converged = snapshot(&t, &case).await;

    for (i, p) in case.people.iter().enumerate() {
        if let Some(g) = group(p.role) {
            t.lab.graph.remove_member(g, id(i)).unwrap();
        }
    }
    let removals = RunOptions::apply().allow_removals();
    apply(&t, &engine, &case, &before, &removals).await?;
    let now = snapshot(&t, &case).await;
    given_back(&case, &before, &converged, &now, &t.saved())?;
    let dry = engine
        .run(&RunOptions::dry_run().allow_removals())
        .await
        .unwrap();
    prop_assert!(dry.plan.teams.actions.is_empty(), "{:#?}", dry.plan.teams);
    Ok(())
}

/// Whatever the case's outcome, its runtime is gone and the emulators it started answer no
/// more.
fn stopped(addrs: &[SocketAddr]) -> Result<(), TestCaseError> {
    for a in addrs {
        let refused = std::net::TcpStream::connect_timeout(a, Duration::from_millis(200));
        prop_assert!(refused.is_err(), "an emulator still listens on {}", a);
    }
    Ok(())
}

proptest! {
    // Failing seeds are kept next to this file (properties.proptest-regressions) and
    // replayed first. Few cases: each starts both emulators and syncs four to six times.
    #![proptest_config(ProptestConfig {
        cases: 32,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
        )),
        ..ProptestConfig::default()
    })]

    #[test]
    fn teams_sync_converges_touches_only_its_own_and_gives_back_only_what_it_assigned(
        case in case()
    ) {
        let addrs = Mutex::new(Vec::new());
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(check(case, &addrs))
        }));
        drop(rt);
        let addrs = addrs.into_inner().unwrap();
        stopped(&addrs)?;
        match outcome {
            Ok(result) => result?,
            Err(panic) => std::panic::resume_unwind(panic),
        }
        prop_assert_eq!(addrs.len(), 2, "both emulators started");
    }
}
