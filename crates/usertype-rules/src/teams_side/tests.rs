use ipo_model::{
    AssignmentCategory, AzureAdUser, EffectivePolicy, ExtensionNumber, GroupId, NumberSource,
    ObjectId, PolicyVia, TeamsNumber, TeamsNumberHolder, TeamsNumberHolders, TeamsPhoneNumber,
    TeamsPolicyType, TeamsVoice, UserType,
};

use super::*;

const ANN: &str = "87d349ed-44d7-43e1-9a83-5f2406dee5bd";
const BOB: &str = "5b8c1d4e-0000-4000-8000-000000000002";

fn rule(toml_text: &str) -> TeamsSideRule {
    toml::from_str(toml_text).unwrap()
}

fn graph_rule() -> TeamsSideRule {
    rule(
        r#"provisioning = "graph"
number = { template = "+441632768{extension}" }
voice_routing_policy = "UK-DirectRouting"
dial_plan = "UK""#,
    )
}

fn ann(numbers: &[&str], policies: Vec<EffectivePolicy>) -> AzureAdUser {
    let mut u = AzureAdUser::new(ANN.parse().unwrap());
    let mut v = TeamsVoice::default();
    v.telephone_numbers = numbers
        .iter()
        .map(|n| TeamsPhoneNumber::new(*n, AssignmentCategory::Primary))
        .collect();
    v.effective_policies = policies;
    u.teams = Some(v);
    u
}

fn ext(s: &str) -> ExtensionNumber {
    s.parse().unwrap()
}

fn num(s: &str) -> TeamsNumber {
    s.parse().unwrap()
}

fn judge(
    rule: &TeamsSideRule,
    user: &AzureAdUser,
    holders: &TeamsNumberHolders,
    assigned: Option<&TeamsAssigned>,
) -> TeamsSide {
    let e = ext("402");
    let input =
        TeamsSideInput::new(rule, user, UserType::TeamsOnly, Some(&e), holders).assigned(assigned);
    judge_teams_side(&input).unwrap()
}

fn holder(number: &str, who: Option<&str>, source: NumberSource) -> TeamsNumberHolder {
    TeamsNumberHolder::new(
        number.parse().unwrap(),
        who.map(|w| w.parse::<ObjectId>().unwrap()),
        Some(source),
    )
}

fn policy(t: TeamsPolicyType, name: &str, via: PolicyVia) -> EffectivePolicy {
    EffectivePolicy::new(t, name, via)
}

