//! One test (at least) per bullet of the seed "User Types" (`/work/shared/seed/user-types.txt`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use common::*;
use ipo_model::*;
use usertype_rules::*;

// ---- IP Office only user ----

#[test]
fn ipo_only_user_is_configured_on_ipo_with_an_extension() {
    let mut ipo = system(LicensingMode::Plds);
    ipo.users
        .push(ipo_user(1, "Bob", "201", Profile::BasicUser, Some(false)));
    ipo.users
        .push(ipo_user(2, "NoExt", "", Profile::BasicUser, None));
    let c = run(&[], &ipo);
    let bob = by_ipo(&c, "Bob");
    assert_eq!(bob.user_type, Some(UserType::IpOfficeOnly));
    assert!(bob.problems.is_empty());
    let no_ext = by_ipo(&c, "NoExt");
    assert_eq!(codes(no_ext), ["no_ipo_extension"]);
    // A warning only: still IP Office only, but not hunt-group eligible.
    assert_eq!(no_ext.user_type, Some(UserType::IpOfficeOnly));
    assert!(hunt_group_eligibility(no_ext).is_err());
}

#[test]
fn ipo_only_user_does_not_require_any_specific_profile() {
    for mode in [LicensingMode::Plds, LicensingMode::Subscription] {
        let mut ipo = system(mode);
        for (i, p) in Profile::ALL.into_iter().enumerate() {
            let ext = format!("{}", 300 + i);
            ipo.users
                .push(ipo_user(i as u32, &format!("U{i}"), &ext, p, Some(false)));
        }
        let c = run(&[], &ipo);
        assert_eq!(c.verdicts.len(), Profile::ALL.len());
        for v in &c.verdicts {
            assert_eq!(v.user_type, Some(UserType::IpOfficeOnly), "{v:?}");
        }
        for p in Profile::ALL.into_iter().filter(|p| p.is_valid_in(mode)) {
            assert!(profile_allowed_for(UserType::IpOfficeOnly, p, mode));
        }
    }
}

#[test]
fn ipo_only_user_can_see_and_call_teams_users_from_the_system_directory() {
    // What the directory needs from a Teams-only user: a number or extension, and a name
    // IP Office accepts as a directory name.
    let ipo = system(LicensingMode::Plds);
    let mut bad_name = voice(1, "Lee, Ann (Sales and Marketing EMEA)", "+441632768402");
    bad_name.user_principal_name = Some("ann@contoso.com".into());
    let no_number = voice(2, "Carl Berg", "");
    let c = run(&[bad_name, no_number], &ipo);
    let ann = by_ad(&c, 1);
    let p = ann
        .problems
        .iter()
        .find(|p| p.code() == "invalid_value")
        .unwrap();
    assert_eq!(p.severity(), Severity::Warning);
    assert!(p.to_string().contains("directory name"), "{p}");
    assert!(
        p.to_string().contains("Lee Ann (Sales and Marketing EM"),
        "{p}"
    );
    assert_eq!(ann.user_type, Some(UserType::TeamsOnly));
    let carl = by_ad(&c, 2);
    assert_eq!(codes(carl), ["no_number"]);
    assert_eq!(carl.user_type, None);
    assert_eq!(carl.target, Some(UserType::TeamsOnly));
}

#[test]
fn teams_client_flag_on_without_azure_ad_counterpart_is_a_problem() {
    let mut ipo = system(LicensingMode::Plds);
    ipo.users
        .push(ipo_user(1, "Ghost", "205", Profile::PowerUser, Some(true)));
    let c = run(&[], &ipo);
    let v = by_ipo(&c, "Ghost");
    assert_eq!(codes(v), ["teams_client_without_directory_user"]);
    assert_eq!(v.user_type, None);
    assert_eq!(v.target, Some(UserType::IpOfficeOnly));
    assert!(v.problems[0].to_string().contains("Ghost"));
}

// ---- MS Teams only user ----

