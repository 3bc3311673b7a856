//! Leaving scope: removal policies, the deletion threshold, moving between types, coming back.

use ipo_model::{Profile, UserType};
use sync_engine::{
    ActionKind, GroupRule, PersonStatus, Reason, RemovalPolicy, RunOptions, SyncConfig,
};

use crate::common::*;

fn config(g: &ipo_model::GroupId, t: UserType, policy: RemovalPolicy) -> SyncConfig {
    let mut cfg = SyncConfig::new(vec![GroupRule::new(g.clone(), t)]);
    cfg.safety.removal = policy;
    cfg
}

#[tokio::test]
async fn user_removed_from_group_is_disabled_when_policy_is_disable() {
    let g = gid(1);
    let w = World::new(
        config(&g, UserType::TeamsAndIpOffice, RemovalPolicy::Disable),
        server(),
    );
    let ann = with_voice(with_ext(person(1, "ann"), "401"));
    w.join(&g, &ann);
    w.apply_ok().await;
    let free_before = w.ipo.current().free_licenses(Profile::PowerUser);
    w.leave(&g, &ann.id);
    let run = w.apply_ok().await;
    assert_eq!(run.plan.count(ActionKind::DisableUser), 1);
    assert_eq!(
        run.plan.person(&ann.id).unwrap().status,
        PersonStatus::Remove
    );
    let u = w.user("ann").expect("kept, disabled");
    assert_eq!(u.profile, Profile::NonLicensed);
    assert_eq!(u.teams_client, Some(false));
    assert_eq!(u.extension, Some(ext("401")));
    assert!(w.link(&ann.id).unwrap().disabled);
    assert_eq!(
        w.ipo.current().free_licenses(Profile::PowerUser),
        free_before + 1,
        "the licence is freed"
    );
    assert!(w.dry().await.is_empty());
}

#[tokio::test]
async fn user_removed_from_group_is_deleted_when_policy_is_delete() {
    let g = gid(1);
    let w = World::new(
        config(&g, UserType::IpOfficeOnly, RemovalPolicy::Delete),
        server(),
    );
    let ann = with_ext(person(1, "ann"), "401");
    let bob = with_ext(person(2, "bob"), "402");
    w.join(&g, &ann);
    w.join(&g, &bob);
    w.apply_ok().await;
    assert!(
        w.ipo
            .current()
            .extensions
            .iter()
            .any(|e| e.number == ext("401"))
    );
    w.leave(&g, &ann.id);
    let run = w.apply_ok().await;
    assert_eq!(run.plan.count(ActionKind::DeleteUser), 1);
    assert_eq!(run.plan.count(ActionKind::DeleteExtension), 1);
    let now = w.ipo.current();
    assert!(w.user("ann").is_none());
    assert!(!now.extensions.iter().any(|e| e.number == ext("401")));
    assert!(w.user("bob").is_some());
    assert!(now.extensions.iter().any(|e| e.number == ext("402")));
    assert!(w.link(&ann.id).is_none(), "nothing owned any more");
    assert!(w.dry().await.is_empty());
}

#[tokio::test]
async fn removal_policy_keep_leaves_user() {
    let g = gid(1);
    let w = World::new(
        config(&g, UserType::TeamsAndIpOffice, RemovalPolicy::Keep),
        server(),
    );
    let ann = with_voice(with_ext(person(1, "ann"), "401"));
    w.join(&g, &ann);
    w.apply_ok().await;
    let before = w.user("ann").unwrap();
    w.leave(&g, &ann.id);
    let run = w.apply_ok().await;
    assert!(run.plan.actions.is_empty(), "{:#?}", run.plan.actions);
    let line = run.plan.person(&ann.id).unwrap();
    assert!(
        line.reasons.contains(&Reason::KeptByPolicy),
        "{:?}",
        line.reasons
    );
    assert_eq!(w.user("ann").unwrap(), before);
    assert!(w.link(&ann.id).is_some(), "still owned");
}

/// Twelve IP Office only people (x401-x412) synced under the delete policy; the default
/// threshold (20%, at least 10) lets 10 removals through.
async fn twelve_synced_with_delete() -> (World, ipo_model::GroupId, Vec<ipo_model::AzureAdUser>) {
    let g = gid(1);
    let w = World::new(
        config(&g, UserType::IpOfficeOnly, RemovalPolicy::Delete),
        server(),
    );
    let people: Vec<_> = (1..=12)
        .map(|n| with_ext(person(n, &format!("p{n}")), &format!("{}", 400 + n)))
        .collect();
    for p in &people {
        w.join(&g, p);
    }
    w.apply_ok().await;
    (w, g, people)
}

