//! Properties over generated tenants and IP Office configurations: planning never panics,
//! an applied plan leaves nothing to do, IP Office never ends with duplicate names or
//! extensions, users the sync does not own are never touched, and the plan does for every
//! person what their classification says (one brain: `usertype-rules` decides, the planner
//! acts).
//!
//! The generated tenants mix unicode, case-only duplicates, hostile text (markup, quotes,
//! control characters, bidi marks, zero-width joiners, emoji, over-long names), duplicate
//! and malformed extensions, empty groups, two levels of nested groups and people in
//! several groups. The IP Office side mixes unowned users (some Teams-enabled Power Users),
//! loose extension records and hunt groups, one of them inside the allocation range.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use ipo_model::{
    AzureAdUser, ExtensionKind, HuntGroup, IpoSnapshot, IpoUser, LicensingMode, UserType,
};
use proptest::prelude::*;
use sync_engine::{
    AdoptPolicy, FieldMap, GroupRule, PersonStatus, PlanOptions, ProvisioningRule, Reason,
    RemovalPolicy, RunOptions, StateStore, SyncConfig, SyncState, plan,
};

use common::*;

const NAMES: [&str; 22] = [
    "ann",
    "Ann",
    "ANN",
    "Zoë",
    "zoë",
    "Ὀδυσσεύς",
    "李小龙",
    "a.b",
    "   ",
    "#?/",
    "O'Brien-Smythe Jr",
    "x",
    "NoUser",
    "legacy",
    "</Name><AssignedPackage>4</AssignedPackage>",
    "\",\"Profile\":\"PowerUser",
    "' or 1 eq 1",
    "Ann\u{0}Lee\u{7}\r\n",
    "\u{0}\u{7}",
    "\u{202E}nnA\u{200D}\u{200B}",
    "👩\u{200D}👩\u{200D}👧 🎧",
    "Maximilian Alexander von Humboldt-Bonpland",
];
const PHONES: [&str; 15] = [
    "",
    "x401",
    "x402",
    "+44163276403 x403",
    "x200",
    "x201",
    "x4",
    "xabc",
    "+44 garbage",
    "+441632760099",
    "x0401",
    "x9000",
    "x1234567890123456",
    "+441632760404 x404",
    "x204",
];
/// Extension records nobody's user sits on (202 and 209 inside the allocation range).
const LOOSE_EXT: [&str; 5] = ["202", "209", "401", "404", "700"];
/// Groups: 0-2 carry rules, 3 is nested in 0, 4 is nested in 3.
const GROUPS: usize = 5;
const UNOWNED_EXT: [Option<&str>; 6] = [
    None,
    Some("401"),
    Some("402"),
    Some("200"),
    Some("205"),
    Some("300"),
];

#[derive(Debug, Clone)]
struct Person {
    name: usize,
    display: usize,
    phone: usize,
    groups: Vec<bool>,
    /// 0 none, 1 enabled, 2 grace, 3 suspended, 4 a resource account.
    voice: u8,
    enabled: Option<bool>,
    hunt: bool,
}

#[derive(Debug, Clone)]
struct Tenant {
    people: Vec<Person>,
    rules: Vec<(UserType, i32)>,
    unowned: Vec<(usize, usize, bool)>,
    loose: Vec<usize>,
    removal: RemovalPolicy,
    leavers: Vec<bool>,
    movers: Vec<u32>,
    subscription: bool,
    /// The adoption setting: an IP Office user with a person's extension may be theirs.
    adopt: AdoptPolicy,
    /// Free Power User licences (PLDS): few enough that a leaver's licence is needed.
    power_users: u32,
}

fn person_strategy() -> impl Strategy<Value = Person> {
    (
        0..NAMES.len(),
        0..NAMES.len(),
        0..PHONES.len(),
        prop::collection::vec(any::<bool>(), GROUPS),
        prop::sample::select(vec![1u8, 1, 1, 1, 0, 2, 3, 4]),
        prop::sample::select(vec![Some(true), Some(true), None, Some(false)]),
        any::<bool>(),
    )
        .prop_map(
            |(name, display, phone, groups, voice, enabled, hunt)| Person {
                name,
                display,
                phone,
                groups,
                voice,
                enabled,
                hunt,
            },
        )
}