#[test]
fn teams_only_user_is_configured_with_teams_number_and_or_extension() {
    let ipo = system(LicensingMode::Plds);
    let users = [
        voice(1, "Both", "+441632768402 x402"),
        voice(2, "Number", "+441632768403"),
        voice(3, "Ext", "x404"),
        voice(4, "None", ""),
    ];
    let c = run(&users, &ipo);
    for n in 1..=3 {
        assert_eq!(by_ad(&c, n).user_type, Some(UserType::TeamsOnly), "{n}");
    }
    assert_eq!(by_ad(&c, 2).facts.teams_extension(), None);
    assert_eq!(
        by_ad(&c, 3).facts.teams_extension().unwrap().as_str(),
        "404"
    );
    assert_eq!(codes(by_ad(&c, 4)), ["no_number"]);
}

#[test]
fn teams_only_user_requires_business_voice_licence() {
    let ipo = system(LicensingMode::Plds);
    let mut licensed = ad(1, "Licensed");
    licensed.business_phones = vec!["x402".into()];
    licensed.assigned_licenses = vec![AssignedLicense::new(
        skus::BUSINESS_VOICE_DIRECT_ROUTING_SKU,
    )];
    let mut unlicensed = ad(2, "Unlicensed");
    unlicensed.business_phones = vec!["x403".into()];
    let mut intended_unlicensed = ad(3, "Wanted");
    intended_unlicensed.business_phones = vec!["x404".into()];
    let intended = BTreeMap::from([(oid(3), UserType::TeamsOnly)]);
    let dir = [licensed, unlicensed, intended_unlicensed];
    let c = classify(
        &ClassifyInput::new(&dir, &ipo).with_intended(&intended),
        &DefaultLicensePolicy::default(),
    );
    assert_eq!(by_ad(&c, 1).user_type, Some(UserType::TeamsOnly));
    // No voice, no IP Office record, no intent: not a telephony user, not a problem.
    let plain = by_ad(&c, 2);
    assert_eq!((plain.user_type, plain.target), (None, None));
    assert!(plain.problems.is_empty() && !plain.is_telephony_user());
    let wanted = by_ad(&c, 3);
    assert_eq!(codes(wanted), ["no_teams_voice"]);
    assert!(wanted.problems[0].to_string().contains("Business Voice"));
}

#[test]
fn teams_only_user_does_not_need_any_ipo_licence() {
    let mut ipo = system(LicensingMode::Plds);
    ipo.licenses.push(License::new("Power User", 1, 0));
    let c = run(&[voice(1, "Ann", "x402")], &ipo);
    let v = by_ad(&c, 1);
    assert_eq!(v.user_type, Some(UserType::TeamsOnly));
    let policy = DefaultLicensePolicy::default();
    assert_eq!(
        policy.profile_for(UserType::TeamsOnly, None, LicensingMode::Plds),
        None
    );
    assert_eq!(
        policy.allowed_profiles(UserType::TeamsOnly, LicensingMode::Plds),
        Some(vec![])
    );
    // Converting an IP Office user to Teams only frees its licence and reserves none.
    let mut ipo2 = system(LicensingMode::Plds);
    ipo2.users
        .push(ipo_user(1, "Bob", "201", Profile::PowerUser, Some(false)));
    let c2 = run(&[], &ipo2);
    let steps = conversion_steps(
        &c2.verdicts[0],
        UserType::TeamsOnly,
        LicensingMode::Plds,
        &policy,
    );
    assert!(steps.contains(&ConversionStep::ReleaseLicence {
        profile: Profile::PowerUser
    }));
    assert!(
        !steps
            .iter()
            .any(|s| matches!(s, ConversionStep::ReserveLicence { .. }))
    );
    assert!(steps.contains(&ConversionStep::RemoveIpoUser));
}

