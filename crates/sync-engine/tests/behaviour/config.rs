//! Configuration: a full TOML example, and errors that name the field.

use ipo_model::{ExtensionKind, LicensingMode, Profile, UserType};
use sync_engine::{
    AdoptPolicy, ApplyMode, ConfigError, GroupRule, NodeSelector, ProvisioningRule, RemovalPolicy,
    RunOptions, SyncConfig, SyncError, UserTemplate,
};

use usertype_rules::{TeamsNumberRule, TeamsProvisioning};

use crate::common::*;

const EXAMPLE: &str = r#"
# Who becomes what. Higher priority wins for people in several groups.
[[rules]]
group = "99999999-0000-4000-8000-000000000001"
name = "Desk phones"
user_type = "ip_office_only"
priority = 1
provisioning_rule = "desk"

[[rules]]
group = "99999999-0000-4000-8000-000000000002"
name = "Teams + IP Office"
user_type = "teams_and_ip_office"
priority = 10
provisioning_rule = "teams"
voice_routing_policy = "UK-DirectRouting"

[[rules]]
group = "99999999-0000-4000-8000-000000000003"
name = "Teams only"
user_type = "teams_only"

# Avaya's "Synchronize User Fields".
[fields]
user_id = "id"
name = { source = "mailNickname", apply = "always" }
full_name = { source = "displayName" }
email = { source = "mail", apply = "on_create" }
extension = { source = "extensionAttribute7" }
mobile_twinning = { source = "mobilePhone" }
login_code = { source = "extensionAttribute8" }
voicemail_code = { source = "extensionAttribute9", apply = "on_create" }
hunt_groups = { source = "department" }
provisioning_rule = { source = "extensionAttribute10" }

# How new users are made; never applied to existing users.
[[provisioning_rules]]
name = "desk"
start_extension = "200"
end_extension = "299"
extension_kind = "h323"
user_template = "desk-user"

[[provisioning_rules]]
name = "teams"
start_extension = "4000"
user_template = "teams-user"
node = { kind = "from_property", value = "officeLocation" }

[[provisioning_rules]]
name = "branch"
start_extension = "300"
end_extension = "349"
node = { kind = "fixed", value = "10.0.0.2" }

[user_templates.desk-user]
profile = "basic_user"

[user_templates.teams-user]
profile = "power_user"
teams_client = true
exclude_from_directory = false
fields = { VoicemailOn = "true" }

[safety]
removal = "delete"
deletion_threshold_percent = 10.0
deletion_threshold_min = 5
adopt = "by_extension_or_email"
disabled_accounts_out_of_scope = false

[directory]
enabled = true
name_source = "displayName"

[licensing]
voice_service_plans = ["4828c8ec-dc2e-4779-b502-87ac9ce28ab7"]
voice_skus = ["d52db95a-5ecb-46b6-beb0-190ab5cda4a8"]
teams_profiles = { plds = ["power_user", "office_worker"], subscription = ["uc_user"] }
"#;

