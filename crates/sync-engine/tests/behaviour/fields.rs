//! Mapped fields: names, on-create versus always, hunt-group membership.

use std::collections::BTreeSet;

use ipo_model::{HuntGroup, UserName, UserType};
use sync_engine::{
    ActionKind, Cleaning, FieldMap, GroupRule, PersonStatus, ProvisioningRule, Reason, SyncConfig,
};

use crate::common::*;

fn ipo_only(g: &ipo_model::GroupId) -> SyncConfig {
    SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::IpOfficeOnly)])
}

#[tokio::test]
async fn name_derived_and_made_unique_case_insensitively() {
    let g = gid(1);
    let mut s = server();
    s.users.push(ipo_user("ANN LEE", Some("1999")));
    let mut cfg = SyncConfig::new(vec![{
        let mut r = GroupRule::new(g.clone(), UserType::IpOfficeOnly);
        r.provisioning_rule = Some("desk".into());
        r
    }]);
    let mut rule = ProvisioningRule::new("desk");
    rule.start_extension = Some(ext("2000"));
    cfg.provisioning_rules = vec![rule];
    let w = World::new(cfg, s);
    let spellings = [
        "Ann Lee", "ann lee", "ANN LEE", "Ann  Lee", "Ann.Lee", "ann, lee",
    ];
    let mut people = Vec::new();
    for n in 0..500u32 {
        let p = person(n + 1, spellings[n as usize % spellings.len()]);
        w.join(&g, &p);
        people.push(p);
    }
    let run = w.apply_ok().await;
    assert_eq!(run.plan.count(ActionKind::CreateUser), 500);
    let now = w.ipo.current();
    let mut keys = BTreeSet::new();
    for p in &people {
        let u = w.user_of(&p.id).expect("every person has a user");
        assert!(u.name.as_str().chars().count() <= 15, "{}", u.name);
        assert!(
            u.name.as_str().parse::<UserName>().is_ok(),
            "invalid name {}",
            u.name
        );
        assert!(keys.insert(u.name.uniqueness_key()), "duplicate {}", u.name);
    }
    assert!(
        !keys.contains("ann lee"),
        "the unowned ANN LEE keeps its name"
    );
    assert_no_duplicates(&now);
    // A name changed from its source says so.
    let dotted = run.plan.person(&people[4].id).unwrap();
    assert!(
        dotted
            .reasons
            .iter()
            .any(|r| matches!(r, Reason::NameDerived { from, .. } if from == "Ann.Lee")),
        "{:?}",
        dotted.reasons
    );
    assert!(w.dry().await.is_empty());
}

#[tokio::test]
async fn rename_only_when_name_source_changes() {
    let g = gid(1);
    let mut s = server();
    s.users.push(ipo_user("ann", Some("300")));
    let w = World::new(ipo_only(&g), s);
    let ann = with_ext(person(1, "ann"), "401");
    w.join(&g, &ann);
    w.apply_ok().await;
    assert_eq!(w.user_of(&ann.id).unwrap().name.as_str(), "ann2");

    // The name "ann" becomes free, but the source did not change: no rename.
    w.ipo.edit(|s| s.users.retain(|u| u.name.as_str() != "ann"));
    let plan = w.dry().await;
    assert!(plan.is_empty(), "{:#?}", plan.actions);
    // Other fields changing do not rename either.
    w.dir
        .modify_user(&ann.id, |u| u.display_name = Some("Ann Lee".into()));
    w.apply_ok().await;
    assert_eq!(w.user_of(&ann.id).unwrap().name.as_str(), "ann2");

    // The source changes: renamed.
    w.dir
        .modify_user(&ann.id, |u| u.mail_nickname = Some("anna".into()));
    let run = w.apply_ok().await;
    let update = run
        .plan
        .actions
        .iter()
        .find(|a| a.kind == ActionKind::UpdateUser)
        .unwrap();
    assert!(
        update
            .changes
            .iter()
            .any(|c| c.field == "Name" && c.new.as_deref() == Some("anna"))
    );
    assert_eq!(w.user_of(&ann.id).unwrap().name.as_str(), "anna");
    assert_eq!(
        w.link(&ann.id).unwrap().name_source.as_deref(),
        Some("anna")
    );
    assert!(w.dry().await.is_empty());
}

