//! Hostile and broken directory data, end to end through the real Graph and IP Office clients
//! against both emulators, in both IP Office wire formats (XML and JSON).
//!
//! Part 1: values built to break out of their field (XML, CDATA, entities, JSON fragments,
//! OData quotes, control characters, 10k-character strings, bidi marks, emoji, zero-width
//! joiners) land escaped or are rejected with a reason, and never change a profile, an
//! extension, the Teams flag or any field other than their own: every synced user's raw
//! record is compared, field by field, with the record a clean person in the same place gets.
//!
//! Part 2: source data IP Office would refuse (long names, forbidden characters, 500 people
//! with one name, 1- and 16-digit extensions, duplicate extensions, a Teams-only extension
//! inside a provisioning range) becomes a deterministic fix or a reported conflict, and the
//! good people of the same run are created.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use ipo_client::{RetryPolicy, WireFormat};
use ipo_emulator::{EmulatorConfig, RecordKind, Seed};
use ipo_model::{
    AzureAdUser, Extension, ExtensionKind, FullName, HuntGroup, IpoUser, License, LicensingMode,
    NameRegistry, ObjectId, Platform, Profile, UserName,
};
use support::convergence::assert_nothing_left_to_do;
use support::*;
use sync_engine::{FieldMap, MemoryStateStore, PersonStatus, Plan, Reason, RunOptions, SyncConfig};

/// Values that try to leave their field, by label.
fn payloads() -> Vec<(&'static str, String)> {
    vec![
        (
            "xml-close",
            "</FullName><AssignedPackage>4</AssignedPackage>".into(),
        ),
        (
            "cdata",
            "<![CDATA[</Name>]]><EnableMSTeamsClient>true</EnableMSTeamsClient>".into(),
        ),
        ("entities", "Tom &amp; Jerry &lt;b&gt; &#x41; &#0;".into()),
        ("json-field", "\",\"Profile\":\"PowerUser".into()),
        (
            "json-object",
            "\"},{\"AssignedPackage\":4,\"EnableMSTeamsClient\":true,\"Name\":\"x".into(),
        ),
        ("json-escape", "\\u0022,\\\"AssignedPackage\\\":4 \\".into()),
        ("odata", "Ann' or 1 eq 1 or displayName eq '".into()),
        ("control", "Ann\u{0}Lee\u{7}\r\nBell\t".into()),
        ("only-control", "\u{0}\u{7}\u{1b}\u{7f}".into()),
        ("long", "L".repeat(10_000)),
        ("long-mixed", "<a>&'\"".repeat(2_000)),
        ("rtl", "\u{202E}eeL nnA\u{202C}".into()),
        ("emoji", "Zoë 👩\u{200D}👩\u{200D}👧 🎧 Ó Briain".into()),
        ("zero-width", "Ann\u{200D}Lee\u{200B}\u{FEFF}".into()),
        ("newline-xml", "a\n<Extension>200001</Extension>".into()),
    ]
}

fn hostile_id(i: usize) -> ObjectId {
    format!("0e000000-0000-4000-8000-{i:012}").parse().unwrap()
}

/// Extension (from `extensionAttribute2`) of hostile person `i`: outside every range.
fn hostile_ext(i: usize) -> String {
    format!("55{i:04}")
}

const HUNT_GROUP_EXT: &str = "600100";

/// The mapping under test: every free-text field and every code field from directory data.
fn hostile_config() -> SyncConfig {
    let mut cfg = config();
    cfg.fields.extension = Some(FieldMap::always("extensionAttribute2"));
    cfg.fields.mobile_twinning = Some(FieldMap::always("extensionAttribute3"));
    cfg.fields.hunt_groups = Some(FieldMap::always("extensionAttribute4"));
    cfg.fields.login_code = Some(FieldMap::always("extensionAttribute5"));
    cfg.fields.voicemail_code = Some(FieldMap::always("extensionAttribute6"));
    cfg.fields.provisioning_rule = Some(FieldMap::always("extensionAttribute7"));
    cfg
}

/// Roles in the tenant: `User` people get an IP Office user (IP Office only or Teams + IP
/// Office), `Ext` people carry the payload in their extension source, `TeamsOnly` people
/// get a directory entry.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    User,
    Ext,
    TeamsOnly,
}

