//! The rules `MemoryAzureAd` claims: nested (and cyclic) groups, delta changes, expiry.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use ipo_model::{
    AzureAdChanges, AzureAdSource, AzureAdUser, DeltaCursor, DeltaOutcome, GroupId,
    MembershipChange, MembershipChangeKind, MemoryAzureAd, ObjectId, PortError, RemovalReason,
};

fn oid(n: u32) -> ObjectId {
    format!("{n:08x}-0000-4000-8000-000000000000")
        .parse()
        .unwrap()
}

fn gid(n: u32) -> GroupId {
    format!("{n:08x}-1111-4111-8111-111111111111")
        .parse()
        .unwrap()
}

fn person(n: u32, display: &str) -> AzureAdUser {
    let mut u = AzureAdUser::new(oid(n));
    u.display_name = Some(display.to_owned());
    u
}

fn ids(users: &[AzureAdUser]) -> BTreeSet<ObjectId> {
    users.iter().map(|u| u.id.clone()).collect()
}

async fn changes(dir: &MemoryAzureAd, groups: &[GroupId], c: &DeltaCursor) -> AzureAdChanges {
    match dir.changes(groups, c).await.unwrap() {
        DeltaOutcome::Changes(ch) => ch,
        other => panic!("expected changes, got {other:?}"),
    }
}

fn needs_resync(o: &DeltaOutcome) -> bool {
    matches!(o, DeltaOutcome::FullResyncNeeded { .. })
}

#[tokio::test]
async fn unknown_group_is_not_found() {
    let dir = MemoryAzureAd::new();
    let r = dir.group_members(&gid(1)).await;
    assert!(matches!(r, Err(PortError::NotFound(_))), "{r:?}");
    assert!(dir.all_users().await.unwrap().is_empty());
    assert_eq!(dir.user(&oid(1)).await.unwrap(), None);
}

#[tokio::test]
async fn nested_groups_are_followed_transitively() {
    let dir = MemoryAzureAd::new();
    for n in 1..=5 {
        dir.upsert_user(person(n, &format!("User {n}")));
    }
    // 1 contains 2 contains 3; users at every level, user 2 twice.
    dir.add_nested_group(&gid(1), &gid(2));
    dir.add_nested_group(&gid(2), &gid(3));
    dir.add_member(&gid(1), &oid(1));
    dir.add_member(&gid(2), &oid(2));
    dir.add_member(&gid(3), &oid(2));
    dir.add_member(&gid(3), &oid(3));
    // A member that is not a user of the tenant (a device, a contact) is skipped.
    dir.add_member(&gid(3), &oid(99));
    dir.add_member(&gid(4), &oid(4));

    let top = dir.group_members(&gid(1)).await.unwrap();
    assert_eq!(ids(&top), BTreeSet::from([oid(1), oid(2), oid(3)]));
    assert_eq!(top.len(), 3, "no duplicates");
    for u in &top {
        assert_eq!(u.groups, BTreeSet::from([gid(1)]));
        assert!(u.display_name.is_some(), "complete records");
    }
    let mid = dir.group_members(&gid(2)).await.unwrap();
    assert_eq!(ids(&mid), BTreeSet::from([oid(2), oid(3)]));
    assert!(mid.iter().all(|u| u.groups == BTreeSet::from([gid(2)])));
    // A nested group created only by nesting is known, and empty.
    dir.add_nested_group(&gid(5), &gid(6));
    assert!(dir.group_members(&gid(6)).await.unwrap().is_empty());
    assert!(dir.group_members(&gid(5)).await.unwrap().is_empty());
}