#[tokio::test]
async fn a_name_freed_by_a_rename_is_not_given_to_a_newcomer_in_the_same_run() {
    let g = gid(1);
    let w = World::new(ipo_only(&g), server());
    let bob = with_ext(person(1, "bob"), "401");
    w.join(&g, &bob);
    w.apply_ok().await;
    // Bob becomes Robert, and a new Bob joins (later in person order). Creates are
    // written before updates, so "bob" still exists in IP Office when the newcomer's user
    // is created: the newcomer must not be given it.
    w.dir
        .modify_user(&bob.id, |u| u.mail_nickname = Some("robert".into()));
    let newcomer = with_ext(person(2, "bob"), "402");
    w.join(&g, &newcomer);
    let run = w.apply_ok().await;
    assert_eq!(w.user_of(&bob.id).unwrap().name.as_str(), "robert");
    assert_eq!(w.user_of(&newcomer.id).unwrap().name.as_str(), "bob2");
    let line = run.plan.person(&newcomer.id).unwrap();
    assert_eq!(line.ipo_name.as_ref().unwrap().as_str(), "bob2");
    assert!(w.dry().await.is_empty());
}

#[tokio::test]
async fn on_create_fields_are_not_updated() {
    let g = gid(1);
    let mut cfg = ipo_only(&g);
    cfg.fields.full_name = Some(FieldMap::on_create("displayName"));
    let w = World::new(cfg, server());
    let ann = with_ext(person(1, "ann"), "401");
    w.join(&g, &ann);
    w.apply_ok().await;
    assert_eq!(
        w.user("ann").unwrap().full_name.unwrap().as_str(),
        "ann Person"
    );
    w.dir
        .modify_user(&ann.id, |u| u.display_name = Some("Ann Lee-Smith".into()));
    let plan = w.dry().await;
    assert!(plan.is_empty(), "{:#?}", plan.actions);
    w.apply_ok().await;
    assert_eq!(
        w.user("ann").unwrap().full_name.unwrap().as_str(),
        "ann Person"
    );
}

#[tokio::test]
async fn always_fields_are_updated() {
    let g = gid(1);
    let mut cfg = ipo_only(&g);
    cfg.fields.email = Some(FieldMap::always("mail"));
    cfg.fields.mobile_twinning = Some(FieldMap::always("mobilePhone"));
    let w = World::new(cfg, server());
    let ann = with_ext(person(1, "ann"), "401");
    w.join(&g, &ann);
    w.apply_ok().await;
    w.dir.modify_user(&ann.id, |u| {
        u.mail = Some("ann.lee@contoso.com".into());
        u.mobile_phone = Some("+44 7700 900123".into());
    });
    let run = w.apply_ok().await;
    assert_eq!(run.plan.count(ActionKind::UpdateUser), 1);
    let changes = &run.plan.actions[0].changes;
    let email = changes.iter().find(|c| c.field == "Email").unwrap();
    assert_eq!(email.old.as_deref(), Some("ann1@contoso.com"));
    assert_eq!(email.new.as_deref(), Some("ann.lee@contoso.com"));
    let u = w.user("ann").unwrap();
    assert_eq!(u.email.as_deref(), Some("ann.lee@contoso.com"));
    assert_eq!(u.mobile_twinning_number.as_deref(), Some("+447700900123"));
    assert!(w.dry().await.is_empty());
}

fn hunt_config(g: &ipo_model::GroupId, t: UserType) -> SyncConfig {
    let mut cfg = SyncConfig::new(vec![GroupRule::new(g.clone(), t)]);
    cfg.fields.hunt_groups = Some(FieldMap::always("extensionAttribute1"));
    cfg
}

