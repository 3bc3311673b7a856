//! Azure AD contacts read by the real Graph client from the Graph emulator (paged), turned
//! into system directory entries by the sync, and removed when they go.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use graph_emulator::Route;
use ipo_model::{DirectoryContact, DirectorySource, NumberFormat};
use support::*;
use sync_engine::{DirectoryNumber, MemoryStateStore, RunOptions, StateStore};

fn contact(n: u32, name: &str, business: Option<&str>, mobile: Option<&str>) -> DirectoryContact {
    let mut c = DirectoryContact::new(format!("0e000000-0000-4000-8000-{n:012}").parse().unwrap());
    c.display_name = Some(name.into());
    c.business_phones = business.into_iter().map(String::from).collect();
    c.mobile_phone = mobile.map(String::from);
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_reach_the_directory_through_graph_and_leave_it() {
    let lab = Lab::simple(&[]).await;
    lab.graph.set_page_size(2);
    let contacts = [
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
    ];
    for c in &contacts {
        lab.graph.add_contact(c);
    }
    // The client reads every page.
    let read = lab.graph_client.contacts().await.unwrap();
    assert_eq!(read.len(), 5);
    assert_eq!(lab.graph.stats().get(Route::Contacts), 3);
    assert_eq!(read[0].mobile_phone.as_deref(), Some("+1 425 555 0199"));

    let mut cfg = config();
    cfg.directory.contacts = true;
    cfg.directory.numbers = vec![DirectoryNumber::Teams, DirectoryNumber::Mobile];
    let state = Arc::new(MemoryStateStore::new());
    let engine = lab.engine(cfg, state.clone());
    let run = engine.run(&RunOptions::apply()).await.unwrap();
    assert_eq!(run.report.unwrap().failures().count(), 0);
    assert_eq!(run.plan.directory.as_ref().unwrap().records, 5);
    let csv = lab.workdir.path().join("ipo-directory.csv");
    let mut entries: Vec<String> = ipo_client::directory::read_directory(&csv)
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} = {}",
                e.name,
                e.number.format(NumberFormat::IpoDirectory).unwrap()
            )
        })
        .collect();
    entries.sort();
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
    let names: Vec<String> = ipo_client::directory::read_directory(&csv)
        .unwrap()
        .iter()
        .map(|e| e.name.to_string())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.iter().all(|n| !n.starts_with("Fabrikam")));
    assert!(!state.load().unwrap().contacts.contains_key(&contacts[0].id));
}
