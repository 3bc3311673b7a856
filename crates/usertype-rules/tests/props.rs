//! Properties of classification: total, deterministic, exactly one verdict per person.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use ipo_model::*;
use proptest::prelude::*;
use usertype_rules::*;

const PHONES: [&str; 8] = [
    "",
    "x402",
    "x403",
    "+441632768402 x402",
    "+441632768404",
    "garbage",
    "x4",
    "tel:+441632768402;ext=403",
];
const NAMES: [&str; 5] = [
    "Ann",
    "Ann Lee",
    "Lee, Ann",
    "Dr. Maximiliane Alexandra",
    " ",
];
const MAILS: [&str; 3] = ["ann@contoso.com", "ANN@contoso.com", "bo@contoso.com"];

fn arb_directory_user() -> impl Strategy<Value = AzureAdUser> {
    (
        0u32..12,
        0usize..PHONES.len(),
        0usize..NAMES.len(),
        0usize..4,
        0u8..6,
        any::<Option<bool>>(),
        0u8..3,
    )
        .prop_map(|(id, phone, name, mail, lic, enabled, teams)| {
            let mut u = AzureAdUser::new(oid(id));
            u.display_name = Some(NAMES[name].into());
            u.mail = MAILS.get(mail).map(|m| (*m).to_owned());
            if !PHONES[phone].is_empty() {
                u.business_phones = vec![PHONES[phone].into()];
            }
            u.account_enabled = enabled;
            match lic {
                0 => {}
                1 => {
                    u.assigned_plans = vec![AssignedPlan::new(
                        skus::MCOEV_PLAN,
                        CapabilityStatus::Enabled,
                    )]
                }
                2 => {
                    u.assigned_plans = vec![AssignedPlan::new(
                        skus::MCOEV_PLAN,
                        CapabilityStatus::Warning,
                    )]
                }
                3 => {
                    u.assigned_plans = vec![AssignedPlan::new(
                        skus::MCOEV_PLAN,
                        CapabilityStatus::Suspended,
                    )]
                }
                4 => {
                    u.assigned_licenses =
                        vec![AssignedLicense::new(skus::TEAMS_PHONE_RESOURCE_ACCOUNT_SKU)]
                }
                _ => {
                    u.assigned_licenses = vec![AssignedLicense::new(
                        skus::BUSINESS_VOICE_DIRECT_ROUTING_SKU,
                    )]
                }
            }
            if teams == 1 {
                let mut t = TeamsVoice::default();
                t.telephone_numbers = vec![TeamsPhoneNumber::new(
                    "+441632768402",
                    AssignmentCategory::Primary,
                )];
                u.teams = Some(t);
            }
            u
        })
}

fn arb_ipo_user() -> impl Strategy<Value = IpoUser> {
    (
        0u32..8,
        0usize..4,
        0usize..Profile::ALL.len(),
        any::<Option<bool>>(),
        0usize..4,
        0u8..3,
    )
        .prop_map(|(g, ext, profile, flag, mail, name)| {
            let ext = ["", "402", "403", "500"][ext];
            let name = match name {
                0 => format!("U{g}"),
                1 => "Ann".into(),
                _ => NO_USER.into(),
            };
            let mut u = ipo_user(g, &name, ext, Profile::ALL[profile], flag);
            u.email = MAILS.get(mail).map(|m| (*m).to_owned());
            u
        })
}

