//! Azure AD contacts read by the real Graph client from the Graph emulator (paged), turned
//! into system directory entries by the sync, and removed when they go; on incremental runs
//! read by Graph delta (`/contacts/delta`), only what changed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use graph_emulator::{Route, Stats};
use ipo_model::{AzureAdContact, AzureAdSource};
use support::*;
use sync_engine::{ActionKind, MemoryStateStore, RunOptions, StateStore, SystemDirectoryNumber};

fn contact(n: u32, name: &str, business: Option<&str>, mobile: Option<&str>) -> AzureAdContact {
    let mut c = AzureAdContact::new(format!("0e000000-0000-4000-8000-{n:012}").parse().unwrap());
    c.display_name = Some(name.into());
    c.business_phones = business.into_iter().map(String::from).collect();
    c.mobile_phone = mobile.map(String::from);
    c
}

/// Five contacts: one with a business phone and a mobile, one with each alone, one with
/// no number, one more with a business phone.
fn five_contacts() -> Vec<AzureAdContact> {
    vec![
        contact(
            1,
            "Fabrikam Support",
            Some("+1 425 555 0100"),
            Some("+1 425 555 0199"),
        ),
        contact(2, "Tailspin Desk", Some("+44 20 7946 0002"), None),
        contact(3, "Wingtip Mobile", None, Some("+447700900003")),
        contact(4, "No Number Ltd", None, None),
        contact(5, "Litware Sales", Some("+14255550105"), None),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_reach_the_directory_through_graph_and_leave_it() {
    let lab = Lab::simple(&[]).await;
    lab.graph.set_page_size(2);
    let contacts = five_contacts();
    for c in &contacts {
        lab.graph.add_contact(c);
    }
    // The client reads every page.
    let read = lab.graph_client.contacts().await.unwrap();
    assert_eq!(read.len(), 5);
    assert_eq!(lab.graph.stats().get(Route::Contacts), 3);
    assert_eq!(read[0].mobile_phone.as_deref(), Some("+1 425 555 0199"));

    let mut cfg = config();
    cfg.system_directory.contacts = true;
    cfg.system_directory.numbers =
        vec![SystemDirectoryNumber::Teams, SystemDirectoryNumber::Mobile];
    let state = Arc::new(MemoryStateStore::new());
    let engine = lab.engine(cfg, state.clone());
    let run = engine.run(&RunOptions::apply()).await.unwrap();
    assert_eq!(run.report.unwrap().failures().count(), 0);
    assert_eq!(run.plan.system_directory.as_ref().unwrap().records, 5);
    let entries = lab.directory_csv_entries();
    assert_eq!(
        entries,
        [
            "Fabrikam Support (mobile) = 14255550199",
            "Fabrikam Support = 14255550100",
            "Litware Sales = 14255550105",
            "Tailspin Desk = 442079460002",
            "Wingtip Mobile = 447700900003",
        ]
    );
    assert!(
        engine
            .run(&RunOptions::dry_run())
            .await
            .unwrap()
            .plan
            .is_empty()
    );

    // Fabrikam leaves Azure AD: both its entries go.
    assert!(lab.graph.remove_contact(contacts[0].id.as_str()));
    let run = engine.run(&RunOptions::apply()).await.unwrap();
    assert_eq!(run.report.unwrap().failures().count(), 0);
    let names = lab.directory_csv_entries();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.iter().all(|n| !n.starts_with("Fabrikam")));
    assert!(!state.load().unwrap().contacts.contains_key(&contacts[0].id));
}

/// The contacts' routes a run used: (list pages, delta rounds' pages, reads by id).
fn contact_requests(stats: &Stats) -> (u64, u64, u64) {
    (
        stats.get(Route::Contacts),
        stats.get(Route::ContactsDelta),
        stats.get(Route::Contact),
    )
}

/// A lab with two people (so users are read by delta too) and five contacts, synced once
/// in full with contacts on (mobiles as their own entries).
async fn synced_lab() -> (
    Lab,
    sync_engine::SyncEngine,
    Arc<MemoryStateStore>,
    Vec<AzureAdContact>,
) {
    let lab = Lab::simple(&people(2)).await;
    lab.graph.set_page_size(2);
    let contacts = five_contacts();
    for c in &contacts {
        lab.graph.add_contact(c);
    }
    let mut cfg = config();
    cfg.system_directory.contacts = true;
    cfg.system_directory.numbers =
        vec![SystemDirectoryNumber::Teams, SystemDirectoryNumber::Mobile];
    let state = Arc::new(MemoryStateStore::new());
    let engine = lab.engine(cfg, state.clone());
    lab.graph.reset_stats();
    let run = engine
        .run(&RunOptions::apply().incremental())
        .await
        .unwrap();
    assert_eq!(run.report.unwrap().failures().count(), 0);
    assert!(!run.contacts_incremental);
    assert_eq!(
        run.contacts_full_resync_reason.as_deref(),
        Some("no saved contacts cursor yet")
    );
    // A full read: the "from now on" link first, then the three pages of the listing.
    assert_eq!(contact_requests(&lab.graph.stats()), (3, 1, 0));
    let saved = state.load().unwrap();
    assert!(saved.contacts_cursor.is_some());
    assert_eq!(saved.azure_ad_contacts.len(), 5);
    (lab, engine, state, contacts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_runs_read_only_the_contacts_that_changed() {
    let (lab, engine, state, contacts) = synced_lab().await;
    let before = lab.directory_csv_entries();
    assert_eq!(before.len(), 5, "{before:?}");

    // Nothing changed: one contacts delta request, nothing else about contacts.
    lab.graph.reset_stats();
    let run = engine
        .run(&RunOptions::apply().incremental())
        .await
        .unwrap();
    assert!(
        run.incremental && run.contacts_incremental,
        "{:?}",
        run.contacts_full_resync_reason
    );
    assert!(run.plan.is_empty(), "{:#?}", run.plan.actions);
    let stats = lab.graph.stats();
    assert_eq!(contact_requests(&stats), (0, 1, 0));
    assert_eq!(stats.get(Route::Batch), 0);
    assert_eq!(
        stats.total(),
        3,
        "users, groups and contacts delta: {stats:?}"
    );

    // Tailspin's number changes: the delta names it, its record is read again by id, and
    // exactly its entry is updated.
    let mut tailspin = contacts[1].clone();
    tailspin.business_phones = vec!["+44 20 7946 0999".into()];
    lab.graph.add_contact(&tailspin);
    lab.graph.reset_stats();
    let run = engine
        .run(&RunOptions::apply().incremental())
        .await
        .unwrap();
    assert!(run.contacts_incremental);
    assert_eq!(run.report.as_ref().unwrap().failures().count(), 0);
    let kinds: Vec<(ActionKind, String)> = run
        .plan
        .actions
        .iter()
        .map(|a| (a.kind, a.record.to_string()))
        .collect();
    assert_eq!(kinds.len(), 1, "{kinds:?}");
    assert_eq!(kinds[0].0, ActionKind::PutDirectoryEntry);
    assert!(kinds[0].1.contains("Tailspin Desk"), "{kinds:?}");
    let stats = lab.graph.stats();
    assert_eq!(contact_requests(&stats), (0, 1, 1), "{stats:?}");
    assert_eq!(stats.get(Route::Batch), 1);
    assert_eq!(
        stats.total(),
        5,
        "three delta rounds, one $batch of one read: {stats:?}"
    );
    let after = lab.directory_csv_entries();
    let expected: Vec<String> = before
        .iter()
        .map(|e| {
            if e.starts_with("Tailspin Desk = ") {
                "Tailspin Desk = 442079460999".to_owned()
            } else {
                e.clone()
            }
        })
        .collect();
    assert_eq!(after, expected);
    assert_eq!(
        state.load().unwrap().azure_ad_contacts[&tailspin.id].business_phones,
        ["+44 20 7946 0999"]
    );

    // Fabrikam is deleted: the delta says so (`@removed`), both its entries go, and nothing
    // is read by id.
    assert!(lab.graph.remove_contact(contacts[0].id.as_str()));
    lab.graph.reset_stats();
    let run = engine
        .run(&RunOptions::apply().incremental())
        .await
        .unwrap();
    assert!(run.contacts_incremental);
    assert_eq!(run.report.as_ref().unwrap().failures().count(), 0);
    assert!(
        run.plan
            .actions
            .iter()
            .all(|a| a.kind == ActionKind::RemoveDirectoryEntry),
        "{:#?}",
        run.plan.actions
    );
    assert_eq!(run.plan.actions.len(), 2);
    let stats = lab.graph.stats();
    assert_eq!(contact_requests(&stats), (0, 1, 0));
    assert_eq!(stats.total(), 3, "{stats:?}");
    let names = lab.directory_csv_entries();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.iter().all(|n| !n.starts_with("Fabrikam")));
    let saved = state.load().unwrap();
    assert!(!saved.contacts.contains_key(&contacts[0].id));
    assert!(!saved.azure_ad_contacts.contains_key(&contacts[0].id));

    // A new contact arrives: added from its record read by id.
    let newcomer = contact(6, "Adatum Helpdesk", Some("+14255550106"), None);
    lab.graph.add_contact(&newcomer);
    let run = engine
        .run(&RunOptions::apply().incremental())
        .await
        .unwrap();
    assert!(run.contacts_incremental);
    assert!(
        lab.directory_csv_entries()
            .contains(&"Adatum Helpdesk = 14255550106".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_contacts_delta_link_falls_back_to_a_full_read() {
    let (lab, engine, state, contacts) = synced_lab().await;
    let mut wingtip = contacts[2].clone();
    wingtip.mobile_phone = Some("+447700900333".into());
    lab.graph.add_contact(&wingtip);
    lab.graph.expire_delta_tokens();
    lab.graph.reset_stats();
    let run = engine
        .run(&RunOptions::apply().incremental())
        .await
        .unwrap();
    assert_eq!(run.report.as_ref().unwrap().failures().count(), 0);
    assert!(!run.contacts_incremental);
    let why = run.contacts_full_resync_reason.clone().unwrap();
    assert!(why.contains("410"), "{why}");
    assert_eq!(
        run.report
            .as_ref()
            .unwrap()
            .summary
            .contacts_full_resync_reason
            .as_deref(),
        Some(why.as_str())
    );
    // The expired round, a fresh link, and the whole listing again.
    assert_eq!(contact_requests(&lab.graph.stats()), (3, 2, 0));
    assert!(
        lab.directory_csv_entries()
            .contains(&"Wingtip Mobile = 447700900333".to_owned())
    );
    assert_eq!(state.load().unwrap().azure_ad_contacts.len(), 5);

    // The fresh link serves the next run.
    lab.graph.reset_stats();
    let run = engine
        .run(&RunOptions::apply().incremental())
        .await
        .unwrap();
    assert!(
        run.contacts_incremental,
        "{:?}",
        run.contacts_full_resync_reason
    );
    assert!(run.plan.is_empty(), "{:#?}", run.plan.actions);
    assert_eq!(contact_requests(&lab.graph.stats()), (0, 1, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_contacts_off_no_contacts_request_is_made() {
    let (lab, _, state, _) = synced_lab().await;
    // Contacts turned off: their entries go, their link and records are forgotten, and
    // Graph is not asked about contacts, in full or incremental runs.
    let mut cfg = config();
    cfg.system_directory.numbers =
        vec![SystemDirectoryNumber::Teams, SystemDirectoryNumber::Mobile];
    assert!(!cfg.system_directory.contacts);
    let engine = lab.engine(cfg, state.clone());
    lab.graph.reset_stats();
    for options in [
        RunOptions::apply().incremental(),
        RunOptions::apply(),
        RunOptions::apply().incremental(),
    ] {
        let run = engine.run(&options).await.unwrap();
        assert_eq!(run.report.unwrap().failures().count(), 0);
        assert!(!run.contacts_incremental && run.contacts_full_resync_reason.is_none());
    }
    assert_eq!(contact_requests(&lab.graph.stats()), (0, 0, 0));
    assert!(lab.directory_csv_entries().is_empty());
    let saved = state.load().unwrap();
    assert!(saved.contacts.is_empty());
    assert!(saved.contacts_cursor.is_none() && saved.azure_ad_contacts.is_empty());
}
