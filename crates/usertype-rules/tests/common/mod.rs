//! Builders shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use ipo_model::*;
use usertype_rules::{
    Classification, ClassifyInput, DefaultLicensePolicy, Verdict, classify, skus,
};

pub fn oid(n: u32) -> ObjectId {
    format!("00000000-0000-4000-8000-{n:012x}").parse().unwrap()
}

pub fn guid(n: u32) -> Guid {
    format!("{n:032X}").parse().unwrap()
}

/// An Azure AD user with a UPN and display name, enabled, and nothing else.
pub fn ad(n: u32, name: &str) -> AzureAdUser {
    let mut u = AzureAdUser::new(oid(n));
    u.user_principal_name = Some(format!(
        "{}@contoso.com",
        name.to_lowercase().replace(' ', ".")
    ));
    u.display_name = Some(name.to_owned());
    u.account_enabled = Some(true);
    u
}

/// `ad` with an enabled MCOEV plan and the given businessPhones entry.
pub fn voice(n: u32, name: &str, phone: &str) -> AzureAdUser {
    let mut u = ad(n, name);
    u.assigned_plans = vec![AssignedPlan::new(
        skus::MCOEV_PLAN,
        CapabilityStatus::Enabled,
    )];
    if !phone.is_empty() {
        u.business_phones = vec![phone.to_owned()];
    }
    u
}

pub fn system(mode: LicensingMode) -> IpoSnapshot {
    IpoSnapshot::new(SystemInfo::new(
        "ipo1",
        "12.1.0.80",
        mode,
        Platform::ServerEdition,
    ))
}

/// An IP Office user with a GUID, extension, profile and flag, and the e-mail address `ad`
/// gives an Azure AD user of the same name (the identity the sync matches by).
pub fn ipo_user(n: u32, name: &str, ext: &str, profile: Profile, flag: Option<bool>) -> IpoUser {
    let mut u = IpoUser::new(name.parse().unwrap(), LicensingMode::Plds);
    u.guid = Some(guid(n));
    u.email = Some(format!(
        "{}@contoso.com",
        name.to_lowercase().replace(' ', ".")
    ));
    if !ext.is_empty() {
        u.extension = Some(ext.parse().unwrap());
    }
    u.profile = profile;
    u.teams_client = flag;
    u
}

pub fn run(directory: &[AzureAdUser], ipo: &IpoSnapshot) -> Classification {
    classify(
        &ClassifyInput::new(directory, ipo),
        &DefaultLicensePolicy::default(),
    )
}

/// `run` with every match key on, extension included (where an administrator has said
/// extensions identify people).
pub fn run_all_keys(directory: &[AzureAdUser], ipo: &IpoSnapshot) -> Classification {
    let mut cfg = usertype_rules::ClassifyConfig::default();
    cfg.match_order = usertype_rules::MatchKey::ALL.to_vec();
    classify(
        &ClassifyInput::new(directory, ipo).with_config(cfg),
        &DefaultLicensePolicy::default(),
    )
}

pub fn codes(v: &Verdict) -> Vec<&'static str> {
    v.problems.iter().map(|p| p.code()).collect()
}

pub fn by_ad(c: &Classification, n: u32) -> &Verdict {
    c.for_directory_user(&oid(n))
        .expect("verdict for Azure AD user")
}

pub fn by_ipo<'a>(c: &'a Classification, name: &str) -> &'a Verdict {
    c.verdicts
        .iter()
        .find(|v| {
            v.person
                .ipo_name
                .as_ref()
                .is_some_and(|n| n.as_str() == name)
        })
        .expect("verdict for ip office user")
}