#[tokio::test]
async fn cycles_of_nested_groups_terminate() {
    let dir = MemoryAzureAd::new();
    for n in 1..=3 {
        dir.upsert_user(person(n, "x"));
    }
    dir.add_nested_group(&gid(1), &gid(2));
    dir.add_nested_group(&gid(2), &gid(3));
    dir.add_nested_group(&gid(3), &gid(1));
    dir.add_nested_group(&gid(2), &gid(2)); // a group inside itself
    dir.add_member(&gid(1), &oid(1));
    dir.add_member(&gid(2), &oid(2));
    dir.add_member(&gid(3), &oid(3));
    for g in 1..=3 {
        let m = dir.group_members(&gid(g)).await.unwrap();
        assert_eq!(
            ids(&m),
            BTreeSet::from([oid(1), oid(2), oid(3)]),
            "group {g}"
        );
    }
    // Delta over a cycle terminates too, and flags every watched group on the cycle.
    let c = dir.latest_cursor(&[gid(1)]).await.unwrap();
    dir.add_member(&gid(3), &oid(2));
    let ch = changes(&dir, &[gid(1), gid(2)], &c).await;
    assert_eq!(ch.groups_changed, BTreeSet::from([gid(1), gid(2)]));
    // Group 3 is not watched: its direct change is not reported as membership.
    assert!(ch.membership.is_empty());
}

#[tokio::test]
async fn changes_report_updates_removals_and_groups() {
    let dir = MemoryAzureAd::new();
    for n in 1..=4 {
        dir.upsert_user(person(n, &format!("User {n}")));
    }
    dir.add_member(&gid(1), &oid(1));
    dir.add_member(&gid(1), &oid(2));
    dir.add_nested_group(&gid(1), &gid(2));
    dir.add_member(&gid(9), &oid(4)); // a group nobody watches
    let watched = [gid(1)];
    let c0 = dir.latest_cursor(&watched).await.unwrap();

    // Nothing happened yet.
    let ch = changes(&dir, &watched, &c0).await;
    assert!(ch.updated.is_empty() && ch.removed.is_empty() && ch.membership.is_empty());
    assert!(ch.groups_changed.is_empty());
    assert_eq!(ch.cursor, c0);

    dir.modify_user(&oid(1), |u| u.department = Some("Sales".into()));
    dir.modify_user(&oid(1), |u| u.office_location = Some("Leeds".into()));
    dir.remove_user(&oid(2), RemovalReason::Deleted);
    dir.add_member(&gid(2), &oid(3)); // through the nested group
    dir.add_member(&gid(9), &oid(3)); // unwatched
    dir.upsert_user(person(5, "New"));
    dir.modify_user(&oid(77), |u| u.department = Some("ghost".into())); // no such user

    let ch = changes(&dir, &watched, &c0).await;
    // Updated users are complete current records, each once.
    let updated: Vec<_> = ch.updated.iter().map(|u| u.id.clone()).collect();
    assert_eq!(updated, vec![oid(1), oid(5)]);
    let one = &ch.updated[0];
    assert_eq!(one.department.as_deref(), Some("Sales"));
    assert_eq!(one.office_location.as_deref(), Some("Leeds"));
    assert_eq!(one.display_name.as_deref(), Some("User 1"));
    // Removed, with the reason.
    assert_eq!(ch.removed.len(), 1);
    assert_eq!(ch.removed[0].id, oid(2));
    assert_eq!(ch.removed[0].reason, RemovalReason::Deleted);
    // Only the watched group, directly changed and changed through its nested group.
    assert_eq!(ch.groups_changed, BTreeSet::from([gid(1)]));
    assert_eq!(
        ch.membership,
        vec![MembershipChange::new(
            gid(1),
            oid(2),
            MembershipChangeKind::Removed
        )]
    );
    assert_eq!(
        ids(&dir.group_members(&gid(1)).await.unwrap()),
        BTreeSet::from([oid(1), oid(3)])
    );

    // Resuming from the new cursor: nothing new.
    let ch2 = changes(&dir, &watched, &ch.cursor).await;
    assert!(ch2.updated.is_empty() && ch2.removed.is_empty() && ch2.groups_changed.is_empty());
    // The cursor survives a serde round trip (callers store it).
    let stored: DeltaCursor =
        serde_json::from_str(&serde_json::to_string(&ch.cursor).unwrap()).unwrap();
    assert_eq!(changes(&dir, &watched, &stored).await, ch2);
}