fn with_hunt_groups() -> ipo_model::IpoSnapshot {
    let mut s = server();
    s.users.push(ipo_user("desk", Some("300")));
    let mut sales = HuntGroup::new("Sales".parse().unwrap(), Some(ext("600")));
    sales.members = vec![ext("300")];
    let mut support = HuntGroup::new("Support".parse().unwrap(), Some(ext("601")));
    support.members = vec![ext("300")];
    s.hunt_groups = vec![sales, support];
    s
}

fn members(w: &World, name: &str) -> Vec<String> {
    w.ipo
        .current()
        .hunt_groups
        .into_iter()
        .find(|h| h.name.as_str() == name)
        .unwrap()
        .members
        .iter()
        .map(|m| m.to_string())
        .collect()
}

#[tokio::test]
async fn hunt_group_membership_from_comma_separated_source() {
    let g = gid(1);
    let w = World::new(hunt_config(&g, UserType::IpOfficeOnly), with_hunt_groups());
    let mut ann = with_ext(person(1, "ann"), "401");
    ann.extension_attributes
        .set(1, Some("Sales, Support ,Nowhere".into()));
    let mut bob = with_ext(person(2, "bob"), "402");
    bob.extension_attributes.set(1, Some("Support".into()));
    w.join(&g, &ann);
    w.join(&g, &bob);
    let run = w.apply_ok().await;
    assert_eq!(run.plan.count(ActionKind::UpdateHuntGroup), 2);
    assert!(
        run.plan.notes.iter().any(|n| n.contains("Nowhere")),
        "{:?}",
        run.plan.notes
    );
    assert_eq!(members(&w, "Sales"), ["300", "401"]);
    assert_eq!(members(&w, "Support"), ["300", "401", "402"]);
    assert!(w.dry().await.is_empty());

    // Leaving a hunt group in Azure AD removes only that membership; members the sync does
    // not manage stay.
    w.dir.modify_user(&ann.id, |u| {
        u.extension_attributes.set(1, Some("Support".into()))
    });
    w.apply_ok().await;
    assert_eq!(members(&w, "Sales"), ["300"]);
    assert_eq!(members(&w, "Support"), ["300", "401", "402"]);
    assert!(w.dry().await.is_empty());
}

#[tokio::test]
async fn teams_only_user_cannot_join_hunt_group() {
    let g = gid(1);
    let w = World::new(hunt_config(&g, UserType::TeamsOnly), with_hunt_groups());
    let mut ann = with_voice(with_ext(person(1, "ann"), "401"));
    ann.extension_attributes.set(1, Some("Sales".into()));
    w.join(&g, &ann);
    let run = w.apply_ok().await;
    let line = run.plan.person(&ann.id).unwrap();
    assert_reason!(
        line,
        Reason::HuntGroupNotAllowed { groups } if groups == &vec!["Sales".to_string()]
    );
    assert_eq!(run.plan.count(ActionKind::UpdateHuntGroup), 0);
    assert_eq!(members(&w, "Sales"), ["300"]);
    // The directory entry is still made: the hunt group is a warning, not a block.
    assert_eq!(line.status, PersonStatus::Create);
    assert_eq!(w.ipo.current().system_directory.len(), 1);
}

/// Plans Ann with `display_name` as her Full Name's source and returns her line's Full Name
/// cleaning, with the plan as the terminal shows it.
async fn full_name_cleaning(display_name: &str) -> (Reason, String) {
    let g = gid(1);
    let mut cfg = ipo_only(&g);
    cfg.fields.full_name = Some(FieldMap::on_create("displayName"));
    let w = World::new(cfg, server());
    let mut ann = with_ext(person(1, "ann"), "401");
    ann.display_name = Some(display_name.into());
    w.join(&g, &ann);
    let plan = w.dry().await;
    let reason = plan
        .person(&ann.id)
        .unwrap()
        .reasons
        .iter()
        .find(|r| matches!(r, Reason::ValueCleaned { .. }))
        .cloned()
        .expect("the Full Name was cleaned");
    let text = sync_engine::render_plan(&plan, sync_engine::Style::default());
    (reason, text)
}

