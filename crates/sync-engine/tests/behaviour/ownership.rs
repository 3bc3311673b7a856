//! The sync changes only what it owns: unowned users, adoption, NoUser.

use ipo_model::{IpoSnapshot, IpoUser, RemovalReason, UserType};
use sync_engine::{
    ActionKind, AdoptPolicy, GroupRule, Link, PersonStatus, Reason, RemovalPolicy, RunOptions,
    StateStore, SyncConfig, SyncState,
};

use crate::common::*;

fn ipo_only(g: &ipo_model::GroupId) -> SyncConfig {
    SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::IpOfficeOnly)])
}

fn unowned(s: &IpoSnapshot, name: &str) -> IpoUser {
    s.users
        .iter()
        .find(|u| u.name.as_str() == name)
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn extension_of_unowned_user_is_a_conflict_without_adoption() {
    let g = gid(1);
    let mut s = server();
    s.users.push(ipo_user("legacy", Some("401")));
    let w = World::new(ipo_only(&g), s);
    let before = w.ipo.current();
    let ann = with_ext(person(1, "ann"), "401");
    w.join(&g, &ann);
    let run = w.apply_ok().await;
    let line = run.plan.person(&ann.id).unwrap();
    assert_eq!(line.status, PersonStatus::Skipped);
    assert_reason!(
        line,
        Reason::ExtensionTaken { extension, by }
            if extension == &ext("401") && by.contains("legacy")
    );
    assert!(run.plan.actions.is_empty());
    assert_eq!(w.ipo.current(), before);
    assert!(w.link(&ann.id).is_none());
}

#[tokio::test]
async fn adoption_by_extension_when_allowed() {
    let g = gid(1);
    let mut s = server();
    s.users.push(ipo_user("legacy", Some("401")));
    let mut cfg = ipo_only(&g);
    cfg.safety.adopt = AdoptPolicy::ByExtension;
    let w = World::new(cfg, s);
    let legacy = unowned(&w.ipo.current(), "legacy");
    let ann = with_ext(person(1, "ann"), "401");
    w.join(&g, &ann);
    let run = w.apply_ok().await;
    assert_eq!(run.plan.count(ActionKind::CreateUser), 0);
    assert_eq!(run.plan.count(ActionKind::CreateExtension), 0);
    assert_eq!(w.link(&ann.id).unwrap().user, legacy.guid);
    let now = w.user_of(&ann.id).unwrap();
    // Taken over, not renamed: a rename would move the voicemail box.
    assert_eq!(now.name.as_str(), "legacy");
    assert_eq!(now.full_name.as_ref().unwrap().as_str(), "ann Person");
    assert_eq!(now.email, ann.mail);
    assert_eq!(w.ipo.current().users.len(), 2, "NoUser and legacy only");
    assert!(w.dry().await.is_empty());

    // Owned now: leaving scope applies the removal policy to it.
    w.leave(&g, &ann.id);
    let run = w.apply_ok().await;
    assert_eq!(run.plan.count(ActionKind::DisableUser), 1);
}

#[tokio::test]
async fn adoption_by_email_when_allowed() {
    let g = gid(1);
    let mut s = server();
    let mut legacy = ipo_user("legacy", None);
    legacy.email = Some("ANN1@contoso.com".into());
    s.users.push(legacy);
    // Another user with the same extension as the person but a different mail is not adopted.
    let mut cfg = ipo_only(&g);
    cfg.safety.adopt = AdoptPolicy::ByEmail;
    let w = World::new(cfg, s);
    let guid = unowned(&w.ipo.current(), "legacy").guid;
    let ann = with_ext(person(1, "ann"), "401");
    w.join(&g, &ann);
    let run = w.apply_ok().await;
    assert_eq!(run.plan.count(ActionKind::CreateUser), 0);
    assert_eq!(w.link(&ann.id).unwrap().user, guid);
    let now = w.user_of(&ann.id).unwrap();
    assert_eq!(now.name.as_str(), "legacy");
    assert_eq!(now.extension, Some(ext("401")));
    assert!(w.dry().await.is_empty());
}

#[tokio::test]
async fn adoption_never_takes_a_user_two_people_could_match() {
    let g = gid(1);
    let mut s = server();
    let mut a = ipo_user("twin1", None);
    a.email = Some("ann1@contoso.com".into());
    let mut b = ipo_user("twin2", None);
    b.voicemail_email = Some("ann1@contoso.com".into());
    s.users.extend([a, b]);
    let mut cfg = ipo_only(&g);
    cfg.safety.adopt = AdoptPolicy::ByEmail;
    let w = World::new(cfg, s);
    let ann = with_ext(person(1, "ann"), "401");
    w.join(&g, &ann);
    let run = w.run(&RunOptions::apply()).await;
    // Ambiguous: neither is taken, and no third user is created beside them; both are named.
    assert!(w.user_of(&ann.id).is_none());
    assert_eq!(run.plan.count(ActionKind::CreateUser), 0);
    let line = run.plan.person(&ann.id).unwrap();
    assert_eq!(line.status, PersonStatus::Skipped);
    let text = line
        .reasons
        .iter()
        .map(ToString::to_string)
        .collect::<String>();
    assert!(text.contains("twin1") && text.contains("twin2"), "{text}");
}

#[tokio::test]
async fn unowned_users_are_never_changed() {
    let g = gid(1);
    let mut s = server();
    s.users.push(ipo_user("ann", Some("300")));
    let mut shared = ipo_user("shared", Some("301"));
    shared.email = Some("bob2@contoso.com".into());
    s.users.push(shared);
    let mut cfg = ipo_only(&g);
    cfg.safety.removal = RemovalPolicy::Delete;
    let w = World::new(cfg, s);
    let before = w.ipo.current();
    let ann = with_ext(person(1, "ann"), "401");
    let bob = with_ext(person(2, "bob"), "402");
    w.join(&g, &ann);
    w.join(&g, &bob);
    w.apply_ok().await;
    // The person named like an unowned user gets a name of their own.
    assert_eq!(w.user_of(&ann.id).unwrap().name.as_str(), "ann2");
    // Leaving scope and being deleted from the tenant touches only what the sync created.
    w.dir.remove_user(&ann.id, RemovalReason::Deleted);
    w.leave(&g, &bob.id);
    w.apply_ok().await;
    let after = w.ipo.current();
    for u in &before.users {
        let now = after.users.iter().find(|x| x.guid == u.guid);
        assert_eq!(now, Some(u), "unowned user {} changed", u.name);
    }
    assert!(after.users.iter().all(|u| u.name.as_str() != "ann2"));
}

#[tokio::test]
async fn no_user_is_never_touched() {
    let g = gid(1);
    let mut cfg = ipo_only(&g);
    cfg.safety.removal = RemovalPolicy::Delete;
    cfg.safety.adopt = AdoptPolicy::ByExtensionOrEmail;
    let w = World::new(cfg, server());
    let no_user = w
        .ipo
        .current()
        .users
        .into_iter()
        .find(|u| u.is_no_user())
        .unwrap();
    // Someone whose nickname is "NoUser" gets another name.
    let odd = with_ext(person(1, "NoUser"), "401");
    // A corrupt state links two people to NoUser: one in scope, one gone.
    let linked = with_ext(person(2, "linked"), "402");
    let gone = oid(3);
    let mut state = SyncState::default();
    for id in [&linked.id, &gone] {
        let mut l = Link::new(UserType::IpOfficeOnly);
        l.user = no_user.guid.clone();
        l.name = Some(no_user.name.clone());
        l.name_source = Some("something else".into());
        state.links.insert(id.clone(), l);
    }
    w.state.save(&state).unwrap();
    w.join(&g, &odd);
    w.join(&g, &linked);
    let run = w.run(&sync_engine::RunOptions::apply()).await;
    let touching: Vec<_> = run
        .plan
        .actions
        .iter()
        .filter(|a| a.record.guid.is_some() && a.record.guid == no_user.guid)
        .collect();
    assert!(touching.is_empty(), "actions on NoUser: {touching:#?}");
    let now = w.ipo.current();
    assert_eq!(now.users.iter().find(|u| u.is_no_user()), Some(&no_user));
    assert!(now.users.iter().any(|u| u.name.as_str() == "NoUser2"));
}
