//! One answer per person: the classification (`sync_engine::classify_for_sync`) and the plan agree,
//! case by case, for the disagreements found between the two before the planner acted on
//! `usertype-rules`' verdicts (classes A to G, and identity).

use ipo_model::{
    AssignedLicense, AssignedPlan, AssignmentCategory, CapabilityStatus, LicensingMode, Profile,
    TeamsPhoneNumber, TeamsVoice, UserType,
};
use sync_engine::usertype_rules::{Occupant, Problem};
use sync_engine::{
    ActionKind, AdoptPolicy, GroupRule, PersonStatus, Reason, RunOptions, StateStore, SyncConfig,
    UserTemplate,
};

use crate::common::*;

fn rule(g: &ipo_model::GroupId, t: UserType) -> SyncConfig {
    SyncConfig::new(vec![GroupRule::new(g.clone(), t)])
}

fn codes(run: &sync_engine::RunResult, id: &ipo_model::ObjectId) -> Vec<&'static str> {
    run.classification
        .for_directory_user(id)
        .map(|v| v.problems.iter().map(Problem::code).collect())
        .unwrap_or_default()
}

/// A: a disabled account is not synced, and the classification says the same (not "fine",
/// not "create it").
#[tokio::test]
async fn a_disabled_account_is_one_rule_in_both() {
    let g = gid(1);
    let w = World::new(rule(&g, UserType::IpOfficeOnly), server());
    let mut ann = with_ext(person(1, "ann"), "401");
    ann.account_enabled = Some(false);
    w.join(&g, &ann);
    let run = w.run(&RunOptions::apply()).await;
    let line = run.plan.person(&ann.id).unwrap();
    assert_eq!(line.status, PersonStatus::Skipped);
    assert!(line.reasons.contains(&Reason::AccountDisabled));
    let v = run.classification.for_directory_user(&ann.id).unwrap();
    assert!(v.blocks_sync());
    assert_eq!(codes(&run, &ann.id), ["account_disabled"]);
    assert!(w.user_of(&ann.id).is_none());
}

/// B: the extension only in the Teams number (`tel:+441632768402;ext=402`) is read by the
/// plan as by the classification.
#[tokio::test]
async fn b_extension_in_the_teams_number_only() {
    let g = gid(1);
    let w = World::new(rule(&g, UserType::TeamsAndIpOffice), server());
    let mut ann = with_voice(person(1, "ann"));
    let mut t = TeamsVoice::default();
    t.telephone_numbers = vec![TeamsPhoneNumber::new(
        "tel:+441632768402;ext=402",
        AssignmentCategory::Primary,
    )];
    ann.teams = Some(t);
    w.join(&g, &ann);
    let run = w.apply_ok().await;
    assert_eq!(
        run.plan.person(&ann.id).unwrap().status,
        PersonStatus::Create
    );
    let u = w.user_of(&ann.id).unwrap();
    assert_eq!(u.extension, Some(ext("402")));
    assert_eq!(u.teams_client, Some(true));
    let after = w.run(&RunOptions::dry_run()).await;
    let v = after.classification.for_directory_user(&ann.id).unwrap();
    assert_eq!(v.user_type, Some(UserType::TeamsAndIpOffice));
}

/// C: two people wanting one extension nobody on IP Office holds: both reported by both.
#[tokio::test]
async fn c_two_people_one_extension_reported_by_both() {
    let g = gid(1);
    let w = World::new(rule(&g, UserType::IpOfficeOnly), server());
    let ann = with_ext(person(1, "ann"), "401");
    let bob = with_ext(person(2, "bob"), "401");
    w.join(&g, &ann);
    w.join(&g, &bob);
    let run = w.run(&RunOptions::apply()).await;
    for p in [&ann, &bob] {
        let line = run.plan.person(&p.id).unwrap();
        assert_eq!(line.status, PersonStatus::Skipped);
        assert!(
            line.reasons
                .iter()
                .any(|r| matches!(r, Reason::DuplicateExtension { .. }))
        );
        assert!(codes(&run, &p.id).contains(&"duplicate_extension"));
    }
    assert_eq!(run.plan.count(ActionKind::CreateUser), 0);
}