/// The hostile tenant (`clean == false`) or the same people with harmless values.
fn tenant(clean: bool) -> Vec<(AzureAdUser, &'static str, Role, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    for (label, p) in payloads() {
        for role in [Role::User, Role::User, Role::Ext, Role::TeamsOnly] {
            i += 1;
            let mut u = AzureAdUser::new(hostile_id(i));
            u.account_enabled = Some(true);
            let group = match role {
                // Alternate: the first User is IP Office only, the second Teams + IP Office.
                Role::User if out.len() % 4 == 0 => GROUP_IPO,
                Role::User => GROUP_TEAMS_IPO,
                Role::Ext => GROUP_IPO,
                Role::TeamsOnly => GROUP_TEAMS_ONLY,
            };
            if group != GROUP_IPO {
                u.assigned_licenses = vec![ipo_model::AssignedLicense::new(BUSINESS_VOICE)];
                u.assigned_plans = vec![ipo_model::AssignedPlan::new(
                    MCOEV,
                    ipo_model::CapabilityStatus::Enabled,
                )];
            }
            if role == Role::TeamsOnly {
                u.business_phones = vec![format!("+441632900{i:03}")];
            }
            let hostile = !clean && role != Role::Ext;
            if hostile {
                u.mail_nickname = Some(p.clone());
                u.display_name = Some(p.clone());
                u.mail = Some(format!("h{i}{p}@contoso.example"));
                u.user_principal_name = Some(format!("h{i}@contoso.example"));
                for n in [3, 4, 5, 6] {
                    u.extension_attributes.set(n, Some(p.clone()));
                }
                // A near miss of the rule name "teams": must not pick the Power User rule.
                u.extension_attributes.set(7, Some(format!("teams{p}")));
                u.extension_attributes.set(2, Some(hostile_ext(i)));
            } else {
                u.mail_nickname = Some(format!("clean{i:03}"));
                u.display_name = Some(format!("Clean {i:03}"));
                u.mail = Some(format!("clean{i}@contoso.example"));
                u.user_principal_name = u.mail.clone();
                u.extension_attributes.set(
                    2,
                    Some(if role == Role::Ext && !clean {
                        format!("{}{p}", hostile_ext(i))
                    } else {
                        hostile_ext(i)
                    }),
                );
            }
            out.push((u, group, role, label.to_owned()));
        }
    }
    out
}

/// IP Office users and an extension the sync does not own, plus a hunt group.
fn seeded_emulator() -> EmulatorConfig {
    let mut boss = IpoUser::new("Boss".parse().unwrap(), LicensingMode::Plds);
    boss.extension = Some("300101".parse().unwrap());
    boss.profile = Profile::PowerUser;
    boss.teams_client = Some(true);
    boss.full_name = Some("The Boss".parse().unwrap());
    let mut reception = IpoUser::new("Reception".parse().unwrap(), LicensingMode::Plds);
    reception.extension = Some("300100".parse().unwrap());
    // Exactly the name the first payload derives to: the synced person must get a suffix.
    let squatter = IpoUser::new("<FullName<Assig".parse().unwrap(), LicensingMode::Plds);
    EmulatorConfig::new(IPO_USER, IPO_PASSWORD)
        .licensing_mode(LicensingMode::Plds)
        // Server Edition: room for the 500 namesakes (an IP500 V2 stops at 384 users).
        .platform(Platform::ServerEdition)
        .seed(
            Seed::new()
                .license(License::new("Power User", 100_000, 100_000))
                .user(boss)
                .user(reception)
                .user(squatter)
                .extension(Extension::new(
                    "300100".parse().unwrap(),
                    ExtensionKind::Sip,
                ))
                .extension(Extension::new(
                    "300101".parse().unwrap(),
                    ExtensionKind::Sip,
                ))
                .hunt_group(HuntGroup::new(
                    "Sales".parse().unwrap(),
                    Some(HUNT_GROUP_EXT.parse().unwrap()),
                )),
        )
}

