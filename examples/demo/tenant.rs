//! The bundled demo tenant: three groups (one per user type, one nested), 34 people with the
//! edge cases an administrator meets, and an IP Office with some manual configuration.

use ipo_model::{
    AssignedLicense, AssignedPlan, AssignmentCategory, AzureAdUser, CapabilityStatus, Extension,
    ExtensionKind, HuntGroup, IpoSnapshot, IpoUser, License, LicensingMode, ObjectId, Platform,
    Profile, SystemInfo, TeamsPhoneNumber, TeamsVoice,
};

/// Group: people who are IP Office only.
pub const IPO_GROUP: &str = "0a000000-0000-4000-8000-000000000001";
/// Group: Teams + IP Office.
pub const TEAMS_IPO_GROUP: &str = "0a000000-0000-4000-8000-000000000002";
/// Group: Teams only.
pub const TEAMS_ONLY_GROUP: &str = "0a000000-0000-4000-8000-000000000003";
/// Group nested inside the Teams-only group.
pub const SALES_GROUP: &str = "0a000000-0000-4000-8000-000000000004";

/// Microsoft 365 Business Voice (without Calling Plan).
const BUSINESS_VOICE: &str = "d52db95a-5ecb-46b6-beb0-190ab5cda4a8";
/// Service plan Phone System (MCOEV).
const MCOEV: &str = "4828c8ec-dc2e-4779-b502-87ac9ce28ab7";

pub fn person_id(n: u32) -> ObjectId {
    format!("0b000000-0000-4000-8000-{n:012}")
        .parse()
        .unwrap_or_else(|_| unreachable!("demo ids are valid"))
}

/// One demo person.
pub struct Person {
    pub user: AzureAdUser,
    pub groups: Vec<&'static str>,
}

fn person(n: u32, display: &str, nick: &str, phone: Option<&str>, voice: Voice) -> AzureAdUser {
    let mut u = AzureAdUser::new(person_id(n));
    u.display_name = Some(display.into());
    u.mail_nickname = Some(nick.into());
    u.user_principal_name = Some(format!("{nick}@contoso.example"));
    u.mail = Some(format!("{nick}@contoso.example"));
    let parts: Vec<&str> = display.splitn(2, ' ').collect();
    u.given_name = parts.first().map(|s| s.to_string());
    u.surname = parts.get(1).map(|s| s.to_string());
    u.account_enabled = Some(true);
    u.department = Some("Operations".into());
    if let Some(p) = phone {
        u.business_phones = vec![p.into()];
    }
    match voice {
        Voice::Licensed | Voice::Grace => {
            u.assigned_licenses = vec![AssignedLicense::new(BUSINESS_VOICE)];
            let status = if matches!(voice, Voice::Grace) {
                CapabilityStatus::Warning
            } else {
                CapabilityStatus::Enabled
            };
            u.assigned_plans = vec![AssignedPlan::new(MCOEV, status)];
        }
        Voice::None => {}
    }
    u
}

#[derive(Clone, Copy)]
enum Voice {
    Licensed,
    Grace,
    None,
}

fn teams_number(u: &mut AzureAdUser, number: &str) {
    let mut t = TeamsVoice::default();
    t.telephone_numbers = vec![TeamsPhoneNumber::new(number, AssignmentCategory::Primary)];
    t.enterprise_voice_enabled = Some(true);
    t.account_type = Some("user".into());
    u.teams = Some(t);
}