/// D: one IP Office user matched by two people (one by extension, one by e-mail) is
/// contested: never adopted, never updated, both reported.
#[tokio::test]
async fn d_a_contested_user_is_never_updated() {
    let g = gid(1);
    let mut s = server();
    let mut shared = ipo_user("shared", Some("401"));
    shared.email = Some("bob2@contoso.com".into());
    s.users.push(shared);
    let mut cfg = rule(&g, UserType::IpOfficeOnly);
    cfg.safety.adopt = AdoptPolicy::ByExtensionOrEmail;
    let w = World::new(cfg, s);
    let before = w.ipo.current();
    let ann = with_ext(person(1, "ann"), "401");
    let bob = with_ext(person(2, "bob"), "402");
    w.join(&g, &ann);
    w.join(&g, &bob);
    let run = w.run(&RunOptions::apply()).await;
    for p in [&ann, &bob] {
        let line = run.plan.person(&p.id).unwrap();
        assert_eq!(line.status, PersonStatus::Skipped, "{:?}", line.reasons);
        assert!(codes(&run, &p.id).contains(&"contested_ipo_user"));
    }
    assert_eq!(run.plan.count(ActionKind::UpdateUser), 0);
    assert_eq!(
        w.user("shared"),
        before
            .users
            .iter()
            .find(|u| u.name.as_str() == "shared")
            .cloned()
    );
}

/// E: an existing Teams + IP Office user whose Teams side lost its extension is reported,
/// not updated behind the administrator's back.
#[tokio::test]
async fn e_teams_side_without_extension_is_reported_not_updated() {
    let g = gid(1);
    let w = World::new(rule(&g, UserType::TeamsAndIpOffice), server());
    let mut ann = with_voice(with_ext(person(1, "ann"), "401"));
    w.join(&g, &ann);
    w.apply_ok().await;
    ann.business_phones = vec!["+441632768999".into()];
    ann.display_name = Some("Ann Renamed".into());
    w.dir.upsert_user(ann.clone());
    let run = w.run(&RunOptions::apply()).await;
    let line = run.plan.person(&ann.id).unwrap();
    assert_eq!(line.status, PersonStatus::Skipped);
    assert!(line.reasons.contains(&Reason::NoTeamsExtension));
    assert!(codes(&run, &ann.id).contains(&"extension_mismatch"));
    assert_eq!(run.plan.count(ActionKind::UpdateUser), 0);
}

/// F: a Teams-only person named as a hunt-group member: a warning in both.
#[tokio::test]
async fn f_teams_only_hunt_group_member_is_one_warning() {
    let g = gid(1);
    let mut cfg = rule(&g, UserType::TeamsOnly);
    cfg.fields.hunt_groups = Some(sync_engine::FieldMap::always("extensionAttribute1"));
    let w = World::new(cfg, server());
    let mut ann = with_voice(with_ext(person(1, "ann"), "701"));
    ann.extension_attributes.set(1, Some("Sales".into()));
    w.join(&g, &ann);
    let run = w.apply_ok().await;
    let line = run.plan.person(&ann.id).unwrap();
    assert_ne!(line.status, PersonStatus::Skipped);
    let hunt: Vec<_> = line
        .reasons
        .iter()
        .filter(|r| matches!(r, Reason::HuntGroupNotAllowed { .. }))
        .collect();
    assert_eq!(hunt.len(), 1);
    assert!(hunt[0].is_warning());
    let v = run.classification.for_directory_user(&ann.id).unwrap();
    let p = v
        .problems
        .iter()
        .find(|p| p.code() == "hunt_group_membership_impossible")
        .unwrap();
    assert_eq!(p.severity(), sync_engine::usertype_rules::Severity::Warning);
    assert_eq!(v.user_type, Some(UserType::TeamsOnly));
}