#[tokio::test]
async fn deletion_threshold_holds_all_removals() {
    let (w, g, people) = twelve_synced_with_delete().await;
    let before = w.ipo.current();
    // An administrator empties the group by mistake.
    w.dir.clear_group(&g);
    let run = w.apply_ok().await;
    assert!(run.plan.actions.is_empty(), "{:#?}", run.plan.actions);
    let held = run.plan.held_removals.as_ref().expect("held");
    assert_eq!(held.count, 12);
    assert_eq!(held.managed, 12);
    assert_eq!(held.threshold, 10);
    assert_eq!(held.people.len(), 12);
    assert!(held.message().contains("deletion threshold"));
    assert!(
        run.plan
            .notes
            .iter()
            .any(|n| n.contains("deletion threshold"))
    );
    for p in &people {
        let line = run.plan.person(&p.id).unwrap();
        assert!(line.reasons.contains(&Reason::RemovalHeld));
        assert_eq!(line.status, PersonStatus::Skipped);
    }
    assert_eq!(run.report.unwrap().summary.held_removals, 12);
    assert_eq!(w.ipo.current(), before, "nothing removed");

    // Explicitly allowed: they go through.
    let run = w.run(&RunOptions::apply().allow_removals()).await;
    assert!(run.plan.held_removals.is_none());
    assert_eq!(run.plan.count(ActionKind::DeleteUser), 12);
    assert_eq!(run.report.unwrap().summary.failed, 0);
    assert!(w.ipo.current().users.iter().all(|u| u.is_no_user()));
    assert!(w.ipo.current().extensions.is_empty());
}

#[tokio::test]
async fn a_few_removals_under_the_threshold_go_through() {
    let (w, g, people) = twelve_synced_with_delete().await;
    for p in &people[..3] {
        w.leave(&g, &p.id);
    }
    let run = w.apply_ok().await;
    assert!(run.plan.held_removals.is_none());
    assert_eq!(run.plan.count(ActionKind::DeleteUser), 3);
}

#[tokio::test]
async fn moving_from_ipo_group_to_teams_only_group_removes_user_and_adds_entry() {
    let (phones, teams) = (gid(1), gid(2));
    let mut cfg = SyncConfig::new(vec![
        GroupRule::new(phones.clone(), UserType::IpOfficeOnly),
        GroupRule::new(teams.clone(), UserType::TeamsOnly),
    ]);
    cfg.safety.removal = RemovalPolicy::Delete;
    let w = World::new(cfg, server());
    let mut ann = with_voice(with_ext(person(1, "ann"), "401"));
    ann.display_name = Some("Ann Lee".into());
    w.join(&phones, &ann);
    w.apply_ok().await;
    assert!(w.user("ann").is_some());

    // The person moves to Teams, keeping their number and extension.
    w.leave(&phones, &ann.id);
    w.dir.add_member(&teams, &ann.id);
    let run = w.apply_ok().await;
    let line = run.plan.person(&ann.id).unwrap();
    assert_eq!(
        line.user_type,
        Some(UserType::TeamsOnly),
        "{:?}",
        line.reasons
    );
    assert_eq!(run.plan.count(ActionKind::DeleteUser), 1, "{:#?}", run.plan);
    assert_eq!(run.plan.count(ActionKind::PutDirectoryEntry), 1);
    let now = w.ipo.current();
    assert!(w.user("ann").is_none());
    assert!(!now.extensions.iter().any(|e| e.number == ext("401")));
    let entry = now
        .system_directory
        .iter()
        .find(|d| d.name.as_str() == "Ann Lee");
    assert_eq!(entry.unwrap().number.extension(), Some(&ext("401")));
    let link = w.link(&ann.id).unwrap();
    assert!(link.user.is_none());
    assert!(link.directory_entry.is_some());
    assert!(w.dry().await.is_empty());
}

#[tokio::test]
async fn moving_to_teams_only_with_a_new_number_disables_the_old_user() {
    let (phones, teams) = (gid(1), gid(2));
    let cfg = SyncConfig::new(vec![
        GroupRule::new(phones.clone(), UserType::IpOfficeOnly),
        GroupRule::new(teams.clone(), UserType::TeamsOnly),
    ]);
    let w = World::new(cfg, server());
    let ann = with_voice(with_ext(person(1, "ann"), "401"));
    w.join(&phones, &ann);
    w.apply_ok().await;
    w.leave(&phones, &ann.id);
    w.dir.add_member(&teams, &ann.id);
    w.dir.modify_user(&ann.id, |u| {
        u.business_phones = vec!["+441632768999".into()]
    });
    let run = w.apply_ok().await;
    assert_eq!(
        run.plan.count(ActionKind::DisableUser),
        1,
        "{:#?}",
        run.plan
    );
    assert_eq!(run.plan.count(ActionKind::PutDirectoryEntry), 1);
    assert_eq!(w.user("ann").unwrap().profile, Profile::NonLicensed);
    assert_eq!(w.ipo.current().system_directory.len(), 1);
    assert!(w.dry().await.is_empty());
}

#[tokio::test]
async fn coming_back_into_scope_re_enables_disabled_user() {
    let g = gid(1);
    let w = World::new(
        config(&g, UserType::TeamsAndIpOffice, RemovalPolicy::Disable),
        server(),
    );
    let ann = with_voice(with_ext(person(1, "ann"), "401"));
    w.join(&g, &ann);
    w.apply_ok().await;
    let guid = w.user("ann").unwrap().guid;
    w.leave(&g, &ann.id);
    w.apply_ok().await;
    assert_eq!(w.user("ann").unwrap().profile, Profile::NonLicensed);

    w.dir.add_member(&g, &ann.id);
    let run = w.apply_ok().await;
    assert_eq!(run.plan.count(ActionKind::CreateUser), 0);
    assert_eq!(run.plan.count(ActionKind::UpdateUser), 1);
    let u = w.user("ann").unwrap();
    assert_eq!(u.guid, guid, "the same user, not a new one");
    assert_eq!(u.profile, Profile::PowerUser);
    assert_eq!(u.teams_client, Some(true));
    assert!(!w.link(&ann.id).unwrap().disabled);
    assert!(w.dry().await.is_empty());
}
