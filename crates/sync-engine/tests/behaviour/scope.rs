//! Who is in scope, as which user type, and who is skipped why.

use ipo_model::{AssignedLicense, AssignedPlan, CapabilityStatus, Profile, TeamsVoice, UserType};
use sync_engine::{ActionKind, GroupRule, PersonStatus, Reason, RunOptions, SyncConfig};

use crate::common::*;

#[tokio::test]
async fn group_rule_makes_members_ipo_users() {
    let g = gid(1);
    let w = World::new(
        SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::IpOfficeOnly)]),
        server(),
    );
    let ann = with_ext(person(1, "ann"), "401");
    let bob = with_ext(person(2, "bob"), "402");
    w.join(&g, &ann);
    w.join(&g, &bob);
    // In the tenant but in no synced group.
    w.dir.upsert_user(with_ext(person(3, "carl"), "403"));

    let run = w.apply_ok().await;
    assert_eq!(run.plan.count(ActionKind::CreateUser), 2);
    assert_eq!(run.plan.count(ActionKind::CreateExtension), 2);
    let a = w.user("ann").expect("ann created");
    assert_eq!(a.extension, Some(ext("401")));
    assert_eq!(a.full_name.as_ref().map(|f| f.as_str()), Some("ann Person"));
    assert_eq!(a.profile, Profile::BasicUser);
    assert_ne!(a.teams_client, Some(true));
    assert_eq!(w.user("bob").unwrap().extension, Some(ext("402")));
    assert!(w.user("carl").is_none());
    assert_eq!(w.user_of(&ann.id).unwrap().name.as_str(), "ann");
    let line = run.plan.person(&ann.id).unwrap();
    assert_eq!(line.status, PersonStatus::Create);
    assert_eq!(line.user_type, Some(UserType::IpOfficeOnly));
}

#[tokio::test]
async fn teams_and_ipo_rule_sets_teams_flag_and_allowed_profile() {
    let g = gid(1);
    let w = World::new(
        SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::TeamsAndIpOffice)]),
        server(),
    );
    let ann = with_voice(with_ext(person(1, "ann"), "401"));
    w.join(&g, &ann);
    w.apply_ok().await;
    let u = w.user("ann").unwrap();
    assert_eq!(u.teams_client, Some(true));
    assert!(sync_engine::usertype_rules::profile_allowed_for(
        UserType::TeamsAndIpOffice,
        u.profile,
        ipo_model::LicensingMode::Plds
    ));
    assert_eq!(u.profile, Profile::PowerUser);
    assert_eq!(
        w.link(&ann.id).unwrap().user_type,
        UserType::TeamsAndIpOffice
    );
}

#[tokio::test]
async fn teams_only_people_get_directory_entries_not_users() {
    let g = gid(1);
    let w = World::new(
        SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::TeamsOnly)]),
        server(),
    );
    let mut ann = with_voice(with_ext(person(1, "ann"), "401"));
    ann.display_name = Some("Ann Lee".into());
    w.join(&g, &ann);
    let run = w.apply_ok().await;
    assert_eq!(run.plan.count(ActionKind::CreateUser), 0);
    assert_eq!(run.plan.count(ActionKind::CreateExtension), 0);
    assert_eq!(run.plan.count(ActionKind::PutDirectoryEntry), 1);
    let now = w.ipo.current();
    assert!(now.users.iter().all(|u| u.is_no_user()), "only NoUser");
    assert!(now.extensions.is_empty());
    let entry = now
        .system_directory
        .iter()
        .find(|d| d.name.as_str() == "Ann Lee")
        .expect("directory entry");
    assert_eq!(entry.source.as_ref(), Some(&ann.id));
    assert_eq!(entry.number.extension(), Some(&ext("401")));
    assert!(entry.number.number().is_some());
    assert_eq!(
        w.link(&ann.id).unwrap().directory_entry.unwrap().as_str(),
        "Ann Lee"
    );
}