/// The people and their groups.
pub fn people() -> Vec<Person> {
    let mut out = Vec::new();
    let mut add = |user: AzureAdUser, groups: &[&'static str]| {
        out.push(Person {
            user,
            groups: groups.to_vec(),
        })
    };
    // IP Office only: desk phones, extensions from Azure AD (x2NN).
    let ipo_only = [
        ("Olivia Brown", "olivia.brown", "201"),
        ("Liam Wilson", "liam.wilson", "202"),
        ("Emma Taylor", "emma.taylor", "203"),
        ("Noah Davies", "noah.davies", "204"),
        ("Ava Evans", "ava.evans", "205"),
        ("Oliver Thomas", "oliver.thomas", "206"),
        ("Isla Roberts", "isla.roberts", "207"),
        ("George Walker", "george.walker", "208"),
        ("Amelia Wright", "amelia.wright", "209"),
    ];
    for (i, (name, nick, ext)) in ipo_only.iter().enumerate() {
        let phone = format!("+441632768{ext} x{ext}");
        add(
            person(i as u32 + 1, name, nick, Some(&phone), Voice::None),
            &[IPO_GROUP],
        );
    }
    // A name with an apostrophe and accents; the extension comes from the range.
    add(
        person(
            10,
            "Seán O'Brien-Ní Bhriain",
            "sean.obrien",
            None,
            Voice::None,
        ),
        &[IPO_GROUP],
    );
    // A disabled account: out of scope.
    let mut disabled = person(
        11,
        "Harry Green",
        "harry.green",
        Some("+441632768210 x210"),
        Voice::None,
    );
    disabled.account_enabled = Some(false);
    add(disabled, &[IPO_GROUP]);

    // Teams + IP Office: same extension on both sides (x4NN), Business Voice licence.
    let both = [
        ("Sophia Hall", "sophia.hall", "401"),
        ("Jack Lewis", "jack.lewis", "402"),
        ("Mia Young", "mia.young", "403"),
        ("Charlie King", "charlie.king", "404"),
        ("Grace Scott", "grace.scott", "405"),
        ("Jacob Baker", "jacob.baker", "406"),
        ("Freya Adams", "freya.adams", "407"),
        ("Henry Clark", "henry.clark", "408"),
    ];
    for (i, (name, nick, ext)) in both.iter().enumerate() {
        let phone = format!("+441632768{ext} x{ext}");
        let mut u = person(20 + i as u32, name, nick, Some(&phone), Voice::Licensed);
        teams_number(&mut u, &format!("+441632768{ext}"));
        add(u, &[TEAMS_IPO_GROUP]);
    }
    // Missing licence: in the Teams + IP Office group without Teams voice.
    add(
        person(
            28,
            "Lily Turner",
            "lily.turner",
            Some("+441632768409 x409"),
            Voice::None,
        ),
        &[TEAMS_IPO_GROUP],
    );
    // Licence in its grace period: synced, with a warning.
    add(
        person(
            29,
            "Leo Hill",
            "leo.hill",
            Some("+441632768410 x410"),
            Voice::Grace,
        ),
        &[TEAMS_IPO_GROUP],
    );
    // In two groups: Teams + IP Office has the higher priority.
    let mut two = person(
        30,
        "Zoë Ward",
        "zoe.ward",
        Some("+441632768411 x411"),
        Voice::Licensed,
    );
    teams_number(&mut two, "+441632768411");
    add(two, &[TEAMS_IPO_GROUP, IPO_GROUP]);

    // Teams only: Teams numbers and extensions x6NN, some through the nested Sales group.
    let teams_only = [
        ("Ella Morgan", "ella.morgan", "601", TEAMS_ONLY_GROUP),
        ("Max Cooper", "max.cooper", "602", TEAMS_ONLY_GROUP),
        ("Ruby Bell", "ruby.bell", "603", TEAMS_ONLY_GROUP),
        ("Alfie Murphy", "alfie.murphy", "604", SALES_GROUP),
        ("Poppy Bailey", "poppy.bailey", "605", SALES_GROUP),
        ("John Smith", "john.smith", "606", SALES_GROUP),
        ("John Smith", "john.smith2", "607", SALES_GROUP),
    ];
    for (i, (name, nick, ext, g)) in teams_only.iter().enumerate() {
        let phone = format!("+441632768{ext} x{ext}");
        let mut u = person(40 + i as u32, name, nick, Some(&phone), Voice::Licensed);
        teams_number(&mut u, &format!("+441632768{ext}"));
        add(u, &[g]);
    }
    // An extension clash: this Teams-only person claims x250, which IP Office's
    // Reception user already has.
    let mut clash = person(
        47,
        "Evie Price",
        "evie.price",
        Some("+441632768250 x250"),
        Voice::Licensed,
    );
    teams_number(&mut clash, "+441632768250");
    add(clash, &[TEAMS_ONLY_GROUP]);
    // A Teams resource account (auto attendant) that someone put in the group.
    let mut aa = person(48, "Main Auto Attendant", "aa.main", None, Voice::None);
    aa.assigned_licenses = vec![AssignedLicense::new("440eaaa8-b3e0-484b-a8be-62870b9ba70a")];
    add(aa, &[TEAMS_ONLY_GROUP]);
    out
}

/// Someone who joins during the demo (Teams + IP Office).
pub fn newcomer() -> AzureAdUser {
    let mut u = person(
        50,
        "Aria Jones",
        "aria.jones",
        Some("+441632768412 x412"),
        Voice::Licensed,
    );
    teams_number(&mut u, "+441632768412");
    u
}

/// The IP Office before the first sync: `NoUser` is added by the emulator.
pub fn ipo() -> IpoSnapshot {
    let mut system = SystemInfo::new(
        "Contoso-IPO",
        "12.1.0.80",
        LicensingMode::Plds,
        Platform::ServerEdition,
    );
    system.node_address = Some("127.0.0.1".into());
    let mut s = IpoSnapshot::new(system);
    let mut reception = IpoUser::new(
        "Reception".parse().unwrap_or_else(|_| unreachable!()),
        LicensingMode::Plds,
    );
    reception.extension = Some("250".parse().unwrap_or_else(|_| unreachable!()));
    reception.full_name = Some("Reception Desk".parse().unwrap_or_else(|_| unreachable!()));
    s.users.push(reception);
    let mut fax = IpoUser::new(
        "Fax".parse().unwrap_or_else(|_| unreachable!()),
        LicensingMode::Plds,
    );
    fax.extension = Some("299".parse().unwrap_or_else(|_| unreachable!()));
    s.users.push(fax);
    s.extensions.push(Extension::new(
        "250".parse().unwrap_or_else(|_| unreachable!()),
        ExtensionKind::H323,
    ));
    s.extensions.push(Extension::new(
        "299".parse().unwrap_or_else(|_| unreachable!()),
        ExtensionKind::Normal,
    ));
    let mut sales = HuntGroup::new(
        "Sales".parse().unwrap_or_else(|_| unreachable!()),
        Some("300".parse().unwrap_or_else(|_| unreachable!())),
    );
    sales.members = vec!["250".parse().unwrap_or_else(|_| unreachable!())];
    s.hunt_groups.push(sales);
    s.licenses = vec![
        License::new("Power User", 12, 12),
        License::new("Office Worker", 5, 5),
        License::new("Teleworker", 2, 2),
    ];
    let _ = Profile::PowerUser;
    s
}