/// G: a profile the system's licensing mode does not have is caught before any write: a
/// template naming one stops the run with the field named; without a template the
/// policy's profile for the mode is written, and the classification agrees afterwards.
#[tokio::test]
async fn g_a_plds_profile_is_never_written_to_a_subscription_system() {
    let g = gid(1);
    let subscription = || {
        let mut s = server();
        s.system.licensing_mode = LicensingMode::Subscription;
        s.licenses = vec![ipo_model::License::new("UC User", 5, 5)];
        s
    };
    let mut cfg = rule(&g, UserType::TeamsAndIpOffice);
    cfg.rules[0].provisioning_rule = Some("teams".into());
    cfg.provisioning_rules = vec![sync_engine::ProvisioningRule::new("teams")];
    cfg.provisioning_rules[0].user_template = Some("tpl".into());
    let mut tpl = UserTemplate::default();
    tpl.profile = Some(Profile::PowerUser);
    cfg.user_templates.insert("tpl".into(), tpl);
    let w = World::new(cfg, subscription());
    let ann = with_voice(with_ext(person(1, "ann"), "401"));
    w.join(&g, &ann);
    let err = w.engine.run(&RunOptions::apply()).await.unwrap_err();
    assert!(
        err.to_string().contains("user_templates.tpl.profile"),
        "{err}"
    );
    assert!(w.user_of(&ann.id).is_none());

    let w = World::new(rule(&g, UserType::TeamsAndIpOffice), subscription());
    w.join(&g, &ann);
    let run = w.apply_ok().await;
    assert_eq!(
        run.plan.person(&ann.id).unwrap().status,
        PersonStatus::Create
    );
    assert_eq!(w.user_of(&ann.id).unwrap().profile, Profile::UcUser);
    let after = w.run(&RunOptions::dry_run()).await;
    assert_eq!(
        after
            .classification
            .for_directory_user(&ann.id)
            .unwrap()
            .user_type,
        Some(UserType::TeamsAndIpOffice)
    );
}

/// With adoption off, an unowned IP Office user with the person's e-mail is a reported
/// conflict, never a reason to create a second user.
#[tokio::test]
async fn same_email_unowned_user_is_a_conflict_not_a_second_user() {
    let g = gid(1);
    let mut s = server();
    let mut old = ipo_user("annold", Some("300"));
    old.email = Some("ann1@contoso.com".into());
    s.users.push(old);
    let w = World::new(rule(&g, UserType::IpOfficeOnly), s);
    let ann = with_ext(person(1, "ann"), "401");
    w.join(&g, &ann);
    let run = w.run(&RunOptions::apply()).await;
    let line = run.plan.person(&ann.id).unwrap();
    assert_eq!(line.status, PersonStatus::Skipped);
    assert!(codes(&run, &ann.id).contains(&"unowned_ipo_user"));
    assert!(
        line.reasons
            .iter()
            .any(|r| r.to_string().contains("annold"))
    );
    assert_eq!(run.plan.count(ActionKind::CreateUser), 0);
}

/// An equal extension alone is a collision, never an identity: the report does not call a
/// stranger's user "the same person" and advise changing it.
#[tokio::test]
async fn an_equal_extension_is_a_collision_not_an_identity() {
    let g = gid(1);
    let mut s = server();
    s.users.push(ipo_user("stranger", Some("401")));
    let w = World::new(rule(&g, UserType::TeamsAndIpOffice), s);
    let ann = with_voice(with_ext(person(1, "ann"), "401"));
    w.join(&g, &ann);
    let run = w.run(&RunOptions::apply()).await;
    let v = run.classification.for_directory_user(&ann.id).unwrap();
    assert_eq!(v.person.ipo, None, "not paired with the stranger");
    assert!(codes(&run, &ann.id).contains(&"extension_collision"));
    let line = run.plan.person(&ann.id).unwrap();
    assert_eq!(line.status, PersonStatus::Skipped);
    assert!(
        line.reasons
            .iter()
            .any(|r| matches!(r, Reason::ExtensionTaken { .. }))
    );
    assert!(w.user_of(&ann.id).is_none());
}