#[tokio::test]
async fn last_event_wins_between_update_and_removal() {
    let dir = MemoryAzureAd::new();
    dir.upsert_user(person(1, "Ann"));
    dir.upsert_user(person(2, "Bob"));
    let c = dir.latest_cursor(&[]).await.unwrap();
    // Updated then removed: only removed.
    dir.modify_user(&oid(1), |u| u.department = Some("x".into()));
    dir.remove_user(&oid(1), RemovalReason::Changed);
    // Removed then restored: only updated.
    dir.remove_user(&oid(2), RemovalReason::Changed);
    dir.upsert_user(person(2, "Bob again"));
    // Removing someone who is not there logs nothing.
    dir.remove_user(&oid(3), RemovalReason::Deleted);
    let ch = changes(&dir, &[], &c).await;
    assert_eq!(ids(&ch.updated), BTreeSet::from([oid(2)]));
    assert_eq!(ch.updated[0].display_name.as_deref(), Some("Bob again"));
    assert_eq!(ch.removed.len(), 1);
    assert_eq!(ch.removed[0].id, oid(1));
    assert_eq!(ch.removed[0].reason, RemovalReason::Changed);
}

#[tokio::test]
async fn clearing_a_group_reports_every_removal() {
    let dir = MemoryAzureAd::new();
    for n in 1..=3 {
        dir.upsert_user(person(n, "x"));
        dir.add_member(&gid(1), &oid(n));
    }
    let c = dir.latest_cursor(&[gid(1)]).await.unwrap();
    dir.clear_group(&gid(1));
    assert!(dir.group_members(&gid(1)).await.unwrap().is_empty());
    let ch = changes(&dir, &[gid(1)], &c).await;
    let removed: BTreeSet<_> = ch
        .membership
        .iter()
        .map(|m| {
            assert_eq!(m.kind, MembershipChangeKind::Removed);
            assert_eq!(m.group, gid(1));
            m.user.clone()
        })
        .collect();
    assert_eq!(removed, BTreeSet::from([oid(1), oid(2), oid(3)]));
    assert_eq!(ch.groups_changed, BTreeSet::from([gid(1)]));
    // The users themselves are untouched.
    assert!(ch.updated.is_empty() && ch.removed.is_empty());
    assert_eq!(dir.all_users().await.unwrap().len(), 3);
}

#[tokio::test]
async fn expired_or_foreign_cursors_need_a_full_resync() {
    let dir = MemoryAzureAd::new();
    dir.upsert_user(person(1, "Ann"));
    let old = dir.latest_cursor(&[]).await.unwrap();
    dir.upsert_user(person(2, "Bob"));
    let mid = changes(&dir, &[], &old).await.cursor;
    dir.upsert_user(person(3, "Cy"));
    dir.expire_cursors();
    assert!(needs_resync(&dir.changes(&[], &old).await.unwrap()));
    assert!(needs_resync(&dir.changes(&[], &mid).await.unwrap()));
    // A cursor taken after the expiry works.
    let fresh = dir.latest_cursor(&[]).await.unwrap();
    dir.upsert_user(person(4, "Dee"));
    assert_eq!(
        ids(&changes(&dir, &[], &fresh).await.updated),
        BTreeSet::from([oid(4)])
    );
    // Cursors this directory never handed out.
    assert!(needs_resync(
        &dir.changes(&[], &DeltaCursor::default()).await.unwrap()
    ));
    let mut future = DeltaCursor::default();
    future.0.insert("memory".into(), "999999".into());
    assert!(needs_resync(&dir.changes(&[], &future).await.unwrap()));
    let mut garbage = DeltaCursor::default();
    garbage.0.insert("memory".into(), "-1".into());
    assert!(needs_resync(&dir.changes(&[], &garbage).await.unwrap()));
}

/// `expire_cursors` says it "expires every cursor handed out so far", but it only expires
/// positions strictly before the end of the log: a cursor handed out when nothing has
/// happened since stays valid.
#[tokio::test]
async fn expiry_covers_a_cursor_taken_just_before() {
    let dir = MemoryAzureAd::new();
    dir.upsert_user(person(1, "Ann"));
    let c = dir.latest_cursor(&[]).await.unwrap();
    dir.expire_cursors();
    assert!(needs_resync(&dir.changes(&[], &c).await.unwrap()));
}
