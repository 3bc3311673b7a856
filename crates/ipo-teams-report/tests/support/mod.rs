//! Shared by the tests and the screenshot example: the demo's tenant and configuration
//! (the data `cargo run --example demo` drives through the emulators), planned and applied
//! against the in-memory stores; and hostile twins of its outputs.
#![allow(dead_code)]

#[path = "../../../../examples/demo/tenant.rs"]
#[allow(dead_code, clippy::all)]
mod tenant;

pub mod browser;
pub mod dom;
pub mod large;
pub mod teams;

use std::collections::BTreeMap;
use std::sync::Arc;

use ipo_model::{
    AzureAdContact, AzureAdSource, AzureAdUser, IpoConfigStore, MemoryAzureAd, MemoryIpo, ObjectId,
    UserType,
};
use sync_engine::{
    Changes, FieldChange, MemoryStateStore, Plan, Reason, Report, RunOptions, SyncConfig,
    SyncEngine, Text, teams::TeamsApplyOptions,
};
use usertype_rules::{Classification, ClassifyInput, DefaultLicensePolicy, classify};

/// The demo's outputs.
pub struct Demo {
    pub classification: Classification,
    /// The dry run's plan.
    pub plan: Plan,
    /// The apply's plan and report.
    pub applied: Plan,
    pub report: Report,
}

fn config(codes: bool) -> SyncConfig {
    let mut text = include_str!("../../../../examples/sync.example.toml").to_owned();
    if codes {
        text = text
            .replace("# login_code", "login_code")
            .replace("# voicemail_code", "voicemail_code");
    }
    let file: toml::Table = toml::from_str(&text).expect("example configuration parses");
    let sync = toml::to_string(file.get("sync").expect("[sync]")).expect("[sync] prints");
    SyncConfig::from_toml(&sync).expect("the example configuration is valid")
}

/// The code every demo person is given when `codes` is on: person n gets `73916n` / `58203n`
/// (distinctive, so a test can look for them).
pub fn login_code(n: usize) -> String {
    format!("{}", 739160 + n)
}
pub fn voicemail_code(n: usize) -> String {
    format!("{}", 582030 + n)
}

/// The demo, planned (dry run) and applied.
pub fn demo() -> Demo {
    run(false, false, false)
}

/// The demo with the organisation's Azure AD contacts in the system directory
/// (`[sync.system_directory] contacts = true`): two contacts, one with a business and a mobile
/// number.
pub fn demo_with_contacts() -> Demo {
    run(false, true, false)
}

/// The contacts of [`demo_with_contacts`]: (id, display name, business phone).
pub const CONTACTS: &[(&str, &str, &str)] = &[
    (
        "0e000000-0000-4000-8000-000000000001",
        "Acme Facilities Desk",
        "+441632960100",
    ),
    (
        "0e000000-0000-4000-8000-000000000002",
        "Harbour Couriers",
        "+441632960200",
    ),
];

/// The demo with login and voicemail codes mapped from extensionAttribute3/4.
pub fn demo_with_codes() -> Demo {
    run(true, false, false)
}

/// The demo with its Teams halves provisioned against an in-memory Teams tenant
/// ([`teams`]), Teams + IP Office through Microsoft Graph and Teams only through the
/// PowerShell script: the plan has Graph and script writes and holds, the apply the Graph
/// writes' outcomes and what Teams holds afterwards.
pub fn demo_with_teams() -> Demo {
    run(false, false, true)
}

fn run(codes: bool, contacts: bool, with_teams: bool) -> Demo {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    rt.block_on(async move {
        let mut config = config(codes);
        config.system_directory.contacts = contacts;
        if with_teams {
            teams::graph_rules(&mut config);
        }
        let dir = MemoryAzureAd::new();
        for (id, name, phone) in CONTACTS.iter().filter(|_| contacts) {
            let mut c = AzureAdContact::new(id.parse().expect("contact ids are valid"));
            c.display_name = Some((*name).to_owned());
            c.business_phones = vec![(*phone).to_owned()];
            dir.upsert_contact(c);
        }
        let group = |g: &str| g.parse().expect("demo group ids are valid");
        dir.add_nested_group(
            &group(tenant::TEAMS_ONLY_GROUP),
            &group(tenant::SALES_GROUP),
        );
        let mut people = tenant::people();
        if with_teams {
            teams::direct_policy_of_someone_else(&mut people);
        }
        let tenant_teams = with_teams.then(|| teams::tenant(people.iter().map(|p| &p.user)));
        for (n, p) in people.into_iter().enumerate() {
            let mut user = p.user;
            if codes {
                user.extension_attributes.set(3, Some(login_code(n)));
                user.extension_attributes.set(4, Some(voicemail_code(n)));
            }
            for g in &p.groups {
                dir.add_member(&group(g), &user.id);
            }
            dir.upsert_user(user);
        }
        let dir: Arc<dyn AzureAdSource> = Arc::new(dir);
        let ipo: Arc<dyn IpoConfigStore> = Arc::new(MemoryIpo::new(tenant::ipo()));
        let mut engine =
            SyncEngine::new(config.clone(), dir, ipo, Arc::new(MemoryStateStore::new()));
        if let Some(admin) = tenant_teams {
            engine = engine.with_teams(admin, TeamsApplyOptions::default());
        }
        let dry = engine.run(&RunOptions::dry_run()).await.expect("dry run");
        let classification = classification(&config, &dry.azure_ad, &dry.snapshot);
        let applied = engine.run(&RunOptions::apply()).await.expect("apply");
        Demo {
            classification,
            plan: dry.plan,
            applied: applied.plan,
            report: applied.report.expect("an apply reports"),
        }
    })
}