/// The administrator's licence configuration reaches every decision: a custom SKU counts
/// although Graph listed the person's service plans (none of them the voice plan).
#[tokio::test]
async fn a_configured_sku_counts_whether_or_not_plans_were_read() {
    let g = gid(1);
    let custom = "0a0a0a0a-0000-4000-8000-00000000c0de";
    let mut cfg = rule(&g, UserType::TeamsOnly);
    cfg.licensing.voice_skus.insert(custom.into());
    let w = World::new(cfg, server());
    let mut ann = with_ext(person(1, "ann"), "701");
    ann.assigned_licenses = vec![AssignedLicense::new(custom)];
    ann.assigned_plans = vec![AssignedPlan::new(
        "11111111-2222-4333-8444-555555555555",
        CapabilityStatus::Enabled,
    )];
    w.join(&g, &ann);
    let run = w.apply_ok().await;
    assert_eq!(
        run.classification
            .for_directory_user(&ann.id)
            .unwrap()
            .user_type,
        Some(UserType::TeamsOnly)
    );
    assert_eq!(
        run.plan.person(&ann.id).unwrap().status,
        PersonStatus::Create
    );
    // Without the configuration, neither the report nor the plan counts it.
    let w = World::new(rule(&g, UserType::TeamsOnly), server());
    w.join(&g, &ann);
    let run = w.run(&RunOptions::dry_run()).await;
    assert!(codes(&run, &ann.id).contains(&"no_teams_voice"));
    assert_eq!(
        run.plan.person(&ann.id).unwrap().status,
        PersonStatus::Skipped
    );
}

/// A licensing mode IP Office's answer did not settle (and the configuration did not state):
/// no profile can be chosen, so people with an IP Office record are held with that reason;
/// Teams-only people, who need no profile, still get their directory entry.
#[tokio::test]
async fn an_unknown_licensing_mode_holds_everyone_who_needs_a_profile() {
    let (ipo, teams) = (gid(1), gid(2));
    let cfg = SyncConfig::new(vec![
        GroupRule::new(ipo.clone(), UserType::IpOfficeOnly),
        GroupRule::new(teams.clone(), UserType::TeamsOnly),
    ]);
    let mut s = server();
    s.system.licensing_mode = LicensingMode::Unknown;
    let w = World::new(cfg, s);
    let ann = with_ext(person(1, "ann"), "401");
    let bob = with_voice(with_ext(person(2, "bob"), "701"));
    w.join(&ipo, &ann);
    w.join(&teams, &bob);
    let run = w.run(&RunOptions::apply()).await;
    let line = run.plan.person(&ann.id).unwrap();
    assert_eq!(line.status, PersonStatus::Skipped);
    assert!(codes(&run, &ann.id).contains(&"licensing_mode_unknown"));
    assert!(
        line.reasons
            .iter()
            .any(|r| r.to_string().contains("licensing_mode"))
    );
    assert_eq!(run.plan.count(ActionKind::CreateUser), 0);
    assert_eq!(
        run.plan.person(&bob.id).unwrap().status,
        PersonStatus::Create
    );
}

/// The run's classification is `classify` of the run's own input, whether the planner's
/// links are the state's (the engine reuses the planner's verdicts) or reconciling changed
/// one (an IP Office user deleted by hand: the stored link is stale).
#[tokio::test]
async fn the_runs_classification_is_classify_of_its_input() {
    let g = gid(1);
    let w = World::new(rule(&g, UserType::IpOfficeOnly), server());
    let ann = with_ext(person(1, "ann"), "401");
    let bob = with_ext(person(2, "bob"), "402");
    w.join(&g, &ann);
    w.join(&g, &bob);
    w.apply_ok().await;
    let state = w.state.load().unwrap();
    let cfg = w.engine.config();

    let run = w.run(&RunOptions::dry_run()).await;
    let alone = sync_engine::classify_for_sync(
        cfg,
        &run.azure_ad,
        &run.snapshot,
        &state,
        &Default::default(),
    );
    assert_eq!(run.classification, alone);
    assert_eq!(run.classification.verdicts.len(), 2);

    w.ipo.edit(|s| s.users.retain(|u| u.name.as_str() != "ann"));
    let run = w.run(&RunOptions::dry_run()).await;
    let alone = sync_engine::classify_for_sync(
        cfg,
        &run.azure_ad,
        &run.snapshot,
        &state,
        &Default::default(),
    );
    assert_eq!(run.classification, alone);
    assert!(codes(&run, &ann.id).contains(&"stale_link"));
    // The plan recreates her: its own links had the stale one reconciled away.
    assert_eq!(
        run.plan.person(&ann.id).unwrap().status,
        PersonStatus::Create
    );
}

