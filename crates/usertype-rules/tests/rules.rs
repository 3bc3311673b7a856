//! Matching, licence detection, Teams-side problems, names, pool and serde.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use common::*;
use ipo_model::*;
use usertype_rules::*;

// ---- matching ----

#[test]
fn sync_link_wins_over_extension_and_linked_user_is_not_taken_by_weaker_keys() {
    let mut ipo = system(LicensingMode::Plds);
    ipo.users
        .push(ipo_user(1, "Ann", "402", Profile::PowerUser, Some(true)));
    ipo.users
        .push(ipo_user(2, "Other", "403", Profile::PowerUser, Some(true)));
    // Ann's AD user says x403 but is linked to IP Office user 1 (ext 402);
    // Ben says x402, which belongs to the linked user: Ben must not take it.
    let dir = [voice(1, "Ann", "x403"), voice(2, "Ben", "x402")];
    let links = BTreeMap::from([(oid(1), guid(1))]);
    let c = classify(
        &ClassifyInput::new(&dir, &ipo).with_links(&links),
        &DefaultLicensePolicy::default(),
    );
    let ann = by_ad(&c, 1);
    assert_eq!(ann.matched_by, Some(MatchKey::SyncLink));
    assert_eq!(ann.person.ipo, Some(guid(1)));
    // x403 belongs to Other: moving Ann's user there would take Other's number.
    assert_eq!(codes(ann), ["extension_mismatch", "extension_collision"]);
    let ben = by_ad(&c, 2);
    assert_eq!(ben.matched_by, None);
    assert_eq!(codes(ben), ["extension_collision"]);
    assert_eq!(c.verdicts.len(), 3, "Ann+1, Ben, Other");
}

#[test]
fn stale_link_is_reported_and_weaker_keys_still_match() {
    let mut ipo = system(LicensingMode::Plds);
    ipo.users
        .push(ipo_user(2, "Ann", "402", Profile::PowerUser, Some(true)));
    let dir = [voice(1, "Ann", "x402")];
    let links = BTreeMap::from([(oid(1), guid(9))]);
    let c = classify(
        &ClassifyInput::new(&dir, &ipo).with_links(&links),
        &DefaultLicensePolicy::default(),
    );
    let v = by_ad(&c, 1);
    assert_eq!(codes(v), ["stale_link"]);
    assert_eq!(v.matched_by, Some(MatchKey::Email));
    assert_eq!(v.user_type, Some(UserType::TeamsAndIpOffice));
}