#[tokio::test]
async fn a_name_only_too_long_says_it_was_cut() {
    let long = "Bartholomew Montgomery-Featherstonehaugh";
    let (reason, text) = full_name_cleaning(long).await;
    let Reason::ValueCleaned {
        original,
        result,
        cleaning,
        ..
    } = &reason
    else {
        unreachable!()
    };
    assert_eq!(*cleaning, Cleaning::Cut { max: 31 });
    assert_eq!(original, long);
    assert_eq!(result, "Bartholomew Montgomery-Feathers");
    let said = reason.to_string();
    assert!(said.contains("cut to 31 characters"), "{said}");
    assert!(!said.contains("refuse"), "{said}");
    assert!(text.contains(&said), "{text}");

    let (both, _) = full_name_cleaning("Dr. Bartholomew Montgomery-Featherstonehaugh").await;
    assert!(
        matches!(
            both,
            Reason::ValueCleaned {
                cleaning: Cleaning::CutAndCharactersRemoved { max: 31 },
                ..
            }
        ),
        "{both:?}"
    );
    let (removed, _) = full_name_cleaning("Dr. Ann Lee").await;
    assert!(
        matches!(
            removed,
            Reason::ValueCleaned {
                cleaning: Cleaning::CharactersRemoved,
                ..
            }
        ),
        "{removed:?}"
    );
}

#[tokio::test]
async fn a_hostile_name_is_shown_once_as_it_is_then_as_cleaned() {
    let hostile = r#""<img src=x> C:\temp\ 'q'"#;
    let (reason, text) = full_name_cleaning(hostile).await;
    let said = reason.to_string();
    assert_eq!(
        said,
        format!(
            "Full Name from displayName had characters IP Office refuses removed: {hostile} -> \
             \"<img src=x C:\\temp\\ 'q'"
        )
    );
    assert_eq!(text.matches(hostile).count(), 1, "{text}");
    assert!(!text.contains(r#"\""#) && !text.contains(r"\\"), "{text}");
}

#[tokio::test]
async fn directory_names_never_start_a_spreadsheet_formula() {
    let g = gid(1);
    let w = World::new(
        SyncConfig::new(vec![GroupRule::new(g.clone(), UserType::TeamsOnly)]),
        server(),
    );
    let mut ann = with_voice(with_ext(person(1, "ann"), "401"));
    ann.display_name = Some("=HYPERLINK(evil)".into());
    let mut bob = with_voice(with_ext(person(2, "bob"), "402"));
    bob.display_name = Some("@-+=".into());
    w.join(&g, &ann);
    w.join(&g, &bob);
    let run = w.apply_ok().await;

    let names: Vec<String> = w
        .ipo
        .current()
        .system_directory
        .iter()
        .map(|d| d.name.to_string())
        .collect();
    assert_eq!(names, ["HYPERLINK(evil)"]);
    let ann_line = run.plan.person(&ann.id).unwrap();
    assert_reason!(
        ann_line,
        Reason::ValueCleaned { field, original, result, cleaning: Cleaning::FormulaStartRemoved, .. }
            if field == "Directory Name" && original == "=HYPERLINK(evil)" && result == "HYPERLINK(evil)"
    );
    // Nothing is left of Bob's name: he is held with a reason, not silently skipped.
    let bob_line = run.plan.person(&bob.id).unwrap();
    assert_eq!(bob_line.status, PersonStatus::Skipped);
    assert_reason!(
        bob_line,
        Reason::InvalidValue { field, .. } if field == "Directory Name"
    );
}

#[tokio::test]
async fn an_email_with_invisible_characters_is_refused_and_the_field_left_alone() {
    let g = gid(1);
    let w = World::new(ipo_only(&g), server());
    let mut ann = with_ext(person(1, "ann"), "401");
    // Looks like ann@contoso.com, is not: a zero-width space after "ann".
    ann.mail = Some("ann\u{200B}@contoso.com".into());
    w.join(&g, &ann);
    let run = w.apply_ok().await;
    let line = run.plan.person(&ann.id).unwrap();
    assert_eq!(line.status, PersonStatus::Create);
    assert_reason!(
        line,
        Reason::InvalidValue { field, .. } if field == "Email"
    );
    assert_eq!(w.user("ann").unwrap().email, None);
}
