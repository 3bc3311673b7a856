//! Planning on several threads: the plan must not depend on how the people were split.

use ipo_model::{DirectoryUser, IpoSnapshot, UserType};
use sync_engine::{
    ActionKind, FieldMap, GroupRule, Link, PlanOptions, ProvisioningRule, Reason, SyncConfig,
    SyncState, plan,
};

use crate::common::*;

const PEOPLE: u32 = 3_000;
const IPO_USERS: u32 = 300;
/// Nicknames and display names repeat, so names are made unique across every part.
const NICKS: [&str; 7] = ["ann", "Ann", "bob", "carl", "dora", "zoë", "O'Brien"];

/// Four groups: IP Office only (allocating), Teams + IP Office, Teams only, and a fourth
/// of the same priority as the second but another type (a conflict for people in both).
fn config() -> SyncConfig {
    let mut desk = ProvisioningRule::new("desk");
    desk.start_extension = Some(ext("2000"));
    desk.end_extension = Some(ext("3999"));
    let mut rules = vec![
        GroupRule::new(gid(0), UserType::IpOfficeOnly),
        GroupRule::new(gid(1), UserType::TeamsAndIpOffice),
        GroupRule::new(gid(2), UserType::TeamsOnly),
        GroupRule::new(gid(3), UserType::IpOfficeOnly),
    ];
    rules[0].provisioning_rule = Some("desk".into());
    rules[3].provisioning_rule = Some("desk".into());
    let mut cfg = SyncConfig::new(rules);
    cfg.provisioning_rules = vec![desk];
    cfg.fields.hunt_groups = Some(FieldMap::always("extensionAttribute1"));
    cfg
}

/// People of every kind: repeated names, duplicate and clashing extensions, numbers to
/// allocate, Teams-only people sharing display names, conflicts, no voice, no licence.
fn directory() -> Vec<DirectoryUser> {
    (0..PEOPLE)
        .filter(|i| !left(*i))
        .map(|i| {
            let mut u = person(i, NICKS[(i % 7) as usize]);
            u.display_name = Some(format!("{} Lee", NICKS[(i % 5) as usize]));
            if i % 11 != 0 {
                u = with_voice(u);
            }
            u = match i % 5 {
                0 => with_ext(u, &format!("{}", 5_000 + i % 700)),
                1 | 2 => with_ext(u, &format!("{}", 10_000 + i)),
                _ => u,
            };
            if i % 6 == 0 || i % 6 == 2 {
                u.extension_attributes.set(1, Some("Sales".into()));
            }
            u.groups.insert(gid(i % 3));
            if i % 13 == 0 {
                u.groups.insert(gid(3));
            }
            u
        })
        .collect()
}

/// Some people left the directory since the last run.
fn left(i: u32) -> bool {
    i % 97 == 57 || (i.is_multiple_of(19) && i % 10 == 7)
}

/// IP Office users of earlier runs, every third linked to a person whose name source has
/// since changed (a rename), plus links of people who left.
fn ipo_and_state() -> (IpoSnapshot, SyncState) {
    let mut s = server();
    s.hunt_groups.push(ipo_model::HuntGroup::new(
        "Sales".parse().unwrap(),
        Some(ext("600")),
    ));
    let mut state = SyncState::default();
    for i in 0..IPO_USERS {
        let mut u = ipo_user(&format!("old{i}"), Some(&format!("{}", 10_000 + i)));
        u.guid = Some(format!("{i:032X}").parse().unwrap());
        if i % 3 == 0 {
            // Spread over the whole directory (and past it), so every part has links,
            // some of them of people who left.
            let person = if i < 150 { i * 19 } else { PEOPLE + i };
            let mut l = Link::new(UserType::IpOfficeOnly);
            l.user = u.guid.clone();
            l.name = Some(u.name.clone());
            l.name_source = Some(format!("old{i}"));
            state.links.insert(oid(person), l);
        }
        s.users.push(u);
    }
    (s, state)
}

#[test]
fn plan_is_the_same_on_any_number_of_threads() {
    let (cfg, dir) = (config(), directory());
    let (snapshot, state) = ipo_and_state();
    let on = |threads: usize| {
        let mut o = PlanOptions::new();
        o.threads = threads;
        o.allow_removals = true;
        plan(&cfg, &dir, &snapshot, &state, &o)
    };
    let one = on(1);

    // The tenant reaches every pass that was split over threads.
    assert!(one.count(ActionKind::CreateUser) > 500);
    assert!(one.count(ActionKind::CreateExtension) > 500);
    assert!(one.count(ActionKind::PutDirectoryEntry) > 200);
    assert!(one.count(ActionKind::UpdateUser) > 10);
    assert!(one.count(ActionKind::DisableUser) > 10);
    let leavers = state.links.keys().filter(|id| {
        one.person(id)
            .is_some_and(|p| p.reasons.contains(&Reason::OutOfScope) && p.user_type.is_none())
    });
    assert!(leavers.count() > 50);
    // Linked people who left from the middle of the directory (every part has some).
    let gone_inside = (0..PEOPLE).filter(|&i| left(i) && state.links.contains_key(&oid(i)));
    assert!(gone_inside.count() >= 4);
    assert!(one.count(ActionKind::UpdateHuntGroup) == 1);
    let reasons = |f: fn(&Reason) -> bool| {
        one.people
            .iter()
            .flat_map(|p| &p.reasons)
            .filter(|r| f(r))
            .count()
    };
    assert!(reasons(|r| matches!(r, Reason::NameDerived { .. })) > 100);
    assert!(reasons(|r| matches!(r, Reason::DuplicateExtension { .. })) > 100);
    assert!(reasons(|r| matches!(r, Reason::RuleConflict { .. })) > 10);
    assert!(reasons(|r| matches!(r, Reason::NoTeamsVoice { .. })) > 10);
    assert!(reasons(|r| matches!(r, Reason::LicenseShortfall { .. })) > 10);
    assert!(reasons(|r| matches!(r, Reason::HuntGroupNotAllowed { .. })) > 10);
    let entries: Vec<&str> = one
        .actions
        .iter()
        .filter(|a| a.kind == ActionKind::PutDirectoryEntry)
        .map(|a| a.record.name.as_str())
        .collect();
    assert!(entries.contains(&"bob Lee 2"), "{:?}", &entries[..5]);

    for threads in [2, 3, 8] {
        let many = on(threads);
        assert!(many == one, "plan on {threads} threads differs");
        assert_eq!(
            sync_engine::render_plan(&many, sync_engine::Style::default()),
            sync_engine::render_plan(&one, sync_engine::Style::default())
        );
    }
}