/// A Teams-only person's extension that an IP Office user has would ring that user: their
/// verdict blocks and names the user, whatever the adoption setting (an extension that
/// identifies under `by_extension` included), and no directory entry is written.
#[tokio::test]
async fn teams_only_extension_on_an_ipo_user_blocks_whatever_the_adoption() {
    let adoptions = [
        AdoptPolicy::Never,
        AdoptPolicy::ByExtension,
        AdoptPolicy::ByEmail,
        AdoptPolicy::ByExtensionOrEmail,
    ];
    for adopt in adoptions {
        let g = gid(1);
        let mut s = server();
        s.users.push(ipo_user("desk401", Some("401")));
        let mut cfg = rule(&g, UserType::TeamsOnly);
        cfg.safety.adopt = adopt;
        let w = World::new(cfg, s);
        let ann = with_voice(with_ext(person(1, "ann"), "401"));
        w.join(&g, &ann);
        let run = w.run(&RunOptions::apply()).await;
        let v = run.classification.for_directory_user(&ann.id).unwrap();
        assert!(
            v.blocking().any(|p| matches!(
                p,
                Problem::ExtensionCollision { with: Occupant::User(n), .. } if n == "desk401"
            )),
            "{adopt:?}: {:?}",
            v.problems
        );
        let line = run.plan.person(&ann.id).unwrap();
        assert_eq!(line.status, PersonStatus::Skipped, "{adopt:?}");
        assert_eq!(
            run.plan.count(ActionKind::PutDirectoryEntry),
            0,
            "{adopt:?}"
        );
        assert!(w.ipo.current().system_directory.is_empty(), "{adopt:?}");
    }
}

/// The same when the IP Office user is the person's own, made by the sync while a rule
/// made them IP Office only: a removal policy that keeps or disables it would leave the
/// extension ringing it, so the move to Teams only waits for the administrator.
#[tokio::test]
async fn teams_only_extension_on_their_own_ipo_user_blocks_too() {
    let (desk, teams) = (gid(1), gid(2));
    let mut to_teams = GroupRule::new(teams.clone(), UserType::TeamsOnly);
    to_teams.priority = 1;
    let mut cfg = SyncConfig::new(vec![
        GroupRule::new(desk.clone(), UserType::IpOfficeOnly),
        to_teams,
    ]);
    cfg.safety.removal = sync_engine::RemovalPolicy::Disable;
    let w = World::new(cfg, server());
    let ann = with_voice(with_ext(person(1, "ann"), "401"));
    w.join(&desk, &ann);
    w.apply_ok().await;
    w.join(&teams, &ann);
    let run = w.run(&RunOptions::apply()).await;
    let v = run.classification.for_directory_user(&ann.id).unwrap();
    assert!(
        v.blocking().any(|p| matches!(
            p,
            Problem::ExtensionCollision { with: Occupant::User(n), .. } if n == "ann"
        )),
        "{:?}",
        v.problems
    );
    assert_eq!(
        run.plan.person(&ann.id).unwrap().status,
        PersonStatus::Skipped
    );
    assert!(w.ipo.current().system_directory.is_empty());
    assert!(w.user_of(&ann.id).is_some());
}

/// A configuration that keeps disabled accounts in scope classifies them like anyone: the
/// verdict says the IP Office user is still to make (the sync fixes that), not that the
/// person already is what the rule wants.
#[tokio::test]
async fn disabled_accounts_kept_in_scope_are_classified_like_anyone() {
    let g = gid(1);
    let mut cfg = rule(&g, UserType::IpOfficeOnly);
    cfg.safety.disabled_accounts_out_of_scope = false;
    let w = World::new(cfg, server());
    let mut ann = with_ext(person(1, "ann"), "401");
    ann.account_enabled = Some(false);
    w.join(&g, &ann);
    let run = w.run(&RunOptions::dry_run()).await;
    let v = run.classification.for_directory_user(&ann.id).unwrap();
    assert_eq!(codes(&run, &ann.id), ["no_ipo_record"]);
    assert_eq!(v.user_type, None);
    assert!(!v.blocks_sync());
    assert_eq!(
        run.plan.person(&ann.id).unwrap().status,
        PersonStatus::Create
    );
}
