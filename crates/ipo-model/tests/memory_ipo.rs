//! The rules `MemoryIpo` claims to enforce, one by one, plus a random walk that checks the
//! configuration invariants after every write.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use ipo_model::{
    ChangeOutcome, Extension, ExtensionKind, ExtensionNumber, Guid, HuntGroup, IpoChange,
    IpoConfigStore, IpoSnapshot, IpoUser, License, LicensingMode, MemoryIpo, NO_USER, Platform,
    PortError, Profile, SystemInfo, UserName,
};
use proptest::prelude::*;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

fn name(s: &str) -> UserName {
    s.parse().unwrap()
}

fn ext(s: &str) -> ExtensionNumber {
    s.parse().unwrap()
}

fn system(platform: Platform) -> IpoSnapshot {
    IpoSnapshot::new(SystemInfo::new(
        "Office",
        "12.1.0.80",
        LicensingMode::Plds,
        platform,
    ))
}

fn user(n: &str, e: Option<&str>, profile: Profile) -> IpoUser {
    let mut u = IpoUser::new(name(n), LicensingMode::Plds);
    u.extension = e.map(ext);
    u.profile = profile;
    u
}

/// A store with two Power User licences and a hunt group "Sales" on 500.
fn store() -> MemoryIpo {
    let mut snap = system(Platform::ServerEdition);
    snap.licenses.push(License::new("Power User", 2, 2));
    snap.hunt_groups
        .push(HuntGroup::new(name("Sales"), Some(ext("500"))));
    MemoryIpo::new(snap)
}

async fn one(ipo: &MemoryIpo, c: IpoChange) -> ChangeOutcome {
    ipo.apply(vec![c]).await.pop().unwrap()
}

fn find(ipo: &MemoryIpo, n: &str) -> IpoUser {
    ipo.current()
        .users
        .into_iter()
        .find(|u| u.name.as_str() == n)
        .unwrap()
}

fn is_conflict(r: &ChangeOutcome) -> bool {
    matches!(r, Err(PortError::Conflict { .. }))
}

#[tokio::test]
async fn no_user_is_present_and_untouchable() {
    let ipo = store();
    let snap = ipo.snapshot().await.unwrap();
    let no_user: Vec<_> = snap.users.iter().filter(|u| u.is_no_user()).collect();
    assert_eq!(no_user.len(), 1);
    let no_user = no_user[0].clone();
    assert!(no_user.guid.is_some());
    assert_eq!(no_user.profile, Profile::NonLicensed);

    let mut changed = no_user.clone();
    changed.full_name = Some("Nobody".parse().unwrap());
    assert!(is_conflict(
        &one(&ipo, IpoChange::UpdateUser(changed)).await
    ));
    let del = IpoChange::DeleteUser {
        guid: no_user.guid.clone().unwrap(),
        name: no_user.name.clone(),
        node: None,
    };
    assert!(is_conflict(&one(&ipo, del).await));
    // Nobody else may take its name, by creation or by rename.
    let r = one(
        &ipo,
        IpoChange::CreateUser(user(NO_USER, None, Profile::BasicUser)),
    )
    .await;
    assert!(is_conflict(&r), "{r:?}");
    let guid = one(
        &ipo,
        IpoChange::CreateUser(user("Ann", None, Profile::BasicUser)),
    )
    .await
    .unwrap()
    .guid
    .unwrap();
    let mut renamed = find(&ipo, "Ann");
    assert_eq!(renamed.guid.as_ref(), Some(&guid));
    renamed.name = name(NO_USER);
    assert!(is_conflict(
        &one(&ipo, IpoChange::UpdateUser(renamed)).await
    ));
    let after = ipo.current();
    assert_eq!(after.users.iter().filter(|u| u.is_no_user()).count(), 1);
    assert!(after.users.contains(&no_user));
}

#[test]
fn no_user_is_not_added_twice() {
    let mut snap = system(Platform::Ip500V2);
    let mut nu = IpoUser::new(name(NO_USER), LicensingMode::Plds);
    nu.guid = Some("AB".parse().unwrap());
    snap.users.push(nu);
    let ipo = MemoryIpo::new(snap);
    let users = ipo.current().users;
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].guid.as_ref().unwrap().as_str(), "AB");
}

