//! The system directory: IP Office's 10,000-record limit, several numbers per person.

use ipo_model::{
    DirectoryEntry, DirectoryUser, GroupId, MAX_DIRECTORY_RECORDS, NumberFormat, TeamsNumber,
    UserType,
};
use sync_engine::{
    ActionKind, GroupRule, Link, PersonStatus, PlanOptions, Reason, SyncConfig, SyncState, plan,
};

use crate::common::*;

/// A Teams-only person `n` named `Person <n>` with Teams number and extension.
fn teams_only(g: &GroupId, n: u32) -> DirectoryUser {
    let mut u = with_voice(with_ext(
        person(n, &format!("p{n}")),
        &format!("{}", 10_000 + n),
    ));
    u.display_name = Some(format!("Person {n}"));
    u.groups.insert(g.clone());
    u
}

fn teams_only_config(g: &GroupId) -> SyncConfig {
    SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::TeamsOnly)])
}

#[test]
fn ten_thousand_records_fit_and_one_more_holds_every_new_entry() {
    let g = gid(1);
    let config = teams_only_config(&g);
    let people: Vec<_> = (1..=MAX_DIRECTORY_RECORDS as u32 + 1)
        .map(|n| teams_only(&g, n))
        .collect();
    let (ipo, state, options) = (server(), SyncState::default(), PlanOptions::new());

    let fits = plan(
        &config,
        &people[..MAX_DIRECTORY_RECORDS],
        &ipo,
        &state,
        &options,
    );
    let d = fits.directory.as_ref().expect("directory count");
    assert_eq!((d.records, d.wanted, d.limit), (10_000, 10_000, 10_000));
    assert!(!d.is_held());
    assert_eq!(fits.count(ActionKind::PutDirectoryEntry), 10_000);

    let over = plan(&config, &people, &ipo, &state, &options);
    let d = over.directory.as_ref().expect("directory count");
    assert_eq!((d.records, d.wanted, d.limit), (0, 10_001, 10_000));
    assert_eq!(
        d.held.len(),
        10_001,
        "every new entry waits, not the first 10,000"
    );
    assert_eq!(over.count(ActionKind::PutDirectoryEntry), 0);
    let line = over.person(&people[0].id).unwrap();
    assert_eq!(line.status, PersonStatus::Skipped);
    assert!(line.reasons.contains(&Reason::DirectoryFull {
        records: 10_001,
        limit: 10_000
    }));
    let note = over
        .notes
        .iter()
        .find(|n| n.contains("10001 records") && n.contains("limit of 10000"))
        .expect("a note naming the count and the limit");
    assert!(note.contains("held"), "{note}");
    let text = sync_engine::render_plan(&over, sync_engine::Style::default());
    assert!(
        text.contains("HELD the system directory would hold 10001"),
        "{text}"
    );
    assert!(
        text.contains("0 records after the plan, of IP Office's 10000"),
        "{text}"
    );
}

#[test]
fn over_the_limit_the_directory_keeps_what_it_has_and_changes_and_leavers_go_through() {
    let g = gid(1);
    let config = teams_only_config(&g);
    let mut people: Vec<_> = (1..=MAX_DIRECTORY_RECORDS as u32)
        .map(|n| teams_only(&g, n))
        .collect();
    // Every one of the 10,000 already has their entry, made by the sync.
    let mut ipo = server();
    let mut state = SyncState::default();
    for p in &people {
        let name: ipo_model::FullName = p.display_name.clone().unwrap().parse().unwrap();
        let number =
            TeamsNumber::parse_as(&p.business_phones[0], NumberFormat::AzurePortal).unwrap();
        ipo.directory.push(DirectoryEntry::new(
            name.clone(),
            number,
            Some(p.id.clone()),
        ));
        let mut link = Link::new(UserType::TeamsOnly);
        link.directory_entry = Some(name);
        state.links.insert(p.id.clone(), link);
    }
    // Person 1 leaves, person 2's number changes, two newcomers arrive: 10,001 wanted.
    let leaver = people.remove(0);
    people[0].business_phones = vec!["+441632788888 x50001".into()];
    let changed = people[0].id.clone();
    people.push(teams_only(&g, 20_001));
    people.push(teams_only(&g, 20_002));

    let p = plan(&config, &people, &ipo, &state, &PlanOptions::new());
    let d = p.directory.as_ref().expect("directory count");
    assert_eq!(d.wanted, 10_001);
    assert_eq!(
        d.records, 9_999,
        "the leaver's entry goes, no newcomer comes"
    );
    assert_eq!(d.held, vec![oid(20_001), oid(20_002)]);
    assert_eq!(p.count(ActionKind::RemoveDirectoryEntry), 1);
    let puts: Vec<_> = p
        .actions
        .iter()
        .filter(|a| a.kind == ActionKind::PutDirectoryEntry)
        .collect();
    assert_eq!(puts.len(), 1, "{:#?}", p.person(&changed));
    assert_eq!(puts[0].person.as_ref(), Some(&changed), "the number change");
    assert_eq!(p.person(&leaver.id).unwrap().status, PersonStatus::Remove);
    assert_eq!(
        p.person(&oid(20_001)).unwrap().status,
        PersonStatus::Skipped
    );
    assert_eq!(p.person(&changed).unwrap().status, PersonStatus::Update);
}