#[test]
fn config_parses_from_toml() {
    let cfg = SyncConfig::from_toml(EXAMPLE).unwrap();
    assert_eq!(cfg.rules.len(), 3);
    assert_eq!(cfg.rules[1].user_type, UserType::TeamsAndIpOffice);
    assert_eq!(cfg.rules[1].priority, 10);
    // The rule-level key is the older form of `[rules.teams] voice_routing_policy`.
    assert_eq!(
        cfg.rules[1].teams.voice_routing_policy.as_deref(),
        Some("UK-DirectRouting")
    );
    assert_eq!(cfg.rules[1].teams.provisioning, TeamsProvisioning::Script);
    assert_eq!(cfg.rules[2].label(), "Teams only");
    assert_eq!(cfg.rules[0].group, gid(1));
    assert_eq!(cfg.fields.name.source, "mailNickname");
    assert_eq!(
        cfg.fields.email.as_ref().unwrap().apply,
        ApplyMode::OnCreate
    );
    assert_eq!(
        cfg.fields.full_name.as_ref().unwrap().apply,
        ApplyMode::Always
    );
    assert_eq!(
        cfg.fields.hunt_groups.as_ref().unwrap().source,
        "department"
    );
    let desk = cfg.provisioning_rule("desk").unwrap();
    assert_eq!(desk.extension_kind, ExtensionKind::H323);
    assert_eq!(desk.range().unwrap().to_string(), "200-299");
    let teams = cfg.provisioning_rule("teams").unwrap();
    assert_eq!(teams.range().unwrap().to_string(), "4000-9999");
    assert_eq!(teams.extension_kind, ExtensionKind::Sip);
    assert_eq!(
        teams.node,
        NodeSelector::FromProperty("officeLocation".into())
    );
    assert_eq!(
        cfg.provisioning_rule("branch").unwrap().node,
        NodeSelector::Fixed("10.0.0.2".into())
    );
    let tpl = &cfg.user_templates["teams-user"];
    assert_eq!(tpl.profile, Some(Profile::PowerUser));
    assert_eq!(tpl.teams_client, Some(true));
    assert_eq!(tpl.fields["VoicemailOn"], "true");
    assert_eq!(cfg.safety.removal, RemovalPolicy::Delete);
    assert_eq!(cfg.safety.adopt, AdoptPolicy::ByExtensionOrEmail);
    assert_eq!(cfg.safety.removal_threshold(100), 10);
    assert_eq!(cfg.safety.removal_threshold(20), 5);
    assert!(!cfg.safety.disabled_accounts_out_of_scope);
    assert!(cfg.validate(Some(LicensingMode::Plds)).is_ok());
    // Round trip.
    let text = toml::to_string(&cfg).unwrap();
    assert_eq!(SyncConfig::from_toml(&text).unwrap(), cfg);

    // Defaults for everything but the rules.
    let minimal = SyncConfig::from_toml(
        "[[rules]]\ngroup = \"99999999-0000-4000-8000-000000000001\"\nuser_type = \"ip_office_only\"\n",
    )
    .unwrap();
    assert_eq!(minimal.safety.removal, RemovalPolicy::Disable);
    assert_eq!(minimal.safety.adopt, AdoptPolicy::Never);
    assert_eq!(minimal.fields.name.source, "mailNickname");
}

fn field_of(e: ConfigError) -> String {
    match e {
        ConfigError::Invalid { field, .. } => field,
        other => panic!("expected a field error, got {other}"),
    }
}