#[tokio::test]
async fn names_are_unique_among_users_and_hunt_groups() {
    let ipo = store();
    assert!(
        one(
            &ipo,
            IpoChange::CreateUser(user("Ann", None, Profile::BasicUser))
        )
        .await
        .is_ok()
    );
    let r = one(
        &ipo,
        IpoChange::CreateUser(user("Ann", None, Profile::BasicUser)),
    )
    .await;
    assert!(is_conflict(&r), "{r:?}");
    // Documented: compared case-sensitively, as IP Office does.
    assert!(
        one(
            &ipo,
            IpoChange::CreateUser(user("ann", None, Profile::BasicUser))
        )
        .await
        .is_ok()
    );
    let r = one(
        &ipo,
        IpoChange::CreateUser(user("Sales", None, Profile::BasicUser)),
    )
    .await;
    assert!(is_conflict(&r), "{r:?}");

    // An update may keep its own name but not take another's.
    let mut bob = user("Bob", None, Profile::BasicUser);
    one(&ipo, IpoChange::CreateUser(bob.clone())).await.unwrap();
    bob = find(&ipo, "Bob");
    bob.full_name = Some("Bob Ray".parse().unwrap());
    one(&ipo, IpoChange::UpdateUser(bob.clone())).await.unwrap();
    bob.name = name("Ann");
    assert!(is_conflict(
        &one(&ipo, IpoChange::UpdateUser(bob.clone())).await
    ));
    bob.name = name("Sales");
    assert!(is_conflict(&one(&ipo, IpoChange::UpdateUser(bob)).await));
    assert_eq!(find(&ipo, "Bob").full_name.unwrap().as_str(), "Bob Ray");
}

#[tokio::test]
async fn extensions_are_unique_across_users_and_hunt_groups() {
    let ipo = store();
    one(
        &ipo,
        IpoChange::CreateUser(user("Ann", Some("201"), Profile::BasicUser)),
    )
    .await
    .unwrap();
    let r = one(
        &ipo,
        IpoChange::CreateUser(user("Bob", Some("201"), Profile::BasicUser)),
    )
    .await;
    assert!(is_conflict(&r), "{r:?}");
    let r = one(
        &ipo,
        IpoChange::CreateUser(user("Bob", Some("500"), Profile::BasicUser)),
    )
    .await;
    assert!(is_conflict(&r), "{r:?}");
    // "0201" is another extension than "201".
    one(
        &ipo,
        IpoChange::CreateUser(user("Bob", Some("0201"), Profile::BasicUser)),
    )
    .await
    .unwrap();
    let mut bob = find(&ipo, "Bob");
    bob.extension = Some(ext("201"));
    assert!(is_conflict(
        &one(&ipo, IpoChange::UpdateUser(bob.clone())).await
    ));
    bob.extension = Some(ext("500"));
    assert!(is_conflict(&one(&ipo, IpoChange::UpdateUser(bob)).await));
    // Keeping one's own extension is fine.
    let mut ann = find(&ipo, "Ann");
    ann.full_name = Some("Ann Lee".parse().unwrap());
    one(&ipo, IpoChange::UpdateUser(ann)).await.unwrap();

    // Extension records: one per number.
    let e = Extension::new(ext("201"), ExtensionKind::Sip);
    let first = one(&ipo, IpoChange::CreateExtension(e.clone()))
        .await
        .unwrap();
    assert!(is_conflict(&one(&ipo, IpoChange::CreateExtension(e)).await));
    let recorded = &ipo.current().extensions[0];
    assert_eq!(recorded.guid, first.guid);
    assert!(recorded.id.is_some());
    let del = IpoChange::DeleteExtension {
        guid: first.guid.unwrap(),
        number: ext("201"),
        node: None,
    };
    one(&ipo, del.clone()).await.unwrap();
    assert!(matches!(one(&ipo, del).await, Err(PortError::NotFound(_))));
}