#[test]
fn two_ipo_users_for_one_azure_ad_user_is_ambiguous() {
    let mut ipo = system(LicensingMode::Plds);
    let mut a = ipo_user(1, "Ann1", "402", Profile::PowerUser, Some(true));
    a.email = Some("ann@contoso.com".into());
    let mut b = ipo_user(2, "Ann2", "403", Profile::PowerUser, Some(true));
    b.voicemail_email = Some("Ann@Contoso.com".into());
    ipo.users.extend([a, b]);
    let mut d = voice(1, "Ann", "");
    d.user_principal_name = Some("ann@contoso.com".into());
    let c = run(&[d], &ipo);
    assert_eq!(c.verdicts.len(), 3);
    let v = by_ad(&c, 1);
    match &v.problems[..] {
        [Problem::AmbiguousMatch { key, candidates }, ..] => {
            assert_eq!(*key, MatchKey::Email);
            let names: Vec<_> = candidates.iter().map(|c| c.label.as_str()).collect();
            assert_eq!(names, ["Ann1", "Ann2"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(v.problems[0].to_string().contains("Ann1, Ann2"));
    // Neither IP Office user was silently paired.
    assert_eq!(by_ipo(&c, "Ann1").person.azure_ad, None);
}

#[test]
fn two_azure_ad_users_for_one_ipo_user_is_contested() {
    let mut ipo = system(LicensingMode::Plds);
    ipo.users
        .push(ipo_user(1, "Ann", "402", Profile::PowerUser, Some(true)));
    // Both match by extension (an administrator who said extensions identify people).
    let c = run_all_keys(
        &[voice(1, "Ann", "x402"), voice(2, "Ann Two", "x402")],
        &ipo,
    );
    assert_eq!(c.verdicts.len(), 3);
    for n in [1, 2] {
        assert_eq!(codes(by_ad(&c, n))[0], "contested_ipo_user");
        assert_eq!(by_ad(&c, n).person.ipo, None);
    }
    let ipo_v = by_ipo(&c, "Ann");
    match &ipo_v.problems[0] {
        Problem::ContestedIpoUser { claimants, .. } => assert_eq!(claimants.len(), 2),
        other => panic!("{other:?}"),
    }
    assert_eq!(ipo_v.user_type, None);
}

#[test]
fn email_match_ignores_case_and_extension_source_is_configurable() {
    let mut ipo = system(LicensingMode::Plds);
    let mut u = ipo_user(1, "Ann", "402", Profile::PowerUser, Some(true));
    u.email = Some("Ann.Lee@Contoso.com".into());
    ipo.users.push(u);
    let mut d = voice(1, "Ann Lee", "");
    d.extension_attributes.set(7, Some("402".into()));
    let c = run(std::slice::from_ref(&d), &ipo);
    assert_eq!(c.verdicts[0].matched_by, Some(MatchKey::Email));
    // The default source (Teams number / businessPhones) holds nothing: mismatch.
    assert_eq!(codes(&c.verdicts[0]), ["extension_mismatch"]);
    let mut cfg = ClassifyConfig::default();
    cfg.extension_source = ExtensionSource::Property {
        name: "extensionAttribute7".into(),
        format: None,
    };
    let dir = [d];
    let c = classify(
        &ClassifyInput::new(&dir, &ipo).with_config(cfg),
        &DefaultLicensePolicy::default(),
    );
    // Identity stays the e-mail; the extension now agrees.
    assert_eq!(c.verdicts[0].matched_by, Some(MatchKey::Email));
    assert_eq!(c.verdicts[0].user_type, Some(UserType::TeamsAndIpOffice));
}

#[test]
fn email_match_ignores_case_beyond_ascii_too() {
    let mut ipo = system(LicensingMode::Plds);
    let mut u = ipo_user(1, "Asa", "402", Profile::PowerUser, Some(true));
    u.email = Some("åsa.öberg@contoso.se".into());
    ipo.users.push(u);
    let mut d = voice(1, "Åsa Öberg", "x402");
    d.mail = Some("  ÅSA.Öberg@Contoso.SE ".into());
    d.user_principal_name = None;
    let c = run(std::slice::from_ref(&d), &ipo);
    assert_eq!(c.verdicts.len(), 1, "one pair: {:?}", c.verdicts);
    assert_eq!(c.verdicts[0].matched_by, Some(MatchKey::Email));
}

#[test]
fn references_classify_as_the_users_themselves() {
    let mut ipo = system(LicensingMode::Plds);
    ipo.users
        .push(ipo_user(1, "Ann", "402", Profile::PowerUser, Some(true)));
    ipo.users
        .push(ipo_user(2, "Other", "403", Profile::PowerUser, Some(true)));
    let dir = [
        voice(1, "Ann", "x402"),
        voice(2, "Ben", "x403"),
        ad(3, "Cy"),
    ];
    let refs: Vec<&AzureAdUser> = dir.iter().collect();
    let links = BTreeMap::from([(oid(1), guid(1))]);
    let policy = DefaultLicensePolicy::default();
    let by_value = classify(&ClassifyInput::new(&dir, &ipo).with_links(&links), &policy);
    let by_ref = classify(
        &ClassifyInput::of_refs(&refs, &ipo).with_links(&links),
        &policy,
    );
    assert_eq!(by_ref, by_value);
    assert_eq!(by_ref.verdicts.len(), 4, "Ann+1, Ben, Cy, Other");
}

#[test]
fn no_user_is_never_classified() {
    let mut ipo = system(LicensingMode::Plds);
    ipo.users
        .push(IpoUser::new(NO_USER.parse().unwrap(), LicensingMode::Plds));
    assert!(run(&[], &ipo).verdicts.is_empty());
}

#[test]
fn duplicate_directory_users_each_get_a_verdict_with_a_problem() {
    let ipo = system(LicensingMode::Plds);
    let c = run(&[voice(1, "Ann", "x402"), voice(1, "Ann", "x402")], &ipo);
    assert_eq!(c.verdicts.len(), 2);
    assert!(
        c.verdicts
            .iter()
            .all(|v| codes(v).contains(&"duplicate_directory_user"))
    );
}

// ---- Teams-side problems ----

#[test]
fn grace_period_is_a_warning_and_suspension_an_error() {
    let ipo = system(LicensingMode::Plds);
    let mut grace = voice(1, "Grace", "x402");
    grace.assigned_plans = vec![AssignedPlan::new(
        skus::MCOEV_PLAN,
        CapabilityStatus::Warning,
    )];
    let mut susp = voice(2, "Susp", "x403");
    susp.assigned_plans = vec![AssignedPlan::new(
        skus::MCOEV_PLAN,
        CapabilityStatus::Suspended,
    )];
    let c = run(&[grace, susp], &ipo);
    let g = by_ad(&c, 1);
    assert_eq!(codes(g), ["teams_voice_in_grace"]);
    assert_eq!(g.user_type, Some(UserType::TeamsOnly));
    let s = by_ad(&c, 2);
    assert_eq!(codes(s), ["teams_voice_suspended"]);
    assert_eq!((s.user_type, s.target), (None, Some(UserType::TeamsOnly)));
}

#[test]
fn disabled_account_and_enterprise_voice_off_are_reported() {
    let ipo = system(LicensingMode::Plds);
    let mut d = voice(1, "Ann", "x402");
    d.account_enabled = Some(false);
    let mut t = TeamsVoice::default();
    t.enterprise_voice_enabled = Some(false);
    d.teams = Some(t);
    let v = &run(&[d], &ipo).verdicts[0];
    assert_eq!(codes(v), ["account_disabled", "enterprise_voice_disabled"]);
    assert_eq!(v.user_type, None);
}

/// `d`'s verdict, meant to be Teams only under a Graph rule whose Teams half also holds
/// `rule` (TOML), the sync having assigned them `assigned` before.
fn teams_only_with_rule(d: AzureAdUser, rule: &str, assigned: Option<TeamsAssigned>) -> Verdict {
    let ipo = system(LicensingMode::Plds);
    let rule: TeamsSideRule = toml::from_str(&format!("provisioning = \"graph\"\n{rule}")).unwrap();
    let rules = BTreeMap::from([(d.id.clone(), &rule)]);
    let holders = TeamsNumberHolders::default();
    let assigned: BTreeMap<ObjectId, TeamsAssigned> =
        assigned.map(|a| (d.id.clone(), a)).into_iter().collect();
    let intended = BTreeMap::from([(d.id.clone(), UserType::TeamsOnly)]);
    let dir = [d];
    let input = ClassifyInput::new(&dir, &ipo)
        .with_intended(&intended)
        .with_teams(TeamsContext::new(&rules, &holders, &assigned));
    by_ad(&classify(&input, &DefaultLicensePolicy::default()), 1).clone()
}

#[test]
fn enterprise_voice_off_is_said_once_by_the_teams_half_when_a_rule_provisions_teams() {
    let mut d = voice(1, "Ann", "x402");
    let mut t = TeamsVoice::default();
    t.enterprise_voice_enabled = Some(false);
    t.telephone_numbers = vec![TeamsPhoneNumber::new(
        "tel:+441632768402;ext=402",
        AssignmentCategory::Primary,
    )];
    d.teams = Some(t);
    let v = teams_only_with_rule(
        d,
        r#"number = { template = "+441632768{extension}" }"#,
        None,
    );
    let v = &v;
    let side = v.teams.as_ref().expect("a Teams half");
    assert_eq!(side.enterprise_voice, EnterpriseVoice::Off);
    assert_eq!(side.number.change, None, "the number is in line");
    let lines = side.describe();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("Enterprise Voice is off"), "{lines:?}");
    // Not a second, generic line among the verdict's problems.
    assert!(
        !codes(v).contains(&"enterprise_voice_disabled"),
        "{:?}",
        codes(v)
    );
    assert_eq!(v.user_type, Some(UserType::TeamsOnly));
}

#[test]
fn a_bare_number_the_sync_assigned_from_a_template_keeps_the_extension_it_was_built_from() {
    // A template without `;ext=`: the sync assigned +441632768402, built from the business
    // phone's x402. Read first by the default extension source, the bare Teams number hides
    // that extension; the template must still be built from it, so the number stays in line.
    let mut d = voice(1, "Ann", "+441632700000 x402");
    let mut t = TeamsVoice::default();
    t.telephone_numbers = vec![TeamsPhoneNumber::new(
        "+441632768402",
        AssignmentCategory::Primary,
    )];
    d.teams = Some(t);
    let bare = TeamsNumber::parse_any("+441632768402").unwrap();
    let mut own = TeamsAssigned::default();
    own.number = Some(bare.clone());
    let judged = |assigned: Option<TeamsAssigned>| {
        let rule = r#"number = { template = "+441632768{extension}", with_extension = false }"#;
        let v = teams_only_with_rule(d.clone(), rule, assigned);
        v.teams.expect("a Teams half")
    };
    let side = judged(Some(own));
    assert_eq!(side.number.wanted, Some(bare.clone()), "{side:#?}");
    assert_eq!(side.number.change, None, "{side:#?}");
    assert!(side.problems.is_empty(), "{:?}", side.problems);
    // Someone else's bare number (not the sync's) is not read through the business phone.
    let side = judged(None);
    assert_ne!(side.number.wanted, Some(bare), "{side:#?}");
}

#[test]
fn resource_accounts_are_not_people() {
    let ipo = system(LicensingMode::Plds);
    let mut by_plan = ad(1, "AA Main");
    by_plan.assigned_plans = vec![AssignedPlan::new(
        skus::MCOEV_VIRTUALUSER_PLAN,
        CapabilityStatus::Enabled,
    )];
    let mut by_sku = ad(2, "CQ Sales");
    by_sku.assigned_licenses = vec![AssignedLicense::new(skus::TEAMS_PHONE_RESOURCE_ACCOUNT_SKU)];
    let mut by_type = voice(3, "AA Night", "x499");
    let mut t = TeamsVoice::default();
    t.account_type = Some("resourceAccount".into());
    by_type.teams = Some(t);
    let c = run(&[by_plan, by_sku, by_type], &ipo);
    for v in &c.verdicts {
        assert_eq!(codes(v), ["resource_account"]);
        assert_eq!((v.user_type, v.target), (None, None));
        assert!(v.facts.resource_account);
    }
}

#[test]
fn disabled_plan_in_sku_does_not_count() {
    let policy = DefaultLicensePolicy::default();
    let mut d = ad(1, "Ann");
    let mut lic = AssignedLicense::new(skus::BUSINESS_VOICE_DIRECT_ROUTING_SKU);
    lic.disabled_plans = vec![skus::MCOEV_PLAN.into()];
    d.assigned_licenses = vec![lic.clone()];
    d.assigned_plans = vec![AssignedPlan::new(
        skus::MCOEV_PLAN,
        CapabilityStatus::Enabled,
    )];
    assert_eq!(policy.teams_voice(&d), TeamsVoiceStatus::Missing);
    // Another accepted SKU carries it enabled: counts.
    d.assigned_licenses
        .push(AssignedLicense::new(skus::TEAMS_PHONE_STANDARD_SKU));
    assert_eq!(policy.teams_voice(&d), TeamsVoiceStatus::Enabled);
}

#[test]
fn e5_counts_through_the_service_plan_or_by_configuring_skus_only() {
    let mut d = ad(1, "Ann");
    d.assigned_licenses = vec![AssignedLicense::new(skus::MICROSOFT_365_E5_SKU)];
    d.assigned_plans = vec![AssignedPlan::new(
        skus::MCOEV_PLAN,
        CapabilityStatus::Enabled,
    )];
    assert_eq!(
        DefaultLicensePolicy::default().teams_voice(&d),
        TeamsVoiceStatus::Enabled
    );
    let mut skus_only = DefaultLicensePolicy::default();
    skus_only.count_service_plans = false;
    assert_eq!(skus_only.teams_voice(&d), TeamsVoiceStatus::Missing);
    let json = format!(
        r#"{{"count_service_plans": false, "voice_skus": ["{}"]}}"#,
        skus::MICROSOFT_365_E5_SKU.to_uppercase()
    );
    let accepts_e5: DefaultLicensePolicy = serde_json::from_str(&json).unwrap();
    assert_eq!(accepts_e5.teams_voice(&d), TeamsVoiceStatus::Enabled);
    // SKU assigned but assignedPlans not read: trust the SKU.
    d.assigned_plans.clear();
    assert_eq!(accepts_e5.teams_voice(&d), TeamsVoiceStatus::Enabled);
}

#[test]
fn invalid_azure_ad_values_are_reported_with_a_fix() {
    let mut ipo = system(LicensingMode::Plds);
    ipo.users
        .push(ipo_user(1, "Ann", "402", Profile::PowerUser, Some(true)));
    let mut d = voice(1, "Dr. Ann Maximiliane Lee", "x402");
    d.user_principal_name = Some("ann@contoso.com".into());
    let mut bad_ext = voice(2, "Bo", "x4");
    bad_ext.user_principal_name = Some("bo@contoso.com".into());
    let c = run(&[d, bad_ext], &ipo);
    let v = by_ad(&c, 1);
    let fields: Vec<_> = v
        .problems
        .iter()
        .map(|p| match p {
            Problem::InvalidValue { field, derived, .. } => (field.clone(), derived.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        fields[0],
        (
            "displayName -> IP Office Name".into(),
            Some("Dr Ann Maximili".into())
        )
    );
    assert_eq!(
        v.user_type,
        Some(UserType::TeamsAndIpOffice),
        "warnings only"
    );
    let b = by_ad(&c, 2);
    assert_eq!(codes(b), ["invalid_value"]);
    assert_eq!(b.problems[0].severity(), Severity::Error);
    assert!(
        b.problems[0].to_string().contains("x4"),
        "{}",
        b.problems[0]
    );
}

// ---- summary, serde ----

#[test]
fn summary_counts_types_and_problems() {
    let mut ipo = system(LicensingMode::Plds);
    ipo.users
        .push(ipo_user(1, "Ann", "402", Profile::PowerUser, Some(true)));
    ipo.users
        .push(ipo_user(2, "Bob", "201", Profile::BasicUser, Some(false)));
    let c = run(
        &[
            voice(1, "Ann", "x402"),
            voice(2, "Cy", "x450"),
            voice(3, "Di", ""),
            ad(4, "Ed"),
        ],
        &ipo,
    );
    let s = c.summary();
    assert_eq!(s.people, 5);
    assert_eq!(s.per_type.get(&UserType::TeamsAndIpOffice), Some(&1));
    assert_eq!(s.per_type.get(&UserType::TeamsOnly), Some(&1));
    assert_eq!(s.per_type.get(&UserType::IpOfficeOnly), Some(&1));
    assert_eq!(s.blocked_per_target.get(&UserType::TeamsOnly), Some(&1));
    assert_eq!(s.not_telephony, 1);
    assert_eq!(s.problems.get("no_number"), Some(&1));
    assert!(s.to_string().contains("not telephony users: 1"));
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["verdicts"].as_array().unwrap().len(), 5);
    let back: Classification = serde_json::from_value(json).unwrap();
    assert_eq!(back, c);
}

#[test]
fn default_policy_round_trips_through_serde() {
    let p = DefaultLicensePolicy::default();
    let json = serde_json::to_string(&p).unwrap();
    assert!(json.contains(skus::MCOEV_PLAN));
    let back: DefaultLicensePolicy = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
    let empty: DefaultLicensePolicy = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, p);
}

// ---- licence pool ----

fn licensed(mode: LicensingMode) -> IpoSnapshot {
    let mut ipo = system(mode);
    ipo.licenses.push(License::new("Power User", 10, 4));
    ipo.licenses.push(License::new("Office Worker", 5, 1));
    let mut expired = License::new("Teleworker", 5, 5);
    expired.status = LicenseStatus::Expired;
    ipo.licenses.push(expired);
    ipo.licenses
        .push(License::new("SIP Trunk Channels", 10, 10));
    ipo
}

#[test]
fn pool_reserves_and_releases_per_profile() {
    let mut pool = LicensePool::from_snapshot(&licensed(LicensingMode::Plds));
    assert_eq!(pool.free(Profile::PowerUser), Some(4));
    assert_eq!(
        pool.free(Profile::Teleworker),
        Some(0),
        "expired licences do not count"
    );
    assert_eq!(
        pool.free(Profile::BasicUser),
        None,
        "Basic needs no licence"
    );
    pool.reserve(Profile::OfficeWorker).unwrap();
    let e = pool.reserve(Profile::OfficeWorker).unwrap_err();
    assert_eq!(
        (e.needed, e.free, e.reason),
        (1, 0, ShortfallReason::NotEnoughLicences)
    );
    pool.release(Profile::OfficeWorker);
    pool.reserve(Profile::OfficeWorker).unwrap();
    for _ in 0..100 {
        pool.reserve(Profile::BasicUser).unwrap();
    }
    let e = pool.reserve(Profile::UcUser).unwrap_err();
    assert_eq!(
        e.reason,
        ShortfallReason::ProfileNotInMode(LicensingMode::Plds)
    );
    assert!(e.to_string().contains("does not exist on a PLDS system"));
}

#[test]
fn forecast_says_which_assignments_do_not_fit_and_why() {
    let pool = LicensePool::from_snapshot(&licensed(LicensingMode::Plds));
    let mut wants = vec![Profile::PowerUser; 7];
    wants.push(Profile::BasicUser);
    wants.push(Profile::OfficeWorker);
    let f = pool.forecast(&wants);
    assert_eq!(f.rejected, [4, 5, 6]);
    let s: Vec<String> = f.shortfalls().map(ToString::to_string).collect();
    assert_eq!(s.len(), 1);
    assert!(s[0].starts_with("7 Power User needed, 4 free"), "{}", s[0]);
    assert_eq!(
        pool.free(Profile::PowerUser),
        Some(4),
        "a forecast changes nothing"
    );
    // Moving three people off Power User makes room.
    let mut changes: Vec<_> = (0..7)
        .map(|_| ProfileChange::new(None, Some(Profile::PowerUser)))
        .collect();
    changes.extend(
        (0..3).map(|_| ProfileChange::new(Some(Profile::PowerUser), Some(Profile::BasicUser))),
    );
    changes.push(ProfileChange::new(
        Some(Profile::OfficeWorker),
        Some(Profile::OfficeWorker),
    ));
    let f = pool.forecast_changes(&changes);
    assert!(f.fits(), "{f:?}");
}

#[test]
fn subscription_pool_counts_uc_user() {
    let mut ipo = system(LicensingMode::Subscription);
    ipo.licenses
        .push(License::new("Unified Communications User", 3, 2));
    let pool = LicensePool::from_snapshot(&ipo);
    let f = pool.forecast(&[
        Profile::UcUser,
        Profile::UcUser,
        Profile::UcUser,
        Profile::PowerUser,
    ]);
    assert_eq!(f.rejected, [2, 3]);
    assert_eq!(f.shortfalls().count(), 2);
}

#[test]
fn bare_teams_number_takes_its_extension_from_the_matching_business_phone() {
    let mut ipo = system(LicensingMode::Plds);
    ipo.users
        .push(ipo_user(1, "Ann", "402", Profile::PowerUser, Some(true)));
    ipo.users
        .push(ipo_user(2, "Ben", "403", Profile::PowerUser, Some(true)));
    let teams = |u: &mut AzureAdUser, number: &str| {
        let mut t = TeamsVoice::default();
        t.telephone_numbers = vec![TeamsPhoneNumber::new(number, AssignmentCategory::Primary)];
        u.teams = Some(t);
    };
    // Ann: Teams lists the bare number, the business phone carries the same number + x402.
    let mut ann = voice(1, "Ann", "+441632768402 x402");
    teams(&mut ann, "+441632768402");
    // Ben: the business phone is another number, so its extension is not borrowed.
    let mut ben = voice(2, "Ben", "+441632768999 x403");
    teams(&mut ben, "+441632768403");
    let dir = [ann, ben];
    let c = classify(
        &ClassifyInput::new(&dir, &ipo),
        &DefaultLicensePolicy::default(),
    );
    let ann = by_ad(&c, 1);
    assert_eq!(
        ann.user_type,
        Some(UserType::TeamsAndIpOffice),
        "{:?}",
        codes(ann)
    );
    assert!(codes(ann).is_empty(), "{:?}", codes(ann));
    let ben = by_ad(&c, 2);
    assert_ne!(ben.user_type, Some(UserType::TeamsAndIpOffice));
}

// ---- a sync's own inputs ----

#[test]
fn rule_conflicts_and_disabled_accounts_are_inputs_not_patches() {
    let ipo = system(LicensingMode::Plds);
    let mut ann = voice(1, "Ann", "x402");
    ann.account_enabled = Some(false);
    let dir = [ann, voice(2, "Ben", "x403")];
    let conflicts = BTreeMap::from([(oid(2), vec!["phones".to_owned(), "teams".to_owned()])]);
    let intended = BTreeMap::from([(oid(1), UserType::IpOfficeOnly)]);
    let input = ClassifyInput::new(&dir, &ipo)
        .with_intended(&intended)
        .with_rule_conflicts(&conflicts);
    let c = classify(&input, &DefaultLicensePolicy::default());
    assert_eq!(codes(by_ad(&c, 1)), ["account_disabled"]);
    let ben = by_ad(&c, 2);
    assert_eq!(codes(ben)[0], "conflicting_rules");
    assert!(ben.blocks_sync());
    assert_eq!(ben.user_type, None);

    // Disabled accounts kept in scope: judged like anyone, their user still to make.
    let mut cfg = ClassifyConfig::default();
    cfg.disabled_accounts_out_of_scope = false;
    let c = classify(
        &ClassifyInput::new(&dir, &ipo)
            .with_intended(&intended)
            .with_config(cfg),
        &DefaultLicensePolicy::default(),
    );
    let ann = by_ad(&c, 1);
    assert_eq!(codes(ann), ["no_ipo_record"]);
    assert_eq!(ann.facts.ipo_name.as_ref().map(|n| n.as_str()), Some("Ann"));
}

#[test]
fn a_teams_only_extension_an_ipo_user_has_collides_unless_the_sync_deletes_its_own() {
    let mut ipo = system(LicensingMode::Plds);
    ipo.users
        .push(ipo_user(1, "Ann", "402", Profile::PowerUser, None));
    let dir = [voice(1, "Ann", "x402")];
    let links = BTreeMap::from([(oid(1), guid(1))]);
    let intended = BTreeMap::from([(oid(1), UserType::TeamsOnly)]);
    let input = ClassifyInput::new(&dir, &ipo)
        .with_links(&links)
        .with_intended(&intended);
    let kept = classify(&input, &DefaultLicensePolicy::default());
    assert!(codes(by_ad(&kept, 1)).contains(&"extension_collision"));
    assert!(by_ad(&kept, 1).blocks_sync());
    let deleted = classify(
        &input.clone().with_own_users_deleted(),
        &DefaultLicensePolicy::default(),
    );
    assert_eq!(codes(by_ad(&deleted, 1)), ["unexpected_ipo_record"]);
    assert!(!by_ad(&deleted, 1).blocks_sync());
}