#[test]
fn config_validation_names_the_field() {
    // Unknown key in TOML.
    let e = SyncConfig::from_toml(
        "[[rules]]\ngroup = \"99999999-0000-4000-8000-000000000001\"\nuser_type = \"ip_office_only\"\nshoe_size = 3\n",
    )
    .unwrap_err();
    assert!(
        matches!(&e, ConfigError::Parse(m) if m.contains("shoe_size")),
        "{e}"
    );

    // Unknown Azure AD property.
    let mut cfg = SyncConfig::new(vec![GroupRule::new(gid(1), UserType::IpOfficeOnly)]);
    cfg.fields.email = Some(sync_engine::FieldMap::always("shoeSize"));
    let e = cfg.validate(None).unwrap_err();
    assert!(e.to_string().contains("shoeSize"), "{e}");
    assert_eq!(field_of(e), "fields.email.source");

    // A code from the object id (never a secret: it keys the state's cache).
    let mut cfg = SyncConfig::new(vec![GroupRule::new(gid(1), UserType::IpOfficeOnly)]);
    cfg.fields.voicemail_code = Some(sync_engine::FieldMap::always("id"));
    assert_eq!(
        field_of(cfg.validate(None).unwrap_err()),
        "fields.voicemail_code.source"
    );

    // Overlapping provisioning ranges.
    let mut cfg = SyncConfig::new(vec![GroupRule::new(gid(1), UserType::IpOfficeOnly)]);
    let mut a = ProvisioningRule::new("a");
    a.start_extension = Some(ext("200"));
    a.end_extension = Some(ext("299"));
    let mut b = ProvisioningRule::new("b");
    b.start_extension = Some(ext("250"));
    b.end_extension = Some(ext("350"));
    cfg.provisioning_rules = vec![a, b];
    assert_eq!(
        field_of(cfg.validate(None).unwrap_err()),
        "provisioning_rules[1].start_extension"
    );

    // A template profile that cannot use Teams in the licensing mode.
    let mut rule = GroupRule::new(gid(1), UserType::TeamsAndIpOffice);
    rule.provisioning_rule = Some("p".into());
    let mut cfg = SyncConfig::new(vec![rule]);
    let mut p = ProvisioningRule::new("p");
    p.user_template = Some("basic".into());
    cfg.provisioning_rules = vec![p];
    let mut tpl = UserTemplate::default();
    tpl.profile = Some(Profile::BasicUser);
    cfg.user_templates.insert("basic".into(), tpl);
    assert!(cfg.validate(None).is_ok(), "unknowable without the mode");
    assert_eq!(
        field_of(cfg.validate(Some(LicensingMode::Plds)).unwrap_err()),
        "user_templates.basic.profile"
    );
    // Power User exists only on PLDS.
    cfg.user_templates.get_mut("basic").unwrap().profile = Some(Profile::PowerUser);
    assert!(cfg.validate(Some(LicensingMode::Plds)).is_ok());
    assert_eq!(
        field_of(cfg.validate(Some(LicensingMode::Subscription)).unwrap_err()),
        "user_templates.basic.profile"
    );

    // A Teams-only rule with a provisioning rule that has a template...
    let mut rule = GroupRule::new(gid(1), UserType::TeamsOnly);
    rule.provisioning_rule = Some("p".into());
    let mut cfg = SyncConfig::new(vec![rule]);
    let mut p = ProvisioningRule::new("p");
    p.user_template = Some("t".into());
    cfg.provisioning_rules = vec![p];
    cfg.user_templates
        .insert("t".into(), UserTemplate::default());
    assert_eq!(
        field_of(cfg.validate(None).unwrap_err()),
        "rules[0].provisioning_rule"
    );
    // ...or without one: a Teams-only group creates no users either way.
    cfg.provisioning_rules[0].user_template = None;
    assert_eq!(
        field_of(cfg.validate(None).unwrap_err()),
        "rules[0].provisioning_rule"
    );

    // A rule naming a provisioning rule that does not exist.
    let mut rule = GroupRule::new(gid(1), UserType::IpOfficeOnly);
    rule.provisioning_rule = Some("nope".into());
    assert_eq!(
        field_of(SyncConfig::new(vec![rule]).validate(None).unwrap_err()),
        "rules[0].provisioning_rule"
    );
}

#[tokio::test]
async fn engine_refuses_a_profile_the_system_cannot_use_for_teams() {
    let mut rule = GroupRule::new(gid(1), UserType::TeamsAndIpOffice);
    rule.provisioning_rule = Some("p".into());
    let mut cfg = SyncConfig::new(vec![rule]);
    let mut p = ProvisioningRule::new("p");
    p.user_template = Some("basic".into());
    cfg.provisioning_rules = vec![p];
    let mut tpl = UserTemplate::default();
    tpl.profile = Some(Profile::BasicUser);
    cfg.user_templates.insert("basic".into(), tpl);
    let w = World::new(cfg, server());
    let err = w.engine.run(&RunOptions::dry_run()).await.unwrap_err();
    assert!(
        matches!(&err, SyncError::Config(ConfigError::Invalid { field, .. }) if field == "user_templates.basic.profile"),
        "{err}"
    );
    assert_eq!(w.ipo.writes(), 0);
}