fn tenant_strategy() -> impl Strategy<Value = Tenant> {
    (
        (
            prop::collection::vec(person_strategy(), 0..16),
            prop::collection::vec((prop::sample::select(UserType::ALL.to_vec()), 0..2i32), 3),
            prop::collection::vec(
                (
                    0..NAMES.len(),
                    0..UNOWNED_EXT.len(),
                    prop::bool::weighted(0.3),
                ),
                0..4,
            ),
            prop::collection::vec(0..LOOSE_EXT.len(), 0..3),
            prop::sample::select(vec![
                RemovalPolicy::Delete,
                RemovalPolicy::Disable,
                RemovalPolicy::Keep,
            ]),
            prop::collection::vec(any::<bool>(), 16),
            prop::collection::vec(0..6u32, 16),
            prop::bool::weighted(0.3),
        ),
        prop::sample::select(vec![
            AdoptPolicy::Never,
            AdoptPolicy::ByExtension,
            AdoptPolicy::ByEmail,
            AdoptPolicy::ByExtensionOrEmail,
        ]),
        prop::sample::select(vec![0u32, 1, 2, 3, 50]),
    )
        .prop_map(
            |(
                (people, rules, unowned, loose, removal, leavers, movers, subscription),
                adopt,
                power_users,
            )| Tenant {
                people,
                rules,
                unowned,
                loose,
                removal,
                leavers,
                movers,
                subscription,
                adopt,
                power_users,
            },
        )
}

/// Groups 0-2 carry rules; group 3 is nested in group 0 and group 4 in group 3, neither
/// with a rule of its own.
fn build(t: &Tenant) -> (SyncConfig, IpoSnapshot, Vec<(Vec<usize>, AzureAdUser)>) {
    let rules = t
        .rules
        .iter()
        .enumerate()
        .map(|(i, (ty, prio))| {
            let mut r = GroupRule::new(gid(i as u32), *ty);
            r.priority = *prio;
            if *ty != UserType::TeamsOnly {
                r.provisioning_rule = Some("desk".into());
            }
            r
        })
        .collect();
    let mut cfg = SyncConfig::new(rules);
    cfg.safety.removal = t.removal;
    cfg.safety.adopt = t.adopt;
    cfg.fields.hunt_groups = Some(FieldMap::always("extensionAttribute1"));
    let mut desk = ProvisioningRule::new("desk");
    desk.start_extension = Some(ext("200"));
    desk.end_extension = Some(ext("209"));
    cfg.provisioning_rules = vec![desk];

    let mut s = server();
    s.licenses[0] = ipo_model::License::new("Power User", 50, t.power_users);
    if t.subscription {
        s.system.licensing_mode = LicensingMode::Subscription;
        s.licenses = ["UC User", "Telephony User", "Telephony Plus User"]
            .into_iter()
            .map(|p| ipo_model::License::new(p, 50, 50))
            .collect();
    }
    let mode = s.system.licensing_mode;
    let mut names = BTreeSet::new();
    let mut exts = BTreeSet::new();
    for &(n, e, teams) in &t.unowned {
        let Some(name) = ipo_model::UserName::derive(NAMES[n]) else {
            continue;
        };
        if name.as_str() == "NoUser" || !names.insert(name.uniqueness_key()) {
            continue;
        }
        let e = UNOWNED_EXT[e].filter(|e| exts.insert(*e));
        let mut u = IpoUser::new(name, mode);
        u.extension = e.map(ext);
        if teams {
            u.profile = match mode {
                LicensingMode::Subscription => ipo_model::Profile::UcUser,
                _ => ipo_model::Profile::PowerUser,
            };
            u.teams_client = Some(true);
        }
        // Some carry the e-mail of a generated person: an identity the sync may not take.
        if n % 3 == 0 {
            u.email = Some(format!("p{}@contoso.com", n % 8));
        }
        s.users.push(u);
    }
    for &l in &t.loose {
        if exts.insert(LOOSE_EXT[l]) {
            s.extensions.push(ipo_model::Extension::new(
                ext(LOOSE_EXT[l]),
                ExtensionKind::Sip,
            ));
        }
    }
    // A hunt group inside the allocation range: never allocated, never a user's number.
    s.hunt_groups
        .push(HuntGroup::new("Support".parse().unwrap(), Some(ext("204"))));
    let mut sales = HuntGroup::new("Sales".parse().unwrap(), Some(ext("600")));
    if exts.contains("300") {
        sales.members = vec![ext("300")];
    }
    s.hunt_groups.push(sales);

    let people = t
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut u = AzureAdUser::new(oid(i as u32 + 1));
            u.mail_nickname = Some(NAMES[p.name].into());
            u.display_name = Some(NAMES[p.display].into());
            u.user_principal_name = Some(format!("p{i}@contoso.com"));
            u.mail = u.user_principal_name.clone();
            if !PHONES[p.phone].is_empty() {
                u.business_phones = vec![PHONES[p.phone].into()];
            }
            u.account_enabled = p.enabled;
            let plan = |status| {
                ipo_model::AssignedPlan::new(sync_engine::usertype_rules::skus::MCOEV_PLAN, status)
            };
            match p.voice {
                1 => u = with_voice(u),
                2 => u.assigned_plans = vec![plan(ipo_model::CapabilityStatus::Warning)],
                3 => u.assigned_plans = vec![plan(ipo_model::CapabilityStatus::Suspended)],
                4 => {
                    u.assigned_licenses = vec![ipo_model::AssignedLicense::new(
                        sync_engine::usertype_rules::skus::TEAMS_PHONE_RESOURCE_ACCOUNT_SKU,
                    )]
                }
                _ => {}
            }
            if p.hunt {
                u.extension_attributes.set(1, Some("Sales, Nowhere".into()));
            }
            let groups = p
                .groups
                .iter()
                .enumerate()
                .filter(|(_, b)| **b)
                .map(|(g, _)| g)
                .collect();
            (groups, u)
        })
        .collect();
    (cfg, s, people)
}

