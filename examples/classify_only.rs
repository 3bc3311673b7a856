//! Classification only, embedded: who is an IP Office only user, an MS Teams only user or an
//! MS Teams + IP Office user, from directory data and an IP Office snapshot you already
//! have. No network, no sync, nothing written.
//!
//! ```sh
//! cargo run --example classify_only
//! ```

use std::collections::BTreeMap;

use ipo_model::{
    AssignedLicense, AssignedPlan, AzureAdUser, CapabilityStatus, IpoSnapshot, IpoUser,
    LicensingMode, ObjectId, Platform, SystemInfo, UserType,
};
use usertype_rules::{ClassifyInput, DefaultLicensePolicy, classify};

/// Microsoft 365 Business Voice (without Calling Plan) and its Phone System plan (MCOEV).
const BUSINESS_VOICE: &str = "d52db95a-5ecb-46b6-beb0-190ab5cda4a8";
const MCOEV: &str = "4828c8ec-dc2e-4779-b502-87ac9ce28ab7";

fn person(id: u32, upn: &str, name: &str, phone: Option<&str>, teams_voice: bool) -> AzureAdUser {
    let object_id: ObjectId = format!("0b000000-0000-4000-8000-{id:012}")
        .parse()
        .expect("a valid object id");
    let mut u = AzureAdUser::new(object_id);
    u.user_principal_name = Some(upn.into());
    u.mail = Some(upn.into());
    u.display_name = Some(name.into());
    u.account_enabled = Some(true);
    u.business_phones = phone.map(|p| vec![p.to_owned()]).unwrap_or_default();
    if teams_voice {
        u.assigned_licenses = vec![AssignedLicense::new(BUSINESS_VOICE)];
        u.assigned_plans = vec![AssignedPlan::new(MCOEV, CapabilityStatus::Enabled)];
    }
    u
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let people = vec![
        person(
            1,
            "ann.lee@contoso.example",
            "Ann Lee",
            Some("+44 1632 768201 x201"),
            false,
        ),
        person(
            2,
            "bob.ray@contoso.example",
            "Bob Ray",
            Some("+44 1632 768401 x401"),
            true,
        ),
        person(
            3,
            "cy.oak@contoso.example",
            "Cy Oak",
            Some("+44 1632 768701 x701"),
            true,
        ),
    ];
    // IP Office as read (here made by hand): Ann already has a user with her extension.
    let mut snapshot = IpoSnapshot::new(SystemInfo::new(
        "ipo",
        "12.1",
        LicensingMode::Plds,
        Platform::Ip500V2,
    ));
    let mut ann = IpoUser::new("annlee".parse()?, LicensingMode::Plds);
    ann.extension = Some("201".parse()?);
    ann.email = Some("ann.lee@contoso.example".into());
    snapshot.users.push(ann);

    // What each person is meant to be (in the program, the rules' groups decide this).
    let intended: BTreeMap<ObjectId, UserType> = [
        (people[0].id.clone(), UserType::IpOfficeOnly),
        (people[1].id.clone(), UserType::TeamsAndIpOffice),
        (people[2].id.clone(), UserType::TeamsOnly),
    ]
    .into();
    let input = ClassifyInput::new(&people, &snapshot).with_intended(&intended);
    let result = classify(&input, &DefaultLicensePolicy::default());

    let width = result
        .verdicts
        .iter()
        .map(|v| v.person.label.chars().count())
        .max()
        .unwrap_or(0);
    for v in &result.verdicts {
        let kind = v
            .user_type
            .map(|t| t.to_string())
            .unwrap_or_else(|| "not classified yet".into());
        println!("{:<width$}  {kind}", v.person.label);
        for p in &v.problems {
            println!("{:<width$}    {p}", "");
        }
    }
    assert_eq!(
        result.verdicts.len(),
        people.len(),
        "one verdict per person"
    );
    Ok(())
}
