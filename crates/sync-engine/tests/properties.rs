//! Properties over generated tenants and IP Office configurations: planning never panics,
//! an applied plan leaves nothing to do, IP Office never ends with duplicate names or
//! extensions, and users the sync does not own are never touched.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use ipo_model::{DirectoryUser, HuntGroup, IpoSnapshot, IpoUser, LicensingMode, UserType};
use proptest::prelude::*;
use sync_engine::{
    FieldMap, GroupRule, PlanOptions, ProvisioningRule, RemovalPolicy, RunOptions, SyncConfig,
    SyncState, plan,
};

use common::*;

const NAMES: [&str; 14] = [
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
];
const PHONES: [&str; 12] = [
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
];
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
    voice: bool,
    enabled: Option<bool>,
    hunt: bool,
}

#[derive(Debug, Clone)]
struct Tenant {
    people: Vec<Person>,
    rules: Vec<(UserType, i32)>,
    unowned: Vec<(usize, usize)>,
    removal: RemovalPolicy,
    leavers: Vec<bool>,
    movers: Vec<u32>,
}

fn person_strategy() -> impl Strategy<Value = Person> {
    (
        0..NAMES.len(),
        0..NAMES.len(),
        0..PHONES.len(),
        prop::collection::vec(any::<bool>(), 4),
        prop::bool::weighted(0.8),
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
        prop::collection::vec(person_strategy(), 0..16),
        prop::collection::vec((prop::sample::select(UserType::ALL.to_vec()), 0..2i32), 3),
        prop::collection::vec((0..NAMES.len(), 0..UNOWNED_EXT.len()), 0..4),
        prop::sample::select(vec![
            RemovalPolicy::Delete,
            RemovalPolicy::Disable,
            RemovalPolicy::Keep,
        ]),
        prop::collection::vec(any::<bool>(), 16),
        prop::collection::vec(0..6u32, 16),
    )
        .prop_map(
            |(people, rules, unowned, removal, leavers, movers)| Tenant {
                people,
                rules,
                unowned,
                removal,
                leavers,
                movers,
            },
        )
}

/// Groups 0-2 carry rules; group 3 is nested in group 0 and has no rule of its own.
fn build(t: &Tenant) -> (SyncConfig, IpoSnapshot, Vec<(Vec<usize>, DirectoryUser)>) {
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
    cfg.fields.hunt_groups = Some(FieldMap::always("extensionAttribute1"));
    let mut desk = ProvisioningRule::new("desk");
    desk.start_extension = Some(ext("200"));
    desk.end_extension = Some(ext("209"));
    cfg.provisioning_rules = vec![desk];

    let mut s = server();
    let mut names = BTreeSet::new();
    let mut exts = BTreeSet::new();
    for &(n, e) in &t.unowned {
        let Some(name) = ipo_model::UserName::derive(NAMES[n]) else {
            continue;
        };
        if name.as_str() == "NoUser" || !names.insert(name.uniqueness_key()) {
            continue;
        }
        let e = UNOWNED_EXT[e].filter(|e| exts.insert(*e));
        let mut u = IpoUser::new(name, LicensingMode::Plds);
        u.extension = e.map(ext);
        s.users.push(u);
    }
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
            let mut u = DirectoryUser::new(oid(i as u32 + 1));
            u.mail_nickname = Some(NAMES[p.name].into());
            u.display_name = Some(NAMES[p.display].into());
            u.user_principal_name = Some(format!("p{i}@contoso.com"));
            u.mail = u.user_principal_name.clone();
            if !PHONES[p.phone].is_empty() {
                u.business_phones = vec![PHONES[p.phone].into()];
            }
            u.account_enabled = p.enabled;
            if p.voice {
                u = with_voice(u);
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

fn unowned_untouched(before: &IpoSnapshot, after: &IpoSnapshot) -> Result<(), TestCaseError> {
    for u in &before.users {
        let now = after.users.iter().find(|x| x.guid == u.guid);
        prop_assert_eq!(now, Some(u), "unowned user {} changed or removed", u.name);
    }
    Ok(())
}

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
    Ok(())
}

async fn check(t: Tenant) -> Result<(), TestCaseError> {
    let (cfg, s, people) = build(&t);

    // Pure planning, with the groups as a full read would give them.
    let flat: Vec<DirectoryUser> = people
        .iter()
        .map(|(gs, u)| {
            let mut u = u.clone();
            for g in gs {
                // Group 3 is nested in group 0.
                u.groups.insert(gid(if *g == 3 { 0 } else { *g as u32 }));
            }
            u
        })
        .collect();
    let _ = plan(&cfg, &flat, &s, &SyncState::default(), &PlanOptions::new());

    let w = World::new(cfg, s);
    w.dir.add_nested_group(&gid(0), &gid(3));
    for (gs, u) in &people {
        w.dir.upsert_user(u.clone());
        for g in gs {
            w.dir.add_member(&gid(*g as u32), &u.id);
        }
    }
    let before = w.ipo.current();

    let run = w.run(&RunOptions::apply()).await;
    let after = w.ipo.current();
    // The plan holds only writes IP Office accepts.
    let failures: Vec<_> = run.report.as_ref().unwrap().failures().collect();
    prop_assert!(failures.is_empty(), "failed writes: {:#?}", failures);
    no_duplicates(&after)?;
    unowned_untouched(&before, &after)?;
    let again = w.dry().await;
    prop_assert!(
        again.is_empty(),
        "second plan not empty: {:#?}",
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
    let run = w.run(&RunOptions::apply().allow_removals()).await;
    let failures: Vec<_> = run.report.as_ref().unwrap().failures().collect();
    prop_assert!(failures.is_empty(), "failed writes: {:#?}", failures);
    let after = w.ipo.current();
    no_duplicates(&after)?;
    unowned_untouched(&before, &after)?;
    // A number a leaver frees goes to a newcomer on the following run (removals run last).
    let run = w.run(&RunOptions::apply().allow_removals()).await;
    let failures: Vec<_> = run.report.as_ref().unwrap().failures().collect();
    prop_assert!(failures.is_empty(), "failed writes: {:#?}", failures);
    no_duplicates(&w.ipo.current())?;
    let again = w.run(&RunOptions::dry_run().allow_removals()).await.plan;
    prop_assert!(
        again.is_empty(),
        "plan after removals not empty: {:#?}",
        again.actions
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn sync_converges_without_duplicates_and_leaves_unowned_users_alone(t in tenant_strategy()) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(check(t))?;
    }
}