#[tokio::test]
async fn highest_priority_rule_wins() {
    let (low, high) = (gid(1), gid(2));
    let mut r1 = GroupRule::new(low.clone(), UserType::IpOfficeOnly);
    r1.priority = 1;
    r1.name = Some("phones".into());
    let mut r2 = GroupRule::new(high.clone(), UserType::TeamsAndIpOffice);
    r2.priority = 5;
    r2.name = Some("teams".into());
    let w = World::new(SyncConfig::new(vec![r1, r2]), server());
    let ann = with_voice(with_ext(person(1, "ann"), "401"));
    w.join(&low, &ann);
    w.join(&high, &ann);
    let run = w.apply_ok().await;
    let line = run.plan.person(&ann.id).unwrap();
    assert_eq!(line.user_type, Some(UserType::TeamsAndIpOffice));
    assert_eq!(line.rule.as_deref(), Some("teams"));
    assert_eq!(w.user("ann").unwrap().teams_client, Some(true));
}

#[tokio::test]
async fn equal_priority_rules_disagreeing_are_a_conflict() {
    let (a, b, c) = (gid(1), gid(2), gid(3));
    let mut ra = GroupRule::new(a.clone(), UserType::IpOfficeOnly);
    ra.name = Some("phones".into());
    let mut rb = GroupRule::new(b.clone(), UserType::TeamsOnly);
    rb.name = Some("teams".into());
    let rc = GroupRule::new(c.clone(), UserType::IpOfficeOnly);
    let w = World::new(SyncConfig::new(vec![ra, rb, rc]), server());
    let ann = with_voice(with_ext(person(1, "ann"), "401"));
    w.join(&a, &ann);
    w.join(&b, &ann);
    // Two rules agreeing is no conflict.
    let bob = with_ext(person(2, "bob"), "402");
    w.join(&a, &bob);
    w.join(&c, &bob);

    let plan = w.dry().await;
    let line = plan.person(&ann.id).unwrap();
    assert_eq!(line.status, PersonStatus::Skipped);
    assert_reason!(
        line,
        Reason::RuleConflict { rules }
            if rules.contains(&"phones".to_string()) && rules.contains(&"teams".to_string())
    );
    assert!(
        plan.actions
            .iter()
            .all(|a| a.person.as_ref() != Some(&ann.id))
    );
    assert_eq!(plan.person(&bob.id).unwrap().status, PersonStatus::Create);
}

#[tokio::test]
async fn nested_group_members_are_in_scope() {
    let (top, inner, innermost) = (gid(1), gid(2), gid(3));
    let w = World::new(
        SyncConfig::new(vec![GroupRule::new(top.clone(), UserType::IpOfficeOnly)]),
        server(),
    );
    w.dir.add_nested_group(&top, &inner);
    w.dir.add_nested_group(&inner, &innermost);
    let ann = with_ext(person(1, "ann"), "401");
    let bob = with_ext(person(2, "bob"), "402");
    w.join(&inner, &ann);
    w.join(&innermost, &bob);
    w.apply_ok().await;
    assert!(w.user("ann").is_some());
    assert!(w.user("bob").is_some());
}

#[tokio::test]
async fn disabled_account_is_out_of_scope() {
    let g = gid(1);
    let w = World::new(
        SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::IpOfficeOnly)]),
        server(),
    );
    let mut ann = with_ext(person(1, "ann"), "401");
    ann.account_enabled = Some(false);
    let bob = with_ext(person(2, "bob"), "402");
    w.join(&g, &ann);
    w.join(&g, &bob);
    let run = w.apply_ok().await;
    let line = run.plan.person(&ann.id).unwrap();
    assert_eq!(line.status, PersonStatus::Skipped);
    assert!(line.reasons.contains(&Reason::AccountDisabled));
    assert!(w.user("ann").is_none());

    // A synced person whose account gets disabled leaves scope: the default policy disables.
    w.dir
        .modify_user(&bob.id, |u| u.account_enabled = Some(false));
    let run = w.apply_ok().await;
    assert_eq!(run.plan.count(ActionKind::DisableUser), 1);
    assert_eq!(w.user("bob").unwrap().profile, Profile::NonLicensed);
}