fn arb_snapshot() -> impl Strategy<Value = IpoSnapshot> {
    (
        prop::collection::vec(arb_ipo_user(), 0..8),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(users, sub, hg)| {
            let mut s = system(if sub {
                LicensingMode::Subscription
            } else {
                LicensingMode::Plds
            });
            s.users = users;
            if hg {
                let mut h = HuntGroup::new("Sales".parse().unwrap(), Some("500".parse().unwrap()));
                h.members = vec!["402".parse().unwrap()];
                s.hunt_groups.push(h);
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn classification_is_total_deterministic_and_one_verdict_per_person(
        dir in prop::collection::vec(arb_directory_user(), 0..10),
        ipo in arb_snapshot(),
        links in prop::collection::vec((0u32..12, 0u32..10), 0..4),
        intents in prop::collection::vec((0u32..12, 0usize..3), 0..4),
        claims in prop::collection::vec(0u32..12, 0..3),
        order in prop::sample::subsequence(MatchKey::ALL.to_vec(), 0..=3),
    ) {
        let links: BTreeMap<_, _> = links.into_iter().map(|(a, g)| (oid(a), guid(g))).collect();
        let intents: BTreeMap<_, _> = intents.into_iter().map(|(a, t)| (oid(a), UserType::ALL[t])).collect();
        let claims: Vec<_> = claims.into_iter().map(|a| ClaimedMembership::new(oid(a), "Sales")).collect();
        let mut cfg = ClassifyConfig::default();
        cfg.match_order = order;
        let input = ClassifyInput::new(&dir, &ipo)
            .with_links(&links)
            .with_intended(&intents)
            .with_claimed_memberships(&claims)
            .with_config(cfg);
        let policy = DefaultLicensePolicy::default();
        let a = classify(&input, &policy);
        let b = classify(&input, &policy);
        prop_assert_eq!(&a, &b);

        // Every Azure AD user appears exactly once per input occurrence.
        let mut ad_counts: BTreeMap<&ObjectId, usize> = BTreeMap::new();
        for d in &dir { *ad_counts.entry(&d.id).or_default() += 1; }
        for (id, n) in &ad_counts {
            let got = a.verdicts.iter().filter(|v| v.person.azure_ad.as_ref() == Some(*id)).count();
            prop_assert_eq!(got, *n);
        }
        // Every IP Office user but NoUser appears exactly once (by position: names may repeat).
        let real: Vec<_> = ipo.users.iter().filter(|u| !u.is_no_user()).collect();
        let with_ipo = a.verdicts.iter().filter(|v| v.person.ipo_name.is_some()).count();
        prop_assert_eq!(with_ipo, real.len());
        prop_assert!(a.verdicts.iter().all(|v| v.person.ipo_name.as_ref().is_none_or(|n| n.as_str() != NO_USER)));
        prop_assert_eq!(a.verdicts.len(), dir.len() + real.len() - a.verdicts.iter().filter(|v| v.person.azure_ad.is_some() && v.person.ipo_name.is_some()).count());

        // Stable order, consistent fields.
        let keys: Vec<_> = a.verdicts.iter().map(|v| (v.person.azure_ad.clone(), v.person.ipo_name.clone(), v.person.ipo.clone())).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        prop_assert_eq!(keys, sorted);
        for v in &a.verdicts {
            prop_assert_eq!(v.user_type.is_some(), v.target.is_some() && !v.has_errors());
            if let Some(t) = v.user_type { prop_assert_eq!(Some(t), v.target); }
            prop_assert!(v.problems.iter().all(|p| !p.to_string().is_empty()));
            prop_assert_eq!(hunt_group_eligibility(v).is_ok(), v.facts.has_ipo_record() && v.facts.ipo_extension.is_some());
            for t in UserType::ALL {
                let _ = conversion_steps(v, t, ipo.system.licensing_mode, &policy);
            }
        }
        let s = a.summary();
        let counted: usize = s.per_type.values().sum::<usize>() + s.pending_per_target.values().sum::<usize>() + s.blocked_per_target.values().sum::<usize>() + s.not_telephony + s.blocked_without_target;
        prop_assert_eq!(counted, s.people);
        let distinct: BTreeSet<_> = a.verdicts.iter().filter_map(|v| v.person.azure_ad.clone()).collect();
        prop_assert_eq!(distinct.len(), ad_counts.len());
    }

    #[test]
    fn forecast_never_accepts_more_than_is_free(free in 0u32..10, wants in prop::collection::vec(0usize..Profile::ALL.len(), 0..20)) {
        let mut ipo = system(LicensingMode::Plds);
        ipo.licenses.push(License::new("Power User", free + 3, free));
        let pool = LicensePool::from_snapshot(&ipo);
        let wants: Vec<Profile> = wants.into_iter().map(|i| Profile::ALL[i]).collect();
        let f = pool.forecast(&wants);
        let accepted_pu = wants.iter().enumerate().filter(|(i, p)| **p == Profile::PowerUser && !f.rejected.contains(i)).count();
        prop_assert!(accepted_pu as u32 <= free);
        let mut p2 = pool.clone();
        for (i, w) in wants.iter().enumerate() {
            prop_assert_eq!(p2.reserve(*w).is_ok(), !f.rejected.contains(&i));
        }
    }
}