async fn hostile_lab(people: &[(AzureAdUser, &'static str)], format: WireFormat) -> Lab {
    Lab::start(
        people,
        seeded_emulator(),
        |g| g,
        |c| {
            c.format = format;
            c.retry = RetryPolicy::default()
                .with_max_attempts(3)
                .with_base_delay(std::time::Duration::from_millis(2))
                .with_max_delay(std::time::Duration::from_millis(50))
                .with_request_timeout(std::time::Duration::from_secs(10));
        },
    )
    .await
}

/// Requests the IP Office emulator received so far.
fn ipo_requests(lab: &Lab) -> u64 {
    lab.ipo.stats().requests.values().sum()
}

/// A raw record's fields as comparable text, by wire name.
fn fields_of(r: &ipo_emulator::RawRecord) -> BTreeMap<String, String> {
    r.fields
        .0
        .iter()
        .map(|(k, v)| (k.clone(), format!("{v:?}")))
        .collect()
}

/// The records of `kind` keyed by `key` field (GUID and node excluded).
fn records_by(
    lab: &Lab,
    kind: RecordKind,
    key: &str,
) -> BTreeMap<String, BTreeMap<String, String>> {
    lab.ipo
        .state()
        .raw(kind)
        .iter()
        .map(|r| (r.text(key), fields_of(r)))
        .collect()
}

/// Whether `mapping::email` should accept the value (the documented rule).
fn email_acceptable(v: &str) -> bool {
    v.len() <= 254
        && v.matches('@').count() == 1
        && !v.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || ipo_model::is_invisible(c)
                || "<>\"'&".contains(c)
        })
}

fn reasons_of<'p>(plan: &'p Plan, id: &ObjectId) -> &'p [Reason] {
    &plan.people.iter().find(|p| &p.id == id).unwrap().reasons
}

fn invalid_for(reasons: &[Reason], field: &str) -> bool {
    reasons
        .iter()
        .any(|r| matches!(r, Reason::InvalidValue { field: f, .. } if f == field))
}

/// Own fields of a person: the ones hostile values map to. Everything else must equal the
/// clean record exactly.
const OWN_FIELDS: [&str; 6] = [
    "Name",
    "FullName",
    "Email",
    "TwinningMobileNumber",
    "LoginCode",
    "VoicemailCode",
];

