//! The system directory: IP Office's 10,000-record limit, several numbers per person.

use ipo_model::{
    AzureAdUser, GroupId, MAX_DIRECTORY_RECORDS, NumberFormat, SystemDirectoryEntry, TeamsNumber,
    UserType,
};
use sync_engine::{
    ActionKind, GroupRule, Link, PersonStatus, PlanOptions, Reason, SyncConfig, SyncState,
    SystemDirectoryNumber, plan,
};

use crate::common::*;

/// A Teams-only person `n` named `Person <n>` with Teams number and extension.
fn teams_only(g: &GroupId, n: u32) -> AzureAdUser {
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
    let d = fits.system_directory.as_ref().expect("directory count");
    assert_eq!((d.records, d.wanted, d.limit), (10_000, 10_000, 10_000));
    assert!(!d.is_held());
    assert_eq!(fits.count(ActionKind::PutDirectoryEntry), 10_000);

    let over = plan(&config, &people, &ipo, &state, &options);
    let d = over.system_directory.as_ref().expect("directory count");
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
        ipo.system_directory.push(SystemDirectoryEntry::new(
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
    let d = p.system_directory.as_ref().expect("directory count");
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

/// A configuration whose directory carries the Teams number and the mobile of each person.
fn with_numbers(g: &GroupId, numbers: &str) -> SyncConfig {
    SyncConfig::from_toml(&format!(
        "[[rules]]\ngroup = \"{}\"\nuser_type = \"teams_only\"\n\n[system_directory]\nnumbers = {numbers}\n",
        g.as_str()
    ))
    .unwrap()
}

fn entry(w: &World, name: &str) -> Option<SystemDirectoryEntry> {
    w.ipo
        .current()
        .system_directory
        .into_iter()
        .find(|d| d.name.as_str() == name)
}

fn number_text(d: &SystemDirectoryEntry) -> String {
    d.number.format(NumberFormat::IpoDirectory).unwrap()
}

#[tokio::test]
async fn a_mobile_is_its_own_entry_updated_removed_and_gone_with_its_person() {
    let g = gid(1);
    let w = World::new(with_numbers(&g, r#"["teams", "mobile"]"#), server());
    let mut ann = with_voice(with_ext(person(1, "ann"), "401"));
    ann.display_name = Some("Ann Lee".into());
    ann.mobile_phone = Some("+44 7700 900123".into());
    w.join(&g, &ann);

    // Created: two entries, two records, both remembered.
    let run = w.apply_ok().await;
    assert_eq!(run.plan.count(ActionKind::PutDirectoryEntry), 2);
    assert_eq!(run.plan.system_directory.as_ref().unwrap().records, 2);
    assert_eq!(
        number_text(&entry(&w, "Ann Lee").unwrap()),
        "4416327401-401"
    );
    let mobile = entry(&w, "Ann Lee (mobile)").expect("the mobile's entry");
    assert_eq!(number_text(&mobile), "447700900123");
    assert_eq!(mobile.source.as_ref(), Some(&ann.id));
    let link = w.link(&ann.id).unwrap();
    assert_eq!(link.directory_entry.unwrap().as_str(), "Ann Lee");
    assert_eq!(
        link.directory_extra[&SystemDirectoryNumber::Mobile].as_str(),
        "Ann Lee (mobile)"
    );
    assert!(w.dry().await.is_empty(), "a second run writes nothing");

    // The mobile changes: that entry alone is updated.
    ann.mobile_phone = Some("+447700900999".into());
    w.join(&g, &ann);
    let run = w.apply_ok().await;
    assert_eq!(run.plan.actions.len(), 1, "{:#?}", run.plan.actions);
    assert_eq!(
        run.plan.actions[0].record.to_string(),
        "directory entry Ann Lee (mobile)"
    );
    assert_eq!(
        number_text(&entry(&w, "Ann Lee (mobile)").unwrap()),
        "447700900999"
    );

    // The mobile disappears: its entry goes, the main one stays.
    ann.mobile_phone = None;
    w.join(&g, &ann);
    let run = w.apply_ok().await;
    assert_eq!(run.plan.count(ActionKind::RemoveDirectoryEntry), 1);
    assert_eq!(run.plan.count(ActionKind::PutDirectoryEntry), 0);
    assert!(entry(&w, "Ann Lee (mobile)").is_none());
    assert!(entry(&w, "Ann Lee").is_some());
    assert!(w.link(&ann.id).unwrap().directory_extra.is_empty());

    // Back with a mobile, then leaving: every entry of theirs goes.
    ann.mobile_phone = Some("+447700900123".into());
    w.join(&g, &ann);
    w.apply_ok().await;
    assert!(entry(&w, "Ann Lee (mobile)").is_some());
    w.leave(&g, &ann.id);
    let run = w.apply_ok().await;
    assert_eq!(run.plan.count(ActionKind::RemoveDirectoryEntry), 2);
    assert_eq!(
        run.plan.person(&ann.id).unwrap().status,
        PersonStatus::Remove
    );
    assert!(w.ipo.current().system_directory.is_empty());
    assert!(w.link(&ann.id).is_none(), "nothing owned is remembered");
}

#[tokio::test]
async fn a_business_phone_is_an_entry_unless_it_is_the_teams_number() {
    let g = gid(1);
    let w = World::new(
        with_numbers(&g, r#"["teams", "business", "mobile"]"#),
        server(),
    );
    // Teams rings +441632768402 x402; the business phone is another number.
    let mut ann = with_voice(person(1, "ann"));
    ann.display_name = Some("Ann Lee".into());
    let mut voice = ipo_model::TeamsVoice::default();
    voice.telephone_numbers = vec![ipo_model::TeamsPhoneNumber::new(
        "tel:+441632768402;ext=402",
        ipo_model::AssignmentCategory::Primary,
    )];
    ann.teams = Some(voice);
    ann.business_phones = vec!["+44 20 7946 0001".into()];
    // The mobile is the business phone again: one entry for it, not two.
    ann.mobile_phone = Some("+442079460001".into());
    // Bo's business phone is the number Teams rings: one entry only.
    let mut bo = with_voice(with_ext(person(2, "bo"), "403"));
    bo.display_name = Some("Bo Chan".into());
    w.join(&g, &ann);
    w.join(&g, &bo);
    let run = w.apply_ok().await;
    let names: Vec<String> = w
        .ipo
        .current()
        .system_directory
        .iter()
        .map(|d| format!("{} = {}", d.name, number_text(d)))
        .collect();
    assert_eq!(
        names.iter().collect::<std::collections::BTreeSet<_>>(),
        [
            "Ann Lee = 441632768402-402",
            "Ann Lee (business) = 442079460001",
            "Bo Chan = 4416327403-403"
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .iter()
        .collect(),
        "{names:#?}"
    );
    assert_eq!(run.plan.system_directory.as_ref().unwrap().records, 3);
}

#[test]
fn labelled_names_fit_in_31_characters_and_stay_unique() {
    let g = gid(1);
    let config = with_numbers(&g, r#"["teams", "mobile"]"#);
    let mut people = Vec::new();
    for n in 1..=2 {
        let mut u = teams_only(&g, n);
        u.display_name = Some("Maximiliana Alexandra Richardson".into());
        u.mobile_phone = Some(format!("+44770090012{n}"));
        people.push(u);
    }
    let p = plan(
        &config,
        &people,
        &server(),
        &SyncState::default(),
        &PlanOptions::new(),
    );
    let mut names: Vec<String> = p
        .actions
        .iter()
        .filter(|a| a.kind == ActionKind::PutDirectoryEntry)
        .map(|a| a.record.to_string())
        .collect();
    names.sort();
    // The main names are made unique as before; a labelled name keeps its label whole and
    // cuts the name instead, then is made unique the same way.
    assert_eq!(
        names,
        [
            "directory entry Maximiliana Alexandr (mobile 2)",
            "directory entry Maximiliana Alexandra (mobile)",
            "directory entry Maximiliana Alexandra Richard 2",
            "directory entry Maximiliana Alexandra Richardso",
        ]
    );
    for n in &names {
        let name = n.trim_start_matches("directory entry ");
        assert!(
            name.chars().count() <= ipo_model::MAX_FULL_NAME_LEN,
            "{name}"
        );
    }
}

#[test]
fn numbers_must_hold_teams_once_and_old_state_files_still_load() {
    let g = gid(1);
    let err = SyncConfig::from_toml(&format!(
        "[[rules]]\ngroup = \"{}\"\nuser_type = \"teams_only\"\n[system_directory]\nnumbers = [\"mobile\"]\n",
        g.as_str()
    ))
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("directory.numbers") && err.contains("teams"),
        "{err}"
    );
    let err = SyncConfig::from_toml(&format!(
        "[[rules]]\ngroup = \"{}\"\nuser_type = \"teams_only\"\n[system_directory]\nnumbers = [\"teams\", \"mobile\", \"mobile\"]\n",
        g.as_str()
    ))
    .unwrap_err()
    .to_string();
    assert!(err.contains("twice"), "{err}");
    assert_eq!(
        SyncConfig::new(Vec::new()).system_directory.numbers,
        vec![SystemDirectoryNumber::Teams],
        "one entry per person unless asked"
    );
    // A link saved before several numbers existed.
    let old = r#"{"user":null,"name":null,"extension":null,"extension_number":null,
        "directory_entry":"Ann Lee","user_type":"teams_only","name_source":null,
        "voice_routing_policy":null}"#;
    let link: Link = serde_json::from_str(old).unwrap();
    assert_eq!(link.directory_entry.unwrap().as_str(), "Ann Lee");
    assert!(link.directory_extra.is_empty());
}

#[tokio::test]
async fn an_extension_from_a_property_keeps_the_number_teams_rings() {
    // The extension comes from extensionAttribute7 (plain digits); the number Teams rings is
    // still read from the Teams configuration, as usertype-rules reads a Teams number.
    let g = gid(1);
    let config = SyncConfig::from_toml(&format!(
        "[[rules]]\ngroup = \"{}\"\nuser_type = \"teams_only\"\n\n[fields]\nextension = {{ source = \"extensionAttribute7\" }}\n",
        g.as_str()
    ))
    .unwrap();
    let w = World::new(config, server());
    let mut ann = with_voice(person(1, "ann"));
    ann.display_name = Some("Ann Lee".into());
    ann.extension_attributes.set(7, Some("402".into()));
    let mut voice = ipo_model::TeamsVoice::default();
    voice.telephone_numbers = vec![ipo_model::TeamsPhoneNumber::new(
        "+441632768402",
        ipo_model::AssignmentCategory::Primary,
    )];
    ann.teams = Some(voice);
    w.join(&g, &ann);
    w.apply_ok().await;
    let ann_entry = entry(&w, "Ann Lee").expect("Ann's directory entry");
    assert_eq!(number_text(&ann_entry), "441632768402-402");
}
