//! Planning time, on one thread as the planner runs:
//! - `plan_realistic`: the largest realistic solution, 3,000 IP Office people (2,250 of them
//!   linked) plus 10,000 Teams-only people, against 3,000 IP Office users (goal: under
//!   100 ms);
//! - `plan`: 1k / 10k / 100k Azure AD users in 10 groups against the same 3,000 users (the
//!   100k case is a stress figure, not a goal);
//! - `plan_in_sync`: the steady state (an empty plan).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ipo_model::{
    AssignedPlan, AzureAdUser, CapabilityStatus, ExtensionNumber, GroupId, IpoSnapshot, IpoUser,
    License, LicensingMode, ObjectId, Platform, SystemInfo, UserType,
};
use sync_engine::{GroupRule, Link, PlanOptions, ProvisioningRule, SyncConfig, SyncState, plan};

const IPO_USERS: u32 = 3_000;
const GROUPS: u32 = 10;

fn oid(n: u32) -> ObjectId {
    format!("00000000-0000-4000-8000-{n:012}").parse().unwrap()
}

fn gid(n: u32) -> GroupId {
    format!("99999999-0000-4000-8000-{n:012}").parse().unwrap()
}

fn ext(n: u32) -> ExtensionNumber {
    format!("{n}").parse().unwrap()
}

/// Groups 0-6 IP Office only, 7-8 Teams + IP Office, 9 Teams only.
fn user_type(group: u32) -> UserType {
    match group {
        0..=6 => UserType::IpOfficeOnly,
        7 | 8 => UserType::TeamsAndIpOffice,
        _ => UserType::TeamsOnly,
    }
}

/// Whether Azure AD user `i` is linked to IP Office user `i` (three in four of the first
/// 3,000, Teams-only people excepted); the other IP Office users are not the sync's.
fn linked(i: u32) -> bool {
    i < IPO_USERS && i % 4 != 3 && user_type(i % GROUPS) != UserType::TeamsOnly
}

fn config() -> SyncConfig {
    let rules = (0..GROUPS)
        .map(|g| {
            let mut r = GroupRule::new(gid(g), user_type(g));
            if user_type(g) != UserType::TeamsOnly {
                r.provisioning_rule = Some("desk".into());
            }
            r
        })
        .collect();
    let mut cfg = SyncConfig::new(rules);
    let mut desk = ProvisioningRule::new("desk");
    desk.start_extension = Some(ext(2_000_000));
    desk.end_extension = Some(ext(2_999_999));
    cfg.provisioning_rules = vec![desk];
    cfg
}

/// Directory user `i`: group `i % 10`; the linked ones keep their IP Office extension, half
/// the new ones (and every Teams-only one) bring an extension from Azure AD and the other
/// half get one allocated.
fn directory(n: u32) -> Vec<AzureAdUser> {
    (0..n)
        .map(|i| {
            let mut u = AzureAdUser::new(oid(i));
            u.mail_nickname = Some(format!("u{i}"));
            u.display_name = Some(format!("User {i}"));
            u.mail = Some(format!("u{i}@contoso.com"));
            u.user_principal_name = u.mail.clone();
            u.account_enabled = Some(true);
            u.assigned_plans = vec![AssignedPlan::new(
                sync_engine::usertype_rules::skus::MCOEV_PLAN,
                CapabilityStatus::Enabled,
            )];
            let g = i % GROUPS;
            if linked(i) {
                u.business_phones = vec![format!("+441632{} x{}", 100_000 + i, 100_000 + i)];
            } else if i % 2 == 0 || g == 9 {
                u.business_phones = vec![format!("+441632{} x{}", 3_000_000 + i, 3_000_000 + i)];
            }
            u.groups.insert(gid(g));
            u
        })
        .collect()
}

fn snapshot() -> IpoSnapshot {
    let mut s = IpoSnapshot::new(SystemInfo::new(
        "ipo",
        "12.1",
        LicensingMode::Plds,
        Platform::Select,
    ));
    s.licenses = vec![License::new("Power User", 1_000_000, 1_000_000)];
    for i in 0..IPO_USERS {
        let mut u = IpoUser::new(format!("u{i}").parse().unwrap(), LicensingMode::Plds);
        u.guid = Some(format!("{i:032X}").parse().unwrap());
        u.extension = Some(ext(100_000 + i));
        u.full_name = Some(format!("User {i}").parse().unwrap());
        // The people the sync links keep their e-mail; the others are somebody else's users
        // (an equal e-mail would make them the same, unowned person: a reported conflict).
        u.email = Some(if i % 4 == 3 {
            format!("other{i}@contoso.com")
        } else {
            format!("u{i}@contoso.com")
        });
        if user_type(i % GROUPS) == UserType::TeamsAndIpOffice {
            u.profile = ipo_model::Profile::PowerUser;
            u.teams_client = Some(true);
        }
        s.users.push(u);
    }
    s
}

fn state(n: u32, s: &IpoSnapshot) -> SyncState {
    let mut state = SyncState::default();
    for i in (0..n.min(IPO_USERS)).filter(|i| linked(*i)) {
        let u = &s.users[i as usize];
        let mut l = Link::new(user_type(i % GROUPS));
        l.user = u.guid.clone();
        l.name = Some(u.name.clone());
        l.name_source = Some(u.name.to_string());
        state.links.insert(oid(i), l);
    }
    state
}