/// Classification as the demo does it: each person's intended type from the
/// highest-priority rule of their groups.
fn classification(
    config: &SyncConfig,
    directory: &[AzureAdUser],
    snapshot: &ipo_model::IpoSnapshot,
) -> Classification {
    let mut intended: BTreeMap<ObjectId, UserType> = BTreeMap::new();
    for u in directory {
        if let Some(rule) = config
            .rules
            .iter()
            .filter(|r| u.groups.contains(&r.group))
            .max_by_key(|r| r.priority)
        {
            intended.insert(u.id.clone(), rule.user_type);
        }
    }
    let input = ClassifyInput::new(directory, snapshot).with_intended(&intended);
    classify(&input, &DefaultLicensePolicy::default())
}

/// Values a directory could hold that would do harm if they reached the page as markup.
pub const PAYLOADS: &[&str] = &[
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "\"><svg onload=alert(1)>",
    "' onmouseover='alert(1)' x='",
    "javascript:alert(document.cookie)",
    "</textarea></pre></td></tr></table><b>x</b>",
    "<!-- <style>body{display:none}</style>",
    "<a href=\"https://example.invalid/\">link</a>",
    "<iframe src=//example.invalid></iframe>",
    "<link rel=stylesheet href=//example.invalid/x.css>",
    "Ann & \"Bo\" O'Neill\nline two\u{2028}<b>x</b>",
];

pub(crate) fn payload(i: usize) -> &'static str {
    PAYLOADS[i % PAYLOADS.len()]
}

pub(crate) fn taint(text: &str, i: usize) -> String {
    format!("{text} {}", payload(i))
}

fn taint_text(t: &Text, i: usize) -> Text {
    Text::from(taint(t, i))
}

fn taint_reason(r: &mut Reason, i: usize) {
    match r {
        Reason::InvalidValue { message, .. } => *message = taint(message, i),
        Reason::ValueCleaned {
            original, result, ..
        } => {
            *original = taint(original, i);
            *result = taint(result, i + 1);
        }
        Reason::ExtensionTaken { by, .. } => *by = taint(by, i),
        Reason::TeamsExtensionClash { with, .. } => *with = taint(with, i),
        Reason::NameDerived { from, .. } => *from = taint(from, i),
        Reason::UnknownHuntGroup { name } => *name = taint(name, i),
        Reason::RuleConflict { rules } | Reason::HuntGroupNotAllowed { groups: rules } => {
            for r in rules {
                *r = taint(r, i)
            }
        }
        _ => {}
    }
}

/// The same plan with a hostile value added to every text that comes from the directory or
/// IP Office (labels, rules, record names, old and new values, reasons, Teams identities,
/// notes). Which values are present stays the same, so the page must keep its structure.
pub fn hostile_plan(plan: &Plan) -> Plan {
    let mut p = plan.clone();
    for (i, person) in p.people.iter_mut().enumerate() {
        person.label = taint_text(&person.label, i);
        if let Some(rule) = &mut person.rule {
            *rule = taint_text(rule, i + 1);
        }
        for r in &mut person.reasons {
            taint_reason(r, i + 2);
        }
    }
    for (i, a) in p.actions.iter_mut().enumerate() {
        a.record.name = taint_text(&a.record.name, i);
        let changes: Vec<FieldChange> = a
            .changes
            .iter()
            .map(|c| {
                let mut c = c.clone();
                c.old = c.old.as_ref().map(|v| taint_text(v, i + 3));
                c.new = c.new.as_ref().map(|v| taint_text(v, i + 4));
                c
            })
            .collect();
        a.changes = Changes::from(changes);
    }
    teams::taint_plan(&mut p.teams);
    for (i, n) in p.notes.iter_mut().enumerate() {
        *n = taint(n, i);
    }
    p
}

/// The report with one REBOOT notice on its first item (clean, or carrying a payload).
pub fn with_notice(report: &Report, hostile: bool) -> Report {
    let mut r = report.clone();
    if let Some(first) = r.items.first_mut() {
        let notice = "IP Office node 127.0.0.1 must be restarted for this change (REBOOT)";
        first.notices = vec![if hostile {
            taint(notice, 0)
        } else {
            notice.into()
        }];
    }
    r
}

/// The report with a hostile REBOOT notice ([`with_notice`]) and a hostile value added to
/// every Teams text (labels, policy names, why a write failed, warnings, what was read back).
pub fn hostile_report(report: &Report) -> Report {
    let mut r = with_notice(report, true);
    if let Some(applied) = &mut r.teams {
        teams::taint_applied(applied);
    }
    r
}

/// The classification with a hostile value added to every label and IP Office name shown.
pub fn hostile_classification(c: &Classification) -> Classification {
    let mut c = c.clone();
    for (i, v) in c.verdicts.iter_mut().enumerate() {
        v.person.label = taint(&v.person.label, i);
    }
    c
}
