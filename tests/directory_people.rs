//! Avaya's *Group Directory* and *Tenant Directory* through the real clients and both
//! emulators: people no rule holds get system directory entries (`[sync.system_directory] groups`,
//! `people = "tenant"`), except disabled accounts, resource accounts, people with an IP Office
//! user (found by e-mail, as a classification finds them) and people without a number; the
//! entries go again when the setting does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use ipo_emulator::{EmulatorConfig, Seed};
use ipo_model::{AssignedLicense, AzureAdUser, IpoUser, License, LicensingMode, ObjectId};
use support::*;
use sync_engine::{MemoryStateStore, RunOptions, StateStore, SyncConfig, SystemDirectoryPeople};
use usertype_rules::skus::TEAMS_PHONE_RESOURCE_ACCOUNT_SKU;

/// A group no rule maps: Avaya's *Group Directory*.
const GROUP_EXTRAS: &str = "0a000000-0000-4000-8000-0000000000e1";

fn outsider(n: u32, name: &str, phone: Option<&str>) -> AzureAdUser {
    let mut u = AzureAdUser::new(
        format!("0b000000-0000-4000-8000-0000000009{n:02}")
            .parse()
            .unwrap(),
    );
    u.display_name = Some(name.into());
    let nick = name.to_lowercase().replace(' ', ".");
    u.user_principal_name = Some(format!("{nick}@contoso.example"));
    u.mail = u.user_principal_name.clone();
    u.account_enabled = Some(true);
    u.business_phones = phone.into_iter().map(String::from).collect();
    u
}

async fn apply(lab: &Lab, cfg: SyncConfig, state: &Arc<MemoryStateStore>) -> Vec<String> {
    let engine = lab.engine(cfg, state.clone());
    let run = engine.run(&RunOptions::apply()).await.unwrap();
    assert_eq!(run.report.unwrap().failures().count(), 0);
    let again = engine.run(&RunOptions::dry_run()).await.unwrap();
    assert!(again.plan.is_empty(), "a second run has nothing to do");
    lab.directory_csv_entries()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_outside_the_rules_are_listed_by_group_or_tenant_and_go_again() {
    // An IP Office user the sync does not own, with Vic's e-mail: Vic is listed as that user.
    let mut vic_ipo = IpoUser::new("vicmoss".parse().unwrap(), LicensingMode::Plds);
    vic_ipo.email = Some("Vic.Moss@contoso.example".into());
    vic_ipo.extension = Some("2301".parse().unwrap());
    let ipo: EmulatorConfig = ipo_emulator_config().seed(
        Seed::new()
            .license(License::new("Power User", 100_000, 100_000))
            .user(vic_ipo),
    );
    let lab = Lab::start(&people(12), ipo, |g| g, |_| {}).await;

    let tara = outsider(1, "Tara Quinn", Some("+441632960301"));
    let mut ulf = outsider(2, "Ulf Berg", Some("+441632960302"));
    ulf.account_enabled = Some(false);
    let mut aa = outsider(3, "AA Main", Some("+441632960303"));
    aa.assigned_licenses = vec![AssignedLicense::new(TEAMS_PHONE_RESOURCE_ACCOUNT_SKU)];
    let vic = outsider(4, "Vic Moss", Some("+441632960304"));
    let wren = outsider(5, "Wren Hale", None);
    let yara = outsider(6, "Yara Lind", Some("+441632960306 x306"));
    let everyone = [&tara, &ulf, &aa, &vic, &wren, &yara];
    for u in everyone {
        lab.graph.add_user((*u).clone()).unwrap();
    }
    // The group holds all but Yara, and a Teams-only person the rules already list.
    lab.graph
        .add_group(GROUP_EXTRAS, "Directory extras")
        .unwrap();
    for u in &everyone[..5] {
        lab.graph.add_member(GROUP_EXTRAS, &u.id).unwrap();
    }
    lab.graph.add_member(GROUP_EXTRAS, person_id(5)).unwrap();

    let teams_only = [
        "User 00005 = 441632700005-700005",
        "User 00011 = 441632700011-700011",
    ];
    let state = Arc::new(MemoryStateStore::new());
    assert_eq!(apply(&lab, config(), &state).await, teams_only);

    // Group Directory: of the group's outsiders only Tara (enabled, a person, no IP Office
    // user, a number); User 00005 keeps the one entry the rules give.
    let mut by_group = config();
    by_group.system_directory.groups = vec![GROUP_EXTRAS.parse().unwrap()];
    let got = apply(&lab, by_group, &state).await;
    assert_eq!(
        got,
        ["Tara Quinn = 441632960301", teams_only[0], teams_only[1],]
    );
    let tara_id: ObjectId = tara.id.clone();
    assert!(state.load().unwrap().contacts.contains_key(&tara_id));

    // Tenant Directory: Yara too (her extension in Azure AD's notation is read as such).
    let mut tenant = config();
    tenant.system_directory.people = SystemDirectoryPeople::Tenant;
    let got = apply(&lab, tenant, &state).await;
    assert_eq!(
        got,
        [
            "Tara Quinn = 441632960301",
            teams_only[0],
            teams_only[1],
            "Yara Lind = 441632960306-306",
        ]
    );

    // Back to the rules alone: the outsiders' entries go.
    assert_eq!(apply(&lab, config(), &state).await, teams_only);
    assert!(state.load().unwrap().contacts.is_empty());
}

#[test]
fn listing_people_needs_the_directory_on() {
    let mut cfg = config();
    cfg.system_directory.enabled = false;
    cfg.system_directory.people = SystemDirectoryPeople::Tenant;
    let err = cfg.validate(None).unwrap_err().to_string();
    assert!(err.contains("directory.enabled"), "{err}");
}