fn bench_plan(c: &mut Criterion) {
    let cfg = config();
    let snap = snapshot();
    let mut group = c.benchmark_group("plan");
    group.sample_size(10);
    for n in [1_000u32, 10_000, 100_000] {
        let dir = directory(n);
        let st = state(n, &snap);
        let p = plan(&cfg, &dir, &snap, &st, &PlanOptions::new());
        assert!(!p.actions.is_empty());
        eprintln!(
            "plan/{n}: {} linked, {} actions",
            st.links.len(),
            p.actions.len()
        );
        // Freed before measuring: a 100k plan left alive changes where the allocator finds
        // room for the ones measured.
        drop(p);
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                plan(
                    black_box(&cfg),
                    black_box(&dir),
                    &snap,
                    &st,
                    &PlanOptions::new(),
                )
            })
        });
    }
    group.finish();
}

/// The largest realistic solution: 3,000 IP Office people in groups 0-8 (three in four linked
/// to their IP Office user) and 10,000 Teams-only people in group 9, each with a number.
fn bench_plan_realistic(c: &mut Criterion) {
    let cfg = config();
    let snap = snapshot();
    let dir: Vec<AzureAdUser> = directory(13_000)
        .into_iter()
        .enumerate()
        .map(|(i, mut u)| {
            let i = i as u32;
            let g = if i < IPO_USERS {
                i % (GROUPS - 1)
            } else {
                GROUPS - 1
            };
            u.groups.clear();
            u.groups.insert(gid(g));
            if i >= IPO_USERS {
                u.business_phones = vec![format!("+441632{} x{}", 3_000_000 + i, 3_000_000 + i)];
            }
            u
        })
        .collect();
    let mut st = SyncState::default();
    for i in (0..IPO_USERS).filter(|i| i % 4 != 3) {
        let u = &snap.users[i as usize];
        let mut l = Link::new(user_type(i % (GROUPS - 1)));
        l.user = u.guid.clone();
        l.name = Some(u.name.clone());
        l.name_source = Some(u.name.to_string());
        st.links.insert(oid(i), l);
    }
    let p = plan(&cfg, &dir, &snap, &st, &PlanOptions::new());
    eprintln!(
        "plan_realistic: {} people, {} linked, {} actions",
        dir.len(),
        st.links.len(),
        p.actions.len()
    );
    drop(p);
    let mut group = c.benchmark_group("plan_realistic");
    group.sample_size(10);
    group.bench_function("13000", |b| {
        b.iter(|| {
            plan(
                black_box(&cfg),
                black_box(&dir),
                &snap,
                &st,
                &PlanOptions::new(),
            )
        })
    });
    group.finish();
}

/// The steady state: `n` IP Office only people, every one linked to its IP Office user and
/// already in line, so the plan is empty and the time is the diff alone.
fn in_sync(n: u32) -> (Vec<AzureAdUser>, IpoSnapshot, SyncState) {
    let mut s = IpoSnapshot::new(SystemInfo::new(
        "ipo",
        "12.1",
        LicensingMode::Plds,
        Platform::Select,
    ));
    let mut state = SyncState::default();
    let mut dir = Vec::with_capacity(n as usize);
    for i in 0..n {
        let g = i % 7;
        let mut d = AzureAdUser::new(oid(i));
        d.mail_nickname = Some(format!("u{i}"));
        d.display_name = Some(format!("User {i}"));
        d.mail = Some(format!("u{i}@contoso.com"));
        d.account_enabled = Some(true);
        d.business_phones = vec![format!("+441632{} x{}", 100_000 + i, 100_000 + i)];
        d.groups.insert(gid(g));
        dir.push(d);
        let mut u = IpoUser::new(format!("u{i}").parse().unwrap(), LicensingMode::Plds);
        u.guid = Some(format!("{i:032X}").parse().unwrap());
        u.extension = Some(ext(100_000 + i));
        u.full_name = Some(format!("User {i}").parse().unwrap());
        u.email = Some(format!("u{i}@contoso.com"));
        let mut l = Link::new(UserType::IpOfficeOnly);
        l.user = u.guid.clone();
        l.name = Some(u.name.clone());
        l.name_source = Some(u.name.to_string());
        state.links.insert(oid(i), l);
        s.users.push(u);
    }
    (dir, s, state)
}

fn bench_plan_in_sync(c: &mut Criterion) {
    let cfg = config();
    let mut group = c.benchmark_group("plan_in_sync");
    group.sample_size(10);
    for n in [10_000u32, 100_000] {
        let (dir, snap, st) = in_sync(n);
        let p = plan(&cfg, &dir, &snap, &st, &PlanOptions::new());
        assert!(p.is_empty(), "{:?}", p.actions.first());
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                plan(
                    black_box(&cfg),
                    black_box(&dir),
                    &snap,
                    &st,
                    &PlanOptions::new(),
                )
            })
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    bench_plan_realistic,
    bench_plan,
    bench_plan_in_sync
);
criterion_main!(benches);