#[tokio::test]
async fn person_without_teams_voice_is_skipped_with_reason() {
    let g = gid(1);
    let w = World::new(
        SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::TeamsAndIpOffice)]),
        server(),
    );
    let ann = with_ext(person(1, "ann"), "401");
    // A Business Voice SKU counts even without assignedPlans.
    let mut bob = with_ext(person(2, "bob"), "402");
    bob.assigned_licenses = vec![AssignedLicense::new(
        sync_engine::usertype_rules::skus::DEFAULT_VOICE_SKUS[0],
    )];
    // A plan that is not Phone System does not.
    let mut carl = with_ext(person(3, "carl"), "403");
    carl.assigned_plans = vec![AssignedPlan::new(
        "11111111-2222-3333-4444-555555555555",
        CapabilityStatus::Enabled,
    )];
    for p in [&ann, &bob, &carl] {
        w.join(&g, p);
    }
    let run = w.apply_ok().await;
    for id in [&ann.id, &carl.id] {
        let line = run.plan.person(id).unwrap();
        assert_eq!(line.status, PersonStatus::Skipped);
        assert!(line.reasons.contains(&Reason::NoTeamsVoice {
            wanted: UserType::TeamsAndIpOffice
        }));
    }
    assert!(w.user("ann").is_none());
    assert!(w.user("carl").is_none());
    assert!(w.user("bob").is_some());
}

#[tokio::test]
async fn grace_period_is_a_warning() {
    let g = gid(1);
    let w = World::new(
        SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::TeamsAndIpOffice)]),
        server(),
    );
    let mut ann = with_ext(person(1, "ann"), "401");
    ann.assigned_plans = vec![AssignedPlan::new(
        sync_engine::usertype_rules::skus::MCOEV_PLAN,
        CapabilityStatus::Warning,
    )];
    let mut bob = with_ext(person(2, "bob"), "402");
    bob.assigned_plans = vec![AssignedPlan::new(
        sync_engine::usertype_rules::skus::MCOEV_PLAN,
        CapabilityStatus::Suspended,
    )];
    w.join(&g, &ann);
    w.join(&g, &bob);
    let run = w.apply_ok().await;
    let a = run.plan.person(&ann.id).unwrap();
    assert_eq!(a.status, PersonStatus::Create);
    assert!(a.reasons.contains(&Reason::TeamsVoiceGrace));
    assert!(w.user("ann").is_some());
    let b = run.plan.person(&bob.id).unwrap();
    assert_eq!(b.status, PersonStatus::Skipped);
    assert!(b.reasons.contains(&Reason::TeamsVoiceSuspended));
    assert!(w.user("bob").is_none());
}

#[tokio::test]
async fn resource_account_is_skipped() {
    let g = gid(1);
    let w = World::new(
        SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::TeamsOnly)]),
        server(),
    );
    let mut aa = with_voice(with_ext(person(1, "reception"), "401"));
    let mut teams = TeamsVoice::default();
    teams.account_type = Some("resourceAccount".into());
    aa.teams = Some(teams);
    w.join(&g, &aa);
    let run = w.run(&RunOptions::apply()).await;
    let line = run.plan.person(&aa.id).unwrap();
    assert_eq!(line.status, PersonStatus::Skipped);
    assert!(line.reasons.contains(&Reason::ResourceAccount));
    assert!(run.plan.actions.is_empty());
    assert!(w.ipo.current().system_directory.is_empty());
}

#[tokio::test]
async fn teams_only_entries_with_the_same_display_name_get_distinct_names() {
    let g = gid(1);
    let w = World::new(
        SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::TeamsOnly)]),
        server(),
    );
    let mut bob = with_voice(person(2, "bob"));
    bob.display_name = Some("Ann Lee".into());
    bob.business_phones = vec!["+441632760002".into()];
    w.join(&g, &bob);
    w.apply_ok().await;
    // A second "Ann Lee" arrives, sorting before the first.
    let mut ann = with_voice(person(1, "ann"));
    ann.display_name = Some("Ann Lee".into());
    ann.business_phones = vec!["+441632760001".into()];
    w.join(&g, &ann);
    w.apply_ok().await;
    let dir = w.ipo.current().system_directory;
    assert_eq!(dir.len(), 2, "{dir:#?}");
    let names: std::collections::BTreeSet<_> = dir.iter().map(|d| d.name.to_string()).collect();
    assert_eq!(names.len(), 2, "{dir:#?}");
    assert_ne!(
        w.link(&ann.id).unwrap().directory_entry,
        w.link(&bob.id).unwrap().directory_entry
    );
    let plan = w.dry().await;
    assert!(
        plan.is_empty(),
        "entries keep overwriting each other: {:#?}",
        plan.actions
    );
}