/// Documented in `MemoryIpo`: "unique extension numbers across users and hunt groups".
/// `UpdateHuntGroup` only checks the members, so a hunt group can be moved onto a user's
/// extension (or another hunt group's) and renamed onto a user's name.
#[tokio::test]
async fn hunt_group_updates_keep_extensions_and_names_unique() {
    let ipo = store();
    one(
        &ipo,
        IpoChange::CreateUser(user("Ann", Some("201"), Profile::BasicUser)),
    )
    .await
    .unwrap();
    let mut sales = ipo.current().hunt_groups[0].clone();
    sales.extension = Some(ext("201"));
    assert!(is_conflict(
        &one(&ipo, IpoChange::UpdateHuntGroup(sales)).await
    ));
    let mut sales = ipo.current().hunt_groups[0].clone();
    sales.name = name("Ann");
    assert!(is_conflict(
        &one(&ipo, IpoChange::UpdateHuntGroup(sales)).await
    ));
}

#[tokio::test]
async fn ip500_v2_holds_384_users() {
    let ipo = MemoryIpo::new(system(Platform::Ip500V2));
    let creates: Vec<IpoChange> = (0..400)
        .map(|i| {
            IpoChange::CreateUser(user(
                &format!("User{i}"),
                Some(&format!("{}", 1000 + i)),
                Profile::BasicUser,
            ))
        })
        .collect();
    let out = ipo.apply(creates).await;
    assert_eq!(out.len(), 400);
    // NoUser counts towards the 384 configuration records.
    let ok = out.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 383);
    assert!(out[..383].iter().all(Result::is_ok));
    for r in &out[383..] {
        match r {
            Err(PortError::Conflict { message, .. }) => assert!(message.contains("384")),
            other => panic!("expected a capacity conflict, got {other:?}"),
        }
    }
    let snap = ipo.current();
    assert_eq!(snap.users.len(), 384);
    let guids: BTreeSet<&Guid> = snap.users.iter().filter_map(|u| u.guid.as_ref()).collect();
    assert_eq!(guids.len(), 384, "every user has its own GUID");
    // Deleting one frees a slot.
    let victim = snap.users.iter().find(|u| !u.is_no_user()).unwrap();
    let del = IpoChange::DeleteUser {
        guid: victim.guid.clone().unwrap(),
        name: victim.name.clone(),
        node: None,
    };
    one(&ipo, del).await.unwrap();
    one(
        &ipo,
        IpoChange::CreateUser(user("Late", None, Profile::BasicUser)),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn ip500_v2_holds_384_extensions() {
    let ipo = MemoryIpo::new(system(Platform::Ip500V2));
    let creates: Vec<IpoChange> = (0..385)
        .map(|i| {
            IpoChange::CreateExtension(Extension::new(
                ext(&format!("{}", 1000 + i)),
                ExtensionKind::H323,
            ))
        })
        .collect();
    let out = ipo.apply(creates).await;
    assert!(out[..384].iter().all(Result::is_ok));
    assert!(is_conflict(&out[384]));
    let ids: BTreeSet<u32> = ipo
        .current()
        .extensions
        .iter()
        .map(|e| e.id.unwrap())
        .collect();
    assert_eq!(ids.len(), 384, "port ids are distinct");
}

fn free(ipo: &MemoryIpo, p: Profile) -> u32 {
    ipo.current().free_licenses(p)
}

#[tokio::test]
async fn licences_are_consumed_and_released() {
    let ipo = store();
    assert_eq!(free(&ipo, Profile::PowerUser), 2);
    one(
        &ipo,
        IpoChange::CreateUser(user("Ann", None, Profile::PowerUser)),
    )
    .await
    .unwrap();
    assert_eq!(free(&ipo, Profile::PowerUser), 1);
    one(
        &ipo,
        IpoChange::CreateUser(user("Bob", None, Profile::PowerUser)),
    )
    .await
    .unwrap();
    assert_eq!(free(&ipo, Profile::PowerUser), 0);
    let r = one(
        &ipo,
        IpoChange::CreateUser(user("Cy", None, Profile::PowerUser)),
    )
    .await;
    match &r {
        Err(PortError::Rejected { errors, .. }) => {
            assert!(errors[0].message.contains("Power User"), "{r:?}")
        }
        other => panic!("expected a licence refusal, got {other:?}"),
    }
    assert!(ipo.current().users.iter().all(|u| u.name.as_str() != "Cy"));
    // No licence at all for Office Worker.
    let r = one(
        &ipo,
        IpoChange::CreateUser(user("Di", None, Profile::OfficeWorker)),
    )
    .await;
    assert!(matches!(r, Err(PortError::Rejected { .. })), "{r:?}");
    // Unlicensed profiles need nothing.
    one(
        &ipo,
        IpoChange::CreateUser(user("Cy", None, Profile::BasicUser)),
    )
    .await
    .unwrap();

    // Updating a Power User who stays one needs no free licence.
    let mut ann = find(&ipo, "Ann");
    ann.full_name = Some("Ann Lee".parse().unwrap());
    one(&ipo, IpoChange::UpdateUser(ann.clone())).await.unwrap();
    assert_eq!(free(&ipo, Profile::PowerUser), 0);
    // Promoting someone when none is free is refused.
    let mut cy = find(&ipo, "Cy");
    cy.profile = Profile::PowerUser;
    assert!(matches!(
        one(&ipo, IpoChange::UpdateUser(cy.clone())).await,
        Err(PortError::Rejected { .. })
    ));
    // Demoting releases one, which the promotion can then take.
    ann.profile = Profile::BasicUser;
    one(&ipo, IpoChange::UpdateUser(ann)).await.unwrap();
    assert_eq!(free(&ipo, Profile::PowerUser), 1);
    one(&ipo, IpoChange::UpdateUser(cy)).await.unwrap();
    assert_eq!(free(&ipo, Profile::PowerUser), 0);
    // Deleting releases too.
    let bob = find(&ipo, "Bob");
    let del = IpoChange::DeleteUser {
        guid: bob.guid.unwrap(),
        name: bob.name,
        node: None,
    };
    one(&ipo, del.clone()).await.unwrap();
    assert_eq!(free(&ipo, Profile::PowerUser), 1);
    assert!(matches!(one(&ipo, del).await, Err(PortError::NotFound(_))));
    assert_eq!(free(&ipo, Profile::PowerUser), 1);
}

#[tokio::test]
async fn profiles_must_exist_in_the_licensing_mode() {
    let ipo = store();
    let r = one(
        &ipo,
        IpoChange::CreateUser(user("Ann", None, Profile::UcUser)),
    )
    .await;
    assert!(is_conflict(&r), "{r:?}");
    let r = one(
        &ipo,
        IpoChange::CreateUser(user("Ann", None, Profile::Unknown(6))),
    )
    .await;
    assert!(is_conflict(&r), "{r:?}");
}

#[tokio::test]
async fn hunt_group_members_must_be_user_extensions() {
    let ipo = store();
    one(
        &ipo,
        IpoChange::CreateUser(user("Ann", Some("201"), Profile::BasicUser)),
    )
    .await
    .unwrap();
    one(
        &ipo,
        IpoChange::CreateUser(user("Bob", Some("202"), Profile::BasicUser)),
    )
    .await
    .unwrap();
    // An extension record without a user is not enough.
    one(
        &ipo,
        IpoChange::CreateExtension(Extension::new(ext("203"), ExtensionKind::Sip)),
    )
    .await
    .unwrap();
    let mut sales = ipo.current().hunt_groups[0].clone();
    sales.members = vec![ext("202"), ext("201")];
    one(&ipo, IpoChange::UpdateHuntGroup(sales.clone()))
        .await
        .unwrap();
    assert_eq!(ipo.current().hunt_groups[0].members, sales.members);
    for bad in ["203", "204", "500"] {
        let mut g = sales.clone();
        g.members.push(ext(bad));
        let r = one(&ipo, IpoChange::UpdateHuntGroup(g)).await;
        assert!(is_conflict(&r), "member {bad}: {r:?}");
    }
    assert_eq!(ipo.current().hunt_groups[0].members, sales.members);
    // A group the store does not know.
    let stranger = HuntGroup::new(name("Support"), Some(ext("600")));
    assert!(matches!(
        one(&ipo, IpoChange::UpdateHuntGroup(stranger)).await,
        Err(PortError::NotFound(_))
    ));
    // Deleting a member's user takes it out of the group, order kept.
    let bob = find(&ipo, "Bob");
    one(
        &ipo,
        IpoChange::DeleteUser {
            guid: bob.guid.unwrap(),
            name: bob.name,
            node: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(ipo.current().hunt_groups[0].members, vec![ext("201")]);
}

#[tokio::test]
async fn create_and_update_need_the_right_guid() {
    let ipo = store();
    let mut u = user("Ann", None, Profile::BasicUser);
    u.guid = Some("ABCDEF".parse().unwrap());
    assert!(matches!(
        one(&ipo, IpoChange::CreateUser(u.clone())).await,
        Err(PortError::InvalidData { .. })
    ));
    assert!(matches!(
        one(&ipo, IpoChange::UpdateUser(u.clone())).await,
        Err(PortError::NotFound(_))
    ));
    u.guid = None;
    assert!(matches!(
        one(&ipo, IpoChange::UpdateUser(u)).await,
        Err(PortError::InvalidData { .. })
    ));
}

#[tokio::test]
async fn write_budget_stops_writes_like_a_crash() {
    let ipo = store();
    ipo.set_write_budget(Some(2));
    let batch = |names: &[&str]| {
        names
            .iter()
            .map(|n| IpoChange::CreateUser(user(n, None, Profile::BasicUser)))
            .collect::<Vec<_>>()
    };
    let out = ipo.apply(batch(&["Ann", "Ann", "Bob", "Cy"])).await;
    assert_eq!(out.len(), 4);
    assert!(out[0].is_ok());
    // A refused write still spends the budget.
    assert!(is_conflict(&out[1]));
    for r in &out[2..] {
        assert!(
            matches!(r, Err(PortError::Unavailable { .. })),
            "expected unavailable, got {r:?}"
        );
    }
    assert_eq!(ipo.writes(), 2);
    // Still exhausted on the next call; nothing changed.
    let out = ipo.apply(batch(&["Dee"])).await;
    assert!(matches!(out[0], Err(PortError::Unavailable { .. })));
    assert_eq!(ipo.writes(), 2);
    let names: Vec<String> = ipo
        .current()
        .users
        .iter()
        .map(|u| u.name.to_string())
        .collect();
    assert_eq!(names, vec![NO_USER, "Ann"]);
    // Lifting the limit lets writes through again.
    ipo.set_write_budget(None);
    let out = ipo.apply(batch(&["Bob", "Cy"])).await;
    assert!(out.iter().all(Result::is_ok));
    assert_eq!(ipo.writes(), 4);
    ipo.set_write_budget(Some(0));
    assert!(matches!(
        ipo.apply(batch(&["Dee"])).await[0],
        Err(PortError::Unavailable { .. })
    ));
}

#[tokio::test]
async fn directory_entries_are_put_by_name() {
    use ipo_model::{FullName, SystemDirectoryEntry, TeamsNumber};
    let ipo = store();
    let n: FullName = "Adele Vance".parse().unwrap();
    let e1 = SystemDirectoryEntry::new(n.clone(), TeamsNumber::extension_only(ext("402")), None);
    let e2 = SystemDirectoryEntry::new(n.clone(), TeamsNumber::extension_only(ext("403")), None);
    one(&ipo, IpoChange::PutDirectoryEntry(e1)).await.unwrap();
    one(&ipo, IpoChange::PutDirectoryEntry(e2.clone()))
        .await
        .unwrap();
    assert_eq!(ipo.current().system_directory, vec![e2]);
    let rm = IpoChange::RemoveDirectoryEntry { name: n };
    one(&ipo, rm.clone()).await.unwrap();
    assert!(matches!(one(&ipo, rm).await, Err(PortError::NotFound(_))));
}

/// One random write against a small pool of names and extensions, so clashes are common.
#[derive(Debug, Clone)]
enum Op {
    Create(usize, Option<usize>, Profile),
    Update(usize, usize, Option<usize>, Profile),
    Delete(usize),
}

const NAMES: [&str; 6] = ["Ann", "Bob", "Cy", "Dee", "Sales", "ann"];
const EXTS: [&str; 5] = ["201", "202", "203", "500", "0201"];

fn op() -> impl Strategy<Value = Op> {
    let profile = prop::sample::select(vec![
        Profile::BasicUser,
        Profile::PowerUser,
        Profile::OfficeWorker,
        Profile::NonLicensed,
    ]);
    let e = prop::option::of(0..EXTS.len());
    prop_oneof![
        (0..NAMES.len(), e.clone(), profile.clone()).prop_map(|(n, e, p)| Op::Create(n, e, p)),
        (0..8usize, 0..NAMES.len(), e, profile).prop_map(|(u, n, e, p)| Op::Update(u, n, e, p)),
        (0..8usize).prop_map(Op::Delete),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn invariants_hold_after_any_writes(ops in prop::collection::vec(op(), 1..40)) {
        let mut snap = system(Platform::ServerEdition);
        snap.licenses.push(License::new("Power User", 2, 2));
        snap.licenses.push(License::new("Office Worker", 1, 1));
        snap.hunt_groups.push(HuntGroup::new(name("Sales"), Some(ext("500"))));
        let ipo = MemoryIpo::new(snap);
        let no_user = ipo.current().users[0].clone();
        block_on(async {
            for op in ops {
                let users = ipo.current().users;
                let change = match op {
                    Op::Create(n, e, p) => IpoChange::CreateUser(user(NAMES[n], e.map(|i| EXTS[i]), p)),
                    Op::Update(i, n, e, p) => {
                        let mut u = users[i % users.len()].clone();
                        u.name = name(NAMES[n]);
                        u.extension = e.map(|i| ext(EXTS[i]));
                        u.profile = p;
                        IpoChange::UpdateUser(u)
                    }
                    Op::Delete(i) => {
                        let u = &users[i % users.len()];
                        IpoChange::DeleteUser { guid: u.guid.clone().unwrap(), name: u.name.clone(), node: None }
                    }
                };
                let out = ipo.apply(vec![change]).await;
                prop_assert_eq!(out.len(), 1);
                let s = ipo.current();
                // NoUser, unchanged, first.
                prop_assert_eq!(&s.users[0], &no_user);
                prop_assert_eq!(s.users.iter().filter(|u| u.is_no_user()).count(), 1);
                // Unique names (case-sensitive) across users and hunt groups.
                let mut names = BTreeSet::new();
                for n in s.users.iter().map(|u| &u.name).chain(s.hunt_groups.iter().map(|h| &h.name)) {
                    prop_assert!(names.insert(n.as_str()), "duplicate name {}", n);
                }
                // Unique extensions across users and hunt groups.
                let mut exts = BTreeSet::new();
                for e in s.users.iter().filter_map(|u| u.extension.as_ref())
                    .chain(s.hunt_groups.iter().filter_map(|h| h.extension.as_ref()))
                {
                    prop_assert!(exts.insert(e.as_str()), "duplicate extension {}", e);
                }
                // Licences: free + in use == quantity, never over-assigned.
                for l in &s.licenses {
                    let p = l.profile().unwrap();
                    let used = s.users.iter().filter(|u| u.profile == p).count() as u32;
                    prop_assert_eq!(l.free + used, l.quantity, "licence {}", l.key);
                }
                // GUIDs unique.
                let guids: BTreeSet<_> = s.users.iter().map(|u| u.guid.clone().unwrap()).collect();
                prop_assert_eq!(guids.len(), s.users.len());
            }
            Ok(())
        })?;
    }
}