#[test]
fn teams_only_extension_must_not_collide_with_ipo_extensions() {
    let mut ipo = system(LicensingMode::Plds);
    ipo.users
        .push(ipo_user(1, "Bob", "201", Profile::BasicUser, Some(false)));
    ipo.hunt_groups.push(HuntGroup::new(
        "Sales".parse().unwrap(),
        Some("500".parse().unwrap()),
    ));
    ipo.extensions
        .push(Extension::new("600".parse().unwrap(), ExtensionKind::Sip));
    // Matching by extension would pair 201 with Bob; use e-mail only to see the collision.
    let mut config = ClassifyConfig::default();
    config.match_order = vec![MatchKey::Email];
    let dir = [
        voice(1, "A", "x201"),
        voice(2, "B", "x500"),
        voice(3, "C", "x600"),
        voice(4, "D", "x700"),
    ];
    let c = classify(
        &ClassifyInput::new(&dir, &ipo).with_config(config),
        &DefaultLicensePolicy::default(),
    );
    let collision = |n| match &by_ad(&c, n).problems[..] {
        [Problem::ExtensionCollision { with, .. }] => with.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(collision(1), Occupant::User("Bob".into()));
    assert_eq!(collision(2), Occupant::HuntGroup("Sales".into()));
    assert_eq!(collision(3), Occupant::ExtensionRecord);
    assert_eq!(by_ad(&c, 4).user_type, Some(UserType::TeamsOnly));
    assert!(by_ad(&c, 2).problems[0].to_string().contains("range"));
}

#[test]
fn teams_only_user_cannot_join_hunt_group() {
    let ipo = system(LicensingMode::Plds);
    let dir = [voice(1, "Ann", "x402")];
    let claims = [ClaimedMembership::new(oid(1), "Sales")];
    let c = classify(
        &ClassifyInput::new(&dir, &ipo).with_claimed_memberships(&claims),
        &DefaultLicensePolicy::default(),
    );
    let v = by_ad(&c, 1);
    assert_eq!(codes(v), ["hunt_group_membership_impossible"]);
    assert!(v.problems[0].to_string().contains("Sales"));
    let e = hunt_group_eligibility(v).unwrap_err();
    assert_eq!(e.feature, IpoFeature::HuntGroup);
    assert!(e.to_string().contains("no IP Office user record"), "{e}");
    // Without the claim the person is a consistent Teams-only user, still not eligible.
    let c = run(&dir, &ipo);
    assert_eq!(by_ad(&c, 1).user_type, Some(UserType::TeamsOnly));
    assert!(hunt_group_eligibility(by_ad(&c, 1)).is_err());
    assert!(eligibility(by_ad(&c, 1), IpoFeature::Park).is_err());
}

// ---- MS Teams + IP Office user ----

fn pair(
    flag: Option<bool>,
    profile: Profile,
    ipo_ext: &str,
    phone: &str,
) -> (Vec<AzureAdUser>, IpoSnapshot) {
    let mut ipo = system(LicensingMode::Plds);
    let mut u = ipo_user(1, "Ann Lee", ipo_ext, profile, flag);
    u.email = Some("ANN.LEE@contoso.com".into());
    ipo.users.push(u);
    (vec![voice(1, "Ann Lee", phone)], ipo)
}

#[test]
fn teams_and_ipo_user_is_configured_in_both_teams_and_ipo() {
    let (dir, ipo) = pair(Some(true), Profile::PowerUser, "402", "x402");
    let c = run(&dir, &ipo);
    assert_eq!(c.verdicts.len(), 1, "one person, one verdict");
    let v = &c.verdicts[0];
    assert_eq!(v.user_type, Some(UserType::TeamsAndIpOffice));
    // Identity is the e-mail; the equal extension is what makes the pair consistent.
    assert_eq!(v.matched_by, Some(MatchKey::Email));
    assert_eq!(v.person.azure_ad, Some(oid(1)));
    assert_eq!(v.person.ipo, Some(guid(1)));
}

#[test]
fn teams_and_ipo_user_needs_same_extension_on_both_sides() {
    // Matched by e-mail; the extensions differ.
    let (dir, ipo) = pair(Some(true), Profile::PowerUser, "402", "+441632768402 x403");
    let c = run(&dir, &ipo);
    let v = &c.verdicts[0];
    assert_eq!(v.matched_by, Some(MatchKey::Email));
    assert_eq!(codes(v), ["extension_mismatch"]);
    assert_eq!(v.user_type, None);
    assert!(
        v.problems[0]
            .to_string()
            .contains("403 in Teams but 402 on IP Office")
    );
    // Number without extension on the Teams side.
    let (dir, ipo) = pair(Some(true), Profile::PowerUser, "402", "+441632768402");
    let v = &run(&dir, &ipo).verdicts[0];
    assert_eq!(
        v.problems,
        [Problem::ExtensionMismatch {
            teams: None,
            ipo: Some("402".parse().unwrap())
        }]
    );
    let steps = conversion_steps(
        v,
        UserType::TeamsAndIpOffice,
        LicensingMode::Plds,
        &DefaultLicensePolicy::default(),
    );
    assert_eq!(
        steps,
        [ConversionStep::SetTeamsExtension {
            extension: Some("402".parse().unwrap())
        }]
    );
}

#[test]
fn teams_and_ipo_user_can_also_have_a_teams_telephone_number() {
    let (mut dir, ipo) = pair(Some(true), Profile::OfficeWorker, "402", "");
    let mut teams = TeamsVoice::default();
    teams.telephone_numbers = vec![
        TeamsPhoneNumber::new("+441632768499", AssignmentCategory::Alternate),
        TeamsPhoneNumber::new("tel:+441632768402;ext=402", AssignmentCategory::Primary),
    ];
    teams.enterprise_voice_enabled = Some(true);
    teams.account_type = Some("user".into());
    dir[0].teams = Some(teams);
    let c = run(&dir, &ipo);
    let v = &c.verdicts[0];
    assert_eq!(
        v.user_type,
        Some(UserType::TeamsAndIpOffice),
        "{:?}",
        v.problems
    );
    let n = v.facts.teams_number.as_ref().unwrap();
    assert_eq!(n.number().unwrap().digits(), "441632768402");
}

#[test]
fn teams_and_ipo_user_requires_business_voice_licence() {
    let (mut dir, ipo) = pair(Some(true), Profile::PowerUser, "402", "x402");
    dir[0].assigned_plans.clear();
    let v = &run(&dir, &ipo).verdicts[0];
    assert_eq!(v.target, Some(UserType::TeamsAndIpOffice));
    assert_eq!(
        v.problems,
        [Problem::NoTeamsVoice {
            needed_for: UserType::TeamsAndIpOffice
        }]
    );
    let steps = conversion_steps(
        v,
        UserType::TeamsAndIpOffice,
        LicensingMode::Plds,
        &DefaultLicensePolicy::default(),
    );
    assert_eq!(steps, [ConversionStep::AssignTeamsVoiceLicence]);
}

#[test]
fn plds_allows_office_worker_teleworker_power_user_for_teams() {
    let t = UserType::TeamsAndIpOffice;
    let m = LicensingMode::Plds;
    for p in Profile::ALL {
        let expected = matches!(
            p,
            Profile::OfficeWorker | Profile::Teleworker | Profile::PowerUser
        );
        assert_eq!(profile_allowed_for(t, p, m), expected, "{p}");
        let (dir, ipo) = pair(Some(true), p, "402", "x402");
        let v = &run(&dir, &ipo).verdicts[0];
        assert_eq!(v.user_type.is_some(), expected, "{p}: {:?}", v.problems);
        if !expected {
            let msg = v.problems[0].to_string();
            assert!(
                msg.contains("Power User, Office Worker, Teleworker"),
                "{msg}"
            );
        }
    }
}

#[test]
fn subscription_allows_only_uc_user_for_teams() {
    let t = UserType::TeamsAndIpOffice;
    let m = LicensingMode::Subscription;
    for p in Profile::ALL {
        assert_eq!(profile_allowed_for(t, p, m), p == Profile::UcUser, "{p}");
    }
    let mut ipo = system(m);
    ipo.users.push(ipo_user(
        1,
        "Ann Lee",
        "402",
        Profile::TelephonyPlusUser,
        Some(true),
    ));
    let v = &run(&[voice(1, "Ann Lee", "x402")], &ipo).verdicts[0];
    match &v.problems[..] {
        [Problem::ProfileNotAllowed { allowed, mode, .. }] => {
            assert_eq!(allowed, &[Profile::UcUser]);
            assert_eq!(*mode, m);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn power_user_only_policy_is_configuration_not_code() {
    let policy: DefaultLicensePolicy = serde_json::from_str(
        r#"{"teams_profiles":{"plds":["power_user"],"subscription":["uc_user"]}}"#,
    )
    .unwrap();
    let (dir, ipo) = pair(Some(true), Profile::OfficeWorker, "402", "x402");
    let c = classify(&ClassifyInput::new(&dir, &ipo), &policy);
    assert_eq!(codes(&c.verdicts[0]), ["profile_not_allowed"]);
    let steps = conversion_steps(
        &c.verdicts[0],
        UserType::TeamsAndIpOffice,
        LicensingMode::Plds,
        &policy,
    );
    assert_eq!(
        steps,
        [
            ConversionStep::ChangeProfile {
                from: Profile::OfficeWorker,
                to: Profile::PowerUser
            },
            ConversionStep::ReserveLicence {
                profile: Profile::PowerUser
            },
            ConversionStep::ReleaseLicence {
                profile: Profile::OfficeWorker
            },
        ]
    );
}

#[test]
fn teams_and_ipo_user_needs_enable_ms_teams_client_flag() {
    // Incoming calls alert both only with the flag on.
    let (dir, ipo) = pair(Some(false), Profile::PowerUser, "402", "x402");
    let v = &run(&dir, &ipo).verdicts[0];
    assert_eq!(v.target, Some(UserType::TeamsAndIpOffice));
    assert_eq!(codes(v), ["teams_client_off"]);
    assert!(v.problems[0].to_string().contains("Enable MS Teams Client"));
    assert!(v.problems[0].sync_can_fix());
    let steps = conversion_steps(
        v,
        UserType::TeamsAndIpOffice,
        LicensingMode::Plds,
        &DefaultLicensePolicy::default(),
    );
    assert_eq!(steps, [ConversionStep::SetTeamsClient { on: true }]);
}

#[test]
fn teams_and_ipo_user_can_join_hunt_groups_and_park_page() {
    let (dir, mut ipo) = pair(Some(true), Profile::PowerUser, "402", "x402");
    let mut sales = HuntGroup::new("Sales".parse().unwrap(), Some("500".parse().unwrap()));
    sales.members.push("402".parse().unwrap());
    ipo.hunt_groups.push(sales);
    let claims = [ClaimedMembership::new(oid(1), "Sales")];
    let c = classify(
        &ClassifyInput::new(&dir, &ipo).with_claimed_memberships(&claims),
        &DefaultLicensePolicy::default(),
    );
    let v = &c.verdicts[0];
    assert!(v.problems.is_empty(), "{:?}", v.problems);
    assert_eq!(v.facts.hunt_groups, ["Sales"]);
    for f in [IpoFeature::HuntGroup, IpoFeature::Park, IpoFeature::Page] {
        assert!(eligibility(v, f).is_ok());
    }
    // Converting to Teams only takes them out of the group.
    let steps = conversion_steps(
        v,
        UserType::TeamsOnly,
        LicensingMode::Plds,
        &DefaultLicensePolicy::default(),
    );
    assert!(steps.contains(&ConversionStep::RemoveFromHuntGroups {
        hunt_groups: vec!["Sales".into()]
    }));
}

// ---- How these user types are created (sync groups -> intended types) ----

#[test]
fn intended_type_from_sync_group_is_checked() {
    let mut ipo = system(LicensingMode::Plds);
    ipo.users.push(ipo_user(
        1,
        "Ann Lee",
        "402",
        Profile::PowerUser,
        Some(true),
    ));
    let dir = [
        voice(1, "Ann Lee", "x402"),
        voice(2, "Carl", "x410"),
        ad(3, "Dora"),
    ];
    let intended = BTreeMap::from([
        (oid(1), UserType::TeamsOnly),
        (oid(2), UserType::TeamsAndIpOffice),
        (oid(3), UserType::IpOfficeOnly),
    ]);
    let c = classify(
        &ClassifyInput::new(&dir, &ipo).with_intended(&intended),
        &DefaultLicensePolicy::default(),
    );
    // Her IP Office user still has 402: a directory entry under it would ring that user.
    assert_eq!(
        codes(by_ad(&c, 1)),
        ["unexpected_ipo_record", "extension_collision"]
    );
    assert_eq!(codes(by_ad(&c, 2)), ["no_ipo_record"]);
    assert_eq!(codes(by_ad(&c, 3)), ["no_ipo_record"]);
    assert_eq!(by_ad(&c, 3).facts.intended, Some(UserType::IpOfficeOnly));
    let steps = conversion_steps(
        by_ad(&c, 2),
        UserType::TeamsAndIpOffice,
        LicensingMode::Plds,
        &DefaultLicensePolicy::default(),
    );
    assert_eq!(
        steps,
        [
            ConversionStep::CreateIpoUser {
                extension: Some("410".parse().unwrap()),
                profile: Some(Profile::PowerUser)
            },
            ConversionStep::ReserveLicence {
                profile: Profile::PowerUser
            },
            ConversionStep::SetTeamsClient { on: true },
        ]
    );
}