/// Everything IP Office had before the first run is unowned: its users and extension
/// records stay exactly as they were, the hunt group no rule maps to is untouched, and the
/// members of `Sales` that are not synced people's extensions stay members. `adopted`: the
/// users the sync adopted (the adoption setting allowed it), its own since.
fn unowned_untouched(
    before: &IpoSnapshot,
    after: &IpoSnapshot,
    adopted: &BTreeSet<ipo_model::Guid>,
) -> Result<(), TestCaseError> {
    for u in before
        .users
        .iter()
        .filter(|u| u.guid.as_ref().is_none_or(|g| !adopted.contains(g)))
    {
        let now = after.users.iter().find(|x| x.guid == u.guid);
        prop_assert_eq!(now, Some(u), "unowned user {} changed or removed", u.name);
    }
    for e in &before.extensions {
        let now = after.extensions.iter().find(|x| x.guid == e.guid);
        prop_assert_eq!(
            now,
            Some(e),
            "unowned extension {} changed or removed",
            e.number
        );
    }
    // The numbers of adopted users are the sync's to manage in hunt groups too.
    let adopted_numbers: BTreeSet<_> = (before.users.iter())
        .filter(|u| u.guid.as_ref().is_some_and(|g| adopted.contains(g)))
        .filter_map(|u| u.extension.clone())
        .collect();
    for h in &before.hunt_groups {
        let now = after.hunt_groups.iter().find(|x| x.guid == h.guid);
        prop_assert!(now.is_some(), "hunt group {} removed", h.name);
        let now = now.unwrap();
        if h.name.as_str() == "Support" {
            prop_assert_eq!(now, h, "hunt group Support changed");
        }
        for m in h.members.iter().filter(|m| !adopted_numbers.contains(*m)) {
            prop_assert!(
                now.members.contains(m),
                "unowned member {} left {}",
                m,
                h.name
            );
        }
    }
    Ok(())
}