#[test]
fn ip_office_only_people_and_rules_that_are_off_have_no_teams_half() {
    let holders = TeamsNumberHolders::default();
    let u = ann(&[], vec![]);
    let e = ext("402");
    let r = graph_rule();
    let input = TeamsSideInput::new(&r, &u, UserType::IpOfficeOnly, Some(&e), &holders);
    assert_eq!(judge_teams_side(&input), None);
    let off = rule(r#"provisioning = "off""#);
    let input = TeamsSideInput::new(&off, &u, UserType::TeamsOnly, Some(&e), &holders);
    assert_eq!(judge_teams_side(&input), None);
    let input = TeamsSideInput::new(&r, &u, UserType::TeamsAndIpOffice, Some(&e), &holders);
    assert!(judge_teams_side(&input).is_some());
}

#[test]
fn the_default_provisioning_is_the_script() {
    assert_eq!(rule("").provisioning, TeamsProvisioning::Script);
    assert_eq!(
        TeamsSideRule::default().provisioning,
        TeamsProvisioning::Script
    );
}

#[test]
fn a_new_person_gets_the_templated_number_with_the_extension_and_both_policies() {
    let side = judge(&graph_rule(), &ann(&[], vec![]), &Default::default(), None);
    let change = side.number.change.clone().unwrap();
    assert_eq!(change.from, None);
    assert_eq!(change.to, num("tel:+441632768402;ext=402"));
    let assigned: Vec<_> = side.policy_assignments().map(|p| p.policy_type).collect();
    assert_eq!(assigned, TeamsPolicyType::ALL.to_vec());
    assert!(side.problems.is_empty());
    assert!(!side.is_in_line());
}

#[test]
fn without_the_extension_the_template_gives_the_bare_number() {
    let r = rule(
        r#"provisioning = "graph"
number = { template = "+441632768{extension}", with_extension = false }"#,
    );
    let side = judge(&r, &ann(&[], vec![]), &Default::default(), None);
    assert_eq!(side.number.change.unwrap().to, num("+441632768402"));
    assert!(side.policies.is_empty());
}

#[test]
fn a_person_who_already_has_everything_is_in_line() {
    let u = ann(
        &["tel:+441632768402;ext=402"],
        vec![
            policy(
                TeamsPolicyType::OnlineVoiceRouting,
                "uk-directrouting",
                PolicyVia::Group(None),
            ),
            policy(TeamsPolicyType::TenantDialPlan, "UK", PolicyVia::Direct),
        ],
    );
    let side = judge(&graph_rule(), &u, &Default::default(), None);
    assert!(side.is_in_line(), "{side:?}");
    assert_eq!(side.number.current, side.number.wanted);
}

#[test]
fn no_extension_or_a_number_too_long_cannot_be_built() {
    let holders = TeamsNumberHolders::default();
    let u = ann(&[], vec![]);
    let r = graph_rule();
    let input = TeamsSideInput::new(&r, &u, UserType::TeamsOnly, None, &holders);
    let side = judge_teams_side(&input).unwrap();
    assert_eq!(
        side.problems,
        vec![TeamsProblem::NumberUnbuildable {
            why: Unbuildable::NoExtension
        }]
    );
    assert_eq!(side.number.change, None);
    // The policies are judged all the same: the number's problem holds back only the number.
    assert_eq!(side.policy_assignments().count(), 2);

    let long = rule(r#"number = { template = "+4416327684444{extension}" }"#);
    let side = judge(&long, &u, &holders, None);
    assert!(matches!(
        &side.problems[..],
        [TeamsProblem::NumberUnbuildable {
            why: Unbuildable::Invalid { .. }
        }]
    ));
}

#[test]
fn a_property_must_hold_a_number_not_just_an_extension() {
    let r = rule(r#"number = { property = "extensionAttribute3" }"#);
    let mut u = ann(&[], vec![]);
    let side = judge(&r, &u, &Default::default(), None);
    assert_eq!(
        side.problems,
        vec![TeamsProblem::NumberUnbuildable {
            why: Unbuildable::EmptyProperty {
                property: "extensionAttribute3".into()
            }
        }]
    );
    u.extension_attributes.set(3, Some("x402".into()));
    let side = judge(&r, &u, &Default::default(), None);
    assert!(matches!(
        &side.problems[..],
        [TeamsProblem::NumberUnbuildable {
            why: Unbuildable::Invalid { .. }
        }]
    ));
    u.extension_attributes
        .set(3, Some("+44 1632 768402 x402".into()));
    let side = judge(&r, &u, &Default::default(), None);
    assert_eq!(side.number.change.unwrap().to, num("+441632768402 x402"));
}

#[test]
fn a_number_someone_else_holds_is_not_taken_from_them() {
    let holders = [holder(
        "tel:+441632768402;ext=402",
        Some(BOB),
        NumberSource::Online,
    )]
    .into_iter()
    .collect();
    let side = judge(&graph_rule(), &ann(&[], vec![]), &holders, None);
    assert_eq!(
        side.problems,
        vec![TeamsProblem::NumberTaken {
            number: num("tel:+441632768402;ext=402"),
            holder: BOB.parse().unwrap(),
        }]
    );
    assert_eq!(side.number.change, None);
    // Held by the person themself (say, as an alternate number): theirs to keep.
    let holders = [holder(
        "+441632768402 x402",
        Some(ANN),
        NumberSource::Online,
    )]
    .into_iter()
    .collect();
    let side = judge(&graph_rule(), &ann(&[], vec![]), &holders, None);
    assert!(side.problems.is_empty());
    assert!(side.number.change.is_some());
}

#[test]
fn on_premises_numbers_are_never_changed_online() {
    let holders = [holder("+441632768999", Some(ANN), NumberSource::OnPremises)]
        .into_iter()
        .collect();
    let assigned = TeamsAssigned {
        number: Some(num("+441632768999")),
        ..TeamsAssigned::default()
    };
    let u = ann(&["+441632768999"], vec![]);
    let side = judge(&graph_rule(), &u, &holders, Some(&assigned));
    assert_eq!(
        side.problems,
        vec![TeamsProblem::NumberOnPremises {
            number: num("+441632768999")
        }]
    );
    assert_eq!(side.number.change, None);
}

#[test]
fn another_number_is_replaced_only_when_the_sync_assigned_it_or_may_adopt() {
    let u = ann(&["+441632768999"], vec![]);
    let holders = TeamsNumberHolders::default();
    let side = judge(&graph_rule(), &u, &holders, None);
    assert_eq!(
        side.problems,
        vec![TeamsProblem::NumberNotOurs {
            current: num("+441632768999"),
            wanted: num("tel:+441632768402;ext=402"),
        }]
    );
    assert_eq!(side.number.change, None);

    let ours = TeamsAssigned {
        number: Some(num("+441632768999")),
        ..TeamsAssigned::default()
    };
    let side = judge(&graph_rule(), &u, &holders, Some(&ours));
    let change = side.number.change.unwrap();
    assert_eq!(change.from, Some(num("+441632768999")));

    let mut adopting = graph_rule();
    adopting.adopt = true;
    let side = judge(&adopting, &u, &holders, None);
    assert!(side.problems.is_empty());
    assert!(side.number.change.is_some());
}

#[test]
fn policies_from_groups_are_overridden_direct_ones_of_others_are_not() {
    let group: GroupId = "0a1b2c3d-0000-4000-8000-000000000009".parse().unwrap();
    let u = ann(
        &["tel:+441632768402;ext=402"],
        vec![
            policy(
                TeamsPolicyType::OnlineVoiceRouting,
                "US",
                PolicyVia::Group(Some(group)),
            ),
            policy(TeamsPolicyType::TenantDialPlan, "Legacy", PolicyVia::Direct),
        ],
    );
    let side = judge(&graph_rule(), &u, &Default::default(), None);
    let by_type = |t| side.policies.iter().find(|p| p.policy_type == t).unwrap();
    assert!(by_type(TeamsPolicyType::OnlineVoiceRouting).assign);
    assert!(!by_type(TeamsPolicyType::TenantDialPlan).assign);
    assert!(matches!(
        &side.problems[..],
        [TeamsProblem::PolicyNotOurs { wanted, .. }] if wanted == "UK"
    ));
    assert_eq!(
        side.problems[0].policy_type(),
        Some(TeamsPolicyType::TenantDialPlan)
    );

    // The sync assigned "Legacy" itself earlier (the rule changed since): it may replace it.
    let mut ours = TeamsAssigned::default();
    ours.policies
        .insert(TeamsPolicyType::TenantDialPlan, "legacy".into());
    let side = judge(&graph_rule(), &u, &Default::default(), Some(&ours));
    assert!(side.problems.is_empty());
    assert_eq!(side.policy_assignments().count(), 2);
}

#[test]
fn a_leaver_gives_back_only_what_the_sync_assigned_and_still_finds() {
    let u = ann(
        &["tel:+441632768402;ext=402"],
        vec![
            policy(
                TeamsPolicyType::OnlineVoiceRouting,
                "UK-DirectRouting",
                PolicyVia::Direct,
            ),
            policy(
                TeamsPolicyType::TenantDialPlan,
                "UK",
                PolicyVia::Group(None),
            ),
        ],
    );
    let mut ours = TeamsAssigned {
        number: Some(num("tel:+441632768402;ext=402")),
        ..TeamsAssigned::default()
    };
    ours.policies.insert(
        TeamsPolicyType::OnlineVoiceRouting,
        "UK-DirectRouting".into(),
    );
    ours.policies
        .insert(TeamsPolicyType::TenantDialPlan, "UK".into());
    let release = teams_release(Some(&u), &ours);
    assert_eq!(release.number, ours.number);
    // The dial plan now comes from a group: nothing direct of ours to remove.
    assert_eq!(
        release.policies,
        vec![(
            TeamsPolicyType::OnlineVoiceRouting,
            "UK-DirectRouting".to_owned()
        )]
    );
    assert!(teams_release(None, &ours).is_empty());
}

#[test]
fn the_file_form_is_checked_field_by_field() {
    let err = |t: &str| toml::from_str::<TeamsSideRule>(t).unwrap_err().to_string();
    assert!(
        err(r#"number = { template = "+44{extension}", property = "x" }"#)
            .contains("either `template` or `property`")
    );
    assert!(err("number = {}").contains("give `template` or `property`"));
    assert!(
        err(r#"number = { property = "p", with_extension = true }"#)
            .contains("`with_extension` goes with `template`")
    );
    assert!(err(r#"number = { template = "441632768{extension}" }"#).contains("start with +"));
    assert!(err(r#"number = { template = "+441632768" }"#).contains("placeholder"));
    assert!(err(r#"number = { template = "+44 1632 {extension}" }"#).contains("not a digit"));
    assert!(err(r#"number = { template = "+{extension}{extension}" }"#).contains("once"));
    assert!(err(r#"provisioning = "always""#).contains("provisioning"));
    assert!(err(r#"voice_routing = "UK""#).contains("voice_routing"));
    // The file's form round-trips.
    let r = graph_rule();
    assert_eq!(rule(&toml::to_string(&r).unwrap()), r);
}

#[test]
fn verdicts_round_trip_through_json() {
    let side = judge(
        &graph_rule(),
        &ann(&["+441632768999"], vec![]),
        &Default::default(),
        None,
    );
    let text = serde_json::to_string(&side).unwrap();
    let back: TeamsSide = serde_json::from_str(&text).unwrap();
    assert_eq!(back, side);
    let mut a = TeamsAssigned::default();
    a.policies
        .insert(TeamsPolicyType::TenantDialPlan, "UK".into());
    let back: TeamsAssigned = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
    assert_eq!(back, a);
}

/// One DDI with per-person extensions, each person's number in `extensionAttribute3`.
fn on_the_ddi(id: &str, ext: &str) -> AzureAdUser {
    let mut u = AzureAdUser::new(id.parse().unwrap());
    u.teams = Some(TeamsVoice::default());
    let line = format!("tel:+441632768000;ext={ext}");
    u.extension_attributes.set(3, Some(line));
    u
}

#[test]
fn numbers_on_one_ddi_with_different_extensions_are_different_numbers() {
    let r = rule(r#"number = { property = "extensionAttribute3" }"#);
    // Bob already has extension 401 of the DDI, an auto attendant the DDI itself; Ann
    // wants 402 of the same DDI.
    const ATTENDANT: &str = "0a1b2c3d-0000-4000-8000-00000000000a";
    let holders = [
        holder("tel:+441632768000;ext=401", Some(BOB), NumberSource::Online),
        holder("+441632768000", Some(ATTENDANT), NumberSource::Online),
    ]
    .into_iter()
    .collect();
    let side = judge(&r, &on_the_ddi(ANN, "402"), &holders, None);
    assert!(side.problems.is_empty(), "{:?}", side.problems);
    assert_eq!(
        side.number.change.map(|c| c.to),
        Some(num("tel:+441632768000;ext=402"))
    );
    // And Bob, who has his, is in line; nobody else holds it.
    let mut bob = on_the_ddi(BOB, "401");
    bob.teams = ann(&["+441632768000;ext=401"], vec![]).teams;
    let side = judge(&r, &bob, &holders, None);
    assert!(side.is_in_line(), "{side:?}");
}

#[test]
fn the_exact_number_and_extension_held_by_someone_else_is_still_taken() {
    let r = rule(r#"number = { property = "extensionAttribute3" }"#);
    let holders = [holder(
        "+441632768000;ext=402",
        Some(BOB),
        NumberSource::Online,
    )]
    .into_iter()
    .collect();
    let side = judge(&r, &on_the_ddi(ANN, "402"), &holders, None);
    assert_eq!(side.number.change, None);
    assert_eq!(side.problems.len(), 1, "{:?}", side.problems);
    assert_eq!(side.problems[0].code(), "teams_number_taken");
    assert!(
        side.problems[0].to_string().contains("+441632768000 x402"),
        "the message names the number with its extension: {}",
        side.problems[0]
    );
}

/// Ann with her number and policies in line, and Enterprise Voice as `on` says.
fn ann_in_line(on: Option<bool>) -> AzureAdUser {
    let mut u = ann(
        &["tel:+441632768402;ext=402"],
        vec![
            policy(
                TeamsPolicyType::OnlineVoiceRouting,
                "UK-DirectRouting",
                PolicyVia::Direct,
            ),
            policy(TeamsPolicyType::TenantDialPlan, "UK", PolicyVia::Direct),
        ],
    );
    if let Some(t) = u.teams.as_mut() {
        t.enterprise_voice_enabled = on;
    }
    u
}

#[test]
fn enterprise_voice_off_with_the_number_in_line_is_described_with_what_the_sync_does() {
    // Through Graph: no call turns it on, so an administrator must.
    let side = judge(
        &graph_rule(),
        &ann_in_line(Some(false)),
        &Default::default(),
        None,
    );
    assert!(
        !side.is_in_line(),
        "Teams does not ring the number: {side:?}"
    );
    let lines = side.describe();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("Enterprise Voice is off"), "{lines:?}");
    assert!(
        lines[0].contains("-EnterpriseVoiceEnabled $true"),
        "{lines:?}"
    );

    // Through the script: the script turns it on.
    let mut script = graph_rule();
    script.provisioning = TeamsProvisioning::Script;
    let side = judge(
        &script,
        &ann_in_line(Some(false)),
        &Default::default(),
        None,
    );
    let lines = side.describe();
    assert!(lines[0].starts_with("Enterprise Voice is off"), "{lines:?}");
    assert!(lines[0].contains("the script turns it on"), "{lines:?}");

    // On, or not said by Teams: nothing to say.
    for on in [Some(true), None] {
        let side = judge(&graph_rule(), &ann_in_line(on), &Default::default(), None);
        assert!(side.is_in_line(), "{on:?}: {side:?}");
        assert!(side.describe().is_empty());
    }
}

#[test]
fn enterprise_voice_off_for_a_number_to_assign_is_turned_on_by_the_assignment() {
    let mut u = ann(&[], vec![]);
    if let Some(t) = u.teams.as_mut() {
        t.enterprise_voice_enabled = Some(false);
    }
    let side = judge(&graph_rule(), &u, &Default::default(), None);
    let lines = side.describe();
    assert!(lines[0].starts_with("number none ->"), "{lines:?}");
    let ev = lines
        .iter()
        .find(|l| l.starts_with("Enterprise Voice is off"))
        .expect("Enterprise Voice is described");
    assert!(ev.contains("with the number"), "{ev}");
}
