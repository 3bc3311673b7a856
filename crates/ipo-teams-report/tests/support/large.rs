//! The realistic largest plan page: a first sync (every person a create) of `n` directory
//! users in three groups, one per user type. Shared by the render bench and the browser
//! test that measures the 10,000-person page.

use ipo_model::{
    AssignedPlan, AzureAdUser, CapabilityStatus, GroupId, IpoSnapshot, License, LicensingMode,
    ObjectId, Platform, SystemInfo, UserType,
};
use sync_engine::{GroupRule, Plan, PlanOptions, ProvisioningRule, SyncConfig, SyncState, plan};

fn oid(n: u32) -> ObjectId {
    format!("00000000-0000-4000-8000-{n:012}").parse().unwrap()
}

fn gid(n: u32) -> GroupId {
    format!("99999999-0000-4000-8000-{n:012}").parse().unwrap()
}

const TYPES: [UserType; 3] = [
    UserType::IpOfficeOnly,
    UserType::TeamsAndIpOffice,
    UserType::TeamsOnly,
];

/// The plan of a first sync of `n` people.
pub fn first_sync(n: u32) -> Plan {
    let rules = (0..3)
        .map(|g| {
            let mut r = GroupRule::new(gid(g), TYPES[g as usize]);
            if TYPES[g as usize] != UserType::TeamsOnly {
                r.provisioning_rule = Some("desk".into());
            }
            r
        })
        .collect();
    let mut cfg = SyncConfig::new(rules);
    let mut desk = ProvisioningRule::new("desk");
    desk.start_extension = Some("2000000".parse().unwrap());
    desk.end_extension = Some("2999999".parse().unwrap());
    cfg.provisioning_rules = vec![desk];
    let dir: Vec<AzureAdUser> = (0..n)
        .map(|i| {
            let mut u = AzureAdUser::new(oid(i));
            u.mail_nickname = Some(format!("u{i}"));
            u.display_name = Some(format!("User {i}"));
            u.mail = Some(format!("u{i}@contoso.com"));
            u.user_principal_name = u.mail.clone();
            u.account_enabled = Some(true);
            u.assigned_plans = vec![AssignedPlan::new(
                sync_engine::usertype_rules::skus::MCOEV_PLAN,
                CapabilityStatus::Enabled,
            )];
            let x = 3_000_000 + i;
            u.business_phones = vec![format!("+441632{x} x{x}")];
            u.groups.insert(gid(i % 3));
            u
        })
        .collect();
    let mut snap = IpoSnapshot::new(SystemInfo::new(
        "ipo",
        "12.1",
        LicensingMode::Plds,
        Platform::Select,
    ));
    snap.licenses = vec![License::new("Power User", 1_000_000, 1_000_000)];
    plan(
        &cfg,
        &dir,
        &snap,
        &SyncState::default(),
        &PlanOptions::new(),
    )
}