async fn hostile_values_stay_in_their_own_field(format: WireFormat) {
    let started = Instant::now();
    let hostile = tenant(false);
    let clean = tenant(true);
    let as_lab = |t: &[(AzureAdUser, &'static str, Role, String)]| -> Vec<_> {
        t.iter().map(|(u, g, _, _)| (u.clone(), *g)).collect()
    };
    let lab = hostile_lab(&as_lab(&hostile), format).await;
    let clean_lab = hostile_lab(&as_lab(&clean), format).await;
    let seeded_before = records_by(&lab, RecordKind::User, "Name");
    let names_before: Vec<UserName> = lab.ipo.users().into_iter().map(|u| u.name).collect();

    let engine = lab.engine(hostile_config(), Arc::new(MemoryStateStore::new()));
    let run = engine.run(&RunOptions::apply()).await.unwrap();
    let report = run.report.clone().unwrap();
    let failures: Vec<_> = report.failures().collect();
    assert!(
        failures.is_empty(),
        "{format:?}: failed writes {failures:#?}"
    );
    let clean_engine = clean_lab.engine(hostile_config(), Arc::new(MemoryStateStore::new()));
    let clean_run = clean_engine.run(&RunOptions::apply()).await.unwrap();
    assert_eq!(clean_run.report.unwrap().failures().count(), 0);

    let users = records_by(&lab, RecordKind::User, "Extension");
    let clean_users = records_by(&clean_lab, RecordKind::User, "Extension");

    // The names the sync must choose: derived, then made unique in person order after the
    // names IP Office already has (case-insensitively).
    let mut registry: NameRegistry = names_before.iter().collect();
    registry.insert(&"Sales".parse().unwrap());
    let mut expected_name: BTreeMap<ObjectId, Option<UserName>> = BTreeMap::new();
    let mut by_id: Vec<_> = hostile.iter().collect();
    by_id.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    for (u, _, role, _) in &by_id {
        if *role != Role::User {
            continue;
        }
        let derived = UserName::derive(u.mail_nickname.as_deref().unwrap());
        expected_name.insert(u.id.clone(), derived.map(|d| d.make_unique(&mut registry)));
    }

    let mut checked = 0;
    for (u, _, role, label) in &hostile {
        let reasons = reasons_of(&run.plan, &u.id);
        let ext = u.extension_attributes.get(2).unwrap().to_owned();
        match role {
            Role::Ext => {
                // A hostile extension source blocks the person with a reason; nothing is
                // written for them.
                assert!(
                    invalid_for(reasons, "Extension"),
                    "{format:?} {label}: extension {ext:?} not rejected: {reasons:?}"
                );
                assert!(
                    !users
                        .keys()
                        .any(|k| !k.is_empty() && ext.starts_with(k.as_str())),
                    "{format:?} {label}: a user was created from {ext:?}"
                );
            }
            Role::TeamsOnly => {
                assert!(!users.contains_key(&ext), "{label}: Teams-only got a user");
            }
            Role::User => {
                let Some(name) = expected_name[&u.id].clone() else {
                    // Nothing usable in the name: blocked with a reason, no record.
                    assert!(invalid_for(reasons, "Name"), "{label}: {reasons:?}");
                    assert!(!users.contains_key(&ext), "{label}: user without a name");
                    continue;
                };
                let got = users
                    .get(&ext)
                    .unwrap_or_else(|| panic!("{format:?} {label}: no user with {ext}"));
                let want = &clean_users[&ext];
                checked += 1;
                // Every field other than the person's own is what the clean person got:
                // profile (AssignedPackage), Teams flag, extension, template fields...
                let strip = |m: &BTreeMap<String, String>| -> BTreeMap<String, String> {
                    m.iter()
                        .filter(|(k, _)| !OWN_FIELDS.contains(&k.as_str()))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                };
                assert_eq!(
                    strip(got),
                    strip(want),
                    "{format:?} {label}: a hostile value changed another field"
                );
                // Own fields: exactly the escaped/derived value, or absent with a reason.
                let text = |f: &str| {
                    lab.ipo
                        .state()
                        .raw(RecordKind::User)
                        .into_iter()
                        .find(|r| r.text("Extension") == ext)
                        .map(|r| r.text(f))
                        .unwrap()
                };
                assert_eq!(text("Name"), name.as_str(), "{format:?} {label}: Name");
                let nick = u.mail_nickname.as_deref().unwrap();
                if nick != name.as_str() {
                    assert!(
                        reasons.iter().any(
                            |r| matches!(r, Reason::NameDerived { name: n, .. } if n == &name)
                        ),
                        "{label}: derived name without a reason: {reasons:?}"
                    );
                }
                let display = u.display_name.as_deref().unwrap();
                match FullName::derive(display) {
                    Some(f) => assert_eq!(text("FullName"), f.as_str(), "{label}: FullName"),
                    None => {
                        assert_eq!(text("FullName"), "", "{label}: FullName");
                        assert!(invalid_for(reasons, "Full Name"), "{label}: {reasons:?}");
                    }
                }
                let mail = u.mail.as_deref().unwrap();
                if email_acceptable(mail) {
                    assert_eq!(text("Email"), mail, "{format:?} {label}: Email");
                } else {
                    assert_eq!(text("Email"), "", "{format:?} {label}: Email");
                    assert!(invalid_for(reasons, "Email"), "{label}: {reasons:?}");
                }
                // None of the payloads is a phone number, a login code or a voicemail code.
                for f in ["TwinningMobileNumber", "LoginCode", "VoicemailCode"] {
                    assert_eq!(text(f), "", "{format:?} {label}: {f} written");
                }
                assert!(invalid_for(reasons, "Mobile Twinning Number"), "{label}");
                assert!(invalid_for(reasons, "Voicemail Code"), "{label}");
            }
        }
    }
    assert_eq!(
        checked,
        expected_name.values().filter(|n| n.is_some()).count()
    );
    assert!(checked >= 25, "only {checked} users compared");

    // Unowned users: byte for byte as seeded. The hunt group: no member crept in.
    let after = records_by(&lab, RecordKind::User, "Name");
    for (name, fields) in &seeded_before {
        assert_eq!(
            after.get(name),
            Some(fields),
            "{format:?}: unowned {name} changed"
        );
    }
    let sales = lab.ipo.hunt_groups();
    assert!(sales.iter().all(|h| h.members.is_empty()), "{sales:?}");
    // Extensions: one record per synced user, each created with the clean person's fields.
    let exts = records_by(&lab, RecordKind::Extension, "Extension");
    let clean_exts = records_by(&clean_lab, RecordKind::Extension, "Extension");
    for (n, f) in &exts {
        if let Some(c) = clean_exts.get(n) {
            // `Id` is the emulator's running number: the clean run created more records.
            let no_id = |m: &BTreeMap<String, String>| {
                let mut m = m.clone();
                m.remove("Id");
                m
            };
            assert_eq!(
                no_id(f),
                no_id(c),
                "{format:?}: extension {n} differs from the clean run"
            );
        } else {
            assert!(n.starts_with("3001"), "unexpected extension {n}");
        }
    }

    // Teams-only people: one directory line each, nothing injected into the CSV.
    let csv = std::fs::read_to_string(lab.workdir.path().join("ipo-directory.csv")).unwrap();
    let teams_only = hostile
        .iter()
        .filter(|(_, _, r, _)| *r == Role::TeamsOnly)
        .count();
    assert_eq!(csv.lines().count(), teams_only, "{csv}");
    let entries =
        ipo_client::system_directory::read_directory(&lab.workdir.path().join("ipo-directory.csv"))
            .unwrap();
    assert_eq!(entries.len(), teams_only);
    let entry_names: BTreeSet<String> = entries
        .iter()
        .map(|e| e.name.as_str().to_lowercase())
        .collect();
    assert_eq!(entry_names.len(), teams_only, "directory names not unique");

    // Nothing left to do: hostile values do not make the sync flap.
    assert_nothing_left_to_do(&engine, &format!("{format:?}")).await;
    eprintln!(
        "{format:?}: {} users compared field by field, {} IP Office requests, {:?}",
        checked,
        ipo_requests(&lab),
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_values_stay_in_their_own_field_over_xml() {
    hostile_values_stay_in_their_own_field(WireFormat::Xml).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_values_stay_in_their_own_field_over_json() {
    hostile_values_stay_in_their_own_field(WireFormat::Json).await;
}

/// The Graph client builds one `$filter` from data (`find_users`); the sync itself filters
/// only by object ids (delta `id eq '<guid>'`, validated GUIDs). A quoted value must match
/// itself literally, never widen the query.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odata_quotes_in_a_filter_value_cannot_widen_the_query() {
    let hostile = tenant(false);
    let people: Vec<_> = hostile.iter().map(|(u, g, _, _)| (u.clone(), *g)).collect();
    let lab = hostile_lab(&people, WireFormat::Xml).await;
    let total = lab.graph_client.list_users().await.unwrap().len();
    assert_eq!(total, hostile.len());

    // The injection attempts match nobody.
    for probe in [
        "x' or displayName eq 'Clean 003",
        "x' or 1 eq 1 or displayName eq '",
        "' or startswith(displayName,'') or '' eq '",
        "x'&$top=1&$filter=id ne '",
        "x%27%20or%201%20eq%201",
        "x') or (displayName eq 'Clean 003') or ('",
        "x#' or '1' eq '1",
    ] {
        let found = lab.graph_client.find_users("displayName", probe).await;
        let found = found.unwrap_or_else(|e| panic!("{probe:?}: {e}"));
        assert!(found.is_empty(), "{probe:?} widened the query: {found:?}");
    }
    // A hostile value finds exactly the people who carry it, literally.
    for (label, p) in payloads() {
        if p.len() > 1000 || p.contains('\u{0}') {
            continue; // URL length / NUL: not worth a Graph query.
        }
        let want: BTreeSet<ObjectId> = hostile
            .iter()
            .filter(|(u, ..)| u.display_name.as_deref() == Some(p.as_str()))
            .map(|(u, ..)| u.id.clone())
            .collect();
        let got: BTreeSet<ObjectId> = lab
            .graph_client
            .find_users("displayName", &p)
            .await
            .unwrap_or_else(|e| panic!("{label}: {e}"))
            .into_iter()
            .map(|u| u.id)
            .collect();
        assert_eq!(got, want, "{label}");
    }
    // The property name is never taken from data.
    assert!(
        lab.graph_client
            .find_users("displayName eq 'x' or id", "y")
            .await
            .is_err()
    );
}

fn broken_id(i: usize) -> ObjectId {
    format!("0f000000-0000-4000-8000-{i:012}").parse().unwrap()
}

/// A person IP Office would refuse as they are, in `group`.
fn broken(i: usize, nick: &str, display: &str, phone: Option<&str>) -> AzureAdUser {
    let mut u = AzureAdUser::new(broken_id(i));
    u.mail_nickname = Some(nick.into());
    u.display_name = Some(display.into());
    u.user_principal_name = Some(format!("b{i}@contoso.example"));
    u.mail = u.user_principal_name.clone();
    u.account_enabled = Some(true);
    u.business_phones = phone.map(|p| vec![p.to_owned()]).unwrap_or_default();
    u
}

fn voice(mut u: AzureAdUser) -> AzureAdUser {
    u.assigned_licenses = vec![ipo_model::AssignedLicense::new(BUSINESS_VOICE)];
    u.assigned_plans = vec![ipo_model::AssignedPlan::new(
        MCOEV,
        ipo_model::CapabilityStatus::Enabled,
    )];
    u
}

const SAME_NAME: usize = 500;
/// Index of the first of the 500 namesakes.
const NAMESAKES: usize = 100;

/// Long names, forbidden characters, 500 namesakes, 1- and 16-digit extensions, a
/// duplicate extension, a Teams-only extension inside a provisioning range, and good people.
fn refused_tenant() -> Vec<(AzureAdUser, &'static str)> {
    let mut t = vec![
        (
            broken(
                1,
                "Maximilian Alexander von Humboldt",
                "Maximilian Alexander von Humboldt-Bonpland",
                None,
            ),
            GROUP_IPO,
        ),
        (
            broken(2, "a.b#c?d/e^f>g,h", "Lee, Ann (Sales) #1 / B.", None),
            GROUP_IPO,
        ),
        (
            broken(3, " leading", "  Spaces   everywhere  ", None),
            GROUP_IPO,
        ),
        (
            broken(4, "onedigit", "One Digit", Some("+441632960004 x1")),
            GROUP_IPO,
        ),
        (
            broken(
                5,
                "sixteendigits",
                "Sixteen Digits",
                Some("+441632960005 x1234567890123456"),
            ),
            GROUP_IPO,
        ),
        (
            broken(6, "twin-a", "Twin A", Some("+441632960006 x250001")),
            GROUP_IPO,
        ),
        (
            voice(broken(7, "twin-b", "Twin B", Some("+441632960007 x250001"))),
            GROUP_TEAMS_IPO,
        ),
        (
            voice(broken(
                8,
                "inrange",
                "In Range",
                Some("+441632960008 x200003"),
            )),
            GROUP_TEAMS_ONLY,
        ),
        (
            voice(broken(
                9,
                "t-onedigit",
                "Teams One Digit",
                Some("+441632960009 x1"),
            )),
            GROUP_TEAMS_ONLY,
        ),
        (
            voice(broken(
                10,
                "t-16",
                "Teams Sixteen",
                Some("+441632960010 x1234567890123456"),
            )),
            GROUP_TEAMS_ONLY,
        ),
    ];
    for i in 0..SAME_NAME {
        t.push((
            broken(
                NAMESAKES + i,
                &format!("annleethesecond{i:03}"),
                "Ann Lee",
                None,
            ),
            GROUP_IPO,
        ));
    }
    // Good people, in every group, interleaved by id with the broken ones.
    for i in 0..12u32 {
        let mut u = person(i);
        u.id = broken_id(50 + i as usize);
        t.push((u, group_of(i)));
    }
    t
}

fn good_ids() -> Vec<(ObjectId, &'static str)> {
    (0..12u32)
        .map(|i| (broken_id(50 + i as usize), group_of(i)))
        .collect()
}

fn status_of(plan: &Plan, id: &ObjectId) -> (PersonStatus, Vec<Reason>) {
    let p = plan.people.iter().find(|p| &p.id == id).unwrap();
    (p.status, p.reasons.clone())
}

async fn refused_source_data_becomes_fixes_or_conflicts(format: WireFormat) {
    let started = Instant::now();
    let people = refused_tenant();
    let lab = hostile_lab(&people, format).await;
    let engine = lab.engine(config(), Arc::new(MemoryStateStore::new()));

    // Deterministic: the same plan twice, and the same plan on a second lab.
    let first = engine.run(&RunOptions::dry_run()).await.unwrap().plan;
    let second = engine.run(&RunOptions::dry_run()).await.unwrap().plan;
    assert_eq!(first, second, "{format:?}: planning is not deterministic");

    let run = engine.run(&RunOptions::apply()).await.unwrap();
    assert_eq!(run.plan, first, "{format:?}: the applied plan differs");
    let report = run.report.unwrap();
    let failures: Vec<_> = report.failures().collect();
    assert!(failures.is_empty(), "{format:?}: {failures:#?}");
    let plan = &run.plan;
    let users = lab.ipo.users();
    let by_name = |n: &str| users.iter().find(|u| u.name.as_str() == n);

    // Good people: all there, with the clean person's values.
    for (id, group) in good_ids() {
        let (status, reasons) = status_of(plan, &id);
        if group == GROUP_TEAMS_ONLY {
            assert_eq!(status, PersonStatus::Create, "{reasons:?}");
            continue;
        }
        assert_eq!(status, PersonStatus::Create, "good {id}: {reasons:?}");
        let line = plan.people.iter().find(|p| p.id == id).unwrap();
        let name = line.ipo_name.as_ref().unwrap();
        let u = by_name(name.as_str()).unwrap_or_else(|| panic!("good {name} missing"));
        assert_eq!(u.extension, line.extension);
        let want = if group == GROUP_TEAMS_IPO {
            Profile::PowerUser
        } else {
            Profile::BasicUser
        };
        assert_eq!(u.profile, want, "{name}");
    }

    // Over-long and forbidden names: derived, reported.
    let derived = |i: usize, want: &str| {
        let (status, reasons) = status_of(plan, &broken_id(i));
        assert_eq!(status, PersonStatus::Create, "{i}: {reasons:?}");
        assert!(
            reasons
                .iter()
                .any(|r| matches!(r, Reason::NameDerived { name, .. } if name.as_str() == want)),
            "{i}: {reasons:?}"
        );
        by_name(want).unwrap_or_else(|| panic!("{want} missing"))
    };
    let long = derived(1, "Maximilian Alex");
    assert_eq!(
        long.full_name.as_ref().unwrap().as_str(),
        "Maximilian Alexander von Humbol"
    );
    let forbidden = derived(2, "abcdefgh");
    assert_eq!(
        forbidden.full_name.as_ref().unwrap().as_str(),
        "Lee Ann (Sales) 1 B"
    );
    derived(3, "leading");

    // 500 namesakes: 500 distinct, valid names, exactly the ones `make_unique` gives in
    // person order (nothing else in IP Office starts with "annlee"); one full name shared.
    let mut oracle = NameRegistry::new();
    let mut namesake_names = BTreeSet::new();
    for i in 0..SAME_NAME {
        let id = broken_id(NAMESAKES + i);
        let (status, reasons) = status_of(plan, &id);
        assert_eq!(status, PersonStatus::Create, "namesake {i}: {reasons:?}");
        let line = plan.people.iter().find(|p| p.id == id).unwrap();
        let name = line.ipo_name.clone().unwrap();
        let want = UserName::derive(&format!("annleethesecond{i:03}"))
            .unwrap()
            .make_unique(&mut oracle);
        assert_eq!(name, want, "namesake {i}");
        assert!(by_name(name.as_str()).is_some(), "{name} not in IP Office");
        assert!(namesake_names.insert(name.uniqueness_key()), "{name} twice");
    }
    assert_eq!(namesake_names.len(), SAME_NAME);
    assert!(namesake_names.contains("annleethesecond"));
    assert!(namesake_names.contains("annleethesec500"));
    let ann_lees = users
        .iter()
        .filter(|u| {
            u.full_name
                .as_ref()
                .is_some_and(|f| f.as_str() == "Ann Lee")
        })
        .count();
    assert_eq!(ann_lees, SAME_NAME);

    // 16 digits (over IP Office's 15) or 1 digit: the phone tried to carry an extension IP
    // Office refuses, so the person is reported and nothing is written (allocating another
    // number would hide the administrator's mistake).
    for i in [4, 5] {
        let (status, reasons) = status_of(plan, &broken_id(i));
        assert_eq!(status, PersonStatus::Skipped, "{i}: {reasons:?}");
        assert!(
            reasons.iter().any(|r| matches!(
                r,
                Reason::InvalidValue { field, source, .. }
                    if field == "Extension" && source.contains("businessPhones")
            )),
            "{i}: {reasons:?}"
        );
    }
    for name in ["onedigit", "sixteendigits", "sixteendigit"] {
        assert!(by_name(name).is_none(), "{name} was created");
    }
    // Same extension twice: both reported, neither written.
    for i in [6, 7] {
        let (status, reasons) = status_of(plan, &broken_id(i));
        assert_eq!(status, PersonStatus::Skipped);
        assert!(
            reasons.iter().any(|r| matches!(
                r,
                Reason::DuplicateExtension { extension, others }
                    if extension.as_str() == "250001" && others.len() == 1
            )),
            "{i}: {reasons:?}"
        );
    }
    assert!(
        users
            .iter()
            .all(|u| u.extension.as_ref().is_none_or(|e| e.as_str() != "250001"))
    );
    // Teams-only extension inside the desk range: a reported clash, no directory entry.
    let (status, reasons) = status_of(plan, &broken_id(8));
    assert_eq!(status, PersonStatus::Skipped);
    assert!(
        reasons.iter().any(|r| matches!(
            r,
            Reason::TeamsExtensionClash { extension, .. } if extension.as_str() == "200003"
        )),
        "{reasons:?}"
    );
    assert!(
        users
            .iter()
            .all(|u| u.extension.as_ref().is_none_or(|e| e.as_str() != "200003"))
    );
    // Teams-only with an unusable extension in the phone: reported, nothing written.
    for i in [9, 10] {
        let (status, reasons) = status_of(plan, &broken_id(i));
        assert_eq!(status, PersonStatus::Skipped, "{i}: {reasons:?}");
        assert!(
            reasons.iter().any(|r| matches!(
                r,
                Reason::InvalidValue { field, .. } if field == "Extension"
            )),
            "{i}: {reasons:?}"
        );
    }
    let csv = std::fs::read_to_string(lab.workdir.path().join("ipo-directory.csv")).unwrap();
    assert!(
        !csv.contains("In Range") && !csv.contains("Teams One") && !csv.contains("Teams Sixteen")
    );

    // Every user the run planned is there, once; nothing left to do.
    let created = plan.count(sync_engine::ActionKind::CreateUser);
    // Three cleaned names, the namesakes and ten good people; the 1- and 16-digit ones are held.
    assert_eq!(created, 3 + SAME_NAME + 10, "{format:?}");
    assert_eq!(lab.ipo.users().len(), users.len());
    assert_nothing_left_to_do(&engine, &format!("{format:?}")).await;
    eprintln!(
        "{format:?}: {created} users created next to the refused data, {} IP Office requests, {:?}",
        ipo_requests(&lab),
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_source_data_becomes_fixes_or_conflicts_over_xml() {
    refused_source_data_becomes_fixes_or_conflicts(WireFormat::Xml).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_source_data_becomes_fixes_or_conflicts_over_json() {
    refused_source_data_becomes_fixes_or_conflicts(WireFormat::Json).await;
}

/// Every value the sync alters or drops should say so on the person's plan line, as the
/// name (`NameDerived`), e-mail, mobile and voicemail code (`InvalidValue`) already do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_altered_or_dropped_value_has_a_reason_on_its_person() {
    let mut cfg = config();
    cfg.fields.login_code = Some(FieldMap::always("extensionAttribute5"));
    let mut xml = broken(
        1,
        "xmlname",
        "</FullName><AssignedPackage>4</AssignedPackage>",
        None,
    );
    xml.extension_attributes
        .set(5, Some("</LoginCode><AssignedPackage>4".into()));
    let people = vec![
        (xml, GROUP_IPO),
        (broken(2, "long", &"L".repeat(10_000), None), GROUP_IPO),
        (
            broken(3, "onedigit", "One Digit", Some("+441632960004 x1")),
            GROUP_IPO,
        ),
        (
            broken(
                4,
                "sixteen",
                "Sixteen",
                Some("+441632960005 x1234567890123456"),
            ),
            GROUP_IPO,
        ),
    ];
    let lab = hostile_lab(&people, WireFormat::Xml).await;
    let plan = lab
        .engine(cfg, Arc::new(MemoryStateStore::new()))
        .run(&RunOptions::dry_run())
        .await
        .unwrap()
        .plan;
    let mut missing = Vec::new();
    for (i, field) in [
        (1, "Full Name"),
        (1, "Login Code"),
        (2, "Full Name"),
        (3, "Extension"),
        (4, "Extension"),
    ] {
        let (_, reasons) = status_of(&plan, &broken_id(i));
        if !reasons.iter().any(|r| format!("{r:?}").contains(field)) {
            missing.push(format!("person {i}: nothing about {field} in {reasons:?}"));
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}
