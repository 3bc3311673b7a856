//! Licences and platform capacity: what does not fit is dropped and said so.

use ipo_model::{AssignedPlan, CapabilityStatus, License, Platform, Profile, UserType};
use sync_engine::{ActionKind, GroupRule, PersonStatus, Reason, SyncConfig};

use crate::common::*;

fn power_users_free(free: u32) -> ipo_model::IpoSnapshot {
    let mut s = server();
    s.licenses = vec![License::new("Power User", 10, free)];
    s
}

#[tokio::test]
async fn license_shortfall_drops_what_does_not_fit() {
    let g = gid(1);
    let w = World::new(
        SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::TeamsAndIpOffice)]),
        power_users_free(4),
    );
    let people: Vec<_> = (1..=7)
        .map(|n| {
            with_voice(with_ext(
                person(n, &format!("p{n}")),
                &format!("{}", 400 + n),
            ))
        })
        .collect();
    for p in &people {
        w.join(&g, p);
    }
    let plan = w.dry().await;
    assert_eq!(plan.count(ActionKind::CreateUser), 4);
    let need = plan
        .licenses
        .iter()
        .find(|l| l.profile == Profile::PowerUser)
        .expect("forecast for Power User");
    assert_eq!((need.needed, need.free, need.dropped), (7, 4, 3));
    assert!(!need.fits());
    let short: Vec<_> = people
        .iter()
        .map(|p| plan.person(&p.id).unwrap())
        .filter(|l| {
            l.reasons.iter().any(|r| {
                matches!(
                    r,
                    Reason::LicenseShortfall {
                        profile: Profile::PowerUser,
                        needed: 7,
                        free: 4
                    }
                )
            })
        })
        .collect();
    assert_eq!(short.len(), 3);
    assert!(short.iter().all(|l| l.status == PersonStatus::Skipped));
    // Nothing for the dropped people is attempted.
    for l in &short {
        assert!(
            plan.actions
                .iter()
                .all(|a| a.person.as_ref() != Some(&l.id))
        );
    }

    let run = w.apply_ok().await;
    let report = run.report.unwrap();
    assert_eq!(report.summary.failed, 0);
    assert_eq!(w.ipo.writes(), run.plan.actions.len());
    let now = w.ipo.current();
    assert_eq!(now.users.len(), 1 + 4);
    assert_eq!(now.free_licenses(Profile::PowerUser), 0);
}

#[tokio::test]
async fn license_shortfall_is_reported_for_people_with_warnings() {
    // A person in the licence grace period dropped for lack of an IP Office licence must
    // still be told why, and counted in the forecast.
    let g = gid(1);
    let w = World::new(
        SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::TeamsAndIpOffice)]),
        power_users_free(1),
    );
    let a = with_voice(with_ext(person(1, "ann"), "401"));
    let mut b = with_ext(person(2, "bob"), "402");
    b.assigned_plans = vec![AssignedPlan::new(
        sync_engine::usertype_rules::skus::MCOEV_PLAN,
        CapabilityStatus::Warning,
    )];
    w.join(&g, &a);
    w.join(&g, &b);
    let plan = w.dry().await;
    assert_eq!(plan.count(ActionKind::CreateUser), 1);
    let line = plan.person(&b.id).unwrap();
    assert_eq!(line.status, PersonStatus::Skipped);
    assert!(
        line.reasons
            .iter()
            .any(|r| matches!(r, Reason::LicenseShortfall { .. })),
        "bob is dropped without saying why: {:?}",
        line.reasons
    );
    let need = plan
        .licenses
        .iter()
        .find(|l| l.profile == Profile::PowerUser)
        .unwrap();
    assert_eq!((need.needed, need.dropped), (2, 1));
}

#[tokio::test]
async fn capacity_limit_on_ip500v2() {
    let g = gid(1);
    let mut s = snapshot(Platform::Ip500V2);
    // NoUser plus 380 users: room for 3 more of the 384.
    for n in 0..380 {
        s.users
            .push(ipo_user(&format!("u{n}"), Some(&format!("{}", 1000 + n))));
    }
    let w = World::new(
        SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::IpOfficeOnly)]),
        s,
    );
    let people: Vec<_> = (1..=5)
        .map(|n| with_ext(person(n, &format!("p{n}")), &format!("{}", 400 + n)))
        .collect();
    for p in &people {
        w.join(&g, p);
    }
    let run = w.apply_ok().await;
    assert_eq!(run.plan.count(ActionKind::CreateUser), 3);
    for p in &people[3..] {
        let line = run.plan.person(&p.id).unwrap();
        assert_eq!(line.status, PersonStatus::Skipped);
        assert!(line.reasons.contains(&Reason::Capacity { max: 384 }));
    }
    assert_eq!(w.ipo.current().users.len(), 384);
}

/// A leaver's licence serves a newcomer of the same plan: the forecast counts what the
/// plan's removals give back, and the apply removes before it creates, so IP Office has the
/// licence free when the create comes.
#[tokio::test]
async fn a_leavers_licence_serves_a_newcomer_in_the_same_plan() {
    let g = gid(1);
    let mut cfg = SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::TeamsAndIpOffice)]);
    cfg.safety.removal = sync_engine::RemovalPolicy::Delete;
    let w = World::new(cfg, power_users_free(1));
    let ann = with_voice(with_ext(person(1, "ann"), "401"));
    w.join(&g, &ann);
    w.apply_ok().await;
    assert_eq!(w.ipo.current().free_licenses(Profile::PowerUser), 0);

    w.leave(&g, &ann.id);
    let bob = with_voice(with_ext(person(2, "bob"), "402"));
    w.join(&g, &bob);
    let plan = w.dry().await;
    assert_eq!(plan.count(ActionKind::DeleteUser), 1);
    assert_eq!(plan.count(ActionKind::CreateUser), 1, "{:?}", plan.people);
    let need = plan
        .licenses
        .iter()
        .find(|l| l.profile == Profile::PowerUser)
        .expect("forecast for Power User");
    assert_eq!((need.needed, need.free, need.dropped), (1, 1, 0));
    let delete = plan
        .actions
        .iter()
        .position(|a| a.kind == ActionKind::DeleteUser);
    let create = plan
        .actions
        .iter()
        .position(|a| a.kind == ActionKind::CreateUser);
    assert!(delete < create, "removals come first");

    let run = w.apply_ok().await;
    assert_eq!(run.report.unwrap().summary.failed, 0);
    assert!(w.user_of(&bob.id).is_some());
    assert!(w.user("ann").is_none());
}
