//! Extension numbers: allocation, duplicates, clashes.

use ipo_model::{Extension, ExtensionKind, HuntGroup, UserType};
use sync_engine::{ActionKind, GroupRule, PersonStatus, ProvisioningRule, Reason, SyncConfig};

use crate::common::*;

fn allocating_config(groups: Vec<GroupRule>) -> SyncConfig {
    let mut cfg = SyncConfig::new(groups);
    let mut rule = ProvisioningRule::new("desk");
    rule.start_extension = Some(ext("200"));
    rule.end_extension = Some(ext("299"));
    cfg.provisioning_rules = vec![rule];
    cfg
}

fn desk_rule(g: ipo_model::GroupId, t: UserType) -> GroupRule {
    let mut r = GroupRule::new(g, t);
    r.provisioning_rule = Some("desk".into());
    r
}

#[tokio::test]
async fn extension_allocated_ascending_skipping_used_numbers() {
    let g = gid(1);
    let mut s = server();
    s.users.push(ipo_user("old", Some("200")));
    s.extensions
        .push(Extension::new(ext("201"), ExtensionKind::Sip));
    s.hunt_groups
        .push(HuntGroup::new("Sales".parse().unwrap(), Some(ext("202"))));
    let w = World::new(
        allocating_config(vec![desk_rule(g.clone(), UserType::IpOfficeOnly)]),
        s,
    );
    // People without an extension in Azure AD, plus one who brings 204.
    let a = person(1, "ann");
    let b = person(2, "bob");
    let c = with_ext(person(3, "carl"), "204");
    let d = person(4, "dora");
    for p in [&a, &b, &c, &d] {
        w.join(&g, p);
    }
    let run = w.apply_ok().await;
    let line = |id| run.plan.person(id).unwrap().extension.clone();
    assert_eq!(line(&a.id), Some(ext("203")));
    assert_eq!(line(&b.id), Some(ext("205")));
    assert_eq!(line(&c.id), Some(ext("204")));
    assert_eq!(line(&d.id), Some(ext("206")));
    assert_eq!(w.user("ann").unwrap().extension, Some(ext("203")));
    assert_eq!(w.user("bob").unwrap().extension, Some(ext("205")));
    assert_eq!(w.user("dora").unwrap().extension, Some(ext("206")));
    let now = w.ipo.current();
    assert!(now.extensions.iter().any(|e| e.number == ext("206")));
    assert_no_duplicates(&now);

    // A later person continues after the highest number in use, never reusing one.
    let e = person(5, "eve");
    w.join(&g, &e);
    w.apply_ok().await;
    assert_eq!(w.user("eve").unwrap().extension, Some(ext("207")));
}

#[tokio::test]
async fn allocation_stops_at_the_end_of_the_range() {
    let g = gid(1);
    let mut cfg = allocating_config(vec![desk_rule(g.clone(), UserType::IpOfficeOnly)]);
    cfg.provisioning_rules[0].end_extension = Some(ext("201"));
    let w = World::new(cfg, server());
    let people: Vec<_> = (1..=3).map(|n| person(n, &format!("p{n}"))).collect();
    for p in &people {
        w.join(&g, p);
    }
    let run = w.apply_ok().await;
    assert_eq!(run.plan.count(ActionKind::CreateUser), 2);
    let last = run.plan.person(&people[2].id).unwrap();
    assert_eq!(last.status, PersonStatus::Skipped);
    assert!(last.reasons.contains(&Reason::NoExtension));
}

#[tokio::test]
async fn duplicate_extension_in_directory_is_reported_for_both() {
    let g = gid(1);
    let w = World::new(
        SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::IpOfficeOnly)]),
        server(),
    );
    let a = with_ext(person(1, "ann"), "401");
    let b = with_ext(person(2, "bob"), "401");
    let c = with_ext(person(3, "carl"), "402");
    for p in [&a, &b, &c] {
        w.join(&g, p);
    }
    let run = w.apply_ok().await;
    for (me, other) in [(&a, &b), (&b, &a)] {
        let line = run.plan.person(&me.id).unwrap();
        assert_eq!(line.status, PersonStatus::Skipped);
        assert_reason!(
            line,
            Reason::DuplicateExtension { extension, others }
                if extension == &ext("401") && others == &vec![other.id.clone()]
        );
    }
    assert!(w.user("ann").is_none());
    assert!(w.user("bob").is_none());
    assert!(w.user("carl").is_some());
    assert!(
        !w.ipo
            .current()
            .extensions
            .iter()
            .any(|e| e.number == ext("401"))
    );
}

#[tokio::test]
async fn teams_only_extension_clash_is_reported() {
    let (phones, teams) = (gid(1), gid(2));
    let mut s = server();
    s.users.push(ipo_user("legacy", Some("500")));
    s.hunt_groups
        .push(HuntGroup::new("Sales".parse().unwrap(), Some(ext("600"))));
    s.extensions
        .push(Extension::new(ext("700"), ExtensionKind::Sip));
    let w = World::new(
        allocating_config(vec![
            desk_rule(phones.clone(), UserType::IpOfficeOnly),
            GroupRule::new(teams.clone(), UserType::TeamsOnly),
        ]),
        s,
    );
    let in_range = with_voice(with_ext(person(1, "ann"), "250"));
    let on_user = with_voice(with_ext(person(2, "bob"), "500"));
    let on_hunt = with_voice(with_ext(person(3, "carl"), "600"));
    let on_ext = with_voice(with_ext(person(4, "dora"), "700"));
    let fine = with_voice(with_ext(person(5, "eve"), "800"));
    for p in [&in_range, &on_user, &on_hunt, &on_ext, &fine] {
        w.join(&teams, p);
    }
    let run = w.apply_ok().await;
    for (p, n) in [
        (&in_range, "250"),
        (&on_user, "500"),
        (&on_hunt, "600"),
        (&on_ext, "700"),
    ] {
        let line = run.plan.person(&p.id).unwrap();
        assert_eq!(line.status, PersonStatus::Skipped, "{n}");
        assert_reason!(
            line,
            Reason::TeamsExtensionClash { extension, .. } if extension == &ext(n)
        );
    }
    let dir = w.ipo.current().system_directory;
    assert_eq!(dir.len(), 1, "only the clash-free person gets an entry");
    assert_eq!(dir[0].source.as_ref(), Some(&fine.id));
}

#[tokio::test]
async fn extension_released_by_a_leaver_is_taken_on_the_next_run() {
    // Bob leaves (policy delete) and Ann, whose Azure AD extension is Bob's, joins. Removals
    // run last (nothing is removed before the rest of the plan is in), so in the first run
    // Ann's extension is still Bob's: she is reported, and created by the next run.
    let g = gid(1);
    let mut cfg = SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::IpOfficeOnly)]);
    cfg.safety.removal = sync_engine::RemovalPolicy::Delete;
    let w = World::new(cfg, server());
    let bob = with_ext(person(2, "bob"), "401");
    w.join(&g, &bob);
    w.apply_ok().await;
    w.leave(&g, &bob.id);
    let ann = with_ext(person(1, "ann"), "401");
    w.join(&g, &ann);
    w.apply_ok().await;
    assert!(w.user("bob").is_none());
    assert!(w.user_of(&ann.id).is_none(), "ann waits for the next run");
    w.apply_ok().await;
    assert_eq!(
        w.user_of(&ann.id).map(|u| u.extension),
        Some(Some(ext("401"))),
    );
    assert!(w.dry().await.is_empty());
}