/// No two users or hunt groups share a name (case-insensitively) or a number; no two
/// extension records share a number; no two directory entries share a name.
fn no_duplicates(s: &IpoSnapshot) -> Result<(), TestCaseError> {
    let mut names = BTreeSet::new();
    let mut exts = BTreeSet::new();
    for u in &s.users {
        prop_assert!(
            names.insert(u.name.uniqueness_key()),
            "duplicate name {}",
            u.name
        );
        if let Some(e) = &u.extension {
            prop_assert!(exts.insert(e.clone()), "duplicate extension {}", e);
        }
    }
    for h in &s.hunt_groups {
        prop_assert!(
            names.insert(h.name.uniqueness_key()),
            "hunt group name {} taken by a user",
            h.name
        );
        if let Some(e) = &h.extension {
            prop_assert!(exts.insert(e.clone()), "hunt group number {} taken", e);
        }
    }
    let mut records = BTreeSet::new();
    for e in &s.extensions {
        prop_assert!(
            records.insert(e.number.clone()),
            "two extension records {}",
            e.number
        );
    }
    let mut entries = BTreeSet::new();
    for d in &s.system_directory {
        prop_assert!(
            entries.insert(d.name.as_str().to_lowercase()),
            "two directory entries {}",
            d.name
        );
    }
    Ok(())
}

/// Reasons only the plan can know (they depend on what else is planned, or on IP Office's
/// limits), not the person's classification.
/// Only these: the licence totals, the platform's capacity and a provisioning range's room
/// exist at plan time alone.
fn plan_time(r: &Reason) -> bool {
    matches!(
        r,
        Reason::LicenseShortfall { .. }
            | Reason::ProfileNotInMode { .. }
            | Reason::Capacity { .. }
            | Reason::NoExtension
    )
}

/// Every person's plan line agrees with their verdict, and after the apply a fresh
/// classification finds every person the plan acted on clean, of the type the rule wants.
fn agrees_with_verdicts(
    cfg: &SyncConfig,
    run: &sync_engine::RunResult,
    after: &IpoSnapshot,
    state: SyncState,
) -> Result<(), TestCaseError> {
    let fresh =
        sync_engine::classify_for_sync(cfg, &run.azure_ad, after, &state, &Default::default());
    for line in &run.plan.people {
        let Some(v) = &line.verdict else { continue };
        prop_assert_eq!(
            v.person.azure_ad.as_ref(),
            Some(&line.id),
            "verdict of someone else"
        );
        let out = line.reasons.iter().any(|r| {
            matches!(
                r,
                Reason::AccountDisabled | Reason::ResourceAccount | Reason::OutOfScope
            )
        });
        if v.blocks_sync() {
            prop_assert_eq!(
                line.status,
                PersonStatus::Skipped,
                "{}: the verdict blocks ({:?}) but the plan acts",
                line.label,
                v.blocking().collect::<Vec<_>>()
            );
            continue;
        }
        if line.status == PersonStatus::Skipped {
            prop_assert!(
                out || line.reasons.iter().any(plan_time),
                "{}: skipped without a blocking verdict or a plan-time reason: {:?} / {:?}",
                line.label,
                line.reasons,
                v.problems
            );
            continue;
        }
        // Acted on (or already in line): the person is now exactly their target type.
        let now = fresh.for_directory_user(&line.id);
        prop_assert!(now.is_some(), "{}: no verdict after the apply", line.label);
        let now = now.unwrap();
        prop_assert_eq!(
            now.user_type,
            line.user_type,
            "{}: after the apply {:?} (problems {:?}), the rule wants {:?}",
            line.label,
            now.user_type,
            now.problems,
            line.user_type
        );
        if line.user_type == Some(UserType::TeamsOnly) {
            prop_assert!(
                now.facts.ipo_profile.is_none(),
                "{}: Teams only with an IP Office user",
                line.label
            );
        }
    }
    Ok(())
}