const TEAMS_RULE: &str = r#"
[[rules]]
group = "99999999-0000-4000-8000-000000000003"
name = "Teams only"
user_type = "teams_only"
"#;

#[test]
fn a_rules_teams_table_is_its_teams_half() {
    let cfg = SyncConfig::from_toml(&format!(
        "{TEAMS_RULE}[rules.teams]\nprovisioning = \"graph\"\n\
         number = {{ template = \"+441632768{{extension}}\" }}\n\
         voice_routing_policy = \"UK\"\ndial_plan = \"UK-Dial\"\nadopt = true\n"
    ))
    .unwrap();
    let teams = &cfg.rules[0].teams;
    assert_eq!(teams.provisioning, TeamsProvisioning::Graph);
    assert!(matches!(
        &teams.number,
        Some(TeamsNumberRule::Template { template, with_extension: true })
            if template.to_string() == "+441632768{extension}"
    ));
    assert_eq!(teams.voice_routing_policy.as_deref(), Some("UK"));
    assert_eq!(teams.dial_plan.as_deref(), Some("UK-Dial"));
    assert!(teams.adopt);
}

#[test]
fn the_policy_at_both_places_is_refused_naming_the_rule() {
    let text = format!(
        "{}voice_routing_policy = \"Old\"\n\n[rules.teams]\nvoice_routing_policy = \"New\"\n",
        TEAMS_RULE
    );
    let e = SyncConfig::from_toml(&text).unwrap_err().to_string();
    assert!(
        e.contains("\"Teams only\"") && e.contains("voice_routing_policy"),
        "{e}"
    );
}

fn rule_error(text: &str) -> (usize, String, String) {
    match SyncConfig::from_toml(text).unwrap_err() {
        ConfigError::InvalidRule {
            index, rule, key, ..
        } => (index, rule, key),
        other => panic!("not a rule's error: {other}"),
    }
}

#[test]
fn a_teams_half_on_an_ip_office_only_rule_is_refused() {
    let text = format!(
        "{}[[rules]]\ngroup = \"99999999-0000-4000-8000-000000000001\"\n\
         name = \"Desk phones\"\nuser_type = \"ip_office_only\"\npriority = 1\n\n\
         [rules.teams]\nprovisioning = \"graph\"\nvoice_routing_policy = \"UK\"\n",
        TEAMS_RULE
    );
    assert_eq!(
        rule_error(&text),
        (1, "Desk phones".into(), "teams.provisioning".into())
    );
    // Turned off, the table is harmless.
    let off = text.replace("\"graph\"", "\"off\"");
    assert!(SyncConfig::from_toml(&off).is_ok());
}

#[test]
fn a_teams_half_that_names_nothing_is_refused() {
    for provisioning in ["graph", "script"] {
        let text =
            format!("{TEAMS_RULE}[rules.teams]\nprovisioning = \"{provisioning}\"\nadopt = true\n");
        let e = SyncConfig::from_toml(&text).unwrap_err();
        assert!(e.to_string().contains("nothing to provision"), "{e}");
        assert_eq!(rule_error(&text), (0, "Teams only".into(), "teams".into()));
    }
    // A rule without a Teams table has no Teams half to check.
    assert!(SyncConfig::from_toml(TEAMS_RULE).is_ok());
}

#[test]
fn the_older_directory_key_is_the_system_directory() {
    let rule = format!(
        "[[rules]]\ngroup = \"{}\"\nuser_type = \"teams_only\"\n",
        gid(1)
    );
    let new = SyncConfig::from_toml(&format!(
        "{rule}\n[system_directory]\nnumbers = [\"teams\", \"mobile\"]\n"
    ))
    .unwrap();
    let old = SyncConfig::from_toml(&format!(
        "{rule}\n[directory]\nnumbers = [\"teams\", \"mobile\"]\n"
    ))
    .unwrap();
    assert_eq!(new.system_directory.numbers.len(), 2);
    assert_eq!(old.system_directory, new.system_directory);
}