/// An apply that writes only what IP Office accepts, leaves no duplicates and does for
/// everyone what their verdict says; IP Office after it.
async fn apply_checked(
    w: &World,
    cfg: &SyncConfig,
    options: &RunOptions,
) -> Result<IpoSnapshot, TestCaseError> {
    let run = w.run(options).await;
    let failures: Vec<_> = run.report.as_ref().unwrap().failures().collect();
    prop_assert!(failures.is_empty(), "failed writes: {:#?}", failures);
    let after = w.ipo.current();
    agrees_with_verdicts(cfg, &run, &after, w.state.load().unwrap())?;
    no_duplicates(&after)?;
    Ok(after)
}

/// The IP Office users the sync's links hold.
fn linked_users(w: &World) -> Vec<ipo_model::Guid> {
    let state = w.state.load().unwrap();
    state
        .links
        .values()
        .filter_map(|l| l.user.clone())
        .collect()
}

async fn check(t: Tenant) -> Result<(), TestCaseError> {
    let (cfg, s, people) = build(&t);

    // Pure planning, with the groups as a full read would give them.
    let flat: Vec<AzureAdUser> = people
        .iter()
        .map(|(gs, u)| {
            let mut u = u.clone();
            for g in gs {
                // Groups 3 and 4 are nested (4 in 3 in 0).
                u.groups.insert(gid(if *g >= 3 { 0 } else { *g as u32 }));
            }
            u
        })
        .collect();
    let first = plan(&cfg, &flat, &s, &SyncState::default(), &PlanOptions::new());
    // Deterministic: the same input gives the same plan, whatever the input order.
    let mut reversed = flat.clone();
    reversed.reverse();
    let second = plan(
        &cfg,
        &reversed,
        &s,
        &SyncState::default(),
        &PlanOptions::new(),
    );
    prop_assert_eq!(&first.actions, &second.actions);
    prop_assert_eq!(&first.people, &second.people);

    let w = World::new(cfg.clone(), s);
    w.dir.add_nested_group(&gid(0), &gid(3));
    w.dir.add_nested_group(&gid(3), &gid(4));
    for (gs, u) in &people {
        w.dir.upsert_user(u.clone());
        for g in gs {
            w.dir.add_member(&gid(*g as u32), &u.id);
        }
    }
    let before = w.ipo.current();
    let mut adopted = BTreeSet::new();

    let after = apply_checked(&w, &cfg, &RunOptions::apply()).await?;
    adopted.extend(linked_users(&w));
    unowned_untouched(&before, &after, &adopted)?;
    // A number an adopted user is moved off goes to the next person wanting it on the
    // following run (as a leaver's does): one more run may act, then nothing is left.
    if !w.dry().await.is_empty() {
        apply_checked(&w, &cfg, &RunOptions::apply()).await?;
    }
    let again = w.dry().await;
    prop_assert!(
        again.is_empty(),
        "third plan not empty: {:#?}",
        again.actions
    );

    // Some people leave every group, some join another (changing type); removals allowed.
    for (i, (gs, u)) in people.iter().enumerate() {
        if t.leavers.get(i).copied().unwrap_or(false) {
            for g in gs {
                w.leave(&gid(*g as u32), &u.id);
            }
        } else if let Some(g) = t.movers.get(i).filter(|g| **g < 3) {
            w.dir.add_member(&gid(*g), &u.id);
        }
    }
    let after = apply_checked(&w, &cfg, &RunOptions::apply().allow_removals()).await?;
    adopted.extend(linked_users(&w));
    unowned_untouched(&before, &after, &adopted)?;
    // A number a leaver frees goes to a newcomer on the following run (the plan that
    // removes a leaver counts their number as in use).
    apply_checked(&w, &cfg, &RunOptions::apply().allow_removals()).await?;
    let again = w.run(&RunOptions::dry_run().allow_removals()).await.plan;
    prop_assert!(
        again.is_empty(),
        "plan after removals not empty: {:#?}",
        again.actions
    );
    Ok(())
}

proptest! {
    // Failing seeds are kept next to this file (tests/properties.proptest-regressions) and
    // replayed first; the default looks for a lib.rs above an integration test and gives up.
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
        )),
        ..ProptestConfig::default()
    })]

    #[test]
    fn sync_converges_without_duplicates_and_leaves_unowned_users_alone(t in tenant_strategy()) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(check(t))?;
    }
}
